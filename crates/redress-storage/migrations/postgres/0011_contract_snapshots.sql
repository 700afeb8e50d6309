-- Snapshots of contracts for verification: every record of a contract (and of the invoices of
-- other contracts its late fees are for) kept as one JSON document (compressed with LZ4), so that verifying a dispute
-- reads one row instead of a few hundred. A snapshot counts only while its version is the
-- billing data's version, which every import moves on.

CREATE TABLE billing_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO billing_version (id, version) VALUES (1, 1);

CREATE TABLE contract_snapshots (
    contract_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    records BYTEA NOT NULL
);
-- Already compressed: PostgreSQL need not try again.
ALTER TABLE contract_snapshots ALTER COLUMN records SET STORAGE EXTERNAL;
