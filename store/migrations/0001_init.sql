-- 0001: the console's own tables (settings, users, sessions, audit) and the
-- sandbox issuer's domain (wallets, cards, numbers history, movements,
-- tokenizations). Times are Unix milliseconds; money is integer cents.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- A session row is what makes a cookie worth anything: sign-out deletes it,
-- so a copied cookie is refused afterwards. id is the SHA-256 of the token
-- that the (signed, encrypted) cookie carries.
CREATE TABLE sessions (
    id           BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    remote_addr  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    actor_level INTEGER NOT NULL DEFAULT 0,
    remote_addr TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL CHECK (result IN ('ok', 'refused', 'error')),
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_target ON audit_log(target_type, target_id, id);
CREATE INDEX audit_log_actor ON audit_log(actor, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE wallets (
    id         TEXT PRIMARY KEY,
    alias      TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    address    TEXT NOT NULL UNIQUE,
    blockchain TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('HOLDING', 'CARD', 'VIRTUAL')),
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE wallet_balances (
    wallet_id     TEXT NOT NULL REFERENCES wallets(id),
    symbol        TEXT NOT NULL,
    name          TEXT NOT NULL,
    token_address TEXT NOT NULL,
    balance_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (wallet_id, symbol)
);

CREATE TABLE wallet_movements (
    id               TEXT PRIMARY KEY,
    wallet_id        TEXT NOT NULL REFERENCES wallets(id),
    kind             TEXT NOT NULL CHECK (kind IN ('DEPOSIT', 'WITHDRAW')),
    tx_hash          TEXT NOT NULL,
    from_address     TEXT NOT NULL DEFAULT '',
    to_address       TEXT NOT NULL DEFAULT '',
    amount_cents     INTEGER NOT NULL,
    net_amount_cents INTEGER NOT NULL,
    token_symbol     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('SUCCESS', 'PENDING', 'FAILED', 'CANCELLED')),
    created_at       INTEGER NOT NULL
);
CREATE INDEX wallet_movements_wallet ON wallet_movements(wallet_id, created_at);

CREATE TABLE cards (
    id                  TEXT PRIMARY KEY,
    card_holder_name    TEXT NOT NULL,
    -- name_norm is the holder's name lower-cased with accents removed, so a
    -- search for "jose muller" finds "José Müller".
    name_norm           TEXT NOT NULL,
    email               TEXT NOT NULL DEFAULT '',
    phone_dial_code     TEXT NOT NULL DEFAULT '',
    phone_number        TEXT NOT NULL DEFAULT '',
    -- phone_norm is dial code and number as digits only.
    phone_norm          TEXT NOT NULL DEFAULT '',
    type                TEXT NOT NULL CHECK (type IN ('VIRTUAL', 'PHYSICAL')),
    bin                 TEXT NOT NULL,
    last4               TEXT NOT NULL,
    exp_month           INTEGER NOT NULL,
    exp_year            INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('ACTIVE', 'FROZEN', 'INACTIVE', 'BLOCKED', 'EXPIRED', 'DELETED')),
    approval_method     TEXT NOT NULL CHECK (approval_method IN ('NONE', 'WEBHOOK', 'TOP_UP', 'DEFI')),
    daily_limit_cents   INTEGER,
    weekly_limit_cents  INTEGER,
    monthly_limit_cents INTEGER,
    forwarded_3ds_type  TEXT NOT NULL DEFAULT 'AUTOMATIC',
    balance_cents       INTEGER NOT NULL DEFAULT 0,
    wallet_id           TEXT REFERENCES wallets(id),
    -- version is bumped by every change to the card's number or state, so
    -- a form prepared against an older version can be refused.
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX cards_last4 ON cards(last4);
CREATE INDEX cards_email ON cards(email COLLATE NOCASE);
CREATE INDEX cards_phone_norm ON cards(phone_norm);
CREATE INDEX cards_wallet ON cards(wallet_id);

-- Every number a card has had. The full PAN is never stored: pan_hash is a
-- keyed HMAC of it (for uniqueness), first6 and last4 are what is shown.
CREATE TABLE card_numbers (
    id             INTEGER PRIMARY KEY,
    card_id        TEXT NOT NULL REFERENCES cards(id),
    first6         TEXT NOT NULL,
    last4          TEXT NOT NULL,
    pan_hash       BLOB NOT NULL UNIQUE,
    exp_month      INTEGER NOT NULL,
    exp_year       INTEGER NOT NULL,
    active_from    INTEGER NOT NULL,
    inactive_since INTEGER
);
CREATE INDEX card_numbers_card ON card_numbers(card_id, id);
CREATE INDEX card_numbers_last4 ON card_numbers(last4);

CREATE TABLE card_transactions (
    id                       TEXT PRIMARY KEY,
    card_id                  TEXT NOT NULL REFERENCES cards(id),
    parent_id                TEXT REFERENCES card_transactions(id),
    datetime                 INTEGER NOT NULL,
    operation                TEXT NOT NULL CHECK (operation IN ('AUTHORIZATION', 'CLEARING', 'REFUND', 'REVERSAL')),
    status                   TEXT NOT NULL CHECK (status IN ('SUCCESS', 'PENDING', 'FAILED')),
    bill_amount_cents        INTEGER NOT NULL,
    bill_currency            TEXT NOT NULL DEFAULT 'USD',
    transaction_amount_cents INTEGER NOT NULL,
    transaction_currency     TEXT NOT NULL,
    exchange_rate            TEXT NOT NULL DEFAULT '1',
    merchant_name            TEXT NOT NULL DEFAULT '',
    merchant_city            TEXT NOT NULL DEFAULT '',
    merchant_country         TEXT NOT NULL DEFAULT '',
    merchant_mcc             TEXT NOT NULL DEFAULT '',
    original_balance_cents   INTEGER NOT NULL,
    new_balance_cents        INTEGER NOT NULL,
    decline_code             TEXT NOT NULL DEFAULT '',
    decline_description      TEXT NOT NULL DEFAULT '',
    fee_fx_cents             INTEGER NOT NULL DEFAULT 0,
    fee_atm_cents            INTEGER NOT NULL DEFAULT 0,
    source_operation_id      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX card_transactions_card ON card_transactions(card_id, datetime, id);
CREATE INDEX card_transactions_parent ON card_transactions(parent_id) WHERE parent_id IS NOT NULL;

-- Mobile-wallet tokens (Google Pay, Apple Pay, ...) stay linked across a reissue.
CREATE TABLE card_tokenizations (
    id              TEXT PRIMARY KEY,
    card_id         TEXT NOT NULL REFERENCES cards(id),
    wallet_provider TEXT NOT NULL,
    device_name     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DELETED')),
    created_at      INTEGER NOT NULL
);
CREATE INDEX card_tokenizations_card ON card_tokenizations(card_id);
