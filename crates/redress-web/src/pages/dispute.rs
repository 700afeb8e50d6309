//! A dispute's case page, `GET /disputes/{id}`, and the forms that work the case from it.
//!
//! The page reads, in the order a person works: the header (facts at a glance, status and
//! flags, assignee, the main actions), the recommendation and why, the customer's words, the
//! invoice line by line (the disputed line and those with findings say so), each finding with
//! its evidence, the conversation with the customer and the ways to write to them (see
//! [`super::messages`]), the resolutions (with the four-eyes rule in sight and the documents
//! they issued, as PDF), the timeline (events from the audit log, notes, statements and
//! attachments, oldest first) with its forms, the guided checklist of the method, and the
//! customer.
//!
//! Every action is a POST form carrying the session's CSRF token, answered by a redirect back
//! to the case with a flash (`?done=…`, one of a fixed set of sentences), or refused with the
//! page shown again, the error summary on top and what was typed kept. Everything goes through
//! the service, which checks the actor's role, the lifecycle and the approval policy itself.

use super::{FieldError, Viewer, render};
use crate::WebState;
use crate::format::{self, Amount, Day, Moment};
use crate::session::{Desk, Posted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::recommendation::{Flag, Recommended};
use redress_domain::resolution::{ApprovalError, ResolutionKind, ResolutionStatus};
use redress_domain::{
    BillingData, Currency, Date, Decimal, DisputeStatus, LineKind, NoteKind, Verdict,
};
use redress_service::records::{
    CustomerRecord, DisputeFilter, DisputeOrder, DisputeRow, FindingRecord, Resolution,
    ResolutionError,
};
use redress_service::resolutions::{Proposal, ResolveError};
use redress_service::{ServiceError, Work};
use serde::Deserialize;
use std::collections::HashMap;

/// The case page.
#[derive(Template)]
#[template(path = "dispute.html")]
pub struct DisputePage {
    viewer: Option<Viewer>,
    case: CaseHeader,
    flash: Option<&'static str>,
    errors: Vec<FieldError>,
    recommendation: Option<RecommendationView>,
    customer: CustomerPanel,
    invoice: Option<InvoiceTable>,
    findings: Vec<FindingView>,
    resolutions: Vec<ResolutionView>,
    timeline: Vec<TimelineItem>,
    checklist: Checklist,
    /// The business's playbook for the dispute's reason, when one is written.
    playbook: Option<Vec<String>>,
    propose: ProposeForm,
    note: NoteForm,
    assign_to: String,
    /// Every user as `(id, name)` by name: what the fields naming a colleague suggest.
    people: Vec<(String, String)>,
    max_attachment_mib: usize,
    attachment_types: String,
    statements: Vec<StatementView>,
    ask: AskForm,
    /// The conversation with the customer, oldest first.
    messages: Vec<super::messages::MessageView>,
    /// Said when messages wait in the outbox with no mail server to send them.
    outbox_notice: Option<String>,
    /// What an agent may write to the customer: `(href, words)`.
    write: Vec<(String, &'static str)>,
    /// Where the dispute stands against the service levels promised.
    service_levels: Vec<ServiceLevelView>,
    /// `(sentence, draft link)` when the customer is due a status update.
    update_due: Option<(String, String)>,
}

/// One service-level target as the case shows it.
pub struct ServiceLevelView {
    /// `Acknowledge`, `First response`, `Resolve`.
    stage: &'static str,
    /// `Met on time`, `Due 5 Nov 2026, 14:03`, `Breached: due …`, …
    words: String,
    /// `met`, `running`, `warning`, `breached` or `paused`: its style (never colour alone).
    state: &'static str,
}

/// The service levels of a dispute in words.
fn service_level_views(
    levels: Option<redress_domain::service_level::ServiceLevels>,
) -> Vec<ServiceLevelView> {
    use redress_domain::service_level::{Stage, TargetState};
    let Some(levels) = levels else {
        return Vec::new();
    };
    Stage::ALL
        .iter()
        .map(|stage| {
            let target = levels.state(*stage);
            let words = match target {
                TargetState::Met { at, on_time: true } => {
                    format!("Met on time, {}", format::moment(at).text)
                }
                TargetState::Met { at, on_time: false } => {
                    format!("Met late, {}", format::moment(at).text)
                }
                TargetState::Running { due_at, .. } => {
                    format!("Due {}", format::moment(due_at).text)
                }
                TargetState::Warning { due_at } => {
                    format!("Due soon: {}", format::moment(due_at).text)
                }
                TargetState::Breached { due_at, overdue } => format!(
                    "Breached: was due {} ({} business hours over)",
                    format::moment(due_at).text,
                    overdue.minutes() / 60
                ),
                TargetState::Paused { remaining, .. } => format!(
                    "Paused while we wait for the customer ({} business hours left)",
                    remaining.minutes() / 60
                ),
            };
            ServiceLevelView {
                stage: match stage {
                    Stage::Acknowledge => "Acknowledge",
                    Stage::Respond => "First response",
                    Stage::Resolve => "Resolve",
                },
                words,
                state: target.as_str(),
            }
        })
        .collect()
}

/// A statement asked of a colleague, as the case shows it.
pub struct StatementView {
    id: String,
    asked_of: String,
    asked_by: String,
    question: String,
    due: format::Day,
    overdue: bool,
    answered: Option<format::Moment>,
    /// Whether the viewer is the one asked, and may answer it now.
    yours_to_give: bool,
}

/// What the "ask a colleague" form sends (kept when refused).
#[derive(Debug, Default, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    asked_of: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    due_on: String,
}

/// The kinds of resolution the form offers: `(name, words, what it needs)`.
const KINDS: [(&str, &str, &str); 8] = [
    ("credit_note", "Credit note", "by line, below"),
    ("refund", "Refund", "an amount, against a payment"),
    ("account_credit", "Account credit", "an amount"),
    ("goodwill", "Goodwill discount", "an amount"),
    ("payment_plan", "Payment plan", "instalments"),
    (
        "write_off",
        "Write-off",
        "an amount; always approved by someone else",
    ),
    ("reject", "Reject the claim", "the reason only"),
    (
        "corrected_invoice",
        "Corrected invoice",
        "corrected line amounts, below",
    ),
];

impl DisputePage {
    fn error(&self, field: &str) -> Option<&str> {
        super::error_of(&self.errors, field)
    }

    /// The proposal's text fields: `(id, label, hint, value, inputmode)`.
    fn inputs(&self) -> [(&'static str, &'static str, &'static str, &str, &'static str); 4] {
        let p = &self.propose;
        [
            (
                "amount",
                "Amount",
                "For a refund, an account credit, goodwill or a write-off; in the invoice's currency",
                p.amount.as_str(),
                "decimal",
            ),
            (
                "payment_id",
                "Payment refunded",
                "For a refund: the payment's id",
                p.payment_id.as_str(),
                "text",
            ),
            (
                "instalment_count",
                "Monthly instalments",
                "For a payment plan",
                p.instalment_count.as_str(),
                "numeric",
            ),
            (
                "first_due_on",
                "First instalment due",
                "For a payment plan, as YYYY-MM-DD",
                p.first_due_on.as_str(),
                "text",
            ),
        ]
    }
}

/// The facts at the top of a case.
pub struct CaseHeader {
    id: String,
    /// `Wrong price dispute: Acme Logistics, Inc., INV-A1`.
    heading: String,
    customer_id: String,
    /// The customer's name, when they are stored.
    customer_name: Option<String>,
    /// The language the customer writes in (an IETF tag), for their words.
    language: Option<String>,
    invoice_id: String,
    /// `Line 4`, or `The whole invoice`.
    line: String,
    claimed: Amount,
    opened: Day,
    status: &'static str,
    status_tone: &'static str,
    escalated: bool,
    ageing: Option<String>,
    assignee: Option<String>,
    assigned_to_viewer: bool,
    channel: String,
    narrative: String,
    open: bool,
    /// The statuses the lifecycle allows next: `(name, words)`.
    moves: Vec<(&'static str, &'static str)>,
    verdict: &'static str,
}

impl CaseHeader {
    fn of(
        dispute: &DisputeRow,
        customer: Option<&CustomerRecord>,
        viewer_id: &str,
        names: &HashMap<String, String>,
    ) -> Self {
        let today = format::today();
        let customer_name = customer.map(|c| c.name.clone());
        let heading = format!(
            "{} dispute: {}, {}",
            format::reason(dispute.reason),
            customer_name.as_deref().unwrap_or(&dispute.customer_id),
            dispute.invoice_id
        );
        Self {
            heading,
            line: dispute
                .line_no
                .map_or_else(|| "The whole invoice".to_owned(), |n| format!("Line {n}")),
            claimed: format::money(dispute.claimed),
            opened: format::day(dispute.opened_on, today),
            status: format::status(dispute.status),
            status_tone: format::status_tone(dispute.status),
            ageing: format::ageing(dispute.status, dispute.opened_on, today).map(format::days),
            escalated: dispute.escalated,
            language: customer
                .map(|c| c.language.clone())
                .filter(|l| !l.is_empty()),
            customer_name,
            id: dispute.id.clone(),
            customer_id: dispute.customer_id.clone(),
            invoice_id: dispute.invoice_id.clone(),
            assigned_to_viewer: dispute.assignee.as_deref() == Some(viewer_id),
            assignee: dispute
                .assignee
                .as_ref()
                .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone())),
            channel: dispute.channel.clone(),
            narrative: dispute.narrative.clone(),
            open: dispute.status.is_open(),
            moves: dispute
                .status
                .allowed_next()
                .iter()
                .map(|s| (s.as_str(), format::status(*s)))
                .collect(),
            verdict: verdict_words(dispute.verification.verdict),
        }
    }
}

