-- 0009: one row that the readiness check rewrites, to learn whether the
-- database takes a write (not locked, disk not full, file writable).

CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);
