package auth

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/store"
)

//go:embed queries.sql
var queryFS embed.FS

// ErrNotFound is returned when a user, session or token does not exist (or is
// disabled, expired or revoked: callers must not learn which).
var ErrNotFound = errors.New("not found")

// ErrExists is returned when adding a user whose name is taken.
var ErrExists = errors.New("already exists")

// Store is the accounts, sessions, tokens and login attempts in PostgreSQL.
type Store struct {
	db *pgxpool.Pool
	q  store.Named
}

// NewStore loads the named queries.
func NewStore(db *pgxpool.Pool) (*Store, error) {
	q, err := store.LoadNamed(queryFS, "queries.sql")
	if err != nil {
		return nil, err
	}
	return &Store{db: db, q: q}, nil
}

func scanUser(row pgx.Row) (User, error) {
	var u User
	var role string
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &role, &u.Provinces, &u.Kabupaten, &u.Disabled)
	u.Role = access.Role(role)
	return u, err
}

// AddUser creates an account; the password is hashed here.
func (s *Store) AddUser(ctx context.Context, u User, password string, p Params) (int64, error) {
	if err := ValidateUsername(u.Username); err != nil {
		return 0, err
	}
	if err := ValidateScope(u.Role, u.Provinces, u.Kabupaten); err != nil {
		return 0, err
	}
	if err := CheckPasswordPolicy(password); err != nil {
		return 0, err
	}
	h, err := HashPassword(password, p)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.QueryRow(ctx, s.q.Get("user_insert"), u.Username, h, string(u.Role), nonNil(u.Provinces), nonNil(u.Kabupaten)).Scan(&id)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return 0, fmt.Errorf("user %q: %w", u.Username, ErrExists)
	}
	if err != nil {
		return 0, fmt.Errorf("add user %q: %w", u.Username, err)
	}
	return id, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// UserByName returns the account, disabled or not.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, s.q.Get("user_by_name"), name))
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("look up user: %w", err)
	}
	return u, nil
}

// ListUsers returns every account ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.Query(ctx, s.q.Get("user_list"))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetDisabled disables (or re-enables) an account; disabling also ends its sessions.
func (s *Store) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, s.q.Get("user_set_disabled"), name, disabled).Scan(&id); err != nil {
			return notFound("user "+name, err)
		}
		if disabled {
			if _, err := tx.Exec(ctx, s.q.Get("session_delete_user"), name); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
		}
		return nil
	})
}

// SetPassword replaces the password and ends every session of the account.
func (s *Store) SetPassword(ctx context.Context, name, password string, p Params) error {
	if err := CheckPasswordPolicy(password); err != nil {
		return err
	}
	h, err := HashPassword(password, p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, s.q.Get("user_set_password"), name, h).Scan(&id); err != nil {
			return notFound("user "+name, err)
		}
		_, err := tx.Exec(ctx, s.q.Get("session_delete_user"), name)
		return err
	})
}

// SetScope changes role and scope; sessions end so the new scope applies at once.
func (s *Store) SetScope(ctx context.Context, name string, role access.Role, provinces, kabupaten []string) error {
	if err := ValidateScope(role, provinces, kabupaten); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, s.q.Get("user_set_scope"), name, string(role), nonNil(provinces), nonNil(kabupaten)).Scan(&id); err != nil {
			return notFound("user "+name, err)
		}
		_, err := tx.Exec(ctx, s.q.Get("session_delete_user"), name)
		return err
	})
}

func notFound(what string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (s *Store) inTx(ctx context.Context, f func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.db, f)
}

