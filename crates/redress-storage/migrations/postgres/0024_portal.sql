-- The customer portal (issue 18): a link in each message opens the customer's own disputes.
-- Only the link token's SHA-256 is kept; a link ends at its expiry or when an agent revokes it.
CREATE TABLE portal_links (
    id TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    dispute_id TEXT REFERENCES disputes (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    last_visit_at TEXT
);
CREATE INDEX portal_links_by_customer ON portal_links (customer_id, created_at);

-- How satisfied a customer was with how their dispute was put right: one answer a dispute,
-- the latest kept.
CREATE TABLE satisfaction (
    dispute_id TEXT PRIMARY KEY REFERENCES disputes (id),
    customer_id TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    rated_at TEXT NOT NULL
);
