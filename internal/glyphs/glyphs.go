// Package glyphs serves the map's label glyphs offline: MapLibre asks for
// signed-distance-field (SDF) glyph ranges as protocol-buffer files at
// /fonts/{fontstack}/{start}-{end}.pbf, which a connected map gets from a font
// CDN. We render them from TrueType fonts on the machine (Debian's
// fonts-dejavu-core) on first request and keep them in memory.
//
// The glyph format follows node-fontnik, which every MapLibre style server
// uses: 24 px em, a 3 px border around each bitmap, distances scaled by
// 256/8 per pixel and shifted by a 0.25 cutoff, so the outline sits at
// 192/255 where MapLibre's shader expects it.
package glyphs

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// SDF parameters shared by the whole MapLibre ecosystem (see package doc).
const (
	emPx    = 24
	border  = 3
	radius  = 8
	cutoff  = 0.25
	rangeSz = 256
)

// Prefix is the URL prefix the handler serves.
const Prefix = "/fonts"

// DefaultFonts maps the font stack names the web style uses to Debian font files.
func DefaultFonts() map[string]string {
	return map[string]string{
		"DejaVu Sans Book": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
		"DejaVu Sans Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	}
}

// Server renders and caches glyph ranges of a fixed set of fonts.
type Server struct {
	fonts map[string]*sfnt.Font
	path  *regexp.Regexp
	mu    sync.Mutex
	cache map[string][]byte // "stack|start": encoded PBF
}

// New loads the fonts (stack name -> TTF path). A missing file is an error
// naming the Debian package to install.
func New(files map[string]string) (*Server, error) {
	s := &Server{fonts: map[string]*sfnt.Font{}, cache: map[string][]byte{},
		path: regexp.MustCompile(`^/fonts/([^/]+)/([0-9]+)-([0-9]+)\.pbf$`)}
	for name, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("glyphs: font %q: %w (install the Debian package fonts-dejavu-core)", name, err)
		}
		f, err := sfnt.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("glyphs: parse font %q (%s): %w", name, path, err)
		}
		s.fonts[name] = f
	}
	return s, nil
}

// ServeHTTP answers GET /fonts/{stack}/{start}-{end}.pbf. A stack listing
// several fonts ("A,B") is served from the first one we have.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	m := s.path.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.Error(w, "glyph URL must be /fonts/{fontstack}/{start}-{end}.pbf", http.StatusNotFound)
		return
	}
	start, err1 := strconv.Atoi(m[2])
	end, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil || start%rangeSz != 0 || end != start+rangeSz-1 || end > 0xFFFF {
		http.Error(w, "glyph range must be N*256-(N*256+255) within 0-65535", http.StatusBadRequest)
		return
	}
	var stack string
	for _, name := range strings.Split(m[1], ",") {
		if _, ok := s.fonts[strings.TrimSpace(name)]; ok {
			stack = strings.TrimSpace(name)
			break
		}
	}
	if stack == "" {
		http.Error(w, "unknown font stack "+strconv.Quote(m[1]), http.StatusNotFound)
		return
	}
	b, err := s.Range(stack, start)
	if err != nil {
		http.Error(w, "glyphs could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}

// Range returns the encoded PBF of 256 code points from start, rendering once.
func (s *Server) Range(stack string, start int) ([]byte, error) {
	key := stack + "|" + strconv.Itoa(start)
	s.mu.Lock()
	b, ok := s.cache[key]
	s.mu.Unlock()
	if ok {
		return b, nil
	}
	f := s.fonts[stack]
	if f == nil {
		return nil, fmt.Errorf("glyphs: unknown font stack %q", stack)
	}
	var gs []Glyph
	var buf sfnt.Buffer
	for cp := start; cp < start+rangeSz; cp++ {
		g, ok, err := Render(f, &buf, rune(cp))
		if err != nil {
			return nil, fmt.Errorf("glyphs: %s U+%04X: %w", stack, cp, err)
		}
		if ok {
			gs = append(gs, g)
		}
	}
	b = Encode(stack, start, gs)
	s.mu.Lock()
	s.cache[key] = b
	s.mu.Unlock()
	return b, nil
}

// Glyph is one rendered glyph in MapLibre's metrics: width and height of the
// outline box in pixels (the bitmap is 3 px larger on every side), left/top of
// that box relative to the pen position and baseline (y up), advance in pixels.
type Glyph struct {
	ID            rune
	Width, Height int
	Left, Top     int
	Advance       int
	Bitmap        []byte
}

type pt struct{ x, y float64 }

// Render draws one code point; ok is false when the font has no glyph for it.
func Render(f *sfnt.Font, buf *sfnt.Buffer, r rune) (Glyph, bool, error) {
	idx, err := f.GlyphIndex(buf, r)
	if err != nil || idx == 0 {
		return Glyph{}, false, nil //nolint:nilerr // a code point the font lacks is not an error
	}
	ppem := fixed.I(emPx)
	adv, err := f.GlyphAdvance(buf, idx, ppem, font.HintingNone)
	if err != nil {
		return Glyph{}, false, err
	}
	segs, err := f.LoadGlyph(buf, idx, ppem, nil)
	if err != nil {
		return Glyph{}, false, err
	}
	g := Glyph{ID: r, Advance: int(math.Round(float64(adv) / 64))}
	rings := flatten(segs)
	if len(rings) == 0 {
		return g, true, nil // a space: advance only
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, ring := range rings {
		for _, p := range ring {
			minX, maxX = math.Min(minX, p.x), math.Max(maxX, p.x)
			minY, maxY = math.Min(minY, p.y), math.Max(maxY, p.y)
		}
	}
	minX, minY, maxX, maxY = math.Round(minX), math.Round(minY), math.Round(maxX), math.Round(maxY)
	if maxX-minX == 0 || maxY-minY == 0 {
		return g, true, nil
	}
	g.Left, g.Top = int(minX), int(maxY)
	g.Width, g.Height = int(maxX-minX), int(maxY-minY)
	bw, bh := g.Width+2*border, g.Height+2*border
	g.Bitmap = make([]byte, bw*bh)
	for y := 0; y < bh; y++ {
		for x := 0; x < bw; x++ {
			// Pixel centre in font space (y up); bitmap row 0 is the top.
			p := pt{minX - border + float64(x) + 0.5, maxY + border - float64(y) - 0.5}
			d := math.Min(minDist(rings, p), radius) * (256.0 / radius)
			if inside(rings, p) {
				d = -d
			}
			d += cutoff * 256
			n := 255 - math.Max(0, math.Min(255, d))
			g.Bitmap[y*bw+x] = byte(n)
		}
	}
	return g, true, nil
}

// flatten turns the outline into closed polylines in pixels, y up.
func flatten(segs sfnt.Segments) [][]pt {
	var rings [][]pt
	var cur []pt
	conv := func(p fixed.Point26_6) pt { return pt{float64(p.X) / 64, -float64(p.Y) / 64} }
	closeRing := func() {
		if len(cur) > 2 {
			if cur[0] != cur[len(cur)-1] {
				cur = append(cur, cur[0])
			}
			rings = append(rings, cur)
		}
		cur = nil
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			closeRing()
			cur = []pt{conv(s.Args[0])}
		case sfnt.SegmentOpLineTo:
			cur = append(cur, conv(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			p0, c, p1 := cur[len(cur)-1], conv(s.Args[0]), conv(s.Args[1])
			for i := 1; i <= 8; i++ {
				t := float64(i) / 8
				a, b, cc := (1-t)*(1-t), 2*(1-t)*t, t*t
				cur = append(cur, pt{a*p0.x + b*c.x + cc*p1.x, a*p0.y + b*c.y + cc*p1.y})
			}
		case sfnt.SegmentOpCubeTo:
			p0, c1, c2, p1 := cur[len(cur)-1], conv(s.Args[0]), conv(s.Args[1]), conv(s.Args[2])
			for i := 1; i <= 10; i++ {
				t := float64(i) / 10
				u := 1 - t
				a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
				cur = append(cur, pt{a*p0.x + b*c1.x + c*c2.x + d*p1.x, a*p0.y + b*c1.y + c*c2.y + d*p1.y})
			}
		}
	}
	closeRing()
	return rings
}

func minDist(rings [][]pt, p pt) float64 {
	best := math.Inf(1)
	for _, ring := range rings {
		for i := 1; i < len(ring); i++ {
			best = math.Min(best, segDist2(p, ring[i-1], ring[i]))
		}
	}
	return math.Sqrt(best)
}

func segDist2(p, v, w pt) float64 {
	dx, dy := w.x-v.x, w.y-v.y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p.x-v.x)*dx+(p.y-v.y)*dy)/l2))
	}
	ex, ey := p.x-(v.x+t*dx), p.y-(v.y+t*dy)
	return ex*ex + ey*ey
}

