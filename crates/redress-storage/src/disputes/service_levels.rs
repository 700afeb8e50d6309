//! Service-level timers: when each dispute's service levels must next be looked at, and which
//! of its targets were already warned of and breached (so that each is said once). Kept in the
//! database, so that a restart loses no timer; claimed by the checker like the outbox's
//! entries (`FOR UPDATE SKIP LOCKED` on PostgreSQL).

use super::lifecycle;
use super::notes;
use super::record::{DisputeError, dispute_event};
use crate::engine::sql::{Db, params};
use crate::engine::stored::this_moment;
use crate::engine::transaction::append;
use crate::engine::{Backend, StorageError, Work};
use redress_domain::{NoteKind, Timestamp, timestamp_text};

/// A dispute's timer, claimed for a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// The dispute.
    pub dispute_id: String,
    /// The targets already warned of (`acknowledge`, `respond`, `resolve`).
    pub warned: Vec<String>,
    /// The targets already breached.
    pub breached: Vec<String>,
}

/// Starts the timer of the dispute `dispute_id` within the open transaction, due at
/// `check_at` (at once when `None`).
pub(crate) fn start_in(
    db: &mut dyn Db,
    dispute_id: &str,
    check_at: Option<Timestamp>,
) -> Result<(), StorageError> {
    start_many_in(db, &[(dispute_id, check_at)])
}

/// Starts the timers of the disputes `timers` (recorded together; each with when it is due,
/// at once when `None`) in one statement, as [`start_in`] does each.
pub(crate) fn start_many_in(
    db: &mut dyn Db,
    timers: &[(&str, Option<Timestamp>)],
) -> Result<(), StorageError> {
    let now = timestamp_text(this_moment());
    let due: Vec<String> = timers
        .iter()
        .map(|(_, at)| at.map_or_else(|| now.clone(), timestamp_text))
        .collect();
    let rows: Vec<Vec<crate::engine::sql::Value<'_>>> = timers
        .iter()
        .zip(&due)
        .map(|((id, _), due)| params![*id, due, &now].to_vec())
        .collect();
    db.insert_rows(
        "service_level_timers",
        &["dispute_id", "next_check_at", "updated_at"],
        &rows,
        "ON CONFLICT (dispute_id) DO NOTHING",
    )
}

/// Claims up to `limit` timers due at `now`, putting each off until `until` meanwhile (a
/// checker that dies leaves them to be claimed again then).
pub fn claim_due(now: Timestamp, until: Timestamp, limit: u32) -> Work<Vec<Timer>, StorageError> {
    Work::new(move |db| {
        let lock = match db.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let now = timestamp_text(now);
        let due = db.rows(
            &format!(
                "SELECT dispute_id, warned, breached FROM service_level_timers \
                 WHERE next_check_at <= ? ORDER BY next_check_at, dispute_id LIMIT {limit}{lock}"
            ),
            params![&now],
            |row| {
                let list = |text: String| -> Vec<String> {
                    text.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                };
                Ok(Timer {
                    dispute_id: row.string(0)?,
                    warned: list(row.string(1)?),
                    breached: list(row.string(2)?),
                })
            },
        )?;
        let until = timestamp_text(until);
        for timer in &due {
            db.execute(
                "UPDATE service_level_timers SET next_check_at = ?, updated_at = ? \
                 WHERE dispute_id = ?",
                params![&until, &now, &timer.dispute_id],
            )?;
        }
        Ok(due)
    })
}

/// What a check found of one dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The dispute.
    pub dispute_id: String,
    /// Targets newly past their warning: `(stage, due at)`.
    pub warn: Vec<(String, Timestamp)>,
    /// Targets newly breached: `(stage, due at)`.
    pub breach: Vec<(String, Timestamp)>,
    /// When to look again; `None` when nothing more can change (the timer is stopped).
    pub next_check_at: Option<Timestamp>,
    /// Who is told of a breach, besides the escalation: the assignee and an approver.
    pub notify: Vec<String>,
}

