// Package hexgrid builds the H3 analysis grid of the risk engine: the cells
// covering a set of polygons (kabupaten) at one resolution plus a coastal band,
// each cell assigned to one polygon's code, with neighbour lists (k-rings),
// ring-distance spreading of point sources, and parent aggregation.
//
// Pure computation (h3-go, orb); no database.
package hexgrid

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// Part is one polygon of an area (a kabupaten may have thousands of islands).
type Part struct {
	Code    string
	Polygon orb.Polygon // lon/lat, outer ring first
}

// Grid is a fixed set of cells at one resolution. Cells are sorted by index so
// that every run of the same inputs yields the same order.
type Grid struct {
	Res   int
	Cells []h3.Cell
	// Area holds each cell's index into Codes (its kabupaten).
	Area  []int32
	Codes []string
	// Band marks cells added by the coastal band (their centre is at sea).
	Band  []bool
	index map[h3.Cell]int32
}

// CSR is a compressed neighbour list: the neighbours of cell i are
// Nbr[Off[i]:Off[i+1]] (indices into the grid, the cell itself included).
type CSR struct {
	Off []int32
	Nbr []int32
}

// Of returns the neighbours of i.
func (c CSR) Of(i int) []int32 { return c.Nbr[c.Off[i]:c.Off[i+1]] }

// Len is the number of cells.
func (c CSR) Len() int { return len(c.Off) - 1 }

// Spacing is the average distance in km between the centres of neighbouring
// cells at res (sqrt(3) times the average edge length).
func Spacing(res int) float64 {
	return h3.HexagonEdgeLengthAvgKm(res) * math.Sqrt(3)
}

// Rings converts a radius in km to a k-ring count at res: the rings whose
// centres lie within the radius, rounded, at least 0 (the cell itself).
func Rings(res int, km float64) int {
	if km <= 0 {
		return 0
	}
	return int(math.Round(km / Spacing(res)))
}

// Cover returns the cells whose centre lies in one of the parts, plus the cells
// containing any vertex of a part (so that islands smaller than a cell are not
// lost), plus a band of bandKm around them (the sea next to the coast, where
// ports, jetties and landing points sit). A cell claimed by several parts goes
// to the part containing its centre, else to the first part touching it; band
// cells go to the nearest covered cell's code (ties: lowest cell index).
func Cover(parts []Part, res int, bandKm float64) (*Grid, error) {
	if res < 0 || res > 15 {
		return nil, fmt.Errorf("hexgrid: resolution %d out of range", res)
	}
	// Each part's cells are found on every core (PolygonToCells is most of
	// the work: 3 s of C for Indonesia's 514 kabupaten at resolution 7), then
	// claimed in part order, so the result does not depend on the schedule.
	inside := make([][]h3.Cell, len(parts))
	verts := make([][]h3.Cell, len(parts))
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(parts) {
					return
				}
				p := parts[i]
				if len(p.Polygon) == 0 || len(p.Polygon[0]) < 3 {
					continue
				}
				gp := h3.GeoPolygon{GeoLoop: loop(p.Polygon[0])}
				for _, hole := range p.Polygon[1:] {
					gp.Holes = append(gp.Holes, loop(hole))
				}
				inside[i] = h3.PolygonToCells(gp, res)
				for _, ring := range p.Polygon {
					for _, pt := range ring {
						verts[i] = append(verts[i], h3.LatLngToCell(h3.NewLatLng(pt[1], pt[0]), res))
					}
				}
			}
		}()
	}
	wg.Wait()
	codeIx := map[string]int32{}
	var codes []string
	centre := map[h3.Cell]int32{}
	touch := map[h3.Cell]int32{}
	for i, p := range parts {
		if len(p.Polygon) == 0 || len(p.Polygon[0]) < 3 {
			continue
		}
		ci, ok := codeIx[p.Code]
		if !ok {
			ci = int32(len(codes))
			codeIx[p.Code] = ci
			codes = append(codes, p.Code)
		}
		for _, c := range inside[i] {
			if _, dup := centre[c]; !dup {
				centre[c] = ci
			}
		}
		for _, c := range verts[i] {
			if _, dup := touch[c]; !dup {
				touch[c] = ci
			}
		}
	}
	for c, ci := range touch {
		if _, ok := centre[c]; !ok {
			centre[c] = ci
		}
	}
	land := make([]h3.Cell, 0, len(centre))
	for c := range centre {
		land = append(land, c)
	}
	sortCells(land)

	// Coastal band: cells within k rings of a covered cell that are not
	// covered themselves; nearest covered cell wins (ring distance, then the
	// lowest land cell index since land is visited in order).
	k := Rings(res, bandKm)
	type claim struct {
		d    int
		area int32
	}
	band := map[h3.Cell]claim{}
	if k > 0 {
		for _, c := range land {
			for d, ring := range h3.GridDiskDistances(c, k) {
				if d == 0 {
					continue
				}
				for _, n := range ring {
					if _, isLand := centre[n]; isLand {
						continue
					}
					if cl, ok := band[n]; !ok || d < cl.d {
						band[n] = claim{d, centre[c]}
					}
				}
			}
		}
	}
	all := make([]h3.Cell, 0, len(land)+len(band))
	all = append(all, land...)
	for c := range band {
		all = append(all, c)
	}
	sortCells(all)
	g := &Grid{Res: res, Cells: all, Area: make([]int32, len(all)), Codes: codes, Band: make([]bool, len(all)),
		index: make(map[h3.Cell]int32, len(all))}
	for i, c := range all {
		g.index[c] = int32(i)
		if a, ok := centre[c]; ok {
			g.Area[i] = a
		} else {
			g.Area[i] = band[c].area
			g.Band[i] = true
		}
	}
	return g, nil
}

