//! The OpenAPI document: it is the committed `docs/openapi.json` byte for byte, and it names
//! every route the router serves, with its methods.

mod app;

use redress_test_database::TestDatabase;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The committed document, where readers find it.
fn snapshot() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

/// The document as it is committed: pretty, with a final newline.
fn document_text() -> String {
    let document = redress_server::openapi().to_pretty_json().unwrap();
    format!("{document}\n")
}

#[test]
fn the_document_is_the_one_committed_in_docs() {
    let path = snapshot();
    let document = document_text();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &document).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != document {
        let first_difference = committed
            .lines()
            .zip(document.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(document.lines().count()));
        panic!(
            "docs/openapi.json is not the document the handlers give (first difference at line {}: \
             committed {:?}, now {:?}). If the change is meant, run \
             `UPDATE_SNAPSHOTS=1 cargo test -p redress-server --test openapi` and commit the file.",
            first_difference + 1,
            committed.lines().nth(first_difference).unwrap_or("<end>"),
            document.lines().nth(first_difference).unwrap_or("<end>"),
        );
    }
}

#[test]
fn the_document_is_openapi_3_1_about_redress() {
    let document = serde_json::to_value(redress_server::openapi()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "Redress");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

/// The paths the router serves. axum shows them only in a router's `Debug` form, as
/// `RouteId(3): "/healthz"`; the fallback's own paths come after `fallback_router`.
fn served_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let routes = debug.split("fallback_router").next().unwrap();
    let paths: BTreeSet<String> = routes
        .split("): \"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    assert!(
        paths.contains("/healthz"),
        "axum's Debug form of a router changed; read its paths another way: {paths:?}"
    );
    paths
}

/// The operations the document describes, as `(METHOD, path)`.
fn documented_operations() -> BTreeSet<(String, String)> {
    let document = serde_json::to_value(redress_server::openapi()).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            operations.insert((method.to_uppercase(), path.clone()));
        }
    }
    operations
}

#[tokio::test]
async fn every_route_the_router_serves_is_documented_with_its_methods() {
    let db = TestDatabase::new();
    let redress = app::open(&db).await;
    let router = redress_server::router(redress.clone());
    let paths = served_paths(&router);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    // Which methods each `/api/v1` path answers: axum says 405 for the others. Without a
    // token, every one it answers must refuse with a 401.
    let client = reqwest::Client::new();
    let mut served = BTreeSet::new();
    for path in paths.iter().filter(|p| p.starts_with("/api/v1/")) {
        let url = format!("{base}{}", path.replace("{id}", "X-1"));
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let status = client
                .request(method.clone(), &url)
                .send()
                .await
                .unwrap()
                .status();
            if status == StatusCode::METHOD_NOT_ALLOWED {
                continue;
            }
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} answers without a token"
            );
            served.insert((method.to_string(), path.clone()));
        }
    }
    let documented = documented_operations();
    let documented_api: BTreeSet<_> = documented
        .iter()
        .filter(|(_, path)| path.starts_with("/api/v1/"))
        .cloned()
        .collect();
    let undocumented: Vec<_> = served.difference(&documented_api).collect();
    let not_served: Vec<_> = documented_api.difference(&served).collect();
    assert!(
        undocumented.is_empty() && not_served.is_empty(),
        "served but not documented: {undocumented:?}; documented but not served: {not_served:?}"
    );
    let documented_paths: BTreeSet<String> = documented.into_iter().map(|(_, p)| p).collect();
    let undocumented: Vec<_> = paths.difference(&documented_paths).collect();
    let not_served: Vec<_> = documented_paths.difference(&paths).collect();
    assert!(
        undocumented.is_empty() && not_served.is_empty(),
        "paths served but not documented: {undocumented:?}; documented but not served: {not_served:?}"
    );
    redress.operations().close().await;
}

