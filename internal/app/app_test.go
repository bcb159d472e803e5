package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/tiles"
)

// testApp builds the real server on a reference database with one user per
// role given, and returns it with an API token per username.
func testApp(t *testing.T, users ...auth.User) (*App, map[string]string) {
	t.Helper()
	pool := testdb.Reference(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := auth.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	toks := map[string]string{}
	for _, u := range users {
		if _, err := st.AddUser(ctx, u, "test-password-1", auth.Params{Memory: 64, Time: 1, Threads: 1}); err != nil {
			t.Fatal(err)
		}
		if toks[u.Username], err = st.CreateToken(ctx, u.Username, "t", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := auth.DefaultConfig()
	cfg.Unlimited()
	a, err := New(ctx, Config{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Auth: cfg,
		Tiles: tiles.Config{CacheBytes: 8 << 20, DBTimeout: 10 * time.Second}, WebDir: t.TempDir(),
		AllowedHosts: []string{"example.test", "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	return a, toks
}

// The metrics `serve` exports, through the real wiring: per-route and
// per-layer latency, tile cache hits, misses, bytes and entries, the database
// pool, and the newest risk run (-1 while there is none); admins only.
func TestServeMetrics(t *testing.T) {
	a, toks := testApp(t,
		auth.User{Username: "admin", Role: access.Admin},
		auth.User{Username: "partner", Role: access.Partner, Provinces: []string{"51"}})
	h := a.Handler()
	get := func(path, user string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "http://example.test"+path, nil)
		req.Header.Set("Authorization", "Bearer "+toks[user])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < 2; i++ { // a miss, then a hit
		if rec := get("/tiles/provinsi/6/51/33.mvt", "admin"); rec.Code != 200 && rec.Code != 204 {
			t.Fatalf("tile: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := get("/metrics", "partner"); rec.Code != http.StatusForbidden {
		t.Errorf("metrics for a partner: %d", rec.Code)
	}
	rec := get("/metrics", "admin")
	if rec.Code != 200 {
		t.Fatalf("metrics: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`waspada_http_request_duration_seconds_count{code="200",layer="provinsi",route="tiles"}`,
		"waspada_tile_cache_hits_total 1",
		"waspada_tile_cache_misses_total 1",
		"waspada_tile_cache_entries 1",
		"waspada_tile_cache_bytes ",
		"waspada_risk_last_run_duration_seconds -1",
		"waspada_risk_last_run_age_seconds -1",
		"waspada_db_",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// Every route on the router came through the route table (so it has a
// policy), tools answer 403 to roles they are not for, and requests for a
// host outside --allowed-hosts get 421.
func TestRouteTableAndHosts(t *testing.T) {
	a, toks := testApp(t,
		auth.User{Username: "kanwil", Role: access.KanwilHead, Provinces: []string{"51"}},
		auth.User{Username: "intel", Role: access.IntelOfficer, Kabupaten: []string{"51.71"}},
		auth.User{Username: "partner", Role: access.Partner, Provinces: []string{"51"}})
	table := map[string]bool{}
	for _, r := range a.Routes.Routes() {
		table[r.Path] = true
	}
	n := 0
	_ = a.Server.Router().Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			tpl, _ = route.GetPathRegexp()
		}
		n++
		if !table[tpl] {
			t.Errorf("route %s is on the router but not in the route table (no policy)", tpl)
		}
		return nil
	})
	if n < 15 {
		t.Fatalf("only %d routes on the router", n)
	}
	do := func(method, host, path, user string) int {
		req := httptest.NewRequest(method, "http://"+host+path, strings.NewReader(`{}`))
		if user != "" {
			req.Header.Set("Authorization", "Bearer "+toks[user])
		}
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	for _, c := range []struct {
		method, path, user string
		want               int
	}{
		{"GET", "/api/workflow/brief/periods", "partner", 403},
		{"GET", "/api/workflow/brief/periods", "intel", 403},
		{"GET", "/api/workflow/brief/periods", "kanwil", 200},
		{"POST", "/api/workflow/operation", "kanwil", 403},
		{"POST", "/api/workflow/operation", "partner", 403},
		{"POST", "/api/workflow/operation", "intel", 400}, // allowed; the empty request is refused
		{"POST", "/api/workflow/sites.csv", "intel", 403},
		{"GET", "/api/workflow/sites.csv", "kanwil", 405}, // exports are POSTs only
		{"GET", "/api/workflow/brief.pdf", "kanwil", 405},
		{"GET", "/api/me", "", 401},
		{"GET", "/healthz", "", 200},
	} {
		if got := do(c.method, "example.test", c.path, c.user); got != c.want {
			t.Errorf("%s %s as %q: %d, want %d", c.method, c.path, c.user, got, c.want)
		}
	}
	if got := do("GET", "evil.example", "/api/me", "kanwil"); got != http.StatusMisdirectedRequest {
		t.Errorf("a request for another host: %d, want 421", got)
	}
	if got := do("GET", "127.0.0.1:8080", "/api/me", "kanwil"); got != 200 {
		t.Errorf("an allowed host with a port: %d, want 200", got)
	}
}
