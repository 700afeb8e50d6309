//! Operations: Prometheus metrics at `/metrics` (requests, latencies, disputes by state) and a
//! structured log line per request, each with a request id.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
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
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let path = request.uri().path().to_owned();
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
        ("method", method.clone()),
        ("route", route.clone()),
        ("status", status.clone()),
    ];
    metrics::counter!("redress_http_requests_total", &labels).increment(1);
    metrics::histogram!("redress_http_request_duration_seconds", &labels[..2]).record(seconds);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let line = serde_json::json!({
        "ts": redress_storage::now(), "request_id": request_id, "method": method, "route": route,
        "path": path, "status": response.status().as_u16(), "ms": (seconds * 1000.0 * 1000.0).round() / 1000.0,
    });
    log_line(&line);
    response
}

/// Prometheus metrics: requests, latencies, and disputes by state at the moment of the scrape.
///
/// Needs no token.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    responses(
        (status = OK, description = "Prometheus text", content_type = "text/plain; version=0.0.4", body = String),
    )
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.store.dispute_counts().await {
        Ok(counts) => {
            for status in DisputeStatus::ALL {
                let n = counts
                    .iter()
                    .find(|(s, _)| *s == status)
                    .map_or(0, |(_, n)| *n);
                metrics::gauge!("redress_disputes", "status" => status.as_str()).set(n as f64);
            }
        }
        Err(e) => eprintln!("metrics: cannot count disputes: {e}"),
    }
    let body = metrics_handle().render();
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4")],
        body,
    )
        .into_response()
}

/// Writes one JSON log line to stderr in a single write, so that lines of concurrent requests
/// never interleave and a line costs one system call (stderr is unbuffered).
pub fn log_line(line: &serde_json::Value) {
    use std::io::Write;
    let mut text = line.to_string();
    text.push('\n');
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
