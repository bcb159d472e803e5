package riskrun

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
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
	rows, err := e.pool.Query(ctx, e.q.Get("factors_of_run"), run.ID, kind)
	if err != nil {
		return fmt.Errorf("export: factors: %w", err)
	}
	header := []string{"h3", "score", "gi_z", "gi_bin", "kabupaten_code"}
	for rows.Next() {
		var ord int16
		var name, lid, len_ string
		var coef, rr float64
		var kept bool
		if err := rows.Scan(&ord, &name, &lid, &len_, &coef, &rr, &kept); err != nil {
			rows.Close()
			return fmt.Errorf("export: factors: %w", err)
		}
		header = append(header, "contrib_"+name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: factors: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	rows, err = e.pool.Query(ctx, e.q.Get("cells_export"), run.ID, kind, res)
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

// Evaluation compares the latest run with a kernel-density baseline on the
// incidents of a later window.
type Evaluation struct {
	RunID       int64
	Kind        string
	Res         int
	Cells       int
	TrainFrom   time.Time
	TrainUntil  time.Time
	From, To    time.Time
	Incidents   int // in the window
	Outside     int // of which outside the grid (count as misses for both)
	Training    int // training incidents the baseline is built from
	BandwidthKm float64
	Model       []risk.Capture
	Baseline    []risk.Capture
}

// Shares evaluated: the top 10% and 20% of cells.
var evalShares = []float64{0.10, 0.20}

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

	ev := &Evaluation{RunID: run.ID, Kind: kind, Res: run.Res, Cells: g.Len(), TrainFrom: trainFrom, TrainUntil: run.Until,
		From: from, To: to, BandwidthKm: bandwidthKm}
	hits := make([]float64, g.Len())
	var training []hexgrid.Source
	rows, err = e.pool.Query(ctx, e.q.Get("incidents"), trainFrom, to)
	if err != nil {
		return nil, fmt.Errorf("evaluate: incidents: %w", err)
	}
	for rows.Next() {
		var k string
		var day time.Time
		var c int64
		if err := rows.Scan(&k, &day, &c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("evaluate: incidents: %w", err)
		}
		if k != kind {
			continue
		}
		switch {
		case !day.After(run.Until):
			training = append(training, hexgrid.Source{Cell: h3.Cell(c), Weight: 1})
		case !day.Before(from):
			ev.Incidents++
			if i, ok := g.Locate(h3.Cell(c)); ok {
				hits[i]++
			} else {
				ev.Outside++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: incidents: %w", err)
	}
	ev.Training = len(training)
	if ev.Incidents == 0 {
		return nil, fmt.Errorf("no %s incidents between %s and %s", kind, from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	area := g.CellAreaKm2()
	inGrid := float64(ev.Incidents-ev.Outside) / float64(ev.Incidents)
	capture := func(s []float64) ([]risk.Capture, error) {
		cs, err := risk.Evaluate(s, hits, area, evalShares)
		if err != nil {
			return nil, err
		}
		for i := range cs { // incidents outside the grid are misses
			cs[i].HitRate *= inGrid
			cs[i].PAI *= inGrid
		}
		return cs, nil
	}
	if ev.Model, err = capture(score); err != nil {
		return nil, err
	}
	if ev.Baseline, err = capture(risk.KDE(g, training, bandwidthKm)); err != nil {
		return nil, err
	}
	return ev, nil
}

// Print writes the evaluation as a small table.
func (ev *Evaluation) Print(w io.Writer) {
	fmt.Fprintf(w, "risk evaluate %s: run %d (res %d, %d cells), trained on %s..%s (%d incidents)\n",
		ev.Kind, ev.RunID, ev.Res, ev.Cells, ev.TrainFrom.Format(time.DateOnly), ev.TrainUntil.Format(time.DateOnly), ev.Training)
	fmt.Fprintf(w, "held-out window %s..%s: %d incidents (%d outside the grid, counted as misses)\n",
		ev.From.Format(time.DateOnly), ev.To.Format(time.DateOnly), ev.Incidents, ev.Outside)
	fmt.Fprintf(w, "%-34s", "")
	for _, s := range evalShares {
		fmt.Fprintf(w, "  top %2.0f%%: hit rate   PAI", s*100)
	}
	fmt.Fprintln(w)
	line := func(name string, cs []risk.Capture) {
		fmt.Fprintf(w, "%-34s", name)
		for _, c := range cs {
			fmt.Fprintf(w, "  %17.1f%%  %5.2f", c.HitRate*100, c.PAI)
		}
		fmt.Fprintln(w)
	}
	line("risk model", ev.Model)
	line(fmt.Sprintf("KDE baseline (Gaussian, %.0f km)", ev.BandwidthKm), ev.Baseline)
	verdict := "does NOT beat"
	if ev.Model[0].PAI > ev.Baseline[0].PAI {
		verdict = "beats"
	}
	fmt.Fprintf(w, "model %s the KDE baseline on PAI at the top 10%% (%.2f vs %.2f)\n", verdict, ev.Model[0].PAI, ev.Baseline[0].PAI)
}
