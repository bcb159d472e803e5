package tiles

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/testdb"
)

// The fixture: two provinces far apart. Province 21 has two kabupaten sharing a
// border (21.71 west of lon 104.2, 21.01 east of it, the border carrying extra
// vertices); province 53 has one. Each has a district, a village, ports,
// worksites, residents and incidents; a complete risk run covers 21.71/21.01.
const (
	batamLon, batamLat = 104.05, 1.05 // inside 21.71
	eastLon, eastLat   = 104.35, 1.05 // inside 21.01
	kupangLon          = 123.65       // inside 53.01
	kupangLat          = -10.15
)

func box(x0, y0, x1, y1 float64, extraOnEast bool) string {
	// Counter-clockwise ring; extra vertices on the east edge test shared borders.
	pts := []string{fmt.Sprintf("%g %g", x0, y0), fmt.Sprintf("%g %g", x1, y0)}
	if extraOnEast {
		for _, y := range []float64{0.97, 1.03, 1.11} {
			pts = append(pts, fmt.Sprintf("%g %g", x1+0.00731*(y-1), y))
		}
	}
	pts = append(pts, fmt.Sprintf("%g %g", x1, y1), fmt.Sprintf("%g %g", x0, y1), fmt.Sprintf("%g %g", x0, y0))
	return "MULTIPOLYGON(((" + strings.Join(pts, ",") + ")))"
}

// westEastBorder makes 21.01's west edge the exact reverse of 21.71's east edge.
func eastBox() string {
	pts := []string{"104.2 0.9", "104.5 0.9", "104.5 1.2", "104.2 1.2"}
	for _, y := range []float64{1.11, 1.03, 0.97} {
		pts = append(pts, fmt.Sprintf("%g %g", 104.2+0.00731*(y-1), y))
	}
	pts = append(pts, "104.2 0.9")
	return "MULTIPOLYGON(((" + strings.Join(pts, ",") + ")))"
}

func r9(lon, lat float64) int64 { return int64(h3.LatLngToCell(h3.NewLatLng(lat, lon), 9)) }

func mustExec(t testing.TB, ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("fixture: %v\n%s", err, sql)
	}
}

// fixtureDB returns a fresh database with the fixture loaded; withRun adds the risk run.
func fixtureDB(t testing.TB, withRun bool) *pgxpool.Pool {
	t.Helper()
	pool := testdb.Empty(t)
	ctx := context.Background()
	west := box(103.9, 0.9, 104.2, 1.2, true)
	east := eastBox()
	kupang := box(123.5, -10.3, 123.8, -10.0, false)
	mustExec(t, ctx, pool, `INSERT INTO provinsi (code, name, geom, label_point, area_km2) VALUES
		('21', 'Kepulauan Riau', ST_Multi(ST_Union($1::geometry, $2::geometry)), ST_SetSRID(ST_MakePoint(104.2, 1.05), 4326), 1),
		('53', 'Nusa Tenggara Timur', $3::geometry, ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326), 1)`,
		"SRID=4326;"+west, "SRID=4326;"+east, "SRID=4326;"+kupang, kupangLon, kupangLat)
	mustExec(t, ctx, pool, `INSERT INTO kabupaten (code, provinsi_code, name, geom, label_point, area_km2) VALUES
		('21.71', '21', 'Kota Batam', $1::geometry, ST_PointOnSurface($1::geometry), 1),
		('21.01', '21', 'Kabupaten Bintan', $2::geometry, ST_PointOnSurface($2::geometry), 1),
		('53.01', '53', 'Kabupaten Kupang', $3::geometry, ST_PointOnSurface($3::geometry), 1)`,
		"SRID=4326;"+west, "SRID=4326;"+east, "SRID=4326;"+kupang)
	mustExec(t, ctx, pool, `INSERT INTO kecamatan (code, kabupaten_code, name, geom, label_point)
		SELECT code || '.01', code, 'Kecamatan ' || name, geom, label_point FROM kabupaten`)
	mustExec(t, ctx, pool, `INSERT INTO desa (code, kecamatan_code, kabupaten_code, name, centroid, geom, h3_r9)
		SELECT kc.code || '.1001', kc.code, kc.kabupaten_code, 'Desa ' || kc.code, kc.label_point, kc.geom, 0 FROM kecamatan kc`)
	mustExec(t, ctx, pool, `UPDATE desa SET h3_r9 = $1 WHERE kabupaten_code = '21.71'`, r9(batamLon, batamLat))
	mustExec(t, ctx, pool, `INSERT INTO desa_binaan (desa_code, established_on) VALUES ('21.71.01.1001', '2024-05-20'), ('53.01.01.1001', '2023-01-02')`)
	pt := func(lon, lat float64) string { return fmt.Sprintf("SRID=4326;POINT(%g %g)", lon, lat) }
	mustExec(t, ctx, pool, `INSERT INTO port (id, name, kind, source, kabupaten_code, geom, h3_r9) VALUES
		('REF-1', 'Batu Ampar', 'main', 'reference', '21.71', $1, $2),
		('JT-1', 'Pantai Timur', 'informal', 'import', '21.01', $3, $4),
		('REF-2', 'Tenau', 'public', 'reference', '53.01', $5, $6)`,
		pt(batamLon, batamLat), r9(batamLon, batamLat), pt(eastLon, eastLat), r9(eastLon, eastLat), pt(kupangLon, kupangLat), r9(kupangLon, kupangLat))
	mustExec(t, ctx, pool, `INSERT INTO worksite (id, name, sector, foreign_workers, local_workers, kabupaten_code, geom, h3_r9) VALUES
		('WS-1', 'Galangan Kapal', 'manufacturing', 120, 800, '21.71', $1, $2),
		('WS-2', 'Tambak', 'fishery', 4, 50, '53.01', $3, $4)`,
		pt(batamLon+0.01, batamLat), r9(batamLon+0.01, batamLat), pt(kupangLon, kupangLat+0.01), r9(kupangLon, kupangLat+0.01))
	// Residents: 15 in one cell of 21.71, 3 in 21.01 (a small count), 12 in 53.01.
	addResidents := func(prefix, kab string, n int, lon, lat float64) {
		mustExec(t, ctx, pool, `INSERT INTO resident (id, nationality, permit_type, permit_expiry, arrival_date, address_kind,
			reported_on, kabupaten_code, geom, h3_r9)
			SELECT $1 || i, 'CHN', 'ITAS', '2030-01-01', '2025-01-01', 'residence', '2025-01-02', $2, $3::geometry, $4
			FROM generate_series(1, $5::int) i`, prefix, kab, pt(lon, lat), r9(lon, lat), n)
	}
	addResidents("RB-", "21.71", 15, batamLon, batamLat)
	addResidents("RE-", "21.01", 3, eastLon, eastLat)
	addResidents("RK-", "53.01", 12, kupangLon, kupangLat)
	mustExec(t, ctx, pool, `INSERT INTO incident (id, kind, occurred_on, victims, kabupaten_code, geom, h3_r9)
		SELECT 'INC-K' || i, 'tppo', '2025-06-01', 2, '53.01', $1::geometry, $2 FROM generate_series(1, 11) i`,
		pt(kupangLon, kupangLat), r9(kupangLon, kupangLat))
	mustExec(t, ctx, pool, `INSERT INTO incident (id, kind, occurred_on, victims, kabupaten_code, geom, h3_r9)
		SELECT 'INC-B' || i, 'pmi', '2025-06-01', 1, '21.71', $1::geometry, $2 FROM generate_series(1, 2) i`,
		pt(batamLon, batamLat), r9(batamLon, batamLat))
	if withRun {
		addRiskRun(t, ctx, pool, 1.0)
	}
	return pool
}

