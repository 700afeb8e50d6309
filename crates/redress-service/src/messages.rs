//! Talking with the customer: messages drafted from the case in the customer's language, edited
//! by an agent and sent through the outbox; the acknowledgement sent by itself when a dispute is
//! taken; and the outbox's side for the worker that delivers.
//!
//! Drafting reads the case (the dispute, its invoice with the contract, deliveries, payments
//! and notices, its resolutions) and hands typed facts to `redress-messages`. Sending keeps the
//! message exactly as the agent wrote it, with its outbox entry, in one transaction; the worker
//! (`redress-mailer`) delivers it later, so a message is never lost when the server or the mail
//! server stops.

use crate::error::ServiceError;
use crate::redress::{Actor, as_writer, may_write};
use redress_domain::message::{Direction, DocumentRef, MessageKind};
use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
use redress_domain::service_level::{BusinessCalendar, Clock, ServicePolicy, Stage};
use redress_domain::{
    BillingData, Date, Decimal, DisputeReason, DisputeStatus, InvoiceIdx, Language, LineKind,
    Money, Timestamp, Verdict,
};
use redress_messages as drafts;
use redress_storage::books::resolutions::{Resolution, ResolutionAction};
use redress_storage::disputes::record::{DisputeError, DisputeRow};
use redress_storage::messages::outbox::{self, Claimed, Outcome};
use redress_storage::messages::{LinkSettings, MessageError, PORTAL_LINK, StoredMessage};
use redress_storage::{StorageError, Work, new_id, this_moment};
use std::sync::Arc;

/// How the business talks with its customers.
#[derive(Debug, Clone)]
pub struct Communication {
    /// Whether a dispute taken is acknowledged to the customer by itself, as help desks'
    /// auto-replies do (on by default).
    pub auto_acknowledge: bool,
    /// The business's working days and hours, in its time zone.
    pub calendar: BusinessCalendar,
    /// The service levels promised.
    pub policy: ServicePolicy,
    /// The domain of the Message-IDs Redress gives (`MSG-…@DOMAIN`), by which replies find
    /// their dispute: the domain of the address mail is sent from.
    pub mail_domain: String,
    /// The business whose name, address and tax id head its documents.
    pub business: redress_documents::Business,
    /// Whether a worker delivers the outbox (an SMTP server is configured); if not, messages
    /// wait in it, and the faces of Redress say so.
    pub delivers: bool,
    /// Where customers reach Redress (the portal's links begin with it), e.g.
    /// `https://billing.example.com`.
    pub public_url: String,
    /// How many days a portal link in a message works.
    pub link_valid_days: u16,
    /// After how many working days without a word to the customer an open dispute (not
    /// waiting on them) is due a status update; 0: never.
    pub update_every_days: u16,
}

impl Communication {
    /// Where the links in messages lead, and for how long.
    pub fn link_settings(&self) -> LinkSettings {
        LinkSettings {
            base_url: self.public_url.clone(),
            valid_for: jiff::SignedDuration::from_hours(24 * i64::from(self.link_valid_days)),
        }
    }
}

impl Default for Communication {
    fn default() -> Self {
        Self {
            auto_acknowledge: true,
            calendar: BusinessCalendar::standard("UTC").expect("UTC is always a known zone"),
            policy: ServicePolicy::DEFAULT,
            mail_domain: "localhost".to_owned(),
            business: redress_documents::Business {
                name: "Redress".to_owned(),
                address: Vec::new(),
                tax_id: None,
                email: "billing@localhost".to_owned(),
            },
            delivers: false,
            public_url: "http://127.0.0.1:8080".to_owned(),
            link_valid_days: 30,
            update_every_days: 5,
        }
    }
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The customer's id.
    pub customer_id: String,
    /// Their name, as addressed.
    pub name: String,
    /// Their email address.
    pub address: String,
}

/// A message drafted for an agent to edit before it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// What it is for.
    pub kind: MessageKind,
    /// Its language: the customer's, or English when we do not write theirs.
    pub language: Language,
    /// Whether the customer's own language is one we write in (if not, the agent should know).
    pub language_known: bool,
    /// Who it goes to.
    pub to: Recipient,
    /// Its subject.
    pub subject: String,
    /// Its text.
    pub body: String,
    /// The messages missing in the language, written in English instead.
    pub missing: Vec<String>,
    /// The documents it would send.
    pub documents: Vec<DocumentRef>,
}

/// A message an agent sends about a dispute, as they wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// What it is for.
    pub kind: MessageKind,
    /// Its language; the customer's when `None`.
    pub language: Option<Language>,
    /// Its subject.
    pub subject: String,
    /// Its text.
    pub body: String,
    /// The documents sent with it, as PDFs.
    pub documents: Vec<DocumentRef>,
}

/// The longest subject taken, in characters.
pub const MAX_SUBJECT_CHARS: usize = 300;
/// The longest text taken, in characters.
pub const MAX_BODY_CHARS: usize = 50_000;

/// Why a message cannot be drafted or sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageRefused {
    /// A field of the message is wrong.
    #[error("{message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The customer has no address to write to.
    #[error("customer {0} has no email address on file: update the billing data first")]
    NoAddress(String),
    /// No such dispute.
    #[error("no dispute {0}")]
    UnknownDispute(String),
    /// A document named is not this dispute's.
    #[error("{0} is not a document issued on this dispute")]
    NotThisDisputes(String),
    /// A mail with this Message-ID is kept already.
    #[error("the mail {0} is kept already")]
    AlreadyKept(String),
}

