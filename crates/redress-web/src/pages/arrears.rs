//! Errors found first: the audit page (`GET /audit`: systemic issues and arrears cases, and
//! `POST /audit` to run the audit over the stored data) and an arrears case
//! (`GET /arrears/{id}`) with its briefing for the conversation with the customer, printable,
//! and its steps as forms: `POST /arrears/{id}/offer`, `POST /arrears/{id}/choice`,
//! `POST /arrears/{id}/waiver` (an approver's decision on what the customer asked to have
//! forgone: a waiver, or the part a compromise waives).
//!
//! Who may do what is the service's to say: the desk shows the forms and, when the service
//! refuses, shows why in the error summary.

use super::{FieldError, Viewer, render};
use crate::WebState;
use crate::format::{self, Amount, Moment};
use crate::session::{Desk, Posted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::arrears::ArrearsStatus;
use redress_domain::{Date, Decimal, Role, parse_date, parse_decimal};
use redress_service::books::CustomerHistory;
use redress_service::records::{
    ArrearsCase, ArrearsChoice, ArrearsError, CompromiseBilling, FollowUp, StillWrong,
    SystemicIssue,
};
use redress_service::{Denied, ServiceError};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a redirect after a form says once, by a word in the address (never the person's own
/// text, so nothing can be written into a page by a link).
#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    fn flash(&self) -> Option<&'static str> {
        Some(match self.done.as_deref()? {
            "audited" => "The audit ran over the stored data.",
            "offered" => "The offer to the customer was recorded.",
            "chosen" => "The customer's choice was recorded.",
            "approved" => "The waiver was approved.",
            "refused" => "The waiver was refused: the customer is offered the other options.",
            "compromise_approved" => {
                "The compromise was approved: the part waived is forgone and the rest billed."
            }
            "compromise_refused" => {
                "The compromise was refused: the customer is offered the other options."
            }
            _ => return None,
        })
    }
}

/// Whether invoices since a case or an issue was found still carry its error, in words.
pub struct FollowUpView {
    /// The tag's look.
    tone: &'static str,
    /// The answer in a word or three: `Still wrong`, `Corrected`, `No invoice since yet`.
    label: &'static str,
    /// What it rests on.
    sentence: String,
    /// Invoices imported since the latest audit, not checked yet, in words.
    unchecked: Option<String>,
}

/// `n` and the noun, singular or plural: `1 invoice`, `3 invoices`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where an error is still found, in words: `INV-H7 (1 Jul 2025 to 31 Jul 2025)`, naming the
/// customer when `with_customer`.
fn place(wrong: &StillWrong, with_customer: bool, today: Date) -> String {
    let (start, end) = (
        format::day(wrong.period.start(), today).text,
        format::day(wrong.period.end(), today).text,
    );
    let at = if with_customer {
        format!(" of {}", wrong.customer_id)
    } else {
        String::new()
    };
    match &wrong.invoice_id {
        Some(invoice) if start == end => format!("{invoice}{at} ({start})"),
        Some(invoice) => format!("{invoice}{at} ({start} to {end})"),
        None => format!("deliveries{at} from {start} never billed"),
    }
}

