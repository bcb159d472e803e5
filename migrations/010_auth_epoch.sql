-- A counter that every change to an account's rights bumps (disable, password,
-- role or scope, token revocation), whichever process made it: the running
-- server polls it and drops its credential cache at once, so `waspada user
-- disable` or `user token revoke` takes effect within a second, not after the
-- cache's time-to-live.
CREATE TABLE auth_epoch (
    id    boolean PRIMARY KEY DEFAULT true CHECK (id),
    epoch bigint NOT NULL DEFAULT 0
);
INSERT INTO auth_epoch DEFAULT VALUES;

CREATE FUNCTION auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_epoch SET epoch = epoch + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER app_user_rights_changed
    AFTER UPDATE OF disabled, password_hash, role, provinces, kabupaten OR DELETE ON app_user
    FOR EACH STATEMENT EXECUTE FUNCTION auth_epoch_bump();
CREATE TRIGGER api_token_revoked
    AFTER UPDATE OF revoked_at, expires_at OR DELETE ON api_token
    FOR EACH STATEMENT EXECUTE FUNCTION auth_epoch_bump();
