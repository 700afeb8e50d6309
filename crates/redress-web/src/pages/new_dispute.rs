//! `/disputes/new`: a dispute taken from a customer on the phone or by mail. The invoice is
//! found by a plain GET form (looked up as the agent types, where scripts run), then its lines
//! are offered to choose from; "Check first" shows what verifying it finds without saving, and
//! the dispute is opened (and verified at once) by the service, and the agent lands on its case.

use super::dispute::{FindingView, finding_view, verdict_words};
use super::{FieldError, Viewer, error_of, render};
use crate::WebState;
use crate::format::{self, Amount, Day};
use crate::session::{Desk, Posted};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::{BillingData, Currency, Decimal, DisputeReason, InvoiceIdx};
use redress_service::{DisputeIntake, IntakeError, ServiceError};
use serde::Deserialize;

/// How a dispute may come in, as the form offers it.
const CHANNELS: [&str; 5] = ["phone", "email", "letter", "portal", "in person"];

/// The longest narrative taken, in characters.
const MAX_NARRATIVE_CHARS: usize = 20_000;

/// What the forms send (kept when refused).
#[derive(Debug, Default, Deserialize)]
pub struct NewDisputeForm {
    #[serde(default)]
    invoice: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    claimed: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    narrative: String,
    /// `check` to verify without saving; anything else opens the dispute.
    #[serde(default)]
    act: String,
}

/// An invoice line to choose.
pub struct LineChoice {
    no: u32,
    description: String,
    amount: Amount,
}

/// The invoice found.
pub struct InvoiceFound {
    id: String,
    customer: String,
    currency: &'static str,
    issued: Day,
    total: Amount,
    lines: Vec<LineChoice>,
}

/// What verifying the dispute as filled in finds, before it is saved.
pub struct CheckView {
    verdict: &'static str,
    /// What the records support in the customer's favour.
    adjustment: Amount,
    findings: Vec<FindingView>,
}

/// The page.
#[derive(Template)]
#[template(path = "new_dispute.html")]
pub struct NewDisputePage {
    viewer: Option<Viewer>,
    form: NewDisputeForm,
    invoice: Option<InvoiceFound>,
    check: Option<CheckView>,
    /// Looked up as the agent types: an id not found (yet) is said quietly in place, not as an
    /// error.
    lookup: bool,
    reasons: Vec<(&'static str, &'static str)>,
    channels: [&'static str; 5],
    errors: Vec<FieldError>,
}

impl NewDisputePage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

fn reason_words(reason: DisputeReason) -> &'static str {
    match reason {
        DisputeReason::Overcharged => "Overcharged",
        DisputeReason::Duplicate => "Charged twice",
        DisputeReason::NotReceived => "Not received",
        DisputeReason::WrongPrice => "Wrong price",
        DisputeReason::LateFee => "Unfair late fee",
        DisputeReason::Other => "Something else",
    }
}

fn found(data: &BillingData, invoice_id: &str) -> Option<InvoiceFound> {
    let index = InvoiceIdx(data.invoice_ids.get(invoice_id)?);
    let invoice = data.invoice(index);
    let currency = invoice.currency;
    let customer = &data.customers[invoice.customer.0 as usize];
    let issued = format::day(invoice.issue_date, format::today());
    Some(InvoiceFound {
        id: invoice_id.to_owned(),
        customer: customer.name.clone(),
        currency: currency.code(),
        issued,
        total: format::amount(invoice.total, currency),
        lines: data
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.invoice == index)
            .map(|(i, l)| LineChoice {
                no: l.line_no,
                description: data.line_descriptions.get(i).to_owned(),
                amount: format::amount(l.amount, currency),
            })
            .collect(),
    })
}

/// The page for `form`, with the invoice it names when there is one, and that invoice's
/// contract data and currency.
async fn page_for(
    state: &WebState,
    desk: &Desk,
    form: NewDisputeForm,
    mut errors: Vec<FieldError>,
) -> Result<(NewDisputePage, Option<(BillingData, Currency)>), Response> {
    let invoice_id = form.invoice.trim().to_owned();
    let mut invoice = None;
    let mut loaded = None;
    if !invoice_id.is_empty() {
        match state
            .redress
            .billing()
            .contract_data_for_invoice(&invoice_id)
            .await
        {
            Ok(Some(data)) => {
                invoice = found(&data, &invoice_id);
                if let Some(i) = data.invoice_ids.get(&invoice_id) {
                    let currency = data.invoice(InvoiceIdx(i)).currency;
                    loaded = Some((data, currency));
                }
            }
            Ok(None) => errors.push(FieldError {
                field: "invoice",
                message: format!(
                    "No invoice has the id {invoice_id}: check it on the customer's copy"
                ),
            }),
            Err(e) => return Err(super::unavailable(&e)),
        }
    }
    let mut form = form;
    if form.reason.is_empty() {
        form.reason = DisputeReason::Overcharged.as_str().to_owned();
    }
    if form.channel.is_empty() {
        form.channel = CHANNELS[0].to_owned();
    }
    Ok((
        NewDisputePage {
            viewer: Some(desk.viewer()),
            form,
            invoice,
            check: None,
            lookup: false,
            reasons: DisputeReason::ALL
                .iter()
                .map(|(r, name)| (*name, reason_words(*r)))
                .collect(),
            channels: CHANNELS,
            errors,
        },
        loaded,
    ))
}

