package attack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
	httpapp "github.com/waspada-id/waspada/internal/app"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/riskrun"
	"github.com/waspada-id/waspada/internal/testdb/scenario"
	"github.com/waspada-id/waspada/internal/tiles"
)

// An analysis at resolution 6 with three rollup periods: every stage of a
// real run in a few seconds.
var quick = riskrun.Options{Res: 6, Periods: 3}

type role struct {
	user auth.User
	prov string
	tok  string
}

func roles() []*role {
	return []*role{
		{user: auth.User{Username: "kanwil21", Role: access.KanwilHead, Provinces: []string{"21"}}, prov: "21"},
		{user: auth.User{Username: "planner53", Role: access.Planner, Provinces: []string{"53"}}, prov: "53"},
		{user: auth.User{Username: "partner53", Role: access.Partner, Provinces: []string{"53"}}, prov: "53"},
	}
}

type point struct{ lon, lat float64 }

// request is one call of the snapshot list.
type request struct {
	role   *role
	method string
	path   string
	body   string
}

func (r request) String() string { return r.role.user.Username + " " + r.method + " " + r.path }

// TestWithheldCellsAreIndistinguishable is the acceptance test: the
// answers that roles without personal-data rights get are the same whether
// the withheld base cells hold one value or another within 0..9.
func TestWithheldCellsAreIndistinguishable(t *testing.T) {
	pool := scenario.DB(t, "demo", 42)
	ctx := context.Background()
	eng, err := riskrun.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Compute(ctx, quick); err != nil {
		t.Fatal(err)
	}
	rs := roles()
	st, err := auth.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if _, err := st.AddUser(ctx, r.user, "attack-password-1", auth.Params{Memory: 64, Time: 1, Threads: 1}); err != nil {
			t.Fatal(err)
		}
		if r.tok, err = st.CreateToken(ctx, r.user.Username, "attack", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	// The places the changes will touch, chosen (and the request list built)
	// before anything changes.
	plan := map[string][]mutation{}
	for _, prov := range []string{"21", "53"} {
		plan[prov] = chooseMutations(t, ctx, pool, prov)
	}
	var reqs []request
	for _, r := range rs {
		var pts []point
		for _, m := range plan[r.prov] {
			pts = append(pts, m.at)
		}
		reqs = append(reqs, requestsFor(t, ctx, pool, r, pts)...)
	}
	before := snapshot(t, ctx, pool, reqs)

	for _, prov := range []string{"21", "53"} {
		for _, m := range plan[prov] {
			if _, err := pool.Exec(ctx, m.sql, m.args...); err != nil {
				t.Fatalf("%s: %v", m.what, err)
			}
			t.Logf("province %s: %s", prov, m.what)
		}
	}
	if _, err := eng.Compute(ctx, quick); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, ctx, pool, reqs)

	diffs := 0
	for i, rq := range reqs {
		if before[i] != after[i] {
			diffs++
			if diffs <= 8 {
				at := 0
				for at < len(before[i]) && at < len(after[i]) && before[i][at] == after[i][at] {
					at++
				}
				from := max(0, at-150)
				t.Errorf("%s differs after withheld cells changed (at byte %d):\n before …%.400s\n after  …%.400s", rq, at, before[i][from:], after[i][from:])
			}
		}
	}
	if diffs > 0 {
		t.Fatalf("%d of %d answers depend on withheld cells", diffs, len(reqs))
	}
	t.Logf("%d answers identical before and after %d changes to withheld cells", len(reqs), len(plan["21"])+len(plan["53"]))

	// The test would see a change: the same changes are visible to an admin
	// (personal data), so the snapshot list does reach the changed rows.
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM resident WHERE id LIKE 'ATTACK-%'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("the planted residents are not there: %d %v", n, err)
	}
}

// mutation is one change to a withheld base cell.
type mutation struct {
	what string
	at   point
	sql  string
	args []any
}

const leafSQL = `(h3_r9 & ~(15::bigint << 52)) | (7::bigint << 52) | ((1::bigint << 24) - 1)`