/// A verdict in words.
pub(crate) fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Upheld => "Upheld: the records support the claim",
        Verdict::PartiallyUpheld => "Partly upheld: the records support part of the claim",
        Verdict::Rejected => "Not upheld: the records show no error in the customer's favour",
    }
}

/// The recommendation and why.
pub struct RecommendationView {
    /// `Credit note of USD 100.00`.
    headline: String,
    refund_up_to: Option<Amount>,
    reasons: Vec<String>,
}

/// The customer, as the side panel shows them.
pub struct CustomerPanel {
    name: Option<String>,
    id: String,
    since: Option<Day>,
    tenure: String,
    revenue: Amount,
    /// `94% of 18 invoices paid on time`, or none fell due.
    punctuality: String,
    disputes_last_year: u32,
    disputes_last_quarter: u32,
    rejected_last_year: u32,
    flags: Vec<&'static str>,
    /// Their other disputes: `(id, invoice, status, claimed)`.
    others: Vec<(String, String, &'static str, Amount)>,
}

/// A line of the invoice.
pub struct LineRow {
    no: u32,
    description: String,
    /// `4 × USD 75.50`, or `Late fee on INV-A1`.
    detail: String,
    amount: Amount,
    disputed: bool,
    flagged: bool,
}

/// The disputed invoice, line by line, with its payments and notices.
pub struct InvoiceTable {
    id: String,
    contract_id: String,
    issued: Day,
    due: Day,
    lines: Vec<LineRow>,
    subtotal: Amount,
    tax: Amount,
    total: Amount,
    /// `(id, paid on, amount, method)`.
    payments: Vec<(String, Day, Amount, String)>,
    /// `(id, sent on, kind, channel)`.
    notices: Vec<(String, Day, String, String)>,
    disputed: usize,
    flagged: usize,
}

/// A finding in words, with its evidence.
pub struct FindingView {
    pub(crate) title: String,
    pub(crate) explanation: String,
    pub(crate) billed: Amount,
    pub(crate) expected: Amount,
    pub(crate) impact: Amount,
    /// `Evidence: contract price row, 2 deliveries`.
    pub(crate) summary: String,
    pub(crate) price_row: Option<String>,
    pub(crate) quantities: Option<String>,
    pub(crate) lines: Vec<String>,
    pub(crate) deliveries: Vec<String>,
    pub(crate) payments: Vec<String>,
    pub(crate) notices: Vec<String>,
    pub(crate) late_fee_for: Option<String>,
}

/// A resolution of the dispute, with what the viewer may do with it.
pub struct ResolutionView {
    id: String,
    kind: &'static str,
    status: &'static str,
    tone: &'static str,
    amount: Amount,
    reason: String,
    proposed_by: String,
    proposed_at: Moment,
    approval_reason: Option<String>,
    decided: Option<String>,
    decision_note: Option<String>,
    /// `Accepted by the customer on …`, once they answered an offer.
    answer: Option<String>,
    /// What they said declining it.
    answer_note: Option<String>,
    /// Offered to the customer to choose (once approved, if it needs it).
    offered: bool,
    /// Whether the viewer may approve or refuse it (the service asks again).
    may_decide: bool,
    /// Why they may not, when it waits.
    why_not: Option<String>,
    /// The document it issued, when it has one: its words, page and PDF.
    document: Option<super::messages::DocumentLink>,
}

/// An entry of the timeline.
pub struct TimelineItem {
    anchor: String,
    tag: &'static str,
    what: String,
    who: String,
    at: Moment,
    body: Option<String>,
    /// `(href, text)`.
    link: Option<(String, String)>,
    key: (redress_domain::Timestamp, u8),
}

/// A step of the method.
pub struct Task {
    name: &'static str,
    anchor: &'static str,
    hint: &'static str,
    status: &'static str,
    tone: &'static str,
}

/// The guided checklist.
pub struct Checklist {
    tasks: Vec<Task>,
    done: usize,
    next: String,
}

/// What the proposal form holds: empty, or as typed when it is shown again.
#[derive(Default)]
pub struct ProposeForm {
    kind: String,
    amount: String,
    reason: String,
    /// `(line number, description, amount typed)`.
    lines: Vec<(u32, String, String)>,
    payment_id: String,
    instalment_count: String,
    first_due_on: String,
    /// Offered to the customer to accept in the portal, rather than applied at once.
    offer: bool,
    /// The proposal's effect, when "Preview" was asked for.
    preview: Option<Preview>,
}

/// What a proposal would do, not saved.
pub struct Preview {
    kind: &'static str,
    amount: Amount,
    balance_now: Option<Amount>,
    balance_after: Option<Amount>,
    /// Why it would need an approver, when it would.
    approval: Option<String>,
    /// Offered to the customer rather than applied.
    offer: bool,
}

/// What the note form holds.
#[derive(Default)]
pub struct NoteForm {
    kind: String,
    body: String,
}

/// The flash a redirect back names.
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn flash(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "status" => "Status moved.",
        "opened" => "Dispute opened and verified against the invoice's contract.",
        "assigned" => "Assignee changed.",
        "escalated" => "Dispute escalated.",
        "deescalated" => "Dispute de-escalated.",
        "note" => "Note added.",
        "statement" => "Staff statement added.",
        "asked" => "Statement asked. It waits in your colleague's queue.",
        "given" => "Statement given: it is in the case file.",
        "attached" => "File attached.",
        "proposed" => "Resolution proposed. It waits for an approver.",
        "applied" => "Resolution proposed and applied.",
        "offered" => "Resolution offered: the customer accepts or declines it in the portal.",
        "approved" => "Resolution approved and applied.",
        "approved_offered" => {
            "Resolution approved and offered: the customer accepts or declines it in the portal."
        }
        "refused" => "Resolution refused.",
        "message" => "Message queued: it goes to the customer in a moment.",
        "message_waiting" => "Message queued. It will be sent when a mail server is configured.",
        _ => return None,
    })
}

