package main

import (
	"context"
	"fmt"

	"github.com/waspada-id/waspada/internal/store"
)

func (a *app) cmdDB(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("%s", dbUsage)
	}
	switch args[0] {
	case "backup":
		return a.dbBackup(ctx, args[1:])
	case "restore":
		return a.dbRestore(ctx, args[1:])
	case "archive":
		return a.dbArchive(ctx, args[1:])
	case "basebackup":
		return a.dbBaseBackup(ctx, args[1:])
	}
	if len(args) != 1 {
		return usagef("%s", dbUsage)
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
		return usagef("unknown db action %q\n%s", args[0], dbUsage)
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
