-- The agent's desk (issue 17): people sign in with an email and a password, and a browser
-- that signed in holds a session; the queue lists escalated disputes on their own.
--
-- A user's email is kept lower-cased (so it is unique whatever its case) and is optional: the
-- users made for API tokens alone have none. The password is kept only as an argon2id hash
-- (a PHC string, salt and parameters included).
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE UNIQUE INDEX users_by_email ON users (email);

-- A browser's session: the cookie holds a random token, and only its SHA-256 is kept, so a
-- copy of the database signs no one in. Each session has its own token for the forms it is
-- shown (CSRF), and ends at `expires_at` or when signed out (the row is deleted).
CREATE TABLE web_sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

-- The escalated disputes, newest or oldest first (the queue's "Escalated" filter): few of all
-- disputes, so a page of them is read from this small index rather than by passing over the
-- others.
CREATE INDEX disputes_escalated ON disputes (created_at, id) WHERE escalated = 1;
