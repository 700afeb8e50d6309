//! Opening a dispute: checked against the stored invoice, verified at once by the audit rules
//! over the invoice's contract, and recorded with its verdict.

use crate::error::ServiceError;
use crate::messages::Shared;
use crate::redress::{Actor, as_writer, may_write};
use redress_audit::report::{Findings, finding_record};
use redress_domain::audit_log::AuditEvent;
use redress_domain::recommendation::{Recommendation, recommend};
use redress_domain::{
    BillingData, Currency, Date, Decimal, Dispute, DisputeReason, DisputeStatus, InvoiceIdx, Money,
    NoteKind,
};
use redress_storage::audit_log::LogError;
use redress_storage::billing::import::ImportCounts;
use redress_storage::disputes::attachments::Attachment;
use redress_storage::disputes::intake::Decided;
use redress_storage::disputes::list::{BadCursor, DisputeFilter, DisputeOrder, DisputePage};
use redress_storage::disputes::notes::CaseNote;
use redress_storage::disputes::record::{DisputeError, DisputeRow, VerificationRecord};
use redress_storage::disputes::relationship::DisputeFacts;
use redress_storage::disputes::statements::StatementRequest;
use redress_storage::{StorageError, Store, Work};
use std::sync::Arc;

/// What a customer's dispute says, as taken from any channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeIntake {
    /// The dispute's id when it has one already (from an export); otherwise Redress gives one.
    pub id: Option<String>,
    /// The invoice disputed.
    pub invoice_id: String,
    /// The line disputed; `None` for the whole invoice.
    pub line_no: Option<u32>,
    /// The customer's reason.
    pub reason: DisputeReason,
    /// What the customer claims, net of tax, in the invoice's currency.
    pub claimed_amount: Decimal,
    /// The customer's own words.
    pub narrative: String,
    /// How it came in: `email`, `phone`, `portal`, `import`, …
    pub channel: String,
    /// When the customer raised it; today when not given.
    pub opened_on: Option<Date>,
}

/// Why a dispute was not opened. Each that is the request's doing names the field at fault as
/// a value ([`IntakeError::field`]), not in its message.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// No such invoice is stored.
    #[error("no invoice `{0}` is stored")]
    UnknownInvoice(String),
    /// The invoice has no such line.
    #[error("invoice {invoice_id} has no line {line_no}")]
    UnknownLine {
        /// The invoice.
        invoice_id: String,
        /// The line asked for.
        line_no: u32,
    },
    /// The claim is negative or finer than the currency's minor unit.
    #[error(
        "{amount} is not an amount of {currency} (expected zero or more, below {ceiling}, with at most {minor_unit} decimals)",
        ceiling = redress_domain::AMOUNT_CEILING
    )]
    BadClaim {
        /// The claim.
        amount: Decimal,
        /// The invoice's currency.
        currency: Currency,
        /// Its decimals.
        minor_unit: u32,
    },
    /// The dispute could not be recorded.
    #[error(transparent)]
    Dispute(#[from] DisputeError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl IntakeError {
    /// The request field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::UnknownInvoice(_) => Some("invoice_id"),
            Self::UnknownLine { .. } => Some("line_no"),
            Self::BadClaim { .. } => Some("claimed_amount"),
            Self::Dispute(DisputeError::Exists(_)) => Some("id"),
            _ => None,
        }
    }
}

/// Verifies `dispute` against `data`, which holds (at least) its invoice's whole contract: what
/// the audit rules say of it, now.
pub fn verify(data: &BillingData, dispute: &Dispute) -> VerificationRecord {
    let verified = redress_audit::verify(data, dispute);
    VerificationRecord {
        verdict: verified.verdict,
        adjustment: data
            .invoice(dispute.invoice)
            .currency
            .shown(verified.adjustment),
        findings: Findings::of(&verified.findings),
        verified_at: redress_storage::this_moment(),
    }
}