/// Messages: `redress.messages()`.
pub struct Messages<'a>(pub(crate) &'a crate::Redress);

impl crate::Redress {
    /// Messages to and from customers.
    pub fn messages(&self) -> Messages<'_> {
        Messages(self)
    }
}

impl Messages<'_> {
    /// A dispute's messages, oldest first, with their deliveries.
    pub async fn of_dispute(&self, dispute_id: &str) -> Result<Vec<StoredMessage>, StorageError> {
        self.0.store.messages().of_dispute(dispute_id).await
    }

    /// The message with this id.
    pub async fn get(&self, id: &str) -> Result<Option<StoredMessage>, StorageError> {
        self.0.store.messages().get(id).await
    }

    /// How many messages wait in the outbox, and how many failed for good.
    pub async fn outbox_counts(&self) -> Result<(u64, u64), StorageError> {
        self.0.store.messages().outbox_counts().await
    }

    /// The message of `kind` about the dispute `dispute_id`, drafted from the case in the
    /// customer's language, for an agent to edit.
    pub async fn draft(
        &self,
        actor: &Actor,
        dispute_id: &str,
        kind: MessageKind,
    ) -> Result<Composed, ServiceError> {
        may_write(actor)?;
        let case = self.case(dispute_id).await?;
        let now = this_moment();
        compose(&self.0.communication, &case, kind, now)
    }

    /// `outgoing` about the dispute `dispute_id`, checked, ready to keep with its outbox entry
    /// in one transaction (for `actor`, only while they may change things).
    pub async fn prepare_send(
        &self,
        actor: &Actor,
        dispute_id: &str,
        outgoing: Outgoing,
    ) -> Result<Work<StoredMessage, ServiceError>, ServiceError> {
        may_write(actor)?;
        check_outgoing(&outgoing)?;
        let case = self.case(dispute_id).await?;
        let issued = issued_documents(&case.resolutions);
        if let Some(stray) = outgoing.documents.iter().find(|d| !issued.contains(d)) {
            return Err(MessageRefused::NotThisDisputes(stray.id().to_owned()).into());
        }
        let to = recipient(&case.data, case.invoice, &case.dispute.customer_id)?;
        let id = new_id("MSG");
        let message = StoredMessage {
            mail_id: mail_id(&id, &self.0.communication),
            id,
            dispute_id: Some(case.dispute.id.clone()),
            arrears_case_id: None,
            customer_id: to.customer_id,
            direction: Direction::ToCustomer,
            kind: outgoing.kind,
            language: outgoing.language.unwrap_or_else(|| {
                let customer =
                    &case.data.customers[case.data.invoice(case.invoice).customer.index()];
                Language::for_customer(&customer.language).0
            }),
            address: to.address,
            name: to.name,
            subject: outgoing.subject,
            body: outgoing.body,
            in_reply_to: None,
            documents: outgoing.documents,
            written_by: actor.id.clone(),
            created_at: this_moment(),
            delivery: None,
        };
        Ok(as_writer(
            actor,
            redress_storage::messages::keep(message, Some(self.0.communication.link_settings()))
                .map_err(ServiceError::from),
        ))
    }

    /// Claims up to `limit` messages due for delivery now, each for `lease` (the worker's).
    pub async fn claim_due(
        &self,
        lease: std::time::Duration,
        limit: u32,
    ) -> Result<Vec<Claimed>, StorageError> {
        let now = this_moment();
        let until = now
            .checked_add(jiff::SignedDuration::try_from(lease).unwrap_or(jiff::SignedDuration::MAX))
            .unwrap_or(Timestamp::MAX);
        self.0
            .store
            .perform(outbox::claim_due(now, until, limit))
            .await
    }

    /// Marks a claimed message as `outcome` says (the worker's); `false` when its claim was
    /// taken over meanwhile and nothing changed.
    pub async fn mark(&self, claimed: &Claimed, outcome: Outcome) -> Result<bool, ServiceError> {
        Ok(self
            .0
            .store
            .perform(outbox::mark(
                &claimed.message.id,
                &claimed.claim,
                outcome,
                this_moment(),
            ))
            .await?)
    }

    /// The case a message about `dispute_id` is drafted from.
    async fn case(&self, dispute_id: &str) -> Result<Case, ServiceError> {
        let store = &self.0.store;
        let dispute = store
            .disputes()
            .get(dispute_id)
            .await?
            .ok_or_else(|| MessageRefused::UnknownDispute(dispute_id.to_owned()))?;
        let data = store
            .billing()
            .contract_data_for_invoice(&dispute.invoice_id)
            .await?
            .ok_or_else(|| {
                StorageError::Corrupt(format!(
                    "the invoice {} of dispute {} is not stored",
                    dispute.invoice_id, dispute.id
                ))
            })?;
        let invoice = invoice_of(&data, &dispute.invoice_id)?;
        let resolutions = store.books().resolutions_of(dispute_id).await?;
        Ok(Case {
            dispute,
            data,
            invoice,
            resolutions,
        })
    }
}

/// What a message about a dispute is drafted from.
struct Case {
    dispute: DisputeRow,
    data: BillingData,
    invoice: InvoiceIdx,
    resolutions: Vec<Resolution>,
}

fn invoice_of(data: &BillingData, invoice_id: &str) -> Result<InvoiceIdx, StorageError> {
    data.invoice_ids
        .get(invoice_id)
        .map(InvoiceIdx)
        .ok_or_else(|| StorageError::Corrupt(format!("the invoice {invoice_id} is not stored")))
}

