-- Attachments to a dispute's case file. Content is stored once per SHA-256 (the same file
-- attached twice, or to two disputes, is kept once); each attachment names its blob.

CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BLOB NOT NULL
);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    dispute_id TEXT NOT NULL REFERENCES disputes (id),
    sha256 TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_by_dispute ON attachments (dispute_id, created_at);