// addRiskRun writes a complete run: resolution-7 cells in a disk around Batam
// and their resolution-6 and -5 parents, both kinds, scores scaled by factor.
func addRiskRun(t testing.TB, ctx context.Context, pool *pgxpool.Pool, factor float64) int64 {
	t.Helper()
	var runID int64
	if err := pool.QueryRow(ctx, `INSERT INTO risk_run (status, train_until, period, resolution, finished_at)
		VALUES ('running', '2025-12-31', '2025-12-01', 7, now()) RETURNING id`).Scan(&runID); err != nil {
		t.Fatal(err)
	}
	centre := h3.LatLngToCell(h3.NewLatLng(1.05, 104.2), 7)
	cells := map[h3.Cell]bool{}
	for _, c := range h3.GridDisk(centre, 12) {
		cells[c] = true
		cells[c.Parent(6)] = true
		cells[c.Parent(5)] = true
	}
	var ids []int64
	var res []int16
	var wkt []string
	var scores []float64
	for c := range cells {
		var b strings.Builder
		b.WriteString("SRID=4326;POLYGON((")
		bd := c.Boundary()
		for i, v := range append(bd, bd[0]) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%.9f %.9f", v.Lng, v.Lat)
		}
		b.WriteString("))")
		ids = append(ids, int64(c))
		res = append(res, int16(c.Resolution()))
		wkt = append(wkt, b.String())
		scores = append(scores, factor*float64(1+int64(c)%7))
	}
	for _, kind := range []string{"tppo", "pmi"} {
		mustExec(t, ctx, pool, `INSERT INTO risk_cell (run_id, kind, res, h3, score, gi_z, gi_p, gi_bin, kabupaten_code, factor_values, contrib, geom, geom_3857)
			SELECT $1, $2, r, h, s, 0, 1, (h % 7 - 3)::smallint,
			       (SELECT code FROM kabupaten k WHERE ST_Intersects(k.geom, ST_Centroid(g::geometry)) LIMIT 1),
			       '{}', '{}', g::geometry, ST_Transform(g::geometry, 3857)
			FROM unnest($3::bigint[], $4::smallint[], $5::text[], $6::float8[]) AS u(h, r, g, s)`,
			runID, kind, ids, res, wkt, scores)
		mustExec(t, ctx, pool, `INSERT INTO risk_rollup (run_id, kind, level, code, period, mean_score, max_score, weighted_score, cells, rank_province, rank_national)
			SELECT $1, $2, 'kabupaten', code, '2025-12-01', 2, 6, 3 * $3::float8, 10, 1, row_number() OVER (ORDER BY code) FROM kabupaten`, runID, kind, factor)
	}
	mustExec(t, ctx, pool, `UPDATE risk_run SET status = 'complete' WHERE id = $1`, runID)
	return runID
}

// testWriter sends the server's warnings and errors to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func newTestServer(t testing.TB, pool *pgxpool.Pool, cfg Config) *Server {
	t.Helper()
	s, err := New(context.Background(), cfg, pool, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
