package risk

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// FitOptions tunes the count regression.
type FitOptions struct {
	// Ridge is the L2 penalty on the standardised coefficients (the intercept
	// is not penalised). A small value keeps the fit finite when a factor
	// separates the data (no incident ever near it) or two factors are collinear.
	Ridge float64
	// NegBin fits a negative binomial (NB2) with its dispersion estimated by
	// moments from the Poisson fit, so overdispersed counts do not make every
	// factor look significant.
	NegBin  bool
	MaxIter int
	Tol     float64
	// KeepZ2 is the squared Wald z a factor needs to stay in the model; 0
	// means log(n), the BIC threshold (dropping a parameter changes the
	// deviance by about z², BIC charges log(n) per parameter).
	KeepZ2 float64
}

// DefaultFitOptions: NB2, light ridge, BIC-threshold selection.
func DefaultFitOptions() FitOptions {
	return FitOptions{Ridge: 1, NegBin: true, MaxIter: 50, Tol: 1e-8}
}

// Fit is a fitted log-linear count model η = Intercept + Σ Coef[j]·x[j].
type Fit struct {
	Intercept float64
	Coef      []float64 // per column, on the columns' own scale; 0 when dropped
	SE        []float64 // standard errors (penalised information), 0 when dropped
	Z         []float64
	Kept      []bool
	Alpha     float64 // NB2 dispersion (0: Poisson)
	N         int
	Events    float64
	Deviance  float64 // Poisson deviance of the final fit
	NullDev   float64 // Poisson deviance of the intercept-only model
	Iter      int     // IRLS iterations of the final fit
	Dropped   []string
}

// FitCounts regresses counts y on the columns X (X[j][i] is column j at cell
// i), selecting columns by backward elimination: fit all, drop the column with
// the smallest z² while it is below the threshold, refit. Columns that do not
// vary are dropped at once.
func FitCounts(X [][]float64, y []float64, names []string, o FitOptions) (*Fit, error) {
	n := len(y)
	p := len(X)
	if len(names) != p {
		return nil, fmt.Errorf("risk: %d columns but %d names", p, len(names))
	}
	for j := range X {
		if len(X[j]) != n {
			return nil, fmt.Errorf("risk: column %s has %d rows, want %d", names[j], len(X[j]), n)
		}
	}
	if n < 2 {
		return nil, errors.New("risk: fewer than 2 cells")
	}
	var events float64
	for _, v := range y {
		if v < 0 || math.IsNaN(v) {
			return nil, errors.New("risk: negative or NaN count")
		}
		events += v
	}
	if events == 0 {
		return nil, errors.New("risk: no incidents in the training window")
	}
	if o.MaxIter == 0 {
		o.MaxIter = 50
	}
	if o.Tol == 0 {
		o.Tol = 1e-8
	}
	thr := o.KeepZ2
	if thr == 0 {
		thr = math.Log(float64(n))
	}
	// Standardise once: the penalty then treats factors alike whatever their units.
	mean := make([]float64, p)
	sd := make([]float64, p)
	active := make([]bool, p)
	var dropped []string
	for j := range X {
		m, s := meanSD(X[j])
		mean[j], sd[j] = m, s
		active[j] = s > 1e-12
		if !active[j] {
			dropped = append(dropped, names[j]+" (constant)")
		}
	}
	var res *irlsResult
	var start []float64
	var d *design
	for {
		cols := []int{}
		for j := range active {
			if active[j] {
				cols = append(cols, j)
			}
		}
		if d == nil {
			d = buildDesign(X, y, cols, mean, sd)
		}
		var err error
		res, err = irlsPoissonNB(d, cols, o, start)
		if err != nil {
			return nil, err
		}
		worst, worstZ2 := -1, math.Inf(1)
		for k, j := range cols {
			z2 := res.z[k] * res.z[k]
			if z2 < thr && z2 < worstZ2 {
				worst, worstZ2 = j, z2
			}
		}
		if worst < 0 {
			break
		}
		active[worst] = false
		// Warm start the refit from this fit without the dropped column, on
		// the collapsed rows without it (regrouping the groups, not the cells).
		start = []float64{res.b[0]}
		for k, j := range cols {
			if j != worst {
				start = append(start, res.b[k+1])
			} else {
				d = d.without(k + 1)
			}
		}
		dropped = append(dropped, fmt.Sprintf("%s (z²=%.2f < %.2f)", names[worst], worstZ2, thr))
	}
	f := &Fit{Coef: make([]float64, p), SE: make([]float64, p), Z: make([]float64, p), Kept: make([]bool, p),
		Alpha: res.alpha, N: n, Events: events, Iter: res.iter, Dropped: dropped}
	// Back to the columns' own scale: b_j·(x−m)/s = (b_j/s)·x − b_j·m/s.
	f.Intercept = res.b[0]
	for k, j := range res.cols {
		f.Coef[j] = res.b[k+1] / sd[j]
		f.SE[j] = res.se[k] / sd[j]
		f.Z[j] = res.z[k]
		f.Kept[j] = true
		f.Intercept -= res.b[k+1] * mean[j] / sd[j]
	}
	ybar := events / float64(n)
	for i := range y {
		eta := f.Intercept
		for j := range X {
			if f.Kept[j] {
				eta += f.Coef[j] * X[j][i]
			}
		}
		f.Deviance += poissonDev(y[i], math.Exp(eta))
		f.NullDev += poissonDev(y[i], ybar)
	}
	return f, nil
}

