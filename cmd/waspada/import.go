package main

import (
	"context"
	"fmt"

	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/refdata"
)

func (a *app) cmdImport(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("usage: waspada import reference [--data DIR] | waspada import %s FILE [--dry-run]", "residences|worksites|ports|desa-binaan|incidents|indicators")
	}
	if args[0] == "reference" {
		fs := a.flags("import reference")
		dataDir := fs.String("data", "", "reference data folder (default $WASPADA_DATA, else ../shared/data)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		pool, err := a.openDB(ctx, 4)
		if err != nil {
			return err
		}
		defer pool.Close()
		im, err := importer.New(pool, a.log)
		if err != nil {
			return err
		}
		rep, err := im.Reference(ctx, refdata.Dir(*dataDir))
		if err != nil {
			return err
		}
		rep.Print(a.stdout)
		return nil
	}
	return a.importOperational(ctx, args)
}

func (a *app) importOperational(ctx context.Context, args []string) error {
	return fmt.Errorf("import %s: not built yet", args[0])
}