/// `follow_up` in words; `affected` is how many customers a systemic issue affects (`None`
/// for an arrears case, which is one customer's).
fn follow_up_view(follow_up: &FollowUp, affected: Option<usize>, today: Date) -> FollowUpView {
    let day = |date: Date| format::day(date, today).text;
    let unchecked = |n: u64| {
        (n > 0).then(|| {
            format!(
                "{} imported since the latest audit {} not checked yet: run the audit again to check {}.",
                counted(n, "invoice", "invoices"),
                if n == 1 { "is" } else { "are" },
                if n == 1 { "it" } else { "them" },
            )
        })
    };
    match follow_up {
        FollowUp::NotFollowed => FollowUpView {
            tone: "tag--mute",
            label: "Not followed",
            sentence: "It was found before Redress kept the kinds and periods of what it found; the next audit that finds it again follows it."
                .to_owned(),
            unchecked: None,
        },
        FollowUp::NoInvoiceSince {
            since,
            unchecked: n,
        } => FollowUpView {
            tone: "tag--info",
            label: "No invoice since yet",
            sentence: format!(
                "No invoice for a period after {} has been checked yet.",
                day(*since)
            ),
            unchecked: unchecked(*n),
        },
        FollowUp::Corrected {
            since,
            checked,
            unchecked: n,
        } => FollowUpView {
            tone: "tag--ok",
            label: "Corrected",
            sentence: format!(
                "{} since {} checked{}, none carries it.",
                counted(*checked, "invoice", "invoices"),
                day(*since),
                match affected {
                    Some(customers) => format!(
                        " at the {} it affects",
                        counted(customers as u64, "customer", "customers")
                    ),
                    None => String::new(),
                }
            ),
            unchecked: unchecked(*n),
        },
        FollowUp::StillWrong {
            since,
            checked,
            unchecked: n,
            carrying,
            customers,
            first,
        } => {
            let mut places: Vec<String> = first
                .iter()
                .map(|wrong| place(wrong, affected.is_some(), today))
                .collect();
            let more = carrying.saturating_sub(first.len() as u64);
            if more > 0 {
                places.push(format!("{more} more"));
            }
            let listed = match places.as_slice() {
                [] => String::new(),
                [one] => one.clone(),
                [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
            };
            let verb = if *carrying == 1 { "carries" } else { "carry" };
            let of = match affected {
                Some(affected) => format!(
                    " ({} of {} checked since {}, at {} of the {} it affects)",
                    carrying,
                    counted(*checked, "invoice", "invoices"),
                    day(*since),
                    customers,
                    counted(affected as u64, "customer", "customers"),
                ),
                None => format!(
                    " ({} of {} checked since {})",
                    carrying,
                    counted(*checked, "invoice", "invoices"),
                    day(*since)
                ),
            };
            FollowUpView {
                tone: "tag--bad",
                label: "Still wrong",
                sentence: format!("{listed} {verb} the same error{of}."),
                unchecked: unchecked(*n),
            }
        }
    }
}

/// A systemic issue as the audit page shows it.
pub struct IssueView {
    kind: String,
    cause: String,
    findings: u64,
    customers: Vec<(String, Amount, &'static str)>,
    impact: Vec<Amount>,
    first: Moment,
    last: Moment,
    /// Whether invoices since it was found still carry its cause.
    follow_up: FollowUpView,
}

fn issue_view(issue: SystemicIssue, follow_ups: &BTreeMap<String, FollowUp>) -> IssueView {
    let follow_up = follow_ups.get(&issue.key).unwrap_or(&FollowUp::NotFollowed);
    IssueView {
        follow_up: follow_up_view(follow_up, Some(issue.customers.len()), format::today()),
        kind: issue.kind.as_str().replace('_', " "),
        cause: issue.cause,
        findings: issue.finding_count,
        customers: issue
            .customers
            .into_iter()
            .map(|c| {
                let words = if c.impact.amount > Decimal::ZERO {
                    "charged too much"
                } else {
                    "under-billed"
                };
                let magnitude = format::amount(c.impact.amount.abs(), c.impact.currency);
                (c.customer_id, magnitude, words)
            })
            .collect(),
        impact: issue.impact.into_iter().map(format::money).collect(),
        first: format::moment(issue.first_found_at),
        last: format::moment(issue.last_found_at),
    }
}

/// An arrears case's row on the audit page.
pub struct CaseRow {
    id: String,
    customer_id: String,
    status: &'static str,
    tone: &'static str,
    items: usize,
    total: Amount,
    found: Moment,
}

fn case_row(case: &ArrearsCase) -> CaseRow {
    CaseRow {
        id: case.id.clone(),
        customer_id: case.customer_id.clone(),
        status: format::arrears_status(case.status),
        tone: format::arrears_tone(case.status),
        items: case.items.len(),
        total: format::amount(case.total, case.currency),
        found: format::moment(case.found_at),
    }
}

/// The audit page.
#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    viewer: Option<Viewer>,
    csrf: String,
    flash: Option<&'static str>,
    errors: Vec<FieldError>,
    may_run: bool,
    issues: Vec<IssueView>,
    cases: Vec<CaseRow>,
}

async fn audit_page(
    state: &WebState,
    desk: &Desk,
    flash: Option<&'static str>,
    errors: Vec<FieldError>,
) -> Response {
    let cases = state.redress.cases();
    let issues = match cases.systemic_issues().await {
        Ok(issues) => issues,
        Err(e) => return super::unavailable(&e),
    };
    let list = match cases.list(None).await {
        Ok(list) => list,
        Err(e) => return super::unavailable(&e),
    };
    let follow_ups = match cases.follow_up_issues().await {
        Ok(follow_ups) => follow_ups,
        Err(e) => return super::unavailable(&e),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    };
    render(
        status,
        &AuditPage {
            viewer: Some(desk.viewer()),
            csrf: desk.csrf.clone(),
            flash,
            errors,
            may_run: desk.actor.role.can_write(),
            issues: issues
                .into_iter()
                .map(|issue| issue_view(issue, &follow_ups))
                .collect(),
            cases: list.iter().map(case_row).collect(),
        },
    )
}

/// `GET /audit`.
pub async fn audit(
    State(state): State<WebState>,
    desk: Desk,
    Query(done): Query<Done>,
) -> Response {
    audit_page(&state, &desk, done.flash(), Vec::new()).await
}

/// The "Run the audit now" form: nothing but its token.
#[derive(Deserialize)]
pub struct RunAudit {}

/// `POST /audit`: the audit over every stored contract, as the API's
/// `POST /api/v1/arrears-cases/audit` runs it; the service refuses a role that may not write.
pub async fn run_audit(State(state): State<WebState>, posted: Posted<RunAudit>) -> Response {
    let desk = posted.desk;
    let outcome = match state.redress.cases().prepare_find(&desk.actor).await {
        Ok(work) => state.redress.perform(work).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Redirect::to("/audit?done=audited").into_response(),
        Err(e) => match e.storage() {
            Some(storage) => super::unavailable(storage),
            None => {
                let errors = vec![FieldError {
                    field: "run-audit",
                    message: refusal(&e),
                }];
                audit_page(&state, &desk, None, errors).await
            }
        },
    }
}

/// `text` with its first letter upper-case, as a sentence on the page begins.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "It was refused".to_owned(),
    }
}

