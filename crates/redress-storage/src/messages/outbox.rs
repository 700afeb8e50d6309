//! The outbox: messages to customers waiting to be delivered, claimed by a worker, and marked
//! delivered, to be tried again, or failed.
//!
//! A claim is a random token with an end: the worker holding it marks the message, and a
//! message whose claim ended (its worker died mid-delivery) is claimed again. On PostgreSQL
//! several workers claim side by side (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a
//! time across processes. A mark names the claim, so a worker whose claim was taken over
//! changes nothing.

use super::{MessageError, StoredMessage, message_event, read_message, select};
use crate::engine::Backend;
use crate::engine::sql::{Db, Value, params};
use crate::engine::stored::new_id;
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::message::{DeliveryState, MessageKind};
use redress_domain::{DisputeStatus, Timestamp, timestamp_text};

/// A message claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The message, as kept.
    pub message: StoredMessage,
    /// The claim's token, which the marks name.
    pub claim: String,
    /// Which attempt this is (from 1).
    pub attempt: u32,
}

/// Claims up to `limit` messages due at `now` (waiting until then, or sending under a claim
/// that ended), each until `until`.
pub fn claim_due(now: Timestamp, until: Timestamp, limit: u32) -> Work<Vec<Claimed>, StorageError> {
    Work::new(move |db| claim_in(db, now, until, limit))
}

fn claim_in(
    db: &mut dyn Db,
    now: Timestamp,
    until: Timestamp,
    limit: u32,
) -> Result<Vec<Claimed>, StorageError> {
    let now_text = timestamp_text(now);
    let lock = match db.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let due: Vec<String> = db.rows(
        &format!(
            "SELECT message_id FROM outbox WHERE (state = 'waiting' AND next_attempt_at <= ?) \
             OR (state = 'sending' AND claimed_until <= ?) ORDER BY next_attempt_at, message_id \
             LIMIT {limit}{lock}"
        ),
        params![&now_text, &now_text],
        |row| row.string(0),
    )?;
    let until_text = timestamp_text(until);
    let mut claimed = Vec::with_capacity(due.len());
    for id in due {
        let claim = new_id("CLAIM");
        let attempt = db.row(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, claim = ?, \
             claimed_until = ?, updated_at = ? WHERE message_id = ? RETURNING attempts",
            params![&claim, &until_text, &now_text, &id],
            |row| row.int(0),
        )?;
        let Some(attempt) = attempt else { continue };
        let message = db.row(
            &format!("{} WHERE m.id = ?", select()),
            params![&id],
            read_message,
        )?;
        if let Some(message) = message {
            claimed.push(Claimed {
                message,
                claim,
                attempt: attempt.max(0) as u32,
            });
        }
    }
    Ok(claimed)
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The mail server took it.
    Delivered,
    /// It failed for now: try again at `retry_at`.
    RetryAt {
        /// When to try again.
        retry_at: Timestamp,
        /// Why it failed.
        error: String,
    },
    /// It failed for good.
    Failed {
        /// Why.
        error: String,
    },
}

/// Marks the message `id`, claimed with `claim`, as `outcome` says at `at`, with its event.
/// Gives `false`, changing nothing, when the claim is no longer held (another worker took the
/// message over after this one's claim ended). A delivered acknowledgement moves its dispute
/// from open to acknowledged.
pub fn mark(id: &str, claim: &str, outcome: Outcome, at: Timestamp) -> Work<bool, MessageError> {
    let (id, claim) = (id.to_owned(), claim.to_owned());
    Work::new(move |db| mark_in(db, &id, &claim, outcome, at))
}

fn mark_in(
    db: &mut dyn Db,
    id: &str,
    claim: &str,
    outcome: Outcome,
    at: Timestamp,
) -> Result<bool, MessageError> {
    let at_text = timestamp_text(at);
    let (state, next, error, delivered_at, action) = match &outcome {
        Outcome::Delivered => (
            DeliveryState::Delivered,
            None,
            None,
            Some(at_text.clone()),
            "message_delivered",
        ),
        Outcome::RetryAt { retry_at, error } => (
            DeliveryState::Waiting,
            Some(timestamp_text(*retry_at)),
            Some(error.clone()),
            None,
            "delivery_retry_scheduled",
        ),
        Outcome::Failed { error } => (
            DeliveryState::Failed,
            None,
            Some(error.clone()),
            None,
            "delivery_failed",
        ),
    };
    let changed = db.execute(
        "UPDATE outbox SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), \
         last_error = COALESCE(?, last_error), delivered_at = ?, claim = NULL, \
         claimed_until = NULL, updated_at = ? WHERE message_id = ? AND claim = ? \
         AND state = 'sending'",
        &[
            Value::Text(state.as_str()),
            Value::from(&next),
            Value::from(&error),
            Value::from(&delivered_at),
            Value::from(&at_text),
            Value::Text(id),
            Value::Text(claim),
        ],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    let Some(message) = db.row(
        &format!("{} WHERE m.id = ?", select()),
        params![id],
        read_message,
    )?
    else {
        return Ok(true);
    };
    let mut event = message_event(&message, "system", action);
    if let Some(error) = &error {
        // The mail server's words, for the agent who must act on a failure.
        event.after = Some(
            serde_json::json!({"message_id": message.id, "kind": message.kind.as_str(),
                "attempts": message.delivery.as_ref().map(|d| d.attempts), "error": error})
            .to_string(),
        );
    }
    append(db, event)?;
    if outcome == Outcome::Delivered
        && message.kind == MessageKind::Acknowledgement
        && let Some(dispute) = &message.dispute_id
    {
        crate::disputes::lifecycle::move_if_in(
            db,
            dispute,
            DisputeStatus::Open,
            DisputeStatus::Acknowledged,
            "system",
        )?;
    }
    Ok(true)
}