// Eta is the linear predictor of row i (without the intercept when intercept is false).
func (f *Fit) Eta(X [][]float64, i int, intercept bool) float64 {
	var eta float64
	if intercept {
		eta = f.Intercept
	}
	for j := range X {
		if f.Kept[j] {
			eta += f.Coef[j] * X[j][i]
		}
	}
	return eta
}

type irlsResult struct {
	cols  []int
	b     []float64 // intercept then standardised coefficients of cols
	se, z []float64 // per col
	alpha float64
	iter  int
}

// design is the standardised design matrix of the active columns with
// identical rows collapsed: most cells have no point factor present and
// differ only by their kabupaten's indicators, so a national grid of 400k
// cells collapses to tens of thousands of distinct rows. For a log-link GLM
// with fixed dispersion the IRLS normal equations of k identical rows are
// those of one row with weight k and the rows' summed response, so the fit
// is exact; Σy² per group keeps the moment estimate of α exact too.
type design struct {
	q       int       // columns including the intercept
	z       []float64 // row-major, q per row, z[0] = 1
	k       []float64 // rows collapsed
	sy, syy []float64
}

func buildDesign(X [][]float64, y []float64, cols []int, mean, sd []float64) *design {
	q := len(cols) + 1
	gr := newGrouper(q, len(y)/8) // a national grid: 400,000 cells, 75,000 groups
	row := make([]float64, q)
	for i := range y {
		row[0] = 1
		for k, j := range cols {
			row[k+1] = (X[j][i] - mean[j]) / sd[j]
		}
		gr.add(row, 1, y[i], y[i]*y[i])
	}
	return gr.d
}

// without is the design with column c (0 is the intercept, so c ≥ 1) left
// out, its groups merged where the remaining values are identical. Groups keep
// the order of their first row, so the result is the one buildDesign would
// give without that column, from tens of thousands of groups instead of every
// cell.
func (d *design) without(c int) *design {
	gr := newGrouper(d.q-1, len(d.k))
	row := make([]float64, 0, d.q-1)
	for g := range d.k {
		r := d.z[g*d.q : (g+1)*d.q]
		row = append(append(row[:0], r[:c]...), r[c+1:]...)
		gr.add(row, d.k[g], d.sy[g], d.syy[g])
	}
	return gr.d
}

// grouper collapses identical design rows (compared by their bits, intercept
// excluded) into one group each, in the order of their first appearance.
// Rows are found by a 64-bit hash of their bits with a chain per hash, not by
// a string key of the row: hashing 400,000 keys of 100 bytes into a map was
// a third of a national fit.
type grouper struct {
	d     *design
	index map[uint64]int32 // hash -> newest group with it
	next  []int32          // group -> older group with the same hash, or -1
	hash  func([]float64) uint64
}

// newGrouper expects about hint groups (sizing the map once instead of
// growing it through every doubling).
func newGrouper(q, hint int) *grouper {
	d := &design{q: q, z: make([]float64, 0, hint*q), k: make([]float64, 0, hint),
		sy: make([]float64, 0, hint), syy: make([]float64, 0, hint)}
	return &grouper{d: d, index: make(map[uint64]int32, hint), next: make([]int32, 0, hint), hash: rowHash}
}

