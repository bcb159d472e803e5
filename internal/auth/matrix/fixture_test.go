package matrix

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uber/h3-go/v4"
)

// The fixture: province 21 with kabupaten 21.71 (west of lon 104.2) and 21.01
// (east of it), province 53 with 53.01. Residents with names and passports:
// 15 in one cell of 21.71 and 9 in a neighbouring cell of the same parent
// (the differencing trap), 3 and 11 in 21.01, 12 in 53.01. Incidents: 11 in
// 53.01, 12 in 21.01, 2 in 21.71. Ports, worksites, desa binaan and a risk run
// around each place; one worksite in 53.01 has 4 foreign workers.
type place struct {
	name     string
	lon, lat float64
	kab      string
}

var (
	placeA = place{"A", 104.05, 1.05, "21.71"}
	placeE = place{"E", 104.35, 1.05, "21.01"}
	placeK = place{"K", 123.65, -10.15, "53.01"}
)

// kabBoxes are the fixture's kabupaten rectangles (lon0, lat0, lon1, lat1).
var kabBoxes = map[string][4]float64{
	"21.71": {103.9, 0.9, 104.2, 1.2},
	"21.01": {104.2, 0.9, 104.5, 1.2},
	"53.01": {123.5, -10.3, 123.8, -10.0},
}

// kabAt returns the fixture kabupaten containing a point ("" outside all),
// allowing a margin for points snapped to a tile grid or an H3 cell centre.
func kabAt(lon, lat, margin float64) []string {
	var out []string
	for code, b := range kabBoxes {
		if lon >= b[0]-margin && lon <= b[2]+margin && lat >= b[1]-margin && lat <= b[3]+margin {
			out = append(out, code)
		}
	}
	return out
}

func boxWKT(b [4]float64) string {
	return fmt.Sprintf("SRID=4326;MULTIPOLYGON(((%g %g,%g %g,%g %g,%g %g,%g %g)))", b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1])
}

func r9(lon, lat float64) int64 { return int64(h3.LatLngToCell(h3.NewLatLng(lat, lon), 9)) }

// neighbourSameParent finds a point near p in another resolution-9 cell with
// the same resolution-7 parent.
func neighbourSameParent(p place) (float64, float64) {
	c := h3.LatLngToCell(h3.NewLatLng(p.lat, p.lon), 9)
	for d := 0.001; d < 0.02; d += 0.0005 {
		for _, off := range [][2]float64{{d, 0}, {-d, 0}, {0, d}, {0, -d}} {
			lon, lat := p.lon+off[0], p.lat+off[1]
			n := h3.LatLngToCell(h3.NewLatLng(lat, lon), 9)
			if n != c && n.Parent(7) == c.Parent(7) && n.Parent(8) == c.Parent(8) {
				return lon, lat
			}
		}
	}
	panic("no neighbour cell found")
}

// secrets are strings that must never reach a role without personal-data rights.
type secrets struct{ names, passports []string }

