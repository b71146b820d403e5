-- 0004: the embedded webhook receiver's event log. One row per notification
-- (retries of it are deduplicated on dedupe_key) holding its first delivery,
-- one row per further delivery attempt (retry), and a bounded table of
-- refused deliveries.

CREATE TABLE webhook_events (
    id               INTEGER PRIMARY KEY,
    -- dedupe_key is "wh:<webhook-id>" for a Standard Webhooks delivery, else
    -- "op:<operation_id>|<sub_operation>|<status>"; a retry has the same key.
    dedupe_key       TEXT NOT NULL UNIQUE,
    webhook_id       TEXT NOT NULL DEFAULT '',
    operation        TEXT NOT NULL COLLATE NOCASE,
    sub_operation    TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    operation_id     TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    status_raw       TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    card_id          TEXT NOT NULL DEFAULT '',
    wallet_id        TEXT NOT NULL DEFAULT '',
    -- body is the raw body of the first delivery, exactly as received;
    -- headers (a JSON object, secrets redacted), remote_addr and
    -- verification are the first delivery's too.
    body             TEXT NOT NULL,
    headers          TEXT NOT NULL,
    remote_addr      TEXT NOT NULL DEFAULT '',
    verification     TEXT NOT NULL,
    received_at      INTEGER NOT NULL,
    last_received_at INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX webhook_events_card ON webhook_events(card_id, id) WHERE card_id <> '';
CREATE INDEX webhook_events_wallet ON webhook_events(wallet_id, id) WHERE wallet_id <> '';
CREATE INDEX webhook_events_operation ON webhook_events(operation, sub_operation, id);

-- Every retry of a stored event (the first delivery lives in the event
-- row). headers is a JSON object of the request's headers, secrets redacted.
CREATE TABLE webhook_retries (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES webhook_events(id),
    received_at  INTEGER NOT NULL,
    remote_addr  TEXT NOT NULL DEFAULT '',
    headers      TEXT NOT NULL,
    verification TEXT NOT NULL,
    body_sha256  TEXT NOT NULL
);
CREATE INDEX webhook_retries_event ON webhook_retries(event_id, id);

-- Refused deliveries (bad credentials, stale, malformed, too large), kept so
-- an integration problem shows in the console. Bounded to the newest 10,000;
-- body is truncated.
CREATE TABLE webhook_refusals (
    id           INTEGER PRIMARY KEY,
    received_at  INTEGER NOT NULL,
    remote_addr  TEXT NOT NULL DEFAULT '',
    http_status  INTEGER NOT NULL,
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    headers      TEXT NOT NULL,
    body         BLOB NOT NULL,
    body_size    INTEGER NOT NULL
);
