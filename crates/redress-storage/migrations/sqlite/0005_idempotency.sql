-- Idempotency keys: a POST sent again with the same key and the same body gets the first
-- response and changes nothing; with another body it is refused. A row with no status is a
-- request still being handled.

CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER,
    response TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (caller, key)
);