/// The customer of `invoice`, to write to.
fn recipient(
    data: &BillingData,
    invoice: InvoiceIdx,
    customer_id: &str,
) -> Result<Recipient, MessageRefused> {
    let customer = &data.customers[data.invoice(invoice).customer.index()];
    let address = customer.email.trim();
    if !address.contains('@') {
        return Err(MessageRefused::NoAddress(customer_id.to_owned()));
    }
    Ok(Recipient {
        customer_id: customer_id.to_owned(),
        name: customer.name.clone(),
        address: address.to_owned(),
    })
}

fn check_outgoing(outgoing: &Outgoing) -> Result<(), MessageRefused> {
    let invalid = |field, message: String| Err(MessageRefused::Invalid { field, message });
    if outgoing.kind == MessageKind::CustomerReply || outgoing.kind == MessageKind::ArrearsNotice {
        return invalid(
            "kind",
            format!(
                "a {} is not sent about a dispute (expected one of {})",
                outgoing.kind,
                drafted_kinds()
            ),
        );
    }
    let subject = outgoing.subject.trim();
    if subject.is_empty() {
        return invalid("subject", "a message needs a subject".into());
    }
    if outgoing.subject.chars().count() > MAX_SUBJECT_CHARS {
        return invalid(
            "subject",
            format!("a subject is at most {MAX_SUBJECT_CHARS} characters"),
        );
    }
    if subject.contains(['\r', '\n']) {
        return invalid("subject", "a subject is one line".into());
    }
    if outgoing.body.trim().is_empty() {
        return invalid("body", "a message needs some text".into());
    }
    if outgoing.body.chars().count() > MAX_BODY_CHARS {
        return invalid(
            "body",
            format!("a message is at most {MAX_BODY_CHARS} characters"),
        );
    }
    Ok(())
}

/// The kinds drafted about a dispute, as their names.
pub fn drafted_kinds() -> String {
    let names: Vec<&str> = MessageKind::DRAFTED_FOR_A_DISPUTE
        .iter()
        .map(|k| k.as_str())
        .collect();
    names.join(", ")
}

/// The documents issued on a dispute by its applied resolutions.
fn issued_documents(resolutions: &[Resolution]) -> Vec<DocumentRef> {
    resolutions
        .iter()
        .filter(|r| r.status == ResolutionStatus::Applied)
        .filter_map(|r| {
            let id = r.document_id.clone()?;
            match r.kind {
                ResolutionKind::CreditNote => Some(DocumentRef::CreditNote(id)),
                ResolutionKind::CorrectedInvoice => Some(DocumentRef::IssuedInvoice(id)),
                _ => None,
            }
        })
        .collect()
}

/// The day `moment` falls on in the business's zone.
/// Today in the business's calendar.
pub(crate) fn today(communication: &Communication) -> Date {
    day_of(&communication.calendar, redress_storage::this_moment())
}

fn day_of(calendar: &BusinessCalendar, moment: Timestamp) -> Date {
    calendar.time_zone().to_datetime(moment).date()
}

/// When a dispute opened at `opened_at` is promised resolved by.
fn resolve_by(communication: &Communication, opened_at: Timestamp) -> Date {
    let clock = Clock::new(
        &communication.calendar,
        &communication.policy,
        Stage::Resolve,
        opened_at,
        &[],
    );
    day_of(&communication.calendar, clock.due_at(opened_at))
}

/// `n` working days after `now`, as a day.
fn working_days_after(communication: &Communication, now: Timestamp, n: u16) -> Date {
    day_of(
        &communication.calendar,
        communication.calendar.add_business_days(now, n),
    )
}

/// The acknowledgement of `dispute`, taken now, to keep with it (what intake entails when the
/// business acknowledges by itself); `None` when the customer has no address.
pub(crate) fn acknowledgement(
    communication: &Communication,
    data: &BillingData,
    dispute: &DisputeRow,
) -> Option<StoredMessage> {
    let invoice = invoice_of(data, &dispute.invoice_id).ok()?;
    let to = recipient(data, invoice, &dispute.customer_id).ok()?;
    let customer = &data.customers[data.invoice(invoice).customer.index()];
    let (language, _) = Language::for_customer(&customer.language);
    let message = drafts::Message::Acknowledgement(drafts::Acknowledgement {
        customer_name: to.name.clone(),
        dispute_id: dispute.id.clone(),
        invoice_id: dispute.invoice_id.clone(),
        reason: dispute.reason,
        received_on: dispute.opened_on,
        respond_by: resolve_by(communication, dispute.created_at),
    });
    let draft = drafts::draft(&message, language);
    let id = new_id("MSG");
    Some(StoredMessage {
        mail_id: mail_id(&id, communication),
        id,
        dispute_id: Some(dispute.id.clone()),
        arrears_case_id: None,
        customer_id: to.customer_id,
        direction: Direction::ToCustomer,
        kind: MessageKind::Acknowledgement,
        language,
        address: to.address,
        name: to.name,
        subject: with_reference(draft.subject, &dispute.id),
        body: with_portal_link(draft.body, language),
        in_reply_to: None,
        documents: Vec::new(),
        written_by: "system".to_owned(),
        created_at: dispute.created_at,
        delivery: None,
    })
}

/// `body` with the line that gives the customer their own portal link (made when the message is
/// kept, where [`PORTAL_LINK`] stands).
fn with_portal_link(body: String, language: Language) -> String {
    let footer = drafts::portal_footer(language, PORTAL_LINK);
    if body.trim().is_empty() {
        format!("\n\n{footer}")
    } else {
        format!("{}\n\n{footer}", body.trim_end())
    }
}

