package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
)

var (
	admin   = access.Principal{Username: "a", Role: access.Admin}
	kanwil  = access.Principal{Username: "k", Role: access.KanwilHead, Provinces: []string{"21"}}
	intel   = access.Principal{Username: "i", Role: access.IntelOfficer, Kabupaten: []string{"21.71"}}
	partner = access.Principal{Username: "p", Role: access.Partner, Provinces: []string{"21", "53"}}
	planner = access.Principal{Username: "pl", Role: access.Planner, Provinces: []string{"53"}}
)

func get(t testing.TB, h http.Handler, p *access.Principal, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://tiles.test"+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if p != nil {
		req = req.WithContext(access.WithPrincipal(req.Context(), *p))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func tileURL(set string, t tilemath.Tile) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", set, t.Z, t.X, t.Y)
}

// decode returns the tile's layers by name (identity-encoded body).
func decode(t testing.TB, body []byte) map[string]*mvt.Layer {
	t.Helper()
	out := map[string]*mvt.Layer{}
	if len(body) == 0 {
		return out
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	for _, l := range layers {
		if _, dup := out[l.Name]; dup {
			t.Fatalf("layer %s twice in one tile", l.Name)
		}
		out[l.Name] = l
		for _, f := range l.Features {
			checkWinding(t, l.Name, f.Geometry)
		}
	}
	return out
}

// checkWinding: MVT exterior rings are clockwise on screen (y down), which orb,
// measuring with y up, calls CCW; holes the other way.
func checkWinding(t testing.TB, layer string, g orb.Geometry) {
	t.Helper()
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, p := range polys {
		for i, r := range p {
			if (i == 0) != (r.Orientation() == orb.CCW) {
				t.Fatalf("layer %s: ring %d has the wrong winding", layer, i)
			}
		}
	}
}

func fetch(t testing.TB, s *Server, p access.Principal, set string, tile tilemath.Tile) map[string]*mvt.Layer {
	t.Helper()
	rec := get(t, s, &p, tileURL(set, tile))
	if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
		t.Fatalf("%s %v: status %d: %s", set, tile, rec.Code, rec.Body)
	}
	return decode(t, rec.Body.Bytes())
}

