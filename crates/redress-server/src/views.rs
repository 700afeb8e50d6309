//! What the API answers with: one type per JSON body, each turned into a schema of the OpenAPI
//! document. A field that is `null` when unknown is still always there, so `Option` fields are
//! marked `required`.

use redress_domain::timestamp_text;
use redress_domain::{
    BillingData, DisputeReason, DisputeStatus, InvoiceIdx, LineKind, NoteKind, NoticeKind,
};
use redress_service::records::{
    Attachment, CaseNote, ContractRecord, CustomerRecord, DisputeRow, Findings,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A dispute, with the verdict of its last verification.
#[derive(Serialize, ToSchema)]
pub struct DisputeView {
    /// Its id, e.g. `DSP-1` (from an export) or `DSP-8f3a…` (taken by Redress).
    #[schema(example = "DSP-1")]
    pub id: String,
    /// The invoice disputed.
    #[schema(example = "INV-000001-003")]
    pub invoice_id: String,
    /// The invoice's customer.
    pub customer_id: String,
    /// The line disputed; `null` for the whole invoice.
    #[schema(required = true)]
    pub line_no: Option<u32>,
    /// The customer's reason.
    #[schema(value_type = ReasonNames)]
    pub reason: String,
    /// What the customer claims, as a decimal string in the invoice's currency.
    #[schema(example = "50.00")]
    pub claimed_amount: String,
    /// ISO 4217 code of the invoice's currency.
    #[schema(example = "EUR")]
    pub currency: String,
    /// The customer's own words.
    pub narrative: String,
    /// How it came in: `api`, `email`, `phone`, `portal`, `import`, …
    pub channel: String,
    /// The name of the token, or `import`, that took it.
    pub taken_by: String,
    /// Where it stands in its lifecycle.
    #[schema(value_type = StatusNames)]
    pub status: &'static str,
    /// Whether it has been escalated.
    pub escalated: bool,
    /// The agent working it; `null` for nobody.
    #[schema(required = true)]
    pub assignee: Option<String>,
    /// An open dispute of the same invoice line that this one was linked to when taken.
    #[schema(required = true)]
    pub linked_to: Option<String>,
    /// When the customer raised it (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub opened_on: String,
    /// When Redress recorded it (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it last changed (RFC 3339).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The audit's verdict on the claim.
    pub verification: VerificationView,
}

/// The audit's verdict on a dispute, over its invoice's contract as stored when it was verified.
#[derive(Serialize, ToSchema)]
pub struct VerificationView {
    /// `upheld`, `partially_upheld` or `rejected`.
    #[schema(example = "upheld")]
    pub verdict: String,
    /// What the audit found owed on the claim, net of tax, as a decimal string.
    #[schema(example = "50.00")]
    pub adjustment: String,
    /// The findings the verdict rests on, as `redress audit --format json` writes them: each
    /// has `kind`, `impact`, `currency`, `contract_id`, `customer_id`, where it sits
    /// (`invoice_id`, `line_no`, `sku`, `period_start`) and its `evidence`. See
    /// docs/audit-rules.md.
    #[schema(value_type = Vec<Object>)]
    pub findings: Findings,
    /// When it was verified (RFC 3339).
    #[schema(format = DateTime)]
    pub verified_at: String,
}

impl From<DisputeRow> for DisputeView {
    fn from(d: DisputeRow) -> Self {
        let currency = d.claimed.currency;
        Self {
            id: d.id,
            invoice_id: d.invoice_id,
            customer_id: d.customer_id,
            line_no: d.line_no,
            reason: d.reason.as_str().to_owned(),
            claimed_amount: currency.format(d.claimed.amount),
            currency: currency.code().to_owned(),
            narrative: d.narrative,
            channel: d.channel,
            taken_by: d.taken_by,
            status: d.status.as_str(),
            escalated: d.escalated,
            assignee: d.assignee,
            linked_to: d.linked_to,
            opened_on: d.opened_on.to_string(),
            created_at: timestamp_text(d.created_at),
            updated_at: timestamp_text(d.updated_at),
            verification: VerificationView {
                verdict: d.verification.verdict.as_str().to_owned(),
                adjustment: currency.format(d.verification.adjustment),
                findings: d.verification.findings,
                verified_at: timestamp_text(d.verification.verified_at),
            },
        }
    }
}

/// A page of disputes.
#[derive(Serialize, ToSchema)]
pub struct DisputePage {
    /// The disputes on this page, in the order asked for.
    pub disputes: Vec<DisputeView>,
    /// Pass it back as `cursor` for the next page; `null` on the last one.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A dispute's history, oldest first.
#[derive(Serialize, ToSchema)]
pub struct EventList {
    /// Its events from the audit log.
    pub events: Vec<EventView>,
}

/// One change, as the audit log's hash chain holds it.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    /// Its place in the log, from 1, without gaps.
    pub sequence: u64,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub occurred_at: String,
    /// Who: a token's name, `import` or `system`.
    pub actor: String,
    /// What it is about: `dispute`, or `resolution` for a step of one of its resolutions.
    pub entity: String,
    /// Which one: the dispute's id or the resolution's.
    pub entity_id: String,
    /// What happened: `created`, `status_changed`, `assigned`, `escalated`, `deescalated`,
    /// `verified`, `note_added`, `statement_added` or `attachment_added`; for a resolution
    /// `proposed`, `approved` or `refused`.
    pub action: String,
    /// What the change changed, as it was: the dispute's id and each field that changed (the
    /// whole dispute is in its `created` event); `null` when something was added (the dispute
    /// itself, a note, an attachment).
    #[schema(value_type = Option<Object>, required = true)]
    pub before: Option<Value>,
    /// What the change changed, as it left it (the same fields as `before`), or what was
    /// added: the dispute as taken, the note, the attachment.
    #[schema(value_type = Option<Object>, required = true)]
    pub after: Option<Value>,
    /// This event's SHA-256, hex, over its place, its content and `previous_hash`.
    pub hash: String,
    /// The hash of the event before it.
    pub previous_hash: String,
}

/// A note or statement in a dispute's case file.
#[derive(Serialize, ToSchema)]
pub struct NoteView {
    /// Its id.
    pub id: String,
    /// `note` (internal) or `statement` (by the employee who ran the transaction).
    #[schema(value_type = NoteKindNames)]
    pub kind: String,
    /// Who wrote it.
    pub author: String,
    /// What it says.
    pub body: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&CaseNote> for NoteView {
    fn from(note: &CaseNote) -> Self {
        Self {
            id: note.id.clone(),
            kind: note.kind.as_str().to_owned(),
            author: note.author.clone(),
            body: note.body.clone(),
            created_at: timestamp_text(note.created_at),
        }
    }
}

/// A dispute's notes and statements, oldest first.
#[derive(Serialize, ToSchema)]
pub struct NoteList {
    /// The notes.
    pub notes: Vec<NoteView>,
}

/// An evidence file attached to a dispute. Its content is at
/// `/api/v1/attachments/{id}/content`.
#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    /// Its id.
    pub id: String,
    /// The dispute it belongs to.
    pub dispute_id: String,
    /// SHA-256 of the content, hex. The content is stored once per hash.
    pub sha256: String,
    /// The file's name as uploaded (`X-File-Name`).
    pub file_name: String,
    /// Its media type as uploaded (`Content-Type`).
    #[schema(example = "application/pdf")]
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Who attached it.
    pub uploaded_by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.id.clone(),
            dispute_id: a.dispute_id.clone(),
            sha256: a.sha256.clone(),
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            uploaded_by: a.uploaded_by.clone(),
            created_at: timestamp_text(a.created_at),
        }
    }
}

