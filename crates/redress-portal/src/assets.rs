//! The portal's stylesheet, embedded in the binary and served from `/portal/assets/` with an
//! ETag (the SHA-256 of the file): a browser that has it is answered 304. Pages link it with
//! its hash in the query (`/portal/assets/portal.css?v=…`), so that it may be kept for a year
//! and a new version is fetched at once.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The stylesheet.
const CSS: &[u8] = include_bytes!("../assets/portal.css");

/// Its hash, in hex.
static HASH: LazyLock<String> = LazyLock::new(|| {
    Sha256::digest(CSS)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
});

/// The URL pages link the stylesheet with.
pub fn stylesheet() -> String {
    format!("/portal/assets/portal.css?v={}", &HASH[..16])
}

/// `GET /portal/assets/{name}`: the stylesheet, or 304 when the browser has it.
pub async fn serve(
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if name != "portal.css" {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let etag = format!("\"{}\"", *HASH);
    let cache = if query
        .get("v")
        .is_some_and(|v| !v.is_empty() && HASH.starts_with(v.as_str()))
    {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = CSS.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        );
        response
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
