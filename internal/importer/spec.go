package importer

import (
	"fmt"
	"strings"
)

// fieldType says how a column is parsed and how it is staged in PostgreSQL.
type fieldType int

const (
	tID    fieldType = iota // identifier: 1–64 of A-Z a-z 0-9 . _ -
	tText                   // free text, at most 500 characters
	tDate                   // YYYY-MM-DD
	tMonth                  // YYYY-MM, staged as the first day of the month
	tInt                    // non-negative integer
	tFloat                  // finite number
	tEnum                   // one of column.enum
	tISO3                   // ISO 3166-1 alpha-3 country code
	tDesa                   // desa code 11.01.01.2001
	tKab                    // kabupaten code 11.01
	tName                   // indicator name [a-z][a-z0-9_]*
)

func (t fieldType) pgType() string {
	switch t {
	case tDate, tMonth:
		return "date"
	case tInt:
		return "integer"
	case tFloat:
		return "double precision"
	default:
		return "text"
	}
}

type column struct {
	name     string
	typ      fieldType
	required bool
	enum     []string
}

// Kind is one operational import format (see data/README.md).
type Kind struct {
	Name    string // as on the command line
	columns []column
	// point: whether rows carry lat/lon, and whether it is required.
	point, pointRequired bool
	// key: the columns that identify a row (duplicates within a file are errors).
	key []string
	// check: cross-field rules on a parsed row; returns problems.
	check func(r *Row) []RowError
}

// Kinds returns the operational formats by command-line name.
func Kinds() map[string]*Kind {
	ks := []*Kind{
		{
			Name: "residences", point: true, pointRequired: true, key: []string{"id"},
			columns: []column{
				{name: "id", typ: tID, required: true},
				{name: "nationality", typ: tISO3, required: true},
				{name: "permit_type", typ: tEnum, required: true, enum: []string{"ITAS", "ITAP", "VISIT", "VOA", "OTHER"}},
				{name: "permit_expiry", typ: tDate, required: true},
				{name: "arrival_date", typ: tDate, required: true},
				{name: "address_kind", typ: tEnum, required: true, enum: []string{"residence", "hotel"}},
				{name: "hotel_name", typ: tText},
				{name: "check_in", typ: tDate},
				{name: "check_out", typ: tDate},
				{name: "reported_on", typ: tDate, required: true},
				{name: "worksite_id", typ: tID},
				{name: "full_name", typ: tText, required: true},
				{name: "passport_number", typ: tText, required: true},
			},
			check: checkResidence,
		},
		{
			Name: "worksites", point: true, pointRequired: true, key: []string{"id"},
			columns: []column{
				{name: "id", typ: tID, required: true},
				{name: "name", typ: tText, required: true},
				{name: "company", typ: tText},
				{name: "sector", typ: tEnum, required: true, enum: []string{"mining", "smelter", "plantation", "construction", "manufacturing", "energy", "fishery", "tourism", "other"}},
				{name: "foreign_workers", typ: tInt, required: true},
				{name: "local_workers", typ: tInt, required: true},
			},
		},
		{
			Name: "ports", point: true, pointRequired: true, key: []string{"id"},
			columns: []column{
				{name: "id", typ: tID, required: true},
				{name: "name", typ: tText, required: true},
				{name: "kind", typ: tEnum, required: true, enum: []string{"main", "public", "special_terminal", "private_terminal", "informal"}},
				{name: "note", typ: tText},
			},
			check: func(r *Row) []RowError {
				if id, _ := r.Values[0].(string); strings.HasPrefix(strings.ToUpper(id), "REF-") {
					return []RowError{{Line: r.Line, Field: "id", Reason: "ids starting with REF- are reserved for the port register"}}
				}
				return nil
			},
		},
		{
			Name: "desa-binaan", point: true, key: []string{"desa_code"},
			columns: []column{
				{name: "desa_code", typ: tDesa, required: true},
				{name: "established_on", typ: tDate, required: true},
				{name: "note", typ: tText},
			},
		},
		{
			Name: "incidents", point: true, key: []string{"id"},
			columns: []column{
				{name: "id", typ: tID, required: true},
				{name: "kind", typ: tEnum, required: true, enum: []string{"tppo", "pmi", "overstay"}},
				{name: "occurred_on", typ: tDate, required: true},
				{name: "victims", typ: tInt},
				{name: "desa_code", typ: tDesa},
				{name: "note", typ: tText},
			},
			check: checkIncident,
		},
		{
			Name: "indicators", key: []string{"kabupaten_code", "period", "indicator"},
			columns: []column{
				{name: "kabupaten_code", typ: tKab, required: true},
				{name: "period", typ: tMonth, required: true},
				{name: "indicator", typ: tName, required: true},
				{name: "value", typ: tFloat, required: true},
			},
		},
	}
	m := make(map[string]*Kind, len(ks))
	for _, k := range ks {
		m[k.Name] = k
	}
	return m
}

// KindNames lists the formats in documentation order.
func KindNames() []string {
	return []string{"residences", "worksites", "ports", "desa-binaan", "incidents", "indicators"}
}

// col returns the index of a column by name; a wrong name is a programming error.
func (k *Kind) col(name string) int {
	for i, c := range k.columns {
		if c.name == name {
			return i
		}
	}
	panic(fmt.Sprintf("kind %s has no column %s", k.Name, name))
}

// RowError is one problem in one row of an input file.
type RowError struct {
	Line   int    // CSV line number (1 = header) or GeoJSON feature index (0-based)
	Field  string // column, or "" for the whole row
	Reason string
}
