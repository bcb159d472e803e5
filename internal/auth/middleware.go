package auth

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/waspada-id/waspada/internal/access"
)

// Cookie and header names shared with the front end.
const (
	SessionCookie   = "waspada_session"
	LoginCSRFCookie = "waspada_login_csrf"
	CSRFHeader      = "X-CSRF-Token"
	CSRFFormField   = "csrf"
)

// Middleware wraps the whole server: security headers, body limits, per-IP and
// per-user rate limits, authentication (session cookie or Bearer API token),
// CSRF on every state-changing request, and the admin-only guard on
// /api/admin/ and /admin/. Handlers behind it find the access.Principal in the context;
// unauthenticated requests only reach public paths (the login page, health).
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tile := strings.HasPrefix(r.URL.Path, "/tiles/")
		s.securityHeaders(w, r, tile)
		if !s.limitBody(w, r) {
			return
		}
		now := s.now().UnixNano()
		ip := ClientIP(r)
		ipLim, userLim := s.apiIP, s.apiUser
		if tile {
			ipLim, userLim = s.tileIP, s.tileUser
		}
		if ok, wait := ipLim.Allow(ip, now); !ok {
			tooMany(w, wait)
			return
		}
		kind, secret := credential(r)
		var cred *cachedAuth
		if kind != credNone {
			c, err := s.lookup(r.Context(), kind, secret)
			switch {
			case err == nil:
				cred = c
			case errors.Is(err, ErrNotFound):
				if kind == credSession {
					clearCookie(w, r, SessionCookie, s.cfg.SecureCookies)
				}
			default:
				s.log.Error("authenticate", "err", err)
				writeError(w, http.StatusServiceUnavailable, "authentication is unavailable, try again shortly")
				return
			}
		}
		if cred == nil {
			if kind == credToken {
				// A wrong token is always an error, even on a public path.
				writeError(w, http.StatusUnauthorized, "invalid or expired API token")
				return
			}
			// CORS preflights for tiles carry no credentials by design; the tile
			// server answers them without data (it refuses anonymous GETs).
			if !s.public(r.URL.Path) && !(tile && isPreflight(r)) {
				s.unauthenticated(w, r)
				return
			}
			if isUnsafe(r.Method) && !s.sameOrigin(r) {
				writeError(w, http.StatusForbidden, "cross-origin request refused")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if ok, wait := userLim.Allow(cred.p.Username, now); !ok {
			tooMany(w, wait)
			return
		}
		// POST /login carries its own double-submit token (checked by the handler).
		if kind == credSession && isUnsafe(r.Method) && r.URL.Path != "/login" {
			if !s.sameOrigin(r) {
				writeError(w, http.StatusForbidden, "cross-origin request refused")
				return
			}
			if !validCSRF(r, cred.csrf) {
				writeError(w, http.StatusForbidden, "missing or wrong CSRF token (send the token from /api/me in the "+CSRFHeader+" header)")
				return
			}
		}
		if (strings.HasPrefix(r.URL.Path, "/api/admin/") || strings.HasPrefix(r.URL.Path, "/admin/")) && cred.p.Role != access.Admin {
			writeError(w, http.StatusForbidden, "admin only")
			return
		}
		ctx := access.WithPrincipal(r.Context(), cred.p)
		ctx = withCSRF(ctx, cred.csrf)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// credential extracts the session cookie or Bearer token of a request.
func credential(r *http.Request) (credKind, string) {
	if h := r.Header.Get("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok && strings.HasPrefix(tok, TokenPrefix) && len(tok) < 128 {
			return credToken, tok
		}
		return credToken, "" // malformed: never matches, refused as a bad token
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && len(c.Value) < 128 {
		return credSession, c.Value
	}
	return credNone, ""
}

func (s *Service) public(path string) bool {
	switch path {
	case "/login", "/login.css", "/healthz", "/readyz", "/favicon.ico":
		return true
	}
	return s.cfg.PublicFor != nil && s.cfg.PublicFor(path)
}

// unauthenticated sends browsers navigating to a page to the login page and
// answers everything else (API, tiles, scripts) with 401.
func (s *Service) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/tiles") &&
		strings.Contains(r.Header.Get("Accept"), "text/html") {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="waspada"`)
	writeError(w, http.StatusUnauthorized, "login required")
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// sameOrigin checks Origin (or, without it, Referer and Sec-Fetch-Site) against
// the server's own origin and the configured extra origins. Requests carrying
// none of these headers (non-browser clients) pass: browsers always send Origin
// on cross-site POSTs, and the CSRF token check still applies.
func (s *Service) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return true
		}
		u, err := url.Parse(ref)
		if err != nil {
			return false
		}
		origin = u.Scheme + "://" + u.Host
	}
	if origin == "null" {
		return false
	}
	scheme := "http"
	if r.TLS != nil || s.cfg.SecureCookies {
		scheme = "https"
	}
	if strings.EqualFold(origin, scheme+"://"+r.Host) {
		return true
	}
	return slices.ContainsFunc(s.cfg.AllowedOrigins, func(o string) bool { return strings.EqualFold(o, origin) })
}

func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue(CSRFFormField)
	}
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Service) securityHeaders(w http.ResponseWriter, r *http.Request, tile bool) {
	// Assigning shared, precomputed slices (canonical keys) instead of Set
	// keeps the tile hot path free of allocations here; nothing appends to them.
	h := w.Header()
	list := s.hdr
	if tile {
		list = s.tileHdr
	}
	for _, kv := range list {
		h[kv.key] = kv.val
	}
	if r.TLS != nil {
		h["Strict-Transport-Security"] = hstsValue
	}
}

var hstsValue = []string{"max-age=31536000"}

type headerKV struct {
	key string
	val []string
}

func securityHeaderList(csp string) []headerKV {
	return []headerKV{
		{"Content-Security-Policy", []string{csp}},
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{"same-origin"}},
		{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
		{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=(), payment=()"}},
	}
}

// TileCSP is the Content-Security-Policy of tile responses: a tile is binary
// data that is never rendered as a document, so it needs no sources at all
// (OWASP's advice for API responses). The page's long policy and the
// document-only headers (COOP, Permissions-Policy) would add 300 bytes to
// every tile: enough to push a 3.5 KB tile past net/http's 4 KB write buffer
// and cost a second write system call (measured: 18,000 -> 20,000+ warm
// tiles/s on two cores).
const TileCSP = "default-src 'none'; frame-ancestors 'none'"

func tileHeaderList() []headerKV {
	return []headerKV{
		{"Content-Security-Policy", []string{TileCSP}},
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{"same-origin"}},
	}
}

// limitBody refuses bodies over the limit up front (Content-Length) and caps
// the reader for chunked bodies; handlers reading past it get an error.
func (s *Service) limitBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	limit := s.cfg.MaxBody
	for _, p := range s.cfg.UploadPrefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			limit = s.cfg.UploadBody
		}
	}
	if limit <= 0 {
		return true
	}
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, "request body larger than "+strconv.FormatInt(limit, 10)+" bytes")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return true
}

// ClientIP is the address of the peer (no proxy headers are trusted: a proxy
// in front must be configured to be the only client, and then limits apply to
// it as a whole).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func tooMany(w http.ResponseWriter, wait interface{ Seconds() float64 }) {
	secs := int(wait.Seconds()) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, "too many requests, retry in "+strconv.Itoa(secs)+" s")
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string, secure bool) {
	path := "/"
	if name == LoginCSRFCookie {
		path = "/login"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true,
		Secure: secure || r.TLS != nil, SameSite: http.SameSiteLaxMode})
}
