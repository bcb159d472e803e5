package tiles

import (
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/access"
)

func mkEntry(t *testing.T, x uint32, size int) *entry {
	t.Helper()
	e, err := newEntry(cacheKey{gen: 1, z: 10, x: x, y: 7, class: "admin"}, make([]byte, size))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCacheBudgetAndLRU(t *testing.T) {
	c := newCache(cacheShards*10_000, 0) // 10 kB per shard
	// Keys in one shard: same x, y, z and class length, different gen.
	key := func(gen uint64) cacheKey { return cacheKey{gen: gen, z: 3, x: 1, y: 1, class: "a"} }
	add := func(gen uint64) {
		e, _ := newEntry(key(gen), make([]byte, 3000))
		c.add(e)
	}
	add(1)
	add(2)
	add(3) // 3 × (3000 raw + gzip + 256) is still under 10 kB
	if c.get(key(1)) == nil {
		t.Fatal("entry 1 evicted too early")
	}
	add(4) // over budget: the least recently used (2) goes, 1 was just used
	if c.peek(key(2)) != nil {
		t.Fatal("LRU entry 2 not evicted")
	}
	if c.peek(key(1)) == nil || c.peek(key(4)) == nil {
		t.Fatal("recent entries evicted")
	}
	bytes, n := c.usage()
	if bytes > 10_000 || n != 3 {
		t.Fatalf("usage %d bytes, %d entries", bytes, n)
	}
	// An entry bigger than a shard is not cached at all.
	big, _ := newEntry(cacheKey{gen: 9, z: 3, x: 1, y: 1, class: "a"}, make([]byte, 20_000))
	c.add(big)
	if c.peek(big.key) != nil {
		t.Fatal("oversized entry cached")
	}
	c.purge()
	if _, n := c.usage(); n != 0 || c.get(key(1)) != nil {
		t.Fatal("purge left entries")
	}
	if c.hits.Load() != 1 || c.misses.Load() != 1 {
		t.Fatalf("hits %d misses %d", c.hits.Load(), c.misses.Load())
	}
}

func TestCacheTTL(t *testing.T) {
	c := newCache(1<<20, time.Minute)
	e := mkEntry(t, 5, 100)
	e.born = time.Now().Add(-2 * time.Minute)
	c.add(e)
	if c.get(e.key) != nil {
		t.Fatal("expired entry served")
	}
	if _, n := c.usage(); n != 0 {
		t.Fatal("expired entry kept")
	}
}

func TestEtagMatch(t *testing.T) {
	const tag = `W/"abc"`
	tests := []struct {
		in   []string
		want bool
	}{
		{[]string{`W/"abc"`}, true},
		{[]string{`"abc"`}, true}, // weak comparison
		{[]string{`"x", W/"abc"`}, true},
		{[]string{`"x"`, `"abc"`}, true},
		{[]string{`*`}, true},
		{[]string{`"abcd"`}, false},
		{[]string{``}, false},
	}
	for _, tc := range tests {
		if got := etagMatch(tc.in, tag); got != tc.want {
			t.Errorf("etagMatch(%q) = %v", tc.in, got)
		}
	}
}

func TestVisibilityClass(t *testing.T) {
	risk := &Tileset{Name: "risk"}
	base := &Tileset{Name: "basemap", Public: true}
	a := access.Principal{Role: access.IntelOfficer, Kabupaten: []string{"21.71", "21.01"}}
	b := access.Principal{Role: access.IntelOfficer, Kabupaten: []string{"21.01", "21.71"}, Username: "other"}
	c := access.Principal{Role: access.Planner, Kabupaten: []string{"21.01", "21.71"}}
	d := access.Principal{Role: access.IntelOfficer, Kabupaten: []string{"21.71"}}
	if visibilityClass(risk, a) != visibilityClass(risk, b) {
		t.Error("same role and scope in another order must share a class")
	}
	if visibilityClass(risk, a) == visibilityClass(risk, c) {
		t.Error("different roles share a class")
	}
	if visibilityClass(risk, a) == visibilityClass(risk, d) {
		t.Error("different scopes share a class")
	}
	if visibilityClass(base, a) != "" || visibilityClass(base, c) != "" {
		t.Error("public tilesets are one class")
	}
	if visibilityClass(risk, access.Principal{Role: access.Admin}) != "admin" {
		t.Error("admin class")
	}
}
