//! The customer ledger and the documents in it: credit notes, corrected invoices and payment
//! plans, whose instalments are recorded here as they are received.

use crate::AppState;
use crate::auth::Authenticated;
use crate::billing::BillingId;
use crate::disputes::write;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::IdempotencyKey;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_domain::message::DocumentRef;
use redress_domain::{Decimal, Language, timestamp_text};
use redress_service::records::StoredPlan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// One line of a journal entry.
#[derive(Serialize, ToSchema)]
pub struct EntryLineView {
    /// `receivable`, `revenue`, `tax_payable`, `cash`, `sales_corrections`, `allowances`,
    /// `bad_debt` or `billing_differences`.
    pub account: String,
    /// `debit` or `credit`.
    pub side: String,
    /// The amount, with the currency's decimals.
    pub amount: String,
}

/// A journal entry: its debits equal its credits.
#[derive(Serialize, ToSchema)]
pub struct LedgerEntryView {
    /// `invoice`, `payment`, `credit_note`, …
    pub kind: String,
    /// The document: invoice id, payment id, credit note id, …
    pub document: String,
    /// The invoice it concerns, when one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// The day, or for documents Redress issued the time.
    pub date: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Its lines.
    pub lines: Vec<EntryLineView>,
}

/// A customer's ledger: every entry, oldest first, and what the customer owes.
#[derive(Serialize, ToSchema)]
pub struct LedgerView {
    /// The customer.
    pub customer_id: String,
    /// What the customer owes in each currency (below zero: what they are owed).
    pub balances: BTreeMap<String, String>,
    /// The entries, oldest first.
    pub entries: Vec<LedgerEntryView>,
    /// The payment plans agreed with the customer, with the instalments received.
    pub payment_plans: Vec<PaymentPlanView>,
}

/// One instalment of a payment plan.
#[derive(Serialize, ToSchema)]
pub struct InstalmentView {
    /// From 1.
    pub number: u32,
    /// When it is due.
    pub due_on: String,
    /// How much.
    pub amount: String,
    /// The payment that paid it, once received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_by: Option<String>,
}

/// A payment plan: what an invoice has open, spread over instalments that add up exactly.
#[derive(Serialize, ToSchema)]
pub struct PaymentPlanView {
    /// Its id.
    pub id: String,
    /// The resolution that agreed it, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_id: Option<String>,
    /// The arrears case that agreed it, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrears_case_id: Option<String>,
    /// The invoice it spreads.
    pub invoice_id: String,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What it spreads: the instalments' sum.
    pub total: String,
    /// What is still to receive.
    pub outstanding: String,
    /// The instalments, in order.
    pub instalments: Vec<InstalmentView>,
    /// When it was agreed.
    pub agreed_at: String,
    /// By whom.
    pub agreed_by: String,
}

impl PaymentPlanView {
    fn of(plan: StoredPlan) -> Self {
        let currency = plan.currency;
        let outstanding: Decimal = plan
            .instalments
            .iter()
            .filter(|i| i.paid_by.is_none())
            .map(|i| i.amount)
            .sum();
        Self {
            outstanding: currency.format(outstanding),
            id: plan.id,
            resolution_id: plan.resolution_id,
            arrears_case_id: plan.arrears_case_id,
            invoice_id: plan.invoice_id,
            customer_id: plan.customer_id,
            currency: currency.code().to_owned(),
            total: currency.format(plan.total),
            instalments: plan
                .instalments
                .into_iter()
                .map(|i| InstalmentView {
                    number: i.number,
                    due_on: i.due_on.to_string(),
                    amount: currency.format(i.amount),
                    paid_by: i.paid_by,
                })
                .collect(),
            agreed_at: timestamp_text(plan.agreed_at),
            agreed_by: plan.agreed_by,
        }
    }
}

/// A payment plan named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PaymentPlanId {
    /// Its id.
    pub id: String,
}

/// An instalment of a payment plan named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InstalmentPath {
    /// The plan's id.
    pub id: String,
    /// The instalment's number, from 1.
    #[param(minimum = 1)]
    pub number: u32,
}

/// A payment plan, with the instalments received.
#[utoipa::path(
    get,
    path = "/api/v1/payment-plans/{id}",
    operation_id = "get_payment_plan",
    tag = "ledger",
    params(PaymentPlanId),
    responses(
        (status = OK, description = "The plan", body = PaymentPlanView),
        (status = NOT_FOUND, description = "No payment plan has this id", body = ErrorBody),
    )
)]
pub async fn payment_plan(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<PaymentPlanView>, ApiError> {
    let plan = state
        .redress
        .books()
        .plan(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no payment plan has the id `{id}`")))?;
    Ok(Json(PaymentPlanView::of(plan)))
}

/// The body of recording an instalment as received (every field optional).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {}

/// Records an instalment of a plan as received: a payment of its amount against the plan's
/// invoice, posted to the customer's ledger once.
#[utoipa::path(
    post,
    path = "/api/v1/payment-plans/{id}/instalments/{number}/received",
    operation_id = "receive_instalment",
    tag = "ledger",
    params(InstalmentPath, IdempotencyKey),
    responses(
        (status = OK, description = "Received; the plan as it now stands", body = PaymentPlanView),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No such plan, or no such instalment in it", body = ErrorBody),
        (status = CONFLICT, description = "The instalment was received already", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "`number` is not a whole number from 1, or the `Idempotency-Key` is malformed or was used with another request", body = ErrorBody),
    )
)]
pub async fn receive_instalment(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, number)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    // Read here rather than by the path's extractor, whose refusal is plain text.
    let number = match number.parse::<u32>() {
        Ok(number) if number >= 1 => number,
        _ => {
            return ApiError::invalid_field(
                "number",
                format!("`{number}` is not an instalment's number (a whole number from 1)"),
            )
            .into_response();
        }
    };
    let route = format!("POST /api/v1/payment-plans/{id}/instalments/{number}/received");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, _: Receipt| async move {
            Ok(redress
                .books()
                .receive_instalment(&actor, &id, number)
                .map_err(ApiError::from)
                .map(|plan| (StatusCode::OK, PaymentPlanView::of(plan))))
        },
    )
    .await
}

