-- 0017: the event log at 10 million events. Every filter of the event log
-- reads an index whose last column is id, so a page is a range read in id
-- order that stops at its LIMIT (see store.eventsQuery), at any depth.

-- operation alone: (operation, sub_operation, id) would sort every match.
CREATE INDEX webhook_events_operation_id ON webhook_events(operation, id);
-- (operation, sub_operation, id) of 0004 stays for the two together.
CREATE INDEX webhook_events_sub_operation ON webhook_events(sub_operation, id);
CREATE INDEX webhook_events_status ON webhook_events(status, id);
CREATE INDEX webhook_events_operation_status ON webhook_events(operation, status, id);
-- A time range becomes id bounds through this index; retention finds the
-- old rows with it.
CREATE INDEX webhook_events_received ON webhook_events(received_at);
-- Card and wallet: the partial indexes of 0004 serve one arm each.

-- Text in the payload: an FTS5 trigram index over the raw body, external
-- content (the text stays in webhook_events). detail=none keeps only which
-- rows hold each trigram: a search asks for every trigram of the term
-- (AND), reads the candidates newest first and checks each against the body
-- with the LIKE the filter always meant (store.eventsQuery).
CREATE VIRTUAL TABLE webhook_events_fts USING fts5(
    body,
    content = 'webhook_events',
    content_rowid = 'id',
    tokenize = 'trigram',
    detail = none,
    columnsize = 0
);

CREATE TRIGGER webhook_events_fts_insert AFTER INSERT ON webhook_events
BEGIN
    INSERT INTO webhook_events_fts(rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER webhook_events_fts_delete AFTER DELETE ON webhook_events
BEGIN
    INSERT INTO webhook_events_fts(webhook_events_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

-- The body of an event never changes (a retry only counts an attempt).

INSERT INTO webhook_events_fts(webhook_events_fts) VALUES ('rebuild');
