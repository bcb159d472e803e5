package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/importlog"
)

// Report is the outcome of an operational import.
type Report struct {
	Kind      string
	Source    string
	RowsIn    int
	Written   int
	DryRun    bool
	Errors    []RowError
	LineLabel string
	Duration  time.Duration
	// ImportID is the import_log id of a written import (for `waspada import undo`).
	ImportID int64
	// Added and Replaced count the kind's main table rows the import created
	// and those it overwrote.
	Added, Replaced int
}

// OK reports whether the file was accepted.
func (r *Report) OK() bool { return len(r.Errors) == 0 }

// Print writes the report for a person: every problem with line, field and reason.
func (r *Report) Print(w io.Writer) {
	if !r.OK() {
		fmt.Fprintf(w, "%s: rejected, nothing was written. %d problem(s)", r.Source, len(r.Errors))
		if len(r.Errors) >= MaxErrors {
			fmt.Fprintf(w, " (only the first %d are listed)", MaxErrors)
		}
		fmt.Fprintln(w, ":")
		for _, e := range r.Errors {
			field := ""
			if e.Field != "" {
				field = ", " + e.Field
			}
			fmt.Fprintf(w, "  %s %d%s: %s\n", r.LineLabel, e.Line, field, e.Reason)
		}
		return
	}
	verb := "imported"
	if r.DryRun {
		verb = "validated (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%s: %d %s rows %s in %s", r.Source, r.RowsIn, r.Kind, verb, r.Duration.Round(time.Millisecond))
	if r.ImportID != 0 {
		fmt.Fprintf(w, " (import #%d: %d added, %d replaced)", r.ImportID, r.Added, r.Replaced)
	}
	fmt.Fprintln(w)
}

