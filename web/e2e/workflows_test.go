package e2e

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/api"
	"github.com/waspada-id/waspada/internal/api/apitest"
	"github.com/waspada-id/waspada/internal/glyphs"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/tiles"
	"github.com/waspada-id/waspada/internal/webui"
	"github.com/waspada-id/waspada/internal/workflow"
	"github.com/waspada-id/waspada/internal/workflow/workflowtest"
)

// TestWorkflowsInBrowser drives the three workflow tools (site planner,
// joint-operation planner with a polygon drawn by clicking the map, kanwil
// brief) in Debian's chromium through workflows.mjs, against a server with the
// reference data, a synthetic risk run over Bali and the synthetic
// operational world of internal/workflow/workflowtest. The browser acts as an
// intel officer for Bali (personal data in scope). Downloads (CSV, PDF) land
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
	ts, err := tiles.New(sctx, tiles.Config{CacheBytes: 64 << 20, DBTimeout: 10 * time.Second}, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	go ts.Run(sctx)
	srv := server.New(server.Config{}, log)
	// An intel officer for the whole of Bali: authentication is tested in internal/auth.
	p := access.Principal{Username: "e2e-intel", Role: access.IntelOfficer, Provinces: []string{"51"}}
	srv.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
		})
	})
	srv.Mount(tiles.Prefix, ts)
	if err := api.Register(srv.Router(), api.Deps{Pool: pool, Log: log}); err != nil {
		t.Fatal(err)
	}
	gs, err := glyphs.New(glyphs.DefaultFonts())
	if err != nil {
		t.Fatal(err)
	}
	srv.Mount(glyphs.Prefix, gs)
	// The audit log itself is tested in internal/audit; here every record is counted.
	audits := &countingAuditor{}
	fixed := func() time.Time { return time.Date(2026, 11, 15, 3, 0, 0, 0, time.UTC) }
	if err := workflow.Register(srv.Router(), workflow.Deps{DB: pool, Log: log, Audit: audits, Now: fixed}); err != nil {
		t.Fatal(err)
	}
	webui.New(filepath.Join(web, "dist")).Register(srv.Router())
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
	cmd := exec.CommandContext(cmdCtx, node, "e2e/workflows.mjs", "--url", url, "--out", out, "--chromium", chromium)
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
	if n := audits.n(); n < 3 {
		t.Errorf("%d audit records for CSV + PDF exports with personal data", n)
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