/// An invoice Redress issued: in place of a wrong one (which a credit note voided), or for
/// the arrears of a case.
#[derive(Serialize, ToSchema)]
pub struct IssuedInvoiceView {
    /// Its series and number, e.g. `RI-2026-000007`.
    pub id: String,
    /// Its series.
    pub series: String,
    /// Its number in the series, without gaps.
    pub number: i64,
    /// `corrected` (in place of a wrong invoice) or `arrears` (what an arrears case found
    /// under-billed).
    pub kind: String,
    /// The invoice it replaces, for a corrected one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects_invoice_id: Option<String>,
    /// The arrears case it bills, for an arrears invoice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrears_case_id: Option<String>,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The tax rate, as the contract has it; where its lines are taxed at several rates (an
    /// arrears invoice over contracts taxed differently), each rate, `, `-separated, and each
    /// line gives its own.
    pub tax_rate_percent: String,
    /// Its lines and their net amounts.
    pub lines: Vec<CreditNoteLineView>,
    /// Net.
    pub subtotal: String,
    /// Tax.
    pub tax_total: String,
    /// Net and tax.
    pub total: String,
    /// Why it was re-issued.
    pub reason: String,
    /// When.
    pub issued_at: String,
    /// Who.
    pub issued_by: String,
}

/// An invoice Redress issued: a corrected one, or one of arrears.
#[utoipa::path(
    get,
    path = "/api/v1/issued-invoices/{id}",
    operation_id = "get_issued_invoice",
    tag = "ledger",
    params(CreditNoteId, PdfQuery),
    responses(
        (status = OK, description = "The invoice; with `Accept: application/pdf`, the invoice as PDF in the customer's language (or `?language=en-US|es|zh-Hans`)",
            content((IssuedInvoiceView = "application/json"), ("application/pdf"))),
        (status = NOT_FOUND, description = "No invoice Redress issued has this id", body = ErrorBody),
    )
)]
pub async fn corrected_invoice(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<PdfQuery>,
) -> Result<Response, ApiError> {
    if wants_pdf(&headers) {
        return pdf(&state, DocumentRef::IssuedInvoice(id), query).await;
    }
    let invoice = state
        .redress
        .books()
        .issued_invoice(&id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("no invoice Redress issued has the id `{id}`"))
        })?;
    let currency = invoice.currency;
    Ok(Json(IssuedInvoiceView {
        id: invoice.id,
        series: invoice.series,
        number: invoice.number,
        kind: invoice.kind.as_str().to_owned(),
        corrects_invoice_id: invoice.corrects_invoice_id,
        arrears_case_id: invoice.arrears_case_id,
        customer_id: invoice.customer_id,
        currency: currency.code().to_owned(),
        tax_rate_percent: invoice.tax_rate_percent.to_string(),
        lines: invoice
            .lines
            .into_iter()
            .map(|line| CreditNoteLineView {
                line_no: line.line_no,
                amount: currency.format(line.amount),
                tax_rate_percent: Some(line.tax_rate_percent.to_string()),
            })
            .collect(),
        subtotal: currency.format(invoice.subtotal),
        tax_total: currency.format(invoice.tax_total),
        total: currency.format(invoice.total),
        reason: invoice.reason,
        issued_at: timestamp_text(invoice.issued_at),
        issued_by: invoice.issued_by,
    })
    .into_response())
}

/// A line of a credit note.
#[derive(Serialize, ToSchema)]
pub struct CreditNoteLineView {
    /// The invoice line credited.
    pub line_no: u32,
    /// Net amount credited.
    pub amount: String,
    /// On an invoice Redress issued: the tax rate charged on the line, in percent (the lines
    /// of an arrears invoice keep each their contract's rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_rate_percent: Option<String>,
}

