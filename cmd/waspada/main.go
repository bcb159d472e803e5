// Command waspada is the whole product in one binary: the local database, the
// importers, the synthetic-data generator, the risk engine and the map server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/store"
)

// app carries what every subcommand needs; there is no package-level state.
type app struct {
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	summary string
	run     func(a *app, ctx context.Context, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"db":       {"start|stop|status|url|backup|restore|archive|basebackup the database", (*app).cmdDB},
		"migrate":  {"apply the embedded schema migrations", (*app).cmdMigrate},
		"import":   {"import reference data or an operational file", (*app).cmdImport},
		"generate": {"write realistic synthetic operational data", (*app).cmdGenerate},
		"risk":     {"compute|export|evaluate the H3 risk surfaces", (*app).cmdRisk},
		"serve":    {"serve the map, vector tiles and API", (*app).cmdServe},
		"user":     {"add|list|disable|passwd user accounts", (*app).cmdUser},
		// Data lifecycle (docs/DATA-LIFECYCLE.md).
		"retention": {"policy|apply: personal data past the retention policy", (*app).cmdRetention},
		"subject":   {"report: everything held about one person (admin)", (*app).cmdSubject},
	}
}

func main() {
	level := slog.LevelInfo
	if os.Getenv("WASPADA_DEBUG") != "" {
		level = slog.LevelDebug
	}
	a := &app{
		log:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		stdout: os.Stdout,
		stderr: os.Stderr,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := a.main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func (a *app) main(ctx context.Context, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		a.usage(cmds)
		return 2
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(a.stderr, "waspada: unknown command %q\n", args[0])
		a.usage(cmds)
		return 2
	}
	if err := c.run(a, ctx, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 2
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(a.stderr, "waspada %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(a.stderr, "waspada %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func (a *app) usage(cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: waspada <command> [arguments]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-9s %s\n", n, cmds[n].summary)
	}
	b.WriteString("\nDATABASE_URL selects the database; when unset, the local cluster in .waspada/pg is used (started if needed).\n")
	fmt.Fprint(a.stderr, b.String())
}

// usageError marks a wrong invocation (exit code 2) as opposed to a failure (1).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// flags makes a FlagSet that reports errors to stderr instead of exiting.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("waspada "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	return fs
}

// openDB resolves the database, opens a pool and applies pending migrations, so
// every command works on a fresh machine without a separate migrate step.
func (a *app) openDB(ctx context.Context, maxConns int32) (*pgxpool.Pool, error) {
	url, err := store.ResolveURL(ctx, a.log)
	if err != nil {
		return nil, err
	}
	pool, err := store.Open(ctx, url, maxConns)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, pool, a.log); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// startCPUProfile profiles the process into path until the returned stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
