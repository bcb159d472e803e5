package tiles

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
)

// Prefix is where the tile routes live.
const Prefix = "/tiles"

// ServeHTTP routes /tiles, /tiles/{name}.json and /tiles/{name}/{z}/{x}/{y}.mvt.
// The path is split by hand rather than by a pattern router: this is the hot
// path, and a split allocates nothing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cors(w, r) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		httpError(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, ok := access.FromContext(r.Context())
	if !ok {
		httpError(w, "sign in required", http.StatusUnauthorized)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		httpError(w, "not found", http.StatusNotFound)
		return
	}
	if rest == "" || rest == "/" {
		s.serveCatalogue(w, r)
		return
	}
	rest = rest[1:]
	name, tail, isTile := strings.Cut(rest, "/")
	if !isTile {
		base, ok := strings.CutSuffix(rest, ".json")
		if !ok {
			httpError(w, "not found: use /tiles/{layer}.json or /tiles/{layer}/{z}/{x}/{y}.mvt", http.StatusNotFound)
			return
		}
		idx, ok := s.byName[base]
		if !ok {
			httpError(w, "unknown layer (see /tiles for the list)", http.StatusNotFound)
			return
		}
		s.serveTileJSON(w, r, p, &s.sets[idx])
		return
	}
	idx, ok := s.byName[name]
	if !ok {
		httpError(w, "unknown layer (see /tiles for the list)", http.StatusNotFound)
		return
	}
	zs, tail, ok1 := strings.Cut(tail, "/")
	xs, ys, ok2 := strings.Cut(tail, "/")
	if !ok1 || !ok2 {
		httpError(w, "bad tile path: want /tiles/{layer}/{z}/{x}/{y}.mvt", http.StatusBadRequest)
		return
	}
	ys, ext, ok := strings.Cut(ys, ".")
	if !ok || ext != "mvt" {
		httpError(w, "unknown tile extension: only .mvt is served", http.StatusBadRequest)
		return
	}
	t, err := tilemath.Parse(zs, xs, ys)
	if err != nil {
		httpError(w, err.Error(), http.StatusBadRequest)
		return
	}
	ts := &s.sets[idx]
	if t.Z < ts.MinZoom() || t.Z > ts.MaxZoom() {
		httpError(w, "zoom outside this layer's range (see its TileJSON minzoom/maxzoom)", http.StatusNotFound)
		return
	}
	e, hit, err := s.tile(r.Context(), idx, t, p)
	if err != nil {
		if errors.Is(err, errTimeout) {
			s.log.Warn("tile render timed out", "tileset", ts.Name, "tile", t.String(), "err", err)
			httpError(w, "tile query timed out; try again", http.StatusServiceUnavailable)
			return
		}
		s.log.Error("tile render failed", "tileset", ts.Name, "tile", t.String(), "err", err)
		httpError(w, "tile database unavailable; try again", http.StatusServiceUnavailable)
		return
	}
	s.writeTile(w, r, e, hit)
}

// writeTile is the warm path: header slices are assigned, bodies are written
// from precomputed bytes.
func (s *Server) writeTile(w http.ResponseWriter, r *http.Request, e *entry, hit bool) {
	h := w.Header()
	h["Cache-Control"] = s.hdr.cacheControl
	h["Etag"] = e.etagHdr
	h["Vary"] = s.hdr.vary
	h["X-Content-Type-Options"] = s.hdr.nosniff
	if hit {
		h["X-Cache"] = s.hdr.hit
	} else {
		h["X-Cache"] = s.hdr.miss
	}
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm, e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if len(e.raw) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h["Content-Type"] = s.hdr.contentType
	body := e.raw
	if acceptsGzip(r) {
		h["Content-Encoding"] = s.hdr.gzip
		h["Content-Length"] = e.gzLen
		body = e.gz
	} else {
		h["Content-Length"] = e.rawLen
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header["Accept-Encoding"] {
		if strings.Contains(v, "gzip") {
			return true
		}
	}
	return false
}

// etagMatch implements If-None-Match's weak comparison over a list of tags.
func etagMatch(values []string, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for v != "" {
			var tag string
			tag, v, _ = strings.Cut(v, ",")
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
				return true
			}
		}
	}
	return false
}

// cors writes CORS headers when the request's origin is allowed, and answers
// preflight requests; it reports whether the request has been answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	if len(s.cfg.CORSOrigins) == 0 {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	allowed := ""
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" {
			allowed = "*"
			break
		}
		if o == origin {
			allowed = origin
			break
		}
	}
	if allowed == "" {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allowed)
	if allowed != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Expose-Headers", "ETag, X-Cache")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Authorization, If-None-Match")
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

func httpError(w http.ResponseWriter, msg string, code int) {
	h := w.Header()
	h.Del("Etag")
	h.Del("Content-Encoding")
	h.Set("Cache-Control", "no-store")
	http.Error(w, msg, code)
}

func writeJSON(w http.ResponseWriter, r *http.Request, v any, maxAge string) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		httpError(w, "cannot encode response", http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "private, max-age="+maxAge)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(append(b, '\n'))
}
