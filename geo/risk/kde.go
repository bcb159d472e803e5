package risk

import (
	"fmt"
	"math"

	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/hexgrid"
)

// KDEBandwidthsKm are the kernel-density bandwidths tried when one is
// chosen by validation.
var KDEBandwidthsKm = []float64{1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25}

// SelectionShares are the flagged shares whose mean PAI choices on
// validation maximise (the shares the acceptance is stated at).
var SelectionShares = []float64{0.10, 0.20}

// LatLng is a point in degrees.
type LatLng struct{ Lat, Lng float64 }

// KDEGrid evaluates Gaussian kernel densities of points at the centres of a
// grid's cells. Centres are found once; distances are local equirectangular
// (within 3 bandwidths, at most 75 km, the error is far below a cell), and
// cells are bucketed by 0.25° so a point visits only the cells near it.
type KDEGrid struct {
	n       int
	lat     []float64 // degrees
	lng     []float64
	buckets map[[2]int32][]int32
}

const kdeBucketDeg = 0.25

const kmPerDeg = 111.195 // mean Earth radius 6371.0088 km × π/180

// NewKDEGrid prepares kernel densities over g's cells.
func NewKDEGrid(g *hexgrid.Grid) *KDEGrid {
	k := &KDEGrid{n: g.Len(), lat: make([]float64, g.Len()), lng: make([]float64, g.Len()), buckets: map[[2]int32][]int32{}}
	for i, c := range g.Cells {
		ll := h3.CellToLatLng(c)
		k.lat[i], k.lng[i] = ll.Lat, ll.Lng
		b := bucketOf(ll.Lat, ll.Lng)
		k.buckets[b] = append(k.buckets[b], int32(i))
	}
	return k
}

func bucketOf(lat, lng float64) [2]int32 {
	return [2]int32{int32(math.Floor(lat / kdeBucketDeg)), int32(math.Floor(lng / kdeBucketDeg))}
}

// Density returns, for each bandwidth, Σ over points of
// weight·exp(−d²/2h²) at every cell centre (truncated at 3h): the
// kernel-weighted number of points near the cell. One pass serves every
// bandwidth.
func (k *KDEGrid) Density(pts []LatLng, weight float64, bandwidthsKm []float64) [][]float64 {
	out := make([][]float64, len(bandwidthsKm))
	hmax := 0.0
	inv := make([]float64, len(bandwidthsKm))
	cut := make([]float64, len(bandwidthsKm))
	for b, h := range bandwidthsKm {
		out[b] = make([]float64, k.n)
		if h > 0 {
			inv[b] = 1 / (2 * h * h)
			cut[b] = 9 * h * h
			hmax = math.Max(hmax, h)
		}
	}
	if hmax == 0 {
		return out
	}
	reach := 3 * hmax
	for _, p := range pts {
		cosLat := math.Cos(p.Lat * math.Pi / 180)
		dLat := reach / kmPerDeg
		dLng := reach / (kmPerDeg * math.Max(cosLat, 0.1))
		lo, hi := bucketOf(p.Lat-dLat, p.Lng-dLng), bucketOf(p.Lat+dLat, p.Lng+dLng)
		for by := lo[0]; by <= hi[0]; by++ {
			for bx := lo[1]; bx <= hi[1]; bx++ {
				for _, i := range k.buckets[[2]int32{by, bx}] {
					dy := (k.lat[i] - p.Lat) * kmPerDeg
					dx := (k.lng[i] - p.Lng) * kmPerDeg * cosLat
					d2 := dx*dx + dy*dy
					if d2 > reach*reach {
						continue
					}
					for b := range bandwidthsKm {
						if d2 <= cut[b] {
							out[b][i] += weight * math.Exp(-d2*inv[b])
						}
					}
				}
			}
		}
	}
	return out
}

// MeanPAI is the mean PAI over SelectionShares of ranking cells by score
// against hits: the figure validation choices maximise.
func MeanPAI(score, hits, area []float64) (float64, error) {
	cs, err := capture(score, hits, area, SelectionShares)
	if err != nil {
		return 0, err
	}
	var s float64
	for _, c := range cs {
		s += c.PAI
	}
	return s / float64(len(cs)), nil
}

// BandwidthScore is one candidate bandwidth's validation mean PAI.
type BandwidthScore struct {
	BandwidthKm float64 `json:"bandwidth_km"`
	MeanPAI     float64 `json:"mean_pai"`
}

// TuneKDE chooses the bandwidth whose density of the fit-window points best
// ranks the validation window's hits (mean PAI at SelectionShares; ties go
// to the wider bandwidth, the smoother surface). dens[b] is the density at
// bandwidths[b] (KDEGrid.Density).
func TuneKDE(dens [][]float64, bandwidths []float64, valHits, area []float64) (int, []BandwidthScore, error) {
	if len(dens) != len(bandwidths) || len(dens) == 0 {
		return 0, nil, fmt.Errorf("risk: tune KDE: %d densities for %d bandwidths", len(dens), len(bandwidths))
	}
	best := -1
	var scores []BandwidthScore
	for b := range dens {
		v, err := MeanPAI(dens[b], valHits, area)
		if err != nil {
			return 0, nil, err
		}
		scores = append(scores, BandwidthScore{bandwidths[b], v})
		if best < 0 || v >= scores[best].MeanPAI {
			best = b
		}
	}
	return best, scores, nil
}

// BlendGammas are the kernel-factor weights tried: 0 is the model alone;
// at the largest the kernel density orders every cell it reaches and the
// layers order the rest and break its near-ties.
var BlendGammas = []float64{0, 0.25, 0.5, 1, 2, 4, 8}

// BlendScore is one weight's validation mean PAI.
type BlendScore struct {
	Gamma   float64 `json:"gamma"`
	MeanPAI float64 `json:"mean_pai"`
}

// ChooseBlend chooses the weight γ of the kernel factor in
// log score = eta + γ·log1p(density) by the mean PAI of the validation
// hits (ties: the smaller weight, so the layers keep the most say).
func ChooseBlend(eta, density, valHits, area []float64, gammas []float64) (float64, []BlendScore, error) {
	if len(eta) != len(density) {
		return 0, nil, fmt.Errorf("risk: blend: %d predictors, %d densities", len(eta), len(density))
	}
	lg := make([]float64, len(density))
	for i, v := range density {
		lg[i] = math.Log1p(math.Max(v, 0))
	}
	s := make([]float64, len(eta))
	var scores []BlendScore
	best := -1
	for gi, g := range gammas {
		for i := range s {
			s[i] = eta[i] + g*lg[i]
		}
		v, err := MeanPAI(s, valHits, area)
		if err != nil {
			return 0, nil, err
		}
		scores = append(scores, BlendScore{g, v})
		if best < 0 || v > scores[best].MeanPAI+1e-12 {
			best = gi
		}
	}
	return gammas[best], scores, nil
}
