//! `Idempotency-Key` on POSTs: the same key with the same body gets the first response and
//! changes nothing; the same key with another body is refused (422). The key is claimed, the
//! change made and its answer kept in one transaction (`Store::perform_once`): a request cut
//! off anywhere has either changed nothing and kept nothing, or changed what it changes and
//! kept its answer for the retry.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ApiError;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_service::records::{Answer, Once, Reply};
use redress_service::{Actor, Work};
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
    #[param(rename = "Idempotency-Key", value_type = String, required = false, min_length = 1, max_length = 255, pattern = "^[!-~]+$")]
    pub idempotency_key: Option<String>,
}

/// A change ready to be made: what it does to the database, and the answer it gives.
pub type Change<View> = Work<(StatusCode, View), ApiError>;

/// The key a request carries, if any: `Err` answers a malformed one.
pub fn key_of(
    caller: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
) -> Result<Option<Once>, ApiError> {
    let Some(key) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = match key.to_str() {
        Ok(key)
            if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            key
        }
        _ => {
            let message = "the Idempotency-Key header must be 1 to 255 visible ASCII characters";
            return Err(ApiError::invalid_field("Idempotency-Key", message));
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    let request_sha256: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(Once {
        caller: caller.to_owned(),
        key: key.to_owned(),
        request_sha256,
    }))
}

/// A change by a caller, made at most once per `Idempotency-Key` (when the header is given).
/// `prepare` gets the caller and readies the change through the service (which checks, in the
/// transaction that makes it, that the caller may); a key answered before is answered again
/// without preparing anything. Every POST that changes something goes through here.
pub async fn write_once<View, Fut>(
    state: &AppState,
    caller: Authenticated,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    prepare: impl FnOnce(Actor) -> Fut,
) -> Response
where
    View: Serialize + Send + 'static,
    Fut: Future<Output = Result<Change<View>, ApiError>>,
{
    let caller = caller.0;
    // Keyed by the user, not the token: one person's tokens share their answers, and no one
    // else's token can replay them.
    let once = match key_of(&caller.id, headers, route, body) {
        Ok(once) => once,
        Err(e) => return e.into_response(),
    };
    if let Some(once) = &once {
        match state.redress.earlier_reply(once).await {
            Ok(Some(reply)) => return respond(reply),
            Ok(None) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    let change = match prepare(caller).await {
        Ok(change) => change,
        Err(e) => return e.into_response(),
    };
    match state.redress.perform_once(once, change, answer).await {
        Ok(reply) => respond(reply),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The answer to keep of a change's outcome: a failure worth retrying is not kept.
pub fn answer<View: Serialize>(outcome: Result<(StatusCode, View), ApiError>) -> Answer {
    match outcome {
        Ok((status, view)) => Answer {
            status: status.as_u16(),
            body: json_text(&view),
            keep: true,
        },
        Err(e) => {
            let (status, body) = e.parts();
            Answer {
                status: status.as_u16(),
                body: json_text(&body),
                keep: !status.is_server_error(),
            }
        }
    }
}

/// The response of a reply.
pub fn respond(reply: Reply) -> Response {
    match reply {
        Reply::Answered(answer) => json_response(answer),
        Reply::Replayed(answer) => {
            // The first answer's JSON as it was sent, byte for byte.
            let mut replayed = json_response(answer);
            replayed
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            replayed
        }
        Reply::Mismatch => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request",
        )
        .into_response(),
    }
}

/// A view as JSON text: the form an answer is kept in for replays.
fn json_text(view: &impl Serialize) -> String {
    // Views hold strings, numbers, booleans and JSON values under string keys: that always
    // serializes.
    serde_json::to_string(view).expect("a view serializes to JSON")
}

/// A response whose body is the answer's JSON text.
fn json_response(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        answer.body,
    )
        .into_response()
}