fn line_words(data: &BillingData, i: usize) -> (String, String) {
    let l = &data.lines[i];
    let currency = data.invoice(l.invoice).currency;
    let description = data.line_descriptions.get(i).to_owned();
    let detail = match l.kind {
        LineKind::Charge { .. } => {
            let mut detail = format!(
                "{} × {}",
                l.quantity.normalize(),
                format::amount(l.unit_price, currency).text
            );
            if !l.discount_percent.is_zero() {
                detail.push_str(&format!(", less {}%", l.discount_percent.normalize()));
            }
            detail
        }
        LineKind::LateFee { late_fee_for } => {
            format!("Late fee on {}", data.invoice_id(late_fee_for))
        }
    };
    (description, detail)
}

fn invoice_table(
    data: &BillingData,
    dispute: &DisputeRow,
    findings: &[FindingRecord],
) -> Option<InvoiceTable> {
    let today = format::today();
    let index = redress_domain::InvoiceIdx(data.invoice_ids.get(&dispute.invoice_id)?);
    let invoice = data.invoice(index);
    let currency = invoice.currency;
    let flagged_lines: Vec<u32> = findings
        .iter()
        .filter(|f| f.invoice_id.as_deref() == Some(dispute.invoice_id.as_str()))
        .filter_map(|f| f.line_no)
        .collect();
    let lines: Vec<LineRow> = data
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.invoice == index)
        .map(|(i, l)| {
            let (description, detail) = line_words(data, i);
            LineRow {
                no: l.line_no,
                description,
                detail,
                amount: format::amount(l.amount, currency),
                disputed: dispute.line_no == Some(l.line_no),
                flagged: flagged_lines.contains(&l.line_no),
            }
        })
        .collect();
    Some(InvoiceTable {
        id: dispute.invoice_id.clone(),
        contract_id: data.contract_id(invoice.contract).to_owned(),
        issued: format::day(invoice.issue_date, today),
        due: format::day(invoice.due_date, today),
        disputed: lines.iter().filter(|l| l.disputed).count(),
        flagged: lines.iter().filter(|l| l.flagged).count(),
        lines,
        subtotal: format::amount(invoice.subtotal, currency),
        tax: format::amount(invoice.tax_total, currency),
        total: format::amount(invoice.total, currency),
        payments: data
            .payments
            .iter()
            .enumerate()
            .filter(|(_, p)| p.invoice == index)
            .map(|(i, p)| {
                (
                    data.payment_ids.get(i).to_owned(),
                    format::day(p.paid_on, today),
                    format::amount(p.amount, currency),
                    p.method.clone(),
                )
            })
            .collect(),
        notices: data
            .notices
            .iter()
            .enumerate()
            .filter(|(_, n)| n.invoice == index)
            .map(|(i, n)| {
                (
                    data.notice_ids.get(i).to_owned(),
                    format::day(n.sent_on, today),
                    n.kind.as_str().replace('_', " "),
                    n.channel.clone(),
                )
            })
            .collect(),
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A finding in words with its evidence, the records it names read from `data` when given.
pub(crate) fn finding_view(f: &FindingRecord, data: Option<&BillingData>) -> FindingView {
    let today = format::today();
    let e = &f.evidence;
    let currency = f.currency;
    let mut title = format::finding_kind(f.kind).to_owned();
    match (&f.invoice_id, f.line_no) {
        (Some(invoice), Some(line)) => title.push_str(&format!(": {invoice}, line {line}")),
        (Some(invoice), None) => title.push_str(&format!(": {invoice}")),
        _ => {}
    }
    let deliveries = e
        .delivery_ids
        .iter()
        .map(|id| {
            let found = data.and_then(|d| {
                (0..d.deliveries.ids.len())
                    .find(|&i| d.deliveries.ids.get(i) == id)
                    .map(|i| &d.deliveries.records[i])
            });
            match found {
                Some(r) => format!(
                    "Delivery {id}: {} units, delivered on {}",
                    r.quantity.normalize(),
                    format::day(r.delivered_on, today).text
                ),
                None => format!("Delivery {id}"),
            }
        })
        .collect::<Vec<_>>();
    let payments = e
        .payment_ids
        .iter()
        .map(|id| {
            let found = data.and_then(|d| {
                (0..d.payment_ids.len())
                    .find(|&i| d.payment_ids.get(i) == id)
                    .map(|i| &d.payments[i])
            });
            match found {
                Some(p) => format!(
                    "Payment {id}: {} paid on {} by {}",
                    format::amount(p.amount, currency).text,
                    format::day(p.paid_on, today).text,
                    p.method
                ),
                None => format!("Payment {id}"),
            }
        })
        .collect::<Vec<_>>();
    let notices = e
        .notice_ids
        .iter()
        .map(|id| {
            let found = data.and_then(|d| {
                (0..d.notice_ids.len())
                    .find(|&i| d.notice_ids.get(i) == id)
                    .map(|i| &d.notices[i])
            });
            match found {
                Some(n) => format!(
                    "Notice {id}: {} sent on {} by {}",
                    n.kind.as_str().replace('_', " "),
                    format::day(n.sent_on, today).text,
                    n.channel
                ),
                None => format!("Notice {id}"),
            }
        })
        .collect::<Vec<_>>();
    let price_row = e.price_row.as_ref().map(|row| {
        let mut text = format!(
            "Contract {} prices {} at {} a unit",
            row.contract_id,
            row.sku,
            format::amount(row.unit_price, currency).text
        );
        if !row.discount_percent.is_zero() {
            text.push_str(&format!(", less {}%", row.discount_percent.normalize()));
        }
        text.push_str(&format!(
            ", valid from {}",
            format::day(row.valid_from, today).text
        ));
        text
    });
    let quantities = e.quantities.as_ref().map(|q| {
        format!(
            "{} units billed, {} delivered",
            q.billed.normalize(),
            q.delivered.normalize()
        )
    });
    let lines = e
        .lines
        .iter()
        .map(|l| format!("{l:?}"))
        .map(|debug| {
            debug
                .replace("LineRef", "Invoice line")
                .replace(['{', '}', '"'], "")
        })
        .collect::<Vec<_>>();
    let mut parts = Vec::new();
    if price_row.is_some() {
        parts.push("contract price row".to_owned());
    }
    if quantities.is_some() {
        parts.push("units billed and delivered".to_owned());
    }
    if !lines.is_empty() {
        parts.push(plural(lines.len(), "other line", "other lines"));
    }
    if !deliveries.is_empty() {
        parts.push(plural(deliveries.len(), "delivery", "deliveries"));
    }
    if !payments.is_empty() {
        parts.push(plural(payments.len(), "payment", "payments"));
    }
    if !notices.is_empty() {
        parts.push(plural(notices.len(), "notice", "notices"));
    }
    if e.late_fee_for.is_some() {
        parts.push("the invoice the fee is for".to_owned());
    }
    let summary = if parts.is_empty() {
        "Evidence: the amounts billed and expected".to_owned()
    } else {
        format!("Evidence: {}", parts.join(", "))
    };
    FindingView {
        title,
        explanation: e.explanation.clone(),
        billed: format::amount(e.billed, currency),
        expected: format::amount(e.expected, currency),
        impact: format::amount(f.impact, currency),
        summary,
        price_row,
        quantities,
        lines,
        deliveries,
        payments,
        notices,
        late_fee_for: e.late_fee_for.clone(),
    }
}

/// Who `id` is, as people know them: "You (name)" for the viewer, the user's name, or the id
/// itself for one who is no user (a program, such as an import).
pub(super) fn who(id: &str, desk: &Desk, names: &HashMap<String, String>) -> String {
    if id == desk.actor.id {
        format!("You ({})", desk.actor.name)
    } else {
        names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

fn resolution_view(
    r: &Resolution,
    desk: &Desk,
    state: &WebState,
    names: &HashMap<String, String>,
) -> ResolutionView {
    let (status, tone) = format::resolution_status(r.status);
    let pending = r.status == ResolutionStatus::PendingApproval;
    let decision =
        state
            .redress
            .policy()
            .may_decide(&r.proposed_by, &desk.actor.id, desk.actor.role);
    let own = r.proposed_by == desk.actor.id;
    let why_not = match (&decision, pending) {
        (Err(_), true) if own => Some(
            "You proposed this resolution, so you cannot approve or refuse it: another \
             approver must (four eyes)."
                .to_owned(),
        ),
        (Err(ApprovalError::NotAnApprover(_)), true) => Some(format!(
            "It waits for an approver or an admin; as {} you cannot approve it.",
            format::role(desk.actor.role).to_lowercase()
        )),
        _ => None,
    };
    ResolutionView {
        id: r.id.clone(),
        kind: format::resolution_kind(r.kind),
        status,
        tone,
        amount: format::amount(r.amount, r.currency),
        reason: r.reason.clone(),
        proposed_by: who(&r.proposed_by, desk, names),
        proposed_at: format::moment(r.proposed_at),
        approval_reason: r.approval_reason.clone(),
        decided: r.decided_by.as_ref().map(|by| {
            let when = r
                .decided_at
                .map(|at| format!(" on {}", format::moment(at).text))
                .unwrap_or_default();
            format!("{}{when}", who(by, desk, names))
        }),
        decision_note: r.decision_note.clone(),
        answer: r.answered_at.map(|at| {
            let what = if r.status == ResolutionStatus::Applied {
                "Accepted"
            } else {
                "Declined"
            };
            format!("{what} by the customer on {}", format::moment(at).text)
        }),
        answer_note: r.answer_note.clone(),
        offered: r.offered,
        may_decide: pending && decision.is_ok(),
        why_not,
        document: super::messages::issued_document(r)
            .map(|d| super::messages::DocumentLink::of(&d)),
    }
}

fn event_words(entity: &str, action: &str) -> String {
    let words = match (entity, action) {
        ("dispute", "created") => "Dispute opened and verified",
        ("dispute", "verified") => "Verified again",
        ("dispute", "status_changed") => "Status moved",
        ("dispute", "assigned") => "Assignee changed",
        ("dispute", "escalated") => "Escalated",
        ("dispute", "deescalated") => "De-escalated",
        ("resolution", "proposed") => "Resolution proposed",
        ("resolution", "approved") => "Resolution approved",
        ("resolution", "refused") => "Resolution refused",
        ("resolution", "accepted") => "Offer accepted by the customer",
        ("resolution", "declined") => "Offer declined by the customer",
        ("resolution", "applied") => "Resolution applied",
        ("resolution", "posted") => "Resolution posted to the ledger",
        // The conversation shows the message failed, with the server's words.
        ("dispute", "message_bounced") => {
            "A message bounced: check the customer's address and send it again"
        }
        _ => "",
    };
    if words.is_empty() {
        let mut text = format!("{entity} {}", action.replace('_', " "));
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
        text
    } else {
        words.to_owned()
    }
}

fn checklist(
    dispute: &DisputeRow,
    resolutions: &[Resolution],
    notes: usize,
    attachments: usize,
    wrote_to_customer: bool,
) -> Checklist {
    const COMPLETED: (&str, &str) = ("Completed", "tag--ok");
    const IN_PROGRESS: (&str, &str) = ("In progress", "tag--info");
    const NOT_STARTED: (&str, &str) = ("Not started", "tag--mute");
    const NEEDS_INFORMATION: (&str, &str) = ("Needs information", "tag--warn");
    const CANNOT_START: (&str, &str) = ("Cannot start yet", "tag--mute");
    let status = dispute.status;
    let applied = resolutions
        .iter()
        .any(|r| r.status == ResolutionStatus::Applied);
    let waiting = resolutions
        .iter()
        .any(|r| r.status == ResolutionStatus::PendingApproval);
    let finished = !status.is_open();
    let listen = if dispute.narrative.trim().is_empty() {
        NEEDS_INFORMATION
    } else {
        COMPLETED
    };
    let understand = if status == DisputeStatus::Open {
        IN_PROGRESS
    } else {
        COMPLETED
    };
    // Every stored dispute was verified against its invoice when it was taken.
    let verify = COMPLETED;
    let communicate = if status == DisputeStatus::AwaitingCustomer {
        IN_PROGRESS
    } else if applied || finished || wrote_to_customer {
        COMPLETED
    } else {
        NOT_STARTED
    };
    let resolve = if applied || finished {
        COMPLETED
    } else if waiting {
        IN_PROGRESS
    } else {
        NOT_STARTED
    };
    let document = if notes + attachments > 0 && (applied || finished) {
        COMPLETED
    } else if notes + attachments > 0 {
        IN_PROGRESS
    } else {
        NOT_STARTED
    };
    let prevent = if finished && notes > 0 {
        COMPLETED
    } else if applied || finished {
        NOT_STARTED
    } else {
        CANNOT_START
    };
    let steps = [
        (
            "Listen",
            "their-words",
            "The customer's words and history",
            listen,
            "Record what the customer says",
        ),
        (
            "Understand",
            "invoice",
            "The invoice beside the contract",
            understand,
            "Acknowledge the dispute once the invoice is read",
        ),
        (
            "Verify",
            "findings",
            "Contract price, deliveries, payments, notices",
            verify,
            "Check each finding's evidence",
        ),
        (
            "Communicate",
            "messages",
            "Tell the customer what was found",
            communicate,
            "Tell the customer what was found, and note it",
        ),
        (
            "Resolve",
            "resolutions",
            "Propose a resolution; approve it",
            resolve,
            if waiting {
                "Have an approver decide the resolution that waits"
            } else {
                "Propose a resolution"
            },
        ),
        (
            "Document",
            "timeline",
            "Notes, statements and attachments",
            document,
            "Add a note of what was done and why",
        ),
        (
            "Prevent",
            "timeline",
            "Note the cause, so it is fixed",
            prevent,
            "Note the cause of the error, so it is fixed at its source",
        ),
    ];
    let next = steps
        .iter()
        .find(|s| s.3.0 != "Completed" && s.3.0 != "Cannot start yet")
        .map_or_else(
            || "Nothing: every step is done.".to_owned(),
            |s| format!("{}: {}.", s.0, s.4),
        );
    Checklist {
        done: steps.iter().filter(|s| s.3.0 == "Completed").count(),
        tasks: steps
            .iter()
            .map(|(name, anchor, hint, (status, tone), _)| Task {
                name,
                anchor,
                hint,
                status,
                tone,
            })
            .collect(),
        next,
    }
}

/// The case as it stands, for `desk`, with empty forms.
async fn load(state: &WebState, desk: &Desk, id: &str) -> Result<DisputePage, Response> {
    let redress = &state.redress;
    let unavailable = |e: &dyn std::error::Error| super::unavailable(e);
    let dispute = match redress.disputes().get(id).await {
        Ok(Some(dispute)) => dispute,
        Ok(None) => {
            return Err(super::not_found(
                Some(desk.viewer()),
                format!("No dispute has the id {id}. It may have been mistyped."),
            ));
        }
        Err(e) => return Err(unavailable(&e)),
    };
    let customer = redress
        .billing()
        .customer(&dispute.customer_id)
        .await
        .map_err(|e| unavailable(&e))?;
    let advice = redress
        .disputes()
        .recommendation(id)
        .await
        .map_err(|e| unavailable(&e))?;
    let data = redress
        .billing()
        .contract_data_for_invoice(&dispute.invoice_id)
        .await
        .map_err(|e| unavailable(&e))?;
    let history = redress
        .disputes()
        .history(id)
        .await
        .map_err(|e| unavailable(&e))?;
    let notes = redress
        .disputes()
        .notes(id)
        .await
        .map_err(|e| unavailable(&e))?;
    let attachments = redress
        .disputes()
        .attachments(id)
        .await
        .map_err(|e| unavailable(&e))?;
    let resolutions = redress
        .books()
        .resolutions_of(id)
        .await
        .map_err(|e| unavailable(&e))?;
    let names = redress
        .people()
        .names()
        .await
        .map_err(|e| unavailable(&e))?;
    let today = format::today();
    let statements = redress
        .disputes()
        .statement_requests(id)
        .await
        .map_err(|e| unavailable(&e))?
        .into_iter()
        .map(|r| StatementView {
            yours_to_give: r.answered_at.is_none() && r.asked_of == desk.actor.id,
            overdue: r.answered_at.is_none() && r.due_on < today,
            due: format::day(r.due_on, today),
            answered: r.answered_at.map(format::moment),
            id: r.id,
            asked_of: who(&r.asked_of, desk, &names),
            asked_by: who(&r.asked_by, desk, &names),
            question: r.question,
        })
        .collect();
    let others = redress
        .disputes()
        .list(
            &DisputeFilter {
                customer_id: Some(dispute.customer_id.clone()),
                ..Default::default()
            },
            DisputeOrder::default(),
            21,
            None,
        )
        .await
        .map_err(|e| unavailable(&e))?
        .map(|page| page.disputes)
        .unwrap_or_default();
    let findings = dispute.verification.findings.records().unwrap_or_else(|e| {
        tracing::warn!(error = %e, dispute = id, "a dispute's findings could not be read");
        Vec::new()
    });
    let currency = dispute.claimed.currency;
    let today = format::today();

    let recommendation = advice.as_ref().map(|(_, advice)| {
        let headline = match advice.recommended {
            Recommended::CreditNote(amount) => {
                format!("Credit note of {}", format::amount(amount, currency).text)
            }
            Recommended::Goodwill(amount) => format!(
                "Goodwill discount of {}",
                format::amount(amount, currency).text
            ),
            Recommended::Reject => "Reject the claim, with the evidence".to_owned(),
        };
        RecommendationView {
            headline,
            refund_up_to: advice.refund_up_to.map(|a| format::amount(a, currency)),
            reasons: advice.reasons.clone(),
        }
    });
    let customer_panel = {
        let (relationship, history, flags) = match &advice {
            Some((facts, advice)) => (
                Some(&facts.relationship),
                Some(&facts.history),
                advice.flags.clone(),
            ),
            None => (None, None, Vec::new()),
        };
        let tenure_days = relationship.map_or(0, |r| r.tenure_days);
        CustomerPanel {
            name: customer.as_ref().map(|c| c.name.clone()),
            id: dispute.customer_id.clone(),
            since: customer
                .as_ref()
                .map(|c| format::day(c.customer_since, today)),
            tenure: if tenure_days >= 365 {
                plural((tenure_days / 365) as usize, "year", "years")
            } else {
                format::days(tenure_days)
            },
            revenue: format::amount(relationship.map_or(Decimal::ZERO, |r| r.revenue), currency),
            punctuality: match relationship {
                Some(r) => match r.punctuality_percent() {
                    Some(p) => format!(
                        "{}% of {} paid on time",
                        p.round_dp(0),
                        plural(r.invoices_due as usize, "invoice due", "invoices due")
                    ),
                    None => "No invoice fell due in the year".to_owned(),
                },
                None => "Not recorded".to_owned(),
            },
            disputes_last_year: history.map_or(0, |h| h.last_year),
            disputes_last_quarter: history.map_or(0, |h| h.last_quarter),
            rejected_last_year: history.map_or(0, |h| h.rejected_last_year),
            flags: flags
                .iter()
                .map(|f| match f {
                    Flag::RepeatDisputer => "Repeat disputer",
                    Flag::PossibleAbuse => "Many claims rejected",
                })
                .collect(),
            others: others
                .iter()
                .filter(|d| d.id != dispute.id)
                .take(20)
                .map(|d| {
                    (
                        d.id.clone(),
                        d.invoice_id.clone(),
                        format::status(d.status),
                        format::money(d.claimed),
                    )
                })
                .collect(),
        }
    };
    let invoice = data
        .as_ref()
        .and_then(|d| invoice_table(d, &dispute, &findings));
    let finding_views = findings
        .iter()
        .map(|f| finding_view(f, data.as_ref()))
        .collect();

    let mut timeline = Vec::new();
    for event in &history {
        let e = &event.event;
        if matches!(
            e.action.as_str(),
            "note_added" | "statement_added" | "attachment_added"
        ) {
            continue;
        }
        let Ok(at) = e.occurred_at.parse::<redress_domain::Timestamp>() else {
            continue;
        };
        timeline.push(TimelineItem {
            anchor: format!("ev-{}", event.sequence),
            tag: "Event",
            what: event_words(&e.entity, &e.action),
            who: who(&e.actor, desk, &names),
            at: format::moment(at),
            body: None,
            link: None,
            key: (at, 0),
        });
    }
    for note in &notes {
        let (tag, what) = match note.kind {
            NoteKind::Note => ("Internal note", "Note"),
            NoteKind::Statement => ("Staff statement", "Statement"),
        };
        timeline.push(TimelineItem {
            anchor: format!("note-{}", note.id),
            tag,
            what: what.to_owned(),
            who: who(&note.author, desk, &names),
            at: format::moment(note.created_at),
            body: Some(note.body.clone()),
            link: None,
            key: (note.created_at, 1),
        });
    }
    for a in &attachments {
        timeline.push(TimelineItem {
            anchor: format!("file-{}", a.id),
            tag: "Attachment",
            what: "File attached".to_owned(),
            who: who(&a.uploaded_by, desk, &names),
            at: format::moment(a.created_at),
            body: None,
            link: Some((
                format!("/attachments/{}", a.id),
                format!(
                    "{} ({}, {})",
                    a.file_name,
                    a.content_type,
                    human_size(a.size)
                ),
            )),
            key: (a.created_at, 2),
        });
    }
    timeline.sort_by_key(|item| item.key);

    let service_levels = service_level_views(
        redress
            .disputes()
            .service_levels(&dispute.id)
            .await
            .map_err(|e| unavailable(&e))?,
    );
    let update_due = redress
        .disputes()
        .updates_due(std::slice::from_ref(&dispute))
        .await
        .map_err(|e| unavailable(&e))?
        .remove(&dispute.id)
        .map(|due| {
            (
                format!(
                    "Nothing has been written to the customer for {} working days (an update was \
                     due {}).",
                    redress.communication().update_every_days,
                    format::moment(due).text
                ),
                super::messages::draft_link(
                    &dispute.id,
                    redress_domain::message::MessageKind::StatusUpdate,
                ),
            )
        });
    let stored_messages = redress
        .messages()
        .of_dispute(id)
        .await
        .map_err(|e| unavailable(&e))?;
    // Only said when no mail server delivers them.
    let waiting = if redress.communication().delivers {
        0
    } else {
        redress
            .messages()
            .outbox_counts()
            .await
            .map_err(|e| unavailable(&e))?
            .0
    };
    let wrote_to_customer = stored_messages.iter().any(|m| {
        m.direction == redress_domain::message::Direction::ToCustomer
            && m.kind != redress_domain::message::MessageKind::Acknowledgement
    });
    let check = checklist(
        &dispute,
        &resolutions,
        notes.len(),
        attachments.len(),
        wrote_to_customer,
    );
    let messages = stored_messages
        .iter()
        .map(|m| super::messages::message_view(m, desk, &names, redress.communication().delivers))
        .collect();
    let playbook = redress
        .practice()
        .playbook(dispute.reason)
        .await
        .map_err(|e| unavailable(&e))?
        .map(|p| p.steps);
    let propose = ProposeForm {
        kind: String::new(),
        lines: invoice
            .as_ref()
            .map(|inv| {
                inv.lines
                    .iter()
                    .map(|l| (l.no, l.description.clone(), String::new()))
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    };
    Ok(DisputePage {
        viewer: Some(desk.viewer()),
        case: CaseHeader::of(&dispute, customer.as_ref(), &desk.actor.id, &names),
        flash: None,
        errors: Vec::new(),
        recommendation,
        customer: customer_panel,
        invoice,
        findings: finding_views,
        resolutions: resolutions
            .iter()
            .map(|r| resolution_view(r, desk, state, &names))
            .collect(),
        timeline,
        checklist: check,
        playbook,
        propose,
        note: NoteForm::default(),
        assign_to: String::new(),
        people: {
            let mut people: Vec<(String, String)> = names.into_iter().collect();
            people.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            people
        },
        max_attachment_mib: redress_service::MAX_ATTACHMENT_BYTES >> 20,
        attachment_types: redress_service::ATTACHMENT_TYPES.join(", "),
        statements,
        ask: AskForm::default(),
        messages,
        outbox_notice: super::messages::outbox_notice(redress.communication().delivers, waiting),
        write: super::messages::WRITTEN
            .iter()
            .map(|kind| {
                (
                    super::messages::draft_link(&dispute.id, *kind),
                    format::message_act(*kind),
                )
            })
            .collect(),
        service_levels,
        update_due,
    })
}

fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// `GET /disputes/{id}`.
pub async fn page(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    match load(&state, &desk, &id).await {
        Ok(mut page) => {
            page.flash = flash(done.done.as_deref());
            render(StatusCode::OK, &page)
        }
        Err(answer) => answer,
    }
}

/// Back to the case, with the flash `done` and the section `anchor`.
pub(super) fn back(id: &str, done: &str, anchor: &str) -> Response {
    let path = format!(
        "/disputes/{}?done={done}#{anchor}",
        serde_urlencoded::to_string([("", id)])
            .unwrap_or_default()
            .trim_start_matches('=')
    );
    Redirect::to(&path).into_response()
}

/// The case shown again with `errors`, answered with `status`; `fill` puts back what was typed.
/// The case page again, answered 422, with `message` on the form's `field`.
async fn refused_field(
    state: &WebState,
    desk: &Desk,
    id: &str,
    field: &'static str,
    message: String,
) -> Response {
    let error = FieldError { field, message };
    refused(
        state,
        desk,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        vec![error],
        |_| {},
    )
    .await
}

pub(super) async fn refused(
    state: &WebState,
    desk: &Desk,
    id: &str,
    status: StatusCode,
    errors: Vec<FieldError>,
    fill: impl FnOnce(&mut DisputePage),
) -> Response {
    match load(state, desk, id).await {
        Ok(mut page) => {
            page.errors = errors;
            fill(&mut page);
            render(status, &page)
        }
        Err(answer) => answer,
    }
}

/// What a refusal of the service says, for `field`; `None` when the database failed (the
/// page says so instead).
pub(super) fn service_error(
    e: &ServiceError,
    field: &'static str,
) -> Result<(StatusCode, FieldError), ()> {
    if e.storage().is_some() {
        return Err(());
    }
    let (status, field, message) = match e {
        ServiceError::Denied(_)
        | ServiceError::Statement(redress_service::records::StatementError::NotAskedOfYou {
            ..
        }) => (StatusCode::FORBIDDEN, field, e.to_string()),
        ServiceError::Resolve(
            ResolveError::Approval(ApprovalError::OwnProposal(_))
            | ResolveError::Resolution(ResolutionError::Approval(ApprovalError::OwnProposal(_))),
        ) => (
            StatusCode::FORBIDDEN,
            field,
            "You proposed this resolution, so you cannot approve or refuse it: another approver \
             must (four eyes). Nothing was changed."
                .to_owned(),
        ),
        ServiceError::Resolve(
            ResolveError::Approval(_) | ResolveError::Resolution(ResolutionError::Approval(_)),
        ) => (StatusCode::FORBIDDEN, field, e.to_string()),
        ServiceError::Resolve(ResolveError::Invalid { field: f, message }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            proposal_field(f),
            message.clone(),
        ),
        _ => (StatusCode::UNPROCESSABLE_ENTITY, field, e.to_string()),
    };
    let mut message = message;
    if let Some(first) = message.get(..1) {
        message = first.to_uppercase() + &message[1..];
    }
    Ok((status, FieldError { field, message }))
}

fn proposal_field(field: &str) -> &'static str {
    match field {
        "amount" => "amount",
        "reason" => "reason",
        "payment_id" => "payment_id",
        "instalment_count" | "instalments" => "instalment_count",
        "first_due_on" => "first_due_on",
        "lines" => "lines",
        _ => "kind-credit_note",
    }
}

/// Performs `work` for `desk` and goes back to the case with `done`, or shows the case again
/// with what the service said, by `field`.
async fn perform<T: Send + 'static>(
    state: &WebState,
    desk: &Desk,
    id: &str,
    work: Work<T, ServiceError>,
    field: &'static str,
    done: &str,
    anchor: &str,
) -> Response {
    match state.redress.perform(work).await {
        Ok(_) => back(id, done, anchor),
        Err(e) => match service_error(&e, field) {
            Ok((status, error)) => refused(state, desk, id, status, vec![error], |_| {}).await,
            Err(()) => super::unavailable(&e),
        },
    }
}

/// What the status form sends.
#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    to: String,
}

/// `POST /disputes/{id}/status`: a move the lifecycle allows.
pub async fn move_status(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<StatusForm>,
) -> Response {
    let Some(to) = DisputeStatus::from_name(&form.to) else {
        return refused_field(
            &state,
            &desk,
            &id,
            "status-to",
            "Choose the status to move the dispute to".to_owned(),
        )
        .await;
    };
    let work = state.redress.disputes().set_status(&desk.actor, &id, to);
    perform(&state, &desk, &id, work, "status-to", "status", "actions").await
}

/// Whether `given` (trimmed) can be a user's id as a form gives one: some text, at most 200
/// bytes, no control characters.
fn is_user_id_given(given: &str) -> bool {
    !given.is_empty() && given.len() <= 200 && !given.chars().any(char::is_control)
}

/// What the assignment forms send.
#[derive(Deserialize)]
pub struct AssignForm {
    /// `me`, `nobody`, or `user` with `assignee`.
    #[serde(default)]
    to: String,
    #[serde(default)]
    assignee: String,
}

/// `POST /disputes/{id}/assign`: to me, to a user by id, or to nobody.
pub async fn assign(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<AssignForm>,
) -> Response {
    let assignee = match form.to.as_str() {
        "me" => Some(desk.actor.id.clone()),
        "nobody" => None,
        _ => {
            let given = form.assignee.trim();
            if !is_user_id_given(given) {
                let error = FieldError {
                    field: "assignee",
                    message: "Enter the id of the user to assign the dispute to".to_owned(),
                };
                let typed = form.assignee.clone();
                return refused(
                    &state,
                    &desk,
                    &id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    vec![error],
                    move |page| page.assign_to = typed,
                )
                .await;
            }
            Some(given.to_owned())
        }
    };
    let work = state.redress.disputes().assign(&desk.actor, &id, assignee);
    perform(&state, &desk, &id, work, "assignee", "assigned", "actions").await
}

/// What the escalation form sends.
#[derive(Deserialize)]
pub struct EscalateForm {
    #[serde(default)]
    escalated: String,
}

/// `POST /disputes/{id}/escalate`: raise or lower the flag.
pub async fn escalate(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<EscalateForm>,
) -> Response {
    let up = form.escalated == "true";
    let work = state.redress.disputes().escalate(&desk.actor, &id, up);
    let done = if up { "escalated" } else { "deescalated" };
    perform(&state, &desk, &id, work, "escalate", done, "actions").await
}

/// What the note form sends.
#[derive(Deserialize)]
pub struct NotePosted {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
}

/// The longest note taken, in characters.
const MAX_NOTE_CHARS: usize = 20_000;

/// `POST /disputes/{id}/notes`: an internal note or a staff statement.
pub async fn add_note(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<NotePosted>,
) -> Response {
    let kind = NoteKind::from_name(&form.kind);
    let body = form.body.trim().to_owned();
    let mut errors = Vec::new();
    if kind.is_none() {
        errors.push(FieldError {
            field: "note-kind-note",
            message: "Choose whether this is an internal note or a staff statement".to_owned(),
        });
    }
    if body.is_empty() {
        errors.push(FieldError {
            field: "note-body",
            message: "Enter the note".to_owned(),
        });
    } else if body.chars().count() > MAX_NOTE_CHARS || body.contains('\0') {
        errors.push(FieldError {
            field: "note-body",
            message: format!("A note may be at most {MAX_NOTE_CHARS} characters of text"),
        });
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        let typed = NoteForm {
            kind: form.kind,
            body: form.body,
        };
        return refused(
            &state,
            &desk,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            move |page| page.note = typed,
        )
        .await;
    };
    let work = state
        .redress
        .disputes()
        .add_note(&desk.actor, &id, kind, &body);
    perform(
        &state,
        &desk,
        &id,
        work,
        "note-body",
        kind.as_str(),
        "timeline",
    )
    .await
}

/// `POST /disputes/{id}/attachments`: a file of evidence, sent as `multipart/form-data` with
/// the form's CSRF token first, within the service's size and types.
pub async fn attach(
    State(state): State<WebState>,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Response {
    use axum::extract::{FromRequest, FromRequestParts, Multipart};
    let (mut parts, body) = request.into_parts();
    if crate::session::cross_site(&parts.headers) {
        return super::forbidden(None);
    }
    let desk = match Desk::from_request_parts(&mut parts, &state).await {
        Ok(desk) => desk,
        Err(refused) => return refused,
    };
    let request = axum::extract::Request::from_parts(parts, body);
    let Ok(mut multipart) = Multipart::from_request(request, &state).await else {
        return super::bad_form(Some(desk.viewer()));
    };
    let mut csrf_seen = false;
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut too_large = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return super::bad_form(Some(desk.viewer())),
        };
        match field.name() {
            Some("csrf") => {
                let given = field.text().await.unwrap_or_default();
                csrf_seen = crate::session::same_secret(&given, &desk.csrf);
            }
            // The token comes first in the form: a file is read only once it is checked.
            Some("file") if csrf_seen => {
                let name = field.file_name().unwrap_or("").to_owned();
                let kind = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let mut field = field;
                let mut content = Vec::new();
                while let Ok(Some(chunk)) = field.chunk().await {
                    if content.len() + chunk.len() > redress_service::MAX_ATTACHMENT_BYTES {
                        too_large = true;
                        break;
                    }
                    content.extend_from_slice(&chunk);
                }
                file = Some((name, kind, content));
            }
            _ => {}
        }
    }
    if !csrf_seen {
        return super::forbidden(Some(desk.viewer()));
    }
    let problem = match &file {
        None => Some("Choose a file to attach".to_owned()),
        Some((name, _, content)) if name.trim().is_empty() || content.is_empty() => {
            Some("Choose a file to attach: the one sent is empty".to_owned())
        }
        _ if too_large => Some(format!(
            "The file is larger than {} MB",
            redress_service::MAX_ATTACHMENT_BYTES >> 20
        )),
        // Its type, content and name are the service's to check, as for every way in.
        _ => None,
    };
    if let Some(message) = problem {
        return refused_field(&state, &desk, &id, "attachment-file", message).await;
    }
    let (name, kind, content) = file.expect("checked above");
    let work = state
        .redress
        .disputes()
        .attach(&desk.actor, &id, &name, &kind, &content);
    perform(
        &state,
        &desk,
        &id,
        work,
        "attachment-file",
        "attached",
        "timeline",
    )
    .await
}

/// The longest question or statement taken, in characters.
const MAX_STATEMENT_CHARS: usize = 20_000;

/// `POST /disputes/{id}/statements`: ask a colleague for a statement by a day.
pub async fn ask_for_statement(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<AskForm>,
) -> Response {
    let mut errors = Vec::new();
    let asked_of = form.asked_of.trim().to_owned();
    if !is_user_id_given(&asked_of) {
        errors.push(FieldError {
            field: "ask-of",
            message: "Enter the user id of the colleague to ask".to_owned(),
        });
    }
    let question = form.question.trim().to_owned();
    if question.is_empty() || question.chars().count() > MAX_STATEMENT_CHARS {
        errors.push(FieldError {
            field: "ask-question",
            message: "Enter what you ask them (at most 20,000 characters)".to_owned(),
        });
    }
    let due_on = redress_domain::parse_date(form.due_on.trim())
        .ok()
        .filter(|day| *day >= format::today());
    if due_on.is_none() {
        errors.push(FieldError {
            field: "ask-due",
            message: "Enter the day it is wanted by, today or later".to_owned(),
        });
    }
    let Some(due_on) = due_on.filter(|_| errors.is_empty()) else {
        return refused(
            &state,
            &desk,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            move |page| page.ask = form,
        )
        .await;
    };
    let work =
        state
            .redress
            .disputes()
            .ask_for_statement(&desk.actor, &id, &asked_of, &question, due_on);
    perform(&state, &desk, &id, work, "ask-of", "asked", "statements").await
}

/// What the statement form sends.
#[derive(Deserialize)]
pub struct StatementForm {
    #[serde(default)]
    body: String,
}

/// `POST /disputes/{id}/statements/{request}`: the statement asked of the viewer, given.
pub async fn give_statement(
    State(state): State<WebState>,
    Path((id, request)): Path<(String, String)>,
    Posted { desk, form }: Posted<StatementForm>,
) -> Response {
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > MAX_STATEMENT_CHARS || body.contains('\0') {
        return refused_field(
            &state,
            &desk,
            &id,
            "statement-body",
            "Enter your statement (at most 20,000 characters)".to_owned(),
        )
        .await;
    }
    let work = state
        .redress
        .disputes()
        .give_statement(&desk.actor, &request, body);
    perform(
        &state,
        &desk,
        &id,
        work,
        "statement-body",
        "given",
        "statements",
    )
    .await
}

/// `GET /attachments/{id}`: the file, with the type it was attached with, to download.
pub async fn attachment(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
) -> Response {
    match state.redress.disputes().attachment_content(&id).await {
        Ok(Some((attachment, bytes))) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            let kind = HeaderValue::from_str(&attachment.content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            headers.insert(header::CONTENT_TYPE, kind);
            let name: String = attachment
                .file_name
                .chars()
                .filter(|c| c.is_ascii_graphic() || *c == ' ')
                .filter(|c| !matches!(c, '"' | '\\' | ';'))
                .collect();
            if let Ok(disposition) =
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Ok(None) => super::not_found(
            Some(desk.viewer()),
            format!("No attachment has the id {id}."),
        ),
        Err(e) => super::unavailable(&e),
    }
}

/// What the proposal form sends, field by field (its lines are `line-N`).
fn field<'f>(form: &'f [(String, String)], name: &str) -> &'f str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn parse_amount(text: &str, currency: Currency) -> Option<Decimal> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
    let amount: Decimal = cleaned.parse().ok()?;
    (amount > Decimal::ZERO && currency.holds(amount)).then_some(amount)
}

/// `POST /disputes/{id}/resolutions`: a resolution previewed (nothing saved) or proposed.
pub async fn propose(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let dispute = match state.redress.disputes().get(&id).await {
        Ok(Some(d)) => d,
        Ok(None) => {
            return super::not_found(Some(desk.viewer()), format!("No dispute has the id {id}."));
        }
        Err(e) => return super::unavailable(&e),
    };
    let currency = dispute.claimed.currency;
    let kind_name = field(&form, "kind").to_owned();
    let mut errors = Vec::new();
    let kind = ResolutionKind::from_name(&kind_name);
    if kind.is_none() {
        errors.push(FieldError {
            field: "kind-credit_note",
            message: "Choose the kind of resolution".to_owned(),
        });
    }
    let reason = field(&form, "reason").trim().to_owned();
    if reason.is_empty() {
        errors.push(FieldError {
            field: "reason",
            message: "Enter the reason the customer will read".to_owned(),
        });
    }
    let amount_text = field(&form, "amount").trim().to_owned();
    let amount = if amount_text.is_empty() {
        None
    } else {
        let parsed = parse_amount(&amount_text, currency);
        if parsed.is_none() {
            errors.push(FieldError {
                field: "amount",
                message: format!(
                    "Enter the amount in {} as a number above zero, with at most {} decimals",
                    currency.code(),
                    currency.minor_unit()
                ),
            });
        }
        parsed
    };
    let mut lines = Vec::new();
    let mut typed_lines = Vec::new();
    for (name, value) in &form {
        let Some(no) = name
            .strip_prefix("line-")
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        typed_lines.push((no, value.clone()));
        if value.trim().is_empty() {
            continue;
        }
        match parse_amount(value, currency) {
            Some(amount) => lines.push((no, amount)),
            None => errors.push(FieldError {
                field: "lines",
                message: format!(
                    "Enter line {no}'s amount in {} as a number above zero",
                    currency.code()
                ),
            }),
        }
    }
    let count_text = field(&form, "instalment_count").trim().to_owned();
    let instalment_count = if count_text.is_empty() {
        None
    } else {
        let parsed = count_text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=120).contains(n));
        if parsed.is_none() {
            errors.push(FieldError {
                field: "instalment_count",
                message: "Enter the number of monthly instalments, from 1 to 120".to_owned(),
            });
        }
        parsed
    };
    let due_text = field(&form, "first_due_on").trim().to_owned();
    let first_due_on = if due_text.is_empty() {
        None
    } else {
        let parsed = due_text.parse::<Date>().ok();
        if parsed.is_none() {
            errors.push(FieldError {
                field: "first_due_on",
                message: "Enter the first instalment's due date as YYYY-MM-DD".to_owned(),
            });
        }
        parsed
    };
    let payment_id = Some(field(&form, "payment_id").trim().to_owned()).filter(|p| !p.is_empty());
    let offer = field(&form, "offer") == "yes";
    let preview_asked = field(&form, "act") == "preview";
    let keep = {
        let (kind_name, amount_text, reason, payment, count, due) = (
            kind_name.clone(),
            amount_text.clone(),
            reason.clone(),
            payment_id.clone().unwrap_or_default(),
            count_text.clone(),
            due_text.clone(),
        );
        move |page: &mut DisputePage| {
            let p = &mut page.propose;
            p.kind = kind_name;
            p.amount = amount_text;
            p.reason = reason;
            p.payment_id = payment;
            p.instalment_count = count;
            p.first_due_on = due;
            p.offer = offer;
            for (no, _, typed) in &mut p.lines {
                if let Some((_, value)) = typed_lines.iter().find(|(n, _)| n == no) {
                    typed.clone_from(value);
                }
            }
        }
    };
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return refused(
            &state,
            &desk,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            keep,
        )
        .await;
    };
    if preview_asked {
        let total = if lines.is_empty() {
            amount.unwrap_or(Decimal::ZERO)
        } else {
            lines.iter().map(|(_, a)| *a).sum()
        };
        let balance = match state.redress.books().ledger(&dispute.customer_id).await {
            Ok(ledger) => ledger.and_then(|l| {
                l.balances
                    .iter()
                    .find(|m| m.currency == currency)
                    .map(|m| m.amount)
            }),
            Err(e) => return super::unavailable(&e),
        };
        let gives = kind.moves_money() && kind != ResolutionKind::PaymentPlan;
        let preview = Preview {
            kind: format::resolution_kind(kind),
            amount: format::amount(total, currency),
            balance_now: balance.map(|b| format::amount(b, currency)),
            balance_after: balance
                .filter(|_| gives)
                .map(|b| format::amount(b - total, currency)),
            approval: match state
                .redress
                .books()
                .approval_preview(&desk.actor, &id, (kind, total, currency), offer)
                .await
            {
                Ok(redress_domain::resolution::Approval::Needed(why)) => Some(why),
                Ok(redress_domain::resolution::Approval::NotNeeded) => None,
                Err(e) => return super::unavailable(&e),
            },
            offer,
        };
        return refused(
            &state,
            &desk,
            &id,
            StatusCode::OK,
            Vec::new(),
            move |page| {
                keep(page);
                page.propose.preview = Some(preview);
            },
        )
        .await;
    }
    let proposal = Proposal {
        kind,
        reason,
        currency: Some(currency),
        lines,
        amount,
        payment_id,
        instalments: Vec::new(),
        instalment_count,
        first_due_on,
        offer,
    };
    let prepared = state
        .redress
        .books()
        .prepare_proposal(&desk.actor, &id, proposal)
        .await;
    let outcome = match prepared {
        Ok(work) => state.redress.perform(work).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(resolution) => {
            let done = match resolution.status {
                ResolutionStatus::PendingApproval => "proposed",
                ResolutionStatus::Offered => "offered",
                _ => "applied",
            };
            back(&id, done, "resolutions")
        }
        Err(e) => match service_error(&e, "kind-credit_note") {
            Ok((status, error)) => refused(&state, &desk, &id, status, vec![error], keep).await,
            Err(()) => super::unavailable(&e),
        },
    }
}

