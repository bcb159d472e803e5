package sample

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

// An L-shaped island with a lake, and a separate square islet.
func testRegion() *Region {
	l := orb.Polygon{
		{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}},
		{{0.2, 0.2}, {0.2, 0.6}, {0.6, 0.6}, {0.6, 0.2}, {0.2, 0.2}}, // lake
	}
	islet := orb.Polygon{{{5, 5}, {5.5, 5}, {5.5, 5.5}, {5, 5.5}, {5, 5}}}
	return NewRegion(orb.MultiPolygon{l, islet})
}

func TestRegionContains(t *testing.T) {
	r := testRegion()
	for _, c := range []struct {
		name string
		p    orb.Point
		want bool
	}{
		{"main body", orb.Point{0.1, 1.5}, true},
		{"in the L's notch", orb.Point{1.5, 1.5}, false},
		{"in the lake", orb.Point{0.4, 0.4}, false},
		{"islet", orb.Point{5.2, 5.3}, true},
		{"between parts", orb.Point{3, 3}, false},
		{"far away", orb.Point{-50, 80}, false},
	} {
		if got := r.Contains(c.p); got != c.want {
			t.Errorf("%s %v: Contains = %v, want %v", c.name, c.p, got, c.want)
		}
	}
	if !NewRegion(orb.LineString{{0, 0}, {1, 1}}).Empty() {
		t.Error("a line string should give an empty region")
	}
}

func TestNearAndUniformStayInside(t *testing.T) {
	r := testRegion()
	g := rng(1)
	for _, c := range []struct {
		name   string
		center orb.Point
		sigma  float64
	}{
		{"corner of the notch, wide jitter", orb.Point{1, 1}, 80},
		{"lake shore", orb.Point{0.2, 0.4}, 20},
		{"islet", orb.Point{5.25, 5.25}, 30},
	} {
		n := 0
		for range 500 {
			p, ok := Near(g, r, c.center, c.sigma, 50)
			if !ok {
				continue
			}
			n++
			if !r.Contains(p) {
				t.Fatalf("%s: Near gave %v outside the region", c.name, p)
			}
			if p != Round6(p) {
				t.Fatalf("%s: %v not rounded to 6 decimals", c.name, p)
			}
		}
		if n < 400 {
			t.Errorf("%s: only %d of 500 draws succeeded", c.name, n)
		}
	}
	// Uniform: parts are chosen by area (main ≈ 3 − 0.16, islet 0.25).
	islet := 0
	for range 4000 {
		p, ok := Uniform(g, r, 100)
		if !ok || !r.Contains(p) {
			t.Fatalf("Uniform gave %v ok=%v", p, ok)
		}
		if p[0] > 4 {
			islet++
		}
	}
	if share := float64(islet) / 4000; math.Abs(share-0.25/3.09) > 0.02 {
		t.Errorf("islet share %.3f, want ≈ %.3f", share, 0.25/3.09)
	}
}

func TestIndexLocate(t *testing.T) {
	a := NewRegion(orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}})
	b := NewRegion(orb.Polygon{{{0.9, 0}, {2, 0}, {2, 1}, {0.9, 1}, {0.9, 0}}}) // overlaps a
	ix := NewIndex([]*Region{a, b}, 0.3)
	for _, c := range []struct {
		p    orb.Point
		want int
	}{
		{orb.Point{0.5, 0.5}, 0}, {orb.Point{1.5, 0.5}, 1}, {orb.Point{0.95, 0.5}, 0}, {orb.Point{3, 3}, -1}, {orb.Point{-1, 0.5}, -1},
	} {
		if got := ix.Locate(c.p); got != c.want {
			t.Errorf("Locate(%v) = %d, want %d", c.p, got, c.want)
		}
	}
}

func TestNearestMatchesBruteForce(t *testing.T) {
	g := rng(2)
	for _, c := range []struct {
		name string
		n    int
		cell float64
	}{{"dense", 2000, 0.25}, {"sparse, coarse grid", 14, 1}, {"single", 1, 0.5}, {"fine grid", 300, 0.05}} {
		pts := make([]orb.Point, c.n)
		for i := range pts {
			pts[i] = orb.Point{95 + 46*g.Float64(), -11 + 17*g.Float64()}
		}
		ix := NewPoints(pts, c.cell)
		for range 300 {
			q := orb.Point{90 + 56*g.Float64(), -15 + 25*g.Float64()} // some outside the grid
			bi, bd := -1, math.Inf(1)
			for i, p := range pts {
				if d := DistKm(q, p); d < bd {
					bi, bd = i, d
				}
			}
			gi, gd := ix.Nearest(q)
			if gi != bi || math.Abs(gd-bd) > 1e-9 {
				t.Fatalf("%s: Nearest(%v) = %d (%.3f km), brute force %d (%.3f km)", c.name, q, gi, gd, bi, bd)
			}
		}
	}
	if i, d := NewPoints(nil, 1).Nearest(orb.Point{0, 0}); i != -1 || !math.IsInf(d, 1) {
		t.Errorf("empty index: got %d %v", i, d)
	}
}

