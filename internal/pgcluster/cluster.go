// Package pgcluster runs the project's own PostgreSQL + PostGIS cluster: initdb
// into a folder of the project, a port of its own on loopback, and a database with
// the postgis extension. It is the embedded default used when DATABASE_URL is unset.
//
// PostgreSQL refuses to run as root, so when the caller is root the server runs
// as the unprivileged "postgres" account that Debian's packages create.
package pgcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPort is the loopback port of the local cluster; chosen away from 5432 so
// it never collides with a system PostgreSQL.
const DefaultPort = 54329

// Cluster is one local PostgreSQL cluster rooted at Dir.
type Cluster struct {
	Dir      string // folder holding data/, run/, server.log and the superuser password
	Port     int
	Database string
	Log      *slog.Logger

	binDir string
	cred   *syscall.Credential // set when running the server as another user (root case)
	uid    int
}

// New describes a cluster in dir; it does not touch the disk.
func New(dir string, port int, log *slog.Logger) (*Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cluster folder %q: %w", dir, err)
	}
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: abs, Port: port, Database: "waspada", Log: log, binDir: bin, uid: -1}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root: PostgreSQL needs an unprivileged account and there is no 'postgres' user (install postgresql-15, which creates it)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		c.uid = uid
	}
	return c, nil
}

// findBinDir locates PostgreSQL 15's server programs (Debian keeps them off PATH).
func findBinDir() (string, error) {
	candidates := []string{os.Getenv("WASPADA_PG_BIN"), "/usr/lib/postgresql/15/bin"}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(r))
		}
	}
	for _, d := range candidates {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL 15 server programs not found (looked in /usr/lib/postgresql/15/bin and PATH): run `make deps` or `apt-get install postgresql-15 postgresql-15-postgis-3`")
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Dir, "data") }
func (c *Cluster) runDir() string  { return filepath.Join(c.Dir, "run") }
func (c *Cluster) logFile() string { return filepath.Join(c.Dir, "server.log") }
func (c *Cluster) pwFile() string  { return filepath.Join(c.Dir, "superuser.pw") }
func (c *Cluster) initialised() bool {
	_, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION"))
	return err == nil
}

// URL is the connection string of the cluster's database (superuser).
func (c *Cluster) URL() (string, error) {
	pw, err := os.ReadFile(c.pwFile())
	if err != nil {
		return "", fmt.Errorf("cluster in %s is not initialised (run `waspada db start`): %w", c.Dir, err)
	}
	return c.urlFor(c.Database, strings.TrimSpace(string(pw))), nil
}

func (c *Cluster) urlFor(db, pw string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("postgres", pw),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// Start initialises the cluster if needed, starts the server if it is not running,
// and makes sure the database and the postgis extension exist. It is idempotent.
func (c *Cluster) Start(ctx context.Context) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("create cluster folder: %w", err)
	}
	if err := c.checkReachable(); err != nil {
		return err
	}
	if !c.initialised() {
		if err := c.initdb(ctx); err != nil {
			return err
		}
	}
	if !c.Running(ctx) {
		c.Log.Info("starting PostgreSQL", "dir", c.Dir, "port", c.Port)
		if err := c.pgctl(ctx, "start", "-w", "-t", "60", "-l", c.logFile()); err != nil {
			return fmt.Errorf("start PostgreSQL (see %s): %w", c.logFile(), err)
		}
	}
	return c.ensureDatabase(ctx)
}

// checkReachable fails early when the server account cannot reach the folder,
// e.g. a checkout under /root, which is mode 0700.
func (c *Cluster) checkReachable() error {
	if c.cred == nil {
		return nil
	}
	for d := c.Dir; d != "/"; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o001 == 0 {
			if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) == c.uid {
				continue
			}
			return fmt.Errorf("the postgres account cannot enter %s (mode %v): choose a cluster folder it can reach with --dir or WASPADA_PG_DIR", d, st.Mode().Perm())
		}
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context) error {
	c.Log.Info("initialising PostgreSQL cluster", "dir", c.dataDir())
	pw := make([]byte, 18)
	if _, err := rand.Read(pw); err != nil {
		return err
	}
	if err := os.WriteFile(c.pwFile(), []byte(hex.EncodeToString(pw)+"\n"), 0o600); err != nil {
		return fmt.Errorf("write superuser password: %w", err)
	}
	for _, d := range []string{c.dataDir(), c.runDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	if err := c.chownAll(c.Dir); err != nil {
		return err
	}
	err := c.run(ctx, filepath.Join(c.binDir, "initdb"), "-D", c.dataDir(), "-U", "postgres",
		"--pwfile", c.pwFile(), "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C.UTF-8")
	if err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	conf := fmt.Sprintf(`
# --- waspada local cluster ---
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
max_connections = 200
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
jit = off
`, c.Port, c.runDir())
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteString(conf); err != nil {
		return fmt.Errorf("write postgresql.conf: %w", err)
	}
	return nil
}

func (c *Cluster) chownAll(dir string) error {
	if c.cred == nil {
		return nil
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(c.cred.Uid), int(c.cred.Gid))
	})
}

func (c *Cluster) ensureDatabase(ctx context.Context) error {
	pw, err := os.ReadFile(c.pwFile())
	if err != nil {
		return err
	}
	admin, err := connectRetry(ctx, c.urlFor("postgres", strings.TrimSpace(string(pw))))
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.Database).Scan(&exists); err != nil {
		return fmt.Errorf("look up database: %w", err)
	}
	if !exists {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.Database}.Sanitize()); err != nil {
			return fmt.Errorf("create database %s: %w", c.Database, err)
		}
	}
	db, err := connectRetry(ctx, c.urlFor(c.Database, strings.TrimSpace(string(pw))))
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
		return fmt.Errorf("create extension postgis (is postgresql-15-postgis-3 installed?): %w", err)
	}
	return nil
}

func connectRetry(ctx context.Context, dsn string) (*pgx.Conn, error) {
	var last error
	for i := 0; i < 50; i++ {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			return conn, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("connect to local cluster: %w", last)
}

// Stop shuts the server down (fast mode: open transactions are rolled back).
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.Running(ctx) {
		return nil
	}
	if err := c.pgctl(ctx, "stop", "-w", "-m", "fast"); err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	return nil
}

// Running reports whether the server of this cluster is up.
func (c *Cluster) Running(ctx context.Context) bool {
	if !c.initialised() {
		return false
	}
	return c.pgctl(ctx, "status") == nil
}

func (c *Cluster) pgctl(ctx context.Context, args ...string) error {
	return c.run(ctx, filepath.Join(c.binDir, "pg_ctl"), append([]string{"-D", c.dataDir()}, args...)...)
}

func (c *Cluster) run(ctx context.Context, prog string, args ...string) error {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = c.Dir
	// pg_ctl start leaves the server running; it must not die with our process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(prog), strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
