-- 0018: notifications per minute by operation, sub-operation and status,
-- kept by the receiver's group commit in the same transaction as the
-- events, for the event log's chart (store.EventCounts). A retry adds no
-- count: it is not a new notification.
CREATE TABLE webhook_event_counts (
    minute        INTEGER NOT NULL,
    operation     TEXT NOT NULL COLLATE NOCASE,
    sub_operation TEXT NOT NULL COLLATE NOCASE,
    status        TEXT NOT NULL COLLATE NOCASE,
    n             INTEGER NOT NULL,
    PRIMARY KEY (minute, operation, sub_operation, status)
) WITHOUT ROWID;
INSERT INTO webhook_event_counts(minute, operation, sub_operation, status, n)
    SELECT received_at / 60000, operation, sub_operation, status, count(*)
    FROM webhook_events GROUP BY 1, 2, 3, 4;

-- The same per hour (hour = minute / 60), so the last day's chart reads 24
-- rows per combination rather than 1,440.
CREATE TABLE webhook_event_counts_hourly (
    hour          INTEGER NOT NULL,
    operation     TEXT NOT NULL COLLATE NOCASE,
    sub_operation TEXT NOT NULL COLLATE NOCASE,
    status        TEXT NOT NULL COLLATE NOCASE,
    n             INTEGER NOT NULL,
    PRIMARY KEY (hour, operation, sub_operation, status)
) WITHOUT ROWID;
INSERT INTO webhook_event_counts_hourly(hour, operation, sub_operation, status, n)
    SELECT received_at / 3600000, operation, sub_operation, status, count(*)
    FROM webhook_events GROUP BY 1, 2, 3, 4;
