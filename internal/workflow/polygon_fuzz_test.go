package workflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// FuzzParsePolygon: the operation planner's drawn polygon is uploaded GeoJSON.
// Whatever the bytes, parsePolygon never panics; it either refuses them with a
// 400 or returns a MultiPolygon of closed rings inside Indonesia, within the
// point limit, whose re-encoded GeoJSON parses back to the same geometry.
// Seed corpus: testdata/fuzz/FuzzParsePolygon plus the cases below.
func FuzzParsePolygon(f *testing.F) {
	for _, s := range []string{
		`{"type":"Polygon","coordinates":[[[104,1],[104.1,1],[104.1,1.1],[104,1]]]}`,
		`{"type":"Feature","properties":{"x":1},"geometry":{"type":"MultiPolygon","coordinates":[[[[104,1],[104.1,1],[104.1,1.1],[104,1]]]]}}`,
		`{"type":"Polygon","coordinates":[[[104,1],[104.1,1],[104,1]]]}`,
		`{"type":"Polygon","coordinates":[[[2.35,48.85],[2.4,48.85],[2.4,48.9],[2.35,48.85]]]}`,
		`{"type":"Polygon","coordinates":[[[104,1],[104.1,1],[104.1,1.1],[104.2,1]]]}`,
		`{"type":"Point","coordinates":[104,1]}`,
		`{"type":"Polygon","coordinates":[[[1e400,1],[104.1,1],[104.1,1.1],[1e400,1]]]}`,
		`{"type":"Polygon","coordinates":[]}`,
		`{"type":"GeometryCollection","geometries":[]}`,
		`{"type":"Feature","geometry":null}`,
		`null`, ``, `[]`, `"polygon"`, `{"type":"Polygon","coordinates":[[["a","b"]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		g, enc, err := parsePolygon(json.RawMessage(raw))
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code != http.StatusBadRequest {
				t.Fatalf("parsePolygon(%q): error %v is not a 400", raw, err)
			}
			return
		}
		if g == nil {
			if enc != "" {
				t.Fatalf("no geometry but encoding %q", enc)
			}
			return // empty input: no polygon given
		}
		mp, ok := g.(orb.MultiPolygon)
		if !ok {
			t.Fatalf("parsePolygon(%q) = %T, want MultiPolygon", raw, g)
		}
		n := 0
		for _, p := range mp {
			for _, ring := range p {
				if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
					t.Fatalf("accepted an open or short ring: %v", ring)
				}
				for _, pt := range ring {
					n++
					if !(pt[0] >= 90 && pt[0] <= 145 && pt[1] >= -15 && pt[1] <= 10) {
						t.Fatalf("accepted a point outside Indonesia: %v", pt)
					}
				}
			}
		}
		if n > maxPolygonPoints {
			t.Fatalf("accepted %d points", n)
		}
		back, err := geojson.UnmarshalGeometry([]byte(enc))
		if err != nil || !orb.Equal(back.Geometry(), mp) {
			t.Fatalf("re-encoded polygon %q does not parse back to the input (%v)", enc, err)
		}
	})
}

// FuzzDecodeOperationRequest: any body either decodes into a request whose
// every field is within its documented bounds, or is refused with a 4xx
// apiError; it never panics and never passes text PostgreSQL cannot store.
func FuzzDecodeOperationRequest(f *testing.F) {
	for _, s := range []string{
		`{"kabupaten":["51.71"],"teams":2}`,
		`{"kabupaten":["51.71"],"min_foreign_workers":99999999999}`,
		`{"kabupaten":["51.71"],"min_foreign_workers":1e99}`,
		`{"kecamatan":["51.71.01"],"expiring_days":-3,"nationalities":["chn"]}`,
		`{"title":"a\u0000b","kabupaten":["51.71"]}`,
		`{"polygon":{"type":"Polygon","coordinates":[[[115.2,-8.7],[115.24,-8.64],[115.24,-8.7],[115.2,-8.64],[115.2,-8.7]]]}}`,
		`{"start":{"lat":1e308,"lon":-1e308},"kabupaten":["51.71"]}`,
		`{"teams":9223372036854775807,"kabupaten":["51.71"]}`,
		`{"sectors":["\xff\xfe"],"kabupaten":["51.71"]}`,
		`{}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/workflow/operation", bytes.NewReader(body))
		req, err := decodeOperationRequest(r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code < 400 || ae.code >= 500 {
				t.Fatalf("decode(%q): %v is not a 4xx", body, err)
			}
			return
		}
		if req.Teams < 1 || req.ExpiringDays < 1 || req.ExpiringDays > 365 || req.MinForeignWorkers < 0 || req.MinForeignWorkers > 1_000_000 {
			t.Fatalf("decode(%q): out of bounds %+v", body, req)
		}
		for _, s := range append(append(append([]string{req.Title}, req.Kabupaten...), req.Kecamatan...), req.Nationalities...) {
			if strings.ContainsRune(s, 0) {
				t.Fatalf("decode(%q): NUL in %q", body, s)
			}
		}
		if _, _, err := parsePolygon(req.Polygon); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code != http.StatusBadRequest {
				t.Fatalf("polygon of %q: %v is not a 400", body, err)
			}
		}
	})
}
