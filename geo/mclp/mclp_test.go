package mclp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteForce returns the best covered weight over all n-subsets of candidates.
func bruteForce(cover [][]int32, w []float64, fixed []bool, n int) float64 {
	m := len(cover)
	if n > m {
		n = m
	}
	best := 0.0
	chosen := make([]int, 0, n)
	var rec func(start int)
	rec = func(start int) {
		if len(chosen) == n {
			best = math.Max(best, CoveredWeight(cover, w, fixed, chosen))
			return
		}
		for c := start; c <= m-(n-len(chosen)); c++ {
			chosen = append(chosen, c)
			rec(c + 1)
			chosen = chosen[:len(chosen)-1]
		}
	}
	rec(0)
	return best
}

func randomInstance(rng *rand.Rand, demand, cands, maxCover int) ([][]int32, []float64, []bool) {
	w := make([]float64, demand)
	for i := range w {
		w[i] = rng.Float64() * 10
	}
	cover := make([][]int32, cands)
	for c := range cover {
		k := rng.IntN(maxCover + 1)
		seen := map[int32]bool{}
		for range k {
			d := int32(rng.IntN(demand))
			if !seen[d] {
				seen[d] = true
				cover[c] = append(cover[c], d)
			}
		}
	}
	var fixed []bool
	if rng.IntN(2) == 0 {
		fixed = make([]bool, demand)
		for i := range fixed {
			fixed[i] = rng.IntN(5) == 0
		}
	}
	return cover, w, fixed
}

func TestGreedyWithinBoundOfBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 1.0
	for trial := range 400 {
		cover, w, fixed := randomInstance(rng, 8+rng.IntN(25), 4+rng.IntN(9), 8)
		n := 1 + rng.IntN(4)
		res, err := Greedy(cover, w, fixed, n)
		if err != nil {
			t.Fatal(err)
		}
		opt := bruteForce(cover, w, fixed, n)
		var chosen []int
		for _, p := range res.Picks {
			chosen = append(chosen, p.Candidate)
		}
		got := CoveredWeight(cover, w, fixed, chosen)
		// The reported total must be the true covered weight of the picks.
		if math.Abs(got-res.CoveredShare*res.TotalWeight) > 1e-9*math.Max(1, got) {
			t.Fatalf("trial %d: reported share %v of %v but picks cover %v", trial, res.CoveredShare, res.TotalWeight, got)
		}
		if got > opt+1e-9 {
			t.Fatalf("trial %d: greedy %v beats the optimum %v: brute force is wrong", trial, got, opt)
		}
		// The 1-1/e guarantee is on the gain over the fixed sites' coverage.
		base := CoveredWeight(cover, w, fixed, nil)
		if opt-base > 0 {
			ratio := (got - base) / (opt - base)
			worst = math.Min(worst, ratio)
			if ratio < 1-1/math.E-1e-9 {
				t.Fatalf("trial %d: greedy gain %v is below (1-1/e) of optimal gain %v", trial, got-base, opt-base)
			}
		}
	}
	t.Logf("worst greedy/optimal gain ratio over 400 instances: %.3f (bound %.3f)", worst, 1-1/math.E)
}

// Cases where greedy is known to be optimal.
func TestGreedyOptimalWhereKnown(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		var cover [][]int32
		var w []float64
		var n int
		switch trial % 3 {
		case 0: // n = 1: greedy takes the best single site
			cover, w, _ = randomInstance(rng, 20, 10, 8)
			n = 1
		case 1: // disjoint coverage sets: the problem is "take the n heaviest"
			d := 0
			cands := 3 + rng.IntN(8)
			for range cands {
				var s []int32
				for range rng.IntN(5) {
					s = append(s, int32(d))
					w = append(w, rng.Float64())
					d++
				}
				cover = append(cover, s)
			}
			n = 1 + rng.IntN(cands)
		case 2: // n >= candidates: everything coverable gets covered
			cover, w, _ = randomInstance(rng, 15, 5, 6)
			n = 5 + rng.IntN(3)
		}
		res, err := Greedy(cover, w, nil, n)
		if err != nil {
			t.Fatal(err)
		}
		opt := bruteForce(cover, w, nil, n)
		if got := res.CoveredShare * res.TotalWeight; math.Abs(got-opt) > 1e-9 {
			t.Fatalf("trial %d (case %d): greedy %v != optimum %v", trial, trial%3, got, opt)
		}
	}
}

