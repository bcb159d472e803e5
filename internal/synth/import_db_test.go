package synth

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/testdb"
)

// TestDemoImports imports the demo files with the real importer into a
// database holding the reference data, and checks the calibration once more
// with PostGIS's own kabupaten assignment.
func TestDemoImports(t *testing.T) {
	pool := testdb.Reference(t) // skips without WASPADA_TEST_PG (fails under CI)
	_, ds := fx.demo(t, 1)
	dir := t.TempDir()
	if _, err := ds.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	im, err := importer.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Files() {
		rep, err := im.File(ctx, f.Kind, filepath.Join(dir, f.File), false)
		if err != nil {
			t.Fatalf("import %s: %v", f.File, err)
		}
		if !rep.OK() {
			for i, e := range rep.Errors {
				if i == 5 {
					break
				}
				t.Errorf("%s line %d %s: %s", f.File, e.Line, e.Field, e.Reason)
			}
			t.Fatalf("%s rejected with %d problems", f.File, len(rep.Errors))
		}
	}
	for _, c := range []struct {
		name, sql string
		want      int
	}{
		{"residents", `SELECT count(*) FROM resident`, len(ds.Residents)},
		{"worksites", `SELECT count(*) FROM worksite`, len(ds.Worksites)},
		{"incidents", `SELECT count(*) FROM incident`, len(ds.Incidents)},
		{"desa binaan", `SELECT count(*) FROM desa_binaan`, len(ds.DesaBinaan)},
		{"Jambi registered foreigners", `SELECT count(*) FROM resident WHERE address_kind = 'residence' AND kabupaten_code LIKE '15.%'`, 451},
		{"Kanim Kuala Tungkal", `SELECT count(*) FROM resident WHERE address_kind = 'residence' AND kabupaten_code IN ('15.06', '15.07')`, 122},
	} {
		var got int
		if err := pool.QueryRow(ctx, c.sql).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: %d in the database, want %d", c.name, got, c.want)
		}
	}
}
