package main

import (
	"context"
	"fmt"
)

func (a *app) cmdMigrate(ctx context.Context, args []string) error {
	if len(args) != 0 {
		return usagef("usage: waspada migrate")
	}
	pool, err := a.openDB(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	fmt.Fprintln(a.stdout, "schema is up to date")
	return nil
}
