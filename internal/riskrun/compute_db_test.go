package riskrun_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/riskrun"
	"github.com/waspada-id/waspada/internal/testdb"
	"github.com/waspada-id/waspada/internal/testdb/scenario"
)

// demoDB is a database with the reference data and the demo scenario (seed 42)
// imported, cloned from a template built once per test cluster.
func demoDB(t *testing.T) *pgxpool.Pool { return scenario.DB(t, "demo", 42) }

func engine(t testing.TB, pool *pgxpool.Pool) *riskrun.Engine {
	t.Helper()
	e, err := riskrun.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A quick run: resolution 6 and three rollup periods keep each compute to a
// few seconds while exercising every stage of the real one.
var quick = riskrun.Options{Res: 6, Periods: 3}

// snapshot is what a tile or API reader sees of the latest run in one statement.
type snapshot struct {
	run                     int64
	cells, rollups, factors int64
	status                  string
}

const readLatest = `
SELECT l.id, l.status,
       (SELECT count(*) FROM risk_hex c WHERE c.run_id = l.id),
       (SELECT count(*) FROM risk_rollup r WHERE r.run_id = l.id),
       (SELECT count(*) FROM risk_factor f WHERE f.run_id = l.id)
FROM risk_latest l`

func read(ctx context.Context, pool *pgxpool.Pool) (snapshot, error) {
	var s snapshot
	err := pool.QueryRow(ctx, readLatest).Scan(&s.run, &s.status, &s.cells, &s.rollups, &s.factors)
	return s, err
}

// TestReaderNeverSeesTornRun reads the latest run over and over while a new run
// is computed and written, and checks that every read sees one whole run: its
// cell, rollup and factor counts are exactly those of the finished run, never
// a part of them.
func TestReaderNeverSeesTornRun(t *testing.T) {
	pool := demoDB(t)
	ctx := context.Background()
	e := engine(t, pool)
	first, err := e.Compute(ctx, quick)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]snapshot{}
	s, err := read(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if s.run != first.RunID || s.cells != int64(first.Rows) || s.cells == 0 || s.rollups == 0 || s.factors == 0 {
		t.Fatalf("after the first run: %+v, want run %d with %d cells", s, first.RunID, first.Rows)
	}
	want[s.run] = s

	var (
		mu    sync.Mutex
		seen  = map[int64]int{}
		torn  []snapshot
		reads atomic.Int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, err := read(ctx, pool)
				if err != nil {
					t.Error(err)
					return
				}
				reads.Add(1)
				mu.Lock()
				seen[s.run]++
				if w, ok := want[s.run]; s.status != "complete" || (ok && s != w) || (!ok && (s.cells == 0 || s.rollups == 0)) {
					torn = append(torn, s)
				}
				mu.Unlock()
			}
		}()
	}
	second, err := e.Compute(ctx, quick)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	final, err := read(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if final.run != second.RunID || final.cells != int64(second.Rows) {
		t.Fatalf("after the second run: %+v, want run %d with %d cells", final, second.RunID, second.Rows)
	}
	// Reads that saw the second run before the compute returned must match it exactly.
	for _, s := range torn {
		if s != final {
			t.Errorf("a reader saw a partial run: %+v (the complete run %d has %+v)", s, final.run, final)
		}
	}
	t.Logf("%d reads during the compute: %v (run → reads); runs: %d then %d, %d cell rows each",
		reads.Load(), seen, first.RunID, second.RunID, second.Rows)
	if seen[first.RunID] == 0 {
		t.Error("no read saw the previous run during the compute: the test did not overlap the compute")
	}
}

