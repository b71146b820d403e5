-- 0034: the card page reads a card's numbers from an index alone.
--
-- card_numbers_card (0001) was (card_id, id): the card page's number
-- history read its leaf and then the numbers' rows, two random pages from
-- the disk at 10M cards for a card nobody has opened lately (a card page
-- reads about five such pages in all). It now holds every column the page
-- shows, so one leaf answers. Building it reads card_numbers once, at
-- start-up.
DROP INDEX card_numbers_card;
CREATE INDEX card_numbers_card ON card_numbers(card_id, id, first6, last4, exp_month, exp_year, active_from, inactive_since);
