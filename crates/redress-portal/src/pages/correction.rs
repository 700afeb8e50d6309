//! `GET /portal/{token}/corrections/{id}`: an arrears case offered to the customer: what was
//! under-billed (each item, its period and amount, then net, tax and total), written as an
//! apology, and the options: add it to the next invoice, a separate invoice, or monthly
//! instalments (2 to 12). `POST …/choice` carries the choice out at once; the page then shows
//! what was billed (the invoice as PDF, or the instalments).
//!
//! A case the business has not offered yet (still `open`) is not shown: the customer has not
//! been told of it.

use super::{Chrome, Done, FieldError, render, see_other};
use crate::PortalState;
use crate::guard::{Visit, enter, field, posted};
use crate::text::{Shown, Texts};
use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::arrears::{ArrearsOption, ArrearsStatus};
use redress_domain::message::DocumentRef;
use redress_domain::{Date, Decimal};
use redress_service::ServiceError;
use redress_service::portal::PortalRefused;
use redress_service::records::{ArrearsCase, ArrearsChoice};

/// The fewest and the most monthly instalments the portal offers.
pub const INSTALMENTS: std::ops::RangeInclusive<u32> = 2..=12;

/// An arrears correction's page.
#[derive(Template)]
#[template(path = "correction.html")]
pub struct CorrectionPage {
    chrome: Chrome,
    t: Texts,
    base: String,
    csrf: String,
    flash: Option<String>,
    errors: Vec<FieldError>,
    id: String,
    heading: String,
    status: String,
    tone: &'static str,
    /// `We found it on November 5, 2026.`
    found_on: String,
    items: Vec<Item>,
    net: String,
    tax: String,
    total: String,
    /// Whether the case waits for the customer's choice (the form is shown).
    offered: bool,
    /// `(value, id, words, hint)` of each option.
    options: Vec<(&'static str, &'static str, String, String)>,
    chosen_option: String,
    instalments: String,
    /// What was billed, once chosen: sentences, a document, instalments.
    billed: Vec<String>,
    document: Option<(String, String)>,
    /// `(due, amount)`.
    plan: Vec<(Shown, String)>,
}

impl CorrectionPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::error_of(&self.errors, field)
    }
}

/// An item under-billed.
pub struct Item {
    what: String,
    kind: Option<String>,
    period: Option<String>,
    net: String,
}

/// When the first instalment falls due: a month from `today`.
fn first_due(today: Date) -> Date {
    today
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(today)
}

async fn case_of(
    state: &PortalState,
    visit: &Visit,
    id: &str,
) -> Result<ArrearsCase, ServiceError> {
    state
        .redress
        .portal()
        .arrears_cases(&visit.visitor)
        .await?
        .into_iter()
        .find(|c| c.id == id && c.status != ArrearsStatus::Open)
        .ok_or_else(|| PortalRefused::NotYours("arrears case").into())
}

