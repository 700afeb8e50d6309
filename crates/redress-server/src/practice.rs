//! Practice (issue 20): a trainer starts a session of cases for a trainee; the trainee reads a
//! case (the verification hidden), answers it, and gets the score with every mark explained
//! and the model answer beside theirs.

use crate::AppState;
use crate::auth::Authenticated;
use crate::disputes::write;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::IdempotencyKey;
use crate::views::{
    CaseSourceNames, ContractView, FindingKindNames, FindingOutcomeNames, InvoiceView,
    MessagePartNames, PriceView, ReasonNames, ResolutionKindNames, TopicNames,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::resolution::ResolutionKind;
use redress_domain::{BillingData, Decimal, parse_decimal, timestamp_text};
use redress_service::practice::{Answered, CaseView};
use redress_service::records::practice::{
    Answer, AnsweredFinding, FindingOutcome, MessagePart, Topic,
};
use redress_service::records::{CaseInBrief, CaseSource, FindingKind, PracticeSession};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The id of a practice session.
#[derive(Deserialize, IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct SessionId(
    /// The session's id, e.g. `PRS-0193b4a2c1d8e3f4a5b6`.
    #[allow(dead_code)]
    String,
);

/// The id of a practice case.
#[derive(Deserialize, IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct CaseId(
    /// The case's id, e.g. `PRC-0193b4a2c1d8e3f4a5b6`.
    #[allow(dead_code)]
    String,
);

/// One case of a session, in brief.
#[derive(Serialize, ToSchema)]
pub struct PracticeCaseBrief {
    /// Its id.
    pub id: String,
    /// Its place in the session, from 1.
    pub position: u32,
    /// Where it came from.
    #[schema(value_type = CaseSourceNames)]
    pub source: &'static str,
    /// The customer's reason.
    #[schema(value_type = ReasonNames)]
    pub reason: &'static str,
    /// Its points out of 100 once answered; `null` before.
    #[schema(required = true)]
    pub points: Option<u32>,
    /// When it was answered (RFC 3339); `null` before.
    #[schema(format = DateTime, required = true)]
    pub answered_at: Option<String>,
}

impl From<&CaseInBrief> for PracticeCaseBrief {
    fn from(c: &CaseInBrief) -> Self {
        Self {
            id: c.id.clone(),
            position: c.position,
            source: c.source.as_str(),
            reason: c.reason.as_str(),
            points: c.answered.map(|(points, _)| points),
            answered_at: c.answered.map(|(_, at)| timestamp_text(at)),
        }
    }
}

/// A practice session: its trainee and its cases.
#[derive(Serialize, ToSchema)]
pub struct PracticeSessionView {
    /// Its id.
    pub id: String,
    /// The user who practises.
    pub trainee: String,
    /// The trainer who started it.
    pub started_by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Its cases, in order.
    pub cases: Vec<PracticeCaseBrief>,
}

impl From<PracticeSession> for PracticeSessionView {
    fn from(s: PracticeSession) -> Self {
        Self {
            id: s.id,
            trainee: s.trainee_id,
            started_by: s.started_by,
            created_at: timestamp_text(s.created_at),
            cases: s.cases.iter().map(PracticeCaseBrief::from).collect(),
        }
    }
}

/// The body of `POST /api/v1/practice/sessions`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartSession {
    /// The user who practises: an agent, an approver or an admin.
    #[schema(min_length = 1, example = "nia@example.com")]
    pub trainee: String,
    /// How many cases, 1 to 20; 10 when left out.
    #[schema(minimum = 1, maximum = 20, example = 10)]
    pub cases: Option<u32>,
    /// What draws the cases: the same seed draws the same cases from the same data; a new
    /// one each time when left out.
    #[schema(minimum = 0, example = 42)]
    pub seed: Option<u64>,
}

