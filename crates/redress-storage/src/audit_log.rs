//! The audit log in the database: appended inside the transaction of the change it records,
//! never updated or deleted (the database refuses both), and checked end to end by
//! [`Store::verify_log`].

use crate::sql::{Db, Row, Upsert, Value, params};
use crate::{StorageError, Store};
use redress_domain::audit_log::{AuditEvent, BrokenChain, ChainCheck, EventHash, NewEvent};

const EVENT_COLUMNS: &str = "sequence, occurred_at, actor, entity, entity_id, action, before_json, \
                             after_json, previous_hash, hash";

/// Why the log does not check out.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The chain is broken.
    #[error(transparent)]
    Broken(#[from] BrokenChain),
    /// A stored hash is not 64 hex digits: the row was edited.
    #[error("event {0} has a malformed hash: it was edited")]
    MalformedHash(u64),
    /// The log could not be read.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A stored event, as read; its hashes are checked by [`to_event`].
struct EventRow {
    sequence: u64,
    event: NewEvent,
    previous_hash: String,
    hash: String,
}

fn read_event(row: &dyn Row) -> Result<EventRow, StorageError> {
    Ok(EventRow {
        sequence: row.int(0)? as u64,
        event: NewEvent {
            occurred_at: row.string(1)?,
            actor: row.string(2)?,
            entity: row.string(3)?,
            entity_id: row.string(4)?,
            action: row.string(5)?,
            before: row.opt_string(6)?,
            after: row.opt_string(7)?,
        },
        previous_hash: row.string(8)?,
        hash: row.string(9)?,
    })
}

fn to_event(row: EventRow) -> Result<AuditEvent, LogError> {
    let sequence = row.sequence;
    let parse = |hex: &str| EventHash::from_hex(hex).ok_or(LogError::MalformedHash(sequence));
    Ok(AuditEvent {
        sequence,
        previous_hash: parse(&row.previous_hash)?,
        hash: parse(&row.hash)?,
        event: row.event,
    })
}

/// The audit log's last event, as the head row records it: `(sequence, hash)`.
fn head(db: &mut dyn Db) -> Result<(u64, EventHash), StorageError> {
    // Locking the head row makes concurrent appends take turns (SQLite writers always do).
    let sql = match db.backend() {
        crate::Backend::Sqlite => "SELECT sequence, hash FROM audit_head WHERE id = 1",
        crate::Backend::Postgres => "SELECT sequence, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let (sequence, hash) = db
        .row(sql, &[], |row| Ok((row.int(0)?, row.string(1)?)))?
        .ok_or_else(|| StorageError::Corrupt("the audit log's head row is missing".into()))?;
    Ok((
        sequence as u64,
        EventHash::from_hex(&hash).unwrap_or(EventHash::GENESIS),
    ))
}

/// Appends `events` to the log within the open transaction, after the current last event, and
/// gives them sealed.
pub(crate) fn append_all(
    db: &mut dyn Db,
    events: Vec<NewEvent>,
) -> Result<Vec<AuditEvent>, StorageError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let (mut last, mut previous) = head(db)?;
    let sealed: Vec<AuditEvent> = events
        .into_iter()
        .map(|event| {
            last += 1;
            let event = event.seal(last, previous);
            previous = event.hash;
            event
        })
        .collect();
    fn row<'a>(event: &'a AuditEvent, hashes: &'a (String, String)) -> [Value<'a>; 10] {
        [
            Value::Int(event.sequence as i64),
            Value::from(&event.event.occurred_at),
            Value::from(&event.event.actor),
            Value::from(&event.event.entity),
            Value::from(&event.event.entity_id),
            Value::from(&event.event.action),
            Value::from(&event.event.before),
            Value::from(&event.event.after),
            Value::from(&hashes.0),
            Value::from(&hashes.1),
        ]
    }
    let hashes: Vec<(String, String)> = sealed
        .iter()
        .map(|e| (e.previous_hash.to_string(), e.hash.to_string()))
        .collect();
    let head_hash = previous.to_string();
    if sealed.len() < BULK_FROM {
        // One statement for them all.
        let each = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        let mut values: Vec<Value<'_>> = sealed
            .iter()
            .zip(&hashes)
            .flat_map(|(event, hashes)| row(event, hashes))
            .collect();
        let insert = format!(
            "INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES {}",
            vec![each; sealed.len()].join(", ")
        );
        if db.backend() == crate::Backend::Postgres {
            // With the head's update, in one round trip to the server.
            values.extend([Value::Int(last as i64), Value::from(&head_hash)]);
            db.execute(
                &format!(
                    "WITH appended AS ({insert} RETURNING 1) \
                     UPDATE audit_head SET sequence = ?, hash = ? WHERE id = 1"
                ),
                &values,
            )?;
            return Ok(sealed);
        }
        db.execute(&insert, &values)?;
    } else {
        let mut pairs = sealed.iter().zip(&hashes);
        db.upsert_many(&EVENTS, &mut |sink| {
            pairs.try_for_each(|(event, hashes)| sink(&row(event, hashes)))
        })?;
    }
    db.execute(
        "UPDATE audit_head SET sequence = ?, hash = ? WHERE id = 1",
        params![last as i64, &head_hash],
    )?;
    Ok(sealed)
}

