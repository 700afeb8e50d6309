//! Errors the business finds itself: arrears cases opened from an audit of the stored data
//! (offered to the customer, then settled by the option they choose) and systemic issues.

use crate::AppState;
use crate::auth::Authenticated;
use crate::disputes::write;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::IdempotencyKey;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::arrears::ArrearsStatus;
use redress_domain::{Decimal, Money, parse_date, parse_decimal, timestamp_text};
use redress_service::records::{ArrearsCase, ArrearsChoice, CompromiseBilling, SystemicIssue};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One under-billed item of an arrears case.
#[derive(Serialize, ToSchema)]
pub struct ArrearsItemView {
    /// The invoice, when the item sits on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// What was under-billed, in words.
    pub explanation: String,
    /// Net amount under-billed.
    pub net: String,
}

/// A way the customer may settle arrears.
#[derive(Serialize, ToSchema)]
pub struct ArrearsOptionView {
    /// `next_invoice`, `separate_invoice`, `payment_plan`, `compromise` or `waive`.
    pub option: String,
    /// What it means for the customer.
    pub description: String,
    /// Whether an approver must approve it.
    pub needs_approval: bool,
}

/// A compromise's terms: part of the arrears waived, the rest billed.
#[derive(Serialize, ToSchema)]
pub struct CompromiseView {
    /// The net amount waived, in the case's currency.
    pub waived: String,
    /// The net amount billed: the case's net less what is waived.
    pub billed_net: String,
    /// How the rest is billed: `next_invoice` or `separate_invoice`.
    pub billing: String,
}

/// An arrears case: a customer the business under-billed.
#[derive(Serialize, ToSchema)]
pub struct ArrearsCaseView {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// `open`, `offered`, `awaiting_approval` or `settled`.
    pub status: String,
    /// What was under-billed, item by item.
    pub items: Vec<ArrearsItemView>,
    /// Net under-billed.
    pub net: String,
    /// Tax on it, at the contract's rate.
    pub tax: String,
    /// What the customer owes.
    pub total: String,
    /// The ways to settle it, to offer the customer.
    pub options: Vec<ArrearsOptionView>,
    /// When the audit found it.
    pub found_at: String,
    /// Who ran the audit.
    pub found_by: String,
    /// When the customer was contacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered_at: Option<String>,
    /// How, and what they were told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_note: Option<String>,
    /// What they chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// A compromise's terms, once the customer chose one (kept once it is approved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compromise: Option<CompromiseView>,
    /// Who recorded the choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen_by: Option<String>,
    /// The approver who approved or refused a waiver or a compromise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The arrears invoice issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// The payment plan agreed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// When it was settled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<String>,
}

impl From<ArrearsCase> for ArrearsCaseView {
    fn from(c: ArrearsCase) -> Self {
        let currency = c.currency;
        let code = currency.code();
        let total = format!("{} {code}", currency.format(c.total));
        let sixths = currency.format(currency.round(c.total / Decimal::from(6)));
        let options = vec![
            ArrearsOptionView {
                option: "next_invoice".into(),
                description: format!("{total} added to the next invoice"),
                needs_approval: false,
            },
            ArrearsOptionView {
                option: "separate_invoice".into(),
                description: format!("{total} on an invoice of its own, now"),
                needs_approval: false,
            },
            ArrearsOptionView {
                option: "payment_plan".into(),
                description: format!(
                    "{total} over monthly instalments of the customer's choosing (over six: about {sixths} {code} a month)"
                ),
                needs_approval: false,
            },
            ArrearsOptionView {
                option: "compromise".into(),
                description: format!(
                    "part of the {} {code} net waived, the rest (with its tax) billed on the next invoice or an invoice of its own",
                    currency.format(c.net)
                ),
                needs_approval: true,
            },
            ArrearsOptionView {
                option: "waive".into(),
                description: "the arrears forgone, never billed".into(),
                needs_approval: true,
            },
        ];
        Self {
            id: c.id,
            customer_id: c.customer_id,
            currency: code.to_owned(),
            status: c.status.as_str().to_owned(),
            items: c
                .items
                .into_iter()
                .map(|i| ArrearsItemView {
                    invoice_id: i.invoice_id,
                    explanation: i.explanation,
                    net: currency.format(i.net),
                })
                .collect(),
            net: currency.format(c.net),
            tax: currency.format(c.tax),
            total: currency.format(c.total),
            options,
            found_at: timestamp_text(c.found_at),
            found_by: c.found_by,
            offered_at: c.offered_at.map(timestamp_text),
            offer_note: c.offer_note,
            choice: c.choice.map(|choice| choice.as_str().to_owned()),
            compromise: c.compromise.map(|terms| CompromiseView {
                waived: currency.format(terms.waived),
                billed_net: currency.format(c.net - terms.waived),
                billing: terms.billing.as_str().to_owned(),
            }),
            chosen_by: c.chosen_by,
            decided_by: c.decided_by,
            document_id: c.document_id,
            plan_id: c.plan_id,
            settled_at: c.settled_at.map(timestamp_text),
        }
    }
}

