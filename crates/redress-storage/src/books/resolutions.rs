//! Resolutions of disputes: proposed, applied at once or held for an approver, approved (and
//! then applied) or refused. Every step is an audited event; applying one writes its document
//! (a credit note, …) in the same transaction.

use super::account::{account_for_posting, customer_of_invoice, post_entry};
use super::credit_notes::{CreditNoteError, NewCreditNote, issue_in};
use super::documents::StoredPlan;
use super::invoices::{CorrectionError, correct_invoice_in};
use super::plans::{PlanAgreedBy, agree_plan_in};
use crate::disputes::lifecycle::move_if_in;
use crate::disputes::record::DisputeError;
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{Cells, StoredDate, StoredDecimal, new_id, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{CustomerAccount, JournalEntry, LedgerError};
use redress_domain::resolution::{
    ApprovalError, Instalment, PaymentPlan, ResolutionKind, ResolutionStatus, already_given,
};
use redress_domain::{Currency, Decimal, DisputeStatus, Timestamp, timestamp_text};

/// What a resolution does, with what it needs. Amounts are in the disputed invoice's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolutionAction {
    /// A credit note against the disputed invoice.
    CreditNote(NewCreditNote),
    /// Money paid back against a recorded payment of the customer.
    Refund {
        /// The payment.
        payment_id: String,
        /// How much.
        amount: Decimal,
    },
    /// A balance the customer can use on future invoices.
    AccountCredit {
        /// How much.
        amount: Decimal,
    },
    /// A discount on the invoice that admits no error.
    Goodwill {
        /// The invoice.
        invoice_id: String,
        /// How much.
        amount: Decimal,
    },
    /// An open balance on the invoice written off.
    WriteOff {
        /// The invoice.
        invoice_id: String,
        /// How much.
        amount: Decimal,
    },
    /// What the invoice has open, spread over instalments.
    PaymentPlan {
        /// The invoice.
        invoice_id: String,
        /// The schedule (checked to add up when it was made).
        plan: PaymentPlan,
    },
    /// The invoice re-issued with corrected lines, the old one voided by a credit note.
    CorrectedInvoice {
        /// The invoice.
        invoice_id: String,
        /// `(line number, corrected net amount)`; lines not named are kept, zero drops one.
        lines: Vec<(u32, Decimal)>,
    },
    /// The claim refused, on the evidence of the dispute's verification.
    Reject,
}

impl ResolutionAction {
    /// Its kind.
    pub fn kind(&self) -> ResolutionKind {
        match self {
            Self::CreditNote(_) => ResolutionKind::CreditNote,
            Self::Refund { .. } => ResolutionKind::Refund,
            Self::AccountCredit { .. } => ResolutionKind::AccountCredit,
            Self::Goodwill { .. } => ResolutionKind::Goodwill,
            Self::WriteOff { .. } => ResolutionKind::WriteOff,
            Self::PaymentPlan { .. } => ResolutionKind::PaymentPlan,
            Self::CorrectedInvoice { .. } => ResolutionKind::CorrectedInvoice,
            Self::Reject => ResolutionKind::Reject,
        }
    }
}

/// A resolution to propose.
pub struct NewResolution {
    /// The dispute it resolves.
    pub dispute_id: String,
    /// What it does.
    pub action: ResolutionAction,
    /// What it gives the customer (net, gross of any change the other way: a corrected
    /// invoice moving 500 from one line to another gives 1000), in `currency`; zero for a
    /// rejection or a plan.
    pub amount: Decimal,
    /// The disputed invoice's currency.
    pub currency: Currency,
    /// Why, in words the customer will read.
    pub reason: String,
    /// Offered to the customer, who accepts it (and it is carried out then) or declines it;
    /// once approved, if it needs an approver. Several offered on one dispute are alternatives.
    pub offered: bool,
    /// Whether it waits for an approver, and why: decided in the transaction that records it,
    /// from what its proposer already gave on the dispute (their resolutions of it that were
    /// not refused, in its currency).
    pub approval: Box<dyn FnOnce(Decimal) -> Option<String> + Send>,
}

