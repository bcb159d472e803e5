// Package mclp solves the Maximal Covering Location Problem (Church & ReVelle
// 1974; the model behind PySAL spopt's MCLP and Esri's "maximize coverage"):
// given weighted demand points, candidate sites, sites that are already open
// and a coverage radius, choose N new sites so that the weight of demand within
// the radius of at least one open site is as large as possible.
//
// The problem is NP-hard, but covered weight is a monotone submodular function
// of the chosen set, so greedy selection (always add the site with the largest
// marginal gain) is within a factor 1-1/e (~0.632) of the optimum (Nemhauser,
// Wolsey & Fisher 1978), and in practice much closer. Lazy greedy (Minoux 1978)
// gives the same picks with far fewer gain evaluations: a site's gain can only
// shrink as others are chosen, so a stale gain is an upper bound, and a site
// whose re-evaluated gain still tops the queue is the true best.
//
// Existing sites are fixed: the demand they already cover counts as covered
// before the first pick, so new sites are chosen for the uncovered remainder.
package mclp

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
)

// Point is a WGS84 position in degrees.
type Point struct{ Lat, Lon float64 }

// Demand is a weighted demand point (e.g. a risk hexagon's centre and score).
type Demand struct {
	Point
	Weight float64
}

// Problem is one instance in geographic form.
type Problem struct {
	Demand     []Demand
	Candidates []Point // sites that may be opened
	Fixed      []Point // sites already open (e.g. existing desa binaan)
	RadiusKm   float64
	N          int // number of new sites to open
}

// Pick is one chosen site, in the order chosen.
type Pick struct {
	Candidate   int     // index into Problem.Candidates
	Marginal    float64 // demand weight newly covered by this site
	ShareBefore float64 // covered share of total weight before this pick (0..1)
	ShareAfter  float64 // ... and after it
	Covers      int     // demand points newly covered
}

// Result is the greedy solution.
type Result struct {
	Picks        []Pick
	TotalWeight  float64 // weight of all demand
	FixedWeight  float64 // weight covered by the fixed sites alone
	Covered      []bool  // per demand point: covered by a fixed or chosen site
	CoveredShare float64 // final covered share (0..1)
	// Exhausted is true when fewer than N sites were picked because no
	// remaining candidate covers any uncovered demand.
	Exhausted bool
}

// Solve builds coverage sets with a grid index and runs lazy greedy.
func Solve(p Problem) (Result, error) {
	if err := p.validate(); err != nil {
		return Result{}, err
	}
	weights := make([]float64, len(p.Demand))
	pts := make([]Point, len(p.Demand))
	for i, d := range p.Demand {
		weights[i] = d.Weight
		pts[i] = d.Point
	}
	idx := NewIndex(pts, p.RadiusKm)
	fixedCovered := make([]bool, len(pts))
	var buf []int32
	for _, f := range p.Fixed {
		buf = idx.Within(f, p.RadiusKm, buf[:0])
		for _, d := range buf {
			fixedCovered[d] = true
		}
	}
	cover := make([][]int32, len(p.Candidates))
	for c, cp := range p.Candidates {
		buf = idx.Within(cp, p.RadiusKm, buf[:0])
		// Demand already covered by fixed sites can never add gain: leave it out
		// so the greedy loop never looks at it.
		s := make([]int32, 0, len(buf))
		for _, d := range buf {
			if !fixedCovered[d] {
				s = append(s, d)
			}
		}
		cover[c] = s
	}
	return Greedy(cover, weights, fixedCovered, p.N)
}

func (p Problem) validate() error {
	switch {
	case p.N < 0:
		return fmt.Errorf("mclp: N must be >= 0, got %d", p.N)
	case !(p.RadiusKm > 0) || math.IsInf(p.RadiusKm, 0):
		return fmt.Errorf("mclp: radius must be a positive number of km, got %v", p.RadiusKm)
	}
	for i, d := range p.Demand {
		if !(d.Weight >= 0) || math.IsInf(d.Weight, 0) {
			return fmt.Errorf("mclp: demand %d has weight %v (must be finite and >= 0)", i, d.Weight)
		}
	}
	return nil
}

