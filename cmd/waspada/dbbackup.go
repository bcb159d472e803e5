package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/waspada-id/waspada/internal/backup"
	"github.com/waspada-id/waspada/internal/pgcluster"
	"github.com/waspada-id/waspada/internal/store"
)

const dbUsage = `usage:
  waspada db start|stop|status|url
  waspada db backup [--out DIR]                  pg_dump archive + SHA-256 manifest (default .waspada/backups/TIME)
  waspada db restore DIR [--force]               restore a backup (refuses a database holding rows without --force)
  waspada db archive on [--dir DIR] | status     WAL archiving of the local cluster (default .waspada/wal)
  waspada db basebackup [--out DIR]              base backup of the local cluster, for point-in-time recovery
  waspada db restore --base DIR --until TIME [--archive DIR] --force
                                                 local cluster back to TIME (RFC 3339, or "2006-01-02 15:04:05" UTC)

See docs/DATA-LIFECYCLE.md.`

// parseArgs parses flags that may come before or after one positional argument.
func parseArgs(fs interface {
	Parse([]string) error
	NArg() int
	Arg(int) string
}, args []string) (string, error) {
	var pos string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		pos, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	switch {
	case fs.NArg() == 1 && pos == "":
		pos = fs.Arg(0)
	case fs.NArg() > 0:
		return "", usagef("unexpected argument %q\n%s", fs.Arg(0), dbUsage)
	}
	return pos, nil
}

func (a *app) dbBackup(ctx context.Context, args []string) error {
	fs := a.flags("db backup")
	out := fs.String("out", "", "backup folder (created; default .waspada/backups/YYYYMMDDTHHMMSSZ)")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if pos != "" {
		return usagef("unexpected argument %q (use --out DIR)", pos)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(".waspada", "backups", time.Now().UTC().Format("20060102T150405Z"))
	}
	url, err := store.ResolveURL(ctx, a.log)
	if err != nil {
		return err
	}
	t := time.Now()
	m, err := backup.Backup(ctx, url, dir, a.log)
	if err != nil {
		return err
	}
	var rows int64
	for _, s := range m.Tables {
		rows += s.Rows
	}
	fmt.Fprintf(a.stdout, "backup of %s written to %s in %s: %d tables, %d rows, %s (%.1f MB, sha256 %s)\n",
		m.Database, dir, time.Since(t).Round(time.Millisecond), len(m.Tables), rows, m.Files[0].Name,
		float64(m.Files[0].Bytes)/1e6, m.Files[0].SHA256[:16])
	return nil
}

func (a *app) dbRestore(ctx context.Context, args []string) error {
	fs := a.flags("db restore")
	force := fs.Bool("force", false, "replace a database (or cluster) that holds data")
	base := fs.String("base", "", "base backup folder (point-in-time recovery of the local cluster)")
	until := fs.String("until", "", "recover to just before this moment (with --base)")
	archive := fs.String("archive", "", "WAL archive folder (with --base; default .waspada/wal)")
	dir, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *base != "" || *until != "" {
		if dir != "" {
			return usagef("give either a backup folder or --base with --until, not both\n%s", dbUsage)
		}
		return a.dbRecover(ctx, *base, *until, *archive, *force)
	}
	if dir == "" {
		return usagef("%s", dbUsage)
	}
	url, err := store.ResolveURL(ctx, a.log)
	if err != nil {
		return err
	}
	rep, err := backup.Restore(ctx, url, dir, *force, a.log)
	if err != nil {
		return err
	}
	var rows int64
	for _, s := range rep.Manifest.Tables {
		rows += s.Rows
	}
	fmt.Fprintf(a.stdout, "restored %s from %s (backup of %s) in %s: %d tables, %d rows, every table's count and checksum equal to the manifest\n",
		rep.Manifest.Database, dir, rep.Manifest.CreatedAt.Format(time.RFC3339), rep.Duration.Round(time.Millisecond), len(rep.Manifest.Tables), rows)
	if len(rep.Replaced) > 0 {
		fmt.Fprintf(a.stdout, "replaced a database whose %d table(s) held rows\n", len(rep.Replaced))
	}
	return nil
}

