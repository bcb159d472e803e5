package workflow

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/workflow/workflowtest"
)

// The fixture: the real reference data (boundaries, villages, ports) plus a
// small synthetic operational world in Bali (province 51): a complete risk
// run for October 2026 (analysis resolution 8, parents 7..5) with a TPPO hot
// spot in Buleleng (51.08) and a PMI hot spot in Karangasem (51.07),
// kabupaten rollups for October and September, residents and hotel guests
// in Denpasar (51.71), worksites, an informal landing point, desa binaan.
const (
	fxProv     = "51"
	fxDenpasar = workflowtest.Denpasar
	fxRes      = 8
)

func fxNow() time.Time { return time.Date(2026, 11, 15, 3, 0, 0, 0, time.UTC) }

// fxOverstayPoint is where 15 overstaying residents live (one H3 res-8 cell).
func fxOverstayPoint() orb.Point { return workflowtest.OverstayPoint() }

type fixture struct {
	pool   *pgxpool.Pool
	router *mux.Router
	audits *auditSpy
	binaan []string
}

type auditSpy struct {
	mu      sync.Mutex
	entries []audit.Entry
	fail    bool
}

func (a *auditSpy) Record(_ context.Context, e audit.Entry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail {
		return fmt.Errorf("audit store down")
	}
	a.entries = append(a.entries, e)
	return nil
}

func (a *auditSpy) list() []audit.Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]audit.Entry(nil), a.entries...)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := testdb.Reference(t)
	ctx := context.Background()
	fx := &fixture{pool: pool, audits: &auditSpy{}}
	if err := seedFixture(ctx, pool, fx); err != nil {
		t.Fatalf("seed fixture: %v", err)
	}
	fx.router = mux.NewRouter()
	if err := Register(routes.New(fx.router), Deps{DB: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Audit: fx.audits, Now: fxNow}); err != nil {
		t.Fatal(err)
	}
	return fx
}

