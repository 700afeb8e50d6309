-- Asking a colleague (issue 17): the agent working a dispute asks the staff member involved
-- (whoever ran the payment, sent the notice) for a statement by a day. The request waits in
-- their queue until they answer; the answer is a statement in the case file.
CREATE TABLE statement_requests (
    id TEXT PRIMARY KEY,
    dispute_id TEXT NOT NULL REFERENCES disputes (id),
    asked_of TEXT NOT NULL REFERENCES users (id),
    asked_by TEXT NOT NULL,
    question TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    answered_at TEXT,
    answer_note_id TEXT REFERENCES case_notes (id)
);
CREATE INDEX statement_requests_by_dispute ON statement_requests (dispute_id, created_at);
CREATE INDEX statement_requests_waiting ON statement_requests (asked_of, due_on) WHERE answered_at IS NULL;
