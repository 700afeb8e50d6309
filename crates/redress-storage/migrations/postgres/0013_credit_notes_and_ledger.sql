-- Credit notes and the customer ledger's own journal entries (issue 5).
--
-- A credit note is numbered in a gap-free sequence per series: the series' counter is moved on
-- in the transaction that issues it, so a credit note refused or rolled back takes no number.
-- Issued credit notes and posted entries never change: a mistake is corrected by a new document.
-- Invoices and payments are not copied here: the ledger reads their entries from the billing
-- tables, so that the two can never disagree.

CREATE TABLE document_series (
    series TEXT PRIMARY KEY,
    last_number BIGINT NOT NULL
);

CREATE TABLE credit_notes (
    id TEXT PRIMARY KEY,
    series TEXT NOT NULL,
    number BIGINT NOT NULL,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    currency TEXT NOT NULL,
    net TEXT NOT NULL,
    tax TEXT NOT NULL,
    total TEXT NOT NULL,
    lines_json TEXT NOT NULL,
    reason TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    UNIQUE (series, number)
);
CREATE INDEX credit_notes_by_invoice ON credit_notes (invoice_id, number);

CREATE TABLE ledger_postings (
    kind TEXT NOT NULL,
    document TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    invoice_id TEXT REFERENCES invoices (id),
    currency TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    posted_by TEXT NOT NULL,
    PRIMARY KEY (kind, document)
);
CREATE INDEX ledger_postings_by_customer ON ledger_postings (customer_id, posted_at);

CREATE TABLE ledger_lines (
    kind TEXT NOT NULL,
    document TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    account TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('debit', 'credit')),
    amount TEXT NOT NULL,
    PRIMARY KEY (kind, document, line_no),
    FOREIGN KEY (kind, document) REFERENCES ledger_postings (kind, document)
);

CREATE FUNCTION credit_notes_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an issued credit note never changes';
END;
$$;
CREATE TRIGGER credit_notes_are_never_changed BEFORE UPDATE OR DELETE ON credit_notes
    FOR EACH ROW EXECUTE FUNCTION credit_notes_never_change();

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only';
END;
$$;
CREATE TRIGGER ledger_postings_are_never_changed BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_lines_are_never_changed BEFORE UPDATE OR DELETE ON ledger_lines
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
