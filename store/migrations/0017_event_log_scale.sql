-- 0017: the event log at 10 million events. Every filter of the event log
-- reads an index whose last column is id, so a page is a range read in id
-- order that stops at its LIMIT, at any depth (see store.eventsQuery).

-- operation alone: (operation, sub_operation, id) of 0004 would sort every
-- match; it stays for the two together.
CREATE INDEX webhook_events_operation_id ON webhook_events(operation, id);
CREATE INDEX webhook_events_sub_operation ON webhook_events(sub_operation, id);
CREATE INDEX webhook_events_status ON webhook_events(status, id);
-- Card and wallet: the partial indexes of 0004 serve one arm each.

-- Time: the first and last event id received in each minute (UTC, minutes
-- since the epoch), kept by the receiver's group commit. A time range
-- becomes id bounds through it, and retention finds the old events with it,
-- without an index on received_at.
CREATE TABLE webhook_event_minutes (
    minute   INTEGER PRIMARY KEY,
    first_id INTEGER NOT NULL,
    last_id  INTEGER NOT NULL
);
INSERT INTO webhook_event_minutes(minute, first_id, last_id)
    SELECT received_at / 60000, min(id), max(id) FROM webhook_events GROUP BY received_at / 60000;

-- Text in the payload: an FTS5 trigram index over the values of the
-- payload (its strings and numbers as sent, not its keys or punctuation;
-- store.PayloadValues), one row per event, rowid = event id. Contentless:
-- the text is the body's, so only the index is kept; retention removes a
-- row with FTS5's 'delete' command and the same values, recomputed from
-- the body (cardops_payload_values). (contentless_delete=1 was tried: its
-- first delete in a large index took seconds in one transaction.) detail=none keeps only
-- which events hold each trigram: a search asks for every trigram of the
-- term, reads the candidates newest first and checks each against the body
-- with the LIKE the filter always meant.
CREATE VIRTUAL TABLE webhook_events_text USING fts5(
    payload_values,
    content = '',
    tokenize = 'trigram',
    detail = none,
    columnsize = 0
);
INSERT INTO webhook_events_text(rowid, payload_values)
    SELECT id, cardops_payload_values(body) FROM webhook_events;
