package workflow

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb/geojson"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
	"github.com/waspada-id/waspada/internal/routes"
)

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestWorkflowAgainstPostGIS(t *testing.T) {
	fx := newFixture(t)
	t.Run("sites", func(t *testing.T) { testSites(t, fx) })
	t.Run("sites_errors", func(t *testing.T) { testSitesErrors(t, fx) })
	t.Run("operation_personal", func(t *testing.T) { testOperationPersonal(t, fx) })
	t.Run("operation_aggregate", func(t *testing.T) { testOperationAggregate(t, fx) })
	t.Run("operation_polygon", func(t *testing.T) { testOperationPolygon(t, fx) })
	t.Run("operation_errors", func(t *testing.T) { testOperationErrors(t, fx) })
	t.Run("operation_exports", func(t *testing.T) { testOperationExports(t, fx) })
	t.Run("brief", func(t *testing.T) { testBrief(t, fx) })
	t.Run("regions", func(t *testing.T) { testRegions(t, fx) })
}

func testSites(t *testing.T, fx *fixture) {
	rec := fx.do(t, admin(), "GET", "/api/workflow/sites?region=51&n=4&kind=tppo", "")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	plan := decode[SitePlan](t, rec.Body.Bytes())
	if len(plan.Picks) != 4 || plan.RadiusKm != DefaultRadiusKm || plan.Run.Period != "2026-10" || plan.DemandCells < 1000 {
		t.Fatalf("plan: %d picks, radius %v, period %s, %d cells", len(plan.Picks), plan.RadiusKm, plan.Run.Period, plan.DemandCells)
	}
	prevAfter, prevMarginal := plan.ExistingShare, 1e18
	for i, p := range plan.Picks {
		if slices.Contains(fx.binaan, p.DesaCode) {
			t.Errorf("pick %d is an existing desa binaan %s", i, p.DesaCode)
		}
		if !strings.HasPrefix(p.DesaCode, "51.") {
			t.Errorf("pick %s outside the region", p.DesaCode)
		}
		if abs(p.ShareBefore-prevAfter) > 1e-9 || p.ShareAfter <= p.ShareBefore {
			t.Errorf("pick %d shares %v -> %v (previous after %v)", i, p.ShareBefore, p.ShareAfter, prevAfter)
		}
		// Greedy marginal gains never increase (submodularity).
		if p.MarginalRisk > prevMarginal+1e-9 {
			t.Errorf("pick %d marginal %v > previous %v", i, p.MarginalRisk, prevMarginal)
		}
		if abs((p.ShareAfter-p.ShareBefore)*plan.TotalRisk-p.MarginalRisk) > 1e-6*plan.TotalRisk {
			t.Errorf("pick %d: marginal %v does not match the share step", i, p.MarginalRisk)
		}
		prevAfter, prevMarginal = p.ShareAfter, p.MarginalRisk
	}
	// The TPPO hot spot is in Buleleng: the first pick must be there.
	if plan.Picks[0].Kabupaten != "Kabupaten Buleleng" && !strings.Contains(plan.Picks[0].Kabupaten, "Buleleng") {
		t.Errorf("first pick in %s, want Buleleng (the hot spot)", plan.Picks[0].Kabupaten)
	}
	if plan.ExistingShare <= 0 || len(plan.Existing) != 2 {
		t.Errorf("existing desa binaan: share %v, %d listed", plan.ExistingShare, len(plan.Existing))
	}
	if plan.HighRisk.Cells == 0 || plan.HighRisk.CoveredAfter < plan.HighRisk.CoveredNow ||
		len(plan.Uncovered.Features) != plan.HighRisk.Cells-plan.HighRisk.CoveredAfter {
		t.Errorf("high risk %+v, %d uncovered features", plan.HighRisk, len(plan.Uncovered.Features))
	}
	t.Logf("site plan Bali: %d cells, %d candidates, existing %.1f%% -> %.1f%% after 4 sites, %d ms",
		plan.DemandCells, plan.Candidates, 100*plan.ExistingShare, 100*plan.FinalShare, plan.ElapsedMS)

	// A planner scoped to one kabupaten can plan there but not the province.
	p := planner()
	p.Kabupaten = []string{fxDenpasar}
	if rec := fx.do(t, p, "GET", "/api/workflow/sites?region=51", ""); rec.Code != 403 {
		t.Errorf("province outside kabupaten scope: %d", rec.Code)
	}
	rec = fx.do(t, p, "GET", "/api/workflow/sites?region=51.71&n=2&radius_km=2&kind=pmi", "")
	if rec.Code != 200 {
		t.Fatalf("kabupaten in scope: %d %s", rec.Code, rec.Body)
	}
	if pl := decode[SitePlan](t, rec.Body.Bytes()); pl.Region.Name == "" || pl.Kind != "pmi" || pl.RadiusKm != 2 {
		t.Errorf("plan %+v", pl.Region)
	}

	// CSV export: audited, one row per pick.
	before := len(fx.audits.list())
	rec = fx.do(t, admin(), "POST", "/api/workflow/sites.csv?region=51&n=3", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", rec.Code, rec.Header())
	}
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != "rank" || recs[1][0] != "1" {
		t.Fatalf("csv rows %v %v", recs, err)
	}
	a := fx.audits.list()
	if len(a) != before+1 || a[len(a)-1].Action != audit.Export || a[len(a)-1].Layer != "site_plan" {
		t.Errorf("audit after csv: %+v", a[before:])
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func testSitesErrors(t *testing.T, fx *fixture) {
	cases := []struct {
		p    *access.Principal
		url  string
		code int
	}{
		{nil, "/api/workflow/sites?region=51", 401},
		{admin(), "/api/workflow/sites", 400},
		{admin(), "/api/workflow/sites?region=5", 400},
		{admin(), "/api/workflow/sites?region=51&n=0", 400},
		{admin(), "/api/workflow/sites?region=51&n=abc", 400},
		{admin(), "/api/workflow/sites?region=51&n=1000", 400},
		{admin(), "/api/workflow/sites?region=51&radius_km=-1", 400},
		{admin(), "/api/workflow/sites?region=51&radius_km=NaN", 400},
		{admin(), "/api/workflow/sites?region=51&kind=overstay", 400},
		{admin(), "/api/workflow/sites?region=99", 404},
		{admin(), "/api/workflow/sites?region=52", 404}, // no risk cells in NTB in the fixture
		{planner("52"), "/api/workflow/sites?region=51", 403},
		{intel("52.01"), "/api/workflow/sites.csv?region=51", 403},
		{intel("51.71"), "/api/workflow/sites?region=51.71", 403}, // the site planner is not an intel officer's tool
	}
	for _, c := range cases {
		method := "GET"
		if strings.Contains(c.url, ".csv") {
			method = "POST"
		}
		rec := fx.do(t, c.p, method, c.url, "")
		if rec.Code != c.code {
			t.Errorf("%s: %d %s, want %d", c.url, rec.Code, rec.Body, c.code)
			continue
		}
		if e := decode[map[string]string](t, rec.Body.Bytes()); e["error"] == "" || strings.Contains(e["error"], "SQLSTATE") {
			t.Errorf("%s: error body %v", c.url, e)
		}
	}
}

func stops(plan OperationPlan) []Stop {
	var out []Stop
	for _, t := range plan.Teams {
		out = append(out, t.Stops...)
	}
	return out
}

func testOperationPersonal(t *testing.T, fx *fixture) {
	before := len(fx.audits.list())
	body := `{"kabupaten":["51.71"],"teams":3,"start":{"lat":-8.65,"lon":115.22}}`
	rec := fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation", body)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	plan := decode[OperationPlan](t, rec.Body.Bytes())
	// 15 overstays + 3 expiring (individual), 2 hotels, 2 worksites, 1 landing point.
	want := map[string]int{kindOverstay: 15, kindExpiring: 3, kindHotel: 2, kindWorksite: 2, kindLanding: 1}
	for k, n := range want {
		if plan.Totals[k] != n {
			t.Errorf("%s: %d, want %d (totals %v)", k, plan.Totals[k], n, plan.Totals)
		}
	}
	if !plan.Personal || len(plan.Teams) != 3 {
		t.Fatalf("personal %v teams %d", plan.Personal, len(plan.Teams))
	}
	sizes := []int{}
	for _, tm := range plan.Teams {
		sizes = append(sizes, len(tm.Stops))
		if tm.LengthKm > tm.NNKm+1e-6 {
			t.Errorf("team %d 2-opt %v > NN %v", tm.Number, tm.LengthKm, tm.NNKm)
		}
		for i, s := range tm.Stops {
			if s.Seq != i+1 {
				t.Errorf("team %d stop %d has seq %d", tm.Number, i, s.Seq)
			}
		}
	}
	if slices.Max(sizes)-slices.Min(sizes) > 1 {
		t.Errorf("team sizes %v not balanced", sizes)
	}
	named := 0
	for _, s := range stops(plan) {
		if s.Kind == kindOverstay && s.Detail["full_name"] != nil && s.Detail["passport_number"] != nil {
			named++
		}
	}
	if named != 15 {
		t.Errorf("%d overstays with identity, want 15", named)
	}
	a := fx.audits.list()[before:]
	if len(a) != 1 || a[0].Action != audit.Personal || a[0].Rows != 15+3+2+1 {
		t.Errorf("audit: %+v", a)
	}
	// Filters: only Chinese nationals, only overstays.
	rec = fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation", `{"kabupaten":["51.71"],"targets":["overstay","expiring"],"nationalities":["chn"],"teams":2}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	plan = decode[OperationPlan](t, rec.Body.Bytes())
	if plan.Totals[kindOverstay] != 15 || plan.Totals[kindExpiring] != 0 || len(stops(plan)) != 15 {
		t.Errorf("filtered totals %v", plan.Totals)
	}
	rec = fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation", `{"kabupaten":["51.71"],"targets":["worksite"],"min_foreign_workers":10}`)
	plan = decode[OperationPlan](t, rec.Body.Bytes())
	if plan.Totals[kindWorksite] != 1 || plan.People[kindWorksite] != 50 {
		t.Errorf("worksite filter: %v %v", plan.Totals, plan.People)
	}
}

// testOperationAggregate: the planner has no aggregate mode. A role without
// personal-data rights is refused before any query runs, with the same
// answer whatever its polygon and filters select (no count, no note, no
// audit row): nothing to bisect.
func testOperationAggregate(t *testing.T, fx *fixture) {
	before := len(fx.audits.list())
	var first []byte
	for i, body := range []string{
		`{"kabupaten":["51.71"],"teams":2}`,
		`{"kabupaten":["51.71"],"targets":["overstay"],"nationalities":["CHN"]}`,
		`{"polygon":{"type":"Polygon","coordinates":[[[115.205,-8.69],[115.23,-8.69],[115.23,-8.65],[115.205,-8.65],[115.205,-8.69]]]}}`,
		`{"polygon":{"type":"Polygon","coordinates":[[[115.0,-8.2],[115.1,-8.2],[115.1,-8.1],[115.0,-8.1],[115.0,-8.2]]]},"expiring_days":7}`,
	} {
		for _, path := range []string{"/api/workflow/operation", "/api/workflow/operation/export?format=csv"} {
			rec := fx.do(t, planner(fxProv), "POST", path, body)
			if rec.Code != 403 {
				t.Errorf("planner %s %s: %d %s, want 403", path, body, rec.Code, rec.Body)
			}
			if i == 0 && first == nil {
				first = rec.Body.Bytes()
			} else if !bytes.Equal(rec.Body.Bytes(), first) {
				t.Errorf("the refusal depends on the request: %s vs %s", rec.Body, first)
			}
		}
	}
	if n := len(fx.audits.list()) - before; n != 0 {
		t.Errorf("%d audit records for a refused request", n)
	}
}

func testOperationPolygon(t *testing.T, fx *fixture) {
	// A box around the overstay cluster and hotel A only.
	poly := `{"type":"Polygon","coordinates":[[[115.205,-8.69],[115.23,-8.69],[115.23,-8.65],[115.205,-8.65],[115.205,-8.69]]]}`
	rec := fx.do(t, admin(), "POST", "/api/workflow/operation", `{"polygon":`+poly+`,"teams":1}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	plan := decode[OperationPlan](t, rec.Body.Bytes())
	if plan.Totals[kindOverstay] != 15 || plan.Totals[kindHotel] != 1 || plan.Totals[kindWorksite] != 0 || plan.Totals[kindLanding] != 0 {
		t.Errorf("polygon totals %v", plan.Totals)
	}
	if plan.Area.AreaKm2 < 5 || plan.Area.AreaKm2 > 20 || !slices.Contains(plan.Area.Kabupaten, fxDenpasar) {
		t.Errorf("area %+v", plan.Area)
	}
	// As a Feature, self-intersecting (bow tie): refused before any SQL, saying why.
	bow := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[115.20,-8.70],[115.24,-8.64],[115.24,-8.70],[115.20,-8.64],[115.20,-8.70]]]}}`
	if rec := fx.do(t, admin(), "POST", "/api/workflow/operation", `{"polygon":`+bow+`}`); rec.Code != 400 || !strings.Contains(rec.Body.String(), "crosses itself") {
		t.Errorf("bow tie: %d %s", rec.Code, rec.Body)
	}
	// Drawn over Buleleng by an intel officer of Denpasar: refused.
	far := `{"type":"Polygon","coordinates":[[[115.0,-8.2],[115.1,-8.2],[115.1,-8.1],[115.0,-8.1],[115.0,-8.2]]]}`
	if rec := fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation", `{"polygon":`+far+`}`); rec.Code != 403 {
		t.Errorf("out-of-scope polygon: %d %s", rec.Code, rec.Body)
	}
	// Kecamatan of Denpasar.
	var kec string
	if err := fx.pool.QueryRow(t.Context(), `SELECT code FROM kecamatan WHERE kabupaten_code = $1 AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint($2, $3), 4326))`,
		fxDenpasar, fxOverstayPoint()[0], fxOverstayPoint()[1]).Scan(&kec); err != nil {
		t.Fatal(err)
	}
	rec = fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation", `{"kecamatan":["`+kec+`"],"targets":["overstay"]}`)
	if rec.Code != 200 {
		t.Fatalf("kecamatan: %d %s", rec.Code, rec.Body)
	}
	var want int
	if err := fx.pool.QueryRow(t.Context(), `SELECT count(*) FROM resident r JOIN kecamatan k ON ST_Intersects(k.geom, r.geom)
		WHERE k.code = $1 AND r.permit_expiry < '2026-11-15' AND r.address_kind = 'residence'`, kec).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if plan := decode[OperationPlan](t, rec.Body.Bytes()); want == 0 || plan.Totals[kindOverstay] != want {
		t.Errorf("kecamatan %s totals %v, want %d overstays", kec, plan.Totals, want)
	}
}

func testOperationErrors(t *testing.T, fx *fixture) {
	cases := []struct {
		name string
		p    *access.Principal
		body string
		code int
	}{
		{"anonymous", nil, `{"kabupaten":["51.71"]}`, 401},
		{"not json", admin(), `{kabupaten`, 400},
		{"unknown field", admin(), `{"kabupaten":["51.71"],"bogus":1}`, 400},
		{"no area", admin(), `{"teams":2}`, 400},
		{"bad code", admin(), `{"kabupaten":["5171"]}`, 400},
		{"unknown kabupaten", admin(), `{"kabupaten":["51.99"]}`, 404},
		{"unknown kecamatan", admin(), `{"kecamatan":["51.71.99"]}`, 404},
		{"teams 0 is 1, -1 bad", admin(), `{"kabupaten":["51.71"],"teams":-1}`, 400},
		{"teams too many", admin(), `{"kabupaten":["51.71"],"teams":51}`, 400},
		{"bad target", admin(), `{"kabupaten":["51.71"],"targets":["pirates"]}`, 400},
		{"bad nationality", admin(), `{"kabupaten":["51.71"],"nationalities":["C1N"]}`, 400},
		{"bad permit", admin(), `{"kabupaten":["51.71"],"permit_types":["KITAS"]}`, 400},
		{"bad sector", admin(), `{"kabupaten":["51.71"],"sectors":["piracy"]}`, 400},
		{"bad days", admin(), `{"kabupaten":["51.71"],"expiring_days":1000}`, 400},
		{"start abroad", admin(), `{"kabupaten":["51.71"],"start":{"lat":48.8,"lon":2.3}}`, 400},
		{"point polygon", admin(), `{"polygon":{"type":"Point","coordinates":[115.2,-8.6]}}`, 400},
		{"open ring", admin(), `{"polygon":{"type":"Polygon","coordinates":[[[115.2,-8.6],[115.3,-8.6],[115.3,-8.7],[115.2,-8.7]]]}}`, 400},
		{"lat/lon swapped", admin(), `{"polygon":{"type":"Polygon","coordinates":[[[-8.6,115.2],[-8.6,115.3],[-8.7,115.3],[-8.6,115.2]]]}}`, 400},
		{"garbage polygon", admin(), `{"polygon":"hello"}`, 400},
		{"collinear polygon", admin(), `{"polygon":{"type":"Polygon","coordinates":[[[115.2,-8.6],[115.3,-8.6],[115.25,-8.6],[115.2,-8.6]]]}}`, 400},
		{"too few points", admin(), `{"polygon":{"type":"Polygon","coordinates":[[[115.2,-8.6],[115.3,-8.6],[115.2,-8.6]]]}}`, 400},
		{"huge area", admin(), `{"polygon":{"type":"Polygon","coordinates":[[[100,-8],[140,-8],[140,5],[100,5],[100,-8]]]}}`, 400},
		{"out of scope kabupaten", intel(fxDenpasar), `{"kabupaten":["51.08"]}`, 403},
		{"out of scope kecamatan", intel(fxDenpasar), `{"kecamatan":["51.08.01"]}`, 403},
	}
	for _, c := range cases {
		rec := fx.do(t, c.p, "POST", "/api/workflow/operation", c.body)
		if rec.Code != c.code {
			t.Errorf("%s: %d %s, want %d", c.name, rec.Code, rec.Body, c.code)
		}
	}
	if rec := fx.do(t, admin(), "POST", "/api/workflow/operation/export?format=docx", `{"kabupaten":["51.71"]}`); rec.Code != 400 {
		t.Errorf("bad format: %d", rec.Code)
	}
	if rec := fx.do(t, admin(), "GET", "/api/workflow/operation", ""); rec.Code != 405 && rec.Code != 404 {
		t.Errorf("GET operation: %d", rec.Code)
	}
	// When the audit log is down, personal data and exports are not sent.
	fx.audits.mu.Lock()
	fx.audits.fail = true
	fx.audits.mu.Unlock()
	defer func() { fx.audits.mu.Lock(); fx.audits.fail = false; fx.audits.mu.Unlock() }()
	rec := fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation", `{"kabupaten":["51.71"]}`)
	if rec.Code != 503 || bytes.Contains(rec.Body.Bytes(), []byte("Nama Asing")) {
		t.Errorf("audit down, personal: %d %s", rec.Code, rec.Body)
	}
	if rec := fx.do(t, admin(), "POST", "/api/workflow/sites.csv?region=51.71&n=1", ""); rec.Code != 503 {
		t.Errorf("audit down, csv: %d", rec.Code)
	}
	// Aggregates need no audit record and still work.
	if rec := fx.do(t, kanwil(fxProv), "GET", "/api/workflow/sites?region=51.71&n=1", ""); rec.Code != 200 {
		t.Errorf("audit down, aggregate: %d", rec.Code)
	}
}

// artefacts is where tests leave PDFs and their page images for people to
// look at (WASPADA_ARTEFACTS), or a temp dir.
func artefacts(t *testing.T) string {
	if d := os.Getenv("WASPADA_ARTEFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// pdfPages renders a PDF with pdftoppm (poppler) when available and returns
// the page count; it fails the test when poppler cannot read the file.
func pdfPages(t *testing.T, pdf []byte, name string) int {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF: %.20q", name, pdf)
	}
	dir := artefacts(t)
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Logf("pdftoppm not installed: %s not rendered", path)
		return 0
	}
	out, err := exec.Command("pdftoppm", "-r", "60", "-png", path, filepath.Join(dir, name)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm %s: %v %s", name, err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, name+"-*.png"))
	t.Logf("%s: %d pages, %d bytes, images in %s", name, len(pages), len(pdf), dir)
	return len(pages)
}

// pdfText extracts a PDF's text with pdftotext (poppler); "" when poppler is
// not installed outside CI (under CI its absence fails the test).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is missing")
		}
		return ""
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func testOperationExports(t *testing.T, fx *fixture) {
	body := `{"title":"Operasi Bunga Jepun","kabupaten":["51.71"],"teams":3,"start":{"lat":-8.65,"lon":115.22}}`
	for _, f := range []string{"csv", "geojson", "pdf"} {
		before := len(fx.audits.list())
		rec := fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation/export?format="+f, body)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", f, rec.Code, rec.Body)
		}
		if !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: not an attachment", f)
		}
		a := fx.audits.list()[before:]
		if len(a) != 2 || a[0].Action != audit.Export || a[1].Action != audit.Personal || a[0].Detail["format"] != f {
			t.Errorf("%s audit: %+v", f, a)
		}
		switch f {
		case "csv":
			recs, err := csv.NewReader(rec.Body).ReadAll()
			if err != nil || len(recs) != 1+23 || !slices.Contains(recs[0], "full_name") {
				t.Errorf("csv: %d rows %v (%v)", len(recs), recs[0], err)
			}
		case "geojson":
			fc, err := geojson.UnmarshalFeatureCollection(rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			roles := map[string]int{}
			for _, ft := range fc.Features {
				roles[ft.Properties.MustString("role")]++
			}
			if roles["stop"] != 23 || roles["route"] != 3 {
				t.Errorf("geojson roles %v", roles)
			}
		case "pdf":
			if n := pdfPages(t, rec.Body.Bytes(), "operasi-intel"); n == 0 && os.Getenv("CI") != "" {
				t.Error("PDF not rendered")
			}
		}
	}
	// An area with nothing in it still gives a plan and a printable briefing.
	empty := `{"polygon":{"type":"Polygon","coordinates":[[[115.255,-8.600],[115.260,-8.600],[115.260,-8.595],[115.255,-8.595],[115.255,-8.600]]]},"teams":2}`
	rec := fx.do(t, admin(), "POST", "/api/workflow/operation", empty)
	if rec.Code != 200 {
		t.Fatalf("empty area: %d %s", rec.Code, rec.Body)
	}
	if p := decode[OperationPlan](t, rec.Body.Bytes()); len(stops(p)) != 0 || len(p.Teams) != 2 {
		t.Errorf("empty area plan: %+v", p.Totals)
	}
	rec = fx.do(t, admin(), "POST", "/api/workflow/operation/export?format=pdf", empty)
	if rec.Code != 200 || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
		t.Errorf("empty area pdf: %d", rec.Code)
	}
	// A planner gets no briefing at all (the planner has no aggregate mode).
	for _, f := range []string{"csv", "pdf", "geojson"} {
		rec = fx.do(t, planner(fxProv), "POST", "/api/workflow/operation/export?format="+f, body)
		if rec.Code != 403 || bytes.Contains(rec.Body.Bytes(), []byte("Nama Asing")) {
			t.Errorf("planner %s: %d %s", f, rec.Code, rec.Body)
		}
	}
}

