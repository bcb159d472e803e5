package riskrun

import (
	"math"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
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

// locator finds the cell at res containing a point, usually without
// LatLngToCell (1.5 µs of C, most of reading a million residents): a point
// within the inscribed circle of the res cell that holds its stored res-9
// cell is inside that cell (cells are convex), and only the others (about
// one in five) are located by H3. The stored cell only says which circle to
// try; the answer depends on the coordinates alone. Not safe for
// concurrent use.
type locator struct {
	res  int
	memo map[h3.Cell]inDisc
}

// inDisc is a cell's centre (degrees), the cosine of its latitude and the
// square of the radius (km) of a circle about the centre inside the cell.
type inDisc struct {
	lat, lng, cos, r2 float64
}

func newLocator(res int) *locator { return &locator{res: res, memo: map[h3.Cell]inDisc{}} }

const kmPerDeg = 111.195

// cell returns the cell at l.res containing (lon, lat); hint is a finer
// cell the point is believed to lie in (0: none).
func (l *locator) cell(hint h3.Cell, lon, lat float64) (h3.Cell, bool) {
	if p, ok := hexgrid.ParentAt(hint, l.res); ok {
		d, seen := l.memo[p]
		if !seen {
			d = discOf(p)
			l.memo[p] = d
		}
		dy := (lat - d.lat) * kmPerDeg
		dx := (lon - d.lng) * kmPerDeg * d.cos
		if dx*dx+dy*dy < d.r2 {
			return p, true
		}
	}
	return pointCell(lon, lat, l.res)
}

// discOf is the largest circle about c's centre inside its boundary, in a
// local plane, shrunk by 2 % for the plane's error.
func discOf(c h3.Cell) inDisc {
	ll := h3.CellToLatLng(c)
	d := inDisc{lat: ll.Lat, lng: ll.Lng, cos: math.Cos(ll.Lat * math.Pi / 180)}
	b := h3.CellToBoundary(c)
	r := math.Inf(1)
	for i := range b {
		a, e := b[i], b[(i+1)%len(b)]
		ax, ay := (a.Lng-d.lng)*kmPerDeg*d.cos, (a.Lat-d.lat)*kmPerDeg
		ex, ey := (e.Lng-d.lng)*kmPerDeg*d.cos, (e.Lat-d.lat)*kmPerDeg
		// distance from the origin (the centre) to the segment a–e
		vx, vy := ex-ax, ey-ay
		t := 0.0
		if l2 := vx*vx + vy*vy; l2 > 0 {
			t = math.Max(0, math.Min(1, -(ax*vx+ay*vy)/l2))
		}
		px, py := ax+t*vx, ay+t*vy
		r = math.Min(r, math.Hypot(px, py))
	}
	if math.IsInf(r, 1) || len(b) < 3 {
		r = 0
	}
	r *= 0.98
	d.r2 = r * r
	return d
}