// Restore rebuilds a grid that Cover made earlier from its exported fields
// (the risk engine caches the national grid: covering 514 kabupaten takes
// seconds, reading it back milliseconds). The cells must be sorted and
// distinct, at res, with one area index into codes and one band flag each.
func Restore(res int, cells []h3.Cell, area []int32, codes []string, band []bool) (*Grid, error) {
	if len(area) != len(cells) || len(band) != len(cells) {
		return nil, fmt.Errorf("hexgrid: restore: %d cells, %d areas, %d band flags", len(cells), len(area), len(band))
	}
	g := &Grid{Res: res, Cells: cells, Area: area, Codes: codes, Band: band, index: make(map[h3.Cell]int32, len(cells))}
	for i, c := range cells {
		if i > 0 && c <= cells[i-1] {
			return nil, fmt.Errorf("hexgrid: restore: cells not sorted and distinct at %d", i)
		}
		if !c.IsValid() || c.Resolution() != res {
			return nil, fmt.Errorf("hexgrid: restore: cell %d (%x) is not a valid cell at resolution %d", i, uint64(c), res)
		}
		if area[i] < 0 || int(area[i]) >= len(codes) {
			return nil, fmt.Errorf("hexgrid: restore: cell %d has area %d of %d", i, area[i], len(codes))
		}
		g.index[c] = int32(i)
	}
	return g, nil
}

// FromCells builds a grid from explicit cells and their area codes (tests,
// and parent grids).
func FromCells(res int, cells []h3.Cell, codes []string) (*Grid, error) {
	if len(cells) != len(codes) {
		return nil, fmt.Errorf("hexgrid: %d cells but %d codes", len(cells), len(codes))
	}
	type pair struct {
		c    h3.Cell
		code string
	}
	ps := make([]pair, len(cells))
	for i := range cells {
		if cells[i].Resolution() != res {
			return nil, fmt.Errorf("hexgrid: cell %s is not at resolution %d", cells[i], res)
		}
		ps[i] = pair{cells[i], codes[i]}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].c < ps[j].c })
	g := &Grid{Res: res, index: make(map[h3.Cell]int32, len(ps))}
	codeIx := map[string]int32{}
	for _, p := range ps {
		if _, dup := g.index[p.c]; dup {
			return nil, fmt.Errorf("hexgrid: cell %s listed twice", p.c)
		}
		ci, ok := codeIx[p.code]
		if !ok {
			ci = int32(len(g.Codes))
			codeIx[p.code] = ci
			g.Codes = append(g.Codes, p.code)
		}
		g.index[p.c] = int32(len(g.Cells))
		g.Cells = append(g.Cells, p.c)
		g.Area = append(g.Area, ci)
		g.Band = append(g.Band, false)
	}
	return g, nil
}

// Len is the number of cells.
func (g *Grid) Len() int { return len(g.Cells) }

// Lookup finds a cell's index.
func (g *Grid) Lookup(c h3.Cell) (int, bool) {
	i, ok := g.index[c]
	return int(i), ok
}

// Locate maps a cell of any resolution at least the grid's to the grid cell
// containing it (its parent at the grid resolution).
func (g *Grid) Locate(c h3.Cell) (int, bool) {
	p, ok := ParentAt(c, g.Res)
	if !ok {
		return 0, false
	}
	return g.Lookup(p)
}

