-- API tokens: stored as the SHA-256 of the token, never the token itself. A token is 256
-- random bits, so a fast hash is as safe here as a password hash would be.

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'approver', 'admin', 'auditor')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
