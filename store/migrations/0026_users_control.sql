-- 0026: who controls an account, so four-eyes reissue can refuse a second
-- admin the maker controls (store/reissue_checker.go). Times are Unix
-- milliseconds; ids are users.id.
--   credentials_set_by  the admin who last chose this account's password for
--                       it in the console (created the account, reset its
--                       password) or turned its two-factor off; NULL when
--                       the command line did, or nobody did. The person's
--                       own password change leaves it as it is: they made
--                       the change with a password that admin knew.
--   credentials_set_at  when someone other than the person last set the
--                       password (that admin or the command line)
--   admin_since         when the account last became level 3; NULL below 3
--   admin_by            the admin who made it level 3 (created it at 3 or
--                       promoted it); NULL when the command line did
ALTER TABLE users ADD COLUMN credentials_set_by INTEGER;
ALTER TABLE users ADD COLUMN credentials_set_at INTEGER;
ALTER TABLE users ADD COLUMN admin_since INTEGER;
ALTER TABLE users ADD COLUMN admin_by INTEGER;

-- Filled from the audit log, which has recorded every console creation,
-- password reset and level change (the command line's `user add` is not
-- audited and so counts as the command line's).
UPDATE users SET (credentials_set_by, credentials_set_at) = (
    SELECT (SELECT m.id FROM users m WHERE m.username = a.actor), a.at
    FROM audit_log a
    WHERE a.target_type = 'user' AND a.target_id = users.username AND a.result = 'ok'
      AND a.action IN ('user.create', 'user.password_reset')
    ORDER BY a.id DESC LIMIT 1);

UPDATE users SET (admin_since, admin_by) = (
    SELECT a.at, (SELECT m.id FROM users m WHERE m.username = a.actor)
    FROM audit_log a
    WHERE a.target_type = 'user' AND a.target_id = users.username AND a.result = 'ok'
      AND ((a.action = 'user.create' AND a.detail LIKE 'level 3;%')
        OR (a.action = 'user.level' AND a.detail LIKE '% → 3;%'))
    ORDER BY a.id DESC LIMIT 1)
WHERE level = 3;
UPDATE users SET admin_since = created_at WHERE level = 3 AND admin_since IS NULL;

-- Recovery codes are kept as HMAC(key, SHA-256(code)) under a key derived
-- from the card-number key, which is never in the database (totp_seal.go):
-- 50-bit codes hashed without a key fall to an offline search of a copy of
-- the database. keyed marks the rows so made; the older rows (SHA-256 only)
-- are keyed once at start-up, in Go, where the key is at hand.
ALTER TABLE recovery_codes ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
