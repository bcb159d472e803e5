package disclosure

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

const threshold = 10

func TestPublish(t *testing.T) {
	tests := []struct {
		in   int64
		want int64
		ok   bool
	}{{0, 0, false}, {1, 0, false}, {9, 0, false}, {10, 10, true}, {11, 11, true}, {-3, 0, false}}
	for _, tc := range tests {
		if got, ok := Publish(tc.in, threshold); got != tc.want || ok != tc.ok {
			t.Errorf("Publish(%d) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRollupSumsPublishedLeavesOnly(t *testing.T) {
	leaves := map[string]int64{"a1": 14, "a2": 9, "a3": 0, "b1": 3, "b2": 4, "c1": 25, "c2": 10}
	parent := func(k string) string { return k[:1] }
	got := Rollup(leaves, threshold, parent)
	want := map[string]int64{"a": 14, "c": 35}
	if !maps.Equal(got, want) {
		t.Fatalf("Rollup = %v, want %v", got, want)
	}
	if tot := Total(leaves, threshold); tot != 49 {
		t.Fatalf("Total = %d, want 49", tot)
	}
	if l := Leaves(leaves, threshold); len(l) != 3 || l["a2"] != 0 {
		t.Fatalf("Leaves = %v", l)
	}
}

// world is a small synthetic area: leaves in a 3-level hierarchy (leaf → cell
// → region) plus a second, non-nested partition (think kabupaten cutting across
// hexagons).
type world struct {
	leaves   []int64
	parent   []int // leaf → mid-level cell
	region   []int // mid cell → region
	district []int // leaf → district (not nested with cells)
}

// publication is everything a non-personal reader could collect: every level,
// both partitions (all zoom levels and layers at once).
type publication struct {
	leaves, cells, regions, districts map[int]int64
	total                             int64
}

type scheme func(w world, counts []int64) publication

// safeScheme is the package's rule.
func safeScheme(w world, counts []int64) publication {
	m := map[int]int64{}
	for i, c := range counts {
		m[i] = c
	}
	return publication{
		leaves:    Leaves(m, threshold),
		cells:     Rollup(m, threshold, func(i int) int { return w.parent[i] }),
		regions:   Rollup(m, threshold, func(i int) int { return w.region[w.parent[i]] }),
		districts: Rollup(m, threshold, func(i int) int { return w.district[i] }),
		total:     Total(m, threshold),
	}
}

// naiveScheme suppresses each level on its own with true totals: what a tile
// server does when it counts per zoom level and drops small cells.
func naiveScheme(w world, counts []int64) publication {
	sup := func(m map[int]int64) map[int]int64 {
		out := map[int]int64{}
		for k, v := range m {
			if v >= threshold {
				out[k] = v
			}
		}
		return out
	}
	leaves, cells, regions, districts := map[int]int64{}, map[int]int64{}, map[int]int64{}, map[int]int64{}
	var total int64
	for i, c := range counts {
		leaves[i] += c
		cells[w.parent[i]] += c
		regions[w.region[w.parent[i]]] += c
		districts[w.district[i]] += c
		total += c
	}
	if total < threshold {
		total = 0
	}
	return publication{sup(leaves), sup(cells), sup(regions), sup(districts), total}
}

func (p publication) equal(q publication) bool {
	return maps.Equal(p.leaves, q.leaves) && maps.Equal(p.cells, q.cells) && maps.Equal(p.regions, q.regions) &&
		maps.Equal(p.districts, q.districts) && p.total == q.total
}

func (p publication) smallValue() (string, int64, bool) {
	for name, m := range map[string]map[int]int64{"leaf": p.leaves, "cell": p.cells, "region": p.regions, "district": p.districts} {
		for _, v := range m {
			if v > 0 && v < threshold {
				return name, v, true
			}
		}
	}
	if p.total > 0 && p.total < threshold {
		return "total", p.total, true
	}
	return "", 0, false
}

// attack is the strongest possible differencing attacker on a small world:
// knowing the scheme and the publication, it tries every assignment of 0..9 to
// the leaves not published and keeps those that reproduce the publication
// exactly. A leaf is disclosed when it holds a non-zero count and every
// consistent assignment agrees on it (whatever linear combination the attacker
// would use, it cannot know more than this). Returns the disclosed leaves.
func attack(w world, s scheme, counts []int64) []int {
	pub := s(w, counts)
	var hidden []int
	for i := range counts {
		if _, ok := pub.leaves[i]; !ok {
			hidden = append(hidden, i)
		}
	}
	feasible := make([]map[int64]bool, len(hidden))
	for i := range feasible {
		feasible[i] = map[int64]bool{}
	}
	trial := slices.Clone(counts)
	var rec func(j int)
	rec = func(j int) {
		if j == len(hidden) {
			if s(w, trial).equal(pub) {
				for i, h := range hidden {
					feasible[i][trial[h]] = true
				}
			}
			return
		}
		for v := int64(0); v < threshold; v++ {
			trial[hidden[j]] = v
			rec(j + 1)
		}
	}
	rec(0)
	var disclosed []int
	for i, h := range hidden {
		if len(feasible[i]) == 1 && counts[h] > 0 {
			disclosed = append(disclosed, h)
		}
	}
	return disclosed
}

// randomWorld makes a world of n leaves in which leaf counts are drawn so that
// about half are small (1..9): the hard case.
func randomWorld(rng *rand.Rand, n int) (world, []int64) {
	w := world{leaves: make([]int64, n), parent: make([]int, n), district: make([]int, n)}
	cells := 1 + n/3
	w.region = make([]int, cells)
	for c := range w.region {
		w.region[c] = c / 2
	}
	counts := make([]int64, n)
	for i := range counts {
		w.parent[i] = rng.IntN(cells)
		w.district[i] = rng.IntN(3)
		switch rng.IntN(4) {
		case 0:
			counts[i] = 0
		case 1, 2:
			counts[i] = 1 + rng.Int64N(9)
		default:
			counts[i] = 10 + rng.Int64N(30)
		}
	}
	return w, counts
}

func hiddenCount(counts []int64) int {
	n := 0
	for _, c := range counts {
		if c < threshold {
			n++
		}
	}
	return n
}

// For random data, no published set of values (all levels, both partitions,
// the national total) lets anyone recover a withheld count, and no published
// value lies in 1..9.
func TestNoDisclosureByDifferencing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	trials := 0
	for trials < 120 {
		w, counts := randomWorld(rng, 4+rng.IntN(5))
		if hiddenCount(counts) > 4 { // keep the brute force at most 10^4 tries
			continue
		}
		trials++
		if name, v, bad := safeScheme(w, counts).smallValue(); bad {
			t.Fatalf("published %s value %d in 1..9 for %v", name, v, counts)
		}
		if d := attack(w, safeScheme, counts); len(d) > 0 {
			t.Fatalf("counts %v (world %+v): leaves %v recovered by differencing", counts, w, d)
		}
	}
}

// The attacker is real: against per-level suppression it recovers counts, both
// in a hand-made case and in random worlds. (Without this, the test above could
// pass with an attacker that never finds anything.)
func TestAttackerBreaksNaiveSuppression(t *testing.T) {
	// one cell with children 14 and 9: the cell publishes 23, the leaf 14
	w := world{parent: []int{0, 0}, region: []int{0}, district: []int{0, 1}}
	counts := []int64{14, 9}
	if d := attack(w, naiveScheme, counts); !slices.Equal(d, []int{1}) {
		t.Fatalf("naive scheme: attacker recovered %v, want leaf 1 (the 9)", d)
	}
	if d := attack(w, safeScheme, counts); len(d) != 0 {
		t.Fatalf("safe scheme: attacker recovered %v", d)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	broken := 0
	for i := 0; i < 200; i++ {
		w, counts := randomWorld(rng, 4+rng.IntN(5))
		if hiddenCount(counts) > 4 {
			continue
		}
		if len(attack(w, naiveScheme, counts)) > 0 {
			broken++
		}
	}
	if broken == 0 {
		t.Fatal("the attacker never broke the naive scheme on random data: it is too weak to prove anything")
	}
	t.Logf("naive per-level suppression disclosed a count in %d random worlds", broken)
}

func ExampleRollup() {
	// Residents per H3 cell at the base resolution; the parent is the first letter.
	leaves := map[string]int64{"a1": 14, "a2": 9, "b1": 3, "b2": 40}
	fmt.Println(Rollup(leaves, 10, func(k string) string { return k[:1] }))
	// Output: map[a:14 b:40]
}

// A breakdown for a brief (foreigners by nationality and permit type): each
// cell is suppressed on its own, and every total is summed from the published
// cells, so no total minus its published parts reveals a withheld cell.
func ExampleRollup_breakdown() {
	type key struct{ nationality, permit string }
	counts := map[key]int64{{"CHN", "ITAS"}: 120, {"CHN", "VOA"}: 7, {"MYS", "ITAS"}: 15, {"MYS", "VOA"}: 31, {"AUS", "VOA"}: 4}
	byNationality := Rollup(counts, 10, func(k key) string { return k.nationality })
	byPermit := Rollup(counts, 10, func(k key) string { return k.permit })
	fmt.Println(byNationality, byPermit, Total(counts, 10))
	// Output: map[CHN:120 MYS:46] map[ITAS:135 VOA:31] 166
}