/// The Message-ID (without `<>`) of the message `id`: `ID@redress.DOMAIN`, as the mailer
/// writes it.
fn mail_id(id: &str, communication: &Communication) -> String {
    format!("{id}@redress.{}", communication.mail_domain)
}

/// `subject` naming the dispute, so that a reply whose headers were lost still finds it.
fn with_reference(subject: String, dispute_id: &str) -> String {
    if subject.contains(dispute_id) {
        subject
    } else {
        format!("{subject} [{dispute_id}]")
    }
}

/// The message of `kind` drafted from `case` at `now`.
fn compose(
    communication: &Communication,
    case: &Case,
    kind: MessageKind,
    now: Timestamp,
) -> Result<Composed, ServiceError> {
    let data = &case.data;
    let dispute = &case.dispute;
    let invoice = data.invoice(case.invoice);
    let customer = &data.customers[invoice.customer.index()];
    let to = recipient(data, case.invoice, &dispute.customer_id)?;
    let (language, language_known) = Language::for_customer(&customer.language);
    let money = |amount: Decimal| Money::rounded(amount, invoice.currency);
    let name = to.name.clone();
    let mut documents = Vec::new();
    let message = match kind {
        MessageKind::Acknowledgement => drafts::Message::Acknowledgement(drafts::Acknowledgement {
            customer_name: name,
            dispute_id: dispute.id.clone(),
            invoice_id: dispute.invoice_id.clone(),
            reason: dispute.reason,
            received_on: dispute.opened_on,
            respond_by: resolve_by(communication, dispute.created_at),
        }),
        MessageKind::InformationRequest => {
            drafts::Message::InformationRequest(drafts::InformationRequest {
                customer_name: name,
                dispute_id: dispute.id.clone(),
                invoice_id: dispute.invoice_id.clone(),
                needed: information_needed(dispute.reason),
                respond_by: working_days_after(communication, now, 5),
            })
        }
        MessageKind::Explanation => drafts::Message::Explanation(explanation(case, name)),
        MessageKind::ResolutionOffer => drafts::Message::ResolutionOffer(drafts::ResolutionOffer {
            customer_name: name,
            dispute_id: dispute.id.clone(),
            invoice_id: dispute.invoice_id.clone(),
            decision: decision(case),
            reply_by: working_days_after(communication, now, 10),
        }),
        MessageKind::StatusUpdate => {
            let today = day_of(&communication.calendar, now);
            let days_open = (today - dispute.opened_on).get_days().max(0) as u32;
            let waiting = case
                .resolutions
                .iter()
                .any(|r| r.status == ResolutionStatus::PendingApproval);
            let stage = if dispute.status == DisputeStatus::AwaitingCustomer {
                drafts::DisputeStage::AwaitingYourReply
            } else if waiting {
                drafts::DisputeStage::AwaitingApproval
            } else {
                drafts::DisputeStage::Checking
            };
            drafts::Message::StatusUpdate(drafts::StatusUpdate {
                customer_name: name,
                dispute_id: dispute.id.clone(),
                invoice_id: dispute.invoice_id.clone(),
                days_open,
                stage,
                next_update_by: working_days_after(communication, now, 5),
            })
        }
        MessageKind::Confirmation => {
            documents = issued_documents(&case.resolutions);
            drafts::Message::Confirmation(drafts::Confirmation {
                customer_name: name,
                dispute_id: dispute.id.clone(),
                invoice_id: dispute.invoice_id.clone(),
                documents: case
                    .resolutions
                    .iter()
                    .filter(|r| r.status == ResolutionStatus::Applied)
                    .filter_map(|r| document_issued(r, &communication.calendar, money))
                    .collect(),
            })
        }
        MessageKind::Note => {
            return Ok(Composed {
                kind,
                language,
                language_known,
                to,
                subject: with_reference(
                    format!("{} {}", dispute.id, dispute.invoice_id),
                    &dispute.id,
                ),
                body: with_portal_link(String::new(), language),
                missing: Vec::new(),
                documents,
            });
        }
        MessageKind::SatisfactionFollowUp => {
            drafts::Message::SatisfactionFollowUp(drafts::SatisfactionFollowUp {
                customer_name: name,
                dispute_id: dispute.id.clone(),
                invoice_id: dispute.invoice_id.clone(),
                survey_link: PORTAL_LINK.to_owned(),
            })
        }
        MessageKind::ArrearsNotice | MessageKind::CustomerReply => {
            return Err(MessageRefused::Invalid {
                field: "kind",
                message: format!(
                    "a {kind} is not drafted about a dispute here (expected one of \
                     acknowledgement, {})",
                    drafted_kinds()
                ),
            }
            .into());
        }
    };
    let draft = drafts::draft(&message, language);
    let body = if kind == MessageKind::SatisfactionFollowUp {
        draft.body
    } else {
        with_portal_link(draft.body, language)
    };
    Ok(Composed {
        kind,
        language,
        language_known,
        to,
        subject: with_reference(draft.subject, &dispute.id),
        body,
        missing: draft.missing,
        documents,
    })
}

