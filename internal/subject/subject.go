// Package subject answers a data subject's access request (UU 27/2022): every
// record held about one person, found by passport number, the copies kept for
// import undo, the imports that wrote them, and every audited access that may
// have shown them. Only an admin account may ask, and the report is audited
// under the person's pseudonymous subject id (data_subject), never under the
// passport number.
package subject

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/oplog"
)

// Field is one named value of a record.
type Field struct{ Name, Value string }

// Record is one stay held about the person.
type Record struct {
	ID     string
	Fields []Field
}

// Import is an import or retention run that wrote one of the records.
type Import struct {
	ID       int64
	At       time.Time
	Kind     string
	Source   string
	RunBy    string
	RecordID string
	Table    string
	Added    bool
	Prior    string // the copy kept for undo (JSON), empty if none
}

// Access is an audited access that may have shown one of the records.
type Access struct {
	AuditID  int64
	At       time.Time
	Username string
	Role     string
	Action   string
	Route    string
	Layer    string
	Where    string // tile z/x/y or area
	RecordID string // which record it covered ("" for accesses by subject id)
	Why      string // how it matched
}

// Report is the answer to one request.
type Report struct {
	Passport    string
	SubjectID   string
	GeneratedAt time.Time
	GeneratedBy string
	Records     []Record
	Imports     []Import
	Accesses    []Access
}

// ErrNotAdmin refuses a report for an account that is not an enabled admin.
var ErrNotAdmin = errors.New("subject access reports are for admin accounts only")

// NormalisePassport upper-cases and strips spaces, as the look-up does.
func NormalisePassport(p string) string {
	return strings.ToUpper(strings.Join(strings.Fields(p), ""))
}

// Build assembles the report for passport as the admin account named asUser
// and writes its audit record in the same transaction. format is recorded in
// the audit row ("csv" or "pdf").
func Build(ctx context.Context, pool *pgxpool.Pool, passport, asUser, format string) (*Report, error) {
	passport = NormalisePassport(passport)
	if passport == "" || len(passport) > 64 {
		return nil, errors.New("give the passport number (1–64 characters) with --passport")
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var actor oplog.Actor
	var disabled bool
	err = tx.QueryRow(ctx, "SELECT id, username, role, disabled FROM app_user WHERE username = $1", strings.ToLower(strings.TrimSpace(asUser))).
		Scan(&actor.UserID, &actor.Name, &actor.Role, &disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: there is no account %q (name yours with --as)", ErrNotAdmin, asUser)
	}
	if err != nil {
		return nil, fmt.Errorf("look up account: %w", err)
	}
	if actor.Role != "admin" || disabled {
		return nil, fmt.Errorf("%w: %s is %s%s", ErrNotAdmin, actor.Name, actor.Role, map[bool]string{true: " (disabled)"}[disabled])
	}
	rep := &Report{Passport: passport, GeneratedAt: time.Now().UTC(), GeneratedBy: actor.Name}
	if err := records(ctx, tx, rep); err != nil {
		return nil, err
	}
	// The subject id is created on first need: only for people we hold records about.
	if len(rep.Records) > 0 {
		if err := tx.QueryRow(ctx, `INSERT INTO data_subject (passport_number) VALUES ($1)
			ON CONFLICT (passport_number) DO UPDATE SET passport_number = EXCLUDED.passport_number RETURNING id::text`, passport).Scan(&rep.SubjectID); err != nil {
			return nil, fmt.Errorf("subject id: %w", err)
		}
	}
	if err := imports(ctx, tx, rep); err != nil {
		return nil, err
	}
	if err := accesses(ctx, tx, rep); err != nil {
		return nil, err
	}
	detail := map[string]any{"format": format, "records": len(rep.Records), "accesses": len(rep.Accesses)}
	if rep.SubjectID != "" {
		detail["subject"] = rep.SubjectID
	}
	if err := oplog.RecordTx(ctx, tx, actor, "waspada subject report", oplog.Entry{Action: oplog.Export, Layer: "subject_report",
		Rows: int64(len(rep.Records)), Detail: detail}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the subject report: %w", err)
	}
	return rep, nil
}

func records(ctx context.Context, tx pgx.Tx, rep *Report) error {
	rows, err := tx.Query(ctx, `SELECT r.id, i.full_name, i.passport_number, coalesce(i.birth_date::text, ''), coalesce(i.sex, ''),
		r.nationality, r.permit_type, r.permit_expiry::text, r.arrival_date::text, r.address_kind, coalesce(r.hotel_name, ''),
		coalesce(r.check_in::text, ''), coalesce(r.check_out::text, ''), r.reported_on::text, coalesce(r.worksite_id, ''),
		r.kabupaten_code, coalesce(k.name, ''), ST_Y(r.geom)::text, ST_X(r.geom)::text
		FROM resident_identity i JOIN resident r ON r.id = i.resident_id LEFT JOIN kabupaten k ON k.code = r.kabupaten_code
		WHERE upper(i.passport_number) = $1 ORDER BY r.reported_on, r.id`, rep.Passport)
	if err != nil {
		return fmt.Errorf("records: %w", err)
	}
	names := []string{"full_name", "passport_number", "birth_date", "sex", "nationality", "permit_type", "permit_expiry",
		"arrival_date", "address_kind", "hotel_name", "check_in", "check_out", "reported_on", "worksite_id",
		"kabupaten_code", "kabupaten", "lat", "lon"}
	for rows.Next() {
		vals := make([]string, len(names)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		rec := Record{ID: vals[0]}
		for i, n := range names {
			rec.Fields = append(rec.Fields, Field{n, vals[i+1]})
		}
		rep.Records = append(rep.Records, rec)
	}
	return rows.Err()
}

func ids(rep *Report) []string {
	out := make([]string, len(rep.Records))
	for i, r := range rep.Records {
		out[i] = r.ID
	}
	return out
}

func imports(ctx context.Context, tx pgx.Tx, rep *Report) error {
	rows, err := tx.Query(ctx, `SELECT l.id, l.started_at, l.kind, l.source, l.run_by, ir.key, ir.tbl, ir.added, coalesce(ir.prior::text, '')
		FROM import_row ir JOIN import_log l ON l.id = ir.import_id
		WHERE ir.tbl IN ('resident', 'resident_identity') AND ir.key = ANY($1)
		ORDER BY l.id, ir.key, ir.tbl`, ids(rep))
	if err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	rep.Imports, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Import, error) {
		var im Import
		err := r.Scan(&im.ID, &im.At, &im.Kind, &im.Source, &im.RunBy, &im.RecordID, &im.Table, &im.Added, &im.Prior)
		return im, err
	})
	if err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	return nil
}

