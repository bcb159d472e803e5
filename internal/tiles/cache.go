package tiles

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// cacheKey names one rendered tile for one visibility class. The class is the
// principal's role and scope (empty for public tilesets), so a tile rendered for
// one user is only ever served to users who would get exactly the same bytes.
type cacheKey struct {
	gen     uint64
	tileset uint16
	z, x, y uint32
	class   string
}

func (k cacheKey) String() string {
	return strconv.FormatUint(k.gen, 10) + "/" + strconv.Itoa(int(k.tileset)) + "/" +
		strconv.Itoa(int(k.z)) + "/" + strconv.Itoa(int(k.x)) + "/" + strconv.Itoa(int(k.y)) + "/" + k.class
}

// entry is an immutable rendered tile with everything the warm path writes
// precomputed: gzip bytes, the ETag and the header value slices (assigning a
// prebuilt []string to the header map allocates nothing).
type entry struct {
	key     cacheKey
	raw     []byte
	gz      []byte
	etag    string
	etagHdr []string
	rawLen  []string
	gzLen   []string
	born    time.Time
	size    int64

	prev, next *entry // LRU list, guarded by the shard's mutex
}

const cacheShards = 16

// cache is a sharded LRU with a byte budget. Sharding keeps 64 concurrent
// readers from queueing on one mutex; the budget is split evenly between shards.
type cache struct {
	shards [cacheShards]shard
	ttl    time.Duration
	hits   atomic.Int64
	misses atomic.Int64
}

type shard struct {
	mu    sync.Mutex
	m     map[cacheKey]*entry
	head  *entry // most recently used
	tail  *entry
	bytes int64
	limit int64
}

func newCache(budget int64, ttl time.Duration) *cache {
	c := &cache{ttl: ttl}
	for i := range c.shards {
		c.shards[i].m = map[cacheKey]*entry{}
		c.shards[i].limit = budget / cacheShards
	}
	return c
}

func (c *cache) shard(k *cacheKey) *shard {
	h := uint64(k.x)*0x9E3779B97F4A7C15 ^ uint64(k.y)*0xC2B2AE3D27D4EB4F ^ uint64(k.z)<<7 ^ uint64(k.tileset)<<13 ^ uint64(len(k.class))
	h ^= h >> 29
	return &c.shards[h%cacheShards]
}

// get returns the entry or nil; an entry older than the TTL counts as a miss.
func (c *cache) get(k cacheKey) *entry {
	s := c.shard(&k)
	s.mu.Lock()
	e := s.m[k]
	if e != nil {
		if c.ttl > 0 && time.Since(e.born) > c.ttl {
			s.remove(e)
			e = nil
		} else {
			s.moveToFront(e)
		}
	}
	s.mu.Unlock()
	if e == nil {
		c.misses.Add(1)
	} else {
		c.hits.Add(1)
	}
	return e
}

// peek is get without statistics, for the second look inside singleflight.
func (c *cache) peek(k cacheKey) *entry {
	s := c.shard(&k)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

func (c *cache) add(e *entry) {
	s := c.shard(&e.key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.size > s.limit {
		return // larger than a whole shard: serve it, do not cache it
	}
	if old := s.m[e.key]; old != nil {
		s.remove(old)
	}
	s.m[e.key] = e
	s.pushFront(e)
	s.bytes += e.size
	for s.bytes > s.limit && s.tail != nil {
		s.remove(s.tail)
	}
}

// purge drops everything (a new data version makes every tile stale).
func (c *cache) purge() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.m = map[cacheKey]*entry{}
		s.head, s.tail, s.bytes = nil, nil, 0
		s.mu.Unlock()
	}
}

// usage returns the cached bytes and entries.
func (c *cache) usage() (bytes int64, entries int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		bytes += s.bytes
		entries += len(s.m)
		s.mu.Unlock()
	}
	return bytes, entries
}

func (s *shard) pushFront(e *entry) {
	e.prev, e.next = nil, s.head
	if s.head != nil {
		s.head.prev = e
	}
	s.head = e
	if s.tail == nil {
		s.tail = e
	}
}

func (s *shard) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (s *shard) moveToFront(e *entry) {
	if s.head == e {
		return
	}
	s.unlink(e)
	s.pushFront(e)
}

func (s *shard) remove(e *entry) {
	s.unlink(e)
	delete(s.m, e.key)
	s.bytes -= e.size
}
