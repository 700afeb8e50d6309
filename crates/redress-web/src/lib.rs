//! The agent's desk: Redress's pages for the people who work disputes, server-rendered from
//! templates checked when this crate compiles, calling only the service (`redress-service`,
//! the one way in), so a person at the desk may do exactly what their API token may.
//!
//! Everything works without scripts: links, GET forms for filters, POST forms answered by a
//! redirect. htmx (vendored, 2.x) only swaps parts of the same templates in place. The
//! stylesheet and the script are embedded in the binary ([`assets`]).
//!
//! `redress serve` serves [`router`] beside the API: the API under `/api/v1` (and `/healthz`,
//! `/metrics`), the desk at `/`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod assets;
pub mod format;
pub mod pages;
pub mod session;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use redress_service::Redress;

/// How the desk is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebOptions {
    /// Mark the session cookie `Secure` whatever the request says: the desk is reached over
    /// HTTPS through a proxy that does not say so (`X-Forwarded-Proto`).
    pub secure_cookies: bool,
}

/// What every page's handler shares.
#[derive(Clone)]
pub struct WebState {
    /// Every use case.
    pub redress: Redress,
    /// See [`WebOptions::secure_cookies`].
    pub secure_cookies: bool,
}

/// The desk's routes: `/` (to the queue), `/sign-in`, `/sign-out`, `/queue`,
/// `/disputes/{id}` with the case's forms (`/disputes/{id}/status`, `…/assign`,
/// `…/escalate`, `…/notes`, `…/attachments`, `…/resolutions`, `…/resolutions/{resolution}/approve`
/// and `…/refuse`), a message to the customer drafted (`/disputes/{id}/messages/new?kind=…`) and
/// sent (`POST /disputes/{id}/messages`), `/disputes/new` and `POST /disputes` (a new dispute),
/// `/attachments/{id}` (a file to download), `/people` (admins), the books (`/customers/{id}`,
/// `/credit-notes/{id}`, `/issued-invoices/{id}`, and as PDF
/// `/documents/credit-notes/{id}.pdf` and `/documents/issued-invoices/{id}.pdf`), the audit (`/audit`, `/arrears/{id}` and its steps), `/analytics` (and each
/// table's CSV, `/analytics/{section}.csv`) and
/// `/assets/{name}`; any other path is a page that says it was not found.
pub fn router(redress: Redress, options: WebOptions) -> Router {
    let state = WebState {
        redress,
        secure_cookies: options.secure_cookies,
    };
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route(
            "/sign-in",
            get(pages::sign_in::form).post(pages::sign_in::submit),
        )
        .route("/sign-out", post(pages::sign_in::sign_out))
        .route("/queue", get(pages::queue::page))
        .route("/disputes/new", get(pages::new_dispute::page))
        .route("/disputes", post(pages::new_dispute::open))
        .route("/disputes/{id}", get(pages::dispute::page))
        .route("/disputes/{id}/status", post(pages::dispute::move_status))
        .route("/disputes/{id}/assign", post(pages::dispute::assign))
        .route("/disputes/{id}/escalate", post(pages::dispute::escalate))
        .route("/disputes/{id}/notes", post(pages::dispute::add_note))
        .route(
            "/disputes/{id}/statements",
            post(pages::dispute::ask_for_statement),
        )
        .route(
            "/disputes/{id}/statements/{request}",
            post(pages::dispute::give_statement),
        )
        .route(
            "/disputes/{id}/attachments",
            post(pages::dispute::attach).layer(axum::extract::DefaultBodyLimit::max(
                redress_service::MAX_ATTACHMENT_BYTES + 64 * 1024,
            )),
        )
        .route("/disputes/{id}/resolutions", post(pages::dispute::propose))
        .route(
            "/disputes/{id}/resolutions/{resolution}/approve",
            post(pages::dispute::approve),
        )
        .route(
            "/disputes/{id}/resolutions/{resolution}/refuse",
            post(pages::dispute::refuse),
        )
        .route("/disputes/{id}/messages/new", get(pages::messages::new))
        .route(
            "/disputes/{id}/messages",
            get(pages::messages::conversation).post(pages::messages::send),
        )
        .route("/attachments/{id}", get(pages::dispute::attachment))
        .route("/people", get(pages::people::page).post(pages::people::add))
        .route("/people/{id}/tokens", post(pages::people::token))
        .route("/people/{id}/disable", post(pages::people::disable))
        .route("/customers/{id}", get(pages::books::customer))
        .route(
            "/customers/{id}/portal-links",
            post(pages::books::issue_link),
        )
        .route(
            "/customers/{id}/portal-links/{link}/revoke",
            post(pages::books::revoke_link),
        )
        .route("/credit-notes/{id}", get(pages::books::credit_note))
        .route("/issued-invoices/{id}", get(pages::books::issued_invoice))
        .route(
            "/documents/credit-notes/{file}",
            get(pages::books::credit_note_pdf),
        )
        .route("/documents/letters/{file}", get(pages::books::letter_pdf))
        .route(
            "/documents/issued-invoices/{file}",
            get(pages::books::issued_invoice_pdf),
        )
        .route(
            "/audit",
            get(pages::arrears::audit).post(pages::arrears::run_audit),
        )
        .route("/arrears/{id}", get(pages::arrears::case))
        .route("/arrears/{id}/offer", post(pages::arrears::offer))
        .route("/arrears/{id}/choice", post(pages::arrears::choose))
        .route("/arrears/{id}/waiver", post(pages::arrears::decide))
        .route("/analytics", get(pages::analytics::page))
        .route("/analytics/{file}", get(pages::analytics::csv))
        .route("/practice", get(pages::practice::home))
        .route("/practice/sessions", post(pages::practice::start))
        .route("/practice/sessions/{id}", get(pages::practice::session))
        .route("/practice/cases/{id}", get(pages::practice::case))
        .route("/practice/cases/{id}/answer", post(pages::practice::answer))
        .route("/team", get(pages::practice::team))
        .route("/playbooks", get(pages::practice::playbooks))
        .route("/playbooks/{reason}", post(pages::practice::write_playbook))
        .route("/assets/{name}", get(assets::serve))
        .fallback(|| async {
            pages::not_found(
                None,
                "There is no page at this address. It may have been mistyped.".to_owned(),
            )
        })
        .layer(from_fn(protect))
        .with_state(state)
}

/// Headers on every answer of the desk: no script, style or frame from elsewhere (and no
/// inline script: htmx is told not to add its own styles), no guessing of types, no address
/// sent to other sites, and pages never kept by a cache (they show people's disputes).
async fn protect(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