// ParentAt is c's ancestor at res (c itself at its own resolution), false
// when c is not a cell index or is coarser than res. It works on the index
// bits (H3's documented layout: mode in bits 59-62, resolution in 52-55, then
// one 3-bit digit per resolution with unused digits all ones) instead of
// calling into the C library: the risk engine maps a million points a run to
// their analysis cells, and three cgo calls a point cost more than the rest
// of the work. Deeper validity (base cell, digits) is the importer's job,
// which derived every stored index from a coordinate with H3 itself.
func ParentAt(c h3.Cell, res int) (h3.Cell, bool) {
	v := uint64(c)
	if v>>63 != 0 || v>>59&0xF != 1 || res < 0 || res > 15 {
		return 0, false
	}
	r := int(v >> 52 & 0xF)
	if r < res {
		return 0, false
	}
	v = v&^(0xF<<52) | uint64(res)<<52
	v |= 1<<(3*(15-res)) - 1 // digits res+1..15 unused: all ones
	return h3.Cell(v), true
}

// Code is the area code of cell i.
func (g *Grid) Code(i int) string { return g.Codes[g.Area[i]] }

// Neighbours lists, for every cell, the grid cells within k rings including
// itself (binary k-ring weights). Cells outside the grid are left out.
func (g *Grid) Neighbours(k int) CSR {
	off := make([]int32, 1, len(g.Cells)+1)
	nbr := make([]int32, 0, len(g.Cells)*(3*k*(k+1)+1))
	for _, c := range g.Cells {
		disk := h3.GridDisk(c, k)
		start := len(nbr)
		for _, n := range disk {
			if j, ok := g.index[n]; ok {
				nbr = append(nbr, j)
			}
		}
		slices.Sort(nbr[start:]) // sorted: the lag sums then read x in memory order
		off = append(off, int32(len(nbr)))
	}
	return CSR{Off: off, Nbr: nbr}
}

// Source is a point source located by its H3 cell (any resolution at least the
// grid's; finer cells are mapped to their parent).
type Source struct {
	Cell   h3.Cell
	Weight float64
}

// Spread adds each source's weight times kernel(ring distance) to every grid
// cell within k rings of the source's cell. The source cell itself need not be
// in the grid (an offshore port still reaches the coast). kernel(d) for d in
// 0..k; nil means 1.
func (g *Grid) Spread(src []Source, k int, kernel func(d int) float64) []float64 {
	return g.NewSpreader().Spread(src, k, kernel)
}

// Within returns 1 for cells within k rings of any source, else 0.
func (g *Grid) Within(src []Source, k int) []float64 {
	return g.NewSpreader().Within(src, k)
}

// Spreader spreads point sources over a grid like Grid.Spread and
// Grid.Within, remembering for each source cell and ring count which grid
// cells it reaches. The risk engine spreads the same layers (residents,
// hotels, desa binaan) for 13 periods, mostly from the same cells; finding a
// cell's disk is a cgo call and a map lookup per neighbour, so each disk is
// found once instead of once a period. Not safe for concurrent use: one per
// goroutine.
type Spreader struct {
	g     *Grid
	disks map[int]*diskMemo
}

// diskMemo holds, per source cell, its reach: the grid indices within k rings
// in ring order, ring d at idx[off+ring[d] : off+ring[d+1]].
type diskMemo struct {
	at    map[h3.Cell]int32 // source cell -> entry
	off   []int32           // entry -> start in idx
	rings []int32           // entry*(k+2) .. : ring starts relative to off, then the end
	idx   []int32
}

// NewSpreader returns a spreader over g.
func (g *Grid) NewSpreader() *Spreader {
	return &Spreader{g: g, disks: map[int]*diskMemo{}}
}

// reach returns the grid indices within k rings of c, and ring boundaries
// (ring d is nbr[rings[d]:rings[d+1]]).
func (s *Spreader) reach(c h3.Cell, k int) (nbr []int32, rings []int32) {
	m := s.disks[k]
	if m == nil {
		m = &diskMemo{at: map[h3.Cell]int32{}}
		s.disks[k] = m
	}
	e, ok := m.at[c]
	if !ok {
		e = int32(len(m.off))
		m.at[c] = e
		start := int32(len(m.idx))
		m.off = append(m.off, start)
		for _, ring := range h3.GridDiskDistances(c, k) {
			m.rings = append(m.rings, int32(len(m.idx))-start)
			for _, n := range ring {
				if j, ok := s.g.index[n]; ok {
					m.idx = append(m.idx, j)
				}
			}
		}
		m.rings = append(m.rings, int32(len(m.idx))-start)
	}
	start := m.off[e]
	end := int32(len(m.idx))
	if int(e)+1 < len(m.off) {
		end = m.off[e+1]
	}
	return m.idx[start:end], m.rings[int(e)*(k+2) : int(e+1)*(k+2)]
}