/// Starts a practice session for a trainee, for an approver or an admin: cases drawn from the
/// business's resolved disputes first, then from invoice lines its latest audit found
/// overcharged, then made up with an error planted; each anonymised, and kept apart from the
/// books (nothing of it reaches a customer, a ledger or the audit log).
#[utoipa::path(
    post,
    path = "/api/v1/practice/sessions",
    operation_id = "start_practice_session",
    tag = "practice",
    params(IdempotencyKey),
    request_body = StartSession,
    responses(
        (status = CREATED, description = "Started", body = PracticeSessionView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "Only approvers and admins start sessions", body = ErrorBody),
        (status = CONFLICT, description = "A request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "No such trainee (or an auditor), a size outside 1 to 20, or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn start_session(
    State(state): State<AppState>,
    caller: Authenticated,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        "POST /api/v1/practice/sessions".to_owned(),
        &bytes,
        |actor, body: StartSession| async move {
            let seed = body.seed.unwrap_or_else(|| fastrand::u64(..));
            let work = redress
                .practice()
                .prepare_session(&actor, &body.trainee, body.cases.unwrap_or(10), seed)
                .await?;
            Ok(work
                .map_err(ApiError::from)
                .map(|session| (StatusCode::CREATED, PracticeSessionView::from(session))))
        },
    )
    .await
}

/// A practice session with its cases, for its trainee, an approver or an admin.
#[utoipa::path(
    get,
    path = "/api/v1/practice/sessions/{id}",
    operation_id = "get_practice_session",
    tag = "practice",
    params(SessionId),
    responses(
        (status = OK, description = "The session", body = PracticeSessionView),
        (status = FORBIDDEN, description = "The session is another trainee's", body = ErrorBody),
        (status = NOT_FOUND, description = "No session has this id", body = ErrorBody),
    )
)]
pub async fn session(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<PracticeSessionView>, ApiError> {
    let session = state.redress.practice().session(&caller.0, &id).await?;
    Ok(Json(session.into()))
}

/// The customer of a practice case, as the case page shows them (a practice name).
#[derive(Serialize, ToSchema)]
pub struct PracticeCustomerView {
    /// Their (made-up) name.
    pub name: String,
    /// The language to write to them in.
    #[schema(value_type = crate::views::LanguageNames)]
    pub language: &'static str,
    /// Since when they are a customer (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub customer_since: String,
    /// Days they had been a customer when they disputed.
    pub tenure_days: i64,
    /// Invoiced in the twelve months before, as a decimal string.
    pub revenue: String,
    /// Invoices that fell due in those months.
    pub invoices_due: u32,
    /// Of those, paid on time.
    pub paid_on_time: u32,
    /// Their other disputes in the twelve months before.
    pub disputes_last_year: u32,
    /// In the ninety days before.
    pub disputes_last_quarter: u32,
    /// Of the year's, rejected.
    pub rejected_last_year: u32,
}

/// The dispute of a practice case.
#[derive(Serialize, ToSchema)]
pub struct PracticeDisputeView {
    /// The invoice disputed (a practice id).
    pub invoice_id: String,
    /// The line disputed; `null` for the whole invoice.
    #[schema(required = true, minimum = 1)]
    pub line_no: Option<u32>,
    /// Why.
    #[schema(value_type = ReasonNames)]
    pub reason: &'static str,
    /// What the customer claims, net of tax, as a decimal string.
    pub claimed_amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The customer's words (written anew for practice).
    pub narrative: String,
    /// When they disputed (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub opened_on: String,
}

/// A delivery of the contract.
#[derive(Serialize, ToSchema)]
pub struct PracticeDeliveryView {
    /// Its id.
    pub id: String,
    /// The SKU delivered.
    pub sku: String,
    /// When (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub delivered_on: String,
    /// How many, as a decimal string.
    pub quantity: String,
}

/// A finding as an answer states it.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeFinding {
    /// The kind of error.
    #[schema(value_type = FindingKindNames)]
    pub kind: String,
    /// The line it is on; `null` (or left out) for the invoice as a whole.
    #[serde(default)]
    #[schema(minimum = 1, required = false)]
    pub line_no: Option<u32>,
    /// By how much, net of tax, as a decimal string with at most the currency's decimals.
    #[schema(pattern = r"^[0-9]{1,15}(\.[0-9]{1,4})?$", example = "106.80")]
    pub amount: String,
}

/// An answer: what is wrong, the resolution and the message.
#[derive(Serialize, ToSchema)]
pub struct PracticeAnswerView {
    /// The findings named.
    pub findings: Vec<PracticeFinding>,
    /// The resolution chosen.
    #[schema(value_type = ResolutionKindNames)]
    pub resolution: &'static str,
    /// Its amount; `null` for a rejection.
    #[schema(required = true)]
    pub amount: Option<String>,
    /// The message to the customer.
    pub message: String,
}

fn finding_view(kind: FindingKind, line_no: Option<u32>, amount: Decimal) -> PracticeFinding {
    PracticeFinding {
        kind: kind.as_str().to_owned(),
        line_no,
        amount: amount.to_string(),
    }
}

