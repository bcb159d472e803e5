package riskrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/waspada-id/waspada/geo/hexgrid"
	"github.com/waspada-id/waspada/geo/risk"
)

// BacktestWindow is one forecast window of a rolling-origin backtest.
type BacktestWindow struct {
	Kind                 string
	TrainFrom, TrainTo   time.Time
	From, To             time.Time
	Incidents, Outside   int
	Model, Tuned, Fixed  []risk.Capture // at EvalShares
	TunedKm, Gamma       float64
	ModelKm              float64 // the model's kernel factor bandwidth
	ValModel, ValTunedKD float64 // validation mean PAI inside the training window
}

// Backtest is a rolling-origin evaluation: consecutive windows of
// valMonths months, each predicted by a model fitted in memory on the
// TrainMonths months before it (nothing is written).
type Backtest struct {
	Windows []BacktestWindow
	FixedKm float64
}

// Backtest evaluates n consecutive windows of three months, the last ending
// with the last complete month at or before to (zero: the latest incident).
func (e *Engine) Backtest(ctx context.Context, n int, to time.Time, fixedKm float64, o Options) (*Backtest, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if n < 1 || n > 24 {
		return nil, fmt.Errorf("backtest of %d windows: must be 1..24", n)
	}
	if fixedKm <= 0 {
		return nil, fmt.Errorf("KDE bandwidth %v km: must be positive", fixedKm)
	}
	if to.IsZero() {
		var latest *time.Time
		if err := e.pool.QueryRow(ctx, e.q.Get("latest_incident")).Scan(&latest); err != nil {
			return nil, fmt.Errorf("backtest: latest incident: %w", err)
		}
		if latest == nil {
			return nil, errors.New("backtest: no tppo or pmi incidents: import incidents first")
		}
		to = *latest
	}
	last := monthOf(to)
	if !to.Equal(last.last()) {
		last-- // the window ends with a complete month
	}
	ge, err := loadGrid(ctx, e.pool, e.q, o.Res, o.BandKm, o.GiRings)
	if err != nil {
		return nil, err
	}
	bt := &Backtest{FixedKm: fixedKm}
	for wi := n - 1; wi >= 0; wi-- {
		wEnd := last - month(wi*valMonths)
		wFrom := wEnd - valMonths + 1
		until := (wFrom - 1).last()
		fm, err := e.fitInMemory(ctx, ge.grid, until, o)
		if err != nil {
			return nil, fmt.Errorf("backtest window %s: %w", wFrom.first().Format("2006-01"), err)
		}
		inc, err := e.loadIncidents(ctx, fm.trainFrom, wEnd.last())
		if err != nil {
			return nil, err
		}
		for _, kind := range kinds {
			w, err := newWindowEval(ge.grid, inc, kind, fm.trainFrom, until, wFrom.first(), wEnd.last())
			if err != nil {
				return nil, fmt.Errorf("backtest window %s: %w", wFrom.first().Format("2006-01"), err)
			}
			bw := BacktestWindow{Kind: kind, TrainFrom: fm.trainFrom, TrainTo: until, From: wFrom.first(), To: wEnd.last(),
				Incidents: w.incidents, Outside: w.outside}
			if bw.Model, err = w.capture(fm.models[kind].ScoreOnly(fm.raw)); err != nil {
				return nil, err
			}
			tuned, km, err := w.tunedKDE()
			if err != nil {
				return nil, err
			}
			bw.TunedKm = km
			if bw.Tuned, err = w.capture(tuned); err != nil {
				return nil, err
			}
			if bw.Fixed, err = w.capture(w.kde.Density(w.training, 1, []float64{fixedKm})[0]); err != nil {
				return nil, err
			}
			if j := kernelFactor(fm.factors, kind); j < 0 {
			} else if bl := fm.sel.blendOf(kind, fm.factors[j].Name); bl != nil {
				bw.Gamma, bw.ModelKm, bw.ValModel, bw.ValTunedKD = bl.Gamma, bl.BandwidthKm, bl.ValModel, bl.ValKDE
			}
			bt.Windows = append(bt.Windows, bw)
		}
		e.log.Info("risk: backtest window done", "from", wFrom.first().Format(time.DateOnly), "to", wEnd.last().Format(time.DateOnly))
	}
	return bt, nil
}

// fitted is a model pair fitted in memory for one training window.
type fitted struct {
	trainFrom time.Time
	factors   []risk.Factor
	raw       [][]float64
	models    map[string]*risk.Model
	sel       *Selection
}

