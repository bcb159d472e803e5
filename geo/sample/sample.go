// Package sample holds the pure spatial sampling helpers of the synthetic-data
// generator: point-in-region tests over raw (possibly invalid) published
// polygons, jittered and uniform point sampling that never leaves a region,
// nearest-point search, weighted picks, deterministic quota allocation and a
// smooth random field. Everything takes an explicit *rand.Rand so that a seed
// fully determines the output; nothing here does I/O.
package sample

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// KmPerDegLat is the length of one degree of latitude (mean, km).
const KmPerDegLat = 110.574

// KmX is the length of one degree of longitude at latitude lat (km).
func KmX(lat float64) float64 { return 111.320 * math.Cos(lat*math.Pi/180) }

// DistKm is the equirectangular distance between two lon/lat points; at
// Indonesia's latitudes it is within a fraction of a percent of the geodesic
// for the distances (< 2,000 km) the generator uses.
func DistKm(a, b orb.Point) float64 {
	dx := (a[0] - b[0]) * KmX((a[1]+b[1])/2)
	dy := (a[1] - b[1]) * KmPerDegLat
	return math.Hypot(dx, dy)
}

// Round6 rounds both coordinates to 6 decimals (~0.1 m), the precision the
// generator writes; containment is always tested on the rounded point so
// that what is written is what was checked.
func Round6(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e6) / 1e6, math.Round(p[1]*1e6) / 1e6}
}

// Region is a polygon or multipolygon with per-part bounds for fast
// rejection. Containment follows orb/planar on each part (inside the outer
// ring and outside its holes); a point is in the region when it is in any
// part, so nested shells of an invalid published geometry count as inside.
type Region struct {
	parts []part
	bound orb.Bound
}

type part struct {
	poly  orb.Polygon
	bound orb.Bound
	area  float64 // bounding-box area in degrees²: picking parts by it, then rejecting, is uniform over the region
}

// NewRegion wraps a Polygon or MultiPolygon; other geometry types give an empty region.
func NewRegion(g orb.Geometry) *Region {
	var polys []orb.Polygon
	switch t := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{t}
	case orb.MultiPolygon:
		polys = t
	}
	r := &Region{}
	first := true
	for _, p := range polys {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		b := p.Bound()
		r.parts = append(r.parts, part{poly: p, bound: b, area: (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1])})
		if first {
			r.bound, first = b, false
		} else {
			r.bound = r.bound.Union(b)
		}
	}
	return r
}

// Bound is the region's bounding box.
func (r *Region) Bound() orb.Bound { return r.bound }

// Empty reports whether the region has no usable part.
func (r *Region) Empty() bool { return len(r.parts) == 0 }

// Contains reports whether p lies in the region.
func (r *Region) Contains(p orb.Point) bool {
	if len(r.parts) == 0 || !r.bound.Contains(p) {
		return false
	}
	for i := range r.parts {
		pt := &r.parts[i]
		if pt.bound.Contains(p) && planar.PolygonContains(pt.poly, p) {
			return true
		}
	}
	return false
}

// OuterRings returns the outer ring of every part (for edge walks).
func (r *Region) OuterRings() []orb.Ring {
	out := make([]orb.Ring, 0, len(r.parts))
	for _, p := range r.parts {
		out = append(out, p.poly[0])
	}
	return out
}

// Near draws a point around center with a circular Gaussian of sigmaKm per
// axis, rounded to 6 decimals, until it falls inside r; it gives up after
// tries draws and reports false.
func Near(rng *rand.Rand, r *Region, center orb.Point, sigmaKm float64, tries int) (orb.Point, bool) {
	sx := sigmaKm / KmX(center[1])
	sy := sigmaKm / KmPerDegLat
	for range tries {
		p := Round6(orb.Point{center[0] + rng.NormFloat64()*sx, center[1] + rng.NormFloat64()*sy})
		if r.Contains(p) {
			return p, true
		}
	}
	return orb.Point{}, false
}

// Uniform draws a point uniformly over the region's area (a part chosen by
// its bounding-box area, a point in that box, rejection outside the part);
// false after tries draws.
func Uniform(rng *rand.Rand, r *Region, tries int) (orb.Point, bool) {
	if len(r.parts) == 0 {
		return orb.Point{}, false
	}
	w := make([]float64, len(r.parts))
	for i, p := range r.parts {
		w[i] = p.area
	}
	pick := NewPicker(w)
	for range tries {
		pt := &r.parts[pick.Pick(rng)]
		b := pt.bound
		p := Round6(orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])})
		if planar.PolygonContains(pt.poly, p) {
			return p, true
		}
	}
	return orb.Point{}, false
}

// Index locates points among many regions with a regular grid of part
// bounds. Regions keep their slice position as their id.
type Index struct {
	regions    []*Region
	cell       float64
	minX, minY float64
	nx, ny     int
	grid       [][][2]int32 // (region, part) per cell
}