/// What to ask a customer for, by their reason.
fn information_needed(reason: DisputeReason) -> Vec<drafts::InformationNeeded> {
    use drafts::InformationNeeded::*;
    match reason {
        DisputeReason::Duplicate => vec![ProofOfPayment, DisputedLines],
        DisputeReason::NotReceived => vec![DeliveryDetails, PurchaseOrder],
        DisputeReason::Overcharged | DisputeReason::WrongPrice => {
            vec![DisputedLines, PurchaseOrder]
        }
        DisputeReason::LateFee => vec![ProofOfPayment],
        DisputeReason::Other => vec![DisputedLines],
    }
}

/// The invoice line by line, with the contract's terms, deliveries, payments and notices.
fn explanation(case: &Case, customer_name: String) -> drafts::Explanation {
    explanation_of(&case.data, case.invoice, &case.dispute.id, customer_name)
}

/// Invoice `invoice_idx` of `data` line by line, for dispute `dispute_id`: with the contract's
/// terms, deliveries, payments and notices.
pub(crate) fn explanation_of(
    data: &BillingData,
    invoice_idx: InvoiceIdx,
    dispute_id: &str,
    customer_name: String,
) -> drafts::Explanation {
    let invoice = data.invoice(invoice_idx);
    let currency = invoice.currency;
    let contract = data.contract(invoice.contract);
    let contract_id = data.contract_ids.name(invoice.contract.0).to_owned();
    let payments: Vec<drafts::PaymentReceived> = data
        .payments
        .iter()
        .enumerate()
        .filter(|(_, p)| p.invoice == invoice_idx)
        .map(|(i, p)| drafts::PaymentReceived {
            reference: data.payment_ids.get(i).to_owned(),
            paid_on: p.paid_on,
            amount: Money::rounded(p.amount, currency),
        })
        .collect();
    let notices: Vec<drafts::NoticeSent> = data
        .notices
        .iter()
        .filter(|n| n.invoice == invoice_idx)
        .map(|n| drafts::NoticeSent {
            kind: n.kind,
            sent_on: n.sent_on,
            amount: None,
        })
        .collect();
    let mut lines = Vec::new();
    for (i, line) in data.lines.iter().enumerate() {
        if line.invoice != invoice_idx {
            continue;
        }
        let description = data.line_descriptions.get(i).to_owned();
        let (terms, deliveries) = match &line.kind {
            LineKind::Charge { sku, period } => {
                let price = data.prices.iter().find(|p| {
                    p.contract == invoice.contract && p.sku == *sku && p.is_valid_on(period.start())
                });
                let terms = price.map(|p| drafts::ContractTerms {
                    contract_id: contract_id.clone(),
                    signed_on: contract.start_date,
                    unit_price: Money::rounded(p.unit_price, currency),
                    quantity: line.quantity,
                });
                let deliveries = data
                    .deliveries
                    .records
                    .iter()
                    .filter(|d| {
                        d.contract == invoice.contract
                            && d.sku == *sku
                            && period.contains(d.delivered_on)
                    })
                    .map(|d| drafts::DeliveryMade {
                        reference: data.skus.name(sku.0).to_owned(),
                        delivered_on: d.delivered_on,
                        quantity: d.quantity,
                    })
                    .collect();
                (terms, deliveries)
            }
            LineKind::LateFee { .. } => (None, Vec::new()),
        };
        let is_late_fee = matches!(line.kind, LineKind::LateFee { .. });
        lines.push(drafts::ExplainedLine {
            description,
            amount: Money::rounded(line.amount, currency),
            contract: terms,
            deliveries,
            // Payments and notices are told once, under the first line (and notices under a
            // late fee, which they are the ground of).
            payments: if lines.is_empty() {
                payments.clone()
            } else {
                Vec::new()
            },
            notices: if is_late_fee || lines.is_empty() {
                notices.clone()
            } else {
                Vec::new()
            },
        });
    }
    drafts::Explanation {
        customer_name,
        dispute_id: dispute_id.to_owned(),
        invoice_id: data.invoice_id(invoice_idx).to_owned(),
        invoice_date: invoice.issue_date,
        invoice_total: Money::rounded(invoice.total, currency),
        lines,
    }
}

/// What was decided: the remedies proposed or applied, or the charges standing with their
/// proofs.
fn decision(case: &Case) -> drafts::Decision {
    let data = &case.data;
    let invoice = data.invoice(case.invoice);
    let currency = invoice.currency;
    let money = |amount: Decimal| Money::rounded(amount, currency);
    // The options waiting for the customer's choice, when there are; else whatever was given
    // or still may be.
    let waiting_for_them = case
        .resolutions
        .iter()
        .any(|r| r.status == ResolutionStatus::Offered);
    let offered: Vec<drafts::RemedyOffered> = case
        .resolutions
        .iter()
        .filter(|r| {
            if waiting_for_them {
                r.status == ResolutionStatus::Offered
            } else {
                r.status.may_give()
            }
        })
        .filter_map(|r| match &r.action {
            ResolutionAction::CreditNote(_) | ResolutionAction::CorrectedInvoice { .. } => {
                Some(drafts::RemedyOffered::CreditNote {
                    amount: money(r.amount),
                })
            }
            ResolutionAction::Refund { amount, .. } => Some(drafts::RemedyOffered::Refund {
                amount: money(*amount),
            }),
            ResolutionAction::AccountCredit { amount }
            | ResolutionAction::Goodwill { amount, .. } => {
                Some(drafts::RemedyOffered::AccountCredit {
                    amount: money(*amount),
                })
            }
            ResolutionAction::PaymentPlan { plan, .. } => {
                Some(drafts::RemedyOffered::PaymentPlan(plan.clone()))
            }
            _ => None,
        })
        .collect();
    let rejected = case.dispute.verification.verdict == Verdict::Rejected
        || case
            .resolutions
            .iter()
            .any(|r| r.kind == ResolutionKind::Reject && r.status.may_give());
    // Options offered to the customer are what they must hear about, whatever the verdict
    // (a goodwill gesture on a claim that does not stand is still an offer).
    if !offered.is_empty() && (!rejected || waiting_for_them) {
        return drafts::Decision::Offer(offered);
    }
    if !rejected && case.dispute.verification.adjustment > Decimal::ZERO {
        return drafts::Decision::Offer(vec![drafts::RemedyOffered::CreditNote {
            amount: money(case.dispute.verification.adjustment),
        }]);
    }
    rejection_of(data, case.invoice, &case.dispute.id)
}

