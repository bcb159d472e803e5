package teams

import "math"

// PathKm is the length of the open path visiting pts[order[0]], pts[order[1]], ...
// from start when start is non-nil.
func PathKm(pts []Point, order []int, start *Point) float64 {
	var d float64
	for i := 1; i < len(order); i++ {
		d += HaversineKm(pts[order[i-1]], pts[order[i]])
	}
	if start != nil && len(order) > 0 {
		d += HaversineKm(*start, pts[order[0]])
	}
	return d
}

// NearestNeighbour orders idx as a greedy open path: from start (if given,
// e.g. the immigration office) to the nearest target, else from the target
// farthest from the group's centre (an end of the group), then always to the
// nearest unvisited target.
func NearestNeighbour(pts []Point, idx []int, start *Point) []int {
	if len(idx) == 0 {
		return nil
	}
	left := append([]int(nil), idx...)
	var cur Point
	if start != nil {
		cur = *start
	} else {
		c := centroid(pts, idx)
		far, fd := 0, -1.0
		for j, i := range left {
			if d := HaversineKm(c, pts[i]); d > fd {
				far, fd = j, d
			}
		}
		cur = pts[left[far]]
	}
	out := make([]int, 0, len(idx))
	for len(left) > 0 {
		best, bd := 0, math.Inf(1)
		for j, i := range left {
			if d := HaversineKm(cur, pts[i]); d < bd {
				best, bd = j, d
			}
		}
		out = append(out, left[best])
		cur = pts[left[best]]
		left[best] = left[len(left)-1]
		left = left[:len(left)-1]
	}
	return out
}

// TwoOpt improves an open path in place until no segment reversal shortens
// it. With start given, the path is anchored at start; otherwise both ends
// are free. Returns the order (same slice).
func TwoOpt(pts []Point, order []int, start *Point) []int {
	m := len(order)
	if m < 2 {
		return order
	}
	// Node 0 is the start when anchored; positions 1..m are the targets.
	nodes := make([]Point, 0, m+1)
	off := 0
	if start != nil {
		nodes = append(nodes, *start)
		off = 1
	}
	for _, i := range order {
		nodes = append(nodes, pts[i])
	}
	total := len(nodes)
	dist := func(a, b int) float64 { return HaversineKm(nodes[a], nodes[b]) }
	var mat []float64
	if total <= 2000 { // a matrix is 8*total² bytes: 32 MB at 2000
		mat = make([]float64, total*total)
		for a := range total {
			for b := a + 1; b < total; b++ {
				mat[a*total+b] = dist(a, b)
				mat[b*total+a] = mat[a*total+b]
			}
		}
		dist = func(a, b int) float64 { return mat[a*total+b] }
	}
	pos := make([]int, total) // pos[k] = node at path position k
	for k := range pos {
		pos[k] = k
	}
	const eps = 1e-9
	for pass := 0; pass < 1000; pass++ {
		improved := false
		for i := off; i < total-1; i++ {
			for j := i + 1; j < total; j++ {
				var before, after float64
				if i > 0 {
					before += dist(pos[i-1], pos[i])
					after += dist(pos[i-1], pos[j])
				}
				if j < total-1 {
					before += dist(pos[j], pos[j+1])
					after += dist(pos[i], pos[j+1])
				}
				if after < before-eps {
					for a, b := i, j; a < b; a, b = a+1, b-1 {
						pos[a], pos[b] = pos[b], pos[a]
					}
					improved = true
				}
			}
		}
		if !improved {
			break
		}
	}
	orig := append([]int(nil), order...)
	for k := off; k < total; k++ {
		order[k-off] = orig[pos[k]-off]
	}
	return order
}

// Team is one team's targets in visiting order.
type Team struct {
	Order    []int   // indices into the input points, in visiting order
	LengthKm float64 // straight-line path length (from start when given)
	NNKm     float64 // the nearest-neighbour path length before 2-opt
}

// Plan splits pts among k teams and orders each team's visits.
func Plan(pts []Point, k int, start *Point) ([]Team, error) {
	groups, err := Split(pts, k)
	if err != nil {
		return nil, err
	}
	out := make([]Team, len(groups))
	for g, idx := range groups {
		nn := NearestNeighbour(pts, idx, start)
		nnKm := PathKm(pts, nn, start)
		order := TwoOpt(pts, append([]int(nil), nn...), start)
		out[g] = Team{Order: order, LengthKm: PathKm(pts, order, start), NNKm: nnKm}
	}
	return out, nil
}
