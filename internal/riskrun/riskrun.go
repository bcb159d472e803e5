// Package riskrun computes and stores risk runs: it loads the layers from
// PostGIS, computes the factors per H3 cell, fits one model per risk kind,
// scores cells at the analysis resolution and its parents, finds hot spots,
// rolls scores up per kabupaten and province for the last periods, and
// writes everything as one versioned run. The method is in the README (Risk method); the
// mathematics lives in geo/risk and geo/hexgrid.
package riskrun

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uber/h3-go/v4"
	"golang.org/x/sync/errgroup"

	"github.com/waspada-id/waspada/geo/hexgrid"
	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Kinds are the modelled risk kinds, in storage order.
var kinds = [...]string{"tppo", "pmi"}

// Kinds returns the risk kinds the engine models.
func Kinds() []string { return kinds[:] }

// Options of a compute. Zero values take the defaults.
type Options struct {
	Until       time.Time // last day of the training window; zero: the latest incident date
	Res         int       // analysis resolution 5..9 (default 7)
	TrainMonths int       // months of incidents the fit uses, ending at Until (default 12)
	BandKm      float64   // coastal band width (default 3)
	GiRings     int       // Gi* neighbourhood in k-rings (default 2)
	Periods     int       // rollup periods up to the run's period (default 12)
	KeepRuns    int       // complete runs kept after this one (default 3)
	Fit         risk.FitOptions
}

func (o *Options) defaults() error {
	if o.Res == 0 {
		o.Res = 7
	}
	if o.Res < 5 || o.Res > 9 {
		return fmt.Errorf("resolution %d: must be 5..9", o.Res)
	}
	if o.TrainMonths == 0 {
		o.TrainMonths = 12
	}
	if o.TrainMonths < 1 || o.TrainMonths > 120 {
		return fmt.Errorf("training window of %d months: must be 1..120", o.TrainMonths)
	}
	if o.BandKm == 0 {
		o.BandKm = 3
	}
	if o.GiRings == 0 {
		o.GiRings = 2
	}
	if o.Periods == 0 {
		o.Periods = 12
	}
	if o.Periods < 1 || o.Periods > 60 {
		return fmt.Errorf("%d rollup periods: must be 1..60", o.Periods)
	}
	if o.KeepRuns == 0 {
		o.KeepRuns = 3
	}
	if o.Fit == (risk.FitOptions{}) {
		o.Fit = risk.DefaultFitOptions()
	}
	return nil
}

// Engine runs risk computations against one database.
type Engine struct {
	pool *pgxpool.Pool
	q    store.Named
	log  *slog.Logger
}

// New prepares an engine.
func New(pool *pgxpool.Pool, log *slog.Logger) (*Engine, error) {
	q, err := store.LoadNamed(queryFS, "queries.sql")
	if err != nil {
		return nil, err
	}
	return &Engine{pool: pool, q: q, log: log}, nil
}

// Stage is one timed step of a compute.
type Stage struct {
	Name    string
	Elapsed time.Duration
}

// Result describes a finished run.
type Result struct {
	RunID      int64
	Until      time.Time
	Period     time.Time
	Res        int
	Cells      int // analysis-resolution cells per kind
	Rows       int // risk_hex rows written (one per cell with both kinds, all resolutions)
	Models     map[string]*risk.Model
	Stages     []Stage
	Elapsed    time.Duration
	PrunedRuns int64
	GridCached bool // the analysis grid came from the risk_grid cache
	// HexagonsWritten counts the hexagons added to risk_hexagon: every cell's
	// on a database's first compute on a grid, 0 after.
	HexagonsWritten int64
	// Selection is what validation inside the training window chose (nil
	// with a training window too short to split).
	Selection *Selection
	// Factors are the run's factors with their chosen forms, in storage order.
	Factors []risk.Factor
}

// ErrBusy is returned when another compute holds the lock.
var ErrBusy = errors.New("another risk compute is running on this database")

// kindRun is everything computed for one kind.
type kindRun struct {
	model   *risk.Model
	levels  []level // analysis resolution first, then parents down to 5
	rollups []rollupRow
	timings []Stage
}

