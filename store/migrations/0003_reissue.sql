-- 0003: the guarded two-step reissue. A request is made at step 1, bound to
-- the admin who made it (the maker), the card and the card's version at that
-- moment; it is valid for 10 minutes and is used at most once (step 2, by the
-- maker, or by a second admin in four-eyes mode).
CREATE TABLE reissue_requests (
    id              TEXT PRIMARY KEY,
    card_id         TEXT NOT NULL REFERENCES cards(id),
    card_version    INTEGER NOT NULL,
    maker_id        INTEGER NOT NULL REFERENCES users(id),
    maker           TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('LOST', 'STOLEN', 'DAMAGED', 'SUSPECTED_FRAUD', 'OTHER')),
    note            TEXT NOT NULL DEFAULT '',
    -- four_eyes records the mode the request was made in: a second admin
    -- must confirm it.
    four_eyes       INTEGER NOT NULL DEFAULT 0,
    -- status is PENDING until the request is used (DONE), cancelled (five
    -- wrong tries, the card changed or was deleted), rejected by a second
    -- admin, or found expired.
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'DONE', 'CANCELLED', 'REJECTED', 'EXPIRED')),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    checker_id      INTEGER REFERENCES users(id),
    checker         TEXT NOT NULL DEFAULT '',
    -- decision_note says why a request was cancelled or rejected.
    decision_note   TEXT NOT NULL DEFAULT '',
    old_last4       TEXT NOT NULL,
    old_exp_month   INTEGER NOT NULL,
    old_exp_year    INTEGER NOT NULL,
    new_last4       TEXT NOT NULL DEFAULT '',
    new_exp_month   INTEGER NOT NULL DEFAULT 0,
    new_exp_year    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reissue_requests_card ON reissue_requests(card_id, created_at);
CREATE INDEX reissue_requests_status ON reissue_requests(status, created_at);
