package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/api/apitest"
	httpapp "github.com/waspada-id/waspada/internal/app"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/tiles"
	"github.com/waspada-id/waspada/internal/workflow/workflowtest"
)

// TestWorkflowsInBrowser drives the three workflow tools (site planner,
// joint-operation planner with a polygon drawn by clicking the map, kanwil
// brief) in Debian's chromium through workflows.mjs, against a server with the
// reference data, a synthetic risk run over Bali and the synthetic
// operational world of internal/workflow/workflowtest. The browser signs in
// as the role each tool is for. Downloads (CSV, PDF) land
// in out/e2e-workflows, and the PDFs are rendered to PNG there when pdftoppm
// is installed, for people to look at.
func TestWorkflowsInBrowser(t *testing.T) {
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
	var kabs []string
	rows, err := pool.Query(ctx, `SELECT code FROM kabupaten WHERE provinsi_code = '51' ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		_ = rows.Scan(&c)
		kabs = append(kabs, c)
	}
	rows.Close()
	if _, _, err := apitest.Seed(ctx, pool, apitest.Options{Kabupaten: kabs, Res: 8,
		Period: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Periods: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := workflowtest.SeedOperational(ctx, pool); err != nil {
		t.Fatal(err)
	}

	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The real server (internal/app). Each tool is used by a role that may
	// use it, signed in by an API token the browser sends on every request:
	// a planner and a kanwil head for Bali, an intel officer for its
	// kabupaten (personal data in scope), and a partner, who gets no tool.
	st, err := auth.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	fast := auth.Params{Memory: 64, Time: 1, Threads: 1}
	tokens := map[string]string{}
	for role, u := range map[string]auth.User{
		"planner": {Username: "e2e-planner", Role: access.Planner, Provinces: []string{"51"}},
		"intel":   {Username: "e2e-intel", Role: access.IntelOfficer, Kabupaten: kabs},
		"kanwil":  {Username: "e2e-kanwil", Role: access.KanwilHead, Provinces: []string{"51"}},
		"partner": {Username: "e2e-partner", Role: access.Partner, Provinces: []string{"51"}},
	} {
		if _, err := st.AddUser(ctx, u, "e2e-password-1", fast); err != nil {
			t.Fatal(err)
		}
		if tokens[role], err = st.CreateToken(ctx, u.Username, "e2e", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	tokJSON, _ := json.Marshal(tokens)
	acfg := auth.DefaultConfig()
	acfg.Unlimited()
	fixed := func() time.Time { return time.Date(2026, 11, 15, 3, 0, 0, 0, time.UTC) }
	app, err := httpapp.New(sctx, httpapp.Config{Pool: pool, Log: log, Auth: acfg, Now: fixed,
		Tiles: tiles.Config{CacheBytes: 64 << 20, DBTimeout: 10 * time.Second}, WebDir: filepath.Join(web, "dist")})
	if err != nil {
		t.Fatal(err)
	}
	srv := app
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	url := "http://" + ln.Addr().String()
	t.Logf("serving %s", url)
	if hold := os.Getenv("WASPADA_E2E_HOLD"); hold != "" {
		d, _ := time.ParseDuration(hold)
		t.Logf("holding the server for %v", d)
		time.Sleep(d)
	}

	out := filepath.Join(web, "..", "out", "e2e-workflows")
	cmdCtx, cmdCancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cmdCancel()
	cmd := exec.CommandContext(cmdCtx, node, "e2e/workflows.mjs", "--url", url, "--out", out, "--chromium", chromium, "--tokens", string(tokJSON))
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
	var exports int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'export'`).Scan(&exports); err != nil {
		t.Fatal(err)
	}
	if exports < 3 {
		t.Errorf("%d audit records for the CSV, GeoJSON and PDF exports", exports)
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil {
		pdfs, _ := filepath.Glob(filepath.Join(out, "*.pdf"))
		for _, f := range pdfs {
			if b, err := exec.Command("pdftoppm", "-r", "70", "-png", f, strings.TrimSuffix(f, ".pdf")).CombinedOutput(); err != nil {
				t.Errorf("pdftoppm %s: %v %s", f, err, b)
			}
		}
	}
	cancel()
	<-done
}
