//! What the API refuses before a handler or the database sees it: text that PostgreSQL cannot
//! store (a NUL character), text longer than its field holds, and request bodies that stall.
//!
//! Both backends refuse the same input the same way, with a 422 naming the field, instead of
//! PostgreSQL failing at the database (a 503) where SQLite would have stored it.

use crate::error::ApiError;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, SizeHint};
use serde_json::{Value, json};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The longest id taken, in characters: every path parameter, every body field named `id` or
/// `…_id`, and the `customer` filter. Ids are keys the system or the billing export made; one
/// longer than this is a mistake, and would only make an index larger. (In characters, as the
/// OpenAPI document can say it: at most 512 bytes.)
pub const MAX_ID_CHARS: usize = 128;

/// The longest free text taken, in characters: a dispute's `narrative`, a resolution's
/// `reason`, a decision's or an offer's `note`, a note's `body`, a practice answer's `message`
/// ([`LONG_TEXT_FIELDS`]). About
/// four pages: enough for what a customer writes, not for a file (attachments are for files).
pub const MAX_TEXT_CHARS: usize = 10_000;

/// The longest short text taken, in characters: every other text field and query value
/// (a channel, a kind or option name, a status, a currency, an assignee, a date, an amount).
/// The same as the `X-File-Name` and `Idempotency-Key` headers take.
pub const MAX_SHORT_CHARS: usize = 255;

/// The longest list cursor taken, in bytes: a cursor is the hex of a sort key (a timestamp or
/// an amount) and a dispute's id, so twice (a key of up to 127 bytes, a separator and an id).
pub const MAX_CURSOR_BYTES: usize = 2 * (127 + 1 + 4 * MAX_ID_CHARS);

/// The body fields of free text, which take up to [`MAX_TEXT_CHARS`].
pub const LONG_TEXT_FIELDS: [&str; 5] = ["narrative", "reason", "note", "body", "message"];

/// How much text a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// At most this many bytes (ids: their bytes are what is stored and compared).
    Bytes(usize),
    /// At most this many characters (text people write, in any script).
    Chars(usize),
}

impl Limit {
    /// The limit of a body field or query parameter called `name`.
    pub fn of(name: &str) -> Self {
        if LONG_TEXT_FIELDS.contains(&name) {
            Self::Chars(MAX_TEXT_CHARS)
        } else if name == "id" || name.ends_with("_id") || name == "customer" {
            Self::Chars(MAX_ID_CHARS)
        } else if name == "cursor" {
            Self::Bytes(MAX_CURSOR_BYTES)
        } else {
            Self::Chars(MAX_SHORT_CHARS)
        }
    }

    /// Whether `text` fits.
    fn holds(self, text: &str) -> bool {
        match self {
            Self::Bytes(most) => text.len() <= most,
            // No more bytes than the limit means no more characters either.
            Self::Chars(most) => text.len() <= most || text.chars().count() <= most,
        }
    }

    /// The limit in words, e.g. `128 bytes`.
    fn describe(self) -> String {
        match self {
            Self::Bytes(most) => format!("{most} bytes"),
            Self::Chars(most) => format!("{most} characters"),
        }
    }

    pub(crate) fn most(self) -> usize {
        match self {
            Self::Bytes(most) | Self::Chars(most) => most,
        }
    }
}

/// The 422 for a NUL character in `field`.
fn nul_in(field: &str) -> ApiError {
    ApiError::invalid_field(
        field,
        format!("`{field}` contains a NUL character (\\u0000), which no text field takes"),
    )
}

/// `text`, as field `field` (named `name` where it sits, when that differs: a field of an item
/// of `lines`), if it holds no NUL and fits `limit`; otherwise the 422 that says which.
pub fn text(field: &str, name: &str, limit: Limit, text: &str) -> Result<(), ApiError> {
    if text.contains('\0') {
        return Err(nul_in(field));
    }
    if limit.holds(text) {
        return Ok(());
    }
    let what = if field == name {
        format!("`{field}`")
    } else {
        format!("`{name}` in `{field}`")
    };
    Err(ApiError::invalid_field(
        field,
        format!("{what} is longer than the {} taken", limit.describe()),
    )
    .details(json!({"field": field, "max_length": limit.most()})))
}

