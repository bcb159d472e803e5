// Package auth authenticates requests and protects the HTTP surface: argon2id
// passwords, server-side sessions, API tokens, CSRF, login lock-out, rate limits,
// body limits and security headers. Its middleware puts an access.Principal into
// every authenticated request's context (see internal/access).
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waspada-id/waspada/internal/access"
)

// Config tunes the service; DefaultConfig gives production values.
type Config struct {
	SessionTTL  time.Duration // absolute session lifetime
	IdleTimeout time.Duration // a session unused this long ends
	// CacheTTL bounds how long a session or token is trusted from memory before
	// it is checked against the database again; disabling a user or changing a
	// password takes effect in the running server within this time.
	CacheTTL time.Duration
	// OutageGrace: while the database is unreachable, a credential confirmed
	// within this time is still accepted (0: refuse at once).
	OutageGrace time.Duration
	// SecureCookies forces the Secure cookie flag (e.g. behind a TLS proxy);
	// cookies are always Secure when the request itself came over TLS.
	SecureCookies bool
	// AllowedOrigins are extra origins (scheme://host[:port]) trusted for
	// state-changing requests besides the server's own.
	AllowedOrigins []string

	TilePerUser, TilePerIP Rate // /tiles/...
	APIPerUser, APIPerIP   Rate // everything else
	LoginPerIP             Rate // POST /login, before any password is checked

	// Lock-out: after UserFailures failures since the last success a user waits
	// LockBase, doubling with each further failure up to LockMax; an address
	// with IPFailures failures within IPWindow is refused for IPWindow.
	UserFailures      int // per (user, address)
	UserFailuresAnyIP int // per user, over every address
	LockBase          time.Duration
	LockMax           time.Duration
	IPFailures        int
	IPWindow          time.Duration

	MaxBody        int64    // request body limit
	UploadBody     int64    // limit for paths under UploadPrefixes
	UploadPrefixes []string // e.g. "/api/import/", "/api/upload"

	CSP       string // Content-Security-Policy
	Password  Params
	PublicFor func(path string) bool // extra paths served without a login (nil: none)
}

// DefaultCSP allows only the server's own scripts, styles, images and
// connections: no inline script or style, no framing. MapLibre starts its web
// workers from blob: URLs and draws images from blob:/data:, hence those.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// DefaultConfig returns production settings. Tile limits are generous because
// one map pan loads dozens of tiles; an office behind one NAT address shares
// the per-IP bucket.
func DefaultConfig() Config {
	return Config{
		SessionTTL:   12 * time.Hour,
		IdleTimeout:  30 * time.Minute,
		CacheTTL:     15 * time.Second,
		OutageGrace:  5 * time.Minute,
		TilePerUser:  Rate{PerSecond: 300, Burst: 600},
		TilePerIP:    Rate{PerSecond: 2000, Burst: 4000},
		APIPerUser:   Rate{PerSecond: 20, Burst: 60},
		APIPerIP:     Rate{PerSecond: 200, Burst: 400},
		LoginPerIP:   Rate{PerSecond: 1, Burst: 10},
		UserFailures: 5, UserFailuresAnyIP: 50,
		LockBase:   30 * time.Second,
		LockMax:    15 * time.Minute,
		IPFailures: 30,
		IPWindow:   15 * time.Minute,
		MaxBody:    1 << 20,
		UploadBody: 64 << 20,
		CSP:        DefaultCSP,
		Password:   DefaultParams(),
	}
}

// Unlimited removes every rate limit (benchmarks and load tests from one address).
func (c *Config) Unlimited() {
	c.TilePerUser, c.TilePerIP, c.APIPerUser, c.APIPerIP, c.LoginPerIP = Rate{}, Rate{}, Rate{}, Rate{}, Rate{}
}

// Service is the authentication service; one per server.
type Service struct {
	store *Store
	cfg   Config
	log   *slog.Logger
	now   func() time.Time

	cache *authCache
	hdr   []headerKV
	// tileHdr: the shorter set for /tiles/ (binary, never a document).
	tileHdr []headerKV

	tileUser, tileIP, apiUser, apiIP, loginIP *Limiter

	// dummyHash is verified against when a username does not exist, so a
	// login for an unknown name costs as much time as one for a known name.
	dummyHash string
}

// NewService builds the service around a Store.
func NewService(st *Store, cfg Config, log *slog.Logger) (*Service, error) {
	dummy, err := HashPassword(randomToken(16), cfg.Password)
	if err != nil {
		return nil, err
	}
	if cfg.CSP == "" {
		cfg.CSP = DefaultCSP
	}
	return &Service{
		store: st, cfg: cfg, log: log, now: time.Now,
		cache:    newAuthCache(),
		hdr:      securityHeaderList(cfg.CSP),
		tileHdr:  tileHeaderList(),
		tileUser: NewLimiter(cfg.TilePerUser), tileIP: NewLimiter(cfg.TilePerIP),
		apiUser: NewLimiter(cfg.APIPerUser), apiIP: NewLimiter(cfg.APIPerIP),
		loginIP:   NewLimiter(cfg.LoginPerIP),
		dummyHash: dummy,
	}, nil
}

// Store returns the underlying store.
func (s *Service) Store() *Store { return s.store }

