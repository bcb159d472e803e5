package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/api/apitest"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/testdb"
)

// Kabupaten of the seeded run: two in Kepulauan Riau (21), one in Bali (51).
var seeded = []string{"21.71", "21.01", "51.71"}

type fixture struct {
	pool  *pgxpool.Pool
	h     http.Handler
	run   int64
	cells []apitest.Cell
}

func newFixture(t *testing.T, withRun bool) *fixture {
	t.Helper()
	pool := testdb.Reference(t)
	f := &fixture{pool: pool}
	if withRun {
		var err error
		f.run, f.cells, err = apitest.Seed(context.Background(), pool, apitest.Options{
			Kabupaten: seeded, Res: 7, Period: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Periods: 14})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := mux.NewRouter()
	if err := Register(routes.New(r), Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	f.h = r
	return f
}

var (
	admin   = &access.Principal{Username: "a", Role: access.Admin}
	kepri   = &access.Principal{Username: "k", Role: access.KanwilHead, Provinces: []string{"21"}}
	partner = &access.Principal{Username: "p", Role: access.Partner, Kabupaten: []string{"21.71"}}
	intel   = &access.Principal{Username: "i", Role: access.IntelOfficer, Kabupaten: []string{"21.71"}}
)

// get calls the API as p (nil: anonymous) and decodes the JSON answer.
func (f *fixture) get(t *testing.T, p *access.Principal, path string, out any) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if p != nil {
		req = req.WithContext(access.WithPrincipal(req.Context(), *p))
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: content type %q: %s", path, ct, rec.Body)
	}
	body := rec.Body.Bytes()
	if rec.Code >= 400 {
		var e map[string]string
		if err := json.Unmarshal(body, &e); err != nil || e["error"] == "" {
			t.Fatalf("%s: %d without an error message: %s", path, rec.Code, body)
		}
		if strings.Contains(strings.ToLower(e["error"]), "sql") || strings.Contains(e["error"], "pgx") {
			t.Fatalf("%s: database text leaked: %s", path, e["error"])
		}
	}
	if out != nil && rec.Code == 200 {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s: %v: %s", path, err, body)
		}
	}
	return rec.Code
}

func hex(c apitest.Cell) string { return strconv.FormatUint(uint64(c.H3), 16) }

