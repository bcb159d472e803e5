package risk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Dropping a column from a collapsed design gives exactly the design built
// from the cells without that column: same groups in the same order, same
// sums (the backward selection relies on it to refit without rescanning cells).
func TestDesignWithoutEqualsRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 5000
	X := make([][]float64, 4)
	for j := range X {
		X[j] = make([]float64, n)
	}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		X[0][i] = float64(rng.IntN(3))      // few levels: many identical rows
		X[1][i] = float64(rng.IntN(2))      // a proximity
		X[2][i] = []float64{4.1, 9.7}[i%2]  // an indicator
		X[3][i] = float64(rng.IntN(40)) / 7 // many levels
		y[i] = float64(rng.IntN(3))
	}
	mean, sd := make([]float64, 4), make([]float64, 4)
	for j := range X {
		mean[j], sd[j] = meanSD(X[j])
	}
	full := buildDesign(X, y, []int{0, 1, 2, 3}, mean, sd)
	for c := 1; c <= 4; c++ {
		var keep []int
		for j := 0; j < 4; j++ {
			if j != c-1 {
				keep = append(keep, j)
			}
		}
		want := buildDesign(X, y, keep, mean, sd)
		got := full.without(c)
		if got.q != want.q || !slices.Equal(got.z, want.z) || !slices.Equal(got.k, want.k) ||
			!slices.Equal(got.sy, want.sy) || !slices.Equal(got.syy, want.syy) {
			t.Errorf("without column %d: %d groups, rebuilt %d", c, len(got.k), len(want.k))
		}
	}
	if len(full.without(4).k) >= len(full.k) {
		t.Error("dropping the many-level column merged no groups: the test has no power")
	}
}

// The grouper must put rows with the same bits in one group and keep others
// apart, also when their hashes collide (forced here: every row, or every
// other row, hashes alike), in the order rows first appear.
func TestGrouperCollisions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, q = 3000, 4
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = []float64{1, float64(rng.IntN(4)), float64(rng.IntN(3)) / 3, []float64{0, math.Copysign(0, -1)}[rng.IntN(2)]}
	}
	// Reference: groups keyed by the printed bits, numbered by first appearance.
	wantGroup := map[string]int{}
	var want []int
	for _, r := range rows {
		key := fmt.Sprint(math.Float64bits(r[1]), math.Float64bits(r[2]), math.Float64bits(r[3]))
		g, ok := wantGroup[key]
		if !ok {
			g = len(wantGroup)
			wantGroup[key] = g
		}
		want = append(want, g)
	}
	for _, tc := range []struct {
		name string
		hash func([]float64) uint64
	}{
		{"row hash", rowHash},
		{"all collide", func([]float64) uint64 { return 7 }},
		{"two buckets", func(v []float64) uint64 { return uint64(v[0]) % 2 }},
	} {
		gr := newGrouper(q, 16)
		gr.hash = tc.hash
		for i, r := range rows {
			gr.add(r, 1, float64(i), 0)
		}
		if len(gr.d.k) != len(wantGroup) {
			t.Fatalf("%s: %d groups, want %d", tc.name, len(gr.d.k), len(wantGroup))
		}
		sums := make([]float64, len(wantGroup))
		for i, g := range want {
			sums[g] += float64(i)
		}
		if !slices.Equal(gr.d.sy, sums) {
			t.Errorf("%s: group sums differ from the reference grouping", tc.name)
		}
	}
}
