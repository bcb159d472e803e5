package riskrun

import (
	"testing"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// TestIncidentInContainingCell: a point is counted in the res-7 cell that
// contains it, not in the res-7 parent of its res-9 cell. Points are
// searched near Kupang until one is found where the two differ (about 1 in
// 25), so the old mapping would fail the test.
func TestIncidentInContainingCell(t *testing.T) {
	var lon, lat float64
	var contains, parent h3.Cell
	found := false
	for i := 0; i < 20000 && !found; i++ {
		lat = -10.2 + float64(i%200)*0.0007
		lon = 123.6 + float64(i/200)*0.0007
		contains = h3.LatLngToCell(h3.NewLatLng(lat, lon), 7)
		parent, _ = hexgrid.ParentAt(h3.LatLngToCell(h3.NewLatLng(lat, lon), 9), 7)
		found = contains != parent
	}
	if !found {
		t.Fatal("no point whose res-9 parent differs from its res-7 cell: the search grid is wrong")
	}
	c, ok := pointCell(lon, lat, 7)
	if !ok || c != contains {
		t.Fatalf("pointCell(%v, %v) = %s, want the containing cell %s", lon, lat, c, contains)
	}
	g, err := hexgrid.FromCells(7, []h3.Cell{contains, parent}, []string{"53.71", "53.71"})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	y := countByCell(g, []incidentPoint{{kind: "tppo", day: day, lon: lon, lat: lat}, {kind: "overstay", day: day, lon: lon, lat: lat}})
	ic, _ := g.Lookup(contains)
	ip, _ := g.Lookup(parent)
	if y["tppo"][ic] != 1 || y["tppo"][ip] != 0 || y["pmi"][ic] != 0 {
		t.Errorf("counts: containing cell %v, parent of the res-9 cell %v, pmi %v; want 1, 0, 0", y["tppo"][ic], y["tppo"][ip], y["pmi"][ic])
	}
	if _, ok := pointCell(181, 0, 7); ok {
		t.Error("longitude 181 was located")
	}
}
