// Package teams splits operation targets among K field teams and orders each
// team's visits.
//
// Grouping is balanced k-means: Lloyd iterations in which the assignment step
// is capacitated (every team gets floor(n/K) or ceil(n/K) targets), so teams
// carry equal work and stay compact. The capacitated step assigns target-team
// pairs in order of distance, then improves by pairwise swaps between teams,
// which keep the sizes and only ever shorten the sum of distances to centres.
//
// Each team's visiting order is a nearest-neighbour path improved by 2-opt
// (reverse a segment when that shortens the path) until no reversal helps,
// over great-circle (haversine) distance. That is a few percent above the
// optimal path in practice, which is plenty for a day's field work whose real
// cost is roads and ferries, not straight lines.
package teams

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Point is a WGS84 position in degrees.
type Point struct{ Lat, Lon float64 }

// EarthRadiusKm is the mean Earth radius.
const EarthRadiusKm = 6371.0088

// HaversineKm is the great-circle distance.
func HaversineKm(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}

// MaxTeams bounds K: more teams than this is not a joint operation.
const MaxTeams = 50

// ErrBadInput is returned for invalid K or coordinates.
var ErrBadInput = errors.New("teams: bad input")

// Split assigns each point to one of k groups with sizes differing by at most
// one and returns the groups (indices into pts, ascending). Deterministic.
func Split(pts []Point, k int) ([][]int, error) {
	if k < 1 || k > MaxTeams {
		return nil, fmt.Errorf("%w: number of teams must be 1..%d, got %d", ErrBadInput, MaxTeams, k)
	}
	for i, p := range pts {
		if !(p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180) {
			return nil, fmt.Errorf("%w: point %d (%v, %v) is not a WGS84 position", ErrBadInput, i, p.Lat, p.Lon)
		}
	}
	n := len(pts)
	groups := make([][]int, k)
	if n == 0 {
		return groups, nil
	}
	xy := project(pts)
	centres := seed(xy, k)
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	for iter := 0; iter < 50; iter++ {
		next := balancedAssign(xy, centres)
		if slices.Equal(next, assign) {
			break
		}
		assign = next
		centres = means(xy, assign, k, centres)
	}
	// Pairwise swaps (quadratic) only once Lloyd has settled: a couple of
	// rounds of swap-then-recentre polish what the greedy assignment left.
	for range 3 {
		improveBySwaps(xy, centres, assign)
		centres = means(xy, assign, k, centres)
	}
	for i, g := range assign {
		groups[g] = append(groups[g], i)
	}
	// Number teams from north-west to south-east so the output reads naturally
	// on a map and stays stable between runs.
	slices.SortStableFunc(groups, func(a, b []int) int {
		ca, cb := centroid(pts, a), centroid(pts, b)
		if len(a) == 0 || len(b) == 0 {
			return cmp.Compare(len(b), len(a))
		}
		return cmp.Compare(-ca.Lat+ca.Lon*0.5, -cb.Lat+cb.Lon*0.5)
	})
	return groups, nil
}

type xy struct{ x, y float64 }

// project maps to a local equirectangular plane in km: within one operation
// area (tens to hundreds of km) its distortion is negligible for grouping.
func project(pts []Point) []xy {
	var lat0 float64
	for _, p := range pts {
		lat0 += p.Lat
	}
	lat0 /= float64(len(pts))
	kx := EarthRadiusKm * math.Pi / 180 * math.Cos(lat0*math.Pi/180)
	ky := EarthRadiusKm * math.Pi / 180
	out := make([]xy, len(pts))
	for i, p := range pts {
		out[i] = xy{p.Lon * kx, p.Lat * ky}
	}
	return out
}

func d2(a, b xy) float64 { return (a.x-b.x)*(a.x-b.x) + (a.y-b.y)*(a.y-b.y) }

// seed is k-means++ with a fixed seed, so the same input gives the same plan.
func seed(p []xy, k int) []xy {
	rng := rand.New(rand.NewPCG(uint64(len(p)), uint64(k)))
	c := []xy{p[rng.IntN(len(p))]}
	dist := make([]float64, len(p))
	for len(c) < k {
		var sum float64
		for i, q := range p {
			dist[i] = math.Inf(1)
			for _, cc := range c {
				dist[i] = math.Min(dist[i], d2(q, cc))
			}
			sum += dist[i]
		}
		if sum == 0 { // fewer distinct points than teams
			c = append(c, p[rng.IntN(len(p))])
			continue
		}
		r := rng.Float64() * sum
		pick := len(p) - 1
		for i, d := range dist {
			if r -= d; r <= 0 {
				pick = i
				break
			}
		}
		c = append(c, p[pick])
	}
	return c
}

// balancedAssign gives each point a team so that n%k teams get ceil(n/k) and
// the rest floor(n/k): pairs are taken nearest first, and once enough teams
// have reached ceil(n/k) the others are capped at floor(n/k).
func balancedAssign(p []xy, centres []xy) []int {
	n, k := len(p), len(centres)
	lo, extra := n/k, n%k
	type pair struct {
		d    float64
		i, g int32
	}
	pairs := make([]pair, 0, n*k)
	for i, q := range p {
		for g, c := range centres {
			pairs = append(pairs, pair{d2(q, c), int32(i), int32(g)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := cmp.Compare(a.d, b.d); c != 0 {
			return c
		}
		if c := cmp.Compare(a.i, b.i); c != 0 {
			return c
		}
		return cmp.Compare(a.g, b.g)
	})
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	size := make([]int, k)
	full := 0 // teams at lo+1
	left := n
	for _, pr := range pairs {
		if left == 0 {
			break
		}
		if assign[pr.i] >= 0 {
			continue
		}
		limit := lo
		if full < extra {
			limit = lo + 1
		}
		if size[pr.g] >= limit {
			continue
		}
		assign[pr.i] = int(pr.g)
		size[pr.g]++
		if size[pr.g] == lo+1 {
			full++
		}
		left--
	}
	return assign
}

// improveBySwaps exchanges points between teams while that lowers the total
// squared distance to the centres; sizes never change. Bounded passes keep
// large operations fast.
func improveBySwaps(p []xy, centres []xy, assign []int) {
	if len(p) > 4000 {
		return
	}
	for pass := 0; pass < 20; pass++ {
		improved := false
		for i := range p {
			for j := i + 1; j < len(p); j++ {
				a, b := assign[i], assign[j]
				if a == b {
					continue
				}
				before := d2(p[i], centres[a]) + d2(p[j], centres[b])
				after := d2(p[i], centres[b]) + d2(p[j], centres[a])
				if after < before-1e-9 {
					assign[i], assign[j] = b, a
					improved = true
				}
			}
		}
		if !improved {
			return
		}
	}
}

func means(p []xy, assign []int, k int, old []xy) []xy {
	sum := make([]xy, k)
	cnt := make([]int, k)
	for i, g := range assign {
		sum[g].x += p[i].x
		sum[g].y += p[i].y
		cnt[g]++
	}
	out := make([]xy, k)
	for g := range out {
		if cnt[g] == 0 {
			out[g] = old[g]
			continue
		}
		out[g] = xy{sum[g].x / float64(cnt[g]), sum[g].y / float64(cnt[g])}
	}
	return out
}

func centroid(pts []Point, idx []int) Point {
	var c Point
	for _, i := range idx {
		c.Lat += pts[i].Lat
		c.Lon += pts[i].Lon
	}
	if len(idx) > 0 {
		c.Lat /= float64(len(idx))
		c.Lon /= float64(len(idx))
	}
	return c
}