/// Why the service refused, in words for the person who asked.
fn refusal(error: &ServiceError) -> String {
    match error {
        ServiceError::Denied(Denied::ReadOnly(role)) => format!(
            "Your role ({}) may read but not change anything: ask an agent, approver or admin",
            format::role(*role)
        ),
        ServiceError::Denied(Denied::NotAnAdmin(_)) => "Only an admin may do that".to_owned(),
        ServiceError::Denied(Denied::NoLongerAUser(_)) => {
            "Your account can no longer act: sign in again or ask an admin".to_owned()
        }
        // The amount field says it is the amount waived; the service's words follow.
        ServiceError::Arrears(ArrearsError::Compromise(refused)) => sentence(&refused.to_string()),
        other => sentence(&other.to_string()),
    }
}

/// An item of what is owed.
pub struct ItemView {
    explanation: String,
    net: Amount,
    rate: String,
    tax: Option<Amount>,
}

/// An option to offer, with what it costs the business.
pub struct OptionView {
    name: &'static str,
    what: String,
    cost: String,
    needs_approval: bool,
}

/// A compromise chosen: what is waived and what is billed.
pub struct CompromiseView {
    waived: Amount,
    billed_net: Amount,
    billing: &'static str,
}

/// The customer's history, as the briefing tells it.
pub struct HistoryView {
    since: format::Day,
    tenure: String,
    as_of: format::Day,
    revenue: Amount,
    invoices: u32,
    paid_in_full: u32,
    /// `94% of 18 invoices due paid on time`, or that none fell due.
    punctuality: String,
    disputes_last_year: u32,
    disputes: u32,
    /// A customer who disputes often, said in words.
    repeat_disputer: bool,
}

