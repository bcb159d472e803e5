package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadNamed(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    map[string]string
		wantErr string
	}{
		{"two queries", map[string]string{"q.sql": "-- a comment\n-- name: a\nSELECT 1;\n\n-- name: b\nSELECT 2\nFROM x;\n"},
			map[string]string{"a": "SELECT 1", "b": "SELECT 2\nFROM x"}, ""},
		{"across files", map[string]string{"a.sql": "-- name: a\nSELECT 1", "b.sql": "-- name: b\nSELECT 2"},
			map[string]string{"a": "SELECT 1", "b": "SELECT 2"}, ""},
		{"duplicate", map[string]string{"a.sql": "-- name: a\nSELECT 1", "b.sql": "-- name: a\nSELECT 2"}, nil, "defined twice"},
		{"empty", map[string]string{"a.sql": "-- name: a\n\n-- name: b\nSELECT 1"}, nil, "is empty"},
		{"no files", map[string]string{}, nil, "no file matches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for n, body := range tc.files {
				fsys[n] = &fstest.MapFile{Data: []byte(body)}
			}
			got, err := LoadNamed(fsys, "*.sql")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, got.Get(k), v)
				}
			}
		})
	}
}

func TestNamedGetMissingPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Get of a missing name did not panic")
		}
	}()
	Named{}.Get("nope")
}
