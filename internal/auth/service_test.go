package auth

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/routes"
	"github.com/waspada-id/waspada/internal/testdb"
)

type env struct {
	t    *testing.T
	pool *pgxpool.Pool
	svc  *Service
	srv  *httptest.Server
}

func testConfig() Config {
	c := DefaultConfig()
	c.Password = fastParams()
	c.LockBase = time.Minute
	return c
}

// newEnv serves the auth routes plus two probe routes behind the middleware:
// GET /api/probe echoes the principal, POST /api/probe changes "state".
func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	pool := testdb.Empty(t)
	st, err := NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(st, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	svc.Register(routes.New(r))
	probe := func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok {
			http.Error(w, "anonymous reached a protected handler", http.StatusInternalServerError)
			return
		}
		if r.Method == http.MethodPost {
			if _, err := io.ReadAll(r.Body); err != nil {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
		}
		_, _ = io.WriteString(w, r.Method+" "+p.Username+" "+string(p.Role))
	}
	r.HandleFunc("/api/probe", probe)
	r.HandleFunc("/api/admin/probe", probe)
	r.HandleFunc("/tiles/x/1/2/3.mvt", probe)
	r.HandleFunc("/", probe)
	srv := httptest.NewServer(svc.Middleware(r))
	t.Cleanup(srv.Close)
	return &env{t: t, pool: pool, svc: svc, srv: srv}
}

func (e *env) addUser(name string, role access.Role, prov, kab []string) {
	e.t.Helper()
	if _, err := e.svc.Store().AddUser(context.Background(), User{Username: name, Role: role, Provinces: prov, Kabupaten: kab},
		"rahasia-sekali-123", e.svc.cfg.Password); err != nil {
		e.t.Fatal(err)
	}
}