/// One finding's mark.
#[derive(Serialize, ToSchema)]
pub struct FindingMarkView {
    /// The kind.
    #[schema(value_type = FindingKindNames)]
    pub kind: &'static str,
    /// The line; `null` for the invoice as a whole.
    #[schema(required = true)]
    pub line_no: Option<u32>,
    /// What the records show; `null` for one invented.
    #[schema(required = true)]
    pub expected: Option<String>,
    /// What the trainee gave; `null` for one missed.
    #[schema(required = true)]
    pub answered: Option<String>,
    /// What became of it.
    #[schema(value_type = FindingOutcomeNames)]
    pub outcome: &'static str,
    /// Points earned (for one invented: lost).
    pub points: u32,
    /// Its share of the findings' 40 points (for one invented, what it costs).
    pub out_of: u32,
}

/// A mark of the resolution or the message.
#[derive(Serialize, ToSchema)]
pub struct PartMarkView {
    /// What it is for.
    #[schema(value_type = TopicNames)]
    pub topic: &'static str,
    /// The message's part, for a mark of the message; `null` for the resolution's.
    #[schema(value_type = Option<MessagePartNames>, required = true)]
    pub part: Option<&'static str>,
    /// Points earned.
    pub points: u32,
    /// Out of.
    pub out_of: u32,
    /// Why, in plain words.
    pub explanation: String,
}

/// An answer's score with every mark explained, the answer and the model answer.
#[derive(Serialize, ToSchema)]
pub struct PracticeResultView {
    /// Points earned.
    pub points: u32,
    /// Out of (100).
    pub out_of: u32,
    /// Seconds from opening the case to answering it.
    pub took_seconds: u64,
    /// When it was answered (RFC 3339).
    #[schema(format = DateTime)]
    pub answered_at: String,
    /// The findings' points, out of 40.
    pub findings_points: u32,
    /// Why the findings scored what they did.
    pub findings_explanation: String,
    /// Each finding, expected or named.
    pub findings: Vec<FindingMarkView>,
    /// The marks of the resolution and of the message.
    pub marks: Vec<PartMarkView>,
    /// What the trainee answered.
    pub answer: PracticeAnswerView,
    /// The answer the records support.
    pub model: PracticeAnswerView,
}

impl From<Answered> for PracticeResultView {
    fn from(a: Answered) -> Self {
        let currency = a.model.currency;
        let money = |d: Decimal| currency.format(d);
        let (model_kind, model_amount) = a.model.resolution_answer();
        Self {
            points: a.score.points,
            out_of: a.score.out_of,
            took_seconds: a.score.took_seconds,
            answered_at: timestamp_text(a.answered_at),
            findings_points: a.score.findings_points,
            findings_explanation: a.score.findings_explanation.clone(),
            findings: a
                .score
                .findings
                .iter()
                .map(|m| FindingMarkView {
                    kind: m.kind.as_str(),
                    line_no: m.line_no,
                    expected: m.expected.map(money),
                    answered: m.answered.map(|d| d.to_string()),
                    outcome: match m.outcome {
                        FindingOutcome::Found => "found",
                        FindingOutcome::WrongAmount => "wrong_amount",
                        FindingOutcome::Missed => "missed",
                        FindingOutcome::Invented => "invented",
                    },
                    points: m.points,
                    out_of: m.out_of,
                })
                .collect(),
            marks: a
                .score
                .marks
                .iter()
                .map(|m| PartMarkView {
                    topic: match m.topic {
                        Topic::Findings => "findings",
                        Topic::Resolution => "resolution",
                        Topic::Message => "message",
                    },
                    part: m.part.map(MessagePart::as_str),
                    points: m.points,
                    out_of: m.out_of,
                    explanation: m.explanation.clone(),
                })
                .collect(),
            answer: PracticeAnswerView {
                findings: a
                    .answer
                    .findings
                    .iter()
                    .map(|f| finding_view(f.kind, f.line_no, f.amount))
                    .collect(),
                resolution: a.answer.resolution.as_str(),
                amount: a.answer.amount.map(|d| d.to_string()),
                message: a.answer.message.clone(),
            },
            model: PracticeAnswerView {
                findings: a
                    .model
                    .findings
                    .iter()
                    .map(|f| finding_view(f.kind, f.line_no, currency.shown(f.amount)))
                    .collect(),
                resolution: model_kind.as_str(),
                amount: model_amount.map(money),
                message: a.model.message.clone(),
            },
        }
    }
}

