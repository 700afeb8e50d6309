//! The portal's part of the access matrix (`docs/access.md`): every route of the portal has a
//! row, and each kind of link is let in or kept out exactly as the row says, a refusal
//! changing nothing. On both backends (PostgreSQL with `REDRESS_TEST_BACKEND=postgres`).

mod portal;

use portal::{Fixture, Page, Portal, proposal};
use redress_access_table::{Access, assert_same_routes, routes_served, table};
use redress_domain::resolution::ResolutionKind;
use reqwest::StatusCode;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The callers, in the table's order.
const CALLERS: [&str; 5] = ["owner", "other", "revoked", "expired", "made-up"];

/// The portal's table: route → what each caller may, `None` where the cell is `—`.
fn matrix() -> BTreeMap<String, [Option<bool>; 5]> {
    table("The portal", CALLERS, true)
        .into_iter()
        .map(|(route, cells)| (route, cells.map(Access::allowed)))
        .collect()
}

/// Every route the portal's router serves, read from its source: a route added there without
/// a row in the table fails the test below.
fn served() -> BTreeSet<String> {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    routes_served(&std::fs::read_to_string(source).unwrap())
}

#[test]
fn every_route_of_the_portal_has_a_row_in_the_access_matrix_and_every_row_a_route() {
    let rows: BTreeSet<String> = matrix().into_keys().collect();
    let routes = served();
    assert!(routes.len() >= 15, "{routes:?}");
    assert_same_routes(&rows, &routes);
}

/// The links of one test: the owner's (of the objects), another customer's, the owner's
/// revoked and expired ones, and one no one issued; each with its forms' CSRF token, read
/// while it still opened.
struct Links {
    paths: [String; 5],
    csrf: [String; 5],
}

impl Links {
    async fn of(portal: &Portal, owner: &str, other: &str) -> Self {
        let issue = |customer: &'static str| async move {
            let (issued, _) = portal
                .redress
                .portal()
                .issue(&portal.agent, customer, None)
                .await
                .unwrap();
            (format!("/portal/{}", issued.token), issued.link.id)
        };
        let owner: &'static str = if owner == "C-HALV" {
            "C-HALV"
        } else {
            "C-ACME"
        };
        let other: &'static str = if other == "C-ORTA" {
            "C-ORTA"
        } else {
            "C-SORA"
        };
        let (owners, _) = issue(owner).await;
        let (others, _) = issue(other).await;
        let (revoked, revoked_id) = issue(owner).await;
        let (expired, expired_id) = issue(owner).await;
        let made_up = "/portal/0123456789abcdef0123456789abcdef".to_owned();
        let mut csrf = Vec::new();
        for link in [
            owners.as_str(),
            others.as_str(),
            revoked.as_str(),
            expired.as_str(),
        ] {
            csrf.push(portal.get(&format!("{link}/disputes/new")).await.csrf());
        }
        csrf.push("not-a-token".to_owned());
        portal
            .redress
            .portal()
            .revoke(&portal.agent, &revoked_id)
            .await
            .unwrap();
        let done = portal.db.raw(&[&format!(
            "UPDATE portal_links SET expires_at = '2020-01-01T00:00:00Z' WHERE id = '{expired_id}'"
        )]);
        assert!(done.iter().all(Result::is_ok), "{done:?}");
        Self {
            paths: [owners, others, revoked, expired, made_up],
            csrf: csrf.try_into().unwrap(),
        }
    }
}

