package matrix

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/access"
	httpapp "github.com/waspada-id/waspada/internal/app"
	"github.com/waspada-id/waspada/internal/audit"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/store"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/tiles"
)

type actor struct {
	name  string
	p     access.Principal
	token string
}

func actors() []*actor {
	return []*actor{
		{name: "admin", p: access.Principal{Role: access.Admin}},
		{name: "kanwil21", p: access.Principal{Role: access.KanwilHead, Provinces: []string{"21"}}},
		{name: "intel2171", p: access.Principal{Role: access.IntelOfficer, Kabupaten: []string{"21.71"}}},
		{name: "planner53", p: access.Principal{Role: access.Planner, Provinces: []string{"53"}}},
		{name: "partner2101", p: access.Principal{Role: access.Partner, Kabupaten: []string{"21.01"}}},
	}
}

// world is the assembled server and what the test knows about the data.
type world struct {
	srv    *httptest.Server
	router *mux.Router
	actors []*actor
	sec    secrets
	truth  []residentTruth
	app    *server.Server
	routes *routes.Table
	audit  *audit.Log
}

type residentTruth struct {
	cell h3.Cell
	kab  string
}

// assemble builds the server with internal/app, exactly as `waspada serve`
// does, on the app database role; the matrix walks its route table, so a new
// route is covered (or fails the test) without editing this file.
func assemble(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	admin := testdb.Empty(t)
	w := &world{actors: actors()}
	w.sec = loadFixture(t, admin)
	appURL, restricted, err := auth.AppDatabaseURL(ctx, admin, testdb.URL(t, admin))
	if err != nil || !restricted {
		t.Fatalf("app role: %v", err)
	}
	app, err := store.Open(ctx, appURL, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	st, err := auth.NewStore(admin)
	if err != nil {
		t.Fatal(err)
	}
	fast := auth.Params{Memory: 64, Time: 1, Threads: 1}
	for _, a := range w.actors {
		a.p.Username = a.name
		id, err := st.AddUser(ctx, auth.User{Username: a.name, Role: a.p.Role, Provinces: a.p.Provinces, Kabupaten: a.p.Kabupaten}, "matrix-password-1", fast)
		if err != nil {
			t.Fatal(err)
		}
		a.p.UserID = id
		if a.token, err = st.CreateToken(ctx, a.name, "matrix", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := admin.Query(ctx, "SELECT h3_r9, kabupaten_code FROM resident")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c int64
		var k string
		_ = rows.Scan(&c, &k)
		w.truth = append(w.truth, residentTruth{h3.Cell(c), k})
	}
	rows.Close()

	cfg := auth.DefaultConfig()
	cfg.Unlimited()
	cfg.Password = fast
	a, err := httpapp.New(ctx, httpapp.Config{Pool: app, Log: log,
		Tiles:      tiles.Config{CacheBytes: 64 << 20, DBTimeout: 10 * time.Second},
		APITimeout: 10 * time.Second, WorkflowTimeout: 60 * time.Second, Auth: cfg,
		WebDir: filepath.Join("..", "..", "..", "web", "dist")})
	if err != nil {
		t.Fatal(err)
	}
	w.audit = a.Audit
	w.app, w.router, w.routes = a.Server, a.Server.Router(), a.Routes
	w.srv = httptest.NewServer(a.Handler())
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) get(a *actor, path string) (int, []byte, http.Header) {
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
	if a != nil {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// countFields are numeric properties that count people or cases: never 1..9
// for a role without personal-data rights.
var countFields = map[string]bool{"count": true, "overstay": true, "hotel": true, "tppo": true, "pmi": true,
	"victims": true, "foreign_workers": true, "residents": true, "guests": true}

type recorder struct {
	mu   sync.Mutex
	list []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.list) < 60 {
		r.list = append(r.list, fmt.Sprintf(format, args...))
	}
}

func (r *recorder) report(t *testing.T, what string) {
	t.Helper()
	sort.Strings(r.list)
	for _, v := range r.list {
		t.Errorf("%s: %s", what, v)
	}
}

// tileFeature is one decoded feature with its WGS84 geometry.
type tileFeature struct {
	layer string
	geom  orb.Geometry
	props map[string]any
}

func decodeTile(body []byte, z, x, y uint32) ([]tileFeature, error) {
	if len(body) == 0 {
		return nil, nil
	}
	ls, err := mvt.Unmarshal(body)
	if err != nil {
		return nil, err
	}
	ls.ProjectToWGS84(maptile.New(x, y, maptile.Zoom(z)))
	var out []tileFeature
	for _, l := range ls {
		for _, f := range l.Features {
			out = append(out, tileFeature{layer: l.Name, geom: f.Geometry, props: f.Properties})
		}
	}
	return out, nil
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

type tileReq struct {
	set     tiles.Tileset
	z, x, y uint32
	centre  bool // the tile holding a fixture place (not a neighbour)
	place   place
}

func zooms(ts tiles.Tileset) []uint32 {
	var out []uint32
	for z := ts.MinZoom(); z <= min(ts.MaxZoom(), 16); z++ {
		out = append(out, z)
	}
	return out
}

// requests: every tileset at every zoom around every fixture place; cell-count
// tilesets also get the 3×3 neighbourhood so that all published cells near the
// data are seen (for the differencing check).
func requests(cat []tiles.Tileset) []tileReq {
	var out []tileReq
	for _, ts := range cat {
		cells := slices.ContainsFunc(ts.Layers, func(l tiles.Layer) bool { return strings.HasSuffix(l.Name, "_cells") })
		for _, p := range []place{placeA, placeE, placeK} {
			for _, z := range zooms(ts) {
				if ts.Public && z%4 != 0 {
					continue // the public basemap is checked at a few zooms
				}
				c := maptile.At(orb.Point{p.lon, p.lat}, maptile.Zoom(z))
				for dx := -1; dx <= 1; dx++ {
					for dy := -1; dy <= 1; dy++ {
						if (dx != 0 || dy != 0) && !cells {
							continue
						}
						out = append(out, tileReq{set: ts, z: z, x: uint32(int(c.X) + dx), y: uint32(int(c.Y) + dy), centre: dx == 0 && dy == 0, place: p})
					}
				}
			}
		}
	}
	return out
}

type published struct {
	mu    sync.Mutex
	sets  map[string]int               // tileset → features seen
	cells map[string]map[h3.Cell]int64 // layer → cell → count, per actor
	ids   map[string]map[string]bool   // "set/z/place/layer" → feature ids
}

// TestRoleRouteLayerMatrix is the access matrix: every role × every tileset
// (from the catalogue) × every zoom around places inside and outside its scope,
// then every API route on the router.
func TestRoleRouteLayerMatrix(t *testing.T) {
	w := assemble(t)
	cat := tiles.Catalogue()

	// the HTTP catalogue lists what the code catalogue says
	code, body, _ := w.get(w.actors[0], "/tiles")
	var httpCat struct {
		Tilesets []struct{ Name string } `json:"tilesets"`
	}
	if code != 200 || json.Unmarshal(body, &httpCat) != nil || len(httpCat.Tilesets) != len(cat) {
		t.Fatalf("GET /tiles = %d %s", code, body)
	}

	reqs := requests(cat)
	pubs := map[string]*published{}
	var bad recorder
	start := time.Now()
	for _, a := range w.actors {
		pub := &published{sets: map[string]int{}, cells: map[string]map[h3.Cell]int64{}, ids: map[string]map[string]bool{}}
		pubs[a.name] = pub
		var wg sync.WaitGroup
		ch := make(chan tileReq)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range ch {
					w.checkTile(a, r, pub, &bad)
				}
			}()
		}
		for _, r := range reqs {
			ch <- r
		}
		close(ch)
		wg.Wait()
	}
	t.Logf("%d tile requests per role, %d roles, %v", len(reqs), len(w.actors), time.Since(start).Round(time.Millisecond))
	bad.report(t, "tile")

	// exactly the allowed point features: a role sees what the admin sees,
	// restricted to its scope, and nothing else
	var exact recorder
	adminIDs := pubs["admin"].ids
	personalLayer := map[string]bool{}
	for _, ts := range cat {
		for _, l := range ts.Layers {
			personalLayer[l.Name] = l.Personal
		}
	}
	for _, a := range w.actors[1:] {
		for key, want := range adminIDs {
			got := pubs[a.name].ids[key]
			layer := key[strings.LastIndex(key, "/")+1:]
			for id := range want {
				kab := strings.SplitN(id, "|", 2)[1]
				allowed := a.p.InScope(kab) && (!personalLayer[layer] || a.p.CanSeePersonal(kab))
				if allowed && !got[id] {
					exact.add("%s misses %s in %s (in scope)", a.name, id, key)
				}
			}
			for id := range got {
				if !want[id] {
					exact.add("%s sees %s in %s, which the admin does not", a.name, id, key)
				}
			}
		}
	}
	exact.report(t, "exact")

	// cell counts equal the in-scope truth (published when allowed), and no
	// published set of counts reveals a withheld one by differencing zoom levels
	var cells recorder
	for _, a := range w.actors {
		w.checkCells(a, pubs[a.name], &cells)
	}
	cells.report(t, "cells")

	// the positive control: every role gets features from every tileset (each
	// role's scope holds data of every kind), so the checks above are not
	// vacuous
	for _, a := range w.actors {
		for _, ts := range cat {
			if pubs[a.name].sets[ts.Name] == 0 {
				t.Errorf("%s saw no feature of tileset %s: the matrix proves nothing there", a.name, ts.Name)
			}
		}
		t.Logf("%s: features per tileset %v", a.name, pubs[a.name].sets)
	}
	for _, a := range w.actors {
		n := 0
		for _, ids := range pubs[a.name].ids {
			n += len(ids)
		}
		if n == 0 {
			t.Errorf("%s saw no point feature at all: the matrix proves nothing for it", a.name)
		}
	}

	// personal tiles were audited
	rows, err := w.audit.Search(context.Background(), audit.Filter{Action: audit.Personal})
	if err != nil {
		t.Fatal(err)
	}
	who := map[string]int{}
	for _, r := range rows {
		who[r.Username]++
		if r.Rows <= 0 || r.Tile == "" || r.Layer == "" {
			t.Errorf("audit row without tile/layer/rows: %+v", r)
		}
	}
	for _, a := range w.actors {
		if a.p.MayUsePersonalAnywhere() != (who[a.name] > 0) {
			t.Errorf("%s: %d personal-data audit rows (role may see personal data: %v)", a.name, who[a.name], a.p.MayUsePersonalAnywhere())
		}
	}
}

func featureKab(f tileFeature) string {
	if k, ok := f.props["kabupaten_code"].(string); ok {
		return k
	}
	return ""
}

func (w *world) checkTile(a *actor, r tileReq, pub *published, bad *recorder) {
	path := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", r.set.Name, r.z, r.x, r.y)
	code, body, _ := w.get(a, path)
	if code >= 500 {
		bad.add("%s %s: status %d %s", a.name, path, code, body)
		return
	}
	if code != 200 && code != 204 {
		if code != 403 && code != 404 {
			bad.add("%s %s: status %d", a.name, path, code)
		}
		return
	}
	s := string(body)
	for _, sec := range [][]string{w.sec.names, w.sec.passports} {
		for _, v := range sec {
			if strings.Contains(s, v) {
				bad.add("%s %s: a name or passport number (%q) in a tile", a.name, path, v)
				return
			}
		}
	}
	if !a.p.MayUsePersonalAnywhere() && strings.Contains(s, "Hotel Rahasia") {
		bad.add("%s %s: a hotel guest's hotel in a tile", a.name, path)
	}
	fs, err := decodeTile(body, r.z, r.x, r.y)
	if err != nil {
		bad.add("%s %s: undecodable tile: %v", a.name, path, err)
		return
	}
	personal := map[string]bool{}
	for _, l := range r.set.Layers {
		personal[l.Name] = l.Personal
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	pub.sets[r.set.Name] += len(fs)
	for _, f := range fs {
		kab := featureKab(f)
		if !r.set.Public {
			if kab != "" && !a.p.InScope(kab) {
				bad.add("%s %s: layer %s feature of kabupaten %s outside scope", a.name, path, f.layer, kab)
			}
			if c, ok := f.props["code"].(string); ok && len(c) >= 5 && !a.p.InScope(c) {
				bad.add("%s %s: layer %s feature %s outside scope", a.name, path, f.layer, c)
			}
			if p, ok := f.geom.(orb.Point); ok && kab == "" {
				in := false
				for _, k := range kabAt(p.Lon(), p.Lat(), 0.15) {
					in = in || a.p.InScope(k)
				}
				if !in {
					bad.add("%s %s: layer %s point %v lies outside scope", a.name, path, f.layer, p)
				}
			}
		}
		if personal[f.layer] && !a.p.MayUsePersonalAnywhere() {
			bad.add("%s %s: personal layer %s served", a.name, path, f.layer)
		}
		if !a.p.MayUsePersonalAnywhere() {
			for k, v := range f.props {
				if n, ok := num(v); ok && countFields[k] && n >= 1 && n < access.MinPublishedCount {
					bad.add("%s %s: layer %s %s=%v (a count 1..9)", a.name, path, f.layer, k, v)
				}
			}
		}
		if hs, ok := f.props["h3"].(string); ok && strings.HasSuffix(f.layer, "_cells") {
			c := h3.Cell(h3.IndexFromString(hs))
			n, _ := num(f.props["count"])
			if pub.cells[f.layer] == nil {
				pub.cells[f.layer] = map[h3.Cell]int64{}
			}
			if old, seen := pub.cells[f.layer][c]; seen && old != int64(n) {
				bad.add("%s: cell %s published as %d and %v in different tiles", a.name, hs, old, n)
			}
			pub.cells[f.layer][c] = int64(n)
		}
		if id, ok := f.props["id"].(string); ok && r.centre && kab != "" {
			key := fmt.Sprintf("%s/%d/%s/%s", r.set.Name, r.z, r.place.name, f.layer)
			if pub.ids[key] == nil {
				pub.ids[key] = map[string]bool{}
			}
			pub.ids[key][id+"|"+kab] = true
		}
	}
}

// checkCells compares published resident cells with the truth and looks for
// differencing leaks: a published cell minus its published descendants at a
// finer published resolution must not be a count from 1 to 9.
func (w *world) checkCells(a *actor, pub *published, bad *recorder) {
	cells := pub.cells["residents_cells"]
	truth := map[h3.Cell]int64{}
	for _, r := range w.truth {
		if !a.p.InScope(r.kab) {
			continue
		}
		for res := 5; res <= 9; res++ {
			truth[r.cell.Parent(res)]++
		}
	}
	personal := a.p.MayUsePersonalAnywhere()
	for c, n := range cells {
		want := truth[c]
		switch {
		case personal && n != want:
			bad.add("%s: residents cell %s (res %d) published %d, in-scope truth %d", a.name, c, c.Resolution(), n, want)
		case !personal && (n > want || n < access.MinPublishedCount):
			// suppressed leaves may make a published count smaller than the
			// truth, never larger, and never below the threshold
			bad.add("%s: residents cell %s (res %d) published %d, in-scope truth %d", a.name, c, c.Resolution(), n, want)
		}
	}
	for c, n := range truth {
		if _, shown := cells[c]; personal && !shown && n > 0 && resolutionShown(cells, c.Resolution()) {
			bad.add("%s: residents cell %s (res %d) with %d in scope not published", a.name, c, c.Resolution(), n)
		}
	}
	if a.p.MayUsePersonalAnywhere() {
		return
	}
	for layer, cs := range pub.cells {
		byRes := map[int][]h3.Cell{}
		for c := range cs {
			byRes[c.Resolution()] = append(byRes[c.Resolution()], c)
		}
		for parent, pn := range cs {
			for res, children := range byRes {
				if res <= parent.Resolution() {
					continue
				}
				var sum int64
				for _, ch := range children {
					if ch.Parent(parent.Resolution()) == parent {
						sum += cs[ch]
					}
				}
				if d := pn - sum; sum > 0 && d >= 1 && d < access.MinPublishedCount {
					bad.add("%s: %s cell %s (res %d) = %d minus its published res-%d cells = %d: a withheld count is recoverable",
						a.name, layer, parent, parent.Resolution(), pn, res, d)
				}
			}
		}
	}
}

func resolutionShown(cells map[h3.Cell]int64, res int) bool {
	for c := range cells {
		if c.Resolution() == res {
			return true
		}
	}
	return false
}

// injection strings for every parameter and path segment
var injections = []string{
	"' OR '1'='1", "1; DROP TABLE resident;--", "\" OR 1=1 --", "1' UNION SELECT full_name, passport_number FROM resident_identity--",
	"../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00", "residents%00.mvt", "$(id)", "<script>alert(1)</script>",
	strings.Repeat("9", 400), "-1", "1e309", "NaN", "21.71'--", "{\"$ne\":1}",
}

// TestInjectionNever500 sends SQL injection and path traversal strings in every
// path variable and in common query parameters of every route on the router,
// and in tile layer names and coordinates; none may give a 5xx.
func TestInjectionNever500(t *testing.T) {
	w := assemble(t)
	var bad recorder
	admin, partner := w.actors[0], w.actors[4]
	probe := func(a *actor, method, path string) {
		req, err := http.NewRequest(method, w.srv.URL+path, strings.NewReader(`{"kabupaten":"' OR 1=1--","polygon":"../../x"}`))
		if err != nil {
			return // not even a URL: no server could be reached with it
		}
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			bad.add("%s %s %s: %d %s", a.name, method, path, resp.StatusCode, b)
		}
		if strings.Contains(string(b), "SQLSTATE") || strings.Contains(string(b), "pq:") || strings.Contains(string(b), "syntax error") {
			bad.add("%s %s %s: database error text in the answer: %s", a.name, method, path, b)
		}
	}
	// tiles: layer names and coordinates
	for _, inj := range injections {
		e := url.PathEscape(inj)
		for _, p := range []string{
			"/tiles/" + e + "/4/12/7.mvt", "/tiles/" + e + ".json", "/tiles/residents/" + e + "/1/1.mvt",
			"/tiles/residents/4/" + e + "/7.mvt", "/tiles/residents/4/12/" + e + ".mvt", "/tiles/residents/4/12/7." + e,
			"/tiles/" + inj + "/4/12/7.mvt",
		} {
			for _, a := range []*actor{admin, partner} {
				code, _, _ := func() (int, []byte, http.Header) {
					defer func() { _ = recover() }()
					return w.get(a, p)
				}()
				if code >= 500 {
					bad.add("%s GET %s: %d", a.name, p, code)
				} else if code != 0 && code < 400 && strings.Contains(p, e+"/") && strings.HasPrefix(p, "/tiles/"+e) {
					bad.add("%s GET %s: %d for a bad layer name, want 4xx", a.name, p, code)
				}
			}
		}
	}
	// every route on the router, every variable and common parameters
	params := []string{"kabupaten", "province", "provinsi", "code", "q", "layer", "kind", "from", "to", "period", "limit",
		"user", "bbox", "id", "res", "radius", "n", "format", "next", "action", "route", "before"}
	n := 0
	err := w.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return nil
		}
		methods, err := route.GetMethods()
		if err != nil {
			methods = []string{http.MethodGet, http.MethodPost}
		}
		vars := regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)
		for _, inj := range injections {
			path := vars.ReplaceAllString(tpl, url.PathEscape(inj))
			q := url.Values{}
			for _, p := range params {
				q.Set(p, inj)
			}
			for _, m := range methods {
				for _, a := range []*actor{admin, partner} {
					probe(a, m, path+"?"+q.Encode())
					probe(a, m, path)
					n++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d route × injection probes", n)
	bad.report(t, "injection")
}

// TestAPIRoutesByRole asks every GET route on the router as every role:
// admin-only routes refuse others, no answer to a role without personal-data
// rights carries a name, a passport number or a count from 1 to 9, and no
// answer carries another scope's kabupaten.
func TestAPIRoutesByRole(t *testing.T) {
	w := assemble(t)
	var bad recorder
	vars := regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)
	routes := 0
	_ = w.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil || !strings.HasPrefix(tpl, "/api/") {
			return nil
		}
		method := http.MethodGet
		if m, err := route.GetMethods(); err == nil && !slices.Contains(m, http.MethodGet) {
			if !slices.Contains(m, http.MethodPost) {
				return nil
			}
			method = http.MethodPost
		}
		routes++
		for _, a := range w.actors {
			for _, pl := range []place{placeA, placeE, placeK} {
				k := pl.kab
				scoped := false // the path names a region (or an object in one)
				path := vars.ReplaceAllStringFunc(tpl, func(v string) string {
					switch {
					case strings.Contains(v, "kab") || strings.Contains(v, "code") || strings.Contains(v, "area"):
						scoped = true
						return k
					case strings.Contains(v, "prov"):
						scoped = true
						return k[:2]
					case strings.Contains(v, "h3") || strings.Contains(v, "cell"):
						scoped = true
						return h3.LatLngToCell(h3.NewLatLng(pl.lat, pl.lon), 7).String()
					case strings.Contains(v, "kind"):
						return "tppo"
					}
					return "1"
				})
				before := w.auditCount(a)
				var code int
				var body []byte
				var hdr http.Header
				query := "?q=Kabupaten&kabupaten=" + k + "&region=" + k + "&province=" + k[:2] + "&provinsi=" + k[:2] + "&n=2&radius_km=5"
				if method == http.MethodPost {
					// a request naming one kabupaten, in the shape the
					// workflow endpoints take (body for the operation
					// planner, query for the exports); others answer 400, never 5xx
					scoped = true
					code, body, hdr = w.post(a, path+query+"&format=csv", `{"kabupaten":["`+k+`"],"teams":2,"title":"matrix"}`)
				} else {
					code, body, hdr = w.get(a, path+query)
				}
				pol, ok := w.policy(method, tpl)
				allowed := ok && pol.Allows(a.p)
				if !ok {
					bad.add("%s %s: no policy in the route table", method, tpl)
				} else if !allowed && code != 403 {
					bad.add("%s %s %s: %d, want 403 (the route is for %s)", a.name, method, path, code, pol.Describe())
				}
				if code == 200 && (w.hasPersonal(body) || strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment")) &&
					w.auditCount(a) == before {
					bad.add("%s %s %s: personal data or an export sent without an audit record", a.name, method, path)
				}
				if code >= 500 {
					bad.add("%s %s %s: %d", a.name, method, path, code)
					continue
				}
				if strings.HasPrefix(tpl, "/api/admin/") && a.p.Role != access.Admin && code != 403 {
					bad.add("%s %s %s: %d, want 403 (admin only)", a.name, method, path, code)
				}
				if scoped && !a.p.InScope(k) && code == 200 {
					bad.add("%s %s %s: 200 for an object outside the scope, want 403/404", a.name, method, path)
				}
				if scoped && allowed && a.p.InScope(k) && code == 403 {
					bad.add("%s %s %s: 403 inside the scope", a.name, method, path)
				}
				if code != 200 {
					continue
				}
				w.checkJSON(a, method+" "+path, body, &bad)
			}
		}
		return nil
	})
	if routes == 0 {
		t.Fatal("no API route found on the router")
	}
	t.Logf("%d API routes × %d roles", routes, len(w.actors))
	bad.report(t, "api")
	// /api/me says who the caller is
	for _, a := range w.actors {
		code, body, _ := w.get(a, "/api/me")
		var me auth.Me
		if code != 200 || json.Unmarshal(body, &me) != nil || me.Role != a.p.Role || me.PersonalData != a.p.MayUsePersonalAnywhere() {
			t.Errorf("%s /api/me = %d %s", a.name, code, body)
		}
	}
}

// policy is the route table's policy for a method and path template.
func (w *world) policy(method, tpl string) (access.Policy, bool) {
	for _, r := range w.routes.Routes() {
		if r.Path == tpl && (len(r.Methods) == 0 || slices.Contains(r.Methods, method)) {
			return r.Policy, true
		}
	}
	return access.Policy{}, false
}

func (w *world) checkJSON(a *actor, path string, body []byte, bad *recorder) {
	s := string(body)
	if !a.p.MayUsePersonalAnywhere() {
		for _, list := range [][]string{w.sec.names, w.sec.passports} {
			for _, v := range list {
				if strings.Contains(s, v) {
					bad.add("%s %s: name or passport %q in the answer", a.name, path, v)
					return
				}
			}
		}
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		w.checkCSV(a, path, body, bad)
		return
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(k, c)
			}
		case []any:
			for _, c := range x {
				walk(key, c)
			}
		case float64:
			if !a.p.MayUsePersonalAnywhere() && countFields[key] && x >= 1 && x < access.MinPublishedCount {
				bad.add("%s %s: %s=%v (a count 1..9)", a.name, path, key, x)
			}
		case string:
			if key == "kabupaten_code" && !a.p.InScope(x) && !strings.HasPrefix(path, "/api/admin/") {
				bad.add("%s %s: kabupaten_code %s outside scope", a.name, path, x)
			}
		}
	}
	walk("", v)
}

