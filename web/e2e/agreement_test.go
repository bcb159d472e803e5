package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/workflow"
)

// agreement is what run.mjs saw for one kabupaten: the API's raw and display
// figures, and the text the scorecard and the ranking showed.
type agreement struct {
	Kab          string   `json:"kab"`
	Name         string   `json:"name"`
	RawChange    *float64 `json:"raw_change"`
	RawScore     float64  `json:"raw_score"`
	RankNational int      `json:"rank_national"`
	OfNation     int      `json:"of_nation"`
	API          struct {
		Score  string `json:"score"`
		Rank   string `json:"rank"`
		Change *struct {
			Text string `json:"text"`
		} `json:"change"`
	} `json:"api"`
	Card    map[string]string `json:"card"`
	Ranking map[string]string `json:"ranking"`
}

// normalise makes the surfaces' typography comparable: PDF text has no
// arrows, an en dash for the minus and plain spaces.
func normalise(s string) string {
	s = strings.NewReplacer("\u00a0", " ", "\u2212", "-", "\u2013", "-", "▲", "", "▼", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// checkAgreement compares the kabupaten's change, score and national rank
// across the API (raw and display), the rendered page and the kanwil brief
// PDF (pdftotext), digit for digit. The change is computed here from the raw
// ratio (−0.262 = −26,2 %), independently of geo/present.
func checkAgreement(t *testing.T, pool *pgxpool.Pool, out string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "agreement.json"))
	if err != nil {
		t.Fatalf("run.mjs wrote no agreement.json: %v", err)
	}
	var a agreement
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.RawChange == nil || a.API.Change == nil {
		t.Fatalf("%s has no change: %s", a.Kab, b)
	}
	pct := math.Round(*a.RawChange*1000) / 10
	want := strings.Replace(fmt.Sprintf("%+.1f %%", pct), ".", ",", 1)
	if pct == 0 {
		want = "±0,0 %"
	}
	wantRank := fmt.Sprintf("%d dari %d", a.RankNational, a.OfNation)
	for surface, got := range map[string]string{"API": a.API.Change.Text, "scorecard": a.Card["change"], "ranking": a.Ranking["change"]} {
		if normalise(got) != want {
			t.Errorf("%s change on the %s: %q, want %q (raw ratio %v)", a.Name, surface, got, want, *a.RawChange)
		}
	}
	if normalise(a.API.Rank) != wantRank || normalise(a.Card["rank"]) != wantRank {
		t.Errorf("%s national rank: API %q, scorecard %q, want %q", a.Name, a.API.Rank, a.Card["rank"], wantRank)
	}
	multiple := strings.SplitN(normalise(a.API.Score), " ", 2)[0] // "4,2"
	if !strings.HasPrefix(normalise(a.Card["score"]), multiple+" ×") || normalise(a.Ranking["score"]) != multiple+" ×" {
		t.Errorf("%s score: API %q, scorecard %q, ranking %q", a.Name, a.API.Score, a.Card["score"], a.Ranking["score"])
	}

	// The brief of the kabupaten's province, from the workflow handlers as a
	// national admin (the browser test's account).
	r := mux.NewRouter()
	noAudit := workflow.AuditorFunc(func(context.Context, audit.Entry) error { return nil }) // the audit log is tested elsewhere
	if err := workflow.Register(routes.New(r), workflow.Deps{DB: pool, Audit: noAudit, Now: func() time.Time { return time.Date(2026, 11, 15, 3, 0, 0, 0, time.UTC) }}); err != nil {
		t.Fatal(err)
	}
	admin := access.Principal{Username: e2eUser, Role: access.Admin}
	prov := a.Kab[:2]
	var pdf []byte
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req := httptest.NewRequest(method, "/api/workflow/brief.pdf?province="+prov, nil)
		req = req.WithContext(access.WithPrincipal(context.Background(), admin))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			pdf = rec.Body.Bytes()
			break
		}
		if rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("brief %s: %d %s", prov, rec.Code, rec.Body)
		}
	}
	if pdf == nil {
		t.Fatal("brief PDF: no method accepted")
	}
	path := filepath.Join(out, "brief-"+prov+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		need(t, false, "pdftotext (poppler-utils) is missing")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	text, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	var row string
	for _, line := range strings.Split(string(text), "\n") {
		// The ranking table's row: the name followed by the class and the figures.
		if strings.Contains(line, a.Name) && strings.Contains(line, " dari ") && strings.Contains(line, "×") {
			row = normalise(line)
			break
		}
	}
	if row == "" {
		t.Fatalf("brief %s: no ranking row for %s in\n%s", prov, a.Name, text)
	}
	// TPPO's score, change and national rank, in this order and adjacent.
	if seq := multiple + " × " + want + " " + wantRank; !strings.Contains(row, seq) {
		t.Errorf("brief PDF row for %s lacks %q: %q", a.Name, seq, row)
	}
	t.Logf("agreement for %s: change %s, score %s ×, rank %s on the API, the page and the brief (%s)", a.Name, want, multiple, wantRank, path)
}
