package teams

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randomPoints(rng *rand.Rand, n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{Lat: -8.5 + rng.Float64()*0.6, Lon: 115 + rng.Float64()*0.8}
	}
	return pts
}

func TestSplitBalancedAndComplete(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	cases := []struct{ n, k int }{{0, 3}, {1, 1}, {1, 4}, {5, 5}, {7, 3}, {10, 3}, {100, 7}, {101, 4}, {333, 10}, {50, 1}}
	for _, c := range cases {
		pts := randomPoints(rng, c.n)
		groups, err := Split(pts, c.k)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != c.k {
			t.Fatalf("n=%d k=%d: %d groups", c.n, c.k, len(groups))
		}
		seen := make([]int, c.n)
		minS, maxS := math.MaxInt, 0
		for _, g := range groups {
			minS, maxS = min(minS, len(g)), max(maxS, len(g))
			for _, i := range g {
				seen[i]++
			}
		}
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("n=%d k=%d: point %d in %d groups", c.n, c.k, i, s)
			}
		}
		if maxS-minS > 1 {
			t.Errorf("n=%d k=%d: sizes %d..%d, want within 1", c.n, c.k, minS, maxS)
		}
	}
}

// Well separated clusters of equal size must come out as the teams.
func TestSplitFindsClusters(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	centres := []Point{{-8.0, 115.0}, {-8.0, 116.0}, {-9.0, 115.5}, {-7.2, 115.5}}
	var pts []Point
	label := map[int]int{}
	for c, ctr := range centres {
		for range 25 {
			label[len(pts)] = c
			pts = append(pts, Point{ctr.Lat + rng.NormFloat64()*0.03, ctr.Lon + rng.NormFloat64()*0.03})
		}
	}
	groups, err := Split(pts, 4)
	if err != nil {
		t.Fatal(err)
	}
	for g, idx := range groups {
		for _, i := range idx {
			if label[i] != label[idx[0]] {
				t.Fatalf("group %d mixes clusters %d and %d", g, label[idx[0]], label[i])
			}
		}
	}
}

// Balanced k-means must be more compact than an arbitrary balanced split.
func TestSplitCompact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	pts := randomPoints(rng, 200)
	groups, _ := Split(pts, 5)
	spread := func(gs [][]int) float64 {
		var s float64
		for _, g := range gs {
			c := centroid(pts, g)
			for _, i := range g {
				s += HaversineKm(c, pts[i])
			}
		}
		return s
	}
	rr := make([][]int, 5)
	for i := range pts {
		rr[i%5] = append(rr[i%5], i)
	}
	if a, b := spread(groups), spread(rr); a > 0.6*b {
		t.Errorf("k-means spread %.1f km is not much better than round robin %.1f km", a, b)
	}
}

func TestSplitBadInput(t *testing.T) {
	for _, k := range []int{0, -1, MaxTeams + 1} {
		if _, err := Split(randomPoints(rand.New(rand.NewPCG(1, 1)), 5), k); err == nil {
			t.Errorf("k=%d accepted", k)
		}
	}
	if _, err := Split([]Point{{Lat: math.NaN()}}, 1); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := Split([]Point{{Lat: 95}}, 1); err == nil {
		t.Error("lat 95 accepted")
	}
}

func TestTwoOptNeverWorseAndLocallyOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for trial := range 100 {
		pts := randomPoints(rng, 2+rng.IntN(60))
		idx := make([]int, len(pts))
		for i := range idx {
			idx[i] = i
		}
		var start *Point
		if trial%2 == 0 {
			start = &Point{-8.2, 115.4}
		}
		nn := NearestNeighbour(pts, idx, start)
		nnKm := PathKm(pts, nn, start)
		opt := TwoOpt(pts, slices.Clone(nn), start)
		optKm := PathKm(pts, opt, start)
		if optKm > nnKm+1e-9 {
			t.Fatalf("trial %d: 2-opt %.4f km worse than NN %.4f km", trial, optKm, nnKm)
		}
		got := slices.Sorted(slices.Values(opt))
		if !slices.Equal(got, idx) {
			t.Fatalf("trial %d: 2-opt lost or duplicated targets", trial)
		}
		// No single reversal may shorten the result.
		for i := range opt {
			for j := i + 1; j < len(opt); j++ {
				alt := slices.Clone(opt)
				slices.Reverse(alt[i : j+1])
				if PathKm(pts, alt, start) < optKm-1e-6 {
					t.Fatalf("trial %d: reversing %d..%d still improves", trial, i, j)
				}
			}
		}
	}
}

func TestTourKnownCases(t *testing.T) {
	// Collinear points along the equator, shuffled: the best open path is the
	// sweep from one end to the other.
	var line []Point
	for _, lon := range []float64{100.5, 100.1, 100.9, 100.0, 100.3, 100.7, 100.2} {
		line = append(line, Point{0, lon})
	}
	idx := []int{0, 1, 2, 3, 4, 5, 6}
	order := TwoOpt(line, NearestNeighbour(line, idx, nil), nil)
	span := HaversineKm(Point{0, 100}, Point{0, 100.9})
	if got := PathKm(line, order, nil); math.Abs(got-span) > 1e-6 {
		t.Errorf("line: path %.3f km, want the span %.3f km (order %v)", got, span, order)
	}
	// A square's corners: three sides.
	sq := []Point{{0, 0}, {0.1, 0.1}, {0, 0.1}, {0.1, 0}}
	order = TwoOpt(sq, NearestNeighbour(sq, []int{0, 1, 2, 3}, nil), nil)
	side := HaversineKm(Point{0, 0}, Point{0, 0.1})
	if got := PathKm(sq, order, nil); math.Abs(got-3*side) > 0.01 {
		t.Errorf("square: %.3f km, want 3 sides %.3f km", got, 3*side)
	}
	// A crossing NN path is untangled: from the start, NN goes to the near
	// point then zig-zags; 2-opt must reach the monotone sweep.
	start := Point{0, 99.9}
	order = TwoOpt(line, NearestNeighbour(line, idx, &start), &start)
	if line[order[0]].Lon != 100.0 || line[order[len(order)-1]].Lon != 100.9 {
		t.Errorf("anchored line: order %v", order)
	}
}

func TestPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	pts := randomPoints(rng, 120)
	plan, err := Plan(pts, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tm := range plan {
		n += len(tm.Order)
		if tm.LengthKm > tm.NNKm+1e-9 {
			t.Errorf("team length %.2f > NN %.2f", tm.LengthKm, tm.NNKm)
		}
		if len(tm.Order) < 29 || len(tm.Order) > 31 {
			t.Errorf("team size %d", len(tm.Order))
		}
	}
	if n != 120 {
		t.Fatalf("%d targets planned", n)
	}
	t.Logf("4 teams x 30 targets: lengths %.1f/%.1f/%.1f/%.1f km", plan[0].LengthKm, plan[1].LengthKm, plan[2].LengthKm, plan[3].LengthKm)
}

func BenchmarkPlan1000x8(b *testing.B) {
	pts := randomPoints(rand.New(rand.NewPCG(6, 6)), 1000)
	for b.Loop() {
		if _, err := Plan(pts, 8, nil); err != nil {
			b.Fatal(err)
		}
	}
}
