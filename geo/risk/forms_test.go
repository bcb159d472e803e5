package risk

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// bruteCapture is Evaluate's definition written the slow way: sort, then
// flag groups of tied cells in order, the last one fractionally.
func bruteCapture(score, hits, area []float64, share float64) (hit, ar float64) {
	n := len(score)
	ord := make([]int, n)
	for i := range ord {
		ord[i] = i
	}
	sort.SliceStable(ord, func(a, b int) bool { return score[ord[a]] > score[ord[b]] })
	var th, ta float64
	for i := range score {
		th += hits[i]
		ta += area[i]
	}
	budget := share * float64(n)
	var taken float64
	for g := 0; g < n && taken < budget; {
		e := g
		for e < n && score[ord[e]] == score[ord[g]] {
			e++
		}
		frac := math.Min(1, (budget-taken)/float64(e-g))
		for _, i := range ord[g:e] {
			hit += frac * hits[i]
			ar += frac * area[i]
		}
		taken += frac * float64(e-g)
		g = e
	}
	return hit / th, ar / ta
}

func TestCaptureMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n := 50 + rng.IntN(500)
		score, hits, area := make([]float64, n), make([]float64, n), make([]float64, n)
		levels := 1 + rng.IntN(20) // few levels: many ties
		for i := range score {
			score[i] = float64(rng.IntN(levels))
			if rng.Float64() < 0.2 {
				hits[i] = float64(1 + rng.IntN(3))
			}
			area[i] = 1 + 0.1*rng.Float64()
		}
		hits[0]++ // at least one hit
		for _, sh := range []float64{0.01, 0.05, 0.1, 0.2, 0.5, 1} {
			cs, err := Evaluate(score, hits, area, []float64{sh})
			if err != nil {
				t.Fatal(err)
			}
			h, a := bruteCapture(score, hits, area, sh)
			if math.Abs(cs[0].HitRate-h) > 1e-9 || math.Abs(cs[0].AreaShare-a) > 1e-9 {
				t.Fatalf("trial %d share %v: hit rate %v area %v, sorted %v %v", trial, sh, cs[0].HitRate, cs[0].AreaShare, h, a)
			}
			best, _ := bruteCapture(hits, hits, area, sh)
			if math.Abs(cs[0].PEI-h/best) > 1e-9 || cs[0].PEI > 1+1e-9 {
				t.Fatalf("trial %d share %v: PEI %v, want %v", trial, sh, cs[0].PEI, h/best)
			}
		}
	}
}

// testGrid is a disk of res-7 cells around a point of Riau.
func testGrid(t *testing.T, k int) (*hexgrid.Grid, h3.Cell) {
	t.Helper()
	origin := h3.LatLngToCell(h3.NewLatLng(0.5, 101.4), 7)
	disk := origin.GridDisk(k)
	codes := make([]string, len(disk))
	for i := range codes {
		codes[i] = "14.71"
	}
	g, err := hexgrid.FromCells(7, disk, codes)
	if err != nil {
		t.Fatal(err)
	}
	return g, origin
}