func codes(l *mvt.Layer, key string) []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, f := range l.Features {
		out = append(out, fmt.Sprint(f.Properties[key]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestHTTPErrors(t *testing.T) {
	s := newTestServer(t, fixtureDB(t, false), Config{})
	tests := []struct {
		name, method, path string
		p                  *access.Principal
		want               int
	}{
		{"anonymous tile", "GET", "/tiles/risk/6/50/31.mvt", nil, 401},
		{"anonymous catalogue", "GET", "/tiles", nil, 401},
		{"anonymous tilejson", "GET", "/tiles/risk.json", nil, 401},
		{"unknown layer", "GET", "/tiles/nope/6/50/31.mvt", &admin, 404},
		{"unknown tilejson", "GET", "/tiles/nope.json", &admin, 404},
		{"sql in layer", "GET", "/tiles/risk';DROP%20TABLE%20kabupaten;--/6/50/31.mvt", &admin, 404},
		{"path traversal", "GET", "/tiles/../../etc/passwd", &admin, 404},
		{"traversal in layer", "GET", "/tiles/..%2f..%2fetc/6/1/1.mvt", &admin, 404},
		{"unknown extension", "GET", "/tiles/risk/6/50/31.png", &admin, 400},
		{"no extension", "GET", "/tiles/risk/6/50/31", &admin, 400},
		{"x not integer", "GET", "/tiles/risk/6/a/31.mvt", &admin, 400},
		{"y negative", "GET", "/tiles/risk/6/50/-1.mvt", &admin, 400},
		{"x out of range", "GET", "/tiles/risk/6/64/31.mvt", &admin, 400},
		{"z huge", "GET", "/tiles/risk/99999999999/0/0.mvt", &admin, 400},
		{"z above maxzoom", "GET", "/tiles/risk/20/0/0.mvt", &admin, 404},
		{"z below minzoom", "GET", "/tiles/risk/1/0/0.mvt", &admin, 404},
		{"too few parts", "GET", "/tiles/risk/6/50.mvt", &admin, 400},
		{"too many parts", "GET", "/tiles/risk/6/50/31/2.mvt", &admin, 400},
		{"sql in y", "GET", "/tiles/risk/6/50/31%20OR%201=1.mvt", &admin, 400},
		{"post", "POST", "/tiles/risk/6/50/31.mvt", &admin, 405},
		{"other json", "GET", "/tiles/risk.xml", &admin, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://tiles.test/", nil)
			req.URL.Path = mustUnescape(t, tc.path)
			if tc.p != nil {
				req = req.WithContext(access.WithPrincipal(req.Context(), *tc.p))
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tc.want, rec.Body)
			}
			body := strings.ToLower(rec.Body.String())
			for _, leak := range []string{"sqlstate", "syntax error", "pgx", "postgres", "select "} {
				if strings.Contains(body, leak) {
					t.Fatalf("error body leaks %q: %s", leak, body)
				}
			}
		})
	}
}

func mustUnescape(t *testing.T, p string) string {
	t.Helper()
	req, err := http.NewRequest("GET", "http://x"+p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req.URL.Path
}

func TestTilesScopeAndPersonalData(t *testing.T) {
	s := newTestServer(t, fixtureDB(t, true), Config{})

	// z6: one tile holds both Batam kabupaten; Kupang is far away.
	batam6 := tilemath.TileAt(6, batamLon, batamLat)
	kupang6 := tilemath.TileAt(6, kupangLon, kupangLat)

	t.Run("kabupaten rollups only in scope", func(t *testing.T) {
		if got := codes(fetch(t, s, admin, "kabupaten", batam6)["kabupaten"], "code"); !slices.Equal(got, []string{"21.01", "21.71"}) {
			t.Fatalf("admin kabupaten = %v", got)
		}
		if got := codes(fetch(t, s, intel, "kabupaten", batam6)["kabupaten"], "code"); !slices.Equal(got, []string{"21.71"}) {
			t.Fatalf("intel (21.71) kabupaten = %v", got)
		}
		if l := fetch(t, s, kanwil, "kabupaten", kupang6); len(l) != 0 {
			t.Fatalf("kanwil 21 got layers in province 53: %v", l)
		}
		k := fetch(t, s, admin, "kabupaten", batam6)["kabupaten"]
		for _, f := range k.Features {
			if f.Properties["tppo_score"] != 3.0 || f.Properties["pmi_rank_national"] == nil {
				t.Fatalf("rollup properties missing: %v", f.Properties)
			}
		}
	})

	t.Run("basemap is the same for everyone", func(t *testing.T) {
		a := get(t, s, &admin, tileURL("basemap", batam6)).Body.Bytes()
		p := get(t, s, &planner, tileURL("basemap", batam6)).Body.Bytes()
		if len(a) == 0 || !bytes.Equal(a, p) {
			t.Fatalf("basemap differs between roles (%d vs %d bytes)", len(a), len(p))
		}
		layers := decode(t, a)
		for _, want := range []string{"provinsi", "provinsi_label", "kabupaten_boundary", "kabupaten_label"} {
			if layers[want] == nil || len(layers[want].Features) == 0 {
				t.Errorf("basemap z6 lacks layer %s", want)
			}
		}
		if layers["kecamatan"] != nil {
			t.Errorf("kecamatan at z6 (starts at z8)")
		}
	})

	t.Run("ports and worksites filtered by scope", func(t *testing.T) {
		if got := codes(fetch(t, s, admin, "ports", batam6)["ports"], "id"); !slices.Equal(got, []string{"JT-1", "REF-1"}) {
			t.Fatalf("admin ports = %v", got)
		}
		if got := codes(fetch(t, s, intel, "ports", batam6)["ports"], "id"); !slices.Equal(got, []string{"REF-1"}) {
			t.Fatalf("intel ports = %v", got)
		}
		if got := codes(fetch(t, s, planner, "worksites", kupang6)["worksites"], "id"); !slices.Equal(got, []string{"WS-2"}) {
			t.Fatalf("planner 53 worksites = %v", got)
		}
		if l := fetch(t, s, planner, "worksites", batam6); len(l) != 0 {
			t.Fatalf("planner 53 sees worksites in 21")
		}
	})

	t.Run("residents: counts below 10 suppressed for aggregate-only roles", func(t *testing.T) {
		cells := fetch(t, s, partner, "residents", batam6)["residents_cells"]
		if cells == nil {
			t.Fatal("partner gets no resident counts in scope")
		}
		for _, f := range cells.Features {
			n := f.Properties["count"].(float64)
			if n >= 1 && n < access.MinPublishedCount {
				t.Fatalf("published small count %v", n)
			}
			if _, ok := f.Properties["overstay"]; ok {
				t.Fatalf("breakdown published to partner: %v", f.Properties)
			}
		}
		if got := codes(cells, "count"); !slices.Equal(got, []string{"15"}) {
			t.Fatalf("partner counts = %v, want only the cell of 15 (the 3 suppressed)", got)
		}
		// Admin sees the small count and the breakdown.
		ac := fetch(t, s, admin, "residents", batam6)["residents_cells"]
		if got := codes(ac, "count"); !slices.Equal(got, []string{"15", "3"}) {
			t.Fatalf("admin counts = %v", got)
		}
	})

	t.Run("residents: single stays only for personal-data roles at high zoom, in scope", func(t *testing.T) {
		z14 := tilemath.TileAt(14, batamLon, batamLat)
		if l := fetch(t, s, admin, "residents", z14)["residents"]; l == nil || len(l.Features) != 15 {
			t.Fatalf("admin z14 residents = %v", l)
		}
		il := fetch(t, s, intel, "residents", z14)
		if il["residents"] == nil || len(il["residents"].Features) != 15 || il["residents_cells"] != nil {
			t.Fatalf("intel in own kabupaten: %v", il)
		}
		for _, f := range il["residents"].Features {
			for _, banned := range []string{"full_name", "passport_number", "name"} {
				if _, ok := f.Properties[banned]; ok {
					t.Fatalf("tile carries %s", banned)
				}
			}
		}
		east14 := tilemath.TileAt(14, eastLon, eastLat)
		if l := fetch(t, s, intel, "residents", east14); len(l) != 0 {
			t.Fatalf("intel sees residents outside own kabupaten: %v", l)
		}
		pl := fetch(t, s, kanwil, "residents", z14)
		if pl["residents"] != nil {
			t.Fatal("kanwil head got single residents")
		}
		if got := codes(pl["residents_cells"], "count"); !slices.Equal(got, []string{"15"}) {
			t.Fatalf("kanwil z14 counts = %v", got)
		}
		if l := fetch(t, s, admin, "residents", batam6)["residents"]; l != nil {
			t.Fatal("single residents at z6")
		}
	})

	t.Run("incidents", func(t *testing.T) {
		if got := codes(fetch(t, s, planner, "incidents", kupang6)["incidents_cells"], "count"); !slices.Equal(got, []string{"11"}) {
			t.Fatalf("planner incident counts = %v", got)
		}
		if l := fetch(t, s, kanwil, "incidents", batam6); len(l) != 0 {
			t.Fatalf("kanwil sees a count of 2: %v", l)
		}
		if l := fetch(t, s, admin, "incidents", tilemath.TileAt(12, kupangLon, kupangLat))["incidents"]; l == nil || len(l.Features) != 11 {
			t.Fatalf("admin single incidents at z12 = %v", l)
		}
	})

	t.Run("risk", func(t *testing.T) {
		l := fetch(t, s, admin, "risk", batam6)["risk"]
		if l == nil || len(l.Features) == 0 {
			t.Fatal("no risk cells")
		}
		for _, f := range l.Features {
			if f.Properties["res"] != 5.0 {
				t.Fatalf("z6 cell at res %v, want 5", f.Properties["res"])
			}
			if f.Properties["tppo_score"] == nil || f.Properties["pmi_bin"] == nil || f.Properties["h3"] == nil {
				t.Fatalf("risk properties %v", f.Properties)
			}
			if _, ok := f.Geometry.(orb.Polygon); !ok {
				t.Fatalf("risk geometry %T", f.Geometry)
			}
		}
		z10 := fetch(t, s, admin, "risk", tilemath.TileAt(10, batamLon, batamLat))["risk"]
		if z10 == nil || z10.Features[0].Properties["res"] != 7.0 {
			t.Fatal("z10 should show resolution 7")
		}
		// Scope: the intel officer of 21.71 sees only cells assigned to 21.71.
		il := fetch(t, s, intel, "risk", tilemath.TileAt(10, batamLon, batamLat))["risk"]
		if got := codes(il, "kabupaten_code"); !slices.Equal(got, []string{"21.71"}) {
			t.Fatalf("intel risk cells from %v", got)
		}
		if l := fetch(t, s, planner, "risk", batam6); len(l) != 0 {
			t.Fatal("planner 53 sees risk cells in 21")
		}
		// At z4 even resolution 5 is under 4 px wide: the layer is empty there.
		if l := fetch(t, s, admin, "risk", tilemath.TileAt(4, batamLon, batamLat)); len(l) != 0 {
			t.Fatal("risk specks at z4")
		}
	})
}

func TestCacheETagGzipAndInvalidation(t *testing.T) {
	pool := fixtureDB(t, true)
	s := newTestServer(t, pool, Config{})
	tile := tilemath.TileAt(8, batamLon, batamLat)
	url := tileURL("risk", tile)

	first := get(t, s, &admin, url, "Accept-Encoding", "gzip")
	if first.Code != 200 || first.Header().Get("X-Cache") != "miss" || first.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("first: %d %v", first.Code, first.Header())
	}
	zr, err := gzip.NewReader(first.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	plain := get(t, s, &admin, url)
	if plain.Header().Get("X-Cache") != "hit" || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("second: %v", plain.Header())
	}
	if !bytes.Equal(unzipped, plain.Body.Bytes()) || len(unzipped) == 0 {
		t.Fatal("gzip and identity bodies differ")
	}
	if cl, _ := strconv.Atoi(plain.Header().Get("Content-Length")); cl != plain.Body.Len() {
		t.Fatalf("Content-Length %d for %d bytes", cl, plain.Body.Len())
	}
	etag := first.Header().Get("ETag")
	if etag == "" || plain.Header().Get("ETag") != etag {
		t.Fatalf("etags %q %q", etag, plain.Header().Get("ETag"))
	}
	if cc := first.Header().Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
		t.Fatalf("Cache-Control %q must be private (tiles differ per user)", cc)
	}
	nm := get(t, s, &admin, url, "If-None-Match", `"zzz", `+etag)
	if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
		t.Fatalf("If-None-Match: %d", nm.Code)
	}
	if get(t, s, &admin, url, "If-None-Match", `W/"other"`).Code != 200 {
		t.Fatal("non-matching If-None-Match must give 200")
	}

	// Another visibility class does not get the admin's cached tile.
	other := get(t, s, &intel, url)
	if other.Header().Get("X-Cache") != "miss" {
		t.Fatal("intel officer served from the admin's cache entry")
	}

	// A new complete run changes the data version: the cache starts over and the tile changes.
	addRiskRun(t, context.Background(), pool, 2.0)
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := get(t, s, &admin, url)
	if after.Header().Get("X-Cache") != "miss" || after.Header().Get("ETag") == etag {
		t.Fatalf("after a new run: %v", after.Header())
	}
	st := s.Stats()
	if st.Hits < 1 || st.Misses < 3 || st.CacheEntries < 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestEmptyTileAndCORS(t *testing.T) {
	s := newTestServer(t, fixtureDB(t, false), Config{CORSOrigins: []string{"http://map.test"}})
	// Open sea west of Sumatra, and risk without any run.
	for _, u := range []string{"/tiles/ports/8/190/120.mvt", tileURL("risk", tilemath.TileAt(8, batamLon, batamLat))} {
		rec := get(t, s, &admin, u, "Origin", "http://map.test")
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Fatalf("%s: %d, %d bytes", u, rec.Code, rec.Body.Len())
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "http://map.test" {
			t.Fatalf("CORS header missing: %v", rec.Header())
		}
	}
	if rec := get(t, s, &admin, "/tiles/ports/8/190/120.mvt", "Origin", "http://evil.test"); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS allowed an unlisted origin")
	}
	req := httptest.NewRequest(http.MethodOptions, "http://tiles.test/tiles/ports/8/190/120.mvt", nil)
	req.Header.Set("Origin", "http://map.test")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("preflight: %d %v", rec.Code, rec.Header())
	}
}