/// A systemic issue: findings of one cause at several customers.
#[derive(Serialize, ToSchema)]
pub struct SystemicIssueView {
    /// What groups them, e.g. `price_mismatch sku POS`.
    pub key: String,
    /// The finding kind.
    pub kind: String,
    /// The cause in words.
    pub cause: String,
    /// How many findings.
    pub finding_count: u64,
    /// Every customer affected, with the impact on them (signed, net: positive means charged
    /// too much).
    pub customers: Vec<AffectedCustomer>,
    /// The total impact by currency.
    pub impact: std::collections::BTreeMap<String, String>,
    /// When first found.
    pub first_found_at: String,
    /// When last found.
    pub last_found_at: String,
}

/// A customer a systemic issue affects.
#[derive(Serialize, ToSchema)]
pub struct AffectedCustomer {
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Signed impact, net.
    pub impact: String,
}

impl From<SystemicIssue> for SystemicIssueView {
    fn from(i: SystemicIssue) -> Self {
        Self {
            key: i.key,
            kind: i.kind.as_str().to_owned(),
            cause: i.cause,
            finding_count: i.finding_count,
            customers: i
                .customers
                .into_iter()
                .map(|affected| {
                    let Money { amount, currency } = affected.impact;
                    AffectedCustomer {
                        customer_id: affected.customer_id,
                        currency: currency.code().to_owned(),
                        impact: currency.format(amount),
                    }
                })
                .collect(),
            impact: i
                .impact
                .into_iter()
                .map(|Money { amount, currency }| {
                    (currency.code().to_owned(), currency.format(amount))
                })
                .collect(),
            first_found_at: timestamp_text(i.first_found_at),
            last_found_at: timestamp_text(i.last_found_at),
        }
    }
}

/// What an audit of the stored data opened.
#[derive(Serialize, ToSchema)]
pub struct AuditIntoCases {
    /// Contracts audited.
    pub contracts: usize,
    /// Findings.
    pub findings: usize,
    /// Arrears cases opened now.
    pub opened: Vec<ArrearsCaseView>,
    /// Cases of the same findings open already (none is opened twice).
    pub already_open: u64,
    /// The systemic issues as they now stand.
    pub systemic_issues: Vec<SystemicIssueView>,
}

/// The body of auditing into cases (every field optional).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditRequest {}

/// Audits every stored contract and opens an arrears case for each customer under-billed
/// (never twice for the same findings) and the systemic issues.
#[utoipa::path(
    post,
    path = "/api/v1/arrears-cases/audit",
    operation_id = "audit_into_cases",
    tag = "arrears",
    params(IdempotencyKey),
    responses(
        (status = OK, description = "What the audit opened", body = AuditIntoCases),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
    )
)]
pub async fn audit(
    State(state): State<AppState>,
    caller: Authenticated,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let redress = state.redress.clone();
    let route = "POST /api/v1/arrears-cases/audit".to_owned();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, _: AuditRequest| async move {
            let work = redress.cases().prepare_find(&actor).await?;
            Ok(work.map_err(ApiError::from).map(|found| {
                (
                    StatusCode::OK,
                    AuditIntoCases {
                        contracts: found.contracts,
                        findings: found.findings,
                        opened: found.opened.into_iter().map(Into::into).collect(),
                        already_open: found.already_open,
                        systemic_issues: found
                            .systemic_issues
                            .into_iter()
                            .map(Into::into)
                            .collect(),
                    },
                )
            }))
        },
    )
    .await
}

/// Which arrears cases to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// Only in this status.
    #[param(value_type = Option<crate::views::ArrearsStatusNames>)]
    pub status: Option<String>,
}

/// Arrears cases.
#[derive(Serialize, ToSchema)]
pub struct ArrearsCaseList {
    /// The cases, oldest first.
    pub cases: Vec<ArrearsCaseView>,
}

/// The arrears cases, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/arrears-cases",
    operation_id = "list_arrears_cases",
    tag = "arrears",
    params(CaseFilter),
    responses((status = OK, description = "The cases", body = ArrearsCaseList))
)]
pub async fn list(
    State(state): State<AppState>,
    _caller: Authenticated,
    Query(filter): Query<CaseFilter>,
) -> Result<Json<ArrearsCaseList>, ApiError> {
    let status = filter
        .status
        .as_deref()
        .map(|name| {
            ArrearsStatus::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = ArrearsStatus::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::invalid_field(
                    "status",
                    format!(
                        "`{name}` is not a case status (expected one of {})",
                        names.join(", ")
                    ),
                )
            })
        })
        .transpose()?;
    let cases = state.redress.cases().list(status).await?;
    Ok(Json(ArrearsCaseList {
        cases: cases.into_iter().map(Into::into).collect(),
    }))
}