func (w *world) post(a *actor, path, body string) (int, []byte, http.Header) {
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func (w *world) auditCount(a *actor) int {
	rows, err := w.audit.Search(context.Background(), audit.Filter{Username: a.name, Limit: audit.MaxLimit})
	if err != nil {
		panic(err)
	}
	n := 0
	for _, r := range rows {
		if r.Action != string(audit.Admin) {
			n++
		}
	}
	return n
}

func (w *world) hasPersonal(body []byte) bool {
	s := string(body)
	for _, list := range [][]string{w.sec.names, w.sec.passports} {
		for _, v := range list {
			if strings.Contains(s, v) {
				return true
			}
		}
	}
	return false
}

// checkCSV applies the JSON rules to a CSV export: count columns, kabupaten_code.
func (w *world) checkCSV(a *actor, path string, body []byte, bad *recorder) {
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 2 {
		return
	}
	head := rows[0]
	for _, row := range rows[1:] {
		for i, v := range row {
			if i >= len(head) {
				break
			}
			if n, err := strconv.ParseFloat(v, 64); err == nil && !a.p.MayUsePersonalAnywhere() && countFields[head[i]] && n >= 1 && n < access.MinPublishedCount {
				bad.add("%s %s: CSV %s=%s (a count 1..9)", a.name, path, head[i], v)
			}
			if head[i] == "kabupaten_code" && v != "" && !a.p.InScope(v) {
				bad.add("%s %s: CSV kabupaten_code %s outside scope", a.name, path, v)
			}
		}
	}
}
