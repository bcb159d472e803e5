package api

import "testing"

func TestRankIn(t *testing.T) {
	s := []float64{0.5, 1, 1, 2, 3}
	cases := []struct {
		v    float64
		want int64
	}{{3, 1}, {2, 2}, {1, 3}, {0.5, 5}, {10, 1}, {0.1, 6}, {1.5, 3}}
	for _, c := range cases {
		if got := rankIn(s, c.v); got != c.want {
			t.Errorf("rankIn(%v) = %d, want %d", c.v, got, c.want)
		}
	}
	if got := rankIn(nil, 1); got != 1 {
		t.Errorf("empty: %d", got)
	}
}