// sessionRow is a stored session joined with its (enabled) user.
type sessionRow struct {
	CSRF      string
	ExpiresAt time.Time
	LastSeen  time.Time
	Principal access.Principal
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func (s *Store) insertSession(ctx context.Context, id string, userID int64, csrf string, expires time.Time, ip, ua string) error {
	_, err := s.db.Exec(ctx, s.q.Get("session_insert"), hashSecret(id), userID, csrf, expires, ip, ua)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

func (s *Store) lookupSession(ctx context.Context, id string, idle time.Duration) (sessionRow, error) {
	var r sessionRow
	var role string
	p := &r.Principal
	err := s.db.QueryRow(ctx, s.q.Get("session_lookup"), hashSecret(id), idle).
		Scan(&r.CSRF, &r.ExpiresAt, &r.LastSeen, &p.UserID, &p.Username, &role, &p.Provinces, &p.Kabupaten)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("look up session: %w", err)
	}
	p.Role = access.Role(role)
	return r, nil
}

func (s *Store) touchSession(ctx context.Context, id string) error {
	_, err := s.db.Exec(ctx, s.q.Get("session_touch"), hashSecret(id))
	return err
}

func (s *Store) deleteSession(ctx context.Context, id string) error {
	_, err := s.db.Exec(ctx, s.q.Get("session_delete"), hashSecret(id))
	return err
}

// Purge deletes expired sessions and old login attempts.
func (s *Store) Purge(ctx context.Context, idle time.Duration) error {
	if _, err := s.db.Exec(ctx, s.q.Get("session_purge"), idle); err != nil {
		return fmt.Errorf("purge sessions: %w", err)
	}
	if _, err := s.db.Exec(ctx, s.q.Get("attempt_purge")); err != nil {
		return fmt.Errorf("purge login attempts: %w", err)
	}
	return nil
}

// TokenPrefix starts every API token, so leaked tokens are easy to grep for.
const TokenPrefix = "wsp_"

// DefaultTokenLifetime is how long an API token lives when its creator does
// not say: every token expires, so a forgotten one stops working by itself.
const DefaultTokenLifetime = 90 * 24 * time.Hour

// CreateToken makes an API token for the user, valid until expires (zero:
// DefaultTokenLifetime from now), and returns it; only its hash is stored,
// so it is shown once.
func (s *Store) CreateToken(ctx context.Context, username, name string, expires time.Time) (string, error) {
	if name == "" || len(name) > 64 {
		return "", errors.New("token name: want 1-64 characters")
	}
	tok := TokenPrefix + randomToken(32)
	if expires.IsZero() {
		expires = time.Now().Add(DefaultTokenLifetime)
	}
	var id int64
	err := s.db.QueryRow(ctx, s.q.Get("token_insert"), username, name, hashSecret(tok), expires).Scan(&id)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return "", fmt.Errorf("token %q of %s: %w", name, username, ErrExists)
	}
	if err != nil {
		return "", notFound("user "+username, err)
	}
	return tok, nil
}

// RevokeToken revokes the named token of a user.
// epoch is the rights counter of migration 010.
func (s *Store) epoch(ctx context.Context) (int64, error) {
	var e int64
	err := s.db.QueryRow(ctx, s.q.Get("auth_epoch")).Scan(&e)
	return e, err
}

func (s *Store) RevokeToken(ctx context.Context, username, name string) error {
	var id int64
	if err := s.db.QueryRow(ctx, s.q.Get("token_revoke"), username, name).Scan(&id); err != nil {
		return notFound("token "+name, err)
	}
	return nil
}

func (s *Store) lookupToken(ctx context.Context, tok string) (int64, access.Principal, error) {
	var id int64
	var p access.Principal
	var role string
	err := s.db.QueryRow(ctx, s.q.Get("token_lookup"), hashSecret(tok)).
		Scan(&id, &p.UserID, &p.Username, &role, &p.Provinces, &p.Kabupaten)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, p, ErrNotFound
	}
	if err != nil {
		return 0, p, fmt.Errorf("look up token: %w", err)
	}
	p.Role = access.Role(role)
	return id, p, nil
}

func (s *Store) touchToken(ctx context.Context, id int64) error {
	_, err := s.db.Exec(ctx, s.q.Get("token_touch"), id)
	return err
}

func (s *Store) recordAttempt(ctx context.Context, username, ip string, success bool) error {
	_, err := s.db.Exec(ctx, s.q.Get("attempt_insert"), username, ip, success)
	return err
}

// failures returns the failed attempts since `since` (for a user: since their last
// success) and the time of the newest.
// failures counts failed logins for key since a time; more keys (an address)
// follow as $3, ….
func (s *Store) failures(ctx context.Context, query, key string, since time.Time, more ...string) (int, time.Time, error) {
	var n int
	var last *time.Time
	args := []any{key, since}
	for _, m := range more {
		args = append(args, m)
	}
	if err := s.db.QueryRow(ctx, s.q.Get(query), args...).Scan(&n, &last); err != nil {
		return 0, time.Time{}, fmt.Errorf("count login failures: %w", err)
	}
	if last == nil {
		return n, time.Time{}, nil
	}
	return n, *last, nil
}
