-- Disputes: a customer's challenge of an invoice (or one of its lines), with its lifecycle and
-- the verification the audit rules gave it. Amounts are exact decimal strings; claimed_minor
-- holds the claim in minor units so that amount ranges can be filtered in SQL.

CREATE TABLE disputes (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    line_no INTEGER,
    reason TEXT NOT NULL CHECK (reason IN ('overcharged', 'duplicate', 'not_received', 'wrong_price', 'late_fee', 'other')),
    claimed_amount TEXT NOT NULL,
    claimed_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    narrative TEXT NOT NULL,
    channel TEXT NOT NULL,
    taken_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'investigating', 'awaiting_customer', 'resolved', 'closed', 'withdrawn')),
    escalated INTEGER NOT NULL DEFAULT 0,
    assignee TEXT,
    linked_to TEXT REFERENCES disputes (id),
    opened_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('upheld', 'partially_upheld', 'rejected')),
    adjustment TEXT NOT NULL,
    findings_json TEXT NOT NULL,
    verified_at TEXT NOT NULL
);
CREATE INDEX disputes_by_status ON disputes (status, created_at);
CREATE INDEX disputes_by_customer ON disputes (customer_id, created_at);
CREATE INDEX disputes_by_invoice_line ON disputes (invoice_id, line_no);
CREATE INDEX disputes_by_created ON disputes (created_at, id);
