package tilemath

import (
	"errors"
	"strconv"
	"testing"
)

// FuzzParse: any z/x/y text either parses to a tile inside the zoom's grid whose
// canonical spelling is the input (one URL per tile, so one cache key), or fails
// with ErrCoord (a 400 for the tile server). It never panics. Seed corpus:
// testdata/fuzz/FuzzParse plus the cases below.
func FuzzParse(f *testing.F) {
	for _, s := range [][3]string{
		{"0", "0", "0"}, {"4", "12", "7"}, {"24", "16777215", "16777215"}, {"25", "0", "0"},
		{"1", "2", "0"}, {"007", "1", "1"}, {"-1", "0", "0"}, {"+3", "1", "1"}, {"0x1", "0", "0"},
		{"", "", ""}, {"1e3", "1", "1"}, {"12", "3", "4.mvt"}, {"99999999", "0", "0"}, {"4294967297", "0", "0"},
		{"3", "1 ", "1"}, {"3", "1'; DROP TABLE kabupaten;--", "1"}, {"٣", "1", "1"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, zs, xs, ys string) {
		tile, err := Parse(zs, xs, ys)
		if err != nil {
			if !errors.Is(err, ErrCoord) {
				t.Fatalf("Parse(%q, %q, %q): error %v does not wrap ErrCoord", zs, xs, ys, err)
			}
			return
		}
		if tile.Z > MaxZoom || uint64(tile.X) >= 1<<tile.Z || uint64(tile.Y) >= 1<<tile.Z {
			t.Fatalf("Parse(%q, %q, %q) = %+v: outside the grid", zs, xs, ys, tile)
		}
		for _, c := range []struct {
			s string
			v uint32
		}{{zs, tile.Z}, {xs, tile.X}, {ys, tile.Y}} {
			if strconv.FormatUint(uint64(c.v), 10) != c.s {
				t.Fatalf("Parse(%q, %q, %q) = %+v: %q is not the canonical spelling", zs, xs, ys, tile, c.s)
			}
		}
		if err := tile.Validate(); err != nil {
			t.Fatalf("parsed tile %+v does not validate: %v", tile, err)
		}
	})
}
