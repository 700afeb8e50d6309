//! `/api/v1/disputes`: intake, reading, history and lifecycle moves.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{Change, IdempotencyKey, write_once};
use crate::views::{
    DisputePage, DisputeView, EventList, EventView, NoteKindNames, NoteList, NoteView, ReasonNames,
    SortNames, StatusNames,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_domain::{Decimal, DisputeReason, DisputeStatus, NoteKind, parse_date, parse_decimal};
use redress_service::records::{DisputeFilter, DisputeOrder, DisputeRow};
use redress_service::{Actor, DisputeIntake, Redress};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// The body of `POST /api/v1/disputes`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDispute {
    /// The invoice disputed.
    #[schema(example = "INV-000001-003")]
    invoice_id: String,
    /// The line disputed (from 1); leave it out for the whole invoice.
    #[schema(minimum = 1)]
    line_no: Option<u32>,
    /// The customer's reason.
    #[schema(value_type = ReasonNames)]
    reason: String,
    /// What the customer claims, in the invoice's currency: a decimal string such as `"50.00"`,
    /// never a floating-point number (a whole number is taken too).
    #[schema(schema_with = claimed_amount_schema, example = "50.00")]
    claimed_amount: Value,
    /// The customer's own words.
    narrative: String,
    /// How it came in, e.g. `email`, `phone`, `portal` (default `api`).
    channel: Option<String>,
    /// When the customer raised it (`YYYY-MM-DD`; today, in UTC, when left out).
    #[schema(format = Date)]
    opened_on: Option<String>,
}

/// What `claimed_amount` takes: a decimal string (digits, then a point and digits), or a whole
/// number; never negative.
fn claimed_amount_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let one_of = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^[0-9]+(\.[0-9]+)?$"))
                .max_length(Some(crate::input::MAX_SHORT_CHARS)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(i64::MAX)),
        )
        .build();
    utoipa::openapi::Schema::OneOf(one_of)
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

/// The JSON body of a request, or a 415 when it is not labelled JSON, or a 422 that says what
/// is wrong with it.
fn parse_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<T, ApiError> {
    crate::input::labelled_json(headers)?;
    parse_labelled(bytes)
}

/// [`parse_body`] of a body whose label was checked already.
fn parse_labelled<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // No NUL (PostgreSQL stores none) and no text longer than its field takes.
    crate::input::json_body(bytes)?;
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::invalid_field(
            "body",
            format!("the request body is not what this route takes: {e}"),
        )
    })
}

/// Takes a dispute and verifies it at once.
///
/// The claim is checked against the stored invoice and verified by the audit rules over the
/// invoice's contract. A second dispute of a line that already has an open one is linked to it
/// (`linked_to`).
#[utoipa::path(
    post,
    path = "/api/v1/disputes",
    operation_id = "create_dispute",
    tag = "disputes",
    params(IdempotencyKey),
    request_body = NewDispute,
    responses(
        (status = CREATED, description = "Taken and verified", body = DisputeView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = CONFLICT, description = "A request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "A field is missing or wrong (`details.field`), the invoice is unknown, or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = "POST /api/v1/disputes".to_owned();
    if headers.get("idempotency-key").is_none() {
        // Without a key, intake takes the busiest path: read side by side, and recorded with
        // the other new disputes waiting beside it in one statement.
        let opened = async {
            let body: NewDispute = parse_body(&headers, &bytes)?;
            let disputes = state.redress.disputes();
            let dispute = disputes.open(&caller.0, intake_of(body)?).await?;
            Ok::<_, ApiError>((StatusCode::CREATED, Json(DisputeView::from(dispute))))
        };
        return opened.await.into_response();
    }
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: NewDispute| async move {
            let work = redress
                .disputes()
                .prepare_open(&actor, intake_of(body)?)
                .await?;
            Ok(work
                .map_err(ApiError::from)
                .map(|dispute| (StatusCode::CREATED, DisputeView::from(dispute))))
        },
    )
    .await
}

/// The intake a request's body asks for, or a 422 naming the field at fault.
fn intake_of(body: NewDispute) -> Result<DisputeIntake, ApiError> {
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
    Ok(DisputeIntake {
        id: None,
        invoice_id: body.invoice_id,
        line_no: body.line_no,
        reason,
        claimed_amount: claimed_amount(&body.claimed_amount)?,
        narrative: body.narrative,
        channel: body.channel.unwrap_or_else(|| "api".to_owned()),
        opened_on,
    })
}

/// The stored dispute `id`, or a 404 that names it.
pub async fn existing_dispute(state: &AppState, id: &str) -> Result<DisputeRow, ApiError> {
    state
        .redress
        .disputes()
        .get(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no dispute has the id `{id}`")))
}

/// A dispute named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DisputeId {
    /// The dispute's id, e.g. `DSP-1`.
    pub id: String,
}

