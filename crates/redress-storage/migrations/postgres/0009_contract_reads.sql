-- Reading one contract back (every dispute's verification) with as few page reads as can be:
-- indexes that also hold every column the read needs (INCLUDE), so that PostgreSQL can answer
-- from the index alone once the table is vacuumed.

DROP INDEX deliveries_by_contract_sku_day;
CREATE INDEX deliveries_of_contract ON deliveries (contract_id, id)
    INCLUDE (sku, delivered_on, quantity, reference);
DROP INDEX invoices_by_contract;
CREATE INDEX invoices_of_contract ON invoices (contract_id, id)
    INCLUDE (customer_id, issue_date, due_date, currency, subtotal, tax_total, total);
DROP INDEX payments_by_invoice;
CREATE INDEX payments_of_invoice ON payments (invoice_id, id)
    INCLUDE (paid_on, amount, method, reference);
DROP INDEX notices_by_invoice;
CREATE INDEX notices_of_invoice ON notices (invoice_id, id) INCLUDE (sent_on, kind, channel);
