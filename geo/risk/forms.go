package risk

import (
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// Form is a factor's operationalisation: how its layer reaches a cell
// (proximity or density within a radius, or a kabupaten value) and whether
// the value enters the model as log1p or as it is.
type Form struct {
	Influence Influence
	RadiusKm  float64 // proximity and density only
	Log       bool
}

// Form is the factor's current operationalisation.
func (f Factor) Form() Form { return Form{f.Influence, f.RadiusKm, f.Log} }

func km(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + " km" }

// String names the form for exports and run records: "proximity 5 km",
// "density 5 km, log", "density 12 km", "area, log", "kernel, log".
func (fm Form) String() string {
	s := fm.Influence.String()
	if fm.Influence == Proximity || fm.Influence == Density || (fm.Influence == Kernel && fm.RadiusKm > 0) {
		s += " " + km(fm.RadiusKm)
	}
	if fm.Log && fm.Influence != Proximity {
		s += ", log"
	}
	return s
}

// WithForm is f with another operationalisation. Labels are rebuilt from
// the topic when the form differs from the factor table's own.
func (f Factor) WithForm(fm Form) Factor {
	if fm == f.Form() {
		return f
	}
	f.Influence, f.RadiusKm, f.Log = fm.Influence, fm.RadiusKm, fm.Log
	if f.TopicEN == "" {
		return f
	}
	switch fm.Influence {
	case Proximity:
		f.LabelEN = f.TopicEN + " within " + km(fm.RadiusKm)
		f.LabelID = f.TopicID + " dalam " + km(fm.RadiusKm)
	case Density:
		f.LabelEN = f.TopicEN + " (density, " + km(fm.RadiusKm) + ")"
		f.LabelID = f.TopicID + " (kepadatan " + km(fm.RadiusKm) + ")"
	case Kernel:
		f.LabelEN = f.TopicEN + " (kernel density, " + km(fm.RadiusKm) + ")"
		f.LabelID = f.TopicID + " (kepadatan kernel " + km(fm.RadiusKm) + ")"
	default:
		f.LabelEN, f.LabelID = f.TopicEN, f.TopicID
		if fm.Log {
			f.LabelEN += " (log)"
			f.LabelID += " (log)"
		}
	}
	return f
}

// CandidateRadiiKm are the spatial influences tried for point factors (as
// k-rings at res 7: 0, 1, 2, 4 and 6 rings).
var CandidateRadiiKm = []float64{1, 2.5, 5, 7.5, 12}

// Candidates lists the operationalisations tried for f at resolution res,
// its own form first: for a point layer, proximity within each candidate
// radius (counted layers only) and density within each radius as log1p and
// linear; for a kabupaten indicator, linear and log. Forms that give the same
// rings at res are tried once. Kernel factors have no candidates here (their
// bandwidth is chosen with their weight).
func (f Factor) Candidates(res int) []Form {
	own := f.Form()
	out := []Form{own}
	type key struct {
		inf  Influence
		k    int
		log  bool
		area bool
	}
	keyOf := func(fm Form) key {
		if fm.Influence == Area {
			return key{Area, 0, fm.Log, true}
		}
		return key{fm.Influence, hexgrid.Rings(res, fm.RadiusKm), fm.Log && fm.Influence == Density, false}
	}
	seen := map[key]bool{keyOf(own): true}
	add := func(fm Form) {
		if k := keyOf(fm); !seen[k] {
			seen[k] = true
			out = append(out, fm)
		}
	}
	switch f.Influence {
	case Area:
		add(Form{Area, 0, false})
		add(Form{Area, 0, true})
	case Proximity, Density:
		for _, r := range CandidateRadiiKm {
			if !f.Weighted {
				add(Form{Proximity, r, false})
			}
			add(Form{Density, r, true})
			add(Form{Density, r, false})
		}
	}
	return out
}

// CandidateValues computes the raw values of f under each form (forms from
// f.Candidates), sharing one spread per distinct ring count: a density
// within k rings is the sum of the rings up to k, and a proximity is a
// density above zero.
func CandidateValues(sp *hexgrid.Spreader, g *hexgrid.Grid, f Factor, forms []Form, in Inputs) ([][]float64, error) {
	out := make([][]float64, len(forms))
	if f.Influence == Area || f.Influence == Kernel {
		for i, fm := range forms {
			if fm.Influence != f.Influence {
				return nil, fmt.Errorf("risk: factor %s: form %s of another kind of layer", f.Name, fm)
			}
			v, err := ValuesWith(sp, g, []Factor{f.WithForm(fm)}, in)
			if err != nil {
				return nil, err
			}
			out[i] = v[0]
		}
		return out, nil
	}
	src := f.sources(in.Points[f.Layer])
	kmax := 0
	for _, fm := range forms {
		if fm.Influence != Proximity && fm.Influence != Density {
			return nil, fmt.Errorf("risk: factor %s: form %s of another kind of layer", f.Name, fm)
		}
		kmax = max(kmax, hexgrid.Rings(g.Res, fm.RadiusKm))
	}
	dens := map[int][]float64{}
	for i, fm := range forms {
		k := hexgrid.Rings(g.Res, fm.RadiusKm)
		d, ok := dens[k]
		if !ok {
			// One memoised disk size (kmax) for every k: the rings beyond k weigh 0.
			d = sp.Spread(src, kmax, func(r int) float64 {
				if r <= k {
					return 1
				}
				return 0
			})
			dens[k] = d
		}
		if fm.Influence == Density {
			out[i] = d
			continue
		}
		p := make([]float64, len(d))
		for c, v := range d {
			if v > 0 {
				p[c] = 1
			}
		}
		out[i] = p
	}
	return out, nil
}

// offsetData is one candidate column for the Poisson model
// log μᵢ = a + b·xᵢ + offᵢ, reduced to what the fit needs: the cells with
// x = 0 as one sum (s0 = Σ exp(off) over them), the others grouped by their
// value of x (a proximity has one value, a density of counts a few dozen, a
// kabupaten indicator one per kabupaten) with Σ exp(off), Σ y and the
// validation Σ y per group, so an iteration of the fit costs the distinct
// values, not the cells.
type offsetData struct {
	x, e, y, yv []float64 // per group: value, Σ exp(off), Σ y (fit), Σ y (validation)
	s0          float64
	syx         float64 // Σ y·x (fit)
	yTot        float64
	sd          float64 // standard deviation of x over all cells
}

// sparseColumn is the non-zero part of factor f's design column.
func sparseColumn(f Factor, raw []float64) ([]int32, []float64) {
	var nz []int32
	var x []float64
	if f.Influence == Area {
		col, _ := column(f, raw)
		for i, v := range col {
			if v != 0 {
				nz, x = append(nz, int32(i)), append(x, v)
			}
		}
		return nz, x
	}
	for i, v := range raw {
		if v != 0 && !math.IsNaN(v) {
			if t := f.Transform(v); t != 0 {
				nz, x = append(nz, int32(i)), append(x, t)
			}
		}
	}
	return nz, x
}

func newOffsetData(nz []int32, x, e []float64, eTot float64, y, yv []float64, yTot float64, n int) *offsetData {
	d := &offsetData{s0: eTot, yTot: yTot}
	group := map[float64]int{}
	var sx, sxx float64
	for k, i := range nz {
		v := x[k]
		g, ok := group[v]
		if !ok {
			g = len(d.x)
			group[v] = g
			d.x, d.e, d.y, d.yv = append(d.x, v), append(d.e, 0), append(d.y, 0), append(d.yv, 0)
		}
		d.e[g] += e[i]
		d.y[g] += y[i]
		d.yv[g] += yv[i]
		d.s0 -= e[i]
		sx += v
		sxx += v * v
	}
	for g, v := range d.x {
		d.syx += d.y[g] * v
	}
	d.s0 = math.Max(d.s0, 0) // rounding
	m := sx / float64(n)
	d.sd = math.Sqrt(math.Max(0, sxx/float64(n)-m*m))
	return d
}

// fit returns b maximising the profile Poisson log-likelihood
// Σ y·b·x − Y·log(Σ exp(off + b·x)) − ridge·b²/2 (a = log Y − log Σ…) by
// Newton's method (a step that does not improve is halved).
func (d *offsetData) fit(ridge float64) float64 {
	if len(d.x) == 0 || d.yTot == 0 {
		return 0
	}
	pass := func(b float64) (obj, grad, hess float64) {
		s, sx, sxx := d.s0, 0.0, 0.0
		for g, x := range d.x {
			e := d.e[g] * math.Exp(b*x)
			s += e
			sx += e * x
			sxx += e * x * x
		}
		m1, m2 := sx/s, sxx/s
		return d.syx*b - d.yTot*math.Log(s) - ridge*b*b/2, d.syx - d.yTot*m1 - ridge*b, d.yTot*(m2-m1*m1) + ridge
	}
	tol := 1e-5 / math.Max(d.sd, 1e-12) // a 1e-5 change of the standardised coefficient
	b := 0.0
	obj, grad, hess := pass(b)
	for it := 0; it < 40 && hess > 0; it++ {
		step := grad / hess
		for h := 0; ; h++ {
			o2, g2, h2 := pass(b + step)
			if o2 >= obj && !math.IsNaN(o2) {
				b, obj, grad, hess = b+step, o2, g2, h2
				break
			}
			if h == 20 {
				return b
			}
			step /= 2
		}
		if math.Abs(step) < tol {
			break
		}
	}
	return b
}

// sum is Σ exp(off + b·x) over all cells.
func (d *offsetData) sum(b float64) float64 {
	s := d.s0
	for g, x := range d.x {
		s += d.e[g] * math.Exp(b*x)
	}
	return s
}

// shareLL is the log-likelihood of the validation counts under the cells'
// shares of exp(off + b·x), less the part Σ yv·off that every candidate of
// a factor shares: the multinomial score of where later cases fall,
// whatever their total.
func (d *offsetData) shareLL(b float64, yvTot float64) float64 {
	var s float64
	for g, x := range d.x {
		s += d.yv[g] * b * x
	}
	return s - yvTot*math.Log(d.sum(b))
}

// FormScore is one candidate's validation score: the gain in log-likelihood
// per validation case over the factor's own form, summed over the kinds the
// factor is offered to (0 for the own form).
type FormScore struct {
	Form Form    `json:"-"`
	Name string  `json:"form"`
	Gain float64 `json:"gain_per_case"`
}

// FormChoice records the operationalisation chosen for one factor.
type FormChoice struct {
	Factor     string      `json:"factor"`
	Chosen     string      `json:"chosen"`
	Default    string      `json:"default"`
	Candidates []FormScore `json:"candidates"`
}

// SelectForms chooses each factor's operationalisation by out-of-time
// validation: the model with the factor table's own forms is fitted on the
// earlier part of the training window (yFit, per kind), then factor by
// factor each candidate form replaces the current one, its coefficient
// refitted with the other factors' contributions held as an offset, and the
// candidate scored by the log-likelihood of where the later cases (yVal)
// fall. A factor shared by the kinds gets one form for both (the cells store
// one value per factor), chosen on the summed gain per case; the best form
// is kept and becomes the offset for the next factor. candidates(j) returns
// factor j's forms and their raw values; raw are the own forms' values.
// Returns the factors with their chosen forms, the record, and per kind the
// linear predictor of the updated model on the cells (for the blend).
func SelectForms(fs []Factor, raw [][]float64, candidates func(j int) ([]Form, [][]float64, error),
	kindNames []string, yFit, yVal map[string][]float64, o FitOptions) ([]Factor, []FormChoice, map[string][]float64, error) {
	eta := map[string][]float64{}
	coef := map[string][]float64{}
	cols := make([][]float64, len(fs))
	for j, f := range fs {
		cols[j], _ = column(f, raw[j])
	}
	// A kind without cases in the fit or the validation window has nothing
	// to choose by: it keeps out of the choice.
	var usable []string
	for _, kind := range kindNames {
		var f, v float64
		for i := range yFit[kind] {
			f += yFit[kind][i]
		}
		for i := range yVal[kind] {
			v += yVal[kind][i]
		}
		if f > 0 && v > 0 {
			usable = append(usable, kind)
		}
	}
	kindNames = usable
	// The kinds' base fits are independent: one goroutine each.
	models := make([]*Model, len(kindNames))
	errs := make([]error, len(kindNames))
	var wg sync.WaitGroup
	for ki, kind := range kindNames {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One fit with every factor (no backward selection: the
			// offsets only need a good predictor, and the final fit
			// selects), a threshold no z² falls under.
			bo := o
			bo.KeepZ2 = 1e-300
			models[ki], errs[ki] = Train(kind, fs, raw, yFit[kind], bo)
		}()
	}
	wg.Wait()
	for ki, kind := range kindNames {
		if errs[ki] != nil {
			return nil, nil, nil, fmt.Errorf("risk: select forms: %w", errs[ki])
		}
		m := models[ki]
		e := make([]float64, len(yFit[kind]))
		c := make([]float64, len(fs))
		for j := range fs {
			if m.Fit.Kept[j] {
				c[j] = m.Fit.Coef[j]
				for i, v := range cols[j] {
					e[i] += c[j] * v
				}
			}
		}
		eta[kind], coef[kind] = e, c
	}
	valTot, fitTot := map[string]float64{}, map[string]float64{}
	for _, kind := range kindNames {
		for _, v := range yVal[kind] {
			valTot[kind] += v
		}
		for _, v := range yFit[kind] {
			fitTot[kind] += v
		}
	}
	if len(raw) == 0 {
		return nil, nil, nil, fmt.Errorf("risk: select forms: no factors")
	}
	n := len(raw[0])
	out := make([]Factor, len(fs))
	copy(out, fs)
	var record []FormChoice
	// The next factor's candidate columns are computed while this one's
	// are scored (candidates is called from one goroutine, in order).
	type candSet struct {
		forms []Form
		vals  [][]float64
		err   error
	}
	next := make(chan candSet, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(next)
		for j, f := range fs {
			var cs candSet
			if f.Influence != Kernel {
				cs.forms, cs.vals, cs.err = candidates(j)
			}
			select {
			case next <- cs:
			case <-stop:
				return
			}
		}
	}()
	for j, f := range fs {
		cs := <-next
		if f.Influence == Kernel {
			continue
		}
		forms, vals, err := cs.forms, cs.vals, cs.err
		if err != nil {
			return nil, nil, nil, err
		}
		if len(forms) < 2 {
			continue
		}
		gain := make([]float64, len(forms))
		bs := map[string][]float64{}
		offs := map[string][]float64{}
		cand := make([]sparseCol, len(forms))
		for c := range forms {
			cand[c].nz, cand[c].x = sparseColumn(f.WithForm(forms[c]), vals[c])
		}
		per := make([]*kindGain, len(kindNames))
		var kwg sync.WaitGroup
		for ki, kind := range kindNames {
			if !f.For(kind) || valTot[kind] == 0 {
				continue
			}
			kwg.Add(1)
			go func() {
				defer kwg.Done()
				per[ki] = formGains(f, j, forms, cand, eta[kind], coef[kind], cols[j], yFit[kind], yVal[kind], fitTot[kind], valTot[kind], o.Ridge)
			}()
		}
		kwg.Wait()
		for ki, kind := range kindNames {
			if per[ki] == nil {
				continue
			}
			offs[kind], bs[kind] = per[ki].off, per[ki].b
			for c := range gain {
				gain[c] += per[ki].gain[c]
			}
		}
		best := 0
		for c := range forms {
			if gain[c] > gain[best]+1e-12 {
				best = c
			}
		}
		ch := FormChoice{Factor: f.Name, Chosen: forms[best].String(), Default: forms[0].String()}
		for c, fm := range forms {
			ch.Candidates = append(ch.Candidates, FormScore{Form: fm, Name: fm.String(), Gain: gain[c]})
		}
		record = append(record, ch)
		out[j] = f.WithForm(forms[best])
		col := make([]float64, n)
		for k, i := range cand[best].nz {
			col[i] = cand[best].x[k]
		}
		cols[j] = col
		for kind, off := range offs {
			b := bs[kind][best]
			coef[kind][j] = b
			e := eta[kind]
			for i := range e {
				e[i] = off[i] + b*col[i]
			}
		}
	}
	return out, record, eta, nil
}

// sparseCol is a design column's non-zero cells and values.
type sparseCol struct {
	nz []int32
	x  []float64
}

// kindGain is one kind's part of a factor's form choice: the offset (the
// other factors' contributions), each candidate's coefficient and its gain
// in validation log-likelihood per case over the first candidate.
type kindGain struct {
	off, b, gain []float64
}

// formGains scores factor j's candidate columns for one kind.
func formGains(f Factor, j int, forms []Form, cand []sparseCol, eta, coef, cur, yFit, yVal []float64, fitTot, valTot, ridge float64) *kindGain {
	n := len(eta)
	kg := &kindGain{off: make([]float64, n), b: make([]float64, len(forms)), gain: make([]float64, len(forms))}
	ex := make([]float64, n)
	var eTot float64
	for i := range kg.off {
		kg.off[i] = eta[i] - coef[j]*cur[i]
		ex[i] = math.Exp(kg.off[i])
		eTot += ex[i]
	}
	var base float64
	for c := range forms {
		d := newOffsetData(cand[c].nz, cand[c].x, ex, eTot, yFit, yVal, fitTot, n)
		if d.sd > 0 {
			// the ridge on the standardised coefficient, as in FitCounts
			kg.b[c] = d.fit(ridge / (d.sd * d.sd))
		}
		ll := d.shareLL(kg.b[c], valTot) / valTot
		if c == 0 {
			base = ll
		}
		kg.gain[c] = ll - base
	}
	return kg
}
