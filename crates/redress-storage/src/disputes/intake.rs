//! Disputes recorded: one at a time, refused if its id is taken and linked to the earliest open
//! dispute of the same invoice line; those that wait for the writer together, in one
//! statement, since intake is the busiest write; and an import's, in bulk.

use super::record::{COLUMNS, DisputeError, DisputeRow, StoredText, dispute_event};
use crate::billing::contract_data::{self, Snapshot};
use crate::engine::sql::{Db, Upsert, Value};
use crate::engine::transaction::append;
use crate::engine::write_queue::Together;
use crate::engine::{Backend, StorageError, Work};
use redress_domain::{BillingData, Timestamp};

/// Records a new dispute and its creation in the audit log, in one transaction, with what
/// taking it entails (its service-level timer, and its acknowledgement to the customer) done
/// in the same transaction once it is recorded. A dispute of a line (or invoice) that already
/// has an open dispute is accepted and linked to it.
pub fn insert(decided: impl Into<Decided>, actor: &str) -> Work<DisputeRow, DisputeError> {
    let decided = decided.into();
    let actor = actor.to_owned();
    Work::new(move |db| {
        let dispute = insert_in(db, decided.dispute, &actor, decided.first_check_at)?;
        if let Some(also) = decided.also {
            also.keep_in(db)?;
        }
        Ok(dispute)
    })
}

/// What taking a dispute entails (its acknowledgement to the customer, made by
/// `messages::entailed`), kept in the transaction that records it: with the others of a group
/// of intakes, in a statement a table. It may be kept more than once, each time in a
/// transaction that is then rolled back but the last: a group of intakes that fails together
/// is done again one by one.
#[derive(Debug, Clone)]
pub struct Entailed {
    /// The message to keep (with its outbox entry).
    pub(crate) message: crate::messages::StoredMessage,
    /// Where its portal link leads, and for how long.
    pub(crate) links: Option<crate::messages::LinkSettings>,
}

/// A dispute decided on, ready to record, with what taking it entails (its acknowledgement to
/// the customer), done in the transaction that records it.
pub struct Decided {
    /// The dispute.
    pub dispute: DisputeRow,
    /// Done once it is recorded, in the same transaction.
    pub also: Option<Entailed>,
    /// When its service levels are first to be checked: the first moment one of them can
    /// change (nothing that happens to a dispute brings a warning sooner). At once when
    /// `None`. Intake is the busiest write: a timer due at once would have the checker read
    /// and write every new dispute again straight away, for nothing.
    pub first_check_at: Option<Timestamp>,
}

impl From<DisputeRow> for Decided {
    fn from(dispute: DisputeRow) -> Self {
        Self {
            dispute,
            also: None,
            first_check_at: None,
        }
    }
}

/// Records many new disputes (an import's) in one transaction, leaving any whose id is already
/// stored. Gives `(opened, already stored)`.
pub fn insert_many(disputes: Vec<DisputeRow>, actor: &str) -> Work<(u64, u64), DisputeError> {
    let actor = actor.to_owned();
    Work::new(move |db| insert_all(db, disputes, &actor))
}

/// What intake reads before its write, on a pooled connection: the billing data of the
/// contract `invoice_id` is under (as [`contract_data::load`] reads it; `None` when there is no
/// such invoice), which `decide` turns into the dispute to record (checked and verified) or
/// refuses; and the contract's snapshot to keep when it had none.
pub(crate) fn read_then_decide<E>(
    invoice_id: String,
    actor: String,
    user: bool,
    decide: impl FnOnce(Option<BillingData>) -> Result<Decided, E> + Send + 'static,
) -> impl FnOnce(&mut dyn Db) -> Result<NewDispute<E>, E> + Send + 'static
where
    E: From<DisputeError> + From<StorageError> + Send + 'static,
{
    move |db: &mut dyn Db| {
        let loaded = contract_data::load(db, &invoice_id).map_err(E::from)?;
        let snapshot = loaded.as_ref().and_then(|l| l.snapshot.clone());
        let decided = decide(loaded.map(|l| l.data))?;
        Ok(NewDispute {
            dispute: decided.dispute,
            also: decided.also,
            first_check_at: decided.first_check_at,
            snapshot,
            actor,
            user,
            error: std::marker::PhantomData,
        })
    }
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
        rows.try_for_each(|d| sink(&d.values(&d.stored_text())))
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

/// Disputes as rows, only ever inserted here (changes go through the lifecycle, `super::lifecycle`).
const DISPUTES: Upsert = Upsert {
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
    /// The row's values, in the order of [`DISPUTES`]' columns (and of `COLUMNS`), with
    /// `text` its [stored text](DisputeRow::stored_text).
    fn values<'a>(&'a self, text: &'a StoredText) -> [Value<'a>; 22] {
        [
            Value::from(&self.id),
            Value::from(&self.invoice_id),
            Value::from(&self.customer_id),
            Value::from(self.line_no.map(i64::from)),
            Value::Text(self.reason.as_str()),
            Value::from(&text.claimed_amount),
            Value::Int(text.claimed_minor),
            Value::Text(self.claimed.currency.code()),
            Value::from(&self.narrative),
            Value::from(&self.channel),
            Value::from(&self.taken_by),
            Value::Text(self.status.as_str()),
            Value::Int(i64::from(self.escalated)),
            Value::from(&self.assignee),
            Value::from(&self.linked_to),
            Value::from(&text.opened_on),
            Value::from(&text.created_at),
            Value::from(&text.updated_at),
            Value::Text(self.verification.verdict.as_str()),
            Value::from(&text.adjustment),
            Value::from(&text.findings_json),
            Value::from(&text.verified_at),
        ]
    }
}

