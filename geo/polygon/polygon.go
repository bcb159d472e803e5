// Package polygon checks drawn or uploaded areas before any database work:
// too many vertices, crossing edges, or an area beyond a limit are refused
// with a reason a user can act on, so that one bad polygon cannot keep a
// PostGIS backend busy repairing it.
package polygon

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Limits bound an area.
type Limits struct {
	MaxVertices int     // over all rings, closing points included
	MaxAreaKm2  float64 // geodesic area of the outer rings less their holes
}

// Error says why an area was refused; its message is meant for the user.
type Error struct{ Reason string }

func (e *Error) Error() string { return e.Reason }

// Check returns nil for an acceptable area, else an *Error. Rings must be
// closed; every ring needs three distinct points.
func Check(mp orb.MultiPolygon, lim Limits) error {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	if lim.MaxVertices > 0 && n > lim.MaxVertices {
		return &Error{fmt.Sprintf("the polygon has %d points, at most %d: simplify it or split the operation", n, lim.MaxVertices)}
	}
	for pi, p := range mp {
		if len(p) == 0 {
			return &Error{"a polygon has no rings"}
		}
		for ri, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				return &Error{"every ring must be closed and have at least 3 distinct points"}
			}
			if i, j, ok := selfCrossing(r); ok {
				return &Error{fmt.Sprintf("the outline crosses itself (edge %d crosses edge %d of ring %d of polygon %d): draw it again without crossing lines",
					i+1, j+1, ri+1, pi+1)}
			}
		}
		for ri := 1; ri < len(p); ri++ {
			if ringsCross(p[0], p[ri]) {
				return &Error{fmt.Sprintf("hole %d of polygon %d crosses its outline", ri, pi+1)}
			}
		}
	}
	if lim.MaxAreaKm2 > 0 {
		if km2 := AreaKm2(mp); km2 > lim.MaxAreaKm2 {
			return &Error{fmt.Sprintf("the area is %.0f km², at most %.0f km² per operation", km2, lim.MaxAreaKm2)}
		}
	}
	return nil
}

// AreaKm2 is the geodesic area of the polygons (holes subtracted).
func AreaKm2(mp orb.MultiPolygon) float64 {
	var m2 float64
	for _, p := range mp {
		for i, r := range p {
			a := geo.SignedArea(r)
			if a < 0 {
				a = -a
			}
			if i == 0 {
				m2 += a
			} else {
				m2 -= a
			}
		}
	}
	return m2 / 1e6
}

// selfCrossing finds two edges of a closed ring that meet although they are
// not neighbours along the ring (O(n²): rings are bounded by MaxVertices).
func selfCrossing(r orb.Ring) (int, int, bool) {
	m := len(r) - 1 // edges
	for i := 0; i < m; i++ {
		for j := i + 2; j < m; j++ {
			if i == 0 && j == m-1 {
				continue // the first and last edges share the closing point
			}
			if segmentsMeet(r[i], r[i+1], r[j], r[j+1]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

func ringsCross(a, b orb.Ring) bool {
	for i := 0; i+1 < len(a); i++ {
		for j := 0; j+1 < len(b); j++ {
			if segmentsMeet(a[i], a[i+1], b[j], b[j+1]) {
				return true
			}
		}
	}
	return false
}

// segmentsMeet reports whether segments pq and rs share a point.
func segmentsMeet(p, q, r, s orb.Point) bool {
	d1 := orient(r, s, p)
	d2 := orient(r, s, q)
	d3 := orient(p, q, r)
	d4 := orient(p, q, s)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(r, s, p)) || (d2 == 0 && onSegment(r, s, q)) ||
		(d3 == 0 && onSegment(p, q, r)) || (d4 == 0 && onSegment(p, q, s))
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment: c, collinear with ab, lies within ab's box.
func onSegment(a, b, c orb.Point) bool {
	return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
}
