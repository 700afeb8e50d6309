-- Reading one contract back (every dispute's verification) in as few page reads as SQLite can:
-- invoice lines and price rows stored in the order of their keys (WITHOUT ROWID), so that an
-- invoice's lines sit together; and indexes that hold every column the read needs, so that
-- deliveries, invoices, payments and notices come straight from their index.

CREATE TABLE invoice_lines_by_key (
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    line_no INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('charge', 'late_fee')),
    sku TEXT,
    description TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    discount_percent TEXT NOT NULL,
    amount TEXT NOT NULL,
    late_fee_for TEXT REFERENCES invoices (id),
    PRIMARY KEY (invoice_id, line_no)
) WITHOUT ROWID;
INSERT INTO invoice_lines_by_key SELECT invoice_id, line_no, kind, sku, description, period_start,
    period_end, quantity, unit_price, discount_percent, amount, late_fee_for FROM invoice_lines;
DROP TABLE invoice_lines;
ALTER TABLE invoice_lines_by_key RENAME TO invoice_lines;

CREATE TABLE prices_by_key (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    sku TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    unit_price TEXT NOT NULL,
    discount_percent TEXT NOT NULL,
    PRIMARY KEY (contract_id, sku, valid_from)
) WITHOUT ROWID;
INSERT INTO prices_by_key SELECT contract_id, sku, valid_from, valid_to, unit_price,
    discount_percent FROM prices;
DROP TABLE prices;
ALTER TABLE prices_by_key RENAME TO prices;

DROP INDEX deliveries_by_contract_sku_day;
CREATE INDEX deliveries_of_contract ON deliveries
    (contract_id, id, sku, delivered_on, quantity, reference);
DROP INDEX invoices_by_contract;
CREATE INDEX invoices_of_contract ON invoices
    (contract_id, id, customer_id, issue_date, due_date, currency, subtotal, tax_total, total);
DROP INDEX payments_by_invoice;
CREATE INDEX payments_of_invoice ON payments (invoice_id, id, paid_on, amount, method, reference);
DROP INDEX notices_by_invoice;
CREATE INDEX notices_of_invoice ON notices (invoice_id, id, sent_on, kind, channel);