/// An arrears case named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CaseId {
    /// Its id.
    pub id: String,
}

/// An arrears case, with the options to offer.
#[utoipa::path(
    get,
    path = "/api/v1/arrears-cases/{id}",
    operation_id = "get_arrears_case",
    tag = "arrears",
    params(CaseId),
    responses(
        (status = OK, description = "The case", body = ArrearsCaseView),
        (status = NOT_FOUND, description = "No case has this id", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ArrearsCaseView>, ApiError> {
    let case = state
        .redress
        .cases()
        .get(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no arrears case has the id `{id}`")))?;
    Ok(Json(case.into()))
}

/// The body of recording that the customer was contacted.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// How they were contacted and what they were told; not blank.
    #[schema(
        min_length = 1,
        pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$",
        example = "Called Kari Halvorsen on 2026-12-01, explained the six months billed at half price; options sent by email"
    )]
    pub note: String,
}

/// Records that the customer was contacted and offered the options. Nothing is billed before.
#[utoipa::path(
    post,
    path = "/api/v1/arrears-cases/{id}/offer",
    operation_id = "offer_arrears",
    tag = "arrears",
    params(CaseId, IdempotencyKey),
    request_body = Offer,
    responses(
        (status = OK, description = "Offered", body = ArrearsCaseView),
        (status = NOT_FOUND, description = "No case has this id", body = ErrorBody),
        (status = CONFLICT, description = "The customer chose already", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "No note of the contact", body = ErrorBody),
    )
)]
pub async fn offer(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/arrears-cases/{id}/offer");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Offer| async move {
            if body.note.trim().is_empty() {
                return Err(ApiError::invalid_field(
                    "note",
                    "say how the customer was contacted and what they were told",
                ));
            }
            Ok(redress
                .cases()
                .offer(&actor, &id, body.note)
                .map_err(ApiError::from)
                .map(|case| (StatusCode::OK, ArrearsCaseView::from(case))))
        },
    )
    .await
}

/// The body of recording the customer's choice.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// `next_invoice`, `separate_invoice`, `payment_plan`, `compromise` or `waive`.
    #[schema(value_type = crate::views::ArrearsOptionNames, example = "payment_plan")]
    pub option: String,
    /// For a payment plan: how many monthly instalments.
    #[schema(minimum = 1)]
    pub instalment_count: Option<u32>,
    /// For a payment plan: when the first is due, `YYYY-MM-DD`.
    pub first_due_on: Option<String>,
    /// For a compromise: the net amount waived, an exact decimal in the case's currency,
    /// above zero and below the case's net.
    #[schema(example = "360.00")]
    pub waived: Option<String>,
    /// For a compromise: how the rest is billed, `next_invoice` or `separate_invoice`.
    #[schema(value_type = Option<crate::views::CompromiseBillingNames>, example = "separate_invoice")]
    pub billing: Option<String>,
}