/// Whether a request's body is labelled JSON (`application/json`, or a `+json` type, with any
/// parameters): a 415 saying what to send otherwise. A body sent as text or as a form is not
/// read as JSON by guesswork: a client that mislabels it is told at once.
pub fn labelled_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let sent = headers.get(axum::http::header::CONTENT_TYPE);
    let labelled = sent
        .and_then(|t| t.to_str().ok())
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .is_some_and(|t| {
            t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
        });
    if labelled {
        return Ok(());
    }
    let sent = sent.map(|t| String::from_utf8_lossy(t.as_bytes()).into_owned());
    let message = match &sent {
        Some(sent) => format!(
            "the body was sent as `{sent}`; this route takes JSON: send it with `Content-Type: application/json`"
        ),
        None => "the body was sent without a Content-Type; this route takes JSON: send it with `Content-Type: application/json`".to_owned(),
    };
    Err(ApiError::new(
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_type",
        message,
    )
    .details(json!({"field": "Content-Type", "expected": "application/json"})))
}

/// Checks every text in a JSON request body before it is read into its type: no NUL anywhere
/// (in values or names), and each text within the limit of its field's name. The field named
/// in a refusal is the top-level one (`lines` for a line's `amount`). A body that is not JSON
/// passes: the parse that follows says what is wrong with it.
pub fn json_body(bytes: &[u8]) -> Result<(), ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(body) => json_value(&body),
        Err(_) => Ok(()),
    }
}

/// [`json_body`], on a body already parsed.
pub fn json_value(body: &Value) -> Result<(), ApiError> {
    match body {
        Value::Object(fields) => fields.iter().try_for_each(|(name, value)| {
            if name.contains('\0') {
                return Err(nul_in("body"));
            }
            walk(name, name, value)
        }),
        other => walk("body", "body", other),
    }
}

/// Checks `value`, found under `name` within top-level field `field`.
fn walk(field: &str, name: &str, value: &Value) -> Result<(), ApiError> {
    match value {
        Value::String(s) => text(field, name, Limit::of(name), s),
        Value::Array(items) => items.iter().try_for_each(|item| walk(field, name, item)),
        Value::Object(fields) => fields.iter().try_for_each(|(inner, value)| {
            if inner.contains('\0') {
                return Err(nul_in(field));
            }
            walk(field, inner, value)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// Checks every path parameter (each an id or a number: [`MAX_ID_CHARS`]) and every query
/// value of a request, as decoded, before its handler runs.
pub async fn check_path_and_query(
    params: Result<RawPathParams, RawPathParamsRejection>,
    request: Request,
    next: Next,
) -> Response {
    // A parameter that does not decode is left to the handler's own extractor to refuse.
    if let Ok(params) = &params {
        for (name, value) in params {
            if let Err(e) = text(name, name, Limit::Chars(MAX_ID_CHARS), value) {
                return e.into_response();
            }
        }
    }
    if request.uri().query().is_some() {
        // A query that does not decode is left to the handler, as above.
        let query = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(request.uri());
        for (name, value) in query.map(|q| q.0).unwrap_or_default() {
            if name.contains('\0') {
                return nul_in("query").into_response();
            }
            if let Err(e) = text(&name, &name, Limit::of(&name), &value) {
                return e.into_response();
            }
        }
    }
    next.run(request).await
}

/// Gives a request's body at most `idle` between one part and the next once its handler reads
/// it, and answers 408 (`request_timeout`) when the client stalls for longer. A wait between
/// parts rather than for the whole body: a large attachment on a slow link still arrives,
/// while a client that stops sending frees its connection.
pub async fn read_body_within(
    State(idle): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let stalled = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(IdleLimitedBody {
            inner: body,
            idle,
            sleep: None,
            armed: false,
            stalled: stalled.clone(),
        })
    });
    let response = next.run(request).await;
    if stalled.load(Ordering::Relaxed) {
        let message = format!(
            "the request body stalled: no part of it came for {} s",
            idle.as_secs_f64()
        );
        return ApiError::new(StatusCode::REQUEST_TIMEOUT, "request_timeout", message)
            .details(json!({"field": "body"}))
            .into_response();
    }
    response
}

/// A request body that fails when its next part takes longer than `idle` to come.
struct IdleLimitedBody {
    inner: Body,
    idle: Duration,
    /// Made at the first wait, then reset for each.
    sleep: Option<Pin<Box<Sleep>>>,
    /// Whether `sleep` times the current wait.
    armed: bool,
    stalled: Arc<AtomicBool>,
}

/// Why a body read failed: the client stalled.
#[derive(Debug)]
struct Stalled;

impl std::fmt::Display for Stalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body stalled")
    }
}

