-- Named queries of internal/auth (see internal/store/named.go).

-- name: user_insert
INSERT INTO app_user (username, password_hash, role, provinces, kabupaten)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: user_by_name
SELECT id, username, password_hash, role, provinces, kabupaten, disabled
FROM app_user WHERE username = $1;

-- name: user_list
SELECT id, username, password_hash, role, provinces, kabupaten, disabled
FROM app_user ORDER BY username;

-- name: user_set_disabled
UPDATE app_user SET disabled = $2 WHERE username = $1 RETURNING id;

-- name: user_set_password
UPDATE app_user SET password_hash = $2, password_changed_at = now() WHERE username = $1 RETURNING id;

-- name: user_set_scope
UPDATE app_user SET role = $2, provinces = $3, kabupaten = $4 WHERE username = $1 RETURNING id;

-- name: session_insert
INSERT INTO auth_session (id_hash, user_id, csrf_token, expires_at, ip, user_agent)
VALUES ($1, $2, $3, $4, $5, $6);

-- A session is only valid while its user is enabled, before its absolute expiry
-- and while it has been used within the idle timeout ($2).
-- name: session_lookup
SELECT s.csrf_token, s.expires_at, s.last_seen_at,
       u.id, u.username, u.role, u.provinces, u.kabupaten
FROM auth_session s JOIN app_user u ON u.id = s.user_id
WHERE s.id_hash = $1 AND NOT u.disabled
  AND s.expires_at > now() AND s.last_seen_at > now() - $2::interval;

-- name: session_touch
UPDATE auth_session SET last_seen_at = now() WHERE id_hash = $1;

-- name: session_delete
DELETE FROM auth_session WHERE id_hash = $1;

-- name: session_delete_user
DELETE FROM auth_session WHERE user_id = (SELECT id FROM app_user WHERE username = $1);

-- name: session_purge
DELETE FROM auth_session WHERE expires_at < now() OR last_seen_at < now() - $1::interval;

-- name: token_insert
INSERT INTO api_token (user_id, name, token_hash, expires_at)
SELECT id, $2, $3, $4 FROM app_user WHERE username = $1
RETURNING id;

-- name: token_lookup
SELECT t.id, u.id, u.username, u.role, u.provinces, u.kabupaten
FROM api_token t JOIN app_user u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled
  AND (t.expires_at IS NULL OR t.expires_at > now());

-- name: token_touch
UPDATE api_token SET last_used_at = now() WHERE id = $1;

-- name: token_revoke
UPDATE api_token SET revoked_at = now()
WHERE name = $2 AND revoked_at IS NULL AND user_id = (SELECT id FROM app_user WHERE username = $1)
RETURNING id;

-- name: attempt_insert
INSERT INTO login_attempt (username, ip, success) VALUES ($1, $2, $3);

-- Failures since the last success (or since $3), and the time of the latest one.
-- name: attempt_failures_user
SELECT count(*), max(at) FROM login_attempt
WHERE username = $1 AND NOT success AND at > $2
  AND at > coalesce((SELECT max(at) FROM login_attempt WHERE username = $1 AND success AND at > $2), $2);

-- name: attempt_failures_user_ip
SELECT count(*), max(at) FROM login_attempt
WHERE username = $1 AND ip = $3 AND NOT success AND at > $2
  AND at > coalesce((SELECT max(at) FROM login_attempt WHERE username = $1 AND ip = $3 AND success AND at > $2), $2);

-- name: attempt_failures_ip
SELECT count(*), max(at) FROM login_attempt
WHERE ip = $1 AND NOT success AND at > $2;

-- name: attempt_purge
DELETE FROM login_attempt WHERE at < now() - interval '1 day';

-- name: auth_epoch
-- Bumped by every change to an account's rights (migration 010).
SELECT epoch FROM auth_epoch
