// Package audit keeps the append-only record of who saw personal data and who
// exported what: who, when, route, layer, tile or area, rows returned. Handlers
// call Record before they send personal data or an export; if the record
// cannot be written, they must not send the data. The table refuses UPDATE,
// DELETE and TRUNCATE (trigger in migrations/003_auth.sql), and the server's
// database role holds no such privileges on it (internal/auth.AppRole).
package audit

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Action is why an access is audited.
type Action string

const (
	Personal Action = "personal" // single residents, names, passports, guest lists
	Export   Action = "export"   // CSV, GeoJSON, PDF or any download
	Admin    Action = "admin"    // administrative reads, e.g. searching this log
)

// Entry is one audited access. Route defaults to the request path.
type Entry struct {
	Action Action
	Route  string
	Layer  string
	Tile   string // "z/x/y"
	Area   string // region codes, or a polygon's bounding box
	Rows   int64
	Detail map[string]any
}

// Row is an entry as stored.
type Row struct {
	ID       int64          `json:"id"`
	At       time.Time      `json:"at"`
	UserID   int64          `json:"user_id"`
	Username string         `json:"username"`
	Role     string         `json:"role"`
	Scope    string         `json:"scope"`
	Action   string         `json:"action"`
	Method   string         `json:"method"`
	Route    string         `json:"route"`
	Layer    string         `json:"layer"`
	Tile     string         `json:"tile"`
	Area     string         `json:"area"`
	Rows     int64          `json:"rows_returned"`
	IP       string         `json:"ip"`
	Detail   map[string]any `json:"detail"`
}

// Log writes and searches the audit log.
type Log struct {
	db *pgxpool.Pool
	q  store.Named
}

// New loads the queries.
func New(db *pgxpool.Pool) (*Log, error) {
	q, err := store.LoadNamed(queryFS, "queries.sql")
	if err != nil {
		return nil, err
	}
	return &Log{db: db, q: q}, nil
}

type logKey struct{}

type reqInfo struct {
	log    *Log
	method string
	path   string
	ip     string
}

// Middleware makes Record available to every handler behind it.
func (l *Log) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		ctx := context.WithValue(r.Context(), logKey{}, &reqInfo{log: l, method: r.Method, path: r.URL.Path, ip: ip})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// WithLog returns a context in which Record writes to l (for code that runs
// outside an HTTP request, e.g. tests or jobs).
func WithLog(ctx context.Context, l *Log) context.Context {
	return context.WithValue(ctx, logKey{}, &reqInfo{log: l, method: "-", path: "-"})
}

// ErrNoLog means Record was called where no audit log is configured: the
// caller must refuse to return the data.
var ErrNoLog = errors.New("audit log not configured for this request")

// ErrAnonymous means Record was called without a principal.
var ErrAnonymous = errors.New("audit: no authenticated principal")

// Record writes e for the request's principal. Call it before sending personal
// data or an export; on error, send an error instead of the data.
func Record(ctx context.Context, e Entry) error {
	ri, ok := ctx.Value(logKey{}).(*reqInfo)
	if !ok || ri.log == nil {
		return ErrNoLog
	}
	return ri.log.record(ctx, ri, e)
}

func (l *Log) record(ctx context.Context, ri *reqInfo, e Entry) error {
	p, ok := access.FromContext(ctx)
	if !ok {
		return ErrAnonymous
	}
	switch e.Action {
	case Personal, Export, Admin:
	default:
		return fmt.Errorf("audit: unknown action %q", e.Action)
	}
	route := e.Route
	if route == "" {
		route = ri.path
	}
	if e.Rows < 0 {
		e.Rows = 0
	}
	detail := e.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	var id int64
	err := l.db.QueryRow(ctx, l.q.Get("insert"), p.UserID, p.Username, string(p.Role), strings.Join(p.ScopeCodes(), ","),
		string(e.Action), ri.method, route, e.Layer, e.Tile, e.Area, e.Rows, ri.ip, detail).Scan(&id)
	if err != nil {
		return fmt.Errorf("write audit record: %w", err)
	}
	return nil
}

// Filter selects audit rows; zero fields match everything.
type Filter struct {
	Username string
	Action   Action
	Layer    string
	Route    string // prefix
	From, To time.Time
	BeforeID int64 // paging: rows with a smaller id
	Limit    int
}

// MaxLimit caps one page of search results.
const MaxLimit = 1000

// Search returns matching rows, newest first.
func (l *Log) Search(ctx context.Context, f Filter) ([]Row, error) {
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	rows, err := l.db.Query(ctx, l.q.Get("search"), nullStr(f.Username), nullStr(string(f.Action)), nullStr(f.Layer),
		nullStr(f.Route), nullTime(f.From), nullTime(f.To), nullInt(f.BeforeID), f.Limit)
	if err != nil {
		return nil, fmt.Errorf("search audit log: %w", err)
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.ID, &r.At, &r.UserID, &r.Username, &r.Role, &r.Scope, &r.Action, &r.Method, &r.Route,
			&r.Layer, &r.Tile, &r.Area, &r.Rows, &r.IP, &r.Detail); err != nil {
			return nil, fmt.Errorf("search audit log: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nullInt(i int64) *int64 {
	if i == 0 {
		return nil
	}
	return &i
}
