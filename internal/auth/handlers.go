package auth

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/routes"
)

//go:embed login.html
var loginHTML string

//go:embed login.css
var loginCSS []byte

type csrfKey struct{}

func withCSRF(ctx context.Context, tok string) context.Context {
	if tok == "" {
		return ctx
	}
	return context.WithValue(ctx, csrfKey{}, tok)
}

// CSRFToken returns the CSRF token of the request's session ("" for API tokens),
// for server-rendered forms.
func CSRFToken(ctx context.Context) string {
	t, _ := ctx.Value(csrfKey{}).(string)
	return t
}

// Register adds /login (GET, POST), /login.css, /logout (POST) and /api/me (GET).
func (s *Service) Register(t *routes.Table) {
	page := template.Must(template.New("login").Parse(loginHTML))
	t.HandleFunc("/login", access.PublicRoute(), func(w http.ResponseWriter, r *http.Request) { s.loginPage(w, r, page, "", http.StatusOK) }, http.MethodGet)
	t.HandleFunc("/login", access.PublicRoute(), func(w http.ResponseWriter, r *http.Request) { s.login(w, r, page) }, http.MethodPost)
	t.HandleFunc("/login.css", access.PublicRoute(), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(loginCSS)
	}, http.MethodGet)
	t.HandleFunc("/logout", access.SignedIn(), s.logout, http.MethodPost)
	t.HandleFunc("/api/me", access.SignedIn(), s.me, http.MethodGet)
}

type loginView struct {
	CSRF  string
	Next  string
	Error string
	User  string
}

// loginPage renders the form with a fresh login CSRF token, set both as a
// cookie and as a hidden field (double submit: a cross-site form cannot read
// the cookie to copy it).
func (s *Service) loginPage(w http.ResponseWriter, r *http.Request, page *template.Template, msg string, code int) {
	tok := randomToken(24)
	http.SetCookie(w, &http.Cookie{Name: LoginCSRFCookie, Value: tok, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: s.cfg.SecureCookies || r.TLS != nil, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = page.Execute(w, loginView{CSRF: tok, Next: safeNext(r.FormValue("next")), Error: msg, User: r.PostFormValue("username")})
}

// safeNext allows only local paths as the post-login target (no open redirect).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsRune(next, '\\') || strings.HasPrefix(next, "/login") || !utf8.ValidString(next) {
		return "/"
	}
	// Browsers drop tabs and newlines from a URL before they parse it, so
	// "/\t/evil.example" would become the foreign "//evil.example".
	for _, r := range next {
		if unicode.IsControl(r) {
			return "/"
		}
	}
	return next
}

func (s *Service) login(w http.ResponseWriter, r *http.Request, page *template.Template) {
	ip := ClientIP(r)
	if ok, wait := s.loginIP.Allow(ip, s.now().UnixNano()); !ok {
		tooMany(w, wait)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.loginPage(w, r, page, "Permintaan tidak valid / Bad request.", http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(LoginCSRFCookie)
	if err != nil || !validLoginCSRF(c.Value, r.PostFormValue(CSRFFormField)) {
		s.loginPage(w, r, page, "Sesi formulir kedaluwarsa, silakan coba lagi / The form expired, please try again.", http.StatusForbidden)
		return
	}
	username := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	if len(username) > 64 || len(password) > MaxPasswordLen {
		s.loginPage(w, r, page, "Nama pengguna atau kata sandi salah / Wrong username or password.", http.StatusUnauthorized)
		return
	}
	wait, err := s.lockedFor(r.Context(), username, ip)
	if err != nil {
		s.log.Error("login lock-out check", "err", err)
		s.loginPage(w, r, page, "Layanan tidak tersedia / Service unavailable.", http.StatusServiceUnavailable)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.loginPage(w, r, page, "Terlalu banyak percobaan gagal; coba lagi dalam "+roundUp(wait)+
			" / Too many failed attempts; try again in "+roundUp(wait)+".", http.StatusTooManyRequests)
		return
	}
	u, ok, err := s.checkPassword(r.Context(), username, password)
	if err != nil {
		s.log.Error("login", "err", err)
		s.loginPage(w, r, page, "Layanan tidak tersedia / Service unavailable.", http.StatusServiceUnavailable)
		return
	}
	if rerr := s.store.recordAttempt(r.Context(), username, ip, ok); rerr != nil {
		s.log.Error("record login attempt", "err", rerr)
	}
	if !ok {
		s.log.Info("login failed", "username", username, "ip", ip)
		s.loginPage(w, r, page, "Nama pengguna atau kata sandi salah / Wrong username or password.", http.StatusUnauthorized)
		return
	}
	id, err := s.startSession(r.Context(), u, ip, r.UserAgent())
	if err != nil {
		s.log.Error("start session", "err", err)
		s.loginPage(w, r, page, "Layanan tidak tersedia / Service unavailable.", http.StatusServiceUnavailable)
		return
	}
	s.log.Info("login", "username", username, "ip", ip)
	clearCookie(w, r, LoginCSRFCookie, s.cfg.SecureCookies)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", MaxAge: int(s.cfg.SessionTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func validLoginCSRF(cookie, form string) bool {
	return len(cookie) >= 16 && subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) == 1
}

func roundUp(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Seconds())+1) + " s"
	}
	return strconv.Itoa(int(d.Minutes())+1) + " min"
}