func TestAPI(t *testing.T) {
	f := newFixture(t, true)
	byKab := map[string]apitest.Cell{}
	for _, c := range f.cells {
		if _, ok := byKab[c.Kabupaten]; !ok {
			byKab[c.Kabupaten] = c
		}
	}
	batam, bali := byKab["21.71"], byKab["51.71"]
	if batam.H3 == 0 || bali.H3 == 0 {
		t.Fatalf("seed lacks cells: %v", byKab)
	}

	t.Run("status codes", func(t *testing.T) {
		cases := []struct {
			p    *access.Principal
			path string
			code int
		}{
			{nil, "/api/periods", 401},
			{nil, "/api/cells/tppo/" + hex(batam), 401},
			{nil, "/api/kabupaten/21.71", 401},
			{nil, "/api/ranking", 401},
			{nil, "/api/search?q=batam", 401},
			{admin, "/api/periods", 200},
			{admin, "/api/cells/tppo/" + hex(batam), 200},
			{admin, "/api/cells/pmi/" + hex(bali), 200},
			{admin, "/api/cells/overstay/" + hex(batam), 400},
			{admin, "/api/cells/tppo/zzzz", 400},
			{admin, "/api/cells/tppo/ffffffffffffffff", 400},
			{admin, "/api/cells/tppo/" + strconv.FormatUint(uint64(batam.H3.Parent(4)), 16), 404},
			{kepri, "/api/cells/tppo/" + hex(batam), 200},
			{kepri, "/api/cells/tppo/" + hex(bali), 403},
			{partner, "/api/cells/tppo/" + hex(bali), 403},
			{admin, "/api/kabupaten/21.71", 200},
			{admin, "/api/kabupaten/21.71?period=2026-05", 200},
			{admin, "/api/kabupaten/21.71?period=2026-05-02", 400},
			{admin, "/api/kabupaten/21.71?period=may", 400},
			{admin, "/api/kabupaten/2171", 400},
			{admin, "/api/kabupaten/99.99", 404},
			{kepri, "/api/kabupaten/51.71", 403},
			{partner, "/api/kabupaten/21.01", 403},
			{admin, "/api/ranking?kind=pmi&sort=change&order=asc", 200},
			{admin, "/api/ranking?kind=x", 400},
			{admin, "/api/ranking?sort=votes", 400},
			{admin, "/api/ranking?order=up", 400},
			{admin, "/api/ranking?provinsi=2", 400},
			{admin, "/api/ranking?limit=0", 400},
			{admin, "/api/search?q=a", 400},
			{admin, "/api/search?q=" + strings.Repeat("x", 101), 400},
			{admin, "/api/search?q=batam&limit=500", 400},
			{admin, "/api/search?q=%25_%5C", 200},
		}
		for _, c := range cases {
			who := "anonymous"
			if c.p != nil {
				who = string(c.p.Role)
			}
			if got := f.get(t, c.p, c.path, nil); got != c.code {
				t.Errorf("%s %s: %d, want %d", who, c.path, got, c.code)
			}
		}
	})

	t.Run("periods", func(t *testing.T) {
		var p struct {
			Latest  struct{ ID int64 }
			Periods []string
			Runs    []struct{ ID int64 }
		}
		f.get(t, kepri, "/api/periods", &p)
		if p.Latest.ID != f.run || len(p.Runs) != 1 || len(p.Periods) != 14 || p.Periods[0] != "2026-10-01" || p.Periods[13] != "2025-09-01" {
			t.Fatalf("periods: %+v", p)
		}
	})

	t.Run("cell explanation", func(t *testing.T) {
		var c struct {
			H3, Kind       string
			Res            int
			Score          float64
			GiBin          *int   `json:"gi_bin"`
			RankNational   int    `json:"rank_national"`
			CellsNational  int    `json:"cells_national"`
			RankKabupaten  int    `json:"rank_kabupaten"`
			CellsKabupaten int    `json:"cells_kabupaten"`
			KabupatenName  string `json:"kabupaten_name"`
			ProvinsiName   string `json:"provinsi_name"`
			Factors        []struct {
				Name         string
				LabelID      string `json:"label_id"`
				LabelEN      string `json:"label_en"`
				Value        *float64
				Suppressed   bool
				Contribution float64
			}
		}
		f.get(t, admin, "/api/cells/tppo/"+hex(batam), &c)
		if c.H3 != hex(batam) || c.Kind != "tppo" || c.Res != 7 || c.GiBin == nil {
			t.Fatalf("cell: %+v", c)
		}
		if math.Abs(c.Score-batam.Score["tppo"])/batam.Score["tppo"] > 1e-4 {
			t.Errorf("score %v, seeded %v", c.Score, batam.Score["tppo"])
		}
		if !strings.Contains(c.KabupatenName, "Batam") || c.ProvinsiName == "" {
			t.Errorf("names: %q, %q", c.KabupatenName, c.ProvinsiName)
		}
		if c.CellsNational != len(f.cells) || c.RankNational < 1 || c.RankNational > c.CellsNational ||
			c.RankKabupaten < 1 || c.RankKabupaten > c.CellsKabupaten || c.CellsKabupaten >= c.CellsNational {
			t.Errorf("ranks: %d/%d nationally, %d/%d in kabupaten", c.RankNational, c.CellsNational, c.RankKabupaten, c.CellsKabupaten)
		}
		if len(c.Factors) != len(apitest.Factors()) {
			t.Fatalf("%d factors", len(c.Factors))
		}
		// The contributions multiply out to the score.
		sum := apitest.Intercept
		for _, x := range c.Factors {
			sum += x.Contribution
			if x.LabelID == "" || x.LabelEN == "" || x.Value == nil {
				t.Errorf("factor %+v", x)
			}
		}
		if math.Abs(math.Exp(sum)-c.Score)/c.Score > 1e-3 {
			t.Errorf("exp(sum of contributions) = %v, score %v", math.Exp(sum), c.Score)
		}
		// Rank: exactly rank-1 seeded cells score higher.
		higher := 0
		for _, o := range f.cells {
			if o.Score["tppo"] > batam.Score["tppo"]*(1+1e-6) {
				higher++
			}
		}
		if d := c.RankNational - 1 - higher; d < -1 || d > 1 {
			t.Errorf("rank %d, %d seeded cells score higher", c.RankNational, higher)
		}
	})

	t.Run("small counts suppressed for partners only", func(t *testing.T) {
		// Find a Batam cell whose first factor (residents nearby) is 1..9.
		var target string
		for _, c := range f.cells {
			if c.Kabupaten != "21.71" {
				continue
			}
			var x struct {
				Factors []struct{ Value *float64 }
			}
			f.get(t, admin, "/api/cells/tppo/"+hex(c), &x)
			if v := x.Factors[0].Value; v != nil && *v >= 1 && *v <= 9 {
				target = hex(c)
				break
			}
		}
		if target == "" {
			t.Fatal("no Batam cell with 1..9 residents nearby in the seed")
		}
		type fx struct {
			Factors []struct {
				Value      *float64
				Suppressed bool
			}
		}
		var asPartner, asIntel fx
		f.get(t, partner, "/api/cells/tppo/"+target, &asPartner)
		f.get(t, intel, "/api/cells/tppo/"+target, &asIntel)
		if asPartner.Factors[0].Value != nil || !asPartner.Factors[0].Suppressed {
			t.Errorf("partner sees %v", *asPartner.Factors[0].Value)
		}
		if asIntel.Factors[0].Value == nil || asIntel.Factors[0].Suppressed {
			t.Errorf("intel officer in scope does not see the value")
		}
		// Non-integral values (a poverty percentage) stay visible to partners.
		if asPartner.Factors[5].Value == nil {
			t.Errorf("poverty rate suppressed for the partner")
		}
	})

	t.Run("scorecard", func(t *testing.T) {
		var k struct {
			Code, Name   string
			ProvinsiName string `json:"provinsi_name"`
			BBox         [4]float64
			Period       string
			Risks        map[string]struct {
				Score        *float64
				RankProvince *int `json:"rank_province"`
				RankNational *int `json:"rank_national"`
				OfProvince   int  `json:"of_province"`
				OfNation     int  `json:"of_nation"`
				Previous     *float64
				Change       *float64
				Trend        []struct {
					Period string
					Score  float64
				}
			}
		}
		f.get(t, kepri, "/api/kabupaten/21.71", &k)
		if k.Code != "21.71" || !strings.Contains(k.Name, "Batam") || k.Period != "2026-10-01" {
			t.Fatalf("scorecard: %+v", k)
		}
		if !(k.BBox[0] < 104.1 && k.BBox[2] > 104.0 && k.BBox[1] < 1.1 && k.BBox[3] > 0.9) {
			t.Errorf("bbox %v does not hold Batam", k.BBox)
		}
		for _, kind := range []string{"tppo", "pmi"} {
			r := k.Risks[kind]
			if r.Score == nil || r.RankNational == nil || r.RankProvince == nil || r.Change == nil || r.Previous == nil {
				t.Fatalf("%s: missing values %+v", kind, r)
			}
			if r.OfNation != 3 || r.OfProvince != 2 || *r.RankNational > 3 || *r.RankProvince > 2 {
				t.Errorf("%s ranks: %d/%d province, %d/%d nation", kind, *r.RankProvince, r.OfProvince, *r.RankNational, r.OfNation)
			}
			if len(r.Trend) != TrendPeriods || r.Trend[0].Period != "2025-11-01" || r.Trend[11].Period != "2026-10-01" {
				t.Fatalf("%s trend: %+v", kind, r.Trend)
			}
			last, prev := r.Trend[11].Score, r.Trend[10].Score
			if math.Abs(last-*r.Score) > 1e-9 || math.Abs(*r.Change-(last-prev)) > 1e-9 {
				t.Errorf("%s: score %v change %v, trend ends %v, %v", kind, *r.Score, *r.Change, prev, last)
			}
		}
		// An earlier period: the trend ends there.
		f.get(t, kepri, "/api/kabupaten/21.71?period=2026-03", &k)
		if tr := k.Risks["tppo"].Trend; len(tr) != 7 || tr[len(tr)-1].Period != "2026-03-01" {
			t.Errorf("trend to March: %+v", tr)
		}
	})

	t.Run("ranking is scoped and sorted", func(t *testing.T) {
		type rk struct {
			Rows []struct {
				Code   string
				Score  float64
				Change *float64
				Name   string
			}
		}
		var all, prov, mine, byName, byChange rk
		f.get(t, admin, "/api/ranking?kind=tppo", &all)
		f.get(t, kepri, "/api/ranking?kind=tppo", &prov)
		f.get(t, partner, "/api/ranking", &mine)
		f.get(t, admin, "/api/ranking?sort=name", &byName)
		f.get(t, admin, "/api/ranking?sort=change&order=asc", &byChange)
		if len(all.Rows) != 3 || len(prov.Rows) != 2 || len(mine.Rows) != 1 || mine.Rows[0].Code != "21.71" {
			t.Fatalf("rows: all %d, kepri %d, partner %+v", len(all.Rows), len(prov.Rows), mine.Rows)
		}
		for _, r := range prov.Rows {
			if !strings.HasPrefix(r.Code, "21.") {
				t.Errorf("kanwil Kepri sees %s", r.Code)
			}
		}
		for i := 1; i < 3; i++ {
			if all.Rows[i].Score > all.Rows[i-1].Score {
				t.Errorf("score order: %+v", all.Rows)
			}
			if byName.Rows[i].Name < byName.Rows[i-1].Name {
				t.Errorf("name order: %+v", byName.Rows)
			}
			if *byChange.Rows[i].Change < *byChange.Rows[i-1].Change {
				t.Errorf("change order: %+v", byChange.Rows)
			}
		}
		var bali rk
		f.get(t, admin, "/api/ranking?provinsi=51", &bali)
		if len(bali.Rows) != 1 || bali.Rows[0].Code != "51.71" {
			t.Errorf("provinsi filter: %+v", bali.Rows)
		}
	})

	t.Run("search", func(t *testing.T) {
		type res struct {
			Results []struct {
				Level, Code, Name string
				BBox              [4]float64
				InScope           bool `json:"in_scope"`
			}
		}
		var byName, byCode, dotless, village res
		f.get(t, partner, "/api/search?q=batam", &byName)
		if len(byName.Results) == 0 || byName.Results[0].Code != "21.71" || byName.Results[0].Level != "kabupaten" || !byName.Results[0].InScope {
			t.Fatalf("batam: %+v", byName.Results)
		}
		if b := byName.Results[0].BBox; !(b[0] < b[2] && b[1] < b[3]) {
			t.Errorf("bbox %v", b)
		}
		f.get(t, partner, "/api/search?q=51.71", &byCode)
		if len(byCode.Results) == 0 || byCode.Results[0].Code != "51.71" || byCode.Results[0].InScope {
			t.Fatalf("51.71: %+v", byCode.Results)
		}
		f.get(t, partner, "/api/search?q=5171", &dotless)
		if len(dotless.Results) == 0 || dotless.Results[0].Code != "51.71" {
			t.Fatalf("5171: %+v", dotless.Results)
		}
		// A village by its ten-digit code (any village of Denpasar).
		var code string
		if err := f.pool.QueryRow(context.Background(), `SELECT code FROM desa WHERE kabupaten_code = '51.71' ORDER BY code LIMIT 1`).Scan(&code); err != nil {
			t.Fatal(err)
		}
		f.get(t, admin, "/api/search?q="+strings.ReplaceAll(code, ".", ""), &village)
		if len(village.Results) == 0 || village.Results[0].Code != code || village.Results[0].Level != "desa" {
			t.Fatalf("village %s: %+v", code, village.Results)
		}
	})
}

