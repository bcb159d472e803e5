// Package apitest writes a SYNTHETIC complete risk run for the API's and the
// web front end's tests: cells of the chosen kabupaten at one resolution and
// their coarser parents, a factor table, per-cell factor values and
// contributions that multiply out to the score, Gi* bins, and kabupaten
// rollups for several monthly periods. The numbers are made up (a smooth
// field plus hash noise); the structure is what `waspada risk compute`
// writes, so the API and the map can be tested before and beside the engine.
package apitest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/uber/h3-go/v4"
)

// Factor is a row of the synthetic factor table.
type Factor struct {
	Name, LabelID, LabelEN string
	Coef                   float64
}

// Factors returns the factor table the seed writes for both kinds.
func Factors() []Factor {
	return []Factor{
		{"foreign_residents", "Kepadatan WNA (domisili)", "Foreign residents (density)", 0.30},
		{"foreign_workers", "Tenaga kerja asing di lokasi kerja (kepadatan)", "Foreign workers at worksites (density)", 0.22},
		{"port_official", "Dekat pelabuhan utama/umum", "Near a main or public port", 0.45},
		{"landing_informal", "Dekat jalur tikus", "Near an informal landing point", 0.80},
		{"desa_binaan", "Cakupan desa binaan", "Desa binaan coverage", -0.35},
		{"poverty_rate", "Tingkat kemiskinan kabupaten (%)", "Kabupaten poverty rate (%)", 0.04},
	}
}

// Intercept is the log score of a cell where every factor is zero: chosen so
// that the seeded scores spread over the map's classes around 1.
const Intercept = -1.7

// Options says what to seed.
type Options struct {
	Kabupaten []string  // kabupaten codes whose area is covered (their kabupaten_part pieces)
	Res       int       // analysis resolution (6..9); parents down to 5 are added
	Period    time.Time // the run's period (first of a month)
	Periods   int       // rollup periods ending at Period (>= 1)
}

// Cell is one seeded analysis-resolution cell, for tests that need a known cell.
type Cell struct {
	H3        h3.Cell
	Kabupaten string
	Score     map[string]float64 // by kind
}

