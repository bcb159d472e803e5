package main

import (
	"context"
	"strings"
	"time"

	httpapp "github.com/waspada-id/waspada/internal/app"
	"github.com/waspada-id/waspada/internal/auth"
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
	allowedHosts := fs.String("allowed-hosts", "", "comma-separated Host names (host or host:port) the server answers for; others get 421 (default: any)")
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

	acfg := auth.DefaultConfig()
	acfg.SecureCookies = *sec.secureCookies || sec.tls != nil
	if *sec.noRateLimit {
		acfg.Unlimited()
	}
	srv, err := httpapp.New(ctx, httpapp.Config{
		Pool: pool, Log: a.log, Addr: *addr,
		Tiles:      tiles.Config{CacheBytes: int64(*cacheMB) << 20, DBTimeout: *dbTimeout, CORSOrigins: splitList(*cors), PublicURL: *publicURL},
		APITimeout: *dbTimeout, Auth: acfg, AllowedHosts: splitList(*allowedHosts), WebDir: *webDir,
	})
	if err != nil {
		return err
	}
	return a.listen(ctx, srv, *addr, sec)
}

func splitList(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}
