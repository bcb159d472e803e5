package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/store"
)

// seedRisk writes a SYNTHETIC complete risk run covering every kabupaten at the
// given resolution (plus coarser parents down to 5), so the tile benchmark can
// measure national-size risk tiles before (or without) the real risk engine.
// Scores are a smooth field plus hash noise: they mean nothing. The run is
// marked in params so nobody mistakes it for a model result.
func seedRisk(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("waspada-load seed-risk", flag.ContinueOnError)
	res := fs.Int("res", 7, "analysis resolution (5-9)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *res < 5 || *res > 9 {
		return fmt.Errorf("--res must be 5..9")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	url, err := store.ResolveURL(ctx, log)
	if err != nil {
		return err
	}
	pool, err := store.Open(ctx, url, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	start := time.Now()

	// Cells: polyfill of the kabupaten pieces (at most 128 vertices each, valid).
	rows, err := pool.Query(ctx, `SELECT kabupaten_code, ST_AsBinary(geom) FROM kabupaten_part ORDER BY kabupaten_code`)
	if err != nil {
		return fmt.Errorf("read kabupaten_part: %w", err)
	}
	kab := map[h3.Cell]string{}
	for rows.Next() {
		var code string
		var b []byte
		if err := rows.Scan(&code, &b); err != nil {
			return err
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return err
		}
		poly, ok := g.(orb.Polygon)
		if !ok || len(poly) == 0 {
			continue
		}
		gp := h3.GeoPolygon{GeoLoop: loop(poly[0])}
		for _, hole := range poly[1:] {
			gp.Holes = append(gp.Holes, loop(hole))
		}
		for _, c := range h3.PolygonToCells(gp, *res) {
			if _, dup := kab[c]; !dup {
				kab[c] = code
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(kab) == 0 {
		return fmt.Errorf("no kabupaten_part rows: import the reference data first")
	}

	type cell struct {
		h     h3.Cell
		score float64
		kab   string
	}
	levels := map[int][]cell{}
	for c, code := range kab {
		ll := c.LatLng()
		s := 1 + 0.8*math.Sin(ll.Lat*0.9)*math.Cos(ll.Lng*0.7) + 0.6*float64(uint64(c)*0x9E3779B97F4A7C15>>40)/float64(1<<24)
		levels[*res] = append(levels[*res], cell{c, math.Exp(s), code})
	}
	for r := *res - 1; r >= 5; r-- {
		sum := map[h3.Cell]float64{}
		n := map[h3.Cell]int{}
		code := map[h3.Cell]string{}
		for _, c := range levels[r+1] {
			p := c.h.Parent(r)
			sum[p] += c.score
			n[p]++
			if code[p] == "" {
				code[p] = c.kab
			}
		}
		for p, s := range sum {
			levels[r] = append(levels[r], cell{p, s / float64(n[p]), code[p]})
		}
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var runID int64
	if err := tx.QueryRow(ctx, `INSERT INTO risk_run (status, train_until, period, resolution, params)
		VALUES ('running', date_trunc('month', now())::date - 1, date_trunc('month', now())::date, $1,
		        '{"synthetic": "waspada-load seed-risk: benchmark data, not a model result"}') RETURNING id`, *res).Scan(&runID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE seed_cell (h3 bigint, res smallint, score float8, bin smallint, kab text, wkt text) ON COMMIT DROP`); err != nil {
		return err
	}
	total := 0
	for r, cells := range levels {
		src := make([][]any, 0, len(cells))
		for _, c := range cells {
			var b strings.Builder
			b.WriteString("POLYGON((")
			bd := c.h.Boundary()
			for i, v := range append(bd, bd[0]) {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "%.7f %.7f", v.Lng, v.Lat)
			}
			b.WriteString("))")
			bin := int16(math.Max(-3, math.Min(3, math.Round((math.Log(c.score)-1.3)*3))))
			src = append(src, []any{int64(c.h), int16(r), c.score, bin, c.kab, b.String()})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"seed_cell"}, []string{"h3", "res", "score", "bin", "kab", "wkt"}, pgx.CopyFromRows(src)); err != nil {
			return err
		}
		total += len(cells)
	}
	// Both kinds of a cell are written next to each other in H3 order, which is
	// spatially coherent: a tile's cells then sit on few heap pages.
	if _, err := tx.Exec(ctx, `INSERT INTO risk_cell (run_id, kind, res, h3, score, gi_z, gi_p, gi_bin, kabupaten_code, factor_values, contrib, geom, geom_3857)
		SELECT $1, k.kind, res, h3, CASE WHEN k.kind = 'pmi' THEN 2 / score + 0.5 ELSE score END, 0, 1,
		       CASE WHEN k.kind = 'pmi' THEN -bin ELSE bin END, kab, '{}', '{}', g, ST_Transform(g, 3857)
		FROM (SELECT *, ST_GeomFromText(wkt, 4326) AS g FROM seed_cell) s CROSS JOIN (VALUES ('tppo'), ('pmi')) k(kind)
		ORDER BY res, h3, k.kind`, runID); err != nil {
		return fmt.Errorf("insert cells: %w", err)
	}
	for _, kind := range []string{"tppo", "pmi"} {
		if _, err := tx.Exec(ctx, `INSERT INTO risk_rollup (run_id, kind, level, code, period, mean_score, max_score, weighted_score, cells, rank_province, rank_national)
			SELECT $1, $2, 'kabupaten', kabupaten_code, (SELECT period FROM risk_run WHERE id = $1), avg(score), max(score), avg(score), count(*),
			       rank() OVER (PARTITION BY left(kabupaten_code, 2) ORDER BY avg(score) DESC), rank() OVER (ORDER BY avg(score) DESC)
			FROM risk_cell WHERE run_id = $1 AND kind = $2 AND res = $3 AND kabupaten_code IS NOT NULL GROUP BY kabupaten_code`, runID, kind, *res); err != nil {
			return fmt.Errorf("insert rollups: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE risk_run SET status = 'complete', finished_at = now() WHERE id = $1`, runID); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `ANALYZE risk_hex`); err != nil {
		return err
	}
	fmt.Fprintf(out, "seed-risk: SYNTHETIC run %d: %d cells per kind (res %d and parents to 5) in %.1fs\n", runID, total, *res, time.Since(start).Seconds())
	return nil
}

func loop(r orb.Ring) h3.GeoLoop {
	l := make(h3.GeoLoop, 0, len(r))
	for _, p := range r {
		l = append(l, h3.NewLatLng(p[1], p[0]))
	}
	return l
}
