-- Every kind of resolution (issue 5): refunds, account credits, goodwill and write-offs post to
-- the ledger as credit notes do; a payment plan keeps its schedule here and each instalment
-- received posts a payment; a corrected invoice is a document Redress issues, numbered without
-- gaps in a series of its own, the invoice it corrects voided by a credit note.

-- What a posting is against besides its invoice: the payment a refund pays back, the plan an
-- instalment is of.
ALTER TABLE ledger_postings ADD COLUMN reference TEXT;

CREATE TABLE issued_invoices (
    id TEXT PRIMARY KEY,
    series TEXT NOT NULL,
    number BIGINT NOT NULL,
    corrects_invoice_id TEXT NOT NULL REFERENCES invoices (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    currency TEXT NOT NULL,
    tax_rate_percent TEXT NOT NULL,
    lines_json TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    tax_total TEXT NOT NULL,
    total TEXT NOT NULL,
    reason TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    UNIQUE (series, number)
);
CREATE INDEX issued_invoices_by_customer ON issued_invoices (customer_id, issued_at);

CREATE TABLE payment_plans (
    id TEXT PRIMARY KEY,
    -- Checked at commit: the plan is written while its resolution is applied, before the
    -- resolution itself.
    resolution_id TEXT NOT NULL REFERENCES resolutions (id) DEFERRABLE INITIALLY DEFERRED,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    currency TEXT NOT NULL,
    total TEXT NOT NULL,
    instalments_json TEXT NOT NULL,
    agreed_at TEXT NOT NULL,
    agreed_by TEXT NOT NULL
);
CREATE INDEX payment_plans_by_customer ON payment_plans (customer_id, agreed_at);

CREATE TRIGGER issued_invoices_are_never_updated BEFORE UPDATE ON issued_invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice never changes'); END;
CREATE TRIGGER issued_invoices_are_never_deleted BEFORE DELETE ON issued_invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice never changes'); END;
CREATE TRIGGER payment_plans_are_never_updated BEFORE UPDATE ON payment_plans
BEGIN SELECT RAISE(ABORT, 'an agreed payment plan never changes'); END;
CREATE TRIGGER payment_plans_are_never_deleted BEFORE DELETE ON payment_plans
BEGIN SELECT RAISE(ABORT, 'an agreed payment plan never changes'); END;
