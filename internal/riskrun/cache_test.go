package riskrun

import (
	"slices"
	"testing"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// The grid cache's neighbour lists come back as they went in, level by
// level, and a damaged entry is refused rather than used.
func TestCSRCacheRoundTrip(t *testing.T) {
	var cells []h3.Cell
	seen := map[h3.Cell]bool{}
	for _, c := range h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(-6.2, 106.8), 7), 6) {
		if !seen[c] {
			seen[c] = true
			cells = append(cells, c)
		}
	}
	codes := make([]string, len(cells))
	g, err := hexgrid.FromCells(7, cells, codes)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parentGrid(g, 6)
	if err != nil {
		t.Fatal(err)
	}
	in := []hexgrid.CSR{g.Neighbours(2), p.grid.Neighbours(2), {Off: []int32{0}}}
	b := encodeCSRs(in)
	out, err := decodeCSRs(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d levels back, want %d", len(out), len(in))
	}
	for i := range in {
		if !slices.Equal(out[i].Off, in[i].Off) || !slices.Equal(out[i].Nbr, in[i].Nbr) {
			t.Errorf("level %d differs after the round trip", i)
		}
	}
	for _, tc := range []struct {
		name string
		mod  func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-3] }},
		{"first offset not 0", func(b []byte) []byte { b[8] = 1; return b }},
		{"neighbour outside", func(b []byte) []byte {
			n := len(in[0].Off)
			b[8+4*n] = 0xff
			b[8+4*n+3] = 0x7f
			return b
		}},
	} {
		if _, err := decodeCSRs(tc.mod(slices.Clone(b))); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// monthOfDays agrees with the calendar for every day from 1970 to 2100.
func TestMonthOfDays(t *testing.T) {
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2100; d = d.AddDate(0, 0, 1) {
		days := int32(d.Sub(epoch).Hours() / 24)
		if got, want := monthOfDays(days), monthOf(d); got != want {
			t.Fatalf("%s (day %d): month %d, want %d", d.Format(time.DateOnly), days, got, want)
		}
	}
}
