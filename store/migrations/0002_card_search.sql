-- 0002: card search. One search box finds a card by id prefix, current or
-- former last 4, any part of the holder's name, an e-mail or a phone number;
-- every kind is answered from an index (see store/card_search.go).

-- Name fragments: an FTS5 trigram index over cards.name_norm (already lower
-- case without accents). External content: the text stays in cards, the
-- index keys on cards.rowid. A quoted fragment is a phrase of trigrams,
-- which the index answers on its own (positions kept: detail=full), so a
-- search reads no card row but those it shows. The triggers keep it in sync;
-- a bulk loader may drop them and rebuild instead (store.CardSearchBulkLoad).
-- cards has no INTEGER PRIMARY KEY, so a VACUUM may renumber its rowids:
-- run store.RebuildCardSearchIndex after one.
CREATE VIRTUAL TABLE cards_name_fts USING fts5(
    name_norm,
    content = 'cards',
    content_rowid = 'rowid',
    tokenize = 'trigram',
    columnsize = 0
);

CREATE TRIGGER cards_name_fts_insert AFTER INSERT ON cards
BEGIN
    INSERT INTO cards_name_fts(rowid, name_norm) VALUES (new.rowid, new.name_norm);
END;

CREATE TRIGGER cards_name_fts_delete AFTER DELETE ON cards
BEGIN
    INSERT INTO cards_name_fts(cards_name_fts, rowid, name_norm) VALUES ('delete', old.rowid, old.name_norm);
END;

CREATE TRIGGER cards_name_fts_update AFTER UPDATE OF name_norm ON cards
BEGIN
    INSERT INTO cards_name_fts(cards_name_fts, rowid, name_norm) VALUES ('delete', old.rowid, old.name_norm);
    INSERT INTO cards_name_fts(rowid, name_norm) VALUES (new.rowid, new.name_norm);
END;

-- Phone numbers: phone_norm is the dial code and number as digits
-- ("34612345678" for "+34" "612345678"), indexed since 0001. This is the
-- national part of it, so "612 34 56 78" typed without the dial code is an
-- index range too. The expression must be spelt exactly like this in
-- queries for the index to be used.
CREATE INDEX cards_phone_national ON cards(substr(phone_norm, length(phone_dial_code)));

-- Former numbers by last 4: only the numbers a card no longer has, with the
-- card id, so "former last 4" reads this small index and then the cards.
CREATE INDEX card_numbers_former_last4 ON card_numbers(last4, card_id) WHERE inactive_since IS NOT NULL;

-- The e-mail index of 0001 (email COLLATE NOCASE) serves prefix ranges;
-- last4 on cards is indexed since 0001.

INSERT INTO cards_name_fts(cards_name_fts) VALUES ('rebuild');