/// A credit note: an accounting document that never changes once issued.
#[derive(Serialize, ToSchema)]
pub struct CreditNoteView {
    /// Its series and number, e.g. `CN-2026-000042`.
    pub id: String,
    /// Its series.
    pub series: String,
    /// Its number in the series, without gaps.
    pub number: i64,
    /// The invoice it corrects.
    pub invoice_id: String,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code, the invoice's.
    pub currency: String,
    /// Net credited.
    pub net: String,
    /// Tax credited, at the invoice's rate.
    pub tax: String,
    /// Net and tax.
    pub total: String,
    /// The lines credited.
    pub lines: Vec<CreditNoteLineView>,
    /// Why.
    pub reason: String,
    /// When.
    pub issued_at: String,
    /// Who.
    pub issued_by: String,
}

/// A customer's ledger: the entries of their invoices, payments and the documents issued to
/// them, with their balance.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/ledger",
    operation_id = "get_customer_ledger",
    tag = "ledger",
    params(BillingId),
    responses(
        (status = OK, description = "The customer's ledger", body = LedgerView),
        (status = NOT_FOUND, description = "No customer has this id", body = ErrorBody),
    )
)]
pub async fn customer_ledger(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<LedgerView>, ApiError> {
    let ledger = state
        .redress
        .books()
        .ledger(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no customer has the id `{id}`")))?;
    let payment_plans = state
        .redress
        .books()
        .plans_of(&id)
        .await?
        .into_iter()
        .map(PaymentPlanView::of)
        .collect();
    Ok(Json(LedgerView {
        payment_plans,
        customer_id: ledger.customer_id,
        balances: ledger
            .balances
            .into_iter()
            .map(|balance| {
                let currency = balance.currency;
                (currency.code().to_owned(), currency.format(balance.amount))
            })
            .collect(),
        entries: ledger
            .entries
            .into_iter()
            .map(|e| {
                let currency = e.currency;
                LedgerEntryView {
                    kind: e.kind.as_str().to_owned(),
                    document: e.document,
                    invoice_id: e.invoice_id,
                    date: e.date.to_string(),
                    currency: currency.code().to_owned(),
                    lines: e
                        .lines
                        .into_iter()
                        .map(|line| EntryLineView {
                            account: line.account.as_str().to_owned(),
                            side: line.side.as_str().to_owned(),
                            amount: currency.format(line.amount),
                        })
                        .collect(),
                }
            })
            .collect(),
    }))
}

/// The language of a document asked for as PDF.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PdfQuery {
    /// `en-US`, `es` or `zh-Hans`: the PDF's language (the customer's when left out).
    #[param(value_type = Option<crate::views::LanguageNames>)]
    language: Option<String>,
}

/// Whether the request asks for a PDF (`Accept: application/pdf`).
pub(crate) fn wants_pdf(headers: &HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|t| t.trim().starts_with("application/pdf"))
        })
}

/// `document` as PDF, attached under its number.
async fn pdf(
    state: &AppState,
    document: DocumentRef,
    query: PdfQuery,
) -> Result<Response, ApiError> {
    let language = match query.language.as_deref() {
        None => None,
        Some(tag) => Some(Language::from_tag(tag).ok_or_else(|| {
            ApiError::invalid_field(
                "language",
                format!("`{tag}` is not a language we write in (expected en-US, es or zh-Hans)"),
            )
        })?),
    };
    let pdf = state
        .redress
        .documents()
        .pdf(&document, language)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("no document has the id `{}`", document.id()))
        })?;
    Ok(pdf_response(pdf))
}

/// A PDF answered to be saved under its name.
pub(crate) fn pdf_response(pdf: redress_service::documents::Pdf) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", pdf.file_name),
            ),
        ],
        pdf.bytes,
    )
        .into_response()
}

/// A credit note named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CreditNoteId {
    /// Its id, e.g. `CN-2026-000042`.
    pub id: String,
}

/// A credit note.
#[utoipa::path(
    get,
    path = "/api/v1/credit-notes/{id}",
    operation_id = "get_credit_note",
    tag = "ledger",
    params(CreditNoteId, PdfQuery),
    responses(
        (status = OK, description = "The credit note; with `Accept: application/pdf`, the credit note as PDF in the customer's language (or `?language=en-US|es|zh-Hans`)",
            content((CreditNoteView = "application/json"), ("application/pdf"))),
        (status = NOT_FOUND, description = "No credit note has this id", body = ErrorBody),
    )
)]
pub async fn credit_note(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<PdfQuery>,
) -> Result<Response, ApiError> {
    if wants_pdf(&headers) {
        return pdf(&state, DocumentRef::CreditNote(id), query).await;
    }
    let note = state
        .redress
        .books()
        .credit_note(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no credit note has the id `{id}`")))?;
    let currency = note.currency;
    Ok(Json(CreditNoteView {
        id: note.id,
        series: note.series,
        number: note.number,
        invoice_id: note.invoice_id,
        customer_id: note.customer_id,
        currency: currency.code().to_owned(),
        net: currency.format(note.net),
        tax: currency.format(note.tax),
        total: currency.format(note.total),
        lines: note
            .lines
            .into_iter()
            .map(|(line_no, amount)| CreditNoteLineView {
                line_no,
                amount: currency.format(amount),
                tax_rate_percent: None,
            })
            .collect(),
        reason: note.reason,
        issued_at: timestamp_text(note.issued_at),
        issued_by: note.issued_by,
    })
    .into_response())
}
