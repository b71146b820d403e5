-- 0015: what an admin needs to manage users and what two-factor sign-in
-- needs. Times are Unix milliseconds.
--   disabled_at           set while an admin has disabled the account
--   must_change_password  the password was set by someone else (one-time)
--   last_sign_in_*        the latest full sign-in and its address
--   totp_secret           the enrolled TOTP secret (base32), '' when off
--   totp_pending          a secret shown for enrolment, not yet confirmed
--   totp_last_step        the last RFC 6238 time step accepted, so a code
--                         is used at most once
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;
ALTER TABLE users ADD COLUMN last_sign_in_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Single-use recovery codes, stored as SHA-256 (they are random, 50 bits
-- and more, so a fast hash is enough).
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    used_at   INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- The half-signed-in state between the password and the second factor:
-- id is the SHA-256 of the token the browser's cookie carries.
CREATE TABLE login_challenges (
    id          BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    remote_addr TEXT NOT NULL DEFAULT ''
);