fn history_view(history: CustomerHistory) -> HistoryView {
    let today = format::today();
    let years = history.tenure_days / 365;
    let tenure = match years {
        0 => format::days(history.tenure_days),
        1 => "1 year".to_owned(),
        n => format!("{n} years"),
    };
    HistoryView {
        since: format::day(history.customer_since, today),
        tenure,
        as_of: format::day(history.as_of, today),
        revenue: format::money(history.revenue_last_year),
        invoices: history.invoices_last_year,
        paid_in_full: history.invoices_paid_in_full,
        punctuality: if history.invoices_due == 0 {
            "No invoice fell due in the year".to_owned()
        } else {
            let percent = Decimal::from(history.paid_on_time) * Decimal::ONE_HUNDRED
                / Decimal::from(history.invoices_due);
            format!(
                "{}% of {} invoice{} due paid on time",
                percent.round_dp(0),
                history.invoices_due,
                if history.invoices_due == 1 { "" } else { "s" }
            )
        },
        disputes_last_year: history.disputes_last_year,
        disputes: history.disputes,
        repeat_disputer: history.disputes_last_year >= 3,
    }
}

/// The arrears case's page: the briefing and the steps.
#[derive(Template)]
#[template(path = "arrears.html")]
pub struct ArrearsPage {
    viewer: Option<Viewer>,
    csrf: String,
    flash: Option<&'static str>,
    errors: Vec<FieldError>,
    id: String,
    customer_id: String,
    customer_name: Option<String>,
    status: &'static str,
    tone: &'static str,
    found: Moment,
    found_by: String,
    today: format::Day,
    items: Vec<ItemView>,
    net: Amount,
    tax: Amount,
    total: Amount,
    history: Option<HistoryView>,
    options: Vec<OptionView>,
    offered: Option<(Moment, String, String)>,
    choice: Option<&'static str>,
    compromise: Option<CompromiseView>,
    /// Whether invoices since the case was found still carry its error.
    follow_up: FollowUpView,
    chosen_by: Option<String>,
    decided_by: Option<String>,
    document_id: Option<String>,
    plan_id: Option<String>,
    settled: Option<Moment>,
    may_offer: bool,
    may_choose: bool,
    may_decide: bool,
    /// Why the approver does not see Approve, when they recorded the choice themselves.
    four_eyes: Option<String>,
    /// The forms' values, kept when they come back with an error.
    note: String,
    option: String,
    instalments: String,
    first_due_on: String,
    waived: String,
    billing: String,
    note_error: Option<String>,
    option_error: Option<String>,
    instalments_error: Option<String>,
    first_due_on_error: Option<String>,
    waived_error: Option<String>,
    billing_error: Option<String>,
    decision_error: Option<String>,
}

/// The forms' values as the person typed them.
#[derive(Default, Deserialize)]
pub struct Kept {
    #[serde(default)]
    note: String,
    #[serde(default)]
    option: String,
    #[serde(default)]
    instalments: String,
    #[serde(default)]
    first_due_on: String,
    #[serde(default)]
    waived: String,
    #[serde(default)]
    billing: String,
}

