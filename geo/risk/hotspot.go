package risk

import (
	"cmp"
	"math"
	"slices"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// GiStar computes the Getis-Ord Gi* z-score of every cell with binary weights
// over its neighbour list (which includes the cell itself), exactly as
// spdep::localG does for an include.self() list with style "B":
//
//	Gi* = (Σ_j w_ij x_j − x̄ W_i) / (S √((n S1_i − W_i²)/(n−1)))
//
// with x̄ and S the mean and population standard deviation of all n values,
// W_i = Σ_j w_ij and S1_i = Σ_j w_ij² (both the neighbour count here).
// A cell whose neighbourhood is the whole set, or a constant x, gets z = 0.
func GiStar(x []float64, nb hexgrid.CSR) []float64 {
	n := len(x)
	z := make([]float64, n)
	if n < 2 {
		return z
	}
	var sum, sum2 float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(n)
	for _, v := range x {
		sum2 += (v - mean) * (v - mean)
	}
	s := math.Sqrt(sum2 / float64(n))
	if s == 0 {
		return z
	}
	fn := float64(n)
	for i := 0; i < n; i++ {
		var lag float64
		ns := nb.Of(i)
		for _, j := range ns {
			lag += x[j]
		}
		w := float64(len(ns))
		v := (fn*w - w*w) / (fn - 1)
		if v <= 0 {
			continue
		}
		z[i] = (lag - mean*w) / (s * math.Sqrt(v))
	}
	return z
}

// PTwoSided is the two-sided normal p-value of z.
func PTwoSided(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }

// BH returns Benjamini–Hochberg adjusted p-values (q-values), identical to
// R's p.adjust(p, "BH"): q_(i) = min_{k≥i} min(1, m p_(k) / k).
func BH(p []float64) []float64 {
	m := len(p)
	q := make([]float64, m)
	if m == 0 {
		return q
	}
	// Sorted by p, ties by index: the order a stable sort gives, from a
	// pdqsort on values (sort.SliceStable's reflective swaps were most of
	// Gi*'s time on a national grid).
	type pi struct {
		p float64
		i int32
	}
	ord := make([]pi, m)
	for i, v := range p {
		ord[i] = pi{v, int32(i)}
	}
	slices.SortFunc(ord, func(a, b pi) int {
		if c := cmp.Compare(a.p, b.p); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	running := 1.0
	for r := m - 1; r >= 0; r-- {
		i := ord[r].i
		v := p[i] * float64(m) / float64(r+1)
		if v < running {
			running = v
		}
		q[i] = running
	}
	return q
}

// Bins classifies z-scores as Esri's hot-spot analysis does with its FDR
// correction: ±3 when significant at 99% confidence, ±2 at 95%, ±1 at 90%,
// 0 otherwise, significance judged on the BH-adjusted p-value (so the share
// of false hot spots among those reported is controlled, not the per-cell
// error rate). The sign is the sign of z (+ hot, − cold).
func Bins(z []float64) (p, q []float64, bins []int8) {
	p = make([]float64, len(z))
	for i, v := range z {
		p[i] = PTwoSided(v)
	}
	q = BH(p)
	bins = make([]int8, len(z))
	for i, v := range q {
		var b int8
		switch {
		case v <= 0.01:
			b = 3
		case v <= 0.05:
			b = 2
		case v <= 0.10:
			b = 1
		}
		if z[i] < 0 {
			b = -b
		}
		bins[i] = b
	}
	return p, q, bins
}