// chooseMutations picks, in a province, base cells (resolution-7 leaves, as
// the tiles count them) holding 0 or 1..9 residents and a worksite with 1..9
// foreign workers, and the changes to make there, none of which moves a
// cell across the publication threshold.
func chooseMutations(t *testing.T, ctx context.Context, pool *pgxpool.Pool, prov string) []mutation {
	t.Helper()
	var out []mutation
	occupied := map[int64]bool{}
	small := map[int64]int{}
	rows, err := pool.Query(ctx, `SELECT `+leafSQL+`, count(*) FROM resident WHERE left(kabupaten_code, 2) = $1 GROUP BY 1`, prov)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var leaf int64
		var n int
		if err := rows.Scan(&leaf, &n); err != nil {
			t.Fatal(err)
		}
		occupied[leaf] = true
		if n < access.MinPublishedCount {
			small[leaf] = n
		}
	}
	rows.Close()
	// residents in cells of 3 (one removed), and in other small cells
	pick := func(cond func(n int) bool, skip []string) (id string, at point, ok bool) {
		var leaves []int64
		for l, n := range small {
			if cond(n) {
				leaves = append(leaves, l)
			}
		}
		slices.Sort(leaves)
		for _, l := range leaves {
			err := pool.QueryRow(ctx, `SELECT id, ST_X(geom), ST_Y(geom) FROM resident
				WHERE left(kabupaten_code, 2) = $1 AND `+leafSQL+` = $2 AND NOT (id = ANY ($3)) ORDER BY id LIMIT 1`,
				prov, l, append([]string{}, skip...)).Scan(&id, &at.lon, &at.lat)
			if err == nil {
				delete(small, l)
				return id, at, true
			}
		}
		return "", point{}, false
	}
	must := func(id string, at point, ok bool) (string, point) {
		if !ok {
			t.Fatalf("province %s: no resident in a withheld cell for the test", prov)
		}
		return id, at
	}
	id, at, ok := pick(func(n int) bool { return n == 3 }, nil)
	if !ok {
		id, at = must(pick(func(n int) bool { return n >= 2 }, nil))
	}
	out = append(out, mutation{"removed resident " + id + " from a small cell", at, `DELETE FROM resident WHERE id = $1`, []any{id}})
	id2, at2 := must(pick(func(n int) bool { return n >= 1 }, []string{id}))
	out = append(out, mutation{"changed the nationality of " + id2, at2,
		`UPDATE resident SET nationality = CASE WHEN nationality = 'AUS' THEN 'JPN' ELSE 'AUS' END WHERE id = $1`, []any{id2}})
	id3, at3 := must(pick(func(n int) bool { return n >= 1 }, []string{id, id2}))
	out = append(out, mutation{"moved the permit expiry of " + id3 + " by 400 days", at3,
		`UPDATE resident SET permit_expiry = permit_expiry + 400 WHERE id = $1`, []any{id3}})

	// a new resident in an empty cell: a village centre whose leaf holds nobody
	rows, err = pool.Query(ctx, `SELECT code, kabupaten_code, ST_X(centroid), ST_Y(centroid) FROM desa
		WHERE left(kabupaten_code, 2) = $1 ORDER BY code LIMIT 400`, prov)
	if err != nil {
		t.Fatal(err)
	}
	type desa struct {
		code, kab string
		at        point
	}
	var ds []desa
	for rows.Next() {
		var d desa
		if err := rows.Scan(&d.code, &d.kab, &d.at.lon, &d.at.lat); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	rows.Close()
	planted := false
	for _, d := range ds {
		c := h3.LatLngToCell(h3.NewLatLng(d.at.lat, d.at.lon), 9)
		if occupied[int64(c.Parent(7))] {
			continue
		}
		out = append(out, mutation{"added a resident at the centre of desa " + d.code + " (an empty cell)", d.at,
			`INSERT INTO resident (id, nationality, permit_type, permit_expiry, arrival_date, address_kind, reported_on,
			                       kabupaten_code, geom, h3_r9)
			 SELECT $1, 'GBR', 'ITAS', current_date + 200, current_date - 500, 'residence', current_date - 500,
			        $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5`,
			[]any{"ATTACK-" + prov, d.kab, d.at.lon, d.at.lat, int64(c)}})
		planted = true
		break
	}
	if !planted {
		t.Fatalf("province %s: no empty cell found", prov)
	}
	var ws string
	var wat point
	err = pool.QueryRow(ctx, `SELECT id, ST_X(geom), ST_Y(geom) FROM worksite
		WHERE left(kabupaten_code, 2) = $1 AND foreign_workers BETWEEN 1 AND 9 ORDER BY id LIMIT 1`, prov).Scan(&ws, &wat.lon, &wat.lat)
	if err == nil {
		out = append(out, mutation{"changed the foreign workers of worksite " + ws + " within 1..9", wat,
			`UPDATE worksite SET foreign_workers = CASE WHEN foreign_workers = 9 THEN 1 ELSE foreign_workers + 1 END WHERE id = $1`, []any{ws}})
	}
	return out
}