func loadFixture(t *testing.T, pool *pgxpool.Pool) secrets {
	t.Helper()
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("fixture: %v\n%s", err, sql)
		}
	}
	w, e, k := kabBoxes["21.71"], kabBoxes["21.01"], kabBoxes["53.01"]
	exec(`INSERT INTO provinsi (code, name, geom, label_point, area_km2) VALUES
		('21', 'Kepulauan Riau', ST_Multi(ST_Union($1::geometry, $2::geometry)), ST_SetSRID(ST_MakePoint(104.2, 1.05), 4326), 1),
		('53', 'Nusa Tenggara Timur', $3::geometry, ST_SetSRID(ST_MakePoint(123.65, -10.15), 4326), 1)`, boxWKT(w), boxWKT(e), boxWKT(k))
	exec(`INSERT INTO kabupaten (code, provinsi_code, name, geom, label_point, area_km2) VALUES
		('21.71', '21', 'Kota Batam', $1::geometry, ST_PointOnSurface($1::geometry), 1),
		('21.01', '21', 'Kabupaten Bintan', $2::geometry, ST_PointOnSurface($2::geometry), 1),
		('53.01', '53', 'Kabupaten Kupang', $3::geometry, ST_PointOnSurface($3::geometry), 1)`, boxWKT(w), boxWKT(e), boxWKT(k))
	exec(`INSERT INTO kabupaten_part (kabupaten_code, geom) SELECT code, (ST_Dump(geom)).geom FROM kabupaten`)
	exec(`INSERT INTO kecamatan (code, kabupaten_code, name, geom, label_point)
		SELECT code || '.01', code, 'Kecamatan ' || name, geom, label_point FROM kabupaten`)
	exec(`INSERT INTO desa (code, kecamatan_code, kabupaten_code, name, centroid, geom, h3_r9)
		SELECT kc.code || '.1001', kc.code, kc.kabupaten_code, 'Desa ' || kc.code, kc.label_point, kc.geom, 0 FROM kecamatan kc`)
	exec(`INSERT INTO desa_binaan (desa_code, established_on) VALUES ('21.71.01.1001', '2024-05-20'), ('21.01.01.1001', '2024-01-01'), ('53.01.01.1001', '2023-01-02')`)
	pt := func(lon, lat float64) string { return fmt.Sprintf("SRID=4326;POINT(%g %g)", lon, lat) }
	for i, p := range []place{placeA, placeE, placeK} {
		exec(`INSERT INTO port (id, name, kind, source, kabupaten_code, geom, h3_r9) VALUES ($1, $2, 'public', 'reference', $3, $4, $5)`,
			fmt.Sprintf("P-%d", i), "Pelabuhan "+p.name, p.kab, pt(p.lon+0.02, p.lat), r9(p.lon+0.02, p.lat))
		exec(`INSERT INTO worksite (id, name, sector, foreign_workers, local_workers, kabupaten_code, geom, h3_r9)
			VALUES ($1, $2, 'manufacturing', $3, 100, $4, $5, $6)`,
			fmt.Sprintf("WS-%d", i), "Pabrik "+p.name, 40+i, p.kab, pt(p.lon, p.lat+0.02), r9(p.lon, p.lat+0.02))
	}
	// a worksite with few foreign workers: a count from 1 to 9 of people
	exec(`INSERT INTO worksite (id, name, sector, foreign_workers, local_workers, kabupaten_code, geom, h3_r9)
		VALUES ('WS-small', 'Tambak Kecil', 'fishery', 4, 50, '53.01', $1, $2)`,
		pt(placeK.lon+0.01, placeK.lat+0.01), r9(placeK.lon+0.01, placeK.lat+0.01))
	var sec secrets
	n := 0
	addResidents := func(kab string, count int, lon, lat float64) {
		for i := 0; i < count; i++ {
			n++
			id := fmt.Sprintf("RES-%04d", n)
			name := fmt.Sprintf("Zhang Weiming %04d", n)
			passport := fmt.Sprintf("E7%07d", n)
			sec.names = append(sec.names, name)
			sec.passports = append(sec.passports, passport)
			exec(`INSERT INTO resident (id, nationality, permit_type, permit_expiry, arrival_date, address_kind, hotel_name, check_in,
				reported_on, kabupaten_code, geom, h3_r9)
				VALUES ($1, 'CHN', 'ITAS', '2030-01-01', '2025-01-01', $2, $3, $4, '2025-01-02', $5, $6, $7)`,
				id, map[bool]string{true: "hotel", false: "residence"}[i%4 == 0], nilIf(i%4 != 0, "Hotel Rahasia "+id),
				nilIf(i%4 != 0, "2025-01-01"), kab, pt(lon, lat), r9(lon, lat))
			exec(`INSERT INTO resident_identity (resident_id, full_name, passport_number) VALUES ($1, $2, $3)`, id, name, passport)
		}
	}
	addResidents("21.71", 15, placeA.lon, placeA.lat)
	nlon, nlat := neighbourSameParent(placeA)
	addResidents("21.71", 9, nlon, nlat)
	addResidents("21.01", 3, placeE.lon, placeE.lat)
	addResidents("21.01", 11, placeE.lon+0.07, placeE.lat+0.07)
	addResidents("53.01", 12, placeK.lon, placeK.lat)
	exec(`INSERT INTO incident (id, kind, occurred_on, victims, kabupaten_code, geom, h3_r9)
		SELECT 'INC-K' || i, 'tppo', '2025-06-01', 2, '53.01', $1::geometry, $2 FROM generate_series(1, 11) i`,
		pt(placeK.lon, placeK.lat), r9(placeK.lon, placeK.lat))
	exec(`INSERT INTO incident (id, kind, occurred_on, victims, kabupaten_code, geom, h3_r9)
		SELECT 'INC-E' || i, 'pmi', '2025-07-01', 1, '21.01', $1::geometry, $2 FROM generate_series(1, 12) i`,
		pt(placeE.lon-0.05, placeE.lat-0.05), r9(placeE.lon-0.05, placeE.lat-0.05))
	exec(`INSERT INTO incident (id, kind, occurred_on, victims, kabupaten_code, geom, h3_r9)
		SELECT 'INC-B' || i, 'pmi', '2025-06-01', 1, '21.71', $1::geometry, $2 FROM generate_series(1, 2) i`,
		pt(placeA.lon, placeA.lat), r9(placeA.lon, placeA.lat))
	addRiskRun(t, pool)
	// an import marks the data version, as a real import would
	exec(`INSERT INTO import_log (kind, source, rows_in, rows_written) VALUES ('fixture', 'matrix', 1, 1)`)
	return sec
}

