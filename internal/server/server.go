// Package server assembles the HTTP server: one gorilla/mux router on which each
// feature package mounts its routes (tiles now; the API, the web app, health and
// metrics later), wrapped in middleware that other packages plug in (the
// authentication middleware puts the access.Principal into the request context).
//
// Usage:
//
//	srv := server.New(server.Config{Addr: "127.0.0.1:8080"}, log)
//	srv.Use(auth.Middleware)          // outermost first
//	srv.Mount(tiles.Prefix, tileServer)
//	srv.Router().HandleFunc("/api/x", h).Methods("GET")
//	err := srv.ListenAndServe(ctx)    // returns after a graceful shutdown
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"
)

// Config is the listener's configuration.
type Config struct {
	Addr            string        // host:port (default 127.0.0.1:8080)
	ShutdownTimeout time.Duration // grace for in-flight requests (default 10 s)
}

// Middleware wraps a handler (authentication, metrics, logging, rate limits).
type Middleware func(http.Handler) http.Handler

// Server is the assembled HTTP server.
type Server struct {
	cfg    Config
	log    *slog.Logger
	router *mux.Router
	mw     []Middleware
	mounts []mount
}

type mount struct {
	prefix string
	h      http.Handler
}

// New returns a server with an empty router.
func New(cfg Config, log *slog.Logger) *Server {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not found", http.StatusNotFound)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	})
	return &Server{cfg: cfg, log: log, router: r}
}

// Router is the shared router; packages register their routes on it.
func (s *Server) Router() *mux.Router { return s.router }

// Mount serves everything at and below prefix (e.g. "/tiles") with h; h sees
// the full path. Mounted prefixes are matched by a plain string test before the
// router: mux copies the request twice per match to attach route variables,
// which the tile hot path (tens of thousands of requests a second) does not need.
func (s *Server) Mount(prefix string, h http.Handler) {
	s.mounts = append(s.mounts, mount{prefix: strings.TrimSuffix(prefix, "/"), h: h})
}

// Use adds middleware around the whole router; the first added is the outermost.
// Middleware added after Handler or ListenAndServe has been called has no effect.
func (s *Server) Use(mw ...Middleware) { s.mw = append(s.mw, mw...) }

// Handler is the router wrapped in the middleware, for tests and custom listeners.
func (s *Server) Handler() http.Handler {
	mounts := slices.Clone(s.mounts)
	router := s.router
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		for _, m := range mounts {
			if rest, ok := strings.CutPrefix(p, m.prefix); ok && (rest == "" || rest[0] == '/') {
				m.h.ServeHTTP(w, r)
				return
			}
		}
		router.ServeHTTP(w, r)
	})
	for i := len(s.mw) - 1; i >= 0; i-- {
		h = s.mw[i](h)
	}
	return h
}

// ListenAndServe listens on cfg.Addr and serves until ctx ends, then shuts down
// gracefully, letting in-flight requests finish within ShutdownTimeout.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on an existing listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.log.Info("serving", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.log.Info("shutting down", "grace", s.cfg.ShutdownTimeout)
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
