-- Following a cause to its end: whether invoices imported after an arrears case or a systemic
-- issue was found still carry the same error, so that the business sees its set-up corrected.
--
-- The latest audit recorded keeps every finding it made (replaced by each audit recorded): the
-- customer and contract, the kind, the cause a systemic issue groups it by, the invoice and
-- line it sits on (none for deliveries never billed), the period (the line's, else the
-- invoice's charge lines' first to last day, else the issue day; a delivery never billed: the
-- first day of its billing period), and the impact's sign (below zero: under-billed).
CREATE TABLE audit_findings (
    customer_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    kind TEXT NOT NULL,
    cause_key TEXT NOT NULL,
    invoice_id TEXT,
    line_no BIGINT,
    period_start TEXT,
    period_end TEXT,
    impact TEXT NOT NULL,
    impact_sign BIGINT NOT NULL CHECK (impact_sign IN (-1, 0, 1))
);
CREATE INDEX audit_findings_of_customer ON audit_findings (customer_id, kind, invoice_id);
CREATE INDEX audit_findings_of_cause ON audit_findings (cause_key, customer_id, invoice_id);
CREATE INDEX audit_findings_of_invoice ON audit_findings (invoice_id, cause_key);

-- What the latest audit checked of each contract: every invoice it held, up to the last day of
-- their periods. An invoice imported after the audit for a later period was not checked.
CREATE TABLE audited_contracts (
    contract_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    checked_through TEXT NOT NULL,
    audited_at TEXT NOT NULL
);

-- The last day of the periods of a systemic issue's findings when it was first found (kept as
-- it was when the issue is found again): invoices after it show whether the cause was fixed.
ALTER TABLE systemic_issues ADD COLUMN found_through TEXT;
