package tiles

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/testdb"
)

// On the real reference data (514 kabupaten, 7,284 kecamatan, 83,246 villages,
// 1,411 ports), basemap and port tiles around Jakarta hold the expected layers
// with unique feature ids and valid winding, and GDAL reads them.
func TestReferenceTiles(t *testing.T) {
	pool := testdb.Reference(t)
	s := newTestServer(t, pool, Config{})
	const lon, lat = 106.8456, -6.2088 // Jakarta
	tests := []struct {
		set    string
		z      uint32
		layers []string
	}{
		{"basemap", 5, []string{"provinsi", "provinsi_label", "kabupaten_boundary"}},
		{"basemap", 8, []string{"provinsi", "kabupaten_boundary", "kabupaten_label", "kecamatan"}},
		{"basemap", 12, []string{"provinsi", "kabupaten_boundary", "kecamatan", "kecamatan_label", "desa_label"}},
		{"ports", 9, []string{"ports"}},
	}
	for _, tc := range tests {
		tile := tilemath.TileAt(tc.z, lon, lat)
		start := time.Now()
		rec := get(t, s, &admin, tileURL(tc.set, tile))
		took := time.Since(start)
		if rec.Code != 200 {
			t.Fatalf("%s %v: %d %s", tc.set, tile, rec.Code, rec.Body)
		}
		layers := decode(t, rec.Body.Bytes())
		for _, name := range tc.layers {
			l := layers[name]
			if l == nil || len(l.Features) == 0 {
				t.Errorf("%s %v: layer %s missing or empty", tc.set, tile, name)
				continue
			}
			ids := map[any]bool{}
			for _, f := range l.Features {
				if f.ID == nil || ids[f.ID] {
					t.Fatalf("%s %v layer %s: missing or repeated feature id %v", tc.set, tile, name, f.ID)
				}
				ids[f.ID] = true
			}
		}
		t.Logf("%s %v: %d bytes, %d layers, cold render %v", tc.set, tile, rec.Body.Len(), len(layers), took.Round(time.Millisecond))
		if _, err := exec.LookPath("ogrinfo"); err != nil {
			continue
		}
		path := filepath.Join(t.TempDir(), "t.mvt")
		if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", "-oo", "Z="+strconv.Itoa(int(tile.Z)),
			"-oo", "X="+strconv.Itoa(int(tile.X)), "-oo", "Y="+strconv.Itoa(int(tile.Y)), path).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		if n := len(regexp.MustCompile(`(?m)^Layer name: `).FindAllIndex(out, -1)); n != len(layers) {
			t.Fatalf("ogrinfo lists %d layers, tile has %d", n, len(layers))
		}
	}
}

// The basemap draws the countries around Indonesia under our boundaries: the
// tile over Batam holds Singapore and Malaysia (Johor), named in Bahasa.
func TestNeighbourTiles(t *testing.T) {
	pool := testdb.Reference(t)
	s := newTestServer(t, pool, Config{})
	rec := get(t, s, &admin, tileURL("basemap", tilemath.TileAt(7, 104.0, 1.1)))
	if rec.Code != 200 {
		t.Fatalf("basemap: %d %s", rec.Code, rec.Body)
	}
	layers := decode(t, rec.Body.Bytes())
	names := map[string]bool{}
	if l := layers["neighbours"]; l != nil {
		for _, f := range l.Features {
			names[f.Properties.MustString("name_id", "")] = true
		}
	}
	if !names["Singapura"] || !names["Malaysia"] {
		t.Errorf("neighbours layer over Batam holds %v, want Singapura and Malaysia", names)
	}
	if l := layers["neighbours_label"]; l == nil || len(l.Features) == 0 {
		t.Errorf("no neighbour label over Batam at z7")
	}
}