func nilIf(cond bool, v string) any {
	if cond {
		return nil
	}
	return v
}

// addRiskRun writes a complete run: resolution-7 cells around each place and
// their resolution-6 and -5 parents, both kinds, with rollups per kabupaten.
func addRiskRun(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	var runID int64
	if err := pool.QueryRow(ctx, `INSERT INTO risk_run (status, train_until, period, resolution, finished_at)
		VALUES ('running', '2025-12-31', '2025-12-01', 7, now()) RETURNING id`).Scan(&runID); err != nil {
		t.Fatal(err)
	}
	cells := map[h3.Cell]bool{}
	for _, p := range []place{placeA, placeE, placeK} {
		for _, c := range h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(p.lat, p.lon), 7), 3) {
			cells[c], cells[c.Parent(6)], cells[c.Parent(5)] = true, true, true
		}
	}
	var ids []int64
	var res []int16
	var wkt []string
	for c := range cells {
		bd := c.Boundary()
		pts := make([]string, 0, len(bd)+1)
		for _, v := range append(bd, bd[0]) {
			pts = append(pts, fmt.Sprintf("%.9f %.9f", v.Lng, v.Lat))
		}
		ids = append(ids, int64(c))
		res = append(res, int16(c.Resolution()))
		wkt = append(wkt, "SRID=4326;POLYGON(("+joinComma(pts)+"))")
	}
	for _, kind := range []string{"tppo", "pmi"} {
		if _, err := pool.Exec(ctx, `INSERT INTO risk_cell (run_id, kind, res, h3, score, gi_z, gi_p, gi_bin, kabupaten_code, factor_values, contrib, geom, geom_3857)
			SELECT $1, $2, r, h, 1 + (h % 5), 0, 1, (h % 7 - 3)::smallint,
			       (SELECT code FROM kabupaten k WHERE ST_Intersects(k.geom, ST_Centroid(g::geometry)) LIMIT 1),
			       '{}', '{}', g::geometry, ST_Transform(g::geometry, 3857)
			FROM unnest($3::bigint[], $4::smallint[], $5::text[]) AS u(h, r, g)`, runID, kind, ids, res, wkt); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO risk_rollup (run_id, kind, level, code, period, mean_score, max_score, weighted_score, cells, rank_province, rank_national)
			SELECT $1, $2, 'kabupaten', code, '2025-12-01', 2, 6, 3, 10, 1, row_number() OVER (ORDER BY code) FROM kabupaten`, runID, kind); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE risk_run SET status = 'complete' WHERE id = $1`, runID); err != nil {
		t.Fatal(err)
	}
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}
