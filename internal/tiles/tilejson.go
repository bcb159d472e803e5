package tiles

import (
	"context"
	"net/http"
	"strconv"

	"github.com/waspada-id/waspada/internal/access"
)

// TileJSON is a TileJSON 3.0.0 document (https://github.com/mapbox/tilejson-spec).
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      uint32        `json:"minzoom"`
	MaxZoom      uint32        `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes one MVT layer of the tileset.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     uint32            `json:"minzoom"`
	MaxZoom     uint32            `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// indonesia is the national extent, used when the scope's extent is unknown.
func indonesia() [4]float64 { return [4]float64{94.9, -11.1, 141.1, 6.1} }

func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// scopeBounds is the extent of the principal's scope (national for admins);
// it lets the map open on the user's own region.
func (s *Server) scopeBounds(ctx context.Context, p access.Principal) [4]float64 {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DBTimeout)
	defer cancel()
	var b [4]float64
	err := s.pool.QueryRow(ctx, s.q.Get("scope_bounds"), p.ScopeCodes()).Scan(&b[0], &b[1], &b[2], &b[3])
	if err != nil {
		return indonesia()
	}
	return b
}

func (s *Server) tileJSON(r *http.Request, p access.Principal, ts *Tileset) TileJSON {
	bounds := indonesia()
	if !ts.Public {
		bounds = s.scopeBounds(r.Context(), p)
	}
	tj := TileJSON{
		TileJSON: "3.0.0", Name: ts.Name, Description: ts.Description, Version: "1.0.0",
		Attribution: "Batas wilayah: Kemendagri (cahyadsn/wilayah_boundaries); pelabuhan: Kemenhub; Waspada",
		Scheme:      "xyz",
		Tiles:       []string{s.baseURL(r) + Prefix + "/" + ts.Name + "/{z}/{x}/{y}.mvt"},
		MinZoom:     ts.MinZoom(), MaxZoom: ts.MaxZoom(), Bounds: bounds,
		Center: [3]float64{(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, float64(max(ts.MinZoom(), 4))},
	}
	for _, l := range ts.Layers {
		tj.VectorLayers = append(tj.VectorLayers, VectorLayer{
			ID: l.Name, Description: l.Description, MinZoom: l.MinZoom, MaxZoom: l.MaxZoom, Fields: l.Fields,
		})
	}
	return tj
}

func (s *Server) serveTileJSON(w http.ResponseWriter, r *http.Request, p access.Principal, ts *Tileset) {
	writeJSON(w, r, s.tileJSON(r, p, ts), strconv.Itoa(int(s.cfg.MaxAge.Seconds())))
}

// CatalogueEntry is one tileset in the /tiles listing.
type CatalogueEntry struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	MinZoom     uint32   `json:"minzoom"`
	MaxZoom     uint32   `json:"maxzoom"`
	Layers      []string `json:"layers"`
	TileJSON    string   `json:"tilejson"`
}

func (s *Server) serveCatalogue(w http.ResponseWriter, r *http.Request) {
	base := s.baseURL(r)
	out := make([]CatalogueEntry, 0, len(s.sets))
	for i := range s.sets {
		ts := &s.sets[i]
		c := CatalogueEntry{Name: ts.Name, Description: ts.Description, MinZoom: ts.MinZoom(), MaxZoom: ts.MaxZoom(),
			TileJSON: base + Prefix + "/" + ts.Name + ".json"}
		for _, l := range ts.Layers {
			c.Layers = append(c.Layers, l.Name)
		}
		out = append(out, c)
	}
	writeJSON(w, r, map[string]any{"tilesets": out}, strconv.Itoa(int(s.cfg.MaxAge.Seconds())))
}