/// Opens a dispute: checks it against the stored invoice, verifies it, and records it (linked
/// to any open dispute of the same line) with its creation in the audit log.
pub async fn open_dispute(
    store: &Store,
    intake: DisputeIntake,
    actor: &str,
) -> Result<DisputeRow, IntakeError> {
    open_dispute_as(store, None, intake, actor, false).await
}

/// Opens a dispute as [`open_dispute`] does, for `actor` who is a user (`user`): taken only while
/// they may change things, read in the transaction that records it.
/// Opens a dispute that came in without a user: a customer's mail (`actor` is `email`) or the
/// portal (`customer:…`), acknowledged as any other.
pub(crate) async fn open_as_gateway_by(
    store: &Store,
    communication: &Shared,
    intake: DisputeIntake,
    actor: &str,
) -> Result<DisputeRow, IntakeError> {
    open_dispute_as(store, Some(communication), intake, actor, false).await
}

/// With `communication` when the business acknowledges disputes by itself: the acknowledgement
/// is kept with the dispute, in the transaction that records it.
async fn open_dispute_as(
    store: &Store,
    communication: Option<&Shared>,
    intake: DisputeIntake,
    actor: &str,
    user: bool,
) -> Result<DisputeRow, IntakeError> {
    // An id Redress gives is taken again in the unlikely case that it is already in use.
    let attempts = if intake.id.is_some() { 1 } else { 3 };
    let mut outcome = Err(IntakeError::Dispute(DisputeError::Exists(String::new())));
    for _ in 0..attempts {
        outcome = open_once(store, communication.cloned(), intake.clone(), actor, user).await;
        if !matches!(outcome, Err(IntakeError::Dispute(DisputeError::Exists(_)))) {
            break;
        }
    }
    outcome
}

/// A dispute checked against the stored invoice and verified, ready to be recorded (see
/// [`open_dispute`]).
pub async fn prepare_dispute(
    store: &Store,
    communication: Option<&Shared>,
    intake: DisputeIntake,
    actor: &str,
) -> Result<Work<DisputeRow, IntakeError>, IntakeError> {
    let (data, invoice) = load_invoice(store, &intake.invoice_id).await?;
    let row = verified_dispute(&data, invoice, intake, actor)?;
    let decided = with_acknowledgement(communication, &data, row);
    Ok(redress_storage::disputes::intake::insert(decided, actor).map_err(IntakeError::from))
}

/// `dispute`, with its acknowledgement to keep beside it when the business acknowledges
/// disputes by itself (and the customer has an address), and when its service levels are
/// first to be checked.
fn with_acknowledgement(
    communication: Option<&Shared>,
    data: &BillingData,
    dispute: DisputeRow,
) -> Decided {
    let also = communication.filter(|c| c.auto_acknowledge).and_then(|c| {
        crate::messages::acknowledgement(c, data, &dispute)
            .map(|ack| redress_storage::messages::entailed(ack, Some(c.link_settings())))
    });
    let first_check_at = communication
        .map(|c| crate::service_levels::first_check_at(&c.policy, &c.calendar, dispute.created_at));
    Decided {
        dispute,
        also,
        first_check_at,
    }
}

async fn open_once(
    store: &Store,
    communication: Option<Shared>,
    intake: DisputeIntake,
    actor: &str,
    user: bool,
) -> Result<DisputeRow, IntakeError> {
    let invoice_id = intake.invoice_id.clone();
    let taken_by = actor.to_owned();
    // Checked and verified between reading the contract and recording the dispute, in one go.
    store
        .disputes()
        .open_with(&invoice_id, actor, user, move |data| {
            let data =
                data.ok_or_else(|| IntakeError::UnknownInvoice(intake.invoice_id.clone()))?;
            let invoice = invoice_index(&data, &intake.invoice_id);
            let dispute = verified_dispute(&data, invoice, intake, &taken_by)?;
            Ok(with_acknowledgement(communication.as_ref(), &data, dispute))
        })
        .await
}

