package riskrun_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/tiles"
)

// TestTilesDuringComputeAndImport serves risk and kabupaten tiles from the real
// tile server to eight clients while a risk run is computed and an import
// lands: every answer is 200 or 204 (never a 5xx), and every risk tile holds
// all of its hexagons — the same count before, during and after, since both
// runs cover the same grid — so no client ever sees half a run.
func TestTilesDuringComputeAndImport(t *testing.T) {
	pool := demoDB(t)
	e := engine(t, pool)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := e.Compute(ctx, quick); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts, err := tiles.New(ctx, tiles.Config{CacheBytes: 8 << 20, DBTimeout: 20 * time.Second, PollInterval: 100 * time.Millisecond}, pool, quiet)
	if err != nil {
		t.Fatal(err)
	}
	go ts.Run(ctx)
	srv := server.New(server.Config{}, quiet)
	admin := access.Principal{Username: "t", Role: access.Admin}
	srv.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), admin)))
		})
	})
	srv.Mount(tiles.Prefix, ts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String() + "/tiles/"

	// Tiles over Batam, Bali and West Java at risk zooms (res 5..6 cells).
	var risk []tilemath.Tile
	for z := uint32(6); z <= 9; z++ {
		risk = append(risk, tilemath.TileAt(z, 104.03, 1.12), tilemath.TileAt(z, 115.2, -8.6), tilemath.TileAt(z, 107.6, -6.9))
	}
	get := func(set string, tl tilemath.Tile) (int, int, error) {
		res, err := http.Get(fmt.Sprintf("%s%s/%s.mvt", base, set, tl))
		if err != nil {
			return 0, 0, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != 200 || set != "risk" {
			return res.StatusCode, 0, err
		}
		layers, err := mvt.Unmarshal(b)
		if err != nil {
			return res.StatusCode, 0, err
		}
		n := 0
		for _, l := range layers {
			n += len(l.Features)
		}
		return res.StatusCode, n, nil
	}
	want := map[tilemath.Tile]int{}
	for _, tl := range risk {
		code, n, err := get("risk", tl)
		if err != nil || code != 200 || n == 0 {
			t.Fatalf("risk %s before the compute: %d, %d cells, %v", tl, code, n, err)
		}
		want[tl] = n
	}

	var (
		stop             = make(chan struct{})
		wg               sync.WaitGroup
		requests, failed atomic.Int64
		mu               sync.Mutex
		problems         []string
	)
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tl := risk[i%len(risk)]
				set := []string{"risk", "kabupaten"}[i%2]
				code, n, err := get(set, tl)
				requests.Add(1)
				if err != nil || (code != 200 && code != 204) || (set == "risk" && n != want[tl]) {
					failed.Add(1)
					mu.Lock()
					if len(problems) < 5 {
						problems = append(problems, fmt.Sprintf("%s %s: HTTP %d, %d cells (want %d), %v", set, tl, code, n, want[tl], err))
					}
					mu.Unlock()
				}
			}
		}(c)
	}
	// An import (one indicator row from before the scenario's history, so the
	// model is unchanged; a new import id purges the tile cache) and a
	// compute, one after the other, under the load.
	im, err := importer.New(pool, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ind := filepath.Join(t.TempDir(), "indicators.csv")
	if err := os.WriteFile(ind, []byte("kabupaten_code,period,indicator,value\n53.01,2024-01,poverty_rate,19.8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep, err := im.File(ctx, "indicators", ind, false); err != nil || !rep.OK() {
		t.Fatalf("import during load: %v %+v", err, rep)
	}
	second, err := e.Compute(ctx, quick)
	if err != nil {
		t.Fatal(err)
	}
	// Let the tile server pick up the new run (it polls every 100 ms) under load.
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("%d tile requests during an import and compute (run %d), %d failed", requests.Load(), second.RunID, failed.Load())
	if failed.Load() > 0 {
		t.Errorf("%d of %d tile requests failed or saw a partial run: %v", failed.Load(), requests.Load(), problems)
	}
	if requests.Load() < 50 {
		t.Errorf("only %d requests during the compute: the test did not exercise the server", requests.Load())
	}
	for _, tl := range risk {
		if code, n, err := get("risk", tl); err != nil || code != 200 || n != want[tl] {
			t.Errorf("risk %s after the compute: %d, %d cells (want %d), %v", tl, code, n, want[tl], err)
		}
	}
}
