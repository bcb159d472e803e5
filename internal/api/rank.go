package api

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
)

// rankKey names one ranked population: the cells of a kind at a resolution in a run.
type rankKey struct {
	run  int64
	kind string
	res  int16
}

// rankCache keeps the sorted scores of each population it has been asked
// about, so that a cell's national rank is a binary search instead of a count
// over every cell (a full scan: 0.2 s for 394k cells of the demo run, seconds
// at national resolution 8). Only the newest run is kept: runs are immutable
// once complete, and a new run makes the old one's entries useless.
type rankCache struct {
	mu     sync.Mutex
	run    int64
	scores map[rankKey][]float64 // ascending
}

func newRankCache() *rankCache { return &rankCache{scores: map[rankKey][]float64{}} }

// rank returns 1 + the number of cells scoring higher than score, and the
// population size. Loading holds the lock: concurrent first clicks wait for
// one load rather than each scanning the table.
func (rc *rankCache) rank(ctx context.Context, h *handler, k rankKey, score float64) (int64, int64, error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if k.run != rc.run {
		if k.run < rc.run {
			// An older run than cached (a request racing a new run): do not evict the newer one.
			return rc.load(ctx, h, k, score, false)
		}
		rc.run = k.run
		clear(rc.scores)
	}
	return rc.load(ctx, h, k, score, true)
}

func (rc *rankCache) load(ctx context.Context, h *handler, k rankKey, score float64, keep bool) (int64, int64, error) {
	s, ok := rc.scores[k]
	if !ok {
		rows, err := h.pool.Query(ctx, h.q.Get("scores"), k.run, k.kind, k.res)
		if err != nil {
			return 0, 0, fmt.Errorf("scores for ranks: %w", err)
		}
		s, err = pgx.CollectRows(rows, pgx.RowTo[float64])
		if err != nil {
			return 0, 0, fmt.Errorf("scores for ranks: %w", err)
		}
		slices.Sort(s)
		if keep {
			rc.scores[k] = s
		}
	}
	return rankIn(s, score), int64(len(s)), nil
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
