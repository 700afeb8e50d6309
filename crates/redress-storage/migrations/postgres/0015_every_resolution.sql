-- Every kind of resolution (issue 5): refunds, account credits, goodwill and write-offs post to
-- the ledger as credit notes do; a payment plan keeps its schedule here and each instalment
-- received posts a payment; a corrected invoice is a document Redress issues, numbered without
-- gaps in a series of its own, the invoice it corrects voided by a credit note. Arrears cases
-- (a customer the business under-billed, found by an audit) and systemic issues (many
-- findings of one cause) are kept here too; settling a case can issue an arrears invoice.

-- What a posting is against besides its invoice: the payment a refund pays back, the plan an
-- instalment is of.
ALTER TABLE ledger_postings ADD COLUMN reference TEXT;

CREATE TABLE issued_invoices (
    id TEXT PRIMARY KEY,
    series TEXT NOT NULL,
    number BIGINT NOT NULL,
    -- `corrected`: in place of the invoice it corrects; `arrears`: what an arrears case found
    -- under-billed.
    kind TEXT NOT NULL CHECK (kind IN ('corrected', 'arrears')),
    corrects_invoice_id TEXT REFERENCES invoices (id),
    arrears_case_id TEXT,
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
    -- resolution itself. A plan an arrears case agreed has none.
    resolution_id TEXT REFERENCES resolutions (id) DEFERRABLE INITIALLY DEFERRED,
    arrears_case_id TEXT,
    -- A billing invoice, or one Redress issued (an arrears invoice).
    invoice_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    currency TEXT NOT NULL,
    total TEXT NOT NULL,
    instalments_json TEXT NOT NULL,
    agreed_at TEXT NOT NULL,
    agreed_by TEXT NOT NULL
);
CREATE INDEX payment_plans_by_customer ON payment_plans (customer_id, agreed_at);

CREATE TABLE arrears_cases (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    currency TEXT NOT NULL,
    -- The findings it rests on, so that an audit run again opens no second case for them.
    fingerprint TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('open', 'offered', 'awaiting_approval', 'settled')),
    tax_rate_percent TEXT NOT NULL,
    invoices_json TEXT NOT NULL,
    net TEXT NOT NULL,
    tax TEXT NOT NULL,
    total TEXT NOT NULL,
    found_at TEXT NOT NULL,
    found_by TEXT NOT NULL,
    offered_at TEXT,
    offered_by TEXT,
    offer_note TEXT,
    choice TEXT,
    choice_json TEXT,
    chosen_at TEXT,
    chosen_by TEXT,
    decided_by TEXT,
    document_id TEXT,
    plan_id TEXT,
    settled_at TEXT
);
CREATE INDEX arrears_cases_by_customer ON arrears_cases (customer_id, found_at);
CREATE INDEX arrears_cases_by_status ON arrears_cases (status, found_at);

CREATE TABLE systemic_issues (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    cause TEXT NOT NULL,
    finding_count BIGINT NOT NULL,
    customer_count BIGINT NOT NULL,
    customers_json TEXT NOT NULL,
    impact_json TEXT NOT NULL,
    first_found_at TEXT NOT NULL,
    last_found_at TEXT NOT NULL
);

CREATE FUNCTION issued_documents_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an issued document never changes';
END;
$$;
CREATE TRIGGER issued_invoices_are_never_changed BEFORE UPDATE OR DELETE ON issued_invoices
    FOR EACH ROW EXECUTE FUNCTION issued_documents_never_change();
CREATE TRIGGER payment_plans_are_never_changed BEFORE UPDATE OR DELETE ON payment_plans
    FOR EACH ROW EXECUTE FUNCTION issued_documents_never_change();
