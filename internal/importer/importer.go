// Package importer loads data into PostGIS: the public reference data set
// (boundaries and the port register) and the offices' operational exports
// (residences, worksites, ports, desa binaan, incidents, indicators).
//
// Every import is one transaction. Operational files are validated row by row;
// a file with any bad row is rejected whole, with a report naming line, field
// and reason, and nothing is written.
package importer

import (
	"embed"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/store"
)

//go:embed *.sql
var sqlFiles embed.FS

// Importer holds the database and the named queries.
type Importer struct {
	pool *pgxpool.Pool
	q    store.Named
	log  *slog.Logger
}

// New prepares an importer on pool.
func New(pool *pgxpool.Pool, log *slog.Logger) (*Importer, error) {
	q, err := store.LoadNamed(sqlFiles, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("importer queries: %w", err)
	}
	return &Importer{pool: pool, q: q, log: log}, nil
}