// requestsFor lists what a role can ask about its region: tiles of every
// non-public tileset around the changed places at every zoom and around its
// kabupaten at a few, hexagon explanations at every stored resolution, the
// scorecards, ranking, periods and search, and its tools (including refused
// ones: a refusal is an answer too).
func requestsFor(t *testing.T, ctx context.Context, pool *pgxpool.Pool, r *role, changed []point) []request {
	t.Helper()
	var out []request
	get := func(path string) { out = append(out, request{r, http.MethodGet, path, ""}) }
	post := func(path, body string) { out = append(out, request{r, http.MethodPost, path, body}) }

	type kab struct {
		code string
		at   point
	}
	var kabs []kab
	rows, err := pool.Query(ctx, `SELECT code, ST_X(label_point), ST_Y(label_point) FROM kabupaten WHERE provinsi_code = $1 ORDER BY code`, r.prov)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k kab
		if err := rows.Scan(&k.code, &k.at.lon, &k.at.lat); err != nil {
			t.Fatal(err)
		}
		kabs = append(kabs, k)
	}
	rows.Close()
	var sets []tiles.Tileset
	for _, ts := range tiles.Catalogue() {
		if !ts.Public {
			sets = append(sets, ts)
		}
	}
	seen := map[string]bool{}
	tile := func(ts tiles.Tileset, z uint32, p point) {
		if z < ts.MinZoom() || z > ts.MaxZoom() {
			return
		}
		path := fmt.Sprintf("/tiles/%s/%s.mvt", ts.Name, tilemath.TileAt(z, p.lon, p.lat))
		if !seen[path] {
			seen[path] = true
			get(path)
		}
	}
	for _, ts := range sets {
		for _, p := range changed {
			for z := uint32(4); z <= 16; z++ {
				tile(ts, z, p)
			}
		}
		for i, k := range kabs {
			if i%3 == 0 {
				for _, z := range []uint32{5, 8, 11} {
					tile(ts, z, k.at)
				}
			}
		}
	}
	for _, p := range append(changed, kabs[0].at) {
		for res := 4; res <= quick.Res; res++ {
			c := h3.LatLngToCell(h3.NewLatLng(p.lat, p.lon), res)
			for _, kind := range []string{"tppo", "pmi"} {
				get("/api/cells/" + kind + "/" + c.String())
			}
		}
	}
	for _, k := range kabs {
		get("/api/kabupaten/" + k.code)
	}
	for _, kind := range []string{"tppo", "pmi"} {
		get("/api/ranking?kind=" + kind + "&provinsi=" + r.prov)
	}
	get("/api/periods")
	get("/api/me")
	get("/api/workflow/regions?parent=" + r.prov)
	get("/api/workflow/brief/periods")
	post("/api/workflow/brief.pdf?province="+r.prov, "")
	get("/api/workflow/sites?region=" + r.prov + "&n=5")
	post("/api/workflow/sites.csv?region="+r.prov+"&n=5", "")
	// the planner over boxes that shrink around a changed place (the
	// bisection that located single residents), with personal filters
	for _, d := range []float64{0.5, 0.05, 0.005, 0.0005} {
		p := changed[0]
		poly := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
			p.lon-d, p.lat-d, p.lon+d, p.lat-d, p.lon+d, p.lat+d, p.lon-d, p.lat+d, p.lon-d, p.lat-d)
		post("/api/workflow/operation", `{"polygon":`+poly+`}`)
		post("/api/workflow/operation", `{"polygon":`+poly+`,"targets":["overstay","expiring"],"nationalities":["AUS"],"expiring_days":365}`)
	}
	return out
}

