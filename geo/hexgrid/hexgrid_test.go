package hexgrid

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"
)

func square(lon, lat, half float64) orb.Polygon {
	return orb.Polygon{{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}, {lon - half, lat - half}}}
}

func TestCover(t *testing.T) {
	big := square(110, -7, 0.2)     // about 44 × 44 km
	islet := square(111, -7, 0.001) // 200 m across: no res-7 cell centre inside
	west := square(109.7, -7, 0.1)  // touches big's west edge (lon 109.8)
	parts := []Part{{"A", big}, {"B", islet}, {"C", west}}
	g, err := Cover(parts, 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() == 0 {
		t.Fatal("no cells")
	}
	var land, band int
	for i, c := range g.Cells {
		ll := c.LatLng()
		pt := orb.Point{ll.Lng, ll.Lat}
		inA := planar.PolygonContains(big, pt)
		inC := planar.PolygonContains(west, pt)
		switch {
		case inA && g.Code(i) != "A":
			t.Errorf("cell %s has its centre in A but is assigned to %s", c, g.Code(i))
		case inC && g.Code(i) != "C":
			t.Errorf("cell %s has its centre in C but is assigned to %s", c, g.Code(i))
		case (inA || inC) && g.Band[i]:
			t.Errorf("land cell %s marked as band", c)
		}
		if g.Band[i] {
			band++
		} else {
			land++
		}
		if j, ok := g.Lookup(c); !ok || j != i {
			t.Fatalf("lookup of %s = %d,%v", c, j, ok)
		}
		if i > 0 && g.Cells[i-1] >= c {
			t.Fatal("cells not sorted")
		}
	}
	// The islet has no cell centre, but its vertex cell is kept and assigned to B.
	ic := h3.LatLngToCell(h3.NewLatLng(-7, 111), 7)
	if i, ok := g.Lookup(ic); !ok || g.Code(i) != "B" {
		t.Errorf("islet cell missing or not B")
	}
	// Area check: land cells cover the squares (12,000 km² for big + west ≈ 2,470 + 490 km²).
	areaKm2 := float64(land) * h3.HexagonAreaAvgKm2(7)
	if areaKm2 < 2400 || areaKm2 > 3400 {
		t.Errorf("land cells cover %.0f km², want about 2,960", areaKm2)
	}
	// A 3 km band at res 7 is one ring: a cell just outside big's east edge is band, assigned to A.
	east := h3.LatLngToCell(h3.NewLatLng(-7, 110.2+0.02), 7)
	if i, ok := g.Lookup(east); !ok || !g.Band[i] || g.Code(i) != "A" {
		t.Errorf("east band cell: ok=%v", ok)
	}
	far := h3.LatLngToCell(h3.NewLatLng(-7, 110.4), 7)
	if _, ok := g.Lookup(far); ok {
		t.Error("a cell 20 km offshore is in the grid")
	}
	t.Logf("%d land cells, %d band cells", land, band)

	if _, err := Cover(parts, 16, 0); err == nil {
		t.Error("resolution 16: want an error")
	}
}

func TestNeighboursSpreadWithinParents(t *testing.T) {
	o := h3.LatLngToCell(h3.NewLatLng(-6.9, 107.6), 7)
	disk := o.GridDisk(4)
	codes := make([]string, len(disk))
	for i := range codes {
		codes[i] = "32.73"
	}
	g, err := FromCells(7, disk, codes)
	if err != nil {
		t.Fatal(err)
	}
	nb := g.Neighbours(1)
	for i, c := range g.Cells {
		want := 7
		if h3.GridDistance(c, o) == 4 {
			want = 0 // edge cells: fewer; counted below
		}
		got := len(nb.Of(i))
		if want == 7 && got != 7 {
			t.Errorf("interior cell %s has %d neighbours (incl. self), want 7", c, got)
		}
		if want == 0 && (got < 4 || got > 5) {
			t.Errorf("edge cell %s has %d neighbours (incl. self), want 4 or 5", c, got)
		}
	}
	// Spread: one source of weight 3 with a kernel 1, 0.5 reaches 1 + 6 cells.
	src := []Source{{Cell: o.Children(9)[0], Weight: 2}, {Cell: o, Weight: 1}}
	s := g.Spread(src, 1, func(d int) float64 { return []float64{1, 0.5}[d] })
	var total float64
	for _, v := range s {
		total += v
	}
	if i, _ := g.Lookup(o); s[i] != 3 || math.Abs(total-(3+6*1.5)) > 1e-12 {
		t.Errorf("spread: centre %v total %v", s[i], total)
	}
	w := g.Within(src, 2)
	var n int
	for _, v := range w {
		n += int(v)
	}
	if n != 19 {
		t.Errorf("within 2 rings: %d cells, want 19", n)
	}
	ps, child, err := g.Parents(6)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range g.Cells {
		if ps[child[i]] != c.Parent(6) {
			t.Fatalf("cell %s mapped to parent %s", c, ps[child[i]])
		}
	}
	if _, _, err := g.Parents(8); err == nil {
		t.Error("finer parent: want an error")
	}
	if _, err := FromCells(7, []h3.Cell{o, o}, []string{"a", "a"}); err == nil {
		t.Error("duplicate cell: want an error")
	}
}

func TestRings(t *testing.T) {
	tests := []struct {
		res  int
		km   float64
		want int
	}{
		{7, 0, 0}, {7, 1, 0}, {7, 2.2, 1}, {7, 5, 2}, {5, 5, 0}, {9, 5, 17},
	}
	for _, tc := range tests {
		if got := Rings(tc.res, tc.km); got != tc.want {
			t.Errorf("Rings(%d, %v) = %d, want %d (spacing %.2f km)", tc.res, tc.km, got, tc.want, Spacing(tc.res))
		}
	}
}

func TestRestore(t *testing.T) {
	g, err := Cover([]Part{{"A", square(110, -7, 0.1)}, {"B", square(110.3, -7, 0.1)}}, 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Restore(g.Res, g.Cells, g.Area, g.Codes, g.Band)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range g.Cells {
		if j, ok := r.Lookup(c); !ok || j != i || r.Code(i) != g.Code(i) || r.Band[i] != g.Band[i] {
			t.Fatalf("cell %d: restored as %d (%v), %s/%s", i, j, ok, r.Code(i), g.Code(i))
		}
	}
	swapped := append([]h3.Cell(nil), g.Cells...)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	bad := []struct {
		name  string
		cells []h3.Cell
		area  []int32
		band  []bool
		res   int
	}{
		{"lengths differ", g.Cells, g.Area[1:], g.Band, 7},
		{"unsorted", swapped, g.Area, g.Band, 7},
		{"wrong resolution", g.Cells, g.Area, g.Band, 8},
		{"area out of range", g.Cells, append([]int32{5}, g.Area[1:]...), g.Band, 7},
	}
	for _, b := range bad {
		if _, err := Restore(b.res, b.cells, b.area, g.Codes, b.band); err == nil {
			t.Errorf("%s: restored", b.name)
		}
	}
}

func TestParentAt(t *testing.T) {
	// Cells around Indonesia and one near a pentagon (base cell 4's centre),
	// at every resolution, against the C library's cellToParent.
	var cells []h3.Cell
	for _, ll := range []h3.LatLng{h3.NewLatLng(-6.2, 106.8), h3.NewLatLng(3.6, 98.7), h3.NewLatLng(-8.6, 116.1), h3.NewLatLng(64.7, 10.5)} {
		for r := 0; r <= 15; r++ {
			cells = append(cells, h3.LatLngToCell(ll, r))
		}
	}
	for _, c := range cells {
		for r := 0; r <= 15; r++ {
			got, ok := ParentAt(c, r)
			if r > c.Resolution() {
				if ok {
					t.Errorf("ParentAt(%s at res %d, %d) = %s, want false", c, c.Resolution(), r, got)
				}
				continue
			}
			if want := c.Parent(r); !ok || got != want {
				t.Errorf("ParentAt(%s, %d) = %s %v, want %s", c, r, got, ok, want)
			}
		}
	}
	for _, tc := range []struct {
		name string
		v    uint64
	}{
		{"zero", 0},
		{"edge mode", uint64(cells[7])&^(0xF<<59) | 2<<59},
		{"high bit", uint64(cells[7]) | 1<<63},
	} {
		if _, ok := ParentAt(h3.Cell(tc.v), 3); ok {
			t.Errorf("%s: ParentAt accepted %x", tc.name, tc.v)
		}
	}
}

// A spreader reused across calls (the engine's periods) must give what a
// fresh one gives, for new and remembered source cells, with and without a
// kernel, for every k it has seen.
func TestSpreaderReuse(t *testing.T) {
	g, err := Cover([]Part{{"A", square(110, -7, 0.15)}}, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	c0 := h3.LatLngToCell(h3.NewLatLng(-7, 110), 9)
	c1 := h3.LatLngToCell(h3.NewLatLng(-6.95, 110.05), 8)
	far := h3.LatLngToCell(h3.NewLatLng(-7, 110.17), 7) // just outside the grid: still reaches it
	if _, in := g.Locate(far); in {
		t.Fatal("fixture: far is inside the grid")
	}
	kernel := func(d int) float64 { return 1 / float64(d+1) }
	sp := g.NewSpreader()
	reached := false
	for round, src := range [][]Source{
		{{c0, 3}, {c1, 1}, {far, 1}}, // every disk remembered, in cell order
		{{c0, 2}},                    // a remembered disk that is not the last one
		{{c1, 5}},
		{{far, 4}},
	} {
		for _, k := range []int{0, 1, 3} {
			for _, kn := range []func(int) float64{nil, kernel} {
				got := sp.Spread(src, k, kn)
				want := g.NewSpreader().Spread(src, k, kn)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("round %d k=%d: cell %d = %v, fresh spreader %v", round, k, i, got[i], want[i])
					}
				}
			}
			if round == 3 && k == 3 {
				for _, v := range sp.Spread(src, k, nil) {
					reached = reached || v > 0
				}
			}
			got, want := sp.Within(src, k), g.NewSpreader().Within(src, k)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("round %d within k=%d: cell %d = %v, want %v", round, k, i, got[i], want[i])
				}
			}
		}
	}
	if !reached {
		t.Error("fixture: the source outside the grid reaches no cell within 3 rings")
	}
}