// Seed writes the run and returns its id and the analysis-resolution cells.
func Seed(ctx context.Context, pool *pgxpool.Pool, o Options) (int64, []Cell, error) {
	if o.Res < 6 || o.Res > 9 || o.Periods < 1 || o.Period.Day() != 1 {
		return 0, nil, fmt.Errorf("apitest: bad options %+v", o)
	}
	rows, err := pool.Query(ctx, `SELECT kabupaten_code, ST_AsBinary(geom) FROM kabupaten_part
		WHERE kabupaten_code = ANY ($1) ORDER BY kabupaten_code`, o.Kabupaten)
	if err != nil {
		return 0, nil, fmt.Errorf("apitest: read kabupaten_part: %w", err)
	}
	kabOf := map[h3.Cell]string{}
	for rows.Next() {
		var code string
		var b []byte
		if err := rows.Scan(&code, &b); err != nil {
			rows.Close()
			return 0, nil, err
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			rows.Close()
			return 0, nil, err
		}
		poly, ok := g.(orb.Polygon)
		if !ok || len(poly) == 0 {
			continue
		}
		gp := h3.GeoPolygon{GeoLoop: loop(poly[0])}
		for _, hole := range poly[1:] {
			gp.Holes = append(gp.Holes, loop(hole))
		}
		cells := h3.PolygonToCells(gp, o.Res)
		for _, c := range cells {
			if _, dup := kabOf[c]; !dup {
				kabOf[c] = code
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	if len(kabOf) == 0 {
		return 0, nil, fmt.Errorf("apitest: no cells for kabupaten %v (are kabupaten_part rows there?)", o.Kabupaten)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var runID int64
	if err := tx.QueryRow(ctx, `INSERT INTO risk_run (status, train_until, period, resolution, params)
		VALUES ('running', $1::date - 1, $1, $2, '{"synthetic": "internal/api/apitest"}') RETURNING id`,
		o.Period, o.Res).Scan(&runID); err != nil {
		return 0, nil, fmt.Errorf("apitest: run: %w", err)
	}
	fs := Factors()
	kinds := []string{"tppo", "pmi"}
	for _, kind := range kinds {
		for i, f := range fs {
			coef := f.Coef
			if kind == "pmi" {
				coef *= 1.2 - 0.3*float64(i%2)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO risk_factor (run_id, kind, ord, name, label_id, label_en, coefficient, rr, kept)
				VALUES ($1, $2, $3, $4, $5, $6, $7, exp($7), true)`, runID, kind, i, f.Name, f.LabelID, f.LabelEN, coef); err != nil {
				return 0, nil, fmt.Errorf("apitest: factor: %w", err)
			}
		}
	}
	// Analysis cells, sorted for a deterministic result.
	base := make([]h3.Cell, 0, len(kabOf))
	for c := range kabOf {
		base = append(base, c)
	}
	slices.Sort(base)
	out := make([]Cell, len(base))
	// Parents carry the mean score, factor values and contributions of their
	// analysis-resolution children.
	type agg struct {
		sum     map[string]float64
		n       int
		kab     string
		vals    []float64
		contrib map[string][]float64
	}
	parents := map[h3.Cell]*agg{}
	for i, c := range base {
		out[i] = Cell{H3: c, Kabupaten: kabOf[c], Score: map[string]float64{}}
	}
	for _, kind := range kinds {
		var ids []int64
		var res []int16
		var wkt []string
		var scores []float64
		var kabs []string
		var vals, contribs []string
		scoreOf := make([]float64, len(base))
		for i, c := range base {
			v := factorValues(c)
			contrib := make([]float64, len(fs))
			logScore := 0.0
			for j, f := range fs {
				coef := f.Coef
				if kind == "pmi" {
					coef *= 1.2 - 0.3*float64(j%2)
				}
				x := v[j]
				if j < 2 {
					x = math.Log1p(x)
				}
				contrib[j] = coef * x
				logScore += contrib[j]
			}
			s := math.Exp(logScore + Intercept)
			scoreOf[i] = s
			out[i].Score[kind] = s
			ids, res = append(ids, int64(c)), append(res, int16(o.Res))
			wkt, scores, kabs = append(wkt, cellWKT(c)), append(scores, s), append(kabs, kabOf[c])
			vals, contribs = append(vals, floatArray(v)), append(contribs, floatArray(contrib))
			for r := o.Res - 1; r >= 5; r-- {
				p := c.Parent(r)
				a := parents[p]
				if a == nil {
					a = &agg{sum: map[string]float64{}, kab: kabOf[c], vals: make([]float64, len(fs)), contrib: map[string][]float64{}}
					parents[p] = a
				}
				a.sum[kind] += s
				if a.contrib[kind] == nil {
					a.contrib[kind] = make([]float64, len(fs))
				}
				for j := range fs {
					a.contrib[kind][j] += contrib[j]
				}
				if kind == kinds[0] {
					a.n++
					for j := range fs {
						a.vals[j] += v[j]
					}
				}
			}
		}
		bins := giBins(scoreOf)
		if _, err := tx.Exec(ctx, `INSERT INTO risk_cell (run_id, kind, res, h3, score, gi_z, gi_p, gi_bin, kabupaten_code,
				factor_values, contrib, geom, geom_3857)
			SELECT $1, $2, r, h, s, b * 1.2, CASE WHEN b = 0 THEN 0.5 ELSE 0.01 END, b, k, fv::real[], cb::real[], g::geometry, ST_Transform(g::geometry, 3857)
			FROM unnest($3::bigint[], $4::smallint[], $5::text[], $6::float8[], $7::smallint[], $8::text[], $9::text[], $10::text[])
			     AS u(h, r, g, s, b, k, fv, cb)`,
			runID, kind, ids, res, wkt, scores, bins, kabs, vals, contribs); err != nil {
			return 0, nil, fmt.Errorf("apitest: cells: %w", err)
		}
	}
	// Parents: the mean of their children (Gi* is computed at the analysis resolution only).
	for _, kind := range kinds {
		var ids []int64
		var res []int16
		var wkt []string
		var scores []float64
		var kabs, vals, contribs []string
		for p, a := range parents {
			ids, res = append(ids, int64(p)), append(res, int16(p.Resolution()))
			wkt, scores, kabs = append(wkt, cellWKT(p)), append(scores, a.sum[kind]/float64(a.n)), append(kabs, a.kab)
			mv, mc := make([]float64, len(fs)), make([]float64, len(fs))
			for j := range fs {
				mv[j], mc[j] = a.vals[j]/float64(a.n), a.contrib[kind][j]/float64(a.n)
			}
			vals, contribs = append(vals, floatArray(mv)), append(contribs, floatArray(mc))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO risk_cell (run_id, kind, res, h3, score, gi_bin, kabupaten_code,
				factor_values, contrib, geom, geom_3857)
			SELECT $1, $2, r, h, s, 0, k, fv::real[], cb::real[], g::geometry, ST_Transform(g::geometry, 3857)
			FROM unnest($3::bigint[], $4::smallint[], $5::text[], $6::float8[], $7::text[], $8::text[], $9::text[])
			     AS u(h, r, g, s, k, fv, cb)`,
			runID, kind, ids, res, wkt, scores, kabs, vals, contribs); err != nil {
			return 0, nil, fmt.Errorf("apitest: parent cells: %w", err)
		}
	}
	// Rollups: the analysis cells' mean per kabupaten, drifting over the periods.
	for _, kind := range kinds {
		if _, err := tx.Exec(ctx, `
			WITH base AS (
				SELECT kabupaten_code AS code, avg(score) AS mean, max(score) AS mx, count(*) AS n
				FROM risk_cell WHERE run_id = $1 AND kind = $2 AND res = $3 GROUP BY 1),
			per AS (
				SELECT b.code, (($4::date - make_interval(months => g)))::date AS period,
				       b.mean * (1 + 0.15 * sin(g * 0.9 + hashtext(b.code) % 7)) AS w, b.mean, b.mx, b.n
				FROM base b, generate_series(0, $5::int - 1) g),
			ranked AS (
				SELECT p.*, rank() OVER (PARTITION BY period ORDER BY w DESC) AS rn,
				       rank() OVER (PARTITION BY period, left(code, 2) ORDER BY w DESC) AS rp,
				       lag(w) OVER (PARTITION BY code ORDER BY period) AS prev
				FROM per p)
			INSERT INTO risk_rollup (run_id, kind, level, code, period, mean_score, max_score, weighted_score, cells,
				rank_province, rank_national, prev_weighted, change)
			SELECT $1, $2, 'kabupaten', code, period, mean, mx, w, n, rp, rn, prev, w - prev FROM ranked`,
			runID, kind, o.Res, o.Period, o.Periods); err != nil {
			return 0, nil, fmt.Errorf("apitest: rollups: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE risk_run SET status = 'complete', finished_at = now() WHERE id = $1`, runID); err != nil {
		return 0, nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, nil, fmt.Errorf("apitest: commit: %w", err)
	}
	return runID, out, nil
}

// factorValues makes plausible raw values: counts for the densities, 0/1 for
// proximity, a percentage for poverty.
func factorValues(c h3.Cell) []float64 {
	ll := c.LatLng()
	hsh := uint64(c) * 0x9E3779B97F4A7C15
	u := func(k uint) float64 { return float64((hsh>>(k*8))&0xFF) / 255 }
	wave := 0.5 + 0.5*math.Sin(ll.Lat*9)*math.Cos(ll.Lng*7)
	return []float64{
		math.Round(40 * wave * u(0)),         // residents within 3 km
		math.Round(120 * wave * u(1) * u(2)), // foreign workers within 5 km
		b2f(u(3) < 0.25),
		b2f(u(4)*wave > 0.45),
		b2f(u(5) < 0.3),
		8 + 10*u(6),
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// giBins gives the top 5/10/20 % of scores bins 3/2/1 and the bottom 10 % -1.
func giBins(s []float64) []int16 {
	sorted := slices.Clone(s)
	sort.Float64s(sorted)
	q := func(p float64) float64 { return sorted[int(p*float64(len(sorted)-1))] }
	q95, q90, q80, q10 := q(0.95), q(0.90), q(0.80), q(0.10)
	out := make([]int16, len(s))
	for i, v := range s {
		switch {
		case v >= q95:
			out[i] = 3
		case v >= q90:
			out[i] = 2
		case v >= q80:
			out[i] = 1
		case v <= q10:
			out[i] = -1
		}
	}
	return out
}

func floatArray(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.6g", x)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func cellWKT(c h3.Cell) string {
	bd := c.Boundary()
	var b strings.Builder
	b.WriteString("SRID=4326;POLYGON((")
	for i, v := range append(bd, bd[0]) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%.9f %.9f", v.Lng, v.Lat)
	}
	b.WriteString("))")
	return b.String()
}

func loop(r orb.Ring) h3.GeoLoop {
	out := make(h3.GeoLoop, 0, len(r))
	for _, p := range r {
		out = append(out, h3.NewLatLng(p[1], p[0]))
	}
	return out
}
