//! Redress's HTTP API. Handlers are thin: they turn requests into the service's use cases
//! (`redress-service`, the only way in), and errors into responses in one place (`error`).

pub mod attachments;
pub mod auth;
pub mod billing;
pub mod cases;
pub mod disputes;
pub mod error;
pub mod headers;
pub mod idempotency;
pub mod input;
pub mod ledger;
pub mod messages;
pub mod openapi;
pub mod operations;
pub mod practice;
pub mod resolutions;
pub mod views;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use redress_service::Redress;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use views::Health;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Redress: every use case, its database and approval policy.
    pub redress: Redress,
    /// The OpenAPI document of the routes served.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// Tokens checked in the last few seconds.
    pub tokens: Arc<auth::RecentTokens>,
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
        .routes(routes!(messages::list, messages::send))
        .routes(routes!(messages::draft))
        .routes(routes!(messages::receive))
        .routes(routes!(messages::issue_link, messages::links))
        .routes(routes!(messages::revoke_link))
        .routes(routes!(messages::service_levels))
        .routes(routes!(messages::get))
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
        .routes(routes!(practice::start_session))
        .routes(routes!(practice::session))
        .routes(routes!(practice::case))
        .routes(routes!(practice::answer))
}

/// The OpenAPI 3.1 document of every route, as `GET /api/v1/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::finish(routes().split_for_parts().1)
}

/// Every route.
pub fn router(redress: Redress) -> Router {
    app(redress, ServeOptions::DEFAULT_BODY_READ_TIMEOUT).0
}

/// Every route, under `policy`, with `body_read_timeout` for the bodies; and the state they
/// share.
fn app(redress: Redress, body_read_timeout: Duration) -> (Router, AppState) {
    use axum::middleware::{from_fn, from_fn_with_state};
    operations::metrics_handle();
    let (routes, document) = routes().split_for_parts();
    let state = AppState {
        redress,
        openapi: Arc::new(openapi::finish(document)),
        tokens: Arc::new(auth::RecentTokens::default()),
    };
    // Layers run from the last added to the first, all after routing (so that they see the
    // route matched), and for the fallbacks too: unmatched requests are counted and logged.
    let router = routes
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(from_fn(input::check_path_and_query))
        .layer(from_fn_with_state(
            body_read_timeout,
            input::read_body_within,
        ))
        .layer(from_fn(error::in_json))
        .layer(from_fn(headers::on_every_response))
        .layer(from_fn(operations::observe))
        // Attachments are the largest bodies taken; the handler says so when one is larger.
        .layer(axum::extract::DefaultBodyLimit::max(
            attachments::MAX_ATTACHMENT_BYTES + 1,
        ))
        .with_state(state.clone());
    (router, state)
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
    match state.redress.operations().ping().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok" })),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "database unavailable",
            }),
        ),
    }
}

/// How the server treats its connections, and where else it serves the metrics.
#[derive(Debug)]
pub struct ServeOptions {
    /// The longest a client may take to send a request's line and headers, counted from the
    /// connection's opening or, on a kept-alive connection, from the end of the previous
    /// response; then the connection is closed. So an idle kept-alive connection is closed
    /// after this long too.
    pub header_read_timeout: Duration,
    /// The longest wait for the next part of a request's body once its handler reads it; then
    /// the request is answered 408.
    pub body_read_timeout: Duration,
    /// A second listener serving only `GET /metrics`, without a token: for a scraper on a
    /// private network (`redress serve --metrics-addr`).
    pub metrics_listener: Option<TcpListener>,
    /// Pages served beside the API (the desk, `redress-web`): every request whose path is not
    /// the API's (`/api/…`, `/healthz`, `/metrics`) goes to them, counted and logged as the
    /// API's requests are.
    pub pages: Option<Router>,
}

impl ServeOptions {
    /// The header read timeout unless told otherwise: more than a slow client needs for a
    /// few hundred bytes, less than it takes to hold many connections open by trickling.
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// The body read timeout unless told otherwise.
    pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// The most a request's line and headers may take, in bytes: far more than any client of
    /// this API sends (a token, a file name, a key), far less than hyper's default of ~400 KiB.
    pub const MAX_HEAD_BYTES: usize = 64 * 1024;
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: Self::DEFAULT_BODY_READ_TIMEOUT,
            metrics_listener: None,
            pages: None,
        }
    }
}

/// Whether `path` is the API's: under `/api/`, or `/healthz` or `/metrics`.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/healthz" || path == "/metrics"
}

/// The API and `pages` on one address: a request goes to the API when its path is the API's
/// ([`is_api_path`]), and to the pages otherwise. Each keeps its own fallback: an unknown
/// path of the API is answered in JSON, any other by the pages. The pages' requests are
/// counted and logged as the API's are, and their bodies (forms) read within
/// `body_read_timeout` between parts.
pub fn with_pages(api: Router, pages: Router, body_read_timeout: Duration) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    use tower::ServiceExt;
    let pages = pages
        .layer(from_fn_with_state(
            body_read_timeout,
            input::read_body_within,
        ))
        .layer(from_fn(operations::observe));
    Router::new().fallback(move |request: axum::extract::Request| {
        let to = if is_api_path(request.uri().path()) {
            api.clone()
        } else {
            pages.clone()
        };
        async move {
            match to.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    })
}

/// Serves the API on `listener` until `shutdown` completes, then finishes the requests in
/// flight; with the default [`ServeOptions`].
pub async fn serve(
    listener: TcpListener,
    redress: Redress,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, redress, shutdown, ServeOptions::default()).await
}

/// Serves the API on `listener` (and the metrics on `options.metrics_listener`) until
/// `shutdown` completes, then finishes the requests in flight.
///
/// HTTP/1.1 through hyper directly rather than `axum::serve`, which gives hyper no timer, so
/// that hyper's header read timeout (which needs one) is on.
pub async fn serve_with(
    listener: TcpListener,
    redress: Redress,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: ServeOptions,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let (api, state) = app(redress, options.body_read_timeout);
    let api = match options.pages {
        Some(pages) => with_pages(api, pages, options.body_read_timeout),
        None => api,
    };
    let metrics = operations::metrics_router(state);
    let metrics_listener = options.metrics_listener;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .max_buf_size(ServeOptions::MAX_HEAD_BYTES);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (accepted, router) = tokio::select! {
            accepted = listener.accept() => (accepted, &api),
            accepted = accept(metrics_listener.as_ref()) => (accepted, &metrics),
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let service = TowerToHyperService::new(router.clone());
                let connection =
                    graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    // A connection's errors are its client's (gone, too slow, not HTTP).
                    let _ = connection.await;
                });
            }
            Err(e) => accept_failed(e).await,
        }
    }
    // Refuse new connections while the open ones finish.
    drop(listener);
    drop(metrics_listener);
    graceful.shutdown().await;
    Ok(())
}

/// The next connection on `listener`, or never without one.
async fn accept(
    listener: Option<&TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, std::net::SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// After a failed accept: nothing when one client's connection failed; otherwise (out of file
/// descriptors, say) a pause, so that the loop does not spin while it lasts.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