impl std::fmt::Debug for NewResolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewResolution")
            .field("dispute_id", &self.dispute_id)
            .field("action", &self.action)
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

/// A resolution as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// Its id.
    pub id: String,
    /// The dispute.
    pub dispute_id: String,
    /// What it does.
    pub kind: ResolutionKind,
    /// Where it stands.
    pub status: ResolutionStatus,
    /// What it gives the customer (net).
    pub amount: Decimal,
    /// The disputed invoice's currency.
    pub currency: Currency,
    /// What it does, with what it needs (a credit note's lines, …): of its kind.
    pub action: ResolutionAction,
    /// Why.
    pub reason: String,
    /// Why it waits (or waited) for an approver.
    pub approval_reason: Option<String>,
    /// Who proposed it.
    pub proposed_by: String,
    /// When.
    pub proposed_at: Timestamp,
    /// Who approved or refused it.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<Timestamp>,
    /// What the approver said.
    pub decision_note: Option<String>,
    /// The document applying it wrote (a credit note's id).
    pub document_id: Option<String>,
    /// Offered to the customer, to accept or decline.
    pub offered: bool,
    /// When the customer accepted or declined it.
    pub answered_at: Option<Timestamp>,
    /// What they said declining it (or, declined with another option's acceptance, which).
    pub answer_note: Option<String>,
}

