//! Redress's HTTP API. Handlers are thin: they turn requests into use cases
//! (`redress-service`) and storage calls, and errors into responses in one place (`error`).

pub mod attachments;
pub mod auth;
pub mod billing;
pub mod disputes;
pub mod error;
pub mod idempotency;
pub mod operations;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use redress_storage::Store;
use serde_json::{Value, json};
use std::future::Future;
use tokio::net::TcpListener;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
}

/// Every route.
pub fn router(store: Store) -> Router {
    operations::metrics_handle();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(operations::metrics))
        .route(
            "/api/v1/disputes",
            post(disputes::create).get(disputes::list),
        )
        .route("/api/v1/disputes/{id}", get(disputes::get))
        .route("/api/v1/disputes/{id}/events", get(disputes::events))
        .route(
            "/api/v1/disputes/{id}/transitions",
            post(disputes::transition),
        )
        .route("/api/v1/disputes/{id}/assignment", post(disputes::assign))
        .route("/api/v1/disputes/{id}/escalation", post(disputes::escalate))
        .route(
            "/api/v1/disputes/{id}/notes",
            post(disputes::add_note).get(disputes::notes),
        )
        .route("/api/v1/disputes/{id}/verify", post(disputes::reverify))
        .route(
            "/api/v1/disputes/{id}/attachments",
            post(attachments::add).get(attachments::list),
        )
        .route(
            "/api/v1/attachments/{id}/content",
            get(attachments::content),
        )
        .route("/api/v1/customers/{id}", get(billing::customer))
        .route("/api/v1/contracts/{id}", get(billing::contract))
        .route("/api/v1/invoices/{id}", get(billing::invoice))
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .route_layer(axum::middleware::from_fn(operations::observe))
        // Attachments are the largest bodies taken; the handler says so when one is larger.
        .layer(axum::extract::DefaultBodyLimit::max(
            attachments::MAX_ATTACHMENT_BYTES + 1,
        ))
        .with_state(AppState { store })
}

/// `GET /healthz`: 200 while the database answers; needs no token.
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "database unavailable" })),
        ),
    }
}

/// Serves the API on `listener` until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(store))
        .with_graceful_shutdown(shutdown)
        .await
}