func TestAllocate(t *testing.T) {
	for _, c := range []struct {
		name  string
		total int
		w     []float64
		want  []int
	}{
		{"exact", 10, []float64{1, 1}, []int{5, 5}},
		{"remainders", 10, []float64{1, 1, 1}, []int{4, 3, 3}},
		{"zero and negative weights get nothing", 7, []float64{0, 2, -1, 5}, []int{0, 2, 0, 5}},
		{"all zero", 5, []float64{0, 0}, []int{0, 0}},
		{"jambi", 268, []float64{3, 1, 1}, []int{161, 54, 53}},
	} {
		got := Allocate(c.total, c.w)
		sum := 0
		for i := range got {
			sum += got[i]
			if got[i] != c.want[i] {
				t.Errorf("%s: Allocate(%d, %v) = %v, want %v", c.name, c.total, c.w, got, c.want)
				break
			}
		}
		if c.want[0]+c.want[len(c.want)-1] > 0 && sum != c.total {
			t.Errorf("%s: shares sum to %d, want %d", c.name, sum, c.total)
		}
	}
}

func TestPicker(t *testing.T) {
	g := rng(3)
	p := NewPicker([]float64{0, 1, 0, 3, 0})
	counts := make([]int, 5)
	for range 40000 {
		counts[p.Pick(g)]++
	}
	if counts[0]+counts[2]+counts[4] != 0 {
		t.Errorf("zero weights were picked: %v", counts)
	}
	if r := float64(counts[3]) / float64(counts[1]); math.Abs(r-3) > 0.2 {
		t.Errorf("ratio %.2f, want 3", r)
	}
	if p.Total() != 4 || p.Len() != 5 {
		t.Errorf("Total %v Len %d", p.Total(), p.Len())
	}
}

func TestPoisson(t *testing.T) {
	g := rng(4)
	for _, lambda := range []float64{0, 0.3, 4, 29, 31, 500} {
		n := 20000
		s, s2 := 0.0, 0.0
		for range n {
			x := float64(Poisson(g, lambda))
			if x < 0 {
				t.Fatalf("negative draw")
			}
			s += x
			s2 += x * x
		}
		mean := s / float64(n)
		v := s2/float64(n) - mean*mean
		if math.Abs(mean-lambda) > 4*math.Sqrt(lambda/float64(n))+1e-9 {
			t.Errorf("λ=%v: mean %.3f", lambda, mean)
		}
		if lambda > 0 && math.Abs(v/lambda-1) > 0.1 {
			t.Errorf("λ=%v: variance %.3f", lambda, v)
		}
	}
}

func TestField(t *testing.T) {
	f := NewField(rng(5), orb.Bound{Min: orb.Point{94, -12}, Max: orb.Point{142, 7}}, 0.25, 60)
	// Unit variance over the lattice, and spatial correlation: points 10 km
	// apart are much more alike than points 500 km apart.
	g := rng(6)
	var near, far, all float64
	n := 5000
	for range n {
		p := orb.Point{95 + 45*g.Float64(), -11 + 17*g.Float64()}
		a := f.At(p)
		all += a * a
		near += (a - f.At(orb.Point{p[0] + 0.09, p[1]})) * (a - f.At(orb.Point{p[0] + 0.09, p[1]}))
		q := orb.Point{p[0] + 4.5, p[1]}
		far += (a - f.At(q)) * (a - f.At(q))
	}
	if v := all / float64(n); v < 0.6 || v > 1.4 {
		t.Errorf("field variance %.2f, want ≈ 1", v)
	}
	if near/far > 0.2 {
		t.Errorf("not spatially correlated: near/far squared differences %.3f", near/far)
	}
	// Same seed, same field.
	f2 := NewField(rng(5), orb.Bound{Min: orb.Point{94, -12}, Max: orb.Point{142, 7}}, 0.25, 60)
	if f.At(orb.Point{110.3, -7.2}) != f2.At(orb.Point{110.3, -7.2}) {
		t.Error("field is not deterministic")
	}
}
