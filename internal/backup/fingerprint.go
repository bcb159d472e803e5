package backup

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
)

// TableSum is one table's row count and an order-independent checksum of its
// rows (the sum of each row's md5 over its text form, in two 60-bit halves).
type TableSum struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
	Sum   string `json:"sum"`
}

// Querier is what Fingerprint needs: a connection, a pool or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// tablesQuery lists the tables that hold rows: ordinary tables and partitions
// outside the system schemas, without the tables of extensions (PostGIS's
// spatial_ref_sys belongs to the installed PostGIS, not to the backup).
const tablesQuery = `
SELECT format('%I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence = 'p'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1`

// Tables lists the database's data tables (schema-qualified, quoted).
func Tables(ctx context.Context, q Querier) ([]string, error) {
	rows, err := q.Query(ctx, tablesQuery)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return names, nil
}

// Fingerprint counts and checksums every data table. Run it in the snapshot
// that matters (the dump's, or after a restore) with TimeZone fixed, since
// timestamps are hashed in their text form.
func Fingerprint(ctx context.Context, q Querier) ([]TableSum, error) {
	names, err := Tables(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]TableSum, 0, len(names))
	for _, n := range names {
		s := TableSum{Table: n}
		// n is a name PostgreSQL itself quoted (format %I) above.
		err := q.QueryRow(ctx, `SELECT count(*),
			coalesce(sum(('x' || left(h, 15))::bit(60)::bigint::numeric), 0)::text || '-' ||
			coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::bigint::numeric), 0)::text
			FROM (SELECT md5(t::text) AS h FROM `+n+` t) s`).Scan(&s.Rows, &s.Sum)
		if err != nil {
			return nil, fmt.Errorf("checksum %s: %w", n, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Diff lists the differences between two fingerprints, one line each; empty
// when they are equal.
func Diff(want, got []TableSum) []string {
	w := map[string]TableSum{}
	for _, s := range want {
		w[s.Table] = s
	}
	g := map[string]TableSum{}
	for _, s := range got {
		g[s.Table] = s
	}
	var out []string
	for name, ws := range w {
		gs, ok := g[name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: missing (%d rows expected)", name, ws.Rows))
		case gs.Rows != ws.Rows:
			out = append(out, fmt.Sprintf("%s: %d rows, expected %d", name, gs.Rows, ws.Rows))
		case gs.Sum != ws.Sum:
			out = append(out, fmt.Sprintf("%s: %d rows as expected but their contents differ", name, gs.Rows))
		}
	}
	for name, gs := range g {
		if _, ok := w[name]; !ok {
			out = append(out, fmt.Sprintf("%s: unexpected table (%d rows)", name, gs.Rows))
		}
	}
	sort.Strings(out)
	return out
}

// seeded are tables whose rows the migrations themselves write: every command
// migrates, so a database holding only these holds no data.
var seeded = map[string]bool{"public.schema_version": true, "public.retention_policy": true, "public.auth_epoch": true}

// nonEmpty lists the tables of the database that hold at least one row,
// ignoring those the migrations fill.
func nonEmpty(ctx context.Context, q Querier) ([]string, error) {
	names, err := Tables(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if seeded[n] {
			continue
		}
		var any bool
		if err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+n+")").Scan(&any); err != nil {
			return nil, fmt.Errorf("look into %s: %w", n, err)
		}
		if any {
			out = append(out, n)
		}
	}
	return out, nil
}
