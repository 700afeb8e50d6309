//! The API's OpenAPI 3.1 document. Each handler describes its own route in `#[utoipa::path]`;
//! the router collects them (`crate::routes`), and this module adds what every `/api/v1` route
//! shares, then serves the whole at `GET /api/v1/openapi.json`.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ErrorBody;
use crate::views::{
    ArrearsOptionNames, ArrearsStatusNames, CompromiseBillingNames, DocumentKindNames,
    LanguageNames, MessageKindNames, ReasonNames, SortNames, StatusNames,
};
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
    components(schemas(
        ErrorBody, StatusNames, ReasonNames, SortNames, MessageKindNames, ArrearsStatusNames,
        ArrearsOptionNames, CompromiseBillingNames, LanguageNames, DocumentKindNames
    )),
    tags(
        (name = "disputes", description = "Taking disputes, reading them, and moving them through their lifecycle."),
        (name = "case file", description = "A dispute's notes, staff statements and evidence files."),
        (name = "billing data", description = "The customers, contracts and invoices a dispute is checked against."),
        (name = "resolutions", description = "Resolving a dispute: proposals, approvals and refusals under the approval policy."),
        (name = "ledger", description = "Each customer's account in double entry, and the credit notes issued."),
        (name = "practice", description = "Training the team: practice sessions on anonymised or made-up cases, answers scored with every mark explained."),
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
        let path = path.as_str();
        let needs_token = path.starts_with(API_PREFIX) || path == METRICS_PATH;
        for operation in operations_mut(item) {
            let responses = &mut operation.responses.responses;
            // `input::check_path_and_query` refuses these on every route, before its handler.
            responses.entry("422".to_owned()).or_insert_with(|| {
                error_response(
                    "A value in the path or the query holds a NUL character or is longer than \
                     its field takes (`details.field` names it)",
                )
                .into()
            });
            if path.contains('{') {
                responses
                    .entry("404".to_owned())
                    .or_insert_with(|| error_response("Nothing has the id in the path").into());
            }
            if !needs_token {
                continue;
            }
            operation.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
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
    add_input_limits(&mut document);
    add_links(&mut document);
    document
}

/// Writes what `crate::input` refuses into the document, so that a client (and Schemathesis)
/// can tell a request that will be taken from one that will not: every text of the path, the
/// query and a JSON body holds no NUL character and is at most as long as its field takes
/// (`Limit::of` its name; an id in the path 128 characters), a cursor is hex, a date is
/// `YYYY-MM-DD`. A body that is not JSON (a file, a mail) is required.
fn add_input_limits(document: &mut utoipa::openapi::OpenApi) {
    use crate::input::{Limit, MAX_ID_CHARS};
    use utoipa::openapi::path::ParameterIn;
    let mut bodies = std::collections::BTreeSet::new();
    for item in document.paths.paths.values_mut() {
        for operation in operations_mut(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                let utoipa::openapi::RefOr::T(parameter) = parameter else {
                    continue;
                };
                let limit = match parameter.parameter_in {
                    ParameterIn::Path => Limit::Chars(MAX_ID_CHARS),
                    ParameterIn::Query => Limit::of(&parameter.name),
                    _ => continue,
                };
                if let Some(utoipa::openapi::RefOr::T(schema)) = parameter.schema.as_mut() {
                    limit_text(schema, &parameter.name, limit);
                }
            }
            if let Some(utoipa::openapi::RefOr::T(body)) = operation.request_body.as_mut() {
                if body.content.contains_key("application/json") {
                    for content in body.content.values() {
                        let utoipa::openapi::RefOr::T(content) = content else {
                            continue;
                        };
                        // The schemas it names, however nested (an optional body is a `oneOf`
                        // of `null` and its schema).
                        let schema = serde_json::to_value(&content.schema).unwrap_or_default();
                        schemas_named(&schema, &mut bodies);
                    }
                } else {
                    body.required = Some(utoipa::openapi::Required::True);
                }
            }
        }
    }
    let Some(components) = document.components.as_mut() else {
        return;
    };
    // The schemas bodies are made of, theirs included.
    let mut pending: Vec<String> = bodies.into_iter().collect();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(object))) =
            components.schemas.get_mut(&name)
        else {
            continue;
        };
        for (property, schema) in object.properties.iter_mut() {
            match schema {
                utoipa::openapi::RefOr::T(schema) => {
                    limit_text(schema, property, Limit::of(property));
                    if let utoipa::openapi::Schema::Array(array) = schema
                        && let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) =
                            &array.items
                        && let utoipa::openapi::RefOr::Ref(r) = items.as_ref()
                        && let Some(inner) = schema_name(r)
                    {
                        pending.push(inner.to_owned());
                    }
                }
                utoipa::openapi::RefOr::Ref(r) => {
                    if let Some(inner) = schema_name(r) {
                        pending.push(inner.to_owned());
                    }
                }
            }
        }
    }
}

/// Every schema `value` (a part of the document) refers to, by name.
fn schemas_named(value: &serde_json::Value, names: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, inner) in fields {
                if key == "$ref"
                    && let Some(name) = inner
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    names.insert(name.to_owned());
                }
                schemas_named(inner, names);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| schemas_named(i, names)),
        _ => {}
    }
}

/// A text schema (`field`'s) given its longest length and, unless it says more already (a list
/// of names, a pattern), that it holds no NUL character: a cursor is hex, a date `YYYY-MM-DD`.
fn limit_text(schema: &mut utoipa::openapi::Schema, field: &str, limit: crate::input::Limit) {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat, SchemaType, Type};
    let utoipa::openapi::Schema::Object(object) = schema else {
        return;
    };
    let text = match &object.schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    };
    if !text || object.enum_values.is_some() {
        return;
    }
    object.max_length.get_or_insert(limit.most());
    if object.pattern.is_none() {
        object.pattern = Some(if field == "cursor" {
            "^([0-9A-Fa-f]{2})*$".to_owned()
        } else if object.format == Some(SchemaFormat::KnownFormat(KnownFormat::Date)) {
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}$".to_owned()
        } else {
            "^[^\\u0000]*$".to_owned()
        });
    }
}

/// Adds the links a client follows from one answer to the operations it makes possible (and
/// Schemathesis's stateful phase with it): a response that gives an `XView` links to every
/// operation under `/api/v1/xs/{id}` with its `id`, one that names an `x_id` to those of
/// `/api/v1/xs/{id}` (a view of two words may name a nested collection: `PracticeCaseView`,
/// `/api/v1/practice/cases/{id}`). Derived from the names, so a route added under a
/// collection is linked without a word here. (Not from a list's first item: a link must
/// resolve in every answer, and a list may be empty.)
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
        // A view's collection, or its nested form (`practice-sessions` is under
        // `practice/sessions`).
        let known = |collection: String| {
            if of_item.contains_key(&collection) {
                return Some(collection);
            }
            let nested = collection.replacen('-', "/", 1);
            of_item.contains_key(&nested).then_some(nested)
        };
        if object.required.iter().any(|p| p == "id")
            && let Some(collection) = view_collection(name).and_then(known)
        {
            found.push(("/id".to_owned(), collection));
        }
        for property in object.properties.keys() {
            if let Some(thing) = property.strip_suffix("_id")
                && object.required.contains(property)
                && let Some(collection) = known(format!("{}s", thing.replace('_', "-")))
            {
                found.push((format!("/{property}"), collection));
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
