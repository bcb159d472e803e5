package main

import (
	"context"
	"errors"
	"strings"

	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/refdata"
)

func (a *app) cmdImport(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("usage: waspada import reference [--data DIR] | waspada import %s FILE [--dry-run] [--by NAME] | waspada import list | waspada import undo ID [--by NAME]", strings.Join(importer.KindNames(), "|"))
	}
	switch args[0] {
	case "list":
		return a.importList(ctx, args[1:])
	case "undo":
		return a.importUndo(ctx, args[1:])
	}
	if args[0] == "reference" {
		fs := a.flags("import reference")
		dataDir := fs.String("data", "", "reference data folder (default $WASPADA_DATA, else ../shared/data)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		im, done, err := a.importer(ctx)
		if err != nil {
			return err
		}
		defer done()
		rep, err := im.Reference(ctx, refdata.Dir(*dataDir))
		if err != nil {
			return err
		}
		rep.Print(a.stdout)
		return nil
	}
	kind := args[0]
	if _, ok := importer.Kinds()[kind]; !ok {
		return usagef("unknown import kind %q (want reference or one of %s)", kind, strings.Join(importer.KindNames(), ", "))
	}
	fs := a.flags("import " + kind)
	dry := fs.Bool("dry-run", false, "validate only, write nothing")
	by := fs.String("by", "", "who runs the import, for `waspada import list` (default: the OS account)")
	// Accept the file before or after the flags.
	var file string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() != 0 || file == "" {
		return usagef("usage: waspada import %s FILE [--dry-run]", kind)
	}
	im, done, err := a.importer(ctx)
	if err != nil {
		return err
	}
	defer done()
	im.SetRunBy(*by)
	rep, err := im.File(ctx, kind, file, *dry)
	if err != nil {
		return err
	}
	if !rep.OK() {
		rep.Print(a.stderr)
		return errors.New("import rejected")
	}
	rep.Print(a.stdout)
	return nil
}

func (a *app) importer(ctx context.Context) (*importer.Importer, func(), error) {
	pool, err := a.openDB(ctx, 4)
	if err != nil {
		return nil, nil, err
	}
	im, err := importer.New(pool, a.log)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return im, pool.Close, nil
}
