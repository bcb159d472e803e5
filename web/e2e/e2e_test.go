// Package e2e runs the map's end-to-end browser test (run.mjs) against a real
// server: a throw-away database with the reference boundaries, a risk run,
// the tile server, the JSON API, the glyphs and the built front end.
//
// The data is the whole product chain, as `make demo` builds it: the
// demo-size synthetic operational data (internal/synth) imported by
// internal/importer, and a real `risk compute` (internal/riskrun): about 25 s
// on this machine. WASPADA_E2E_DATA=synthetic uses the apitest seeder instead
// (a made-up run over three provinces), to tell a front-end fault from an
// engine fault.
//
// Requirements: web/dist (make web), web/node_modules (npm ci), node and
// /usr/bin/chromium. Without them the test skips, unless WASPADA_E2E=require
// (set by `make test-web`), which turns a skip into a failure.
package e2e

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/api/apitest"
	httpapp "github.com/waspada-id/waspada/internal/app"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/riskrun"
	"github.com/waspada-id/waspada/internal/synth"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/tiles"
)

// Kabupaten the synthetic run covers: Kepulauan Riau (21), Bali (51) and
// Nusa Tenggara Timur (53), whole provinces.
var seedProvinces = []string{"21", "51", "53"}

// The test account (a throw-away database: the password protects nothing).
const (
	e2eUser     = "e2e-admin"
	e2ePassword = "correct horse battery staple e2e"
)

func webDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

func need(t *testing.T, ok bool, msg string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("WASPADA_E2E") == "require" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func TestMapInBrowser(t *testing.T) {
	web := webDir()
	_, err := os.Stat(filepath.Join(web, "dist", "index.html"))
	need(t, err == nil, "front end not built: run `make web`")
	_, err = os.Stat(filepath.Join(web, "node_modules", "playwright-core"))
	need(t, err == nil, "web/node_modules missing: run `make web` (npm ci)")
	node, err := exec.LookPath("node")
	need(t, err == nil, "node not on PATH")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err = os.Stat(chromium)
	need(t, err == nil, "chromium missing: apt-get install chromium (.ci/install-deps)")
	if os.Getenv("WASPADA_TEST_PG") == "" {
		need(t, false, "WASPADA_TEST_PG is unset: run through `make test-web`")
	}

	ctx := context.Background()
	pool := testdb.Reference(t)
	if os.Getenv("WASPADA_E2E_DATA") == "synthetic" {
		seedSynthetic(t, ctx, pool)
	} else {
		realData(t, ctx, pool)
	}

	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The real server (internal/app, as `waspada serve` builds it): the browser
	// signs in through /login as a national admin, and the server's
	// Content-Security-Policy applies to the page.
	st, err := auth.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUser(ctx, auth.User{Username: e2eUser, Role: access.Admin}, e2ePassword, auth.DefaultParams()); err != nil {
		t.Fatal(err)
	}
	acfg := auth.DefaultConfig()
	acfg.Unlimited() // one browser loads hundreds of tiles a minute
	srv, err := httpapp.New(sctx, httpapp.Config{Pool: pool, Log: log,
		Tiles: tiles.Config{CacheBytes: 64 << 20, DBTimeout: 10 * time.Second}, Auth: acfg, WebDir: filepath.Join(web, "dist")})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	url := "http://" + ln.Addr().String()
	t.Logf("serving %s", url)

	if hold := os.Getenv("WASPADA_E2E_HOLD"); hold != "" {
		// Development aid: keep the server up to look at it by hand.
		d, _ := time.ParseDuration(hold)
		t.Logf("holding the server for %v", d)
		time.Sleep(d)
	}

	out := filepath.Join(web, "..", "out", "e2e")
	cmdCtx, cmdCancel := context.WithTimeout(ctx, 12*time.Minute)
	defer cmdCancel()
	cmd := exec.CommandContext(cmdCtx, node, "e2e/run.mjs", "--url", url, "--out", out, "--chromium", chromium,
		"--kab", "21.71", "--name", "Batam", "--user", e2eUser, "--password", e2ePassword)
	cmd.Dir = web
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var summary string
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			t.Log(line)
			if strings.Contains(line, " passed, ") {
				summary = line
			}
		}
	}()
	err = cmd.Wait()
	pw.Close()
	<-scanDone
	if err != nil {
		t.Fatalf("browser test failed (%v): %s", err, summary)
	}
	checkAgreement(t, pool, out)
	cancel()
	<-done
}

// seedSynthetic writes the apitest run over whole provinces.
func seedSynthetic(t *testing.T, ctx context.Context, pool *pgxpool.Pool) {
	var kabs []string
	rows, err := pool.Query(ctx, `SELECT code FROM kabupaten WHERE provinsi_code = ANY ($1) ORDER BY code`, seedProvinces)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		_ = rows.Scan(&c)
		kabs = append(kabs, c)
	}
	rows.Close()
	start := time.Now()
	_, cells, err := apitest.Seed(ctx, pool, apitest.Options{Kabupaten: kabs, Res: 7,
		Period: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Periods: 14})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("synthetic risk run: %d kabupaten, %d cells at res 7, %v", len(kabs), len(cells), time.Since(start).Round(time.Millisecond))
}

// realData generates, imports and computes as `make demo` does.
func realData(t *testing.T, ctx context.Context, pool *pgxpool.Pool) {
	start := time.Now()
	w, err := synth.LoadWorld(testdb.DataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := synth.SizeByName("demo")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := synth.Generate(w, cfg, 42)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := ds.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	im, err := importer.New(pool, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range synth.Files() {
		rep, err := im.File(ctx, f.Kind, filepath.Join(dir, f.File), false)
		if err != nil {
			t.Fatalf("import %s: %v", f.File, err)
		}
		if !rep.OK() {
			t.Fatalf("import %s: %d problems, first %+v", f.File, len(rep.Errors), rep.Errors[0])
		}
	}
	imported := time.Since(start)
	eng, err := riskrun.New(pool, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Compute(ctx, riskrun.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("real data: demo generated and imported in %v, risk computed in %v",
		imported.Round(time.Second), (time.Since(start) - imported).Round(time.Second))
}

type testLog struct{ t *testing.T }

func (w testLog) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
