package risk

import (
	"fmt"
	"math"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// Point is a point source (or several at one cell): Count points carrying a
// summed attribute Weight (e.g. foreign workers), located by an H3 cell of any
// resolution at least the grid's.
type Point struct {
	Cell   h3.Cell
	Count  float64
	Weight float64
}

// Inputs are the layers a set of factor values is computed from, for one
// period: point layers keyed by layer name and kabupaten indicators keyed by
// indicator name then kabupaten code.
type Inputs struct {
	Points     map[string][]Point
	Indicators map[string]map[string]float64
	// Columns are per-cell values computed elsewhere (the kernel densities
	// of Kernel factors), keyed by layer; absent means zeros.
	Columns map[string][]float64
}

// Values computes the raw value of every factor at every cell: Values[f][i].
// A point layer that is absent counts as empty; a kabupaten without an
// indicator value gets NaN, which Model.Score treats as the national centre.
func Values(g *hexgrid.Grid, fs []Factor, in Inputs) ([][]float64, error) {
	return ValuesWith(g.NewSpreader(), g, fs, in)
}

// sources are the factor's point layer as spreading sources: each point's
// count, or its weight for a weighted factor; points weighing nothing left out.
func (f Factor) sources(pts []Point) []hexgrid.Source {
	src := make([]hexgrid.Source, 0, len(pts))
	for _, p := range pts {
		w := p.Count
		if f.Weighted {
			w = p.Weight
		}
		if w > 0 {
			src = append(src, hexgrid.Source{Cell: p.Cell, Weight: w})
		}
	}
	return src
}

// ValuesWith is Values with a spreader kept across calls (one per goroutine):
// computing the factors of many periods, it finds each source cell's disk once.
func ValuesWith(sp *hexgrid.Spreader, g *hexgrid.Grid, fs []Factor, in Inputs) ([][]float64, error) {
	out := make([][]float64, len(fs))
	for fi, f := range fs {
		switch f.Influence {
		case Proximity, Density:
			src := f.sources(in.Points[f.Layer])
			k := hexgrid.Rings(g.Res, f.RadiusKm)
			if f.Influence == Proximity {
				out[fi] = sp.Within(src, k)
			} else {
				out[fi] = sp.Spread(src, k, nil)
			}
		case Kernel:
			col := make([]float64, g.Len())
			copy(col, in.Columns[f.Layer])
			out[fi] = col
		case Area:
			vals := in.Indicators[f.Layer]
			byArea := make([]float64, len(g.Codes))
			for a, code := range g.Codes {
				v, ok := vals[code]
				if !ok {
					v = math.NaN()
				}
				byArea[a] = v
			}
			col := make([]float64, g.Len())
			for i := range col {
				col[i] = byArea[g.Area[i]]
			}
			out[fi] = col
		default:
			return nil, fmt.Errorf("risk: factor %s: unknown influence %d", f.Name, f.Influence)
		}
	}
	return out, nil
}

// Model is one risk kind's fitted model. A cell's log-contribution from
// factor j is Coef[j]·(Transform_j(raw) − Center[j]); its score is the exp of
// the sum of contributions, i.e. the relative risk against a cell with no
// point factor present and national-average kabupaten indicators. For a 0/1
// proximity factor the contribution is log RR when present and 0 when absent,
// so the score is exactly the product of the RRs of the factors present.
type Model struct {
	Kind      string
	Factors   []Factor
	Center    []float64
	Fit       *Fit
	Intercept float64 // log expected incidents per cell in the training window at score 1
}

// Train fits a model for kind from raw factor values and incident counts per cell.
func Train(kind string, fs []Factor, raw [][]float64, y []float64, o FitOptions) (*Model, error) {
	if len(raw) != len(fs) {
		return nil, fmt.Errorf("risk: %d value columns for %d factors", len(raw), len(fs))
	}
	m := &Model{Kind: kind, Factors: fs, Center: make([]float64, len(fs))}
	X := make([][]float64, len(fs))
	names := make([]string, len(fs))
	for j, f := range fs {
		names[j] = f.Name
		X[j], m.Center[j] = column(f, raw[j])
		if !f.For(kind) || f.Influence == Kernel {
			// constant: dropped by the fit. A kernel factor's weight is
			// set by SetBlend, chosen on validation, not fitted.
			X[j] = make([]float64, len(raw[j]))
		}
	}
	fit, err := FitCounts(X, y, names, o)
	if err != nil {
		return nil, fmt.Errorf("risk: fit %s: %w", kind, err)
	}
	kept := fit.Dropped[:0:0]
	for _, d := range fit.Dropped {
		if !isKernelName(fs, d) {
			kept = append(kept, d)
		}
	}
	fit.Dropped = kept
	m.Fit = fit
	m.Intercept = fit.Intercept
	return m, nil
}

// isKernelName reports whether a dropped-factor note is a kernel factor's
// "(constant)": those are never fitted, so they are not reported as dropped.
func isKernelName(fs []Factor, note string) bool {
	for _, f := range fs {
		if f.Influence == Kernel && note == f.Name+" (constant)" {
			return true
		}
	}
	return false
}

// column is factor f's design column on the model's scale (transformed,
// indicators centred on their mean over the cells that have one, missing
// values at the centre) and its centre.
func column(f Factor, raw []float64) ([]float64, float64) {
	var center float64
	if f.Influence == Area {
		var s float64
		var c int
		for _, v := range raw {
			if !math.IsNaN(v) {
				s += f.Transform(v)
				c++
			}
		}
		if c > 0 {
			center = s / float64(c)
		}
	}
	col := make([]float64, len(raw))
	for i, v := range raw {
		if !math.IsNaN(v) {
			col[i] = f.Transform(v) - center
		}
	}
	return col, center
}

// SetBlend gives the kernel factor j the weight gamma (≥ 0) chosen on
// validation: its contribution is gamma·log1p(density). Zero leaves it out.
func (m *Model) SetBlend(j int, gamma float64) error {
	if j < 0 || j >= len(m.Factors) || m.Factors[j].Influence != Kernel {
		return fmt.Errorf("risk: factor %d is not a kernel factor", j)
	}
	if gamma < 0 || math.IsNaN(gamma) || math.IsInf(gamma, 0) {
		return fmt.Errorf("risk: blend weight %v: must be finite and non-negative", gamma)
	}
	m.Fit.Coef[j], m.Fit.Kept[j], m.Fit.SE[j], m.Fit.Z[j] = gamma, gamma > 0, 0, 0
	return nil
}

// Score returns every cell's score and per-factor log-contributions
// (contrib[i][j], float32 because that is how they are stored).
func (m *Model) Score(raw [][]float64) ([]float64, [][]float32) {
	n := 0
	if len(raw) > 0 {
		n = len(raw[0])
	}
	score := make([]float64, n)
	contrib := make([][]float32, n)
	flat := make([]float32, n*len(m.Factors))
	for i := 0; i < n; i++ {
		c := flat[i*len(m.Factors) : (i+1)*len(m.Factors)]
		var eta float64
		for j, f := range m.Factors {
			if !m.Fit.Kept[j] {
				continue
			}
			v := raw[j][i]
			if math.IsNaN(v) {
				continue
			}
			x := m.Fit.Coef[j] * (f.Transform(v) - m.Center[j])
			c[j] = float32(x)
			eta += x
		}
		score[i] = math.Exp(eta)
		contrib[i] = c
	}
	return score, contrib
}

// ScoreOnly returns every cell's score without the per-factor explanation.
func (m *Model) ScoreOnly(raw [][]float64) []float64 {
	all := make([]int, len(m.Factors))
	for j := range all {
		all[j] = j
	}
	return m.ScoreFrom(raw, all, nil)
}

// ScoreFrom is the score with the factors cols added to base, a sum of the
// other factors' contributions from Linear: exp(Linear(raw, cols, base)).
func (m *Model) ScoreFrom(raw [][]float64, cols []int, base []float64) []float64 {
	eta := m.Linear(raw, cols, base)
	for i := range eta {
		eta[i] = math.Exp(eta[i])
	}
	return eta
}

// Linear returns base (nil: zeros) plus the summed log-contributions of the
// kept factors among cols at every cell: the log score when base
// holds the other factors' sum. Scoring many periods whose factors partly
// do not change, the unchanging part is summed once.
func (m *Model) Linear(raw [][]float64, cols []int, base []float64) []float64 {
	n := 0
	if len(raw) > 0 {
		n = len(raw[0])
	}
	eta := make([]float64, n)
	copy(eta, base)
	add := func(j int) {
		f := m.Factors[j]
		if !m.Fit.Kept[j] {
			return
		}
		b, c := m.Fit.Coef[j], m.Center[j]
		for i, v := range raw[j] {
			if !math.IsNaN(v) {
				eta[i] += b * (f.Transform(v) - c)
			}
		}
	}
	for _, j := range cols {
		add(j)
	}
	return eta
}

// RR is exp(coefficient) for kept factors and 1 for dropped ones: the
// relative risk of a present proximity factor, or per unit of the
// (transformed) value for the others.
func (m *Model) RR(j int) float64 {
	if !m.Fit.Kept[j] {
		return 1
	}
	return math.Exp(m.Fit.Coef[j])
}

// Aggregate derives parent cells from child cells: a parent's contributions
// and raw values are the means over its children in the grid, and its score
// the exp of the summed mean contributions (the geometric mean of the
// children's scores), so score = exp(Σ contrib) holds at every resolution.
func Aggregate(parent []int32, nParents int, raw [][]float64, contrib [][]float32) (score []float64, praw [][]float64, pcontrib [][]float32) {
	nf := len(raw)
	count := make([]float64, nParents)
	for _, p := range parent {
		count[p]++
	}
	praw = make([][]float64, nf)
	for j := range raw {
		col := make([]float64, nParents)
		nanCount := make([]float64, nParents)
		for i, p := range parent {
			v := raw[j][i]
			if math.IsNaN(v) {
				nanCount[p]++
				continue
			}
			col[p] += v
		}
		for p := range col {
			if have := count[p] - nanCount[p]; have > 0 {
				col[p] /= have
			} else {
				col[p] = math.NaN()
			}
		}
		praw[j] = col
	}
	sum := make([]float64, nParents*nf)
	for i, p := range parent {
		for j, v := range contrib[i] {
			sum[int(p)*nf+j] += float64(v)
		}
	}
	score = make([]float64, nParents)
	pcontrib = make([][]float32, nParents)
	for p := 0; p < nParents; p++ {
		c := make([]float32, nf)
		var eta float64
		for j := 0; j < nf; j++ {
			v := sum[p*nf+j] / count[p]
			c[j] = float32(v)
			eta += v
		}
		score[p] = math.Exp(eta)
		pcontrib[p] = c
	}
	return score, praw, pcontrib
}
