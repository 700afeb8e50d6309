//! Read endpoints for the billing data a dispute is checked against: customers, contracts,
//! and invoices with their lines, payments and notices.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use redress_domain::{BillingData, InvoiceIdx, LineKind};
use serde_json::{Value, json};

/// `GET /api/v1/invoices/{id}`: the invoice with its lines, payments and notices.
pub async fn invoice(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let data = state
        .store
        .contract_data_for_invoice(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no invoice has the id `{id}`")))?;
    let index = InvoiceIdx(data.invoice_ids.get(&id).expect("loaded with its contract"));
    Ok(Json(invoice_json(&data, index)))
}

fn invoice_json(data: &BillingData, index: InvoiceIdx) -> Value {
    let invoice = data.invoice(index);
    let currency = invoice.currency;
    let lines: Vec<Value> = data
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.invoice == index)
        .map(|(i, l)| {
            let (kind, sku, period_start, period_end, late_fee_for) = match l.kind {
                LineKind::Charge { sku, period } => {
                    ("charge", Some(data.sku(sku)), Some(period.start().to_string()), Some(period.end().to_string()), None)
                }
                LineKind::LateFee { late_fee_for } => ("late_fee", None, None, None, Some(data.invoice_id(late_fee_for))),
            };
            json!({
                "line_no": l.line_no, "kind": kind, "sku": sku, "description": data.line_descriptions.get(i),
                "period_start": period_start, "period_end": period_end, "quantity": l.quantity.to_string(),
                "unit_price": l.unit_price.to_string(), "discount_percent": l.discount_percent.to_string(),
                "amount": currency.format(l.amount), "late_fee_for": late_fee_for,
            })
        })
        .collect();
    let payments: Vec<Value> = data
        .payments
        .iter()
        .enumerate()
        .filter(|(_, p)| p.invoice == index)
        .map(|(i, p)| {
            json!({"id": data.payment_ids.get(i), "paid_on": p.paid_on.to_string(), "amount": currency.format(p.amount),
                   "method": p.method, "reference": p.reference})
        })
        .collect();
    let notices: Vec<Value> = data
        .notices
        .iter()
        .enumerate()
        .filter(|(_, n)| n.invoice == index)
        .map(|(i, n)| json!({"id": data.notice_ids.get(i), "sent_on": n.sent_on.to_string(), "kind": n.kind.as_str(), "channel": n.channel}))
        .collect();
    json!({
        "id": data.invoice_id(index),
        "customer_id": data.customer_ids.name(invoice.customer.0),
        "contract_id": data.contract_id(invoice.contract),
        "issue_date": invoice.issue_date.to_string(),
        "due_date": invoice.due_date.to_string(),
        "currency": currency.code(),
        "subtotal": currency.format(invoice.subtotal),
        "tax_total": currency.format(invoice.tax_total),
        "total": currency.format(invoice.total),
        "lines": lines,
        "payments": payments,
        "notices": notices,
    })
}

/// `GET /api/v1/contracts/{id}`: the contract's terms and price rows.
pub async fn contract(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .store
        .contract_json(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no contract has the id `{id}`")))
}

/// `GET /api/v1/customers/{id}`: the customer and their contracts.
pub async fn customer(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .store
        .customer_json(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no customer has the id `{id}`")))
}
