// Package tiles serves the map's data as Mapbox Vector Tiles: the risk surfaces,
// kabupaten rollups, basemap boundaries and the operational layers. Tiles are
// rendered by PostGIS (ST_AsMVT) from named queries in tiles.sql, cached per
// visibility class with a byte budget, gzipped once, and served with ETags.
//
// Routes (mounted under /tiles by internal/server):
//
//	GET /tiles                        catalogue of tilesets (JSON)
//	GET /tiles/{name}.json            TileJSON 3.0.0
//	GET /tiles/{name}/{z}/{x}/{y}.mvt the tile (204 when empty)
//
// Every route needs a principal (access.FromContext); features outside the
// principal's scope are never rendered, and personal layers only for roles with
// personal-data rights.
package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/singleflight"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/store"
)

//go:embed tiles.sql
var sqlFS embed.FS

// Config tunes the tile server. The zero value of each field means its default.
type Config struct {
	CacheBytes   int64         // in-process cache budget (default 256 MiB)
	CacheTTL     time.Duration // safety net for changes the version poll cannot see (default 10 min)
	DBTimeout    time.Duration // per tile render (default 5 s)
	PollInterval time.Duration // data-version poll (default 2 s)
	MaxAge       time.Duration // Cache-Control max-age for browsers (default 60 s)
	// CORSOrigins lists allowed origins; "*" allows any (without credentials).
	// Empty: no CORS headers (the map is served from the same origin).
	CORSOrigins []string
	// PublicURL is the scheme://host[:port] written into TileJSON tile URLs;
	// empty: taken from the request.
	PublicURL string
}

func (c Config) withDefaults() Config {
	if c.CacheBytes <= 0 {
		c.CacheBytes = 256 << 20
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = 10 * time.Minute
	}
	if c.DBTimeout <= 0 {
		c.DBTimeout = 5 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 2 * time.Second
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 60 * time.Second
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
}

// Server renders, caches and serves tiles. It is an http.Handler for the /tiles prefix.
type Server struct {
	cfg      Config
	log      *slog.Logger
	pool     *pgxpool.Pool
	q        store.Named
	sets     []Tileset
	byName   map[string]uint16
	render   renderer
	cache    *cache
	flight   singleflight.Group
	snap     atomic.Pointer[snapshot]
	refresh  sync.Mutex
	hdr      headers
	rendered atomic.Int64
}

// headers are the constant header values, built once so the warm path assigns
// slices instead of allocating.
type headers struct {
	contentType  []string
	cacheControl []string
	gzip         []string
	vary         []string
	hit          []string
	miss         []string
	nosniff      []string
}

// New loads the queries, reads the current data version and returns the server.
// Call Run to keep the data version fresh.
func New(ctx context.Context, cfg Config, pool *pgxpool.Pool, log *slog.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	q, err := store.LoadNamed(sqlFS, "tiles.sql")
	if err != nil {
		return nil, fmt.Errorf("tiles: %w", err)
	}
	sets := Catalogue()
	byName := make(map[string]uint16, len(sets))
	for i := range sets {
		for _, l := range sets[i].Layers {
			if _, ok := q[l.Query]; !ok {
				return nil, fmt.Errorf("tiles: layer %s: no query %q in tiles.sql", l.Name, l.Query)
			}
		}
		byName[sets[i].Name] = uint16(i)
	}
	s := &Server{
		cfg: cfg, log: log, pool: pool, q: q, sets: sets, byName: byName,
		render: renderer{pool: pool, q: q},
		cache:  newCache(cfg.CacheBytes, cfg.CacheTTL),
		hdr: headers{
			contentType:  []string{"application/vnd.mapbox-vector-tile"},
			cacheControl: []string{"private, max-age=" + strconv.Itoa(int(cfg.MaxAge.Seconds()))},
			gzip:         []string{"gzip"},
			vary:         []string{"Accept-Encoding, Origin"},
			hit:          []string{"hit"},
			miss:         []string{"miss"},
			nosniff:      []string{"nosniff"},
		},
	}
	s.snap.Store(&snapshot{})
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Run polls the data version until ctx ends; a new risk run or import purges the cache.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("tiles: data version poll failed; serving the cached version", "err", err)
			}
		}
	}
}

