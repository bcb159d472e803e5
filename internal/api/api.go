// Package api is the map's JSON API: why a hexagon scores what it scores, a
// kabupaten's scorecard, the kabupaten ranking, place search and the list of
// risk runs and periods. Every handler asks the access.Principal in the
// request context: anonymous requests get 401, data outside the user's scope
// 403 (single objects) or is left out (lists). Nothing here is personal data;
// raw factor values that are small counts (1..9) are suppressed for roles
// without personal-data rights, as in every aggregate the product publishes.
package api

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/geo/present"
	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Deps is what the API needs from the server.
type Deps struct {
	Pool    *pgxpool.Pool
	Log     *slog.Logger
	Timeout time.Duration // per-request database time-out (default 5 s)
}

// TrendPeriods is how many periods a scorecard's trend shows.
const TrendPeriods = 12

type handler struct {
	pool    *pgxpool.Pool
	log     *slog.Logger
	q       store.Named
	timeout time.Duration
	ranks   *rankCache
}

// Register mounts the API routes on r:
//
//	GET /api/periods                   complete runs and the latest run's periods
//	GET /api/cells/{kind}/{h3}         one hexagon explained factor by factor
//	GET /api/kabupaten/{code}          scorecard: both risks, ranks, change, 12-period trend
//	GET /api/ranking                   kabupaten ranking (kind, period, sort, order, provinsi)
//	GET /api/search?q=                 provinsi/kabupaten/kecamatan/desa by name or code
func Register(t *routes.Table, d Deps) error {
	q, err := store.LoadNamed(queryFS, "queries.sql")
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	if d.Pool == nil || d.Log == nil {
		return errors.New("api: Deps.Pool and Deps.Log are required")
	}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Second
	}
	h := &handler{pool: d.Pool, log: d.Log, q: q, timeout: d.Timeout, ranks: newRankCache(loadScores(d.Pool, q.Get("scores")))}
	get := func(path string, f func(http.ResponseWriter, *http.Request, access.Principal) error) {
		// Every answer here is a published aggregate or public data, the
		// same for every role that may see the region (access.SignedIn).
		t.HandleFunc(path, access.SignedIn(), h.wrap(f), http.MethodGet)
	}
	get("/api/periods", h.periods)
	get("/api/cells/{kind}/{h3}", h.cell)
	get("/api/kabupaten/{code}", h.kabupaten)
	get("/api/ranking", h.ranking)
	get("/api/presentation", h.presentation)
	get("/api/search", h.search)
	// Ranks of the latest run, loaded before the first click asks for them.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if rn, err := h.latest(ctx); err == nil {
			h.ranks.warm(rn.ID, int(rn.Resolution))
		}
	}()
	return nil
}

// httpError is an error with the status and message the client sees; every
// other error becomes a 500 (or 503 for time-outs) whose text stays in the log.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func bad(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

func (h *handler) wrap(f func(http.ResponseWriter, *http.Request, access.Principal) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok {
			writeError(w, http.StatusUnauthorized, "login required")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
		defer cancel()
		err := f(w, r.WithContext(ctx), p)
		if err == nil {
			return
		}
		var he *httpError
		switch {
		case errors.As(err, &he):
			writeError(w, he.code, he.msg)
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
			h.log.Warn("api time-out", "path", r.URL.Path, "err", err)
			writeError(w, http.StatusServiceUnavailable, "the database did not answer in time, try again")
		case errors.Is(r.Context().Err(), context.Canceled):
			// The client went away; nothing to answer.
		default:
			h.log.Error("api", "path", r.URL.Path, "err", err)
			writeError(w, http.StatusInternalServerError, "internal error")
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-cache")
	return json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Date is a calendar day in JSON as "YYYY-MM-DD".
type Date time.Time

func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(d).Format(time.DateOnly) + `"`), nil
}

// num is a float that encodes NaN and infinities as null (JSON has neither).
type num float64

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func optNum(f *float64) *num {
	if f == nil {
		return nil
	}
	n := num(*f)
	return &n
}

// ---------------------------------------------------------------- runs

type run struct {
	ID         int64 `json:"id"`
	Period     Date  `json:"period"`
	Resolution int16 `json:"resolution"`
	Finished   *time.Time
	// Published: the run's people and case layers were suppressed on their
	// base cells before the fit (every run since migration 009).
	Published bool
}

// latest returns the latest complete run; a 404 explains how to make one.
func (h *handler) latest(ctx context.Context) (run, error) {
	var r run
	var fin *time.Time
	var period time.Time
	err := h.pool.QueryRow(ctx, h.q.Get("latest_run")).Scan(&r.ID, &period, &r.Resolution, &fin, &r.Published)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, &httpError{http.StatusNotFound, "no risk run yet: run `waspada risk compute`"}
	}
	if err != nil {
		return r, fmt.Errorf("latest run: %w", err)
	}
	r.Period, r.Finished = Date(period), fin
	return r, nil
}

