package refdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func dataDir(t *testing.T) string {
	dir := os.Getenv("WASPADA_DATA")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	}
	if err := Check(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return dir
}

func TestCounts(t *testing.T) {
	dir := dataDir(t)
	for _, tc := range []struct {
		file string
		want int
	}{{ProvinsiFile, 37}, {KabupatenFile, 514}, {KecamatanFile, 7284}} {
		areas, err := Areas(dir, tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if len(areas) != tc.want {
			t.Errorf("%s: %d areas, want %d", tc.file, len(areas), tc.want)
		}
	}
	vs, err := Villages(dir)
	if err != nil || len(vs) != 83246 {
		t.Errorf("villages: %d, %v", len(vs), err)
	}
	ps, err := Ports(dir)
	if err != nil || len(ps) != 1411 {
		t.Errorf("ports: %d, %v", len(ps), err)
	}
	files, err := VillageFiles(dir)
	if err != nil || len(files) != 8 {
		t.Errorf("village polygon files: %v, %v", files, err)
	}
}

func TestCheckAndDir(t *testing.T) {
	if err := Check(t.TempDir()); err == nil {
		t.Error("an empty folder passed the check")
	}
	t.Setenv("WASPADA_DATA", "/from/env")
	if Dir("") != "/from/env" || Dir("/flag") != "/flag" {
		t.Errorf("Dir precedence wrong: %q %q", Dir(""), Dir("/flag"))
	}
}

func TestNeighbours(t *testing.T) {
	dir := dataDir(t)
	ns, err := Neighbours(dir)
	if err != nil {
		t.Fatal(err)
	}
	byISO := map[string]Neighbour{}
	for _, n := range ns {
		byISO[n.ISO3] = n
	}
	if len(ns) != 10 || byISO["SGP"].NameID != "Singapura" || byISO["PNG"].NameID != "Papua Nugini" || byISO["TLS"].Geometry == nil {
		t.Errorf("%d neighbours: %v", len(ns), byISO)
	}
	// An older data set without the file: no neighbours, no error.
	if ns, err := Neighbours(t.TempDir()); err != nil || ns != nil {
		t.Errorf("missing file: %v %v", ns, err)
	}
}