// localCluster is the project's own cluster; point-in-time recovery works on
// it only (a managed database has its provider's).
func (a *app) localCluster() (*pgcluster.Cluster, error) {
	if os.Getenv("DATABASE_URL") != "" {
		return nil, errors.New("DATABASE_URL is set: WAL archiving, base backups and point-in-time recovery here work on the local cluster only (use your provider's for another server)")
	}
	return store.ClusterFromEnv(a.log)
}

func archiveDir(c *pgcluster.Cluster, flag string) string {
	if flag != "" {
		return flag
	}
	if d := os.Getenv("WASPADA_WAL_ARCHIVE"); d != "" {
		return d
	}
	return c.DefaultArchiveDir()
}

func (a *app) dbArchive(ctx context.Context, args []string) error {
	fs := a.flags("db archive")
	dirFlag := fs.String("dir", "", "archive folder (default $WASPADA_WAL_ARCHIVE, else .waspada/wal)")
	action, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	c, err := a.localCluster()
	if err != nil {
		return err
	}
	switch action {
	case "on":
		dir := archiveDir(c, *dirFlag)
		if err := c.EnableArchiving(ctx, dir); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "WAL archiving on into %s (a segment at least every 60 s); take a base backup now: waspada db basebackup\n", dir)
		return nil
	case "status":
		if err := c.Start(ctx); err != nil {
			return err
		}
		s, err := c.Archive(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "archive_mode %s\narchive_command %s\narchived %d segments, last %s", s.Mode, s.Command, s.Archived, s.LastArchived)
		if s.LastArchivedAt != nil {
			fmt.Fprintf(a.stdout, " at %s", s.LastArchivedAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(a.stdout, "\nfailed %d", s.Failed)
		if s.LastFailedAt != nil {
			fmt.Fprintf(a.stdout, ", last %s at %s", s.LastFailed, s.LastFailedAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(a.stdout, "\ncurrent segment %s\n", s.CurrentWALFileName)
		return nil
	default:
		return usagef("usage: waspada db archive on [--dir DIR] | status")
	}
}

func (a *app) dbBaseBackup(ctx context.Context, args []string) error {
	fs := a.flags("db basebackup")
	out := fs.String("out", "", "folder (created; default .waspada/base/YYYYMMDDTHHMMSSZ)")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if pos != "" {
		return usagef("unexpected argument %q (use --out DIR)", pos)
	}
	c, err := a.localCluster()
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(filepath.Dir(c.Dir), "base", time.Now().UTC().Format("20060102T150405Z"))
	}
	if err := c.Start(ctx); err != nil {
		return err
	}
	s, err := c.Archive(ctx)
	if err != nil {
		return err
	}
	if s.Mode != "on" && s.Mode != "always" {
		return errors.New("WAL archiving is off, so a base backup alone could not be rolled forward: run `waspada db archive on` first")
	}
	t := time.Now()
	if err := c.BaseBackup(ctx, dir); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "base backup written to %s and verified in %s (%.1f MB)\n", dir, time.Since(t).Round(time.Millisecond), float64(dirSize(dir))/1e6)
	return nil
}

func (a *app) dbRecover(ctx context.Context, base, until, archive string, force bool) error {
	if base == "" || until == "" {
		return usagef("point-in-time recovery needs both --base DIR and --until TIME\n%s", dbUsage)
	}
	t, err := parseMoment(until)
	if err != nil {
		return usagef("--until %q: %v", until, err)
	}
	if !force {
		return usagef("point-in-time recovery replaces the whole local cluster (its data folder is kept aside): confirm with --force")
	}
	c, err := a.localCluster()
	if err != nil {
		return err
	}
	start := time.Now()
	kept, err := c.RecoverTo(ctx, base, archiveDir(c, archive), t)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "local cluster recovered to %s in %s", t.UTC().Format(time.RFC3339Nano), time.Since(start).Round(time.Millisecond))
	if kept != "" {
		fmt.Fprintf(a.stdout, "; the replaced data folder is kept in %s (delete it when satisfied)", kept)
	}
	fmt.Fprintln(a.stdout, "\ntake a new base backup now: the recovered cluster runs on a new timeline")
	return nil
}

// parseMoment accepts RFC 3339 or "2006-01-02 15:04:05[.fraction]" in UTC.
func parseMoment(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New(`want RFC 3339 (2026-12-02T03:15:00Z) or "2026-12-02 03:15:00" (UTC)`)
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