/// A dispute's attachments, oldest first.
#[derive(Serialize, ToSchema)]
pub struct AttachmentList {
    /// The attachments.
    pub attachments: Vec<AttachmentView>,
}

/// A customer and the ids of their contracts.
// Deserialize: the store hands it over as JSON, and reading it into this type keeps the
// answer to what the document says.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CustomerView {
    /// Its id.
    pub id: String,
    /// The customer's name.
    pub name: String,
    /// Where the customer's mail goes.
    pub email: String,
    /// The language the customer is written to in, e.g. `de`.
    pub language: String,
    /// Since when (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub customer_since: String,
    /// The ids of the customer's contracts.
    pub contracts: Vec<String>,
}

/// A contract's terms and price rows.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ContractView {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code it bills in.
    pub currency: String,
    /// Its first day (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub start_date: String,
    /// Its last day; `null` while it runs on.
    #[schema(format = Date, required = true)]
    pub end_date: Option<String>,
    /// Days from issue to due date.
    pub payment_terms_days: i64,
    /// The late fee, in percent of the overdue amount, as a decimal string.
    pub late_fee_percent: String,
    /// Days after the due date before a late fee may be charged.
    pub late_fee_grace_days: i64,
    /// The tax rate in percent, as a decimal string.
    pub tax_rate_percent: String,
    /// Its prices by SKU, each valid for a span of days.
    pub prices: Vec<PriceView>,
}

