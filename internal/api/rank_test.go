package api

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRankIn(t *testing.T) {
	s := []float64{0.5, 1, 1, 2, 3}
	cases := []struct {
		v    float64
		want int64
	}{{3, 1}, {2, 2}, {1, 3}, {0.5, 5}, {10, 1}, {0.1, 6}, {1.5, 3}}
	for _, c := range cases {
		if got := rankIn(s, c.v); got != c.want {
			t.Errorf("rankIn(%v) = %d, want %d", c.v, got, c.want)
		}
	}
	if got := rankIn(nil, 1); got != 1 {
		t.Errorf("empty: %d", got)
	}
}

// TestRankCacheSharesOneLoad: concurrent first clicks share one load, a click
// that gives up does not cancel it, a failed load is retried, and a new run
// replaces the old run's entries.
func TestRankCacheSharesOneLoad(t *testing.T) {
	var loads atomic.Int32
	release := make(chan struct{})
	fail := atomic.Bool{}
	rc := newRankCache(func(ctx context.Context, k rankKey) ([]float64, error) {
		loads.Add(1)
		<-release
		if fail.Load() {
			return nil, errors.New("database gone")
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return []float64{3, 1, 2, float64(k.run)}, nil
	})
	k := rankKey{run: 1, kind: "tppo", res: 7}

	// A click whose request times out while the load runs.
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := rc.rank(short, k, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("impatient click: err %v, want deadline exceeded", err)
	}
	// Ten more clicks wait for the same load.
	var wg sync.WaitGroup
	ranks := make([]int64, 10)
	for i := range ranks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, n, err := rc.rank(context.Background(), k, 2)
			if err != nil || n != 4 {
				t.Errorf("click %d: rank %d of %d, err %v", i, r, n, err)
			}
			ranks[i] = r
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if got := loads.Load(); got != 1 {
		t.Errorf("%d loads for 11 concurrent clicks, want 1", got)
	}
	// Scores {3, 1, 2, 1} (the run id is the last): one score above 2.
	for i, r := range ranks {
		if r != 2 {
			t.Errorf("click %d: rank of 2 = %d, want 2", i, r)
		}
	}

	// A failed load is not cached: the next click loads again.
	fail.Store(true)
	k2 := rankKey{run: 1, kind: "pmi", res: 7}
	if _, _, err := rc.rank(context.Background(), k2, 1); err == nil {
		t.Fatal("failed load: no error")
	}
	fail.Store(false)
	if _, n, err := rc.rank(context.Background(), k2, 1); err != nil || n != 4 {
		t.Fatalf("after a failed load: n %d err %v", n, err)
	}
	if got := loads.Load(); got != 3 {
		t.Errorf("%d loads, want 3 (one, the failure, the retry)", got)
	}
	// A new run: its own load; the old run's entry is gone.
	if _, n, err := rc.rank(context.Background(), rankKey{run: 2, kind: "tppo", res: 7}, 1); err != nil || n != 4 {
		t.Fatalf("run 2: n %d err %v", n, err)
	}
	if _, ok := rc.entries[k]; ok {
		t.Error("run 1's entry survived run 2")
	}
}
