// Package workflowtest writes a small SYNTHETIC operational world in Bali
// (province 51) for the workflow tools' tests and browser tests: desa binaan
// in Buleleng, worksites, an informal landing point, and residents and hotel
// guests in Denpasar chosen so that the personal-data rules are visible:
// 15 overstaying residents in one H3 res-8 cell (a publishable cluster),
// 3 permits expiring in November 2026 (under 10: withheld from aggregates),
// 5 valid permits, hotel A with 12 guests (2 overstaying), hotel B with 3.
// Dates assume "today" is 15 November 2026.
package workflowtest

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
)

// Kabupaten codes used.
const (
	Denpasar = "51.71"
	Buleleng = "51.08"
)

// OverstayPoint is where the 15 overstaying residents live.
func OverstayPoint() orb.Point { return orb.Point{115.2165, -8.6560} }

// SeedOperational writes the world (reference data must be loaded) and
// returns the desa binaan codes.
func SeedOperational(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	exec := func(q string, args ...any) error {
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
		return nil
	}
	var binaan []string
	// Desa binaan: two villages of Buleleng near the TPPO hot spot.
	if err := tx.QueryRow(ctx, `SELECT array_agg(code) FROM (SELECT code FROM desa WHERE kabupaten_code = $1
		ORDER BY centroid <-> ST_SetSRID(ST_MakePoint(115.30, -8.20), 4326) LIMIT 2) x`, Buleleng).Scan(&binaan); err != nil {
		return nil, err
	}
	for _, c := range binaan {
		if err := exec(`INSERT INTO desa_binaan VALUES ($1, '2024-01-01', 'fixture')`, c); err != nil {
			return nil, err
		}
	}
	// Worksites.
	if err := exec(`INSERT INTO worksite VALUES
		('WS-1', 'Proyek Hotel Sanur', 'PT Contoh Bangun', 'construction', 50, 300, $1, ST_SetSRID(ST_MakePoint(115.262, -8.690), 4326), 0),
		('WS-2', 'Galangan Benoa', NULL, 'fishery', 5, 40, $1, ST_SetSRID(ST_MakePoint(115.210, -8.745), 4326), 0)`, Denpasar); err != nil {
		return nil, err
	}
	if err := exec(`INSERT INTO port (id, name, kind, source, kabupaten_code, geom, h3_r9) VALUES
		('JT-1', 'Pantai Padang Galak', 'informal', 'import', $1, ST_SetSRID(ST_MakePoint(115.268, -8.650), 4326), 0)`, Denpasar); err != nil {
		return nil, err
	}
	// Residents: 15 overstays in one cell, 3 expiring soon, 5 valid; hotel A
	// with 12 guests in house (2 overstaying), hotel B with 3.
	op := OverstayPoint()
	n := 0
	add := func(kind, nat, permit, expiry, hotel string, lon, lat float64) error {
		n++
		id := fmt.Sprintf("RES-%04d", n)
		var hotelName, checkIn any
		if kind == "hotel" {
			hotelName, checkIn = hotel, "2026-11-10"
		}
		if err := exec(`INSERT INTO resident VALUES ($1, $2, $3, $4, '2026-01-01', $5, $6, $7, NULL, '2026-01-02', NULL, $8,
			ST_SetSRID(ST_MakePoint($9, $10), 4326), 0)`, id, nat, permit, expiry, kind, hotelName, checkIn, Denpasar, lon, lat); err != nil {
			return err
		}
		return exec(`INSERT INTO resident_identity VALUES ($1, $2, $3, NULL, NULL)`, id, fmt.Sprintf("Nama Asing %d", n), fmt.Sprintf("P%07d", n))
	}
	for i := range 15 {
		if err := add("residence", "CHN", "ITAS", "2026-10-01", "", op[0]+float64(i%5)*0.0004, op[1]+float64(i/5)*0.0004); err != nil {
			return nil, err
		}
	}
	for i := range 3 {
		if err := add("residence", "AUS", "VOA", "2026-11-30", "", 115.235+float64(i)*0.01, -8.67); err != nil {
			return nil, err
		}
	}
	for i := range 5 {
		if err := add("residence", "JPN", "ITAP", "2028-01-01", "", 115.20+float64(i)*0.005, -8.64); err != nil {
			return nil, err
		}
	}
	for i := range 12 {
		exp := "2027-01-01"
		if i < 2 {
			exp = "2026-11-01"
		}
		if err := add("hotel", "RUS", "VOA", exp, "Hotel Kuta Indah", 115.2200, -8.6800); err != nil {
			return nil, err
		}
	}
	for range 3 {
		if err := add("hotel", "DEU", "VOA", "2027-01-01", "Hotel Sanur Kecil", 115.2600, -8.7000); err != nil {
			return nil, err
		}
	}
	return binaan, tx.Commit(ctx)
}
