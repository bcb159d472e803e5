package risk

import (
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