/// Records the option the customer chose and carries it out: an arrears invoice posted to
/// their ledger (with a payment plan over it when they chose one); a waiver, or a compromise,
/// waits for an approver.
#[utoipa::path(
    post,
    path = "/api/v1/arrears-cases/{id}/choice",
    operation_id = "choose_arrears",
    tag = "arrears",
    params(CaseId, IdempotencyKey),
    request_body = Choice,
    responses(
        (status = OK, description = "Carried out, or (a waiver, a compromise) waiting for an approver", body = ArrearsCaseView),
        (status = NOT_FOUND, description = "No case has this id", body = ErrorBody),
        (status = CONFLICT, description = "Not offered to the customer yet, or chosen already", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "A field is wrong (`details.field`): an unknown option, a plan that does not work, a compromise waiving nothing, all, or beyond the currency's minor unit", body = ErrorBody),
    )
)]
pub async fn choose(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/arrears-cases/{id}/choice");
    let redress = state.redress.clone();
    write(&state, caller, &headers, route, &bytes, |actor, body: Choice| async move {
        let choice = match body.option.as_str() {
            "next_invoice" => ArrearsChoice::NextInvoice,
            "separate_invoice" => ArrearsChoice::SeparateInvoice,
            "waive" => ArrearsChoice::Waive,
            "compromise" => {
                let waived = body.waived.as_deref().ok_or_else(|| {
                    ApiError::invalid_field("waived", "a compromise needs waived: the net amount waived")
                })?;
                let waived = parse_decimal(waived)
                    .map_err(|e| ApiError::invalid_field("waived", format!("waived {e}")))?;
                let billing = body.billing.as_deref().ok_or_else(|| {
                    ApiError::invalid_field("billing", "a compromise needs billing: next_invoice or separate_invoice")
                })?;
                let billing = CompromiseBilling::from_name(billing).ok_or_else(|| {
                    ApiError::invalid_field(
                        "billing",
                        format!("`{billing}` is not a way to bill the rest (expected next_invoice or separate_invoice)"),
                    )
                })?;
                ArrearsChoice::Compromise { waived, billing }
            }
            "payment_plan" => {
                let instalments = body.instalment_count.ok_or_else(|| {
                    ApiError::invalid_field("instalment_count", "a payment plan needs instalment_count")
                })?;
                let first = body.first_due_on.as_deref().ok_or_else(|| {
                    ApiError::invalid_field("first_due_on", "a payment plan needs first_due_on, YYYY-MM-DD")
                })?;
                let first_due_on = parse_date(first).map_err(|e| {
                    ApiError::invalid_field("first_due_on", format!("first_due_on {e}"))
                })?;
                ArrearsChoice::PaymentPlan {
                    instalments,
                    first_due_on,
                }
            }
            other => {
                return Err(ApiError::invalid_field(
                    "option",
                    format!(
                        "`{other}` is not an option (expected next_invoice, separate_invoice, payment_plan, compromise or waive)"
                    ),
                ));
            }
        };
        Ok(redress
            .cases()
            .choose(&actor, &id, choice)
            .map_err(ApiError::from)
            .map(|case| (StatusCode::OK, ArrearsCaseView::from(case))))
    })
    .await
}

/// Approves a waiver or a compromise the customer asked for (an approver who did not record
/// the choice): a waiver forgoes the arrears; a compromise forgoes the part waived and bills
/// the rest the way the customer chose.
#[utoipa::path(
    post,
    path = "/api/v1/arrears-cases/{id}/approve",
    operation_id = "approve_waiver",
    tag = "arrears",
    params(CaseId, IdempotencyKey),
    responses(
        (status = OK, description = "Waived, or (a compromise) the rest billed", body = ArrearsCaseView),
        (status = FORBIDDEN, description = "Not an approver, or the one who recorded the choice", body = ErrorBody),
        (status = CONFLICT, description = "Neither a waiver nor a compromise waits", body = ErrorBody),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    decide(state, caller, id, headers, bytes, true).await
}

/// Refuses a waiver or a compromise: the case goes back to the customer's other options.
#[utoipa::path(
    post,
    path = "/api/v1/arrears-cases/{id}/reject",
    operation_id = "refuse_waiver",
    tag = "arrears",
    params(CaseId, IdempotencyKey),
    responses(
        (status = OK, description = "Refused: offered again", body = ArrearsCaseView),
        (status = FORBIDDEN, description = "Not an approver, or the one who recorded the choice", body = ErrorBody),
        (status = CONFLICT, description = "Neither a waiver nor a compromise waits", body = ErrorBody),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    decide(state, caller, id, headers, bytes, false).await
}

async fn decide(
    state: AppState,
    caller: Authenticated,
    id: String,
    headers: HeaderMap,
    bytes: Bytes,
    approve: bool,
) -> Response {
    let redress = state.redress.clone();
    let verb = if approve { "approve" } else { "reject" };
    let route = format!("POST /api/v1/arrears-cases/{id}/{verb}");
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, _: AuditRequest| async move {
            // Who may decide is asked in the transaction that decides.
            Ok(redress
                .cases()
                .decide_forgone(&actor, &id, approve)
                .map_err(ApiError::from)
                .map(|case| (StatusCode::OK, ArrearsCaseView::from(case))))
        },
    )
    .await
}

/// Systemic issues.
#[derive(Serialize, ToSchema)]
pub struct SystemicIssueList {
    /// Most customers first.
    pub issues: Vec<SystemicIssueView>,
}

/// The systemic issues the last audit found: causes behind findings at several customers.
#[utoipa::path(
    get,
    path = "/api/v1/systemic-issues",
    operation_id = "list_systemic_issues",
    tag = "arrears",
    responses((status = OK, description = "The issues", body = SystemicIssueList))
)]
pub async fn systemic_issues(
    State(state): State<AppState>,
    _caller: Authenticated,
) -> Result<Json<SystemicIssueList>, ApiError> {
    let issues = state.redress.cases().systemic_issues().await?;
    Ok(Json(SystemicIssueList {
        issues: issues.into_iter().map(Into::into).collect(),
    }))
}
