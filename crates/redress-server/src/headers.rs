//! Headers every API response carries, whatever answered it (a handler, a rejection, a
//! fallback): what a browser or a cache must not do with customer data.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The headers set on every API response unless the handler set its own.
const ALWAYS: [(HeaderName, &str); 4] = [
    // A JSON body (or a PDF, or an attachment) is never sniffed into something else.
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // Customer data is kept by no cache, shared or the browser's.
    (header::CACHE_CONTROL, "no-store"),
    // Nothing the API answers is a page: no script, style or frame from it, and no site may
    // frame it.
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// How a caller without a valid token is told to authenticate (RFC 6750).
const BEARER: &str = "Bearer realm=\"redress\"";

/// Adds [`ALWAYS`] to the response, and `WWW-Authenticate` to a 401.
pub async fn on_every_response(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in ALWAYS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if response.status() == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .entry(header::WWW_AUTHENTICATE)
            .or_insert(HeaderValue::from_static(BEARER));
    }
    response
}
