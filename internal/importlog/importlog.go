// Package importlog records what every operational import wrote and takes an
// import back: the rows it added are deleted and the rows it replaced are
// written back as they were, in one transaction, audited. An import cannot be
// undone when a later import (not itself undone) or a retention run wrote the
// same rows; the refusal names them.
package importlog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/oplog"
)

// Table is one table an import kind writes, with how a row is keyed in the
// table (alias t) and in the import's staging table (alias s).
type Table struct {
	Name     string
	Key      string // text key of a table row, over alias t
	StageKey string // the same key over the staging table "stage"
	NullCol  string // a NOT NULL column of the table: NULL after a LEFT JOIN means absent
	Geom     bool   // has a geom column (kept as hex EWKB text in prior)
}

// Tables lists, parents first, the tables an import kind writes.
func Tables(kind string) []Table {
	switch kind {
	case "residences":
		return []Table{
			{Name: "resident", Key: "t.id", StageKey: "id", NullCol: "id", Geom: true},
			{Name: "resident_identity", Key: "t.resident_id", StageKey: "id", NullCol: "resident_id"},
		}
	case "worksites":
		return []Table{{Name: "worksite", Key: "t.id", StageKey: "id", NullCol: "id", Geom: true}}
	case "ports":
		return []Table{{Name: "port", Key: "t.id", StageKey: "id", NullCol: "id", Geom: true}}
	case "desa-binaan":
		return []Table{{Name: "desa_binaan", Key: "t.desa_code", StageKey: "desa_code", NullCol: "desa_code"}}
	case "incidents":
		return []Table{{Name: "incident", Key: "t.id", StageKey: "id", NullCol: "id", Geom: true}}
	case "indicators":
		return []Table{{Name: "indicator", Key: "t.kabupaten_code || '|' || to_char(t.period, 'YYYY-MM-DD') || '|' || t.name",
			StageKey: "kabupaten_code || '|' || to_char(period, 'YYYY-MM-DD') || '|' || indicator", NullCol: "kabupaten_code"}}
	}
	return nil
}

// lockKey serialises imports, undos and retention runs: each reads what the
// others write in import_row.
const lockSQL = "SELECT pg_advisory_xact_lock(hashtext('waspada-import-log'))"

// Lock takes the import log's lock for the rest of tx.
func Lock(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, lockSQL); err != nil {
		return fmt.Errorf("lock the import log: %w", err)
	}
	return nil
}

