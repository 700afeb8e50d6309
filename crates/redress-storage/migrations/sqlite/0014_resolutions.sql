-- Resolutions of disputes (issue 5): proposed, then applied at once or once approved, or
-- refused by an approver. What a resolution does to the books is a document of its own (a
-- credit note, …) that `document_id` names.

CREATE TABLE resolutions (
    id TEXT PRIMARY KEY,
    dispute_id TEXT NOT NULL REFERENCES disputes (id),
    kind TEXT NOT NULL CHECK (kind IN ('credit_note', 'refund', 'account_credit', 'goodwill', 'payment_plan', 'write_off', 'reject', 'corrected_invoice')),
    status TEXT NOT NULL CHECK (status IN ('pending_approval', 'applied', 'refused')),
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    details_json TEXT NOT NULL,
    reason TEXT NOT NULL,
    approval_reason TEXT,
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_note TEXT,
    document_id TEXT
);
CREATE INDEX resolutions_by_dispute ON resolutions (dispute_id, proposed_at);
