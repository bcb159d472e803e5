package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"github.com/waspada-id/waspada/geo/mapimage"
	"github.com/waspada-id/waspada/geo/polygon"
	"github.com/waspada-id/waspada/geo/present"
	"github.com/waspada-id/waspada/geo/teams"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
)

// Target kinds.
const (
	kindOverstay = "overstay" // a resident whose permit has expired
	kindExpiring = "expiring" // a resident whose permit expires soon
	kindHotel    = "hotel"    // a hotel with foreign guests in house
	kindWorksite = "worksite" // a worksite employing foreign workers
	kindLanding  = "landing"  // an informal landing point
)

func targetKinds() []string {
	return []string{kindOverstay, kindExpiring, kindHotel, kindWorksite, kindLanding}
}

// Bounds of the operation planner's inputs.
const (
	maxTargets        = 2000   // stops in one operation
	maxPolygonPoints  = 1000   // vertices of a drawn or uploaded polygon
	maxAreaKm2        = 100000 // a joint operation is not a national census
	maxCodes          = 200    // kecamatan + kabupaten codes
	defaultExpiryDays = 30
	maxBodyBytes      = 2 << 20
)

// OperationRequest is the operation planner's input (JSON body).
type OperationRequest struct {
	Title             string          `json:"title"`
	Polygon           json.RawMessage `json:"polygon"`   // GeoJSON Polygon/MultiPolygon (geometry or Feature)
	Kecamatan         []string        `json:"kecamatan"` // whole districts
	Kabupaten         []string        `json:"kabupaten"` // whole regencies
	Targets           []string        `json:"targets"`   // subset of overstay, expiring, hotel, worksite, landing; empty = all
	ExpiringDays      int             `json:"expiring_days"`
	Nationalities     []string        `json:"nationalities"`
	PermitTypes       []string        `json:"permit_types"`
	MinForeignWorkers int             `json:"min_foreign_workers"`
	Sectors           []string        `json:"sectors"`
	Teams             int             `json:"teams"`
	Start             *StartPoint     `json:"start"` // where the teams set out (e.g. the kantor imigrasi); optional
}

// StartPoint is a WGS84 position.
type StartPoint struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Target is one place to visit.
type Target struct {
	Kind      string         `json:"kind"`
	ID        string         `json:"id"`
	Label     string         `json:"label"`
	Kabupaten string         `json:"kabupaten_code"`
	Lat       float64        `json:"lat"`
	Lon       float64        `json:"lon"`
	Count     int            `json:"count"` // people (1 for a resident), guests, or foreign workers
	Personal  bool           `json:"personal"`
	Detail    map[string]any `json:"detail,omitempty"`
}

// Stop is a target in a team's visiting order.
type Stop struct {
	Seq int `json:"seq"`
	Target
}

// Team is one team's stops.
type Team struct {
	Number   int     `json:"number"`
	Colour   string  `json:"colour"`
	LengthKm float64 `json:"length_km"`
	NNKm     float64 `json:"nn_length_km"`
	Stops    []Stop  `json:"stops"`
}

// OperationPlan is the operation planner's answer.
type OperationPlan struct {
	Title       string           `json:"title"`
	GeneratedAt time.Time        `json:"generated_at"`
	Today       string           `json:"today"`
	Area        operationArea    `json:"area"`
	Personal    bool             `json:"personal"` // single residents are included
	Totals      map[string]int   `json:"totals"`   // stops per kind
	People      map[string]int   `json:"people"`   // persons/guests/workers per kind
	Teams       []Team           `json:"teams"`
	Request     OperationRequest `json:"request"`
	geom        orb.Geometry
}

type operationArea struct {
	Description string     `json:"description"`
	AreaKm2     float64    `json:"area_km2,omitempty"`
	Kabupaten   []string   `json:"kabupaten"` // kabupaten touched
	BBox        [4]float64 `json:"bbox"`
}

func decodeOperationRequest(r *http.Request) (OperationRequest, error) {
	var req OperationRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return req, badRequest("could not read the request body")
	}
	if len(body) > maxBodyBytes {
		return req, &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", maxBodyBytes)}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, badRequest("the request body is not a valid operation request: %v", err)
	}
	return req, req.normalise()
}

