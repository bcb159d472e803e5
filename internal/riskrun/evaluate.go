package riskrun

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/store"
)

// Export writes the cells of the latest run for kind at resolution res (0:
// the run's analysis resolution) as CSV: h3,score,gi_z,gi_bin,kabupaten_code
// then one contribution column per factor (contrib_<name>).
func (e *Engine) Export(ctx context.Context, w io.Writer, kind string, res int) error {
	if err := checkKind(kind); err != nil {
		return err
	}
	run, err := e.LatestRun(ctx)
	if err != nil {
		return err
	}
	if res == 0 {
		res = run.Res
	}
	if res < 5 || res > run.Res {
		return fmt.Errorf("resolution %d: run %d holds resolutions 5..%d", res, run.ID, run.Res)
	}
	names, _, err := e.runFactors(ctx, run.ID, kind)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	header := []string{"h3", "score", "gi_z", "gi_bin", "kabupaten_code"}
	for _, name := range names {
		header = append(header, "contrib_"+name)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	rows, err := e.pool.Query(ctx, e.q.Get("cells_export"), run.ID, kind, res)
	if err != nil {
		return fmt.Errorf("export: cells: %w", err)
	}
	defer rows.Close()
	rec := make([]string, len(header))
	for rows.Next() {
		var cell int64
		var score float64
		var giZ *float64
		var bin *int16
		var kab *string
		var packed []byte
		if err := rows.Scan(&cell, &score, &giZ, &bin, &kab, &packed); err != nil {
			return fmt.Errorf("export: cells: %w", err)
		}
		contrib, err := store.UnpackFloat32s(packed)
		if err != nil {
			return fmt.Errorf("export: cell %x: %w", cell, err)
		}
		rec = rec[:0]
		rec = append(rec, h3.Cell(cell).String(), strconv.FormatFloat(score, 'g', 8, 64), "", "", "")
		if giZ != nil {
			rec[2] = strconv.FormatFloat(*giZ, 'f', 4, 64)
		}
		if bin != nil {
			rec[3] = strconv.Itoa(int(*bin))
		}
		if kab != nil {
			rec[4] = *kab
		}
		for _, c := range contrib {
			rec = append(rec, strconv.FormatFloat(float64(c), 'g', 6, 32))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: cells: %w", err)
	}
	cw.Flush()
	return cw.Error()
}

func checkKind(kind string) error {
	for _, k := range kinds {
		if k == kind {
			return nil
		}
	}
	return fmt.Errorf("unknown risk kind %q: want tppo or pmi", kind)
}

// Evaluation compares the latest run with kernel-density baselines on the
// incidents of a later window: one of a fixed bandwidth and one whose
// bandwidth was chosen on the run's training window only (the last
// valMonths months scored by a density of the months before).
type Evaluation struct {
	RunID       int64
	Kind        string
	Res         int
	Cells       int
	TrainFrom   time.Time
	TrainUntil  time.Time
	From, To    time.Time
	Incidents   int // in the window
	Outside     int // of which outside the grid (count as misses for all)
	Training    int // training incidents the baselines are built from
	BandwidthKm float64
	Model       []risk.Capture
	Baseline    []risk.Capture // fixed bandwidth
	// TunedKm is the bandwidth chosen inside the training window, Tuned its captures.
	TunedKm float64
	Tuned   []risk.Capture
	// PublishedKm and Published: the same tuned kernel density built only
	// from published base cells of cases (the cases the model may use: see
	// pointsOfKind). The model is held to this one; the two above, built
	// from every single case, show what disclosure control costs.
	PublishedKm float64
	Published   []risk.Capture
}

// EvalShares are the flagged shares evaluated: the top 5 %, 10 % and 20 % of cells.
var EvalShares = []float64{0.05, 0.10, 0.20}

// Evaluate scores the latest run against the kind's incidents in [from, to].
func (e *Engine) Evaluate(ctx context.Context, kind string, from, to time.Time, bandwidthKm float64) (*Evaluation, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, fmt.Errorf("evaluation window %s..%s is empty", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	if bandwidthKm <= 0 {
		return nil, fmt.Errorf("KDE bandwidth %v km: must be positive", bandwidthKm)
	}
	run, err := e.LatestRun(ctx)
	if err != nil {
		return nil, err
	}
	if !from.After(run.Until) {
		return nil, fmt.Errorf("evaluation window starts %s, not after the run's training data (up to %s): the figures would not be out of sample",
			from.Format(time.DateOnly), run.Until.Format(time.DateOnly))
	}
	var params []byte
	if err := e.pool.QueryRow(ctx, "SELECT params FROM risk_run WHERE id = $1", run.ID).Scan(&params); err != nil {
		return nil, fmt.Errorf("evaluate: run params: %w", err)
	}
	var p struct {
		TrainFrom string `json:"train_from"`
	}
	_ = json.Unmarshal(params, &p)
	trainFrom, err := time.Parse(time.DateOnly, p.TrainFrom)
	if err != nil {
		return nil, fmt.Errorf("evaluate: run %d has no training window in its params", run.ID)
	}

	rows, err := e.pool.Query(ctx, e.q.Get("cells_scores"), run.ID, kind, run.Res)
	if err != nil {
		return nil, fmt.Errorf("evaluate: cells: %w", err)
	}
	var cells []h3.Cell
	var codes []string
	scoreBy := map[h3.Cell]float64{}
	for rows.Next() {
		var c int64
		var s float64
		if err := rows.Scan(&c, &s); err != nil {
			rows.Close()
			return nil, fmt.Errorf("evaluate: cells: %w", err)
		}
		cells = append(cells, h3.Cell(c))
		codes = append(codes, "")
		scoreBy[h3.Cell(c)] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: cells: %w", err)
	}
	g, err := hexgrid.FromCells(run.Res, cells, codes)
	if err != nil {
		return nil, err
	}
	score := make([]float64, g.Len())
	for i, c := range g.Cells {
		score[i] = scoreBy[c]
	}
	inc, err := e.loadIncidents(ctx, trainFrom, to)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	ev := &Evaluation{RunID: run.ID, Kind: kind, Res: run.Res, Cells: g.Len(), TrainFrom: trainFrom, TrainUntil: run.Until,
		From: from, To: to, BandwidthKm: bandwidthKm}
	w, err := newWindowEval(g, inc, kind, trainFrom, run.Until, from, to)
	if err != nil {
		return nil, err
	}
	ev.Incidents, ev.Outside, ev.Training = w.incidents, w.outside, len(w.training)
	if ev.Model, err = w.capture(score); err != nil {
		return nil, err
	}
	if ev.Baseline, err = w.capture(w.kde.Density(w.training, 1, []float64{bandwidthKm})[0]); err != nil {
		return nil, err
	}
	tuned, km, err := w.tunedKDE()
	if err != nil {
		return nil, err
	}
	ev.TunedKm = km
	if ev.Tuned, err = w.capture(tuned); err != nil {
		return nil, err
	}
	valFrom := (monthOf(run.Until) - valMonths + 1).first()
	pub, pkm, err := w.tunedKDEOf(pointsOfKind(inc, kind, trainFrom, valFrom.AddDate(0, 0, -1)), pointsOfKind(inc, kind, trainFrom, run.Until))
	if err != nil {
		return nil, err
	}
	ev.PublishedKm = pkm
	if ev.Published, err = w.capture(pub); err != nil {
		return nil, err
	}
	return ev, nil
}

// windowEval holds what scoring rankings on one held-out window needs.
type windowEval struct {
	g                  *hexgrid.Grid
	kde                *risk.KDEGrid
	area, hits         []float64
	incidents, outside int
	inGrid             float64
	training           []risk.LatLng // the training window's cases of the kind
	fitPts             []risk.LatLng // its months before the validation part
	valHits            []float64     // its validation part's cases per cell
	trainFrom, trainTo time.Time
	trainMonths        int
}

func newWindowEval(g *hexgrid.Grid, inc []incidentPoint, kind string, trainFrom, trainTo, from, to time.Time) (*windowEval, error) {
	w := &windowEval{g: g, kde: risk.NewKDEGrid(g), area: approxAreaKm2(g), hits: make([]float64, g.Len()),
		trainFrom: trainFrom, trainTo: trainTo, trainMonths: int(monthOf(trainTo)-monthOf(trainFrom)) + 1, valHits: make([]float64, g.Len())}
	valFrom := (monthOf(trainTo) - valMonths + 1).first()
	for _, p := range inc {
		if p.kind != kind {
			continue
		}
		switch {
		case !p.day.Before(trainFrom) && !p.day.After(trainTo):
			w.training = append(w.training, risk.LatLng{Lat: p.lat, Lng: p.lon})
			if p.day.Before(valFrom) {
				w.fitPts = append(w.fitPts, risk.LatLng{Lat: p.lat, Lng: p.lon})
			} else if c, ok := pointCell(p.lon, p.lat, g.Res); ok {
				if i, ok := g.Lookup(c); ok {
					w.valHits[i]++
				}
			}
		case !p.day.Before(from) && !p.day.After(to):
			w.incidents++
			c, ok := pointCell(p.lon, p.lat, g.Res)
			i, in := 0, false
			if ok {
				i, in = g.Lookup(c)
			}
			if in {
				w.hits[i]++
			} else {
				w.outside++
			}
		}
	}
	if w.incidents == 0 {
		return nil, fmt.Errorf("no %s incidents between %s and %s", kind, from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	w.inGrid = float64(w.incidents-w.outside) / float64(w.incidents)
	return w, nil
}

// capture evaluates a ranking at EvalShares; incidents outside the grid are misses.
func (w *windowEval) capture(s []float64) ([]risk.Capture, error) {
	cs, err := risk.Evaluate(s, w.hits, w.area, EvalShares)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].HitRate *= w.inGrid
		cs[i].PAI *= w.inGrid
	}
	return cs, nil
}

// tunedKDE is the kernel density of the training cases at the bandwidth
// (risk.KDEBandwidthsKm) that best ranked the training window's last
// valMonths months from its months before, and that bandwidth. A training
// window too short to split keeps 5 km.
func (w *windowEval) tunedKDE() ([]float64, float64, error) {
	return w.tunedKDEOf(w.fitPts, w.training)
}

// tunedKDEOf is tunedKDE for other case points: fit (the months before the
// validation part) choose the bandwidth, training is smoothed with it.
func (w *windowEval) tunedKDEOf(fitPts, training []risk.LatLng) ([]float64, float64, error) {
	km := 5.0
	if w.trainMonths >= 2*valMonths && len(fitPts) > 0 {
		dens := w.kde.Density(fitPts, 1, risk.KDEBandwidthsKm)
		b, _, err := risk.TuneKDE(dens, risk.KDEBandwidthsKm, w.valHits, w.area)
		if err != nil {
			return nil, 0, err
		}
		km = risk.KDEBandwidthsKm[b]
	}
	return w.kde.Density(training, 1, []float64{km})[0], km, nil
}

// Print writes the evaluation as a small table.
func (ev *Evaluation) Print(w io.Writer) {
	fmt.Fprintf(w, "risk evaluate %s: run %d (res %d, %d cells), trained on %s..%s (%d incidents)\n",
		ev.Kind, ev.RunID, ev.Res, ev.Cells, ev.TrainFrom.Format(time.DateOnly), ev.TrainUntil.Format(time.DateOnly), ev.Training)
	fmt.Fprintf(w, "held-out window %s..%s: %d incidents (%d outside the grid, counted as misses)\n",
		ev.From.Format(time.DateOnly), ev.To.Format(time.DateOnly), ev.Incidents, ev.Outside)
	fmt.Fprintf(w, "%-38s", "")
	for _, s := range EvalShares {
		fmt.Fprintf(w, "  top %2.0f%%: hit rate   PAI   PEI", s*100)
	}
	fmt.Fprintln(w)
	line := func(name string, cs []risk.Capture) {
		fmt.Fprintf(w, "%-38s", name)
		for _, c := range cs {
			fmt.Fprintf(w, "  %17.1f%%  %5.2f  %4.2f", c.HitRate*100, c.PAI, c.PEI)
		}
		fmt.Fprintln(w)
	}
	line("risk model", ev.Model)
	line(fmt.Sprintf("KDE baseline (Gaussian, %g km)", ev.BandwidthKm), ev.Baseline)
	line(fmt.Sprintf("KDE tuned on training (%g km)", ev.TunedKm), ev.Tuned)
	line(fmt.Sprintf("same, published case cells (%g km)", ev.PublishedKm), ev.Published)
	i10 := shareIndex(0.10)
	verdict := "does NOT beat"
	if ev.Model[i10].PAI > ev.Baseline[i10].PAI {
		verdict = "beats"
	}
	fmt.Fprintf(w, "model %s the KDE baseline on PAI at the top 10%% (%.2f vs %.2f)\n", verdict, ev.Model[i10].PAI, ev.Baseline[i10].PAI)
	verdict = "does NOT beat"
	if ev.Model[i10].PAI >= ev.Tuned[i10].PAI {
		verdict = "matches or beats"
	}
	fmt.Fprintf(w, "model %s the tuned KDE on PAI at the top 10%% (%.2f vs %.2f)\n", verdict, ev.Model[i10].PAI, ev.Tuned[i10].PAI)
	verdict = "does NOT beat"
	if ev.Model[i10].PAI >= ev.Published[i10].PAI {
		verdict = "matches or beats"
	}
	fmt.Fprintf(w, "model %s the tuned KDE of published case cells on PAI at the top 10%% (%.2f vs %.2f)\n", verdict, ev.Model[i10].PAI, ev.Published[i10].PAI)
}

// shareIndex is the index of share in EvalShares.
func shareIndex(share float64) int {
	for i, s := range EvalShares {
		if s == share {
			return i
		}
	}
	return 0
}

// ExportFactors writes the latest run's factors for kind as CSV: ord, name,
// label_en, form (the operationalisation used), default_form (the factor
// table's), kept, coefficient, rr, and the candidates tried with their
// validation scores ("form=gain per case" for layers; for the kernel factor
// "bandwidth km=mean PAI" then "γ=mean PAI").
func (e *Engine) ExportFactors(ctx context.Context, w io.Writer, kind string) error {
	if err := checkKind(kind); err != nil {
		return err
	}
	run, err := e.LatestRun(ctx)
	if err != nil {
		return err
	}
	var model []byte
	if err := e.pool.QueryRow(ctx, "SELECT model FROM risk_run WHERE id = $1", run.ID).Scan(&model); err != nil {
		return fmt.Errorf("export factors: run model: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(model, &m); err != nil {
		return fmt.Errorf("export factors: run %d model: %w", run.ID, err)
	}
	var km struct {
		Factors []struct {
			Name string  `json:"name"`
			Form string  `json:"form"`
			Kept bool    `json:"kept"`
			Coef float64 `json:"coefficient"`
			RR   float64 `json:"rr"`
		} `json:"factors"`
	}
	if err := json.Unmarshal(m[kind], &km); err != nil {
		return fmt.Errorf("export factors: run %d model of %s: %w", run.ID, kind, err)
	}
	var sel Selection
	if v, ok := m["validation"]; ok {
		if err := json.Unmarshal(v, &sel); err != nil {
			return fmt.Errorf("export factors: run %d validation record: %w", run.ID, err)
		}
	}
	choices := map[string]risk.FormChoice{}
	for _, c := range sel.Forms {
		choices[c.Factor] = c
	}
	_, labels, err := e.runFactors(ctx, run.ID, kind)
	if err != nil {
		return fmt.Errorf("export factors: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"ord", "name", "label_en", "form", "default_form", "kept", "coefficient", "rr", "candidates"}); err != nil {
		return err
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for j, f := range km.Factors {
		var def string
		var cands []string
		if c, ok := choices[f.Name]; ok {
			def = c.Default
			for _, s := range c.Candidates {
				cands = append(cands, s.Name+"="+g(s.Gain))
			}
		} else if bl := sel.blendOf(kind, f.Name); bl != nil {
			for _, b := range bl.Bandwidths {
				cands = append(cands, g(b.BandwidthKm)+" km="+g(b.MeanPAI))
			}
			for _, s := range bl.Gammas {
				cands = append(cands, "γ "+g(s.Gamma)+"="+g(s.MeanPAI))
			}
		}
		if err := cw.Write([]string{strconv.Itoa(j), f.Name, labels[f.Name], f.Form, def, strconv.FormatBool(f.Kept),
			g(f.Coef), g(f.RR), strings.Join(cands, "; ")}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// runFactors lists a run's factors of a kind in their stored order, with
// their English labels by name.
func (e *Engine) runFactors(ctx context.Context, runID int64, kind string) ([]string, map[string]string, error) {
	rows, err := e.pool.Query(ctx, e.q.Get("factors_of_run"), runID, kind)
	if err != nil {
		return nil, nil, fmt.Errorf("factors: %w", err)
	}
	defer rows.Close()
	var names []string
	labels := map[string]string{}
	for rows.Next() {
		var ord int16
		var name, lid, len_ string
		var coef, rr float64
		var kept bool
		if err := rows.Scan(&ord, &name, &lid, &len_, &coef, &rr, &kept); err != nil {
			return nil, nil, fmt.Errorf("factors: %w", err)
		}
		names = append(names, name)
		labels[name] = len_
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("factors: %w", err)
	}
	return names, labels, nil
}
