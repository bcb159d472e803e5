package backup_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/api"
	"github.com/waspada-id/waspada/internal/backup"
	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/pgcluster"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/store"
	"github.com/waspada-id/waspada/internal/testdb"
)

const header = "id,nationality,permit_type,permit_expiry,arrival_date,address_kind,hotel_name,check_in,check_out,reported_on,worksite_id,full_name,passport_number,lat,lon\n"

const good = header +
	"RES-1,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E12345678,-2.8342,122.1501\n" +
	"RES-2,AUS,VOA,2026-04-14,2026-03-15,hotel,Hotel Pantai Indah,2026-03-15,2026-03-20,2026-03-15,,Jane Doe,PA1234567,-8.5069,119.8770\n"

// The wrong office's file: replaces RES-2 and adds a stay that was never ours.
const wrong = header +
	"RES-2,AUS,VOA,2026-05-14,2026-03-15,hotel,Hotel Lain,2026-03-15,2026-03-22,2026-03-15,,Jane Q. Doe,PA1234567,-8.5070,119.8771\n" +
	"RES-9,MYS,ITAS,2027-06-30,2026-06-01,residence,,,,2026-06-02,,Ahmad Bin Ali,A9988776,-2.8350,122.1510\n"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func importFile(t *testing.T, pool *pgxpool.Pool, body string) {
	t.Helper()
	im, err := importer.New(pool, quiet())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "stays.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := im.File(context.Background(), "residences", p, false)
	if err != nil || !rep.OK() {
		t.Fatalf("import: %v %+v", err, rep)
	}
}

