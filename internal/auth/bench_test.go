package auth

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/testdb"
)

// BenchmarkMiddlewareTileWarm is the cost the middleware adds to a warm tile:
// headers, the per-IP and per-user token buckets, and a cached session.
func BenchmarkMiddlewareTileWarm(b *testing.B) {
	pool := testdb.Empty(b)
	st, _ := NewStore(pool)
	cfg := DefaultConfig()
	cfg.Password = Params{Memory: 64, Time: 1, Threads: 1}
	cfg.TilePerIP = Rate{PerSecond: 1e9, Burst: 1 << 30}
	cfg.TilePerUser = Rate{PerSecond: 1e9, Burst: 1 << 30}
	svc, _ := NewService(st, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	if _, err := st.AddUser(ctx, User{Username: "bench", Role: access.KanwilHead, Provinces: []string{"21"}}, "rahasia-sekali-123", cfg.Password); err != nil {
		b.Fatal(err)
	}
	sid, err := svc.Login(ctx, "bench", "rahasia-sekali-123", "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	h := svc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := access.FromContext(r.Context()); !ok {
			b.Error("no principal")
		}
	}))
	req := httptest.NewRequest("GET", "/tiles/residents/10/800/500.mvt", nil)
	req.RemoteAddr = "10.1.2.3:5555"
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sid})
	h.ServeHTTP(httptest.NewRecorder(), req) // fill the cache
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		w := httptest.NewRecorder()
		for pb.Next() {
			h.ServeHTTP(w, req)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
