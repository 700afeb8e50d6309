//! `Idempotency-Key` on POSTs: the same key with the same body gets the first response and
//! changes nothing; the same key with another body is refused (422).

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ApiError;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_storage::idempotency::Claim;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::future::Future;
use utoipa::IntoParams;

/// The `Idempotency-Key` header a POST may carry, as the document describes it.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// 1 to 255 visible ASCII characters, chosen by the client. The same key and body get the
    /// first answer again (with `Idempotent-Replayed: true`) and change nothing; the same key
    /// with another body is refused with a 422.
    #[param(rename = "Idempotency-Key", value_type = String, required = false, min_length = 1, max_length = 255)]
    pub idempotency_key: Option<String>,
}

/// Handles a POST at most once per caller and `Idempotency-Key` (when the header is given).
pub async fn once<View, Fut>(
    state: &AppState,
    caller: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    handle: impl FnOnce() -> Fut,
) -> Response
where
    View: Serialize,
    Fut: Future<Output = Result<(StatusCode, View), ApiError>>,
{
    let Some(key) = headers.get("idempotency-key") else {
        return respond(handle().await);
    };
    let key = match key.to_str() {
        Ok(key) if !key.is_empty() && key.len() <= 255 => key,
        _ => {
            let message = "the Idempotency-Key header must be 1 to 255 visible ASCII characters";
            return ApiError::invalid_field("Idempotency-Key", message).into_response();
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    let request: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    match state
        .store
        .claim_idempotency_key(caller, key, &request)
        .await
    {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Claim::Replay { status, response }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            // The first answer's JSON as it was sent, byte for byte.
            let mut replayed = json_response(status, response);
            replayed
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            replayed
        }
        Ok(Claim::Mismatch) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request",
        )
        .into_response(),
        Ok(Claim::InProgress) => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_use",
            "a request with this Idempotency-Key is still being handled; retry shortly",
        )
        .into_response(),
        Ok(Claim::Fresh) => {
            let (status, body) = match handle().await {
                Ok((status, view)) => (status, json_text(&view)),
                Err(e) => {
                    let (status, body) = e.parts();
                    (status, json_text(&body))
                }
            };
            // A server-side failure is worth retrying: release the key instead of keeping it.
            let outcome = (!status.is_server_error()).then_some((status.as_u16(), body.as_str()));
            if let Err(e) = state.store.finish_idempotent(caller, key, outcome).await {
                return ApiError::from(e).into_response();
            }
            json_response(status, body)
        }
    }
}

/// A change by a caller whose role may write, handled at most once per `Idempotency-Key`;
/// `act` gets the caller's user id. Every POST that changes something goes through here.
pub async fn write_once<View, Fut>(
    state: &AppState,
    caller: Authenticated,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    act: impl FnOnce(String) -> Fut,
) -> Response
where
    View: Serialize,
    Fut: Future<Output = Result<(StatusCode, View), ApiError>>,
{
    let caller = match caller.writer() {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    // Keyed by the user, not the token: one person's tokens share their answers, and no one
    // else's token can replay them.
    let id = caller.id.clone();
    once(state, &caller.id, headers, route, body, || act(id)).await
}

fn respond(result: Result<(StatusCode, impl Serialize), ApiError>) -> Response {
    match result {
        Ok((status, view)) => (status, Json(view)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A view as JSON text: the form an answer is kept in for replays.
fn json_text(view: &impl Serialize) -> String {
    // Views hold strings, numbers, booleans and JSON values under string keys: that always
    // serializes.
    serde_json::to_string(view).expect("a view serializes to JSON")
}

/// A response whose body is the JSON text `body`.
fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
