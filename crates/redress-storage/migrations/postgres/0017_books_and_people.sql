-- The books held right (issue 16), and people instead of token names.
--
-- A posting against an invoice Redress issued (an instalment of a plan over an arrears
-- invoice) names it here; `invoice_id` keeps naming invoices of the billing data. A posting
-- names at most one of the two.
ALTER TABLE ledger_postings ADD COLUMN issued_invoice_id TEXT REFERENCES issued_invoices (id);
CREATE INDEX ledger_postings_by_issued_invoice ON ledger_postings (issued_invoice_id);

-- The people who work disputes. Every change is recorded under a user's id, which never
-- changes and is never reused; a token belongs to a user and acts with the user's role, so
-- that one person's tokens are one identity, and two people are never one because their
-- tokens share a name. Existing tokens become users: a token's name is its user's id, and a
-- name that several tokens shared is told apart by the token's id.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'approver', 'admin', 'auditor')),
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
ALTER TABLE api_tokens ADD COLUMN user_id TEXT REFERENCES users (id);
UPDATE api_tokens SET user_id = CASE
    WHEN EXISTS (SELECT 1 FROM api_tokens o WHERE o.name = api_tokens.name
                 AND (o.created_at < api_tokens.created_at
                      OR (o.created_at = api_tokens.created_at AND o.id < api_tokens.id)))
    THEN name || '-' || id
    ELSE name
END;
INSERT INTO users (id, name, role, created_at)
    SELECT user_id, name, role, created_at FROM api_tokens;
ALTER TABLE api_tokens ALTER COLUMN user_id SET NOT NULL;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