/// What one row asks of a link: the rest of the path after the link, and the form to post
/// (`None` for a GET).
struct Ask {
    rest: String,
    form: Option<Vec<(&'static str, String)>>,
}

async fn events(portal: &Portal) -> u64 {
    portal.redress.operations().verify_log().await.unwrap()
}

/// The portal a row is tried on, its owner and other customer, and what it asks.
async fn prepare(route: &str) -> (Portal, &'static str, &'static str, Ask) {
    let path = route.split_once(' ').unwrap().1;
    let get = |rest: &str| Ask {
        rest: rest.to_owned(),
        form: None,
    };
    let post = |rest: &str, form: Vec<(&'static str, &str)>| Ask {
        rest: rest.to_owned(),
        form: Some(form.into_iter().map(|(k, v)| (k, v.to_owned())).collect()),
    };
    if path.contains("/corrections/") {
        let portal = Portal::start(Fixture::HalfPrice).await;
        let case = portal.arrears_case_of("C-HALV").await;
        portal.offer_correction(&case).await;
        let ask = if path.ends_with("/choice") {
            post(
                &format!("/corrections/{case}/choice"),
                vec![("option", "separate_invoice")],
            )
        } else {
            get(&format!("/corrections/{case}"))
        };
        return (portal, "C-HALV", "C-ORTA", ask);
    }
    let portal = Portal::start(Fixture::Audit).await;
    let ask = match path {
        "/portal"
        | "/portal/"
        | "/portal/assets/{name}"
        | "/portal/{token}"
        | "/portal/{token}/" => get(""),
        "/portal/{token}/disputes/new" => get("/disputes/new"),
        "/portal/{token}/disputes" => post(
            "/disputes",
            vec![
                ("invoice", "INV-A1"),
                ("line", "1"),
                ("reason", "overcharged"),
                ("amount", "1.00"),
                ("words", "Billed twice."),
            ],
        ),
        "/portal/{token}/disputes/{id}" => get("/disputes/DSP-1"),
        "/portal/{token}/disputes/{id}/offers/{option}/accept"
        | "/portal/{token}/disputes/{id}/offers/decline" => {
            portal.investigate("DSP-1").await;
            let offered = portal
                .offer("DSP-1", ResolutionKind::CreditNote, "50.00")
                .await;
            if path.ends_with("/accept") {
                post(&format!("/disputes/DSP-1/offers/{offered}/accept"), vec![])
            } else {
                post(
                    "/disputes/DSP-1/offers/decline",
                    vec![("why", "Not enough.")],
                )
            }
        }
        "/portal/{token}/disputes/{id}/replies" => {
            post("/disputes/DSP-1/replies", vec![("text", "Any news?")])
        }
        "/portal/{token}/disputes/{id}/attachments" => get("/disputes/DSP-1/attachments"),
        "/portal/{token}/disputes/{id}/rating" => {
            portal.resolve_with_a_credit_note("DSP-1", 2, "50.00").await;
            post("/disputes/DSP-1/rating", vec![("score", "4")])
        }
        "/portal/{token}/documents/credit-notes/{file}" => {
            let note = portal.resolve_with_a_credit_note("DSP-1", 2, "50.00").await;
            get(&format!("/documents/credit-notes/{note}.pdf"))
        }
        "/portal/{token}/documents/invoices/{file}" => {
            let resolution = portal
                .apply(
                    "DSP-1",
                    proposal(
                        ResolutionKind::CorrectedInvoice,
                        vec![(2, "400.00".parse().unwrap())],
                        None,
                        false,
                    ),
                )
                .await;
            get(&format!(
                "/documents/invoices/{}.pdf",
                resolution.document_id.unwrap()
            ))
        }
        "/portal/{token}/{*rest}" => get("/elsewhere"),
        other => panic!("no request made for {other}: add one to prepare()"),
    };
    (portal, "C-ACME", "C-SORA", ask)
}

async fn attempt(portal: &Portal, route: &str, links: &Links, caller: usize, ask: &Ask) -> Page {
    let path = route.split_once(' ').unwrap().1;
    let url = match path {
        "/portal" | "/portal/" => path.to_owned(),
        "/portal/assets/{name}" => "/portal/assets/portal.css".to_owned(),
        "/portal/{token}/" => format!("{}/", links.paths[caller]),
        _ => format!("{}{}", links.paths[caller], ask.rest),
    };
    match (&ask.form, route.starts_with("POST ")) {
        (Some(form), true) | (Some(form), false) => {
            let mut fields: Vec<(&str, &str)> = vec![("csrf", links.csrf[caller].as_str())];
            fields.extend(form.iter().map(|(k, v)| (*k, v.as_str())));
            portal.post(&url, &fields, &[]).await
        }
        (None, true) => {
            // A file sent as evidence: the only form without fields of its own.
            portal
                .post_file(
                    &url,
                    &links.csrf[caller],
                    "scan.txt",
                    "text/plain",
                    b"a scan".to_vec(),
                )
                .await
        }
        (None, false) => portal.get(&url).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_link_opens_and_changes_exactly_what_the_access_matrix_allows() {
    let mut wrong = Vec::new();
    for (route, allowed) in matrix() {
        let (portal, owner, other, ask) = prepare(&route).await;
        let links = Links::of(&portal, owner, other).await;
        // Those kept out first: a refusal changes nothing, so the owner then meets the
        // objects as they were made.
        let order = [1, 2, 3, 4, 0];
        for caller in order {
            let Some(allowed) = allowed[caller] else {
                continue;
            };
            let before = events(&portal).await;
            let page = attempt(&portal, &route, &links, caller, &ask).await;
            let after = events(&portal).await;
            let who = CALLERS[caller];
            let status = page.status;
            // A form refuses a value that is not the customer's as any wrong value: 422, the
            // form to correct, nothing said of whose it is.
            let refused = matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                || (route.starts_with("POST ") && status == StatusCode::UNPROCESSABLE_ENTITY);
            let named = ["Acme", "Halvorsen"]
                .iter()
                .any(|name| page.body.contains(name));
            if !allowed && caller != 0 && named {
                wrong.push(format!(
                    "{route} by the {who} link: kept out, but the owner is named"
                ));
            }
            if allowed && !(status.is_success() || status.is_redirection()) {
                wrong.push(format!(
                    "{route} by the {who} link: expected let in, got {status}"
                ));
            }
            if allowed && route.starts_with("POST ") && after == before {
                wrong.push(format!(
                    "{route} by the {who} link: let in, but nothing was done"
                ));
            }
            if !allowed && !refused {
                wrong.push(format!(
                    "{route} by the {who} link: expected kept out, got {status}"
                ));
            }
            if !allowed && route.starts_with("POST ") && after != before {
                wrong.push(format!(
                    "{route} by the {who} link: kept out, but the audit log grew from {before} to {after}"
                ));
            }
        }
        portal.stop().await;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
