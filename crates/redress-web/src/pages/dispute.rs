//! A dispute's case page, `GET /disputes/{id}`. This first version is its header, the facts at
//! a glance: what is disputed and by whom, where it stands, who works it, and the customer's
//! own words. The rest of the case (invoice, findings, timeline, checklist, actions) is added
//! below it as sections of the same template.

use super::{Viewer, render};
use crate::WebState;
use crate::format::{self, Amount, Day};
use crate::session::Desk;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use redress_service::records::{CustomerRecord, DisputeRow};

/// The case page.
#[derive(Template)]
#[template(path = "dispute.html")]
pub struct DisputePage {
    viewer: Option<Viewer>,
    case: CaseHeader,
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
    channel: String,
    narrative: String,
}

impl CaseHeader {
    fn of(dispute: DisputeRow, customer: Option<CustomerRecord>) -> Self {
        let today = format::today();
        let customer_name = customer.as_ref().map(|c| c.name.clone());
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
            language: customer.map(|c| c.language).filter(|l| !l.is_empty()),
            customer_name,
            id: dispute.id,
            customer_id: dispute.customer_id,
            invoice_id: dispute.invoice_id,
            assignee: dispute.assignee,
            channel: dispute.channel,
            narrative: dispute.narrative,
        }
    }
}

/// `GET /disputes/{id}`.
pub async fn page(State(state): State<WebState>, desk: Desk, Path(id): Path<String>) -> Response {
    let dispute = match state.redress.disputes().get(&id).await {
        Ok(Some(dispute)) => dispute,
        Ok(None) => {
            return super::not_found(
                Some(desk.viewer()),
                format!("No dispute has the id {id}. It may have been mistyped."),
            );
        }
        Err(e) => return super::unavailable(&e),
    };
    let customer = match state.redress.billing().customer(&dispute.customer_id).await {
        Ok(customer) => customer,
        Err(e) => return super::unavailable(&e),
    };
    render(
        StatusCode::OK,
        &DisputePage {
            viewer: Some(desk.viewer()),
            case: CaseHeader::of(dispute, customer),
        },
    )
}
