// Package observe makes the service observable and keeps it honest under
// faults: request ids and structured request logs, Prometheus metrics, the
// /healthz and /readyz endpoints, and a database watchdog that lets handlers
// fail fast with 503 while PostgreSQL is down and recover by themselves when
// it is back.
package observe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Observer holds the metrics registry and the database watchdog. One per server.
type Observer struct {
	log      *slog.Logger
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	inflight prometheus.Gauge
	db       *Watchdog
}

// New registers the standard metrics. pool may be nil (no database metrics).
func New(log *slog.Logger, pool *pgxpool.Pool) *Observer {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	o := &Observer{
		log: log,
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "waspada_http_request_duration_seconds",
			Help:    "HTTP request latency by route family, tile layer and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "layer", "code"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "waspada_http_in_flight_requests", Help: "Requests being served."}),
	}
	reg.MustRegister(o.requests, o.inflight)
	if pool != nil {
		o.db = NewWatchdog(pool, log)
		reg.MustRegister(newPoolCollector(pool), o.db.gauge())
	}
	return o
}

// Registry lets feature packages register their own collectors (tile cache, risk runs).
func (o *Observer) Registry() *prometheus.Registry { return o.reg }

// DB is the database watchdog (nil when the observer has no pool).
func (o *Observer) DB() *Watchdog { return o.db }

// MetricsHandler serves /metrics.
func (o *Observer) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{Registry: o.reg})
}

// Healthz answers whether the process is alive (it does not look at the database).
func Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// Readyz answers whether the service can do its work: the database answers.
func (o *Observer) Readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if o.db == nil {
		_, _ = w.Write([]byte("ready\n"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := o.db.Check(ctx); err != nil {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready: database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

type ctxKey struct{}

// RequestID returns the request's id (empty outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// validID accepts a caller's X-Request-Id only when it is short and plain, so
// it cannot inject into logs.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter records the status code and size.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Middleware adds a request id, observes latency per route family and layer,
// and logs each request. Successful tile requests are logged at debug level:
// at tens of thousands per second an info line each would be the bottleneck.
func (o *Observer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validID(id) {
			id = newID()
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		sw := &statusWriter{ResponseWriter: w}
		o.inflight.Inc()
		defer o.inflight.Dec()
		next.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		el := time.Since(start)
		route, layer := RouteOf(r.URL.Path)
		o.requests.WithLabelValues(route, layer, strconv.Itoa(sw.code)).Observe(el.Seconds())
		level := slog.LevelInfo
		switch {
		case sw.code >= 500:
			level = slog.LevelError
		case route == "tiles" && sw.code < 400:
			level = slog.LevelDebug
		}
		o.log.LogAttrs(r.Context(), level, "request", slog.String("id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.code), slog.Int("bytes", sw.bytes),
			slog.Duration("elapsed", el), slog.String("remote", remoteIP(r)))
	})
}

// RouteOf maps a path to a bounded route family and tile layer for metric
// labels (raw paths would make one time series per tile).
func RouteOf(path string) (route, layer string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case parts[0] == "tiles" && len(parts) >= 2:
		layer = strings.TrimSuffix(parts[1], ".json")
		if len(layer) > 32 || !validID(layer) || strings.Contains(layer, ".") {
			layer = "invalid"
		}
		return "tiles", layer
	case parts[0] == "tiles":
		return "tiles", ""
	case parts[0] == "api" && len(parts) >= 2:
		r := "api/" + parts[1]
		if len(parts[1]) > 32 || !validID(parts[1]) || strings.Contains(parts[1], ".") {
			r = "api/invalid"
		}
		return r, ""
	case parts[0] == "healthz" || parts[0] == "readyz" || parts[0] == "metrics" || parts[0] == "login" || parts[0] == "logout":
		return parts[0], ""
	case parts[0] == "" || strings.Contains(parts[len(parts)-1], "."):
		return "static", ""
	}
	return "other", ""
}

func remoteIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// Unavailable reports whether err means "the database cannot be reached or is
// shutting down" (answer 503 and retry) rather than a bug (500).
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53300 too many connections
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300"
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	return pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "unexpected EOF")
}

// Watchdog tracks whether the database answers. While it does not, handlers
// can refuse at once (503) instead of each waiting for a connect time-out; a
// background probe notices recovery within its interval.
type Watchdog struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	down atomic.Bool
}

// NewWatchdog makes a watchdog on pool; call Run to start probing.
func NewWatchdog(pool *pgxpool.Pool, log *slog.Logger) *Watchdog {
	return &Watchdog{pool: pool, log: log}
}

// Down reports whether the last probe or check found the database unreachable.
func (d *Watchdog) Down() bool { return d != nil && d.down.Load() }

// Check pings the database and records the result.
func (d *Watchdog) Check(ctx context.Context) error {
	err := d.pool.Ping(ctx)
	d.set(err == nil, err)
	return err
}

// Report lets a handler say what it saw: a database error that means
// "unavailable" marks the database down until the next successful probe.
func (d *Watchdog) Report(err error) {
	if d != nil && Unavailable(err) {
		d.set(false, err)
	}
}

func (d *Watchdog) set(up bool, err error) {
	was := !d.down.Swap(!up)
	switch {
	case was && !up:
		d.log.Warn("database unavailable: answering 503 until it is back", "err", err)
	case !was && up:
		d.log.Info("database is back")
	}
}

// Run probes every interval until ctx ends; faster while down, so that
// recovery is noticed within half a second.
func (d *Watchdog) Run(ctx context.Context, interval time.Duration) {
	for {
		wait := interval
		if d.Down() {
			wait = 250 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		_ = d.Check(pctx)
		cancel()
	}
}

// Guard answers 503 at once while the database is down, for handlers that
// cannot work without it. Handlers that can serve from a cache (tiles) are not
// wrapped: they consult Down themselves.
func (d *Watchdog) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.Down() {
			Unavailable503(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Unavailable503 writes the standard "database unavailable" answer.
func Unavailable503(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "the database is unavailable; try again shortly", http.StatusServiceUnavailable)
}

func (d *Watchdog) gauge() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "waspada_database_up", Help: "1 when the database answered the last probe."},
		func() float64 {
			if d.Down() {
				return 0
			}
			return 1
		})
}

// poolCollector exports pgxpool statistics at scrape time.
type poolCollector struct {
	pool                                         *pgxpool.Pool
	total, idle, acquired, acquires, waitSeconds *prometheus.Desc
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("waspada_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{pool: pool,
		total:       d("connections", "Open connections."),
		idle:        d("idle_connections", "Idle connections."),
		acquired:    d("acquired_connections", "Connections in use."),
		acquires:    d("acquires_total", "Connections acquired."),
		waitSeconds: d("acquire_wait_seconds_total", "Time spent waiting for a connection."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.total
	ch <- c.idle
	ch <- c.acquired
	ch <- c.acquires
	ch <- c.waitSeconds
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.acquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.waitSeconds, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