/// A practice case as the trainee works it: the customer, the dispute, the contract with its
/// prices and deliveries, the disputed invoice and the contract's other invoices; and once
/// answered, the result.
#[derive(Serialize, ToSchema)]
pub struct PracticeCaseView {
    /// Its id.
    pub id: String,
    /// Its session.
    pub session_id: String,
    /// Who practises on it.
    pub trainee: String,
    /// Its place in the session, from 1.
    pub position: u32,
    /// Where it came from.
    #[schema(value_type = CaseSourceNames)]
    pub source: &'static str,
    /// The customer.
    pub customer: PracticeCustomerView,
    /// The dispute.
    pub dispute: PracticeDisputeView,
    /// The contract's terms and prices.
    pub contract: ContractView,
    /// The contract's deliveries.
    pub deliveries: Vec<PracticeDeliveryView>,
    /// The disputed invoice, line by line, with its payments and notices.
    pub invoice: InvoiceView,
    /// The contract's other invoices (a duplicate or a late fee may rest on them).
    pub other_invoices: Vec<InvoiceView>,
    /// The score, the answer and the model answer; `null` until the trainee has answered
    /// (the verification stays hidden until then).
    #[schema(required = true)]
    pub result: Option<PracticeResultView>,
}

fn contract_view(data: &BillingData, invoice: redress_domain::InvoiceIdx) -> ContractView {
    let contract_idx = data.invoice(invoice).contract;
    let contract = data.contract(contract_idx);
    ContractView {
        id: data.contract_id(contract_idx).to_owned(),
        customer_id: data.customer_ids.name(contract.customer.0).to_owned(),
        currency: contract.currency.code().to_owned(),
        start_date: contract.start_date.to_string(),
        end_date: contract.end_date.map(|d| d.to_string()),
        payment_terms_days: i64::from(contract.payment_terms_days),
        late_fee_percent: contract.late_fee_percent.to_string(),
        late_fee_grace_days: i64::from(contract.late_fee_grace_days),
        tax_rate_percent: contract.tax_rate_percent.to_string(),
        prices: data
            .prices
            .iter()
            .filter(|p| p.contract == contract_idx)
            .map(|p| PriceView {
                sku: data.sku(p.sku).to_owned(),
                valid_from: p.valid_from.to_string(),
                valid_to: p.valid_to.map(|d| d.to_string()),
                unit_price: p.unit_price.to_string(),
                discount_percent: p.discount_percent.to_string(),
            })
            .collect(),
    }
}

impl From<CaseView> for PracticeCaseView {
    fn from(c: CaseView) -> Self {
        let data = &c.data;
        let invoice = c.dispute.invoice;
        let contract_idx = data.invoice(invoice).contract;
        let currency = data.invoice(invoice).currency;
        let customer = &data.customers[data.invoice(invoice).customer.index()];
        Self {
            customer: PracticeCustomerView {
                name: customer.name.clone(),
                language: c.language.tag(),
                customer_since: customer.customer_since.to_string(),
                tenure_days: c.relationship.tenure_days,
                revenue: currency.format(c.relationship.revenue),
                invoices_due: c.relationship.invoices_due,
                paid_on_time: c.relationship.paid_on_time,
                disputes_last_year: c.history.last_year,
                disputes_last_quarter: c.history.last_quarter,
                rejected_last_year: c.history.rejected_last_year,
            },
            dispute: PracticeDisputeView {
                invoice_id: c.invoice_id.clone(),
                line_no: c.dispute.line_no,
                reason: c.dispute.reason.as_str(),
                claimed_amount: currency.format(c.dispute.claimed_amount),
                currency: currency.code().to_owned(),
                narrative: c.dispute.narrative.clone(),
                opened_on: c.dispute.opened_on.to_string(),
            },
            contract: contract_view(data, invoice),
            deliveries: data
                .deliveries
                .records
                .iter()
                .enumerate()
                .filter(|(_, d)| d.contract == contract_idx)
                .map(|(i, d)| PracticeDeliveryView {
                    id: data.deliveries.ids.get(i).to_owned(),
                    sku: data.sku(d.sku).to_owned(),
                    delivered_on: d.delivered_on.to_string(),
                    quantity: d.quantity.to_string(),
                })
                .collect(),
            invoice: InvoiceView::new(data, invoice),
            other_invoices: (0..data.invoices.len() as u32)
                .map(redress_domain::InvoiceIdx)
                .filter(|&i| i != invoice)
                .map(|i| InvoiceView::new(data, i))
                .collect(),
            result: c.answered.clone().map(PracticeResultView::from),
            id: c.id,
            session_id: c.session_id,
            trainee: c.trainee_id,
            position: c.position,
            source: match c.source {
                CaseSource::ResolvedDispute => "resolved_dispute",
                CaseSource::AuditFinding => "audit_finding",
                CaseSource::Generated => "generated",
            },
        }
    }
}