func TestTileJSONAndCatalogue(t *testing.T) {
	s := newTestServer(t, fixtureDB(t, true), Config{})
	var tj TileJSON
	rec := get(t, s, &kanwil, "/tiles/risk.json")
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tj) != nil {
		t.Fatalf("risk.json: %d %s", rec.Code, rec.Body)
	}
	if tj.TileJSON != "3.0.0" || tj.Tiles[0] != "http://tiles.test/tiles/risk/{z}/{x}/{y}.mvt" || tj.MinZoom != 3 || tj.MaxZoom != 14 {
		t.Fatalf("tilejson %+v", tj)
	}
	// The kanwil head's bounds are province 21's extent.
	if tj.Bounds != [4]float64{103.9, 0.9, 104.5, 1.2} {
		t.Fatalf("bounds %v", tj.Bounds)
	}
	if len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != "risk" || tj.VectorLayers[0].Fields["tppo_score"] != "Number" {
		t.Fatalf("vector_layers %+v", tj.VectorLayers)
	}
	var cat struct{ Tilesets []CatalogueEntry }
	rec = get(t, s, &kanwil, "/tiles")
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &cat) != nil {
		t.Fatalf("catalogue: %d", rec.Code)
	}
	var names []string
	for _, c := range cat.Tilesets {
		names = append(names, c.Name)
		if c.TileJSON != "http://tiles.test/tiles/"+c.Name+".json" {
			t.Fatalf("catalogue tilejson %q", c.TileJSON)
		}
	}
	for _, want := range []string{"risk", "kabupaten", "basemap", "provinsi", "kecamatan", "desa", "ports", "worksites", "desa_binaan", "incidents", "residents"} {
		if !slices.Contains(names, want) {
			t.Errorf("catalogue lacks %s", want)
		}
	}
}