// accesses finds the audit rows that may have shown a record: personal tiles
// of the residents layer whose tile holds the record's point, operation plans
// with personal data whose area (bounding box or kabupaten) holds it, from
// the day the stay was reported on; and every row naming the subject id.
func accesses(ctx context.Context, tx pgx.Tx, rep *Report) error {
	rows, err := tx.Query(ctx, `
		SELECT a.id, a.at, a.username, a.role, a.action, a.route, a.layer, coalesce(nullif(a.tile, ''), a.area), r.id,
		       CASE WHEN a.tile <> '' THEN 'residents tile holding the record''s point'
		            ELSE 'operation plan over the record''s area' END
		FROM resident r
		JOIN audit_log a ON a.action = 'personal' AND a.at >= r.reported_on::timestamptz
		WHERE r.id = ANY($1) AND (
		      (a.tile ~ '^[0-9]+/[0-9]+/[0-9]+$' AND coalesce(a.detail->'layers', '[]') ? 'residents'
		       AND ST_Intersects(ST_TileEnvelope(split_part(a.tile, '/', 1)::int, split_part(a.tile, '/', 2)::int, split_part(a.tile, '/', 3)::int),
		                         ST_Transform(r.geom, 3857)))
		   OR (a.layer = 'operation' AND (
		         coalesce(a.detail->'kabupaten', '[]') ? r.kabupaten_code
		      OR (jsonb_typeof(a.detail->'bbox') = 'array' AND jsonb_array_length(a.detail->'bbox') = 4
		          AND ST_Intersects(ST_MakeEnvelope((a.detail->'bbox'->>0)::float8, (a.detail->'bbox'->>1)::float8,
		                                            (a.detail->'bbox'->>2)::float8, (a.detail->'bbox'->>3)::float8, 4326), r.geom)))))
		UNION ALL
		SELECT a.id, a.at, a.username, a.role, a.action, a.route, a.layer, coalesce(nullif(a.tile, ''), a.area), '', 'names the subject id'
		FROM audit_log a WHERE $2::text <> '' AND a.detail->>'subject' = $2
		ORDER BY 2, 1`, ids(rep), rep.SubjectID)
	if err != nil {
		return fmt.Errorf("accesses: %w", err)
	}
	rep.Accesses, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Access, error) {
		var a Access
		err := r.Scan(&a.AuditID, &a.At, &a.Username, &a.Role, &a.Action, &a.Route, &a.Layer, &a.Where, &a.RecordID, &a.Why)
		return a, err
	})
	if err != nil {
		return fmt.Errorf("accesses: %w", err)
	}
	return nil
}

// WriteCSV writes the report as one table: section, item, field, value.
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(v ...string) { _ = cw.Write(v) }
	row("section", "item", "field", "value")
	row("request", "", "passport_number", rep.Passport)
	row("request", "", "subject_id", rep.SubjectID)
	row("request", "", "generated_at", rep.GeneratedAt.Format(time.RFC3339))
	row("request", "", "generated_by", rep.GeneratedBy)
	row("request", "", "records", strconv.Itoa(len(rep.Records)))
	row("request", "", "accesses", strconv.Itoa(len(rep.Accesses)))
	for _, r := range rep.Records {
		for _, f := range r.Fields {
			row("record", r.ID, f.Name, f.Value)
		}
	}
	for _, im := range rep.Imports {
		item := fmt.Sprintf("import #%d %s", im.ID, im.RecordID)
		row("import", item, "at", im.At.UTC().Format(time.RFC3339))
		row("import", item, "kind", im.Kind)
		row("import", item, "file", im.Source)
		row("import", item, "run_by", im.RunBy)
		row("import", item, "table", im.Table)
		what := "replaced an earlier version"
		if im.Added {
			what = "added"
		}
		row("import", item, "effect", what)
		if im.Prior != "" {
			row("import", item, "earlier_version_kept_for_undo", im.Prior)
		}
	}
	for _, a := range rep.Accesses {
		item := fmt.Sprintf("audit #%d", a.AuditID)
		row("access", item, "at", a.At.UTC().Format(time.RFC3339))
		row("access", item, "username", a.Username)
		row("access", item, "role", a.Role)
		row("access", item, "action", a.Action)
		row("access", item, "route", a.Route)
		row("access", item, "layer", a.Layer)
		row("access", item, "where", a.Where)
		row("access", item, "record", a.RecordID)
		row("access", item, "matched", a.Why)
	}
	cw.Flush()
	return cw.Error()
}