/// A practice case, for its trainee (the first opening starts the clock), an approver or an
/// admin. The verification and the model answer stay hidden until the trainee has answered.
#[utoipa::path(
    get,
    path = "/api/v1/practice/cases/{id}",
    operation_id = "get_practice_case",
    tag = "practice",
    params(CaseId),
    responses(
        (status = OK, description = "The case", body = PracticeCaseView),
        (status = FORBIDDEN, description = "The case is another trainee's", body = ErrorBody),
        (status = NOT_FOUND, description = "No case has this id", body = ErrorBody),
    )
)]
pub async fn case(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<PracticeCaseView>, ApiError> {
    let case = state.redress.practice().case(&caller.0, &id).await?;
    Ok(Json(case.into()))
}

/// The body of `POST /api/v1/practice/cases/{id}/answer`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// What is wrong: each finding's kind, line and amount; empty when nothing is.
    #[schema(max_items = 50)]
    pub findings: Vec<PracticeFinding>,
    /// The resolution chosen.
    #[schema(value_type = ResolutionKindNames, example = "credit_note")]
    pub resolution: String,
    /// Its amount, as a decimal string; left out (or `null`) for a rejection.
    #[serde(default)]
    #[schema(
        pattern = r"^[0-9]{1,15}(\.[0-9]{1,4})?$",
        example = "171.80",
        required = false
    )]
    pub amount: Option<String>,
    /// The message to the customer, in their language.
    #[schema(max_length = 10000)]
    pub message: String,
}

fn amount(field: &str, text: &str) -> Result<Decimal, ApiError> {
    parse_decimal(text).map_err(|e| {
        ApiError::invalid_field(
            field,
            format!("`{text}` is not an amount: {e} (e.g. 106.80)"),
        )
    })
}

/// Answers a practice case, for its trainee, once: scored against what the audit finds and
/// the recommendation, and answered with every mark explained and the model answer.
#[utoipa::path(
    post,
    path = "/api/v1/practice/cases/{id}/answer",
    operation_id = "answer_practice_case",
    tag = "practice",
    params(CaseId, IdempotencyKey),
    request_body = AnswerBody,
    responses(
        (status = OK, description = "Scored", body = PracticeResultView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The case is another person's to answer", body = ErrorBody),
        (status = NOT_FOUND, description = "No case has this id", body = ErrorBody),
        (status = CONFLICT, description = "The case was answered already, or a request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "A finding, amount or message that cannot be taken (`details.field`), or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn answer(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/practice/cases/{id}/answer");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: AnswerBody| async move {
            let mut findings = Vec::with_capacity(body.findings.len());
            for finding in &body.findings {
                let kind = FindingKind::from_name(&finding.kind).ok_or_else(|| {
                    ApiError::invalid_field(
                        "findings",
                        format!("`{}` is not a kind of finding", finding.kind),
                    )
                })?;
                findings.push(AnsweredFinding {
                    kind,
                    line_no: finding.line_no,
                    amount: amount("findings", &finding.amount)?,
                });
            }
            let resolution = ResolutionKind::from_name(&body.resolution).ok_or_else(|| {
                ApiError::invalid_field(
                    "resolution",
                    format!("`{}` is not a kind of resolution", body.resolution),
                )
            })?;
            let answer = Answer {
                findings,
                resolution,
                amount: body
                    .amount
                    .as_deref()
                    .map(|a| amount("amount", a))
                    .transpose()?,
                message: body.message,
                took_seconds: 0,
            };
            let work = redress
                .practice()
                .prepare_answer(&actor, &id, answer)
                .await?;
            Ok(work
                .map_err(ApiError::from)
                .map(|answered| (StatusCode::OK, PracticeResultView::from(answered))))
        },
    )
    .await
}