func TestCandidatesAndValues(t *testing.T) {
	g, origin := testGrid(t, 12)
	f := Factor{Name: "port_official", Layer: LayerPortOfficial, Influence: Proximity, RadiusKm: 5, TopicEN: "Main or public ports", TopicID: "Pelabuhan"}
	forms := f.Candidates(7)
	if forms[0] != f.Form() {
		t.Fatalf("first candidate %v, want the factor's own form", forms[0])
	}
	seen := map[string]bool{}
	for _, fm := range forms {
		key := fm.Influence.String() + string(rune('0'+hexgrid.Rings(7, fm.RadiusKm))) + map[bool]string{true: "log"}[fm.Log && fm.Influence == Density]
		if seen[key] {
			t.Errorf("form %s tried twice at res 7", fm)
		}
		seen[key] = true
	}
	// 5 radii give 5 distinct ring counts at res 7 (0, 1, 2, 4, 6); the own form (2 rings) is among them.
	if len(forms) != 15 {
		t.Errorf("%d candidates, want 15 (proximity, log and linear density at 5 ring counts)", len(forms))
	}
	in := Inputs{Points: map[string][]Point{LayerPortOfficial: {{Cell: origin, Count: 2, Weight: 2}}}}
	vals, err := CandidateValues(g.NewSpreader(), g, f, forms, in)
	if err != nil {
		t.Fatal(err)
	}
	for c, fm := range forms {
		want, err := Values(g, []Factor{f.WithForm(fm)}, in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want[0] {
			if vals[c][i] != want[0][i] {
				t.Fatalf("form %s cell %d: %v, Values gives %v", fm, i, vals[c][i], want[0][i])
			}
		}
	}
	if l := f.WithForm(Form{Density, 12, true}).LabelEN; l != "Main or public ports (density, 12 km)" {
		t.Errorf("label %q", l)
	}
	if s := (Form{Density, 7.5, true}).String(); s != "density 7.5 km, log" {
		t.Errorf("form string %q", s)
	}
}

// TestSelectFormsFindsTheReach: incidents are drawn where a layer's
// sources are within 7.5 km (4 rings at res 7), the factor table says 1 km;
// validation on later incidents must choose a form of that reach.
func TestSelectFormsFindsTheReach(t *testing.T) {
	g, _ := testGrid(t, 30)
	rng := rand.New(rand.NewPCG(7, 7))
	var pts []Point
	for len(pts) < 12 {
		c := g.Cells[rng.IntN(g.Len())]
		pts = append(pts, Point{Cell: c, Count: 1, Weight: 1})
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].Cell < pts[j].Cell })
	in := Inputs{Points: map[string][]Point{LayerPortOfficial: pts}}
	truth, err := Values(g, []Factor{{Layer: LayerPortOfficial, Influence: Proximity, RadiusKm: 7.5}}, in)
	if err != nil {
		t.Fatal(err)
	}
	draw := func(total float64) []float64 {
		y := make([]float64, g.Len())
		for i := range y {
			mu := total / float64(g.Len()) * math.Exp(2*truth[0][i])
			y[i] = poisson(rng, mu)
		}
		return y
	}
	fs := []Factor{{Name: "port_official", Layer: LayerPortOfficial, Influence: Proximity, RadiusKm: 1, TopicEN: "Ports", TopicID: "Pelabuhan"}}
	raw, err := Values(g, fs, in)
	if err != nil {
		t.Fatal(err)
	}
	cand := func(j int) ([]Form, [][]float64, error) {
		forms := fs[j].Candidates(7)
		v, err := CandidateValues(g.NewSpreader(), g, fs[j], forms, in)
		return forms, v, err
	}
	out, rec, eta, err := SelectForms(fs, raw, cand, []string{"tppo"},
		map[string][]float64{"tppo": draw(600)}, map[string][]float64{"tppo": draw(200)}, DefaultFitOptions())
	if err != nil {
		t.Fatal(err)
	}
	if k := hexgrid.Rings(7, out[0].RadiusKm); k != hexgrid.Rings(7, 7.5) {
		t.Errorf("chose %s (%d rings), want a form of the true reach; record %+v", out[0].Form(), k, rec)
	}
	if len(rec) != 1 || rec[0].Chosen != out[0].Form().String() || rec[0].Default != "proximity 1 km" || len(eta["tppo"]) != g.Len() {
		t.Errorf("record %+v", rec)
	}
}

// TestChooseBlend: when the model's predictor knows nothing and the kernel
// density ranks the later cases, a positive weight wins; when the
// predictor already ranks them perfectly, weight 0 (ties go to the smaller).
func TestChooseBlend(t *testing.T) {
	n := 1000
	hits, dens, flat, perfect := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			hits[i] = 1
			perfect[i] = 5
		}
		if i%20 == 0 {
			dens[i] = 3 // half of the hit cells
		}
	}
	g, scores, err := ChooseBlend(flat, dens, hits, nil, BlendGammas)
	if err != nil {
		t.Fatal(err)
	}
	if g <= 0 || len(scores) != len(BlendGammas) || scores[0].MeanPAI >= scores[len(scores)-1].MeanPAI {
		t.Errorf("flat predictor: weight %v, scores %+v", g, scores)
	}
	if g, _, _ := ChooseBlend(perfect, dens, hits, nil, BlendGammas); g != 0 {
		t.Errorf("perfect predictor: weight %v, want 0", g)
	}
	m := &Model{Factors: []Factor{{Name: "recent_tppo", Influence: Kernel, Log: true}}, Center: []float64{0},
		Fit: &Fit{Coef: []float64{0}, SE: []float64{0}, Z: []float64{0}, Kept: []bool{false}}}
	if err := m.SetBlend(0, 2); err != nil || m.RR(0) != math.Exp(2) {
		t.Errorf("SetBlend: %v, RR %v", err, m.RR(0))
	}
	if sc := m.ScoreOnly([][]float64{{0, math.E - 1}}); math.Abs(sc[1]-math.E*math.E) > 1e-9 || sc[0] != 1 {
		t.Errorf("scores %v, want 1 and e² (γ·log1p(e−1) = 2)", sc)
	}
	if err := m.SetBlend(0, -1); err == nil {
		t.Error("a negative weight was accepted")
	}
}