/// The charges of invoice `invoice_idx` of `data` standing, for dispute `dispute_id`: the
/// contract's prices, the deliveries and the notices as proofs, and what remains due.
pub(crate) fn rejection_of(
    data: &BillingData,
    invoice_idx: InvoiceIdx,
    dispute_id: &str,
) -> drafts::Decision {
    let invoice = data.invoice(invoice_idx);
    let currency = invoice.currency;
    let money = |amount: Decimal| Money::rounded(amount, currency);
    let explained = explanation_of(data, invoice_idx, dispute_id, String::new());
    let mut proofs = Vec::new();
    for line in &explained.lines {
        if let Some(terms) = &line.contract {
            proofs.push(drafts::Proof::PriceAsContracted {
                contract_id: terms.contract_id.clone(),
                signed_on: terms.signed_on,
                unit_price: terms.unit_price,
            });
        }
        proofs.extend(
            line.deliveries
                .iter()
                .cloned()
                .map(drafts::Proof::Delivered),
        );
    }
    proofs.extend(
        explained
            .lines
            .iter()
            .flat_map(|l| l.notices.iter().cloned())
            .map(drafts::Proof::NoticeSent),
    );
    proofs.dedup();
    let paid: Decimal = data
        .payments
        .iter()
        .filter(|p| p.invoice == invoice_idx)
        .map(|p| p.amount)
        .sum();
    drafts::Decision::Rejection {
        proofs,
        amount_due: money((invoice.total - paid).max(Decimal::ZERO)),
    }
}

/// What an applied resolution issued, for the confirmation.
fn document_issued(
    resolution: &Resolution,
    calendar: &BusinessCalendar,
    money: impl Fn(Decimal) -> Money,
) -> Option<drafts::DocumentIssued> {
    let on = day_of(
        calendar,
        resolution.decided_at.unwrap_or(resolution.proposed_at),
    );
    let number = resolution.document_id.clone().unwrap_or_default();
    Some(match &resolution.action {
        ResolutionAction::CreditNote(_) => drafts::DocumentIssued::CreditNote {
            number,
            issued_on: on,
            amount: money(resolution.amount),
        },
        ResolutionAction::Refund { amount, .. } => drafts::DocumentIssued::Refund {
            reference: number,
            paid_on: on,
            amount: money(*amount),
        },
        ResolutionAction::AccountCredit { amount } | ResolutionAction::Goodwill { amount, .. } => {
            drafts::DocumentIssued::AccountCredit {
                credited_on: on,
                amount: money(*amount),
            }
        }
        ResolutionAction::CorrectedInvoice { .. } => drafts::DocumentIssued::CorrectedInvoice {
            number,
            issued_on: on,
            amount: money(resolution.amount),
        },
        ResolutionAction::PaymentPlan { plan, .. } => drafts::DocumentIssued::PaymentPlan {
            number,
            plan: plan.clone(),
        },
        _ => return None,
    })
}

impl From<MessageError> for ServiceError {
    fn from(e: MessageError) -> Self {
        match e {
            MessageError::Dispute(DisputeError::NotFound(id)) => {
                MessageRefused::UnknownDispute(id).into()
            }
            MessageError::Dispute(e) => e.into(),
            MessageError::Storage(e) => e.into(),
            MessageError::AlreadyKept(mail_id) => MessageRefused::AlreadyKept(mail_id).into(),
        }
    }
}

/// The communication settings, shared.
pub(crate) type Shared = Arc<Communication>;

/// A customer's mail, taken apart (by `redress-mailer`'s `parse_inbound`), to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The sender's address, lower-cased.
    pub from: String,
    /// The sender's name, if given.
    pub from_name: Option<String>,
    /// The subject.
    pub subject: String,
    /// Its Message-ID (without `<>`), if it has one.
    pub message_id: Option<String>,
    /// The Message-IDs it answers and of its thread (`In-Reply-To` first, then `References`).
    pub thread: Vec<String>,
    /// A dispute id named in the subject (`[DSP-…]`).
    pub reference: Option<String>,
    /// The new part of the mail (without the quoted history).
    pub text: String,
    /// The files it carried that the case may keep: (file name, media type, bytes).
    pub attachments: Vec<(String, String, Vec<u8>)>,
    /// The files it carried that were not kept, each with why.
    pub refused: Vec<String>,
    /// What it reports, when it is a mail server's delivery report (a bounce) about mail
    /// Redress sent rather than a customer's words.
    pub bounce: Option<BounceReport>,
}

/// A mail server's delivery report about a mail Redress sent, as `redress-mailer` read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceReport {
    /// The Message-IDs (without `<>`) of the mail it reports on.
    pub original_message_ids: Vec<String>,
    /// The addresses it says were not reached.
    pub recipients: Vec<String>,
    /// Its status code, e.g. `5.1.1`.
    pub status: Option<String>,
    /// The receiving server's words.
    pub diagnostic: Option<String>,
    /// Whether delivery failed for good or is only delayed.
    pub kind: BounceKind,
}

