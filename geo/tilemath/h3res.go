package tilemath

import (
	"math"
	"slices"
)

// DisplayTilePx is the size at which MapLibre draws one vector tile.
const DisplayTilePx = 512

// H3EdgeKm is H3's average hexagon edge length per resolution (H3 v4 tables),
// returned by a function rather than held in a package variable.
func H3EdgeKm(res int) float64 {
	edges := [...]float64{
		1281.256011, 483.0568391, 182.5129565, 68.97922179, 26.07175968,
		9.854090990, 3.724532667, 1.406475763, 0.531414010, 0.200786148,
		0.075863783, 0.028673456, 0.010836172, 0.004095643, 0.001547612, 0.000584169,
	}
	if res < 0 || res >= len(edges) {
		return math.NaN()
	}
	return edges[res]
}

// CellPixels is the average across-flats width of an H3 cell of resolution res
// drawn at zoom z near the equator (Indonesia spans 6°N–11°S, where Web Mercator
// stretches by under 2%), in display pixels.
func CellPixels(res int, z uint32) float64 {
	metresPerPx := MercatorWorld / (DisplayTilePx * float64(uint64(1)<<z))
	return math.Sqrt(3) * H3EdgeKm(res) * 1000 / metresPerPx
}

// ResolutionForZoom picks, among the available resolutions, the finest whose
// cells are still at least minCellPx wide on screen at zoom z; when every
// available resolution is finer than that (low zooms), the coarsest one. This
// keeps a tile at a few hundred to a few thousand cells: finer would be noise and
// bytes, coarser would hide detail. ok is false when nothing is available.
func ResolutionForZoom(z uint32, available []int, minCellPx float64) (res int, ok bool) {
	if len(available) == 0 {
		return 0, false
	}
	sorted := slices.Clone(available)
	slices.Sort(sorted)
	best := sorted[0]
	for _, r := range sorted {
		if CellPixels(r, z) >= minCellPx {
			best = r
		}
	}
	return best, true
}
