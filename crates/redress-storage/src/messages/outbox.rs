//! The outbox: messages to customers waiting to be delivered, claimed by a worker, and marked
//! delivered, to be tried again, or failed; and failed later by a bounce, when the customer's
//! mail server reports it could not deliver what it took ([`mark_bounced`]).
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
use redress_domain::audit_log::NewEvent;
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
    // The first condition is the partial index `outbox_due`'s, word for word, so that the
    // messages already sent (nearly all, and kept) are not read on every poll.
    let due: Vec<String> = db.rows(
        &format!(
            "SELECT message_id FROM outbox WHERE state IN ('waiting', 'sending') \
             AND ((state = 'waiting' AND next_attempt_at <= ?) \
             OR (state = 'sending' AND claimed_until <= ?)) ORDER BY next_attempt_at, message_id \
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
    let Some(message) = reread(db, id)? else {
        return Ok(true);
    };
    let event = match &error {
        Some(error) => failed_event(&message, action, error, serde_json::json!({})),
        None => message_event(&message, "system", action),
    };
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

/// A mail server's report that a message did not reach the customer for good (a bounce),
/// received after the message was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The status code it gives, e.g. `5.1.1`.
    pub status: Option<String>,
    /// The receiving server's words.
    pub diagnostic: Option<String>,
    /// The addresses it says were not reached.
    pub recipients: Vec<String>,
}

impl Bounce {
    /// What the delivery's `last_error` says of it: `bounced: 5.1.1 550 5.1.1 <…>: User
    /// unknown`, or `bounced` alone when the report gave neither code nor words.
    pub fn error(&self) -> String {
        let mut error = "bounced:".to_owned();
        for said in [&self.status, &self.diagnostic].into_iter().flatten() {
            let said = said.trim();
            if !said.is_empty() {
                error.push(' ');
                error.push_str(said);
            }
        }
        error.trim_end_matches(':').to_owned()
    }
}

/// Marks the message `id`, which was sent (or is being sent, or waits to be tried again), as
/// failed at `at` because `bounce` reports it did not reach the customer, with a
/// `message_bounced` event on its dispute. Gives `false`, changing nothing, when its delivery
/// had failed already (the same report received again) or it is no message to a customer.
/// It is never put back in the outbox: an agent decides what to send instead. A worker that
/// still holds it finds its claim gone, and its own mark changes nothing.
pub fn mark_bounced(id: &str, bounce: Bounce, at: Timestamp) -> Work<bool, MessageError> {
    let id = id.to_owned();
    Work::new(move |db| mark_bounced_in(db, &id, &bounce, at))
}

fn mark_bounced_in(
    db: &mut dyn Db,
    id: &str,
    bounce: &Bounce,
    at: Timestamp,
) -> Result<bool, MessageError> {
    // The states a bounce may fail, as the domain says; in one statement, so that a worker's
    // mark at the same moment comes either before (and is overwritten) or after (and finds
    // its claim gone).
    let from: Vec<String> = DeliveryState::ALL
        .into_iter()
        .filter(|state| state.may_become(DeliveryState::Failed))
        .map(|state| format!("'{}'", state.as_str()))
        .collect();
    let error = bounce.error();
    let changed = db.execute(
        &format!(
            "UPDATE outbox SET state = ?, last_error = ?, claim = NULL, claimed_until = NULL, \
             updated_at = ? WHERE message_id = ? AND state IN ({})",
            from.join(", ")
        ),
        params![
            DeliveryState::Failed.as_str(),
            &error,
            &timestamp_text(at),
            id
        ],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    let Some(message) = reread(db, id)? else {
        return Ok(true);
    };
    // As a failed delivery's event, with the report's own words.
    let report = serde_json::json!({"status": bounce.status, "diagnostic": bounce.diagnostic,
        "recipients": bounce.recipients});
    append(
        db,
        failed_event(&message, "message_bounced", &error, report),
    )?;
    Ok(true)
}

/// The message `id` as it stands after a change of its delivery (`None`: not there).
fn reread(db: &mut dyn Db, id: &str) -> Result<Option<StoredMessage>, StorageError> {
    db.row(
        &format!("{} WHERE m.id = ?", select()),
        params![id],
        read_message,
    )
}

/// The event of a delivery that failed (`action`), with the mail server's words (`error`) and
/// whatever else it reported (`more`, an object), for the agent who must act on it.
fn failed_event(
    message: &StoredMessage,
    action: &str,
    error: &str,
    more: serde_json::Value,
) -> NewEvent {
    let mut after = serde_json::json!({"message_id": message.id, "kind": message.kind.as_str(),
        "attempts": message.delivery.as_ref().map(|d| d.attempts), "error": error});
    if let (Some(after), serde_json::Value::Object(more)) = (after.as_object_mut(), more) {
        after.extend(more);
    }
    let mut event = message_event(message, "system", action);
    event.after = Some(after.to_string());
    event
}