/// Why a resolution was not proposed, approved or refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ResolutionError {
    /// The dispute is missing.
    #[error(transparent)]
    Dispute(#[from] DisputeError),
    /// The dispute is no longer open.
    #[error(
        "dispute {id} is {status}; a resolution can only be proposed or approved while it is open"
    )]
    DisputeNotOpen {
        /// The dispute.
        id: String,
        /// Where it stands.
        status: DisputeStatus,
    },
    /// No such resolution.
    #[error("no resolution has the id `{0}`")]
    NotFound(String),
    /// The one acting may not approve or refuse it.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// It is not offered to the customer (any more): it cannot be accepted or declined.
    #[error(
        "resolution {id} is {status}; only a resolution offered to the customer can be accepted or declined"
    )]
    NotOffered {
        /// The resolution.
        id: String,
        /// Where it stands.
        status: ResolutionStatus,
    },
    /// Nothing is offered on the dispute to decline.
    #[error("nothing is offered to the customer on dispute {0}")]
    NothingOffered(String),
    /// It was approved or refused already.
    #[error(
        "resolution {id} is {status}; only a resolution waiting for approval can be approved or refused"
    )]
    NotPending {
        /// The resolution.
        id: String,
        /// Where it stands.
        status: ResolutionStatus,
    },
    /// Its credit note was refused.
    #[error(transparent)]
    CreditNote(#[from] CreditNoteError),
    /// The ledger refused it: a refund above what was paid, a write-off above what is open, …
    #[error("{0}")]
    Refused(#[from] LedgerError),
    /// The corrected invoice was refused.
    #[error(transparent)]
    Correction(#[from] CorrectionError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

const COLUMNS: &str = "id, dispute_id, kind, status, amount, currency, details_json, reason, \
     approval_reason, proposed_by, proposed_at, decided_by, decided_at, decision_note, document_id, \
     offered, answered_at, answer_note";

fn read_resolution(row: &dyn Row) -> Result<Resolution, StorageError> {
    let id = row.string(0)?;
    // A stored value that does not parse is named by table, row and column, never defaulted.
    let cells = Cells::new(row, "resolutions", id.clone());
    let kind = cells.parsed(2, "kind", "a kind of resolution", ResolutionKind::from_name)?;
    let status = cells.parsed(
        3,
        "status",
        "a resolution status",
        ResolutionStatus::from_name,
    )?;
    let currency = cells.currency(5, "currency")?;
    let reason = row.string(7)?;
    let action = cells.parsed(
        6,
        "details_json",
        "what a resolution of its kind does, as JSON (its invoice, payment, amount, lines or \
         instalments)",
        |json| action_of(kind, currency, &reason, json),
    )?;
    Ok(Resolution {
        dispute_id: row.string(1)?,
        kind,
        status,
        amount: cells.amount(4, "amount")?,
        currency,
        action,
        reason,
        approval_reason: row.opt_string(8)?,
        proposed_by: row.string(9)?,
        proposed_at: cells.timestamp(10, "proposed_at")?,
        decided_by: row.opt_string(11)?,
        decided_at: cells.opt_timestamp(12, "decided_at")?,
        decision_note: row.opt_string(13)?,
        document_id: row.opt_string(14)?,
        offered: row.int(15)? != 0,
        answered_at: cells.opt_timestamp(16, "answered_at")?,
        answer_note: row.opt_string(17)?,
        id,
    })
}

/// The resolution with this id; with `locked`, its row locked until the transaction ends, so
/// that two approvers deciding it at once, through two servers, decide it once.
pub(crate) fn load(
    db: &mut dyn Db,
    id: &str,
    locked: bool,
) -> Result<Option<Resolution>, StorageError> {
    let lock = if locked { db.row_lock() } else { "" };
    db.row(
        &format!("SELECT {COLUMNS} FROM resolutions WHERE id = ?{lock}"),
        params![id],
        read_resolution,
    )
}

/// What a resolution will do, as stored: only the fields of its kind are there. (A credit note
/// keeps its lines as credit notes keep them.)
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Details {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invoice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<StoredDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lines: Option<Vec<(u32, StoredDecimal)>>,
    /// `(due on, amount)` of each instalment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instalments: Option<Vec<(StoredDate, StoredDecimal)>>,
}

fn details(action: &ResolutionAction) -> String {
    let lines = |lines: &[(u32, Decimal)]| {
        Some(lines.iter().map(|(n, a)| (*n, StoredDecimal(*a))).collect())
    };
    let details = match action {
        ResolutionAction::CreditNote(note) => Details {
            invoice_id: Some(note.invoice_id.clone()),
            lines: lines(&note.lines),
            ..Details::default()
        },
        ResolutionAction::Refund { payment_id, amount } => Details {
            payment_id: Some(payment_id.clone()),
            amount: Some(StoredDecimal(*amount)),
            ..Details::default()
        },
        ResolutionAction::AccountCredit { amount } => Details {
            amount: Some(StoredDecimal(*amount)),
            ..Details::default()
        },
        ResolutionAction::Goodwill { invoice_id, amount }
        | ResolutionAction::WriteOff { invoice_id, amount } => Details {
            invoice_id: Some(invoice_id.clone()),
            amount: Some(StoredDecimal(*amount)),
            ..Details::default()
        },
        ResolutionAction::PaymentPlan { invoice_id, plan } => Details {
            invoice_id: Some(invoice_id.clone()),
            instalments: Some(
                plan.instalments()
                    .iter()
                    .map(|i| (StoredDate(i.due_on), StoredDecimal(i.amount)))
                    .collect(),
            ),
            ..Details::default()
        },
        ResolutionAction::CorrectedInvoice {
            invoice_id,
            lines: corrected,
        } => Details {
            invoice_id: Some(invoice_id.clone()),
            lines: lines(corrected),
            ..Details::default()
        },
        ResolutionAction::Reject => Details::default(),
    };
    serde_json::to_string(&details).unwrap_or_else(|_| "{}".into())
}

/// The action a stored resolution of `kind` in `currency` carries out, from its details as
/// stored; `None` unless they are what its kind needs.
fn action_of(
    kind: ResolutionKind,
    currency: Currency,
    reason: &str,
    json: &str,
) -> Option<ResolutionAction> {
    let details: Details = serde_json::from_str(json).ok()?;
    let invoice_id = || details.invoice_id.clone();
    let value = || details.amount.map(|a| a.0);
    let lines = || -> Option<Vec<(u32, Decimal)>> {
        Some(
            details
                .lines
                .as_ref()?
                .iter()
                .map(|(n, a)| (*n, a.0))
                .collect(),
        )
    };
    Some(match kind {
        ResolutionKind::Reject => ResolutionAction::Reject,
        ResolutionKind::CreditNote => ResolutionAction::CreditNote(NewCreditNote {
            invoice_id: invoice_id()?,
            lines: lines()?,
            reason: reason.to_owned(),
        }),
        ResolutionKind::Refund => ResolutionAction::Refund {
            payment_id: details.payment_id.clone()?,
            amount: value()?,
        },
        ResolutionKind::AccountCredit => ResolutionAction::AccountCredit { amount: value()? },
        ResolutionKind::Goodwill => ResolutionAction::Goodwill {
            invoice_id: invoice_id()?,
            amount: value()?,
        },
        ResolutionKind::WriteOff => ResolutionAction::WriteOff {
            invoice_id: invoice_id()?,
            amount: value()?,
        },
        ResolutionKind::PaymentPlan => {
            let instalments: Vec<Instalment> = details
                .instalments
                .as_ref()?
                .iter()
                .map(|(due_on, amount)| Instalment {
                    due_on: due_on.0,
                    amount: amount.0,
                })
                .collect();
            let total = instalments.iter().map(|i| i.amount).sum();
            ResolutionAction::PaymentPlan {
                invoice_id: invoice_id()?,
                plan: PaymentPlan::new(total, currency, instalments).ok()?,
            }
        }
        ResolutionKind::CorrectedInvoice => ResolutionAction::CorrectedInvoice {
            invoice_id: invoice_id()?,
            lines: lines()?,
        },
    })
}

/// Carries out what `resolution` does in the open transaction; the id of the document it
/// wrote (a credit note, a refund, a plan, the corrected invoice, …).
fn apply(
    db: &mut dyn Db,
    resolution: &Resolution,
    actor: &str,
) -> Result<Option<String>, ResolutionError> {
    let (currency, action) = (resolution.currency, &resolution.action);
    let customer = |db: &mut dyn Db, invoice_id: &str| -> Result<String, ResolutionError> {
        Ok(customer_of_invoice(db, invoice_id)?
            .ok_or_else(|| LedgerError::UnknownInvoice(invoice_id.to_owned()))?)
    };
    // Refunds and account credits are the disputing customer's; the others, their invoice's.
    let disputing = |db: &mut dyn Db| -> Result<String, ResolutionError> {
        Ok(db
            .row(
                "SELECT customer_id FROM disputes WHERE id = ?",
                params![&resolution.dispute_id],
                |row| row.string(0),
            )?
            .ok_or_else(|| DisputeError::NotFound(resolution.dispute_id.clone()))?)
    };
    match action {
        ResolutionAction::CreditNote(note) => Ok(Some(issue_in(db, note, actor)?.id)),
        ResolutionAction::Reject => Ok(None),
        ResolutionAction::Refund { payment_id, amount } => {
            let customer_id = disputing(db)?;
            post(
                db,
                &customer_id,
                "RFD",
                Some(payment_id),
                actor,
                |account, document| {
                    account
                        .post_refund(document, payment_id, *amount, currency)
                        .cloned()
                },
            )
        }
        ResolutionAction::AccountCredit { amount } => {
            let customer_id = disputing(db)?;
            let invoice_id = db
                .row(
                    "SELECT invoice_id FROM disputes WHERE id = ?",
                    params![&resolution.dispute_id],
                    |row| row.string(0),
                )?
                .ok_or_else(|| DisputeError::NotFound(resolution.dispute_id.clone()))?;
            post(db, &customer_id, "ACR", None, actor, |account, document| {
                account
                    .post_account_credit_on(document, &invoice_id, *amount, currency)
                    .cloned()
            })
        }
        ResolutionAction::Goodwill { invoice_id, amount } => {
            let customer_id = customer(db, invoice_id)?;
            post(db, &customer_id, "GW", None, actor, |account, document| {
                account
                    .post_goodwill(document, invoice_id, *amount, currency)
                    .cloned()
            })
        }
        ResolutionAction::WriteOff { invoice_id, amount } => {
            let customer_id = customer(db, invoice_id)?;
            post(db, &customer_id, "WO", None, actor, |account, document| {
                account
                    .post_write_off(document, invoice_id, *amount, currency)
                    .cloned()
            })
        }
        ResolutionAction::PaymentPlan { invoice_id, plan } => {
            let customer_id = customer(db, invoice_id)?;
            let mut account = account_for_posting(db, &customer_id)?;
            let stored: StoredPlan = agree_plan_in::<ResolutionError>(
                db,
                (&customer_id, &mut account),
                PlanAgreedBy::Resolution(&resolution.id),
                invoice_id,
                plan,
                actor,
            )?;
            Ok(Some(stored.id))
        }
        ResolutionAction::CorrectedInvoice { invoice_id, lines } => {
            let (_, issued) = correct_invoice_in(db, invoice_id, lines, &resolution.reason, actor)?;
            Ok(Some(issued.id))
        }
    }
}

/// Posts to the ledger of `customer_id` the entry `make` gives for a new document (its id
/// `prefix`-…): checked by the customer's account as it stands, then written. Gives the id.
fn post(
    db: &mut dyn Db,
    customer_id: &str,
    prefix: &str,
    reference: Option<&str>,
    actor: &str,
    make: impl FnOnce(&mut CustomerAccount, &str) -> Result<JournalEntry, LedgerError>,
) -> Result<Option<String>, ResolutionError> {
    let mut account = account_for_posting(db, customer_id)?;
    let document = new_id(prefix);
    let entry = make(&mut account, &document)?;
    let at = this_moment();
    post_entry(db, customer_id, &entry, reference, at, actor)?;
    let lines: Vec<serde_json::Value> = entry
        .lines()
        .iter()
        .map(|l| {
            serde_json::json!({
                "account": l.account.as_str(),
                "side": l.side.as_str(),
                "amount": entry.currency.format(l.amount),
            })
        })
        .collect();
    let after = serde_json::json!({
        "kind": entry.kind.as_str(), "document": document, "customer_id": customer_id,
        "invoice_id": entry.invoice, "reference": reference, "currency": entry.currency.code(),
        "lines": lines,
    });
    append(
        db,
        NewEvent {
            occurred_at: timestamp_text(at),
            actor: actor.to_owned(),
            entity: "ledger_entry".into(),
            entity_id: document.clone(),
            action: "posted".into(),
            before: None,
            after: Some(after.to_string()),
        },
    )?;
    Ok(Some(document))
}

/// Whether `resolution` could be carried out now: it is, and then undone (a number it took
/// is given back, so numbering keeps no gap).
fn check(db: &mut dyn Db, resolution: &Resolution, actor: &str) -> Result<(), ResolutionError> {
    let mark = db.events().len();
    db.script("SAVEPOINT trial")?;
    let outcome = apply(db, resolution, actor);
    db.events().truncate(mark);
    db.script("ROLLBACK TO SAVEPOINT trial; RELEASE SAVEPOINT trial")?;
    outcome.map(|_| ())
}

/// The status of dispute `id`, its row locked until the transaction ends (PostgreSQL; SQLite
/// has one writer), so that what is given on it is decided one proposal at a time.
fn open_dispute_status(db: &mut dyn Db, id: &str) -> Result<DisputeStatus, ResolutionError> {
    let sql = format!("SELECT status FROM disputes WHERE id = ?{}", db.row_lock());
    Ok(db
        .row(&sql, params![id], |row| {
            Cells::new(row, "disputes", id).parsed(
                0,
                "status",
                "a dispute status",
                DisputeStatus::from_name,
            )
        })?
        .ok_or_else(|| DisputeError::NotFound(id.to_owned()))?)
}

fn event(
    actor: &str,
    resolution: &Resolution,
    action: &str,
    before: Option<&Resolution>,
) -> NewEvent {
    let json = |r: &Resolution| {
        serde_json::json!({
            "id": r.id, "dispute_id": r.dispute_id, "kind": r.kind.as_str(), "status": r.status.as_str(),
            "amount": r.currency.format(r.amount), "currency": r.currency.code(), "reason": r.reason,
            "approval_reason": r.approval_reason, "decided_by": r.decided_by,
            "decision_note": r.decision_note, "document_id": r.document_id,
            "offered": r.offered, "answer_note": r.answer_note,
        })
        .to_string()
    };
    NewEvent {
        occurred_at: timestamp_text(this_moment()),
        actor: actor.to_owned(),
        entity: "resolution".into(),
        entity_id: resolution.id.clone(),
        action: action.into(),
        before: before.map(json),
        after: Some(json(resolution)),
    }
}

/// A dispute's resolutions, oldest first.
pub(crate) fn of_dispute(
    db: &mut dyn Db,
    dispute_id: &str,
) -> Result<Vec<Resolution>, StorageError> {
    db.rows(
        &format!("SELECT {COLUMNS} FROM resolutions WHERE dispute_id = ? ORDER BY proposed_at, id"),
        params![dispute_id],
        read_resolution,
    )
}

/// Proposes a resolution of an open dispute. One that needs no approval is applied at once (its
/// credit note issued); one that does waits, checked already so that approving it cannot fail
/// on its figures.
pub fn propose(new: NewResolution, actor: &str) -> Work<Resolution, ResolutionError> {
    let actor = actor.to_owned();
    Work::new(move |db| {
        let status = open_dispute_status(db, &new.dispute_id)?;
        if !status.is_open() {
            return Err(ResolutionError::DisputeNotOpen {
                id: new.dispute_id,
                status,
            });
        }
        let given_before = given_by(db, &new.dispute_id, &actor, new.offered)?;
        let needs_approval = (new.approval)(given_before);
        let details = details(&new.action);
        let mut resolution = Resolution {
            id: new_id("RES"),
            dispute_id: new.dispute_id.clone(),
            kind: new.action.kind(),
            status: ResolutionStatus::proposed(needs_approval.is_some(), new.offered),
            amount: new.currency.shown(new.amount),
            currency: new.currency,
            action: new.action,
            reason: new.reason.clone(),
            approval_reason: needs_approval.clone(),
            proposed_by: actor.clone(),
            proposed_at: this_moment(),
            decided_by: None,
            decided_at: None,
            decision_note: None,
            document_id: None,
            offered: new.offered,
            answered_at: None,
            answer_note: None,
        };
        match resolution.status {
            ResolutionStatus::Applied => {
                resolution.document_id = apply(db, &resolution, &actor)?;
            }
            // Checked now, so that approving or accepting it cannot fail on its figures.
            _ => check(db, &resolution, &actor)?,
        }
        let r = &resolution;
        let (amount, proposed_at) = (r.currency.format(r.amount), timestamp_text(r.proposed_at));
        let decided_at = r.decided_at.map(timestamp_text);
        let unanswered: Option<String> = None;
        db.execute(
            &format!(
                "INSERT INTO resolutions ({COLUMNS}) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            params![
                &r.id,
                &r.dispute_id,
                r.kind.as_str(),
                r.status.as_str(),
                &amount,
                r.currency.code(),
                &details,
                &r.reason,
                &r.approval_reason,
                &r.proposed_by,
                &proposed_at,
                &r.decided_by,
                &decided_at,
                &r.decision_note,
                &r.document_id,
                i64::from(r.offered),
                &unanswered,
                &unanswered,
            ],
        )?;
        append(db, event(&actor, r, "proposed", None))?;
        if r.status == ResolutionStatus::Offered {
            offered_to_customer(db, &r.dispute_id, &actor)?;
        }
        Ok(resolution)
    })
}

/// Approves (and applies) or refuses a resolution waiting for approval. Whether `actor` may
/// decide is the caller's to check first (see `ApprovalPolicy::may_decide`), or [`decide_as`]'s.
pub fn decide(
    id: &str,
    approve: bool,
    note: Option<String>,
    actor: &str,
) -> Work<Resolution, ResolutionError> {
    decide_as(id, approve, note, actor, Box::new(|_| Ok(())))
}

/// Who may decide a resolution, asked in the transaction that decides it, of the resolution
/// as it stands (its proposer never changes, but it is read there all the same).
pub type Authorize = Box<dyn FnOnce(&Resolution) -> Result<(), ApprovalError> + Send>;

/// Approves (and applies) or refuses a resolution waiting for approval, once `authorize`
/// allows `actor` to.
pub fn decide_as(
    id: &str,
    approve: bool,
    note: Option<String>,
    actor: &str,
    authorize: Authorize,
) -> Work<Resolution, ResolutionError> {
    let (id, actor) = (id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let before = load(db, &id, true)?.ok_or_else(|| ResolutionError::NotFound(id.clone()))?;
        authorize(&before)?;
        let status = before
            .status
            .decide(approve, before.offered)
            .map_err(|decided| ResolutionError::NotPending {
                id: id.clone(),
                status: decided.0,
            })?;
        if approve {
            // Nothing is given on a dispute that was withdrawn or closed meanwhile.
            let status = open_dispute_status(db, &before.dispute_id)?;
            if !status.is_open() {
                return Err(ResolutionError::DisputeNotOpen {
                    id: before.dispute_id,
                    status,
                });
            }
        }
        let mut after = before.clone();
        after.decided_by = Some(actor.clone());
        after.decided_at = Some(this_moment());
        after.decision_note = note;
        after.status = status;
        match status {
            ResolutionStatus::Applied => after.document_id = apply(db, &before, &actor)?,
            // Approved, it goes to the customer: checked again, the books may have moved.
            ResolutionStatus::Offered => check(db, &before, &actor)?,
            _ => {}
        }
        let decided_at = after.decided_at.map(timestamp_text);
        db.execute(
            "UPDATE resolutions SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, document_id = ? WHERE id = ?",
            params![after.status.as_str(), &after.decided_by, &decided_at, &after.decision_note, &after.document_id, &id],
        )?;
        let action = if approve { "approved" } else { "refused" };
        append(db, event(&actor, &after, action, Some(&before)))?;
        if status == ResolutionStatus::Offered {
            offered_to_customer(db, &after.dispute_id, &actor)?;
        }
        Ok(after)
    })
}

/// What `actor` already gives on dispute `dispute_id`, counted against their allowance (see
/// [`already_given`]).
fn given_by(
    db: &mut dyn Db,
    dispute_id: &str,
    actor: &str,
    for_an_offer: bool,
) -> Result<Decimal, StorageError> {
    let given = db.rows(
        "SELECT id, amount, status, offered FROM resolutions WHERE dispute_id = ? AND proposed_by = ?",
        params![dispute_id, actor],
        |row| {
            let cells = Cells::new(row, "resolutions", row.string(0)?);
            let status =
                cells.parsed(2, "status", "a resolution status", ResolutionStatus::from_name)?;
            Ok((cells.amount(1, "amount")?, status, row.int(3)? != 0))
        },
    )?;
    Ok(already_given(given, for_an_offer))
}

/// A dispute with an offer made is the customer's to answer: one being investigated waits for
/// them now.
fn offered_to_customer(
    db: &mut dyn Db,
    dispute_id: &str,
    actor: &str,
) -> Result<(), ResolutionError> {
    move_if_in(
        db,
        dispute_id,
        DisputeStatus::Investigating,
        DisputeStatus::AwaitingCustomer,
        actor,
    )?;
    Ok(())
}

/// The customer of dispute `dispute_id` (`None`: no such dispute), its row locked until the
/// transaction ends, with its status.
fn dispute_of(
    db: &mut dyn Db,
    dispute_id: &str,
) -> Result<Option<(String, DisputeStatus)>, StorageError> {
    let sql = format!(
        "SELECT customer_id, status FROM disputes WHERE id = ?{}",
        db.row_lock()
    );
    db.row(&sql, params![dispute_id], |row| {
        let status = Cells::new(row, "disputes", dispute_id).parsed(
            1,
            "status",
            "a dispute status",
            DisputeStatus::from_name,
        )?;
        Ok((row.string(0)?, status))
    })
}

/// Records the customer's answer to resolution `before` (now `after`), with its event.
fn answered(
    db: &mut dyn Db,
    before: &Resolution,
    after: &Resolution,
    actor: &str,
) -> Result<(), ResolutionError> {
    let answered_at = after.answered_at.map(timestamp_text);
    db.execute(
        "UPDATE resolutions SET status = ?, answered_at = ?, answer_note = ?, document_id = ? \
         WHERE id = ?",
        params![
            after.status.as_str(),
            &answered_at,
            &after.answer_note,
            &after.document_id,
            &after.id
        ],
    )?;
    let action = if after.status == ResolutionStatus::Applied {
        "accepted"
    } else {
        "declined"
    };
    append(db, event(actor, after, action, Some(before)))?;
    Ok(())
}

/// The customer `customer_id` accepts resolution `id` offered to them on an open dispute of
/// theirs: it is carried out, the other options offered with it are declined, and the dispute
/// is resolved unless something on it still waits for an approver. Another customer's
/// resolution is not found, by design.
pub fn accept(id: &str, customer_id: &str, actor: &str) -> Work<Resolution, ResolutionError> {
    let (id, customer_id, actor) = (id.to_owned(), customer_id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let not_found = || ResolutionError::NotFound(id.clone());
        let before = load(db, &id, true)?.ok_or_else(not_found)?;
        let (owner, dispute_status) = dispute_of(db, &before.dispute_id)?.ok_or_else(not_found)?;
        if owner != customer_id {
            return Err(not_found());
        }
        let status = before
            .status
            .answer(true)
            .map_err(|e| ResolutionError::NotOffered {
                id: id.clone(),
                status: e.0,
            })?;
        if !dispute_status.is_open() {
            return Err(ResolutionError::DisputeNotOpen {
                id: before.dispute_id,
                status: dispute_status,
            });
        }
        let now = this_moment();
        let after = Resolution {
            status,
            answered_at: Some(now),
            document_id: apply(db, &before, &actor)?,
            ..before.clone()
        };
        answered(db, &before, &after, &actor)?;
        let siblings = of_dispute(db, &before.dispute_id)?;
        for other in siblings
            .iter()
            .filter(|r| r.status == ResolutionStatus::Offered && r.id != id)
        {
            let declined = Resolution {
                status: ResolutionStatus::Declined,
                answered_at: Some(now),
                answer_note: Some(format!("another option was accepted: {id}")),
                ..other.clone()
            };
            answered(db, other, &declined, &actor)?;
        }
        let waiting = siblings
            .iter()
            .any(|r| r.status == ResolutionStatus::PendingApproval);
        if !waiting
            && dispute_status
                .allowed_next()
                .contains(&DisputeStatus::Resolved)
        {
            crate::disputes::lifecycle::set_status(
                &before.dispute_id,
                DisputeStatus::Resolved,
                &actor,
            )
            .run(db)?;
        }
        Ok(after)
    })
}

/// The customer `customer_id` declines what is offered on their dispute `dispute_id`, saying
/// why (`note`): every option offered is declined, and a dispute that waited for them goes back
/// to investigating. Gives the options declined.
pub fn decline(
    dispute_id: &str,
    customer_id: &str,
    note: Option<String>,
    actor: &str,
) -> Work<Vec<Resolution>, ResolutionError> {
    let (dispute_id, customer_id, actor) = (
        dispute_id.to_owned(),
        customer_id.to_owned(),
        actor.to_owned(),
    );
    Work::new(move |db| {
        let theirs = dispute_of(db, &dispute_id)?.filter(|(owner, _)| *owner == customer_id);
        if theirs.is_none() {
            return Err(DisputeError::NotFound(dispute_id).into());
        }
        let offered: Vec<Resolution> = of_dispute(db, &dispute_id)?
            .into_iter()
            .filter(|r| r.status == ResolutionStatus::Offered)
            .collect();
        if offered.is_empty() {
            return Err(ResolutionError::NothingOffered(dispute_id));
        }
        let now = this_moment();
        let mut declined = Vec::with_capacity(offered.len());
        for before in offered {
            let after = Resolution {
                status: ResolutionStatus::Declined,
                answered_at: Some(now),
                answer_note: note.clone(),
                ..before.clone()
            };
            answered(db, &before, &after, &actor)?;
            declined.push(after);
        }
        move_if_in(
            db,
            &dispute_id,
            DisputeStatus::AwaitingCustomer,
            DisputeStatus::Investigating,
            &actor,
        )?;
        Ok(declined)
    })
}
