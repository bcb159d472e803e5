package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/waspada-id/waspada/internal/audit"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/store"
	"github.com/waspada-id/waspada/internal/testdb"
)

var intel = access.Principal{UserID: 7, Username: "intel1", Role: access.IntelOfficer, Kabupaten: []string{"21.71"}}

func TestRecordAndSearch(t *testing.T) {
	pool := testdb.Empty(t)
	l, err := audit.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := audit.Record(ctx, audit.Entry{Action: audit.Personal}); err != audit.ErrNoLog {
		t.Fatalf("Record without a log = %v, want ErrNoLog", err)
	}
	lctx := audit.WithLog(ctx, l)
	if err := audit.Record(lctx, audit.Entry{Action: audit.Personal}); err != audit.ErrAnonymous {
		t.Fatalf("Record without a principal = %v, want ErrAnonymous", err)
	}
	pctx := access.WithPrincipal(lctx, intel)
	if err := audit.Record(pctx, audit.Entry{Action: "peek"}); err == nil {
		t.Fatal("unknown action accepted")
	}
	for i, e := range []audit.Entry{
		{Action: audit.Personal, Route: "/tiles/{layer}/{z}/{x}/{y}.mvt", Layer: "residents", Tile: "14/13000/8000", Rows: 12},
		{Action: audit.Export, Route: "/api/operations/export", Area: "21.71", Rows: 240},
		{Action: audit.Personal, Route: "/api/residents", Area: "21.71", Rows: 3, Detail: map[string]any{"q": "overstay"}},
	} {
		if err := audit.Record(pctx, e); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	all, err := l.Search(ctx, audit.Filter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("search all: %d rows, %v", len(all), err)
	}
	if all[0].Route != "/api/residents" || all[0].Username != "intel1" || all[0].Scope != "21.71" || all[0].Detail["q"] != "overstay" {
		t.Errorf("newest row %+v", all[0])
	}
	got, _ := l.Search(ctx, audit.Filter{Layer: "residents"})
	if len(got) != 1 || got[0].Tile != "14/13000/8000" || got[0].Rows != 12 {
		t.Errorf("layer filter: %+v", got)
	}
	got, _ = l.Search(ctx, audit.Filter{Action: audit.Export})
	if len(got) != 1 || got[0].Rows != 240 {
		t.Errorf("action filter: %+v", got)
	}
	got, _ = l.Search(ctx, audit.Filter{BeforeID: all[0].ID, Limit: 1})
	if len(got) != 1 || got[0].ID != all[1].ID {
		t.Errorf("paging: %+v", got)
	}
}

// The append-only guarantee, as the server's own database role sees it.
func TestAppRoleCannotRewriteAudit(t *testing.T) {
	pool := testdb.Empty(t)
	ctx := context.Background()
	appURL, ok, err := auth.AppDatabaseURL(ctx, pool, testdb.URL(t, pool))
	if err != nil || !ok {
		t.Fatalf("AppDatabaseURL: %v (ok=%v)", err, ok)
	}
	if !strings.Contains(appURL, "waspada_app") {
		t.Fatalf("app URL %q does not use the app role", appURL)
	}
	app, err := store.Open(ctx, appURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var super bool
	_ = app.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super)
	if super {
		t.Fatal("the app role is a superuser")
	}
	l, _ := audit.New(app)
	if err := audit.Record(access.WithPrincipal(audit.WithLog(ctx, l), intel), audit.Entry{Action: audit.Personal, Route: "/x", Rows: 1}); err != nil {
		t.Fatalf("app role cannot append: %v", err)
	}
	// the app can still do its ordinary work on other tables
	if _, err := app.Exec(ctx, "DELETE FROM auth_session WHERE false"); err != nil {
		t.Fatalf("app role lacks ordinary DELETE: %v", err)
	}
	for _, q := range []string{
		"UPDATE audit_log SET rows_returned = 0",
		"DELETE FROM audit_log",
		"TRUNCATE audit_log",
		"DROP TABLE audit_log",
		"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
		"DROP TRIGGER audit_log_no_update ON audit_log",
	} {
		_, err := app.Exec(ctx, q)
		var pe *pgconn.PgError
		if err == nil {
			t.Errorf("app role: %s succeeded", q)
		} else if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("app role: %s: %v, want a permission error (42501)", q, err)
		}
	}
	// even the owning role is stopped by the trigger (no accidental rewrites)
	for _, q := range []string{"UPDATE audit_log SET rows_returned = 0", "DELETE FROM audit_log", "TRUNCATE audit_log"} {
		if _, err := pool.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("owner: %s: %v, want the append-only error", q, err)
		}
	}
	var n int
	_ = pool.QueryRow(ctx, "SELECT count(*) FROM audit_log").Scan(&n)
	if n != 1 {
		t.Fatalf("audit rows = %d after the attempts, want 1", n)
	}
}