/// What a delivery report says of a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceKind {
    /// It could not be delivered, for good (`5.x.x`, `Action: failed`).
    Failed,
    /// It is not delivered yet; the mail servers go on trying (`4.x.x`, `Action: delayed`).
    Delayed,
}

/// What became of a received mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiveOutcome {
    /// A customer's mail, kept in its case.
    Reply(Received),
    /// A mail server's delivery report about a message Redress sent: never kept as a message.
    Bounce(Bounced),
}

/// What a delivery report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounced {
    /// The message it reports on, as it now stands. `None` only for a delay notice that names
    /// no message of ours (a delay changes nothing, so it needs none).
    pub message: Option<StoredMessage>,
    /// What became of the message's delivery.
    pub effect: BounceEffect,
}

/// What became of a message's delivery on a report about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceEffect {
    /// Marked failed now, with the report's words, and a `message_bounced` event on its case.
    MarkedFailed,
    /// It had failed already (the same report received again): nothing changed.
    AlreadyFailed,
    /// Only delayed: nothing changed; the mail servers go on trying.
    Delayed,
}

/// What became of a customer's mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The message kept.
    pub message: StoredMessage,
    /// The dispute it went to.
    pub dispute_id: String,
    /// Whether a new dispute was opened for it (an unknown thread from a known customer).
    pub opened: bool,
    /// The files kept in the case file.
    pub attachments: usize,
    /// The same mail was received before: nothing was kept again.
    pub already_kept: bool,
}

/// Why a customer's mail was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailRefused {
    /// It answers no message of ours, names no dispute of its sender's, and its sender is no
    /// customer.
    #[error(
        "the mail from {0} answers no message of ours and its sender is not a customer's address"
    )]
    UnknownSender(String),
    /// The sender's customer has no invoice a dispute could be about.
    #[error("customer {0} has no invoice a dispute could be about")]
    NoInvoice(String),
    /// A delivery report (a bounce) about a mail that is no message Redress sent: the
    /// Message-IDs it names, or none.
    #[error("a delivery report about no message Redress sent (it names {})", names(.0))]
    BounceOfNoMessage(Vec<String>),
}

