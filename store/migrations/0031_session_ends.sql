-- 0031: every deletion of a session is counted, whichever process made it.
-- A running console reads the count every second (Store.WatchSessionEnds),
-- so that the live streams of sessions the command line ended stop within
-- a second, as they do at once for sessions the console itself ends,
-- rather than at their next keep-alive.
CREATE TABLE session_ends (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    n   INTEGER NOT NULL
);
INSERT INTO session_ends (one, n) VALUES (1, 0);
CREATE TRIGGER sessions_count_ends AFTER DELETE ON sessions
BEGIN
    UPDATE session_ends SET n = n + 1 WHERE one = 1;
END;
