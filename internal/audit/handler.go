package audit

import (
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/routes"
)

// Register adds GET /api/admin/audit (JSON) and GET /admin/audit (a
// server-rendered page, no scripts), the admin's search over the log.
func (l *Log) Register(t *routes.Table) {
	page := template.Must(template.New("audit").Parse(pageHTML))
	t.HandleFunc("/api/admin/audit", access.AdminOnly(), l.search, http.MethodGet)
	t.HandleFunc("/admin/audit", access.AdminOnly(), func(w http.ResponseWriter, r *http.Request) { l.page(w, r, page) }, http.MethodGet)
	t.HandleFunc("/admin/audit.css", access.AdminOnly(), func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write(pageCSS)
	}, http.MethodGet)
}

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS []byte

var (
	usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	layerRe    = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
	routeRe    = regexp.MustCompile(`^/[A-Za-z0-9/_.{}-]{0,200}$`)
)

// search answers GET /api/admin/audit?user=&action=&layer=&route=&from=&to=&before=&limit=
// (from/to: RFC 3339 or YYYY-MM-DD). Searching the log is itself audited.
func (l *Log) search(w http.ResponseWriter, r *http.Request) {
	if !adminOnly(w, r) {
		return
	}
	f, bad := parseFilter(r)
	if bad != "" {
		httpError(w, http.StatusBadRequest, "bad parameter: "+bad)
		return
	}
	rows, err := l.searchAudited(r, f)
	if err != nil {
		httpError(w, http.StatusServiceUnavailable, "audit log unavailable")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"rows": rows, "count": len(rows)})
}

type pageView struct {
	F        Filter
	Action   Action
	Actions  []Action
	From, To string
	Rows     []Row
	More     string
	Error    string
}

// page renders the same search as an HTML table for the admin.
func (l *Log) page(w http.ResponseWriter, r *http.Request, page *template.Template) {
	if !adminOnly(w, r) {
		return
	}
	f, bad := parseFilter(r)
	v := pageView{Actions: []Action{Personal, Export, Admin}, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	code := http.StatusOK
	if bad != "" {
		v.Error, code = "Parameter tidak valid / bad parameter: "+bad, http.StatusBadRequest
	} else {
		v.F, v.Action = f, f.Action
		rows, err := l.searchAudited(r, f)
		if err != nil {
			v.Error, code = "Log audit tidak tersedia / audit log unavailable", http.StatusServiceUnavailable
		}
		v.Rows = rows
		if len(rows) > 0 && len(rows) == f.Limit {
			q := r.URL.Query()
			q.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
			v.More = "/admin/audit?" + q.Encode()
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = page.Execute(w, v)
}

func adminOnly(w http.ResponseWriter, r *http.Request) bool {
	p, ok := access.FromContext(r.Context())
	if !ok {
		httpError(w, http.StatusUnauthorized, "login required")
		return false
	}
	if p.Role != access.Admin {
		httpError(w, http.StatusForbidden, "admin only")
		return false
	}
	return true
}

// searchAudited searches and records the search itself.
func (l *Log) searchAudited(r *http.Request, f Filter) ([]Row, error) {
	rows, err := l.Search(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if err := Record(r.Context(), Entry{Action: Admin, Route: r.URL.Path, Rows: int64(len(rows)),
		Detail: map[string]any{"query": r.URL.RawQuery}}); err != nil {
		return nil, err
	}
	return rows, nil
}

// parseFilter reads user, action, layer, route, from, to (YYYY-MM-DD or RFC
// 3339), before and limit; bad names the first bad parameter.
func parseFilter(r *http.Request) (Filter, string) {
	q := r.URL.Query()
	var f Filter
	var bad string
	check := func(name string, re *regexp.Regexp) string {
		v := q.Get(name)
		if v != "" && !re.MatchString(v) {
			bad = name
		}
		return v
	}
	f.Username = check("user", usernameRe)
	f.Layer = check("layer", layerRe)
	f.Route = check("route", routeRe)
	switch a := Action(q.Get("action")); a {
	case "", Personal, Export, Admin:
		f.Action = a
	default:
		bad = "action (want personal, export or admin)"
	}
	for _, tf := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(tf.name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				bad = tf.name + " (want YYYY-MM-DD or RFC 3339)"
			}
			*tf.dst = t
		}
	}
	for _, nf := range []struct {
		name string
		max  int64
		set  func(int64)
	}{{"before", 1 << 62, func(v int64) { f.BeforeID = v }}, {"limit", MaxLimit, func(v int64) { f.Limit = int(v) }}} {
		if v := q.Get(nf.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 || n > nf.max {
				bad = nf.name + " (want a positive integer up to " + strconv.FormatInt(nf.max, 10) + ")"
			}
			nf.set(n)
		}
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	return f, bad
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
