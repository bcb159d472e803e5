package riskrun

import (
	"math"

	"github.com/uber/h3-go/v4"
)

// pointCell is the cell at res that contains the point (lon, lat in degrees),
// false for a point that is not a coordinate. Points are located from their
// coordinates, not from the res-9 cell the tables also store: H3 children do
// not nest exactly in their parents, and the res-7 parent of a point's res-9
// cell is, for about 1 point in 25, the neighbour of the cell the point is in.
func pointCell(lon, lat float64, res int) (h3.Cell, bool) {
	if math.IsNaN(lon) || math.IsNaN(lat) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return 0, false
	}
	c := h3.LatLngToCell(h3.NewLatLng(lat, lon), res)
	return c, c != 0
}