/// One dispute.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}",
    operation_id = "get_dispute",
    tag = "disputes",
    params(DisputeId),
    responses(
        (status = OK, description = "The dispute", body = DisputeView),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DisputeView>, ApiError> {
    Ok(Json(DisputeView::from(
        existing_dispute(&state, &id).await?,
    )))
}

/// The dispute's full history, from the audit log.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/events",
    operation_id = "dispute_events",
    tag = "disputes",
    params(DisputeId),
    responses(
        (status = OK, description = "Its events, oldest first", body = EventList),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = INTERNAL_SERVER_ERROR, description = "The audit log's hash chain is broken (`audit_log_broken`); `redress verify-log` says where", body = ErrorBody),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<EventList>, ApiError> {
    existing_dispute(&state, &id).await?;
    let events = state
        .redress
        .disputes()
        .history(&id)
        .await?
        .into_iter()
        .map(|e| {
            let parse =
                |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
            EventView {
                sequence: e.sequence,
                occurred_at: e.event.occurred_at,
                actor: e.event.actor,
                entity: e.event.entity,
                entity_id: e.event.entity_id,
                action: e.event.action,
                before: parse(e.event.before),
                after: parse(e.event.after),
                hash: e.hash.to_string(),
                previous_hash: e.previous_hash.to_string(),
            }
        })
        .collect();
    Ok(Json(EventList { events }))
}

/// The body of `POST /api/v1/disputes/{id}/transitions`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// The status to move to.
    #[schema(value_type = StatusNames)]
    to: String,
}

