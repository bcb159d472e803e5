package faults

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/observe"
	"github.com/waspada-id/waspada/internal/pgcluster"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/store"
	"github.com/waspada-id/waspada/internal/tiles"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ownCluster starts a cluster of the test's own: it is going to be stopped.
func ownCluster(t *testing.T, log *slog.Logger) *pgcluster.Cluster {
	t.Helper()
	if os.Getenv("WASPADA_TEST_PG") == "" && os.Getenv("CI") == "" {
		t.Skip("fault tests run under `make test` (they start their own PostgreSQL)")
	}
	dir, err := os.MkdirTemp("", "waspada-fault-")
	if err != nil {
		t.Fatal(err)
	}
	// The server runs as the postgres account when we are root: it must reach the folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := pgcluster.New(dir, freePort(t), log)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Stop(context.Background())
		os.RemoveAll(dir)
	})
	return c
}

// TestDatabaseRestartUnderLoad stops PostgreSQL while clients fetch tiles and
// readiness, then starts it again: only 503 (or cached tiles) while it is
// down, never 500, fast failures, and full recovery within 5 s.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := ownCluster(t, log)
	url, err := c.URL()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := store.Open(ctx, url, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool, log); err != nil {
		t.Fatal(err)
	}
	// A province and its kabupaten: enough for the boundary layers.
	if _, err := pool.Exec(ctx, `
		INSERT INTO provinsi (code, name, geom, label_point, area_km2)
		VALUES ('21', 'Kepulauan Riau', ST_Multi(ST_MakeEnvelope(103.5, 0.5, 105, 1.5, 4326)), ST_Point(104, 1, 4326), 1);
		INSERT INTO kabupaten (code, provinsi_code, name, geom, label_point, area_km2)
		VALUES ('21.71', '21', 'Kota Batam', ST_Multi(ST_MakeEnvelope(103.8, 0.9, 104.3, 1.2, 4326)), ST_Point(104, 1, 4326), 1);`); err != nil {
		t.Fatal(err)
	}

	obs := observe.New(log, pool)
	go obs.DB().Run(ctx, time.Second)
	ts, err := tiles.New(ctx, tiles.Config{DBTimeout: 2 * time.Second}, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	go ts.Run(ctx)
	srv := server.New(server.Config{}, log)
	srv.Use(obs.Middleware, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), access.Principal{Username: "t", Role: access.Admin})))
		})
	})
	srv.Router().HandleFunc("/readyz", obs.Readyz)
	srv.Mount(tiles.Prefix, ts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ctx, ln) //nolint:errcheck
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	// Tiles over Batam at zooms 8..12 (x,y computed from lon/lat), some revisited so the cache has them.
	var urls []string
	for z := 6; z <= 12; z++ {
		x, y := tileOf(104.0, 1.05, z)
		for dx := -1; dx <= 1; dx++ {
			urls = append(urls, fmt.Sprintf("%s/tiles/provinsi/%d/%d/%d.mvt", base, z, x+dx, y))
		}
	}
	get := func(u string) (int, time.Duration) {
		start := time.Now()
		resp, err := client.Get(u)
		if err != nil {
			return -1, time.Since(start)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	for _, u := range urls[:len(urls)/2] { // warm half of them
		if code, _ := get(u); code != 200 && code != 204 {
			t.Fatalf("warm-up %s: %d", u, code)
		}
	}

	type sample struct {
		phase string
		code  int
		took  time.Duration
	}
	var mu sync.Mutex
	var samples []sample
	var phase atomic.Value
	phase.Store("up")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				u := urls[i%len(urls)]
				if i%5 == 0 {
					u = base + "/readyz"
				}
				ph := phase.Load().(string)
				code, took := get(u)
				mu.Lock()
				samples = append(samples, sample{ph, code, took})
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}(w)
	}
	time.Sleep(1 * time.Second)
	phase.Store("stopping") // requests in flight while PostgreSQL shuts down
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	phase.Store("down")
	time.Sleep(3 * time.Second)
	phase.Store("restarting")
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	// Recovery: an uncached tile and readiness both answer 200 again.
	var recovered time.Duration
	for i := 0; ; i++ {
		x, y := tileOf(104.0, 1.05, 13)
		code, _ := get(fmt.Sprintf("%s/tiles/provinsi/13/%d/%d.mvt", base, x+i%50, y))
		ready, _ := get(base + "/readyz")
		if (code == 200 || code == 204) && ready == 200 {
			recovered = time.Since(back)
			break
		}
		if time.Since(back) > 10*time.Second {
			t.Fatalf("not recovered 10 s after the database came back (tile %d, readyz %d)", code, ready)
		}
		time.Sleep(50 * time.Millisecond)
	}
	phase.Store("recovered")
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	counts := map[string]map[int]int{}
	var downTook []time.Duration
	for _, s := range samples {
		if counts[s.phase] == nil {
			counts[s.phase] = map[int]int{}
		}
		counts[s.phase][s.code]++
		if s.phase == "down" {
			downTook = append(downTook, s.took)
		}
	}
	t.Logf("status codes by phase: %v; recovered %s after restart", counts, recovered.Round(time.Millisecond))
	for ph, m := range counts {
		for code, n := range m {
			ok := code == 200 || code == 204 || code == 304 || (code == 503 && ph != "up" && ph != "recovered")
			if !ok {
				t.Errorf("phase %s: %d responses with status %d", ph, n, code)
			}
		}
	}
	if counts["down"][503] == 0 {
		t.Error("no 503 while the database was down: the test did not exercise the outage")
	}
	if recovered > 5*time.Second {
		t.Errorf("recovery took %s, want within 5 s", recovered)
	}
	sort.Slice(downTook, func(i, j int) bool { return downTook[i] < downTook[j] })
	if len(downTook) > 0 {
		p99 := downTook[len(downTook)*99/100]
		t.Logf("latency while down: p50 %s p99 %s", downTook[len(downTook)/2], p99)
		if p99 > 2500*time.Millisecond {
			t.Errorf("p99 latency while down %s: requests must fail fast", p99)
		}
	}
}

// tileOf is the slippy-map tile containing lon/lat at zoom z.
func tileOf(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	latR := lat * math.Pi / 180
	x := int((lon + 180) / 360 * n)
	y := int((1 - math.Log(math.Tan(latR)+1/math.Cos(latR))/math.Pi) / 2 * n)
	return x, y
}
