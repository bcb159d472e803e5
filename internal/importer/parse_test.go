package importer

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

const resHeader = "id,nationality,permit_type,permit_expiry,arrival_date,address_kind,hotel_name,check_in,check_out,reported_on,worksite_id,full_name,passport_number,lat,lon\n"

func TestParseCSVRows(t *testing.T) {
	tests := []struct {
		name      string
		kind      string
		csv       string
		rows      int
		wantError string // substring of the first error, "" for none
		wantLine  int
	}{
		{"good residence", "residences", resHeader + "R1,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,-2.83,122.15\n", 1, "", 0},
		{"BOM in header", "residences", "\ufeff" + resHeader + "R1,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,-2.83,122.15\n", 1, "", 0},
		{"columns in any order", "indicators", "value,indicator,period,kabupaten_code\n1.5,poverty_rate,2026-01,53.01\n", 1, "", 0},
		{"impossible date", "residences", resHeader + "R1,CHN,ITAS,2027-02-30,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,-2.83,122.15\n", 0, "not a date", 2},
		{"implausible date", "residences", resHeader + "R1,CHN,ITAS,2099-01-01,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,-2.83,122.15\n", 0, "plausible", 2},
		{"swapped", "residences", resHeader + "R1,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,122.15,-2.83\n", 0, "swapped", 2},
		{"outside", "residences", resHeader + "R1,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,48.85,2.35\n", 0, "outside Indonesia", 2},
		{"lat without lon", "incidents", "id,kind,occurred_on,lat,lon\nI1,pmi,2026-01-01,-2.8,\n", 0, "together", 2},
		{"incident without place", "incidents", "id,kind,occurred_on\nI1,pmi,2026-01-01\n", 0, "desa_code or lat/lon", 2},
		{"unknown enum", "worksites", "id,name,sector,foreign_workers,local_workers,lat,lon\nW1,x,farming,1,2,-2.8,122.1\n", 0, "not one of", 2},
		{"negative int", "worksites", "id,name,sector,foreign_workers,local_workers,lat,lon\nW1,x,mining,-1,2,-2.8,122.1\n", 0, ">= 0", 2},
		{"bad id", "worksites", "id,name,sector,foreign_workers,local_workers,lat,lon\nW 1;drop,x,mining,1,2,-2.8,122.1\n", 0, "valid id", 2},
		{"duplicate key", "indicators", "kabupaten_code,period,indicator,value\n53.01,2026-01,p,1\n53.01,2026-01,p,2\n", 1, "duplicate", 3},
		{"missing column", "worksites", "id,name,sector,foreign_workers,lat,lon\nW1,x,mining,1,-2.8,122.1\n", 0, "local_workers", 1},
		{"unknown column", "indicators", "kabupaten_code,period,indicator,value,x\n53.01,2026-01,p,1,2\n", 0, "unknown column", 1},
		{"repeated column", "indicators", "kabupaten_code,period,indicator,value,value\n53.01,2026-01,p,1,2\n", 0, "twice", 1},
		{"field count", "indicators", "kabupaten_code,period,indicator,value\n53.01,2026-01,p\n", 0, "fields", 2},
		{"broken quoting", "indicators", "kabupaten_code,period,indicator,value\n\"53.01,2026-01,p,1\n53.02,2026-01,p,1\n", 0, "quoting", 2},
		{"empty file", "indicators", "", 0, "empty", 1},
		{"header only", "indicators", "kabupaten_code,period,indicator,value\n", 0, "no rows", 1},
		{"hotel without check-in", "residences", resHeader + "R1,AUS,VOA,2026-04-14,2026-03-15,hotel,Hotel X,,,2026-03-15,,J D,P1,-8.5,119.8\n", 0, "required for a hotel stay", 2},
		{"check-out before check-in", "residences", resHeader + "R1,AUS,VOA,2026-04-14,2026-03-15,hotel,Hotel X,2026-03-15,2026-03-10,2026-03-15,,J D,P1,-8.5,119.8\n", 0, "before check_in", 2},
		{"reserved port id", "ports", "id,name,kind,lat,lon\nREF-1,x,informal,-6.9,112.5\n", 0, "reserved", 2},
	}
	kinds := Kinds()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ParseCSV(strings.NewReader(tc.csv), kinds[tc.kind], today)
			if len(p.Rows) != tc.rows {
				t.Errorf("rows = %d, want %d (errors %v)", len(p.Rows), tc.rows, p.Errors)
			}
			if tc.wantError == "" {
				if len(p.Errors) > 0 {
					t.Fatalf("unexpected errors: %v", p.Errors)
				}
				return
			}
			if len(p.Errors) == 0 {
				t.Fatalf("no error, want %q", tc.wantError)
			}
			e := p.Errors[0]
			if !strings.Contains(e.Reason, tc.wantError) || e.Line != tc.wantLine {
				t.Errorf("first error = line %d %s: %s; want line %d containing %q", e.Line, e.Field, e.Reason, tc.wantLine, tc.wantError)
			}
		})
	}
}

