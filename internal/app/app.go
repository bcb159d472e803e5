// Package app assembles the whole HTTP server from one Config: observability,
// the host allow-list, authentication and rate limits, the audit log, tiles,
// the JSON API, the decision tools, label glyphs and the front end. `waspada
// serve` and every test that needs a server build it here, so that what is
// tested is what runs, and every route carries its access.Policy in one table
// (internal/routes) that the access-matrix test walks.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/api"
	"github.com/waspada-id/waspada/internal/audit"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/glyphs"
	"github.com/waspada-id/waspada/internal/observe"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/tiles"
	"github.com/waspada-id/waspada/internal/webui"
	"github.com/waspada-id/waspada/internal/workflow"
)

// Config is everything the server is built from.
type Config struct {
	// Pool connects as the app role (auth.AppDatabaseURL), which cannot
	// rewrite the audit log.
	Pool *pgxpool.Pool
	Log  *slog.Logger
	Addr string // listen address, for server.Config

	Tiles tiles.Config
	// APITimeout bounds each JSON API request (default 5 s); WorkflowTimeout
	// each decision-tool request (a province-wide site plan, a PDF; default 90 s).
	APITimeout      time.Duration
	WorkflowTimeout time.Duration

	// Auth is auth.DefaultConfig() with the caller's changes (cookies, limits).
	Auth auth.Config
	// AllowedHosts, when set, are the only Host header values served
	// (host or host:port); other requests get 421. Empty: any host.
	AllowedHosts []string
	// WebDir is the built front end (webui.FindDir's argument; "" = web/dist).
	WebDir string
	// Now is the decision tools' clock (tests fix it); nil means time.Now.
	Now func() time.Time
}

// App is the assembled server and the parts tests and metrics look into.
type App struct {
	Server   *server.Server
	Routes   *routes.Table
	Tiles    *tiles.Server
	Auth     *auth.Service
	Audit    *audit.Log
	Observer *observe.Observer
}

// New builds the server. Background work (tile cache purge on a new run,
// session clean-up, the database watchdog) runs until ctx ends.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Pool == nil || cfg.Log == nil {
		return nil, errors.New("app: Config.Pool and Config.Log are required")
	}
	if cfg.WorkflowTimeout <= 0 {
		cfg.WorkflowTimeout = 90 * time.Second
	}
	if cfg.APITimeout <= 0 {
		cfg.APITimeout = 5 * time.Second
	}
	log := cfg.Log
	ts, err := tiles.New(ctx, cfg.Tiles, cfg.Pool, log)
	if err != nil {
		return nil, err
	}
	go ts.Run(ctx)

	srv := server.New(server.Config{Addr: cfg.Addr}, log)
	t := routes.New(srv.Router())
	a := &App{Server: srv, Routes: t, Tiles: ts}

	// Outermost: request ids, logs, metrics; then the host allow-list.
	a.Observer = observe.New(log, cfg.Pool)
	go a.Observer.DB().Run(ctx, 2*time.Second)
	a.Observer.Registry().MustRegister(tileCacheMetrics(ts)...)
	a.Observer.Registry().MustRegister(riskRunMetrics(cfg.Pool)...)
	srv.Use(a.Observer.Middleware, cleanQuery)
	if len(cfg.AllowedHosts) > 0 {
		srv.Use(allowHosts(cfg.AllowedHosts))
	}
	t.HandleFunc("/healthz", access.PublicRoute(), observe.Healthz, http.MethodGet, http.MethodHead)
	t.HandleFunc("/readyz", access.PublicRoute(), a.Observer.Readyz, http.MethodGet, http.MethodHead)
	t.Handle("/metrics", access.AdminOnly(), a.Observer.MetricsHandler(), http.MethodGet)

	st, err := auth.NewStore(cfg.Pool)
	if err != nil {
		return nil, err
	}
	acfg := cfg.Auth
	// drawn operation polygons and uploaded GeoJSON may be up to 2 MiB (internal/workflow)
	acfg.UploadPrefixes, acfg.UploadBody = []string{workflow.Prefix + "/"}, 2<<20
	svc, err := auth.NewService(st, acfg, log)
	if err != nil {
		return nil, err
	}
	go svc.Run(ctx)
	a.Auth = svc
	lg, err := audit.New(cfg.Pool)
	if err != nil {
		return nil, err
	}
	a.Audit = lg
	srv.Use(svc.Middleware)
	srv.Use(lg.Middleware, lg.TileMiddleware(tiles.Prefix, PersonalTileLayers(tiles.Catalogue())))
	svc.Register(t)
	lg.Register(t)

	// Tiles: every signed-in role; personal layers are answered only to
	// principals with personal-data rights inside their scope (and audited).
	t.Mount(tiles.Prefix, access.Policy{Personal: true}, ts)
	if err := api.Register(t, api.Deps{Pool: cfg.Pool, Log: log, Timeout: cfg.APITimeout}); err != nil {
		return nil, err
	}
	if err := workflow.Register(t, workflow.Deps{DB: cfg.Pool, Log: log, Timeout: cfg.WorkflowTimeout, Now: cfg.Now}); err != nil {
		return nil, err
	}
	gs, err := glyphs.New(glyphs.DefaultFonts())
	if err != nil {
		return nil, err
	}
	t.Mount(glyphs.Prefix, access.SignedIn(), gs)
	dir, err := webui.FindDir(cfg.WebDir)
	if err != nil {
		// Still serve tiles and the API; the page itself says how to build the map.
		log.Warn("front end not built", "err", err)
	} else {
		log.Info("serving the map front end", "dir", dir)
	}
	webui.New(dir).Register(t)
	t.Mounts(srv.Mount)
	return a, nil
}

