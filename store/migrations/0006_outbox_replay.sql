-- 0006: a replay re-sends a stored event's message under its own webhook-id
-- (retries of one message share it), so outbox.webhook_id is no longer
-- unique; and each row may say which authentication scheme it goes out
-- with. SQLite cannot drop a column constraint, so outbox is rebuilt; its
-- attempts are set aside meanwhile, since their foreign key points at it.

CREATE TABLE outbox_attempts_keep AS SELECT * FROM outbox_attempts;
DROP TABLE outbox_attempts;

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    -- webhook_id is the Standard Webhooks message id, the same on every
    -- attempt of this row. A replay of a signed event is a new row with the
    -- event's own id, so the receiver files it as one more attempt.
    webhook_id      TEXT NOT NULL,
    operation_id    TEXT NOT NULL,
    operation       TEXT NOT NULL,
    sub_operation   TEXT NOT NULL,
    status          TEXT NOT NULL,
    card_id         TEXT NOT NULL DEFAULT '',
    wallet_id       TEXT NOT NULL DEFAULT '',
    body            BLOB NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('simulate', 'edited', 'replay', 'burst')),
    mode            TEXT NOT NULL DEFAULT 'normal' CHECK (mode IN ('normal', 'bad_key', 'stale_timestamp', 'malformed_json')),
    -- scheme is how the row authenticates: '' the dispatcher's setting,
    -- 'standard' the Standard Webhooks signature only, 'provider' the
    -- provider's key only (a replay of an event that came with the key).
    scheme          TEXT NOT NULL DEFAULT '' CHECK (scheme IN ('', 'standard', 'provider')),
    replay_of_event TEXT,
    burst_id        INTEGER,
    actor           TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);
INSERT INTO outbox_new(id, webhook_id, operation_id, operation, sub_operation, status, card_id, wallet_id, body,
    source, mode, replay_of_event, burst_id, actor, state, attempts, next_attempt_at, created_at, done_at)
    SELECT id, webhook_id, operation_id, operation, sub_operation, status, card_id, wallet_id, body,
    source, mode, replay_of_event, burst_id, actor, state, attempts, next_attempt_at, created_at, done_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_card ON outbox(card_id, id);
CREATE INDEX outbox_single ON outbox(id) WHERE burst_id IS NULL;
CREATE INDEX outbox_replay ON outbox(replay_of_event, id) WHERE replay_of_event IS NOT NULL;
CREATE INDEX outbox_burst ON outbox(burst_id, state) WHERE burst_id IS NOT NULL;
CREATE INDEX outbox_webhook ON outbox(webhook_id);

CREATE TABLE outbox_attempts (
    id            INTEGER PRIMARY KEY,
    outbox_id     INTEGER NOT NULL REFERENCES outbox(id),
    n             INTEGER NOT NULL,
    target        TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    -- http_status is 0 when no answer came (refused connection, timeout).
    http_status   INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    response_head TEXT NOT NULL DEFAULT '',
    retry_after_ms INTEGER,
    UNIQUE (outbox_id, n)
);
INSERT INTO outbox_attempts(id, outbox_id, n, target, started_at, duration_ms, http_status, error, response_head, retry_after_ms)
    SELECT id, outbox_id, n, target, started_at, duration_ms, http_status, error, response_head, retry_after_ms
    FROM outbox_attempts_keep;
DROP TABLE outbox_attempts_keep;