// snapshot asks a freshly built server (no cache from before) every request
// and returns each answer in a canonical form: decoded tiles with sorted
// features, JSON with run ids and times masked, PDF text.
func snapshot(t *testing.T, ctx context.Context, pool *pgxpool.Pool, reqs []request) []string {
	t.Helper()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg := auth.DefaultConfig()
	cfg.Unlimited()
	fixed := func() time.Time { return time.Date(2026, 11, 15, 3, 0, 0, 0, time.UTC) }
	a, err := httpapp.New(sctx, httpapp.Config{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Auth: cfg, Now: fixed,
		Tiles: tiles.Config{CacheBytes: 64 << 20, DBTimeout: 30 * time.Second}, WebDir: t.TempDir(), WorkflowTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	out := make([]string, len(reqs))
	for i, rq := range reqs {
		req, _ := http.NewRequest(rq.method, srv.URL+rq.path, strings.NewReader(rq.body))
		req.Header.Set("Authorization", "Bearer "+rq.role.tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", rq, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s: %d %s", rq, resp.StatusCode, body)
		}
		out[i] = fmt.Sprintf("%d %s", resp.StatusCode, canonical(t, resp.Header.Get("Content-Type"), body))
	}
	return out
}

var runIDs = regexp.MustCompile(`(?i)\b(run|perhitungan)\s*#?\d+`)

func canonical(t *testing.T, ctype string, body []byte) string {
	switch {
	case strings.HasPrefix(ctype, "application/vnd.mapbox-vector-tile") || strings.HasPrefix(ctype, "application/x-protobuf"):
		return canonicalTile(t, body)
	case strings.HasPrefix(ctype, "application/json"):
		var v any
		if json.Unmarshal(body, &v) != nil {
			return string(body)
		}
		b, _ := json.Marshal(mask(v))
		return string(b)
	case strings.HasPrefix(ctype, "application/pdf"):
		cmd := exec.Command("pdftotext", "-layout", "-", "-")
		cmd.Stdin = bytes.NewReader(body)
		txt, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		return runIDs.ReplaceAllString(string(txt), "run #")
	}
	return string(body)
}

// mask drops what differs between two runs of the same data: run ids and times.
func mask(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "run_id" || k == "id" || strings.HasSuffix(k, "_at") || k == "elapsed_ms" {
				x[k] = "masked"
				continue
			}
			if runs, ok := c.([]any); ok && k == "runs" && len(runs) > 1 {
				// the recompute adds a run to the period list: compare the newest
				c = runs[:1]
			}
			x[k] = mask(c)
		}
	case []any:
		for i, c := range x {
			x[i] = mask(c)
		}
	}
	return v
}

func canonicalTile(t *testing.T, body []byte) string {
	if len(body) == 0 {
		return "empty"
	}
	ls, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("tile: %v", err)
	}
	var out []string
	for _, l := range ls {
		var fs []string
		for _, f := range l.Features {
			var props []string
			for k, v := range f.Properties {
				if fv, ok := v.(float64); ok && !math.IsNaN(fv) {
					v = fmt.Sprintf("%.9g", fv)
				}
				props = append(props, fmt.Sprintf("%s=%v", k, v))
			}
			sort.Strings(props)
			fs = append(fs, wkt.MarshalString(f.Geometry)+" "+strings.Join(props, ","))
		}
		sort.Strings(fs)
		out = append(out, l.Name+":["+strings.Join(fs, ";")+"]")
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}