// ErrBadCover reports inconsistent inputs to Greedy.
var ErrBadCover = errors.New("mclp: bad coverage input")

// Greedy is lazy greedy on explicit coverage sets: cover[c] lists the demand
// indices candidate c covers, weights the demand weights, fixed (may be nil)
// the demand already covered. It picks up to n candidates, fewer when no
// candidate adds coverage (a site that covers nothing new is no advice). Ties
// are broken deterministically so that results are reproducible.
func Greedy(cover [][]int32, weights []float64, fixed []bool, n int) (Result, error) {
	if fixed != nil && len(fixed) != len(weights) {
		return Result{}, fmt.Errorf("%w: %d fixed flags for %d demand points", ErrBadCover, len(fixed), len(weights))
	}
	covered := make([]bool, len(weights))
	var total, have float64
	for i, w := range weights {
		total += w
		if fixed != nil && fixed[i] {
			covered[i] = true
			have += w
		}
	}
	res := Result{TotalWeight: total, FixedWeight: have}
	gain := func(c int) (float64, int) {
		var g float64
		k := 0
		for _, d := range cover[c] {
			if !covered[d] {
				g += weights[d]
				k++
			}
		}
		return g, k
	}
	q := make(pq, 0, len(cover))
	for c, s := range cover {
		for _, d := range s {
			if d < 0 || int(d) >= len(weights) {
				return Result{}, fmt.Errorf("%w: candidate %d covers demand %d of %d", ErrBadCover, c, d, len(weights))
			}
		}
		g, _ := gain(c)
		q = append(q, item{cand: c, gain: g, round: 0})
	}
	heap.Init(&q)
	share := func(x float64) float64 {
		if total == 0 {
			return 0
		}
		return x / total
	}
	for round := 1; len(res.Picks) < n; round++ {
		var best item
		found := false
		for q.Len() > 0 {
			top := heap.Pop(&q).(item)
			if top.round == round {
				best, found = top, true
				break
			}
			// Stale: re-evaluate and push back; gains only shrink (submodularity),
			// so if it is still on top next time it is the true maximum.
			top.gain, _ = gain(top.cand)
			top.round = round
			heap.Push(&q, top)
		}
		if !found || best.gain <= 0 {
			res.Exhausted = true
			break
		}
		g, k := gain(best.cand)
		before := have
		for _, d := range cover[best.cand] {
			covered[d] = true
		}
		have += g
		res.Picks = append(res.Picks, Pick{
			Candidate: best.cand, Marginal: g, Covers: k,
			ShareBefore: share(before), ShareAfter: share(have),
		})
	}
	res.Covered = covered
	res.CoveredShare = share(have)
	return res, nil
}

type item struct {
	cand  int
	gain  float64
	round int // the round in which gain was last evaluated
}

// pq is a max-heap on gain; ties prefer fresher evaluations, then lower index.
type pq []item

func (q pq) Len() int { return len(q) }
func (q pq) Less(i, j int) bool {
	if q[i].gain != q[j].gain {
		return q[i].gain > q[j].gain
	}
	if q[i].round != q[j].round {
		return q[i].round > q[j].round
	}
	return q[i].cand < q[j].cand
}
func (q pq) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)   { *q = append(*q, x.(item)) }
func (q *pq) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// CoveredWeight evaluates a set of candidates exactly (for brute force and checks).
func CoveredWeight(cover [][]int32, weights []float64, fixed []bool, chosen []int) float64 {
	seen := make([]bool, len(weights))
	var w float64
	for i := range weights {
		if fixed != nil && fixed[i] {
			seen[i] = true
			w += weights[i]
		}
	}
	for _, c := range chosen {
		for _, d := range cover[c] {
			if !seen[d] {
				seen[d] = true
				w += weights[d]
			}
		}
	}
	return w
}
