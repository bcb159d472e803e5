// Package scenario gives tests a database holding the reference data and a
// generated scenario (a package of its own: internal/synth's tests use testdb).
package scenario

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/synth"
	"github.com/waspada-id/waspada/internal/testdb"
)

// DB is a database with the reference data and the generated scenario
// of the given size and seed imported, cloned from a template built once per
// test cluster.
func DB(t testing.TB, size string, seed uint64) *pgxpool.Pool {
	t.Helper()
	dataDir := testdb.DataDir(t)
	return testdb.FromTemplate(t, fmt.Sprintf("waspada_tmpl_scenario_%s_%d", size, seed), func(ctx context.Context, pool *pgxpool.Pool) error {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		im, err := importer.New(pool, quiet)
		if err != nil {
			return err
		}
		if _, err := im.Reference(ctx, dataDir); err != nil {
			return fmt.Errorf("reference: %w", err)
		}
		w, err := synth.LoadWorld(dataDir)
		if err != nil {
			return err
		}
		cfg, err := synth.SizeByName(size)
		if err != nil {
			return err
		}
		ds, err := synth.Generate(w, cfg, seed)
		if err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "waspada-scenario-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if _, err := ds.WriteDir(dir); err != nil {
			return err
		}
		for _, f := range synth.Files() {
			rep, err := im.File(ctx, f.Kind, filepath.Join(dir, f.File), false)
			if err != nil {
				return fmt.Errorf("import %s: %w", f.File, err)
			}
			if !rep.OK() {
				return fmt.Errorf("import %s: %d problems", f.File, len(rep.Errors))
			}
		}
		return nil
	})
}
