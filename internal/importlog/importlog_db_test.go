package importlog_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/backup"
	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/importlog"
	"github.com/waspada-id/waspada/internal/oplog"
	"github.com/waspada-id/waspada/internal/testdb"
)

const header = "id,nationality,permit_type,permit_expiry,arrival_date,address_kind,hotel_name,check_in,check_out,reported_on,worksite_id,full_name,passport_number,lat,lon\n"

// The office's file, then a corrected file that replaces one row and adds one.
const fileA = header +
	"RES-1,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E12345678,-2.8342,122.1501\n" +
	"RES-2,AUS,VOA,2026-04-14,2026-03-15,hotel,Hotel Pantai Indah,2026-03-15,2026-03-20,2026-03-15,,Jane Doe,PA1234567,-8.5069,119.8770\n"
const fileB = header +
	"RES-2,AUS,VOA,2026-05-14,2026-03-15,hotel,Hotel Pantai Indah,2026-03-15,2026-03-22,2026-03-15,,Jane Q. Doe,PA1234567,-8.5070,119.8771\n" +
	"RES-3,MYS,ITAS,2027-06-30,2026-06-01,residence,,,,2026-06-02,,Ahmad Bin Ali,A9988776,-2.8350,122.1510\n"

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func load(t *testing.T, im *importer.Importer, kind, path string) *importer.Report {
	t.Helper()
	rep, err := im.File(context.Background(), kind, path, false)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var b strings.Builder
		rep.Print(&b)
		t.Fatalf("import rejected: %s", b.String())
	}
	return rep
}

// state is the checksum of the tables imports write (import bookkeeping aside).
func state(t *testing.T, pool *pgxpool.Pool) map[string]backup.TableSum {
	t.Helper()
	sums, err := backup.Fingerprint(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]backup.TableSum{}
	for _, s := range sums {
		switch s.Table {
		case "public.resident", "public.resident_identity", "public.worksite", "public.incident", "public.port", "public.desa_binaan", "public.indicator":
			m[s.Table] = s
		}
	}
	return m
}