func TestGreedyReport(t *testing.T) {
	// demand weights 5,4,3,3,1 (total 16); fixed covers demand 4 (w=1).
	w := []float64{5, 4, 3, 3, 1}
	fixed := []bool{false, false, false, false, true}
	cover := [][]int32{{0}, {1, 2}, {0, 3}, {4}}
	res, err := Greedy(cover, w, fixed, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Pick{
		{Candidate: 2, Marginal: 8, Covers: 2, ShareBefore: 1.0 / 16, ShareAfter: 9.0 / 16},
		{Candidate: 1, Marginal: 7, Covers: 2, ShareBefore: 9.0 / 16, ShareAfter: 1},
	}
	if len(res.Picks) != len(want) || !res.Exhausted {
		t.Fatalf("picks %+v exhausted=%v, want %+v and exhausted", res.Picks, res.Exhausted, want)
	}
	for i, p := range res.Picks {
		if p.Candidate != want[i].Candidate || p.Covers != want[i].Covers ||
			math.Abs(p.Marginal-want[i].Marginal) > 1e-12 ||
			math.Abs(p.ShareBefore-want[i].ShareBefore) > 1e-12 || math.Abs(p.ShareAfter-want[i].ShareAfter) > 1e-12 {
			t.Errorf("pick %d = %+v, want %+v", i, p, want[i])
		}
	}
	if res.FixedWeight != 1 || res.TotalWeight != 16 {
		t.Errorf("fixed %v total %v", res.FixedWeight, res.TotalWeight)
	}
}

func TestGreedyBadInput(t *testing.T) {
	if _, err := Greedy([][]int32{{5}}, []float64{1}, nil, 1); err == nil {
		t.Error("out-of-range demand index accepted")
	}
	if _, err := Greedy(nil, []float64{1}, []bool{true, false}, 1); err == nil {
		t.Error("mismatched fixed accepted")
	}
	bad := []Problem{
		{RadiusKm: 0, N: 1},
		{RadiusKm: math.NaN(), N: 1},
		{RadiusKm: 5, N: -1},
		{RadiusKm: 5, N: 1, Demand: []Demand{{Weight: -1}}},
		{RadiusKm: 5, N: 1, Demand: []Demand{{Weight: math.Inf(1)}}},
	}
	for i, p := range bad {
		if _, err := Solve(p); err == nil {
			t.Errorf("bad problem %d accepted", i)
		}
	}
}

// The grid index must find exactly the points a full scan finds.
func TestIndexMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 20 {
		pts := make([]Point, 2000)
		for i := range pts {
			pts[i] = Point{Lat: -11 + rng.Float64()*3 + float64(trial%3)*20, Lon: 100 + rng.Float64()*4}
		}
		r := 1 + rng.Float64()*30
		ix := NewIndex(pts, r)
		for range 50 {
			q := Point{Lat: pts[0].Lat + rng.Float64()*4 - 2, Lon: 99 + rng.Float64()*6}
			got := map[int32]bool{}
			for _, id := range ix.Within(q, r, nil) {
				got[id] = true
			}
			for i, p := range pts {
				if (HaversineKm(q, p) <= r) != got[int32(i)] {
					t.Fatalf("trial %d: point %d at %.3f km, radius %.3f, index says %v", trial, i, HaversineKm(q, p), r, got[int32(i)])
				}
			}
		}
	}
}

func TestSolveGeographic(t *testing.T) {
	// Three clusters of demand 20 km apart along the equator; one existing
	// site on the first. With N=1 and r=5 km the heavier remaining cluster wins.
	var dem []Demand
	add := func(lon, w float64) {
		for i := range 10 {
			dem = append(dem, Demand{Point{Lat: float64(i) * 0.001, Lon: lon}, w})
		}
	}
	add(100.0, 1)
	add(100.18, 2)
	add(100.36, 3)
	p := Problem{
		Demand:     dem,
		Candidates: []Point{{0, 100.0}, {0, 100.18}, {0, 100.36}, {0, 100.09}},
		Fixed:      []Point{{0, 100.0}},
		RadiusKm:   5, N: 2,
	}
	res, err := Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Picks) != 2 || res.Picks[0].Candidate != 2 || res.Picks[1].Candidate != 1 {
		t.Fatalf("picks %+v", res.Picks)
	}
	if res.FixedWeight != 10 || res.TotalWeight != 60 || res.Picks[0].Marginal != 30 || res.CoveredShare != 1 {
		t.Fatalf("result %+v", res)
	}
	// Hav distance check: 0.18 degrees of longitude at the equator is ~20 km.
	if d := HaversineKm(Point{0, 100}, Point{0, 100.18}); math.Abs(d-20.015) > 0.01 {
		t.Fatalf("haversine %v", d)
	}
}
