-- Training the team (issue 20).
--
-- Practice: sessions of cases a trainer starts for a trainee. Each case keeps the records of
-- one contract (a real one anonymised, or one generated with an error planted) in the form a
-- contract snapshot keeps them, the dispute on it with the facts its recommendation weighs, and
-- the answer the records support; then the trainee's answer with its points. Kept apart from
-- the real books: nothing here is a dispute, a ledger entry, a message, an outbox entry or an
-- event of the audit log, and no customer ever sees it.
CREATE TABLE practice_sessions (
    id TEXT PRIMARY KEY,
    trainee_id TEXT NOT NULL REFERENCES users (id),
    started_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX practice_sessions_by_trainee ON practice_sessions (trainee_id, created_at);

CREATE TABLE practice_cases (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES practice_sessions (id),
    position INTEGER NOT NULL CHECK (position >= 1),
    source TEXT NOT NULL CHECK (source IN ('resolved_dispute', 'audit_finding', 'generated')),
    records BYTEA NOT NULL,
    invoice_id TEXT NOT NULL,
    line_no INTEGER CHECK (line_no >= 1),
    reason TEXT NOT NULL,
    claimed_amount TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    narrative TEXT NOT NULL,
    language TEXT NOT NULL,
    tenure_days INTEGER NOT NULL,
    revenue TEXT NOT NULL,
    invoices_due INTEGER NOT NULL CHECK (invoices_due >= 0),
    paid_on_time INTEGER NOT NULL CHECK (paid_on_time >= 0),
    disputes_last_year INTEGER NOT NULL CHECK (disputes_last_year >= 0),
    disputes_last_quarter INTEGER NOT NULL CHECK (disputes_last_quarter >= 0),
    rejected_last_year INTEGER NOT NULL CHECK (rejected_last_year >= 0),
    model_findings TEXT NOT NULL,
    model_resolution TEXT NOT NULL CHECK (model_resolution IN ('credit_note', 'goodwill', 'reject')),
    model_amount TEXT,
    model_message TEXT NOT NULL,
    lines_to_explain TEXT NOT NULL,
    first_opened_at TEXT,
    UNIQUE (session_id, position)
);

-- One answer a case, given once.
CREATE TABLE practice_answers (
    case_id TEXT PRIMARY KEY REFERENCES practice_cases (id),
    findings TEXT NOT NULL,
    resolution TEXT NOT NULL,
    amount TEXT,
    message TEXT NOT NULL,
    took_seconds INTEGER NOT NULL CHECK (took_seconds >= 0),
    points INTEGER NOT NULL CHECK (points BETWEEN 0 AND 100),
    answered_at TEXT NOT NULL
);

-- Playbooks: the business's own guidance for each dispute reason, written by admins. A save
-- is a new version; the newest is the one shown, the others are its history.
CREATE TABLE playbooks (
    reason TEXT NOT NULL CHECK (reason IN ('overcharged', 'duplicate', 'not_received', 'wrong_price', 'late_fee', 'other')),
    version INTEGER NOT NULL CHECK (version >= 1),
    steps TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (reason, version)
);
-- Already compressed: PostgreSQL need not try again.
ALTER TABLE practice_cases ALTER COLUMN records SET STORAGE EXTERNAL;
