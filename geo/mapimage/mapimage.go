// Package mapimage draws simple maps (filled polygons, outlines, circles,
// markers, paths) into a PNG without a browser: geometry is projected to Web
// Mercator, fitted to the image, and rasterised with anti-aliasing by
// golang.org/x/image/vector. It is what PDF briefings embed; the interactive
// map stays in the web app.
package mapimage

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"github.com/paulmach/orb"
	"golang.org/x/image/vector"
)

// Style says how to paint a shape; a zero colour (alpha 0) is not painted.
type Style struct {
	Fill     color.RGBA
	Stroke   color.RGBA
	StrokePx float64 // outline width in pixels (default 1 when Stroke is set)
}

// Map is an image with a fitted projection.
type Map struct {
	img        *image.RGBA
	minX, maxY float64 // projected top-left
	scale      float64 // pixels per projected unit
	r          vector.Rasterizer
}

// ErrBadSize is returned for unusable image sizes or bounds.
var ErrBadSize = errors.New("mapimage: bad size or bounds")

// New fits bound (lon/lat) into an image at most widthPx x maxHeightPx with a
// margin of padPx, keeping Mercator's aspect ratio; background fills it.
func New(bound orb.Bound, widthPx, maxHeightPx, padPx int, background color.RGBA) (*Map, error) {
	if widthPx < 16 || maxHeightPx < 16 || widthPx > 8000 || maxHeightPx > 8000 || padPx < 0 || 2*padPx >= min(widthPx, maxHeightPx) {
		return nil, fmt.Errorf("%w: %dx%d pad %d", ErrBadSize, widthPx, maxHeightPx, padPx)
	}
	if !(bound.Min[0] <= bound.Max[0] && bound.Min[1] <= bound.Max[1]) || bound.Min[1] < -85 || bound.Max[1] > 85 {
		return nil, fmt.Errorf("%w: bound %v", ErrBadSize, bound)
	}
	// A point or a line still needs an extent: pad to at least ~1 km.
	const minSpan = 0.01
	if d := minSpan - (bound.Max[0] - bound.Min[0]); d > 0 {
		bound.Min[0] -= d / 2
		bound.Max[0] += d / 2
	}
	if d := minSpan - (bound.Max[1] - bound.Min[1]); d > 0 {
		bound.Min[1] -= d / 2
		bound.Max[1] += d / 2
	}
	x0, y0 := project(orb.Point{bound.Min[0], bound.Min[1]})
	x1, y1 := project(orb.Point{bound.Max[0], bound.Max[1]})
	innerW, innerH := float64(widthPx-2*padPx), float64(maxHeightPx-2*padPx)
	scale := math.Min(innerW/(x1-x0), innerH/(y1-y0))
	h := int(math.Ceil((y1-y0)*scale)) + 2*padPx
	w := int(math.Ceil((x1-x0)*scale)) + 2*padPx
	// Centre horizontally in the full width when height was the limit.
	w = max(w, widthPx)
	offX := (float64(w) - (x1-x0)*scale) / 2
	m := &Map{
		img:   image.NewRGBA(image.Rect(0, 0, w, h)),
		minX:  x0 - offX/scale,
		maxY:  y1 + float64(padPx)/scale,
		scale: scale,
	}
	draw.Draw(m.img, m.img.Bounds(), &image.Uniform{background}, image.Point{}, draw.Src)
	return m, nil
}

func project(p orb.Point) (float64, float64) {
	lat := math.Max(-85, math.Min(85, p[1])) * math.Pi / 180
	return p[0], math.Log(math.Tan(math.Pi/4+lat/2)) * 180 / math.Pi
}

// Pixel returns the image position of a lon/lat point (for labels placed by
// the caller, e.g. text in a PDF over the image).
func (m *Map) Pixel(p orb.Point) (float64, float64) {
	x, y := project(p)
	return (x - m.minX) * m.scale, (m.maxY - y) * m.scale
}

// Size is the image size in pixels.
func (m *Map) Size() (int, int) { b := m.img.Bounds(); return b.Dx(), b.Dy() }

// Image is the drawn image.
func (m *Map) Image() *image.RGBA { return m.img }

// PNG encodes the image.
func (m *Map) PNG(w io.Writer) error {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, m.img)
}

// Geometry paints a Polygon or MultiPolygon (others are ignored: the caller
// chooses Circle/Marker/Path for points and lines).
func (m *Map) Geometry(g orb.Geometry, s Style) {
	switch g := g.(type) {
	case orb.Polygon:
		m.polygon(g, s)
	case orb.MultiPolygon:
		for _, p := range g {
			m.polygon(p, s)
		}
	case orb.Collection:
		for _, x := range g {
			m.Geometry(x, s)
		}
	}
}

type pt struct{ x, y float64 }