// A new run replaces the cached national rank population.
func TestRanksFollowNewRun(t *testing.T) {
	f := newFixture(t, true)
	var bali apitest.Cell
	for _, c := range f.cells {
		if c.Kabupaten == "51.71" {
			bali = c
			break
		}
	}
	type rk struct {
		RunID         int64 `json:"run_id"`
		CellsNational int   `json:"cells_national"`
		RankNational  int   `json:"rank_national"`
	}
	var before, after rk
	f.get(t, admin, "/api/cells/tppo/"+hex(bali), &before)
	run2, cells2, err := apitest.Seed(context.Background(), f.pool, apitest.Options{
		Kabupaten: []string{"51.71"}, Res: 7, Period: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Periods: 2})
	if err != nil {
		t.Fatal(err)
	}
	f.get(t, admin, "/api/cells/tppo/"+hex(bali), &after)
	if before.CellsNational != len(f.cells) || after.RunID != run2 || after.CellsNational != len(cells2) || after.RankNational > len(cells2) {
		t.Fatalf("before %+v (%d cells), after %+v (run %d, %d cells)", before, len(f.cells), after, run2, len(cells2))
	}
}

func TestNoRunYet(t *testing.T) {
	f := newFixture(t, false)
	var p struct {
		Latest  *struct{ ID int64 }
		Periods []string
	}
	if code := f.get(t, admin, "/api/periods", &p); code != 200 || p.Latest != nil || p.Periods == nil {
		t.Fatalf("periods without a run: %d %+v", code, p)
	}
	for _, path := range []string{"/api/kabupaten/21.71", "/api/ranking", "/api/cells/tppo/8765a1b2cffffff"} {
		if code := f.get(t, admin, path, nil); code != 404 {
			t.Errorf("%s without a run: %d, want 404", path, code)
		}
	}
	// Search works on the boundaries alone.
	if code := f.get(t, admin, "/api/search?q=bali", nil); code != 200 {
		t.Errorf("search: %d", code)
	}
}
