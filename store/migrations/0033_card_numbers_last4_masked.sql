-- 0033: a masked-number search ("457173••••••5361") reads only an index.
--
-- Its current-number arm read the cards of the last 4 (cards_last4) for
-- their BIN: about 1,000 random rows at 10M cards, 8 MiB from the disk
-- when they are not in the page cache. card_numbers_last4 (0001), on
-- last4 alone, was used by no query: it now holds every number, current
-- and former, by last 4 and first 6 with its card's key, which answers the
-- whole search. Building it reads card_numbers once, at start-up.
DROP INDEX card_numbers_last4;
CREATE INDEX card_numbers_last4 ON card_numbers(last4, first6, card_key, inactive_since);