func TestSearchHandler(t *testing.T) {
	pool := testdb.Empty(t)
	l, _ := audit.New(pool)
	r := mux.NewRouter()
	l.Register(routes.New(r))
	var as access.Principal
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.ServeHTTP(w, req.WithContext(access.WithPrincipal(req.Context(), as)))
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	_ = audit.Record(access.WithPrincipal(audit.WithLog(context.Background(), l), intel), audit.Entry{Action: audit.Personal, Layer: "residents", Rows: 5})
	get := func(q string) (int, map[string]any) {
		resp, err := http.Get(srv.URL + "/api/admin/audit" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	as = intel
	if code, _ := get(""); code != 403 {
		t.Fatalf("intel officer searching the audit log = %d, want 403", code)
	}
	as = access.Principal{UserID: 1, Username: "admin", Role: access.Admin}
	code, body := get("?user=intel1&layer=residents&from=2020-01-01")
	if code != 200 || body["count"].(float64) != 1 {
		t.Fatalf("admin search = %d %v", code, body)
	}
	for _, q := range []string{"?user=x'%20OR%201=1--", "?from=yesterday", "?limit=0", "?limit=100000",
		"?action=delete", "?layer=../../etc", "?before=-1", "?route=x%3BDROP", "?route=%2F..%2F%27"} {
		if code, body := get(q); code != 400 {
			t.Errorf("search %s = %d %v, want 400", q, code, body)
		}
	}
	// the admin's searches are themselves in the log
	rows, _ := l.Search(context.Background(), audit.Filter{Action: audit.Admin})
	if len(rows) != 1 || rows[0].Username != "admin" {
		t.Fatalf("admin searches audited: %+v", rows)
	}
}

func TestAuditPage(t *testing.T) {
	pool := testdb.Empty(t)
	l, _ := audit.New(pool)
	r := mux.NewRouter()
	l.Register(routes.New(r))
	var as access.Principal
	srv := httptest.NewServer(l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.ServeHTTP(w, req.WithContext(access.WithPrincipal(req.Context(), as)))
	})))
	defer srv.Close()
	_ = audit.Record(access.WithPrincipal(audit.WithLog(context.Background(), l), intel), audit.Entry{Action: audit.Personal, Layer: "residents", Tile: "14/1/2", Rows: 5})
	get := func(q string) (int, string) {
		resp, err := http.Get(srv.URL + "/admin/audit" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	as = intel
	if code, _ := get(""); code != 403 {
		t.Fatalf("intel officer on the audit page = %d, want 403", code)
	}
	as = access.Principal{UserID: 1, Username: "admin", Role: access.Admin}
	code, body := get("?user=intel1&action=personal")
	if code != 200 || !strings.Contains(body, "<td>intel1</td>") || !strings.Contains(body, "14/1/2") {
		t.Fatalf("audit page = %d\n%s", code, body)
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("audit page has inline script or style (the CSP forbids them)")
	}
	if code, body := get("?user=%3Cscript%3E"); code != 400 || strings.Contains(body, "<script>") {
		t.Errorf("bad user filter = %d (escaped: %v)", code, !strings.Contains(body, "<script>"))
	}
}
