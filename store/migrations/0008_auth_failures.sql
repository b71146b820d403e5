-- 0008: failed password checks (sign-in and the reissue step-up), kept in the
-- database so throttling survives a restart. A sign-in row is written before
-- the password is checked (a reservation) and deleted when it was right, so
-- guesses sent in parallel are counted before any of them is checked; an
-- admin's step-up checks run one at a time. Rows older than the longest
-- window are pruned.
CREATE TABLE auth_failures (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('sign_in', 'step_up')),
    -- account is the username as typed, trimmed and lower-cased (at most
    -- 256 bytes); address the peer's IP, IPv6 cut to its /64.
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX auth_failures_account ON auth_failures(kind, account, at);
CREATE INDEX auth_failures_address ON auth_failures(kind, address, at);
CREATE INDEX auth_failures_at ON auth_failures(at);