/// The dispute `intake` asks for, checked against `data` (which holds its invoice's contract)
/// and verified.
fn verified_dispute(
    data: &BillingData,
    invoice: InvoiceIdx,
    intake: DisputeIntake,
    actor: &str,
) -> Result<DisputeRow, IntakeError> {
    if let Some(line_no) = intake.line_no
        && !data
            .lines
            .iter()
            .any(|l| l.invoice == invoice && l.line_no == line_no)
    {
        return Err(IntakeError::UnknownLine {
            invoice_id: intake.invoice_id,
            line_no,
        });
    }
    let currency = data.invoice(invoice).currency;
    if intake.claimed_amount < Decimal::ZERO || !currency.holds(intake.claimed_amount) {
        return Err(IntakeError::BadClaim {
            amount: intake.claimed_amount,
            currency,
            minor_unit: currency.minor_unit(),
        });
    }
    let now = jiff::Timestamp::now();
    let opened_on = intake
        .opened_on
        .unwrap_or_else(|| jiff::tz::TimeZone::UTC.to_datetime(now).date());
    let dispute = Dispute {
        invoice,
        line_no: intake.line_no,
        opened_on,
        reason: intake.reason,
        claimed_amount: intake.claimed_amount,
        narrative: intake.narrative,
    };
    let verification = verify(data, &dispute);
    let id = intake.id.unwrap_or_else(new_dispute_id);
    Ok(dispute_row(
        data,
        &dispute,
        id,
        intake.channel,
        actor,
        verification,
    ))
}

/// The disputes of an export (`disputes.csv`) as they are opened, verified by one audit of the
/// whole export (which says of each invoice what verifying it alone from the database would).
pub fn imported_disputes(data: &BillingData, actor: &str) -> Vec<DisputeRow> {
    let audit = redress_audit::audit(data);
    let now = redress_storage::this_moment();
    audit
        .verdicts
        .iter()
        .map(|judged| {
            let currency = data.invoice(data.disputes[judged.dispute].invoice).currency;
            let verification = VerificationRecord {
                verdict: judged.verdict,
                adjustment: currency.shown(judged.adjustment),
                findings: Findings::of(
                    &judged
                        .findings
                        .iter()
                        .map(|&i| finding_record(data, &audit.findings[i]))
                        .collect::<Vec<_>>(),
                ),
                verified_at: now,
            };
            let id = data.dispute_ids.get(judged.dispute).to_owned();
            dispute_row(
                data,
                &data.disputes[judged.dispute],
                id,
                "import".to_owned(),
                actor,
                verification,
            )
        })
        .collect()
}

/// Opens the disputes of an export already imported. A dispute whose id is already stored is
/// left as it is. Gives `(opened, already stored)`.
pub async fn open_imported_disputes(
    store: &Store,
    data: &BillingData,
    actor: &str,
) -> Result<(u64, u64), IntakeError> {
    // One transaction for all of them: an import of thousands of disputes stays quick.
    Ok(store
        .perform(redress_storage::disputes::intake::insert_many(
            imported_disputes(data, actor),
            actor,
        ))
        .await?)
}

/// What an import wrote: the rows of each table, and the disputes opened and already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Rows written, table by table.
    pub counts: ImportCounts,
    /// Disputes of the export opened now.
    pub opened: u64,
    /// Disputes of the export already stored, left as they were.
    pub already_stored: u64,
}

/// Imports an export: its billing data and its disputes (channel `import`, verified like any
/// other), all in one transaction.
pub async fn import_export(
    store: &Store,
    data: Arc<BillingData>,
    actor: &str,
) -> Result<ImportOutcome, IntakeError> {
    let disputes = imported_disputes(&data, actor);
    let (counts, opened, already_stored) = store
        .disputes()
        .import_with_billing(data, disputes, actor)
        .await?;
    Ok(ImportOutcome {
        counts,
        opened,
        already_stored,
    })
}