/// Every `$ref` in `value`, with where it is.
fn refs<'a>(value: &'a serde_json::Value, at: String, found: &mut Vec<(String, &'a str)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(target)) => found.push((at.clone(), target)),
                    _ => refs(inner, format!("{at}/{key}"), found),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                refs(inner, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_schema_the_document_refers_to_is_in_it() {
    let document = serde_json::to_value(redress_server::openapi()).unwrap();
    let mut found = Vec::new();
    refs(&document, String::new(), &mut found);
    assert!(!found.is_empty());
    for (at, target) in found {
        let pointer = target.strip_prefix('#').unwrap_or(target);
        assert!(
            document.pointer(pointer).is_some(),
            "{at} refers to {target}, which the document lacks"
        );
    }
}

#[test]
fn every_api_route_and_the_metrics_need_the_bearer_token_and_health_does_not() {
    let document = serde_json::to_value(redress_server::openapi()).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let security = &operation["security"];
            if path.starts_with("/api/v1/") || path == "/metrics" {
                assert_eq!(
                    *security,
                    serde_json::json!([{"bearer": []}]),
                    "{method} {path}"
                );
                assert!(
                    operation["responses"]["401"].is_object(),
                    "{method} {path} documents no 401"
                );
            } else {
                assert!(security.is_null(), "{method} {path} needs no token");
            }
        }
    }
}

#[test]
fn the_attachment_types_documented_are_the_ones_taken() {
    let document = serde_json::to_value(redress_server::openapi()).unwrap();
    let types = |content: &serde_json::Value| -> BTreeSet<String> {
        content.as_object().unwrap().keys().cloned().collect()
    };
    let taken: BTreeSet<String> = redress_server::attachments::ATTACHMENT_TYPES
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    let paths = &document["paths"];
    let upload = &paths["/api/v1/disputes/{id}/attachments"]["post"]["requestBody"]["content"];
    assert_eq!(types(upload), taken);
    let download = &paths["/api/v1/attachments/{id}/content"]["get"]["responses"]["200"]["content"];
    assert_eq!(types(download), taken);
}

/// The operation ids a response of `operation_id` (with `status`) links to, and the id each
/// link passes.
fn links_of(operation_id: &str, status: &str) -> Vec<(String, String)> {
    let document: serde_json::Value = serde_json::from_str(&document_text()).unwrap();
    let operation = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .find(|op| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("no operation {operation_id}"));
    operation["responses"][status]["links"]
        .as_object()
        .map(|links| {
            links
                .values()
                .map(|link| {
                    (
                        link["operationId"].as_str().unwrap().to_owned(),
                        link["parameters"]["id"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_dispute_taken_links_to_every_operation_on_it_and_to_its_invoice_and_customer() {
    let links = links_of("create_dispute", "201");
    let linked = |target: &str| {
        links
            .iter()
            .find(|(op, _)| op == target)
            .map(|(_, id)| id.as_str())
    };
    for target in [
        "get_dispute",
        "move_dispute",
        "propose_resolution",
        "add_note",
        "dispute_events",
    ] {
        assert_eq!(
            linked(target),
            Some("$response.body#/id"),
            "{target}: {links:?}"
        );
    }
    assert_eq!(linked("get_invoice"), Some("$response.body#/invoice_id"));
    assert_eq!(linked("get_customer"), Some("$response.body#/customer_id"));
    assert_eq!(
        linked("create_dispute"),
        None,
        "an operation does not link to itself"
    );
}

#[test]
fn a_proposal_links_to_its_approval_and_a_portal_link_to_its_revocation_but_a_list_to_nothing() {
    assert_eq!(
        links_of("list_disputes", "200"),
        vec![],
        "a list may be empty"
    );
    let links = links_of("propose_resolution", "201");
    assert!(
        links.contains(&(
            "approve_resolution".to_owned(),
            "$response.body#/id".to_owned()
        )),
        "{links:?}"
    );
    let links = links_of("issue_portal_link", "201");
    assert!(
        links.contains(&(
            "revoke_portal_link".to_owned(),
            "$response.body#/id".to_owned()
        )),
        "{links:?}"
    );
}
