package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Point-in-time recovery for the local cluster: WAL archiving into a folder of
// the project's, base backups with pg_basebackup, and recovery of a base backup
// plus the archived WAL up to a moment (recovery_target_time).

// BinDir is the folder of PostgreSQL 15's programs (pg_dump, pg_restore, ...).
func BinDir() (string, error) { return findBinDir() }

// BinDir is the folder of the programs this cluster runs.
func (c *Cluster) BinDir() string { return c.binDir }

// DefaultArchiveDir is where WAL is archived unless told otherwise: beside the
// cluster's folder (.waspada/wal for .waspada/pg), so a lost data folder does
// not take its archive with it when the two are on different mounts.
func (c *Cluster) DefaultArchiveDir() string { return filepath.Join(filepath.Dir(c.Dir), "wal") }

func (c *Cluster) superuser(ctx context.Context, db string) (*pgx.Conn, error) {
	pw, err := os.ReadFile(c.pwFile())
	if err != nil {
		return nil, fmt.Errorf("cluster in %s is not initialised: %w", c.Dir, err)
	}
	return connectRetry(ctx, c.urlFor(db, strings.TrimSpace(string(pw))))
}

// mkdirFor creates dir (and parents) and hands it to the server's account.
func (c *Cluster) mkdirFor(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("hand %s to the postgres account: %w", dir, err)
		}
	}
	return nil
}

