package importer

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Row is one parsed, type-checked input row, ready to stage.
type Row struct {
	Line     int
	Values   []any // per Kind column: string, time.Time, int32, float64 or nil
	Lon, Lat *float64
}

// Parsed is the result of parsing a whole file.
type Parsed struct {
	Kind   *Kind
	Rows   []Row
	Errors []RowError
	// LineLabel is "line" for CSV and "feature" for GeoJSON, for reports.
	LineLabel string
}

// MaxErrors bounds the report; parsing goes on counting but stops collecting.
const MaxErrors = 1000

var (
	reID   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	reISO3 = regexp.MustCompile(`^[A-Z]{3}$`)
	reDesa = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$`)
	reKab  = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`)
	reName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

// Indonesia's extent with a margin; a finer check (within 25 km of a kabupaten)
// runs in the database.
const (
	minLat, maxLat = -12.0, 7.0
	minLon, maxLon = 94.0, 142.0
)

// parser holds per-file state: today's date for plausibility checks.
type parser struct {
	kind  *Kind
	today time.Time
	out   *Parsed
	keys  map[string]int
}

func newParser(k *Kind, today time.Time, label string) *parser {
	return &parser{kind: k, today: today, out: &Parsed{Kind: k, LineLabel: label}, keys: map[string]int{}}
}

func (p *parser) fail(line int, field, format string, args ...any) {
	if len(p.out.Errors) < MaxErrors {
		p.out.Errors = append(p.out.Errors, RowError{Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
}

// ParseCSV reads a CSV file of kind k. today bounds plausible dates.
func ParseCSV(r io.Reader, k *Kind, today time.Time) *Parsed {
	p := newParser(k, today, "line")
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			p.fail(1, "", "the file is empty: a header row is required")
		} else {
			p.fail(1, "", "cannot read the header: %v", err)
		}
		return p.out
	}
	idx, ok := p.header(append([]string(nil), head...))
	if !ok {
		return p.out
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					p.fail(pe.StartLine, "", "has %d fields, the header has %d", len(rec), len(head))
					continue
				}
				// Broken quoting desynchronises everything after it: stop here.
				p.fail(pe.StartLine, "", "broken CSV quoting near line %d, column %d: %v (nothing after it was read)", pe.Line, pe.Column, pe.Err)
				return p.out
			}
			p.fail(0, "", "cannot read: %v", err)
			return p.out
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			i, ok := idx[name]
			if !ok {
				return ""
			}
			return rec[i]
		}
		p.row(line, get)
	}
	if len(p.out.Rows) == 0 && len(p.out.Errors) == 0 {
		p.fail(1, "", "the file has a header but no rows")
	}
	return p.out
}

// header maps column names to positions, rejecting unknown, missing and repeated ones.
func (p *parser) header(head []string) (map[string]int, bool) {
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff") // spreadsheet exports add a BOM
	}
	known := map[string]bool{}
	for _, c := range p.kind.columns {
		known[c.name] = true
	}
	if p.kind.point {
		known["lat"], known["lon"] = true, true
	}
	idx := map[string]int{}
	ok := true
	for i, h := range head {
		h = strings.TrimSpace(h)
		if !known[h] {
			p.fail(1, h, "unknown column %q for %s (see data/README.md)", h, p.kind.Name)
			ok = false
		} else if _, dup := idx[h]; dup {
			p.fail(1, h, "column %q appears twice", h)
			ok = false
		} else {
			idx[h] = i
		}
	}
	for _, c := range p.kind.columns {
		if _, has := idx[c.name]; !has && c.required {
			p.fail(1, c.name, "required column %q is missing", c.name)
			ok = false
		}
	}
	if p.kind.pointRequired {
		for _, c := range []string{"lat", "lon"} {
			if _, has := idx[c]; !has {
				p.fail(1, c, "required column %q is missing", c)
				ok = false
			}
		}
	}
	return idx, ok
}

