//! The desk's stylesheet and script, embedded in the binary and served from `/assets/` with an
//! ETag (the SHA-256 of the file): a browser that has the file is answered 304. The pages link
//! each file with its hash in the query (`/assets/desk.css?v=…`), so that the file may be kept
//! for a year (`immutable`) and a new version of Redress is fetched at once.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::LazyLock;

/// An embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: [Asset; 2] = [
    Asset {
        name: "desk.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/desk.css"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/htmx.min.js"),
    },
];

/// Each file's hash, in hex, in the order of [`ASSETS`]: made once.
static HASHES: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            Sha256::digest(asset.bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
});

/// The URL a page links the file `name` with: its path, and its hash's first 16 digits.
pub fn url(name: &str) -> String {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => format!("/assets/{name}?v={}", &HASHES[i][..16]),
        None => format!("/assets/{name}"),
    }
}

/// `GET /assets/{name}`: the file, or 304 when the browser has it (`If-None-Match`).
pub async fn serve(
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let asset = &ASSETS[i];
    let etag = format!("\"{}\"", HASHES[i]);
    // Kept a year when asked for by this version's URL; otherwise checked each time.
    let cache = if query
        .get("v")
        .is_some_and(|v| HASHES[i].starts_with(v.as_str()))
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
        let mut response = asset.bytes.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
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