// Spread is Grid.Spread, memoised.
func (s *Spreader) Spread(src []Source, k int, kernel func(d int) float64) []float64 {
	out := make([]float64, len(s.g.Cells))
	for _, sc := range aggregate(src, s.g.Res) {
		nbr, rings := s.reach(sc.Cell, k)
		if kernel == nil {
			for _, j := range nbr {
				out[j] += sc.Weight
			}
			continue
		}
		for d := 0; d <= k; d++ {
			w := sc.Weight * kernel(d)
			if w == 0 {
				continue
			}
			for _, j := range nbr[rings[d]:rings[d+1]] {
				out[j] += w
			}
		}
	}
	return out
}

// Within is Grid.Within, memoised.
func (s *Spreader) Within(src []Source, k int) []float64 {
	out := make([]float64, len(s.g.Cells))
	for _, sc := range aggregate(src, s.g.Res) {
		nbr, _ := s.reach(sc.Cell, k)
		for _, j := range nbr {
			out[j] = 1
		}
	}
	return out
}

// aggregate maps sources to the resolution and sums weights per cell, sorted
// by cell so that floating-point sums are reproducible.
func aggregate(src []Source, res int) []Source {
	if sortedAt(src, res) {
		return src // already one source per cell in order: the risk engine's layers
	}
	m := map[h3.Cell]float64{}
	for _, s := range src {
		c, ok := ParentAt(s.Cell, res)
		if !ok {
			continue
		}
		m[c] += s.Weight
	}
	out := make([]Source, 0, len(m))
	for c, w := range m {
		out = append(out, Source{c, w})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cell < out[j].Cell })
	return out
}

// sortedAt reports whether src is strictly ascending by cell, every index in
// cell mode and at res, so that aggregating it would change nothing. It reads
// the index bits itself: h3-go's IsValid and Resolution are cgo calls, which
// on millions of sources cost more than the aggregation they would save.
func sortedAt(src []Source, res int) bool {
	for i, s := range src {
		if i > 0 && s.Cell <= src[i-1].Cell {
			return false
		}
		v := uint64(s.Cell)
		if v>>59&0xF != 1 || int(v>>52&0xF) != res { // mode 1 = cell; bits 52-55 = resolution
			return false
		}
	}
	return true
}

// Parents returns the distinct parent cells at res (sorted) and, for every
// grid cell, the index of its parent.
func (g *Grid) Parents(res int) ([]h3.Cell, []int32, error) {
	if res > g.Res || res < 0 {
		return nil, nil, fmt.Errorf("hexgrid: parent resolution %d not coarser than %d", res, g.Res)
	}
	ps := make([]h3.Cell, len(g.Cells))
	uniq := map[h3.Cell]struct{}{}
	for i, c := range g.Cells {
		p, _ := ParentAt(c, res) // grid cells are valid and at g.Res >= res
		ps[i] = p
		uniq[p] = struct{}{}
	}
	parents := make([]h3.Cell, 0, len(uniq))
	for p := range uniq {
		parents = append(parents, p)
	}
	sortCells(parents)
	ix := make(map[h3.Cell]int32, len(parents))
	for i, p := range parents {
		ix[p] = int32(i)
	}
	child := make([]int32, len(g.Cells))
	for i, p := range ps {
		child[i] = ix[p]
	}
	return parents, child, nil
}

// CellAreaKm2 returns each cell's exact area.
func (g *Grid) CellAreaKm2() []float64 {
	out := make([]float64, len(g.Cells))
	for i, c := range g.Cells {
		out[i] = h3.CellAreaKm2(c)
	}
	return out
}

func sortCells(c []h3.Cell) { sort.Slice(c, func(i, j int) bool { return c[i] < c[j] }) }

func loop(r orb.Ring) h3.GeoLoop {
	out := make(h3.GeoLoop, 0, len(r))
	for i, p := range r {
		if i == len(r)-1 && len(r) > 1 && p == r[0] {
			break // H3 loops are implicitly closed
		}
		out = append(out, h3.NewLatLng(p[1], p[0]))
	}
	return out
}
