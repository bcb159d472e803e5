package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/waspada-id/waspada/internal/importlog"
	"github.com/waspada-id/waspada/internal/oplog"
)

func (a *app) importList(ctx context.Context, args []string) error {
	fs := a.flags("import list")
	limit := fs.Int("limit", 50, "show the newest N imports (0: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("usage: waspada import list [--limit N]")
	}
	pool, err := a.openDB(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	es, err := importlog.List(ctx, pool, *limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWHEN (UTC)\tKIND\tFILE\tROWS\tADDED\tREPLACED\tBY\tSTATE")
	for _, e := range es {
		state := "can be undone"
		switch {
		case e.UndoneAt != nil:
			state = fmt.Sprintf("undone %s by %s (#%d)", e.UndoneAt.UTC().Format("2006-01-02 15:04"), *e.UndoneBy, *e.UndoneIn)
		case !e.Undoable:
			state = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", e.ID, e.At.UTC().Format("2006-01-02 15:04:05"), e.Kind, e.Source,
			e.RowsIn, optInt(e.RowsAdded), optInt(e.RowsReplaced), e.RunBy, state)
	}
	return tw.Flush()
}

func optInt(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

func (a *app) importUndo(ctx context.Context, args []string) error {
	fs := a.flags("import undo")
	by := fs.String("by", "", "who undoes it, for the audit log (default: the OS account)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos, 10, 64)
	if err != nil || id <= 0 {
		return usagef("usage: waspada import undo IMPORT_ID [--by NAME] (the ID from `waspada import list`)")
	}
	pool, err := a.openDB(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	name := *by
	if name == "" {
		name = importlog.Operator()
	}
	t := time.Now()
	rep, err := importlog.Undo(ctx, pool, id, oplog.Actor{Name: name})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "import #%d (%s %s) undone in %s: %d added rows deleted, %d replaced rows restored (recorded as #%d)\n",
		rep.ImportID, rep.Kind, rep.Source, time.Since(t).Round(time.Millisecond), rep.Deleted, rep.Restored, rep.UndoID)
	return nil
}
