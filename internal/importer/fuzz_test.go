package importer

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The import parsers take files from outside (the offices' exports, uploads):
// whatever the bytes, they must not panic, must report problems as row errors
// with a line and a reason, and every row they accept must be typed and inside
// the documented bounds. Seed corpora: testdata/fuzz/Fuzz* plus testdata/good
// and testdata/bad.

func fuzzKinds() []*Kind {
	ks := Kinds()
	names := KindNames()
	out := make([]*Kind, 0, len(names))
	for _, n := range names {
		out = append(out, ks[n])
	}
	return out
}

func addSeedFiles(f *testing.F, ext string) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			for i := range fuzzKinds() {
				f.Add(uint8(i), b)
			}
		}
	}
}

func checkParsed(t *testing.T, k *Kind, in []byte, p *Parsed) {
	t.Helper()
	if p == nil {
		t.Fatal("nil result")
	}
	if len(p.Errors) > MaxErrors {
		t.Fatalf("%d errors collected, cap is %d", len(p.Errors), MaxErrors)
	}
	for _, e := range p.Errors {
		if e.Line < 0 || e.Reason == "" {
			t.Fatalf("row error without line or reason: %+v", e)
		}
	}
	if len(p.Errors) > 0 {
		return
	}
	lines := bytes.Count(in, []byte("\n")) + 1
	if len(p.Rows) > lines && !bytes.Contains(in, []byte("Feature")) {
		t.Fatalf("%d rows from %d lines", len(p.Rows), lines)
	}
	for _, r := range p.Rows {
		if len(r.Values) != len(k.columns) {
			t.Fatalf("row has %d values for %d columns", len(r.Values), len(k.columns))
		}
		for i, v := range r.Values {
			switch x := v.(type) {
			case nil, string, int32, float64, time.Time:
				if f, ok := x.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
					t.Fatalf("column %s accepted %v", k.columns[i].name, f)
				}
				if s, ok := x.(string); ok && strings.ContainsRune(s, 0) {
					t.Fatalf("column %s accepted a NUL byte (PostgreSQL text cannot hold it)", k.columns[i].name)
				}
			default:
				t.Fatalf("column %s has value of type %T", k.columns[i].name, v)
			}
			if v == nil && k.columns[i].required {
				t.Fatalf("required column %s accepted empty", k.columns[i].name)
			}
			if s, ok := v.(string); ok && k.columns[i].typ == tEnum && !slices.Contains(k.columns[i].enum, s) {
				t.Fatalf("column %s accepted %q outside its enum", k.columns[i].name, s)
			}
		}
		if (r.Lat == nil) != (r.Lon == nil) {
			t.Fatal("lat without lon accepted")
		}
		if k.pointRequired && r.Lat == nil {
			t.Fatal("row without the required point accepted")
		}
		if r.Lat != nil && (*r.Lat < minLat || *r.Lat > maxLat || *r.Lon < minLon || *r.Lon > maxLon) {
			t.Fatalf("point %v,%v outside Indonesia accepted", *r.Lat, *r.Lon)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add(uint8(0), []byte(resHeader+"R1,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,-2.83,122.15\n"))
	f.Add(uint8(1), []byte("id,name\n\"a\"\"b\",\"x\ny\"\n"))
	f.Add(uint8(2), []byte("\ufeff,,,\n\x00,\xff\xfe,NaN,Inf\n"))
	addSeedFiles(f, ".csv")
	kinds := fuzzKinds()
	f.Fuzz(func(t *testing.T, ki uint8, data []byte) {
		k := kinds[int(ki)%len(kinds)]
		checkParsed(t, k, data, ParseCSV(bytes.NewReader(data), k, today))
	})
}

func FuzzParseGeoJSON(f *testing.F) {
	f.Add(uint8(0), []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[122.15,-2.83]},"properties":{"id":"R1"}}]}`))
	f.Add(uint8(1), []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1e400,"x",null]},"properties":null}]}`))
	f.Add(uint8(2), []byte(`{"type":"FeatureCollection","features":[{"geometry":{"type":"Point","coordinates":[[[1,2]]]},"properties":{"id":{"$ne":1}}}]} trailing`))
	addSeedFiles(f, ".geojson")
	kinds := fuzzKinds()
	f.Fuzz(func(t *testing.T, ki uint8, data []byte) {
		k := kinds[int(ki)%len(kinds)]
		checkParsed(t, k, data, ParseGeoJSON(bytes.NewReader(data), k, today))
	})
}