/// `GET /disputes/new[?invoice=…]`; asked by htmx as the agent types the invoice's id, an id
/// not found is no error (htmx swaps in only what answers 200).
pub async fn page(
    State(state): State<WebState>,
    desk: Desk,
    headers: HeaderMap,
    Query(form): Query<NewDisputeForm>,
) -> Response {
    // The form is the first step of taking a dispute, which a role that reads only does not.
    if !desk.actor.role.can_write() {
        return refused_role(&desk);
    }
    let lookup = headers.contains_key("hx-request");
    match page_for(&state, &desk, form, Vec::new()).await {
        Ok((mut page, _)) => {
            if lookup {
                page.lookup = true;
                page.errors.clear();
            }
            let status = if page.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(status, &page)
        }
        Err(refused) => refused,
    }
}

/// `POST /disputes`: the dispute opened and verified; to its case.
pub async fn open(
    State(state): State<WebState>,
    Posted { desk, form }: Posted<NewDisputeForm>,
) -> Response {
    let (page, loaded) = match page_for(&state, &desk, form, Vec::new()).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let (Some((data, currency)), false) = (loaded, page.invoice.is_none()) else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let mut errors = Vec::new();
    let form = &page.form;
    let cleaned: String = form.claimed.trim().chars().filter(|c| *c != ',').collect();
    let claimed = cleaned
        .parse::<Decimal>()
        .ok()
        .filter(|a| *a >= Decimal::ZERO && currency.holds(*a));
    if claimed.is_none() {
        errors.push(FieldError {
            field: "claimed",
            message: format!(
                "Enter the amount disputed in {currency}, like 120.50 (at most {} decimals)",
                currency.minor_unit()
            ),
        });
    }
    let narrative = form.narrative.trim();
    if narrative.is_empty() {
        errors.push(FieldError {
            field: "narrative",
            message: "Enter what the customer says, in their words".to_owned(),
        });
    } else if narrative.chars().count() > MAX_NARRATIVE_CHARS || narrative.contains('\0') {
        errors.push(FieldError {
            field: "narrative",
            message: format!(
                "The customer's words may be at most {MAX_NARRATIVE_CHARS} characters"
            ),
        });
    }
    let line_no = form.line.trim().parse::<u32>().ok();
    let reason = DisputeReason::from_name(&form.reason).unwrap_or(DisputeReason::Other);
    let channel = if CHANNELS.contains(&form.channel.as_str()) {
        form.channel.clone()
    } else {
        CHANNELS[0].to_owned()
    };
    let (Some(claimed), true) = (claimed, errors.is_empty()) else {
        let mut page = page;
        page.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let intake = DisputeIntake {
        id: None,
        invoice_id: form.invoice.trim().to_owned(),
        line_no,
        reason,
        claimed_amount: claimed,
        narrative: narrative.to_owned(),
        channel,
        opened_on: None,
    };
    if form.act == "check" {
        return match state.redress.disputes().check(&desk.actor, intake).await {
            Ok(checked) => {
                let findings = checked.verification.findings.records().unwrap_or_default();
                let mut page = page;
                page.check = Some(CheckView {
                    verdict: verdict_words(checked.verification.verdict),
                    adjustment: format::amount(checked.verification.adjustment, currency),
                    findings: findings
                        .iter()
                        .map(|f| finding_view(f, Some(&data)))
                        .collect(),
                });
                render(StatusCode::OK, &page)
            }
            Err(e) => refused(page, &desk, e),
        };
    }
    match state.redress.disputes().open(&desk.actor, intake).await {
        Ok(dispute) => {
            Redirect::to(&format!("/disputes/{}?done=opened", dispute.id)).into_response()
        }
        Err(e) => refused(page, &desk, e),
    }
}

/// The page again, or a refusal, when the service refuses the dispute as filled in.
fn refused(page: NewDisputePage, desk: &Desk, error: ServiceError) -> Response {
    match error {
        ServiceError::Intake(
            e @ (IntakeError::UnknownLine { .. } | IntakeError::BadClaim { .. }),
        ) => {
            let mut page = page;
            page.errors = vec![FieldError {
                field: if matches!(e, IntakeError::BadClaim { .. }) {
                    "claimed"
                } else {
                    "line-whole"
                },
                message: e.to_string(),
            }];
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        ServiceError::Denied(_) => refused_role(desk),
        e => super::unavailable(&e),
    }
}

/// 403 for a role that reads disputes but does not take them.
fn refused_role(desk: &Desk) -> Response {
    super::Problem {
        viewer: Some(desk.viewer()),
        title: "You cannot open disputes",
        message: "Your role reads disputes but does not take them.".to_owned(),
        link: ("/queue", "Go to the queue"),
    }
    .answer(StatusCode::FORBIDDEN)
}
