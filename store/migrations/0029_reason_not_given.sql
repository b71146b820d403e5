-- 0029: a reissue or a freeze made through the provider API carries no
-- reason (the provider's calls have no such field). They were kept as
-- reason OTHER (reissue) and customer_request (freeze), which nobody gave;
-- NOT_GIVEN / not_given records what is true. The reissue table's CHECK
-- gains NOT_GIVEN (the table is small: it is rebuilt), and the API's past
-- rows, told apart by the note the API alone wrote, are corrected (a
-- freeze's machine-written note goes: the reason's words say it).
CREATE TABLE reissue_requests_new (
    id              TEXT PRIMARY KEY,
    card_id         TEXT NOT NULL REFERENCES cards(id),
    card_version    INTEGER NOT NULL,
    maker_id        INTEGER REFERENCES users(id),
    maker           TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('LOST', 'STOLEN', 'DAMAGED', 'SUSPECTED_FRAUD', 'OTHER', 'NOT_GIVEN')),
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

UPDATE reissue_requests SET reason = 'NOT_GIVEN'
    WHERE maker_id IS NULL AND reason = 'OTHER' AND note = 'one step, through the API';
UPDATE card_status_history SET reason = 'not_given', note = ''
    WHERE actor LIKE 'apikey:%' AND reason = 'customer_request' AND note = 'Through the provider API (PATCH …/frozen).';