// rowHash mixes the bits of a row's values (FNV-1a over 64-bit words, then
// a final avalanche so that nearby values spread over the map).
func rowHash(v []float64) uint64 {
	h := uint64(14695981039346656037)
	for _, x := range v {
		h ^= math.Float64bits(x)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

func sameBits(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// add counts k rows with values row (row[0] the intercept), summed response
// sy and summed squared response syy.
func (gr *grouper) add(row []float64, k, sy, syy float64) {
	d := gr.d
	q := d.q
	h := gr.hash(row[1:])
	head, ok := gr.index[h]
	g := int32(-1)
	if ok {
		for c := head; c >= 0; c = gr.next[c] {
			if sameBits(d.z[int(c)*q+1:(int(c)+1)*q], row[1:]) {
				g = c
				break
			}
		}
	}
	if g < 0 {
		g = int32(len(d.k))
		if ok {
			gr.next = append(gr.next, head)
		} else {
			gr.next = append(gr.next, -1)
		}
		gr.index[h] = g
		d.z = append(d.z, row...)
		d.k = append(d.k, 0)
		d.sy = append(d.sy, 0)
		d.syy = append(d.syy, 0)
	}
	d.k[g] += k
	d.sy[g] += sy
	d.syy[g] += syy
}

func (d *design) eta(g int, b []float64) float64 {
	var eta float64
	r := d.z[g*d.q : (g+1)*d.q]
	for a, v := range r {
		eta += b[a] * v
	}
	return eta
}

func irlsPoissonNB(d *design, cols []int, o FitOptions, start []float64) (*irlsResult, error) {
	r, err := irls(d, cols, o, 0, start)
	if err != nil || !o.NegBin {
		return r, err
	}
	// NB2 dispersion by moments (Cameron & Trivedi): E[(y−μ)² − y] = α μ².
	var num, den float64
	for g := range d.k {
		mu := math.Exp(d.eta(g, r.b))
		num += d.syy[g] - 2*mu*d.sy[g] + d.k[g]*mu*mu - d.sy[g]
		den += d.k[g] * mu * mu
	}
	alpha := 0.0
	if den > 0 && num > 0 {
		alpha = num / den
	}
	if alpha == 0 {
		return r, nil
	}
	return irls(d, cols, o, alpha, r.b)
}

// irls fits the penalised log-link GLM by Newton's method in IRLS form: with
// μ = exp(η), solve (ZᵀWZ + λP) b = ZᵀWz, P the identity without the
// intercept, for the weights w = μ(1+αy)/(1+αμ)² (the observed information)
// and working response z = η + (y−μ)/((1+αμ)w). α = 0 is Poisson, where this
// is the textbook IRLS (w = μ). For NB2 the usual Fisher weights μ/(1+αμ)
// would converge only linearly (the log link is not NB2's canonical link):
// 13 iterations a fit where Newton takes 4 to 6, to the same optimum, since
// both solve the same penalised score equations. The standard errors are
// still from the expected (Fisher) information at the optimum, as before.
func irls(d *design, cols []int, o FitOptions, alpha float64, start []float64) (*irlsResult, error) {
	q := d.q
	b := make([]float64, q)
	// A cold start begins, as R's glm does, from fitted values taken from the
	// data (μ halfway between each group's mean count and the overall mean)
	// instead of from coefficients: starting from the intercept alone, the
	// first Newton step overshoots η wherever a strong factor is present and
	// each later step can only pull it back by about 1, which took 41 to 43
	// iterations on the national grid where this takes 8 or so.
	var ybar float64
	cold := start == nil
	if cold {
		var s, n float64
		for g := range d.k {
			s += d.sy[g]
			n += d.k[g]
		}
		ybar = s / n
		b[0] = math.Log(ybar)
	} else {
		copy(b, start)
	}
	A := mat.NewSymDense(q, nil)
	rhs := mat.NewVecDense(q, nil)
	var chol mat.Cholesky
	ata := make([]float64, q*q)
	atz := make([]float64, q)
	var iter int
	for iter = 1; iter <= o.MaxIter; iter++ {
		clear(ata)
		clear(atz)
		for g := range d.k {
			row := d.z[g*q : (g+1)*q]
			var eta float64
			if cold && iter == 1 {
				eta = math.Log((d.sy[g]/d.k[g] + ybar) / 2)
			} else {
				eta = d.eta(g, b)
			}
			if eta > 30 {
				eta = 30 // keep exp finite in the first, wild iterations
			}
			mu := math.Exp(eta)
			// Summed over the group's k rows: Σ(1+αy) = k + α·Σy.
			den := 1 + alpha*mu
			w := mu * (d.k[g] + alpha*d.sy[g]) / (den * den)
			if w <= 0 {
				continue // μ underflowed: the group carries no information
			}
			z := eta + (d.sy[g]-d.k[g]*mu)/(den*w)
			accumulate(ata, atz, row, w, z)
		}
		penalised(A, ata, o.Ridge)
		for a := 0; a < q; a++ {
			rhs.SetVec(a, atz[a])
		}
		if ok := chol.Factorize(A); !ok {
			return nil, errors.New("risk: IRLS normal equations are not positive definite")
		}
		var nb mat.VecDense
		if err := chol.SolveVecTo(&nb, rhs); err != nil {
			return nil, fmt.Errorf("risk: IRLS solve: %w", err)
		}
		// Newton steps on the observed information can overshoot far from
		// the optimum (a heavy-tailed linear density, say): a step longer
		// than maxStep on the standardised scale is shortened to it, which
		// keeps the iteration finite without changing where it converges.
		var delta float64
		for a := 0; a < q; a++ {
			delta = math.Max(delta, math.Abs(nb.AtVec(a)-b[a]))
		}
		shrink := 1.0
		if delta > maxStep {
			shrink = maxStep / delta
		}
		for a := 0; a < q; a++ {
			b[a] += shrink * (nb.AtVec(a) - b[a])
		}
		if delta < o.Tol {
			break
		}
	}
	if iter > o.MaxIter {
		iter = o.MaxIter
	}
	if alpha > 0 {
		// The covariance from the expected information k·μ/(1+αμ) at b.
		clear(ata)
		for g := range d.k {
			row := d.z[g*q : (g+1)*q]
			mu := math.Exp(math.Min(d.eta(g, b), 30))
			w := d.k[g] * mu / (1 + alpha*mu)
			accumulate(ata, nil, row, w, 0)
		}
		penalised(A, ata, o.Ridge)
		if ok := chol.Factorize(A); !ok {
			return nil, errors.New("risk: NB information matrix is not positive definite")
		}
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, fmt.Errorf("risk: IRLS covariance: %w", err)
	}
	r := &irlsResult{cols: cols, b: b, alpha: alpha, iter: iter, se: make([]float64, len(cols)), z: make([]float64, len(cols))}
	for k := range cols {
		r.se[k] = math.Sqrt(inv.At(k+1, k+1))
		r.z[k] = b[k+1] / r.se[k]
	}
	return r, nil
}

// penalised sets A to the upper triangle of the row-major ata plus the ridge
// on the diagonal, the intercept (index 0) excepted.
// maxStep bounds one IRLS step of any standardised coefficient.
const maxStep = 4.0

func penalised(A *mat.SymDense, ata []float64, ridge float64) {
	q := A.SymmetricDim()
	for a := 0; a < q; a++ {
		for c := a; c < q; c++ {
			v := ata[a*q+c]
			if a == c && a > 0 {
				v += ridge
			}
			A.SetSym(a, c, v)
		}
	}
}

// accumulate adds w·row·rowᵀ to the upper triangle of the q×q row-major ata
// and, when atz is not nil, w·z·row to atz. The hot loop of every fit (a
// national grid collapses to about 75,000 groups, each visited once an
// iteration), written over subslices so the compiler drops the bounds checks.
func accumulate(ata, atz, row []float64, w, z float64) {
	q := len(row)
	for a, ra := range row {
		wa := w * ra
		if atz != nil {
			atz[a] += wa * z
		}
		src := row[a:]
		dst := ata[a*q+a : a*q+q]
		dst = dst[:len(src)]
		for c, v := range src {
			dst[c] += wa * v
		}
	}
}

func meanSD(x []float64) (float64, float64) {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, math.Sqrt(s / float64(len(x)))
}

func poissonDev(y, mu float64) float64 {
	if y == 0 {
		return 2 * mu
	}
	return 2 * (y*math.Log(y/mu) - (y - mu))
}