func testBrief(t *testing.T, fx *fixture) {
	before := len(fx.audits.list())
	rec := fx.do(t, kanwil(fxProv), "POST", "/api/workflow/brief.pdf?province=51&period=2026-10", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if n := pdfPages(t, rec.Body.Bytes(), "brief-kanwil-51"); n < 2 && os.Getenv("CI") != "" {
		t.Errorf("brief has %d page(s)", n)
	}
	// Every section the Rakor Timpora brief promises, read back from the PDF's text.
	if text := pdfText(t, rec.Body.Bytes()); text != "" {
		for _, want := range []string{"Kantor Wilayah Provinsi Bali", "Rakor Timpora", "Oktober 2026", "Pokok-pokok", "Catatan dan rekomendasi",
			"Kelas risiko nasional", "Sangat tinggi", "dari", "rata-rata nasional",
			"Peta risiko", "Peringkat kabupaten/kota", "Denpasar", "Titik rawan",
			"Jangkauan desa binaan di wilayah berisiko tinggi", "Orang asing menurut jenis izin",
			"Orang asing menurut kewarganegaraan", "TERBATAS"} {
			if !strings.Contains(text, want) {
				t.Errorf("brief PDF lacks %q", want)
			}
		}
		// Codes become names: permit types in Bahasa, nationalities by name; no raw Gi* z.
		for _, never := range []string{"Nama Asing", "passport", "Paspor", "VISIT", "OTHER", " CHN ", "Gi* z"} {
			if strings.Contains(text, never) {
				t.Errorf("brief PDF (aggregates only) contains %q", never)
			}
		}
	}
	// No page but the last ends more than a third empty (the footer aside).
	for i, fill := range pdfPageFill(t, rec.Body.Bytes()) {
		if fill.last {
			break
		}
		if fill.used < 2.0/3 {
			t.Errorf("brief page %d: body ends at %.0f %% of the page", i+1, 100*fill.used)
		}
	}
	a := fx.audits.list()[before:]
	if len(a) != 1 || a[0].Action != audit.Export || a[0].Layer != "kanwil_brief" {
		t.Errorf("audit %+v", a)
	}
	// Default period = latest run.
	if rec := fx.do(t, kanwil(fxProv), "POST", "/api/workflow/brief.pdf?province=51", ""); rec.Code != 200 {
		t.Errorf("default period: %d", rec.Code)
	}
	rec = fx.do(t, kanwil(fxProv), "GET", "/api/workflow/brief/periods", "")
	if p := decode[map[string][]string](t, rec.Body.Bytes()); rec.Code != 200 || !slices.Equal(p["periods"], []string{"2026-10"}) {
		t.Errorf("periods %d %s", rec.Code, rec.Body)
	}
	cases := []struct {
		p    *access.Principal
		url  string
		code int
	}{
		{nil, "/api/workflow/brief.pdf?province=51", 401},
		{kanwil("52"), "/api/workflow/brief.pdf?province=51", 403},
		{intel(fxDenpasar), "/api/workflow/brief.pdf?province=51", 403}, // a kabupaten scope is not the province
		{kanwil(fxProv), "/api/workflow/brief.pdf?province=5", 400},
		{kanwil(fxProv), "/api/workflow/brief.pdf?province=51&period=2026-13", 400},
		{kanwil(fxProv), "/api/workflow/brief.pdf?province=51&period=2025-01", 404},
	}
	for _, c := range cases {
		if rec := fx.do(t, c.p, "POST", c.url, ""); rec.Code != c.code {
			t.Errorf("%s: %d %s, want %d", c.url, rec.Code, rec.Body, c.code)
		}
	}
}

func testRegions(t *testing.T, fx *fixture) {
	rec := fx.do(t, intel(fxDenpasar), "GET", "/api/workflow/regions", "")
	r := decode[struct{ Items []regionItem }](t, rec.Body.Bytes())
	if len(r.Items) != 1 || r.Items[0].Code != "51" {
		t.Errorf("provinces for a Denpasar officer: %+v", r.Items)
	}
	rec = fx.do(t, intel(fxDenpasar), "GET", "/api/workflow/regions?parent=51", "")
	r = decode[struct{ Items []regionItem }](t, rec.Body.Bytes())
	if len(r.Items) != 1 || r.Items[0].Code != fxDenpasar {
		t.Errorf("kabupaten for a Denpasar officer: %+v", r.Items)
	}
	rec = fx.do(t, intel(fxDenpasar), "GET", "/api/workflow/regions?parent=51.71", "")
	r = decode[struct{ Items []regionItem }](t, rec.Body.Bytes())
	if len(r.Items) < 3 {
		t.Errorf("kecamatan of Denpasar: %+v", r.Items)
	}
	if rec := fx.do(t, intel(fxDenpasar), "GET", "/api/workflow/regions?parent=51.08", ""); rec.Code != 403 {
		t.Errorf("kecamatan out of scope: %d", rec.Code)
	}
	if rec := fx.do(t, admin(), "GET", "/api/workflow/regions?parent=x", ""); rec.Code != 400 {
		t.Errorf("bad parent: %d", rec.Code)
	}
	rec = fx.do(t, admin(), "GET", "/api/workflow/regions", "")
	r = decode[struct{ Items []regionItem }](t, rec.Body.Bytes())
	if len(r.Items) < 38 {
		t.Errorf("admin provinces: %d", len(r.Items))
	}
}

// Without an Auditor, Register uses audit.Record: with no audit log installed
// for the request, exports and personal data are refused (503), aggregates
// are served.
func TestDefaultAuditorRefusesWithoutLog(t *testing.T) {
	fx := newFixture(t)
	r := mux.NewRouter()
	if err := Register(routes.New(r), Deps{DB: fx.pool, Now: fxNow}); err != nil {
		t.Fatal(err)
	}
	fx.router = r
	if rec := fx.do(t, admin(), "POST", "/api/workflow/sites.csv?region=51.71&n=1", ""); rec.Code != 503 {
		t.Errorf("csv without audit log: %d %s", rec.Code, rec.Body)
	}
	if rec := fx.do(t, intel(fxDenpasar), "POST", "/api/workflow/operation", `{"kabupaten":["51.71"]}`); rec.Code != 503 || bytes.Contains(rec.Body.Bytes(), []byte("Nama Asing")) {
		t.Errorf("personal data without audit log: %d", rec.Code)
	}
	if rec := fx.do(t, admin(), "GET", "/api/workflow/sites?region=51.71&n=1", ""); rec.Code != 200 {
		t.Errorf("aggregate without audit log: %d %s", rec.Code, rec.Body)
	}
	if err := Register(routes.New(mux.NewRouter()), Deps{}); err == nil {
		t.Error("Register without a database accepted")
	}
}

type pageFill struct {
	used float64 // lowest body text (or image) as a share of the page height
	last bool
}

// pdfPageFill reads where each page's body text ends (pdftotext -bbox),
// leaving out the footer line; nil when poppler is not installed outside CI.
func pdfPageFill(t *testing.T, pdf []byte) []pageFill {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is missing")
		}
		return nil
	}
	cmd := exec.Command("pdftotext", "-bbox", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	pageRe := regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	wordRe := regexp.MustCompile(`<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">`)
	var fills []pageFill
	for _, page := range strings.Split(string(out), "</page>") {
		m := pageRe.FindStringSubmatch(page)
		if m == nil {
			continue
		}
		h, _ := strconv.ParseFloat(m[2], 64)
		lowest := 0.0
		for _, w := range wordRe.FindAllStringSubmatch(page, -1) {
			y, _ := strconv.ParseFloat(w[1], 64)
			if y < h-45 && y > lowest { // the footer sits 12 mm (34 pt) from the bottom
				lowest = y
			}
		}
		fills = append(fills, pageFill{used: lowest / h})
	}
	if len(fills) > 0 {
		fills[len(fills)-1].last = true
	}
	return fills
}
