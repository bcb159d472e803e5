package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/refdata"
	"github.com/waspada-id/waspada/internal/testdb"
)

// writeResidences writes n valid residence rows placed at real village centroids
// that lie inside a kabupaten (a few published centroids are far offshore).
func writeResidences(b testing.TB, pool *pgxpool.Pool, path string, n int) {
	b.Helper()
	rows, err := pool.Query(context.Background(), `SELECT ST_X(centroid), ST_Y(centroid) FROM desa d
		WHERE EXISTS (SELECT 1 FROM kabupaten_part p WHERE ST_Intersects(p.geom, d.centroid)) ORDER BY code`)
	if err != nil {
		b.Fatal(err)
	}
	var vs []refdata.Village
	for rows.Next() {
		var v refdata.Village
		if err := rows.Scan(&v.Point[0], &v.Point[1]); err != nil {
			b.Fatal(err)
		}
		vs = append(vs, v)
	}
	if rows.Err() != nil || len(vs) < 80000 {
		b.Fatalf("villages on land: %d, %v", len(vs), rows.Err())
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "id,nationality,permit_type,permit_expiry,arrival_date,address_kind,hotel_name,check_in,check_out,reported_on,worksite_id,full_name,passport_number,lat,lon")
	rng := rand.New(rand.NewPCG(1, 2))
	nat := []string{"CHN", "MYS", "AUS", "USA", "KOR", "JPN", "IND", "SGP"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		v := vs[rng.IntN(len(vs))]
		arr := base.AddDate(0, 0, rng.IntN(600))
		exp := arr.AddDate(0, 0, 30+rng.IntN(700))
		fmt.Fprintf(w, "R%07d,%s,ITAS,%s,%s,residence,,,,%s,,Name %d,P%08d,%.6f,%.6f\n", i, nat[rng.IntN(len(nat))],
			exp.Format("2006-01-02"), arr.Format("2006-01-02"), arr.AddDate(0, 0, 2).Format("2006-01-02"), i, i, v.Point[1], v.Point[0])
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// BenchmarkImportResidences1M imports 1,000,000 residence rows (parse, COPY,
// locate every point in its kabupaten, upsert) and reports rows per second.
func BenchmarkImportResidences1M(b *testing.B) {
	const n = 1_000_000
	path := filepath.Join(b.TempDir(), "residences.csv")
	writeResidences(b, testdb.Reference(b), path, n)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		pool := testdb.Reference(b)
		im := newImporter(b, pool)
		b.StartTimer()
		start := time.Now()
		rep, err := im.File(context.Background(), "residences", path, false)
		if err != nil || !rep.OK() {
			b.Fatalf("import: %v %+v", err, rep)
		}
		el := time.Since(start)
		b.ReportMetric(float64(n)/el.Seconds(), "rows/s")
		b.ReportMetric(el.Seconds(), "s/import")
	}
}
