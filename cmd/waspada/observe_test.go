package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/tiles"
)

// The metrics `serve` exports, through the real wiring: per-route and
// per-layer latency, tile cache hits, misses, bytes and entries, the database
// pool, and the newest risk run (-1 while there is none); admins only.
func TestServeMetrics(t *testing.T) {
	pool := testdb.Reference(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts, err := tiles.New(ctx, tiles.Config{CacheBytes: 8 << 20, DBTimeout: 10 * time.Second}, pool, quiet)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{}, quiet)
	a := &app{log: quiet, stdout: io.Discard, stderr: io.Discard}
	a.mountObserve(ctx, srv, pool, ts)
	who := access.Principal{Username: "t", Role: access.Admin}
	srv.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Test-Role") == "partner" {
				p := access.Principal{Username: "p", Role: access.Partner, Provinces: []string{"51"}}
				next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
				return
			}
			next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), who)))
		})
	})
	srv.Mount(tiles.Prefix, ts)
	h := srv.Handler()
	get := func(path, role string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("X-Test-Role", role)
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
		t.Fatalf("metrics: %d", rec.Code)
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
