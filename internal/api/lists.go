package api

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/waspada-id/waspada/internal/access"
)

// ---------------------------------------------------------------- ranking

type rankRow struct {
	Code         string  `json:"code"`
	Name         string  `json:"name"`
	ProvinsiCode string  `json:"provinsi_code"`
	ProvinsiName string  `json:"provinsi_name"`
	Score        num     `json:"score"`
	Max          num     `json:"max"`
	Mean         num     `json:"mean"`
	RankNational int32   `json:"rank_national"`
	RankProvince *int32  `json:"rank_province"`
	Previous     *num    `json:"previous"`
	Change       *num    `json:"change"`
	Center       [2]num  `json:"center"`
	OfNation     int64   `json:"of_nation"` // kabupaten ranked nationally in the period
	Class        *int    `json:"class"`     // national class level (geo/present)
	Display      display `json:"display"`
}

type rankingJSON struct {
	Kind   string    `json:"kind"`
	RunID  int64     `json:"run_id"`
	Period Date      `json:"period"`
	Sort   string    `json:"sort"`
	Order  string    `json:"order"`
	Scope  []string  `json:"scope"` // nil: national
	Rows   []rankRow `json:"rows"`
}

// rankLess orders rows by the requested key; missing changes sort last.
func rankCompare(key string) (func(a, b rankRow) int, error) {
	switch key {
	case "score", "":
		return func(a, b rankRow) int { return cmp.Compare(a.Score, b.Score) }, nil
	case "change":
		return func(a, b rankRow) int {
			av, bv := -1e300, -1e300
			if a.Change != nil {
				av = float64(*a.Change)
			}
			if b.Change != nil {
				bv = float64(*b.Change)
			}
			return cmp.Compare(av, bv)
		}, nil
	case "name":
		return func(a, b rankRow) int { return strings.Compare(a.Name, b.Name) }, nil
	case "code":
		return func(a, b rankRow) int { return strings.Compare(a.Code, b.Code) }, nil
	case "max":
		return func(a, b rankRow) int { return cmp.Compare(a.Max, b.Max) }, nil
	}
	return nil, bad("sort %q must be score, change, max, name or code", key)
}

func (h *handler) ranking(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	q := r.URL.Query()
	kind, err := kindParam(q.Get("kind"))
	if err != nil {
		return err
	}
	sortKey := q.Get("sort")
	less, err := rankCompare(sortKey)
	if err != nil {
		return err
	}
	if sortKey == "" {
		sortKey = "score"
	}
	order := q.Get("order")
	switch order {
	case "":
		order = "desc"
		if sortKey == "name" || sortKey == "code" {
			order = "asc"
		}
	case "asc", "desc":
	default:
		return bad("order %q must be asc or desc", order)
	}
	prov := q.Get("provinsi")
	if prov != "" && (len(prov) != 2 || strings.Trim(prov, "0123456789") != "") {
		return bad("provinsi %q is not a province code (e.g. 21)", prov)
	}
	limit := 1000
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return bad("limit %q must be 1..1000", v)
		}
		limit = n
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
	out := rankingJSON{Kind: kind, RunID: rn.ID, Period: Date(per), Sort: sortKey, Order: order, Scope: p.ScopeCodes(), Rows: []rankRow{}}
	rows, err := h.pool.Query(ctx, h.q.Get("ranking"), rn.ID, kind, per, p.ScopeCodes(), prov)
	if err != nil {
		return fmt.Errorf("ranking: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x rankRow
		var score, mx, mean, cx, cy float64
		var prev, change *float64
		if err := rows.Scan(&x.Code, &x.Name, &x.ProvinsiCode, &x.ProvinsiName, &score, &mx, &mean,
			&x.RankNational, &x.RankProvince, &prev, &change, &cx, &cy, &x.OfNation); err != nil {
			return err
		}
		x.Score, x.Max, x.Mean, x.Previous, x.Change = num(score), num(mx), num(mean), optNum(prev), optNum(change)
		x.Center = [2]num{num(cx), num(cy)}
		rn := x.RankNational
		x.Display = kabDisplay(score, &rn, x.OfNation, nil, 0, x.Change)
		if l := classOf(&rn, x.OfNation); l >= 0 {
			x.Class = &l
		}
		out.Rows = append(out.Rows, x)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ranking: %w", err)
	}
	slices.SortStableFunc(out.Rows, func(a, b rankRow) int {
		c := less(a, b)
		if order == "desc" {
			c = -c
		}
		if c == 0 {
			c = strings.Compare(a.Code, b.Code)
		}
		return c
	})
	if len(out.Rows) > limit {
		out.Rows = out.Rows[:limit]
	}
	return writeJSON(w, out)
}

// ---------------------------------------------------------------- search

type place struct {
	Level   string  `json:"level"` // provinsi, kabupaten, kecamatan, desa
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Parent  *string `json:"parent"` // the enclosing unit's name
	BBox    [4]num  `json:"bbox"`
	Center  [2]num  `json:"center"`
	InScope bool    `json:"in_scope"`
}

// escapeLike makes user text literal inside a LIKE pattern (backslash is the default escape).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (h *handler) search(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if utf8.RuneCountInString(q) < 2 {
		return bad("search text must be at least 2 characters")
	}
	if len(q) > 100 {
		return bad("search text must be at most 100 characters")
	}
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return bad("limit %q must be 1..100", v)
		}
		limit = n
	}
	// Codes are typed with or without dots ("2171" or "21.71").
	code := ""
	digits := strings.ReplaceAll(q, ".", "")
	if strings.Trim(digits, "0123456789") == "" {
		code = dotted(digits)
	}
	codeArg := code
	if codeArg == "" {
		codeArg = "-" // matches no code (PostgreSQL text cannot hold NUL)
	}
	rows, err := h.pool.Query(r.Context(), h.q.Get("search"), escapeLike(q), escapeLike(codeArg), limit)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	out := []place{}
	for rows.Next() {
		var pl place
		var x0, y0, x1, y1 float64
		if err := rows.Scan(&pl.Level, &pl.Code, &pl.Name, &pl.Parent, &x0, &y0, &x1, &y1); err != nil {
			return err
		}
		pl.BBox = [4]num{num(x0), num(y0), num(x1), num(y1)}
		pl.Center = [2]num{num((x0 + x1) / 2), num((y0 + y1) / 2)}
		pl.InScope = p.InScope(pl.Code)
		out = append(out, pl)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return writeJSON(w, map[string]any{"query": q, "results": out})
}

// dotted writes a code's digits the Kemendagri way: 2171010001 -> 21.71.01.0001.
func dotted(d string) string {
	var b strings.Builder
	for i, c := range d {
		if i == 2 || i == 4 || i == 6 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}