/// A new dispute's row, as verified.
fn dispute_row(
    data: &BillingData,
    dispute: &Dispute,
    id: String,
    channel: String,
    actor: &str,
    verification: VerificationRecord,
) -> DisputeRow {
    let invoice = data.invoice(dispute.invoice);
    let currency = invoice.currency;
    let now = verification.verified_at;
    DisputeRow {
        id,
        invoice_id: data.invoice_id(dispute.invoice).to_owned(),
        customer_id: data.customer_ids.name(invoice.customer.0).to_owned(),
        line_no: dispute.line_no,
        reason: dispute.reason,
        claimed: Money {
            amount: currency.shown(dispute.claimed_amount),
            currency,
        },
        narrative: dispute.narrative.clone(),
        channel,
        taken_by: actor.to_owned(),
        status: DisputeStatus::Open,
        escalated: false,
        assignee: None,
        linked_to: None,
        opened_on: dispute.opened_on,
        created_at: now,
        updated_at: now,
        verification,
    }
}

/// The billing data an invoice is verified against, and the invoice's place in it.
async fn load_invoice(
    store: &Store,
    invoice_id: &str,
) -> Result<(BillingData, InvoiceIdx), IntakeError> {
    let data = store
        .billing()
        .contract_data_for_invoice(invoice_id)
        .await?
        .ok_or_else(|| IntakeError::UnknownInvoice(invoice_id.to_owned()))?;
    let invoice = invoice_index(&data, invoice_id);
    Ok((data, invoice))
}

/// The place of `invoice_id` in `data`, which was loaded for it.
fn invoice_index(data: &BillingData, invoice_id: &str) -> InvoiceIdx {
    InvoiceIdx(
        data.invoice_ids
            .get(invoice_id)
            .expect("loaded with its contract"),
    )
}

/// A new dispute id: `DSP-` and 19 hex digits that sort by time.
fn new_dispute_id() -> String {
    redress_storage::new_id("DSP")
}

/// Verifies a stored dispute again, against the billing data as stored now (after an updated
/// export was imported), and records the new verdict.
pub async fn reverify_dispute(
    store: &Store,
    id: &str,
    actor: &str,
) -> Result<DisputeRow, IntakeError> {
    store
        .perform(prepare_reverification(store, id, actor).await?)
        .await
}

/// A stored dispute verified again against the billing data as stored now, ready to record
/// (see [`reverify_dispute`]).
pub async fn prepare_reverification(
    store: &Store,
    id: &str,
    actor: &str,
) -> Result<Work<DisputeRow, IntakeError>, IntakeError> {
    let stored = store
        .disputes()
        .get(id)
        .await?
        .ok_or_else(|| DisputeError::NotFound(id.to_owned()))?;
    let (data, invoice) = load_invoice(store, &stored.invoice_id).await?;
    let dispute = Dispute {
        invoice,
        line_no: stored.line_no,
        opened_on: stored.opened_on,
        reason: stored.reason,
        claimed_amount: stored.claimed.amount,
        narrative: stored.narrative.clone(),
    };
    let verification = verify(&data, &dispute);
    Ok(
        redress_storage::disputes::lifecycle::verify(id, verification, actor)
            .map_err(IntakeError::from),
    )
}

/// The largest attachment taken, by every way in alike: 10 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = redress_domain::evidence::MAX_EVIDENCE_BYTES;

/// The media types evidence comes in: documents, pictures, mail, spreadsheets as text.
pub const ATTACHMENT_TYPES: [&str; 7] = redress_domain::evidence::EVIDENCE_TYPES;

/// Keeping `bytes` as evidence on dispute `id` for `actor` (a user's id, `customer:…`, or the
/// address a mail came from), once checked as evidence ([`redress_domain::evidence::check`]:
/// its type, size, content and name): the one way a file enters a case file.
pub(crate) fn keep_evidence(
    id: &str,
    file_name: &str,
    media_type: &str,
    bytes: &[u8],
    actor: &str,
) -> Work<Attachment, ServiceError> {
    match redress_domain::evidence::check(file_name, media_type, bytes) {
        Ok(name) => redress_storage::disputes::attachments::add(id, name, media_type, bytes, actor)
            .map_err(ServiceError::from),
        Err(refused) => Work::ready(Err(refused.into())),
    }
}

