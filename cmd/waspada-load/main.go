// Command waspada-load is a bounded HTTP load generator for the tile server: N
// connections, a fixed duration (or one pass over the list), a realistic tile
// list (zooms 4–12 around every kabupaten centroid of the reference data), and
// a report of requests/s, latency percentiles (overall, per zoom and per
// request class), errors and the cache hit ratio read from the server's X-Cache
// header. `make loadtest` feeds it a mixed list of tile and API URLs.
//
//	waspada-load --base http://127.0.0.1:8080 --tilesets risk --once      # cold pass
//	waspada-load --base http://127.0.0.1:8080 --tilesets risk -d 20s      # warm pass
//	waspada-load seed-risk --res 7   # SYNTHETIC national risk run, benchmark data only
//
// It asks for gzip and does not decompress (as a browser's network layer
// would hand bytes to MapLibre), so client CPU goes to requests, not inflate.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/refdata"
)

type headerFlags []string

func (h *headerFlags) String() string     { return strings.Join(*h, "; ") }
func (h *headerFlags) Set(v string) error { *h = append(*h, v); return nil }

type options struct {
	base       string
	tilesets   []string
	zmin, zmax uint32
	around     int
	maxTiles   int
	conns      int
	duration   time.Duration
	once       bool
	seed       uint64
	headers    headerFlags
	listOut    string
	listIn     string
	listOnly   bool
	dataDir    string
	timeout    time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	runner := run
	if len(args) > 0 && args[0] == "seed-risk" {
		runner, args = seedRisk, args[1:]
	}
	if err := runner(ctx, args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "waspada-load:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("waspada-load", flag.ContinueOnError)
	fs.StringVar(&o.base, "base", "http://127.0.0.1:8080", "server base URL")
	sets := fs.String("tilesets", "risk", "comma-separated tilesets to request")
	zmin := fs.Uint("zmin", 4, "lowest zoom")
	zmax := fs.Uint("zmax", 12, "highest zoom")
	fs.IntVar(&o.around, "around", 1, "from zoom 8 on, also request the tiles within this many tiles of each centroid's tile")
	fs.IntVar(&o.maxTiles, "max-tiles", 0, "keep a random sample of at most this many URLs (0: all)")
	fs.IntVar(&o.conns, "c", 64, "concurrent connections")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "duration (ignored with --once)")
	fs.BoolVar(&o.once, "once", false, "request every URL exactly once (a cold-cache pass)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for sampling and order")
	fs.Var(&o.headers, "H", "extra request header 'Name: value' (repeatable), e.g. for an API token")
	fs.StringVar(&o.listOut, "write-list", "", "also write the URL paths to this file (for wrk)")
	fs.BoolVar(&o.listOnly, "list-only", false, "write the URL list (--write-list) and exit without load")
	fs.StringVar(&o.listIn, "list", "", "read URL paths from this file instead of generating them")
	fs.StringVar(&o.dataDir, "data", "", "reference data folder (default $WASPADA_DATA, else ../shared/data)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "per-request time-out")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.conns < 1 || o.conns > 4096 || *zmin > *zmax || *zmax > tilemath.MaxZoom || (!o.once && o.duration <= 0) {
		return fmt.Errorf("bad flags: need 1 <= -c <= 4096, zmin <= zmax <= %d, -d > 0", tilemath.MaxZoom)
	}
	o.zmin, o.zmax = uint32(*zmin), uint32(*zmax)
	for _, s := range strings.Split(*sets, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.tilesets = append(o.tilesets, s)
		}
	}
	o.base = strings.TrimRight(o.base, "/")
	hdr := http.Header{"Accept-Encoding": {"gzip"}}
	for _, h := range o.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("-H %q: want 'Name: value'", h)
		}
		hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	client := &http.Client{
		Timeout: o.timeout,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        o.conns,
			MaxIdleConnsPerHost: o.conns,
			MaxConnsPerHost:     o.conns,
			DisableCompression:  true, // we send Accept-Encoding ourselves and keep the bytes compressed
			IdleConnTimeout:     90 * time.Second,
		},
	}

	var paths []string
	var err error
	if o.listIn != "" {
		paths, err = readList(o.listIn)
	} else {
		paths, err = buildList(ctx, client, hdr, o)
	}
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return errors.New("no tile URLs to request")
	}
	if o.listOut != "" {
		if err := os.WriteFile(o.listOut, []byte(strings.Join(paths, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	if o.listOnly {
		if o.listOut == "" {
			return errors.New("--list-only needs --write-list FILE")
		}
		fmt.Fprintf(out, "wrote %d URLs to %s\n", len(paths), o.listOut)
		return nil
	}
	mode := fmt.Sprintf("%s for %s", "loop", o.duration)
	if o.once {
		mode = "once over the list"
	}
	fmt.Fprintf(out, "load: %d URLs (%s, z%d-%d), %d connections, %s\n", len(paths), strings.Join(o.tilesets, ","), o.zmin, o.zmax, o.conns, mode)
	res := load(ctx, client, hdr, o.base, paths, o)
	res.print(out)
	if res.errors > 0 {
		return fmt.Errorf("%d errors", res.errors)
	}
	return nil
}

func readList(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

type zoomRange struct{ min, max uint32 }

// catalogue reads each tileset's zoom range from the server's /tiles.
func catalogue(ctx context.Context, client *http.Client, hdr http.Header, base string) (map[string]zoomRange, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/tiles", nil)
	if err != nil {
		return nil, err
	}
	req.Header = hdr.Clone()
	req.Header.Del("Accept-Encoding")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read catalogue: %s (signed in? pass -H for a token)", resp.Status)
	}
	var cat struct {
		Tilesets []struct {
			Name             string
			MinZoom, MaxZoom uint32
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&cat); err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	out := map[string]zoomRange{}
	for _, t := range cat.Tilesets {
		out[t.Name] = zoomRange{t.MinZoom, t.MaxZoom}
	}
	return out, nil
}

// buildList makes the URL list: every kabupaten centroid's tile at each zoom,
// with its neighbours from zoom 8 on (a map viewport is several tiles wide).
func buildList(ctx context.Context, client *http.Client, hdr http.Header, o options) ([]string, error) {
	zr, err := catalogue(ctx, client, hdr, o.base)
	if err != nil {
		return nil, err
	}
	areas, err := refdata.Areas(refdata.Dir(o.dataDir), "boundaries/kabupaten.geojson.gz")
	if err != nil {
		return nil, err
	}
	var centres [][2]float64
	for _, a := range areas {
		c := a.Centroid
		if c == [2]float64{} && a.Geometry != nil {
			c = a.Geometry.Bound().Center()
		}
		centres = append(centres, [2]float64{c[0], c[1]})
	}
	var paths []string
	for _, set := range o.tilesets {
		r, ok := zr[set]
		if !ok {
			return nil, fmt.Errorf("tileset %q is not in the server's catalogue", set)
		}
		for _, t := range tileList(centres, max(o.zmin, r.min), min(o.zmax, r.max), o.around) {
			paths = append(paths, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", set, t.Z, t.X, t.Y))
		}
	}
	rng := rand.New(rand.NewPCG(o.seed, 0x5741535041444121))
	rng.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	if o.maxTiles > 0 && len(paths) > o.maxTiles {
		paths = paths[:o.maxTiles]
	}
	return paths, nil
}

// tileList is the distinct tiles around the given lon/lat centres, sorted.
func tileList(centres [][2]float64, zmin, zmax uint32, around int) []tilemath.Tile {
	seen := map[tilemath.Tile]bool{}
	for z := zmin; z <= zmax && zmin <= zmax; z++ {
		r := 0
		if z >= 8 {
			r = around
		}
		n := int64(1) << z
		for _, c := range centres {
			t := tilemath.TileAt(z, c[0], c[1])
			for dx := -r; dx <= r; dx++ {
				for dy := -r; dy <= r; dy++ {
					x, y := int64(t.X)+int64(dx), int64(t.Y)+int64(dy)
					if x < 0 || y < 0 || x >= n || y >= n {
						continue
					}
					seen[tilemath.Tile{Z: z, X: uint32(x), Y: uint32(y)}] = true
				}
			}
		}
	}
	out := make([]tilemath.Tile, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b tilemath.Tile) int {
		if a.Z != b.Z {
			return int(a.Z) - int(b.Z)
		}
		if a.X != b.X {
			return int(a.X) - int(b.X)
		}
		return int(a.Y) - int(b.Y)
	})
	return out
}

type result struct {
	elapsed   time.Duration
	latencies []time.Duration
	byZoom    map[int][]time.Duration
	byClass   map[string][]time.Duration // tiles/{set} or api/{endpoint}
	status    map[int]int
	errors    int
	firstErr  string
	hits      int
	misses    int
	bytes     int64
}

func load(ctx context.Context, client *http.Client, hdr http.Header, base string, paths []string, o options) *result {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !o.once {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeout(ctx, o.duration)
		defer c2()
	}
	var next atomic.Int64
	type workerResult struct {
		lat                  []time.Duration
		byZoom               map[int][]time.Duration
		byClass              map[string][]time.Duration
		status               map[int]int
		errors, hits, misses int
		bytes                int64
		firstErr             string
	}
	results := make([]workerResult, o.conns)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < o.conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			wr := &results[w]
			wr.status = map[int]int{}
			wr.byZoom = map[int][]time.Duration{}
			wr.byClass = map[string][]time.Duration{}
			// In a timed run each worker starts at its own offset so that the
			// connections do not walk the list in lock-step.
			i := w * len(paths) / o.conns
			for ctx.Err() == nil {
				var p string
				if o.once {
					k := next.Add(1) - 1
					if k >= int64(len(paths)) {
						return
					}
					p = paths[k]
				} else {
					p = paths[i%len(paths)]
					i++
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
				if err != nil {
					wr.errors++
					continue
				}
				req.Header = hdr
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() != nil {
						return // the run ended mid-request; not an error of the server
					}
					wr.errors++
					if wr.firstErr == "" {
						wr.firstErr = err.Error()
					}
					continue
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				if err != nil && ctx.Err() != nil {
					return
				}
				wr.lat = append(wr.lat, d)
				if z, ok := zoomOf(p); ok {
					wr.byZoom[z] = append(wr.byZoom[z], d)
				}
				c := classOf(p)
				wr.byClass[c] = append(wr.byClass[c], d)
				wr.bytes += n
				wr.status[resp.StatusCode]++
				switch resp.Header.Get("X-Cache") {
				case "hit":
					wr.hits++
				case "miss":
					wr.misses++
				}
				if resp.StatusCode >= 400 {
					wr.errors++
					if wr.firstErr == "" {
						wr.firstErr = resp.Status + " " + p
					}
				}
			}
		}(w)
	}
	wg.Wait()
	res := &result{elapsed: time.Since(start), status: map[int]int{}, byZoom: map[int][]time.Duration{}, byClass: map[string][]time.Duration{}}
	for _, wr := range results {
		res.latencies = append(res.latencies, wr.lat...)
		for z, l := range wr.byZoom {
			res.byZoom[z] = append(res.byZoom[z], l...)
		}
		for c, l := range wr.byClass {
			res.byClass[c] = append(res.byClass[c], l...)
		}
		for k, v := range wr.status {
			res.status[k] += v
		}
		res.errors += wr.errors
		res.hits += wr.hits
		res.misses += wr.misses
		res.bytes += wr.bytes
		if res.firstErr == "" {
			res.firstErr = wr.firstErr
		}
	}
	return res
}

// classOf names the kind of request for the per-class report:
// "tiles/{set}" for /tiles/{set}/..., "api/{endpoint}" for /api/{endpoint}/...,
// else the first path segment.
func classOf(path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(parts) >= 2 && (parts[0] == "tiles" || parts[0] == "api"):
		return parts[0] + "/" + strings.TrimSuffix(parts[1], ".json")
	case parts[0] == "":
		return "/"
	}
	return parts[0]
}

// zoomOf reads z from /tiles/{set}/{z}/{x}/{y}.mvt.
func zoomOf(path string) (int, bool) {
	parts := strings.Split(path, "/")
	if len(parts) != 6 {
		return 0, false
	}
	z := 0
	for _, c := range parts[3] {
		if c < '0' || c > '9' {
			return 0, false
		}
		z = z*10 + int(c-'0')
	}
	return z, true
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}

func (r *result) print(w io.Writer) {
	slices.Sort(r.latencies)
	n := len(r.latencies)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "  requests   %d in %.2fs: %.0f requests/s, %.1f MB/s\n", n, r.elapsed.Seconds(),
		float64(n)/r.elapsed.Seconds(), float64(r.bytes)/1e6/r.elapsed.Seconds())
	fmt.Fprintf(w, "  latency    p50 %s  p95 %s  p99 %s  max %s\n",
		ms(percentile(r.latencies, 50)), ms(percentile(r.latencies, 95)), ms(percentile(r.latencies, 99)), ms(percentile(r.latencies, 100)))
	codes := make([]int, 0, len(r.status))
	for c := range r.status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", c, r.status[c]))
	}
	fmt.Fprintf(w, "  status     %s\n", strings.Join(parts, " "))
	ratio := 0.0
	if r.hits+r.misses > 0 {
		ratio = float64(r.hits) / float64(r.hits+r.misses)
	}
	fmt.Fprintf(w, "  cache      %d hits, %d misses: hit ratio %.1f%%\n", r.hits, r.misses, 100*ratio)
	zooms := make([]int, 0, len(r.byZoom))
	for z := range r.byZoom {
		zooms = append(zooms, z)
	}
	slices.Sort(zooms)
	for _, z := range zooms {
		l := r.byZoom[z]
		slices.Sort(l)
		fmt.Fprintf(w, "  z%-2d        %6d tiles  p50 %s  p95 %s  p99 %s\n", z, len(l),
			ms(percentile(l, 50)), ms(percentile(l, 95)), ms(percentile(l, 99)))
	}
	if len(r.byClass) > 1 {
		classes := make([]string, 0, len(r.byClass))
		for c := range r.byClass {
			classes = append(classes, c)
		}
		slices.Sort(classes)
		for _, c := range classes {
			l := r.byClass[c]
			slices.Sort(l)
			fmt.Fprintf(w, "  %-18s %7d (%4.1f%%)  %7.0f/s  p50 %s  p95 %s  p99 %s\n", c, len(l), 100*float64(len(l))/float64(max(n, 1)),
				float64(len(l))/r.elapsed.Seconds(), ms(percentile(l, 50)), ms(percentile(l, 95)), ms(percentile(l, 99)))
		}
	}
	fmt.Fprintf(w, "  errors     %d", r.errors)
	if r.firstErr != "" {
		fmt.Fprintf(w, " (first: %s)", r.firstErr)
	}
	fmt.Fprintln(w)
}
