//! `/api/v1/disputes`: intake, reading, history and lifecycle moves.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::idempotency::write_once;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::{Decimal, DisputeReason, DisputeStatus, parse_date, parse_decimal};
use redress_service::{DisputeIntake, open_dispute};
use redress_storage::disputes::{DisputeFilter, DisputeOrder, DisputeRow};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The body of `POST /api/v1/disputes`.
#[derive(Deserialize)]
pub struct NewDispute {
    invoice_id: String,
    line_no: Option<u32>,
    reason: String,
    /// A decimal string such as `"50.00"` (or a whole number); never a float.
    claimed_amount: Value,
    narrative: String,
    channel: Option<String>,
    opened_on: Option<String>,
}

/// A dispute as the API shows it.
pub fn dispute_json(d: &DisputeRow) -> Value {
    json!({
        "id": d.id,
        "invoice_id": d.invoice_id,
        "customer_id": d.customer_id,
        "line_no": d.line_no,
        "reason": d.reason,
        "claimed_amount": d.claimed_amount,
        "currency": d.currency,
        "narrative": d.narrative,
        "channel": d.channel,
        "taken_by": d.taken_by,
        "status": d.status.as_str(),
        "escalated": d.escalated,
        "assignee": d.assignee,
        "linked_to": d.linked_to,
        "opened_on": d.opened_on,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "verification": {
            "verdict": d.verdict,
            "adjustment": d.adjustment,
            "findings": serde_json::from_str::<Value>(&d.findings_json).unwrap_or(Value::Array(vec![])),
            "verified_at": d.verified_at,
        },
    })
}

fn claimed_amount(value: &Value) -> Result<Decimal, ApiError> {
    let bad = || {
        ApiError::invalid_field(
            "claimed_amount",
            "claimed_amount must be a decimal string such as \"50.00\" (or a whole number), not a floating-point number",
        )
    };
    match value {
        Value::String(text) => parse_decimal(text)
            .map_err(|e| ApiError::invalid_field("claimed_amount", format!("claimed_amount {e}"))),
        Value::Number(n) => n.as_i64().map(Decimal::from).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The JSON body of a request, or a 422 that says what is wrong with it.
fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::invalid_field(
            "body",
            format!("the request body is not what this route takes: {e}"),
        )
    })
}

/// `POST /api/v1/disputes`: takes a dispute and verifies it at once. Honours `Idempotency-Key`.
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = "POST /api/v1/disputes".to_owned();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: NewDispute| create_dispute(&state, actor, body),
    )
    .await
}

async fn create_dispute(
    state: &AppState,
    caller: String,
    body: NewDispute,
) -> Result<(StatusCode, Value), ApiError> {
    let reason = DisputeReason::ALL.iter().find(|(_, n)| *n == body.reason).map(|(r, _)| *r).ok_or_else(|| {
        ApiError::invalid_field("reason", format!("`{}` is not a reason (expected overcharged, duplicate, not_received, wrong_price, late_fee or other)", body.reason))
    })?;
    let opened_on = body
        .opened_on
        .as_deref()
        .map(|d| {
            parse_date(d)
                .map_err(|e| ApiError::invalid_field("opened_on", format!("opened_on {e}")))
        })
        .transpose()?;
    let intake = DisputeIntake {
        id: None,
        invoice_id: body.invoice_id,
        line_no: body.line_no,
        reason,
        claimed_amount: claimed_amount(&body.claimed_amount)?,
        narrative: body.narrative,
        channel: body.channel.unwrap_or_else(|| "api".to_owned()),
        opened_on,
    };
    let dispute = open_dispute(&state.store, intake, &caller).await?;
    Ok((StatusCode::CREATED, dispute_json(&dispute)))
}

/// The stored dispute `id`, or a 404 that names it.
pub async fn existing_dispute(state: &AppState, id: &str) -> Result<DisputeRow, ApiError> {
    state
        .store
        .dispute(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no dispute has the id `{id}`")))
}

/// `GET /api/v1/disputes/{id}`.
pub async fn get(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(dispute_json(&existing_dispute(&state, &id).await?)))
}

/// `GET /api/v1/disputes/{id}/events`: the dispute's full history from the audit log.
pub async fn events(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    existing_dispute(&state, &id).await?;
    let events: Vec<Value> = state
        .store
        .events_of("dispute", &id)
        .await?
        .into_iter()
        .map(|e| {
            let parse =
                |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
            json!({
                "sequence": e.sequence,
                "occurred_at": e.event.occurred_at,
                "actor": e.event.actor,
                "action": e.event.action,
                "before": parse(e.event.before),
                "after": parse(e.event.after),
                "hash": e.hash.to_string(),
                "previous_hash": e.previous_hash.to_string(),
            })
        })
        .collect();
    Ok(Json(json!({ "events": events })))
}

