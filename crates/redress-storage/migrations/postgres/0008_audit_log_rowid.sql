-- Nothing to do on PostgreSQL: its BIGINT primary key is already the table's one index on the
-- sequence. (SQLite's version of this migration makes the sequence its row id.)
SELECT 1;
