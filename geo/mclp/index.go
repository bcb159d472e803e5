package mclp

import "math"

// EarthRadiusKm is the mean Earth radius (IUGG).
const EarthRadiusKm = 6371.0088

// HaversineKm is the great-circle distance between two points.
func HaversineKm(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}

// Index buckets points in a regular lat/lon grid whose cells are at least
// radius km on a side everywhere in the point set, so every point within
// radius of a query lies in the query's bucket or one of its 8 neighbours.
// A grid beats a tree here: the query radius is fixed and the points
// (hexagon centres) are evenly spread.
type Index struct {
	pts        []Point
	xyz        [][3]float64 // unit vectors: a chord test replaces haversine in the hot loop
	minLat     float64
	minLon     float64
	dLat, dLon float64
	rows, cols int
	start      []int32 // CSR: bucket b holds ids[start[b]:start[b+1]]
	ids        []int32
}

// NewIndex indexes pts for queries of radius up to radiusKm.
func NewIndex(pts []Point, radiusKm float64) *Index {
	ix := &Index{pts: pts, xyz: make([][3]float64, len(pts))}
	for i, p := range pts {
		ix.xyz[i] = unit(p)
	}
	if len(pts) == 0 {
		ix.rows, ix.cols = 1, 1
		ix.dLat, ix.dLon = 1, 1
		ix.start = []int32{0, 0}
		return ix
	}
	minLat, maxLat, minLon, maxLon := pts[0].Lat, pts[0].Lat, pts[0].Lon, pts[0].Lon
	for _, p := range pts[1:] {
		minLat, maxLat = math.Min(minLat, p.Lat), math.Max(maxLat, p.Lat)
		minLon, maxLon = math.Min(minLon, p.Lon), math.Max(maxLon, p.Lon)
	}
	kmPerDegLat := EarthRadiusKm * math.Pi / 180
	// A degree of longitude is shortest at the highest |lat| in the set.
	maxAbs := math.Min(89, math.Max(math.Abs(minLat), math.Abs(maxLat)))
	kmPerDegLon := kmPerDegLat * math.Cos(maxAbs*math.Pi/180)
	ix.minLat, ix.minLon = minLat, minLon
	ix.dLat = math.Max(radiusKm/kmPerDegLat, 1e-9)
	ix.dLon = math.Max(radiusKm/kmPerDegLon, 1e-9)
	ix.rows = int((maxLat-minLat)/ix.dLat) + 1
	ix.cols = int((maxLon-minLon)/ix.dLon) + 1
	// Guard against absurd grids (tiny radius over a huge area): coarser
	// buckets stay correct (neighbours still cover the radius), only slower.
	for ix.rows*ix.cols > 4*len(pts)+1024 {
		ix.dLat *= 2
		ix.dLon *= 2
		ix.rows = int((maxLat-minLat)/ix.dLat) + 1
		ix.cols = int((maxLon-minLon)/ix.dLon) + 1
	}
	ix.start = make([]int32, ix.rows*ix.cols+1)
	bucket := make([]int32, len(pts))
	for i, p := range pts {
		b := ix.bucket(p)
		bucket[i] = int32(b)
		ix.start[b+1]++
	}
	for b := 1; b < len(ix.start); b++ {
		ix.start[b] += ix.start[b-1]
	}
	ix.ids = make([]int32, len(pts))
	fill := append([]int32(nil), ix.start[:len(ix.start)-1]...)
	for i, b := range bucket {
		ix.ids[fill[b]] = int32(i)
		fill[b]++
	}
	return ix
}

func (ix *Index) rc(p Point) (int, int) {
	return int((p.Lat - ix.minLat) / ix.dLat), int((p.Lon - ix.minLon) / ix.dLon)
}

func (ix *Index) bucket(p Point) int {
	r, c := ix.rc(p)
	return r*ix.cols + c
}

// Within appends to dst the ids of indexed points within radiusKm of q
// (radiusKm must not exceed the radius the index was built for).
func (ix *Index) Within(q Point, radiusKm float64, dst []int32) []int32 {
	// Points within great-circle distance d are exactly those whose unit
	// vectors lie within chord 2 sin(d / 2R) — same answer, no trigonometry.
	ch := 2 * math.Sin(radiusKm/(2*EarthRadiusKm))
	ch2 := ch * ch
	u := unit(q)
	r0, c0 := ix.rc(q)
	for r := r0 - 1; r <= r0+1; r++ {
		if r < 0 || r >= ix.rows {
			continue
		}
		for c := c0 - 1; c <= c0+1; c++ {
			if c < 0 || c >= ix.cols {
				continue
			}
			b := r*ix.cols + c
			for _, id := range ix.ids[ix.start[b]:ix.start[b+1]] {
				v := ix.xyz[id]
				dx, dy, dz := u[0]-v[0], u[1]-v[1], u[2]-v[2]
				if dx*dx+dy*dy+dz*dz <= ch2 {
					dst = append(dst, id)
				}
			}
		}
	}
	return dst
}

func unit(p Point) [3]float64 {
	const rad = math.Pi / 180
	sLat, cLat := math.Sincos(p.Lat * rad)
	sLon, cLon := math.Sincos(p.Lon * rad)
	return [3]float64{cLat * cLon, cLat * sLon, sLat}
}