/// A contract price: what a SKU costs from one day to another.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PriceView {
    /// The SKU.
    pub sku: String,
    /// The first day it applies (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub valid_from: String,
    /// The last day it applies; `null` while it holds.
    #[schema(format = Date, required = true)]
    pub valid_to: Option<String>,
    /// Unit price, as a decimal string.
    pub unit_price: String,
    /// Discount in percent, as a decimal string.
    pub discount_percent: String,
}

impl From<CustomerRecord> for CustomerView {
    fn from(c: CustomerRecord) -> Self {
        Self {
            id: c.id,
            name: c.name,
            email: c.email,
            language: c.language,
            customer_since: c.customer_since.to_string(),
            contracts: c.contracts,
        }
    }
}

impl From<ContractRecord> for ContractView {
    fn from(c: ContractRecord) -> Self {
        Self {
            id: c.id,
            customer_id: c.customer_id,
            currency: c.currency.code().to_owned(),
            start_date: c.start_date.to_string(),
            end_date: c.end_date.map(|d| d.to_string()),
            payment_terms_days: c.payment_terms_days,
            late_fee_percent: c.late_fee_percent.to_string(),
            late_fee_grace_days: c.late_fee_grace_days,
            tax_rate_percent: c.tax_rate_percent.to_string(),
            prices: c
                .prices
                .into_iter()
                .map(|p| PriceView {
                    sku: p.sku,
                    valid_from: p.valid_from.to_string(),
                    valid_to: p.valid_to.map(|d| d.to_string()),
                    unit_price: p.unit_price.to_string(),
                    discount_percent: p.discount_percent.to_string(),
                })
                .collect(),
        }
    }
}

/// An invoice with its lines, payments and notices. Amounts are decimal strings with the
/// currency's decimals.
#[derive(Serialize, ToSchema)]
pub struct InvoiceView {
    /// Its id.
    pub id: String,
    /// The customer billed.
    pub customer_id: String,
    /// The contract it bills under.
    pub contract_id: String,
    /// When it was issued (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub issue_date: String,
    /// When it is due (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub due_date: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The lines' total, net of tax.
    pub subtotal: String,
    /// The tax.
    pub tax_total: String,
    /// What the customer owes.
    pub total: String,
    /// Its lines, by number.
    pub lines: Vec<InvoiceLineView>,
    /// The payments made against it.
    pub payments: Vec<PaymentView>,
    /// The notices sent about it.
    pub notices: Vec<NoticeView>,
}

