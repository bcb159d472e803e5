// Package importer loads data into PostGIS: the public reference data set
// (boundaries and the port register) and the offices' operational exports
// (residences, worksites, ports, desa binaan, incidents, indicators).
//
// Every import is one transaction. Operational files are validated row by row;
// a file with any bad row is rejected whole, with a report naming line, field
// and reason, and nothing is written.
package importer

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/geo/locate"
	"github.com/waspada-id/waspada/internal/importlog"
	"github.com/waspada-id/waspada/internal/store"
)

//go:embed *.sql
var sqlFiles embed.FS

// Importer holds the database and the named queries.
type Importer struct {
	pool *pgxpool.Pool
	q    store.Named
	log  *slog.Logger

	// kabupaten locates operational points; loaded on first use, since the
	// reference import (which fills kabupaten_part) may run on the same Importer.
	kabOnce   sync.Once
	kabupaten *locate.Index
	kabErr    error

	// by names who runs the imports in import_log (default: the OS account).
	by string
}

// SetRunBy names who runs the imports (recorded in import_log and shown by
// `waspada import list`); empty means the operating-system account.
func (im *Importer) SetRunBy(name string) { im.by = name }

func (im *Importer) runBy() string {
	if im.by != "" {
		return im.by
	}
	return importlog.Operator()
}

// maxOffshoreKm is how far outside every kabupaten a point may lie (a jetty, a
// landing point, a coastal hotel) and still count as in Indonesia.
const maxOffshoreKm = 25

// kabIndex loads the kabupaten pieces into an in-memory index.
func (im *Importer) kabIndex(ctx context.Context) (*locate.Index, error) {
	im.kabOnce.Do(func() {
		rows, err := im.pool.Query(ctx, im.q.Get("kabupaten_pieces"))
		if err != nil {
			im.kabErr = fmt.Errorf("load kabupaten pieces: %w", err)
			return
		}
		var pieces []locate.Piece
		for rows.Next() {
			var code string
			var b []byte
			if err := rows.Scan(&code, &b); err != nil {
				im.kabErr = err
				return
			}
			g, err := wkb.Unmarshal(b)
			if err != nil {
				im.kabErr = fmt.Errorf("kabupaten %s piece: %w", code, err)
				return
			}
			if poly, ok := g.(orb.Polygon); ok {
				pieces = append(pieces, locate.Piece{Code: code, Polygon: poly})
			}
		}
		if err := rows.Err(); err != nil {
			im.kabErr = err
			return
		}
		if len(pieces) == 0 {
			im.kabErr = errors.New("no kabupaten boundaries in the database: run `waspada import reference` first")
			return
		}
		im.kabupaten = locate.New(pieces, 0.1)
	})
	return im.kabupaten, im.kabErr
}

// New prepares an importer on pool.
func New(pool *pgxpool.Pool, log *slog.Logger) (*Importer, error) {
	q, err := store.LoadNamed(sqlFiles, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("importer queries: %w", err)
	}
	return &Importer{pool: pool, q: q, log: log}, nil
}
