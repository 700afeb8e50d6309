//! `Idempotency-Key` on POSTs: the same key with the same body gets the first response and
//! changes nothing; the same key with another body is refused (422).

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ApiError;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_storage::idempotency::Claim;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::future::Future;

/// Handles a POST at most once per caller and `Idempotency-Key` (when the header is given).
pub async fn once<Fut>(
    state: &AppState,
    caller: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    handle: impl FnOnce() -> Fut,
) -> Response
where
    Fut: Future<Output = Result<(StatusCode, Value), ApiError>>,
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
            let body: Value = serde_json::from_str(&response).unwrap_or(Value::Null);
            let mut replayed = (status, Json(body)).into_response();
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
                Ok(answer) => answer,
                Err(e) => e.parts(),
            };
            // A server-side failure is worth retrying: release the key instead of keeping it.
            let outcome = (!status.is_server_error()).then(|| (status.as_u16(), body.to_string()));
            if let Err(e) = state
                .store
                .finish_idempotent(caller, key, outcome.as_ref().map(|(s, b)| (*s, b.as_str())))
                .await
            {
                return ApiError::from(e).into_response();
            }
            (status, Json(body)).into_response()
        }
    }
}

/// A change by a caller whose role may write, handled at most once per `Idempotency-Key`;
/// `act` gets the caller's name. Every POST that changes something goes through here.
pub async fn write_once<Fut>(
    state: &AppState,
    caller: Authenticated,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    act: impl FnOnce(String) -> Fut,
) -> Response
where
    Fut: Future<Output = Result<(StatusCode, Value), ApiError>>,
{
    let caller = match caller.writer() {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let name = caller.name.clone();
    once(state, &caller.name, headers, route, body, || act(name)).await
}

fn respond(result: Result<(StatusCode, Value), ApiError>) -> Response {
    match result {
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(e) => e.into_response(),
    }
}