/// From this many events at once (an import's disputes), the log is written in bulk.
const BULK_FROM: usize = 64;

/// The audit log's rows, only ever inserted.
const EVENTS: Upsert = Upsert {
    table: "audit_events",
    columns: &[
        "sequence",
        "occurred_at",
        "actor",
        "entity",
        "entity_id",
        "action",
        "before_json",
        "after_json",
        "previous_hash",
        "hash",
    ],
    key: &[],
};

/// Records `event` in the log as part of the open transaction: it is appended, after the
/// log's last event, when the transaction commits (with every other event of the transaction,
/// in one go), and not at all if it rolls back.
pub(crate) fn append(db: &mut dyn Db, event: NewEvent) -> Result<(), StorageError> {
    db.events().push(event);
    Ok(())
}

/// Now, in UTC with microseconds, always the same width (`2026-11-23T14:28:28.750764Z`), so
/// that timestamps stored as text sort as times.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// A new id: `prefix`, a dash, the time in milliseconds (11 hex digits) and 32 random bits (8
/// hex digits). Ids taken later sort later, so that new rows go to the end of the indexes of
/// ids instead of anywhere in them.
pub fn new_id(prefix: &str) -> String {
    let millis = jiff::Timestamp::now().as_millisecond().max(0) as u64;
    format!("{prefix}-{millis:011x}{:08x}", fastrand::u32(..))
}

impl Store {
    /// Records `event` on its own (for changes that have no other writes).
    pub async fn record_event(&self, event: NewEvent) -> Result<(), StorageError> {
        self.write(move |db| append(db, event)).await
    }

    /// The events about one thing, oldest first.
    pub async fn events_of(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditEvent>, LogError> {
        self.events_where(
            "entity = ? AND entity_id = ?",
            vec![entity.to_owned(), entity_id.to_owned()],
        )
        .await
    }

    /// A dispute's full history, oldest first: the events about the dispute and about its
    /// resolutions.
    pub async fn dispute_history(&self, dispute_id: &str) -> Result<Vec<AuditEvent>, LogError> {
        self.events_where(
            "(entity = 'dispute' AND entity_id = ?) OR (entity = 'resolution' \
             AND entity_id IN (SELECT id FROM resolutions WHERE dispute_id = ?))",
            vec![dispute_id.to_owned(), dispute_id.to_owned()],
        )
        .await
    }

    /// The events that meet `condition` (with `binds` for its `?`s), oldest first.
    async fn events_where(
        &self,
        condition: &'static str,
        binds: Vec<String>,
    ) -> Result<Vec<AuditEvent>, LogError> {
        let rows = self
            .run(move |db| {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM audit_events WHERE {condition} ORDER BY sequence"
                );
                let values: Vec<Value<'_>> = binds.iter().map(Value::from).collect();
                db.rows(&sql, &values, read_event)
            })
            .await?;
        rows.into_iter().map(to_event).collect()
    }

    /// Checks the whole log, a page at a time: every event in place, linked to the one before,
    /// unchanged, and none missing at the end. Gives how many events were checked.
    pub async fn verify_log(&self) -> Result<u64, LogError> {
        const PAGE: i64 = 10_000;
        let mut check = ChainCheck::default();
        loop {
            let after = check.checked() as i64;
            let rows = self
                .run(move |db| {
                    let sql = format!(
                        "SELECT {EVENT_COLUMNS} FROM audit_events WHERE sequence > ? ORDER BY sequence LIMIT {PAGE}"
                    );
                    db.rows(&sql, params![after], read_event)
                })
                .await?;
            let done = (rows.len() as i64) < PAGE;
            for row in rows {
                check.check(&to_event(row)?)?;
            }
            if done {
                break;
            }
        }
        let (recorded, hash) = self
            .run(|db| {
                db.row(
                    "SELECT sequence, hash FROM audit_head WHERE id = 1",
                    &[],
                    |row| Ok((row.int(0)?, row.string(1)?)),
                )?
                .ok_or_else(|| StorageError::Corrupt("the audit log's head row is missing".into()))
            })
            .await?;
        if recorded as u64 != check.checked() || hash != check.last_hash().to_string() {
            return Err(BrokenChain::Truncated {
                found: check.checked(),
                recorded: recorded as u64,
            }
            .into());
        }
        Ok(check.checked())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_taken_later_sort_later() {
        let first = super::new_id("DSP");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = super::new_id("DSP");
        assert!(first < second, "{first} {second}");
        assert_eq!(first.len(), "DSP-".len() + 19);
    }

    #[test]
    fn timestamps_have_one_width_so_that_they_sort_as_text() {
        let now = super::now();
        assert_eq!(now.len(), "2026-11-23T14:28:28.750764Z".len(), "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[19] == b'.', "{now}");
    }
}
