package risk

import (
	"fmt"
	"math"
	"sort"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// Capture is how well a ranking of cells captures later incidents when the
// top Share of the area is flagged.
type Capture struct {
	Share     float64 // requested share of cells (0.10 = top 10%)
	HitRate   float64 // share of incidents inside the flagged cells
	AreaShare float64 // share of the total area flagged
	PAI       float64 // predictive accuracy index = HitRate / AreaShare
}

// Evaluate ranks cells by score (descending) and, for every share, flags that
// share of the cells. Cells tied at the cut are flagged fractionally (each
// tied cell counts with the same fraction), so a ranking that cannot tell
// cells apart gets the expected figure of a random tie-break rather than a
// lucky or unlucky order. hits are incidents per cell; area per cell (nil:
// equal areas).
func Evaluate(score, hits, area []float64, shares []float64) ([]Capture, error) {
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
	for i := 0; i < n; i++ {
		totHits += hits[i]
		totArea += ar(i)
	}
	ord := make([]int, n)
	for i := range ord {
		ord[i] = i
	}
	sort.SliceStable(ord, func(a, b int) bool { return score[ord[a]] > score[ord[b]] })
	out := make([]Capture, 0, len(shares))
	for _, sh := range shares {
		if sh <= 0 || sh > 1 {
			return nil, fmt.Errorf("risk: evaluate: share %v outside (0,1]", sh)
		}
		budget := sh * float64(n) // cells to flag
		var h, a, taken float64
		for g := 0; g < n && taken < budget; {
			e := g
			for e < n && score[ord[e]] == score[ord[g]] {
				e++
			}
			size := float64(e - g)
			frac := math.Min(1, (budget-taken)/size)
			for _, i := range ord[g:e] {
				h += frac * hits[i]
				a += frac * ar(i)
			}
			taken += frac * size
			g = e
		}
		c := Capture{Share: sh, AreaShare: a / totArea}
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

// KDE is the kernel-density baseline: a Gaussian kernel of bandwidth
// bandwidthKm around every training incident, evaluated at cell centres
// (truncated at 3 bandwidths). Incidents are located by their H3 cell at
// any resolution at least the grid's.
func KDE(g *hexgrid.Grid, incidents []hexgrid.Source, bandwidthKm float64) []float64 {
	out := make([]float64, g.Len())
	if bandwidthKm <= 0 {
		return out
	}
	k := hexgrid.Rings(g.Res, 3*bandwidthKm) + 1
	agg := map[h3.Cell]float64{}
	for _, s := range incidents {
		c := s.Cell
		if !c.IsValid() || c.Resolution() < g.Res {
			continue
		}
		agg[c.Parent(g.Res)] += s.Weight
	}
	cells := make([]h3.Cell, 0, len(agg))
	for c := range agg {
		cells = append(cells, c)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i] < cells[j] })
	h2 := 2 * bandwidthKm * bandwidthKm
	for _, c := range cells {
		w := agg[c]
		ll := c.LatLng()
		for _, n := range h3.GridDisk(c, k) {
			j, ok := g.Lookup(n)
			if !ok {
				continue
			}
			d := h3.GreatCircleDistanceKm(ll, n.LatLng())
			out[j] += w * math.Exp(-d*d/h2)
		}
	}
	return out
}
