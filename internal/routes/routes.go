// Package routes is the server's route table: every route is registered with
// its access.Policy beside it, the policy is enforced in front of the handler,
// and the table can be listed, so that tests (internal/auth/matrix) check every
// route the running server has, not a hand-kept list.
package routes

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gorilla/mux"

	"github.com/waspada-id/waspada/internal/access"
)

// Route is one registered route.
type Route struct {
	Methods []string
	Path    string // a mux path template, or a prefix when Prefix is set
	Prefix  bool
	Policy  access.Policy
}

// Table registers routes on a router together with their policies.
type Table struct {
	r      *mux.Router
	routes []Route
	mounts []mount
}

type mount struct {
	prefix string
	h      http.Handler
}

// New returns a table that registers on r.
func New(r *mux.Router) *Table { return &Table{r: r} }

// Router is the underlying router.
func (t *Table) Router() *mux.Router { return t.r }

// Handle registers h for the methods on the path template, behind the policy.
func (t *Table) Handle(path string, pol access.Policy, h http.Handler, methods ...string) {
	t.routes = append(t.routes, Route{Methods: methods, Path: path, Policy: pol})
	t.r.Handle(path, Guard(pol, h)).Methods(methods...)
}

// HandleFunc is Handle for a function.
func (t *Table) HandleFunc(path string, pol access.Policy, f http.HandlerFunc, methods ...string) {
	t.Handle(path, pol, f, methods...)
}

// HandlePrefix registers h for every path under prefix on the router.
func (t *Table) HandlePrefix(prefix string, pol access.Policy, h http.Handler, methods ...string) {
	t.routes = append(t.routes, Route{Methods: methods, Path: prefix, Prefix: true, Policy: pol})
	t.r.PathPrefix(prefix).Handler(Guard(pol, h)).Methods(methods...)
}

// Mount serves every request under prefix with h before the router is asked
// (the tile server's fast path), behind the policy.
func (t *Table) Mount(prefix string, pol access.Policy, h http.Handler) {
	t.routes = append(t.routes, Route{Path: prefix, Prefix: true, Policy: pol})
	t.mounts = append(t.mounts, mount{prefix, Guard(pol, h)})
}

// Mounts calls f for each mounted prefix, in registration order.
func (t *Table) Mounts(f func(prefix string, h http.Handler)) {
	for _, m := range t.mounts {
		f(m.prefix, m.h)
	}
}

// Routes lists every registered route.
func (t *Table) Routes() []Route { return slices.Clone(t.routes) }

// Guard enforces pol in front of h: anonymous callers of a non-public route
// get 401, roles the policy does not name get 403 with a plain message.
func Guard(pol access.Policy, h http.Handler) http.Handler {
	if pol.Public {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok {
			writeError(w, http.StatusUnauthorized, "sign in first")
			return
		}
		if !pol.Allows(p) {
			msg := "your role (" + string(p.Role) + ") may not use this"
			if pol.Tool != "" {
				msg = "your role (" + string(p.Role) + ") may not use the " + string(pol.Tool) + " tool; it is for: " + pol.Describe()
			}
			writeError(w, http.StatusForbidden, msg)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
