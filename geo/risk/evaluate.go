package risk

import (
	"fmt"
	"math"
)

// Capture is how well a ranking of cells captures later incidents when the
// top Share of the area is flagged.
type Capture struct {
	Share     float64 // requested share of cells (0.10 = top 10%)
	HitRate   float64 // share of incidents inside the flagged cells
	AreaShare float64 // share of the total area flagged
	PAI       float64 // predictive accuracy index = HitRate / AreaShare
	// PEI is PAI divided by the best PAI possible for the same share of
	// cells (flagging the cells with the most hits; Wheeler & Steenbeek
	// 2019's predictive efficiency index): 1 is perfect hindsight.
	PEI float64
}

// Evaluate ranks cells by score (descending) and, for every share, flags that
// share of the cells. Cells tied at the cut are flagged fractionally (each
// tied cell counts with the same fraction), so a ranking that cannot tell
// cells apart gets the expected figure of a random tie-break rather than a
// lucky or unlucky order. hits are incidents per cell; area per cell (nil:
// equal areas).
func Evaluate(score, hits, area []float64, shares []float64) ([]Capture, error) {
	out, err := capture(score, hits, area, shares)
	if err != nil {
		return nil, err
	}
	best, err := capture(hits, hits, area, shares)
	if err != nil {
		return nil, err
	}
	// Same share of cells, so the same area up to the cells' small
	// differences in size: PAI ÷ best PAI is the ratio of the hit rates.
	for i := range out {
		if best[i].HitRate > 0 {
			out[i].PEI = out[i].HitRate / best[i].HitRate
		}
	}
	return out, nil
}

func capture(score, hits, area []float64, shares []float64) ([]Capture, error) {
	n := len(score)
	if len(hits) != n || (area != nil && len(area) != n) {
		return nil, fmt.Errorf("risk: evaluate: %d scores, %d hit counts, %d areas", n, len(hits), len(area))
	}
	if n == 0 {
		return nil, fmt.Errorf("risk: evaluate: no cells")
	}
	ar := func(i int) float64 {
		if area == nil {
			return 1
		}
		return area[i]
	}
	var totHits, totArea float64
	var hit []int // cells with hits: few, so captured hits are summed over them only
	for i := 0; i < n; i++ {
		totHits += hits[i]
		totArea += ar(i)
		if hits[i] != 0 {
			hit = append(hit, i)
		}
	}
	// The cut for a share is the score of the ceil(share·n)-th best cell,
	// found by selection rather than a full sort (validation ranks 400,000
	// cells dozens of times a compute): the cells above it are flagged and
	// the cells tied at it share the rest of the budget.
	work := make([]float64, n)
	out := make([]Capture, 0, len(shares))
	for _, sh := range shares {
		if sh <= 0 || sh > 1 {
			return nil, fmt.Errorf("risk: evaluate: share %v outside (0,1]", sh)
		}
		budget := sh * float64(n) // cells to flag
		for i, v := range score {
			if math.IsNaN(v) {
				v = math.Inf(-1)
			}
			work[i] = v
		}
		k := int(math.Ceil(budget-1e-9)) - 1 // 0-based rank of the cut cell, best first
		k = max(0, min(n-1, k))
		cut := selectDesc(work, k)
		var above, tied, aArea, tArea float64
		for i, v := range score {
			if math.IsNaN(v) {
				v = math.Inf(-1)
			}
			switch {
			case v > cut:
				above++
				aArea += ar(i)
			case v == cut:
				tied++
				tArea += ar(i)
			}
		}
		frac := math.Min(1, (budget-above)/tied)
		var h float64
		for _, i := range hit {
			v := score[i]
			if math.IsNaN(v) {
				v = math.Inf(-1)
			}
			switch {
			case v > cut:
				h += hits[i]
			case v == cut:
				h += frac * hits[i]
			}
		}
		c := Capture{Share: sh, AreaShare: (aArea + frac*tArea) / totArea}
		if totHits > 0 {
			c.HitRate = h / totHits
		}
		if c.AreaShare > 0 {
			c.PAI = c.HitRate / c.AreaShare
		}
		out = append(out, c)
	}
	return out, nil
}

// selectDesc returns the value that would be at index k if v were sorted in
// descending order (v is reordered): Hoare's quickselect with a
// median-of-three pivot.
func selectDesc(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		a, b, c := v[lo], v[mid], v[hi]
		p := b
		if (a >= b) == (b >= c) {
			p = b
		} else if (b >= a) == (a >= c) {
			p = a
		} else {
			p = c
		}
		i, j := lo, hi
		for i <= j {
			for v[i] > p {
				i++
			}
			for v[j] < p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}
