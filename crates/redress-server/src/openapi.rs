//! The API's OpenAPI 3.1 document. Each handler describes its own route in `#[utoipa::path]`;
//! the router collects them (`crate::routes`), and this module adds what every `/api/v1` route
//! shares, then serves the whole at `GET /api/v1/openapi.json`.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ErrorBody;
use crate::views::{ReasonNames, SortNames, StatusNames};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref};

/// The name of the bearer token scheme in the document.
pub const BEARER: &str = "bearer";

/// Where the routes that need a token live.
pub const API_PREFIX: &str = "/api/v1/";

/// The one route outside [`API_PREFIX`] that needs a token too (on the API's address).
pub const METRICS_PATH: &str = "/metrics";

/// What the document says before the routes are added: its info, tags and shared schemas.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Redress",
        version = env!("CARGO_PKG_VERSION"),
        description = "Billing disputes from intake to a fair, documented resolution, each verified against the invoice's contract.",
    ),
    // The error body is added to every /api/v1 route by `finish`. The names are what query
    // parameters refer to: utoipa collects the schemas of bodies, not of parameters.
    components(schemas(ErrorBody, StatusNames, ReasonNames, SortNames)),
    tags(
        (name = "disputes", description = "Taking disputes, reading them, and moving them through their lifecycle."),
        (name = "case file", description = "A dispute's notes, staff statements and evidence files."),
        (name = "billing data", description = "The customers, contracts and invoices a dispute is checked against."),
        (name = "resolutions", description = "Resolving a dispute: proposals, approvals and refusals under the approval policy."),
        (name = "ledger", description = "Each customer's account in double entry, and the credit notes issued."),
        (name = "operations", description = "Health, metrics and this document."),
    ),
)]
struct Base;

/// The document's start, to collect the routes into.
pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

/// Adds to `document` what follows from `auth.rs` for every `/api/v1` route and `/metrics`: it
/// needs a bearer token (401 without a valid one), and since the token is looked up in the
/// database, it can answer 503 when the database does not; and a route that takes a JSON body
/// answers 415 to one not labelled JSON.
pub fn finish(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let components = document.components.get_or_insert_with(Default::default);
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.description = Some(
        "A token from `redress token create --role agent|approver|admin|auditor --name USER` \
         (a new user) or `redress token create --user USER` (another token of theirs), sent as \
         `Authorization: Bearer TOKEN`. It acts as its user, with the user's role: an `auditor` \
         may only read."
            .to_owned(),
    );
    components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));
    for (path, item) in &mut document.paths.paths {
        if !(path.starts_with(API_PREFIX) || path == METRICS_PATH) {
            continue;
        }
        for operation in operations_mut(item) {
            operation.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
            let responses = &mut operation.responses.responses;
            for (status, description) in [
                ("401", "No token, or one that is unknown or revoked"),
                (
                    "503",
                    "The database could not complete the request; try again",
                ),
            ] {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(description).into());
            }
            // A JSON body must be labelled so (`input::labelled_json`, and axum's `Json`).
            let takes_json = operation
                .request_body
                .as_ref()
                .is_some_and(|body| match body {
                    utoipa::openapi::RefOr::T(body) => {
                        body.content.contains_key("application/json")
                    }
                    utoipa::openapi::RefOr::Ref(_) => true,
                });
            if takes_json {
                responses.entry("415".to_owned()).or_insert_with(|| {
                    error_response("The body was not sent as `Content-Type: application/json`")
                        .into()
                });
            }
        }
    }
    document
}

/// A response with the error body.
fn error_response(description: &str) -> utoipa::openapi::Response {
    let mut response = utoipa::openapi::Response::new(description);
    response.content.insert(
        "application/json".to_owned(),
        Content::new(Some(Ref::from_schema_name("ErrorBody"))).into(),
    );
    response
}

/// The operations of a path, whatever their method.
pub fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// This document: the OpenAPI 3.1 description of every route.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    responses(
        (status = OK, description = "The OpenAPI 3.1 document", content(("application/json"))),
    )
)]
pub async fn document(State(state): State<AppState>, _caller: Authenticated) -> Response {
    Json(state.openapi.as_ref()).into_response()
}
