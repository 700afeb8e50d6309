-- Offers (issue 18): a resolution may be offered to the customer, who accepts it in the portal
-- (it is applied then) or declines it. Several offered on one dispute are alternatives: the
-- customer accepts one, and the others are declined with it.
--
-- SQLite cannot change a CHECK in place, so the table is rebuilt with its rows; what refers to
-- it (payment plans) is checked when the migration commits, against the rebuilt table.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE resolutions_with_offers (
    id TEXT PRIMARY KEY,
    dispute_id TEXT NOT NULL REFERENCES disputes (id),
    kind TEXT NOT NULL CHECK (kind IN ('credit_note', 'refund', 'account_credit', 'goodwill', 'payment_plan', 'write_off', 'reject', 'corrected_invoice')),
    status TEXT NOT NULL CHECK (status IN ('pending_approval', 'offered', 'applied', 'refused', 'declined')),
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
    document_id TEXT,
    -- 1: offered to the customer, who chooses (once approved, when it needs an approver).
    offered INTEGER NOT NULL DEFAULT 0 CHECK (offered IN (0, 1)),
    -- When the customer accepted or declined it, and what they said.
    answered_at TEXT,
    answer_note TEXT
);
INSERT INTO resolutions_with_offers (id, dispute_id, kind, status, amount, currency, details_json,
    reason, approval_reason, proposed_by, proposed_at, decided_by, decided_at, decision_note,
    document_id)
SELECT id, dispute_id, kind, status, amount, currency, details_json, reason, approval_reason,
    proposed_by, proposed_at, decided_by, decided_at, decision_note, document_id
FROM resolutions;
DROP TABLE resolutions;
ALTER TABLE resolutions_with_offers RENAME TO resolutions;
CREATE INDEX resolutions_by_dispute ON resolutions (dispute_id, proposed_at);

-- The messages that failed for good, counted on the desk's pages (those waiting have
-- outbox_due).
CREATE INDEX outbox_failed ON outbox (message_id) WHERE state = 'failed';