// TestRollupsAddUp recomputes the stored kabupaten and province rollups from
// the stored cells in SQL and checks the ranks.
func TestRollupsAddUp(t *testing.T) {
	pool := demoDB(t)
	ctx := context.Background()
	res, err := engine(t, pool).Compute(ctx, quick)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name  string
		query string
	}{
		{"kabupaten mean, max and cell count from the run's cells", `
			WITH c AS (
			    SELECT kind, kabupaten_code, avg(score) AS mean, max(score) AS mx, count(*) AS n
			    FROM risk_cell WHERE run_id = $1 AND res = $2 GROUP BY 1, 2)
			SELECT count(*) FROM risk_rollup r JOIN c ON c.kind = r.kind AND c.kabupaten_code = r.code
			WHERE r.run_id = $1 AND r.level = 'kabupaten' AND r.period = $3
			  AND (abs(r.mean_score - c.mean) > 1e-9 * greatest(1, c.mean) OR abs(r.max_score - c.mx) > 1e-9 * greatest(1, c.mx) OR r.cells <> c.n)`},
		{"kabupaten rollups without cells, or cells without a rollup", `
			SELECT count(*) FROM (
			    SELECT DISTINCT kind, kabupaten_code FROM risk_cell WHERE run_id = $1 AND res = $2
			    EXCEPT SELECT kind, code FROM risk_rollup WHERE run_id = $1 AND level = 'kabupaten' AND period = $3 AND $2 >= 0) x`},
		{"weighted score between the area's min and max", `
			SELECT count(*) FROM risk_rollup r
			WHERE r.run_id = $1 AND r.period = $3 AND $2 >= 0
			  AND (r.weighted_score > r.max_score * (1 + 1e-9) OR r.weighted_score < (SELECT min(score) FROM risk_cell c
			       WHERE c.run_id = $1 AND c.res = $2 AND c.kind = r.kind
			         AND (CASE WHEN r.level = 'kabupaten' THEN c.kabupaten_code = r.code ELSE left(c.kabupaten_code, 2) = r.code END)) * (1 - 1e-9))`},
		{"weighted score within 1% of an area-weighted mean from cell polygons", `
			WITH c AS (
			    SELECT kind, kabupaten_code, sum(score * ST_Area(geom::geography)) / sum(ST_Area(geom::geography)) AS w
			    FROM risk_cell WHERE run_id = $1 AND res = $2 GROUP BY 1, 2)
			SELECT count(*) FROM risk_rollup r JOIN c ON c.kind = r.kind AND c.kabupaten_code = r.code
			WHERE r.run_id = $1 AND r.level = 'kabupaten' AND r.period = $3 AND abs(r.weighted_score / c.w - 1) > 0.01`},
		{"province cells and mean are those of its kabupaten", `
			WITH k AS (
			    SELECT kind, left(code, 2) AS prov, sum(cells) AS n, sum(mean_score * cells) / sum(cells) AS mean, max(max_score) AS mx
			    FROM risk_rollup WHERE run_id = $1 AND level = 'kabupaten' AND period = $3 AND $2 >= 0 GROUP BY 1, 2)
			SELECT count(*) FROM risk_rollup p JOIN k ON k.kind = p.kind AND k.prov = p.code
			WHERE p.run_id = $1 AND p.level = 'provinsi' AND p.period = $3
			  AND (p.cells <> k.n OR abs(p.mean_score - k.mean) > 1e-9 * greatest(1, k.mean) OR abs(p.max_score - k.mx) > 1e-9 * greatest(1, k.mx))`},
		// Tied scores share a rank (two kabupaten whose cells all sit at the
		// same score, no point factor near and equal indicators); the lag
		// orders ties by code, as row_number does, so a tie is recognised
		// whatever order the window puts equal ranks in.
		{"national ranks are 1..n by weighted score, every period", `
			SELECT count(*) FROM (
			    SELECT rank_national, row_number() OVER (PARTITION BY kind, level, period ORDER BY weighted_score DESC, code) AS rn,
			           lag(weighted_score) OVER (PARTITION BY kind, level, period ORDER BY rank_national, code) AS prev_w, weighted_score
			    FROM risk_rollup WHERE run_id = $1 AND $2 >= 0 AND $3::date IS NOT NULL) x
			WHERE rank_national <> rn AND prev_w IS DISTINCT FROM weighted_score`},
		{"province ranks are 1..n within each province", `
			SELECT count(*) FROM (
			    SELECT rank_province, row_number() OVER (PARTITION BY kind, period, left(code, 2) ORDER BY rank_province) AS rn
			    FROM risk_rollup WHERE run_id = $1 AND level = 'kabupaten' AND $2 >= 0 AND $3::date IS NOT NULL) x
			WHERE rank_province IS DISTINCT FROM rn`},
		{"change is weighted over the previous period's weighted", `
			SELECT count(*) FROM risk_rollup r
			JOIN risk_rollup p ON p.run_id = r.run_id AND p.kind = r.kind AND p.level = r.level AND p.code = r.code
			                  AND p.period = (r.period - interval '1 month')::date
			WHERE r.run_id = $1 AND $2 >= 0 AND $3::date IS NOT NULL
			  AND (abs(r.prev_weighted - p.weighted_score) > 1e-9 * greatest(1, p.weighted_score)
			       OR abs(r.change - (r.weighted_score / r.prev_weighted - 1)) > 1e-9)`},
	}
	// The run's cell table carries statistics when readers first see it
	// (reltuples is -1 until a table is analyzed): without them tiles right
	// after a compute are planned blind.
	var reltuples float64
	if err := pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = format('risk_hex_r%s', $1::bigint)::regclass`, res.RunID).Scan(&reltuples); err != nil {
		t.Fatal(err)
	}
	if reltuples < float64(res.Rows)/2 {
		t.Errorf("the run's cell table has reltuples %.0f for %d rows: not analyzed before it was attached", reltuples, res.Rows)
	}
	var rollups int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM risk_rollup WHERE run_id = $1 AND level = 'kabupaten' AND period = $2`,
		res.RunID, res.Period).Scan(&rollups); err != nil {
		t.Fatal(err)
	}
	if rollups < 2*500 {
		t.Fatalf("%d kabupaten rollups for the period, want both kinds for 500+ kabupaten", rollups)
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			var bad int64
			if err := pool.QueryRow(ctx, c.query, res.RunID, res.Res, res.Period).Scan(&bad); err != nil {
				t.Fatal(err)
			}
			if bad != 0 {
				t.Errorf("%d rows disagree", bad)
			}
		})
	}
	// Scores are relative risks: positive and finite.
	var badScore int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM risk_cell WHERE run_id = $1 AND NOT (score > 0 AND score < 'Infinity')`, res.RunID).Scan(&badScore); err != nil {
		t.Fatal(err)
	}
	if badScore != 0 {
		t.Errorf("%d cells with a score that is not a positive finite number", badScore)
	}
}

// TestComputeSurvivesSIGKILL kills `waspada risk compute` while it writes the
// run's cells and shows readers still on the previous run, no session or lock
// left behind, and a re-run completing (it reports the dead run, marks it
// failed and drops its table).
func TestComputeSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds the binary and computes three runs")
	}
	pool := demoDB(t)
	ctx := context.Background()
	first, err := engine(t, pool).Compute(ctx, quick)
	if err != nil {
		t.Fatal(err)
	}
	before, err := read(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "waspada")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/waspada-id/waspada/cmd/waspada").CombinedOutput(); err != nil {
		t.Fatalf("build waspada: %v\n%s", err, out)
	}
	env := append(os.Environ(), "DATABASE_URL="+testdb.URL(t, pool))
	cmd := exec.Command(bin, "risk", "compute", "--res", "6")
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it while it copies the run's cells into the run's table.
	deadline := time.Now().Add(90 * time.Second)
	for {
		var copying bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE 'copy%risk_hex_r%')`).Scan(&copying); err != nil {
			t.Fatal(err)
		}
		if copying {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the compute never reached its COPY")
		}
		if cmd.ProcessState != nil {
			t.Fatal("the compute ended before it could be killed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var killedRun int64
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM risk_run`).Scan(&killedRun); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if killedRun == first.RunID {
		t.Fatal("the killed compute had not created its run yet")
	}

	// PostgreSQL notices the dead client and rolls its transaction back.
	var sessions, locks int64
	for i := 0; i < 100; i++ {
		if err := pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
			   AND application_name = 'waspada' AND backend_type = 'client backend' AND state <> 'idle'),
			(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`).Scan(&sessions, &locks); err != nil {
			t.Fatal(err)
		}
		if sessions == 0 && locks == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if sessions != 0 || locks != 0 {
		t.Fatalf("after SIGKILL: %d busy sessions and %d advisory locks left", sessions, locks)
	}
	after, err := read(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("readers see %+v after the kill, want the previous run %+v", after, before)
	}
	var visible int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM risk_cell WHERE run_id = $1`, killedRun).Scan(&visible); err != nil {
		t.Fatal(err)
	}
	if visible != 0 {
		t.Fatalf("%d cells of the killed run are visible in risk_cell", visible)
	}

	// A re-run completes, marks the dead run failed and drops its table.
	rerun := exec.Command(bin, "risk", "compute", "--res", "6")
	rerun.Env = env
	out, err := rerun.CombinedOutput()
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "interrupted") {
		t.Errorf("the re-run did not report the interrupted run %d:\n%s", killedRun, out)
	}
	// The dead run is marked failed and then pruned with the other old runs:
	// neither a 'running' row nor its cell table may remain.
	var running int64
	var table *string
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM risk_run WHERE status = 'running'), to_regclass(format('risk_hex_r%s', $1::bigint))::text`,
		killedRun).Scan(&running, &table); err != nil {
		t.Fatal(err)
	}
	if running != 0 || table != nil {
		t.Errorf("after the re-run: %d runs still 'running', the killed run's table %v", running, table)
	}
	final, err := read(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if final.run <= killedRun || final.cells == 0 {
		t.Errorf("after the re-run readers see %+v, want a run after %d", final, killedRun)
	}
}