// row parses one record given a field getter ("" for absent or empty).
func (p *parser) row(line int, get func(string) string) {
	k := p.kind
	r := Row{Line: line, Values: make([]any, len(k.columns))}
	bad := false
	for i, c := range k.columns {
		raw := strings.TrimSpace(get(c.name))
		if raw == "" {
			if c.required {
				p.fail(line, c.name, "is required")
				bad = true
			}
			continue
		}
		v, err := p.value(c, raw)
		if err != nil {
			p.fail(line, c.name, "%q %v", clip(raw), err)
			bad = true
			continue
		}
		r.Values[i] = v
	}
	if k.point {
		lat, lon := strings.TrimSpace(get("lat")), strings.TrimSpace(get("lon"))
		switch {
		case lat == "" && lon == "":
			if k.pointRequired {
				p.fail(line, "lat", "lat and lon are required")
				bad = true
			}
		case lat == "" || lon == "":
			p.fail(line, "lat", "lat and lon must be given together")
			bad = true
		default:
			la, err1 := strconv.ParseFloat(lat, 64)
			lo, err2 := strconv.ParseFloat(lon, 64)
			switch {
			case err1 != nil || math.IsNaN(la) || math.IsInf(la, 0):
				p.fail(line, "lat", "%q is not a number", clip(lat))
				bad = true
			case err2 != nil || math.IsNaN(lo) || math.IsInf(lo, 0):
				p.fail(line, "lon", "%q is not a number", clip(lon))
				bad = true
			case la >= minLon && la <= maxLon && lo >= minLat && lo <= maxLat:
				p.fail(line, "lat", "lat %s, lon %s lies outside Indonesia; lat and lon look swapped", lat, lon)
				bad = true
			case la < minLat || la > maxLat || lo < minLon || lo > maxLon:
				p.fail(line, "lat", "lat %s, lon %s lies outside Indonesia", lat, lon)
				bad = true
			default:
				r.Lat, r.Lon = &la, &lo
			}
		}
	}
	// Duplicates are detected even among rows with other problems, so that one
	// report lists everything wrong with the file.
	if key, ok := p.keyOf(&r); ok {
		if first, dup := p.keys[key]; dup {
			p.fail(line, k.key[0], "duplicate %s %q (first at %s %d)", strings.Join(k.key, "+"), key, p.out.LineLabel, first)
			bad = true
		} else {
			p.keys[key] = line
		}
	}
	if bad {
		return
	}
	if k.check != nil {
		if errs := k.check(&r); len(errs) > 0 {
			for _, e := range errs {
				p.fail(e.Line, e.Field, "%s", e.Reason)
			}
			return
		}
	}
	p.out.Rows = append(p.out.Rows, r)
}

func (p *parser) keyOf(r *Row) (string, bool) {
	parts := make([]string, len(p.kind.key))
	for i, name := range p.kind.key {
		switch v := r.Values[p.kind.col(name)].(type) {
		case nil:
			return "", false
		case time.Time:
			parts[i] = v.Format("2006-01-02")
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, "|"), true
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		return string([]rune(s)[:57]) + "..."
	}
	return s
}

func (p *parser) value(c column, raw string) (any, error) {
	switch c.typ {
	case tID:
		if !reID.MatchString(raw) {
			return nil, errors.New("is not a valid id (1-64 of A-Z a-z 0-9 . _ -)")
		}
		return raw, nil
	case tText:
		if !utf8.ValidString(raw) {
			return nil, errors.New("is not valid UTF-8")
		}
		if utf8.RuneCountInString(raw) > 500 {
			return nil, errors.New("is longer than 500 characters")
		}
		if strings.ContainsRune(raw, 0) {
			return nil, errors.New("contains a NUL character")
		}
		return raw, nil
	case tDate:
		d, err := time.Parse("2006-01-02", raw)
		if err != nil {
			return nil, errors.New("is not a date (YYYY-MM-DD)")
		}
		if d.Year() < 1900 || d.After(p.today.AddDate(10, 0, 0)) {
			return nil, errors.New("is not a plausible date (1900 to 10 years from now)")
		}
		return d, nil
	case tMonth:
		d, err := time.Parse("2006-01", raw)
		if err != nil {
			return nil, errors.New("is not a month (YYYY-MM)")
		}
		if d.Year() < 1900 || d.After(p.today.AddDate(10, 0, 0)) {
			return nil, errors.New("is not a plausible month")
		}
		return d, nil
	case tInt:
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil || n < 0 {
			return nil, errors.New("is not a whole number >= 0")
		}
		return int32(n), nil
	case tFloat:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("is not a number")
		}
		return f, nil
	case tEnum:
		for _, e := range c.enum {
			if raw == e {
				return raw, nil
			}
		}
		return nil, fmt.Errorf("is not one of %s", strings.Join(c.enum, ", "))
	case tISO3:
		if !reISO3.MatchString(raw) {
			return nil, errors.New("is not an ISO 3166-1 alpha-3 code (three capital letters)")
		}
		return raw, nil
	case tDesa:
		if !reDesa.MatchString(raw) {
			return nil, errors.New("is not a desa code (like 53.01.05.2003)")
		}
		return raw, nil
	case tKab:
		if !reKab.MatchString(raw) {
			return nil, errors.New("is not a kabupaten code (like 53.01)")
		}
		return raw, nil
	case tName:
		if !reName.MatchString(raw) {
			return nil, errors.New("is not an indicator name (lower-case letters, digits, _)")
		}
		return raw, nil
	}
	return nil, fmt.Errorf("unknown field type %d", c.typ)
}

