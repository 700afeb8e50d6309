//! Read endpoints for the customer ledger and credit notes.

use crate::AppState;
use crate::auth::Authenticated;
use crate::billing::BillingId;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
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
}

/// A line of a credit note.
#[derive(Serialize, ToSchema)]
pub struct CreditNoteLineView {
    /// The invoice line credited.
    pub line_no: u32,
    /// Net amount credited.
    pub amount: String,
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
        .store
        .customer_ledger(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no customer has the id `{id}`")))?;
    Ok(Json(LedgerView {
        customer_id: ledger.customer_id,
        balances: ledger.balances,
        entries: ledger
            .entries
            .into_iter()
            .map(|e| LedgerEntryView {
                kind: e.kind,
                document: e.document,
                invoice_id: e.invoice_id,
                date: e.date,
                currency: e.currency,
                lines: e
                    .lines
                    .into_iter()
                    .map(|(account, side, amount)| EntryLineView {
                        account,
                        side,
                        amount,
                    })
                    .collect(),
            })
            .collect(),
    }))
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
    params(CreditNoteId),
    responses(
        (status = OK, description = "The credit note", body = CreditNoteView),
        (status = NOT_FOUND, description = "No credit note has this id", body = ErrorBody),
    )
)]
pub async fn credit_note(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CreditNoteView>, ApiError> {
    let note = state
        .store
        .credit_note(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no credit note has the id `{id}`")))?;
    Ok(Json(CreditNoteView {
        id: note.id,
        series: note.series,
        number: note.number,
        invoice_id: note.invoice_id,
        customer_id: note.customer_id,
        currency: note.currency,
        net: note.net,
        tax: note.tax,
        total: note.total,
        lines: note
            .lines
            .into_iter()
            .map(|(line_no, amount)| CreditNoteLineView { line_no, amount })
            .collect(),
        reason: note.reason,
        issued_at: note.issued_at,
        issued_by: note.issued_by,
    }))
}