// NewIndex builds a grid over the regions' parts; cell is in degrees.
func NewIndex(regions []*Region, cell float64) *Index {
	ix := &Index{regions: regions, cell: cell}
	first := true
	var all orb.Bound
	for _, r := range regions {
		if r.Empty() {
			continue
		}
		if first {
			all, first = r.bound, false
		} else {
			all = all.Union(r.bound)
		}
	}
	if first {
		return ix
	}
	ix.minX, ix.minY = all.Min[0], all.Min[1]
	ix.nx = int((all.Max[0]-all.Min[0])/cell) + 1
	ix.ny = int((all.Max[1]-all.Min[1])/cell) + 1
	ix.grid = make([][][2]int32, ix.nx*ix.ny)
	for ri, r := range regions {
		for pi, p := range r.parts {
			x0, y0 := ix.cellOf(p.bound.Min)
			x1, y1 := ix.cellOf(p.bound.Max)
			for y := y0; y <= y1; y++ {
				for x := x0; x <= x1; x++ {
					ix.grid[y*ix.nx+x] = append(ix.grid[y*ix.nx+x], [2]int32{int32(ri), int32(pi)})
				}
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

// Locate returns the lowest region id whose polygon contains p, or -1.
// Published neighbours overlap slightly; the lowest id wins so the answer is
// deterministic.
func (ix *Index) Locate(p orb.Point) int {
	if ix.nx == 0 {
		return -1
	}
	x := int(math.Floor((p[0] - ix.minX) / ix.cell))
	y := int(math.Floor((p[1] - ix.minY) / ix.cell))
	if x < 0 || y < 0 || x >= ix.nx || y >= ix.ny {
		return -1
	}
	best := -1
	for _, rp := range ix.grid[y*ix.nx+x] {
		ri := int(rp[0])
		if best >= 0 && ri >= best {
			continue
		}
		pt := &ix.regions[ri].parts[rp[1]]
		if pt.bound.Contains(p) && planar.PolygonContains(pt.poly, p) {
			best = ri
		}
	}
	return best
}

// Points is a grid index of points for nearest-neighbour queries.
type Points struct {
	pts        []orb.Point
	cell       float64
	minX, minY float64
	nx, ny     int
	grid       [][]int32
}

// NewPoints indexes pts with a grid of cell degrees.
func NewPoints(pts []orb.Point, cell float64) *Points {
	ix := &Points{pts: pts, cell: cell}
	if len(pts) == 0 {
		return ix
	}
	b := orb.MultiPoint(pts).Bound()
	ix.minX, ix.minY = b.Min[0], b.Min[1]
	ix.nx = int((b.Max[0]-b.Min[0])/cell) + 1
	ix.ny = int((b.Max[1]-b.Min[1])/cell) + 1
	ix.grid = make([][]int32, ix.nx*ix.ny)
	for i, p := range pts {
		x, y := ix.cellOf(p)
		ix.grid[y*ix.nx+x] = append(ix.grid[y*ix.nx+x], int32(i))
	}
	return ix
}

func (ix *Points) cellOf(p orb.Point) (int, int) {
	x := int((p[0] - ix.minX) / ix.cell)
	y := int((p[1] - ix.minY) / ix.cell)
	return min(max(x, 0), ix.nx-1), min(max(y, 0), ix.ny-1)
}

// Nearest returns the index of the point nearest to q (lowest index on ties)
// and its distance in km; -1 and +Inf when the index is empty.
func (ix *Points) Nearest(q orb.Point) (int, float64) {
	if len(ix.pts) == 0 {
		return -1, math.Inf(1)
	}
	cx, cy := ix.cellOf(q)
	best, bestKm := -1, math.Inf(1)
	// The minimum km per cell step bounds how far ring r can be; stop once
	// the nearest possible point of the next ring is farther than the best.
	step := ix.cell * math.Min(KmPerDegLat, KmX(math.Min(math.Abs(q[1])+ix.cell, 89)))
	maxR := max(ix.nx, ix.ny)
	visit := func(x, y int) {
		if x < 0 || y < 0 || x >= ix.nx || y >= ix.ny {
			return
		}
		for _, i := range ix.grid[y*ix.nx+x] {
			d := DistKm(q, ix.pts[i])
			if d < bestKm || (d == bestKm && int(i) < best) {
				best, bestKm = int(i), d
			}
		}
	}
	for r := 0; r <= maxR; r++ {
		if best >= 0 && float64(r-1)*step > bestKm {
			break
		}
		if r == 0 {
			visit(cx, cy)
			continue
		}
		// Only the ring's perimeter: top and bottom rows, then the sides.
		for x := cx - r; x <= cx+r; x++ {
			visit(x, cy-r)
			visit(x, cy+r)
		}
		for y := cy - r + 1; y <= cy+r-1; y++ {
			visit(cx-r, y)
			visit(cx+r, y)
		}
	}
	return best, bestKm
}

// Picker draws indexes with probability proportional to non-negative weights.
type Picker struct{ cum []float64 }

// NewPicker builds a picker; all-zero weights pick uniformly.
func NewPicker(w []float64) *Picker {
	cum := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		if x > 0 && !math.IsInf(x, 0) {
			s += x
		}
		cum[i] = s
	}
	if s == 0 {
		for i := range cum {
			cum[i] = float64(i + 1)
		}
	}
	return &Picker{cum: cum}
}

// Len is the number of weights.
func (p *Picker) Len() int { return len(p.cum) }

// Total is the sum of the weights.
func (p *Picker) Total() float64 {
	if len(p.cum) == 0 {
		return 0
	}
	return p.cum[len(p.cum)-1]
}

// Pick draws one index; it panics on an empty picker (a programming error).
func (p *Picker) Pick(rng *rand.Rand) int {
	u := rng.Float64() * p.cum[len(p.cum)-1]
	i := sort.SearchFloat64s(p.cum, u)
	// SearchFloat64s finds the first cum >= u; skip zero-weight entries equal to u.
	for i < len(p.cum)-1 && p.cum[i] <= u {
		i++
	}
	return i
}

// Allocate splits total into integer shares proportional to the weights by
// the largest-remainder method (ties to the lower index), so the shares sum
// exactly to total and do not depend on random draws.
func Allocate(total int, w []float64) []int {
	out := make([]int, len(w))
	s := 0.0
	for _, x := range w {
		if x > 0 {
			s += x
		}
	}
	if total <= 0 || s == 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, 0, len(w))
	given := 0
	for i, x := range w {
		if x <= 0 {
			continue
		}
		q := float64(total) * x / s
		out[i] = int(math.Floor(q))
		given += out[i]
		rems = append(rems, rem{i, q - math.Floor(q)})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < total; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}

// Poisson draws a Poisson variate: Knuth's product method below 30, a
// rounded normal approximation above (accurate enough for synthetic counts).
func Poisson(rng *rand.Rand, lambda float64) int {
	switch {
	case lambda <= 0:
		return 0
	case lambda < 30:
		l, k, p := math.Exp(-lambda), 0, 1.0
		for {
			p *= rng.Float64()
			if p <= l {
				return k
			}
			k++
		}
	default:
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64())))
	}
}

