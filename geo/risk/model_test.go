package risk

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

func poisson(rng *rand.Rand, lambda float64) float64 {
	if lambda > 30 {
		return math.Max(0, math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64()))
	}
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// gamma draws Gamma(shape, 1) (Marsaglia & Tsang; shape ≥ 1 after boosting).
func gamma(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gamma(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// plantedWorld is a res-7 patch of about 33,000 cells split into kabupaten
// (the res-4 parent) with known layers: informal landing points, clustered
// residents, hotel stays placed independently of the incidents, and a
// poverty indicator per kabupaten.
func plantedWorld(t *testing.T, rng *rand.Rand) (*hexgrid.Grid, Inputs) {
	t.Helper()
	origin := h3.LatLngToCell(h3.NewLatLng(-7.5, 112.5), 7)
	disk := h3.GridDisk(origin, 105)
	codes := make([]string, len(disk))
	for i, c := range disk {
		codes[i] = c.Parent(4).String()
	}
	g, err := hexgrid.FromCells(7, disk, codes)
	if err != nil {
		t.Fatal(err)
	}
	pick := func() h3.Cell { return g.Cells[rng.IntN(g.Len())] }
	in := Inputs{Points: map[string][]Point{}, Indicators: map[string]map[string]float64{IndicatorPoverty: {}}}
	for i := 0; i < 120; i++ {
		in.Points[LayerPortInformal] = append(in.Points[LayerPortInformal], Point{Cell: pick(), Count: 1})
	}
	for i := 0; i < 60; i++ { // residents: 60 towns of up to 400 people each
		town := pick()
		size := rng.IntN(400)
		ring := town.GridDisk(3)
		for p := 0; p < size; p++ {
			c := ring[rng.IntN(len(ring))]
			in.Points[LayerResident] = append(in.Points[LayerResident], Point{Cell: c.Children(9)[0], Count: 1})
		}
	}
	for i := 0; i < 3000; i++ {
		in.Points[LayerHotel] = append(in.Points[LayerHotel], Point{Cell: pick(), Count: 1})
	}
	for _, code := range g.Codes {
		in.Indicators[IndicatorPoverty][code] = 5 + 20*rng.Float64()
	}
	return g, in
}

func factorsByName(names ...string) []Factor {
	var out []Factor
	for _, n := range names {
		for _, f := range Factors() {
			if f.Name == n {
				out = append(out, f)
			}
		}
	}
	return out
}

// TestPlantedFactorsRecovered draws incidents from a known model (with and
// without gamma overdispersion) and checks that the fit recovers the planted
// effects within tolerance and drops the factor that has none.
func TestPlantedFactorsRecovered(t *testing.T) {
	tests := []struct {
		name  string
		alpha float64 // true NB2 dispersion (0: Poisson)
	}{
		{"poisson", 0},
		{"overdispersed", 0.8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(42, uint64(tc.alpha*10)))
			g, in := plantedWorld(t, rng)
			fs := factorsByName("landing_informal", "foreign_residents", "hotel_foreign_guests", "poverty_rate")
			raw, err := Values(g, fs, in)
			if err != nil {
				t.Fatal(err)
			}
			truth := []float64{math.Log(3), 0.5, 0, 0.06}
			var povMean float64
			for _, v := range raw[3] {
				povMean += v
			}
			povMean /= float64(len(raw[3]))
			y := make([]float64, g.Len())
			for i := range y {
				eta := -3.5 + truth[0]*raw[0][i] + truth[1]*math.Log1p(raw[1][i]) + truth[3]*(raw[3][i]-povMean)
				mu := math.Exp(eta)
				if tc.alpha > 0 {
					mu *= gamma(rng, 1/tc.alpha) * tc.alpha
				}
				y[i] = poisson(rng, mu)
			}
			m, err := Train("tppo", fs, raw, y, DefaultFitOptions())
			if err != nil {
				t.Fatal(err)
			}
			tol := []float64{0.15, 0.08, 0, 0.015}
			for j, f := range fs {
				got := m.Fit.Coef[j]
				t.Logf("%-20s true %.3f got %.3f ± %.3f (z=%.1f kept=%v)", f.Name, truth[j], got, m.Fit.SE[j], m.Fit.Z[j], m.Fit.Kept[j])
				if truth[j] == 0 {
					if m.Fit.Kept[j] {
						t.Errorf("%s has no effect but was kept (z=%.2f)", f.Name, m.Fit.Z[j])
					}
					continue
				}
				if !m.Fit.Kept[j] || math.Abs(got-truth[j]) > tol[j] {
					t.Errorf("%s: coefficient %.3f, want %.3f ± %.3f (kept=%v)", f.Name, got, truth[j], tol[j], m.Fit.Kept[j])
				}
			}
			if math.Abs(m.Fit.Alpha-tc.alpha) > 0.35 {
				t.Errorf("dispersion %.2f, want about %.2f", m.Fit.Alpha, tc.alpha)
			}
			t.Logf("n=%d events=%.0f alpha=%.3f dropped=%v", m.Fit.N, m.Fit.Events, m.Fit.Alpha, m.Fit.Dropped)

			// Explanations add up: score = exp(Σ contrib), and a cell near a
			// landing point with nothing else gets the landing point's RR.
			score, contrib := m.Score(raw)
			for i := range score {
				var s float64
				for _, c := range contrib[i] {
					s += float64(c)
				}
				if math.Abs(math.Log(score[i])-s) > 1e-4 {
					t.Fatalf("cell %d: log score %.6f but contributions sum to %.6f", i, math.Log(score[i]), s)
				}
			}
			if got := float64(contrib[firstWhere(raw[0], 1)][0]); math.Abs(got-math.Log(m.RR(0))) > 1e-6 {
				t.Errorf("landing contribution %.4f, want log RR %.4f", got, math.Log(m.RR(0)))
			}
		})
	}
}