fn options(case: &ArrearsCase) -> Vec<OptionView> {
    let currency = case.currency;
    let total = format::amount(case.total, currency).text;
    let net = format::amount(case.net, currency).text;
    let half_net = format::amount(currency.round(case.net / Decimal::from(2)), currency).text;
    let sixth = format::amount(currency.round(case.total / Decimal::from(6)), currency).text;
    vec![
        OptionView {
            name: "On the next invoice",
            what: format!("{total} added to the customer's next invoice."),
            cost: "Nothing: collected in full with the next invoice, a month or so later."
                .to_owned(),
            needs_approval: false,
        },
        OptionView {
            name: "On an invoice of its own",
            what: format!("{total} billed now on an invoice of its own."),
            cost: "Nothing: collected in full, on the invoice's usual terms.".to_owned(),
            needs_approval: false,
        },
        OptionView {
            name: "A payment plan",
            what: format!(
                "{total} billed now and paid in monthly instalments (over six: about {sixth} a month)."
            ),
            cost: "Collected in full, but later: the money arrives over the months agreed."
                .to_owned(),
            needs_approval: false,
        },
        OptionView {
            name: "A compromise",
            what: format!(
                "Part of the {net} net waived, the rest billed with its tax on the next invoice or an invoice of its own."
            ),
            cost: format!(
                "The part waived (and the tax on it never charged): half would cost {half_net} of revenue."
            ),
            needs_approval: true,
        },
        OptionView {
            name: "Waive it all",
            what: "Never billed: for a customer worth keeping.".to_owned(),
            cost: format!("{net} of revenue forgone (and the tax on it never charged)."),
            needs_approval: true,
        },
    ]
}

