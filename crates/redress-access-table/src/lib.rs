//! The access matrix's tables (`docs/access.md`) as the access tests of the API, the desk and
//! the portal read them, and the routes a router's source names: one reading for the three,
//! so a table written in a way one test would read and another would not cannot happen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What a cell of the table says of one caller and one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `allow`: the caller is let in.
    Allow,
    /// `deny`: the caller is kept out, and nothing changes.
    Deny,
    /// `—`: the caller cannot be asked of this route (a table that allows it says so).
    NotApplicable,
}

impl Access {
    /// Whether the caller is let in; `None` for [`Access::NotApplicable`].
    pub fn allowed(self) -> Option<bool> {
        match self {
            Access::Allow => Some(true),
            Access::Deny => Some(false),
            Access::NotApplicable => None,
        }
    }
}

/// `docs/access.md`, from the workspace's root.
pub fn document() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/access.md")
}

/// The table of `docs/access.md`'s section `## {section}` (up to the next section): each row's
/// route (`"METHOD /path"`, the first cell, in backquotes) and one cell per caller, in the
/// columns' order. Panics, saying where, on a row with another number of cells than
/// `callers`, a cell that is none of `allow`, `deny` (and `—` where `not_applicable` is
/// allowed) or a route twice: a table that cannot be read must fail its test.
pub fn table<const N: usize>(
    section: &str,
    callers: [&str; N],
    not_applicable: bool,
) -> BTreeMap<String, [Access; N]> {
    let text = std::fs::read_to_string(document()).expect("docs/access.md is readable");
    let table = text
        .split(&format!("## {section}\n"))
        .nth(1)
        .map(|rest| rest.split("\n## ").next().unwrap_or(rest))
        .unwrap_or_else(|| panic!("docs/access.md has a section `## {section}`"));
    let mut rows = BTreeMap::new();
    for line in table.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(
            cells.len(),
            N + 1,
            "{section}: a route and {N} callers ({callers:?}) in `{line}`"
        );
        let route = cells[0].trim_matches('`').to_owned();
        let mut access = [Access::Deny; N];
        for (i, cell) in cells[1..].iter().enumerate() {
            access[i] = match *cell {
                "allow" => Access::Allow,
                "deny" => Access::Deny,
                "—" if not_applicable => Access::NotApplicable,
                other => panic!(
                    "{section}: `{other}` for {} in the row of {route}: allow or deny{}",
                    callers[i],
                    if not_applicable { " or —" } else { "" }
                ),
            };
        }
        assert!(
            rows.insert(route.clone(), access).is_none(),
            "{section}: {route} twice"
        );
    }
    rows
}

/// Every route the router in the crate source `source` serves, as `"METHOD /path"`: each
/// `.route("/path", …)` up to the router's `.fallback(` (where one is), with each of `get(`
/// and `post(` named among its handlers as a call of its own (not `forget(` or `do_get(`).
pub fn routes_served(source: &str) -> BTreeSet<String> {
    let source = source.split(".fallback(").next().unwrap_or(source);
    let mut routes = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let path = rest
            .split('"')
            .nth(1)
            .expect("a route's path is its first argument, in quotes");
        let end = rest.find(".route(").unwrap_or(rest.len());
        let handlers = &rest[..end];
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let named = handlers.match_indices(&call).any(|(at, _)| {
                at == 0 || {
                    let before = handlers.as_bytes()[at - 1];
                    !before.is_ascii_alphanumeric() && before != b'_'
                }
            });
            if named {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
}

/// Fails, naming them, when a route has no row or a row names no route.
pub fn assert_same_routes(rows: &BTreeSet<String>, routes: &BTreeSet<String>) {
    let missing: Vec<&String> = routes.difference(rows).collect();
    let extra: Vec<&String> = rows.difference(routes).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in docs/access.md: {missing:?}"
    );
    assert!(extra.is_empty(), "rows of no route: {extra:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_router_s_routes_are_read_with_each_method_named_as_a_call_of_its_own() {
        let source = r#"
            Router::new()
                .route("/a", get(pages::a).post(pages::a_sent))
                .route(
                    "/b/{id}",
                    post(pages::forget(x)),
                )
                .route("/c", get(do_get))
                .fallback(pages::missing)
                .route("/after", get(x))
        "#;
        let routes: Vec<String> = routes_served(source).into_iter().collect();
        assert_eq!(routes, ["GET /a", "GET /c", "POST /a", "POST /b/{id}"]);
    }

    #[test]
    fn every_section_of_the_access_document_reads() {
        let api = table(
            "The API",
            [
                "nobody", "agent", "approver", "admin", "auditor", "revoked", "link",
            ],
            false,
        );
        let portal = table(
            "The portal",
            ["owner", "other", "revoked", "expired", "made-up"],
            true,
        );
        assert!(api.len() > 40 && portal.len() > 10);
        assert!(api.contains_key("GET /api/v1/disputes"));
    }
}
