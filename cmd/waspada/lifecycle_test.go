package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waspada-id/waspada/internal/testdb"
)

// The data-lifecycle commands through the command line: wrong invocations are
// usage errors (exit 2) before anything is touched, refusals are failures (1).
func TestLifecycleCommands(t *testing.T) {
	pool := testdb.Empty(t)
	t.Setenv("DATABASE_URL", testdb.URL(t, pool))
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		a := &app{log: slog.New(slog.NewTextHandler(io.Discard, nil)), stdout: &out, stderr: &errb}
		code := a.main(context.Background(), args)
		return code, out.String(), errb.String()
	}
	dir := t.TempDir()
	b1 := filepath.Join(dir, "b1")
	tests := []struct {
		args []string
		code int
		want string // in stdout or stderr
	}{
		{[]string{"db", "restore"}, 2, "usage"},
		{[]string{"db", "restore", "--base", "x"}, 2, "--until"},
		{[]string{"db", "restore", "--base", "x", "--until", "yesterday"}, 2, "RFC 3339"},
		{[]string{"db", "restore", "--base", "x", "--until", "2026-12-01T00:00:00Z"}, 2, "--force"},
		{[]string{"db", "restore", "--base", "x", "--until", "2026-12-01 00:00:00", "--force"}, 1, "local cluster only"},
		{[]string{"db", "restore", "b", "--base", "x", "--until", "2026-12-01T00:00:00Z"}, 2, "not both"},
		{[]string{"db", "archive", "on"}, 1, "local cluster only"},
		{[]string{"db", "backup", "somewhere"}, 2, "--out"},
		{[]string{"db", "restore", filepath.Join(dir, "nothing")}, 1, "not a Waspada backup"},
		// A freshly migrated database counts as empty: restore needs no --force.
		{[]string{"db", "backup", "--out", b1}, 0, "backup of"},
		{[]string{"db", "backup", "--out", b1}, 1, "not empty"},
		{[]string{"db", "restore", b1}, 0, "equal to the manifest"},
		{[]string{"import", "list"}, 0, "ID"},
		{[]string{"import", "undo", "abc"}, 2, "IMPORT_ID"},
		{[]string{"import", "undo", "42"}, 1, "no such import"},
		{[]string{"retention", "apply", "--as-of", "2026-13-01"}, 2, "YYYY-MM-DD"},
		{[]string{"retention", "policy", "--hotel-months", "-1"}, 2, "positive"},
		{[]string{"retention", "policy", "--hotel-months", "2000"}, 2, "1–1200"},
		{[]string{"retention", "policy", "--hotel-months", "18", "--by", "dpo"}, 0, "18 months after check-out"},
		{[]string{"retention", "apply", "--dry-run"}, 0, "dry run"},
		{[]string{"retention", "forget"}, 2, "unknown retention action"},
		{[]string{"subject", "report", "--passport", "A1"}, 2, "--as"},
		{[]string{"subject", "report", "--passport", "A1", "--as", "x", "--format", "xml"}, 2, "csv or pdf"},
		{[]string{"subject", "report", "--passport", "A1", "--as", "nobody"}, 1, "admin accounts only"},
	}
	for _, tc := range tests {
		code, out, errOut := run(tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("waspada %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, tc.want, out, errOut)
		}
	}
}