func fingerprint(t *testing.T, dbURL string) []backup.TableSum {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	s, err := backup.Fingerprint(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mistake imports the wrong file and drops a table.
func mistake(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	pool, err := store.Open(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	importFile(t, pool, wrong)
	if _, err := pool.Exec(ctx, "DROP TABLE incident"); err != nil {
		t.Fatal(err)
	}
}

// scenario fills a reference database with stays, an account, an incident and
// an audit row: something in every kind of table a restore must bring back.
func scenario(t *testing.T) (*pgxpool.Pool, string) {
	pool := testdb.Reference(t)
	importFile(t, pool, good)
	for _, q := range []string{
		`INSERT INTO app_user (username, password_hash, role) VALUES ('dpo', '$argon2id$x', 'admin')`,
		`INSERT INTO audit_log (user_id, username, role, action, method, route) VALUES (1, 'dpo', 'admin', 'admin', 'GET', '/api/admin/audit')`,
		`INSERT INTO incident (id, kind, occurred_on, victims, kabupaten_code, geom, h3_r9)
		 SELECT 'INC-1', 'tppo', '2026-02-01', 2, kabupaten_code, geom, h3_r9 FROM resident WHERE id = 'RES-1'`,
	} {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	return pool, testdb.URL(t, pool)
}

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	pool, dbURL := scenario(t)
	before := fingerprint(t, dbURL)
	dir := filepath.Join(t.TempDir(), "b")
	start := time.Now()
	m, err := backup.Backup(ctx, dbURL, dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup: %d tables, %.1f MB in %s", len(m.Tables), float64(m.Files[0].Bytes)/1e6, time.Since(start).Round(time.Millisecond))
	if d := backup.Diff(before, m.Tables); len(d) > 0 {
		t.Fatalf("manifest differs from the database: %v", d)
	}
	if _, err := backup.Backup(ctx, dbURL, dir, quiet()); err == nil {
		t.Error("a second backup into the same folder was accepted")
	}
	pool.Close() // the restore ends every session on the database

	mistake(t, dbURL)
	damaged := fingerprint(t, dbURL)
	if len(backup.Diff(before, damaged)) < 3 { // resident, resident_identity, incident, import bookkeeping
		t.Fatalf("the mistake did not show: %v", backup.Diff(before, damaged))
	}
	_, err = backup.Restore(ctx, dbURL, dir, false, quiet())
	if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over a database holding rows: %v, want ErrNotEmpty", err)
	}
	if d := backup.Diff(damaged, fingerprint(t, dbURL)); len(d) > 0 {
		t.Fatalf("the refused restore changed the database: %v", d)
	}
	start = time.Now()
	rep, err := backup.Restore(ctx, dbURL, dir, true, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("restore: %s", time.Since(start).Round(time.Millisecond))
	if len(rep.Replaced) == 0 {
		t.Error("the forced restore reports no replaced tables")
	}
	if d := backup.Diff(before, fingerprint(t, dbURL)); len(d) > 0 {
		t.Fatalf("after the restore: %v", d)
	}
	// The restored database is a working Waspada database.
	restored, err := store.Open(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := store.Migrate(ctx, restored, quiet()); err != nil {
		t.Fatalf("migrate the restored database: %v", err)
	}
	var name string
	if err := restored.QueryRow(ctx, "SELECT full_name FROM resident_identity WHERE resident_id = 'RES-2'").Scan(&name); err != nil || name != "Jane Doe" {
		t.Errorf("RES-2 after restore: %q %v", name, err)
	}

	// Into a database that does not exist yet: no --force needed.
	u, _ := url.Parse(dbURL)
	u.Path = "/" + strings.TrimPrefix(u.Path, "/") + "_copy"
	t.Cleanup(func() {
		admin := *u
		admin.Path = "/postgres"
		if c, err := pgx.Connect(context.Background(), admin.String()); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+strings.TrimPrefix(u.Path, "/")+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	if _, err := backup.Restore(ctx, u.String(), dir, false, quiet()); err != nil {
		t.Fatalf("restore into a new database: %v", err)
	}
	if d := backup.Diff(before, fingerprint(t, u.String())); len(d) > 0 {
		t.Fatalf("the copy differs: %v", d)
	}

	// A damaged archive is refused before anything is touched.
	b, err := os.ReadFile(filepath.Join(dir, backup.DumpFile))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(filepath.Join(dir, backup.DumpFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, u.String(), dir, true, quiet()); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("restore of a damaged backup: %v", err)
	}
	if d := backup.Diff(before, fingerprint(t, u.String())); len(d) > 0 {
		t.Fatalf("the refused restore of a damaged backup changed the database: %v", d)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestPointInTimeRecovery is the acceptance test: a local cluster with
// the scenario, WAL archiving and a base backup; more work; then a bad import
// and a dropped table; recovery to the moment before the mistake brings every
// table back to its row count and checksum at that moment.
func TestPointInTimeRecovery(t *testing.T) {
	ctx := context.Background()
	pool, srcURL := scenario(t)
	src := filepath.Join(t.TempDir(), "src")
	if _, err := backup.Backup(ctx, srcURL, src, quiet()); err != nil {
		t.Fatal(err)
	}
	pool.Close()

	root, err := os.MkdirTemp("", "waspada-pitr-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o755); err != nil { // the server may run as postgres
		t.Fatal(err)
	}
	c, err := pgcluster.New(filepath.Join(root, "pg"), freePort(t), quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Stop(context.Background())
		_ = os.RemoveAll(root)
	})
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	dbURL, err := c.URL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, dbURL, src, false, quiet()); err != nil {
		t.Fatalf("load the scenario into the cluster: %v", err)
	}
	archive := filepath.Join(root, "wal")
	if err := c.EnableArchiving(ctx, archive); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(root, "base")
	start := time.Now()
	if err := c.BaseBackup(ctx, base); err != nil {
		t.Fatal(err)
	}
	t.Logf("base backup %s", time.Since(start).Round(time.Millisecond))

	// Work after the base backup, which only the archived WAL holds.
	later, err := store.Open(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := later.Exec(ctx, "UPDATE resident SET permit_expiry = '2027-12-31' WHERE id = 'RES-1'"); err != nil {
		t.Fatal(err)
	}
	if _, err := later.Exec(ctx, "INSERT INTO audit_log (user_id, username, role, action, method, route) VALUES (1, 'dpo', 'admin', 'admin', 'GET', '/after-base')"); err != nil {
		t.Fatal(err)
	}
	var until time.Time
	if err := later.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&until); err != nil {
		t.Fatal(err)
	}
	later.Close()
	before := fingerprint(t, dbURL)
	time.Sleep(1100 * time.Millisecond)

	mistake(t, dbURL)
	if len(backup.Diff(before, fingerprint(t, dbURL))) < 3 {
		t.Fatal("the mistake did not show")
	}
	start = time.Now()
	kept, err := c.RecoverTo(ctx, base, archive, until)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recovery %s", time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(kept, "PG_VERSION")); err != nil {
		t.Errorf("the replaced data folder was not kept: %v", err)
	}
	if d := backup.Diff(before, fingerprint(t, dbURL)); len(d) > 0 {
		t.Fatalf("after recovery to %s: %v", until.Format(time.RFC3339Nano), d)
	}
	// The map's API serves the recovered data.
	served, err := store.Open(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	r := mux.NewRouter()
	if err := api.Register(routes.New(r), api.Deps{Pool: served, Log: quiet(), Timeout: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/search?q=Batam", nil).
		WithContext(access.WithPrincipal(ctx, access.Principal{UserID: 1, Username: "dpo", Role: access.Admin}))
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "21.71") {
		t.Errorf("GET /api/search?q=Batam on the recovered cluster: %d %.300s", rec.Code, rec.Body.String())
	}
	// The recovered cluster takes writes (it left recovery on a new timeline).
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO audit_log (user_id, username, role, action, method, route) VALUES (1, 'dpo', 'admin', 'admin', 'GET', '/after-recovery')"); err != nil {
		t.Fatalf("write after recovery: %v", err)
	}
}
