-- Billing data as exported by the business (billing-data v1). Ids are the export's own;
-- amounts, prices, quantities and percentages are exact decimal strings; dates are ISO
-- YYYY-MM-DD text, which orders and compares as dates in both backends.

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    language TEXT NOT NULL,
    customer_since TEXT NOT NULL
);

CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    currency TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    payment_terms_days INTEGER NOT NULL,
    late_fee_percent TEXT NOT NULL,
    late_fee_grace_days INTEGER NOT NULL,
    tax_rate_percent TEXT NOT NULL
);
CREATE INDEX contracts_by_customer ON contracts (customer_id);

CREATE TABLE prices (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    sku TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    unit_price TEXT NOT NULL,
    discount_percent TEXT NOT NULL,
    PRIMARY KEY (contract_id, sku, valid_from)
);

CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    sku TEXT NOT NULL,
    delivered_on TEXT NOT NULL,
    quantity TEXT NOT NULL,
    reference TEXT NOT NULL
);
CREATE INDEX deliveries_by_contract_sku_day ON deliveries (contract_id, sku, delivered_on);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    tax_total TEXT NOT NULL,
    total TEXT NOT NULL
);
CREATE INDEX invoices_by_contract ON invoices (contract_id);
CREATE INDEX invoices_by_customer ON invoices (customer_id);

CREATE TABLE invoice_lines (
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
);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    paid_on TEXT NOT NULL,
    amount TEXT NOT NULL,
    method TEXT NOT NULL,
    reference TEXT NOT NULL
);
CREATE INDEX payments_by_invoice ON payments (invoice_id);

CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    sent_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'reminder', 'overdue_notice')),
    channel TEXT NOT NULL
);
CREATE INDEX notices_by_invoice ON notices (invoice_id);
