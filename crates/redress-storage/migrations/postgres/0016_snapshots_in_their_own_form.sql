-- Contract snapshots are kept in a binary form of Redress's own instead of JSON; the ones kept
-- before are dropped and made again as verifications read their contracts.
DELETE FROM contract_snapshots;
-- A snapshot (a few KiB, compressed by Redress) is kept in its row, not moved out to the TOAST
-- table: reading it is then one page, not an index lookup and chunks put back together.
ALTER TABLE contract_snapshots SET (toast_tuple_target = 8160);
ALTER TABLE contract_snapshots ALTER COLUMN records SET STORAGE MAIN;