// Handler is the whole server as one handler (tests wrap it in httptest).
func (a *App) Handler() http.Handler { return a.Server.Handler() }

// Serve serves on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error { return a.Server.Serve(ctx, ln) }

// PersonalTileLayers reads the tile catalogue: which layers of a tileset carry
// personal data at a zoom, for the audit of personal tiles. For a principal
// with personal-data rights the per-cell count layers are personal at every
// zoom too: they are not suppressed for them, so a cell can hold one person.
func PersonalTileLayers(cat []tiles.Tileset) audit.PersonalLayers {
	return func(tileset string, z uint32, p access.Principal) []string {
		if !p.MayUsePersonalAnywhere() {
			return nil
		}
		for _, ts := range cat {
			if ts.Name != tileset {
				continue
			}
			var out []string
			for _, l := range ts.Layers {
				if (l.Personal || l.Cells != nil) && z >= l.MinZoom && z <= l.MaxZoom {
					out = append(out, l.Name)
				}
			}
			return out
		}
		return nil
	}
}

// allowHosts answers 421 to requests for a Host not in the list, so that a
// DNS-rebinding page or a mis-routed proxy cannot use the server under
// another name. Health checks are exempt (probes use addresses).
func allowHosts(hosts []string) server.Middleware {
	allowed := make([]string, 0, len(hosts))
	for _, h := range hosts {
		allowed = append(allowed, strings.ToLower(strings.TrimSpace(h)))
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host := strings.ToLower(r.Host)
			name := host
			if h, _, err := net.SplitHostPort(host); err == nil {
				name = h
			}
			if slices.Contains(allowed, host) || slices.Contains(allowed, name) || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
				next.ServeHTTP(w, r)
				return
			}
			http.Error(w, fmt.Sprintf("this server does not answer for host %q", r.Host), http.StatusMisdirectedRequest)
		})
	}
}

// cleanQuery refuses, for every route at once, a query string that is not
// text: invalid UTF-8, NUL or other control characters in a name or value
// (PostgreSQL cannot store NUL, and no parameter of ours needs either).
func cleanQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" { // tiles: nothing to check on the hot path
			next.ServeHTTP(w, r)
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			http.Error(w, "the query string is not valid: "+err.Error(), http.StatusBadRequest)
			return
		}
		for k, vs := range q {
			for _, v := range append(vs, k) {
				if !plainText(v) {
					http.Error(w, fmt.Sprintf("query parameter %q holds a control character or is not UTF-8 text", k), http.StatusBadRequest)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// plainText reports whether s is UTF-8 without control characters.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// tileCacheMetrics exports the tile cache's counters, read at scrape time.
func tileCacheMetrics(ts *tiles.Server) []prometheus.Collector {
	counter := func(name, help string, f func(tiles.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "waspada_tile_" + name, Help: help},
			func() float64 { return float64(f(ts.Stats())) })
	}
	gauge := func(name, help string, f func(tiles.Stats) int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "waspada_tile_" + name, Help: help},
			func() float64 { return float64(f(ts.Stats())) })
	}
	return []prometheus.Collector{
		counter("cache_hits_total", "Tiles served from the in-process cache.", func(s tiles.Stats) int64 { return s.Hits }),
		counter("cache_misses_total", "Tiles not in the cache.", func(s tiles.Stats) int64 { return s.Misses }),
		counter("rendered_total", "Tiles rendered by PostGIS.", func(s tiles.Stats) int64 { return s.Rendered }),
		gauge("cache_bytes", "Bytes held by the tile cache.", func(s tiles.Stats) int64 { return s.CacheBytes }),
		gauge("cache_entries", "Tiles held by the tile cache.", func(s tiles.Stats) int64 { return int64(s.CacheEntries) }),
	}
}

// riskRunMetrics reports the newest complete risk run: how long it took and how
// old it is (a stale surface is an operational problem worth an alert).
func riskRunMetrics(pool *pgxpool.Pool) []prometheus.Collector {
	read := func(expr string) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			var v *float64
			// expr is one of the two constants below, never input.
			if err := pool.QueryRow(ctx, "SELECT "+expr+" FROM risk_latest").Scan(&v); err != nil || v == nil {
				return -1
			}
			return *v
		}
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "waspada_risk_last_run_duration_seconds",
			Help: "Duration of the newest complete risk run (-1: none)."}, read("extract(epoch FROM finished_at - started_at)::float8")),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "waspada_risk_last_run_age_seconds",
			Help: "Age of the newest complete risk run (-1: none)."}, read("extract(epoch FROM now() - finished_at)::float8")),
	}
}
