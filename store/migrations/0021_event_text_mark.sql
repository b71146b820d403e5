-- 0021: the payload's text index (webhook_events_text, 0017) is written by
-- a background indexer in batches (store.IndexEventText), no longer by the
-- receiver's group commit. indexed_to is its high-water mark: every event
-- with id <= indexed_to has its row in the index, written in the same
-- transaction that moved the mark; a text search finds the newer ones by
-- reading the events above the mark (store.eventsQuery).
CREATE TABLE webhook_events_text_mark (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    indexed_to INTEGER NOT NULL
);
-- Until now the group commit indexed every event it wrote, and 0017 every
-- event before it: the index holds them all.
INSERT INTO webhook_events_text_mark(one, indexed_to) SELECT 1, coalesce(max(id), 0) FROM webhook_events;
