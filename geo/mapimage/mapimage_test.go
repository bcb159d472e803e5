package mapimage

import (
	"bytes"
	"image/color"
	"image/png"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func white() color.RGBA { return color.RGBA{255, 255, 255, 255} }
func red() color.RGBA   { return color.RGBA{255, 0, 0, 255} }

func at(m *Map, p orb.Point) color.RGBA {
	x, y := m.Pixel(p)
	return m.Image().RGBAAt(int(x), int(y))
}

func TestFillWithHole(t *testing.T) {
	b := orb.Bound{Min: orb.Point{100, -1}, Max: orb.Point{101, 0}}
	m, err := New(b, 200, 200, 10, white())
	if err != nil {
		t.Fatal(err)
	}
	shell := orb.Ring{{100, -1}, {101, -1}, {101, 0}, {100, 0}, {100, -1}}
	// The hole wound the same way as the shell: it must still be a hole.
	hole := orb.Ring{{100.4, -0.6}, {100.6, -0.6}, {100.6, -0.4}, {100.4, -0.4}, {100.4, -0.6}}
	m.Geometry(orb.Polygon{shell, hole}, Style{Fill: red()})
	if c := at(m, orb.Point{100.1, -0.1}); c != red() {
		t.Errorf("inside shell: %v", c)
	}
	if c := at(m, orb.Point{100.5, -0.5}); c != white() {
		t.Errorf("inside hole: %v", c)
	}
	x, y := m.Pixel(orb.Point{100, 0})
	if c := m.Image().RGBAAt(int(x)-5, int(y)-5); c != white() {
		t.Errorf("padding: %v", c)
	}
	// Filled area ~ the square minus the hole, in pixels.
	var n int
	bb := m.Image().Bounds()
	for yy := bb.Min.Y; yy < bb.Max.Y; yy++ {
		for xx := bb.Min.X; xx < bb.Max.X; xx++ {
			if m.Image().RGBAAt(xx, yy).G < 128 {
				n++
			}
		}
	}
	if want := 180.0 * 180 * 0.96; math.Abs(float64(n)-want) > 0.03*want {
		t.Errorf("filled %d px, want ~%.0f", n, want)
	}
}

func TestPolygonCrossingImageEdge(t *testing.T) {
	// The map shows only part of a large triangle: the visible part must be
	// filled exactly where the triangle is (no distortion from clipping).
	m, _ := New(orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, 100, 100, 0, white())
	tri := orb.Polygon{{{-5, -5}, {5, -5}, {-5, 5}, {-5, -5}}} // hypotenuse x+y=0
	m.Geometry(tri, Style{Fill: red()})
	if c := at(m, orb.Point{0.1, 0.1}); c != white() { // x+y=0.2 > 0: outside
		t.Errorf("outside triangle painted: %v", c)
	}
	m2, _ := New(orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, 100, 100, 0, white())
	tri2 := orb.Polygon{{{-5, 5}, {5, 5}, {5, -5}, {-5, 5}}} // x+y >= 0 half
	m2.Geometry(tri2, Style{Fill: red()})
	if c := at(m2, orb.Point{0.7, 0.6}); c != red() {
		t.Errorf("inside clipped triangle not painted: %v", c)
	}
}

func TestAspectAndBadInput(t *testing.T) {
	m, err := New(orb.Bound{Min: orb.Point{100, -1}, Max: orb.Point{104, 0}}, 400, 400, 0, white())
	if err != nil {
		t.Fatal(err)
	}
	if w, h := m.Size(); w != 400 || h < 95 || h > 105 {
		t.Errorf("size %dx%d", w, h)
	}
	for _, c := range []struct {
		b    orb.Bound
		w, h int
	}{
		{orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{0, 0}}, 100, 100},
		{orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, 5, 100},
		{orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 89}}, 100, 100},
	} {
		if _, err := New(c.b, c.w, c.h, 0, white()); err == nil {
			t.Errorf("accepted %v %dx%d", c.b, c.w, c.h)
		}
	}
	if _, err := New(orb.Bound{Min: orb.Point{100, 0}, Max: orb.Point{100, 0}}, 100, 100, 5, white()); err != nil {
		t.Error(err)
	}
}

func TestCircleMarkerPathPNG(t *testing.T) {
	b := orb.Bound{Min: orb.Point{120, -10}, Max: orb.Point{120.2, -9.8}}
	m, _ := New(b, 300, 300, 0, white())
	m.Circle(orb.Point{120.1, -9.9}, 5, Style{Fill: red()})
	kmLon := 111.32 * math.Cos(9.9*math.Pi/180)
	if at(m, orb.Point{120.1 + 4/kmLon, -9.9}) != red() {
		t.Error("4 km point not in 5 km circle")
	}
	if at(m, orb.Point{120.1 + 6/kmLon, -9.9}) != white() {
		t.Error("6 km point in 5 km circle")
	}
	if at(m, orb.Point{120.1, -9.9 + 4/111.32}) != red() || at(m, orb.Point{120.1, -9.9 + 6/111.32}) != white() {
		t.Error("circle wrong north-south")
	}
	blue := color.RGBA{0, 0, 255, 255}
	m.Path(orb.LineString{{120.01, -9.99}, {120.01, -9.81}}, 3, blue)
	if at(m, orb.Point{120.01, -9.9}) != blue {
		t.Error("path not drawn")
	}
	m.Marker(orb.Point{120.15, -9.85}, 4, Style{Fill: blue, Stroke: white(), StrokePx: 1})
	if at(m, orb.Point{120.15, -9.85}) != blue {
		t.Error("marker not drawn")
	}
	var buf bytes.Buffer
	if err := m.PNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil || img.Bounds().Dx() != 300 {
		t.Fatalf("png round trip: %v", err)
	}
}

func TestRamps(t *testing.T) {
	if RiskColour(-1) != RiskColour(0) || RiskColour(2) != RiskColour(1) || RiskColour(math.NaN()) != RiskColour(0) {
		t.Error("ramp does not clamp")
	}
	prev := 1e9
	for i := 0; i <= 20; i++ {
		c := RiskColour(float64(i) / 20)
		s := float64(c.R) + float64(c.G) + float64(c.B)
		if s > prev {
			t.Errorf("ramp not monotone at %d", i)
		}
		prev = s
	}
	seen := map[color.RGBA]bool{}
	for i := range 10 {
		seen[TeamColour(i)] = true
	}
	if len(seen) != 10 || TeamColour(10) != TeamColour(0) || TeamColour(-1) != TeamColour(9) {
		t.Error("team colours not distinct/cycling")
	}
}

func BenchmarkHexagons(b *testing.B) {
	// 20,000 small hexagons on a 1200 px map: a province at a coarse resolution.
	bound := orb.Bound{Min: orb.Point{120, -10}, Max: orb.Point{123, -8}}
	var polys []orb.Polygon
	for i := range 200 {
		for j := range 100 {
			cx, cy := 120+float64(i)*0.015, -10+float64(j)*0.02
			var r orb.Ring
			for k := 0; k <= 6; k++ {
				a := float64(k) * math.Pi / 3
				r = append(r, orb.Point{cx + 0.008*math.Cos(a), cy + 0.008*math.Sin(a)})
			}
			polys = append(polys, orb.Polygon{r})
		}
	}
	for b.Loop() {
		m, _ := New(bound, 1200, 1200, 10, white())
		for i, p := range polys {
			m.Geometry(p, Style{Fill: RiskColour(float64(i%100) / 100)})
		}
	}
}