func TestParseGeoJSON(t *testing.T) {
	k := Kinds()["worksites"]
	tests := []struct {
		name, doc, wantError string
		rows                 int
	}{
		{"good", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[122.15,-2.83]},"properties":{"id":"W1","name":"x","sector":"mining","foreign_workers":12,"local_workers":2,"company":null}}]}`, "", 1},
		{"syntax", `{"type":"FeatureCollection","features":[`, "invalid GeoJSON", 0},
		{"not a collection", `{"type":"Feature"}`, "FeatureCollection", 0},
		{"polygon", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"properties":{"id":"W1"}}]}`, "want Point", 0},
		{"missing geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"id":"W1","name":"x","sector":"mining","foreign_workers":1,"local_workers":2}}]}`, "required", 0},
		{"object property", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[122.15,-2.83]},"properties":{"id":{"a":1},"name":"x","sector":"mining","foreign_workers":1,"local_workers":2}}]}`, "object", 0},
		{"unknown property", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[122.15,-2.83]},"properties":{"id":"W1","lat":3}}]}`, "unknown property", 0},
		{"fractional count", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[122.15,-2.83]},"properties":{"id":"W1","name":"x","sector":"mining","foreign_workers":1.5,"local_workers":2}}]}`, "whole number", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ParseGeoJSON(strings.NewReader(tc.doc), k, today)
			if len(p.Rows) != tc.rows {
				t.Errorf("rows = %d, want %d (errors %v)", len(p.Rows), tc.rows, p.Errors)
			}
			if tc.wantError == "" && len(p.Errors) > 0 {
				t.Fatalf("unexpected errors: %v", p.Errors)
			}
			if tc.wantError != "" && (len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Reason, tc.wantError)) {
				t.Fatalf("errors %v, want one containing %q", p.Errors, tc.wantError)
			}
		})
	}
}

// TestResidenceCols keeps the positions used by checkResidence in step with the spec.
func TestResidenceCols(t *testing.T) {
	k := Kinds()["residences"]
	c := residenceCols()
	for name, i := range map[string]int{"permit_expiry": c.expiry, "arrival_date": c.arrival, "address_kind": c.kind,
		"hotel_name": c.hotel, "check_in": c.checkIn, "check_out": c.checkOut} {
		if k.col(name) != i {
			t.Errorf("%s at %d, residenceCols says %d", name, k.col(name), i)
		}
	}
	if Kinds()["incidents"].col("desa_code") != 4 {
		t.Error("checkIncident assumes desa_code is column 4")
	}
}

func BenchmarkParseCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(resHeader)
	for i := 0; i < 100000; i++ {
		sb.WriteString("R")
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(",CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E1,-2.83,122.15\n")
	}
	doc := sb.String()
	k := Kinds()["residences"]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := ParseCSV(strings.NewReader(doc), k, today)
		if len(p.Errors) > 0 {
			b.Fatal(p.Errors[0])
		}
	}
	b.ReportMetric(float64(b.N*100000)/b.Elapsed().Seconds(), "rows/s")
}