func (req *OperationRequest) normalise() error {
	if len(req.Title) > 200 {
		return badRequest("title longer than 200 characters")
	}
	if req.Teams == 0 {
		req.Teams = 1
	}
	if req.Teams < 1 || req.Teams > teams.MaxTeams {
		return badRequest("teams must be 1..%d, got %d", teams.MaxTeams, req.Teams)
	}
	if req.ExpiringDays == 0 {
		req.ExpiringDays = defaultExpiryDays
	}
	if req.ExpiringDays < 1 || req.ExpiringDays > 365 {
		return badRequest("expiring_days must be 1..365, got %d", req.ExpiringDays)
	}
	if req.MinForeignWorkers < 0 || req.MinForeignWorkers > 1_000_000 {
		return badRequest("min_foreign_workers must be 0..1000000, got %d", req.MinForeignWorkers)
	}
	if !plainText(req.Title) {
		return badRequest("title holds a control character")
	}
	if req.MinForeignWorkers == 0 {
		req.MinForeignWorkers = 1
	}
	if len(req.Targets) == 0 {
		req.Targets = targetKinds()
	}
	for _, t := range req.Targets {
		if !slices.Contains(targetKinds(), t) {
			return badRequest("unknown target kind %q (use %s)", t, strings.Join(targetKinds(), ", "))
		}
	}
	for i, n := range req.Nationalities {
		n = strings.ToUpper(strings.TrimSpace(n))
		if len(n) != 3 || strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return badRequest("nationality %q is not an ISO 3166-1 alpha-3 code", req.Nationalities[i])
		}
		req.Nationalities[i] = n
	}
	for _, pt := range req.PermitTypes {
		if !slices.Contains([]string{"ITAS", "ITAP", "VISIT", "VOA", "OTHER"}, pt) {
			return badRequest("permit type %q is not ITAS, ITAP, VISIT, VOA or OTHER", pt)
		}
	}
	for _, s := range req.Sectors {
		if !slices.Contains([]string{"mining", "smelter", "plantation", "construction", "manufacturing", "energy", "fishery", "tourism", "other"}, s) {
			return badRequest("unknown sector %q", s)
		}
	}
	if len(req.Kecamatan)+len(req.Kabupaten) > maxCodes {
		return badRequest("at most %d kecamatan and kabupaten codes", maxCodes)
	}
	for _, c := range req.Kecamatan {
		if !kecamatanRe().MatchString(c) {
			return badRequest("kecamatan code %q is not like 53.71.01", c)
		}
	}
	for _, c := range req.Kabupaten {
		if !kabupatenRe().MatchString(c) {
			return badRequest("kabupaten code %q is not like 53.71", c)
		}
	}
	if req.Start != nil && !(req.Start.Lat >= -15 && req.Start.Lat <= 10 && req.Start.Lon >= 90 && req.Start.Lon <= 145) {
		return badRequest("start (%v, %v) is not in Indonesia", req.Start.Lat, req.Start.Lon)
	}
	hasPoly := len(req.Polygon) > 0 && string(req.Polygon) != "null"
	if !hasPoly && len(req.Kecamatan) == 0 && len(req.Kabupaten) == 0 {
		return badRequest("give an area: a drawn polygon, kecamatan codes or kabupaten codes")
	}
	return nil
}

// parsePolygon accepts a GeoJSON Polygon or MultiPolygon geometry, or a
// Feature holding one, and returns it re-encoded (only geometry, no foreign
// members) for PostGIS.
func parsePolygon(raw json.RawMessage) (orb.Geometry, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, "", nil
	}
	var g orb.Geometry
	if f, err := geojson.UnmarshalFeature(raw); err == nil && f.Geometry != nil {
		g = f.Geometry
	} else if gg, err := geojson.UnmarshalGeometry(raw); err == nil && gg.Geometry() != nil {
		g = gg.Geometry()
	} else {
		return nil, "", badRequest("polygon is not a GeoJSON Polygon or MultiPolygon")
	}
	var polys orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return nil, "", badRequest("polygon must be a Polygon or MultiPolygon, not a %s", g.GeoJSONType())
	}
	for _, p := range polys {
		for _, ring := range p {
			for _, pt := range ring {
				if !(pt[0] >= 90 && pt[0] <= 145 && pt[1] >= -15 && pt[1] <= 10) {
					return nil, "", badRequest("polygon point (%v, %v) is not in Indonesia (lon, lat order)", pt[0], pt[1])
				}
			}
		}
	}
	// Refused here, before PostGIS sees it: repairing a large crossing
	// outline can keep a backend busy for minutes.
	if err := polygon.Check(polys, polygon.Limits{MaxVertices: maxPolygonPoints, MaxAreaKm2: maxAreaKm2}); err != nil {
		return nil, "", badRequest("%v", err)
	}
	b, err := json.Marshal(geojson.NewGeometry(polys))
	if err != nil {
		return nil, "", badRequest("polygon: %v", err)
	}
	return polys, string(b), nil
}