func TestUndo(t *testing.T) {
	pool := testdb.Reference(t)
	ctx := context.Background()
	im, err := importer.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	empty := state(t, pool)
	im.SetRunBy("officer.a")
	a := load(t, im, "residences", write(t, "a.csv", fileA))
	if a.Added != 2 || a.Replaced != 0 {
		t.Fatalf("import A: %d added, %d replaced, want 2, 0", a.Added, a.Replaced)
	}
	afterA := state(t, pool)
	im.SetRunBy("officer.b")
	b := load(t, im, "residences", write(t, "b.csv", fileB))
	if b.Added != 1 || b.Replaced != 1 {
		t.Fatalf("import B: %d added, %d replaced, want 1, 1", b.Added, b.Replaced)
	}
	by := oplog.Actor{Name: "lead"}

	// A cannot go while B, which changed RES-2, stands; the refusal names B.
	_, err = importlog.Undo(ctx, pool, a.ImportID, by)
	var ce *importlog.ConflictError
	if !errors.As(err, &ce) || len(ce.Later) != 1 || ce.Later[0].ID != b.ImportID || ce.Later[0].RunBy != "officer.b" {
		t.Fatalf("undo of A under B: %v, want a conflict naming import #%d", err, b.ImportID)
	}
	if !strings.Contains(err.Error(), "b.csv") {
		t.Errorf("refusal does not name the later file: %v", err)
	}

	rep, err := importlog.Undo(ctx, pool, b.ImportID, by)
	if err != nil {
		t.Fatal(err)
	}
	// RES-3 and its identity deleted; RES-2 and its identity restored.
	if rep.Deleted != 2 || rep.Restored != 2 {
		t.Errorf("undo B: %d deleted, %d restored, want 2 and 2", rep.Deleted, rep.Restored)
	}
	if got := state(t, pool); !equal(got, afterA) {
		t.Errorf("after undoing B the tables differ from after A: %v", backup.Diff(values(afterA), values(got)))
	}
	var name, expiry string
	if err := pool.QueryRow(ctx, "SELECT full_name, permit_expiry::text FROM resident r JOIN resident_identity i ON i.resident_id = r.id WHERE r.id = 'RES-2'").Scan(&name, &expiry); err != nil {
		t.Fatal(err)
	}
	if name != "Jane Doe" || expiry != "2026-04-14" {
		t.Errorf("RES-2 after undo: %s %s, want Jane Doe 2026-04-14", name, expiry)
	}
	if _, err := importlog.Undo(ctx, pool, b.ImportID, by); !errors.Is(err, importlog.ErrNotUndoable) {
		t.Errorf("second undo of B: %v, want ErrNotUndoable", err)
	}
	if _, err := importlog.Undo(ctx, pool, rep.UndoID, by); !errors.Is(err, importlog.ErrNotUndoable) {
		t.Errorf("undo of an undo: %v, want ErrNotUndoable", err)
	}
	if _, err := importlog.Undo(ctx, pool, 999999, by); err == nil || !strings.Contains(err.Error(), "no such import") {
		t.Errorf("undo of a missing import: %v", err)
	}

	// With B undone, A may go: the database is as before any import.
	if _, err := importlog.Undo(ctx, pool, a.ImportID, by); err != nil {
		t.Fatal(err)
	}
	if got := state(t, pool); !equal(got, empty) {
		t.Errorf("after undoing A and B the tables differ from before: %v", backup.Diff(values(empty), values(got)))
	}

	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE route = 'waspada import undo' AND username = 'lead'
		AND (detail->>'import_id')::bigint IN ($1, $2)`, a.ImportID, b.ImportID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d audit rows for the two undos, want 2", n)
	}
	list, err := importlog.List(ctx, pool, 0)
	if err != nil {
		t.Fatal(err)
	}
	undone := 0
	for _, e := range list {
		if e.UndoneAt != nil {
			undone++
			if *e.UndoneBy != "lead" {
				t.Errorf("import #%d undone by %q, want lead", e.ID, *e.UndoneBy)
			}
		}
	}
	if undone != 2 {
		t.Errorf("list shows %d undone imports, want 2", undone)
	}
}

// A worksite that later residents point at cannot be undone away.
func TestUndoRefusesReferencedRows(t *testing.T) {
	pool := testdb.Reference(t)
	ctx := context.Background()
	im, err := importer.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ws := load(t, im, "worksites", filepath.Join("..", "importer", "testdata", "good", "worksites.geojson"))
	load(t, im, "residences", filepath.Join("..", "importer", "testdata", "good", "residences.csv"))
	before := state(t, pool)
	_, err = importlog.Undo(ctx, pool, ws.ImportID, oplog.Actor{Name: "lead"})
	if !errors.Is(err, importlog.ErrNotUndoable) || !strings.Contains(err.Error(), "referenced") {
		t.Fatalf("undo of referenced worksites: %v, want a refusal", err)
	}
	if got := state(t, pool); !equal(got, before) {
		t.Errorf("a refused undo changed the tables: %v", backup.Diff(values(before), values(got)))
	}
}

func equal(a, b map[string]backup.TableSum) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func values(m map[string]backup.TableSum) []backup.TableSum {
	var out []backup.TableSum
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Indicators are keyed by kabupaten, month and name: a corrected value and a
// new month, undone, leave the first file's values.
func TestUndoIndicators(t *testing.T) {
	pool := testdb.Reference(t)
	ctx := context.Background()
	im, err := importer.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	first := load(t, im, "indicators", write(t, "i1.csv", "kabupaten_code,period,indicator,value\n53.01,2026-01,poverty_rate,19.8\n53.01,2026-02,poverty_rate,19.6\n"))
	afterFirst := state(t, pool)
	second := load(t, im, "indicators", write(t, "i2.csv", "kabupaten_code,period,indicator,value\n53.01,2026-02,poverty_rate,21.0\n53.01,2026-03,poverty_rate,19.1\n"))
	if second.Added != 1 || second.Replaced != 1 {
		t.Fatalf("second file: %d added, %d replaced, want 1 and 1", second.Added, second.Replaced)
	}
	if _, err := importlog.Undo(ctx, pool, first.ImportID, oplog.Actor{Name: "lead"}); err == nil {
		t.Fatal("undo of the first file under the second was accepted")
	}
	rep, err := importlog.Undo(ctx, pool, second.ImportID, oplog.Actor{Name: "lead"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != 1 || rep.Restored != 1 {
		t.Errorf("undo: %d deleted, %d restored, want 1 and 1", rep.Deleted, rep.Restored)
	}
	if got := state(t, pool); !equal(got, afterFirst) {
		t.Errorf("after the undo: %v", backup.Diff(values(afterFirst), values(got)))
	}
}
