//! Disputes in the database: opened with their verification, moved through their lifecycle,
//! every change recorded in the audit log in the same transaction.

use crate::audit_log::{append, now};
use crate::{Backend, StorageError, Store, placeholders};
use redress_domain::DisputeStatus;
use redress_domain::TransitionError;
use redress_domain::audit_log::NewEvent;
use sqlx::Row;
use sqlx::any::AnyRow;

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
    /// The lifecycle does not allow the move.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for DisputeError {
    fn from(e: sqlx::Error) -> Self {
        Self::Storage(e.into())
    }
}

const COLUMNS: &str = "id, invoice_id, customer_id, line_no, reason, claimed_amount, claimed_minor, \
    currency, narrative, channel, taken_by, status, escalated, assignee, linked_to, opened_on, \
    created_at, updated_at, verdict, adjustment, findings_json, verified_at";

fn from_row(row: &AnyRow) -> Result<DisputeRow, StorageError> {
    let status: String = row.try_get(11)?;
    Ok(DisputeRow {
        id: row.try_get(0)?,
        invoice_id: row.try_get(1)?,
        customer_id: row.try_get(2)?,
        line_no: row.try_get::<Option<i64>, _>(3)?.map(|n| n as u32),
        reason: row.try_get(4)?,
        claimed_amount: row.try_get(5)?,
        claimed_minor: row.try_get(6)?,
        currency: row.try_get(7)?,
        narrative: row.try_get(8)?,
        channel: row.try_get(9)?,
        taken_by: row.try_get(10)?,
        status: DisputeStatus::from_name(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("dispute status `{status}`")))?,
        escalated: row.try_get::<i64, _>(12)? != 0,
        assignee: row.try_get(13)?,
        linked_to: row.try_get(14)?,
        opened_on: row.try_get(15)?,
        created_at: row.try_get(16)?,
        updated_at: row.try_get(17)?,
        verdict: row.try_get(18)?,
        adjustment: row.try_get(19)?,
        findings_json: row.try_get(20)?,
        verified_at: row.try_get(21)?,
    })
}

impl Store {
    /// Records a new dispute and its creation in the audit log, in one transaction. A dispute of
    /// a line (or invoice) that already has an open dispute is accepted and linked to it.
    pub async fn insert_dispute(
        &self,
        mut dispute: DisputeRow,
        actor: &str,
    ) -> Result<DisputeRow, DisputeError> {
        let b = self.backend;
        let mut tx = self.pool().begin().await?;
        let exists: Option<(String,)> =
            sqlx::query_as(placeholders(b, "SELECT id FROM disputes WHERE id = ?"))
                .bind(dispute.id.clone())
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(DisputeError::Exists(dispute.id));
        }
        let open = "('open', 'acknowledged', 'investigating', 'awaiting_customer')";
        let same_line = match dispute.line_no {
            Some(_) => format!(
                "SELECT id FROM disputes WHERE invoice_id = ? AND line_no = ? AND status IN {open} ORDER BY created_at, id LIMIT 1"
            ),
            None => format!(
                "SELECT id FROM disputes WHERE invoice_id = ? AND line_no IS NULL AND status IN {open} ORDER BY created_at, id LIMIT 1"
            ),
        };
        let mut query =
            sqlx::query_as(placeholders(b, &same_line)).bind(dispute.invoice_id.clone());
        if let Some(line_no) = dispute.line_no {
            query = query.bind(i64::from(line_no));
        }
        let linked: Option<(String,)> = query.fetch_optional(&mut *tx).await?;
        dispute.linked_to = linked.map(|(id,)| id);
        let placeholders_list = vec!["?"; 22].join(", ");
        let sql = format!("INSERT INTO disputes ({COLUMNS}) VALUES ({placeholders_list})");
        sqlx::query(placeholders(b, &sql))
            .bind(dispute.id.clone())
            .bind(dispute.invoice_id.clone())
            .bind(dispute.customer_id.clone())
            .bind(dispute.line_no.map(i64::from))
            .bind(dispute.reason.clone())
            .bind(dispute.claimed_amount.clone())
            .bind(dispute.claimed_minor)
            .bind(dispute.currency.clone())
            .bind(dispute.narrative.clone())
            .bind(dispute.channel.clone())
            .bind(dispute.taken_by.clone())
            .bind(dispute.status.as_str().to_owned())
            .bind(i64::from(dispute.escalated))
            .bind(dispute.assignee.clone())
            .bind(dispute.linked_to.clone())
            .bind(dispute.opened_on.clone())
            .bind(dispute.created_at.clone())
            .bind(dispute.updated_at.clone())
            .bind(dispute.verdict.clone())
            .bind(dispute.adjustment.clone())
            .bind(dispute.findings_json.clone())
            .bind(dispute.verified_at.clone())
            .execute(&mut *tx)
            .await?;
        let event = dispute_event(actor, &dispute.id, "created", None, Some(dispute.to_json()));
        append(&mut tx, b, event).await?;
        tx.commit().await?;
        Ok(dispute)
    }

    /// The dispute with this id.
    pub async fn dispute(&self, id: &str) -> Result<Option<DisputeRow>, StorageError> {
        let sql = format!("SELECT {COLUMNS} FROM disputes WHERE id = ?");
        let row = sqlx::query(placeholders(self.backend, &sql))
            .bind(id.to_owned())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Moves a dispute to `to`, if its lifecycle allows, recording the change.
    pub async fn set_dispute_status(
        &self,
        id: &str,
        to: DisputeStatus,
        actor: &str,
    ) -> Result<DisputeRow, DisputeError> {
        let b = self.backend;
        let mut tx = self.pool().begin().await?;
        let select = match b {
            Backend::Sqlite => format!("SELECT {COLUMNS} FROM disputes WHERE id = ?"),
            Backend::Postgres => format!("SELECT {COLUMNS} FROM disputes WHERE id = ? FOR UPDATE"),
        };
        let row = sqlx::query(placeholders(b, &select))
            .bind(id.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        let before = row
            .as_ref()
            .map(from_row)
            .transpose()?
            .ok_or_else(|| DisputeError::NotFound(id.to_owned()))?;
        let status = before.status.transition(to)?;
        let after = DisputeRow {
            status,
            updated_at: now(),
            ..before.clone()
        };
        sqlx::query(placeholders(
            b,
            "UPDATE disputes SET status = ?, updated_at = ? WHERE id = ?",
        ))
        .bind(status.as_str().to_owned())
        .bind(after.updated_at.clone())
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await?;
        let event = dispute_event(
            actor,
            id,
            "status_changed",
            Some(before.to_json()),
            Some(after.to_json()),
        );
        append(&mut tx, b, event).await?;
        tx.commit().await?;
        Ok(after)
    }
}

fn dispute_event(
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
