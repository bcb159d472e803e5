package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMountUseAndRouter(t *testing.T) {
	s := New(Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var order []string
	mw := func(name string) Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	s.Use(mw("outer"), mw("inner"))
	s.Mount("/tiles", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "tiles:"+r.URL.Path) }))
	s.Router().HandleFunc("/api/ping", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "pong") }).Methods("GET")
	h := s.Handler()
	tests := []struct {
		path string
		code int
		body string
	}{
		{"/tiles", 200, "tiles:/tiles"},
		{"/tiles/risk/1/0/0.mvt", 200, "tiles:/tiles/risk/1/0/0.mvt"},
		{"/tilesX", 404, "not found"}, // a prefix match must end at a path segment
		{"/api/ping", 200, "pong"},
		{"/nothing", 404, "not found"},
	}
	for _, tc := range tests {
		order = nil
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: %d %q", tc.path, rec.Code, rec.Body)
		}
		if strings.Join(order, ",") != "outer,inner" {
			t.Errorf("%s: middleware order %v", tc.path, order)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/ping", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/ping: %d", rec.Code)
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	s := New(Config{ShutdownTimeout: 5 * time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	release := make(chan struct{})
	s.Router().HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	time.Sleep(100 * time.Millisecond) // the request is in flight
	cancel()
	time.Sleep(50 * time.Millisecond)
	close(release)
	if b := <-got; b != "done" {
		t.Fatalf("in-flight request got %q", b)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
