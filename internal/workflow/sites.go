package workflow

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/mclp"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
)

// DefaultRadiusKm is the default coverage radius of a desa binaan. A Pimpasa
// (the village's immigration-watch volunteers, led by an officer) works its
// own village and the neighbouring ones: in rural Indonesia villages are a few
// km across, and 5 km is about 10-15 minutes by motorbike on village roads,
// the distance at which residents still know of and report to the post. It
// also matches the desa-to-desa spacing (median nearest-neighbour distance
// between village centroids is 1-3 km in Java, 3-6 km in eastern Indonesia),
// so one site covers a cluster of villages rather than a single one.
const DefaultRadiusKm = 5.0

// Bounds of the site planner's inputs.
const (
	maxSites        = 200
	minRadiusKm     = 0.5
	maxRadiusKm     = 50.0
	maxUncovered    = 3000 // uncovered high-risk cells returned for the map
	highRiskPercent = 90   // "high risk" = score at or above this percentile of the region
)

type sitesParams struct {
	region   string
	n        int
	radiusKm float64
	kind     string
}

func parseSitesParams(r *http.Request) (sitesParams, error) {
	q := r.URL.Query()
	sp := sitesParams{region: q.Get("region"), n: 10, radiusKm: DefaultRadiusKm, kind: "tppo"}
	if v := q.Get("n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSites {
			return sp, badRequest("n must be a whole number of new sites from 1 to %d, got %q", maxSites, v)
		}
		sp.n = n
	}
	if v := q.Get("radius_km"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || f < minRadiusKm || f > maxRadiusKm {
			return sp, badRequest("radius_km must be a number from %g to %g, got %q", minRadiusKm, maxRadiusKm, v)
		}
		sp.radiusKm = f
	}
	if v := q.Get("kind"); v != "" {
		if v != "tppo" && v != "pmi" {
			return sp, badRequest("kind must be tppo or pmi, got %q", v)
		}
		sp.kind = v
	}
	return sp, nil
}

type siteRun struct {
	ID         int64  `json:"id"`
	Period     string `json:"period"`
	Resolution int    `json:"resolution"`
}

// SitePick is one proposed desa binaan.
type SitePick struct {
	Rank         int     `json:"rank"`
	DesaCode     string  `json:"desa_code"`
	Name         string  `json:"name"`
	Kecamatan    string  `json:"kecamatan"`
	Kabupaten    string  `json:"kabupaten"`
	Lat          float64 `json:"lat"`
	Lon          float64 `json:"lon"`
	MarginalRisk float64 `json:"marginal_risk"`
	CoveredCells int     `json:"covered_cells"`
	ShareBefore  float64 `json:"share_before"` // 0..1 of the region's risk
	ShareAfter   float64 `json:"share_after"`
}