// checkPassword verifies a login. Unknown and disabled users cost the same
// argon2 work as real ones, so response time does not reveal which names exist.
func (s *Service) checkPassword(ctx context.Context, username, password string) (User, bool, error) {
	u, err := s.store.UserByName(ctx, username)
	if errors.Is(err, ErrNotFound) {
		_, _ = VerifyPassword(s.dummyHash, password)
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	ok, err := VerifyPassword(u.PasswordHash, password)
	if err != nil {
		return User{}, false, err
	}
	return u, ok && !u.Disabled, nil
}

// startSession stores a new session and returns the cookie value.
func (s *Service) startSession(ctx context.Context, u User, ip, ua string) (string, error) {
	id := randomToken(32)
	if len(ua) > 256 {
		ua = ua[:256]
	}
	if err := s.store.insertSession(ctx, id, u.ID, randomToken(24), s.now().Add(s.cfg.SessionTTL), ip, ua); err != nil {
		return "", err
	}
	return id, nil
}

// Login checks a password and starts a session, for tests and tools that
// drive the server without the form. It applies the same lock-out.
func (s *Service) Login(ctx context.Context, username, password, ip string) (sessionID string, err error) {
	wait, err := s.lockedFor(ctx, username, ip)
	if err != nil {
		return "", err
	}
	if wait > 0 {
		return "", ErrLockedOut
	}
	u, ok, err := s.checkPassword(ctx, username, password)
	if err != nil {
		return "", err
	}
	if err := s.store.recordAttempt(ctx, username, ip, ok); err != nil {
		return "", err
	}
	if !ok {
		return "", ErrBadCredentials
	}
	return s.startSession(ctx, u, ip, "")
}

// Login errors.
var (
	ErrBadCredentials = errors.New("wrong username or password")
	ErrLockedOut      = errors.New("too many failed logins: locked out for now")
)

func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	if kind, id := credential(r); kind == credSession {
		if err := s.store.deleteSession(r.Context(), id); err != nil {
			s.log.Error("logout", "err", err)
			writeError(w, http.StatusServiceUnavailable, "logout failed, try again")
			return
		}
		s.cache.drop(id)
	}
	clearCookie(w, r, SessionCookie, s.cfg.SecureCookies)
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, map[string]bool{"ok": true})
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// Me is the body of GET /api/me: who the front end is talking for, what it may
// show, and the CSRF token to send with state-changing requests.
type Me struct {
	UserID         int64       `json:"user_id"`
	Username       string      `json:"username"`
	Role           access.Role `json:"role"`
	Provinces      []string    `json:"provinces"`
	Kabupaten      []string    `json:"kabupaten"`
	National       bool        `json:"national"`
	PersonalData   bool        `json:"personal_data"`
	CSRFToken      string      `json:"csrf_token,omitempty"`
	CSRFHeader     string      `json:"csrf_header"`
	MinPublishable int         `json:"min_published_count"`
	Tools          []string    `json:"tools"` // the decision tools the role may use (access.ToolRoles)
}

func (s *Service) me(w http.ResponseWriter, r *http.Request) {
	p, ok := access.FromContext(r.Context())
	if !ok {
		writeError(w, http.StatusUnauthorized, "login required")
		return
	}
	writeJSON(w, Me{UserID: p.UserID, Username: p.Username, Role: p.Role,
		Provinces: nonNil(p.Provinces), Kabupaten: nonNil(p.Kabupaten),
		National: p.National(), PersonalData: p.MayUsePersonalAnywhere(),
		CSRFToken: CSRFToken(r.Context()), CSRFHeader: CSRFHeader, MinPublishable: access.MinPublishedCount,
		Tools: tools(p)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

// tools lists the tools the user may use, as strings for the front end.
func tools(p access.Principal) []string {
	out := []string{}
	for _, t := range p.UsableTools() {
		out = append(out, string(t))
	}
	return out
}
