package audit

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
)

// PersonalLayers names the layers of a tileset that carry personal data at
// zoom z for principal p (none: the tile is not audited).
type PersonalLayers func(tileset string, z uint32, p access.Principal) []string

// TileMiddleware audits tiles that carry personal data (single residents or
// incidents for intel officers and admins) without any change to the tile
// server: for such a request it holds the response back, counts the features
// of the personal layers, writes the audit record, and only then sends the
// tile; if the record cannot be written the tile is withheld (503). Every
// other request, including the whole aggregate warm path, passes straight
// through after a prefix test. 304 and 204 answers carry no data and are not
// recorded.
func (l *Log) TileMiddleware(prefix string, personal PersonalLayers) func(http.Handler) http.Handler {
	prefix = strings.TrimSuffix(prefix, "/") + "/"
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rest, ok := strings.CutPrefix(r.URL.Path, prefix)
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			p, ok := access.FromContext(r.Context())
			if !ok || !p.MayUsePersonalAnywhere() {
				next.ServeHTTP(w, r)
				return
			}
			parts := strings.Split(strings.TrimSuffix(rest, ".mvt"), "/")
			if len(parts) != 4 {
				next.ServeHTTP(w, r)
				return
			}
			t, err := tilemath.Parse(parts[1], parts[2], parts[3])
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			layers := personal(parts[0], t.Z, p)
			if len(layers) == 0 {
				next.ServeHTTP(w, r)
				return
			}
			buf := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
			next.ServeHTTP(buf, r)
			if buf.status == http.StatusOK && buf.body.Len() > 0 {
				n, err := countFeatures(buf.body.Bytes(), buf.header.Get("Content-Encoding") == "gzip", layers)
				if err == nil && n > 0 {
					err = Record(r.Context(), Entry{Action: Personal, Route: prefix + "{tileset}/{z}/{x}/{y}.mvt",
						Layer: parts[0], Tile: strconv.Itoa(int(t.Z)) + "/" + strconv.Itoa(int(t.X)) + "/" + strconv.Itoa(int(t.Y)),
						Rows: int64(n), Detail: map[string]any{"layers": layers}})
				}
				if err != nil {
					httpError(w, http.StatusServiceUnavailable, "audit log unavailable: personal data withheld, try again")
					return
				}
			}
			for k, v := range buf.header {
				w.Header()[k] = v
			}
			w.WriteHeader(buf.status)
			_, _ = w.Write(buf.body.Bytes())
		})
	}
}

func countFeatures(body []byte, gzipped bool, layers []string) (int, error) {
	if gzipped {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return 0, err
		}
	}
	ls, err := mvt.Unmarshal(body)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range ls {
		for _, name := range layers {
			if l.Name == name {
				n += len(l.Features)
			}
		}
	}
	return n, nil
}

type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
