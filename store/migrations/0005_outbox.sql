-- 0005: the durable outbox. A simulation writes its effect and its
-- notification in one transaction; the dispatcher delivers each row over
-- HTTP and records every attempt. Rows are never deleted: a delivered row
-- keeps its attempts.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- webhook_id is the Standard Webhooks message id, the same on every
    -- attempt of this row (a replay is a new row, so a new message).
    webhook_id      TEXT NOT NULL UNIQUE,
    operation_id    TEXT NOT NULL,
    operation       TEXT NOT NULL,
    sub_operation   TEXT NOT NULL,
    status          TEXT NOT NULL,
    card_id         TEXT NOT NULL DEFAULT '',
    wallet_id       TEXT NOT NULL DEFAULT '',
    body            BLOB NOT NULL,
    -- source says what wrote the row; mode how the dispatcher sends it
    -- (normal, or deliberately broken so QA sees the receiver refuse it).
    source          TEXT NOT NULL CHECK (source IN ('simulate', 'edited', 'replay', 'burst')),
    mode            TEXT NOT NULL DEFAULT 'normal' CHECK (mode IN ('normal', 'bad_key', 'stale_timestamp', 'malformed_json')),
    -- replay_of_event is the receiver's event id this row delivers again.
    replay_of_event TEXT,
    burst_id        INTEGER,
    actor           TEXT NOT NULL DEFAULT '',
    -- state: pending until a 2xx (delivered); a deliberately broken row is
    -- sent once and ends refused (or delivered, if the receiver took it).
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_card ON outbox(card_id, id);
-- The Simulate page lists the latest rows that are not part of a burst.
CREATE INDEX outbox_single ON outbox(id) WHERE burst_id IS NULL;
CREATE INDEX outbox_replay ON outbox(replay_of_event, id) WHERE replay_of_event IS NOT NULL;
CREATE INDEX outbox_burst ON outbox(burst_id, state) WHERE burst_id IS NOT NULL;

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

CREATE TABLE bursts (
    id         INTEGER PRIMARY KEY,
    total      INTEGER NOT NULL,
    template   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