func (m *Map) polygon(p orb.Polygon, s Style) {
	if len(p) == 0 {
		return
	}
	rings := make([][]pt, 0, len(p))
	for i, r := range p {
		px := make([]pt, len(r))
		for j, q := range r {
			px[j].x, px[j].y = m.Pixel(q)
		}
		// The rasteriser fills by non-zero winding: holes must wind against
		// the shell whatever orientation the source used.
		if (signedArea(px) > 0) != (i == 0) {
			reverse(px)
		}
		rings = append(rings, px)
	}
	if s.Fill.A > 0 {
		m.fill(rings, s.Fill)
	}
	if s.Stroke.A > 0 {
		w := s.StrokePx
		if w <= 0 {
			w = 1
		}
		for _, r := range rings {
			m.stroke(r, true, w, s.Stroke)
		}
	}
}

// fill rasterises closed rings over their pixel bounding box only, so that
// thousands of small shapes (hexagons) cost little each.
func (m *Map) fill(rings [][]pt, c color.RGBA) {
	b := m.img.Bounds()
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range rings {
		for _, q := range r {
			minX, minY = math.Min(minX, q.x), math.Min(minY, q.y)
			maxX, maxY = math.Max(maxX, q.x), math.Max(maxY, q.y)
		}
	}
	box := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(b)
	if box.Empty() {
		return
	}
	m.r.Reset(box.Dx(), box.Dy())
	m.r.DrawOp = draw.Over
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	// The rasteriser clips to its box itself (rows outside are skipped,
	// columns outside accumulate at the edge, which is exact for filling); only
	// absurd coordinates are bounded, to keep its row loop short.
	clamp := func(v, _ float64) float32 { return float32(math.Max(-1e5, math.Min(1e5, v))) }
	for _, r := range rings {
		if len(r) < 3 {
			continue
		}
		m.r.MoveTo(clamp(r[0].x-ox, float64(box.Dx())), clamp(r[0].y-oy, float64(box.Dy())))
		for _, q := range r[1:] {
			m.r.LineTo(clamp(q.x-ox, float64(box.Dx())), clamp(q.y-oy, float64(box.Dy())))
		}
		m.r.ClosePath()
	}
	m.r.Draw(m.img, box, &image.Uniform{c}, image.Point{})
}

// stroke draws a polyline of width w as one quad per segment plus round-ish
// joins (a small square), which is enough at map-figure scale.
func (m *Map) stroke(line []pt, closed bool, w float64, c color.RGBA) {
	n := len(line)
	if n < 2 {
		return
	}
	segs := n - 1
	if closed && (line[0] != line[n-1]) {
		segs = n
	}
	for i := range segs {
		a, b := line[i], line[(i+1)%n]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*w/2, dx/l*w/2
		quad := []pt{{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}}
		if signedArea(quad) < 0 {
			reverse(quad)
		}
		m.fill([][]pt{quad}, c)
	}
}

// Path draws a line through lon/lat points.
func (m *Map) Path(ls orb.LineString, widthPx float64, c color.RGBA) {
	px := make([]pt, len(ls))
	for i, q := range ls {
		px[i].x, px[i].y = m.Pixel(q)
	}
	m.stroke(px, false, widthPx, c)
}

// Marker draws a disc of radiusPx pixels at a lon/lat point.
func (m *Map) Marker(p orb.Point, radiusPx float64, s Style) {
	x, y := m.Pixel(p)
	m.disc(x, y, radiusPx, radiusPx, s)
}

// Circle draws a ground circle of radiusKm around a lon/lat point (an ellipse
// in Mercator pixels away from the equator, as it should be).
func (m *Map) Circle(p orb.Point, radiusKm float64, s Style) {
	x, y := m.Pixel(p)
	const kmPerDeg = 111.32
	rx := radiusKm / (kmPerDeg * math.Cos(p[1]*math.Pi/180)) * m.scale
	_, yn := m.Pixel(orb.Point{p[0], p[1] + radiusKm/kmPerDeg})
	m.disc(x, y, rx, y-yn, s)
}

func (m *Map) disc(x, y, rx, ry float64, s Style) {
	const k = 48
	ring := make([]pt, k)
	for i := range ring {
		a := 2 * math.Pi * float64(i) / k
		ring[i] = pt{x + rx*math.Cos(a), y + ry*math.Sin(a)}
	}
	if signedArea(ring) < 0 {
		reverse(ring)
	}
	if s.Fill.A > 0 {
		m.fill([][]pt{ring}, s.Fill)
	}
	if s.Stroke.A > 0 {
		w := s.StrokePx
		if w <= 0 {
			w = 1
		}
		m.stroke(ring, true, w, s.Stroke)
	}
}

func signedArea(r []pt) float64 {
	var a float64
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i].x*r[j].y - r[j].x*r[i].y
	}
	return a / 2
}

func reverse(r []pt) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}