/// The body of `POST /api/v1/disputes/{id}/transitions`.
#[derive(Deserialize)]
pub struct Transition {
    to: String,
}

/// `POST /api/v1/disputes/{id}/transitions`: moves a dispute on, if its lifecycle allows.
/// Honours `Idempotency-Key`.
pub async fn transition(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/transitions");
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Transition| move_dispute(&state, actor, &id, body),
    )
    .await
}

async fn move_dispute(
    state: &AppState,
    caller: String,
    id: &str,
    body: Transition,
) -> Result<(StatusCode, Value), ApiError> {
    let to = DisputeStatus::from_name(&body.to).ok_or_else(|| {
        let names: Vec<&str> = DisputeStatus::ALL.iter().map(|s| s.as_str()).collect();
        ApiError::invalid_field(
            "to",
            format!(
                "`{}` is not a status (expected one of {})",
                body.to,
                names.join(", ")
            ),
        )
    })?;
    let dispute = state.store.set_dispute_status(id, to, &caller).await?;
    Ok((StatusCode::OK, dispute_json(&dispute)))
}

/// `GET /api/v1/disputes`: filtered, sorted, a page at a time.
///
/// Filters: `status`, `customer`, `reason`, `assignee`, `opened_from`, `opened_to`
/// (`YYYY-MM-DD`), and `min_amount`/`max_amount` with `currency`. `sort` is `-created_at`
/// (newest first, the default), `created_at` or `-claimed_amount`. `limit` is 1 to 200 (default
/// 50); `cursor` continues from the `next_cursor` of the page before.
pub async fn list(
    State(state): State<AppState>,
    _caller: Authenticated,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    const KNOWN: [&str; 12] = [
        "status",
        "customer",
        "reason",
        "assignee",
        "opened_from",
        "opened_to",
        "currency",
        "min_amount",
        "max_amount",
        "sort",
        "limit",
        "cursor",
    ];
    if let Some(unknown) = query.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(ApiError::invalid_field(
            unknown,
            format!(
                "`{unknown}` is not a filter of this list (expected one of {})",
                KNOWN.join(", ")
            ),
        ));
    }
    let get = |name: &str| query.get(name).cloned();
    let status = get("status")
        .map(|s| {
            DisputeStatus::from_name(&s)
                .ok_or_else(|| ApiError::invalid_field("status", format!("`{s}` is not a status")))
        })
        .transpose()?;
    for day in ["opened_from", "opened_to"] {
        if let Some(text) = query.get(day) {
            parse_date(text).map_err(|e| ApiError::invalid_field(day, format!("{day} {e}")))?;
        }
    }
    let currency = get("currency")
        .map(|code| {
            redress_domain::Currency::from_code(&code)
                .map_err(|e| ApiError::invalid_field("currency", e.to_string()))
        })
        .transpose()?;
    let minor = |name: &str| -> Result<Option<i64>, ApiError> {
        let Some(text) = query.get(name) else {
            return Ok(None);
        };
        let currency = currency.ok_or_else(|| {
            ApiError::invalid_field(
                name,
                format!("{name} needs a currency, since amounts are compared in it"),
            )
        })?;
        let amount = parse_decimal(text)
            .map_err(|e| ApiError::invalid_field(name, format!("{name} {e}")))?;
        if !currency.fits(amount) {
            return Err(ApiError::invalid_field(
                name,
                format!("{amount} has more decimals than {currency} allows"),
            ));
        }
        let units = amount * Decimal::from(10i64.pow(currency.minor_unit()));
        Ok(Some(i64::try_from(units.trunc()).unwrap_or(i64::MAX)))
    };
    let filter = DisputeFilter {
        status,
        customer_id: get("customer"),
        reason: get("reason"),
        assignee: get("assignee"),
        opened_from: get("opened_from"),
        opened_to: get("opened_to"),
        currency: currency.map(|c| c.code().to_owned()),
        min_claimed_minor: minor("min_amount")?,
        max_claimed_minor: minor("max_amount")?,
    };
    let order = match query.get("sort").map(String::as_str) {
        None | Some("-created_at") => DisputeOrder::NewestFirst,
        Some("created_at") => DisputeOrder::OldestFirst,
        Some("-claimed_amount") => DisputeOrder::LargestClaimFirst,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "sort",
                format!(
                    "`{other}` is not a sort (expected -created_at, created_at or -claimed_amount)"
                ),
            ));
        }
    };
    let limit = match query.get("limit") {
        None => 50,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "limit",
                    format!("`{text}` is not a page size from 1 to 200"),
                )
            })?,
    };
    let page = state
        .store
        .list_disputes(
            &filter,
            order,
            limit,
            query.get("cursor").map(String::as_str),
        )
        .await?
        .map_err(|e| ApiError::invalid_field("cursor", e.to_string()))?;
    let disputes: Vec<Value> = page.disputes.iter().map(dispute_json).collect();
    Ok(Json(
        json!({ "disputes": disputes, "next_cursor": page.next_cursor }),
    ))
}

