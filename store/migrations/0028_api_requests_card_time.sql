-- 0028: the card timeline (store.CardTimeline) shows the calls of the
-- provider API's request log that name the card, newest first by (at, id),
-- a page at a time after an (at, kind, id) cursor. A call's id is not
-- certainly in its time order (RecordAPIRequest stamps it before its
-- transaction, so two calls ending together may be numbered the other way
-- round, and a clock may be set back), so the card's (card_id, id) index
-- (0013, still what the request log's card filter reads in id order)
-- cannot serve it: this one can.

CREATE INDEX api_requests_card_time ON api_requests(card_id, at, id);