// A hexagon split by a tile border has the same vertices on both sides: every
// vertex of the cell that lies in the overlap strip (the buffer around the
// shared edge) appears in the neighbouring tile shifted by exactly the extent.
func TestHexagonEdgesAlignAcrossTiles(t *testing.T) {
	s := newTestServer(t, fixtureDB(t, true), Config{})
	for _, z := range []uint32{7, 9, 10, 11} {
		// The tile edge nearest to the fixture's cells (centred on lon 104.2).
		n := float64(uint64(1) << z)
		edge := uint32(math.Round((104.2 + 180) / 360 * n))
		y := tilemath.TileAt(z, 104.2, 1.05).Y
		a, b := tilemath.Tile{Z: z, X: edge - 1, Y: y}, tilemath.Tile{Z: z, X: edge, Y: y}
		la := fetch(t, s, admin, "risk", a)["risk"]
		lb := fetch(t, s, admin, "risk", b)["risk"]
		if la == nil || lb == nil {
			t.Fatalf("z%d: no cells in one of the tiles", z)
		}
		ringsB := map[any]orb.Ring{}
		for _, f := range lb.Features {
			ringsB[f.ID] = f.Geometry.(orb.Polygon)[0]
		}
		checked := 0
		for _, f := range la.Features {
			rb, ok := ringsB[f.ID]
			if !ok {
				continue
			}
			for _, v := range f.Geometry.(orb.Polygon)[0] {
				// strictly inside the strip, so not a point made by clipping
				if v[0] <= extent-buffer || v[0] >= extent+buffer || v[1] <= -buffer || v[1] >= extent+buffer {
					continue
				}
				want := orb.Point{v[0] - extent, v[1]}
				if !slices.Contains(rb, want) {
					t.Fatalf("z%d cell %v: vertex %v of the west tile is not at %v in the east tile", z, f.ID, v, want)
				}
				checked++
			}
		}
		if checked == 0 {
			t.Fatalf("z%d: no vertex in the overlap strip was compared", z)
		}
		t.Logf("z%d: %d shared-strip vertices match", z, checked)
	}
}