// inside uses the non-zero winding rule, as TrueType does: even-odd would
// hollow out glyphs whose contours overlap (common in DejaVu's accented letters).
func inside(rings [][]pt, p pt) bool {
	wn := 0
	for _, ring := range rings {
		for i := 1; i < len(ring); i++ {
			a, b := ring[i-1], ring[i]
			cross := (b.x-a.x)*(p.y-a.y) - (p.x-a.x)*(b.y-a.y)
			if a.y <= p.y {
				if b.y > p.y && cross > 0 {
					wn++
				}
			} else if b.y <= p.y && cross < 0 {
				wn--
			}
		}
	}
	return wn != 0
}

// Encode writes the glyphs protocol buffer (message glyphs { repeated fontstack
// stacks = 1 }, fontstack { name = 1; range = 2; repeated glyph glyphs = 3 },
// glyph { id = 1; bitmap = 2; width = 3; height = 4; left = 5 (sint32);
// top = 6 (sint32); advance = 7 }).
func Encode(stack string, start int, gs []Glyph) []byte {
	var fs []byte
	fs = appendBytes(fs, 1, []byte(stack))
	fs = appendBytes(fs, 2, []byte(fmt.Sprintf("%d-%d", start, start+rangeSz-1)))
	for _, g := range gs {
		var m []byte
		m = appendVarintField(m, 1, uint64(g.ID))
		if len(g.Bitmap) > 0 {
			m = appendBytes(m, 2, g.Bitmap)
		}
		m = appendVarintField(m, 3, uint64(g.Width))
		m = appendVarintField(m, 4, uint64(g.Height))
		m = appendVarintField(m, 5, zigzag(g.Left))
		m = appendVarintField(m, 6, zigzag(g.Top))
		m = appendVarintField(m, 7, uint64(max(g.Advance, 0)))
		fs = appendBytes(fs, 3, m)
	}
	return appendBytes(nil, 1, fs)
}

func zigzag(v int) uint64 { return uint64((int64(v) << 1) ^ (int64(v) >> 63)) }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendVarintField(b []byte, field int, v uint64) []byte {
	return appendVarint(appendVarint(b, uint64(field)<<3), v)
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = appendVarint(b, uint64(field)<<3|2)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}