/// An invoice line: a charge for a SKU over a period, or a late fee for another invoice.
#[derive(Serialize, ToSchema)]
pub struct InvoiceLineView {
    /// Its number on the invoice.
    pub line_no: u32,
    /// `charge` or `late_fee`.
    #[schema(value_type = LineKindNames)]
    pub kind: &'static str,
    /// The SKU charged; `null` for a late fee.
    #[schema(required = true)]
    pub sku: Option<String>,
    /// As printed on the invoice.
    pub description: String,
    /// The first day charged; `null` for a late fee.
    #[schema(format = Date, required = true)]
    pub period_start: Option<String>,
    /// The last day charged; `null` for a late fee.
    #[schema(format = Date, required = true)]
    pub period_end: Option<String>,
    /// Units, as a decimal string.
    pub quantity: String,
    /// Price per unit, as a decimal string.
    pub unit_price: String,
    /// Discount in percent, as a decimal string.
    pub discount_percent: String,
    /// What the line charges.
    pub amount: String,
    /// The invoice a late fee is charged for; `null` for a charge.
    #[schema(required = true)]
    pub late_fee_for: Option<String>,
}

/// A payment against an invoice.
#[derive(Serialize, ToSchema)]
pub struct PaymentView {
    /// Its id.
    pub id: String,
    /// When it was paid (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub paid_on: String,
    /// How much.
    pub amount: String,
    /// How, e.g. `bank_transfer`.
    pub method: String,
    /// The payer's reference.
    pub reference: String,
}

/// A notice sent about an invoice.
#[derive(Serialize, ToSchema)]
pub struct NoticeView {
    /// Its id.
    pub id: String,
    /// When it was sent (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub sent_on: String,
    /// What it was.
    #[schema(value_type = NoticeKindNames)]
    pub kind: &'static str,
    /// How it was sent, e.g. `email`.
    pub channel: String,
}

impl InvoiceView {
    /// The invoice at `index` in `data`, with its lines, payments and notices.
    pub fn new(data: &BillingData, index: InvoiceIdx) -> Self {
        let invoice = data.invoice(index);
        let currency = invoice.currency;
        let lines = data
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.invoice == index)
            .map(|(i, l)| {
                let (kind, sku, period, late_fee_for) = match l.kind {
                    LineKind::Charge { sku, period } => {
                        ("charge", Some(data.sku(sku)), Some(period), None)
                    }
                    LineKind::LateFee { late_fee_for } => {
                        ("late_fee", None, None, Some(data.invoice_id(late_fee_for)))
                    }
                };
                InvoiceLineView {
                    line_no: l.line_no,
                    kind,
                    sku: sku.map(str::to_owned),
                    description: data.line_descriptions.get(i).to_owned(),
                    period_start: period.map(|p| p.start().to_string()),
                    period_end: period.map(|p| p.end().to_string()),
                    quantity: l.quantity.to_string(),
                    unit_price: l.unit_price.to_string(),
                    discount_percent: l.discount_percent.to_string(),
                    amount: currency.format(l.amount),
                    late_fee_for: late_fee_for.map(str::to_owned),
                }
            })
            .collect();
        let payments = data
            .payments
            .iter()
            .enumerate()
            .filter(|(_, p)| p.invoice == index)
            .map(|(i, p)| PaymentView {
                id: data.payment_ids.get(i).to_owned(),
                paid_on: p.paid_on.to_string(),
                amount: currency.format(p.amount),
                method: p.method.clone(),
                reference: p.reference.clone(),
            })
            .collect();
        let notices = data
            .notices
            .iter()
            .enumerate()
            .filter(|(_, n)| n.invoice == index)
            .map(|(i, n)| NoticeView {
                id: data.notice_ids.get(i).to_owned(),
                sent_on: n.sent_on.to_string(),
                kind: n.kind.as_str(),
                channel: n.channel.clone(),
            })
            .collect();
        Self {
            id: data.invoice_id(index).to_owned(),
            customer_id: data.customer_ids.name(invoice.customer.0).to_owned(),
            contract_id: data.contract_id(invoice.contract).to_owned(),
            issue_date: invoice.issue_date.to_string(),
            due_date: invoice.due_date.to_string(),
            currency: currency.code().to_owned(),
            subtotal: currency.format(invoice.subtotal),
            tax_total: currency.format(invoice.tax_total),
            total: currency.format(invoice.total),
            lines,
            payments,
            notices,
        }
    }
}

