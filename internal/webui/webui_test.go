package webui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/routes"
)

func TestServe(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "index.html"), []byte("<html>map</html>"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "assets", "app-X1.js"), []byte("console.log(1)"), 0o644)
	_ = os.WriteFile(filepath.Join(filepath.Dir(dir), "secret.txt"), []byte("s"), 0o644)
	empty := t.TempDir()
	cases := []struct {
		dir, path   string
		code        int
		body, cache string
	}{
		{dir, "/", 200, "map", "no-cache"},
		{dir, "/index.html", 200, "map", "no-cache"},
		{dir, "/assets/app-X1.js", 200, "console.log", "immutable"},
		{dir, "/assets/missing.js", 404, "", ""},
		{dir, "/assets/../../secret.txt", 301, "", ""}, // mux redirects to the clean path /secret.txt, which is not served
		{dir, "/other", 404, "", ""},
		{empty, "/favicon.ico", 200, "PNG", "max-age"},
		{empty, "/", 503, "make web", "no-store"},
	}
	for _, c := range cases {
		r := mux.NewRouter()
		New(c.dir).Register(routes.New(r))
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		signedIn := access.WithPrincipal(req.Context(), access.Principal{Username: "u", Role: access.Partner, Provinces: []string{"51"}})
		r.ServeHTTP(rec, req.WithContext(signedIn))
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.body) || !strings.Contains(rec.Header().Get("Cache-Control"), c.cache) {
			t.Errorf("%s %s: %d %q cache %q", c.dir, c.path, rec.Code, rec.Body.String(), rec.Header().Get("Cache-Control"))
		}
	}
}

func TestFindDir(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindDir(dir); err == nil || !strings.Contains(err.Error(), "make web") {
		t.Fatalf("unbuilt dir: %v", err)
	}
	_ = os.WriteFile(filepath.Join(dir, "index.html"), []byte("x"), 0o644)
	if got, err := FindDir(dir); err != nil || got != dir {
		t.Fatalf("built dir: %q %v", got, err)
	}
}
