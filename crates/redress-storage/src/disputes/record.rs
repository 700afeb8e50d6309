//! A dispute as stored, and why one could not be changed: what intake records, the lifecycle
//! changes, the list pages through, and notes and attachments belong to.

use crate::engine::StorageError;
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::now;
use redress_domain::DisputeStatus;
use redress_domain::TransitionError;
use redress_domain::audit_log::NewEvent;

/// A dispute as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRow {
    /// Its id, e.g. `DSP-1` (from an export) or `DSP-8f3a…` (taken by Redress).
    pub id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// The invoice's customer.
    pub customer_id: String,
    /// The line disputed; `None` for the whole invoice.
    pub line_no: Option<u32>,
    /// The customer's reason (`overcharged`, `duplicate`, …).
    pub reason: String,
    /// What the customer claims, in the invoice's currency (exact decimal).
    pub claimed_amount: String,
    /// The claim in minor units, for filtering by amount.
    pub claimed_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The customer's own words.
    pub narrative: String,
    /// How it came in: `email`, `phone`, `portal`, `import`, …
    pub channel: String,
    /// Who took it.
    pub taken_by: String,
    /// Where it stands.
    pub status: DisputeStatus,
    /// Whether it has been escalated.
    pub escalated: bool,
    /// The agent working it.
    pub assignee: Option<String>,
    /// An open dispute of the same invoice line this one was linked to on intake.
    pub linked_to: Option<String>,
    /// When the customer raised it (`YYYY-MM-DD`).
    pub opened_on: String,
    /// When Redress recorded it (RFC 3339).
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// `upheld`, `partially_upheld` or `rejected`.
    pub verdict: String,
    /// What the audit found owed on it, net of tax (exact decimal).
    pub adjustment: String,
    /// The findings the verdict rests on, as a JSON array.
    pub findings_json: String,
    /// When it was verified.
    pub verified_at: String,
}

impl DisputeRow {
    /// The dispute as a JSON object, for the audit log.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "id": self.id, "invoice_id": self.invoice_id, "customer_id": self.customer_id,
            "line_no": self.line_no, "reason": self.reason, "claimed_amount": self.claimed_amount,
            "currency": self.currency, "narrative": self.narrative, "channel": self.channel,
            "taken_by": self.taken_by, "status": self.status.as_str(), "escalated": self.escalated,
            "assignee": self.assignee, "linked_to": self.linked_to, "opened_on": self.opened_on,
            "verdict": self.verdict, "adjustment": self.adjustment,
        })
        .to_string()
    }
}

/// Why a dispute could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum DisputeError {
    /// No dispute has that id.
    #[error("no dispute has the id `{0}`")]
    NotFound(String),
    /// A dispute with that id already exists.
    #[error("a dispute with the id `{0}` already exists")]
    Exists(String),
    /// The dispute is no longer open (resolved, closed or withdrawn).
    #[error("dispute {id} is {status}: it can no longer be escalated")]
    NotOpen {
        /// The dispute.
        id: String,
        /// Where it stands.
        status: DisputeStatus,
    },
    /// The lifecycle does not allow the move.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The user taking it can no longer change anything (disabled, or made an auditor) since
    /// their token was checked.
    #[error("the user {0} can no longer take disputes")]
    NotAWriter(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A dispute's columns, in the order [`read_dispute`] reads them.
pub(crate) const COLUMNS: &str = "id, invoice_id, customer_id, line_no, reason, claimed_amount, claimed_minor, \
    currency, narrative, channel, taken_by, status, escalated, assignee, linked_to, opened_on, \
    created_at, updated_at, verdict, adjustment, findings_json, verified_at";

/// A dispute's row, read back.
pub(crate) fn read_dispute(row: &dyn Row) -> Result<DisputeRow, StorageError> {
    let status = row.text(11)?;
    Ok(DisputeRow {
        id: row.string(0)?,
        invoice_id: row.string(1)?,
        customer_id: row.string(2)?,
        line_no: row.opt_int(3)?.map(|n| n as u32),
        reason: row.string(4)?,
        claimed_amount: row.string(5)?,
        claimed_minor: row.int(6)?,
        currency: row.string(7)?,
        narrative: row.string(8)?,
        channel: row.string(9)?,
        taken_by: row.string(10)?,
        status: DisputeStatus::from_name(status)
            .ok_or_else(|| StorageError::Corrupt(format!("dispute status `{status}`")))?,
        escalated: row.int(12)? != 0,
        assignee: row.opt_string(13)?,
        linked_to: row.opt_string(14)?,
        opened_on: row.string(15)?,
        created_at: row.string(16)?,
        updated_at: row.string(17)?,
        verdict: row.string(18)?,
        adjustment: row.string(19)?,
        findings_json: row.string(20)?,
        verified_at: row.string(21)?,
    })
}

/// Whether a dispute with this id is stored.
pub(crate) fn exists(db: &mut dyn Db, id: &str) -> Result<bool, StorageError> {
    Ok(db
        .row("SELECT 1 FROM disputes WHERE id = ?", params![id], |_| {
            Ok(())
        })?
        .is_some())
}

/// The dispute with this id.
pub(crate) fn get(db: &mut dyn Db, id: &str) -> Result<Option<DisputeRow>, StorageError> {
    db.row(
        &format!("SELECT {COLUMNS} FROM disputes WHERE id = ?"),
        params![id],
        read_dispute,
    )
}

/// How many disputes are in each status.
pub(crate) fn counts(db: &mut dyn Db) -> Result<Vec<(DisputeStatus, u64)>, StorageError> {
    let rows = db.rows(
        "SELECT status, COUNT(*) FROM disputes GROUP BY status",
        &[],
        |row| Ok((row.string(0)?, row.int(1)?)),
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(status, n)| Some((DisputeStatus::from_name(&status)?, n as u64)))
        .collect())
}

/// An event of the dispute `id`, for the audit log.
pub(crate) fn dispute_event(
    actor: &str,
    id: &str,
    action: &str,
    before: Option<String>,
    after: Option<String>,
) -> NewEvent {
    NewEvent {
        occurred_at: now(),
        actor: actor.to_owned(),
        entity: "dispute".to_owned(),
        entity_id: id.to_owned(),
        action: action.to_owned(),
        before,
        after,
    }
}
