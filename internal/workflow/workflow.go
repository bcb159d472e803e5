// Package workflow serves the three decision tools built on the risk map:
//
//   - the desa binaan site planner (planners): where to open N new desa binaan
//     so that they cover the most risk (geo/mclp), with a CSV export;
//   - the joint-operation planner (intel officers): the targets inside an area,
//     split among K teams with a visiting order (geo/teams), exported as CSV,
//     GeoJSON and a printable briefing PDF in Bahasa Indonesia;
//   - the kanwil brief (kanwil heads): a PDF for the Rakor Timpora with a risk
//     map, kabupaten ranking, hot spots, desa binaan coverage and aggregate
//     counts of foreigners.
//
// Routes (all under /api/workflow):
//
//	GET  /regions?parent=          provinces | kabupaten of a province | kecamatan of a kabupaten, in scope
//	GET  /sites?region=&n=&radius_km=&kind=   site plan (JSON, uncovered high-risk cells as GeoJSON)
//	POST /sites.csv?...            the same as CSV (audited export)
//	POST /operation                operation plan (JSON body: OperationRequest)
//	POST /operation/export?format=csv|geojson|pdf   the same as a file (audited export)
//	GET  /brief/periods            months with a complete risk run
//	POST /brief.pdf?province=&period=YYYY-MM  kanwil brief (audited export)
//
// Every handler asks the request's access.Principal: anonymous requests get
// 401, regions outside the user's scope 403. Single residents (names,
// passports) are returned only where Principal.CanSeePersonal allows; every
// other role gets small-cell suppressed aggregates. Exports and personal-data
// responses are recorded through Deps.Audit before any byte is sent.
package workflow

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// Prefix is where the routes live.
const Prefix = "/api/workflow"

// Auditor records an audited access (the security work's audit log). Record
// is called before personal data or an export is sent; on error the handler
// sends an error instead of the data.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// AuditorFunc adapts a function to Auditor.
type AuditorFunc func(ctx context.Context, e audit.Entry) error

// Record calls f.
func (f AuditorFunc) Record(ctx context.Context, e audit.Entry) error { return f(ctx, e) }

// Deps are the package's dependencies.
type Deps struct {
	DB  *pgxpool.Pool
	Log *slog.Logger
	// Audit records exports and personal-data accesses; nil means
	// audit.Record, the request-scoped audit log installed by its middleware.
	Audit Auditor
	// Now is the clock (tests fix it); nil means time.Now.
	Now func() time.Time
	// Timeout bounds each request's database work; 0 means 60 s.
	Timeout time.Duration
}

type handlers struct {
	db      *pgxpool.Pool
	log     *slog.Logger
	audit   Auditor
	now     func() time.Time
	q       store.Named
	timeout time.Duration
}

// Register mounts the routes under /api/workflow on r.
func Register(t *routes.Table, d Deps) error {
	if d.DB == nil {
		return errors.New("workflow: no database")
	}
	q, err := store.LoadNamed(queryFS, "queries.sql")
	if err != nil {
		return err
	}
	h := &handlers{db: d.DB, log: d.Log, audit: d.Audit, now: d.Now, q: q, timeout: d.Timeout}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.audit == nil {
		h.audit = AuditorFunc(audit.Record)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.timeout <= 0 {
		h.timeout = 60 * time.Second
	}
	sites := access.ForTool(access.ToolSites, false)
	op := access.ForTool(access.ToolOperation, true)
	brief := access.ForTool(access.ToolBrief, false)
	t.HandleFunc(Prefix+"/regions", access.SignedIn(), h.wrap(h.regions), http.MethodGet)
	t.HandleFunc(Prefix+"/sites", sites, h.wrap(h.sites), http.MethodGet)
	// Exports are POSTs: a cross-site link or image cannot make the victim's
	// browser produce (and audit) a file; the CSRF check covers them.
	t.HandleFunc(Prefix+"/sites.csv", sites, h.wrap(h.sitesCSV), http.MethodPost)
	t.HandleFunc(Prefix+"/operation", op, h.wrap(h.operation), http.MethodPost)
	t.HandleFunc(Prefix+"/operation/export", op, h.wrap(h.operationExport), http.MethodPost)
	t.HandleFunc(Prefix+"/brief/periods", brief, h.wrap(h.briefPeriods), http.MethodGet)
	t.HandleFunc(Prefix+"/brief.pdf", brief, h.wrap(h.briefPDF), http.MethodPost)
	return nil
}

// apiError is an error with an HTTP status and a message safe to show.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}
func forbidden(format string, a ...any) error {
	return &apiError{http.StatusForbidden, fmt.Sprintf(format, a...)}
}
func notFound(format string, a ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, a...)}
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, p access.Principal) error

// wrap refuses anonymous requests, bounds the request's time, and turns
// errors into JSON: apiErrors verbatim, anything else as a logged 500 whose
// text (possibly database internals) never reaches the client.
func (h *handlers) wrap(f handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok {
			writeError(w, http.StatusUnauthorized, "login required")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
		defer cancel()
		err := f(w, r.WithContext(ctx), p)
		if err == nil {
			return
		}
		var ae *apiError
		switch {
		case errors.As(err, &ae):
			writeError(w, ae.code, ae.msg)
		case errors.Is(err, context.DeadlineExceeded):
			h.log.Warn("workflow request timed out", "path", r.URL.Path, "user", p.Username)
			writeError(w, http.StatusServiceUnavailable, "the request took too long; try a smaller area")
		case errors.Is(err, context.Canceled):
			// client went away
		default:
			h.log.Error("workflow request failed", "path", r.URL.Path, "user", p.Username, "err", err)
			writeError(w, http.StatusInternalServerError, "internal error")
		}
	}
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
	return nil
}

// download sends a file as an attachment.
func download(w http.ResponseWriter, contentType, filename string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// record is the single call site for the audit log.
func (h *handlers) record(ctx context.Context, e audit.Entry) error {
	if err := h.audit.Record(ctx, e); err != nil {
		h.log.Error("audit record failed; refusing to send the data", "err", err, "route", e.Route)
		return &apiError{http.StatusServiceUnavailable, "the access could not be recorded in the audit log, so the data is not sent"}
	}
	return nil
}