async fn arrears_page(
    state: &WebState,
    desk: &Desk,
    id: &str,
    flash: Option<&'static str>,
    errors: Vec<FieldError>,
    kept: Kept,
) -> Response {
    let case = match state.redress.cases().get(id).await {
        Ok(Some(case)) => case,
        Ok(None) => {
            return super::not_found(
                Some(desk.viewer()),
                format!("No arrears case has the id {id}. It may have been mistyped."),
            );
        }
        Err(e) => return super::unavailable(&e),
    };
    let today = format::today();
    let customer_name = match state.redress.billing().customer(&case.customer_id).await {
        Ok(customer) => customer.map(|c| c.name),
        Err(e) => return super::unavailable(&e),
    };
    let history = match state
        .redress
        .books()
        .customer_history(&case.customer_id, case.currency, today)
        .await
    {
        Ok(history) => history.map(history_view),
        Err(e) => return super::unavailable(&e),
    };
    let follow_up = match state.redress.cases().follow_up(&case).await {
        Ok(follow_up) => follow_up_view(&follow_up, None, today),
        Err(e) => return super::unavailable(&e),
    };
    let currency = case.currency;
    let single_rate = case.tax_rate_percent.single();
    let role = desk.actor.role;
    let writer = role.can_write();
    let approver = matches!(role, Role::Approver | Role::Admin);
    let chose_it = case.chosen_by.as_deref() == Some(desk.actor.id.as_str());
    let awaiting = case.status == ArrearsStatus::AwaitingApproval;
    let error = |field: &str| super::error_of(&errors, field).map(str::to_owned);
    let page = ArrearsPage {
        viewer: Some(desk.viewer()),
        csrf: desk.csrf.clone(),
        flash,
        note_error: error("note"),
        option_error: error("option"),
        instalments_error: error("instalments"),
        first_due_on_error: error("first_due_on"),
        waived_error: error("waived"),
        billing_error: error("billing"),
        decision_error: error("decision"),
        options: options(&case),
        items: case
            .items
            .iter()
            .map(|item| {
                let rate = item.tax_rate_percent.or(single_rate);
                ItemView {
                    explanation: item.explanation.clone(),
                    net: format::amount(item.net, currency),
                    rate: rate.map_or_else(|| case.tax_rate_percent.to_string(), format::percent),
                    tax: rate.map(|rate| {
                        format::amount(
                            currency.round(item.net * rate / Decimal::ONE_HUNDRED),
                            currency,
                        )
                    }),
                }
            })
            .collect(),
        net: format::amount(case.net, currency),
        tax: format::amount(case.tax, currency),
        total: format::amount(case.total, currency),
        history,
        offered: case.offered_at.map(|at| {
            (
                format::moment(at),
                case.offered_by.clone().unwrap_or_default(),
                case.offer_note.clone().unwrap_or_default(),
            )
        }),
        choice: case.choice.map(format::arrears_option),
        follow_up,
        compromise: case.compromise.map(|terms| CompromiseView {
            waived: format::amount(terms.waived, currency),
            billed_net: format::amount(case.net - terms.waived, currency),
            billing: match terms.billing {
                CompromiseBilling::NextInvoice => "on the next invoice",
                CompromiseBilling::SeparateInvoice => "on an invoice of its own",
            },
        }),
        may_offer: writer && matches!(case.status, ArrearsStatus::Open | ArrearsStatus::Offered),
        may_choose: writer && case.status == ArrearsStatus::Offered,
        may_decide: awaiting && approver && !chose_it,
        four_eyes: (awaiting && approver && chose_it).then(|| {
            let what = if case.compromise.is_some() {
                "the compromise"
            } else {
                "the waiver"
            };
            format!("You recorded this choice, so someone else must approve or refuse {what}.")
        }),
        status: format::arrears_status(case.status),
        tone: format::arrears_tone(case.status),
        found: format::moment(case.found_at),
        today: format::day(today, today),
        settled: case.settled_at.map(format::moment),
        id: case.id,
        customer_id: case.customer_id,
        customer_name,
        found_by: case.found_by,
        chosen_by: case.chosen_by,
        decided_by: case.decided_by,
        document_id: case.document_id,
        plan_id: case.plan_id,
        note: kept.note,
        option: kept.option,
        instalments: kept.instalments,
        first_due_on: kept.first_due_on,
        waived: kept.waived,
        billing: kept.billing,
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

/// `GET /arrears/{id}`.
pub async fn case(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    arrears_page(
        &state,
        &desk,
        &id,
        done.flash(),
        Vec::new(),
        Kept::default(),
    )
    .await
}

/// Does `work` as `desk`: on to the case with `done` said once, or the case again with the
/// service's refusal on `field`.
async fn step(
    state: &WebState,
    desk: &Desk,
    id: &str,
    work: redress_service::Work<ArrearsCase, ServiceError>,
    done: &str,
    field: &'static str,
    kept: Kept,
) -> Response {
    match state.redress.perform(work).await {
        Ok(_) => Redirect::to(&format!("/arrears/{id}?done={done}")).into_response(),
        Err(e) => match e.storage() {
            Some(storage) => super::unavailable(storage),
            None => {
                // A compromise's amount the service refused is the amount field's error.
                let field = match &e {
                    ServiceError::Arrears(ArrearsError::Compromise(_)) => "waived",
                    _ => field,
                };
                let errors = vec![FieldError {
                    field,
                    message: refusal(&e),
                }];
                let mut page = arrears_page(state, desk, id, None, errors, kept).await;
                // Who may not do this (a role that reads only, or the one who recorded what
                // waits approving it) is refused, not asked to correct a field.
                let refused = matches!(
                    e,
                    ServiceError::Denied(_) | ServiceError::Arrears(ArrearsError::Approval(_))
                );
                if refused && page.status() == StatusCode::UNPROCESSABLE_ENTITY {
                    *page.status_mut() = StatusCode::FORBIDDEN;
                }
                page
            }
        },
    }
}

/// `POST /arrears/{id}/offer`: the customer was contacted and offered the options.
pub async fn offer(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted<Kept>,
) -> Response {
    let Posted { desk, form } = posted;
    let note = form.note.trim().to_owned();
    if note.is_empty() {
        let errors = vec![FieldError {
            field: "note",
            message: "Say how the customer was contacted and what they were told".to_owned(),
        }];
        return arrears_page(&state, &desk, &id, None, errors, form).await;
    }
    let work = state.redress.cases().offer(&desk.actor, &id, note);
    step(&state, &desk, &id, work, "offered", "note", form).await
}

/// The choice as the form gives it, checked: the choice, or what is wrong with each field.
fn choice_of(form: &Kept) -> Result<ArrearsChoice, Vec<FieldError>> {
    match form.option.as_str() {
        "next_invoice" => Ok(ArrearsChoice::NextInvoice),
        "separate_invoice" => Ok(ArrearsChoice::SeparateInvoice),
        "waive" => Ok(ArrearsChoice::Waive),
        "compromise" => {
            let mut errors = Vec::new();
            // Whether it is below the case's net, and in the currency's minor units, is the
            // service's to say: it knows the case.
            let waived = match parse_decimal(form.waived.trim()) {
                Ok(amount) if amount > Decimal::ZERO => Some(amount),
                _ => {
                    errors.push(FieldError {
                        field: "waived",
                        message: "Enter the net amount waived, above zero, as 360.00".to_owned(),
                    });
                    None
                }
            };
            let billing = CompromiseBilling::from_name(&form.billing);
            if billing.is_none() {
                errors.push(FieldError {
                    field: "billing",
                    message: "Choose how the rest is billed: on the next invoice or on an invoice of its own".to_owned(),
                });
            }
            match (waived, billing) {
                (Some(waived), Some(billing)) => Ok(ArrearsChoice::Compromise { waived, billing }),
                _ => Err(errors),
            }
        }
        "payment_plan" => {
            let mut errors = Vec::new();
            let instalments = match form.instalments.trim().parse::<u32>() {
                Ok(n) if (2..=60).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError {
                        field: "instalments",
                        message: "Enter how many monthly instalments, from 2 to 60".to_owned(),
                    });
                    None
                }
            };
            let first_due_on: Option<Date> = match parse_date(form.first_due_on.trim()) {
                Ok(day) => Some(day),
                Err(_) => {
                    errors.push(FieldError {
                        field: "first_due_on",
                        message: "Enter the day the first instalment is due, as 2026-12-31"
                            .to_owned(),
                    });
                    None
                }
            };
            match (instalments, first_due_on) {
                (Some(instalments), Some(first_due_on)) if errors.is_empty() => {
                    Ok(ArrearsChoice::PaymentPlan {
                        instalments,
                        first_due_on,
                    })
                }
                _ => Err(errors),
            }
        }
        _ => Err(vec![FieldError {
            field: "option",
            message: "Choose the option the customer chose".to_owned(),
        }]),
    }
}

