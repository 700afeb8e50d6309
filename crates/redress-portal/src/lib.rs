//! The customer portal: a customer, holding the link one of our messages gave them, sees their
//! own disputes and arrears corrections, in their language, and nothing of anyone else's. They
//! read where a dispute stands and what happens next, their invoice reviewed line by line with
//! what verifying found, what was decided (with its documents as PDF), and the conversation;
//! they reply, send documents, open a dispute on one of their invoices, choose how to settle
//! what was under-billed, and say how satisfied they were.
//!
//! Pages are rendered on the server from templates checked when this crate compiles, and call
//! only the service (`redress-service`, `redress.portal()`), which limits every read and change
//! to the link's customer and checks the link again in the transaction of every change.
//! Everything works without scripts: links, and POST forms answered by a redirect. The words
//! come from this crate's Fluent files (`locales/*/portal.ftl`); money and days are written
//! as the customer's messages write them (`redress-messages`).
//!
//! The portal has no session: the link's token is in every address, and every form carries a
//! CSRF token derived from it ([`guard::csrf_token`]); a POST a browser says came from another
//! site is refused. Answers are never cached and never send the address (which holds the
//! token) to another site.
//!
//! `redress serve` merges [`router`] into the desk's: every path of the portal begins with
//! `/portal/`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod assets;
pub mod guard;
pub mod pages;
pub mod text;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use redress_service::Redress;

/// What every handler of the portal shares.
#[derive(Clone)]
pub struct PortalState {
    /// Every use case.
    pub redress: Redress,
}

/// The portal's routes, all under `/portal/`:
///
/// - `GET /portal/{token}`: the customer's disputes and the corrections waiting for them;
/// - `GET /portal/{token}/disputes/{id}`: a dispute, with its forms `POST …/replies`,
///   `POST …/attachments` (multipart), `POST …/rating`, and the answers to an offer,
///   `POST …/offers/{option}/accept` and `POST …/offers/decline`;
/// - `GET /portal/{token}/disputes/new` and `POST /portal/{token}/disputes`: a new dispute;
/// - `GET /portal/{token}/corrections/{id}` and `POST …/choice`: an arrears correction;
/// - `GET /portal/{token}/documents/credit-notes/{id}.pdf` and
///   `GET /portal/{token}/documents/invoices/{id}.pdf`: the customer's own documents;
/// - `GET /portal/assets/{name}`: the stylesheet.
///
/// A link that opens nothing is answered 403 with a page saying what to do; a dispute, case
/// or document that is not the customer's, and any other address under `/portal/`, 404.
pub fn router(redress: Redress) -> Router {
    let state = PortalState { redress };
    Router::new()
        .route("/portal", get(pages::no_link))
        .route("/portal/", get(pages::no_link))
        .route("/portal/assets/{name}", get(assets::serve))
        .route("/portal/{token}", get(pages::home::page))
        .route("/portal/{token}/", get(pages::home::page))
        .route(
            "/portal/{token}/disputes/new",
            get(pages::new_dispute::page),
        )
        .route("/portal/{token}/disputes", post(pages::new_dispute::open))
        .route("/portal/{token}/disputes/{id}", get(pages::dispute::page))
        .route(
            "/portal/{token}/disputes/{id}/offers/{option}/accept",
            post(pages::dispute::accept),
        )
        .route(
            "/portal/{token}/disputes/{id}/offers/decline",
            post(pages::dispute::decline),
        )
        .route(
            "/portal/{token}/disputes/{id}/replies",
            post(pages::dispute::reply),
        )
        .route(
            "/portal/{token}/disputes/{id}/attachments",
            post(pages::dispute::attach).layer(DefaultBodyLimit::max(
                redress_service::MAX_ATTACHMENT_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/portal/{token}/disputes/{id}/rating",
            post(pages::dispute::rate),
        )
        .route(
            "/portal/{token}/corrections/{id}",
            get(pages::correction::page),
        )
        .route(
            "/portal/{token}/corrections/{id}/choice",
            post(pages::correction::choose),
        )
        .route(
            "/portal/{token}/documents/credit-notes/{file}",
            get(pages::documents::credit_note),
        )
        .route(
            "/portal/{token}/documents/invoices/{file}",
            get(pages::documents::invoice),
        )
        .route(
            "/portal/{token}/{*rest}",
            get(pages::elsewhere).post(pages::elsewhere),
        )
        .layer(from_fn(protect))
        .with_state(state)
}

/// Headers on every answer of the portal: no script at all, styles only from here, no frame,
/// no guessing of types; pages never cached and never indexed; and no address sent to another
/// site (the address holds the customer's token).
async fn protect(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
