//! A dispute moved through its lifecycle: its status, its assignee, its escalation and its
//! verification, each changed under a lock of its row and recorded in the audit log in the same
//! transaction.

use super::record::{
    COLUMNS, DisputeError, DisputeRow, VerificationRecord, dispute_event, read_dispute,
};
use crate::engine::Work;
use crate::engine::sql::params;
use crate::engine::stored::this_moment;
use crate::engine::transaction::append;
use redress_domain::DisputeStatus;

/// Moves a dispute to `to`, if its lifecycle allows, recording the change.
pub fn set_status(id: &str, to: DisputeStatus, actor: &str) -> Work<DisputeRow, DisputeError> {
    change(id, actor, "status_changed", move |d| {
        Ok(DisputeRow {
            status: d.status.transition(to)?,
            ..d.clone()
        })
    })
}

/// Moves the dispute `id` from `from` to `to` within the open transaction, by `actor`, if it
/// is still in `from` (read under a lock of its row); otherwise changes nothing. What a
/// message entails: a delivered acknowledgement acknowledges, a customer's answer resumes.
pub(crate) fn move_if_in(
    db: &mut dyn crate::engine::sql::Db,
    id: &str,
    from: DisputeStatus,
    to: DisputeStatus,
    actor: &str,
) -> Result<(), DisputeError> {
    let status = db.row(
        &format!("SELECT status FROM disputes WHERE id = ?{}", db.row_lock()),
        params![id],
        |row| row.string(0),
    )?;
    if status.as_deref() != Some(from.as_str()) {
        return Ok(());
    }
    set_status(id, to, actor).run(db).map(|_| ())
}

/// Assigns a dispute to an agent (`None`: to nobody).
pub fn assign(id: &str, assignee: Option<String>, actor: &str) -> Work<DisputeRow, DisputeError> {
    change(id, actor, "assigned", move |d| {
        Ok(DisputeRow {
            assignee,
            ..d.clone()
        })
    })
}

/// Raises or lowers a dispute's escalation flag, while it is open.
pub fn escalate(id: &str, escalated: bool, actor: &str) -> Work<DisputeRow, DisputeError> {
    let action = if escalated {
        "escalated"
    } else {
        "deescalated"
    };
    change(id, actor, action, move |d| {
        if !d.status.is_open() {
            return Err(DisputeError::NotOpen {
                id: d.id.clone(),
                status: d.status,
            });
        }
        Ok(DisputeRow {
            escalated,
            ..d.clone()
        })
    })
}

/// Records a new verification of a dispute (after the billing data changed); its
/// `verified_at` is when it is recorded.
pub fn verify(
    id: &str,
    verification: VerificationRecord,
    actor: &str,
) -> Work<DisputeRow, DisputeError> {
    change(id, actor, "verified", move |d| {
        Ok(DisputeRow {
            verification: VerificationRecord {
                verified_at: this_moment(),
                ..verification
            },
            ..d.clone()
        })
    })
}

/// Changes a dispute under a row lock: `change` gives the new state from the old (or refuses),
/// and the change is written with its event in one transaction.
fn change(
    id: &str,
    actor: &str,
    action: &str,
    change: impl FnOnce(&DisputeRow) -> Result<DisputeRow, DisputeError> + Send + 'static,
) -> Work<DisputeRow, DisputeError> {
    let (id, actor, action) = (id.to_owned(), actor.to_owned(), action.to_owned());
    Work::new(move |db| {
        let select = format!(
            "SELECT {COLUMNS} FROM disputes WHERE id = ?{}",
            db.row_lock()
        );
        let before = db
            .row(&select, params![&id], read_dispute)?
            .ok_or_else(|| DisputeError::NotFound(id.clone()))?;
        let after = DisputeRow {
            updated_at: this_moment(),
            ..change(&before)?
        };
        let text = after.stored_text();
        db.execute(
            // `resolved_at`: the first moment of a stay in resolved or closed (see migration 22).
            "UPDATE disputes SET status = ?, escalated = ?, assignee = ?, updated_at = ?, verdict = ?, \
             adjustment = ?, findings_json = ?, verified_at = ?, \
             resolved_at = CASE WHEN ? = 1 THEN COALESCE(resolved_at, ?) ELSE NULL END WHERE id = ?",
            params![
                after.status.as_str(),
                i64::from(after.escalated),
                &after.assignee,
                &text.updated_at,
                after.verification.verdict.as_str(),
                &text.adjustment,
                &text.findings_json,
                &text.verified_at,
                i64::from(matches!(
                    after.status,
                    DisputeStatus::Resolved | DisputeStatus::Closed
                )),
                &text.updated_at,
                &id,
            ],
        )?;
        let (was, is) = after.changes_from(&before);
        let event = dispute_event(&actor, &id, &action, Some(was), Some(is));
        append(db, event)?;
        Ok(after)
    })
}
