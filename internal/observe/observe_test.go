package observe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/testdb"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestRouteOf(t *testing.T) {
	tests := []struct{ path, route, layer string }{
		{"/tiles/risk/5/25/15.mvt", "tiles", "risk"},
		{"/tiles/kabupaten.json", "tiles", "kabupaten"},
		{"/tiles", "tiles", ""},
		{"/tiles/../../etc/passwd", "tiles", "invalid"},
		{"/tiles/" + strings.Repeat("x", 100) + "/1/1/1.mvt", "tiles", "invalid"},
		{"/api/cells/123", "api/cells", ""},
		{"/api/%27;drop", "api/invalid", ""},
		{"/healthz", "healthz", ""},
		{"/", "static", ""},
		{"/assets/index-abc.js", "static", ""},
		{"/whatever", "other", ""},
	}
	for _, tc := range tests {
		route, layer := RouteOf(tc.path)
		if route != tc.route || layer != tc.layer {
			t.Errorf("RouteOf(%q) = %q, %q; want %q, %q", tc.path, route, layer, tc.route, tc.layer)
		}
	}
}

func TestUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"syntax error is a bug", &pgconn.PgError{Code: "42601"}, false},
		{"unique violation is a bug", &pgconn.PgError{Code: "23505"}, false},
		{"net error", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"plain error", errors.New("boom"), false},
	}
	for _, tc := range tests {
		if got := Unavailable(tc.err); got != tc.want {
			t.Errorf("%s: Unavailable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMiddlewareRequestIDAndMetrics(t *testing.T) {
	o := New(quiet(), nil)
	h := o.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if RequestID(r.Context()) == "" {
			t.Error("no request id in the context")
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	for _, tc := range []struct{ in, wantSame bool }{{true, true}, {false, false}} {
		req := httptest.NewRequest("GET", "/tiles/risk/1/1/1.mvt", nil)
		if tc.in {
			req.Header.Set("X-Request-Id", "abc-123")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-Id")
		if got == "" || (tc.wantSame && got != "abc-123") {
			t.Errorf("X-Request-Id = %q", got)
		}
	}
	// An id that could forge log lines is replaced.
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-Id", "x\nlevel=ERROR")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if strings.ContainsAny(rec.Header().Get("X-Request-Id"), "\n=") {
		t.Error("unsafe request id echoed")
	}
	rec = httptest.NewRecorder()
	o.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `waspada_http_request_duration_seconds_count{code="418",layer="risk",route="tiles"} 2`) {
		t.Errorf("metrics lack the tile request histogram:\n%s", grep(body, "waspada_http"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestReadyzAndWatchdog(t *testing.T) {
	up := testdb.Empty(t)
	// A pool on a port where nothing listens stands for a database that is down.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, err := pgxpool.ParseConfig("postgres://x:y@" + addr + "/db?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	down, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	for _, tc := range []struct {
		name string
		pool *pgxpool.Pool
		code int
	}{{"up", up, 200}, {"down", down, 503}} {
		t.Run(tc.name, func(t *testing.T) {
			o := New(quiet(), tc.pool)
			rec := httptest.NewRecorder()
			start := time.Now()
			o.Readyz(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != tc.code {
				t.Fatalf("readyz = %d, want %d", rec.Code, tc.code)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("readyz took %s; it must answer within about a second", time.Since(start))
			}
			if o.DB().Down() != (tc.code == 503) {
				t.Errorf("watchdog Down = %v after readyz %d", o.DB().Down(), tc.code)
			}
			guarded := o.DB().Guard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
			rec = httptest.NewRecorder()
			guarded.ServeHTTP(rec, httptest.NewRequest("GET", "/api/x", nil))
			if rec.Code != tc.code {
				t.Errorf("guarded handler = %d, want %d", rec.Code, tc.code)
			}
		})
	}
}
