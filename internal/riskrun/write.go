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
// which readers cannot see until it is attached: one COPY per kind on two
// connections in parallel, then its three indexes built in parallel. The
// finishing transaction writes factors and rollups, attaches the partition
// and flips the run to 'complete', so readers going through risk_latest see
// all of the run or none of it.
func (e *Engine) write(ctx context.Context, runID int64, part string, runs map[string]*kindRun, fs []risk.Factor, trainFrom time.Time, o Options) (int, []Stage, error) {
	var stages []Stage
	t0 := time.Now()
	cols := []string{"run_id", "kind", "res", "h3", "score", "gi_z", "gi_p", "gi_bin", "kabupaten_code", "factor_values", "contrib", "geom", "geom_3857"}
	counts := make([]int64, len(kinds))
	g, gctx := errgroup.WithContext(ctx)
	for ki, kind := range kinds {
		g.Go(func() error {
			n, err := e.pool.CopyFrom(gctx, pgx.Identifier{part}, cols, newCellSource(runID, kind, runs[kind].levels))
			if err != nil {
				return fmt.Errorf("risk: write %s cells: %w", kind, err)
			}
			counts[ki] = n
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

// cellSource streams one kind's risk_cell rows for COPY, resolution by
// resolution in H3 order (spatially coherent pages for the tile queries),
// without materialising them.
type cellSource struct {
	runID   int64
	kind    string
	levels  []level
	lv, i   int
	row     []any
	b4326   []byte
	b3857   []byte
	started bool
}

func newCellSource(runID int64, kind string, levels []level) *cellSource {
	return &cellSource{runID: runID, kind: kind, levels: levels, row: make([]any, 13), i: -1}
}

func (s *cellSource) Next() bool {
	s.i++
	for s.lv < len(s.levels) && s.i >= s.levels[s.lv].cells.Len() {
		s.lv++
		s.i = 0
	}
	return s.lv < len(s.levels)
}

func (s *cellSource) Values() ([]any, error) {
	lv := &s.levels[s.lv]
	i := s.i
	c := lv.cells.Cells[i]
	// pgx encodes the row before asking for the next, so the buffers can be reused.
	s.b4326, s.b3857 = cellEWKB(c, s.b4326[:0], s.b3857[:0])
	vals := make([]float32, len(lv.raw))
	for j := range lv.raw {
		vals[j] = float32(lv.raw[j][i])
	}
	var giZ, giP any
	if !math.IsNaN(lv.giZ[i]) {
		giZ, giP = lv.giZ[i], lv.giP[i]
	}
	r := s.row
	r[0], r[1], r[2], r[3] = s.runID, s.kind, int16(lv.res), int64(c)
	r[4], r[5], r[6], r[7] = lv.score[i], giZ, giP, int16(lv.bins[i])
	r[8], r[9], r[10] = lv.cells.Code(i), vals, lv.contrib[i]
	r[11], r[12] = s.b4326, s.b3857
	return r, nil
}

func (s *cellSource) Err() error { return nil }

// cellEWKB encodes a cell's hexagon (or pentagon) as EWKB polygons in
// EPSG:4326 and EPSG:3857. Passing EWKB through COPY's binary format costs
// PostGIS only a parse, no projection or text parsing.
func cellEWKB(c h3.Cell, b4326, b3857 []byte) ([]byte, []byte) {
	bd := c.Boundary()
	n := len(bd) + 1
	head := func(b []byte, srid uint32) []byte {
		b = append(b, 1)                                      // little endian
		b = binary.LittleEndian.AppendUint32(b, 3|0x20000000) // polygon with SRID
		b = binary.LittleEndian.AppendUint32(b, srid)
		b = binary.LittleEndian.AppendUint32(b, 1) // one ring
		return binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	b4326 = head(b4326, 4326)
	b3857 = head(b3857, 3857)
	const r = 6378137.0
	for k := 0; k < n; k++ {
		ll := bd[k%len(bd)]
		b4326 = binary.LittleEndian.AppendUint64(b4326, math.Float64bits(ll.Lng))
		b4326 = binary.LittleEndian.AppendUint64(b4326, math.Float64bits(ll.Lat))
		x := r * ll.Lng * math.Pi / 180
		y := r * math.Log(math.Tan(math.Pi/4+ll.Lat*math.Pi/360))
		b3857 = binary.LittleEndian.AppendUint64(b3857, math.Float64bits(x))
		b3857 = binary.LittleEndian.AppendUint64(b3857, math.Float64bits(y))
	}
	return b4326, b3857
}
