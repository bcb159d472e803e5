package main

import (
	"context"
	"fmt"

	"github.com/waspada-id/waspada/internal/store"
)

func (a *app) cmdDB(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return usagef("usage: waspada db start|stop|status|url")
	}
	c, err := store.ClusterFromEnv(a.log)
	if err != nil {
		return err
	}
	switch args[0] {
	case "start":
		if err := c.Start(ctx); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "PostgreSQL running in %s on 127.0.0.1:%d\n", c.Dir, c.Port)
		return nil
	case "stop":
		return c.Stop(ctx)
	case "url":
		u, err := c.URL()
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, u)
		return nil
	case "status":
		return a.dbStatus(ctx, c.Running(ctx), c.Dir, c.Port)
	default:
		return usagef("unknown db action %q (want start, stop, status or url)", args[0])
	}
}

// dbStatus prints whether the cluster runs and what the database holds.
func (a *app) dbStatus(ctx context.Context, running bool, dir string, port int) error {
	if !running {
		fmt.Fprintf(a.stdout, "local cluster in %s: stopped\n", dir)
		return nil
	}
	fmt.Fprintf(a.stdout, "local cluster in %s: running on 127.0.0.1:%d\n", dir, port)
	pool, err := a.openDB(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	tables := []string{"provinsi", "kabupaten", "kecamatan", "desa", "port", "worksite", "resident", "desa_binaan", "incident", "indicator", "risk_run"}
	for _, t := range tables {
		var n int64
		// table names come from the fixed list above, never from input
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t, err)
		}
		fmt.Fprintf(a.stdout, "  %-12s %9d rows\n", t, n)
	}
	return nil
}