// GDAL's MVT driver opens a tile of every tileset and lists the layers, fields
// and feature counts we expect.
func TestOgrinfoReadsEveryTileset(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo (gdal-bin) is missing")
		}
		t.Skip("ogrinfo (gdal-bin) is missing")
	}
	s := newTestServer(t, fixtureDB(t, true), Config{})
	dir := t.TempDir()
	tiles := map[string]tilemath.Tile{
		"risk": tilemath.TileAt(8, batamLon, batamLat), "kabupaten": tilemath.TileAt(6, batamLon, batamLat),
		"basemap": tilemath.TileAt(12, batamLon, batamLat), "provinsi": tilemath.TileAt(5, batamLon, batamLat),
		"kecamatan": tilemath.TileAt(10, batamLon, batamLat), "desa": tilemath.TileAt(12, 104.05, 1.05),
		"ports": tilemath.TileAt(8, batamLon, batamLat), "worksites": tilemath.TileAt(8, batamLon, batamLat),
		"desa_binaan": tilemath.TileAt(8, kupangLon, kupangLat), "incidents": tilemath.TileAt(12, kupangLon, kupangLat),
		"residents": tilemath.TileAt(14, batamLon, batamLat),
	}
	layerRe := regexp.MustCompile(`(?m)^Layer name: (\S+)$`)
	countRe := regexp.MustCompile(`(?m)^Feature Count: (\d+)$`)
	fieldRe := regexp.MustCompile(`(?m)^(\w+): (\w+) \(`)
	for _, ts := range s.Tilesets() {
		t.Run(ts.Name, func(t *testing.T) {
			tile, ok := tiles[ts.Name]
			if !ok {
				t.Fatalf("no test tile for tileset %s", ts.Name)
			}
			rec := get(t, s, &admin, tileURL(ts.Name, tile))
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			want := decode(t, rec.Body.Bytes())
			path := filepath.Join(dir, ts.Name+".mvt")
			if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", "-oo", "Z="+strconv.Itoa(int(tile.Z)),
				"-oo", "X="+strconv.Itoa(int(tile.X)), "-oo", "Y="+strconv.Itoa(int(tile.Y)), path).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, out)
			}
			sections := layerRe.Split(string(out), -1)[1:]
			names := layerRe.FindAllStringSubmatch(string(out), -1)
			if len(names) != len(want) {
				t.Fatalf("ogrinfo lists %d layers, the tile has %d:\n%s", len(names), len(want), out)
			}
			for i, m := range names {
				name := m[1]
				l := want[name]
				if l == nil {
					t.Fatalf("ogrinfo lists unexpected layer %s", name)
				}
				c := countRe.FindStringSubmatch(sections[i])
				if c == nil || c[1] != strconv.Itoa(len(l.Features)) {
					t.Errorf("layer %s: ogrinfo count %v, tile has %d", name, c, len(l.Features))
				}
				var def *Layer
				for j := range ts.Layers {
					if ts.Layers[j].Name == name {
						def = &ts.Layers[j]
					}
				}
				if def == nil {
					t.Fatalf("layer %s not declared in tileset %s", name, ts.Name)
				}
				fields := fieldRe.FindAllStringSubmatch(sections[i], -1)
				seen := 0
				for _, f := range fields {
					if f[1] == "mvt_id" {
						continue
					}
					declared, ok := def.Fields[f[1]]
					if !ok {
						t.Errorf("layer %s: field %s not declared in TileJSON", name, f[1])
						continue
					}
					seen++
					gdal := f[2]
					okType := (declared == fString && gdal == "String") ||
						(declared == fNumber && (gdal == "Integer" || gdal == "Integer64" || gdal == "Real")) ||
						(declared == fBoolean && gdal == "Integer")
					if !okType {
						t.Errorf("layer %s field %s: GDAL type %s, declared %s", name, f[1], gdal, declared)
					}
				}
				if seen == 0 {
					t.Errorf("layer %s: ogrinfo listed no fields", name)
				}
			}
		})
	}
}