type level struct {
	res     int
	cells   *hexgrid.Grid
	score   []float64
	raw     [][]float64
	contrib [][]float32
	giZ     []float64
	giP     []float64
	bins    []int8
}

// Compute fits the models and writes a complete run.
func (e *Engine) Compute(ctx context.Context, o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	start := time.Now()
	res := &Result{Res: o.Res, Models: map[string]*risk.Model{}}
	last := start
	stage := func(name string) {
		now := time.Now()
		res.Stages = append(res.Stages, Stage{name, now.Sub(last)})
		e.log.Debug("risk: stage", "name", name, "elapsed", now.Sub(last))
		last = now
	}

	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("risk: connect: %w", err)
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, e.q.Get("lock")).Scan(&locked); err != nil {
		return nil, fmt.Errorf("risk: lock: %w", err)
	}
	if !locked {
		return nil, ErrBusy
	}
	defer conn.Exec(context.WithoutCancel(ctx), e.q.Get("unlock")) //nolint:errcheck
	if err := e.markInterrupted(ctx, conn); err != nil {
		return nil, err
	}

	if o.Until.IsZero() {
		var latest *time.Time
		if err := conn.QueryRow(ctx, e.q.Get("latest_incident")).Scan(&latest); err != nil {
			return nil, fmt.Errorf("risk: latest incident: %w", err)
		}
		if latest == nil {
			return nil, errors.New("risk: no tppo or pmi incidents: import incidents first")
		}
		o.Until = *latest
	}
	period := monthOf(o.Until)
	res.Until, res.Period = o.Until, period.first()
	trainFrom := (period - month(o.TrainMonths) + 1).first()
	if o.Until.Before(trainFrom) {
		trainFrom = o.Until
	}
	params, _ := json.Marshal(map[string]any{
		"train_from": trainFrom.Format(time.DateOnly), "train_months": o.TrainMonths, "band_km": o.BandKm,
		"prior_incidents_from": trainFrom.AddDate(-1, 0, 0).Format(time.DateOnly),
		"gi_rings":             o.GiRings, "periods": o.Periods, "ridge": o.Fit.Ridge, "negbin": o.Fit.NegBin,
		"score": "exp(sum of factor log-contributions): relative risk vs a cell with no point factor and national-average indicators",
	})
	var runID int64
	if err := conn.QueryRow(ctx, e.q.Get("run_insert"), o.Until, period.first(), o.Res, params).Scan(&runID); err != nil {
		return nil, fmt.Errorf("risk: create run: %w", err)
	}
	res.RunID = runID
	fail := func(err error) (*Result, error) {
		bg := context.WithoutCancel(ctx)
		_, _ = e.pool.Exec(bg, e.q.Get("partition_drop"), runID)
		_, _ = e.pool.Exec(bg, e.q.Get("run_failed"), runID, err.Error())
		return nil, err
	}
	var part string
	if err := conn.QueryRow(ctx, e.q.Get("partition_create"), runID).Scan(&part); err != nil {
		return fail(fmt.Errorf("risk: create the run's cell table (a database migrated before risk_cell was partitioned must be recreated): %w", err))
	}
	e.log.Info("risk: run started", "run", runID, "until", o.Until.Format(time.DateOnly), "res", o.Res)

	fs := risk.Factors()
	var indNames []string
	for _, f := range fs {
		if f.Influence == risk.Area {
			indNames = append(indNames, f.Layer)
		}
	}
	// The grid (cached or covered) and the layers load side by side.
	var ge *gridEntry
	var lay *layers
	var lg errgroup.Group
	lg.Go(func() (err error) {
		ge, err = loadGrid(ctx, e.pool, e.q, o.Res, o.BandKm, o.GiRings)
		return err
	})
	lg.Go(func() (err error) {
		lay, err = loadLayers(ctx, e.pool, e.q, o.Res, period, indNames, trainFrom.AddDate(-1, 0, 0), trainFrom.AddDate(0, 0, -1))
		return err
	})
	if err := lg.Wait(); err != nil {
		return fail(err)
	}
	grid, prov := ge.grid, ge.prov
	res.Cells = grid.Len()
	res.GridCached = ge.cached
	inc, err := e.loadIncidents(ctx, trainFrom, o.Until)
	if err != nil {
		return fail(err)
	}
	y := countByCell(grid, inc)
	if ge.cached {
		stage("grid (cached) and layers, in parallel")
	} else {
		stage("grid (covered and cached) and layers, in parallel")
	}
	area := approxAreaKm2(grid)
	kg := risk.NewKDEGrid(grid)
	fs, kernelCols, gammas, sel, err := choose(grid, kg, area, lay, period, fs, inc, trainFrom, o.Until, o.TrainMonths, o.Fit)
	if err != nil {
		return fail(err)
	}
	res.Selection = sel
	stage("forms, kernel bandwidth and blend chosen on validation")

	// Factor values for every period (index 0 is the oldest: the period before
	// the first rollup period, for its change; the last is the run's period),
	// and, independent of them, the parent grids and every level's neighbour
	// lists shared by both kinds. Factors of layers that do not change with
	// time (worksites, ports) are computed once; the others per period, split
	// over two workers, with the grids beside them on two cores.
	nper := o.Periods + 1
	var staticFs, varyFs []risk.Factor
	var staticIx, varyIx []int
	for j, f := range fs {
		if f.Influence == risk.Kernel || (f.Influence != risk.Area && lay.static[f.Layer] != nil) {
			staticFs, staticIx = append(staticFs, f), append(staticIx, j)
		} else {
			varyFs, varyIx = append(varyFs, f), append(varyIx, j)
		}
	}
	vary := make([][][]float64, nper)
	var static [][]float64
	var levels []*levelGrid
	var pg errgroup.Group
	pg.Go(func() (err error) {
		in := lay.inputs(period)
		in.Columns = kernelCols
		static, err = risk.Values(grid, staticFs, in)
		return err
	})
	const factorWorkers = 2
	for w := 0; w < factorWorkers; w++ {
		pg.Go(func() error {
			sp := grid.NewSpreader()
			for p := w; p < nper; p += factorWorkers {
				m := period - month(nper-1-p)
				v, err := risk.ValuesWith(sp, grid, varyFs, lay.inputs(m))
				if err != nil {
					return err
				}
				vary[p] = v
			}
			return nil
		})
	}
	pg.Go(func() error {
		ls := []*levelGrid{{res: o.Res, grid: grid}}
		for r := o.Res - 1; r >= 5; r-- {
			lg, err := parentGrid(grid, r)
			if err != nil {
				return err
			}
			ls = append(ls, lg)
		}
		// Neighbour lists from the grid cache when it has them for these
		// rings (finding 7 million neighbours is a second of CPU), else
		// found here and cached for the next run.
		found := false
		for li, lg := range ls {
			if li < len(ge.nbr) && ge.nbr[li].Len() == lg.grid.Len() {
				lg.nbr = ge.nbr[li]
			} else {
				lg.nbr, found = lg.grid.Neighbours(o.GiRings), true
			}
		}
		levels = ls
		if found {
			csrs := make([]hexgrid.CSR, len(ls))
			for li, lg := range ls {
				csrs[li] = lg.nbr
			}
			if _, err := e.pool.Exec(ctx, e.q.Get("grid_nbr_put"), int16(o.Res), o.BandKm, ge.fingerprint,
				encodeCSRs(csrs), nbrKey(o.GiRings)); err != nil {
				return fmt.Errorf("risk: cache neighbour lists: %w", err)
			}
		}
		return nil
	})
	if err := pg.Wait(); err != nil {
		return fail(err)
	}
	// Every period's columns in factor order; the static ones are shared
	// (read-only from here on).
	raws := make([][][]float64, nper)
	for p := range raws {
		raws[p] = make([][]float64, len(fs))
		for k, j := range staticIx {
			raws[p][j] = static[k]
		}
		for k, j := range varyIx {
			raws[p][j] = vary[p][k]
		}
	}
	raw := raws[nper-1]
	stage("factors, parent grids and neighbours (parallel)")

	// The hexagons of a grid's cells are written once per database (the
	// first compute on a grid), beside the models: the database is idle
	// while they fit.
	var hg errgroup.Group
	if !ge.hexagons {
		hg.Go(func() error {
			t0 := time.Now()
			n, err := e.ensureHexagons(ctx, levels)
			if err != nil {
				return err
			}
			if _, err := e.pool.Exec(ctx, e.q.Get("grid_hexagons_done"), int16(o.Res), o.BandKm, ge.fingerprint); err != nil {
				return fmt.Errorf("risk: record hexagons: %w", err)
			}
			res.HexagonsWritten = n
			e.log.Info("risk: hexagons written", "count", n, "elapsed", time.Since(t0).Round(time.Millisecond))
			return nil
		})
	}

	// The two kinds are independent: one goroutine each (two cores).
	runs := map[string]*kindRun{}
	for _, kind := range kinds {
		runs[kind] = &kindRun{}
	}
	var eg errgroup.Group
	for _, kind := range kinds {
		kr := runs[kind]
		eg.Go(func() error {
			t0 := time.Now()
			m, err := risk.Train(kind, fs, raw, y[kind], o.Fit)
			if err != nil {
				return err
			}
			if j := kernelFactor(fs, kind); j >= 0 {
				if err := m.SetBlend(j, gammas[kind]); err != nil {
					return err
				}
			}
			kr.model = m
			kr.timings = append(kr.timings, Stage{kind + ": fit", time.Since(t0)})
			t0 = time.Now()
			score, contrib := m.Score(raw)
			for li, lg := range levels {
				lv := level{res: lg.res, cells: lg.grid, score: score, raw: raw, contrib: contrib}
				if li > 0 {
					lv.score, lv.raw, lv.contrib = risk.Aggregate(lg.child, lg.grid.Len(), raw, contrib)
				}
				lv.giZ = risk.GiStar(lv.score, lg.nbr)
				lv.giP, _, lv.bins = risk.Bins(lv.giZ)
				kr.levels = append(kr.levels, lv)
			}
			kr.timings = append(kr.timings, Stage{kind + ": score, parents, Gi*", time.Since(t0)})
			t0 = time.Now()
			// The other periods' scores: the static factors' part once, then
			// each period's changing factors on top.
			scores := make([][]float64, nper)
			base := m.Linear(raw, staticIx, nil)
			for p := range raws {
				if p == nper-1 {
					scores[p] = score
				} else {
					scores[p] = m.ScoreFrom(raws[p], varyIx, base)
				}
			}
			kr.rollups = rollups(kind, grid, prov, area, scores, period)
			kr.timings = append(kr.timings, Stage{kind + ": rollups", time.Since(t0)})
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		_ = hg.Wait()
		return fail(err)
	}
	if err := hg.Wait(); err != nil {
		return fail(err)
	}
	for _, kind := range kinds {
		m := runs[kind].model
		res.Models[kind] = m
		res.Stages = append(res.Stages, runs[kind].timings...)
		e.log.Info("risk: fitted", "kind", kind, "cells", m.Fit.N, "incidents", m.Fit.Events,
			"alpha", fmt.Sprintf("%.3f", m.Fit.Alpha), "dropped", m.Fit.Dropped)
	}
	stage("models (both kinds in parallel, wall)")

	res.Factors = fs
	n, ws, err := e.write(ctx, runID, part, runs, fs, trainFrom, o, sel)
	if err != nil {
		return fail(err)
	}
	res.Rows = n
	res.Stages = append(res.Stages, ws...)
	last = time.Now()

	if pruned, err := e.prune(ctx, o.KeepRuns, runID); err != nil {
		e.log.Warn("risk: pruning old runs failed; the next run will retry", "err", err)
	} else {
		res.PrunedRuns = pruned
	}
	stage("prune old runs")
	res.Elapsed = time.Since(start)
	e.log.Info("risk: run complete", "run", runID, "cells", res.Cells, "rows", res.Rows, "elapsed", res.Elapsed.Round(time.Millisecond))
	return res, nil
}

// markInterrupted fails the runs a dead compute left 'running' and drops their
// cell tables, so the run list says what happened instead of showing a run
// forever in progress. Readers never saw those runs (risk_latest shows
// complete runs only); this is housekeeping, not repair.
func (e *Engine) markInterrupted(ctx context.Context, conn *pgxpool.Conn) error {
	rows, err := conn.Query(ctx, e.q.Get("runs_interrupted"))
	if err != nil {
		return fmt.Errorf("risk: clear interrupted runs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var dropped string
		if err := rows.Scan(&id, &dropped); err != nil {
			return fmt.Errorf("risk: clear interrupted runs: %w", err)
		}
		e.log.Warn("risk: an earlier compute was interrupted; its run is marked failed and its cells dropped", "run", id)
	}
	return rows.Err()
}

// prune removes runs beyond the newest keep complete ones.
func (e *Engine) prune(ctx context.Context, keep int, current int64) (int64, error) {
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	if _, err := tx.Exec(ctx, e.q.Get("prune_lock_timeout")); err != nil {
		return 0, err
	}
	var n int64
	if err := tx.QueryRow(ctx, e.q.Get("runs_prune"), keep, current).Scan(&n); err != nil {
		return 0, err
	}
	return n, tx.Commit(ctx)
}

// incidentCounts counts incidents per analysis cell and kind in [from, to].
func (e *Engine) incidentCounts(ctx context.Context, g *hexgrid.Grid, from, to time.Time) (map[string][]float64, error) {
	inc, err := e.loadIncidents(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return countByCell(g, inc), nil
}

// incidentPoint is one incident: its kind, day and location.
type incidentPoint struct {
	kind     string
	day      time.Time
	lon, lat float64
	h3r9     int64 // its stored resolution-9 cell: the disclosure base cell is its parent
}

// loadIncidents reads the tppo and pmi incidents of [from, to].
func (e *Engine) loadIncidents(ctx context.Context, from, to time.Time) ([]incidentPoint, error) {
	rows, err := e.pool.Query(ctx, e.q.Get("incidents"), from, to)
	if err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	defer rows.Close()
	var out []incidentPoint
	for rows.Next() {
		var p incidentPoint
		if err := rows.Scan(&p.kind, &p.day, &p.lon, &p.lat, &p.h3r9); err != nil {
			return nil, fmt.Errorf("load incidents: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// countByCell counts incidents per kind in the grid cell containing each
// (incidents outside the grid are not counted).
func countByCell(g *hexgrid.Grid, inc []incidentPoint) map[string][]float64 {
	out := map[string][]float64{}
	for _, k := range kinds {
		out[k] = make([]float64, g.Len())
	}
	for _, p := range inc {
		c, ok := pointCell(p.lon, p.lat, g.Res)
		if !ok {
			continue
		}
		if i, ok := g.Lookup(c); ok && out[p.kind] != nil {
			out[p.kind][i]++
		}
	}
	return out
}

// levelGrid is one resolution of the run: the grid, each analysis cell's
// parent index in it (parents only) and its Gi* neighbour lists.
type levelGrid struct {
	res   int
	grid  *hexgrid.Grid
	child []int32
	nbr   hexgrid.CSR
}

// parentGrid derives the grid at resolution r from the analysis grid; a
// parent's kabupaten is the one most of its children belong to (ties: the
// lowest code index).
func parentGrid(g *hexgrid.Grid, r int) (*levelGrid, error) {
	parents, child, err := g.Parents(r)
	if err != nil {
		return nil, err
	}
	votes := map[[2]int32]int{}
	for i, p := range child {
		votes[[2]int32{p, g.Area[i]}]++
	}
	best := make([]int32, len(parents))
	bestN := make([]int, len(parents))
	for k, n := range votes {
		p := k[0]
		if n > bestN[p] || (n == bestN[p] && k[1] < best[p]) {
			best[p], bestN[p] = k[1], n
		}
	}
	codes := make([]string, len(parents))
	for p := range parents {
		codes[p] = g.Codes[best[p]]
	}
	pg, err := hexgrid.FromCells(r, parents, codes)
	if err != nil {
		return nil, err
	}
	// FromCells sorts by cell and Parents returns sorted cells, so indexes agree.
	for i := range parents {
		if pg.Cells[i] != parents[i] {
			return nil, errors.New("risk: parent order mismatch")
		}
	}
	return &levelGrid{res: r, grid: pg, child: child}, nil
}

// approxAreaKm2 gives each cell the exact area of its ancestor two
// resolutions up divided by 49: cells that close together differ in area by
// well under 1%, and it takes 1/49 of the (cgo) area computations.
func approxAreaKm2(g *hexgrid.Grid) []float64 {
	out := make([]float64, g.Len())
	if g.Res < 2 {
		return g.CellAreaKm2()
	}
	memo := map[h3.Cell]float64{}
	for i, c := range g.Cells {
		p, _ := hexgrid.ParentAt(c, g.Res-2)
		a, ok := memo[p]
		if !ok {
			a = h3.CellAreaKm2(p) / float64(len(p.Children(g.Res)))
			memo[p] = a
		}
		out[i] = a
	}
	return out
}

// rollupRow is one risk_rollup row.
type rollupRow struct {
	kind, level, code string
	period            time.Time
	r                 risk.Rollup
	rankProv          int // 0 = NULL
	rankNat           int
	prev              float64 // NaN = NULL
}

// rollups summarises the scores of every period per kabupaten and province
// (over all of the province's cells, not an average of kabupaten), ranks
// them by weighted score, and sets the change against the previous period.
// scores[0] is only the previous period of scores[1].
func rollups(kind string, g *hexgrid.Grid, prov map[string]string, area []float64, scores [][]float64, last month) []rollupRow {
	provIx := map[string]int32{}
	var provCodes []string
	kabProv := make([]int32, len(g.Codes))
	for a, code := range g.Codes {
		pc := prov[code]
		pi, ok := provIx[pc]
		if !ok {
			pi = int32(len(provCodes))
			provIx[pc] = pi
			provCodes = append(provCodes, pc)
		}
		kabProv[a] = pi
	}
	cellProv := make([]int32, g.Len())
	for i, a := range g.Area {
		cellProv[i] = kabProv[a]
	}
	var out []rollupRow
	var prevKab, prevProv []risk.Rollup
	nper := len(scores)
	for p, sc := range scores {
		kab := risk.RollupBy(sc, area, g.Area, len(g.Codes))
		pr := risk.RollupBy(sc, area, cellProv, len(provCodes))
		if p > 0 {
			m := last - month(nper-1-p)
			out = append(out, rankRows(kind, "kabupaten", g.Codes, kab, prevKab, kabProv, m)...)
			out = append(out, rankRows(kind, "provinsi", provCodes, pr, prevProv, nil, m)...)
		}
		prevKab, prevProv = kab, pr
	}
	return out
}

func rankRows(kind, lvl string, codes []string, rs, prev []risk.Rollup, part []int32, m month) []rollupRow {
	w := make([]float64, len(rs))
	skip := make([]bool, len(rs))
	for i, r := range rs {
		w[i] = r.Weighted
		skip[i] = r.Cells == 0
	}
	nat := risk.Ranks(w, nil, skip)
	var inProv []int
	if part != nil {
		inProv = risk.Ranks(w, part, skip)
	}
	var out []rollupRow
	for i, r := range rs {
		if r.Cells == 0 {
			continue
		}
		row := rollupRow{kind: kind, level: lvl, code: codes[i], period: m.first(), r: r, rankNat: nat[i], prev: math.NaN()}
		if inProv != nil {
			row.rankProv = inProv[i]
		}
		if prev != nil && prev[i].Cells > 0 {
			row.prev = prev[i].Weighted
		}
		out = append(out, row)
	}
	return out
}

// Latest describes the latest complete run.
type Latest struct {
	ID     int64
	Res    int
	Until  time.Time
	Period time.Time
}

// LatestRun returns the latest complete run, or an error saying there is none.
func (e *Engine) LatestRun(ctx context.Context) (Latest, error) {
	var l Latest
	var r int16
	var params []byte
	err := e.pool.QueryRow(ctx, e.q.Get("run_latest")).Scan(&l.ID, &r, &l.Until, &l.Period, &params)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, errors.New("no complete risk run: run `waspada risk compute` first")
	}
	if err != nil {
		return l, fmt.Errorf("latest run: %w", err)
	}
	l.Res = int(r)
	return l, nil
}
