-- The audit log keyed by its sequence as SQLite's own row id (INTEGER PRIMARY KEY), instead of
-- a separate index on a BIGINT key: one B-tree fewer written with every event. Every event is
-- copied as it is, so the hash chain is unchanged.

DROP TRIGGER audit_events_are_never_updated;
DROP TRIGGER audit_events_are_never_deleted;

CREATE TABLE audit_events_by_rowid (
    sequence INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_events_by_rowid (sequence, occurred_at, actor, entity, entity_id, action,
        before_json, after_json, previous_hash, hash)
    SELECT sequence, occurred_at, actor, entity, entity_id, action, before_json, after_json,
        previous_hash, hash
    FROM audit_events ORDER BY sequence;
DROP TABLE audit_events;
ALTER TABLE audit_events_by_rowid RENAME TO audit_events;
CREATE INDEX audit_events_by_entity ON audit_events (entity, entity_id, sequence);

CREATE TRIGGER audit_events_are_never_updated BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_are_never_deleted BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
