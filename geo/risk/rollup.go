package risk

import (
	"math"
	"sort"
)

// Rollup summarises the cell scores of one area.
type Rollup struct {
	Mean     float64 // unweighted mean over the area's cells
	Max      float64
	Weighted float64 // Σ w·score / Σ w (w = cell area, or a population proxy)
	Cells    int
}

// RollupBy groups cells (group[i] in 0..n-1, negative = no group) and
// summarises their scores; groups without cells have Cells == 0.
func RollupBy(score, weight []float64, group []int32, n int) []Rollup {
	out := make([]Rollup, n)
	sw := make([]float64, n)
	for i := range out {
		out[i].Max = math.Inf(-1)
	}
	for i, g := range group {
		if g < 0 {
			continue
		}
		r := &out[g]
		r.Cells++
		r.Mean += score[i]
		r.Max = math.Max(r.Max, score[i])
		w := 1.0
		if weight != nil {
			w = weight[i]
		}
		r.Weighted += w * score[i]
		sw[g] += w
	}
	for g := range out {
		if out[g].Cells == 0 {
			out[g].Max = 0
			continue
		}
		out[g].Mean /= float64(out[g].Cells)
		if sw[g] > 0 {
			out[g].Weighted /= sw[g]
		}
	}
	return out
}

// Ranks ranks values in descending order (1 = highest) within each partition
// (part[i]; nil = one partition). Equal values share the better rank
// (competition ranking: 1, 2, 2, 4). Entries with skip[i] get rank 0.
func Ranks(values []float64, part []int32, skip []bool) []int {
	n := len(values)
	ord := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if skip == nil || !skip[i] {
			ord = append(ord, i)
		}
	}
	pk := func(i int) int32 {
		if part == nil {
			return 0
		}
		return part[i]
	}
	sort.SliceStable(ord, func(a, b int) bool {
		ia, ib := ord[a], ord[b]
		if pk(ia) != pk(ib) {
			return pk(ia) < pk(ib)
		}
		return values[ia] > values[ib]
	})
	rank := make([]int, n)
	for k := 0; k < len(ord); {
		e := k
		for e < len(ord) && pk(ord[e]) == pk(ord[k]) {
			e++
		}
		for r := k; r < e; r++ {
			i := ord[r]
			if r > k && values[i] == values[ord[r-1]] {
				rank[i] = rank[ord[r-1]]
			} else {
				rank[i] = r - k + 1
			}
		}
		k = e
	}
	return rank
}
