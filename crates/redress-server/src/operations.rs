//! Operations: Prometheus metrics at `/metrics` (requests, latencies, disputes by state) and a
//! structured log line per request, each with a request id.
//!
//! On the API's address `/metrics` takes a token of an admin or an auditor; `redress serve
//! --metrics-addr` serves it without one on an address of its own, for a scraper on a private
//! network. Every label has a bounded set of values, so that no request can add a series.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use redress_domain::DisputeStatus;
use std::sync::OnceLock;
use std::time::Instant;

/// How often the recorder's upkeep folds the latencies recorded into its histograms.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The process's metrics recorder (one per process, shared by every server it runs). A thread
/// of its own runs its upkeep: the recorder keeps every latency recorded until then, so a
/// server that no one scrapes would otherwise grow by each request it answers.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .install_recorder()
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder().handle());
            let upkept = handle.clone();
            let _ = std::thread::Builder::new()
                .name("redress-metrics".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_EVERY);
                        upkept.run_upkeep();
                    }
                });
            handle
        })
        .clone()
}

/// Counts and times every request, gives it a request id (`X-Request-Id`, kept when the client
/// sent one), and writes one JSON log line for it to stderr.
pub async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let path = loggable_path(request.uri().path());
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map_or_else(|| format!("{:016x}", fastrand::u64(..)), str::to_owned);
    let mut response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let seconds = started.elapsed().as_secs_f64();
    let labels = [
        ("method", method_label(&method).to_owned()),
        ("route", route.clone()),
        ("status", status),
    ];
    metrics::counter!("redress_http_requests_total", &labels).increment(1);
    metrics::histogram!("redress_http_request_duration_seconds", &labels[..2]).record(seconds);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    // The path, never the query or the headers: a token travels in a header, and no secret is
    // ever logged.
    tracing::info!(
        target: "redress::request",
        request_id = %request_id,
        method = %method,
        route = %route,
        path = %path,
        status = response.status().as_u16(),
        ms = (seconds * 1_000_000.0).round() / 1000.0,
        "answered"
    );
    response
}

/// A request's path as it may be logged: a portal link's token is a secret (it opens a
/// customer's data), so `/portal/{token}/…` is logged as `/portal/…/…`.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/portal/") {
        Some(rest) if rest.starts_with("assets/") => path.to_owned(),
        Some(rest) => match rest.split_once('/') {
            Some((_, after)) => format!("/portal/…/{after}"),
            None if rest.is_empty() => path.to_owned(),
            None => "/portal/…".to_owned(),
        },
        None => path.to_owned(),
    }
}

/// The `method` label of a request: a method the API knows, or `other`. The method a client
/// sends can be any word; as a label, each new one would be a new series, kept forever.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Prometheus metrics: requests, latencies, and disputes by state at the moment of the scrape.
///
/// Needs a token of an admin or an auditor. `redress serve --metrics-addr HOST:PORT` serves
/// the same without a token on an address of its own, for a scraper on a private network.
/// Requests are counted by `method` (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or
/// `other`), `route` (the route matched, or `unmatched`) and `status`.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    // The bearer token, 401 and 503 are added by `openapi::finish`, as on /api/v1.
    responses(
        (status = OK, description = "Prometheus text", content_type = "text/plain; version=0.0.4", body = String),
        (status = FORBIDDEN, description = "The token's role is neither admin nor auditor", body = ErrorBody),
    )
)]
pub async fn metrics(State(state): State<AppState>, caller: Authenticated) -> Response {
    use redress_domain::Role;
    if !matches!(caller.0.role, Role::Admin | Role::Auditor) {
        let message = format!(
            "the role {} may not read the metrics (admin and auditor may)",
            caller.0.role
        );
        return ApiError::new(StatusCode::FORBIDDEN, "forbidden", message).into_response();
    }
    scrape(&state).await
}

/// `GET /metrics` without a token, for the metrics address only.
async fn open_metrics(State(state): State<AppState>) -> Response {
    scrape(&state).await
}

/// What the metrics address serves: `GET /metrics`, and nothing else.
pub fn metrics_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(open_metrics))
        .fallback(|| async { ApiError::not_found("this address serves only GET /metrics") })
        .layer(axum::middleware::from_fn(crate::error::in_json))
        .with_state(state)
}

/// The metrics as Prometheus text, the disputes by state counted now.
async fn scrape(state: &AppState) -> Response {
    match state.redress.operations().dispute_counts().await {
        Ok(counts) => {
            for status in DisputeStatus::ALL {
                let n = counts
                    .iter()
                    .find(|(s, _)| *s == status)
                    .map_or(0, |(_, n)| *n);
                metrics::gauge!("redress_disputes", "status" => status.as_str()).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count disputes"),
    }
    let body = metrics_handle().render();
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_portal_links_token_is_never_in_a_logged_path() {
        for (path, logged) in [
            ("/portal/abc123", "/portal/…"),
            ("/portal/abc123/disputes/DSP-1", "/portal/…/disputes/DSP-1"),
            ("/portal/assets/portal.css", "/portal/assets/portal.css"),
            ("/api/v1/disputes", "/api/v1/disputes"),
        ] {
            assert_eq!(super::loggable_path(path), logged);
        }
    }
}
