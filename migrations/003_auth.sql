-- Accounts, sessions, API tokens, login attempts and the append-only audit log.
--
-- Database roles. Migrations run as the owning role (the local cluster's
-- superuser, or whoever DATABASE_URL names). `waspada serve` connects as the
-- non-superuser role waspada_app (internal/auth.AppRoleURL creates its login and
-- grants at start-up when it runs as a superuser). waspada_app owns nothing, so it
-- cannot drop or disable triggers, and it holds no UPDATE/DELETE/TRUNCATE on
-- audit_log. The trigger below also stops the owner by accident; only a
-- superuser that disables the trigger on purpose can rewrite history.

-- ---------------------------------------------------------------- users
CREATE TABLE app_user (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role          text NOT NULL CHECK (role IN ('admin', 'kanwil_head', 'intel_officer', 'planner', 'partner')),
    provinces     text[] NOT NULL DEFAULT '{}',
    kabupaten     text[] NOT NULL DEFAULT '{}',
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    -- The scope shapes each role may have (see internal/access).
    CHECK (role <> 'admin' OR (provinces = '{}' AND kabupaten = '{}')),
    CHECK (role <> 'kanwil_head' OR (cardinality(provinces) = 1 AND kabupaten = '{}')),
    CHECK (role <> 'intel_officer' OR (cardinality(kabupaten) >= 1 AND provinces = '{}')),
    CHECK (role NOT IN ('planner', 'partner') OR cardinality(provinces) + cardinality(kabupaten) >= 1)
);

-- ---------------------------------------------------------------- sessions
-- The cookie carries a random 256-bit id; only its SHA-256 is stored, so a copy
-- of this table does not let anyone log in.
CREATE TABLE auth_session (
    id_hash      bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX auth_session_user_ix ON auth_session (user_id);
CREATE INDEX auth_session_expiry_ix ON auth_session (expires_at);

-- ---------------------------------------------------------------- API tokens
CREATE TABLE api_token (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    UNIQUE (user_id, name)
);

-- ---------------------------------------------------------------- login attempts
-- Failed (and successful) logins, per username and per client address, drive the
-- lock-out back-off; kept for a day.
CREATE TABLE login_attempt (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    username text NOT NULL,
    ip       text NOT NULL,
    success  boolean NOT NULL
);
CREATE INDEX login_attempt_user_ix ON login_attempt (username, at);
CREATE INDEX login_attempt_ip_ix   ON login_attempt (ip, at);

-- ---------------------------------------------------------------- audit log
-- Who saw personal data or exported anything: one row per access, never changed.
-- user_id is not a foreign key: audit rows must outlive any change to accounts.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id       bigint NOT NULL,
    username      text NOT NULL,
    role          text NOT NULL,
    scope         text NOT NULL DEFAULT '',
    action        text NOT NULL CHECK (action IN ('personal', 'export', 'admin')),
    method        text NOT NULL,
    route         text NOT NULL,
    layer         text NOT NULL DEFAULT '',
    tile          text NOT NULL DEFAULT '',   -- z/x/y for tile accesses
    area          text NOT NULL DEFAULT '',   -- region code(s) or a polygon's bbox
    rows_returned bigint NOT NULL DEFAULT 0 CHECK (rows_returned >= 0),
    ip            text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_ix   ON audit_log (at);
CREATE INDEX audit_log_user_ix ON audit_log (username, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- ---------------------------------------------------------------- app role
-- Create the application's role when this migration may (superuser or
-- CREATEROLE); a managed database without that right has its DBA create
-- waspada_app and run internal/auth's grants instead (see README).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'waspada_app')
       AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        CREATE ROLE waspada_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
END
$$;
