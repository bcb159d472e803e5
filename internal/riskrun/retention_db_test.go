package riskrun_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/store"
)

// Runs are kept as asked (the newest KeepRuns complete ones, this one
// included); the
// grid's hexagons are written by the first compute only, every stored cell
// has one, and later computes reuse the cached grid and neighbour lists.
func TestRetentionHexagonsAndCaches(t *testing.T) {
	pool := demoDB(t)
	e := engine(t, pool)
	ctx := context.Background()
	complete := func() []int64 {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT id FROM risk_run WHERE status = 'complete' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	var ids []int64
	for i, keep := range []int{3, 2, 2, 2, 1} {
		o := quick
		o.KeepRuns = keep
		r, err := e.Compute(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.RunID)
		if i == 0 {
			if r.HexagonsWritten == 0 || r.GridCached {
				t.Errorf("first compute: %d hexagons written, grid cached %v; want hexagons and a fresh grid", r.HexagonsWritten, r.GridCached)
			}
		} else if r.HexagonsWritten != 0 || !r.GridCached {
			t.Errorf("compute %d: %d hexagons written, grid cached %v; want none and the cached grid", i, r.HexagonsWritten, r.GridCached)
		}
		want := ids[max(0, len(ids)-keep):]
		if got := complete(); !slices.Equal(got, want) {
			t.Errorf("compute %d with keep %d: complete runs %v, want %v", i, keep, got, want)
		}
		var tables, orphans int64
		if err := pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^risk_hex_r[0-9]+$'),
			(SELECT count(*) FROM risk_hex c WHERE c.run_id = $1
			   AND NOT EXISTS (SELECT 1 FROM risk_hexagon g WHERE g.res = c.res AND g.h3 = c.h3))`, r.RunID).Scan(&tables, &orphans); err != nil {
			t.Fatal(err)
		}
		if tables != int64(len(want)) || orphans != 0 {
			t.Errorf("compute %d: %d run tables (want %d), %d cells without a hexagon", i, tables, len(want), orphans)
		}
	}
	// Another resolution: its own hexagons are new (loaded and swapped in),
	// its parents' are partly known (only the missing ones are written).
	var before int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM risk_hexagon WHERE res = 6`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	o := quick
	o.Res = 7
	r, err := e.Compute(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	var after, orphans int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM risk_hexagon WHERE res = 6),
		(SELECT count(*) FROM risk_hex c WHERE c.run_id = $1
		   AND NOT EXISTS (SELECT 1 FROM risk_hexagon g WHERE g.res = c.res AND g.h3 = c.h3))`, r.RunID).Scan(&after, &orphans); err != nil {
		t.Fatal(err)
	}
	if r.HexagonsWritten == 0 || orphans != 0 || after < before {
		t.Errorf("res 7 compute: %d hexagons written, %d cells without one, res-6 hexagons %d -> %d", r.HexagonsWritten, orphans, before, after)
	}
	var cached bool
	if err := pool.QueryRow(ctx, `SELECT nbr IS NOT NULL AND hexagons FROM risk_grid WHERE res = 6`).Scan(&cached); err != nil || !cached {
		t.Errorf("risk_grid at res 6 holds neighbour lists and the hexagons flag: %v (%v)", cached, err)
	}
}

// The packed number columns read the same through SQL (risk_cell's real[]
// columns, waspada_f4_unpack) and through Go (store.UnpackFloat32s), bit for
// bit, and SQL packs what Go unpacks, special values included.
func TestPackedArraysAgree(t *testing.T) {
	pool := demoDB(t)
	ctx := context.Background()
	if _, err := engine(t, pool).Compute(ctx, quick); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT factor_values, factor_values_f4, contrib, contrib_f4 FROM risk_cell
		WHERE run_id = (SELECT id FROM risk_latest) ORDER BY h3 LIMIT 300`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var sqlV, sqlC []float32
		var pv, pc []byte
		if err := rows.Scan(&sqlV, &pv, &sqlC, &pc); err != nil {
			t.Fatal(err)
		}
		goV, err1 := store.UnpackFloat32s(pv)
		goC, err2 := store.UnpackFloat32s(pc)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !sameFloat32Bits(sqlV, goV) || !sameFloat32Bits(sqlC, goC) {
			t.Fatalf("cell %d: SQL unpacks %v / %v, Go %v / %v", n, sqlV, sqlC, goV, goC)
		}
		if len(goV) != len(risk.Factors()) {
			t.Fatalf("cell %d: %d factor values, want %d", n, len(goV), len(risk.Factors()))
		}
		n++
	}
	if n == 0 {
		t.Fatal("no cells")
	}
	special := []float32{1.5, -2.5, 0, float32(math.Copysign(0, -1)), math.Float32frombits(1), math.MaxFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), 0.1}
	var packed []byte
	if err := pool.QueryRow(ctx, `SELECT waspada_f4_pack($1::real[])`, special).Scan(&packed); err != nil {
		t.Fatal(err)
	}
	back, err := store.UnpackFloat32s(packed)
	if err != nil || !sameFloat32Bits(back, special) {
		t.Fatalf("SQL packs %v, Go unpacks %v (%v)", special, back, err)
	}
	var unpacked []float32
	if err := pool.QueryRow(ctx, `SELECT waspada_f4_unpack($1)`, packed).Scan(&unpacked); err != nil || !sameFloat32Bits(unpacked, special) {
		t.Fatalf("SQL round trip gives %v, want %v (%v)", unpacked, special, err)
	}
}

func sameFloat32Bits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
