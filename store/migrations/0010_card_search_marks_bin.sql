-- 0010: card search finds "O'Connor" for "oconnor" and a card by its BIN.
--
-- store.NormalizeName now drops apostrophes and hyphens (typographic ones
-- were already folded to ASCII ' and - in name_norm). Refold the stored
-- names the same way: remove them, then close the double spaces left by a
-- mark that stood between two spaces ("smith - jones") and trim. Only the
-- names holding a mark change; the update trigger of 0002 moves each one in
-- the trigram index. Cost: one pass over cards to find them, plus a row and
-- an index update per changed name (about 3% of seeded cards). Measured on
-- a seeded 200,000-card database: 0.6 s (6,315 names); expect about 3 s at
-- 1M cards, once, at start-up, inside the migration's transaction.
UPDATE cards
SET name_norm = trim(replace(replace(replace(replace(replace(name_norm, '''', ''), '-', ''), '  ', ' '), '  ', ' '), '  ', ' '))
WHERE instr(name_norm, '''') > 0 OR instr(name_norm, '-') > 0;

-- A BIN (the first 6 digits typed in the box) is an index range, read in
-- rowid order (the newest card first) like every other kind. The former
-- numbers keep the BIN of the card (a reissue stays on it), so cards.bin
-- answers for them too. Building it reads cards once: 0.8 s at 200,000
-- cards, about 4 s at 1M.
CREATE INDEX cards_bin ON cards(bin);
