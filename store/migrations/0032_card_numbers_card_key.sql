-- 0032: a former-number search reads only its index.
--
-- A search's key is the card's rowid (the keyset and the order of the
-- results). The former-number arm of a last 4 search found its numbers in
-- card_numbers_former_last4 but then looked each card up by id, for its
-- rowid: about 100 random reads of the cards' id index per last 4 at 10M
-- cards, 0.4-0.5 s when they are not in the page cache. card_key keeps
-- the card's rowid beside the number, and the index holds it instead of
-- the id (and first6, for the masked-number search).
--
-- cards has a TEXT primary key, so SQLite documents that a VACUUM may
-- renumber its rowids: the store rebuilds card_key (and the name index,
-- also keyed by the rowid) after the one VACUUM it runs (pankey.go).
ALTER TABLE card_numbers ADD COLUMN card_key INTEGER;
UPDATE card_numbers SET card_key = (SELECT c.rowid FROM cards c WHERE c.id = card_numbers.card_id);
DROP INDEX card_numbers_former_last4;
CREATE INDEX card_numbers_former_last4 ON card_numbers(last4, card_key, first6, inactive_since) WHERE inactive_since IS NOT NULL;
