package locate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func square(x0, y0, s float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}}}
}

func TestLocate(t *testing.T) {
	ix := New([]Piece{
		{"A", square(100, 0, 1)},
		{"B", square(101, 0, 1)}, // shares an edge with A
		{"C", orb.Polygon{{{103, 0}, {104, 0}, {104, 1}, {103, 1}, {103, 0}}, {{103.4, 0.4}, {103.6, 0.4}, {103.6, 0.6}, {103.4, 0.6}, {103.4, 0.4}}}}, // with a hole
	}, 0.1)
	km := 110.574 // one degree of latitude
	tests := []struct {
		name   string
		p      orb.Point
		code   string
		distKm float64
	}{
		{"inside A", orb.Point{100.5, 0.5}, "A", 0},
		{"inside B", orb.Point{101.5, 0.2}, "B", 0},
		{"in the hole of C", orb.Point{103.5, 0.5}, "C", 0.1 * km},
		{"north of A within 25 km", orb.Point{100.5, 1.1}, "A", 0.1 * km},
		{"north of A beyond 25 km", orb.Point{100.5, 1.3}, "", 0.3 * km},
		{"far away", orb.Point{130, 20}, "", math.Inf(1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, d := ix.Locate(tc.p, 25)
			if code != tc.code {
				t.Errorf("code = %q, want %q", code, tc.code)
			}
			if !(math.IsInf(tc.distKm, 1) && math.IsInf(d, 1)) && tc.code != "" && math.Abs(d-tc.distKm) > 0.05 {
				t.Errorf("distance = %.3f km, want %.3f", d, tc.distKm)
			}
			if tc.code == "" && d <= 25 {
				t.Errorf("no code but distance %.1f km <= 25", d)
			}
		})
	}
}

// TestLocateMatchesBruteForce compares the grid index with testing every piece.
func TestLocateMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var pieces []Piece
	for i := 0; i < 200; i++ {
		pieces = append(pieces, Piece{Code: string(rune('a' + i%26)), Polygon: square(100+rng.Float64()*10, rng.Float64()*10, 0.05+rng.Float64()*0.3)})
	}
	ix := New(pieces, 0.1)
	brute := New(pieces, 100) // one cell: every piece is a candidate
	for i := 0; i < 2000; i++ {
		p := orb.Point{99.5 + rng.Float64()*11, -0.5 + rng.Float64()*11}
		c1, d1 := ix.Locate(p, 25)
		c2, d2 := brute.Locate(p, 25)
		if (c1 == "") != (c2 == "") {
			t.Fatalf("at %v: grid (%q, %.4f) vs brute force (%q, %.4f)", p, c1, d1, c2, d2)
		}
		if c1 != "" && math.Abs(d1-d2) > 1e-9 {
			t.Fatalf("at %v: grid distance %.6f, brute force %.6f", p, d1, d2)
		}
		if d1 == 0 && c1 != c2 && d2 != 0 {
			t.Fatalf("at %v: grid says inside %q, brute force %q", p, c1, c2)
		}
	}
}

func BenchmarkLocate(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	var pieces []Piece
	for i := 0; i < 20000; i++ {
		pieces = append(pieces, Piece{Code: "x", Polygon: square(95+rng.Float64()*45, -10+rng.Float64()*15, 0.2)})
	}
	ix := New(pieces, 0.1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Locate(orb.Point{95 + rng.Float64()*45, -10 + rng.Float64()*15}, 25)
	}
}
