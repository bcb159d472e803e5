package glyphs

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"
	"google.golang.org/protobuf/encoding/protowire"
)

func testServer(t *testing.T) *Server {
	t.Helper()
	files := DefaultFonts()
	for _, p := range files {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("font missing under CI: %v", err)
			}
			t.Skipf("font missing (apt-get install fonts-dejavu-core): %v", err)
		}
	}
	s, err := New(files)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// decoded is a glyph read back with protowire, independently of Encode.
type decoded struct {
	id, width, height, advance uint64
	left, top                  int64
	bitmap                     []byte
}

func decode(t *testing.T, b []byte) (name, rng string, gs []decoded) {
	t.Helper()
	num, typ, n := protowire.ConsumeTag(b)
	if num != 1 || typ != protowire.BytesType || n < 0 {
		t.Fatalf("top-level field: %d %d %d", num, typ, n)
	}
	stack, m := protowire.ConsumeBytes(b[n:])
	if m < 0 || n+m != len(b) {
		t.Fatalf("stack length: %d", m)
	}
	for len(stack) > 0 {
		num, typ, n := protowire.ConsumeTag(stack)
		v, m := protowire.ConsumeBytes(stack[n:])
		if typ != protowire.BytesType || m < 0 {
			t.Fatalf("stack field %d type %d", num, typ)
		}
		stack = stack[n+m:]
		switch num {
		case 1:
			name = string(v)
		case 2:
			rng = string(v)
		case 3:
			var g decoded
			for len(v) > 0 {
				f, ft, k := protowire.ConsumeTag(v)
				v = v[k:]
				if ft == protowire.BytesType {
					bb, k := protowire.ConsumeBytes(v)
					g.bitmap, v = bb, v[k:]
					continue
				}
				x, k := protowire.ConsumeVarint(v)
				v = v[k:]
				switch f {
				case 1:
					g.id = x
				case 3:
					g.width = x
				case 4:
					g.height = x
				case 5:
					g.left = protowire.DecodeZigZag(x)
				case 6:
					g.top = protowire.DecodeZigZag(x)
				case 7:
					g.advance = x
				}
			}
			gs = append(gs, g)
		}
	}
	return name, rng, gs
}

func TestRangeDecodesAndGlyphsLookRight(t *testing.T) {
	s := testServer(t)
	start := time.Now()
	b, err := s.Range("DejaVu Sans Book", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("range 0-255 rendered in %v, %d bytes", time.Since(start), len(b))
	name, rng, gs := decode(t, b)
	if name != "DejaVu Sans Book" || rng != "0-255" {
		t.Fatalf("stack %q range %q", name, rng)
	}
	byID := map[uint64]decoded{}
	for _, g := range gs {
		byID[g.id] = g
		if len(g.bitmap) > 0 && len(g.bitmap) != int((g.width+6)*(g.height+6)) {
			t.Fatalf("U+%04X: bitmap %d bytes for %dx%d", g.id, len(g.bitmap), g.width, g.height)
		}
	}
	// Letters used in Indonesian place names, and a space with advance only.
	for _, r := range "AaKkTtéÉ " {
		if _, ok := byID[uint64(r)]; !ok {
			t.Errorf("glyph %q missing", r)
		}
	}
	if sp := byID[' ']; sp.advance < 4 || len(sp.bitmap) != 0 {
		t.Errorf("space: advance %d, bitmap %d bytes", sp.advance, len(sp.bitmap))
	}
	cases := []struct {
		r              rune
		minTop, maxTop int64 // cap height ~17 px, x-height ~13 px at 24 px
	}{{'H', 15, 19}, {'x', 11, 15}, {'p', 11, 15}}
	for _, c := range cases {
		g := byID[uint64(c.r)]
		if g.top < c.minTop || g.top > c.maxTop {
			t.Errorf("%q: top %d, want %d..%d", c.r, g.top, c.minTop, c.maxTop)
		}
	}
	// 'p' descends below the baseline: its box is taller than its top.
	if p := byID['p']; int64(p.height) <= p.top {
		t.Errorf("'p' height %d top %d: no descender", p.height, p.top)
	}
	// SDF: the middle of H's left stem is inside (>192), the bitmap corners outside (<192),
	// and the centre of 'O' (a hole) is outside.
	h := byID['H']
	w := int(h.width + 6)
	stem := h.bitmap[(3+int(h.height)/2)*w+3+1]
	if stem <= 192 || h.bitmap[0] >= 192 {
		t.Errorf("H stem %d corner %d: want stem > 192 > corner", stem, h.bitmap[0])
	}
	o := byID['O']
	ow := int(o.width + 6)
	if c := o.bitmap[(3+int(o.height)/2)*ow+3+int(o.width)/2]; c >= 192 {
		t.Errorf("O centre %d: the hole is filled", c)
	}
}

func TestHandler(t *testing.T) {
	s := testServer(t)
	cases := []struct {
		path string
		code int
	}{
		{"/fonts/DejaVu%20Sans%20Book/0-255.pbf", 200},
		{"/fonts/DejaVu%20Sans%20Bold/256-511.pbf", 200},
		{"/fonts/Noto%20Sans,DejaVu%20Sans%20Bold/0-255.pbf", 200},
		{"/fonts/Open%20Sans%20Regular/0-255.pbf", 404},
		{"/fonts/DejaVu%20Sans%20Book/1-256.pbf", 400},
		{"/fonts/DejaVu%20Sans%20Book/0-511.pbf", 400},
		{"/fonts/DejaVu%20Sans%20Book/65536-65791.pbf", 400},
		{"/fonts/DejaVu%20Sans%20Book/a-b.pbf", 404},
		{"/fonts/x", 404},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.code {
			t.Errorf("%s: %d, want %d (%s)", c.path, rec.Code, c.code, rec.Body)
		}
		if c.code == 200 && rec.Header().Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("%s: content type %q", c.path, rec.Header().Get("Content-Type"))
		}
	}
}

func TestMissingFontNamesPackage(t *testing.T) {
	_, err := New(map[string]string{"X": "/nonexistent/font.ttf"})
	if err == nil || !contains(err.Error(), "fonts-dejavu-core") {
		t.Fatalf("err = %v", err)
	}
}

func TestRenderUnknownCodePoint(t *testing.T) {
	s := testServer(t)
	var buf sfnt.Buffer
	if _, ok, err := Render(s.fonts["DejaVu Sans Book"], &buf, 0xE000); ok || err != nil {
		t.Fatalf("private-use code point: ok=%v err=%v", ok, err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
