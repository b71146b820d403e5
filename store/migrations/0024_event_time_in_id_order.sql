-- 0024: an event is never stamped before the one numbered before it. The
-- receiver keeps to that from now on (store.writeBatch: received_at is at
-- least the newest event's), so a card's notifications in id order are in
-- time order, and the card timeline reads them on webhook_events_card
-- (card_id, id). webhook_events_card_time (card_id, received_at, id, 0019)
-- goes: with deliveries spread over many cards, each of the two took a
-- random page per event: dropping this one gained 14-16 % at saturation
-- (README, "Ingest").
--
-- Events stored before were stamped when their request arrived, so two
-- deliveries a millisecond apart may be numbered the other way round, and a
-- clock set back numbers later events before earlier times. Each such
-- event takes the time of the newest event numbered before it (the running
-- maximum), as the receiver now does; the per-minute spans and counts of
-- the minutes (and hours) it leaves or joins are counted again.

CREATE TEMP TABLE event_time_fix AS
    SELECT id, received_at AS old_at, running AS new_at FROM (
        SELECT id, received_at, max(received_at) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS running
        FROM webhook_events)
    WHERE received_at < running;

CREATE TEMP TABLE event_time_hours AS
    SELECT old_at / 3600000 AS hour FROM event_time_fix
    UNION SELECT new_at / 3600000 FROM event_time_fix;

-- Every event of those hours, before and after the fix, has an id in
-- [lo, hi]: the spans of their minutes, and the events moved.
CREATE TEMP TABLE event_time_ids AS
    SELECT min(lo) AS lo, max(hi) AS hi FROM (
        SELECT first_id AS lo, last_id AS hi FROM webhook_event_minutes
            WHERE minute / 60 IN (SELECT hour FROM event_time_hours)
        UNION ALL SELECT min(id), max(id) FROM event_time_fix);

UPDATE webhook_events SET received_at = f.new_at, last_received_at = max(last_received_at, f.new_at)
    FROM event_time_fix f WHERE webhook_events.id = f.id;

DELETE FROM webhook_event_minutes WHERE minute / 60 IN (SELECT hour FROM event_time_hours);
DELETE FROM webhook_event_counts WHERE minute / 60 IN (SELECT hour FROM event_time_hours);
DELETE FROM webhook_event_counts_hourly WHERE hour IN (SELECT hour FROM event_time_hours);

-- The events of those hours, as they are now (a CTE, not a table: the
-- counts group by the columns' own NOCASE collation).
INSERT INTO webhook_event_minutes(minute, first_id, last_id)
    WITH recount AS (SELECT received_at, id, operation, sub_operation, status FROM webhook_events
        WHERE id BETWEEN (SELECT lo FROM event_time_ids) AND (SELECT hi FROM event_time_ids)
            AND received_at / 3600000 IN (SELECT hour FROM event_time_hours))
    SELECT received_at / 60000, min(id), max(id) FROM recount GROUP BY 1;
INSERT INTO webhook_event_counts(minute, operation, sub_operation, status, n)
    WITH recount AS (SELECT received_at, id, operation, sub_operation, status FROM webhook_events
        WHERE id BETWEEN (SELECT lo FROM event_time_ids) AND (SELECT hi FROM event_time_ids)
            AND received_at / 3600000 IN (SELECT hour FROM event_time_hours))
    SELECT received_at / 60000, operation, sub_operation, status, count(*) FROM recount GROUP BY 1, 2, 3, 4;
INSERT INTO webhook_event_counts_hourly(hour, operation, sub_operation, status, n)
    WITH recount AS (SELECT received_at, id, operation, sub_operation, status FROM webhook_events
        WHERE id BETWEEN (SELECT lo FROM event_time_ids) AND (SELECT hi FROM event_time_ids)
            AND received_at / 3600000 IN (SELECT hour FROM event_time_hours))
    SELECT received_at / 3600000, operation, sub_operation, status, count(*) FROM recount GROUP BY 1, 2, 3, 4;

DROP TABLE event_time_ids;
DROP TABLE event_time_hours;
DROP TABLE event_time_fix;

DROP INDEX webhook_events_card_time;
