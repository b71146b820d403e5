-- 0007: no secret in clear stays in the database file. The card-number
-- key (pan_hash_key) has been moved to its key file by Open before this
-- runs, and the demo accounts keep their names and levels, not their
-- passwords. A database that held either is marked for a one-time VACUUM,
-- so the freed pages with the old bytes leave the file too.
INSERT OR IGNORE INTO settings(key, value, updated_at)
SELECT 'secrets_vacuum_pending', x'01', CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE EXISTS (SELECT 1 FROM settings WHERE key IN ('pan_hash_key', 'demo_accounts'));

DELETE FROM settings WHERE key = 'pan_hash_key';

UPDATE settings SET value = (
    SELECT json_group_array(json_object('Username', json_extract(j.value, '$.Username'), 'Level', json_extract(j.value, '$.Level')))
    FROM json_each(CAST(settings.value AS TEXT)) AS j)
WHERE key = 'demo_accounts';