// period parses ?period=YYYY-MM-DD (or YYYY-MM), defaulting to the run's own.
func period(r *http.Request, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get("period")
	if v == "" {
		return def, nil
	}
	for _, layout := range []string{time.DateOnly, "2006-01"} {
		if t, err := time.Parse(layout, v); err == nil {
			if t.Day() != 1 {
				return t, bad("period %q must be the first day of a month", v)
			}
			return t, nil
		}
	}
	return time.Time{}, bad("period %q is not a month (YYYY-MM or YYYY-MM-01)", v)
}

func kindParam(v string) (string, error) {
	switch v {
	case "tppo", "pmi":
		return v, nil
	case "":
		return "tppo", nil
	}
	return "", bad("kind %q must be tppo or pmi", v)
}

type periodsResp struct {
	Latest  *runJSON  `json:"latest"`
	Periods []Date    `json:"periods"` // the latest run's periods, newest first
	Runs    []runJSON `json:"runs"`
}

type runJSON struct {
	ID         int64      `json:"id"`
	Period     Date       `json:"period"`
	TrainUntil *Date      `json:"train_until,omitempty"`
	Resolution int16      `json:"resolution"`
	Finished   *time.Time `json:"finished_at"`
}

func (h *handler) periods(w http.ResponseWriter, r *http.Request, _ access.Principal) error {
	ctx := r.Context()
	out := periodsResp{Periods: []Date{}, Runs: []runJSON{}}
	rows, err := h.pool.Query(ctx, h.q.Get("runs"))
	if err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	for rows.Next() {
		var j runJSON
		var p, tu time.Time
		var started time.Time
		if err := rows.Scan(&j.ID, &p, &tu, &j.Resolution, &started, &j.Finished); err != nil {
			rows.Close()
			return err
		}
		d := Date(tu)
		j.Period, j.TrainUntil = Date(p), &d
		out.Runs = append(out.Runs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	if len(out.Runs) == 0 {
		return writeJSON(w, out)
	}
	out.Latest = &out.Runs[0]
	rows, err = h.pool.Query(ctx, h.q.Get("run_periods"), out.Latest.ID)
	if err != nil {
		return fmt.Errorf("run periods: %w", err)
	}
	ps, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return fmt.Errorf("run periods: %w", err)
	}
	for _, p := range ps {
		out.Periods = append(out.Periods, Date(p))
	}
	return writeJSON(w, out)
}

// ---------------------------------------------------------------- cell

type factorJSON struct {
	Name    string `json:"name"`
	LabelID string `json:"label_id"`
	LabelEN string `json:"label_en"`
	// Measure says what the value is: "count" (people or cases within the
	// radius, from published base cells), "proximity" (1 = a source within
	// the radius, 0 = none) or "indicator" (an official kabupaten statistic).
	Measure      string `json:"measure"`
	RadiusKm     *num   `json:"radius_km,omitempty"`
	Value        *num   `json:"value"` // null when suppressed
	Suppressed   bool   `json:"suppressed,omitempty"`
	Contribution num    `json:"contribution"` // log relative risk this factor adds
	RR           num    `json:"rr"`           // exp(contribution)
	Coefficient  num    `json:"coefficient"`
	Kept         bool   `json:"kept"`
	// Display is the value as what it is ("ya, dalam 8 km", "19,5 %"); absent when suppressed.
	Display map[present.Lang]string `json:"display,omitempty"`
}

type cellJSON struct {
	H3             string       `json:"h3"`
	Kind           string       `json:"kind"`
	RunID          int64        `json:"run_id"`
	Period         Date         `json:"period"`
	Res            int16        `json:"res"`
	RunRes         int16        `json:"run_resolution"` // the analysis resolution; coarser cells aggregate it
	Score          num          `json:"score"`
	GiZ            *num         `json:"gi_z"`
	GiP            *num         `json:"gi_p"`
	GiBin          *int16       `json:"gi_bin"`
	RankNational   int64        `json:"rank_national"`
	CellsNational  int64        `json:"cells_national"`
	RankKabupaten  int64        `json:"rank_kabupaten"`
	CellsKabupaten int64        `json:"cells_kabupaten"`
	KabupatenCode  *string      `json:"kabupaten_code"`
	KabupatenName  *string      `json:"kabupaten_name"`
	ProvinsiCode   *string      `json:"provinsi_code"`
	ProvinsiName   *string      `json:"provinsi_name"`
	Center         [2]num       `json:"center"`
	Factors        []factorJSON `json:"factors"`
	Class          int          `json:"class"` // national class level (geo/present), by national rank
	Display        display      `json:"display"`
}

// withheld reports whether a factor's value and contribution must be kept
// from p. Runs since migration 009 see people and cases only through
// published base cells, so nothing they store needs hiding. An older run
// fitted on unpublished counts: its count factors are kept from roles
// without personal-data rights (its score still reflects them; recompute).
func withheld(p access.Principal, kab string, rn run, f risk.Factor) bool {
	return !rn.Published && risk.CountsPeople(f) && !p.CanSeePersonal(kab)
}

func (h *handler) cell(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	vars := mux.Vars(r)
	kind, err := kindParam(vars["kind"])
	if err != nil {
		return err
	}
	hex := strings.ToLower(vars["h3"])
	id, err := strconv.ParseUint(hex, 16, 64)
	if err != nil || len(hex) > 16 || id>>63 != 0 || (id>>59)&0xF != 1 {
		return bad("%q is not an H3 cell index (15 hex digits, e.g. 8765a1b2cffffff)", vars["h3"])
	}
	ctx := r.Context()
	rn, err := h.latest(ctx)
	if err != nil {
		return err
	}
	c := cellJSON{H3: hex, Kind: kind, RunID: rn.ID, Period: rn.Period, RunRes: rn.Resolution}
	var score float64
	var giZ, giP *float64
	var packedValues, packedContrib []byte
	var cx, cy float64
	// The resolution is in the index bits (52-55): with it the look-up is one
	// primary-key probe instead of a scan of the run's index.
	res := int16(id >> 52 & 0xF)
	err = h.pool.QueryRow(ctx, h.q.Get("cell"), rn.ID, kind, int64(id), res).Scan(&c.Res, &score, &giZ, &giP, &c.GiBin,
		&c.KabupatenCode, &c.KabupatenName, &c.ProvinsiCode, &c.ProvinsiName, &packedValues, &packedContrib, &cx, &cy,
		&c.RankKabupaten, &c.CellsKabupaten)
	if errors.Is(err, pgx.ErrNoRows) {
		return &httpError{http.StatusNotFound, fmt.Sprintf("cell %s has no %s score in the latest run", hex, kind)}
	}
	if err != nil {
		return fmt.Errorf("cell %s: %w", hex, err)
	}
	values, err := store.UnpackFloat32s(packedValues)
	if err != nil {
		return fmt.Errorf("cell %s: factor values: %w", hex, err)
	}
	contrib, err := store.UnpackFloat32s(packedContrib)
	if err != nil {
		return fmt.Errorf("cell %s: contributions: %w", hex, err)
	}
	kab := ""
	if c.KabupatenCode != nil {
		kab = *c.KabupatenCode
	}
	// A cell outside every kabupaten (at sea) is in nobody's regional scope.
	if !p.National() && !p.InScope(kab) {
		return &httpError{http.StatusForbidden, "this cell lies outside your region"}
	}
	c.Score, c.GiZ, c.GiP = num(score), optNum(giZ), optNum(giP)
	h.ranks.seeRun(rn.ID, int(rn.Resolution))
	c.RankNational, c.CellsNational, err = h.ranks.rank(ctx, rankKey{rn.ID, kind, c.Res}, score)
	if err != nil {
		return err
	}
	c.Center = [2]num{num(cx), num(cy)}
	c.Class = present.LevelOfRank(int(c.RankNational), int(c.CellsNational))
	c.Display = cellDisplay(score, c.Class, c.RankNational, c.CellsNational, c.RankKabupaten, c.CellsKabupaten)
	rows, err := h.pool.Query(ctx, h.q.Get("factors"), rn.ID, kind)
	if err != nil {
		return fmt.Errorf("factors: %w", err)
	}
	defer rows.Close()
	c.Factors = []factorJSON{}
	byName := map[string]risk.Factor{}
	for _, f := range risk.Factors() {
		byName[f.Name] = f
	}
	for rows.Next() {
		var ord int16
		var f factorJSON
		var coef, rr float64
		if err := rows.Scan(&ord, &f.Name, &f.LabelID, &f.LabelEN, &coef, &rr, &f.Kept); err != nil {
			return err
		}
		f.Coefficient = num(coef)
		def, known := byName[f.Name]
		f.Measure = measure(def)
		if known && def.RadiusKm > 0 {
			rk := num(def.RadiusKm)
			f.RadiusKm = &rk
		}
		if withheld(p, kab, rn, def) {
			f.Suppressed, f.RR = true, 1
			c.Factors = append(c.Factors, f)
			continue
		}
		if int(ord) < len(contrib) {
			f.Contribution = num(contrib[ord])
			f.RR = num(math.Exp(float64(contrib[ord])))
		} else {
			f.RR = 1
		}
		if int(ord) < len(values) {
			n := num(values[ord])
			f.Value = &n
		}
		if f.Value != nil {
			f.Display = factorDisplay(f.Name, float64(*f.Value))
		}
		c.Factors = append(c.Factors, f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("factors: %w", err)
	}
	return writeJSON(w, c)
}

// measure names what a factor's value is, for the explanation card.
func measure(f risk.Factor) string {
	switch {
	case f.Influence == risk.Area:
		return "indicator"
	case f.Influence == risk.Proximity:
		return "proximity"
	}
	return "count"
}

// ---------------------------------------------------------------- kabupaten

type trendPoint struct {
	Period Date `json:"period"`
	Score  num  `json:"score"`
}

type riskCard struct {
	Score        *num         `json:"score"` // area-weighted score for the period
	Mean         *num         `json:"mean"`
	Max          *num         `json:"max"`
	Cells        int32        `json:"cells"`
	RankProvince *int32       `json:"rank_province"`
	RankNational *int32       `json:"rank_national"`
	OfProvince   int64        `json:"of_province"` // kabupaten ranked in the province
	OfNation     int64        `json:"of_nation"`
	Previous     *num         `json:"previous"`
	Change       *num         `json:"change"`
	Trend        []trendPoint `json:"trend"` // oldest first, at most TrendPeriods
	Class        *int         `json:"class"` // national class level (geo/present); null when unranked
	Display      display      `json:"display,omitempty"`
}

type kabupatenJSON struct {
	Code         string               `json:"code"`
	Name         string               `json:"name"`
	ProvinsiCode string               `json:"provinsi_code"`
	ProvinsiName string               `json:"provinsi_name"`
	AreaKm2      num                  `json:"area_km2"`
	BBox         [4]num               `json:"bbox"`
	Center       [2]num               `json:"center"`
	RunID        int64                `json:"run_id"`
	Period       Date                 `json:"period"`
	Risks        map[string]*riskCard `json:"risks"`
}

func validKabupaten(code string) bool {
	if len(code) != 5 || code[2] != '.' {
		return false
	}
	for i, c := range code {
		if i != 2 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func (h *handler) kabupaten(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	code := mux.Vars(r)["code"]
	if !validKabupaten(code) {
		return bad("%q is not a kabupaten code (e.g. 21.71)", code)
	}
	if !p.InScope(code) {
		return &httpError{http.StatusForbidden, "kabupaten " + code + " lies outside your region"}
	}
	ctx := r.Context()
	rn, err := h.latest(ctx)
	if err != nil {
		return err
	}
	per, err := period(r, time.Time(rn.Period))
	if err != nil {
		return err
	}
	k := kabupatenJSON{RunID: rn.ID, Period: Date(per), Risks: map[string]*riskCard{}}
	var area, x0, y0, x1, y1, cx, cy float64
	var inProv, inNation int64
	err = h.pool.QueryRow(ctx, h.q.Get("kabupaten"), code).Scan(&k.Code, &k.Name, &k.ProvinsiCode, &k.ProvinsiName,
		&area, &x0, &y0, &x1, &y1, &cx, &cy, &inProv, &inNation)
	if errors.Is(err, pgx.ErrNoRows) {
		return &httpError{http.StatusNotFound, "no kabupaten " + code}
	}
	if err != nil {
		return fmt.Errorf("kabupaten %s: %w", code, err)
	}
	k.AreaKm2, k.BBox, k.Center = num(area), [4]num{num(x0), num(y0), num(x1), num(y1)}, [2]num{num(cx), num(cy)}
	for _, kind := range []string{"tppo", "pmi"} {
		k.Risks[kind] = &riskCard{Trend: []trendPoint{}, OfProvince: inProv, OfNation: inNation}
	}
	rows, err := h.pool.Query(ctx, h.q.Get("ranked_counts"), rn.ID, per, k.ProvinsiCode)
	if err != nil {
		return fmt.Errorf("ranked counts: %w", err)
	}
	for rows.Next() {
		var kind string
		var nation, prov int64
		if err := rows.Scan(&kind, &nation, &prov); err != nil {
			rows.Close()
			return err
		}
		if c := k.Risks[kind]; c != nil {
			c.OfNation, c.OfProvince = nation, prov
		}
	}
	rows.Close()
	rows, err = h.pool.Query(ctx, h.q.Get("kabupaten_rollups"), rn.ID, code, per)
	if err != nil {
		return fmt.Errorf("rollups %s: %w", code, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var at time.Time
		var weighted, mean, mx float64
		var cells int32
		var rp, rnat *int32
		var prev, change *float64
		if err := rows.Scan(&kind, &at, &weighted, &mean, &mx, &cells, &rp, &rnat, &prev, &change); err != nil {
			return err
		}
		c := k.Risks[kind]
		if c == nil {
			continue
		}
		if at.Equal(per) {
			wn, mn, xn := num(weighted), num(mean), num(mx)
			c.Score, c.Mean, c.Max, c.Cells = &wn, &mn, &xn, cells
			c.RankProvince, c.RankNational, c.Previous, c.Change = rp, rnat, optNum(prev), optNum(change)
		}
		if len(c.Trend) < TrendPeriods {
			c.Trend = append(c.Trend, trendPoint{Date(at), num(weighted)})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rollups %s: %w", code, err)
	}
	for _, c := range k.Risks {
		if c.Score != nil {
			c.Display = kabDisplay(float64(*c.Score), c.RankNational, c.OfNation, c.RankProvince, c.OfProvince, c.Change)
			if l := classOf(c.RankNational, c.OfNation); l >= 0 {
				c.Class = &l
			}
		}
		for i, j := 0, len(c.Trend)-1; i < j; i, j = i+1, j-1 {
			c.Trend[i], c.Trend[j] = c.Trend[j], c.Trend[i]
		}
	}
	return writeJSON(w, k)
}
