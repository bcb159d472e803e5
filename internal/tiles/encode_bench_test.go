package tiles

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/store"
)

// benchPool is WASPADA_BENCH_DATABASE_URL (a database with a national risk
// run, e.g. after `waspada-load seed-risk`) or the small fixture.
func benchPool(b *testing.B) *pgxpool.Pool {
	if u := os.Getenv("WASPADA_BENCH_DATABASE_URL"); u != "" {
		pool, err := store.Open(context.Background(), u, 4)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		return pool
	}
	return fixtureDB(b, true)
}

// BenchmarkRiskEncoders renders the same risk tiles with ST_AsMVT and with
// orb/encoding/mvt in Go (what the server uses: it measured faster).
func BenchmarkRiskEncoders(b *testing.B) {
	pool := benchPool(b)
	s := newTestServer(b, pool, Config{})
	snap := s.snap.Load()
	if snap.RunID == 0 {
		b.Skip("no risk run")
	}
	// Tiles over Java and Batam at every zoom where the layer has cells.
	var tiles []tilemath.Tile
	for z := uint32(6); z <= 12; z++ {
		tiles = append(tiles, tilemath.TileAt(z, 110.4, -7.0), tilemath.TileAt(z, batamLon, batamLat))
	}
	ctx := context.Background()
	ts := &s.sets[s.byName["risk"]]
	// The same layer encoded by PostGIS: the "risk" query ends in ST_AsMVT.
	sqlSet := *ts
	sqlSet.Layers = []Layer{ts.Layers[0]}
	sqlSet.Layers[0].Query, sqlSet.Layers[0].Encoder = "risk", encPostGIS
	for _, v := range []struct {
		name string
		set  *Tileset
	}{{"postgis-ST_AsMVT", &sqlSet}, {"go-orb", ts}} {
		b.Run(v.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				for _, t := range tiles {
					out, err := s.render.render(ctx, v.set, t, admin, snap)
					if err != nil {
						b.Fatal(err)
					}
					n += len(out)
				}
			}
			b.ReportMetric(float64(n)/float64(b.N)/float64(len(tiles)), "bytes/tile")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N)/float64(len(tiles)), "ms/tile")
		})
	}
}
