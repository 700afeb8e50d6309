//! Redress's HTTP API. Handlers are thin: they turn requests into use cases
//! (`redress-service`) and storage calls, and errors into responses in one place (`error`).

pub mod attachments;
pub mod auth;
pub mod billing;
pub mod cases;
pub mod disputes;
pub mod error;
pub mod idempotency;
pub mod ledger;
pub mod openapi;
pub mod operations;
pub mod resolutions;
pub mod views;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use redress_domain::resolution::ApprovalPolicy;
use redress_storage::Store;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use views::Health;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The OpenAPI document of the routes served.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// Tokens checked in the last few seconds.
    pub tokens: Arc<auth::RecentTokens>,
    /// Who may resolve what on their own, and who must approve the rest.
    pub policy: Arc<ApprovalPolicy>,
}

/// Every route, each with its part of the OpenAPI document. A route added any other way would
/// be missing from the document, and `tests/openapi.rs` fails.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(healthz))
        .routes(routes!(operations::metrics))
        .routes(routes!(openapi::document))
        .routes(routes!(disputes::create, disputes::list))
        .routes(routes!(disputes::get))
        .routes(routes!(disputes::events))
        .routes(routes!(disputes::transition))
        .routes(routes!(disputes::assign))
        .routes(routes!(disputes::escalate))
        .routes(routes!(disputes::add_note, disputes::notes))
        .routes(routes!(disputes::reverify))
        .routes(routes!(attachments::add, attachments::list))
        .routes(routes!(attachments::content))
        .routes(routes!(billing::customer))
        .routes(routes!(billing::contract))
        .routes(routes!(billing::invoice))
        .routes(routes!(ledger::customer_ledger))
        .routes(routes!(ledger::credit_note))
        .routes(routes!(ledger::corrected_invoice))
        .routes(routes!(ledger::payment_plan))
        .routes(routes!(ledger::receive_instalment))
        .routes(routes!(cases::audit))
        .routes(routes!(cases::list))
        .routes(routes!(cases::get))
        .routes(routes!(cases::offer))
        .routes(routes!(cases::choose))
        .routes(routes!(cases::approve))
        .routes(routes!(cases::reject))
        .routes(routes!(cases::systemic_issues))
        .routes(routes!(
            resolutions::propose_resolution,
            resolutions::list_resolutions
        ))
        .routes(routes!(resolutions::get_resolution))
        .routes(routes!(resolutions::recommendation))
        .routes(routes!(resolutions::approve))
        .routes(routes!(resolutions::reject))
}

/// The OpenAPI 3.1 document of every route, as `GET /api/v1/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::finish(routes().split_for_parts().1)
}

/// Every route, under the default approval policy.
pub fn router(store: Store) -> Router {
    router_with(store, ApprovalPolicy::default())
}

/// Every route, under `policy`.
pub fn router_with(store: Store, policy: ApprovalPolicy) -> Router {
    operations::metrics_handle();
    let (routes, document) = routes().split_for_parts();
    routes
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .route_layer(axum::middleware::from_fn(operations::observe))
        // Attachments are the largest bodies taken; the handler says so when one is larger.
        .layer(axum::extract::DefaultBodyLimit::max(
            attachments::MAX_ATTACHMENT_BYTES + 1,
        ))
        .with_state(AppState {
            store,
            openapi: Arc::new(openapi::finish(document)),
            tokens: Arc::new(auth::RecentTokens::default()),
            policy: Arc::new(policy),
        })
}

/// Whether the service is up: 200 while the database answers.
///
/// Needs no token.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    responses(
        (status = OK, description = "Up", body = Health),
        (status = SERVICE_UNAVAILABLE, description = "The database does not answer", body = Health,
            example = json!({"status": "database unavailable"})),
    )
)]
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok" })),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "database unavailable",
            }),
        ),
    }
}

/// Serves the API on `listener` until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    policy: ApprovalPolicy,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router_with(store, policy))
        .with_graceful_shutdown(shutdown)
        .await
}
