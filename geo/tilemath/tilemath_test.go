package tilemath

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		z, x, y string
		want    Tile
		ok      bool
	}{
		{"0", "0", "0", Tile{0, 0, 0}, true},
		{"4", "12", "7", Tile{4, 12, 7}, true},
		{"12", "3327", "2047", Tile{12, 3327, 2047}, true},
		{"24", "16777215", "0", Tile{24, 16777215, 0}, true},
		{"1", "2", "0", Tile{}, false},          // x out of range
		{"1", "0", "2", Tile{}, false},          // y out of range
		{"25", "0", "0", Tile{}, false},         // zoom too deep
		{"-1", "0", "0", Tile{}, false},         // sign
		{"+1", "0", "0", Tile{}, false},         // sign
		{"1.0", "0", "0", Tile{}, false},        // not an integer
		{"", "0", "0", Tile{}, false},           // empty
		{"4", "0x1", "0", Tile{}, false},        // hex
		{"4", "01", "0", Tile{}, false},         // leading zero: one URL per tile
		{"4", "1 ", "0", Tile{}, false},         // space
		{"4", "999999999", "0", Tile{}, false},  // too many digits
		{"4", "1", "4294967297", Tile{}, false}, // would overflow uint32
		{"4", "1", "'; DROP", Tile{}, false},
	}
	for _, tc := range tests {
		got, err := Parse(tc.z, tc.x, tc.y)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("Parse(%q,%q,%q) = %v, %v; want %v", tc.z, tc.x, tc.y, got, err, tc.want)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrCoord) {
			t.Errorf("Parse(%q,%q,%q) = %v, %v; want an ErrCoord", tc.z, tc.x, tc.y, got, err)
		}
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestBounds(t *testing.T) {
	// Reference values from PostGIS: SELECT ST_AsText(ST_TileEnvelope(z,x,y)).
	b := Tile{0, 0, 0}.Bounds3857()
	if !near(b.MinX, -20037508.342789244, 1e-6) || !near(b.MaxY, 20037508.342789244, 1e-6) {
		t.Fatalf("world bounds %+v", b)
	}
	// z1 x1 y0 is the north-east quarter.
	b = Tile{1, 1, 0}.Bounds3857()
	if b.MinX != 0 || b.MinY != 0 || !near(b.MaxX, MercatorHalf, 1e-6) {
		t.Fatalf("z1 1/0 bounds %+v", b)
	}
	// Jakarta (-6.2088, 106.8456) lies in z12 tile 3263/2118.
	tile := TileAt(12, 106.8456, -6.2088)
	if tile != (Tile{12, 3263, 2118}) {
		t.Fatalf("TileAt Jakarta = %v", tile)
	}
	g := tile.Bounds4326()
	if !(g.MinX <= 106.8456 && 106.8456 < g.MaxX && g.MinY <= -6.2088 && -6.2088 < g.MaxY) {
		t.Fatalf("Jakarta not inside its tile's WGS84 bounds %+v", g)
	}
	// Adjacent tiles share their edge exactly (no gap, no overlap in float64).
	for z := uint32(1); z <= MaxZoom; z++ {
		n := uint32(1) << z
		a, c := Tile{z, n/2 - 1, n / 3}, Tile{z, n / 2, n / 3}
		if a.Bounds3857().MaxX != c.Bounds3857().MinX {
			t.Fatalf("z%d: shared edge differs", z)
		}
	}
	buf := Tile{4, 12, 7}.Buffered3857(64, 4096)
	plain := Tile{4, 12, 7}.Bounds3857()
	if m := plain.MinX - buf.MinX; !near(m, Size(4)*64/4096, 1e-6) {
		t.Fatalf("buffer margin %v", m)
	}
}

func TestProjectionRoundTrip(t *testing.T) {
	for _, p := range [][2]float64{{106.8, -6.2}, {95.3, 5.5}, {141.0, -9.1}, {0, 0}, {-179, 80}} {
		x, y := LonLatToMercator(p[0], p[1])
		lon, lat := MercatorToLonLat(x, y)
		if !near(lon, p[0], 1e-9) || !near(lat, p[1], 1e-9) {
			t.Errorf("round trip %v -> %v,%v", p, lon, lat)
		}
	}
}

func TestToTileSpace(t *testing.T) {
	tile := Tile{5, 25, 15}
	b := tile.Bounds3857()
	x, y := tile.ToTileSpace(b.MinX, b.MaxY, 4096)
	if x != 0 || y != 0 {
		t.Fatalf("top-left -> %d,%d", x, y)
	}
	x, y = tile.ToTileSpace(b.MaxX, b.MinY, 4096)
	if x != 4096 || y != 4096 {
		t.Fatalf("bottom-right -> %d,%d", x, y)
	}
	// A point on the shared edge maps to 4096 in the left tile and 0 in the right one.
	right := Tile{5, 26, 15}
	rx, _ := right.ToTileSpace(b.MaxX, b.MaxY, 4096)
	if rx != 0 {
		t.Fatalf("shared edge in right tile -> %d", rx)
	}
}

func TestResolutionForZoom(t *testing.T) {
	all := []int{5, 6, 7, 8, 9}
	tests := []struct {
		z         uint32
		available []int
		want      int
	}{
		{3, all, 5}, // every resolution is too fine: the coarsest
		{5, all, 5},
		{6, all, 5},
		{7, all, 6},
		{9, all, 7},
		{10, all, 8},
		{11, all, 9},
		{16, all, 9}, // nothing finer exists: the finest
		{9, []int{7}, 7},
		{4, []int{9, 3, 5}, 3}, // unordered input
		{11, []int{7, 5}, 7},
	}
	for _, tc := range tests {
		got, ok := ResolutionForZoom(tc.z, tc.available, 8)
		if !ok || got != tc.want {
			t.Errorf("ResolutionForZoom(%d, %v) = %d, %v; want %d", tc.z, tc.available, got, ok, tc.want)
		}
	}
	if _, ok := ResolutionForZoom(8, nil, 8); ok {
		t.Error("no resolutions available must report !ok")
	}
	// The chosen resolution keeps a land-covered tile at a sensible number of cells.
	for z := uint32(6); z <= 14; z++ {
		r, _ := ResolutionForZoom(z, all, 8)
		tileKm := MercatorWorld / 1000 / float64(uint64(1)<<z)
		edge := H3EdgeKm(r)
		cells := tileKm * tileKm / (3 * math.Sqrt(3) / 2 * edge * edge)
		if r != 9 && (cells < 100 || cells > 8000) {
			t.Errorf("z%d res %d: %.0f cells per full tile", z, r, cells)
		}
	}
}
