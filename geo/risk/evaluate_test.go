package risk

import (
	"math"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

func TestEvaluateHandChecked(t *testing.T) {
	// 10 cells of equal area, 20 incidents.
	score := []float64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	hits := []float64{6, 0, 4, 2, 0, 0, 0, 3, 5, 0}
	tests := []struct {
		name  string
		score []float64
		area  []float64
		share float64
		want  Capture
	}{
		// Top 10% = cell 0: 6 of 20 incidents = 0.3 on 0.1 of the area: PAI 3.
		{"top10", score, nil, 0.1, Capture{Share: 0.1, HitRate: 0.3, AreaShare: 0.1, PAI: 3}},
		// Top 20% = cells 0,1: 6/20 on 0.2: PAI 1.5.
		{"top20", score, nil, 0.2, Capture{Share: 0.2, HitRate: 0.3, AreaShare: 0.2, PAI: 1.5}},
		// Areas differ: cell 0 covers 4 of 13 area units: PAI = 0.3/(4/13) = 0.975.
		{"area", score, []float64{4, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0.1, Capture{Share: 0.1, HitRate: 0.3, AreaShare: 4.0 / 13, PAI: 0.975}},
		// All tied: any 10% is expected to hold 10% of the incidents: PAI 1.
		{"ties", make([]float64, 10), nil, 0.1, Capture{Share: 0.1, HitRate: 0.1, AreaShare: 0.1, PAI: 1}},
		// Cells 0..2 tied at the top, 2 cells to flag: 2/3 of their 10 incidents.
		{"tie at cut", []float64{5, 5, 5, 1, 1, 1, 1, 1, 1, 1}, nil, 0.2, Capture{Share: 0.2, HitRate: 10.0 * 2 / 3 / 20, AreaShare: 0.2, PAI: 10.0 * 2 / 3 / 20 / 0.2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Evaluate(tc.score, hits, tc.area, []float64{tc.share})
			if err != nil {
				t.Fatal(err)
			}
			g := got[0]
			if math.Abs(g.HitRate-tc.want.HitRate) > 1e-12 || math.Abs(g.AreaShare-tc.want.AreaShare) > 1e-12 || math.Abs(g.PAI-tc.want.PAI) > 1e-12 {
				t.Errorf("got %+v, want %+v", g, tc.want)
			}
		})
	}
	if _, err := Evaluate(score, hits[:3], nil, []float64{0.1}); err == nil {
		t.Error("mismatched lengths: want an error")
	}
	if _, err := Evaluate(score, hits, nil, []float64{1.5}); err == nil {
		t.Error("share 1.5: want an error")
	}
}

func TestKDE(t *testing.T) {
	origin := h3.LatLngToCell(h3.NewLatLng(0.5, 101.4), 7)
	disk := origin.GridDisk(10)
	codes := make([]string, len(disk))
	for i := range codes {
		codes[i] = "14.71"
	}
	g, err := hexgrid.FromCells(7, disk, codes)
	if err != nil {
		t.Fatal(err)
	}
	ll := origin.LatLng()
	d := NewKDEGrid(g).Density([]LatLng{{ll.Lat, ll.Lng}}, 2, []float64{3, 1})
	o, _ := g.Lookup(origin)
	if math.Abs(d[0][o]-2) > 1e-9 || math.Abs(d[1][o]-2) > 1e-9 {
		t.Errorf("density at the incident %.4f, %.4f, want 2 (weight × kernel(0))", d[0][o], d[1][o])
	}
	var inside int
	for i, c := range g.Cells {
		dist := h3.GreatCircleDistanceKm(c.LatLng(), ll)
		for b, h := range []float64{3, 1} {
			want := 0.0
			if dist <= 3*h-0.01 { // truncated at 3 bandwidths
				want = 2 * math.Exp(-dist*dist/(2*h*h))
				inside++
			} else if dist < 3*h+0.01 {
				continue // at the truncation: either side of it is right
			}
			// local equirectangular distances: well under 0.1 % off at 30 km
			if math.Abs(d[b][i]-want) > 1e-3*want+1e-12 {
				t.Fatalf("bandwidth %g, cell %d at %.2f km: %.6f, want %.6f", h, i, dist, d[b][i], want)
			}
		}
	}
	if inside < 20 {
		t.Errorf("only %d cells within 3 bandwidths", inside)
	}
}

func TestRollupAndRanks(t *testing.T) {
	score := []float64{1, 3, 2, 10, 4}
	area := []float64{1, 1, 2, 1, 3}
	group := []int32{0, 0, 0, 1, 1}
	r := RollupBy(score, area, group, 3)
	want := []Rollup{
		{Mean: 2, Max: 3, Weighted: (1 + 3 + 4) / 4.0, Cells: 3},
		{Mean: 7, Max: 10, Weighted: (10 + 12) / 4.0, Cells: 2},
		{},
	}
	for i := range want {
		if r[i] != want[i] {
			t.Errorf("group %d: %+v, want %+v", i, r[i], want[i])
		}
	}
	ranks := Ranks([]float64{5, 7, 7, 1, 9, 2}, []int32{0, 0, 0, 0, 1, 1}, []bool{false, false, false, true, false, false})
	wantR := []int{3, 1, 1, 0, 1, 2}
	for i := range wantR {
		if ranks[i] != wantR[i] {
			t.Errorf("ranks = %v, want %v", ranks, wantR)
			break
		}
	}
}
