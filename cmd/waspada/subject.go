package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/waspada-id/waspada/internal/subject"
)

const subjectUsage = `usage: waspada subject report --passport P --as ADMIN_USERNAME [--format csv|pdf] [--out FILE]`

func (a *app) cmdSubject(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "report" {
		return usagef("%s", subjectUsage)
	}
	fs := a.flags("subject report")
	passport := fs.String("passport", "", "the person's passport number")
	as := fs.String("as", "", "your admin account (subject reports are for admins only, and audited under this name)")
	format := fs.String("format", "csv", "csv or pdf")
	out := fs.String("out", "", "write to FILE (mode 0600) instead of standard output")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 || *passport == "" || *as == "" {
		return usagef("%s", subjectUsage)
	}
	if *format != "csv" && *format != "pdf" {
		return usagef("--format %q: want csv or pdf", *format)
	}
	pool, err := a.openDB(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := subject.Build(ctx, pool, *passport, *as, *format)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	write := rep.WriteCSV
	if *format == "pdf" {
		write = rep.WritePDF
	}
	if err := write(&b); err != nil {
		return err
	}
	if *out == "" {
		_, err = a.stdout.Write(b.Bytes())
		return err
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(a.stderr, "%s: %d records, %d import entries, %d audited accesses (this report is audited)\n", *out, len(rep.Records), len(rep.Imports), len(rep.Accesses))
	return nil
}
