//! Read endpoints for the billing data a dispute is checked against: customers, contracts,
//! and invoices with their lines, payments and notices.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::views::{ContractView, CustomerView, InvoiceView};
use axum::Json;
use axum::extract::{Path, State};
use redress_domain::InvoiceIdx;
use utoipa::IntoParams;

/// A customer, contract or invoice named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct BillingId {
    /// Its id, as in the billing data.
    pub id: String,
}

/// An invoice with its lines, payments and notices.
#[utoipa::path(
    get,
    path = "/api/v1/invoices/{id}",
    operation_id = "get_invoice",
    tag = "billing data",
    params(BillingId),
    responses(
        (status = OK, description = "The invoice", body = InvoiceView),
        (status = NOT_FOUND, description = "No invoice has this id", body = ErrorBody),
    )
)]
pub async fn invoice(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, ApiError> {
    let data = state
        .redress
        .billing()
        .contract_data_for_invoice(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no invoice has the id `{id}`")))?;
    let index = InvoiceIdx(data.invoice_ids.get(&id).expect("loaded with its contract"));
    Ok(Json(InvoiceView::new(&data, index)))
}

/// A contract's terms and price rows.
#[utoipa::path(
    get,
    path = "/api/v1/contracts/{id}",
    operation_id = "get_contract",
    tag = "billing data",
    params(BillingId),
    responses(
        (status = OK, description = "The contract", body = ContractView),
        (status = NOT_FOUND, description = "No contract has this id", body = ErrorBody),
    )
)]
pub async fn contract(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ContractView>, ApiError> {
    let stored = state.redress.billing().contract(&id).await?;
    let stored =
        stored.ok_or_else(|| ApiError::not_found(format!("no contract has the id `{id}`")))?;
    Ok(Json(stored.into()))
}

/// A customer and the ids of their contracts.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    operation_id = "get_customer",
    tag = "billing data",
    params(BillingId),
    responses(
        (status = OK, description = "The customer", body = CustomerView),
        (status = NOT_FOUND, description = "No customer has this id", body = ErrorBody),
    )
)]
pub async fn customer(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CustomerView>, ApiError> {
    let stored = state.redress.billing().customer(&id).await?;
    let stored =
        stored.ok_or_else(|| ApiError::not_found(format!("no customer has the id `{id}`")))?;
    Ok(Json(stored.into()))
}