func firstWhere(x []float64, v float64) int {
	for i := range x {
		if x[i] == v {
			return i
		}
	}
	return -1
}

func TestFitCountsErrors(t *testing.T) {
	tests := []struct {
		name string
		X    [][]float64
		y    []float64
	}{
		{"no incidents", [][]float64{{1, 0, 1}}, []float64{0, 0, 0}},
		{"negative count", [][]float64{{1, 0, 1}}, []float64{1, -1, 0}},
		{"ragged", [][]float64{{1, 0}}, []float64{1, 0, 0}},
		{"one cell", [][]float64{{1}}, []float64{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := FitCounts(tc.X, tc.y, []string{"a"}, DefaultFitOptions()); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestAggregateKeepsExplanation(t *testing.T) {
	raw := [][]float64{{1, 0, 1, 1}, {2, 4, math.NaN(), 6}}
	contrib := [][]float32{{1, 0.5}, {0, -0.5}, {1, 0}, {1, 1}}
	parent := []int32{0, 0, 1, 1}
	score, praw, pc := Aggregate(parent, 2, raw, contrib)
	want := []struct {
		score float64
		raw   []float64
		c     []float32
	}{
		{math.Exp(0.5), []float64{0.5, 3}, []float32{0.5, 0}},
		{math.Exp(1.5), []float64{1, 6}, []float32{1, 0.5}},
	}
	for p, w := range want {
		if math.Abs(score[p]-w.score) > 1e-6 {
			t.Errorf("parent %d score %v, want %v", p, score[p], w.score)
		}
		for j := range w.raw {
			if praw[j][p] != w.raw[j] || pc[p][j] != w.c[j] {
				t.Errorf("parent %d factor %d: raw %v contrib %v, want %v %v", p, j, praw[j][p], pc[p][j], w.raw[j], w.c[j])
			}
		}
	}
}

// Scoring in two parts (one set of factors summed once, the rest added per
// period) gives the score of Score and ScoreOnly, for any split, including
// an empty one; dropped factors and missing indicators add nothing.
func TestLinearSplitsTheScore(t *testing.T) {
	fs := Factors()
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 200
	raw := make([][]float64, len(fs))
	for j, f := range fs {
		raw[j] = make([]float64, n)
		for i := range raw[j] {
			switch {
			case f.Influence == Proximity:
				raw[j][i] = float64(rng.IntN(2))
			case f.Influence == Area && i%17 == 0:
				raw[j][i] = math.NaN() // a kabupaten without the indicator
			default:
				raw[j][i] = rng.Float64() * 20
			}
		}
	}
	m := &Model{Factors: fs, Center: make([]float64, len(fs)), Fit: &Fit{Coef: make([]float64, len(fs)), Kept: make([]bool, len(fs))}}
	for j := range fs {
		m.Fit.Kept[j] = j%4 != 1
		m.Fit.Coef[j] = rng.NormFloat64() / 3
		m.Center[j] = rng.Float64()
	}
	score, _ := m.Score(raw)
	only := m.ScoreOnly(raw)
	for _, first := range [][]int{nil, {0, 2, 5}, {1, 3, 4, 6, 7, 8, 9, 10, 11, 12}} {
		var rest []int
		for j := range fs {
			in := false
			for _, k := range first {
				in = in || k == j
			}
			if !in {
				rest = append(rest, j)
			}
		}
		two := m.ScoreFrom(raw, rest, m.Linear(raw, first, nil))
		for i := range two {
			got := two[i]
			if math.Abs(got-score[i]) > 1e-12*score[i] || math.Abs(only[i]-score[i]) > 1e-12*score[i] {
				t.Fatalf("split %v, cell %d: two-part %v, ScoreOnly %v, Score %v", first, i, got, only[i], score[i])
			}
		}
	}
}

// The log transform gives math.Log1p's bits for counts from the table and
// for everything else from the function.
func TestTransformLog(t *testing.T) {
	f := Factor{Log: true}
	for _, v := range []float64{0, -1, 0.5, 1, 2, 17, 4095, 4096, 1e6, 3.25, math.Nextafter(7, 8)} {
		want := 0.0
		if v > 0 {
			want = math.Log1p(v)
		}
		if got := f.Transform(v); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("Transform(%v) = %v, want %v", v, got, want)
		}
	}
	if got := (Factor{}).Transform(12.5); got != 12.5 {
		t.Errorf("identity transform of 12.5 = %v", got)
	}
}
