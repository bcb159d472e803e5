// Package disclosure publishes counts of people (foreign residents, hotel
// guests, incident victims) to readers without personal-data rights so that no
// count from 1 to Min-1 can be read or worked out.
//
// # The rule
//
// Suppression is applied once, at a fixed base level (the leaves: e.g. H3
// cells of one resolution, or desa), and everything coarser is computed from
// the published leaves only:
//
//  1. A leaf count c is published when c >= Min, and withheld otherwise —
//     zero included, so a missing cell does not tell "nobody" from "a few".
//  2. A coarser aggregate (parent cell, lower zoom level, kecamatan, kabupaten,
//     province, national total, export row, PDF table) is the SUM OF THE
//     PUBLISHED LEAVES under it, never the true total.
//
// Why this cannot be undone by differencing: every published number is a sum
// of published leaves, so any combination of published numbers (a parent minus
// its children, one zoom level minus another, a kabupaten minus the hexagons
// inside it, even for partitions that do not nest) is again a combination of
// published leaves. A withheld leaf contributes to no published number at all;
// the published data are identical whether it holds 0 or 9, so nothing about
// it can be recovered. Sums of values that are each 0 or >= Min are themselves
// 0 or >= Min, so no aggregate falls in 1..Min-1 either. (The property tests
// check exactly this with an attacker that tries every possible hidden value.)
//
// Publishing each level with its own suppression (true totals, small cells
// dropped per level) is NOT safe: a parent of 23 whose published children are
// 14 reveals that the one withheld child holds 9. The tests show that attacker
// succeeding against that scheme.
//
// The price is an undercount at coarse levels (people in small leaves are not
// in any published total); choose the base level as coarse as the map's finest
// non-personal view allows. Breakdowns (per kind, per nationality) must be
// suppressed the same way per breakdown value, and their totals summed from
// the published breakdown cells, or the total minus the published parts leaks.
//
// Roles with personal-data rights (access.Principal.CanSeePersonal) see true
// counts; they are not subject to this package.
package disclosure

// Publish applies rule 1 to a base-level count: the count and true when it may
// be published, 0 and false when it must be withheld.
func Publish(count, min int64) (int64, bool) {
	if count >= min && min > 0 {
		return count, true
	}
	return 0, false
}

// Leaves applies rule 1 to every leaf and returns only the published ones.
func Leaves[K comparable](counts map[K]int64, min int64) map[K]int64 {
	out := make(map[K]int64, len(counts))
	for k, c := range counts {
		if v, ok := Publish(c, min); ok {
			out[k] = v
		}
	}
	return out
}

// Rollup applies rule 2: each coarser key's value is the sum of the published
// leaves that map to it. Keys with nothing published are absent. group may map
// to any partition (a parent cell, a zoom level's cells, an admin code); the
// groups need not nest.
func Rollup[K, G comparable](counts map[K]int64, min int64, group func(K) G) map[G]int64 {
	out := make(map[G]int64)
	for k, c := range counts {
		if v, ok := Publish(c, min); ok {
			out[group(k)] += v
		}
	}
	return out
}

// Total is the sum of the published leaves (rule 2 for a single aggregate).
func Total[K comparable](counts map[K]int64, min int64) int64 {
	var t int64
	for _, c := range counts {
		if v, ok := Publish(c, min); ok {
			t += v
		}
	}
	return t
}