/// `POST /arrears/{id}/choice`: the option the customer chose, carried out (a waiver or a
/// compromise waits for an approver).
pub async fn choose(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted<Kept>,
) -> Response {
    let Posted { desk, form } = posted;
    match choice_of(&form) {
        Ok(choice) => {
            let work = state.redress.cases().choose(&desk.actor, &id, choice);
            step(&state, &desk, &id, work, "chosen", "option", form).await
        }
        Err(errors) => arrears_page(&state, &desk, &id, None, errors, form).await,
    }
}

/// The decision on what is forgone.
#[derive(Deserialize)]
pub struct Decision {
    #[serde(default)]
    decision: String,
}

/// `POST /arrears/{id}/waiver`: an approver approves or refuses the waiver or the compromise
/// the customer asked for (never the one who recorded it: the service checks).
pub async fn decide(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted<Decision>,
) -> Response {
    let Posted { desk, form } = posted;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => {
            let errors = vec![FieldError {
                field: "decision",
                message: "Choose to approve or to refuse what the customer asked to have forgone"
                    .to_owned(),
            }];
            return arrears_page(&state, &desk, &id, None, errors, Kept::default()).await;
        }
    };
    // What waits, for the words said once it is decided (a refused compromise's terms go).
    let compromise = match state.redress.cases().get(&id).await {
        Ok(case) => case.is_some_and(|case| case.compromise.is_some()),
        Err(e) => return super::unavailable(&e),
    };
    let work = state
        .redress
        .cases()
        .decide_forgone(&desk.actor, &id, approve);
    let done = match (compromise, approve) {
        (false, true) => "approved",
        (false, false) => "refused",
        (true, true) => "compromise_approved",
        (true, false) => "compromise_refused",
    };
    step(&state, &desk, &id, work, done, "decision", Kept::default()).await
}
