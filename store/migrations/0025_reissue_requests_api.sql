-- 0025: a reissue made through the API (one step, by an API key) is kept as
-- a request too, done at once, so the card's Reissues section, its timeline
-- and the reissues list show it beside the console's. An API key is no
-- user: maker_id may be NULL (maker holds the key's name, apikey:NAME).
-- The table is small (one row per reissue request); it is rebuilt.
CREATE TABLE reissue_requests_new (
    id              TEXT PRIMARY KEY,
    card_id         TEXT NOT NULL REFERENCES cards(id),
    card_version    INTEGER NOT NULL,
    maker_id        INTEGER REFERENCES users(id),
    maker           TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('LOST', 'STOLEN', 'DAMAGED', 'SUSPECTED_FRAUD', 'OTHER')),
    note            TEXT NOT NULL DEFAULT '',
    four_eyes       INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'DONE', 'CANCELLED', 'REJECTED', 'EXPIRED')),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    checker_id      INTEGER REFERENCES users(id),
    checker         TEXT NOT NULL DEFAULT '',
    decision_note   TEXT NOT NULL DEFAULT '',
    old_last4       TEXT NOT NULL,
    old_exp_month   INTEGER NOT NULL,
    old_exp_year    INTEGER NOT NULL,
    new_last4       TEXT NOT NULL DEFAULT '',
    new_exp_month   INTEGER NOT NULL DEFAULT 0,
    new_exp_year    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO reissue_requests_new SELECT * FROM reissue_requests;
DROP TABLE reissue_requests;
ALTER TABLE reissue_requests_new RENAME TO reissue_requests;
CREATE INDEX reissue_requests_card ON reissue_requests(card_id, created_at);
CREATE INDEX reissue_requests_status ON reissue_requests(status, created_at);
