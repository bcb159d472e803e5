package testdb

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/refdata"
)

// DataDir finds the reference data: $WASPADA_DATA, else ../shared/data beside
// the repository root (found from this source file, so tests in any package
// agree). Without it the test is skipped, or fails under CI, which always has it.
func DataDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("WASPADA_DATA")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	}
	if err := refdata.Check(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("reference data missing: %v", err)
		}
		t.Skipf("reference data missing: %v", err)
	}
	return dir
}

// Reference returns a pool on a new database holding the schema and the whole
// real reference data set (boundaries, villages, ports), imported once per
// test cluster into a template.
func Reference(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dir := DataDir(t)
	return FromTemplate(t, "waspada_tmpl_ref", func(ctx context.Context, pool *pgxpool.Pool) error {
		im, err := importer.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return err
		}
		_, err = im.Reference(ctx, dir)
		return err
	})
}
