package riskrun

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uber/h3-go/v4"
	"golang.org/x/sync/errgroup"

	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/pgcopy"
)

func h3Cell(v int64) h3.Cell { return h3.Cell(v) }

// write stores the run. The cells go into the run's own partition table,
// which readers cannot see until it is attached: one row per cell with both
// kinds and no geometry (risk_hex, migrations/006_risk_hex.sql and
// 008_risk_hexagon.sql), COPYed on two connections in parallel, then its two
// indexes built in parallel. The finishing
// transaction writes factors and rollups, attaches the partition and flips
// the run to 'complete', so readers going through risk_latest see all of the
// run or none of it.
func (e *Engine) write(ctx context.Context, runID int64, part string, runs map[string]*kindRun, fs []risk.Factor, trainFrom time.Time, o Options, sel *Selection) (int, []Stage, error) {
	var stages []Stage
	t0 := time.Now()
	// Coarsest level first, H3 order within each: the heap is then in
	// primary-key order (run_id, res, h3), which makes the key's sort
	// nearly free, and a tile's cells sit on few pages.
	tppo, pmi := slices.Clone(runs[kinds[0]].levels), slices.Clone(runs[kinds[1]].levels)
	slices.Reverse(tppo)
	slices.Reverse(pmi)
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
			n, err := pgcopy.CopyFrom(gctx, e.pool, part, cellColumns, src)
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
	for _, which := range []string{"pkey", "kab"} {
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
	mj := modelJSON(runs, fs, trainFrom, o)
	if sel != nil {
		mj["validation"] = sel
	}
	model, err := json.Marshal(mj)
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
				"name": f.Name, "influence": f.Influence.String(), "layer": f.Layer, "radius_km": f.RadiusKm, "form": f.Form().String(),
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
// in the order given, one row per cell with both kinds, in COPY's binary form (internal/pgcopy), without materialising them.
// tppo and pmi hold the same cells level by level (the parent grids are
// shared), and the same factor values.
type cellSource struct {
	runID     int64
	tppo, pmi []level
	lv, i     int
	left      int
	vals      []float32
}

func newCellSource(runID int64, tppo, pmi []level, from, to int) *cellSource {
	s := &cellSource{runID: runID, tppo: tppo, pmi: pmi, left: to - from}
	for s.lv < len(tppo) && from >= tppo[s.lv].cells.Len() {
		from -= tppo[s.lv].cells.Len()
		s.lv++
	}
	s.i = from
	return s
}

// cellColumns are the columns cellSource writes, in its order.
var cellColumns = []string{"run_id", "res", "h3", "kabupaten_code", "factor_values",
	"tppo_score", "tppo_gi_z", "tppo_gi_p", "tppo_gi_bin", "tppo_contrib",
	"pmi_score", "pmi_gi_z", "pmi_gi_p", "pmi_gi_bin", "pmi_contrib"}

func (s *cellSource) Append(buf []byte) ([]byte, bool, error) {
	for s.lv < len(s.tppo) && s.i >= s.tppo[s.lv].cells.Len() {
		s.lv++
		s.i = 0
	}
	if s.left <= 0 || s.lv >= len(s.tppo) {
		return buf, false, nil
	}
	t, p := &s.tppo[s.lv], &s.pmi[s.lv]
	i := s.i
	s.i++
	s.left--
	c := t.cells.Cells[i]
	s.vals = s.vals[:0]
	for j := range t.raw {
		s.vals = append(s.vals, float32(t.raw[j][i]))
	}
	tu := pgcopy.Begin(buf, len(cellColumns)).Int64(s.runID).Int16(int16(t.res)).Int64(int64(c)).Text(t.cells.Code(i)).PackedFloat32s(s.vals)
	tu = kindCols(tu, t, i)
	tu = kindCols(tu, p, i)
	return tu.Bytes(), true, nil
}

// kindCols appends one kind's score, gi_z, gi_p, gi_bin and contrib (gi_z and
// gi_p NULL where Gi* is undefined).
func kindCols(tu pgcopy.Tuple, lv *level, i int) pgcopy.Tuple {
	return tu.Float64(lv.score[i], false).Float64(lv.giZ[i], true).Float64(nanWith(lv.giP[i], lv.giZ[i]), true).
		Int16(int16(lv.bins[i])).PackedFloat32s(lv.contrib[i])
}

// nanWith is v, or NaN when ref is NaN (gi_p is NULL exactly when gi_z is).
func nanWith(v, ref float64) float64 {
	if math.IsNaN(ref) {
		return math.NaN()
	}
	return v
}
