-- 0030: a burst can be stopped (store.StopBurst): its notifications not yet
-- delivered are deleted, and the burst keeps how many, who stopped it and
-- when, so its progress still adds up.
ALTER TABLE bursts ADD COLUMN stopped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bursts ADD COLUMN stopped_by TEXT NOT NULL DEFAULT '';
ALTER TABLE bursts ADD COLUMN stopped_at INTEGER;