// Run does periodic housekeeping (expired sessions, idle limiter keys) until
// ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	// Rights changed by another process (the CLI) drop the credential cache
	// within a poll: a revoked token or disabled user is refused at once.
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	epoch := int64(-1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			e, err := s.store.epoch(ctx)
			if err != nil {
				continue // the database is away: the cache's own TTL and grace apply
			}
			if epoch >= 0 && e != epoch {
				s.cache.clear()
			}
			epoch = e
		case <-t.C:
			now := s.now().UnixNano()
			for _, l := range []*Limiter{s.tileUser, s.tileIP, s.apiUser, s.apiIP, s.loginIP} {
				l.Sweep(now)
			}
			s.cache.sweep(now)
			if err := s.store.Purge(ctx, s.cfg.IdleTimeout); err != nil && ctx.Err() == nil {
				s.log.Warn("auth housekeeping", "err", err)
			}
		}
	}
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on Linux; if it does, nothing secure can go on.
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ---------------------------------------------------------------- credential cache

// cachedAuth is a session or token recently confirmed by the database.
type cachedAuth struct {
	p        access.Principal
	csrf     string // sessions only
	tokenID  int64  // tokens only
	fetched  int64  // unix ns of the database check
	expires  int64  // absolute session expiry (unix ns); 0 for tokens
	lastSeen atomic.Int64
	touched  atomic.Int64 // last time last_seen/last_used was written to the database
}

const cacheShards = 32

type authCache struct {
	seed   maphash.Seed
	shards [cacheShards]struct {
		mu sync.RWMutex
		m  map[string]*cachedAuth
		_  [40]byte
	}
}

func newAuthCache() *authCache {
	c := &authCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*cachedAuth)
	}
	return c
}

func (c *authCache) get(key string) *cachedAuth {
	sh := &c.shards[maphash.String(c.seed, key)%cacheShards]
	sh.mu.RLock()
	v := sh.m[key]
	sh.mu.RUnlock()
	return v
}

func (c *authCache) put(key string, v *cachedAuth) {
	sh := &c.shards[maphash.String(c.seed, key)%cacheShards]
	sh.mu.Lock()
	sh.m[key] = v
	sh.mu.Unlock()
}

func (c *authCache) drop(key string) {
	sh := &c.shards[maphash.String(c.seed, key)%cacheShards]
	sh.mu.Lock()
	delete(sh.m, key)
	sh.mu.Unlock()
}

// dropUser forgets every cached credential of a user (logout everywhere).
func (c *authCache) dropUser(userID int64) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for k, v := range sh.m {
			if v.p.UserID == userID {
				delete(sh.m, k)
			}
		}
		sh.mu.Unlock()
	}
}

func (c *authCache) clear() {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		clear(sh.m)
		sh.mu.Unlock()
	}
}

func (c *authCache) sweep(now int64) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for k, v := range sh.m {
			if v.expires != 0 && v.expires < now {
				delete(sh.m, k)
			}
		}
		sh.mu.Unlock()
	}
}

// ---------------------------------------------------------------- authentication

// credKind says how a request authenticated.
type credKind int

const (
	credNone credKind = iota
	credSession
	credToken
)

var errNoCredential = errors.New("no credential")

// lookup returns the principal for a session id or API token, trusting the
// cache for CacheTTL and otherwise asking the database.
func (s *Service) lookup(ctx context.Context, kind credKind, secret string) (*cachedAuth, error) {
	now := s.now()
	nowNs := now.UnixNano()
	key := secret
	if kind == credToken {
		key = "t:" + secret
	}
	if c := s.cache.get(key); c != nil && nowNs-c.fetched < int64(s.cfg.CacheTTL) &&
		(c.expires == 0 || nowNs < c.expires) &&
		(kind == credToken || nowNs-c.lastSeen.Load() < int64(s.cfg.IdleTimeout)) {
		c.lastSeen.Store(nowNs)
		s.maybeTouch(ctx, kind, secret, c, nowNs)
		return c, nil
	}
	c := &cachedAuth{fetched: nowNs}
	// stale answers a database outage with the last confirmed credential, for
	// at most OutageGrace: cached tiles keep being served to users who were
	// signed in, while nobody new gets in.
	stale := func(err error) (*cachedAuth, error) {
		if errors.Is(err, ErrNotFound) {
			s.cache.drop(key)
			return nil, err
		}
		if old := s.cache.get(key); old != nil && nowNs-old.fetched < int64(s.cfg.OutageGrace) &&
			(old.expires == 0 || nowNs < old.expires) {
			return old, nil
		}
		return nil, err
	}
	switch kind {
	case credSession:
		row, err := s.store.lookupSession(ctx, secret, s.cfg.IdleTimeout)
		if err != nil {
			return stale(err)
		}
		c.p, c.csrf, c.expires = row.Principal, row.CSRF, row.ExpiresAt.UnixNano()
		c.touched.Store(row.LastSeen.UnixNano())
	case credToken:
		id, p, err := s.store.lookupToken(ctx, secret)
		if err != nil {
			return stale(err)
		}
		c.p, c.tokenID = p, id
	default:
		return nil, errNoCredential
	}
	c.lastSeen.Store(nowNs)
	s.maybeTouch(ctx, kind, secret, c, nowNs)
	s.cache.put(key, c)
	return c, nil
}

// maybeTouch records use in the database at most once a minute per credential,
// which is all the idle timeout needs and keeps writes off the tile path.
func (s *Service) maybeTouch(ctx context.Context, kind credKind, secret string, c *cachedAuth, now int64) {
	last := c.touched.Load()
	if now-last < int64(time.Minute) || !c.touched.CompareAndSwap(last, now) {
		return
	}
	var err error
	if kind == credSession {
		err = s.store.touchSession(ctx, secret)
	} else {
		err = s.store.touchToken(ctx, c.tokenID)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("record credential use", "err", err)
	}
}
