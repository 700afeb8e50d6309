//! Disputes in the database: opened with their verification, moved through their lifecycle,
//! every change recorded in the audit log in the same transaction.

use crate::audit_log::{append, now};
use crate::contract_data::Snapshot;
use crate::sql::{Db, Row, Value, params};
use crate::write_queue::Together;
use crate::{Backend, StorageError, Store, Work};
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
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

const COLUMNS: &str = "id, invoice_id, customer_id, line_no, reason, claimed_amount, claimed_minor, \
    currency, narrative, channel, taken_by, status, escalated, assignee, linked_to, opened_on, \
    created_at, updated_at, verdict, adjustment, findings_json, verified_at";

fn read_dispute(row: &dyn Row) -> Result<DisputeRow, StorageError> {
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

impl Store {
    /// Records a new dispute and its creation in the audit log, in one transaction. A dispute of
    /// a line (or invoice) that already has an open dispute is accepted and linked to it.
    pub async fn insert_dispute(
        &self,
        dispute: DisputeRow,
        actor: &str,
    ) -> Result<DisputeRow, DisputeError> {
        self.perform(insert(dispute, actor)).await
    }

    /// Opens a dispute of `invoice_id` as one unit of work: reads the billing data of the
    /// invoice's contract (as [`Store::contract_data_for_invoice`] does; `None` when there is no such invoice), lets `decide` turn it into the dispute to
    /// record (checked and verified) or refuse, and records that dispute as
    /// [`Store::insert_dispute`] does. Intake is the busiest path: doing it in one go saves a
    /// thread hop and a pool round trip per dispute.
    pub async fn open_dispute_with<E>(
        &self,
        invoice_id: &str,
        actor: &str,
        decide: impl FnOnce(Option<redress_domain::BillingData>) -> Result<DisputeRow, E>
        + Send
        + 'static,
    ) -> Result<DisputeRow, E>
    where
        E: From<DisputeError> + From<StorageError> + Send + 'static,
    {
        let (invoice_id, actor) = (invoice_id.to_owned(), actor.to_owned());
        // The dispute to record, and the contract's snapshot to keep when it had none.
        let read = move |db: &mut dyn Db| -> Result<_, E> {
            let loaded = crate::contract_data::load(db, &invoice_id).map_err(E::from)?;
            let snapshot = loaded.as_ref().and_then(|l| l.snapshot.clone());
            Ok((decide(loaded.map(|l| l.data))?, snapshot))
        };
        let read = move |db: &mut dyn Db| {
            read(db).map(|(dispute, snapshot)| NewDispute {
                dispute,
                snapshot,
                actor,
                error: std::marker::PhantomData,
            })
        };
        // Read side by side on the pool (a contract's snapshot is one row), then written by
        // the one writing connection, with the other new disputes waiting beside it.
        self.run_then_write_together(read).await
    }

    /// Records many new disputes (an import's) in one transaction, leaving any whose id is
    /// already stored. Gives `(opened, already stored)`.
    pub async fn insert_disputes(
        &self,
        disputes: Vec<DisputeRow>,
        actor: &str,
    ) -> Result<(u64, u64), DisputeError> {
        let actor = actor.to_owned();
        self.write(move |db| insert_all(db, disputes, &actor)).await
    }

    /// The dispute with this id.
    pub async fn dispute(&self, id: &str) -> Result<Option<DisputeRow>, StorageError> {
        let id = id.to_owned();
        self.run(move |db| {
            db.row(
                &format!("SELECT {COLUMNS} FROM disputes WHERE id = ?"),
                params![&id],
                read_dispute,
            )
        })
        .await
    }

    /// Moves a dispute to `to`, if its lifecycle allows, recording the change.
    pub async fn set_dispute_status(
        &self,
        id: &str,
        to: DisputeStatus,
        actor: &str,
    ) -> Result<DisputeRow, DisputeError> {
        self.perform(set_status(id, to, actor)).await
    }

    /// Assigns a dispute to an agent (`None`: to nobody).
    pub async fn assign_dispute(
        &self,
        id: &str,
        assignee: Option<String>,
        actor: &str,
    ) -> Result<DisputeRow, DisputeError> {
        self.perform(assign(id, assignee, actor)).await
    }

    /// Raises or lowers a dispute's escalation flag, while it is open.
    pub async fn set_escalated(
        &self,
        id: &str,
        escalated: bool,
        actor: &str,
    ) -> Result<DisputeRow, DisputeError> {
        self.perform(escalate(id, escalated, actor)).await
    }

    /// Records a new verification of a dispute (after the billing data changed).
    pub async fn set_verification(
        &self,
        id: &str,
        verdict: &str,
        adjustment: &str,
        findings_json: &str,
        actor: &str,
    ) -> Result<DisputeRow, DisputeError> {
        self.perform(verify(id, verdict, adjustment, findings_json, actor))
            .await
    }
}

/// Records a new dispute and its creation (see [`Store::insert_dispute`]).
pub fn insert(dispute: DisputeRow, actor: &str) -> Work<DisputeRow, DisputeError> {
    let actor = actor.to_owned();
    Work::new(move |db| insert_in(db, dispute, &actor))
}

/// Moves a dispute to `to` (see [`Store::set_dispute_status`]).
pub fn set_status(id: &str, to: DisputeStatus, actor: &str) -> Work<DisputeRow, DisputeError> {
    change(id, actor, "status_changed", move |d| {
        Ok(DisputeRow {
            status: d.status.transition(to)?,
            ..d.clone()
        })
    })
}

/// Assigns a dispute (see [`Store::assign_dispute`]).
pub fn assign(id: &str, assignee: Option<String>, actor: &str) -> Work<DisputeRow, DisputeError> {
    change(id, actor, "assigned", move |d| {
        Ok(DisputeRow {
            assignee,
            ..d.clone()
        })
    })
}

/// Raises or lowers a dispute's escalation flag (see [`Store::set_escalated`]).
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

/// Records a new verification (see [`Store::set_verification`]).
pub fn verify(
    id: &str,
    verdict: &str,
    adjustment: &str,
    findings_json: &str,
    actor: &str,
) -> Work<DisputeRow, DisputeError> {
    let (verdict, adjustment, findings_json) = (
        verdict.to_owned(),
        adjustment.to_owned(),
        findings_json.to_owned(),
    );
    change(id, actor, "verified", move |d| {
        Ok(DisputeRow {
            verdict,
            adjustment,
            findings_json,
            verified_at: now(),
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
        let select = match db.backend() {
            Backend::Sqlite => format!("SELECT {COLUMNS} FROM disputes WHERE id = ?"),
            Backend::Postgres => format!("SELECT {COLUMNS} FROM disputes WHERE id = ? FOR UPDATE"),
        };
        let before = db
            .row(&select, params![&id], read_dispute)?
            .ok_or_else(|| DisputeError::NotFound(id.clone()))?;
        let after = DisputeRow {
            updated_at: now(),
            ..change(&before)?
        };
        db.execute(
            "UPDATE disputes SET status = ?, escalated = ?, assignee = ?, updated_at = ?, verdict = ?, \
             adjustment = ?, findings_json = ?, verified_at = ? WHERE id = ?",
            params![
                after.status.as_str(),
                i64::from(after.escalated),
                &after.assignee,
                &after.updated_at,
                &after.verdict,
                &after.adjustment,
                &after.findings_json,
                &after.verified_at,
                &id,
            ],
        )?;
        let event = dispute_event(
            &actor,
            &id,
            &action,
            Some(before.to_json()),
            Some(after.to_json()),
        );
        append(db, event)?;
        Ok(after)
    })
}

/// Inserts new disputes (an import's) within the open transaction, leaving any whose id is
/// already stored: each linked to the earliest open dispute of its line, stored or earlier in
/// `disputes`, as [`insert_in`] would link it, and recorded with its creation event. Written in
/// bulk. Gives `(opened, already stored)`.
pub(crate) fn insert_all(
    db: &mut dyn Db,
    disputes: Vec<DisputeRow>,
    actor: &str,
) -> Result<(u64, u64), DisputeError> {
    if disputes.is_empty() {
        return Ok((0, 0));
    }
    let mut stored = std::collections::HashSet::new();
    for chunk in disputes.chunks(500) {
        let list = vec!["?"; chunk.len()].join(", ");
        let ids: Vec<Value<'_>> = chunk.iter().map(|d| Value::from(&d.id)).collect();
        db.query_each(
            &format!("SELECT id FROM disputes WHERE id IN ({list})"),
            &ids,
            &mut |row| {
                stored.insert(row.string(0)?);
                Ok(())
            },
        )?;
    }
    // The earliest open dispute of each line (or whole invoice) of these invoices.
    let invoices: std::collections::HashSet<&str> =
        disputes.iter().map(|d| d.invoice_id.as_str()).collect();
    let invoices: Vec<&str> = invoices.into_iter().collect();
    let mut earliest: std::collections::HashMap<(String, Option<i64>), String> =
        std::collections::HashMap::new();
    for chunk in invoices.chunks(500) {
        let list = vec!["?"; chunk.len()].join(", ");
        let values: Vec<Value<'_>> = chunk.iter().map(|i| Value::Text(i)).collect();
        db.query_each(
            &format!(
                "SELECT invoice_id, line_no, id FROM disputes WHERE invoice_id IN ({list}) \
                 AND status IN {OPEN} ORDER BY created_at DESC, id DESC"
            ),
            &values,
            &mut |row| {
                // Latest first, so that the earliest is the one left.
                earliest.insert((row.string(0)?, row.opt_int(1)?), row.string(2)?);
                Ok(())
            },
        )?;
    }
    let total = disputes.len() as u64;
    let mut new = Vec::with_capacity(disputes.len());
    for mut dispute in disputes {
        if !stored.insert(dispute.id.clone()) {
            continue;
        }
        let line = (dispute.invoice_id.clone(), dispute.line_no.map(i64::from));
        dispute.linked_to = earliest.get(&line).cloned();
        if dispute.status.is_open() {
            earliest.entry(line).or_insert_with(|| dispute.id.clone());
        }
        new.push(dispute);
    }
    let mut rows = new.iter();
    db.upsert_many(&DISPUTES, &mut |sink| {
        rows.try_for_each(|d| sink(&d.values()))
    })?;
    for d in &new {
        append(
            db,
            dispute_event(actor, &d.id, "created", None, Some(d.to_json())),
        )?;
    }
    let opened = new.len() as u64;
    Ok((opened, total - opened))
}

/// Open statuses, as SQL.
const OPEN: &str = "('open', 'acknowledged', 'investigating', 'awaiting_customer')";

/// Disputes as rows, only ever inserted here (changes go through [`Store::change_dispute`]).
const DISPUTES: crate::sql::Upsert = crate::sql::Upsert {
    table: "disputes",
    columns: &[
        "id",
        "invoice_id",
        "customer_id",
        "line_no",
        "reason",
        "claimed_amount",
        "claimed_minor",
        "currency",
        "narrative",
        "channel",
        "taken_by",
        "status",
        "escalated",
        "assignee",
        "linked_to",
        "opened_on",
        "created_at",
        "updated_at",
        "verdict",
        "adjustment",
        "findings_json",
        "verified_at",
    ],
    key: &[],
};

/// Where `linked_to` is among [`DISPUTES`]' columns.
const LINKED_TO: usize = 14;

impl DisputeRow {
    /// The row's values, in the order of [`DISPUTES`]' columns (and of `COLUMNS`).
    fn values(&self) -> [Value<'_>; 22] {
        [
            Value::from(&self.id),
            Value::from(&self.invoice_id),
            Value::from(&self.customer_id),
            Value::from(self.line_no.map(i64::from)),
            Value::from(&self.reason),
            Value::from(&self.claimed_amount),
            Value::Int(self.claimed_minor),
            Value::from(&self.currency),
            Value::from(&self.narrative),
            Value::from(&self.channel),
            Value::from(&self.taken_by),
            Value::Text(self.status.as_str()),
            Value::Int(i64::from(self.escalated)),
            Value::from(&self.assignee),
            Value::from(&self.linked_to),
            Value::from(&self.opened_on),
            Value::from(&self.created_at),
            Value::from(&self.updated_at),
            Value::from(&self.verdict),
            Value::from(&self.adjustment),
            Value::from(&self.findings_json),
            Value::from(&self.verified_at),
        ]
    }
}

/// Inserts a new dispute within the open transaction: refused if its id is taken, linked to the
/// earliest open dispute of the same line (or whole invoice), recorded with its creation event.
/// One statement does all three, since intake is the busiest write.
fn insert_in(
    db: &mut dyn Db,
    mut dispute: DisputeRow,
    actor: &str,
) -> Result<DisputeRow, DisputeError> {
    let same_line = match dispute.line_no {
        Some(_) => "line_no = CAST(? AS INTEGER)",
        None => "line_no IS NULL",
    };
    let sql = format!(
        "INSERT INTO disputes ({COLUMNS}) SELECT ?, ?, ?, CAST(? AS INTEGER), ?, ?, CAST(? AS BIGINT), \
         ?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, \
         (SELECT id FROM disputes WHERE invoice_id = ? AND {same_line} AND status IN {OPEN} \
          ORDER BY created_at, id LIMIT 1), \
         ?, ?, ?, ?, ?, ?, ? \
         WHERE NOT EXISTS (SELECT 1 FROM disputes WHERE id = ?) RETURNING linked_to"
    );
    // The row's values in column order, with the link's lookup (invoice, line) in place of
    // `linked_to`, and the id again for the check that it is new.
    let row = dispute.values();
    debug_assert_eq!(DISPUTES.columns[LINKED_TO], "linked_to");
    let (before_link, after_link) = (&row[..LINKED_TO], &row[LINKED_TO + 1..]);
    let mut values = before_link.to_vec();
    values.push(Value::from(&dispute.invoice_id));
    values.extend(dispute.line_no.map(|n| Value::Int(i64::from(n))));
    values.extend_from_slice(after_link);
    values.push(Value::from(&dispute.id));
    let inserted = db.row(&sql, &values, |row| row.opt_string(0))?;
    let Some(linked_to) = inserted else {
        return Err(DisputeError::Exists(dispute.id));
    };
    dispute.linked_to = linked_to;
    let event = dispute_event(actor, &dispute.id, "created", None, Some(dispute.to_json()));
    append(db, event)?;
    Ok(dispute)
}

/// A new dispute waiting to be recorded, with the snapshot of its contract to keep when it had
/// none: done [`Together`] with the others waiting, since intake is the busiest write.
struct NewDispute<E> {
    dispute: DisputeRow,
    snapshot: Option<Snapshot>,
    actor: String,
    error: std::marker::PhantomData<fn() -> E>,
}

impl<E> Together for NewDispute<E>
where
    E: From<DisputeError> + From<StorageError> + Send + 'static,
{
    type Output = DisputeRow;
    type Error = E;

    /// One statement inserts them all, each linked as [`insert_in`] links it. A dispute of a
    /// line (or id) that another of them has too is inserted after that statement, by
    /// [`insert_in`], so that it sees the other and links to it.
    fn together(
        db: &mut dyn Db,
        writes: &[Self],
    ) -> Result<Vec<Result<DisputeRow, E>>, StorageError> {
        for snapshot in writes.iter().filter_map(|w| w.snapshot.as_ref()) {
            snapshot.keep(db)?;
        }
        let mut lines = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        let (first, after): (Vec<usize>, Vec<usize>) = (0..writes.len()).partition(|&i| {
            let d = &writes[i].dispute;
            // Both remembered, whichever is new.
            let new_line = lines.insert((d.invoice_id.as_str(), d.line_no));
            let new_id = ids.insert(d.id.as_str());
            new_line && new_id
        });
        let mut results: Vec<Option<Result<DisputeRow, E>>> = writes.iter().map(|_| None).collect();
        let mut linked =
            insert_each_of_its_own_line(db, first.iter().map(|&i| &writes[i].dispute))?;
        for &i in &first {
            let write = &writes[i];
            results[i] = Some(match linked.remove(&write.dispute.id) {
                Some(linked_to) => {
                    let mut dispute = write.dispute.clone();
                    dispute.linked_to = linked_to;
                    let json = dispute.to_json();
                    append(
                        db,
                        dispute_event(&write.actor, &dispute.id, "created", None, Some(json)),
                    )?;
                    Ok(dispute)
                }
                None => Err(DisputeError::Exists(write.dispute.id.clone()).into()),
            });
        }
        for &i in &after {
            let write = &writes[i];
            results[i] = Some(match insert_in(db, write.dispute.clone(), &write.actor) {
                Ok(dispute) => Ok(dispute),
                Err(DisputeError::Exists(id)) => Err(DisputeError::Exists(id).into()),
                // The database failed: all of them are done again, one by one.
                Err(DisputeError::Storage(e)) => return Err(e),
                Err(e) => Err(e.into()),
            });
        }
        Ok(results.into_iter().flatten().collect())
    }

    fn alone(self, db: &mut dyn Db) -> Result<DisputeRow, E> {
        if let Some(snapshot) = &self.snapshot {
            snapshot.keep(db)?;
        }
        insert_in(db, self.dispute, &self.actor).map_err(E::from)
    }
}

/// Inserts `disputes`, each of a line (or whole invoice) and with an id that no other of them
/// has, in one statement within the open transaction, each linked to the earliest open dispute
/// of its line as [`insert_in`] links it. Gives the `linked_to` of each one inserted, by id: a
/// dispute whose id was taken is not among them.
fn insert_each_of_its_own_line<'a>(
    db: &mut dyn Db,
    disputes: impl Iterator<Item = &'a DisputeRow>,
) -> Result<std::collections::HashMap<String, Option<String>>, StorageError> {
    let mut values = Vec::new();
    let mut rows = 0;
    for dispute in disputes {
        // `linked_to` is looked up by the statement.
        let row = dispute.values();
        values.extend_from_slice(&row[..LINKED_TO]);
        values.extend_from_slice(&row[LINKED_TO + 1..]);
        rows += 1;
    }
    let mut linked = std::collections::HashMap::new();
    if rows == 0 {
        return Ok(linked);
    }
    let columns: Vec<&str> = DISPUTES
        .columns
        .iter()
        .copied()
        .filter(|c| *c != "linked_to")
        .collect();
    let each = "(?, ?, ?, CAST(? AS INTEGER), ?, ?, CAST(? AS BIGINT), ?, ?, ?, ?, ?, \
                CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?, ?)";
    let picked: Vec<String> = DISPUTES
        .columns
        .iter()
        .map(|c| match *c {
            "linked_to" => format!(
                "(SELECT d.id FROM disputes d WHERE d.invoice_id = new.invoice_id \
                 AND (d.line_no = new.line_no OR (d.line_no IS NULL AND new.line_no IS NULL)) \
                 AND d.status IN {OPEN} ORDER BY d.created_at, d.id LIMIT 1)"
            ),
            c => format!("new.{c}"),
        })
        .collect();
    let sql = format!(
        "WITH new ({}) AS (VALUES {}) INSERT INTO disputes ({COLUMNS}) SELECT {} FROM new \
         WHERE NOT EXISTS (SELECT 1 FROM disputes d WHERE d.id = new.id) RETURNING id, linked_to",
        columns.join(", "),
        vec![each; rows].join(", "),
        picked.join(", "),
    );
    db.query_each(&sql, &values, &mut |row| {
        linked.insert(row.string(0)?, row.opt_string(1)?);
        Ok(())
    })?;
    Ok(linked)
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

/// Which disputes to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisputeFilter {
    /// Only in this status.
    pub status: Option<DisputeStatus>,
    /// Only of this customer.
    pub customer_id: Option<String>,
    /// Only with this reason.
    pub reason: Option<String>,
    /// Only assigned to this agent.
    pub assignee: Option<String>,
    /// Only opened on or after this day (`YYYY-MM-DD`).
    pub opened_from: Option<String>,
    /// Only opened on or before this day.
    pub opened_to: Option<String>,
    /// Only in this currency (needed for amount bounds).
    pub currency: Option<String>,
    /// Only claims of at least this many minor units.
    pub min_claimed_minor: Option<i64>,
    /// Only claims of at most this many minor units.
    pub max_claimed_minor: Option<i64>,
}

impl DisputeFilter {
    /// The first and last opening day wanted, when both are given and at most 92 days apart.
    fn short_period(&self) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
        let day = |d: &Option<String>| d.as_deref()?.parse::<jiff::civil::Date>().ok();
        let (from, to) = (day(&self.opened_from)?, day(&self.opened_to)?);
        let days = from.until(to).ok()?.get_days();
        (0..=92).contains(&days).then_some((from, to))
    }
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisputeOrder {
    /// Newest first (the default).
    #[default]
    NewestFirst,
    /// Oldest first.
    OldestFirst,
    /// Largest claim first.
    LargestClaimFirst,
}

/// A page of disputes and the cursor of the next page, if there is one.
#[derive(Debug, Clone)]
pub struct DisputePage {
    /// The disputes.
    pub disputes: Vec<DisputeRow>,
    /// Opaque: pass it back as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// A value bound to a list query.
#[derive(Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    // A NUL is in no cursor this store gives (and PostgreSQL would refuse to compare it).
    String::from_utf8(bytes?)
        .ok()
        .filter(|text| !text.contains('\0'))
}

/// A cursor that is not one this store gave.
#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this list gave")]
pub struct BadCursor;

impl Store {
    /// A page of the disputes that pass `filter`, in `order`, after `cursor`. Keyset paging: a
    /// page costs the same however deep it is, and a dispute opened meanwhile shifts nothing.
    pub async fn list_disputes(
        &self,
        filter: &DisputeFilter,
        order: DisputeOrder,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Result<DisputePage, BadCursor>, StorageError> {
        let mut clauses: Vec<&str> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let mut text = |clause, value: &Option<String>, binds: &mut Vec<Bind>| {
            if let Some(v) = value {
                clauses.push(clause);
                binds.push(Bind::Text(v.clone()));
            }
        };
        text(
            "status = ?",
            &filter.status.map(|s| s.as_str().to_owned()),
            &mut binds,
        );
        text("customer_id = ?", &filter.customer_id, &mut binds);
        text("reason = ?", &filter.reason, &mut binds);
        text("assignee = ?", &filter.assignee, &mut binds);
        text("opened_on >= ?", &filter.opened_from, &mut binds);
        text("opened_on <= ?", &filter.opened_to, &mut binds);
        text("currency = ?", &filter.currency, &mut binds);
        if let Some(min) = filter.min_claimed_minor {
            clauses.push("claimed_minor >= ?");
            binds.push(Bind::Int(min));
        }
        if let Some(max) = filter.max_claimed_minor {
            clauses.push("claimed_minor <= ?");
            binds.push(Bind::Int(max));
        }
        let (key, direction, after) = match order {
            DisputeOrder::NewestFirst => ("created_at", "DESC", "(created_at, id) < (?, ?)"),
            DisputeOrder::OldestFirst => ("created_at", "ASC", "(created_at, id) > (?, ?)"),
            DisputeOrder::LargestClaimFirst => {
                ("claimed_minor", "DESC", "(claimed_minor, id) < (?, ?)")
            }
        };
        if let Some(cursor) = cursor {
            let Some((value, id)) = unhex(cursor)
                .as_deref()
                .and_then(|c| c.split_once('\u{1f}'))
                .map(|(v, i)| (v.to_owned(), i.to_owned()))
            else {
                return Ok(Err(BadCursor));
            };
            clauses.push(after);
            if key == "claimed_minor" {
                let Ok(value) = value.parse::<i64>() else {
                    return Ok(Err(BadCursor));
                };
                binds.push(Bind::Int(value));
            } else {
                binds.push(Bind::Text(value));
            }
            binds.push(Bind::Text(id));
        }
        let filter_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let limit = limit.clamp(1, 200);
        let order_by = format!(
            "ORDER BY {key} {direction}, id {direction} LIMIT {}",
            limit + 1
        );
        // A short period is read a day at a time only in the order of recording, so each
        // day's page is in the page's own order: `order_by` serves both.
        let period = filter.short_period().filter(|_| key == "created_at");
        let page = match period {
            Some((from, to)) if self.backend() == Backend::Postgres => {
                // Disputes opened in a short period, newest (or oldest) first: the first page's
                // worth of each opening day, from the index of reasons (or of opening days)
                // by day and time of recording, then merged. Left to itself, PostgreSQL's
                // planner either walks the index of recording from the newest past every
                // dispute opened since (it does not know that recorded and opened go together:
                // a second and more), or sorts every dispute of the period (5 ms for a month of
                // one reason among a million, against 1 ms this way).
                binds.splice(
                    0..0,
                    [Bind::Text(from.to_string()), Bind::Text(to.to_string())],
                );
                Some(format!(
                    "SELECT id FROM (SELECT p.id, p.created_at FROM (SELECT to_char(d, 'YYYY-MM-DD') AS day \
                     FROM generate_series(CAST(CAST(? AS text) AS date), CAST(CAST(? AS text) AS date), interval '1 day') d) days \
                     CROSS JOIN LATERAL (SELECT id, created_at FROM disputes {filter_sql} AND opened_on = days.day \
                     {order_by}) p) period"
                ))
            }
            Some((from, to)) => {
                // The same on SQLite, one arm of a compound select per day (it has no lateral
                // joins): sorting a month of one reason (12,000 of a million disputes) took
                // 2.6 ms and made this the slowest page by far; a page's worth a day, 1.3 ms.
                let arm = format!(
                    "SELECT * FROM (SELECT id, created_at FROM disputes {filter_sql} AND opened_on = ? \
                     {order_by})"
                );
                let each = std::mem::take(&mut binds);
                let mut arms = Vec::new();
                for day in from
                    .series(jiff::Span::new().days(1))
                    .take_while(|day| *day <= to)
                {
                    binds.extend(each.iter().cloned());
                    binds.push(Bind::Text(day.to_string()));
                    arms.push(arm.as_str());
                }
                Some(format!(
                    "SELECT id FROM ({}) period",
                    arms.join(" UNION ALL ")
                ))
            }
            _ => None,
        };
        let sql = match page {
            // A short period: the page's ids from the days' pages, then only those rows.
            Some(page) => format!(
                "SELECT {COLUMNS} FROM disputes WHERE id IN ({page} {order_by}) \
                 ORDER BY {key} {direction}, id {direction}"
            ),
            // Every filter has an index that serves it in order (migration 0010), so the page
            // is read straight from it, a row fetched per dispute the index lets through.
            // (Reading the page's ids from the index first and then their rows looked every
            // one of them up again by id: two thirds of PostgreSQL's work on a page of
            // amounts, by EXPLAIN ANALYZE.)
            None => format!("SELECT {COLUMNS} FROM disputes {filter_sql} {order_by}"),
        };
        let mut disputes = self
            .run(move |db| {
                let values: Vec<Value<'_>> = binds
                    .iter()
                    .map(|bind| match bind {
                        Bind::Text(t) => Value::Text(t),
                        Bind::Int(n) => Value::Int(*n),
                    })
                    .collect();
                db.rows(&sql, &values, read_dispute)
            })
            .await?;
        let next_cursor = if disputes.len() > limit as usize {
            disputes.truncate(limit as usize);
            disputes.last().map(|last| {
                let value = if key == "claimed_minor" {
                    last.claimed_minor.to_string()
                } else {
                    last.created_at.clone()
                };
                hex(&format!("{value}\u{1f}{}", last.id))
            })
        } else {
            None
        };
        Ok(Ok(DisputePage {
            disputes,
            next_cursor,
        }))
    }
}

/// A note in a dispute's case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNote {
    /// Its id.
    pub id: String,
    /// The dispute.
    pub dispute_id: String,
    /// `note` (internal) or `statement` (by the employee who ran the transaction).
    pub kind: String,
    /// Who wrote it.
    pub author: String,
    /// What it says.
    pub body: String,
    /// When.
    pub created_at: String,
}

impl Store {
    /// Adds a note or statement to a dispute's case file, recorded in the audit log.
    pub async fn add_case_note(
        &self,
        dispute_id: &str,
        kind: &str,
        body: &str,
        author: &str,
    ) -> Result<CaseNote, DisputeError> {
        self.perform(add_note(dispute_id, kind, body, author)).await
    }

    /// A dispute's case notes, oldest first.
    pub async fn case_notes(&self, dispute_id: &str) -> Result<Vec<CaseNote>, StorageError> {
        let dispute_id = dispute_id.to_owned();
        self.run(move |db| {
            db.rows(
                "SELECT id, dispute_id, kind, author, body, created_at FROM case_notes WHERE dispute_id = ? ORDER BY created_at, id",
                params![&dispute_id],
                |row| {
                    Ok(CaseNote {
                        id: row.string(0)?,
                        dispute_id: row.string(1)?,
                        kind: row.string(2)?,
                        author: row.string(3)?,
                        body: row.string(4)?,
                        created_at: row.string(5)?,
                    })
                },
            )
        })
        .await
    }
}

impl Store {
    /// How many disputes are in each status.
    pub async fn dispute_counts(&self) -> Result<Vec<(DisputeStatus, u64)>, StorageError> {
        let rows = self
            .run(|db| {
                db.rows(
                    "SELECT status, COUNT(*) FROM disputes GROUP BY status",
                    &[],
                    |row| Ok((row.string(0)?, row.int(1)?)),
                )
            })
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(status, n)| Some((DisputeStatus::from_name(&status)?, n as u64)))
            .collect())
    }
}

/// Adds a note or statement to a dispute's case file (see [`Store::add_case_note`]).
pub fn add_note(
    dispute_id: &str,
    kind: &str,
    body: &str,
    author: &str,
) -> Work<CaseNote, DisputeError> {
    let note = CaseNote {
        id: crate::new_id("NOTE"),
        dispute_id: dispute_id.to_owned(),
        kind: kind.to_owned(),
        author: author.to_owned(),
        body: body.to_owned(),
        created_at: now(),
    };
    Work::new(move |db| {
        if !exists(db, &note.dispute_id)? {
            return Err(DisputeError::NotFound(note.dispute_id));
        }
        db.execute(
            "INSERT INTO case_notes (id, dispute_id, kind, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            params![&note.id, &note.dispute_id, &note.kind, &note.author, &note.body, &note.created_at],
        )?;
        let after =
            serde_json::json!({"id": note.id, "kind": note.kind, "body": note.body}).to_string();
        append(
            db,
            dispute_event(
                &note.author,
                &note.dispute_id,
                &format!("{}_added", note.kind),
                None,
                Some(after),
            ),
        )?;
        Ok(note)
    })
}
