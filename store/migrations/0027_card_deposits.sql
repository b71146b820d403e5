-- 0027: every deposit to a card, so the card page can tell the whole story
-- of its balance. A deposit changes the balance but is not a card
-- transaction (card_transactions holds the provider's AUTHORIZATION,
-- CLEARING, REFUND and REVERSAL); the provider's card-transaction search
-- lists it as WALLET_DEPOSIT, "crypto/money added to a card". One row per
-- simulated deposit, whatever its outcome: a FAILED or CANCELLED one leaves
-- the balance as it was (new = original).

CREATE TABLE card_deposits (
    id                     TEXT PRIMARY KEY,
    card_id                TEXT NOT NULL REFERENCES cards(id),
    at                     INTEGER NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('SUCCESS', 'FAILED', 'CANCELLED')),
    amount_cents           INTEGER NOT NULL,
    fee_cents              INTEGER NOT NULL,
    net_cents              INTEGER NOT NULL,
    token                  TEXT NOT NULL,
    original_balance_cents INTEGER NOT NULL,
    new_balance_cents      INTEGER NOT NULL,
    wallet_id              TEXT NOT NULL DEFAULT '',
    tx_hash                TEXT NOT NULL DEFAULT '',
    from_address           TEXT NOT NULL DEFAULT '',
    reason                 TEXT NOT NULL DEFAULT '',
    source_operation_id    TEXT NOT NULL DEFAULT ''
);
-- The card page reads a card's newest deposits (its Movements, its balance
-- chart) on this index, as it reads card_transactions_card.
CREATE INDEX card_deposits_card ON card_deposits(card_id, at, id);
