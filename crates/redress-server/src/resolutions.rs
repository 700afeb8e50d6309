//! Resolutions of disputes: proposed, approved or refused, and read back.
//!
//! The approval policy is the server's (`redress serve --agent-limit`, `--approval-for`; by
//! default an agent may give up to 100 in the invoice's currency on their own, every write-off
//! needs an approver), and no one approves their own proposal.

use crate::AppState;
use crate::auth::Authenticated;
use crate::disputes::{DisputeId, write};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::IdempotencyKey;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::{Currency, parse_date, parse_decimal, timestamp_text};
use redress_service::records::Resolution;
use redress_service::resolutions::{Proposal, resolution_kind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A line of a credit note proposed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditLine {
    /// The invoice line (from 1).
    #[schema(minimum = 1)]
    pub line_no: u32,
    /// Net amount to credit, as an exact decimal string in the invoice's currency.
    #[schema(example = "12.50")]
    pub amount: String,
}

/// An instalment of a payment plan proposed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentBody {
    /// When it is due, `YYYY-MM-DD`.
    #[schema(example = "2027-01-31")]
    pub due_on: String,
    /// How much, as an exact decimal string in the invoice's currency.
    #[schema(example = "100.00")]
    pub amount: String,
}

/// The body of `POST /api/v1/disputes/{id}/resolutions`. Which fields a kind needs:
/// `credit_note`: `lines`; `refund`: `payment_id` and `amount`; `account_credit`, `goodwill`
/// and `write_off`: `amount`; `payment_plan`: `instalments`, or `instalment_count` and
/// `first_due_on` (and `amount` to spread less than the invoice has open);
/// `corrected_invoice`: `lines` (each changed line's corrected net amount, zero to drop it);
/// `reject`: only the reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResolutionBody {
    /// `credit_note`, `refund`, `account_credit`, `goodwill`, `payment_plan`, `write_off`,
    /// `reject` or `corrected_invoice`.
    #[schema(example = "credit_note")]
    pub kind: String,
    /// Why, in words the customer will read.
    pub reason: String,
    /// The currency of the amounts; must be the invoice's when given.
    pub currency: Option<String>,
    /// Credit note: the lines and the net amount credited on each. Corrected invoice: the
    /// lines changed and their corrected net amounts.
    #[serde(default)]
    pub lines: Vec<CreditLine>,
    /// How much, as an exact decimal string in the invoice's currency.
    #[schema(example = "25.00")]
    pub amount: Option<String>,
    /// Refund: the payment paid back.
    pub payment_id: Option<String>,
    /// Payment plan: the instalments, in order; they must add up exactly.
    #[serde(default)]
    pub instalments: Vec<InstalmentBody>,
    /// Payment plan: this many monthly instalments, as even as the currency allows …
    pub instalment_count: Option<u32>,
    /// … the first due on this day, `YYYY-MM-DD`.
    pub first_due_on: Option<String>,
    /// Offer it to the customer, who accepts it in the portal (it is carried out then) or
    /// declines it, instead of carrying it out at once. Several offered on one dispute are
    /// alternatives, of which the customer accepts one. An offer that needs an approver goes to
    /// the customer once approved.
    #[serde(default)]
    pub offer: bool,
}

/// The body of approving or refusing a resolution.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// What the approver says.
    pub note: Option<String>,
}

/// A resolution of a dispute.
#[derive(Serialize, ToSchema)]
pub struct ResolutionView {
    /// Its id.
    pub id: String,
    /// The dispute.
    pub dispute_id: String,
    /// `credit_note`, `reject`, …
    pub kind: String,
    /// `pending_approval`, `offered` (waiting for the customer), `applied`, `refused` or
    /// `declined` (by the customer, or another option accepted).
    pub status: String,
    /// What it gives the customer, net.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Why.
    pub reason: String,
    /// Why it waits (or waited) for an approver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_reason: Option<String>,
    /// Who proposed it, and when.
    pub proposed_by: String,
    /// When.
    pub proposed_at: String,
    /// Who approved or refused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// What the approver said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_note: Option<String>,
    /// The document applying it wrote, e.g. the credit note's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Offered to the customer, to accept or decline.
    pub offered: bool,
    /// When the customer accepted or declined it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    /// What the customer said declining it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_note: Option<String>,
}

impl From<Resolution> for ResolutionView {
    fn from(r: Resolution) -> Self {
        Self {
            id: r.id,
            dispute_id: r.dispute_id,
            kind: r.kind.as_str().to_owned(),
            status: r.status.as_str().to_owned(),
            amount: r.currency.format(r.amount),
            currency: r.currency.code().to_owned(),
            reason: r.reason,
            approval_reason: r.approval_reason,
            proposed_by: r.proposed_by,
            proposed_at: timestamp_text(r.proposed_at),
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(timestamp_text),
            decision_note: r.decision_note,
            document_id: r.document_id,
            offered: r.offered,
            answered_at: r.answered_at.map(timestamp_text),
            answer_note: r.answer_note,
        }
    }
}