/// A change to a dispute by a caller who may write: idempotent, with its JSON body parsed.
async fn write<Body, Fut>(
    state: &AppState,
    caller: Authenticated,
    headers: &HeaderMap,
    route: String,
    bytes: &[u8],
    act: impl FnOnce(String, Body) -> Fut,
) -> Response
where
    Body: serde::de::DeserializeOwned,
    Fut: std::future::Future<Output = Result<(StatusCode, Value), ApiError>>,
{
    write_once(state, caller, headers, &route, bytes, |actor| async move {
        // Routes whose body is all optional take an empty one as `{}`.
        let body: Body = if bytes.is_empty() {
            parse_body(b"{}")?
        } else {
            parse_body(bytes)?
        };
        act(actor, body).await
    })
    .await
}

/// The body of `POST /api/v1/disputes/{id}/assignment`.
#[derive(Deserialize)]
pub struct Assignment {
    assignee: Option<String>,
}

/// `POST /api/v1/disputes/{id}/assignment`: assigns the dispute to an agent (`null`: nobody).
pub async fn assign(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/assignment");
    let store = state.store.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Assignment| async move {
            let dispute = store.assign_dispute(&id, body.assignee, &actor).await?;
            Ok((StatusCode::OK, dispute_json(&dispute)))
        },
    )
    .await
}

/// The body of `POST /api/v1/disputes/{id}/escalation`.
#[derive(Deserialize)]
pub struct Escalation {
    escalated: bool,
}

/// `POST /api/v1/disputes/{id}/escalation`: raises or lowers the flag, while the dispute is open.
pub async fn escalate(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/escalation");
    let store = state.store.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Escalation| async move {
            let dispute = store.set_escalated(&id, body.escalated, &actor).await?;
            Ok((StatusCode::OK, dispute_json(&dispute)))
        },
    )
    .await
}

/// The body of `POST /api/v1/disputes/{id}/notes`.
#[derive(Deserialize)]
pub struct NewNote {
    kind: Option<String>,
    body: String,
}

fn note_json(note: &redress_storage::disputes::CaseNote) -> Value {
    json!({"id": note.id, "kind": note.kind, "author": note.author, "body": note.body, "created_at": note.created_at})
}

/// `POST /api/v1/disputes/{id}/notes`: an internal note, or (`kind: statement`) what the
/// employee who ran the transaction says.
pub async fn add_note(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/notes");
    let store = state.store.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: NewNote| async move {
            let kind = body.kind.unwrap_or_else(|| "note".to_owned());
            if kind != "note" && kind != "statement" {
                return Err(ApiError::invalid_field(
                    "kind",
                    format!("`{kind}` is not a kind of note (expected note or statement)"),
                ));
            }
            if body.body.trim().is_empty() {
                return Err(ApiError::invalid_field("body", "a note needs some text"));
            }
            let note = store.add_case_note(&id, &kind, &body.body, &actor).await?;
            Ok((StatusCode::CREATED, note_json(&note)))
        },
    )
    .await
}

/// `GET /api/v1/disputes/{id}/notes`: the case file's notes and statements, oldest first.
pub async fn notes(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    existing_dispute(&state, &id).await?;
    let notes: Vec<Value> = state
        .store
        .case_notes(&id)
        .await?
        .iter()
        .map(note_json)
        .collect();
    Ok(Json(json!({ "notes": notes })))
}

/// The (empty) body of `POST /api/v1/disputes/{id}/verify`.
#[derive(Deserialize)]
pub struct Reverify {}

/// `POST /api/v1/disputes/{id}/verify`: verifies the dispute again against the billing data as
/// stored now.
pub async fn reverify(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/verify");
    let store = state.store.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, _: Reverify| async move {
            let dispute = redress_service::reverify_dispute(&store, &id, &actor).await?;
            Ok((StatusCode::OK, dispute_json(&dispute)))
        },
    )
    .await
}
