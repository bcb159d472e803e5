package mclp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// provinceInstance is the size of a large province at H3 resolution 9
// (~0.1 km² per cell): 400,000 demand cells over ~3.0° x 2.5° (about
// 330 x 275 km, e.g. Nusa Tenggara Timur's extent), 4,000 candidate villages,
// 150 existing desa binaan, radius 5 km. Weights are a few smooth hot spots on
// a background, like a risk surface.
func provinceInstance(rng *rand.Rand) Problem {
	const nDemand, nCand, nFixed = 400_000, 4_000, 150
	type hot struct{ lat, lon, amp, sd float64 }
	var hots []hot
	for range 12 {
		hots = append(hots, hot{-10 + rng.Float64()*2.5, 120 + rng.Float64()*3, 2 + rng.Float64()*8, 0.05 + rng.Float64()*0.3})
	}
	dem := make([]Demand, nDemand)
	for i := range dem {
		p := Point{Lat: -10 + rng.Float64()*2.5, Lon: 120 + rng.Float64()*3}
		w := 0.5 + rng.Float64()
		for _, h := range hots {
			d2 := (p.Lat-h.lat)*(p.Lat-h.lat) + (p.Lon-h.lon)*(p.Lon-h.lon)
			w += h.amp * math.Exp(-d2/(2*h.sd*h.sd))
		}
		dem[i] = Demand{p, w}
	}
	cand := make([]Point, nCand)
	for i := range cand {
		cand[i] = Point{Lat: -10 + rng.Float64()*2.5, Lon: 120 + rng.Float64()*3}
	}
	fixed := make([]Point, nFixed)
	for i := range fixed {
		fixed[i] = Point{Lat: -10 + rng.Float64()*2.5, Lon: 120 + rng.Float64()*3}
	}
	return Problem{Demand: dem, Candidates: cand, Fixed: fixed, RadiusKm: 5, N: 100}
}

// BenchmarkSolveProvince: target well under 2 s per solve (index + coverage
// sets + lazy greedy). Run: go test -run x -bench SolveProvince -benchtime 3x ./geo/mclp
func BenchmarkSolveProvince(b *testing.B) {
	p := provinceInstance(rand.New(rand.NewPCG(7, 8)))
	b.ResetTimer()
	for b.Loop() {
		res, err := Solve(p)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Picks) != p.N {
			b.Fatalf("%d picks", len(res.Picks))
		}
	}
}
