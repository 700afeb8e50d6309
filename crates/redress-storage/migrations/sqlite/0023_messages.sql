-- Talking with the customer (issue 18): every message to or from a customer, kept exactly as it
-- was sent or received, and the outbox a message waits in until it is delivered. A message to
-- the customer and its outbox entry are written in the transaction of the change that caused
-- it; a worker delivers it, so nothing is lost when the server or the mail server stops.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    dispute_id TEXT REFERENCES disputes (id),
    arrears_case_id TEXT REFERENCES arrears_cases (id),
    customer_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('to_customer', 'from_customer')),
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- The RFC 5322 Message-ID (without <>), by which replies find their dispute.
    mail_id TEXT NOT NULL UNIQUE,
    in_reply_to TEXT,
    -- The documents sent with it, as a JSON list of [kind, id].
    documents_json TEXT NOT NULL DEFAULT '[]',
    written_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_by_dispute ON messages (dispute_id, created_at);
CREATE INDEX messages_by_case ON messages (arrears_case_id, created_at);

CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY REFERENCES messages (id),
    state TEXT NOT NULL CHECK (state IN ('waiting', 'sending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    -- The worker's claim: who holds it (a random token) and until when; an expired claim is
    -- taken again, so a worker that died does not keep a message.
    claim TEXT,
    claimed_until TEXT,
    last_error TEXT,
    delivered_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('waiting', 'sending');

-- A customer's mail finds its customer by the sender's address.
CREATE INDEX customers_by_email ON customers (lower(email));
