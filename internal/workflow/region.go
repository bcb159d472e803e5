package workflow

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/internal/access"
)

func provinceRe() *regexp.Regexp  { return regexp.MustCompile(`^[0-9]{2}$`) }
func kabupatenRe() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`) }
func kecamatanRe() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$`) }

// region is a province or a kabupaten.
type region struct {
	Code  string     `json:"code"`
	Name  string     `json:"name"`
	Level string     `json:"level"` // provinsi | kabupaten
	BBox  [4]float64 `json:"bbox"`  // west, south, east, north
	Kabs  []string   `json:"-"`
	Box   orb.Bound  `json:"-"`
}

// loadRegion resolves a province or kabupaten code the principal may see as a
// whole: 400 for a malformed code, 404 for an unknown one, 403 out of scope.
func (h *handlers) loadRegion(ctx context.Context, p access.Principal, code string) (region, error) {
	var level string
	switch {
	case provinceRe().MatchString(code):
		level = "provinsi"
		if !p.ProvinceInScope(code) {
			return region{}, forbidden("province %s is outside your area", code)
		}
	case kabupatenRe().MatchString(code):
		level = "kabupaten"
		if !p.InScope(code) {
			return region{}, forbidden("kabupaten %s is outside your area", code)
		}
	case code == "":
		return region{}, badRequest("region is required: a province code (53) or a kabupaten code (53.71)")
	default:
		return region{}, badRequest("region %q is neither a province code (53) nor a kabupaten code (53.71)", code)
	}
	rg := region{Code: code, Level: level}
	err := h.db.QueryRow(ctx, h.q.Get("region"), code).Scan(&rg.Name, &rg.Kabs,
		&rg.Box.Min[0], &rg.Box.Min[1], &rg.Box.Max[0], &rg.Box.Max[1])
	if errors.Is(err, pgx.ErrNoRows) {
		return region{}, notFound("no %s with code %s", level, code)
	}
	if err != nil {
		return region{}, err
	}
	rg.BBox = [4]float64{rg.Box.Min[0], rg.Box.Min[1], rg.Box.Max[0], rg.Box.Max[1]}
	return rg, nil
}

type regionItem struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// regions lists the children of parent (nothing: provinces; a province: its
// kabupaten; a kabupaten: its kecamatan) that the user can work on.
func (h *handlers) regions(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	parent := r.URL.Query().Get("parent")
	var q string
	var args []any
	switch {
	case parent == "":
		q = "regions_provinces"
	case provinceRe().MatchString(parent):
		q, args = "regions_kabupaten", []any{parent}
	case kabupatenRe().MatchString(parent):
		if !p.InScope(parent) {
			return forbidden("kabupaten %s is outside your area", parent)
		}
		q, args = "regions_kecamatan", []any{parent}
	default:
		return badRequest("parent %q is neither empty, a province code nor a kabupaten code", parent)
	}
	rows, err := h.db.Query(r.Context(), h.q.Get(q), args...)
	if err != nil {
		return err
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[regionItem])
	if err != nil {
		return err
	}
	out := items[:0]
	for _, it := range items {
		ok := false
		switch {
		case len(it.Code) == 2:
			// a province is listed when any part of it is in scope
			ok = p.ProvinceInScope(it.Code) || slices.ContainsFunc(p.Kabupaten, func(k string) bool { return len(k) >= 2 && k[:2] == it.Code })
		default:
			ok = p.InScope(it.Code)
		}
		if ok {
			out = append(out, it)
		}
	}
	return writeJSON(w, map[string]any{"parent": parent, "items": out})
}
