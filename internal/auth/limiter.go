package auth

import (
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Rate is a token-bucket rate: PerSecond tokens refill per second, up to Burst.
// A zero PerSecond means unlimited.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Limiter is a keyed token bucket (GCRA form: one "theoretical arrival time"
// per key, updated with a compare-and-swap). The key map is split into shards
// with read-mostly locks, so the hot path of a known key is one RLock'd map
// read on a shard nobody else is likely writing plus one CAS: cheap enough for
// the warm tile path (tens of thousands of requests per second).
type Limiter struct {
	interval int64 // ns between tokens
	tol      int64 // burst tolerance in ns: interval*(burst-1)
	seed     maphash.Seed
	shards   [limiterShards]limShard
	maxKeys  int // per shard; beyond it stale keys are swept before inserting
}

const limiterShards = 64

type limShard struct {
	mu sync.RWMutex
	m  map[string]*atomic.Int64
	_  [40]byte // keep shards on separate cache lines
}

// NewLimiter returns a limiter for r, or nil (allow everything) for a zero rate.
func NewLimiter(r Rate) *Limiter {
	if r.PerSecond <= 0 {
		return nil
	}
	burst := max(r.Burst, 1)
	iv := int64(math.Max(1, float64(time.Second)/r.PerSecond))
	l := &Limiter{interval: iv, tol: iv * int64(burst-1), seed: maphash.MakeSeed(), maxKeys: 1 << 16}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*atomic.Int64)
	}
	return l
}

// Allow takes one token for key at time now (unix ns). When refused it returns
// how long until a token is available.
func (l *Limiter) Allow(key string, now int64) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	sh := &l.shards[maphash.String(l.seed, key)%limiterShards]
	sh.mu.RLock()
	tat := sh.m[key]
	sh.mu.RUnlock()
	if tat == nil {
		sh.mu.Lock()
		if tat = sh.m[key]; tat == nil {
			if len(sh.m) >= l.maxKeys {
				sweepShard(sh, now)
			}
			tat = new(atomic.Int64)
			sh.m[key] = tat
		}
		sh.mu.Unlock()
	}
	for {
		old := tat.Load()
		t := max(old, now)
		if t-now > l.tol {
			return false, time.Duration(t - now - l.tol)
		}
		if tat.CompareAndSwap(old, t+l.interval) {
			return true, 0
		}
	}
}

// Sweep forgets keys whose bucket is full again (they behave exactly like new
// keys), bounding memory to the keys active within one burst period.
func (l *Limiter) Sweep(now int64) {
	if l == nil {
		return
	}
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		sweepShard(sh, now)
		sh.mu.Unlock()
	}
}

func sweepShard(sh *limShard, now int64) {
	for k, v := range sh.m {
		if v.Load() <= now {
			delete(sh.m, k)
		}
	}
}

// Len is the number of keys tracked (for tests and metrics).
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
