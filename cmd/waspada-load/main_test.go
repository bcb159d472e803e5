package main

import (
	"testing"
	"time"

	"github.com/waspada-id/waspada/geo/tilemath"
)

func TestTileList(t *testing.T) {
	centres := [][2]float64{{104.05, 1.05}, {104.06, 1.06}, {123.65, -10.15}}
	got := tileList(centres, 4, 9, 1)
	// z4..7: one tile per distinct centre tile; z8, z9: 3×3 around each.
	perZoom := map[uint32]int{}
	seen := map[tilemath.Tile]bool{}
	for _, tl := range got {
		if seen[tl] {
			t.Fatalf("duplicate %v", tl)
		}
		seen[tl] = true
		perZoom[tl.Z]++
	}
	if perZoom[4] != 2 || perZoom[7] != 2 {
		t.Fatalf("low zooms: %v", perZoom)
	}
	if perZoom[8] < 9 || perZoom[8] > 18 || perZoom[9] < 9 {
		t.Fatalf("neighbourhoods: %v", perZoom)
	}
	if len(tileList(centres, 9, 8, 1)) != 0 {
		t.Fatal("empty zoom range must give no tiles")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("empty")
	}
}

func TestClassOf(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/tiles/risk/7/104/63.mvt", "tiles/risk"},
		{"/tiles/basemap/4/12/7.mvt", "tiles/basemap"},
		{"/tiles/risk.json", "tiles/risk"},
		{"/api/cells/tppo/866526b6fffffff", "api/cells"},
		{"/api/ranking?kind=pmi&sort=change", "api/ranking"},
		{"/api/search?q=Bata", "api/search"},
		{"/healthz", "healthz"},
		{"/", "/"},
	} {
		if got := classOf(c.path); got != c.want {
			t.Errorf("classOf(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}