/// `<a>, <b>`, or `no Message-ID`.
fn names(ids: &[String]) -> String {
    if ids.is_empty() {
        return "no Message-ID".to_owned();
    }
    ids.iter()
        .map(|id| format!("<{id}>"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Messages<'_> {
    /// Takes a received mail. A mail server's delivery report (a bounce) marks the message it
    /// reports on failed, or changes nothing when it only says delivery is delayed: see
    /// [`Messages::receive_bounce`]. Any other mail is a customer's, kept in the case it belongs
    /// to: the dispute of the message it answers (by `In-Reply-To`/`References`), or the dispute
    /// its subject names when the sender is that dispute's customer, or else a new dispute of
    /// the sender's (a customer's address), about the invoice the mail names or their latest.
    /// Its files go into the case file, and a dispute waiting for the customer goes back to
    /// investigating. Done as the operator of the mail gateway (`system` in the log). The same
    /// mail received again is kept once.
    pub async fn receive(&self, mut mail: ReceivedMail) -> Result<ReceiveOutcome, ServiceError> {
        if let Some(report) = mail.bounce.take() {
            return Ok(ReceiveOutcome::Bounce(self.receive_bounce(report).await?));
        }
        Ok(ReceiveOutcome::Reply(self.receive_reply(mail).await?))
    }

    /// Takes a delivery report: a failure marks the message it reports on failed, with the
    /// report's words and a `message_bounced` event on its case (once: the same report again
    /// changes nothing); a delay changes nothing. Never kept as a customer's message, never
    /// opens a dispute. A failure about no message Redress sent is refused.
    pub async fn receive_bounce(&self, report: BounceReport) -> Result<Bounced, ServiceError> {
        let store = &self.0.store;
        // Only a message to the customer is delivered; a report naming a customer's own mail
        // (in its thread) is about no mail of ours.
        let ours = self
            .ours(&report.original_message_ids)
            .await?
            .filter(|message| message.direction == Direction::ToCustomer);
        let message = match (ours, report.kind) {
            (message, BounceKind::Delayed) => {
                return Ok(Bounced {
                    message,
                    effect: BounceEffect::Delayed,
                });
            }
            (Some(message), BounceKind::Failed) => message,
            (None, BounceKind::Failed) => {
                return Err(MailRefused::BounceOfNoMessage(report.original_message_ids).into());
            }
        };
        let bounce = outbox::Bounce {
            status: report.status,
            diagnostic: report.diagnostic,
            recipients: report.recipients,
        };
        let marked = store
            .perform(outbox::mark_bounced(&message.id, bounce, this_moment()))
            .await?;
        let message = store.messages().get(&message.id).await?.unwrap_or(message);
        Ok(Bounced {
            message: Some(message),
            effect: if marked {
                BounceEffect::MarkedFailed
            } else {
                BounceEffect::AlreadyFailed
            },
        })
    }

    /// The message one of `ids` names: by its Message-ID, or (were our domain changed since)
    /// by the message id it was made from.
    async fn ours(&self, ids: &[String]) -> Result<Option<StoredMessage>, StorageError> {
        let messages = self.0.store.messages();
        let mut ids = ids.to_vec();
        ids.extend(
            ids.iter()
                .filter_map(|t| t.split_once("@redress.").map(|(id, _)| id.to_owned()))
                .collect::<Vec<_>>(),
        );
        if let Some(ours) = messages.by_mail_ids(ids.clone()).await? {
            return Ok(Some(ours));
        }
        for id in ids.iter().filter(|i| i.starts_with("MSG-")) {
            if let Some(ours) = messages.get(id).await? {
                return Ok(Some(ours));
            }
        }
        Ok(None)
    }

    /// Keeps a customer's mail in its case, as [`Messages::receive`] says.
    async fn receive_reply(&self, mut mail: ReceivedMail) -> Result<Received, ServiceError> {
        // A file the mail carried that is not evidence (by the rules every way in shares) is
        // named in the message, not kept.
        let carried = std::mem::take(&mut mail.attachments);
        for (name, media_type, bytes) in carried {
            match redress_domain::evidence::check(&name, &media_type, &bytes) {
                Ok(_) => mail.attachments.push((name, media_type, bytes)),
                Err(why) => mail.refused.push(format!("{name}: {why}")),
            }
        }
        let store = &self.0.store;
        // By the thread.
        let mut dispute = self
            .ours(&mail.thread)
            .await?
            .and_then(|ours| ours.dispute_id);
        let customer = store.billing().customer_by_email(&mail.from).await?;
        // By the subject, only from the dispute's own customer.
        if dispute.is_none()
            && let (Some(reference), Some(customer)) = (&mail.reference, &customer)
            && let Some(named) = store.disputes().get(reference).await?
            && &named.customer_id == customer
        {
            dispute = Some(named.id);
        }
        let mut opened = false;
        let dispute = match dispute {
            Some(id) => store
                .disputes()
                .get(&id)
                .await?
                .ok_or(MessageRefused::UnknownDispute(id))?,
            None => {
                let customer =
                    customer.ok_or_else(|| MailRefused::UnknownSender(mail.from.clone()))?;
                let invoices = store.billing().invoices_of(&customer).await?;
                let named = invoices.iter().find(|(id, _)| {
                    mail.subject.contains(id.as_str()) || mail.text.contains(id.as_str())
                });
                let (invoice, _) = named
                    .or(invoices.first())
                    .ok_or_else(|| MailRefused::NoInvoice(customer.clone()))?;
                let intake = crate::DisputeIntake {
                    id: None,
                    invoice_id: invoice.clone(),
                    line_no: None,
                    reason: DisputeReason::Other,
                    claimed_amount: Decimal::ZERO,
                    narrative: first_words(&mail.subject, &mail.text),
                    channel: "email".to_owned(),
                    opened_on: None,
                };
                opened = true;
                crate::disputes::open_as_gateway_by(store, &self.0.communication, intake, "email")
                    .await?
            }
        };
        let id = new_id("MSG");
        let language = Language::for_customer(
            &store
                .billing()
                .customer(&dispute.customer_id)
                .await?
                .map(|c| c.language)
                .unwrap_or_default(),
        )
        .0;
        let message = StoredMessage {
            mail_id: mail
                .message_id
                .clone()
                .unwrap_or_else(|| mail_id(&id, &self.0.communication)),
            id,
            dispute_id: Some(dispute.id.clone()),
            arrears_case_id: None,
            customer_id: dispute.customer_id.clone(),
            direction: Direction::FromCustomer,
            kind: MessageKind::CustomerReply,
            language,
            address: mail.from.clone(),
            name: mail.from_name.clone().unwrap_or_default(),
            subject: mail.subject.clone(),
            body: with_refusals(&mail.text, &mail.refused),
            in_reply_to: mail.thread.first().cloned(),
            documents: Vec::new(),
            written_by: mail.from.clone(),
            created_at: this_moment(),
            delivery: None,
        };
        let attachments = mail.attachments.len();
        let mut work = redress_storage::messages::keep(message, None).map_err(ServiceError::from);
        for (file_name, media_type, bytes) in mail.attachments {
            let dispute_id = dispute.id.clone();
            let from = mail.from.clone();
            work = work.then(move |kept| {
                crate::disputes::keep_evidence(&dispute_id, &file_name, &media_type, &bytes, &from)
                    .map(move |_| kept)
            });
        }
        match store.perform(work).await {
            Ok(message) => Ok(Received {
                message,
                dispute_id: dispute.id,
                opened,
                attachments,
                already_kept: false,
            }),
            Err(ServiceError::Message(MessageRefused::AlreadyKept(mail_id))) => {
                let kept = store
                    .messages()
                    .by_mail_ids(vec![mail_id.clone()])
                    .await?
                    .ok_or(MessageRefused::AlreadyKept(mail_id))?;
                Ok(Received {
                    dispute_id: kept.dispute_id.clone().unwrap_or_default(),
                    message: kept,
                    opened: false,
                    attachments: 0,
                    already_kept: true,
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// A dispute's narrative from the first words of the customer's mail.
fn first_words(subject: &str, text: &str) -> String {
    let words: String = format!("{subject}\n\n{text}").chars().take(2000).collect();
    words.trim().to_owned()
}

/// `text`, with a line for each file that was not kept, so the agent knows to ask for it.
fn with_refusals(text: &str, refused: &[String]) -> String {
    if refused.is_empty() {
        return text.to_owned();
    }
    let mut out = text.trim_end().to_owned();
    out.push_str("\n\n");
    for r in refused {
        out.push_str(&format!("[Not kept: {r}]\n"));
    }
    out
}
