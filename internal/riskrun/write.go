package riskrun

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uber/h3-go/v4"
	"golang.org/x/sync/errgroup"

	"github.com/waspada-id/waspada/geo/risk"
)

func h3Cell(v int64) h3.Cell { return h3.Cell(v) }

// write stores the run. The cells go into the run's own partition table,
// which readers cannot see until it is attached: one row per cell with both
// kinds (risk_hex, migrations/006_risk_hex.sql), COPYed on two connections in
// parallel, then its three indexes built in parallel. The finishing
// transaction writes factors and rollups, attaches the partition and flips
// the run to 'complete', so readers going through risk_latest see all of the
// run or none of it.
func (e *Engine) write(ctx context.Context, runID int64, part string, runs map[string]*kindRun, fs []risk.Factor, trainFrom time.Time, o Options) (int, []Stage, error) {
	var stages []Stage
	t0 := time.Now()
	cols := []string{"run_id", "res", "h3", "kabupaten_code", "factor_values",
		"tppo_score", "tppo_gi_z", "tppo_gi_p", "tppo_gi_bin", "tppo_contrib",
		"pmi_score", "pmi_gi_z", "pmi_gi_p", "pmi_gi_bin", "pmi_contrib", "geom_3857"}
	tppo, pmi := runs[kinds[0]].levels, runs[kinds[1]].levels
	total := 0
	for _, lv := range tppo {
		total += lv.cells.Len()
	}
	const streams = 2
	counts := make([]int64, streams)
	g, gctx := errgroup.WithContext(ctx)
	for si := 0; si < streams; si++ {
		g.Go(func() error {
			src := newCellSource(runID, tppo, pmi, total*si/streams, total*(si+1)/streams)
			n, err := e.pool.CopyFrom(gctx, pgx.Identifier{part}, cols, src)
			if err != nil {
				return fmt.Errorf("risk: write cells: %w", err)
			}
			counts[si] = n
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, nil, err
	}
	stages = append(stages, Stage{"write: copy cells", time.Since(t0)})
	t0 = time.Now()
	g, gctx = errgroup.WithContext(ctx)
	for _, which := range []string{"geom", "pkey", "kab"} {
		g.Go(func() error {
			if _, err := e.pool.Exec(gctx, e.q.Get("partition_index"), runID, which); err != nil {
				return fmt.Errorf("risk: index %s: %w", which, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, nil, err
	}
	stages = append(stages, Stage{"write: build indexes", time.Since(t0)})
	t0 = time.Now()
	// Statistics before readers arrive: without them the first tiles after a
	// run are planned blind (migrations/004_risk_stats.sql says what that costs).
	if _, err := e.pool.Exec(ctx, e.q.Get("partition_index"), runID, "stats"); err != nil {
		return 0, nil, fmt.Errorf("risk: analyze the run's cells: %w", err)
	}
	stages = append(stages, Stage{"write: analyze", time.Since(t0)})
	t0 = time.Now()

	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("risk: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck

	var facRows [][]any
	for _, kind := range kinds {
		m := runs[kind].model
		for j, f := range fs {
			facRows = append(facRows, []any{runID, kind, int16(j), f.Name, f.LabelID, f.LabelEN, m.Fit.Coef[j], m.RR(j), m.Fit.Kept[j]})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"risk_factor"},
		[]string{"run_id", "kind", "ord", "name", "label_id", "label_en", "coefficient", "rr", "kept"},
		pgx.CopyFromRows(facRows)); err != nil {
		return 0, nil, fmt.Errorf("risk: write factors: %w", err)
	}

	var rows [][]any
	for _, kind := range kinds {
		for _, r := range runs[kind].rollups {
			var rankProv, prev, change any
			if r.rankProv > 0 {
				rankProv = int32(r.rankProv)
			}
			if !math.IsNaN(r.prev) {
				prev = r.prev
				if r.prev > 0 {
					change = r.r.Weighted/r.prev - 1
				}
			}
			rows = append(rows, []any{runID, r.kind, r.level, r.code, r.period, r.r.Mean, r.r.Max, r.r.Weighted,
				int32(r.r.Cells), rankProv, int32(r.rankNat), prev, change})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"risk_rollup"},
		[]string{"run_id", "kind", "level", "code", "period", "mean_score", "max_score", "weighted_score", "cells",
			"rank_province", "rank_national", "prev_weighted", "change"},
		pgx.CopyFromRows(rows)); err != nil {
		return 0, nil, fmt.Errorf("risk: write rollups: %w", err)
	}
	if _, err := tx.Exec(ctx, e.q.Get("partition_attach"), runID); err != nil {
		return 0, nil, fmt.Errorf("risk: attach cells: %w", err)
	}
	model, err := json.Marshal(modelJSON(runs, fs, trainFrom, o))
	if err != nil {
		return 0, nil, err
	}
	tag, err := tx.Exec(ctx, e.q.Get("run_complete"), runID, model)
	if err != nil {
		return 0, nil, fmt.Errorf("risk: complete run: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return 0, nil, fmt.Errorf("risk: run %d is no longer running", runID)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, nil, fmt.Errorf("risk: commit: %w", err)
	}
	stages = append(stages, Stage{"write: factors, rollups, attach, commit", time.Since(t0)})
	return int(counts[0] + counts[1]), stages, nil
}

// modelJSON is the fit diagnostics stored in risk_run.model, per kind.
func modelJSON(runs map[string]*kindRun, fs []risk.Factor, trainFrom time.Time, o Options) map[string]any {
	out := map[string]any{}
	for _, kind := range kinds {
		m := runs[kind].model
		var factors []map[string]any
		for j, f := range fs {
			factors = append(factors, map[string]any{
				"name": f.Name, "influence": f.Influence.String(), "layer": f.Layer, "radius_km": f.RadiusKm,
				"weighted": f.Weighted, "log": f.Log, "center": m.Center[j], "coefficient": m.Fit.Coef[j],
				"se": m.Fit.SE[j], "z": m.Fit.Z[j], "rr": m.RR(j), "kept": m.Fit.Kept[j],
			})
		}
		out[kind] = map[string]any{
			"family": map[bool]string{true: "negative binomial (NB2)", false: "poisson"}[m.Fit.Alpha > 0],
			"alpha":  m.Fit.Alpha, "intercept": m.Fit.Intercept, "cells": m.Fit.N, "incidents": m.Fit.Events,
			"deviance": m.Fit.Deviance, "null_deviance": m.Fit.NullDev, "iterations": m.Fit.Iter,
			"dropped": m.Fit.Dropped, "train_from": trainFrom.Format(time.DateOnly), "factors": factors,
			"selection": "backward elimination while a factor's Wald z² < log(cells) (BIC threshold)",
		}
	}
	return out
}

// cellSource streams rows [from, to) of a run's cells, counted over the levels
// in order (analysis resolution first, then parents; H3 order within each:
// spatially coherent pages for the tile queries), one row per cell with both
// kinds, without materialising them. tppo and pmi hold the same cells level by
// level (the parent grids are shared), and the same factor values.
type cellSource struct {
	runID     int64
	tppo, pmi []level
	lv, i     int
	left      int
	row       []any
	b3857     []byte
}

func newCellSource(runID int64, tppo, pmi []level, from, to int) *cellSource {
	s := &cellSource{runID: runID, tppo: tppo, pmi: pmi, row: make([]any, 16), left: to - from}
	for s.lv < len(tppo) && from >= tppo[s.lv].cells.Len() {
		from -= tppo[s.lv].cells.Len()
		s.lv++
	}
	s.i = from - 1
	return s
}

func (s *cellSource) Next() bool {
	if s.left <= 0 {
		return false
	}
	s.left--
	s.i++
	for s.lv < len(s.tppo) && s.i >= s.tppo[s.lv].cells.Len() {
		s.lv++
		s.i = 0
	}
	return s.lv < len(s.tppo)
}

func (s *cellSource) Values() ([]any, error) {
	t, p := &s.tppo[s.lv], &s.pmi[s.lv]
	i := s.i
	c := t.cells.Cells[i]
	// pgx encodes the row before asking for the next, so the buffer can be reused.
	s.b3857 = cellEWKB(c, s.b3857[:0])
	vals := make([]float32, len(t.raw))
	for j := range t.raw {
		vals[j] = float32(t.raw[j][i])
	}
	r := s.row
	r[0], r[1], r[2], r[3], r[4] = s.runID, int16(t.res), int64(c), t.cells.Code(i), vals
	kindCols(r[5:10], t, i)
	kindCols(r[10:15], p, i)
	r[15] = s.b3857
	return r, nil
}

// kindCols fills one kind's score, gi_z, gi_p, gi_bin and contrib.
func kindCols(r []any, lv *level, i int) {
	var giZ, giP any
	if !math.IsNaN(lv.giZ[i]) {
		giZ, giP = lv.giZ[i], lv.giP[i]
	}
	r[0], r[1], r[2], r[3], r[4] = lv.score[i], giZ, giP, int16(lv.bins[i]), lv.contrib[i]
}

func (s *cellSource) Err() error { return nil }

// cellEWKB encodes a cell's hexagon (or pentagon) as an EWKB polygon in
// EPSG:3857. Passing EWKB through COPY's binary format costs PostGIS only a
// parse, no projection or text parsing; the tile server's Go encoder projects
// hexagons with the same formula (internal/tiles).
func cellEWKB(c h3.Cell, b []byte) []byte {
	bd := c.Boundary()
	n := len(bd) + 1
	b = append(b, 1)                                      // little endian
	b = binary.LittleEndian.AppendUint32(b, 3|0x20000000) // polygon with SRID
	b = binary.LittleEndian.AppendUint32(b, 3857)
	b = binary.LittleEndian.AppendUint32(b, 1) // one ring
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	const r = 6378137.0
	for k := 0; k < n; k++ {
		ll := bd[k%len(bd)]
		x := r * ll.Lng * math.Pi / 180
		y := r * math.Log(math.Tan(math.Pi/4+ll.Lat*math.Pi/360))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(y))
	}
	return b
}
