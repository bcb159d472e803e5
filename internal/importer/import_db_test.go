package importer_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/testdb"
)

// quiet discards logs unless WASPADA_DEBUG is set (then step timings are shown).
func quiet() *slog.Logger {
	if os.Getenv("WASPADA_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newImporter(t testing.TB, pool *pgxpool.Pool) *importer.Importer {
	t.Helper()
	im, err := importer.New(pool, quiet())
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func count(t testing.TB, pool *pgxpool.Pool, query string, args ...any) float64 {
	t.Helper()
	var n float64
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestReferenceData checks the acceptance figures on the real data set.
func TestReferenceData(t *testing.T) {
	pool := testdb.Reference(t)
	checks := []struct {
		name     string
		query    string
		min, max float64
	}{
		{"kabupaten", "SELECT count(*) FROM kabupaten", 514, 514},
		{"kabupaten all valid", "SELECT count(*) FROM kabupaten WHERE NOT ST_IsValid(geom)", 0, 0},
		{"kabupaten repaired", "SELECT count(*) FROM kabupaten WHERE repaired", 100, 150},
		{"union area km² within 1% of 1.89 million", "SELECT ST_Area(ST_Union(geom)::geography) / 1e6 FROM kabupaten", 1.89e6 * 0.99, 1.89e6 * 1.01},
		{"provinces incl. derived 63", "SELECT count(*) FROM provinsi", 38, 38},
		{"province 63 derived", "SELECT count(*) FROM provinsi WHERE code = '63' AND derived AND ST_IsValid(geom)", 1, 1},
		{"kecamatan", "SELECT count(*) FROM kecamatan", 7284, 7284},
		{"kecamatan valid", "SELECT count(*) FROM kecamatan WHERE NOT ST_IsValid(geom)", 0, 0},
		{"village centroids", "SELECT count(*) FROM desa", 83246, 83246},
		{"village polygons valid", "SELECT count(*) FROM desa WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)", 0, 0},
		{"share of centroids within 1 km of own kabupaten", `
			SELECT avg(CASE WHEN ST_DWithin(k.geom::geography, d.centroid::geography, 1000) THEN 1.0 ELSE 0.0 END)
			FROM desa d JOIN kabupaten k ON k.code = d.kabupaten_code`, 0.99, 1},
		{"ports", "SELECT count(*) FROM port WHERE source = 'reference'", 1411, 1411},
		{"ports with kind", "SELECT count(*) FROM port WHERE kind IS NOT NULL", 1411, 1411},
		{"ports placed or explained", "SELECT count(*) FROM port WHERE kabupaten_code IS NOT NULL OR location_note LIKE 'no kabupaten within 25 km%'", 1411, 1411},
		{"ports placed", "SELECT count(*) FROM port WHERE kabupaten_code IS NOT NULL", 1200, 1411},
		{"main ports", "SELECT count(*) FROM port WHERE kind = 'main'", 26, 26},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := count(t, pool, c.query); got < c.min || got > c.max {
				t.Errorf("%s = %v, want in [%v, %v]", c.name, got, c.min, c.max)
			}
		})
	}
}

// TestReferenceIdempotent re-imports the data set and expects nothing to change.
func TestReferenceIdempotent(t *testing.T) {
	pool := testdb.Reference(t)
	// One digest per table, so a failure names what the re-import changed.
	parts := []struct{ name, query string }{
		{"kabupaten", `SELECT md5(string_agg(code || name || ST_AsBinary(geom)::text, ',' ORDER BY code)) FROM kabupaten`},
		{"provinsi", `SELECT md5(string_agg(code || name || ST_AsBinary(geom)::text, ',' ORDER BY code)) FROM provinsi`},
		{"kecamatan", `SELECT md5(string_agg(code || name || kabupaten_code, ',' ORDER BY code)) FROM kecamatan`},
		{"desa", `SELECT count(*)::text || md5(string_agg(code || name, ',' ORDER BY code)) FROM desa`},
		{"port", `SELECT md5(string_agg(id || coalesce(kabupaten_code, '-'), ',' ORDER BY id)) FROM port`},
	}
	fingerprint := func() map[string]string {
		m := map[string]string{}
		for _, p := range parts {
			var s string
			if err := pool.QueryRow(context.Background(), p.query).Scan(&s); err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			m[p.name] = s
		}
		return m
	}
	before := fingerprint()
	rep, err := newImporter(t, pool).Reference(context.Background(), testdb.DataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Villages != 0 || rep.VillagePolys != 0 {
		t.Errorf("re-import wrote %d villages and %d polygons, want 0", rep.Villages, rep.VillagePolys)
	}
	after := fingerprint()
	for _, p := range parts {
		if after[p.name] != before[p.name] {
			t.Errorf("re-import changed table %s", p.name)
		}
	}
	var b strings.Builder
	rep.Print(&b)
	if !strings.Contains(b.String(), "63 Kalimantan Selatan") || !strings.Contains(b.String(), "126 repaired") {
		t.Errorf("report misses the derived province or the repair count:\n%s", b.String())
	}
}

func tableCounts(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var parts []string
	for _, tbl := range []string{"resident", "resident_identity", "worksite", "port", "desa_binaan", "incident", "indicator", "import_log"} {
		parts = append(parts, fmt.Sprintf("%s=%v", tbl, count(t, pool, "SELECT count(*) FROM "+tbl)))
	}
	return strings.Join(parts, " ")
}

// TestBadFiles: every file of the corpus is rejected with a clear message and nothing is written.
func TestBadFiles(t *testing.T) {
	pool := testdb.Reference(t)
	im := newImporter(t, pool)
	ctx := context.Background()
	// The worksite and residences must exist for the reference checks to be meaningful.
	for _, f := range []struct{ kind, file string }{{"worksites", "good/worksites.geojson"}, {"residences", "good/residences.csv"}} {
		rep, err := im.File(ctx, f.kind, filepath.Join("testdata", f.file), false)
		if err != nil || !rep.OK() {
			t.Fatalf("good file %s: %v %+v", f.file, err, rep)
		}
	}
	tests := []struct{ file, kind, want string }{
		{"wrong_coordinates.csv", "residences", "outside Indonesia"},
		{"swapped_latlon.csv", "residences", "swapped"},
		{"at_sea_far.csv", "residences", "outside Indonesia"},
		// Inside Indonesia's bounding box, in the Indian Ocean 250 km south of
		// Java: only the 25 km rule against the kabupaten polygons catches it
		// (line 3; line 2 in Jakarta is good but is not written either).
		{"at_sea_inside_box.csv", "residences", "line 3, lat: the point is not in Indonesia"},
		{"at_sea_inside_box.csv", "residences", "more than 25 km"},
		{"impossible_date.csv", "residences", "not a date"},
		{"unparseable_date.csv", "residences", "not a date"},
		{"unknown_enum.csv", "residences", "not one of ITAS"},
		{"duplicate_id.csv", "residences", "duplicate id"},
		{"broken_quoting.csv", "residences", "quoting"},
		{"missing_required.csv", "residences", "full_name: is required"},
		{"unknown_column.csv", "residences", "unknown column"},
		{"unknown_worksite.csv", "residences", "unknown worksite"},
		{"expiry_before_arrival.csv", "residences", "before arrival_date"},
		{"hotel_without_name.csv", "residences", "required for a hotel stay"},
		{"incident_unknown_desa.csv", "incidents", "unknown desa code"},
		{"incident_negative_victims.csv", "incidents", ">= 0"},
		{"indicator_unknown_kabupaten.csv", "indicators", "unknown kabupaten"},
		{"indicator_bad_month.csv", "indicators", "not a month"},
		{"port_unknown_kind.csv", "ports", "not one of"},
		{"port_reserved_id.csv", "ports", "reserved"},
		{"desa_binaan_duplicate.csv", "desa-binaan", "duplicate"},
		{"invalid_geojson.geojson", "worksites", "invalid GeoJSON"},
		{"geojson_polygon.geojson", "worksites", "want Point"},
		{"geojson_not_collection.geojson", "worksites", "FeatureCollection"},
	}
	entries, _ := os.ReadDir("testdata/bad")
	files := map[string]bool{}
	for _, tc := range tests {
		files[tc.file] = true
	}
	if len(entries) != len(files) {
		t.Errorf("testdata/bad has %d files, the table %d: keep them in step", len(entries), len(files))
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.want, func(t *testing.T) {
			before := tableCounts(t, pool)
			rep, err := im.File(ctx, tc.kind, filepath.Join("testdata", "bad", tc.file), false)
			if err != nil {
				t.Fatalf("error instead of a report: %v", err)
			}
			if rep.OK() {
				t.Fatal("accepted a bad file")
			}
			var b strings.Builder
			rep.Print(&b)
			if !strings.Contains(b.String(), tc.want) || !strings.Contains(b.String(), "nothing was written") {
				t.Errorf("report does not say %q:\n%s", tc.want, b.String())
			}
			if after := tableCounts(t, pool); after != before {
				t.Errorf("tables changed: %s -> %s", before, after)
			}
		})
	}
}

// TestGoodImportIdempotentAndDryRun: a good file loads, a dry run writes nothing,
// re-importing replaces rows instead of duplicating them, offshore points are placed.
func TestGoodImportIdempotentAndDryRun(t *testing.T) {
	pool := testdb.Reference(t)
	im := newImporter(t, pool)
	ctx := context.Background()
	rep, err := im.File(ctx, "worksites", "testdata/good/worksites.geojson", true)
	if err != nil || !rep.OK() {
		t.Fatalf("dry run: %v %+v", err, rep)
	}
	if n := count(t, pool, "SELECT count(*) FROM worksite"); n != 0 {
		t.Fatalf("dry run wrote %v worksites", n)
	}
	for i := 0; i < 2; i++ {
		for _, f := range []struct{ kind, file string }{{"worksites", "worksites.geojson"}, {"residences", "residences.csv"}, {"incidents", "incidents.csv"}} {
			rep, err := im.File(ctx, f.kind, filepath.Join("testdata", "good", f.file), false)
			if err != nil || !rep.OK() {
				var b strings.Builder
				if rep != nil {
					rep.Print(&b)
				}
				t.Fatalf("%s: %v\n%s", f.file, err, b.String())
			}
		}
	}
	want := map[string]float64{
		"SELECT count(*) FROM worksite": 2, "SELECT count(*) FROM resident": 2, "SELECT count(*) FROM resident_identity": 2,
		"SELECT count(*) FROM incident": 2,
		"SELECT count(*) FROM resident WHERE id = 'RES-0000001' AND kabupaten_code = '72.06'":                1, // Morowali
		"SELECT count(*) FROM incident WHERE id = 'INC-1' AND kabupaten_code = '53.01' AND geom IS NOT NULL": 1,
	}
	for q, n := range want {
		if got := count(t, pool, q); got != n {
			t.Errorf("%s = %v, want %v", q, got, n)
		}
	}
}