/// Inserts a new dispute within the open transaction: refused if its id is taken, linked to the
/// earliest open dispute of the same line (or whole invoice), recorded with its creation event.
/// One statement does all three, since intake is the busiest write. Its service-level timer is
/// started, due at `first_check_at` (at once when `None`).
fn insert_in(
    db: &mut dyn Db,
    mut dispute: DisputeRow,
    actor: &str,
    first_check_at: Option<Timestamp>,
) -> Result<DisputeRow, DisputeError> {
    let same_line = match dispute.line_no {
        Some(_) => "line_no = CAST(? AS INTEGER)",
        None => "line_no IS NULL",
    };
    take_turn_at_invoices(db, [dispute.invoice_id.as_str()])?;
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
    let text = dispute.stored_text();
    let row = dispute.values(&text);
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
    // Its service levels count from now.
    super::service_levels::start_in(db, &dispute.id, first_check_at)?;
    Ok(dispute)
}

/// A new dispute waiting to be recorded, with the snapshot of its contract to keep when it had
/// none: done [`Together`] with the others waiting, since intake is the busiest write.
pub(crate) struct NewDispute<E> {
    dispute: DisputeRow,
    /// What taking it entails, done once it is recorded.
    also: Option<Entailed>,
    /// When its service levels are first checked (`Decided::first_check_at`).
    first_check_at: Option<Timestamp>,
    snapshot: Option<Snapshot>,
    actor: String,
    /// Whether `actor` is a user, who may take it only while they may change things: checked
    /// in the transaction that records it.
    user: bool,
    error: std::marker::PhantomData<fn() -> E>,
}