func checkResidence(r *Row) []RowError {
	k := residenceCols()
	var errs []RowError
	expiry, _ := r.Values[k.expiry].(time.Time)
	arrival, _ := r.Values[k.arrival].(time.Time)
	if expiry.Before(arrival) {
		errs = append(errs, RowError{r.Line, "permit_expiry", "is before arrival_date"})
	}
	if r.Values[k.kind] == "hotel" {
		if r.Values[k.hotel] == nil {
			errs = append(errs, RowError{r.Line, "hotel_name", "is required for a hotel stay"})
		}
		if r.Values[k.checkIn] == nil {
			errs = append(errs, RowError{r.Line, "check_in", "is required for a hotel stay"})
		}
	}
	in, okIn := r.Values[k.checkIn].(time.Time)
	out, okOut := r.Values[k.checkOut].(time.Time)
	if okIn && okOut && out.Before(in) {
		errs = append(errs, RowError{r.Line, "check_out", "is before check_in"})
	}
	return errs
}

type resCols struct{ expiry, arrival, kind, hotel, checkIn, checkOut int }

func residenceCols() resCols {
	// Column positions in the residences spec; kept in step with Kinds() by TestResidenceCols.
	return resCols{expiry: 3, arrival: 4, kind: 5, hotel: 6, checkIn: 7, checkOut: 8}
}

func checkIncident(r *Row) []RowError {
	var errs []RowError
	if r.Values[4] == nil && r.Lat == nil { // desa_code
		errs = append(errs, RowError{r.Line, "desa_code", "an incident needs a desa_code or lat/lon"})
	}
	return errs
}

// ParseGeoJSON reads a FeatureCollection of Point features whose properties are
// the kind's columns. Feature indexes (0-based) stand in for line numbers.
func ParseGeoJSON(r io.Reader, k *Kind, today time.Time) *Parsed {
	p := newParser(k, today, "feature")
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&fc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			p.fail(0, "", "invalid GeoJSON: %v at byte %d", err, se.Offset)
		} else {
			p.fail(0, "", "invalid GeoJSON: %v", err)
		}
		return p.out
	}
	if fc.Type != "FeatureCollection" {
		p.fail(0, "", "invalid GeoJSON: type is %q, want FeatureCollection", fc.Type)
		return p.out
	}
	if len(fc.Features) == 0 {
		p.fail(0, "", "the FeatureCollection has no features")
		return p.out
	}
	known := map[string]bool{}
	for _, c := range k.columns {
		known[c.name] = true
	}
	for i, f := range fc.Features {
		if f.Type != "Feature" {
			p.fail(i, "", "type is %q, want Feature", f.Type)
			continue
		}
		props := map[string]string{}
		bad := false
		for name, raw := range f.Properties {
			if !known[name] {
				p.fail(i, name, "unknown property %q for %s", name, k.Name)
				bad = true
				continue
			}
			s, err := jsonScalar(raw)
			if err != nil {
				p.fail(i, name, "%v", err)
				bad = true
				continue
			}
			props[name] = s
		}
		if f.Geometry != nil {
			if f.Geometry.Type != "Point" {
				p.fail(i, "geometry", "is a %s, want Point", f.Geometry.Type)
				continue
			}
			var xy []float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &xy); err != nil || len(xy) < 2 {
				p.fail(i, "geometry", "Point coordinates must be [lon, lat]")
				continue
			}
			props["lon"] = strconv.FormatFloat(xy[0], 'f', -1, 64)
			props["lat"] = strconv.FormatFloat(xy[1], 'f', -1, 64)
		} else if k.pointRequired {
			p.fail(i, "geometry", "a Point geometry is required")
			continue
		}
		if bad {
			continue
		}
		p.row(i, func(name string) string { return props[name] })
	}
	return p.out
}

// jsonScalar turns a property value into the text the column parser expects.
func jsonScalar(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case bool:
		return "", errors.New("is a boolean, want text or a number")
	default:
		return "", errors.New("is an object or array, want text or a number")
	}
}
