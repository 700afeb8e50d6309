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
    add_links(&mut document);
    document
}

/// Adds the links a client follows from one answer to the operations it makes possible (and
/// Schemathesis's stateful phase with it): a response that gives an `XView` links to every
/// operation under `/api/v1/xs/{id}` with its `id`, one that names an `x_id` to those of
/// `/api/v1/xs/{id}`, and a list of `XView`s to them through its first item. Derived from the
/// names, so a route added under a collection is linked without a word here.
fn add_links(document: &mut utoipa::openapi::OpenApi) {
    use std::collections::BTreeMap;
    // The operations of each collection's item, by collection: `disputes` → get_dispute, …
    let mut of_item: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, item) in document.paths.paths.iter_mut() {
        let Some(collection) = path
            .strip_prefix(API_PREFIX)
            .and_then(|rest| rest.split_once("/{id}"))
            .map(|(collection, _)| collection.to_owned())
        else {
            continue;
        };
        for operation in operations_mut(item) {
            if let Some(id) = &operation.operation_id {
                of_item
                    .entry(collection.clone())
                    .or_default()
                    .push(id.clone());
            }
        }
    }
    // Where each schema gives an item's id: (JSON pointer, collection).
    let schemas = document
        .components
        .as_ref()
        .map(|c| c.schemas.clone())
        .unwrap_or_default();
    let ids_in = |name: &str| -> Vec<(String, String)> {
        let Some(utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(object))) =
            schemas.get(name)
        else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let known = |collection: String| of_item.contains_key(&collection).then_some(collection);
        if object.required.iter().any(|p| p == "id")
            && let Some(collection) = view_collection(name).and_then(known)
        {
            found.push(("/id".to_owned(), collection));
        }
        for (property, schema) in &object.properties {
            if let Some(thing) = property.strip_suffix("_id")
                && object.required.contains(property)
                && let Some(collection) = known(format!("{}s", thing.replace('_', "-")))
            {
                found.push((format!("/{property}"), collection));
            }
            if let utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Array(array)) = schema
                && let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &array.items
                && let utoipa::openapi::RefOr::Ref(item) = items.as_ref()
                && let Some(collection) =
                    schema_name(item).and_then(view_collection).and_then(known)
            {
                found.push((format!("/{property}/0/id"), collection));
            }
        }
        found
    };
    for item in document.paths.paths.values_mut() {
        for operation in operations_mut(item) {
            let this = operation.operation_id.clone().unwrap_or_default();
            for (status, response) in operation.responses.responses.iter_mut() {
                let utoipa::openapi::RefOr::T(response) = response else {
                    continue;
                };
                let Some(utoipa::openapi::RefOr::T(content)) =
                    response.content.get("application/json")
                else {
                    continue;
                };
                let Some(utoipa::openapi::RefOr::Ref(schema)) = content.schema.clone() else {
                    continue;
                };
                if !status.starts_with('2') {
                    continue;
                }
                for (pointer, collection) in schema_name(&schema).map(ids_in).unwrap_or_default() {
                    for target in &of_item[&collection] {
                        if *target == this || response.links.contains_key(target) {
                            continue;
                        }
                        let link = utoipa::openapi::link::LinkBuilder::new()
                            .operation_id(target.clone())
                            .parameter("id", format!("$response.body#{pointer}"))
                            .build();
                        response.links.insert(target.clone(), link.into());
                    }
                }
            }
        }
    }
}

/// `Dispute` of `#/components/schemas/Dispute`.
fn schema_name(reference: &Ref) -> Option<&str> {
    reference.ref_location.strip_prefix("#/components/schemas/")
}

/// The collection whose items a view shows: `PortalLinkView` → `portal-links`.
fn view_collection(schema: &str) -> Option<String> {
    let thing = schema.strip_suffix("View")?;
    let mut collection = String::new();
    for (i, c) in thing.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            collection.push('-');
        }
        collection.push(c.to_ascii_lowercase());
    }
    Some(collection + "s")
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