/// A dispute's resolutions, oldest first.
#[derive(Serialize, ToSchema)]
pub struct ResolutionList {
    /// The resolutions.
    pub resolutions: Vec<ResolutionView>,
}

/// A resolution named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ResolutionId {
    /// Its id.
    pub id: String,
}

/// Proposes a resolution: applied at once when the policy allows (a credit note is issued),
/// else left waiting for an approver; or, with `offer`, offered to the customer to accept in
/// the portal.
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/resolutions",
    operation_id = "propose_resolution",
    tag = "resolutions",
    params(DisputeId, IdempotencyKey),
    request_body = NewResolutionBody,
    responses(
        (status = CREATED, description = "Proposed: applied, offered to the customer, or waiting for approval", body = ResolutionView),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "The dispute is no longer open", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "A field is wrong (`details.field`): an unknown kind, a currency not the invoice's, a line the invoice lacks or more than it has left to credit", body = ErrorBody),
    )
)]
pub async fn propose_resolution(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/resolutions");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: NewResolutionBody| async move {
            let lines = body
                .lines
                .iter()
                .map(|line| {
                    parse_decimal(&line.amount)
                        .map(|amount| (line.line_no, amount))
                        .map_err(|e| {
                            ApiError::invalid_field(
                                "lines",
                                format!("line {}: amount {e}", line.line_no),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let decimal = |field: &'static str, text: &str| {
                parse_decimal(text)
                    .map_err(|e| ApiError::invalid_field(field, format!("{field} {e}")))
            };
            let date = |field: &'static str, text: &str| {
                parse_date(text).map_err(|e| ApiError::invalid_field(field, format!("{field} {e}")))
            };
            let instalments = body
                .instalments
                .iter()
                .enumerate()
                .map(|(i, instalment)| {
                    let at = |e: ApiError| {
                        ApiError::invalid_field(
                            "instalments",
                            format!("instalment {}: {}", i + 1, e.message()),
                        )
                    };
                    Ok((
                        date("due_on", &instalment.due_on).map_err(at)?,
                        decimal("amount", &instalment.amount).map_err(at)?,
                    ))
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            let amount = body
                .amount
                .as_deref()
                .map(|a| decimal("amount", a))
                .transpose()?;
            let first_due_on = body
                .first_due_on
                .as_deref()
                .map(|d| date("first_due_on", d))
                .transpose()?;
            let kind =
                resolution_kind(&body.kind).map_err(|e| ApiError::invalid_field("kind", e))?;
            let currency = body
                .currency
                .as_deref()
                .map(|code| {
                    Currency::from_code(code)
                        .map_err(|e| ApiError::invalid_field("currency", e.to_string()))
                })
                .transpose()?;
            let proposal = Proposal {
                kind,
                reason: body.reason,
                currency,
                lines,
                amount,
                payment_id: body.payment_id,
                instalments,
                instalment_count: body.instalment_count,
                first_due_on,
                offer: body.offer,
            };
            let work = redress
                .books()
                .prepare_proposal(&actor, &id, proposal)
                .await?;
            Ok(work
                .map_err(ApiError::from)
                .map(|proposed| (StatusCode::CREATED, ResolutionView::from(proposed))))
        },
    )
    .await
}

/// A dispute's resolutions, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/resolutions",
    operation_id = "list_resolutions",
    tag = "resolutions",
    params(DisputeId),
    responses(
        (status = OK, description = "The resolutions", body = ResolutionList),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
    )
)]
pub async fn list_resolutions(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ResolutionList>, ApiError> {
    crate::disputes::existing_dispute(&state, &id).await?;
    let resolutions = state.redress.books().resolutions_of(&id).await?;
    Ok(Json(ResolutionList {
        resolutions: resolutions.into_iter().map(ResolutionView::from).collect(),
    }))
}

/// A resolution.
#[utoipa::path(
    get,
    path = "/api/v1/resolutions/{id}",
    operation_id = "get_resolution",
    tag = "resolutions",
    params(ResolutionId),
    responses(
        (status = OK, description = "The resolution", body = ResolutionView),
        (status = NOT_FOUND, description = "No resolution has this id", body = ErrorBody),
    )
)]
pub async fn get_resolution(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ResolutionView>, ApiError> {
    let resolution = state
        .redress
        .books()
        .resolution(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no resolution has the id `{id}`")))?;
    Ok(Json(resolution.into()))
}

async fn decide_route(
    state: AppState,
    caller: Authenticated,
    id: String,
    headers: HeaderMap,
    bytes: Bytes,
    approve: bool,
) -> Response {
    let verb = if approve { "approve" } else { "reject" };
    let route = format!("POST /api/v1/resolutions/{id}/{verb}");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Decision| async move {
            // Who may decide is asked in the transaction that decides.
            let work = redress.books().decide(&actor, &id, approve, body.note);
            Ok(work
                .map_err(ApiError::from)
                .map(|decided| (StatusCode::OK, ResolutionView::from(decided))))
        },
    )
    .await
}

/// Approves a resolution waiting for approval, and applies it (a credit note is issued). Only an
/// approver or admin may, and never the one who proposed it.
#[utoipa::path(
    post,
    path = "/api/v1/resolutions/{id}/approve",
    operation_id = "approve_resolution",
    tag = "resolutions",
    params(ResolutionId, IdempotencyKey),
    request_body = Option<Decision>,
    responses(
        (status = OK, description = "Approved and applied", body = ResolutionView),
        (status = FORBIDDEN, description = "The caller is not an approver, or proposed it", body = ErrorBody),
        (status = NOT_FOUND, description = "No resolution has this id", body = ErrorBody),
        (status = CONFLICT, description = "It was approved or refused already", body = ErrorBody),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    decide_route(state, caller, id, headers, bytes, true).await
}

/// Refuses a resolution waiting for approval: nothing is applied. Only an approver or admin
/// may, and never the one who proposed it.
#[utoipa::path(
    post,
    path = "/api/v1/resolutions/{id}/reject",
    operation_id = "reject_resolution",
    tag = "resolutions",
    params(ResolutionId, IdempotencyKey),
    request_body = Option<Decision>,
    responses(
        (status = OK, description = "Refused", body = ResolutionView),
        (status = FORBIDDEN, description = "The caller is not an approver, or proposed it", body = ErrorBody),
        (status = NOT_FOUND, description = "No resolution has this id", body = ErrorBody),
        (status = CONFLICT, description = "It was approved or refused already", body = ErrorBody),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    decide_route(state, caller, id, headers, bytes, false).await
}

/// What the recommendation weighed about the customer.
#[derive(Serialize, ToSchema)]
pub struct RecommendationFacts {
    /// Days since they became a customer.
    pub tenure_days: i64,
    /// Invoiced in the twelve months before the dispute, in its currency.
    pub revenue_last_year: String,
    /// Invoices due in those twelve months.
    pub invoices_due: u32,
    /// Of those, paid in full by their due date, in percent (absent when none fell due).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_on_time_percent: Option<String>,
    /// Their other disputes in the twelve months.
    pub disputes_last_year: u32,
    /// … in the last ninety days.
    pub disputes_last_quarter: u32,
    /// … of the twelve months', rejected.
    pub rejected_last_year: u32,
}

/// A resolution recommended for a dispute, and why.
#[derive(Serialize, ToSchema)]
pub struct RecommendationView {
    /// `credit_note`, `goodwill` or `reject`.
    pub kind: String,
    /// For a credit note or goodwill: how much, net.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The invoice was paid: offer a refund (or an account credit) of the corrected amount,
    /// at most this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_up_to: Option<String>,
    /// ISO 4217 code.
    pub currency: String,
    /// Why, in plain words, most important first.
    pub reasons: Vec<String>,
    /// `repeat_disputer`, `possible_abuse`: for the agent; they never turn a claim the records
    /// support into a refusal.
    pub flags: Vec<String>,
    /// What it weighed.
    pub facts: RecommendationFacts,
}

/// The resolution recommended for a dispute: from its verification, the customer's tenure,
/// revenue and punctuality over the last year, and their other disputes.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/recommendation",
    operation_id = "recommend_resolution",
    tag = "resolutions",
    params(DisputeId),
    responses(
        (status = OK, description = "The recommendation", body = RecommendationView),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
    )
)]
pub async fn recommendation(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<RecommendationView>, ApiError> {
    use redress_domain::recommendation::Recommended;
    let (facts, advice) = state
        .redress
        .disputes()
        .recommendation(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no dispute has the id `{id}`")))?;
    let currency = facts.verification.currency;
    let (kind, amount) = match advice.recommended {
        Recommended::CreditNote(amount) => ("credit_note", Some(currency.format(amount))),
        Recommended::Goodwill(amount) => ("goodwill", Some(currency.format(amount))),
        Recommended::Reject => ("reject", None),
    };
    let r = &facts.relationship;
    Ok(Json(RecommendationView {
        kind: kind.into(),
        amount,
        refund_up_to: advice.refund_up_to.map(|a| currency.format(a)),
        currency: currency.code().into(),
        reasons: advice.reasons,
        flags: advice.flags.iter().map(|f| f.as_str().to_owned()).collect(),
        facts: RecommendationFacts {
            tenure_days: r.tenure_days,
            revenue_last_year: currency.format(r.revenue),
            invoices_due: r.invoices_due,
            paid_on_time_percent: r.punctuality_percent().map(|p| p.to_string()),
            disputes_last_year: facts.history.last_year,
            disputes_last_quarter: facts.history.last_quarter,
            rejected_last_year: facts.history.rejected_last_year,
        },
    }))
}