func quoteConf(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// EnableArchiving turns WAL archiving on into dir (created if needed) and
// restarts the server, which archive_mode needs. archive_timeout bounds how
// much committed work can be missing from the archive to one minute.
func (c *Cluster) EnableArchiving(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if strings.ContainsAny(abs, "'\"%\n") {
		return fmt.Errorf("archive folder %q: quotes, %% and newlines are not allowed", abs)
	}
	if err := c.Start(ctx); err != nil {
		return err
	}
	if err := c.mkdirFor(abs); err != nil {
		return err
	}
	conn, err := c.superuser(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	cmd := fmt.Sprintf(`test ! -f "%s/%%f" && cp "%%p" "%s/%%f.tmp" && mv "%s/%%f.tmp" "%s/%%f"`, abs, abs, abs, abs)
	for _, s := range []string{
		"ALTER SYSTEM SET wal_level = 'replica'",
		"ALTER SYSTEM SET archive_mode = 'on'",
		"ALTER SYSTEM SET archive_command = " + quoteConf(cmd),
		"ALTER SYSTEM SET archive_timeout = '60s'",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	conn.Close(ctx)
	c.Log.Info("restarting PostgreSQL with WAL archiving", "archive", abs)
	if err := c.Stop(ctx); err != nil {
		return err
	}
	return c.Start(ctx)
}

// ArchiveStatus reports the archive_command in force and the archiver's counters.
type ArchiveStatus struct {
	Mode, Command      string
	Archived, Failed   int64
	LastArchived       string
	LastArchivedAt     *time.Time
	LastFailed         string
	LastFailedAt       *time.Time
	CurrentWALFileName string
}

// Archive reads the archiver's state from the running server.
func (c *Cluster) Archive(ctx context.Context) (ArchiveStatus, error) {
	var s ArchiveStatus
	conn, err := c.superuser(ctx, "postgres")
	if err != nil {
		return s, err
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT current_setting('archive_mode'), current_setting('archive_command'),
		archived_count, failed_count, coalesce(last_archived_wal, ''), last_archived_time,
		coalesce(last_failed_wal, ''), last_failed_time, pg_walfile_name(pg_current_wal_lsn())
		FROM pg_stat_archiver`).Scan(&s.Mode, &s.Command, &s.Archived, &s.Failed, &s.LastArchived, &s.LastArchivedAt,
		&s.LastFailed, &s.LastFailedAt, &s.CurrentWALFileName)
	if err != nil {
		return s, fmt.Errorf("read archiver state: %w", err)
	}
	return s, nil
}

// FlushArchive closes the current WAL segment and waits until the archiver
// has stored it, so the archive holds every transaction committed so far.
func (c *Cluster) FlushArchive(ctx context.Context) error {
	conn, err := c.superuser(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var mode, seg string
	if err := conn.QueryRow(ctx, "SELECT current_setting('archive_mode')").Scan(&mode); err != nil {
		return err
	}
	if mode != "on" && mode != "always" {
		return errors.New("WAL archiving is off: run `waspada db archive on` first")
	}
	if err := conn.QueryRow(ctx, "SELECT pg_walfile_name(pg_switch_wal())").Scan(&seg); err != nil {
		return fmt.Errorf("switch WAL: %w", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var last string
		var failed int64
		if err := conn.QueryRow(ctx, "SELECT coalesce(last_archived_wal, ''), failed_count FROM pg_stat_archiver").Scan(&last, &failed); err != nil {
			return err
		}
		// Segment names of one timeline sort in WAL order.
		if last >= seg {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("WAL segment %s not archived after 2 minutes (last archived %q, %d failures; see %s)", seg, last, failed, c.logFile())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// BaseBackup copies the running cluster into out (which must not exist or be
// empty) with pg_basebackup: plain format, the WAL needed for consistency
// streamed in, and a backup_manifest with SHA-256 checksums, then checks it
// with pg_verifybackup.
func (c *Cluster) BaseBackup(ctx context.Context, out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if ents, err := os.ReadDir(abs); err == nil && len(ents) > 0 {
		return fmt.Errorf("%s is not empty: choose a new folder for the base backup", abs)
	}
	if err := c.mkdirFor(abs); err != nil {
		return err
	}
	pw, err := os.ReadFile(c.pwFile())
	if err != nil {
		return err
	}
	env := []string{"PGPASSWORD=" + strings.TrimSpace(string(pw))}
	if err := c.runEnv(ctx, env, filepath.Join(c.binDir, "pg_basebackup"), "-h", "127.0.0.1", "-p", fmt.Sprint(c.Port),
		"-U", "postgres", "-w", "-D", abs, "-Fp", "-X", "stream", "--checkpoint=fast", "--manifest-checksums=SHA256"); err != nil {
		return err
	}
	return c.VerifyBaseBackup(ctx, abs)
}

// VerifyBaseBackup checks every file of a base backup against its manifest.
func (c *Cluster) VerifyBaseBackup(ctx context.Context, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "backup_manifest")); err != nil {
		return fmt.Errorf("%s is not a base backup (no backup_manifest): %w", dir, err)
	}
	if err := c.runEnv(ctx, nil, filepath.Join(c.binDir, "pg_verifybackup"), "-q", dir); err != nil {
		return fmt.Errorf("base backup %s failed verification: %w", dir, err)
	}
	return nil
}

// RecoverTo replaces the cluster's data with the base backup in base and
// replays the WAL archived in archive up to (not including) until, then opens
// the cluster for writing on a new timeline. The data folder it replaces is
// kept beside it (data.replaced-TIMESTAMP) and its path returned; nothing is
// deleted. When the server runs, its current WAL is archived first, so the
// archive reaches up to now.
func (c *Cluster) RecoverTo(ctx context.Context, base, archive string, until time.Time) (string, error) {
	base, err := filepath.Abs(base)
	if err != nil {
		return "", err
	}
	archive, err = filepath.Abs(archive)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(archive, "'\"%\n") {
		return "", fmt.Errorf("archive folder %q: quotes, %% and newlines are not allowed", archive)
	}
	if st, err := os.Stat(archive); err != nil || !st.IsDir() {
		return "", fmt.Errorf("WAL archive %s: not a folder", archive)
	}
	if err := c.VerifyBaseBackup(ctx, base); err != nil {
		return "", err
	}
	// The roles, and so the superuser's password, come back with the base
	// backup: the password file of the cluster it was taken from must be here.
	if _, err := os.Stat(c.pwFile()); err != nil {
		return "", fmt.Errorf("%s is missing: recover into the cluster folder the base backup was taken from, or copy its superuser.pw there first", c.pwFile())
	}
	if err := c.mkdirFor(c.runDir()); err != nil {
		return "", err
	}
	if c.Running(ctx) {
		if err := c.FlushArchive(ctx); err != nil {
			return "", fmt.Errorf("archive the current WAL before recovery: %w", err)
		}
		if err := c.Stop(ctx); err != nil {
			return "", err
		}
	}
	kept := ""
	if c.initialised() {
		kept = c.dataDir() + ".replaced-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(c.dataDir(), kept); err != nil {
			return "", fmt.Errorf("move the current data folder aside: %w", err)
		}
		c.Log.Info("current data folder kept", "path", kept)
	}
	if err := c.mkdirFor(c.dataDir()); err != nil {
		return kept, err
	}
	if err := c.runEnv(ctx, nil, "cp", "-a", base+"/.", c.dataDir()+"/"); err != nil {
		return kept, fmt.Errorf("copy the base backup: %w", err)
	}
	_ = os.Remove(filepath.Join(c.dataDir(), "backup_manifest"))
	conf := fmt.Sprintf("\n# --- waspada point-in-time recovery ---\nrestore_command = %s\nrecovery_target_time = %s\nrecovery_target_inclusive = off\nrecovery_target_action = 'promote'\n",
		quoteConf(fmt.Sprintf(`cp "%s/%%f" "%%p"`, archive)), quoteConf(until.UTC().Format("2006-01-02 15:04:05.999999-07:00")))
	if err := appendFile(filepath.Join(c.dataDir(), "postgresql.auto.conf"), conf); err != nil {
		return kept, err
	}
	if err := os.WriteFile(filepath.Join(c.dataDir(), "recovery.signal"), nil, 0o600); err != nil {
		return kept, err
	}
	if err := c.chownAll(c.dataDir()); err != nil {
		return kept, err
	}
	c.Log.Info("recovering", "base", base, "archive", archive, "until", until.UTC().Format(time.RFC3339Nano))
	if err := c.pgctl(ctx, "start", "-w", "-t", "600", "-l", c.logFile()); err != nil {
		return kept, fmt.Errorf("recovery failed to start (the replaced data folder is %s): %w\n%s", kept, err, c.logTail(15))
	}
	if err := c.waitPromoted(ctx); err != nil {
		return kept, err
	}
	conn, err := c.superuser(ctx, "postgres")
	if err != nil {
		return kept, err
	}
	defer conn.Close(ctx)
	// The targets only act with recovery.signal present (removed by the
	// promotion); reset them so the configuration says what is in force.
	for _, s := range []string{"restore_command", "recovery_target_time", "recovery_target_inclusive", "recovery_target_action"} {
		if _, err := conn.Exec(ctx, "ALTER SYSTEM RESET "+s); err != nil {
			return kept, fmt.Errorf("reset %s: %w", s, err)
		}
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return kept, err
	}
	return kept, nil
}

// waitPromoted waits until recovery has reached its target and the server
// accepts writes.
func (c *Cluster) waitPromoted(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Minute)
	for {
		conn, err := c.superuser(ctx, "postgres")
		if err == nil {
			var rec bool
			err = conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&rec)
			conn.Close(ctx)
			if err == nil && !rec {
				return nil
			}
		}
		if !c.Running(ctx) {
			return fmt.Errorf("the server stopped during recovery: is the target after the end of the archived WAL, or before the end of the base backup?\n%s", c.logTail(15))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("recovery not finished after 30 minutes (see %s)", c.logFile())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// logTail is the end of the server's log, to say why it stopped.
func (c *Cluster) logTail(lines int) string {
	b, err := os.ReadFile(c.logFile())
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return c.logFile() + ":\n" + strings.Join(ls, "\n")
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runEnv runs prog as the server's account with extra environment variables.
func (c *Cluster) runEnv(ctx context.Context, env []string, prog string, args ...string) error {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(prog), strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
