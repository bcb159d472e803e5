// Package testdb gives each test its own PostGIS database, cloned from a
// template so that tests are isolated and fast. The cluster itself is started by
// the test harness (`make test` runs .ci/testcluster), which exports
// WASPADA_TEST_PG, the URL of its maintenance database.
//
// Two templates are built lazily, once per cluster, under an advisory lock so
// that test packages running in parallel do not race:
//   - waspada_tmpl_empty: schema only
//   - waspada_tmpl_ref:   schema + the real reference data from ../shared/data
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/store"
)

// Builder fills a freshly migrated template database (e.g. imports reference data).
type Builder func(ctx context.Context, pool *pgxpool.Pool) error

func adminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WASPADA_TEST_PG")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("WASPADA_TEST_PG is unset: run tests through `make test`, which starts a throw-away PostGIS cluster")
		}
		t.Skip("WASPADA_TEST_PG is unset: run `make test` to start a throw-away PostGIS cluster")
	}
	return u
}

func withDB(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

// Empty returns a pool on a new database holding the migrated schema only.
func Empty(t testing.TB) *pgxpool.Pool {
	return clone(t, "waspada_tmpl_empty", nil)
}

// FromTemplate returns a pool on a new database cloned from the named template,
// which build fills the first time it is needed.
func FromTemplate(t testing.TB, template string, build Builder) *pgxpool.Pool {
	return clone(t, template, build)
}

// URL returns the connection URL of the database behind pool (for subprocess tests).
func URL(t testing.TB, pool *pgxpool.Pool) string {
	return withDB(adminURL(t), pool.Config().ConnConfig.Database)
}

func clone(t testing.TB, template string, build Builder) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	admin := adminURL(t)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test cluster: %v", err)
	}
	defer conn.Close(ctx)
	if err := ensureTemplate(ctx, conn, admin, template, build); err != nil {
		t.Fatalf("template %s: %v", template, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, pgx.Identifier{template}.Sanitize())); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	pool, err := store.Open(ctx, withDB(admin, name), 8)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return pool
}

func ensureTemplate(ctx context.Context, conn *pgx.Conn, admin, template string, build Builder) error {
	// Serialise template creation across test processes.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext('waspada-testdb'))"); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext('waspada-testdb'))") //nolint:errcheck
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", template).Scan(&ok); err != nil {
		return err
	}
	if ok {
		return nil
	}
	if template != "waspada_tmpl_empty" {
		if err := ensureTemplate(ctx, conn, admin, "waspada_tmpl_empty", nil); err != nil {
			return err
		}
	}
	id := pgx.Identifier{template}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id); err != nil {
		return err
	}
	src := "template0"
	if template != "waspada_tmpl_empty" {
		src = "waspada_tmpl_empty"
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", id, src)); err != nil {
		return err
	}
	pool, err := store.Open(ctx, withDB(admin, template), 4)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if template == "waspada_tmpl_empty" {
		if _, err := pool.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
			pool.Close()
			return err
		}
		err = store.Migrate(ctx, pool, log)
	} else if build != nil {
		err = build(ctx, pool)
	}
	pool.Close()
	if err != nil {
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id)
		return err
	}
	_, err = conn.Exec(ctx, "ALTER DATABASE "+id+" WITH is_template true")
	return err
}