/// Moves a dispute on, if its lifecycle allows.
///
/// `open → acknowledged → investigating ⇄ awaiting_customer → resolved → closed`, and
/// `withdrawn` from any open status.
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/transitions",
    operation_id = "move_dispute",
    tag = "disputes",
    params(DisputeId, IdempotencyKey),
    request_body = Transition,
    responses(
        (status = OK, description = "Moved", body = DisputeView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "The lifecycle does not allow this move (`details.allowed` lists what does), or a request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "`to` is not a status, or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn transition(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/transitions");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Transition| async move { move_dispute(&redress, &actor, &id, body) },
    )
    .await
}

fn move_dispute(
    redress: &Redress,
    caller: &Actor,
    id: &str,
    body: Transition,
) -> Result<Change<DisputeView>, ApiError> {
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
    Ok(redress
        .disputes()
        .set_status(caller, id, to)
        .map_err(ApiError::from)
        .map(|dispute| (StatusCode::OK, DisputeView::from(dispute))))
}

/// The query of `GET /api/v1/disputes`, as the document describes it. Every parameter is
/// optional. The handler reads the query by name instead, so that it can refuse a name it does
/// not know and say which.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisputeFilters {
    /// Only disputes in this status.
    #[param(value_type = Option<StatusNames>)]
    pub status: Option<String>,
    /// Only this customer's disputes (the customer's id).
    pub customer: Option<String>,
    /// Only disputes for this reason.
    #[param(value_type = Option<ReasonNames>)]
    pub reason: Option<String>,
    /// Only disputes assigned to this agent.
    pub assignee: Option<String>,
    /// Only disputes the customer raised on this day or later (`YYYY-MM-DD`).
    #[param(format = Date)]
    pub opened_from: Option<String>,
    /// Only disputes the customer raised on this day or earlier (`YYYY-MM-DD`).
    #[param(format = Date)]
    pub opened_to: Option<String>,
    /// Only disputes in this currency (ISO 4217). `min_amount` and `max_amount` need it.
    #[param(example = "EUR")]
    pub currency: Option<String>,
    /// Only claims of at least this much, a decimal string in `currency`.
    #[param(example = "20.00")]
    pub min_amount: Option<String>,
    /// Only claims of at most this much, a decimal string in `currency`.
    #[param(example = "40.00")]
    pub max_amount: Option<String>,
    /// The order (default `-created_at`, newest first).
    #[param(value_type = Option<SortNames>)]
    pub sort: Option<String>,
    /// How many disputes to a page.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Where to go on from: the `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// The names `GET /api/v1/disputes` takes in its query, as `DisputeFilters` documents them.
const FILTERS: [&str; 12] = [
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

/// Disputes, filtered, sorted, a page at a time.
///
/// The amounts `min_amount` and `max_amount` are compared in `currency`, which they need.
#[utoipa::path(
    get,
    path = "/api/v1/disputes",
    operation_id = "list_disputes",
    tag = "disputes",
    params(DisputeFilters),
    responses(
        (status = OK, description = "A page of disputes", body = DisputePage),
        (status = UNPROCESSABLE_ENTITY, description = "A parameter is unknown or wrong (`details.field`)", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _caller: Authenticated,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<DisputePage>, ApiError> {
    if let Some(unknown) = query.keys().find(|k| !FILTERS.contains(&k.as_str())) {
        return Err(ApiError::invalid_field(
            unknown,
            format!(
                "`{unknown}` is not a filter of this list (expected one of {})",
                FILTERS.join(", ")
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
    let day = |name: &str| {
        query
            .get(name)
            .map(|text| {
                parse_date(text).map_err(|e| ApiError::invalid_field(name, format!("{name} {e}")))
            })
            .transpose()
    };
    let reason = get("reason")
        .map(|name| {
            DisputeReason::from_name(&name).ok_or_else(|| {
                ApiError::invalid_field(
                    "reason",
                    format!(
                        "`{name}` is not a reason (expected one of {})",
                        DisputeReason::ALL.map(|(_, n)| n).join(", ")
                    ),
                )
            })
        })
        .transpose()?;
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
        currency.minor_units(amount).map(Some).ok_or_else(|| {
            ApiError::invalid_field(
                name,
                format!(
                    "{amount} is not an amount of {currency} (below {}, with at most {} decimals)",
                    redress_domain::AMOUNT_CEILING,
                    currency.minor_unit()
                ),
            )
        })
    };
    let filter = DisputeFilter {
        status,
        customer_id: get("customer"),
        reason,
        assignee: get("assignee"),
        opened_from: day("opened_from")?,
        opened_to: day("opened_to")?,
        currency,
        min_claimed_minor: minor("min_amount")?,
        max_claimed_minor: minor("max_amount")?,
        // The desk's filters; the API has not taken them (yet).
        invoice_id: None,
        escalated: None,
    };
    let sort = query.get("sort").map(String::as_str);
    let order = order_of(sort).ok_or_else(|| {
        ApiError::invalid_field(
            "sort",
            format!(
                "`{}` is not a sort (expected -created_at, created_at or -claimed_amount)",
                sort.unwrap_or_default()
            ),
        )
    })?;
    if order == DisputeOrder::LargestClaimFirst && filter.currency.is_none() {
        return Err(ApiError::invalid_field(
            "sort",
            "-claimed_amount needs a currency, since claims are compared in it",
        ));
    }
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
        .redress
        .disputes()
        .list(
            &filter,
            order,
            limit,
            query.get("cursor").map(String::as_str),
        )
        .await?
        .map_err(|e| ApiError::invalid_field("cursor", e.to_string()))?;
    Ok(Json(DisputePage {
        disputes: page.disputes.into_iter().map(DisputeView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The order `sort` names, if it names one; without it, newest first.
fn order_of(sort: Option<&str>) -> Option<DisputeOrder> {
    match sort {
        None | Some("-created_at") => Some(DisputeOrder::NewestFirst),
        Some("created_at") => Some(DisputeOrder::OldestFirst),
        Some("-claimed_amount") => Some(DisputeOrder::LargestClaimFirst),
        Some(_) => None,
    }
}

/// A change by a caller: idempotent, with its JSON body parsed. `act` gets the caller and the
/// body, and readies the change through the service.
pub(crate) async fn write<Body, View, Fut>(
    state: &AppState,
    caller: Authenticated,
    headers: &HeaderMap,
    route: String,
    bytes: &[u8],
    act: impl FnOnce(Actor, Body) -> Fut,
) -> Response
where
    Body: serde::de::DeserializeOwned,
    View: serde::Serialize + Send + 'static,
    Fut: std::future::Future<Output = Result<Change<View>, ApiError>>,
{
    write_once(state, caller, headers, &route, bytes, |actor| async move {
        // Routes whose body is all optional take an empty one, or `null`, as `{}`.
        let no_body = || {
            serde_json::from_slice(b"{}").map_err(|e| {
                ApiError::invalid_field("body", format!("this route needs a body: {e}"))
            })
        };
        let body: Body = if bytes.is_empty() {
            no_body()?
        } else {
            crate::input::labelled_json(headers)?;
            if bytes.trim_ascii() == b"null" {
                no_body()?
            } else {
                parse_labelled(bytes)?
            }
        };
        act(actor, body).await
    })
    .await
}

/// The body of `POST /api/v1/disputes/{id}/assignment`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The agent to work it; `null` (or left out) for nobody.
    #[schema(example = "agent-ana")]
    assignee: Option<String>,
}

/// Assigns the dispute to an agent, or to nobody.
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/assignment",
    operation_id = "assign_dispute",
    tag = "disputes",
    params(DisputeId, IdempotencyKey),
    // Every field is optional, so no body at all is taken as `{}`.
    request_body = Option<Assignment>,
    responses(
        (status = OK, description = "Assigned", body = DisputeView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "A request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "The body is not an assignment, or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/assignment");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Assignment| async move {
            Ok(redress
                .disputes()
                .assign(&actor, &id, body.assignee)
                .map_err(ApiError::from)
                .map(|dispute| (StatusCode::OK, DisputeView::from(dispute))))
        },
    )
    .await
}

/// The body of `POST /api/v1/disputes/{id}/escalation`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// `true` raises the flag, `false` lowers it.
    escalated: bool,
}

/// Raises or lowers the escalation flag, while the dispute is open.
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/escalation",
    operation_id = "escalate_dispute",
    tag = "disputes",
    params(DisputeId, IdempotencyKey),
    request_body = Escalation,
    responses(
        (status = OK, description = "Flag set", body = DisputeView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "The dispute is no longer open (`details.status`), or a request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "The body is not an escalation, or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn escalate(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/escalation");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: Escalation| async move {
            Ok(redress
                .disputes()
                .escalate(&actor, &id, body.escalated)
                .map_err(ApiError::from)
                .map(|dispute| (StatusCode::OK, DisputeView::from(dispute))))
        },
    )
    .await
}

/// The body of `POST /api/v1/disputes/{id}/notes`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// `note` (internal, the default) or `statement` (by the employee who ran the
    /// transaction).
    #[schema(value_type = Option<NoteKindNames>)]
    kind: Option<String>,
    /// What it says; not blank.
    #[schema(min_length = 1, pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$")]
    body: String,
}

/// Adds an internal note, or (`kind: statement`) what the employee who ran the transaction
/// says, to the dispute's case file.
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/notes",
    operation_id = "add_note",
    tag = "case file",
    params(DisputeId, IdempotencyKey),
    request_body = NewNote,
    responses(
        (status = CREATED, description = "Added", body = NoteView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "A request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "The kind is unknown or the text empty (`details.field`), or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn add_note(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/notes");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: NewNote| async move {
            let kind = match body.kind.as_deref() {
                None => NoteKind::Note,
                Some(name) => NoteKind::from_name(name).ok_or_else(|| {
                    ApiError::invalid_field(
                        "kind",
                        format!("`{name}` is not a kind of note (expected note or statement)"),
                    )
                })?,
            };
            if body.body.trim().is_empty() {
                return Err(ApiError::invalid_field("body", "a note needs some text"));
            }
            Ok(redress
                .disputes()
                .add_note(&actor, &id, kind, &body.body)
                .map_err(ApiError::from)
                .map(|note| (StatusCode::CREATED, NoteView::from(&note))))
        },
    )
    .await
}

/// The case file's notes and statements, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/notes",
    operation_id = "list_notes",
    tag = "case file",
    params(DisputeId),
    responses(
        (status = OK, description = "The notes", body = NoteList),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
    )
)]
pub async fn notes(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<NoteList>, ApiError> {
    existing_dispute(&state, &id).await?;
    let notes = state
        .redress
        .disputes()
        .notes(&id)
        .await?
        .iter()
        .map(NoteView::from)
        .collect();
    Ok(Json(NoteList { notes }))
}

/// The (empty) body of `POST /api/v1/disputes/{id}/verify`.
#[derive(Deserialize)]
pub struct Reverify {}

/// Verifies the dispute again, against the billing data as stored now.
///
/// It takes no body (or `{}`).
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/verify",
    operation_id = "reverify_dispute",
    tag = "disputes",
    params(DisputeId, IdempotencyKey),
    responses(
        (status = OK, description = "Verified again; `verification` holds the new verdict", body = DisputeView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "A request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "The `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn reverify(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/verify");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, _: Reverify| async move {
            let work = redress.disputes().prepare_reverify(&actor, &id).await?;
            Ok(work
                .map_err(ApiError::from)
                .map(|dispute| (StatusCode::OK, DisputeView::from(dispute))))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_takes_the_query_parameters_it_documents() {
        let documented: Vec<String> = DisputeFilters::into_params(|| None)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(documented, FILTERS);
    }

    #[test]
    fn the_list_takes_every_sort_it_documents() {
        let utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(sorts)) =
            <SortNames as utoipa::PartialSchema>::schema()
        else {
            panic!("the sorts are a plain string schema");
        };
        let names = sorts.enum_values.expect("the sorts are listed");
        assert_eq!(names.len(), 3);
        for name in names {
            assert!(order_of(name.as_str()).is_some(), "{name}");
        }
    }
}