// Operator is who runs this process: the operating-system account (SUDO_USER
// when run through sudo), for import_log.run_by and the audit log.
func Operator() string {
	if s := os.Getenv("SUDO_USER"); s != "" {
		return s
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return fmt.Sprintf("uid:%d", os.Getuid())
}

// Counts is what an import did to its main table.
type Counts struct{ Added, Replaced int }

// Record writes, inside the import's transaction and before its rows are
// upserted from "stage", which rows of each table the import will add and
// copies of those it will replace. It returns the counts of the kind's main
// (first) table.
func Record(ctx context.Context, tx pgx.Tx, importID int64, kind string) (Counts, error) {
	var c Counts
	tables := Tables(kind)
	if len(tables) == 0 {
		return c, fmt.Errorf("import log: unknown kind %q", kind)
	}
	for i, t := range tables {
		cols, err := columns(ctx, tx, t.Name)
		if err != nil {
			return c, err
		}
		// Built column by column: to_jsonb(t) would turn the geometry into
		// GeoJSON (slow, and rounded) only to have it replaced by its exact
		// hex EWKB text.
		parts := make([]string, 0, 2*len(cols))
		for _, col := range cols {
			v := "t." + col
			if t.Geom && col == "geom" {
				v = "t.geom::text"
			}
			parts = append(parts, quoteLit(strings.Trim(col, `"`)), v)
		}
		prior := "jsonb_build_object(" + strings.Join(parts, ", ") + ")"
		// Names and expressions come from Tables above, never from input.
		q := fmt.Sprintf(`WITH ins AS (
			INSERT INTO import_row (import_id, tbl, key, added, prior)
			SELECT $1, %[1]s, s.k, t.%[2]s IS NULL, CASE WHEN t.%[2]s IS NULL THEN NULL ELSE %[3]s END
			FROM (SELECT DISTINCT %[4]s AS k FROM stage) s LEFT JOIN %[5]s t ON %[6]s = s.k
			RETURNING added)
			SELECT count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added) FROM ins`,
			quoteLit(t.Name), t.NullCol, prior, t.StageKey, t.Name, t.Key)
		var a, r int
		if err := tx.QueryRow(ctx, q, importID).Scan(&a, &r); err != nil {
			return c, fmt.Errorf("record the rows of %s: %w", t.Name, err)
		}
		if i == 0 {
			c = Counts{Added: a, Replaced: r}
		}
	}
	return c, nil
}

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Entry is one import as listed.
type Entry struct {
	ID           int64
	Kind         string
	Source       string
	At           time.Time
	RunBy        string
	RowsIn       int
	RowsWritten  int
	RowsAdded    *int
	RowsReplaced *int
	Undoable     bool
	UndoneAt     *time.Time
	UndoneBy     *string
	UndoneIn     *int64
}

// List returns the newest imports first (at most limit; 0: all).
func List(ctx context.Context, pool *pgxpool.Pool, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := pool.Query(ctx, `SELECT id, kind, source, started_at, run_by, rows_in, rows_written, rows_added, rows_replaced,
		undoable, undone_at, undone_by, undone_in FROM import_log ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.Kind, &e.Source, &e.At, &e.RunBy, &e.RowsIn, &e.RowsWritten, &e.RowsAdded, &e.RowsReplaced,
			&e.Undoable, &e.UndoneAt, &e.UndoneBy, &e.UndoneIn); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Later is a later operation that wrote rows of the import being undone.
type Later struct {
	ID     int64
	Kind   string
	Source string
	At     time.Time
	RunBy  string
	Rows   int
}

// ConflictError refuses an undo because later operations wrote the same rows.
type ConflictError struct {
	ImportID int64
	Later    []Later
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "import #%d cannot be undone: ", e.ImportID)
	for i, l := range e.Later {
		if i > 0 {
			b.WriteString("; ")
		}
		if l.Kind == "retention" {
			fmt.Fprintf(&b, "retention run #%d (%s, by %s) pseudonymised %d of its rows", l.ID, l.At.UTC().Format(time.RFC3339), l.RunBy, l.Rows)
		} else {
			fmt.Fprintf(&b, "import #%d (%s %s, %s, by %s) changed %d of the same rows", l.ID, l.Kind, l.Source, l.At.UTC().Format(time.RFC3339), l.RunBy, l.Rows)
		}
	}
	for i := len(e.Later) - 1; i >= 0; i-- {
		if e.Later[i].Kind != "retention" {
			fmt.Fprintf(&b, " (undo import #%d first)", e.Later[i].ID)
			break
		}
	}
	return b.String()
}

// ErrNotUndoable marks imports that cannot be undone at all.
var ErrNotUndoable = errors.New("cannot be undone")

// UndoReport is what Undo did.
type UndoReport struct {
	ImportID int64
	UndoID   int64 // the import_log row recording the undo
	Kind     string
	Source   string
	Deleted  int // rows the import had added, now deleted (every table)
	Restored int // rows the import had replaced, now as before (every table)
}

// Undo takes import id back in one transaction and audits it as by.
func Undo(ctx context.Context, pool *pgxpool.Pool, id int64, by oplog.Actor) (*UndoReport, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	if err := Lock(ctx, tx); err != nil {
		return nil, err
	}
	rep := &UndoReport{ImportID: id}
	var undoable bool
	var undoneAt *time.Time
	var undoneBy *string
	var undoneIn *int64
	err = tx.QueryRow(ctx, "SELECT kind, source, undoable, undone_at, undone_by, undone_in FROM import_log WHERE id = $1 FOR UPDATE", id).
		Scan(&rep.Kind, &rep.Source, &undoable, &undoneAt, &undoneBy, &undoneIn)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("import #%d: no such import (see `waspada import list`)", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read import #%d: %w", id, err)
	}
	if undoneAt != nil {
		return nil, fmt.Errorf("import #%d %w: it was undone already, at %s by %s (#%d)", id, ErrNotUndoable, undoneAt.UTC().Format(time.RFC3339), deref(undoneBy), derefID(undoneIn))
	}
	tables := Tables(rep.Kind)
	if !undoable || len(tables) == 0 {
		why := "it was recorded before imports kept what they replaced"
		switch rep.Kind {
		case "undo":
			why = "it is itself an undo (import the file again instead)"
		case "retention":
			why = "it is a retention run: personal data past the policy is not brought back"
		case "reference":
			why = "the reference data is reimported, not undone"
		}
		return nil, fmt.Errorf("#%d %w: %s", id, ErrNotUndoable, why)
	}
	later, err := laterWriters(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if len(later) > 0 {
		return nil, &ConflictError{ImportID: id, Later: later}
	}
	// Children first for deletes, parents first for restores.
	for i := len(tables) - 1; i >= 0; i-- {
		n, err := deleteAdded(ctx, tx, id, tables[i])
		if err != nil {
			return nil, err
		}
		rep.Deleted += n
	}
	for _, t := range tables {
		n, err := restoreReplaced(ctx, tx, id, t)
		if err != nil {
			return nil, err
		}
		rep.Restored += n
	}
	// The undo is a write like an import: its own import_log row moves what
	// caches key on (the tiles read max(import_log.id)).
	if err := tx.QueryRow(ctx, `INSERT INTO import_log (kind, source, rows_in, rows_written, report, run_by, undoable)
		VALUES ('undo', $1, $2, $2, $3, $4, false) RETURNING id`,
		fmt.Sprintf("import #%d (%s %s)", id, rep.Kind, rep.Source), rep.Deleted+rep.Restored,
		map[string]any{"undo_of": id, "deleted": rep.Deleted, "restored": rep.Restored}, by.Name).Scan(&rep.UndoID); err != nil {
		return nil, fmt.Errorf("record the undo: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE import_log SET undone_at = now(), undone_by = $2, undone_in = $3 WHERE id = $1", id, by.Name, rep.UndoID); err != nil {
		return nil, fmt.Errorf("mark import #%d undone: %w", id, err)
	}
	if err := oplog.RecordTx(ctx, tx, by, "waspada import undo", oplog.Entry{Action: oplog.Admin, Layer: "import",
		Rows: int64(rep.Deleted + rep.Restored), Detail: map[string]any{"import_id": id, "kind": rep.Kind, "source": rep.Source,
			"deleted": rep.Deleted, "restored": rep.Restored, "undo_id": rep.UndoID}}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the undo of import #%d: %w", id, err)
	}
	return rep, nil
}

func laterWriters(ctx context.Context, tx pgx.Tx, id int64) ([]Later, error) {
	rows, err := tx.Query(ctx, `SELECT l.id, l.kind, l.source, l.started_at, l.run_by, count(*)::int
		FROM import_row m
		JOIN import_row o ON o.tbl = m.tbl AND o.key = m.key AND o.import_id > m.import_id
		JOIN import_log l ON l.id = o.import_id AND l.undone_at IS NULL
		WHERE m.import_id = $1
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 1`, id)
	if err != nil {
		return nil, fmt.Errorf("look for later imports: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Later, error) {
		var l Later
		err := r.Scan(&l.ID, &l.Kind, &l.Source, &l.At, &l.RunBy, &l.Rows)
		return l, err
	})
}

func deleteAdded(ctx context.Context, tx pgx.Tx, id int64, t Table) (int, error) {
	var want int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM import_row WHERE import_id = $1 AND tbl = $2 AND added", id, t.Name).Scan(&want); err != nil {
		return 0, err
	}
	if want == 0 {
		return 0, nil
	}
	tag, err := tx.Exec(ctx, fmt.Sprintf(`DELETE FROM %s t USING import_row r
		WHERE r.import_id = $1 AND r.tbl = %s AND r.added AND %s = r.key`, t.Name, quoteLit(t.Name), t.Key), id)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23503" {
			return 0, fmt.Errorf("import #%d %w: rows it added to %s are now referenced by other data (%s)", id, ErrNotUndoable, t.Name, pe.Detail)
		}
		return 0, fmt.Errorf("delete the rows import #%d added to %s: %w", id, t.Name, err)
	}
	if int(tag.RowsAffected()) != want {
		return 0, fmt.Errorf("import #%d %w: %d of the %d rows it added to %s are gone (deleted outside imports)", id, ErrNotUndoable, want-int(tag.RowsAffected()), want, t.Name)
	}
	return want, nil
}

func restoreReplaced(ctx context.Context, tx pgx.Tx, id int64, t Table) (int, error) {
	var want int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM import_row WHERE import_id = $1 AND tbl = $2 AND NOT added", id, t.Name).Scan(&want); err != nil {
		return 0, err
	}
	if want == 0 {
		return 0, nil
	}
	cols, err := columns(ctx, tx, t.Name)
	if err != nil {
		return 0, err
	}
	src := make([]string, len(cols))
	for i, c := range cols {
		src[i] = "p." + c
	}
	tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s t SET (%s) = (%s)
		FROM import_row r, jsonb_populate_record(NULL::%s, r.prior) p
		WHERE r.import_id = $1 AND r.tbl = %s AND NOT r.added AND %s = r.key`,
		t.Name, strings.Join(cols, ", "), strings.Join(src, ", "), t.Name, quoteLit(t.Name), t.Key), id)
	if err != nil {
		return 0, fmt.Errorf("restore the rows import #%d replaced in %s: %w", id, t.Name, err)
	}
	if int(tag.RowsAffected()) != want {
		return 0, fmt.Errorf("import #%d %w: %d of the %d rows it replaced in %s are gone (deleted outside imports)", id, ErrNotUndoable, want-int(tag.RowsAffected()), want, t.Name)
	}
	return want, nil
}

// columns lists a table's stored columns, quoted, in order.
func columns(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT quote_ident(attname) FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	return cols, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefID(i *int64) int64 {
	if i == nil {
		return 0
	}
	return *i
}
