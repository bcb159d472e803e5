package main

import (
	"context"
	"strings"
	"time"

	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/tiles"
)

func (a *app) cmdServe(ctx context.Context, args []string) error {
	fs := a.flags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address host:port")
	cacheMB := fs.Int("cache-mb", 256, "tile cache budget in MiB")
	dbTimeout := fs.Duration("db-timeout", 5*time.Second, "per-request database time-out")
	dbConns := fs.Int("db-conns", 8, "database connections")
	cors := fs.String("cors", "", "comma-separated origins allowed to fetch tiles cross-origin (* for any)")
	publicURL := fs.String("public-url", "", "scheme://host[:port] written into TileJSON (default: from the request)")
	webDir := fs.String("web", "", "folder of the built map front end (default web/dist, made by `make web`)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the server to this file until it stops (load tests)")
	sec := a.addSecurityFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := sec.load(); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *cacheMB < 1 || *dbConns < 1 || *dbTimeout <= 0 {
		return usagef("--cache-mb, --db-conns and --db-timeout must be positive")
	}
	pool, err := a.openDB(ctx, int32(*dbConns))
	if err != nil {
		return err
	}
	defer pool.Close()
	// Everything below runs as the app role, which cannot rewrite the audit log.
	pool, err = a.appPool(ctx, pool, int32(*dbConns))
	if err != nil {
		return err
	}
	defer pool.Close()

	var origins []string
	for _, o := range strings.Split(*cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	ts, err := tiles.New(ctx, tiles.Config{
		CacheBytes: int64(*cacheMB) << 20, DBTimeout: *dbTimeout, CORSOrigins: origins, PublicURL: *publicURL,
	}, pool, a.log)
	if err != nil {
		return err
	}
	go ts.Run(ctx)

	srv := server.New(server.Config{Addr: *addr}, a.log)
	a.mountObserve(ctx, srv, pool, ts) // outermost: request ids, logs, metrics, health
	if err := a.mountSecurity(ctx, srv, pool, sec); err != nil {
		return err
	}
	srv.Mount(tiles.Prefix, ts)
	if err := a.mountWeb(srv, pool, *webDir, *dbTimeout); err != nil {
		return err
	}
	if err := a.mountWorkflow(srv, pool); err != nil {
		return err
	}
	return a.listen(ctx, srv, *addr, sec)
}