/// What `/healthz` says.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `database unavailable`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// A string schema named `$name` whose values come from a list in the code (most from
/// `redress-domain`), so that the document cannot fall behind the names the API takes. The doc
/// comment, one line or several, becomes its description.
macro_rules! names {
    ($(#[doc = $doc:literal])+ $marker:ident as $name:literal: $values:expr) => {
        $(#[doc = $doc])+
        pub struct $marker;

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                let description = concat!($($doc),+).trim();
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(description))
                    .enum_values(Some($values))
                    .into()
            }
        }

        impl ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

names! {
    /// Where a dispute stands in its lifecycle.
    StatusNames as "DisputeStatus": DisputeStatus::ALL.iter().map(|s| s.as_str())
}

names! {
    /// Why the customer disputes the invoice.
    ReasonNames as "DisputeReason": DisputeReason::ALL.iter().map(|(_, name)| *name)
}

names! {
    /// `note` (internal) or `statement` (by the employee who ran the transaction).
    NoteKindNames as "NoteKind": NoteKind::ALL.iter().map(|k| k.as_str())
}

names! {
    /// A kind of message an agent drafts and sends about a dispute.
    MessageKindNames as "MessageKind": redress_domain::message::MessageKind::DRAFTED_FOR_A_DISPUTE
        .iter()
        .map(|k| k.as_str())
}

names! {
    /// A document Redress issues and sends as a PDF.
    DocumentKindNames as "DocumentKind": ["credit_note", "issued_invoice"]
}

names! {
    /// A language Redress writes in.
    LanguageNames as "Language": redress_domain::Language::ALL.iter().map(|l| l.tag())
}

names! {
    /// Where an arrears case stands.
    ArrearsStatusNames as "ArrearsStatus": redress_domain::arrears::ArrearsStatus::ALL
        .iter()
        .map(|s| s.as_str())
}

names! {
    /// An option offered to a customer under-billed: how the arrears are settled.
    ArrearsOptionNames as "ArrearsOption": redress_domain::arrears::ArrearsOption::ALL
        .iter()
        .map(|o| o.as_str())
}

names! {
    /// How the rest of a compromise is billed.
    CompromiseBillingNames as "CompromiseBilling": redress_domain::arrears::CompromiseBilling::ALL
        .iter()
        .map(|b| b.as_str())
}

names! {
    /// A charge for a SKU over a period, or a late fee for another invoice.
    LineKindNames as "LineKind": ["charge", "late_fee"]
}

names! {
    /// What a notice was: the invoice itself, a reminder, or a formal overdue notice.
    NoticeKindNames as "NoticeKind": NoticeKind::ALL.iter().map(|(_, name)| *name)
}

names! {
    /// How disputes are listed: `-created_at` (newest first, the default), `created_at`
    /// (oldest first) or `-claimed_amount` (the largest claim first).
    SortNames as "DisputeSort": ["-created_at", "created_at", "-claimed_amount"]
}

names! {
    /// Where a practice case came from: a resolved dispute or an audit finding of the
    /// business (anonymised), or made up with an error planted.
    CaseSourceNames as "PracticeCaseSource": ["resolved_dispute", "audit_finding", "generated"]
}

names! {
    /// A kind of billing error the audit finds (see docs/audit-rules.md).
    FindingKindNames as "FindingKind": redress_service::records::FindingKind::ALL.iter().map(|k| k.as_str())
}

names! {
    /// A way of resolving a dispute.
    ResolutionKindNames as "ResolutionKind": redress_domain::resolution::ResolutionKind::ALL.iter().map(|k| k.as_str())
}

names! {
    /// What became of a finding: `found` (its line, kind and exact amount), `wrong_amount`,
    /// `missed` (the records show it, the answer does not) or `invented` (the answer names it,
    /// the records do not show it).
    FindingOutcomeNames as "PracticeFindingOutcome": ["found", "wrong_amount", "missed", "invented"]
}

names! {
    /// What a mark is for: the resolution or the message to the customer.
    TopicNames as "PracticeTopic": ["resolution", "message"]
}

names! {
    /// A part of the message good practice requires.
    MessagePartNames as "PracticeMessagePart": redress_service::records::practice::MessagePart::ALL.iter().map(|p| p.as_str())
}