// fitInMemory fits both kinds' models on the TrainMonths months ending at
// until, exactly as a compute does (forms, kernel bandwidth and blend chosen
// on validation inside the window), with the factor values of until's month.
func (e *Engine) fitInMemory(ctx context.Context, grid *hexgrid.Grid, until time.Time, o Options) (*fitted, error) {
	period := monthOf(until)
	trainFrom := (period - month(o.TrainMonths) + 1).first()
	fs := risk.Factors()
	var indNames []string
	for _, f := range fs {
		if f.Influence == risk.Area {
			indNames = append(indNames, f.Layer)
		}
	}
	lay, err := loadLayers(ctx, e.pool, e.q, o.Res, period, indNames, trainFrom.AddDate(-1, 0, 0), trainFrom.AddDate(0, 0, -1))
	if err != nil {
		return nil, err
	}
	inc, err := e.loadIncidents(ctx, trainFrom, until)
	if err != nil {
		return nil, err
	}
	y := countByCell(grid, inc)
	fs, cols, gammas, sel, err := choose(grid, risk.NewKDEGrid(grid), approxAreaKm2(grid), lay, period, fs, inc, trainFrom, until, o.TrainMonths, o.Fit)
	if err != nil {
		return nil, err
	}
	in := lay.inputs(period)
	in.Columns = cols
	raw, err := risk.Values(grid, fs, in)
	if err != nil {
		return nil, err
	}
	out := &fitted{trainFrom: trainFrom, factors: fs, raw: raw, models: map[string]*risk.Model{}, sel: sel}
	for _, kind := range kinds {
		m, err := risk.Train(kind, fs, raw, y[kind], o.Fit)
		if err != nil {
			return nil, err
		}
		if j := kernelFactor(fs, kind); j >= 0 {
			if err := m.SetBlend(j, gammas[kind]); err != nil {
				return nil, err
			}
		}
		out.models[kind] = m
	}
	return out, nil
}

// meanSD is the mean and the sample standard deviation.
func meanSD(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	m := s / float64(len(v))
	if len(v) < 2 {
		return m, 0
	}
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

// Summary is the mean and spread over windows of one ranking's PAI and PEI
// at one share.
type Summary struct {
	PAI, PAISD, PEI, PEISD float64
}

// Summarise returns, for kind, the model's and the tuned KDE's mean ± SD
// at each of EvalShares.
func (bt *Backtest) Summarise(kind string) (model, tuned []Summary) {
	for si := range EvalShares {
		var mp, me, tp, te []float64
		for _, w := range bt.Windows {
			if w.Kind != kind {
				continue
			}
			mp, me = append(mp, w.Model[si].PAI), append(me, w.Model[si].PEI)
			tp, te = append(tp, w.Tuned[si].PAI), append(te, w.Tuned[si].PEI)
		}
		var a, b Summary
		a.PAI, a.PAISD = meanSD(mp)
		a.PEI, a.PEISD = meanSD(me)
		b.PAI, b.PAISD = meanSD(tp)
		b.PEI, b.PEISD = meanSD(te)
		model, tuned = append(model, a), append(tuned, b)
	}
	return model, tuned
}

// Print writes each window and the mean ± SD per kind.
func (bt *Backtest) Print(w io.Writer) {
	for _, kind := range kinds {
		fmt.Fprintf(w, "backtest %s: %d windows of %d months, each trained on the %s before it\n", kind, len(bt.Windows)/len(kinds), valMonths, "12 months")
		fmt.Fprintf(w, "%-23s %5s  %-16s", "window", "cases", "ranking")
		for _, s := range EvalShares {
			fmt.Fprintf(w, "  PAI%2.0f%%  PEI%2.0f%%", s*100, s*100)
		}
		fmt.Fprintln(w)
		for _, bw := range bt.Windows {
			if bw.Kind != kind {
				continue
			}
			win := bw.From.Format("2006-01") + ".." + bw.To.Format("2006-01")
			row := func(name string, cs []risk.Capture) {
				fmt.Fprintf(w, "%-23s %5d  %-16s", win, bw.Incidents, name)
				for _, c := range cs {
					fmt.Fprintf(w, "  %6.2f  %6.2f", c.PAI, c.PEI)
				}
				fmt.Fprintln(w)
			}
			row(fmt.Sprintf("model (γ %g)", bw.Gamma), bw.Model)
			row(fmt.Sprintf("KDE tuned %g km", bw.TunedKm), bw.Tuned)
			row(fmt.Sprintf("KDE %g km", bt.FixedKm), bw.Fixed)
		}
		m, t := bt.Summarise(kind)
		for _, r := range []struct {
			name string
			s    []Summary
		}{{"model", m}, {"tuned KDE", t}} {
			fmt.Fprintf(w, "%-23s %5s  %-16s", "mean ± SD", "", r.name)
			for _, s := range r.s {
				fmt.Fprintf(w, "  %.2f±%.2f %.2f±%.2f", s.PAI, s.PAISD, s.PEI, s.PEISD)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
	}
}
