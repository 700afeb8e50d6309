//! A dispute as stored, and why one could not be changed: what intake records, the lifecycle
//! changes, the list pages through, and notes and attachments belong to.

use crate::engine::StorageError;
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{Cells, this_moment};
use redress_audit::report::Findings;
use redress_domain::audit_log::NewEvent;
use redress_domain::{
    Date, Decimal, DisputeReason, DisputeStatus, Money, Timestamp, TransitionError, Verdict,
    timestamp_text,
};

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
    /// The customer's reason.
    pub reason: DisputeReason,
    /// What the customer claims, net of tax, in the invoice's currency.
    pub claimed: Money,
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
    /// When the customer raised it.
    pub opened_on: Date,
    /// When Redress recorded it.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// What its last verification found.
    pub verification: VerificationRecord,
}

/// What the audit rules said of a dispute when it was last verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    /// Upheld, partially upheld or rejected.
    pub verdict: Verdict,
    /// What is owed to the customer on what they dispute, net of tax, in the dispute's
    /// currency.
    pub adjustment: Decimal,
    /// The findings the verdict rests on, with their evidence.
    pub findings: Findings,
    /// When it was verified.
    pub verified_at: Timestamp,
}

impl DisputeRow {
    /// The dispute as a JSON object, for the audit log.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }

    fn to_json_value(&self) -> serde_json::Value {
        let currency = self.claimed.currency;
        serde_json::json!({
            "id": self.id, "invoice_id": self.invoice_id, "customer_id": self.customer_id,
            "line_no": self.line_no, "reason": self.reason.as_str(),
            "claimed_amount": currency.format(self.claimed.amount),
            "currency": currency.code(), "narrative": self.narrative, "channel": self.channel,
            "taken_by": self.taken_by, "status": self.status.as_str(), "escalated": self.escalated,
            "assignee": self.assignee, "linked_to": self.linked_to,
            "opened_on": self.opened_on.to_string(),
            "verdict": self.verification.verdict.as_str(),
            "adjustment": currency.format(self.verification.adjustment),
        })
    }

    /// A change from `before` to `self`, as the audit log keeps it: the id and each field that
    /// changed, as it was and as it is. The dispute as taken is in its `created` event; copying
    /// it whole into every later event would copy its narrative (up to 10,000 characters) twice
    /// a change.
    pub fn changes_from(&self, before: &DisputeRow) -> (String, String) {
        let (mut was, mut is) = (before.to_json_value(), self.to_json_value());
        if let (Some(was), Some(is)) = (was.as_object_mut(), is.as_object_mut()) {
            let same: Vec<String> = is
                .iter()
                .filter(|(field, value)| *field != "id" && was.get(*field) == Some(*value))
                .map(|(field, _)| field.clone())
                .collect();
            for field in same {
                was.remove(&field);
                is.remove(&field);
            }
        }
        (was.to_string(), is.to_string())
    }

    /// The columns written as text, made once for a write.
    pub(crate) fn stored_text(&self) -> StoredText {
        let currency = self.claimed.currency;
        StoredText {
            claimed_amount: currency.format(self.claimed.amount),
            // Every claim taken is held by its currency (intake and import refuse the others),
            // so its minor units fit.
            claimed_minor: currency
                .minor_units(currency.round(self.claimed.amount))
                .unwrap_or(i64::MAX),
            opened_on: self.opened_on.to_string(),
            created_at: timestamp_text(self.created_at),
            updated_at: timestamp_text(self.updated_at),
            adjustment: currency.format(self.verification.adjustment),
            findings_json: self.verification.findings.as_json().to_owned(),
            verified_at: timestamp_text(self.verification.verified_at),
        }
    }
}

/// A dispute's typed values as its text columns hold them.
pub(crate) struct StoredText {
    pub(crate) claimed_amount: String,
    pub(crate) claimed_minor: i64,
    pub(crate) opened_on: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) adjustment: String,
    pub(crate) findings_json: String,
    pub(crate) verified_at: String,
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

/// A dispute's row, read back: a cell that does not read back is an error naming it.
pub(crate) fn read_dispute(row: &dyn Row) -> Result<DisputeRow, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "disputes", id.as_str());
    let currency = cells.currency(7, "currency")?;
    let line_no = match row.opt_int(3)? {
        None => None,
        Some(n) => Some(
            u32::try_from(n)
                .map_err(|_| cells.unreadable("line_no", &n.to_string(), "a line number"))?,
        ),
    };
    Ok(DisputeRow {
        invoice_id: row.string(1)?,
        customer_id: row.string(2)?,
        line_no,
        reason: cells.parsed(4, "reason", "a dispute reason", DisputeReason::from_name)?,
        claimed: Money {
            amount: cells.amount(5, "claimed_amount")?,
            currency,
        },
        narrative: row.string(8)?,
        channel: row.string(9)?,
        taken_by: row.string(10)?,
        status: cells.parsed(11, "status", "a dispute status", DisputeStatus::from_name)?,
        escalated: row.int(12)? != 0,
        assignee: row.opt_string(13)?,
        linked_to: row.opt_string(14)?,
        opened_on: cells.date(15, "opened_on")?,
        created_at: cells.timestamp(16, "created_at")?,
        updated_at: cells.timestamp(17, "updated_at")?,
        verification: VerificationRecord {
            verdict: cells.parsed(18, "verdict", "a verdict", Verdict::from_name)?,
            adjustment: cells.amount(19, "adjustment")?,
            findings: cells.parsed(20, "findings_json", "a JSON list of findings", |t| {
                Findings::from_json(t.to_owned()).ok()
            })?,
            verified_at: cells.timestamp(21, "verified_at")?,
        },
        id,
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
        occurred_at: timestamp_text(this_moment()),
        actor: actor.to_owned(),
        entity: "dispute".to_owned(),
        entity_id: id.to_owned(),
        action: action.to_owned(),
        before,
        after,
    }
}