// planOperation finds the targets, applies the personal-data rules and
// splits the stops among the teams.
func (h *handlers) planOperation(ctx context.Context, p access.Principal, req OperationRequest) (*OperationPlan, error) {
	// The planner lists people, hotels and worksites one by one: it has no
	// aggregate mode for roles without personal-data rights (the route's
	// policy already refuses them; this keeps the function safe on its own).
	// Any count it could give them would be computed over the caller's own
	// polygon and filters on unpublished rows, an oracle for single people.
	if !p.MayUsePersonalAnywhere() {
		return nil, forbidden("the operation planner lists people and places one by one; it is for intel officers and administrators")
	}
	poly, polyJSON, err := parsePolygon(req.Polygon)
	if err != nil {
		return nil, err
	}
	// Named areas must exist and be in scope.
	for _, c := range req.Kabupaten {
		if !p.InScope(c) {
			return nil, forbidden("kabupaten %s is outside your area", c)
		}
	}
	for _, c := range req.Kecamatan {
		if !p.InScope(c) {
			return nil, forbidden("kecamatan %s is outside your area", c)
		}
	}
	if err := h.checkCodes(ctx, "op_kabupaten", req.Kabupaten, "kabupaten"); err != nil {
		return nil, err
	}
	if err := h.checkCodes(ctx, "op_kecamatan", req.Kecamatan, "kecamatan"); err != nil {
		return nil, err
	}

	plan := &OperationPlan{Title: strings.TrimSpace(req.Title), GeneratedAt: h.now().UTC(), Request: req,
		Totals: map[string]int{}, People: map[string]int{}}
	if plan.Title == "" {
		plan.Title = "Operasi Gabungan Pengawasan Orang Asing"
	}
	loc := time.FixedZone("WIB", 7*3600)
	todayT := h.now().In(loc)
	today := time.Date(todayT.Year(), todayT.Month(), todayT.Day(), 0, 0, 0, 0, time.UTC)
	plan.Today = today.Format("2006-01-02")

	// The area as one geometry (polygon ∪ kecamatan), and the kabupaten it touches.
	var areaWKB []byte
	kabs := slices.Clone(req.Kabupaten)
	var desc []string
	if polyJSON != "" || len(req.Kecamatan) > 0 {
		var polyArg any
		if polyJSON != "" {
			polyArg = polyJSON
		}
		var km2 float64
		var touched []string
		err := h.db.QueryRow(ctx, h.q.Get("op_area"), polyArg, nonNil(req.Kecamatan)).Scan(&areaWKB, &km2, &touched)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, badRequest("the area is empty")
		}
		if err != nil {
			// PostGIS refuses some degenerate input with a data exception
			// (class 22) or a GEOS internal error (XX000): the user's polygon.
			var pe *pgconn.PgError
			if polyJSON != "" && errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || pe.Code == "XX000") {
				return nil, badRequest("the polygon could not be read as a valid area")
			}
			return nil, fmt.Errorf("operation area: %w", err)
		}
		if km2 > maxAreaKm2 {
			return nil, badRequest("the area is %.0f km², at most %d km² per operation", km2, maxAreaKm2)
		}
		inScope := 0
		for _, k := range touched {
			if p.InScope(k) {
				inScope++
			}
		}
		if inScope == 0 {
			return nil, forbidden("the area lies outside your area of responsibility")
		}
		plan.Area.AreaKm2 = round(km2, 1)
		for _, k := range touched {
			if !slices.Contains(kabs, k) {
				kabs = append(kabs, k)
			}
		}
		if poly != nil {
			desc = append(desc, "poligon "+present.Km2(km2, present.ID))
		}
		if len(req.Kecamatan) > 0 {
			desc = append(desc, "kecamatan "+strings.Join(req.Kecamatan, ", "))
		}
		if g, err := wkb.Unmarshal(areaWKB); err == nil {
			plan.geom = g
		}
	}
	if len(req.Kabupaten) > 0 {
		desc = append(desc, "kabupaten/kota "+strings.Join(req.Kabupaten, ", "))
	}
	slices.Sort(kabs)
	plan.Area.Description = strings.Join(desc, "; ")
	plan.Area.Kabupaten = kabs

	var scope []string
	if !p.National() {
		scope = nonNil(p.ScopeCodes())
	}
	var targets []Target
	want := func(k string) bool { return slices.Contains(req.Targets, k) }

	if want(kindOverstay) || want(kindExpiring) {
		horizon := today.AddDate(0, 0, req.ExpiringDays)
		rows, err := h.db.Query(ctx, h.q.Get("op_residents"), areaWKB, nonNil(req.Kabupaten), scope, today, horizon,
			want(kindOverstay), want(kindExpiring), nonNil(req.Nationalities), nonNil(req.PermitTypes), maxTargets+1)
		if err != nil {
			return nil, fmt.Errorf("residents: %w", err)
		}
		for rows.Next() {
			var id, nat, permit, kab string
			var expiry time.Time
			var lon, lat float64
			var name, passport *string
			if err := rows.Scan(&id, &nat, &permit, &expiry, &kab, &lon, &lat, &name, &passport); err != nil {
				rows.Close()
				return nil, err
			}
			if !p.CanSeePersonal(kab) {
				continue // the SQL scope filter already excludes these; never list one
			}
			kind := kindExpiring
			if expiry.Before(today) {
				kind = kindOverstay
			}
			t := Target{Kind: kind, ID: id, Kabupaten: kab, Lat: lat, Lon: lon, Count: 1, Personal: true,
				Detail: map[string]any{"nationality": nat, "permit_type": permit, "permit_expiry": expiry.Format("2006-01-02")}}
			t.Label = fmt.Sprintf("%s %s, izin s.d. %s", nat, permit, expiry.Format("02-01-2006"))
			if name != nil {
				t.Detail["full_name"] = *name
				t.Label = *name + " — " + t.Label
			}
			if passport != nil {
				t.Detail["passport_number"] = *passport
			}
			targets = append(targets, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("residents: %w", err)
		}
	}

	if want(kindHotel) {
		rows, err := h.db.Query(ctx, h.q.Get("op_hotels"), areaWKB, nonNil(req.Kabupaten), scope, today,
			nonNil(req.Nationalities), nonNil(req.PermitTypes), maxTargets+1)
		if err != nil {
			return nil, fmt.Errorf("hotels: %w", err)
		}
		for rows.Next() {
			var name, kab string
			var lon, lat float64
			var guests, over int
			if err := rows.Scan(&name, &kab, &lon, &lat, &guests, &over); err != nil {
				rows.Close()
				return nil, err
			}
			if !p.CanSeePersonal(kab) {
				continue
			}
			// The guest count and its overstay breakdown describe a handful of people.
			targets = append(targets, Target{Kind: kindHotel, ID: fmt.Sprintf("%s@%.4f,%.4f", name, lat, lon), Kabupaten: kab,
				Lat: lat, Lon: lon, Count: guests, Personal: true,
				Detail: map[string]any{"guests": guests, "overstay_guests": over},
				Label:  fmt.Sprintf("%s — %d tamu WNA (%d overstay)", name, guests, over)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("hotels: %w", err)
		}
	}

	if want(kindWorksite) {
		rows, err := h.db.Query(ctx, h.q.Get("op_worksites"), areaWKB, nonNil(req.Kabupaten), scope, req.MinForeignWorkers,
			nonNil(req.Sectors), maxTargets+1)
		if err != nil {
			return nil, fmt.Errorf("worksites: %w", err)
		}
		for rows.Next() {
			var id, name, company, sector, kab string
			var fw int
			var lon, lat float64
			if err := rows.Scan(&id, &name, &company, &sector, &fw, &kab, &lon, &lat); err != nil {
				rows.Close()
				return nil, err
			}
			if !p.CanSeePersonal(kab) {
				continue
			}
			label := fmt.Sprintf("%s — %d TKA (%s)", name, fw, sectorID(sector))
			if company != "" {
				label = fmt.Sprintf("%s, %s — %d TKA (%s)", name, company, fw, sectorID(sector))
			}
			// Exact small counts of foreign workers: personal for this listing.
			targets = append(targets, Target{Kind: kindWorksite, ID: id, Label: label, Kabupaten: kab, Lat: lat, Lon: lon, Count: fw,
				Personal: fw < access.MinPublishedCount, Detail: map[string]any{"company": company, "sector": sector, "foreign_workers": fw}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("worksites: %w", err)
		}
	}

	if want(kindLanding) {
		rows, err := h.db.Query(ctx, h.q.Get("op_landing"), areaWKB, nonNil(req.Kabupaten), scope, maxTargets+1)
		if err != nil {
			return nil, fmt.Errorf("landing points: %w", err)
		}
		for rows.Next() {
			var id, name, note, kab string
			var lon, lat float64
			if err := rows.Scan(&id, &name, &note, &kab, &lon, &lat); err != nil {
				rows.Close()
				return nil, err
			}
			label := "Jalur tikus: " + name
			if note != "" {
				label += " (" + note + ")"
			}
			targets = append(targets, Target{Kind: kindLanding, ID: id, Label: label, Kabupaten: kab, Lat: lat, Lon: lon,
				Detail: map[string]any{"note": note}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("landing points: %w", err)
		}
	}

	if len(targets) > maxTargets {
		return nil, &apiError{http.StatusUnprocessableEntity, fmt.Sprintf(
			"more than %d targets: narrow the area or the filters (e.g. fewer target kinds, a nationality, a higher minimum of foreign workers)", maxTargets)}
	}
	for _, t := range targets {
		plan.Totals[t.Kind]++
		plan.People[t.Kind] += t.Count
		if t.Personal {
			plan.Personal = true
		}
	}

	pts := make([]teams.Point, len(targets))
	for i, t := range targets {
		pts[i] = teams.Point{Lat: t.Lat, Lon: t.Lon}
	}
	var start *teams.Point
	if req.Start != nil {
		start = &teams.Point{Lat: req.Start.Lat, Lon: req.Start.Lon}
	}
	tp, err := teams.Plan(pts, req.Teams, start)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	plan.Teams = make([]Team, len(tp))
	for g, tm := range tp {
		c := mapimage.TeamColour(g)
		team := Team{Number: g + 1, Colour: fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B),
			LengthKm: round(tm.LengthKm, 2), NNKm: round(tm.NNKm, 2), Stops: []Stop{}}
		for s, i := range tm.Order {
			team.Stops = append(team.Stops, Stop{Seq: s + 1, Target: targets[i]})
		}
		plan.Teams[g] = team
	}
	// Box of everything shown: area and stops.
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	if plan.geom != nil {
		b = plan.geom.Bound()
	}
	for _, t := range targets {
		b = b.Extend(orb.Point{t.Lon, t.Lat})
	}
	if !math.IsInf(b.Min[0], 0) {
		plan.Area.BBox = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	return plan, nil
}

func (h *handlers) checkCodes(ctx context.Context, query string, codes []string, what string) error {
	if len(codes) == 0 {
		return nil
	}
	rows, err := h.db.Query(ctx, h.q.Get(query), codes)
	if err != nil {
		return err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, c := range codes {
		if !slices.Contains(found, c) {
			return notFound("no %s with code %s", what, c)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sectorID(s string) string {
	switch s {
	case "mining":
		return "pertambangan"
	case "smelter":
		return "smelter"
	case "plantation":
		return "perkebunan"
	case "construction":
		return "konstruksi"
	case "manufacturing":
		return "manufaktur"
	case "energy":
		return "energi"
	case "fishery":
		return "perikanan"
	case "tourism":
		return "pariwisata"
	}
	return "lainnya"
}

func kindID(k string) string {
	switch k {
	case kindOverstay:
		return "WNA overstay"
	case kindExpiring:
		return "Izin tinggal segera habis"
	case kindHotel:
		return "Hotel dengan tamu WNA"
	case kindWorksite:
		return "Lokasi kerja TKA"
	case kindLanding:
		return "Jalur tikus"
	}
	return k
}

// auditOperation records a personal-data response (and, for exports, the export).
func (h *handlers) auditOperation(ctx context.Context, plan *OperationPlan, format string) error {
	area := plan.Area.Description
	if len(area) > 500 {
		area = area[:500]
	}
	rows := 0
	personal := 0
	for _, t := range plan.Teams {
		rows += len(t.Stops)
		for _, s := range t.Stops {
			if s.Personal {
				personal++
			}
		}
	}
	detail := map[string]any{"bbox": plan.Area.BBox, "kabupaten": plan.Area.Kabupaten, "targets": plan.Request.Targets, "teams": len(plan.Teams)}
	if format != "" {
		d := map[string]any{"format": format, "personal_rows": personal}
		for k, v := range detail {
			d[k] = v
		}
		if err := h.record(ctx, audit.Entry{Action: audit.Export, Layer: "operation", Area: area, Rows: int64(rows), Detail: d}); err != nil {
			return err
		}
	}
	if personal > 0 {
		return h.record(ctx, audit.Entry{Action: audit.Personal, Layer: "operation", Area: area, Rows: int64(personal), Detail: detail})
	}
	return nil
}

func (h *handlers) operation(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	req, err := decodeOperationRequest(r)
	if err != nil {
		return err
	}
	plan, err := h.planOperation(r.Context(), p, req)
	if err != nil {
		return err
	}
	if err := h.auditOperation(r.Context(), plan, ""); err != nil {
		return err
	}
	return writeJSON(w, plan)
}

// plainText reports whether s has no control characters (the JSON decoder
// has already replaced invalid UTF-8).
func plainText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