/// Records a check of `timer`: each new warning and breach an event of the dispute, a breach
/// escalating it (if still open) with an internal note naming who is told; and the timer set
/// for its next look, or stopped.
pub fn record(timer: Timer, checked: Checked) -> Work<(), DisputeError> {
    Work::new(move |db| {
        let id = &checked.dispute_id;
        let mut warned = timer.warned.clone();
        let mut breached = timer.breached.clone();
        for (stage, due_at) in &checked.warn {
            if warned.contains(stage) {
                continue;
            }
            warned.push(stage.clone());
            let after = serde_json::json!({"stage": stage, "due_at": timestamp_text(*due_at)});
            append(
                db,
                dispute_event(
                    "system",
                    id,
                    "service_level_warning",
                    None,
                    Some(after.to_string()),
                ),
            )?;
        }
        for (stage, due_at) in &checked.breach {
            if breached.contains(stage) {
                continue;
            }
            breached.push(stage.clone());
            let after = serde_json::json!({"stage": stage, "due_at": timestamp_text(*due_at),
                "notified": checked.notify});
            append(
                db,
                dispute_event(
                    "system",
                    id,
                    "service_level_breached",
                    None,
                    Some(after.to_string()),
                ),
            )?;
            let open = db
                .row(
                    &format!(
                        "SELECT status, escalated FROM disputes WHERE id = ?{}",
                        db.row_lock()
                    ),
                    params![id],
                    |row| Ok((row.string(0)?, row.int(1)? != 0)),
                )?
                .filter(|(status, _)| {
                    redress_domain::DisputeStatus::from_name(status).is_some_and(|s| s.is_open())
                });
            if let Some((_, escalated)) = open {
                if !escalated {
                    lifecycle::escalate(id, true, "system").run(db)?;
                }
                let whom = if checked.notify.is_empty() {
                    "nobody is assigned and there is no approver to tell".to_owned()
                } else {
                    format!("told: {}", checked.notify.join(", "))
                };
                let body = format!(
                    "Service level breached: the {stage} target was due {}. The dispute is \
                     escalated; {whom}.",
                    timestamp_text(*due_at)
                );
                notes::add_in(db, notes::new_note(id, NoteKind::Note, &body, "system"))?;
            }
        }
        let now = timestamp_text(this_moment());
        match checked.next_check_at {
            Some(next) => {
                db.execute(
                    "UPDATE service_level_timers SET next_check_at = ?, warned = ?, breached = ?, \
                     updated_at = ? WHERE dispute_id = ?",
                    params![
                        &timestamp_text(next),
                        &warned.join(","),
                        &breached.join(","),
                        &now,
                        id
                    ],
                )?;
            }
            None => {
                // Stopped, and kept for analytics: never due again.
                db.execute(
                    "UPDATE service_level_timers SET next_check_at = ?, warned = ?, breached = ?, \
                     updated_at = ? WHERE dispute_id = ?",
                    params![STOPPED, &warned.join(","), &breached.join(","), &now, id],
                )?;
            }
        }
        Ok(())
    })
}

/// The `next_check_at` of a stopped timer: never due.
const STOPPED: &str = "9999-12-31T23:59:59.999999Z";

/// How many disputes were timed, and how many breached each target (acknowledge, respond,
/// resolve).
pub(crate) fn counts(db: &mut dyn Db) -> Result<(u64, [u64; 3]), StorageError> {
    let row = db.row(
        "SELECT COUNT(*), \
         SUM(CASE WHEN breached LIKE '%acknowledge%' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN breached LIKE '%respond%' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN breached LIKE '%resolve%' THEN 1 ELSE 0 END) FROM service_level_timers",
        &[],
        |row| {
            Ok((
                row.int(0)?,
                [
                    row.opt_int(1)?.unwrap_or(0),
                    row.opt_int(2)?.unwrap_or(0),
                    row.opt_int(3)?.unwrap_or(0),
                ],
            ))
        },
    )?;
    let (n, by) = row.unwrap_or((0, [0, 0, 0]));
    Ok((n.max(0) as u64, by.map(|b| b.max(0) as u64)))
}

/// A dispute's service-level marks: `(id, targets warned of, targets breached)`.
pub type Marks = (String, Vec<String>, Vec<String>);

/// Of the disputes `ids` (a page's), the targets each was warned of and breached, by id; a
/// dispute not timed is left out.
pub(crate) fn marks(db: &mut dyn Db, ids: &[String]) -> Result<Vec<Marks>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let values: Vec<crate::engine::sql::Value<'_>> =
        ids.iter().map(crate::engine::sql::Value::from).collect();
    let list = |text: String| -> Vec<String> {
        text.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    db.rows(
        &format!(
            "SELECT dispute_id, warned, breached FROM service_level_timers \
             WHERE dispute_id IN ({marks})"
        ),
        &values,
        |row| Ok((row.string(0)?, list(row.string(1)?), list(row.string(2)?))),
    )
}