// Neighbouring polygons keep a common border after projection, clipping and
// snapping: each vertex of Batam (21.71) that lies on Bintan's (21.01)
// outline is also a vertex of Bintan, at every zoom. The fixture's border
// carries extra vertices, written once in each direction.
func TestSharedBordersDoNotGap(t *testing.T) {
	s := newTestServer(t, fixtureDB(t, false), Config{})
	for _, z := range []uint32{6, 8, 10, 12} {
		tile := tilemath.TileAt(z, 104.2, 1.05)
		l := fetch(t, s, admin, "basemap", tile)["kabupaten_boundary"]
		rings := map[string]orb.Ring{}
		for _, f := range l.Features {
			rings[f.Properties["code"].(string)] = f.Geometry.(orb.Polygon)[0]
		}
		west, east := rings["21.71"], rings["21.01"]
		if west == nil || east == nil {
			t.Fatalf("z%d: both kabupaten expected in %v", z, tile)
		}
		shared := 0
		for _, v := range west {
			if v[0] <= -buffer || v[0] >= extent+buffer || v[1] <= -buffer || v[1] >= extent+buffer {
				continue // made by clipping at the buffer edge
			}
			if distToRing(v, east) > 0.5 {
				continue
			}
			if !slices.Contains(east, v) {
				t.Fatalf("z%d: border vertex %v of 21.71 is not a vertex of 21.01: a gap or overlap", z, v)
			}
			shared++
		}
		if shared == 0 {
			t.Fatalf("z%d: no shared vertex compared", z)
		}
		t.Logf("z%d: %d border vertices shared", z, shared)
	}
}

func distToRing(p orb.Point, r orb.Ring) float64 {
	best := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		dx, dy := b[0]-a[0], b[1]-a[1]
		u := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			u = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
		}
		best = math.Min(best, math.Hypot(p[0]-a[0]-u*dx, p[1]-a[1]-u*dy))
	}
	return best
}

// A database that does not answer within the per-request time-out gives a
// clear 503, never a 500 or the database's text.
func TestDBTimeoutIs503(t *testing.T) {
	s := newTestServer(t, fixtureDB(t, true), Config{})
	s.cfg.DBTimeout = time.Nanosecond
	rec := get(t, s, &admin, tileURL("basemap", tilemath.TileAt(8, batamLon, batamLat)))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "timed out") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
