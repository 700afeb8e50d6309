-- Deliveries by contract, without their columns. Verifications read contracts from their
-- snapshots (0011), so the covering index of 0009 served only the rare read from the tables,
-- while every import wrote the largest table a second time into it.

DROP INDEX deliveries_of_contract;
CREATE INDEX deliveries_of_contract ON deliveries (contract_id, id);