type existingSite struct {
	DesaCode string  `json:"desa_code"`
	Name     string  `json:"name"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
}

// SitePlan is the site planner's answer.
type SitePlan struct {
	Region        region                     `json:"region"`
	Kind          string                     `json:"kind"`
	N             int                        `json:"n"`
	RadiusKm      float64                    `json:"radius_km"`
	Run           siteRun                    `json:"run"`
	DemandCells   int                        `json:"demand_cells"`
	Candidates    int                        `json:"candidates"`
	TotalRisk     float64                    `json:"total_risk"`
	ExistingShare float64                    `json:"existing_share"`
	FinalShare    float64                    `json:"final_share"`
	Exhausted     bool                       `json:"exhausted"`
	Existing      []existingSite             `json:"existing"`
	Picks         []SitePick                 `json:"picks"`
	HighRisk      highRiskSummary            `json:"high_risk"`
	Uncovered     *geojson.FeatureCollection `json:"uncovered"`
	ElapsedMS     int64                      `json:"elapsed_ms"`
}

type highRiskSummary struct {
	Percentile   int     `json:"percentile"`
	Threshold    float64 `json:"threshold"`
	Cells        int     `json:"cells"`
	CoveredNow   int     `json:"covered_now"`
	CoveredAfter int     `json:"covered_after"`
	Truncated    bool    `json:"uncovered_truncated"`
}

func (h *handlers) planSites(ctx context.Context, p access.Principal, sp sitesParams) (*SitePlan, error) {
	start := time.Now()
	rg, err := h.loadRegion(ctx, p, sp.region)
	if err != nil {
		return nil, err
	}
	var run siteRun
	var period time.Time
	err = h.db.QueryRow(ctx, h.q.Get("latest_run")).Scan(&run.ID, &period, &run.Resolution)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("no complete risk run yet: run `waspada risk compute` first")
	}
	if err != nil {
		return nil, fmt.Errorf("latest run: %w", err)
	}
	run.Period = period.Format("2006-01")

	// Demand: the run's analysis cells in the region, weighted by score.
	rows, err := h.db.Query(ctx, h.q.Get("risk_cells"), run.ID, sp.kind, run.Resolution, rg.Kabs)
	if err != nil {
		return nil, fmt.Errorf("risk cells: %w", err)
	}
	var cells []h3.Cell
	var demand []mclp.Demand
	for rows.Next() {
		var c int64
		var score float64
		if err := rows.Scan(&c, &score); err != nil {
			return nil, err
		}
		cell := h3.Cell(c)
		ll := cell.LatLng()
		cells = append(cells, cell)
		demand = append(demand, mclp.Demand{Point: mclp.Point{Lat: ll.Lat, Lon: ll.Lng}, Weight: math.Max(0, score)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("risk cells: %w", err)
	}
	if len(demand) == 0 {
		return nil, notFound("the latest risk run (%s) has no %s cells in %s", run.Period, sp.kind, rg.Name)
	}

	type cand struct {
		code, name, kec, kab string
		lon, lat             float64
	}
	rows, err = h.db.Query(ctx, h.q.Get("sites_candidates"), rg.Kabs)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.code, &c.name, &c.kec, &c.kab, &c.lon, &c.lat); err != nil {
			return nil, err
		}
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}

	// Existing desa binaan near the region (box grown by the radius).
	dLat := sp.radiusKm / 111.0
	dLon := dLat / math.Max(0.2, math.Cos(math.Max(math.Abs(rg.Box.Min[1]), math.Abs(rg.Box.Max[1]))*math.Pi/180))
	rows, err = h.db.Query(ctx, h.q.Get("desa_binaan_in_box"), rg.Box.Min[0]-dLon, rg.Box.Min[1]-dLat, rg.Box.Max[0]+dLon, rg.Box.Max[1]+dLat)
	if err != nil {
		return nil, fmt.Errorf("desa binaan: %w", err)
	}
	var fixed []mclp.Point
	existing := []existingSite{}
	var existingKab []string
	for rows.Next() {
		var e existingSite
		var kab string
		if err := rows.Scan(&e.DesaCode, &e.Name, &kab, &e.Lon, &e.Lat); err != nil {
			return nil, err
		}
		fixed = append(fixed, mclp.Point{Lat: e.Lat, Lon: e.Lon})
		if p.InScope(kab) {
			existing = append(existing, e)
			existingKab = append(existingKab, kab)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("desa binaan: %w", err)
	}

	// List the region's own desa binaan and those beyond its border that
	// cover some of its cells; the box also caught ones that cover nothing.
	{
		near := sitesCovering(demand, existing, sp.radiusKm)
		kept := existing[:0]
		for i, e := range existing {
			if near[i] || slices.Contains(rg.Kabs, existingKab[i]) {
				kept = append(kept, e)
			}
		}
		existing = kept
	}
	pts := make([]mclp.Point, len(cands))
	for i, c := range cands {
		pts[i] = mclp.Point{Lat: c.lat, Lon: c.lon}
	}
	res, err := mclp.Solve(mclp.Problem{Demand: demand, Candidates: pts, Fixed: fixed, RadiusKm: sp.radiusKm, N: sp.n})
	if err != nil {
		return nil, badRequest("%v", err)
	}

	plan := &SitePlan{
		Region: rg, Kind: sp.kind, N: sp.n, RadiusKm: sp.radiusKm, Run: run,
		DemandCells: len(demand), Candidates: len(cands), TotalRisk: res.TotalWeight,
		Exhausted: res.Exhausted, Existing: existing, Picks: []SitePick{},
	}
	if res.TotalWeight > 0 {
		plan.ExistingShare = res.FixedWeight / res.TotalWeight
	}
	plan.FinalShare = res.CoveredShare
	for i, pk := range res.Picks {
		c := cands[pk.Candidate]
		plan.Picks = append(plan.Picks, SitePick{
			Rank: i + 1, DesaCode: c.code, Name: c.name, Kecamatan: c.kec, Kabupaten: c.kab, Lat: c.lat, Lon: c.lon,
			MarginalRisk: pk.Marginal, CoveredCells: pk.Covers, ShareBefore: pk.ShareBefore, ShareAfter: pk.ShareAfter,
		})
	}

	// High-risk cells: covered now (by existing sites), after, and the ones
	// still uncovered for the map, highest first.
	threshold := percentile(demand, highRiskPercent)
	fixedOnly := coveredBy(demand, fixed, sp.radiusKm)
	hr := highRiskSummary{Percentile: highRiskPercent, Threshold: threshold}
	var unc []int
	for i, d := range demand {
		if d.Weight < threshold {
			continue
		}
		hr.Cells++
		if fixedOnly[i] {
			hr.CoveredNow++
		}
		if res.Covered[i] {
			hr.CoveredAfter++
		} else {
			unc = append(unc, i)
		}
	}
	slices.SortFunc(unc, func(a, b int) int {
		if demand[a].Weight != demand[b].Weight {
			if demand[a].Weight > demand[b].Weight {
				return -1
			}
			return 1
		}
		return cmp.Compare(cells[a], cells[b])
	})
	if len(unc) > maxUncovered {
		unc, hr.Truncated = unc[:maxUncovered], true
	}
	fc := geojson.NewFeatureCollection()
	for _, i := range unc {
		f := geojson.NewFeature(cellPolygon(cells[i]))
		f.Properties = geojson.Properties{"h3": cells[i].String(), "score": round(demand[i].Weight, 4)}
		fc.Append(f)
	}
	plan.HighRisk = hr
	plan.Uncovered = fc
	plan.ElapsedMS = time.Since(start).Milliseconds()
	h.log.Info("site plan", "region", rg.Code, "kind", sp.kind, "n", sp.n, "radius_km", sp.radiusKm,
		"demand", len(demand), "candidates", len(cands), "fixed", len(fixed), "ms", plan.ElapsedMS)
	return plan, nil
}

// coveredBy marks demand within radius of any of the sites.
func coveredBy(demand []mclp.Demand, sites []mclp.Point, radiusKm float64) []bool {
	pts := make([]mclp.Point, len(demand))
	for i, d := range demand {
		pts[i] = d.Point
	}
	ix := mclp.NewIndex(pts, radiusKm)
	out := make([]bool, len(demand))
	var buf []int32
	for _, s := range sites {
		buf = ix.Within(s, radiusKm, buf[:0])
		for _, d := range buf {
			out[d] = true
		}
	}
	return out
}

// sitesCovering reports for each site whether any demand lies within radius.
func sitesCovering(demand []mclp.Demand, sites []existingSite, radiusKm float64) []bool {
	pts := make([]mclp.Point, len(demand))
	for i, d := range demand {
		pts[i] = d.Point
	}
	ix := mclp.NewIndex(pts, radiusKm)
	out := make([]bool, len(sites))
	var buf []int32
	for i, s := range sites {
		buf = ix.Within(mclp.Point{Lat: s.Lat, Lon: s.Lon}, radiusKm, buf[:0])
		out[i] = len(buf) > 0
	}
	return out
}

// percentile is the nearest-rank percentile of the demand weights.
func percentile(demand []mclp.Demand, pct int) float64 {
	w := make([]float64, len(demand))
	for i, d := range demand {
		w[i] = d.Weight
	}
	slices.Sort(w)
	k := int(math.Ceil(float64(pct)/100*float64(len(w)))) - 1
	return w[max(0, min(len(w)-1, k))]
}

func cellPolygon(c h3.Cell) orb.Polygon {
	b := c.Boundary()
	ring := make(orb.Ring, 0, len(b)+1)
	for _, ll := range b {
		ring = append(ring, orb.Point{round(ll.Lng, 6), round(ll.Lat, 6)})
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func (h *handlers) sites(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	sp, err := parseSitesParams(r)
	if err != nil {
		return err
	}
	plan, err := h.planSites(r.Context(), p, sp)
	if err != nil {
		return err
	}
	return writeJSON(w, plan)
}

func (h *handlers) sitesCSV(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	sp, err := parseSitesParams(r)
	if err != nil {
		return err
	}
	plan, err := h.planSites(r.Context(), p, sp)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"rank", "desa_code", "desa", "kecamatan", "kabupaten", "lat", "lon",
		"marginal_risk", "covered_cells", "share_before_pct", "share_after_pct", "radius_km", "kind", "risk_period"})
	for _, pk := range plan.Picks {
		_ = cw.Write([]string{strconv.Itoa(pk.Rank), pk.DesaCode, pk.Name, pk.Kecamatan, pk.Kabupaten,
			ff(pk.Lat, 6), ff(pk.Lon, 6), ff(pk.MarginalRisk, 3), strconv.Itoa(pk.CoveredCells),
			ff(100*pk.ShareBefore, 2), ff(100*pk.ShareAfter, 2), ff(plan.RadiusKm, 2), plan.Kind, plan.Run.Period})
	}
	cw.Flush()
	if err := h.record(r.Context(), audit.Entry{Action: audit.Export, Layer: "site_plan", Area: plan.Region.Code,
		Rows: int64(len(plan.Picks)), Detail: map[string]any{"format": "csv", "kind": plan.Kind, "n": plan.N, "radius_km": plan.RadiusKm}}); err != nil {
		return err
	}
	download(w, "text/csv; charset=utf-8", fmt.Sprintf("usulan-desa-binaan-%s-%s.csv", plan.Region.Code, plan.Kind), buf.Bytes())
	return nil
}

func ff(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