// File imports an operational file (CSV or GeoJSON by extension; .gz not supported)
// of the named kind. With dryRun, everything is validated and nothing is written.
func (im *Importer) File(ctx context.Context, kindName, path string, dryRun bool) (*Report, error) {
	k, ok := Kinds()[kindName]
	if !ok {
		return nil, fmt.Errorf("unknown import kind %q (want one of %s)", kindName, strings.Join(KindNames(), ", "))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	start := time.Now()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	defer func() {
		im.log.Debug("import done", "kind", kindName, "elapsed", time.Since(start).Round(time.Millisecond))
	}()
	var parsed *Parsed
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		parsed = ParseCSV(f, k, today)
	case ".geojson", ".json":
		parsed = ParseGeoJSON(f, k, today)
	default:
		return nil, fmt.Errorf("%s: unknown file type (want .csv or .geojson)", path)
	}
	im.log.Debug("parsed", "kind", kindName, "rows", len(parsed.Rows), "elapsed", time.Since(start).Round(time.Millisecond))
	rep, err := im.Load(ctx, parsed, path, dryRun)
	if err != nil {
		return nil, err
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// Load checks parsed rows against the database and, when the file has no problem
// at all and this is not a dry run, writes them. Rows that parsed are checked
// against the database even when others did not, so one report lists every problem.
func (im *Importer) Load(ctx context.Context, parsed *Parsed, source string, dryRun bool) (*Report, error) {
	rep := &Report{Kind: parsed.Kind.Name, Source: source, RowsIn: len(parsed.Rows), DryRun: dryRun,
		LineLabel: parsed.LineLabel, Errors: append([]RowError(nil), parsed.Errors...)}
	if len(parsed.Rows) > 0 {
		if err := im.load(ctx, parsed, rep); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(rep.Errors, func(i, j int) bool { return rep.Errors[i].Line < rep.Errors[j].Line })
	return rep, nil
}

// Load stages, checks and (unless dry run) writes parsed rows in one transaction.
func (im *Importer) load(ctx context.Context, p *Parsed, rep *Report) error {
	k := p.Kind
	tx, err := im.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	cols := []string{"line"}
	defs := []string{"line integer PRIMARY KEY"}
	for _, c := range k.columns {
		cols = append(cols, c.name)
		defs = append(defs, c.name+" "+c.typ.pgType())
	}
	if k.point {
		cols = append(cols, "lon", "lat", "h3", "kabupaten_code", "offshore_km")
		defs = append(defs, "lon double precision", "lat double precision", "h3 bigint", "kabupaten_code text", "offshore_km double precision")
	}
	// Column names come from the fixed spec above, never from the input file.
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE stage ("+strings.Join(defs, ", ")+") ON COMMIT DROP"); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	var loc []located
	if k.point {
		if loc, err = im.locateRows(ctx, p, rep); err != nil {
			return err
		}
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= len(p.Rows) {
			return nil, nil
		}
		r := &p.Rows[i]
		i++
		vals := make([]any, 0, len(cols))
		vals = append(vals, int32(r.Line))
		vals = append(vals, r.Values...)
		if k.point {
			if r.Lon != nil {
				l := loc[i-1]
				vals = append(vals, *r.Lon, *r.Lat, l.h3, l.code, l.km)
			} else {
				vals = append(vals, nil, nil, nil, nil, nil)
			}
		}
		return vals, nil
	})
	t := time.Now()
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage"}, cols, src); err != nil {
		return fmt.Errorf("copy rows into staging table: %w", err)
	}
	im.log.Debug("staged", "kind", k.Name, "rows", len(p.Rows), "elapsed", time.Since(t).Round(time.Millisecond))
	if err := im.checkStage(ctx, tx, k, rep); err != nil {
		return err
	}
	if len(rep.Errors) > 0 || rep.DryRun {
		return nil // rolled back by the deferred Rollback
	}
	t = time.Now()
	defer func() { im.log.Debug("written", "kind", k.Name, "elapsed", time.Since(t).Round(time.Millisecond)) }()
	if err := importlog.Lock(ctx, tx); err != nil {
		return err
	}
	report, _ := json.Marshal(map[string]any{"rows": rep.RowsIn})
	if err := tx.QueryRow(ctx, im.q.Get("log_import"), k.Name, rep.Source, rep.RowsIn, report, im.runBy()).Scan(&rep.ImportID); err != nil {
		return fmt.Errorf("import log: %w", err)
	}
	// What the upsert is about to add and replace, so `waspada import undo` can take it back.
	tr := time.Now()
	counts, err := importlog.Record(ctx, tx, rep.ImportID, k.Name)
	if err != nil {
		return err
	}
	im.log.Debug("recorded for undo", "kind", k.Name, "added", counts.Added, "replaced", counts.Replaced, "elapsed", time.Since(tr).Round(time.Millisecond))
	rep.Added, rep.Replaced = counts.Added, counts.Replaced
	if err := tx.QueryRow(ctx, im.q.Get("upsert_"+k.Name)).Scan(&rep.Written); err != nil {
		return fmt.Errorf("write %s: %w", k.Name, err)
	}
	if _, err := tx.Exec(ctx, im.q.Get("log_import_done"), rep.ImportID, rep.Written, rep.Added, rep.Replaced); err != nil {
		return fmt.Errorf("import log: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit %s import: %w", k.Name, err)
	}
	return nil
}

// checkStage runs the database-side checks and appends row errors to rep.
func (im *Importer) checkStage(ctx context.Context, tx pgx.Tx, k *Kind, rep *Report) error {
	check := func(query, field, format string) error {
		rows, err := tx.Query(ctx, im.q.Get(query))
		if err != nil {
			return fmt.Errorf("check %s: %w", query, err)
		}
		defer rows.Close()
		for rows.Next() {
			var line int
			var v any
			if err := rows.Scan(&line, &v); err != nil {
				return err
			}
			rep.Errors = append(rep.Errors, RowError{Line: line, Field: field, Reason: fmt.Sprintf(format, v)})
		}
		return rows.Err()
	}
	exec := func(query string) error {
		t := time.Now()
		if _, err := tx.Exec(ctx, im.q.Get(query)); err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
		im.log.Debug("import step", "step", query, "elapsed", time.Since(t).Round(time.Millisecond))
		return nil
	}
	switch k.Name {
	case "residences":
		if err := check("check_worksite_ref", "worksite_id", "unknown worksite %v (import worksites first)"); err != nil {
			return err
		}
	case "incidents", "desa-binaan":
		if err := check("check_desa_ref", "desa_code", "unknown desa code %v"); err != nil {
			return err
		}
	case "indicators":
		return check("check_kabupaten_ref", "kabupaten_code", "unknown kabupaten code %v")
	case "ports":
		if err := check("check_port_reserved", "id", "%v belongs to the port register"); err != nil {
			return err
		}
	}
	if k.Name == "desa-binaan" {
		return check("check_desa_binaan_point", "lat", "the point is %v km from the village centroid (more than 5 km)")
	}
	if k.Name == "incidents" {
		return exec("incident_from_desa")
	}
	return nil
}

// located is where a row's point lies: its H3 cell and kabupaten.
type located struct {
	h3   int64
	code any // string, or nil when the row has no point
	km   any
}

// locateRows finds every point's kabupaten (containing, else nearest within
// maxOffshoreKm) with the in-memory index, on all cores, and reports points
// outside Indonesia as row errors.
func (im *Importer) locateRows(ctx context.Context, p *Parsed, rep *Report) ([]located, error) {
	ix, err := im.kabIndex(ctx)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	out := make([]located, len(p.Rows))
	far := make([]float64, len(p.Rows))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(p.Rows); i += workers {
				r := &p.Rows[i]
				if r.Lon == nil {
					continue
				}
				code, km := ix.Locate(orb.Point{*r.Lon, *r.Lat}, maxOffshoreKm)
				c := h3.LatLngToCell(h3.LatLng{Lat: *r.Lat, Lng: *r.Lon}, 9)
				out[i] = located{h3: int64(c), code: code, km: math.Round(km*1000) / 1000}
				if code == "" {
					far[i] = km
				}
			}
		}(w)
	}
	wg.Wait()
	for i, km := range far {
		if km == 0 {
			continue
		}
		reason := "the point is not in Indonesia: more than 25 km from any kabupaten"
		if !math.IsInf(km, 1) {
			reason = fmt.Sprintf("the point is not in Indonesia: %.1f km from the nearest kabupaten (more than 25 km)", km)
		}
		rep.Errors = append(rep.Errors, RowError{Line: p.Rows[i].Line, Field: "lat", Reason: reason})
	}
	im.log.Debug("located", "rows", len(p.Rows), "elapsed", time.Since(t).Round(time.Millisecond))
	return out, nil
}