func seedFixture(ctx context.Context, pool *pgxpool.Pool, fx *fixture) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	exec := func(q string, args ...any) error {
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
		return nil
	}
	// Cells: polyfill the province's kabupaten pieces at the analysis resolution.
	rows, err := tx.Query(ctx, `SELECT kabupaten_code, ST_AsBinary(geom) FROM kabupaten_part WHERE left(kabupaten_code, 2) = $1`, fxProv)
	if err != nil {
		return err
	}
	kabOf := map[h3.Cell]string{}
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
		if !ok {
			continue
		}
		gp := h3.GeoPolygon{}
		for i, ring := range poly {
			var lr h3.GeoLoop
			for _, p := range ring {
				lr = append(lr, h3.LatLng{Lat: p[1], Lng: p[0]})
			}
			if i == 0 {
				gp.GeoLoop = lr
			} else {
				gp.Holes = append(gp.Holes, lr)
			}
		}
		for _, c := range h3.PolygonToCells(gp, fxRes) {
			kabOf[c] = code
		}
	}
	rows.Close()
	if len(kabOf) < 1000 {
		return fmt.Errorf("only %d cells in province %s: reference data missing?", len(kabOf), fxProv)
	}
	var runID int64
	if err := tx.QueryRow(ctx, `INSERT INTO risk_run (status, train_until, period, resolution, finished_at, params)
		VALUES ('complete', '2026-10-31', '2026-10-01', $1, now(), '{"fixture": true}') RETURNING id`, fxRes).Scan(&runID); err != nil {
		return err
	}
	hot := map[string]orb.Point{"tppo": {115.09, -8.13}, "pmi": {115.55, -8.40}}
	score := func(kind string, ll h3.LatLng) float64 {
		h := hot[kind]
		d2 := (ll.Lng-h[0])*(ll.Lng-h[0]) + (ll.Lat-h[1])*(ll.Lat-h[1])
		return 0.6 + 3.5*math.Exp(-d2/(2*0.06*0.06)) + 0.2*math.Sin(ll.Lng*40)*math.Cos(ll.Lat*40)
	}
	for _, kind := range []string{"tppo", "pmi"} {
		if err := exec(`INSERT INTO risk_factor VALUES ($1, $2, 0, 'poverty_rate', 'Kemiskinan', 'Poverty', 0.1, 1.1, true)`, runID, kind); err != nil {
			return err
		}
		for res := fxRes; res >= 5; res-- {
			agg := map[h3.Cell][]float64{}
			kab := map[h3.Cell]string{}
			for c, k := range kabOf {
				p := c.Parent(res)
				agg[p] = append(agg[p], score(kind, c.LatLng()))
				if _, ok := kab[p]; !ok || k < kab[p] {
					kab[p] = k
				}
			}
			var ids []int64
			var scores []float64
			var kabs []string
			var geoms [][]byte
			var bins []int16
			for c, ss := range agg {
				var s float64
				for _, v := range ss {
					s += v
				}
				s /= float64(len(ss))
				ids = append(ids, int64(c))
				scores = append(scores, s)
				kabs = append(kabs, kab[c])
				bin := int16(0)
				if s > 2.5 {
					bin = 3
				} else if s > 1.8 {
					bin = 2
				}
				bins = append(bins, bin)
				geoms = append(geoms, wkb.MustMarshal(cellPolygon(c)))
			}
			if err := exec(`INSERT INTO risk_cell (run_id, kind, res, h3, score, gi_z, gi_p, gi_bin, kabupaten_code, factor_values, contrib, geom, geom_3857)
				SELECT $1, $2, $3, u.h, u.s, u.b * 1.3, 0.01, u.b, u.k, ARRAY[10.0]::real[], ARRAY[0.1]::real[],
				       ST_SetSRID(ST_GeomFromWKB(u.g), 4326), ST_Transform(ST_SetSRID(ST_GeomFromWKB(u.g), 4326), 3857)
				FROM unnest($4::bigint[], $5::float8[], $6::text[], $7::bytea[], $8::smallint[]) AS u(h, s, k, g, b)`,
				runID, kind, res, ids, scores, kabs, geoms, bins); err != nil {
				return err
			}
		}
		// Kabupaten rollups for October and September (September lower in
		// the hot kabupaten, so the brief shows a rise).
		if err := exec(`INSERT INTO risk_rollup (run_id, kind, level, code, period, mean_score, max_score, weighted_score, cells, rank_province, rank_national, prev_weighted, change)
			SELECT $1, $2, 'kabupaten', x.code, x.period, x.m, x.mx, x.w, x.n,
			       rank() OVER (PARTITION BY x.period ORDER BY x.w DESC), rank() OVER (PARTITION BY x.period ORDER BY x.w DESC), NULL, NULL
			FROM (
			    SELECT kabupaten_code AS code, p.period, avg(score) * p.f AS m, max(score) AS mx, avg(score) * p.f AS w, count(*) AS n
			    FROM risk_cell, (VALUES ('2026-10-01'::date, 1.0), ('2026-09-01'::date, 0.8)) AS p(period, f)
			    WHERE run_id = $1 AND kind = $2 AND res = $3
			    GROUP BY kabupaten_code, p.period, p.f
			) x`, runID, kind, fxRes); err != nil {
			return err
		}
		if err := exec(`UPDATE risk_rollup r SET prev_weighted = p.weighted_score, change = r.weighted_score - p.weighted_score
			FROM risk_rollup p WHERE r.run_id = $1 AND p.run_id = $1 AND r.kind = $2 AND p.kind = $2 AND r.code = p.code
			  AND r.period = '2026-10-01' AND p.period = '2026-09-01'`, runID, kind); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	b, err := workflowtest.SeedOperational(ctx, pool)
	fx.binaan = b
	return err
}

// do sends a request as p (nil: anonymous).
func (fx *fixture) do(t *testing.T, p *access.Principal, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if p != nil {
		req = req.WithContext(access.WithPrincipal(req.Context(), *p))
	}
	rec := httptest.NewRecorder()
	fx.router.ServeHTTP(rec, req)
	return rec
}

func admin() *access.Principal {
	return &access.Principal{UserID: 1, Username: "admin", Role: access.Admin}
}
func intel(kabs ...string) *access.Principal {
	return &access.Principal{UserID: 2, Username: "intel", Role: access.IntelOfficer, Kabupaten: kabs}
}
func planner(provs ...string) *access.Principal {
	return &access.Principal{UserID: 3, Username: "planner", Role: access.Planner, Provinces: provs}
}
func kanwil(prov string) *access.Principal {
	return &access.Principal{UserID: 4, Username: "kanwil", Role: access.KanwilHead, Provinces: []string{prov}}
}