/// Of `actors` (users' ids), those who may change things now, read in the open transaction.
fn writers(
    db: &mut dyn Db,
    actors: &std::collections::BTreeSet<&str>,
) -> Result<std::collections::HashSet<String>, StorageError> {
    if actors.is_empty() {
        return Ok(Default::default());
    }
    let marks = vec!["?"; actors.len()].join(", ");
    let ids: Vec<crate::engine::sql::Value<'_>> = actors
        .iter()
        .map(|a| crate::engine::sql::Value::from(*a))
        .collect();
    Ok(db
        .rows(
            &format!(
                "SELECT id FROM users WHERE disabled_at IS NULL AND role <> 'auditor' \
                 AND id IN ({marks})"
            ),
            &ids,
            |row| row.string(0),
        )?
        .into_iter()
        .collect())
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
        let users = writes
            .iter()
            .filter(|w| w.user)
            .map(|w| w.actor.as_str())
            .collect();
        let writers = writers(db, &users)?;
        let mut results: Vec<Option<Result<DisputeRow, E>>> = writes.iter().map(|_| None).collect();
        for (i, write) in writes.iter().enumerate() {
            if write.user && !writers.contains(&write.actor) {
                results[i] = Some(Err(DisputeError::NotAWriter(write.actor.clone()).into()));
            }
        }
        let mut lines = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        let taken: Vec<usize> = (0..writes.len())
            .filter(|&i| results[i].is_none())
            .collect();
        let (first, after): (Vec<usize>, Vec<usize>) = taken.into_iter().partition(|&i| {
            let d = &writes[i].dispute;
            // Both remembered, whichever is new.
            let new_line = lines.insert((d.invoice_id.as_str(), d.line_no));
            let new_id = ids.insert(d.id.as_str());
            new_line && new_id
        });
        take_turn_at_invoices(db, taken_invoices(writes, &first, &after))?;
        let mut linked =
            insert_each_of_its_own_line(db, first.iter().map(|&i| &writes[i].dispute))?;
        let mut recorded = Vec::with_capacity(first.len());
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
                    recorded.push(i);
                    Ok(dispute)
                }
                None => Err(DisputeError::Exists(write.dispute.id.clone()).into()),
            });
        }
        // What recording them entails, for all of them at once: their service-level timers,
        // then their acknowledgements.
        let timers: Vec<(&str, Option<Timestamp>)> = recorded
            .iter()
            .map(|&i| (writes[i].dispute.id.as_str(), writes[i].first_check_at))
            .collect();
        super::service_levels::start_many_in(db, &timers)?;
        let entailed: Vec<&Entailed> = recorded
            .iter()
            .filter_map(|&i| writes[i].also.as_ref())
            .collect();
        crate::messages::keep_entailed_in(db, &entailed)?;
        for &i in &after {
            let write = &writes[i];
            let inserted = insert_in(
                db,
                write.dispute.clone(),
                &write.actor,
                write.first_check_at,
            );
            results[i] = Some(match inserted {
                Ok(dispute) => {
                    write.also_done(db)?;
                    Ok(dispute)
                }
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
        if self.user && !writers(db, &[self.actor.as_str()].into())?.contains(&self.actor) {
            return Err(DisputeError::NotAWriter(self.actor).into());
        }
        let dispute =
            insert_in(db, self.dispute, &self.actor, self.first_check_at).map_err(E::from)?;
        if let Some(also) = &self.also {
            also.keep_in(db).map_err(E::from)?;
        }
        Ok(dispute)
    }
}

/// The invoices of the disputes `first` and `after` of `writes`.
fn taken_invoices<'a, E>(
    writes: &'a [NewDispute<E>],
    first: &'a [usize],
    after: &'a [usize],
) -> impl Iterator<Item = &'a str> {
    first
        .iter()
        .chain(after)
        .map(|&i| writes[i].dispute.invoice_id.as_str())
}

/// Waits for this transaction's turn at taking disputes of `invoices`, held until it ends, on
/// PostgreSQL (where the writers of several processes take disputes at once; SQLite's writers
/// always take turns). Without it, two disputes of one line taken at
/// the same moment would each find no earlier one to link to. The turns are taken in one
/// order, so that two transactions never wait for each other.
fn take_turn_at_invoices<'a>(
    db: &mut dyn Db,
    invoices: impl IntoIterator<Item = &'a str>,
) -> Result<(), StorageError> {
    if db.backend() != Backend::Postgres {
        return Ok(());
    }
    let mut keys: Vec<i64> = invoices.into_iter().map(invoice_turn).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(());
    }
    let list = vec!["CAST(? AS BIGINT)"; keys.len()].join(", ");
    let values: Vec<Value<'_>> = keys.iter().map(|&k| Value::Int(k)).collect();
    // Rows come from `unnest` in the array's order, so the locks are taken in that order.
    db.execute(
        &format!("SELECT pg_advisory_xact_lock(k) FROM unnest(ARRAY[{list}]) AS t(k)"),
        &values,
    )?;
    Ok(())
}

/// The advisory lock of taking disputes of the invoice `id`: its FNV-1a hash (the same in
/// every process and build) under a prefix of its own, apart from the migrations' lock.
fn invoice_turn(id: &str) -> i64 {
    let hash = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (0x5244_4953_i64 << 32) | i64::from(hash)
}

impl<E> NewDispute<E> {
    /// Does what taking this dispute entails, once it is recorded.
    fn also_done(&self, db: &mut dyn Db) -> Result<(), StorageError> {
        match &self.also {
            Some(also) => also.keep_in(db),
            None => Ok(()),
        }
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
    let disputes: Vec<(&DisputeRow, StoredText)> = disputes.map(|d| (d, d.stored_text())).collect();
    let mut values = Vec::new();
    let mut rows = 0;
    for (dispute, text) in &disputes {
        // `linked_to` is looked up by the statement.
        let row = dispute.values(text);
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