async fn load(
    state: &PortalState,
    visit: &Visit,
    id: &str,
) -> Result<CorrectionPage, ServiceError> {
    let t = visit.t;
    let case = case_of(state, visit, id).await?;
    let zone = state.redress.communication().calendar.time_zone();
    let today = zone.to_datetime(jiff::Timestamp::now()).date();
    let money = |amount: Decimal| t.amount(amount, case.currency);
    let (status, tone) = super::home::case_status(t, case.status)
        .unwrap_or_else(|| (t.say("case-offered"), "tag--warn"));
    let items = case
        .items
        .iter()
        .map(|item| Item {
            what: match &item.invoice_id {
                Some(invoice) => t.with("item-invoice", &[("invoice", invoice.clone())]),
                None => t.say("item-unbilled"),
            },
            kind: item.kind.map(|k| t.finding(k)),
            period: item.period.as_ref().map(|p| {
                t.with(
                    "period",
                    &[("from", t.day(p.start())), ("to", t.day(p.end()))],
                )
            }),
            net: money(item.net),
        })
        .collect();
    let mut billed = Vec::new();
    let mut plan = Vec::new();
    if case.status == ArrearsStatus::AwaitingApproval {
        billed.push(t.say("chosen-waiting"));
    }
    if case.status == ArrearsStatus::Settled {
        match case.choice {
            Some(ArrearsOption::NextInvoice) => billed.push(t.say("chosen-next-invoice")),
            Some(ArrearsOption::SeparateInvoice) => billed.push(t.say("chosen-separate")),
            Some(ArrearsOption::PaymentPlan) => billed.push(t.say("chosen-plan")),
            Some(ArrearsOption::Compromise) => billed.push(t.say("chosen-compromise")),
            Some(ArrearsOption::Waive) => billed.push(t.say("chosen-waived")),
            None => {}
        }
        if let Some(plan_id) = &case.plan_id
            && let Some(stored) = state.redress.books().plan(plan_id).await?
            && stored.customer_id == visit.visitor.customer_id
        {
            plan = stored
                .instalments
                .iter()
                .map(|i| (t.shown_day(i.due_on), t.amount(i.amount, stored.currency)))
                .collect();
        }
    }
    let document = case.document_id.as_ref().map(|doc| {
        super::dispute::document_link(t, &visit.base, &DocumentRef::IssuedInvoice(doc.clone()))
    });
    let heading = t.say("correction-title");
    Ok(CorrectionPage {
        chrome: Chrome::new(state, t, Some(visit), &heading, false),
        t,
        base: visit.base.clone(),
        csrf: visit.csrf.clone(),
        flash: None,
        errors: Vec::new(),
        id: case.id.clone(),
        heading,
        status,
        tone,
        found_on: t.with(
            "correction-found",
            &[("day", t.day(zone.to_datetime(case.found_at).date()))],
        ),
        items,
        net: money(case.net),
        tax: money(case.tax),
        total: money(case.total),
        offered: case.status == ArrearsStatus::Offered,
        options: vec![
            (
                "next_invoice",
                "option-next_invoice",
                t.say("option-next-invoice"),
                t.say("option-next-invoice-hint"),
            ),
            (
                "separate_invoice",
                "option-separate_invoice",
                t.say("option-separate"),
                t.with("option-separate-hint", &[("total", money(case.total))]),
            ),
            (
                "payment_plan",
                "option-payment_plan",
                t.say("option-plan"),
                t.with("option-plan-hint", &[("day", t.day(first_due(today)))]),
            ),
        ],
        chosen_option: String::new(),
        instalments: String::new(),
        billed,
        document,
        plan,
    })
}

/// `GET /portal/{token}/corrections/{id}`.
pub async fn page(
    State(state): State<PortalState>,
    Path((token, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Response {
    let visit = match enter(&state, &token, &headers).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    match load(&state, &visit, &id).await {
        Ok(mut page) => {
            page.flash = done.sentence(visit.t);
            render(StatusCode::OK, &page)
        }
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}

/// `POST /portal/{token}/corrections/{id}/choice`: `option` (`next_invoice`,
/// `separate_invoice`, `payment_plan`) and, for a plan, `instalments`.
pub async fn choose(
    State(state): State<PortalState>,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (visit, fields) = match posted(&state, &token, &headers, request.into_body()).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let t = visit.t;
    let option = field(&fields, "option").to_owned();
    let instalments = field(&fields, "instalments").trim().to_owned();
    let zone = state.redress.communication().calendar.time_zone();
    let today = zone.to_datetime(jiff::Timestamp::now()).date();
    let mut errors = Vec::new();
    let choice = match option.as_str() {
        "next_invoice" => Some(ArrearsChoice::NextInvoice),
        "separate_invoice" => Some(ArrearsChoice::SeparateInvoice),
        "payment_plan" => match instalments.parse::<u32>() {
            Ok(n) if INSTALMENTS.contains(&n) => Some(ArrearsChoice::PaymentPlan {
                instalments: n,
                first_due_on: first_due(today),
            }),
            _ => {
                errors.push(FieldError {
                    field: "instalments",
                    message: t.say("err-instalments"),
                });
                None
            }
        },
        _ => {
            errors.push(FieldError {
                field: "option-next_invoice",
                message: t.say("err-option"),
            });
            None
        }
    };
    if let Some(choice) = choice {
        match state
            .redress
            .portal()
            .choose(&visit.visitor, &id, choice)
            .await
        {
            Ok(case) => {
                return see_other(&format!(
                    "{}/corrections/{}?done=chosen",
                    visit.base, case.id
                ));
            }
            Err(ServiceError::Portal(PortalRefused::Invalid { .. })) => errors.push(FieldError {
                field: "option-next_invoice",
                message: t.say("err-option"),
            }),
            Err(ServiceError::Arrears(e)) => {
                tracing::warn!(error = %e, case = id, "a customer's choice was refused");
                return super::not_now(&state, &visit);
            }
            Err(e) => return super::failed(&state, Some(&visit), &e),
        }
    }
    match load(&state, &visit, &id).await {
        Ok(mut page) => {
            page.chrome = Chrome::new(&state, t, Some(&visit), &page.heading, true);
            page.errors = errors;
            page.chosen_option = option;
            page.instalments = instalments;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}