// Refresh reads the data version now and, when it changed, starts a new cache
// generation. Other packages call it after writing data the tiles show.
func (s *Server) Refresh(ctx context.Context) error {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DBTimeout)
	defer cancel()
	var runID, importID int64
	if err := s.pool.QueryRow(ctx, s.q.Get("data_version")).Scan(&runID, &importID); err != nil {
		return fmt.Errorf("tiles: read data version: %w", err)
	}
	cur := s.snap.Load()
	if cur.Gen != 0 && cur.RunID == runID && cur.ImportID == importID {
		return nil
	}
	var res []int
	if runID != 0 {
		rows, err := s.pool.Query(ctx, s.q.Get("risk_resolutions"), runID)
		if err != nil {
			return fmt.Errorf("tiles: read risk resolutions: %w", err)
		}
		for rows.Next() {
			var r int
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return fmt.Errorf("tiles: read risk resolutions: %w", err)
			}
			res = append(res, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("tiles: read risk resolutions: %w", err)
		}
	}
	next := &snapshot{Gen: cur.Gen + 1, RunID: runID, ImportID: importID, RiskRes: res}
	s.snap.Store(next)
	s.cache.purge()
	s.log.Info("tiles: data version", "gen", next.Gen, "risk_run", runID, "risk_res", res, "import", importID)
	return nil
}

// Invalidate drops every cached tile at once (e.g. after an in-process edit).
func (s *Server) Invalidate() {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	cur := s.snap.Load()
	next := *cur
	next.Gen++
	s.snap.Store(&next)
	s.cache.purge()
}

// Stats are counters for metrics and the load generator's report.
type Stats struct {
	Hits, Misses, Rendered int64
	CacheBytes             int64
	CacheEntries           int
}

func (s *Server) Stats() Stats {
	b, n := s.cache.usage()
	return Stats{Hits: s.cache.hits.Load(), Misses: s.cache.misses.Load(), Rendered: s.rendered.Load(), CacheBytes: b, CacheEntries: n}
}

// Tilesets lists the served tilesets (for the catalogue and for other packages).
func (s *Server) Tilesets() []Tileset { return slices.Clone(s.sets) }

// visibilityClass is the part of the cache key that says who may see the tile:
// role and scope decide every filter the queries apply, so two principals with
// the same class get identical tiles.
func visibilityClass(ts *Tileset, p access.Principal) string {
	if ts.Public {
		return ""
	}
	if p.National() {
		return string(p.Role)
	}
	codes := p.ScopeCodes()
	slices.Sort(codes)
	return string(p.Role) + ":" + strings.Join(slices.Compact(codes), ",")
}

var errTimeout = errors.New("tile query timed out")

// tile returns the cached entry, rendering it on a miss. Concurrent misses of
// one key render once (singleflight); the render runs on its own deadline,
// detached from the first requester, so a client that goes away does not fail
// the others waiting for the same tile.
func (s *Server) tile(ctx context.Context, idx uint16, t tilemath.Tile, p access.Principal) (*entry, bool, error) {
	snap := s.snap.Load()
	ts := &s.sets[idx]
	key := cacheKey{gen: snap.Gen, tileset: idx, z: t.Z, x: t.X, y: t.Y, class: visibilityClass(ts, p)}
	if e := s.cache.get(key); e != nil {
		return e, true, nil
	}
	v, err, _ := s.flight.Do(key.String(), func() (any, error) {
		if e := s.cache.peek(key); e != nil {
			return e, nil
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.DBTimeout)
		defer cancel()
		raw, err := s.render.render(rctx, ts, t, p, snap)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || rctx.Err() != nil {
				return nil, fmt.Errorf("%w: %v", errTimeout, err)
			}
			return nil, err
		}
		s.rendered.Add(1)
		e, err := newEntry(key, raw)
		if err != nil {
			return nil, err
		}
		s.cache.add(e)
		return e, nil
	})
	if err != nil {
		return nil, false, err
	}
	return v.(*entry), false, nil
}

func newEntry(key cacheKey, raw []byte) (*entry, error) {
	e := &entry{key: key, raw: raw, born: time.Now()}
	h := fnv.New64a()
	h.Write(raw)
	e.etag = `W/"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	e.etagHdr = []string{e.etag}
	e.rawLen = []string{strconv.Itoa(len(raw))}
	if len(raw) > 0 {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(raw); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		e.gz = buf.Bytes()
		e.gzLen = []string{strconv.Itoa(len(e.gz))}
	}
	e.size = int64(len(e.raw)+len(e.gz)) + 256 // + bookkeeping
	return e, nil
}