// Field is a smooth, zero-mean, unit-variance random surface: iid normals on
// a lattice, Gaussian-blurred and bilinearly interpolated. It stands in for
// the unobserved, spatially correlated part of a latent process.
type Field struct {
	minX, minY, cell float64
	nx, ny           int
	v                []float64
}

// NewField draws a field over b with lattice spacing cell (degrees) and blur
// standard deviation scaleKm.
func NewField(rng *rand.Rand, b orb.Bound, cell, scaleKm float64) *Field {
	f := &Field{minX: b.Min[0], minY: b.Min[1], cell: cell}
	f.nx = int((b.Max[0]-b.Min[0])/cell) + 2
	f.ny = int((b.Max[1]-b.Min[1])/cell) + 2
	raw := make([]float64, f.nx*f.ny)
	for i := range raw {
		raw[i] = rng.NormFloat64()
	}
	sigma := scaleKm / (cell * KmPerDegLat) // in lattice steps (near the equator)
	rad := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*rad+1)
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
	}
	blur := func(src []float64, horizontal bool) []float64 {
		dst := make([]float64, len(src))
		for y := 0; y < f.ny; y++ {
			for x := 0; x < f.nx; x++ {
				s := 0.0
				for i, kw := range k {
					xx, yy := x, y
					if horizontal {
						xx = x + i - rad
					} else {
						yy = y + i - rad
					}
					// Reflect at the edges so the border keeps its variance.
					xx = reflect(xx, f.nx)
					yy = reflect(yy, f.ny)
					s += kw * src[yy*f.nx+xx]
				}
				dst[y*f.nx+x] = s
			}
		}
		return dst
	}
	v := blur(blur(raw, true), false)
	mean, sq := 0.0, 0.0
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sq += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(sq / float64(len(v)))
	for i := range v {
		v[i] = (v[i] - mean) / sd
	}
	f.v = v
	return f
}

func reflect(i, n int) int {
	for i < 0 || i >= n {
		if i < 0 {
			i = -i - 1
		}
		if i >= n {
			i = 2*n - i - 1
		}
	}
	return i
}

// At interpolates the field at p (clamped to the lattice).
func (f *Field) At(p orb.Point) float64 {
	fx := math.Min(math.Max((p[0]-f.minX)/f.cell, 0), float64(f.nx-1)-1e-9)
	fy := math.Min(math.Max((p[1]-f.minY)/f.cell, 0), float64(f.ny-1)-1e-9)
	x0, y0 := int(fx), int(fy)
	tx, ty := fx-float64(x0), fy-float64(y0)
	x1, y1 := min(x0+1, f.nx-1), min(y0+1, f.ny-1)
	a := f.v[y0*f.nx+x0]*(1-tx) + f.v[y0*f.nx+x1]*tx
	b := f.v[y1*f.nx+x0]*(1-tx) + f.v[y1*f.nx+x1]*tx
	return a*(1-ty) + b*ty
}
