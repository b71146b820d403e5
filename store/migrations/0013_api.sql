-- 0013: the provider API served by the sandbox: API keys with a level and an
-- allowlist, the answers kept for Idempotency-Key retries, and the request
-- log of every API call.

-- An API key is shown once when it is made; only its SHA-256 is kept.
CREATE TABLE api_keys (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    key_hash       BLOB NOT NULL UNIQUE,
    -- prefix is the key's first characters (cok_ and four more), so a
    -- person can tell their keys apart; it is no secret.
    prefix         TEXT NOT NULL,
    -- allowlist is addresses and CIDR ranges separated by commas; '' lets
    -- every address in.
    allowlist      TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER,
    last_used_addr TEXT NOT NULL DEFAULT '',
    revoked_at     INTEGER,
    revoked_by     TEXT NOT NULL DEFAULT ''
);

-- The first answer to a write call sent with an Idempotency-Key, replayed to
-- a retry with the same key and body; kept 24 hours.
CREATE TABLE api_idempotency (
    key_id      INTEGER NOT NULL REFERENCES api_keys(id),
    idem_key    TEXT NOT NULL,
    body_hash   BLOB NOT NULL,
    status      INTEGER NOT NULL,
    response    BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);

-- Every API call: the newest 100,000 are kept. Bodies are cut to 4 KiB and
-- hold no key, no webhook key and no card number.
CREATE TABLE api_requests (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    key_id        INTEGER,
    key_name      TEXT NOT NULL DEFAULT '',
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    query         TEXT NOT NULL DEFAULT '',
    status        INTEGER NOT NULL,
    duration_us   INTEGER NOT NULL,
    trace_id      TEXT NOT NULL,
    card_id       TEXT NOT NULL DEFAULT '',
    remote_addr   TEXT NOT NULL DEFAULT '',
    idem_key      TEXT NOT NULL DEFAULT '',
    replayed      INTEGER NOT NULL DEFAULT 0,
    request_body  TEXT NOT NULL DEFAULT '',
    response_body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_requests_key ON api_requests(key_name, id);
CREATE INDEX api_requests_card ON api_requests(card_id, id);
CREATE INDEX api_requests_status ON api_requests(status, id);
