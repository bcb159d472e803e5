// Package webui serves the built map front end (web/dist, made by `make web`)
// from disk. Serving a folder rather than embedding it keeps `go build`
// independent of Node: a binary built before the front end still starts and
// explains what is missing, and a rebuilt front end needs no Go rebuild.
package webui

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/routes"
)

// Handler serves index.html at "/" and the hashed bundles under /assets/.
type Handler struct {
	dir     string
	files   http.Handler
	favicon []byte
}

// FindDir returns the first candidate that holds index.html: the --web flag,
// then web/dist beside the working directory, then beside the binary
// (bin/waspada -> ../web/dist). It returns the first candidate with an error
// when none is built, so the server can still start and say so.
func FindDir(flagValue string) (string, error) {
	var cands []string
	if flagValue != "" {
		cands = append(cands, flagValue)
	} else {
		cands = append(cands, filepath.Join("web", "dist"))
		if exe, err := os.Executable(); err == nil {
			cands = append(cands, filepath.Join(filepath.Dir(exe), "..", "web", "dist"))
		}
	}
	for _, c := range cands {
		if st, err := os.Stat(filepath.Join(c, "index.html")); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return cands[0], fmt.Errorf("the map front end is not built in %s: run `make web` (npm ci && npm run build in web/)", cands[0])
}

// New serves the front end from dir (which may not be built yet: then every
// page says how to build it, with status 503).
func New(dir string) *Handler {
	return &Handler{dir: dir, files: http.FileServer(http.Dir(dir)), favicon: favicon()}
}

// favicon draws the app's mark (a yellow-to-red risk square) as a 32 px PNG:
// browsers ask for /favicon.ico on every page, the login page included.
func favicon() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			t := float64(x+y) / 62
			img.Set(x, y, color.NRGBA{R: uint8(254 - 27*t), G: uint8(217 - 191*t), B: uint8(118 - 90*t), A: 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// Register adds GET /, /favicon.ico and /assets/ to r. Only these paths: the rest of the
// router (API, login, tiles) keeps its own 404s.
func (h *Handler) Register(t *routes.Table) {
	t.Handle("/", access.SignedIn(), h, http.MethodGet, http.MethodHead)
	t.Handle("/index.html", access.SignedIn(), h, http.MethodGet, http.MethodHead)
	t.HandleFunc("/favicon.ico", access.PublicRoute(), func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(h.favicon)
	}, http.MethodGet, http.MethodHead)
	t.HandlePrefix("/assets/", access.SignedIn(), h, http.MethodGet, http.MethodHead)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := path.Clean("/" + r.URL.Path)
	if p == "/" || p == "/index.html" {
		b, err := os.ReadFile(filepath.Join(h.dir, "index.html"))
		if errors.Is(err, fs.ErrNotExist) {
			h.notBuilt(w)
			return
		}
		if err != nil {
			http.Error(w, "front end unreadable", http.StatusInternalServerError)
			return
		}
		// The page names hashed bundles, so it must never be cached stale.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
		return
	}
	if !strings.HasPrefix(p, "/assets/") {
		http.NotFound(w, r)
		return
	}
	if _, err := os.Stat(filepath.Join(h.dir, filepath.FromSlash(p))); err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	// File names carry a content hash: cache for a year.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	h.files.ServeHTTP(w, r)
}

func (h *Handler) notBuilt(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>Waspada</title>
<h1>Peta belum dibangun / The map front end is not built</h1>
<p>Folder <code>%s</code> has no index.html. Run <code>make web</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>) and reload.</p>`,
		html.EscapeString(h.dir))
}
