-- The case file's words: internal notes by the team, and statements by the employee who ran
-- the transaction. Never edited: a correction is a new note.

CREATE TABLE case_notes (
    id TEXT PRIMARY KEY,
    dispute_id TEXT NOT NULL REFERENCES disputes (id),
    kind TEXT NOT NULL CHECK (kind IN ('note', 'statement')),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_by_dispute ON case_notes (dispute_id, created_at);
