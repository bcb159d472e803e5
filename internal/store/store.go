// Package store opens the PostGIS database (DATABASE_URL, or the project's own
// local cluster), applies migrations, and loads named SQL queries.
package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"github.com/waspada-id/waspada/internal/pgcluster"
	"github.com/waspada-id/waspada/migrations"
)

// DefaultClusterDir is where the embedded cluster lives, relative to the working
// directory (the project root when run through make); WASPADA_PG_DIR overrides it.
const DefaultClusterDir = ".waspada/pg"

// ClusterFromEnv describes the local cluster named by WASPADA_PG_DIR / WASPADA_PG_PORT.
func ClusterFromEnv(log *slog.Logger) (*pgcluster.Cluster, error) {
	dir := os.Getenv("WASPADA_PG_DIR")
	if dir == "" {
		dir = DefaultClusterDir
	}
	port := pgcluster.DefaultPort
	if p := os.Getenv("WASPADA_PG_PORT"); p != "" {
		if _, err := fmt.Sscan(p, &port); err != nil {
			return nil, fmt.Errorf("WASPADA_PG_PORT=%q: not a port number", p)
		}
	}
	return pgcluster.New(dir, port, log)
}

// ResolveURL returns DATABASE_URL, or starts (if needed) the local cluster and
// returns its URL.
func ResolveURL(ctx context.Context, log *slog.Logger) (string, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u, nil
	}
	c, err := ClusterFromEnv(log)
	if err != nil {
		return "", err
	}
	if err := c.Start(ctx); err != nil {
		return "", fmt.Errorf("local cluster (DATABASE_URL is unset): %w", err)
	}
	return c.URL()
}

// Open connects a pool to url. maxConns <= 0 keeps pgx's default.
func Open(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "waspada"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return pool, nil
}

// Migrate brings the schema to the newest version embedded in the binary.
// It takes a session-level advisory lock (inside tern) so concurrent callers serialise.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: acquire connection: %w", err)
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), "schema_version")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	seq, err := sequential(migrations.FS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := m.LoadMigrations(seq); err != nil {
		return fmt.Errorf("migrate: load migrations: %w", err)
	}
	m.OnStart = func(seq int32, name, direction, _ string) {
		log.Info("applying migration", "seq", seq, "name", name, "direction", direction)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
