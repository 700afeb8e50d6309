//! `GET /portal/{token}`: the customer's disputes (reference, invoice, amount, status in words,
//! last change), the corrections of under-billing waiting for their choice, and the way to
//! open a new dispute.

use super::{Chrome, Done, render};
use crate::PortalState;
use crate::guard::{Visit, enter};
use crate::text::{Shown, Texts};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::DisputeStatus;
use redress_domain::arrears::ArrearsStatus;
use redress_service::records::ArrearsCase;

/// The customer's home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    chrome: Chrome,
    t: Texts,
    base: String,
    flash: Option<String>,
    greeting: String,
    disputes: Vec<DisputeLine>,
    waiting: Vec<CaseLine>,
    earlier: Vec<CaseLine>,
}

/// A dispute in the list.
pub struct DisputeLine {
    id: String,
    invoice: String,
    claimed: String,
    status: String,
    tone: &'static str,
    changed: Shown,
}

/// An arrears correction in the list.
pub struct CaseLine {
    id: String,
    /// `Correction of EUR 864.00`.
    link: String,
    status: String,
    tone: &'static str,
    found: Shown,
}

/// The tag's look for a status (its word says it; the colour only helps).
pub fn tone(status: DisputeStatus) -> &'static str {
    match status {
        DisputeStatus::Open | DisputeStatus::Acknowledged => "tag--info",
        DisputeStatus::Investigating => "tag--info",
        DisputeStatus::AwaitingCustomer => "tag--warn",
        DisputeStatus::Resolved => "tag--ok",
        DisputeStatus::Closed | DisputeStatus::Withdrawn => "tag--mute",
    }
}

/// An arrears case's status for the customer, with its tag's look; `None` for a case not yet
/// offered to them (the business has not told them of it).
pub fn case_status(t: Texts, status: ArrearsStatus) -> Option<(String, &'static str)> {
    Some(match status {
        ArrearsStatus::Open => return None,
        ArrearsStatus::Offered => (t.say("case-offered"), "tag--warn"),
        ArrearsStatus::AwaitingApproval => (t.say("case-awaiting-approval"), "tag--info"),
        ArrearsStatus::Settled => (t.say("case-settled"), "tag--ok"),
    })
}

fn case_line(t: Texts, zone: &jiff::tz::TimeZone, case: &ArrearsCase) -> Option<CaseLine> {
    let (status, tone) = case_status(t, case.status)?;
    Some(CaseLine {
        id: case.id.clone(),
        link: t.with(
            "correction-link",
            &[("amount", t.amount(case.total, case.currency))],
        ),
        status,
        tone,
        found: t.shown_day(
            zone.to_datetime(case.offered_at.unwrap_or(case.found_at))
                .date(),
        ),
    })
}

/// `GET /portal/{token}`.
pub async fn page(
    State(state): State<PortalState>,
    Path(token): Path<String>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Response {
    let visit = match enter(&state, &token, &headers).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    match load(&state, &visit, done.sentence(visit.t)).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}

async fn load(
    state: &PortalState,
    visit: &Visit,
    flash: Option<String>,
) -> Result<HomePage, redress_service::ServiceError> {
    let portal = state.redress.portal();
    let t = visit.t;
    let zone = state.redress.communication().calendar.time_zone();
    let disputes = portal
        .disputes(&visit.visitor)
        .await?
        .iter()
        .map(|d| DisputeLine {
            id: d.id.clone(),
            invoice: d.invoice_id.clone(),
            claimed: t.money(d.claimed),
            status: t.status(d.status),
            tone: tone(d.status),
            changed: t.moment(d.updated_at, zone),
        })
        .collect();
    let cases = portal.arrears_cases(&visit.visitor).await?;
    let (waiting, earlier): (Vec<&ArrearsCase>, Vec<&ArrearsCase>) = cases
        .iter()
        .filter(|c| c.status != ArrearsStatus::Open)
        .partition(|c| c.status == ArrearsStatus::Offered);
    let title = t.say("home-title");
    Ok(HomePage {
        chrome: Chrome::new(state, t, Some(visit), &title, false),
        t,
        base: visit.base.clone(),
        flash,
        greeting: t.with(
            "home-greeting",
            &[("name", visit.visitor.name.trim_end_matches('.').to_owned())],
        ),
        disputes,
        waiting: waiting
            .into_iter()
            .filter_map(|c| case_line(t, zone, c))
            .collect(),
        earlier: earlier
            .into_iter()
            .filter_map(|c| case_line(t, zone, c))
            .collect(),
    })
}
