package polygon

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func square(x, y, d float64) orb.Ring {
	return orb.Ring{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}
}

// star is a ring of n points around (x, y) whose radius alternates (a
// star, simple) or whose points are visited in a stride (crossing).
func star(n int, stride int) orb.Ring {
	var r orb.Ring
	for i := 0; i < n; i++ {
		k := (i * stride) % n
		a := 2 * math.Pi * float64(k) / float64(n)
		rad := 0.05
		if k%2 == 1 {
			rad = 0.03
		}
		r = append(r, orb.Point{115 + rad*math.Cos(a), -8.6 + rad*math.Sin(a)})
	}
	return append(r, r[0])
}

func TestCheck(t *testing.T) {
	lim := Limits{MaxVertices: 1000, MaxAreaKm2: 5000}
	cases := []struct {
		name string
		mp   orb.MultiPolygon
		want string // "" = accepted; else a word of the reason
	}{
		{"square", orb.MultiPolygon{{square(115, -8.7, 0.1)}}, ""},
		{"star of 300 points", orb.MultiPolygon{{star(300, 1)}}, ""},
		{"with a hole", orb.MultiPolygon{{square(115, -8.7, 0.1), square(115.02, -8.68, 0.02)}}, ""},
		{"bow tie", orb.MultiPolygon{{{{115, -8.7}, {115.1, -8.6}, {115.1, -8.7}, {115, -8.6}, {115, -8.7}}}}, "crosses itself"},
		{"301 points visited in a stride", orb.MultiPolygon{{star(301, 7)}}, "crosses itself"},
		{"edge touching a vertex", orb.MultiPolygon{{{{115, -8.7}, {115.2, -8.7}, {115.1, -8.6}, {115.1, -8.7}, {115.05, -8.5}, {115, -8.7}}}}, "crosses itself"},
		{"hole across the outline", orb.MultiPolygon{{square(115, -8.7, 0.1), square(115.05, -8.65, 0.1)}}, "hole"},
		{"too many points", orb.MultiPolygon{{star(1001, 1)}}, "at most 1000"},
		{"too large", orb.MultiPolygon{{square(110, -8, 1)}}, "km²"},
		{"open ring", orb.MultiPolygon{{{{115, -8.7}, {115.1, -8.7}, {115.1, -8.6}, {115, -8.6}}}}, "closed"},
		{"no rings", orb.MultiPolygon{{}}, "no rings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.mp, lim)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an *Error about %q", err, c.want)
			}
		})
	}
}

func TestAreaKm2(t *testing.T) {
	// 0.1° × 0.1° at 8.65° S: 11.1 km × 11.0 km ≈ 122 km².
	got := AreaKm2(orb.MultiPolygon{{square(115, -8.7, 0.1)}})
	if got < 119 || got > 125 {
		t.Fatalf("area %v km²", got)
	}
	withHole := AreaKm2(orb.MultiPolygon{{square(115, -8.7, 0.1), square(115.02, -8.68, 0.05)}})
	if withHole > got*0.8 || withHole < got*0.7 {
		t.Fatalf("area with a quarter hole %v of %v", withHole, got)
	}
}

func BenchmarkCheck1000(b *testing.B) {
	mp := orb.MultiPolygon{{star(999, 1)}}
	for b.Loop() {
		if err := Check(mp, Limits{MaxVertices: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}