/// Disputes: taken, verified, moved through their lifecycle, and their case files.
pub struct Disputes<'a>(pub(crate) &'a crate::Redress);

impl crate::Redress {
    /// Disputes.
    pub fn disputes(&self) -> Disputes<'_> {
        Disputes(self)
    }
}

impl Disputes<'_> {
    /// Takes a dispute and verifies it, by the busiest path: its contract read side by side
    /// with others, and recorded with the other new disputes waiting beside it.
    pub async fn open(
        &self,
        actor: &Actor,
        intake: DisputeIntake,
    ) -> Result<DisputeRow, ServiceError> {
        may_write(actor)?;
        Ok(open_dispute_as(
            &self.0.store,
            Some(&self.0.communication),
            intake,
            &actor.id,
            true,
        )
        .await?)
    }

    /// What verifying a dispute not yet taken finds: checked against the stored invoice and
    /// verified exactly as [`Disputes::open`] would, and nothing recorded, so that the person
    /// taking it sees the verification before saving.
    pub async fn check(
        &self,
        actor: &Actor,
        intake: DisputeIntake,
    ) -> Result<DisputeRow, ServiceError> {
        may_write(actor)?;
        let (data, invoice) = load_invoice(&self.0.store, &intake.invoice_id).await?;
        Ok(verified_dispute(&data, invoice, intake, &actor.id)?)
    }

    /// A dispute checked against the stored invoice and verified, ready to be recorded for
    /// `actor`.
    pub async fn prepare_open(
        &self,
        actor: &Actor,
        intake: DisputeIntake,
    ) -> Result<Work<DisputeRow, ServiceError>, ServiceError> {
        may_write(actor)?;
        let work = prepare_dispute(
            &self.0.store,
            Some(&self.0.communication),
            intake,
            &actor.id,
        )
        .await?;
        Ok(as_writer(actor, work))
    }

    /// A stored dispute verified again, ready to record.
    pub async fn prepare_reverify(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<Work<DisputeRow, ServiceError>, ServiceError> {
        may_write(actor)?;
        let work = prepare_reverification(&self.0.store, id, &actor.id).await?;
        Ok(as_writer(actor, work))
    }

    /// Moves a dispute to `to`, if its lifecycle allows.
    pub fn set_status(
        &self,
        actor: &Actor,
        id: &str,
        to: DisputeStatus,
    ) -> Work<DisputeRow, ServiceError> {
        as_writer(
            actor,
            redress_storage::disputes::lifecycle::set_status(id, to, &actor.id),
        )
    }

    /// Assigns a dispute to an agent, or to nobody.
    pub fn assign(
        &self,
        actor: &Actor,
        id: &str,
        assignee: Option<String>,
    ) -> Work<DisputeRow, ServiceError> {
        as_writer(
            actor,
            redress_storage::disputes::lifecycle::assign(id, assignee, &actor.id),
        )
    }

    /// Raises or lowers a dispute's escalation flag, while it is open.
    pub fn escalate(
        &self,
        actor: &Actor,
        id: &str,
        escalated: bool,
    ) -> Work<DisputeRow, ServiceError> {
        as_writer(
            actor,
            redress_storage::disputes::lifecycle::escalate(id, escalated, &actor.id),
        )
    }

    /// Asks `asked_of` (a user's id) for a statement on the dispute `id` by `due_on`: it waits
    /// in their queue until they give it.
    pub fn ask_for_statement(
        &self,
        actor: &Actor,
        id: &str,
        asked_of: &str,
        question: &str,
        due_on: Date,
    ) -> Work<StatementRequest, ServiceError> {
        as_writer(
            actor,
            redress_storage::disputes::statements::ask(id, asked_of, question, due_on, &actor.id),
        )
    }

    /// Gives the statement asked by `request_id` (only its person may, once): it goes into the
    /// case file.
    pub fn give_statement(
        &self,
        actor: &Actor,
        request_id: &str,
        body: &str,
    ) -> Work<CaseNote, ServiceError> {
        as_writer(
            actor,
            redress_storage::disputes::statements::answer(request_id, body, &actor.id),
        )
    }

    /// The statements asked on the dispute `id`, oldest first.
    pub async fn statement_requests(
        &self,
        id: &str,
    ) -> Result<Vec<StatementRequest>, StorageError> {
        self.0.store.disputes().statement_requests(id).await
    }

    /// The statements `actor` has still to give, soonest due first.
    pub async fn statements_asked_of(
        &self,
        actor: &Actor,
    ) -> Result<Vec<StatementRequest>, StorageError> {
        self.0
            .store
            .disputes()
            .statements_waiting_for(&actor.id)
            .await
    }

    /// Adds a note or a statement to a dispute's case file.
    pub fn add_note(
        &self,
        actor: &Actor,
        id: &str,
        kind: NoteKind,
        body: &str,
    ) -> Work<CaseNote, ServiceError> {
        as_writer(
            actor,
            redress_storage::disputes::notes::add(id, kind, body, &actor.id),
        )
    }

    /// Attaches an evidence file to a dispute.
    pub fn attach(
        &self,
        actor: &Actor,
        id: &str,
        file_name: &str,
        content_type: &str,
        content: &[u8],
    ) -> Work<Attachment, ServiceError> {
        as_writer(
            actor,
            keep_evidence(id, file_name, content_type, content, &actor.id),
        )
    }

    /// The dispute with this id.
    pub async fn get(&self, id: &str) -> Result<Option<DisputeRow>, StorageError> {
        self.0.store.disputes().get(id).await
    }

    /// Disputes, filtered, in `order`, a page at a time from `cursor`.
    pub async fn list(
        &self,
        filter: &DisputeFilter,
        order: DisputeOrder,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Result<DisputePage, BadCursor>, StorageError> {
        self.0
            .store
            .disputes()
            .list(filter, order, limit, cursor)
            .await
    }

    /// A dispute's whole history, from the audit log.
    pub async fn history(&self, id: &str) -> Result<Vec<AuditEvent>, LogError> {
        self.0.store.audit_log().dispute_history(id).await
    }

    /// A dispute's notes and statements, oldest first.
    pub async fn notes(&self, id: &str) -> Result<Vec<CaseNote>, StorageError> {
        self.0.store.disputes().notes(id).await
    }

    /// A dispute's attachments, oldest first.
    pub async fn attachments(&self, id: &str) -> Result<Vec<Attachment>, StorageError> {
        self.0.store.disputes().attachments(id).await
    }

    /// An attachment and its content.
    pub async fn attachment_content(
        &self,
        id: &str,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StorageError> {
        self.0.store.disputes().attachment_content(id).await
    }

    /// What a dispute's recommendation is made from.
    pub async fn facts(&self, id: &str) -> Result<Option<DisputeFacts>, StorageError> {
        self.0.store.disputes().facts(id).await
    }

    /// The resolution recommended for a dispute and why (the domain's
    /// [`recommend`](redress_domain::recommendation::recommend) over its verification, the
    /// customer's tenure, revenue and punctuality, and their other disputes), with the facts it
    /// weighed; `None` when there is no such dispute.
    pub async fn recommendation(
        &self,
        id: &str,
    ) -> Result<Option<(DisputeFacts, Recommendation)>, StorageError> {
        Ok(self.facts(id).await?.map(|facts| {
            let advice = recommend(&facts.verification, &facts.relationship, &facts.history);
            (facts, advice)
        }))
    }
}
