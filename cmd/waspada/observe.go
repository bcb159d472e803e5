package main

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/observe"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/tiles"
)

// mountObserve adds request ids, request logs and latency metrics around
// everything (it must be the outermost middleware), /healthz and /readyz
// (public), /metrics (admins and API tokens of admins), and starts the
// database watchdog.
func (a *app) mountObserve(ctx context.Context, srv *server.Server, pool *pgxpool.Pool, ts *tiles.Server) *observe.Observer {
	obs := observe.New(a.log, pool)
	go obs.DB().Run(ctx, 2*time.Second)
	obs.Registry().MustRegister(tileCacheMetrics(ts)...)
	obs.Registry().MustRegister(riskRunMetrics(pool)...)
	srv.Use(obs.Middleware)
	r := srv.Router()
	r.HandleFunc("/healthz", observe.Healthz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", obs.Readyz).Methods(http.MethodGet, http.MethodHead)
	metrics := obs.MetricsHandler()
	r.Handle("/metrics", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p, ok := access.FromContext(req.Context())
		if !ok {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if p.Role != access.Admin {
			http.Error(w, "metrics are for administrators", http.StatusForbidden)
			return
		}
		metrics.ServeHTTP(w, req)
	})).Methods(http.MethodGet)
	return obs
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