/// What the refusal form sends.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    note: String,
}

/// `POST /disputes/{id}/resolutions/{resolution}/approve`.
pub async fn approve(
    State(state): State<WebState>,
    Path((id, resolution)): Path<(String, String)>,
    Posted { desk, form }: Posted<DecisionForm>,
) -> Response {
    decide(state, id, resolution, desk, true, form.note).await
}

/// `POST /disputes/{id}/resolutions/{resolution}/refuse`: a reason required.
pub async fn refuse(
    State(state): State<WebState>,
    Path((id, resolution)): Path<(String, String)>,
    Posted { desk, form }: Posted<DecisionForm>,
) -> Response {
    decide(state, id, resolution, desk, false, form.note).await
}

async fn decide(
    state: WebState,
    id: String,
    resolution: String,
    desk: Desk,
    approve: bool,
    note: String,
) -> Response {
    let offered = match state.redress.books().resolution(&resolution).await {
        Ok(Some(r)) if r.dispute_id == id => r.offered,
        Ok(_) => {
            return super::not_found(
                Some(desk.viewer()),
                format!("Dispute {id} has no resolution with the id {resolution}."),
            );
        }
        Err(e) => return super::unavailable(&e),
    };
    let note = note.trim().to_owned();
    let field: &'static str = if approve {
        "resolutions-heading"
    } else {
        "refuse-note"
    };
    if !approve && note.is_empty() {
        return refused_field(
            &state,
            &desk,
            &id,
            field,
            "Enter why the resolution is refused".to_owned(),
        )
        .await;
    }
    let work = state.redress.books().decide(
        &desk.actor,
        &resolution,
        approve,
        Some(note).filter(|n| !n.is_empty()),
    );
    let done = match (approve, offered) {
        (true, false) => "approved",
        (true, true) => "approved_offered",
        (false, _) => "refused",
    };
    perform(&state, &desk, &id, work, field, done, "resolutions").await
}
