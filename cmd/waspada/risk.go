package main

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"github.com/waspada-id/waspada/internal/riskrun"
)

func (a *app) cmdRisk(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("usage: waspada risk compute|export|evaluate [flags]")
	}
	switch args[0] {
	case "compute":
		return a.riskCompute(ctx, args[1:])
	case "export":
		return a.riskExport(ctx, args[1:])
	case "evaluate":
		return a.riskEvaluate(ctx, args[1:])
	}
	return usagef("unknown risk subcommand %q: want compute, export or evaluate", args[0])
}

func parseDay(flagName, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, usagef("--%s %q: want a date YYYY-MM-DD", flagName, v)
	}
	return t, nil
}

func (a *app) riskCompute(ctx context.Context, args []string) error {
	fs := a.flags("risk compute")
	until := fs.String("until", "", "last day of the training window, YYYY-MM-DD (default: the latest incident)")
	res := fs.Int("res", 7, "analysis H3 resolution, 5..9")
	months := fs.Int("train-months", 12, "months of incidents the fit uses, ending at --until")
	keep := fs.Int("keep", 3, "complete runs to keep (older ones are deleted)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the compute to this file (where the time goes)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *res < 5 || *res > 9 {
		return usagef("--res %d: must be 5..9", *res)
	}
	if *months < 1 || *months > 120 {
		return usagef("--train-months %d: must be 1..120", *months)
	}
	if *keep < 1 {
		return usagef("--keep %d: must be at least 1", *keep)
	}
	o := riskrun.Options{Res: *res, TrainMonths: *months, KeepRuns: *keep}
	if *until != "" {
		t, err := parseDay("until", *until)
		if err != nil {
			return err
		}
		o.Until = t
	}
	e, done, err := a.riskEngine(ctx, 4)
	if err != nil {
		return err
	}
	defer done()
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	r, err := e.Compute(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "risk run %d: period %s, trained on incidents up to %s, res %d: %d cells per kind, %d cell rows in %.1fs\n",
		r.RunID, r.Period.Format("2006-01"), r.Until.Format(time.DateOnly), r.Res, r.Cells, r.Rows, r.Elapsed.Seconds())
	for _, kind := range riskrun.Kinds() {
		m := r.Models[kind]
		fmt.Fprintf(a.stdout, "  %s: %.0f training incidents, dispersion %.3f; kept factors:", kind, m.Fit.Events, m.Fit.Alpha)
		for j, f := range m.Factors {
			if m.Fit.Kept[j] {
				fmt.Fprintf(a.stdout, " %s (RR %.2f)", f.Name, m.RR(j))
			}
		}
		fmt.Fprintln(a.stdout)
	}
	for _, s := range r.Stages {
		fmt.Fprintf(a.stdout, "  %-20s %6.2fs\n", s.Name, s.Elapsed.Seconds())
	}
	return nil
}

func (a *app) riskExport(ctx context.Context, args []string) error {
	fs := a.flags("risk export")
	kind := fs.String("kind", "", "risk kind: tppo or pmi")
	res := fs.Int("res", 0, "H3 resolution (default: the run's analysis resolution)")
	factors := fs.Bool("factors", false, "write the run's factors instead of its cells: the operationalisation chosen for each (form), the factor table's, and the candidates with their validation scores")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *kind != "tppo" && *kind != "pmi" {
		return usagef("--kind %q: want tppo or pmi", *kind)
	}
	if *res != 0 && (*res < 5 || *res > 9) {
		return usagef("--res %d: must be 5..9", *res)
	}
	e, done, err := a.riskEngine(ctx, 2)
	if err != nil {
		return err
	}
	defer done()
	w := bufio.NewWriterSize(a.stdout, 1<<16)
	if *factors {
		if err := e.ExportFactors(ctx, w, *kind); err != nil {
			return err
		}
		return w.Flush()
	}
	if err := e.Export(ctx, w, *kind, *res); err != nil {
		return err
	}
	return w.Flush()
}

func (a *app) riskEvaluate(ctx context.Context, args []string) error {
	fs := a.flags("risk evaluate")
	kind := fs.String("kind", "", "risk kind: tppo or pmi")
	from := fs.String("from", "", "first day of the held-out window, YYYY-MM-DD")
	to := fs.String("to", "", "last day of the held-out window, YYYY-MM-DD (with --backtest: the last window ends with the last complete month up to it; default the latest incident)")
	bw := fs.Float64("bandwidth", 5, "fixed KDE baseline bandwidth in km (the tuned baseline chooses its own on the training window)")
	backtest := fs.Int("backtest", 0, "rolling-origin backtest: N consecutive 3-month windows, each fitted in memory on the 12 months before it (both kinds; nothing is written)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *bw <= 0 {
		return usagef("--bandwidth must be positive")
	}
	if *backtest != 0 {
		if *backtest < 1 || *backtest > 24 {
			return usagef("--backtest %d: must be 1..24", *backtest)
		}
		if *from != "" || *kind != "" {
			return usagef("--backtest evaluates both kinds over its own windows: drop --from and --kind")
		}
		var end time.Time
		if *to != "" {
			t, err := parseDay("to", *to)
			if err != nil {
				return err
			}
			end = t
		}
		e, done, err := a.riskEngine(ctx, 4)
		if err != nil {
			return err
		}
		defer done()
		bt, err := e.Backtest(ctx, *backtest, end, *bw, riskrun.Options{})
		if err != nil {
			return err
		}
		bt.Print(a.stdout)
		return nil
	}
	if *kind != "tppo" && *kind != "pmi" {
		return usagef("--kind %q: want tppo or pmi", *kind)
	}
	if *from == "" || *to == "" {
		return usagef("--from and --to are required (or --backtest N)")
	}
	f, err := parseDay("from", *from)
	if err != nil {
		return err
	}
	t, err := parseDay("to", *to)
	if err != nil {
		return err
	}
	if t.Before(f) {
		return usagef("--to %s is before --from %s", *to, *from)
	}
	e, done, err := a.riskEngine(ctx, 2)
	if err != nil {
		return err
	}
	defer done()
	ev, err := e.Evaluate(ctx, *kind, f, t, *bw)
	if err != nil {
		return err
	}
	ev.Print(a.stdout)
	return nil
}

// riskEngine opens the database with conns connections and the risk engine
// on it; done closes the pool.
func (a *app) riskEngine(ctx context.Context, conns int32) (*riskrun.Engine, func(), error) {
	pool, err := a.openDB(ctx, conns)
	if err != nil {
		return nil, nil, err
	}
	e, err := riskrun.New(pool, a.log)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return e, pool.Close, nil
}
