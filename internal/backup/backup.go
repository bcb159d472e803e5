// Package backup writes and restores logical backups of the project's database:
// one pg_dump archive in custom format beside a manifest with its SHA-256, the
// server's version and every table's row count and checksum, all taken from
// one snapshot. Restore checks the archive against the manifest before it
// touches the database, refuses a database that holds rows unless forced, and
// after pg_restore checks every table against the manifest again.
//
// Why pg_dump rather than a base backup for this command: the archive holds one
// database (not the whole cluster with its other databases and roles), it
// restores into any PostgreSQL 15 or later on any machine, including a managed
// one named by DATABASE_URL, and it is compressed. Point-in-time recovery of the
// local cluster uses base backups and archived WAL instead (pgcluster).
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/waspada-id/waspada/internal/pgcluster"
)

// DumpFile is the archive's name inside a backup folder.
const DumpFile = "waspada.dump"

// ManifestFile names the manifest inside a backup folder.
const ManifestFile = "manifest.json"

// Manifest describes one backup folder.
type Manifest struct {
	Format        string     `json:"format"` // "waspada-pg_dump-1"
	CreatedAt     time.Time  `json:"created_at"`
	Database      string     `json:"database"`
	ServerVersion string     `json:"server_version"`
	SchemaVersion int64      `json:"schema_version"`
	Files         []File     `json:"files"`
	Tables        []TableSum `json:"tables"`
}

// File is one file of a backup and its checksum.
type File struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

const manifestFormat = "waspada-pg_dump-1"

// ErrNotEmpty is returned by Restore when the target database holds rows and
// force is not set.
var ErrNotEmpty = errors.New("the database is not empty")

