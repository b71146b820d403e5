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
