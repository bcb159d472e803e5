package auth

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLimiterBurstAndRefill(t *testing.T) {
	l := NewLimiter(Rate{PerSecond: 10, Burst: 5})
	now := time.Unix(1000, 0).UnixNano()
	for i := 0; i < 5; i++ {
		if ok, _ := l.Allow("u", now); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("u", now)
	if ok {
		t.Fatal("request beyond the burst allowed")
	}
	if wait <= 0 || wait > 100*time.Millisecond {
		t.Fatalf("retry-after %v, want within one token interval (100ms)", wait)
	}
	if ok, _ := l.Allow("other", now); !ok {
		t.Fatal("another key shares the bucket")
	}
	// one token per 100 ms
	if ok, _ := l.Allow("u", now+int64(99*time.Millisecond)); ok {
		t.Fatal("token granted before the interval passed")
	}
	if ok, _ := l.Allow("u", now+int64(100*time.Millisecond)); !ok {
		t.Fatal("token not granted after the interval")
	}
	// after a long pause the bucket is full again but not more than full
	later := now + int64(time.Hour)
	n := 0
	for {
		if ok, _ := l.Allow("u", later); !ok {
			break
		}
		n++
	}
	if n != 5 {
		t.Fatalf("after a pause %d requests allowed, want the burst (5)", n)
	}
}

func TestLimiterNilIsUnlimited(t *testing.T) {
	l := NewLimiter(Rate{})
	if l != nil {
		t.Fatal("zero rate should give the nil (unlimited) limiter")
	}
	for i := 0; i < 1000; i++ {
		if ok, _ := l.Allow("x", 0); !ok {
			t.Fatal("nil limiter refused")
		}
	}
}

// Under contention the CAS loop must never admit more than the burst.
func TestLimiterConcurrentExact(t *testing.T) {
	l := NewLimiter(Rate{PerSecond: 1, Burst: 1000})
	now := time.Unix(5000, 0).UnixNano()
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if ok, _ := l.Allow("shared", now); ok {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if got := allowed.Load(); got != 1000 {
		t.Fatalf("%d requests admitted concurrently, want exactly the burst 1000", got)
	}
}

func TestLimiterSweep(t *testing.T) {
	l := NewLimiter(Rate{PerSecond: 100, Burst: 10})
	now := time.Unix(1, 0).UnixNano()
	for i := 0; i < 100; i++ {
		l.Allow("ip"+strconv.Itoa(i), now)
	}
	if l.Len() != 100 {
		t.Fatalf("Len = %d, want 100", l.Len())
	}
	l.Sweep(now + int64(time.Second))
	if l.Len() != 0 {
		t.Fatalf("after sweep Len = %d, want 0 (all buckets full again)", l.Len())
	}
}

// BenchmarkLimiterParallel measures the warm path: many goroutines, a few
// hundred users.
func BenchmarkLimiterParallel(b *testing.B) {
	l := NewLimiter(Rate{PerSecond: 1e9, Burst: 1 << 30})
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = "user" + strconv.Itoa(i)
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			l.Allow(keys[i&255], time.Now().UnixNano())
			i++
		}
	})
}
