-- 0012: every freeze and unfreeze of a card, with who, why and when. The
-- card's own status column holds the state; this is its story.

CREATE TABLE card_status_history (
    id          INTEGER PRIMARY KEY,
    card_id     TEXT NOT NULL REFERENCES cards(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX card_status_history_card ON card_status_history(card_id, id);