// browser is a cookie-keeping client that does not follow redirects.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login fetches the form, then posts it; returns the POST response.
func (e *env) login(c *http.Client, user, pw string) *http.Response {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + "/login")
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		e.t.Fatalf("login page has no csrf field: %s", body)
	}
	form := url.Values{"username": {user}, "password": {pw}, "csrf": {string(m[1])}, "next": {"/peta"}}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	resp, err = c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func do(t *testing.T, c *http.Client, method, u string, hdr map[string]string, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func meCSRF(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	code, body, _ := do(t, c, "GET", base+"/api/me", nil, "")
	if code != 200 {
		t.Fatalf("/api/me = %d %s", code, body)
	}
	m := regexp.MustCompile(`"csrf_token":"([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/api/me has no csrf_token: %s", body)
	}
	return m[1]
}

func TestLoginSessionCSRFLogout(t *testing.T) {
	e := newEnv(t, testConfig())
	e.addUser("intel1", access.IntelOfficer, nil, []string{"21.71", "21.01"})
	c := e.browser()

	// a CORS preflight for tiles passes without credentials (the probe would
	// answer 500 if a handler were reached without a principal, so 500 here
	// means it passed); elsewhere OPTIONS needs a login like everything else
	pre := map[string]string{"Access-Control-Request-Method": "GET", "Origin": "http://map.example"}
	if code, _, _ := do(t, c, "OPTIONS", e.srv.URL+"/tiles/x/1/2/3.mvt", pre, ""); code != 500 {
		t.Errorf("anonymous tile preflight = %d, want it passed to the tile handler", code)
	}
	if code, _, _ := do(t, c, "OPTIONS", e.srv.URL+"/api/probe", pre, ""); code != 401 {
		t.Errorf("anonymous OPTIONS on the API = %d, want 401", code)
	}
	// anonymous: API 401, page navigation redirected to the login page
	if code, _, _ := do(t, c, "GET", e.srv.URL+"/api/probe", nil, ""); code != 401 {
		t.Fatalf("anonymous API = %d, want 401", code)
	}
	code, _, h := do(t, c, "GET", e.srv.URL+"/peta", map[string]string{"Accept": "text/html"}, "")
	if code != 303 || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous page = %d %q, want 303 to /login", code, h.Get("Location"))
	}

	if resp := e.login(c, "intel1", "wrong-password-1"); resp.StatusCode != 401 {
		t.Fatalf("wrong password = %d, want 401", resp.StatusCode)
	}
	resp := e.login(c, "intel1", "rahasia-sekali-123")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/peta" {
		t.Fatalf("login = %d to %q, want 303 to /peta", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == SessionCookie {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.MaxAge <= 0 || len(sc.Value) < 40 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, MaxAge>0, 256-bit value", sc)
	}
	// only the hash is stored
	var n int
	_ = e.pool.QueryRow(context.Background(), "SELECT count(*) FROM auth_session WHERE id_hash = $1", hashSecret(sc.Value)).Scan(&n)
	if n != 1 {
		t.Fatal("session not stored under the hash of its id")
	}

	code, body, _ := do(t, c, "GET", e.srv.URL+"/api/probe", nil, "")
	if code != 200 || body != "GET intel1 intel_officer" {
		t.Fatalf("GET with session = %d %q", code, body)
	}
	tok := meCSRF(t, c, e.srv.URL)

	post := func(hdr map[string]string) int {
		code, _, _ := do(t, c, "POST", e.srv.URL+"/api/probe", hdr, "{}")
		return code
	}
	if got := post(nil); got != 403 {
		t.Errorf("POST without CSRF token = %d, want 403", got)
	}
	if got := post(map[string]string{CSRFHeader: "wrong"}); got != 403 {
		t.Errorf("POST with wrong CSRF token = %d, want 403", got)
	}
	if got := post(map[string]string{CSRFHeader: tok, "Origin": "http://evil.example"}); got != 403 {
		t.Errorf("POST from another origin = %d, want 403", got)
	}
	if got := post(map[string]string{CSRFHeader: tok, "Sec-Fetch-Site": "cross-site"}); got != 403 {
		t.Errorf("POST with Sec-Fetch-Site cross-site = %d, want 403", got)
	}
	if got := post(map[string]string{CSRFHeader: tok, "Origin": e.srv.URL}); got != 200 {
		t.Errorf("POST with token, same origin = %d, want 200", got)
	}
	if got := post(map[string]string{CSRFHeader: tok}); got != 200 {
		t.Errorf("POST with token, no Origin = %d, want 200", got)
	}
	for _, m := range []string{"PUT", "DELETE", "PATCH"} {
		if code, _, _ := do(t, c, m, e.srv.URL+"/api/probe", nil, ""); code != 403 {
			t.Errorf("%s without CSRF = %d, want 403", m, code)
		}
	}
	// non-admin on /api/admin/
	if code, _, _ := do(t, c, "GET", e.srv.URL+"/api/admin/probe", nil, ""); code != 403 {
		t.Errorf("intel officer on /api/admin/ = %d, want 403", code)
	}

	// logout needs the token too, then the session is dead in the database
	if code, _, _ := do(t, c, "POST", e.srv.URL+"/logout", nil, ""); code != 403 {
		t.Errorf("logout without CSRF = %d, want 403", code)
	}
	if code, _, _ := do(t, c, "POST", e.srv.URL+"/logout", map[string]string{CSRFHeader: tok}, ""); code != 303 {
		t.Errorf("logout = %d, want 303", code)
	}
	_ = e.pool.QueryRow(context.Background(), "SELECT count(*) FROM auth_session").Scan(&n)
	if n != 0 {
		t.Errorf("%d sessions left after logout", n)
	}
	// replaying the old cookie fails
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/probe", nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sc.Value})
	r2, _ := http.DefaultClient.Do(req)
	r2.Body.Close()
	if r2.StatusCode != 401 {
		t.Errorf("old session cookie after logout = %d, want 401", r2.StatusCode)
	}
}

func TestLoginCSRFAndOpenRedirect(t *testing.T) {
	e := newEnv(t, testConfig())
	e.addUser("plan1", access.Planner, []string{"53"}, nil)
	// a cross-site form post has no login cookie: refused before any password check
	form := url.Values{"username": {"plan1"}, "password": {"rahasia-sekali-123"}, "csrf": {"forged-token-forged"}}
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("login without the form's CSRF cookie = %d, want 403", resp.StatusCode)
	}
	for next, want := range map[string]string{
		"/peta?x=1":            "/peta?x=1",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"":                     "/",
		"/login":               "/",
		"/\t/evil.example":     "/", // browsers strip the tab: //evil.example
		"/\n/evil.example":     "/",
		"/peta\x00":            "/",
		"/peta\xff":            "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestLockoutPerUserAndIP(t *testing.T) {
	cfg := testConfig()
	cfg.UserFailures = 3
	cfg.IPFailures = 6
	e := newEnv(t, cfg)
	e.addUser("kanwil", access.KanwilHead, []string{"21"}, nil)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := e.svc.Login(ctx, "kanwil", "wrong-password!", "10.0.0.1"); err != ErrBadCredentials {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	// locked from that address: even the right password is refused there
	if _, err := e.svc.Login(ctx, "kanwil", "rahasia-sekali-123", "10.0.0.1"); err != ErrLockedOut {
		t.Fatalf("right password while locked: %v, want ErrLockedOut", err)
	}
	// a stranger's failures do not lock the user out of another address
	if _, err := e.svc.Login(ctx, "kanwil", "rahasia-sekali-123", "10.0.0.2"); err != nil {
		t.Fatalf("the user's own address was locked by failures elsewhere: %v", err)
	}
	for i := 0; i < 3; i++ {
		_, _ = e.svc.Login(ctx, "kanwil", "wrong-password!", "10.0.0.1")
	}
	// over HTTP the lock-out is a 429 with Retry-After (httptest's client is 127.0.0.1)
	for i := 0; i < 3; i++ {
		_, _ = e.svc.Login(ctx, "kanwil", "wrong-password!", "127.0.0.1")
	}
	c := e.browser()
	resp := e.login(c, "kanwil", "rahasia-sekali-123")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("HTTP login while locked = %d (Retry-After %q), want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// time passes (LockBase = 1 min): the user may try again
	e.svc.now = func() time.Time { return time.Now().Add(61 * time.Second) }
	if _, err := e.svc.Login(ctx, "kanwil", "rahasia-sekali-123", "10.0.0.1"); err != nil {
		t.Fatalf("after the lock expired: %v", err)
	}
	e.svc.now = time.Now
	// guessing spread over many addresses still locks the user, at the higher cap
	cfgAny := testConfig()
	cfgAny.UserFailures, cfgAny.UserFailuresAnyIP, cfgAny.IPFailures = 3, 8, 100
	e2 := newEnv(t, cfgAny)
	e2.addUser("intel", access.IntelOfficer, nil, []string{"21.71"})
	for i := 0; i < 8; i++ {
		_, _ = e2.svc.Login(ctx, "intel", "wrong-password!", fmt.Sprintf("10.1.0.%d", i))
	}
	if _, err := e2.svc.Login(ctx, "intel", "rahasia-sekali-123", "10.1.1.1"); err != ErrLockedOut {
		t.Fatalf("8 failures from 8 addresses (cap 8): %v, want ErrLockedOut", err)
	}
	if got := userBackoff(5, 3, time.Minute, 15*time.Minute); got != 4*time.Minute {
		t.Errorf("back-off after 5 failures (threshold 3) = %v, want 4m (doubling)", got)
	}
	if got := userBackoff(50, 3, time.Minute, 15*time.Minute); got != 15*time.Minute {
		t.Errorf("back-off is not capped: %v", got)
	}

	// password spraying from one address over many names locks the address
	for i := 0; i < 6; i++ {
		_, _ = e.svc.Login(ctx, "nobody"+string(rune('a'+i)), "whatever-password", "10.9.9.9")
	}
	if _, err := e.svc.Login(ctx, "kanwil", "rahasia-sekali-123", "10.9.9.9"); err != ErrLockedOut {
		t.Fatalf("sprayed address: %v, want ErrLockedOut", err)
	}
	if _, err := e.svc.Login(ctx, "kanwil", "rahasia-sekali-123", "10.9.9.10"); err != nil {
		t.Fatalf("another address is not locked: %v", err)
	}
}

func TestDisabledUserAndPasswordChangeEndSessions(t *testing.T) {
	cfg := testConfig()
	cfg.CacheTTL = 0 // every request checks the database
	e := newEnv(t, cfg)
	e.addUser("partner1", access.Partner, nil, []string{"53.71"})
	ctx := context.Background()
	sid, err := e.svc.Login(ctx, "partner1", "rahasia-sekali-123", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	get := func(sid string) int {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/probe", nil)
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sid})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get(sid) != 200 {
		t.Fatal("fresh session refused")
	}
	if err := e.svc.Store().SetPassword(ctx, "partner1", "new-password-456", cfg.Password); err != nil {
		t.Fatal(err)
	}
	if get(sid) != 401 {
		t.Fatal("session survived a password change")
	}
	if _, err := e.svc.Login(ctx, "partner1", "rahasia-sekali-123", "10.0.0.1"); err != ErrBadCredentials {
		t.Fatalf("old password after change: %v", err)
	}
	sid, err = e.svc.Login(ctx, "partner1", "new-password-456", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Store().SetDisabled(ctx, "partner1", true); err != nil {
		t.Fatal(err)
	}
	if get(sid) != 401 {
		t.Fatal("session survived disabling the user")
	}
	if _, err := e.svc.Login(ctx, "partner1", "new-password-456", "10.0.0.1"); err != ErrBadCredentials {
		t.Fatalf("disabled user logged in: %v", err)
	}
}

func TestIdleAndAbsoluteExpiry(t *testing.T) {
	cfg := testConfig()
	cfg.CacheTTL = 0
	cfg.IdleTimeout = 10 * time.Minute
	cfg.SessionTTL = time.Hour
	e := newEnv(t, cfg)
	e.addUser("admin1", access.Admin, nil, nil)
	ctx := context.Background()
	sid, err := e.svc.Login(ctx, "admin1", "rahasia-sekali-123", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.lookup(ctx, credSession, sid); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	// idle: pretend the last use was 11 minutes ago
	_, _ = e.pool.Exec(ctx, "UPDATE auth_session SET last_seen_at = now() - interval '11 minutes'")
	if _, err := e.svc.lookup(ctx, credSession, sid); err != ErrNotFound {
		t.Fatalf("idle session: %v, want ErrNotFound", err)
	}
	sid, _ = e.svc.Login(ctx, "admin1", "rahasia-sekali-123", "10.0.0.1")
	_, _ = e.pool.Exec(ctx, "UPDATE auth_session SET expires_at = now() - interval '1 second'")
	if _, err := e.svc.lookup(ctx, credSession, sid); err != ErrNotFound {
		t.Fatalf("expired session: %v, want ErrNotFound", err)
	}
}

func TestAPITokens(t *testing.T) {
	e := newEnv(t, testConfig())
	e.addUser("robot", access.Admin, nil, nil)
	ctx := context.Background()
	tok, err := e.svc.Store().CreateToken(ctx, "robot", "nightly-export", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, TokenPrefix) {
		t.Fatalf("token %q lacks prefix", tok)
	}
	var stored int
	_ = e.pool.QueryRow(ctx, "SELECT count(*) FROM api_token WHERE token_hash = $1", hashSecret(tok)).Scan(&stored)
	if stored != 1 {
		t.Fatal("token not stored as its hash")
	}
	c := http.DefaultClient
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	if code, body, _ := do(t, c, "GET", e.srv.URL+"/api/admin/probe", bearer, ""); code != 200 || body != "GET robot admin" {
		t.Fatalf("bearer GET = %d %q", code, body)
	}
	// no ambient credential, so no CSRF token is needed
	if code, _, _ := do(t, c, "POST", e.srv.URL+"/api/probe", bearer, "{}"); code != 200 {
		t.Fatalf("bearer POST = %d, want 200", code)
	}
	for _, h := range []string{"Bearer wsp_nottherealtoken", "Bearer " + tok + "x", "Basic dXNlcjpwdw==", "Bearer"} {
		if code, _, _ := do(t, c, "GET", e.srv.URL+"/api/probe", map[string]string{"Authorization": h}, ""); code != 401 {
			t.Errorf("Authorization %q = %d, want 401", h, code)
		}
	}
	if _, err := e.svc.Store().CreateToken(ctx, "robot", "nightly-export", time.Time{}); err == nil {
		t.Error("duplicate token name accepted")
	}
	// Revoked by another process (the CLI, its own store) while the server
	// trusts its cache for much longer: the rights epoch drops the cache.
	e.svc.cfg.CacheTTL = time.Hour
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go e.svc.Run(runCtx)
	if code, _, _ := do(t, c, "GET", e.srv.URL+"/api/probe", bearer, ""); code != 200 {
		t.Fatalf("token before revocation = %d", code)
	}
	time.Sleep(1500 * time.Millisecond) // Run has read the epoch once
	cli, err := NewStore(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.RevokeToken(ctx, "robot", "nightly-export"); err != nil {
		t.Fatal(err)
	}
	revoked := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if code, _, _ := do(t, c, "GET", e.srv.URL+"/api/probe", bearer, ""); code == 401 {
			revoked = true
			break
		}
	}
	if !revoked {
		t.Fatal("a revoked token still works after 5 s (cache TTL 1 h): the cache was not dropped")
	}
	exp, _ := e.svc.Store().CreateToken(ctx, "robot", "old", time.Now().Add(-time.Minute))
	if code, _, _ := do(t, c, "GET", e.srv.URL+"/api/probe", map[string]string{"Authorization": "Bearer " + exp}, ""); code != 401 {
		t.Fatalf("expired token = %d, want 401", code)
	}
}

func TestHeadersBodyAndRateLimits(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBody = 1000
	cfg.APIPerUser = Rate{PerSecond: 0.001, Burst: 3}
	cfg.TilePerIP = Rate{PerSecond: 0.001, Burst: 2}
	e := newEnv(t, cfg)
	e.addUser("robot", access.Admin, nil, nil)
	tok, _ := e.svc.Store().CreateToken(context.Background(), "robot", "t", time.Time{})
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	c := http.DefaultClient

	_, body, h := do(t, c, "GET", e.srv.URL+"/login", nil, "")
	for k, want := range map[string]string{
		"Content-Security-Policy": DefaultCSP, "X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
	} {
		if h.Get(k) != want {
			t.Errorf("header %s = %q, want %q", k, h.Get(k), want)
		}
	}
	if strings.Contains(DefaultCSP, "unsafe-inline") || strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("login page or CSP allows inline script/style")
	}
	if code, _, _ := do(t, c, "POST", e.srv.URL+"/api/probe", bearer, strings.Repeat("x", 1001)); code != 413 {
		t.Errorf("oversized body = %d, want 413", code)
	}
	// 3 more API requests allowed in the burst (one POST above used a token? no: refused before)
	codes := []int{}
	for i := 0; i < 4; i++ {
		code, _, h := do(t, c, "GET", e.srv.URL+"/api/probe", bearer, "")
		codes = append(codes, code)
		if code == 429 && h.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[2] != 200 || codes[3] != 429 {
		t.Errorf("API per-user burst 3 (after the 413, which used none): codes %v", codes)
	}
	codes = codes[:0]
	for i := 0; i < 3; i++ {
		code, _, _ := do(t, c, "GET", e.srv.URL+"/tiles/x/1/2/3.mvt", bearer, "")
		codes = append(codes, code)
	}
	if codes[1] != 200 || codes[2] != 429 {
		t.Errorf("tile per-IP burst 2: codes %v", codes)
	}
	// Tiles are never documents: the shortest policy, the same protections
	// against sniffing and framing, no document-only headers.
	_, _, th := do(t, c, "GET", e.srv.URL+"/tiles/x/1/2/3.mvt", bearer, "") // a 429 carries them too
	for k, want := range map[string]string{
		"Content-Security-Policy": TileCSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "same-origin", "Permissions-Policy": "",
	} {
		if th.Get(k) != want {
			t.Errorf("tile header %s = %q, want %q", k, th.Get(k), want)
		}
	}

}

func TestValidateScope(t *testing.T) {
	tests := []struct {
		role      access.Role
		prov, kab []string
		ok        bool
	}{
		{access.Admin, nil, nil, true},
		{access.Admin, []string{"21"}, nil, false},
		{access.KanwilHead, []string{"21"}, nil, true},
		{access.KanwilHead, []string{"21", "22"}, nil, false},
		{access.KanwilHead, nil, []string{"21.71"}, false},
		{access.IntelOfficer, nil, []string{"21.71", "21.01"}, true},
		{access.IntelOfficer, []string{"21"}, nil, false},
		{access.Planner, []string{"53"}, []string{"21.71"}, true},
		{access.Partner, nil, nil, false},
		{access.Partner, []string{"5"}, nil, false},
		{access.Partner, nil, []string{"21.7'; DROP TABLE x"}, false},
		{"root", nil, nil, false},
	}
	for _, tc := range tests {
		if err := ValidateScope(tc.role, tc.prov, tc.kab); (err == nil) != tc.ok {
			t.Errorf("ValidateScope(%s, %v, %v) = %v, want ok=%v", tc.role, tc.prov, tc.kab, err, tc.ok)
		}
	}
}

// While the database is down, users who were signed in keep their access for
// OutageGrace (cached tiles stay available); after it, 503.
func TestDatabaseOutageGrace(t *testing.T) {
	cfg := testConfig()
	cfg.CacheTTL = time.Second
	cfg.OutageGrace = time.Minute
	e := newEnv(t, cfg)
	e.addUser("admin1", access.Admin, nil, nil)
	ctx := context.Background()
	sid, err := e.svc.Login(ctx, "admin1", "rahasia-sekali-123", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/probe", nil)
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sid})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get() != 200 {
		t.Fatal("fresh session refused")
	}
	e.pool.Close() // the database goes away
	base := time.Now()
	e.svc.now = func() time.Time { return base.Add(30 * time.Second) } // past CacheTTL, within the grace
	if code := get(); code != 200 {
		t.Fatalf("during an outage within the grace: %d, want 200", code)
	}
	e.svc.now = func() time.Time { return base.Add(2 * time.Minute) }
	if code := get(); code != 503 {
		t.Fatalf("during an outage past the grace: %d, want 503", code)
	}
}
