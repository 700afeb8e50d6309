-- Contract snapshots are kept in a binary form of Redress's own instead of JSON; the ones kept
-- before are dropped and made again as verifications read their contracts.
DELETE FROM contract_snapshots;
