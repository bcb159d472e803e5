package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AppRole is the database role `waspada serve` runs as: not a superuser, owner
// of nothing, no UPDATE/DELETE/TRUNCATE on audit_log.
const AppRole = "waspada_app"

// grantSQL gives the app role what serving needs on every table that exists now
// (so tables of later migrations are covered on the next start) and takes back
// what it must not have. Run by the owning role.
var grantSQL = []string{
	`GRANT USAGE ON SCHEMA public TO waspada_app`,
	`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO waspada_app`,
	`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO waspada_app`,
	// tables the same (owning) role creates later, e.g. by a migration while
	// the server runs, are usable without a restart
	`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO waspada_app`,
	`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO waspada_app`,
	`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM waspada_app`,
	`REVOKE ALL ON schema_version FROM waspada_app`,
}

// GrantAppRole applies the grants of the app role in the database behind pool
// (which must be connected as the owner or a superuser).
func GrantAppRole(ctx context.Context, pool *pgxpool.Pool) error {
	for _, q := range grantSQL {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("grant app role (%s): %w", q, err)
		}
	}
	return nil
}

// AppDatabaseURL returns the URL `serve` should use for its pool:
//   - WASPADA_APP_DATABASE_URL when set (a DBA-managed app role);
//   - when adminURL connects as a superuser (the local cluster, or a superuser
//     DATABASE_URL): the waspada_app role, whose login is enabled here with a
//     password derived from the superuser's (HMAC), so it is stable across
//     restarts and known only to whoever knows the superuser password;
//   - otherwise adminURL itself, with ok=false: the caller should warn that the
//     audit log is then protected by its trigger only (the owner could drop it).
func AppDatabaseURL(ctx context.Context, admin *pgxpool.Pool, adminURL string) (string, bool, error) {
	if u := os.Getenv("WASPADA_APP_DATABASE_URL"); u != "" {
		return u, true, nil
	}
	var super bool
	if err := admin.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return "", false, fmt.Errorf("check database role: %w", err)
	}
	if !super {
		return adminURL, false, nil
	}
	u, err := url.Parse(adminURL)
	if err != nil || u.User == nil {
		return "", false, errors.New("database URL: cannot derive the app role's login (use a postgres:// URL with a password, or set WASPADA_APP_DATABASE_URL)")
	}
	superPW, has := u.User.Password()
	if !has || superPW == "" {
		return "", false, errors.New("the superuser URL has no password to derive the app role's from: set WASPADA_APP_DATABASE_URL")
	}
	mac := hmac.New(sha256.New, []byte(superPW))
	mac.Write([]byte("waspada_app login v1"))
	pw := hex.EncodeToString(mac.Sum(nil)) // hex: safe inside a SQL literal
	// Several servers or test packages may do this at once on one cluster:
	// role rows are shared, and PostgreSQL answers concurrent ALTER ROLE with
	// "tuple concurrently updated" (or a duplicate on CREATE ROLE), so retry.
	for attempt := 0; attempt < 20; attempt++ {
		if err = ensureAppLogin(ctx, admin, pw); err == nil || !retryable(err) {
			break
		}
		time.Sleep(time.Duration(20+attempt*20) * time.Millisecond)
	}
	if err != nil {
		return "", false, err
	}
	u.User = url.UserPassword(AppRole, pw)
	return u.String(), true, nil
}

func ensureAppLogin(ctx context.Context, admin *pgxpool.Pool, pw string) error {
	if _, err := admin.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'waspada_app') THEN
			CREATE ROLE waspada_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
		END IF; END $$`); err != nil {
		return fmt.Errorf("create app role: %w", err)
	}
	if _, err := admin.Exec(ctx, `ALTER ROLE waspada_app WITH LOGIN PASSWORD '`+pw+`'`); err != nil {
		return fmt.Errorf("enable app role login: %w", err)
	}
	return GrantAppRole(ctx, admin)
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "XX000", "23505", "40001", "40P01": // tuple concurrently updated, duplicate role, serialization, deadlock
		return true
	}
	return false
}
