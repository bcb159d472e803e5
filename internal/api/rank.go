package api

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rankKey names one ranked population: the cells of a kind at a resolution in a run.
type rankKey struct {
	run  int64
	kind string
	res  int16
}

// rankLoadTimeout bounds one load of a population's scores. A load is not
// tied to the request that started it: under load a 394k-row read can take
// longer than one request's database time-out, and a load cancelled with its
// request would leave nothing cached for the next one, which would start
// again and be cancelled again (measured in `make loadtest`: every cell
// click a 503 after 5 s).
const rankLoadTimeout = 2 * time.Minute

// rankEntry is one population's scores, loaded once; done closes when the
// load ends, successfully or not.
type rankEntry struct {
	done   chan struct{}
	scores []float64 // ascending
	err    error
}

// rankCache keeps the sorted scores of each population it has been asked
// about, so that a cell's national rank is a binary search instead of a count
// over every cell (a full scan: 0.2 s for 394k cells of the demo run, seconds
// at national resolution 8). Only the newest run is kept: runs are immutable
// once complete, and a new run makes the old one's entries useless.
// Concurrent first clicks share one load; each waits only as long as its own
// request may.
type rankCache struct {
	load func(ctx context.Context, k rankKey) ([]float64, error)
	sem  chan struct{} // one load at a time: a new run's six loads must not take the whole pool

	mu      sync.Mutex
	run     int64
	entries map[rankKey]*rankEntry
}

func newRankCache(load func(ctx context.Context, k rankKey) ([]float64, error)) *rankCache {
	return &rankCache{load: load, sem: make(chan struct{}, 1), entries: map[rankKey]*rankEntry{}}
}

// loadScores reads a population's scores from the database.
func loadScores(pool *pgxpool.Pool, query string) func(ctx context.Context, k rankKey) ([]float64, error) {
	return func(ctx context.Context, k rankKey) ([]float64, error) {
		rows, err := pool.Query(ctx, query, k.run, k.kind, k.res)
		if err != nil {
			return nil, fmt.Errorf("scores for ranks: %w", err)
		}
		s, err := pgx.CollectRows(rows, pgx.RowTo[float64])
		if err != nil {
			return nil, fmt.Errorf("scores for ranks: %w", err)
		}
		return s, nil
	}
}

// rank returns 1 + the number of cells scoring higher than score, and the
// population size.
func (rc *rankCache) rank(ctx context.Context, k rankKey, score float64) (int64, int64, error) {
	e := rc.entry(k)
	select {
	case <-e.done:
	case <-ctx.Done():
		return 0, 0, fmt.Errorf("national rank: %w", ctx.Err())
	}
	if e.err != nil {
		return 0, 0, e.err
	}
	return rankIn(e.scores, score), int64(len(e.scores)), nil
}

// sorted returns a population's scores, ascending (shared: do not modify).
func (rc *rankCache) sorted(ctx context.Context, k rankKey) ([]float64, error) {
	e := rc.entry(k)
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("scores: %w", ctx.Err())
	}
	return e.scores, e.err
}

// warm starts loading every population of a run (both kinds, resolutions 5
// up to the run's), so that the first clicks after a start or a new run find
// the ranks ready instead of waiting for a 394k-row read.
func (rc *rankCache) warm(run int64, res int) {
	for r := 5; r <= res; r++ {
		for _, kind := range []string{"tppo", "pmi"} {
			rc.entry(rankKey{run: run, kind: kind, res: int16(r)})
		}
	}
}

// seeRun warms a run the cache has not met yet (a compute finished while the
// server runs).
func (rc *rankCache) seeRun(run int64, res int) {
	rc.mu.Lock()
	newer := run > rc.run
	rc.mu.Unlock()
	if newer {
		rc.warm(run, res)
	}
}

// entry returns the population's entry, starting its load if nobody has.
func (rc *rankCache) entry(k rankKey) *rankEntry {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	keep := true
	switch {
	case k.run > rc.run:
		rc.run = k.run
		clear(rc.entries)
	case k.run < rc.run:
		// An older run than cached (a request racing a new run): load it for
		// this request without evicting the newer run's entries.
		keep = false
	}
	if e, ok := rc.entries[k]; ok && keep {
		return e
	}
	e := &rankEntry{done: make(chan struct{})}
	if keep {
		rc.entries[k] = e
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), rankLoadTimeout)
		defer cancel()
		rc.sem <- struct{}{}
		s, err := rc.load(ctx, k)
		<-rc.sem
		slices.Sort(s)
		e.scores, e.err = s, err
		if err != nil {
			// Forget a failed load so that a later click tries again.
			rc.mu.Lock()
			if rc.entries[k] == e {
				delete(rc.entries, k)
			}
			rc.mu.Unlock()
		}
		close(e.done)
	}()
	return e
}

// rankIn is 1 + the number of values in ascending s greater than v.
func rankIn(s []float64, v float64) int64 {
	i, found := slices.BinarySearch(s, v)
	if found {
		for i < len(s) && s[i] == v {
			i++
		}
	}
	return int64(len(s)-i) + 1
}