// Backup dumps the database at dbURL into dir, which is created and must not
// hold files yet.
func Backup(ctx context.Context, dbURL, dir string, log *slog.Logger) (*Manifest, error) {
	bin, err := pgcluster.BinDir()
	if err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%s is not empty: a backup goes into a new folder", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create backup folder: %w", err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	m := &Manifest{Format: manifestFormat, CreatedAt: time.Now().UTC()}
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot(), current_database(), current_setting('server_version'),
		coalesce((SELECT max(version) FROM schema_version), 0)`).Scan(&snapshot, &m.Database, &m.ServerVersion, &m.SchemaVersion); err != nil {
		// schema_version is tern's table: without it there is no Waspada schema to back up.
		return nil, fmt.Errorf("read the database (is it a Waspada database?): %w", err)
	}
	if _, err := tx.Exec(ctx, "SET LOCAL TimeZone = 'UTC'"); err != nil {
		return nil, err
	}
	t := time.Now()
	// pg_dump reads the snapshot this transaction exported, so the archive and
	// the checksums below describe exactly the same state.
	dump := filepath.Join(dir, DumpFile)
	args := []string{"--format=custom", "--compress=6", "--snapshot=" + snapshot, "--file=" + dump}
	if err := runPG(ctx, filepath.Join(bin, "pg_dump"), dbURL, args); err != nil {
		return nil, err
	}
	log.Debug("dumped", "elapsed", time.Since(t).Round(time.Millisecond))
	if m.Tables, err = Fingerprint(ctx, tx); err != nil {
		return nil, err
	}
	f, err := hashFile(dump)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dump, 0o600); err != nil {
		return nil, err
	}
	m.Files = []File{f}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	return m, nil
}

// Verify reads dir's manifest and checks every file's size and SHA-256.
func Verify(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%s is not a Waspada backup: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: unreadable manifest: %w", dir, err)
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("%s: manifest format %q, want %q", dir, m.Format, manifestFormat)
	}
	if len(m.Files) == 0 {
		return nil, fmt.Errorf("%s: the manifest lists no files", dir)
	}
	for _, want := range m.Files {
		if want.Name != filepath.Base(want.Name) {
			return nil, fmt.Errorf("%s: manifest names a file outside the folder: %q", dir, want.Name)
		}
		got, err := hashFile(filepath.Join(dir, want.Name))
		if err != nil {
			return nil, err
		}
		if got.Bytes != want.Bytes || got.SHA256 != want.SHA256 {
			return nil, fmt.Errorf("%s: %s does not match the manifest (%d bytes, sha256 %s; manifest says %d bytes, %s): the backup is damaged",
				dir, want.Name, got.Bytes, got.SHA256, want.Bytes, want.SHA256)
		}
	}
	return &m, nil
}

// RestoreReport is what Restore did.
type RestoreReport struct {
	Manifest *Manifest
	Replaced []string // tables that held rows before (only with force)
	Duration time.Duration
}

// Restore recreates the database at dbURL from the backup in dir. The backup is
// verified first; a database holding rows is refused with ErrNotEmpty unless
// force. The database is dropped and created anew (so nothing of the old one
// survives beside the restored data) through the server's maintenance database
// "postgres", which needs the right to create databases; other sessions on it
// are ended. The restore runs in one transaction and every table is checked
// against the manifest afterwards.
func Restore(ctx context.Context, dbURL, dir string, force bool, log *slog.Logger) (*RestoreReport, error) {
	start := time.Now()
	m, err := Verify(dir)
	if err != nil {
		return nil, err
	}
	bin, err := pgcluster.BinDir()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	if dbName == "" || dbName == "postgres" || strings.HasPrefix(dbName, "template") {
		return nil, fmt.Errorf("refusing to restore into database %q: name the project's database", dbName)
	}
	maint := *u
	maint.Path = "/postgres"
	admin, err := pgx.Connect(ctx, maint.String())
	if err != nil {
		return nil, fmt.Errorf("connect to the maintenance database: %w", err)
	}
	defer admin.Close(ctx)
	rep := &RestoreReport{Manifest: m}
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbName).Scan(&exists); err != nil {
		return nil, err
	}
	if exists {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			return nil, fmt.Errorf("connect: %w", err)
		}
		rep.Replaced, err = nonEmpty(ctx, conn)
		conn.Close(ctx)
		if err != nil {
			return nil, err
		}
		if len(rep.Replaced) > 0 && !force {
			shown := rep.Replaced
			if len(shown) > 8 {
				shown = append(shown[:8:8], "…")
			}
			return nil, fmt.Errorf("%w: %d table(s) hold rows (%s); restore with --force to replace them", ErrNotEmpty, len(rep.Replaced), strings.Join(shown, ", "))
		}
	}
	id := pgx.Identifier{dbName}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)"); err != nil {
		return nil, fmt.Errorf("drop database %s: %w", dbName, err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+id+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return nil, fmt.Errorf("create database %s: %w", dbName, err)
	}
	t := time.Now()
	// Ownership and grants are not restored: objects belong to whoever
	// restores, and `waspada serve` grants its application role again.
	args := []string{"--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", "--dbname=" + dbName, filepath.Join(dir, DumpFile)}
	if err := runPG(ctx, filepath.Join(bin, "pg_restore"), dbURL, args); err != nil {
		return nil, err
	}
	log.Debug("restored", "elapsed", time.Since(t).Round(time.Millisecond))
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("connect to the restored database: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET TimeZone = 'UTC'"); err != nil {
		return nil, err
	}
	got, err := Fingerprint(ctx, conn)
	if err != nil {
		return nil, err
	}
	if d := Diff(m.Tables, got); len(d) > 0 {
		return nil, fmt.Errorf("the restored database differs from the backup's manifest: %s", strings.Join(d, "; "))
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// runPG runs a PostgreSQL client program against dbURL. The password travels
// in PGPASSWORD, not on the command line where any local user could read it.
func runPG(ctx context.Context, prog, dbURL string, args []string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("parse database URL: %w", err)
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	// pg_restore takes the database from --dbname; a connection string there
	// carries host, port and user too.
	for i, a := range args {
		if strings.HasPrefix(a, "--dbname=") {
			c := *u
			c.Path = "/" + strings.TrimPrefix(a, "--dbname=")
			args[i] = "--dbname=" + c.String()
		}
	}
	if filepath.Base(prog) == "pg_dump" {
		args = append(args, "--dbname="+u.String())
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(prog), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func hashFile(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", path, err)
	}
	return File{Name: filepath.Base(path), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
