// Package locate answers "which kabupaten is this point in, or how far is the
// nearest one?" for millions of points, in memory. The polygons are the small
// pieces of the kabupaten_part table (≤ 128 vertices each), bucketed on a
// regular grid, so a query tests a handful of small polygons.
//
// Distances use a local equirectangular projection around the query point: at
// Indonesia's latitudes (11°S–6°N) and for the 25 km rule, the error is far
// below a hundred metres.
package locate

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Piece is one polygon belonging to a region code.
type Piece struct {
	Code    string
	Polygon orb.Polygon
}

// Index is an immutable grid of pieces; safe for concurrent use.
type Index struct {
	pieces     []piece
	cell       float64 // grid cell size, degrees
	minX, minY float64
	nx, ny     int
	grid       [][]int32 // piece indexes per cell
}

type piece struct {
	code  string
	poly  orb.Polygon
	bound orb.Bound
}

const kmPerDegLat = 110.574

// New builds an index; cell is the grid cell size in degrees (0.1 is good for kabupaten pieces).
func New(pieces []Piece, cell float64) *Index {
	ix := &Index{cell: cell}
	if len(pieces) == 0 {
		return ix
	}
	all := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range pieces {
		b := p.Polygon.Bound()
		ix.pieces = append(ix.pieces, piece{code: p.Code, poly: p.Polygon, bound: b})
		all = all.Union(b)
	}
	ix.minX, ix.minY = all.Min[0], all.Min[1]
	ix.nx = int((all.Max[0]-all.Min[0])/cell) + 1
	ix.ny = int((all.Max[1]-all.Min[1])/cell) + 1
	ix.grid = make([][]int32, ix.nx*ix.ny)
	for i, p := range ix.pieces {
		x0, y0 := ix.cellOf(p.bound.Min)
		x1, y1 := ix.cellOf(p.bound.Max)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				ix.grid[y*ix.nx+x] = append(ix.grid[y*ix.nx+x], int32(i))
			}
		}
	}
	return ix
}

func (ix *Index) cellOf(p orb.Point) (int, int) {
	x := int((p[0] - ix.minX) / ix.cell)
	y := int((p[1] - ix.minY) / ix.cell)
	return min(max(x, 0), ix.nx-1), min(max(y, 0), ix.ny-1)
}

// Locate returns the code of the piece containing p, with distance 0; else the
// code of the nearest piece within maxKm and its distance in km; else "" and
// the distance to the nearest piece searched (math.Inf(1) if none within maxKm).
func (ix *Index) Locate(p orb.Point, maxKm float64) (string, float64) {
	if len(ix.pieces) == 0 {
		return "", math.Inf(1)
	}
	// Outside the grid's bounds by more than maxKm: nothing can be near.
	cx, cy := int(math.Floor((p[0]-ix.minX)/ix.cell)), int(math.Floor((p[1]-ix.minY)/ix.cell))
	if cx >= 0 && cy >= 0 && cx < ix.nx && cy < ix.ny {
		for _, i := range ix.grid[cy*ix.nx+cx] {
			pc := &ix.pieces[i]
			if pc.bound.Contains(p) && planar.PolygonContains(pc.poly, p) {
				return pc.code, 0
			}
		}
	}
	// Search the cells within maxKm for the nearest edge.
	kmX := kmPerDegLat * math.Cos(p[1]*math.Pi/180)
	rx := int(math.Ceil(maxKm/kmX/ix.cell)) + 1
	ry := int(math.Ceil(maxKm/kmPerDegLat/ix.cell)) + 1
	best, bestKm := "", math.Inf(1)
	seen := map[int32]bool{}
	for y := cy - ry; y <= cy+ry; y++ {
		if y < 0 || y >= ix.ny {
			continue
		}
		for x := cx - rx; x <= cx+rx; x++ {
			if x < 0 || x >= ix.nx {
				continue
			}
			for _, i := range ix.grid[y*ix.nx+x] {
				if seen[i] {
					continue
				}
				seen[i] = true
				pc := &ix.pieces[i]
				if d := boundKm(pc.bound, p, kmX); d > bestKm || d > maxKm {
					continue
				}
				if d := polygonKm(pc.poly, p, kmX); d < bestKm || (d == bestKm && pc.code < best) {
					best, bestKm = pc.code, d
				}
			}
		}
	}
	if bestKm > maxKm {
		return "", bestKm
	}
	return best, bestKm
}

// boundKm is a lower bound of the distance from p to anything inside b.
func boundKm(b orb.Bound, p orb.Point, kmX float64) float64 {
	dx := math.Max(0, math.Max(b.Min[0]-p[0], p[0]-b.Max[0])) * kmX
	dy := math.Max(0, math.Max(b.Min[1]-p[1], p[1]-b.Max[1])) * kmPerDegLat
	return math.Hypot(dx, dy)
}

// polygonKm is the distance from p (outside the polygon) to its nearest edge.
func polygonKm(poly orb.Polygon, p orb.Point, kmX float64) float64 {
	best := math.Inf(1)
	for _, r := range poly {
		for i := 0; i+1 < len(r); i++ {
			best = math.Min(best, segKm(r[i], r[i+1], p, kmX))
		}
	}
	return best
}

func segKm(a, b, p orb.Point, kmX float64) float64 {
	ax, ay := (a[0]-p[0])*kmX, (a[1]-p[1])*kmPerDegLat
	bx, by := (b[0]-p[0])*kmX, (b[1]-p[1])*kmPerDegLat
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// Codes lists the distinct codes in the index, sorted.
func (ix *Index) Codes() []string {
	m := map[string]bool{}
	for _, p := range ix.pieces {
		m[p.code] = true
	}
	out := make([]string, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
