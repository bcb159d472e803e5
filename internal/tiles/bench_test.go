package tiles

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the handler rather than a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkWarmTile is the handler's cost for a cached tile (no network).
func BenchmarkWarmTile(b *testing.B) {
	s := newTestServer(b, fixtureDB(b, true), Config{})
	url := tileURL("risk", tilemath.TileAt(8, batamLon, batamLat))
	req := httptest.NewRequest(http.MethodGet, "http://tiles.test"+url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req = req.WithContext(access.WithPrincipal(req.Context(), kanwil))
	s.ServeHTTP(httptest.NewRecorder(), req) // fill the cache
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			s.ServeHTTP(w, req)
		}
	})
}