impl std::error::Error for Stalled {}

impl HttpBody for IdleLimitedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        // Every field is Unpin: the body and the sleep are boxed.
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.armed = false;
            return Poll::Ready(frame);
        }
        if !this.armed {
            let deadline = Instant::now() + this.idle;
            match &mut this.sleep {
                Some(sleep) => sleep.as_mut().reset(deadline),
                None => this.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
            this.armed = true;
        }
        if let Some(sleep) = &mut this.sleep
            && sleep.as_mut().poll(cx).is_ready()
        {
            this.stalled.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new(Stalled))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(body: Value) -> (String, String) {
        let (status, body) = json_value(&body).unwrap_err().parts();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = serde_json::to_value(body).unwrap();
        assert_eq!(body["error"]["code"], "invalid_request");
        (
            body["error"]["details"]["field"]
                .as_str()
                .unwrap()
                .to_owned(),
            body["error"]["message"].as_str().unwrap().to_owned(),
        )
    }

    #[test]
    fn a_nul_anywhere_in_a_body_is_refused_naming_the_top_level_field() {
        assert_eq!(refused(json!({"narrative": "a\u{0}b"})).0, "narrative");
        assert_eq!(
            refused(json!({"kind": "credit_note", "lines": [{"line_no": 1, "amount": "1\u{0}"}]}))
                .0,
            "lines"
        );
        assert_eq!(refused(json!({"lines": [{"a\u{0}": 1}]})).0, "lines");
        assert_eq!(refused(json!({"x\u{0}": 1})).0, "body");
        assert_eq!(refused(json!(["\u{0}"])).0, "body");
        assert!(json_value(&json!({"narrative": "no nul here", "line_no": 3})).is_ok());
    }

    #[test]
    fn each_field_takes_text_up_to_its_limit_and_no_more() {
        let long = |n: usize, c: char| std::iter::repeat_n(c, n).collect::<String>();
        // Characters, not bytes: 10,000 two-byte characters are within the narrative's limit.
        assert!(json_value(&json!({"narrative": long(MAX_TEXT_CHARS, 'é')})).is_ok());
        let (field, message) = refused(json!({"narrative": long(MAX_TEXT_CHARS + 1, 'a')}));
        assert_eq!(field, "narrative");
        assert!(message.contains("10000 characters"), "{message}");
        assert!(json_value(&json!({"invoice_id": long(MAX_ID_CHARS, 'a')})).is_ok());
        // Characters for ids too, as the document says: 128 two-byte characters are taken.
        assert!(json_value(&json!({"invoice_id": long(MAX_ID_CHARS, 'é')})).is_ok());
        let (field, message) = refused(json!({"invoice_id": long(MAX_ID_CHARS + 1, 'a')}));
        assert_eq!(field, "invoice_id");
        assert!(message.contains("128 characters"), "{message}");
        assert!(json_value(&json!({"channel": long(MAX_SHORT_CHARS, 'a')})).is_ok());
        assert_eq!(
            refused(json!({"channel": long(MAX_SHORT_CHARS + 1, 'a')})).0,
            "channel"
        );
        let (field, message) =
            refused(json!({"lines": [{"amount": long(MAX_SHORT_CHARS + 1, '1')}]}));
        assert_eq!(field, "lines");
        assert!(message.contains("`amount` in `lines`"), "{message}");
    }

    #[test]
    fn the_limits_of_names_are_the_documented_ones() {
        for name in LONG_TEXT_FIELDS {
            assert_eq!(Limit::of(name), Limit::Chars(MAX_TEXT_CHARS));
        }
        for name in ["invoice_id", "payment_id", "id", "customer"] {
            assert_eq!(Limit::of(name), Limit::Chars(MAX_ID_CHARS));
        }
        for name in [
            "channel", "kind", "currency", "assignee", "to", "option", "amount",
        ] {
            assert_eq!(Limit::of(name), Limit::Chars(MAX_SHORT_CHARS));
        }
        assert_eq!(Limit::of("cursor"), Limit::Bytes(MAX_CURSOR_BYTES));
    }

    #[test]
    fn a_body_that_is_not_json_is_left_to_the_parse_that_names_the_problem() {
        assert!(json_body(b"{\"narrative\": ").is_ok());
        assert!(json_body(b"{\"narrative\": \"\\u0000\"}").is_err());
    }
}
