//! The access matrix of `docs/access.md`: every operation of the API has a row, and every
//! caller is allowed or denied exactly as the row says, a denial changing nothing. On both
//! backends (PostgreSQL with `REDRESS_TEST_BACKEND=postgres`).

mod app;

use app::App;
use redress_access_table::{Access, assert_same_routes, table};
use redress_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The callers, in the table's order.
const CALLERS: [&str; 7] = [
    "nobody", "agent", "approver", "admin", "auditor", "revoked", "link",
];

/// The API's table: `"METHOD /path"` → whether each caller is allowed, in [`CALLERS`]' order.
fn matrix() -> BTreeMap<String, [bool; 7]> {
    table("The API", CALLERS, false)
        .into_iter()
        .map(|(route, cells)| (route, cells.map(|cell| cell == Access::Allow)))
        .collect()
}

/// Every operation of the OpenAPI document, as `"METHOD /path"`.
fn documented() -> BTreeSet<String> {
    let document: Value =
        serde_json::from_str(&redress_server::openapi().to_json().unwrap()).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}

#[test]
fn every_operation_has_a_row_in_the_access_matrix_and_every_row_an_operation() {
    let rows: BTreeSet<String> = matrix().into_keys().collect();
    let operations = documented();
    assert_same_routes(&rows, &operations);
}

/// The tokens of each caller, on one server.
struct Callers {
    tokens: [Option<String>; 7],
}

impl Callers {
    async fn of(app: &App) -> Self {
        let approver = app.user("approver-ali", Role::Approver).await;
        let admin = app.user("admin-ada", Role::Admin).await;
        let revoked = app.user("agent-rita", Role::Agent).await;
        let disabled = app.db.raw(&[
            "UPDATE users SET disabled_at = '2026-12-06T00:00:00Z' WHERE id = 'agent-rita'",
        ]);
        assert!(disabled.iter().all(Result::is_ok), "{disabled:?}");
        let (status, link) = app
            .post(
                "/api/v1/customers/C-HALV/portal-links",
                &app.agent,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{link}");
        let url = link["url"].as_str().unwrap();
        let link = url.rsplit_once("/portal/").unwrap().1.trim_end_matches('/');
        Self {
            tokens: [
                None,
                Some(app.agent.clone()),
                Some(approver),
                Some(admin),
                Some(app.auditor.clone()),
                Some(revoked),
                Some(link.to_owned()),
            ],
        }
    }
}

/// A request to make.
#[derive(Clone)]
struct Request {
    method: Method,
    path: String,
    body: Body,
}

#[derive(Clone)]
enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>, Vec<(&'static str, &'static str)>),
}

async fn send(app: &App, token: Option<&str>, request: &Request) -> (StatusCode, String) {
    let mut builder = app.client.request(
        request.method.clone(),
        format!("{}{}", app.base, request.path),
    );
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    builder = match &request.body {
        Body::None => builder,
        Body::Json(body) => builder.json(body),
        Body::Raw(content_type, bytes, headers) => {
            let mut b = builder
                .header("Content-Type", *content_type)
                .body(bytes.clone());
            for (name, value) in headers {
                b = b.header(*name, *value);
            }
            b
        }
    };
    let response = builder.send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

async fn events(app: &App) -> u64 {
    app.redress.operations().verify_log().await.unwrap()
}

async fn created(app: &App, path: &str, body: Value) -> Value {
    let (status, answer) = app.post(path, &app.agent, body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// A new dispute of customer A's invoice INV-H1; its id.
async fn new_dispute(app: &App) -> String {
    let dispute = created(
        app,
        "/api/v1/disputes",
        json!({"invoice_id": "INV-H1", "line_no": 1, "reason": "overcharged",
               "claimed_amount": "10.00", "narrative": "Not what we agreed.", "channel": "email"}),
    )
    .await;
    dispute["id"].as_str().unwrap().to_owned()
}

/// A resolution waiting for an approver, proposed by the agent; its id. (Each of a line of
/// its own, INV-H1 to INV-H6 by turns: a line is credited once.)
async fn waiting_resolution(app: &App) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let invoice = 1 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 6;
    let dispute = created(
        app,
        "/api/v1/disputes",
        json!({"invoice_id": format!("INV-H{invoice}"), "line_no": 1, "reason": "overcharged",
               "claimed_amount": "110.00", "narrative": "Not what we agreed.", "channel": "email"}),
    )
    .await;
    let dispute = dispute["id"].as_str().unwrap();
    let proposed = created(
        app,
        &format!("/api/v1/disputes/{dispute}/resolutions"),
        json!({"kind": "credit_note", "reason": "Billed twice",
               "lines": [{"line_no": 1, "amount": "110.00"}]}),
    )
    .await;
    assert_eq!(proposed["status"], "pending_approval", "{proposed}");
    proposed["id"].as_str().unwrap().to_owned()
}

/// The arrears case of customer A, carried to `stage`: "open", "offered", "waiting" (a waiver
/// asked for by the agent) or "plan" (six instalments agreed). Its id, and the plan's.
async fn arrears_case(app: &App, stage: &str) -> (String, Option<String>) {
    let found = created(app, "/api/v1/arrears-cases/audit", json!({})).await;
    let case = match found["opened"][0]["id"].as_str() {
        Some(case) => case.to_owned(),
        None => {
            let (_, cases) = app.get("/api/v1/arrears-cases", &app.auditor).await;
            cases["cases"][0]["id"].as_str().unwrap().to_owned()
        }
    };
    if stage == "open" {
        return (case, None);
    }
    created(
        app,
        &format!("/api/v1/arrears-cases/{case}/offer"),
        json!({"note": "Called the owner"}),
    )
    .await;
    let choice = match stage {
        "offered" => return (case, None),
        "waiting" => json!({"option": "waive"}),
        _ => json!({"option": "payment_plan", "instalment_count": 6, "first_due_on": "2027-01-31"}),
    };
    let chosen = created(app, &format!("/api/v1/arrears-cases/{case}/choice"), choice).await;
    (case, chosen["plan_id"].as_str().map(str::to_owned))
}

/// The request of a change (`route`, a POST), against objects made for it now, so that each
/// caller's attempt meets them as the first would. `attempt` numbers the attempts on one
/// server (an instalment is received once).
async fn change(app: &App, route: &str, attempt: u32) -> Request {
    let post = |path: String, body: Value| Request {
        method: Method::POST,
        path,
        body: Body::Json(body),
    };
    match route {
        "POST /api/v1/disputes" => post(
            "/api/v1/disputes".into(),
            json!({"invoice_id": "INV-H2", "line_no": 1, "reason": "overcharged",
                   "claimed_amount": "1.00", "narrative": "Again.", "channel": "email"}),
        ),
        "POST /api/v1/disputes/{id}/transitions" => post(
            format!("/api/v1/disputes/{}/transitions", new_dispute(app).await),
            json!({"to": "acknowledged"}),
        ),
        "POST /api/v1/disputes/{id}/assignment" => post(
            format!("/api/v1/disputes/{}/assignment", new_dispute(app).await),
            json!({"assignee": "agent-ana"}),
        ),
        "POST /api/v1/disputes/{id}/escalation" => post(
            format!("/api/v1/disputes/{}/escalation", new_dispute(app).await),
            json!({"escalated": true}),
        ),
        "POST /api/v1/disputes/{id}/verify" => post(
            format!("/api/v1/disputes/{}/verify", new_dispute(app).await),
            json!({}),
        ),
        "POST /api/v1/disputes/{id}/notes" => post(
            format!("/api/v1/disputes/{}/notes", new_dispute(app).await),
            json!({"body": "Called the customer."}),
        ),
        "POST /api/v1/disputes/{id}/attachments" => Request {
            method: Method::POST,
            path: format!("/api/v1/disputes/{}/attachments", new_dispute(app).await),
            body: Body::Raw(
                "text/plain",
                format!("scan {attempt}").into_bytes(),
                vec![("X-File-Name", "scan.txt")],
            ),
        },
        "POST /api/v1/disputes/{id}/messages" => post(
            format!("/api/v1/disputes/{}/messages", new_dispute(app).await),
            json!({"kind": "explanation", "subject": "Your invoice",
                   "body": "Here is how we billed it."}),
        ),
        "POST /api/v1/disputes/{id}/resolutions" => post(
            format!("/api/v1/disputes/{}/resolutions", new_dispute(app).await),
            json!({"kind": "credit_note", "reason": "Billed twice",
                   "lines": [{"line_no": 1, "amount": "1.00"}]}),
        ),
        "POST /api/v1/resolutions/{id}/approve" => post(
            format!(
                "/api/v1/resolutions/{}/approve",
                waiting_resolution(app).await
            ),
            json!({"note": "Fair"}),
        ),
        "POST /api/v1/resolutions/{id}/reject" => post(
            format!(
                "/api/v1/resolutions/{}/reject",
                waiting_resolution(app).await
            ),
            json!({"note": "Not owed"}),
        ),
        "POST /api/v1/customers/{id}/portal-links" => {
            post("/api/v1/customers/C-HALV/portal-links".into(), json!({}))
        }
        "POST /api/v1/portal-links/{id}/revoke" => {
            let link = created(app, "/api/v1/customers/C-HALV/portal-links", json!({})).await;
            post(
                format!(
                    "/api/v1/portal-links/{}/revoke",
                    link["id"].as_str().unwrap()
                ),
                json!({}),
            )
        }
        "POST /api/v1/payment-plans/{id}/instalments/{number}/received" => {
            let plan = match find_plan(app).await {
                Some(plan) => plan,
                None => arrears_case(app, "plan").await.1.unwrap(),
            };
            // The plan has six; an instalment is received once.
            let number = (attempt - 1) % 6 + 1;
            post(
                format!("/api/v1/payment-plans/{plan}/instalments/{number}/received"),
                json!({}),
            )
        }
        "POST /api/v1/arrears-cases/audit" => post("/api/v1/arrears-cases/audit".into(), json!({})),
        "POST /api/v1/arrears-cases/{id}/offer" => post(
            format!(
                "/api/v1/arrears-cases/{}/offer",
                arrears_case(app, "open").await.0
            ),
            json!({"note": "Called the owner"}),
        ),
        "POST /api/v1/arrears-cases/{id}/choice" => post(
            format!(
                "/api/v1/arrears-cases/{}/choice",
                arrears_case(app, "offered").await.0
            ),
            json!({"option": "separate_invoice"}),
        ),
        "POST /api/v1/arrears-cases/{id}/approve" => post(
            format!(
                "/api/v1/arrears-cases/{}/approve",
                arrears_case(app, "waiting").await.0
            ),
            json!({}),
        ),
        "POST /api/v1/arrears-cases/{id}/reject" => post(
            format!(
                "/api/v1/arrears-cases/{}/reject",
                arrears_case(app, "waiting").await.0
            ),
            json!({}),
        ),
        "POST /api/v1/mail/inbound" => Request {
            method: Method::POST,
            path: "/api/v1/mail/inbound".into(),
            body: Body::Raw(
                "message/rfc822",
                format!(
                    "From: Halvorsen <regnskap@halvorsen.example>\r\nTo: billing@example.com\r\n\
                     Subject: Invoice INV-H3\r\nMessage-ID: <m{attempt}@halvorsen.example>\r\n\r\n\
                     The March invoice charged us twice.\r\n"
                )
                .into_bytes(),
                vec![],
            ),
        },
        "POST /api/v1/practice/sessions" => post(
            "/api/v1/practice/sessions".into(),
            json!({"trainee": "agent-ana", "cases": 1, "seed": attempt}),
        ),
        "POST /api/v1/practice/cases/{id}/answer" => post(
            format!(
                "/api/v1/practice/cases/{}/answer",
                practice_session(app).await.1
            ),
            json!({"findings": [], "resolution": "reject", "message": "Thank you."}),
        ),
        other => panic!("no request made for {other}: add one to change()"),
    }
}

/// A practice session of one case an approver started for the agent: its id and its case's.
async fn practice_session(app: &App) -> (String, String) {
    let trainer = redress_service::Actor {
        id: "approver-ali".into(),
        name: "approver-ali".into(),
        role: Role::Approver,
    };
    let session = app
        .redress
        .practice()
        .start_session(&trainer, "agent-ana", 1, 7)
        .await
        .unwrap();
    let case = session.cases[0].id.clone();
    (session.id, case)
}

/// The payment plan agreed on customer A's arrears, if one is.
async fn find_plan(app: &App) -> Option<String> {
    let (_, cases) = app.get("/api/v1/arrears-cases", &app.auditor).await;
    cases["cases"]
        .as_array()?
        .iter()
        .find_map(|c| c["plan_id"].as_str().map(str::to_owned))
}

/// Objects of customer A to read, made once.
struct Readable {
    ids: BTreeMap<&'static str, String>,
}

impl Readable {
    async fn make(app: &App) -> Self {
        let dispute = new_dispute(app).await;
        created(
            app,
            &format!("/api/v1/disputes/{dispute}/notes"),
            json!({"body": "Read the contract."}),
        )
        .await;
        let (status, attachment) = {
            let request = change(app, "POST /api/v1/disputes/{id}/attachments", 0).await;
            let (status, text) = send(app, Some(&app.agent), &request).await;
            (status, serde_json::from_str::<Value>(&text).unwrap())
        };
        assert_eq!(status, StatusCode::CREATED, "{attachment}");
        let message = created(
            app,
            &format!("/api/v1/disputes/{dispute}/messages"),
            json!({"kind": "explanation", "subject": "Your invoice", "body": "How we billed it."}),
        )
        .await;
        let credited = new_dispute(app).await;
        let credit = created(
            app,
            &format!("/api/v1/disputes/{credited}/resolutions"),
            json!({"kind": "credit_note", "reason": "Billed twice",
                   "lines": [{"line_no": 1, "amount": "1.00"}]}),
        )
        .await;
        let corrected = new_dispute(app).await;
        let invoice = created(
            app,
            &format!("/api/v1/disputes/{corrected}/resolutions"),
            json!({"kind": "corrected_invoice", "reason": "Wrong price",
                   "lines": [{"line_no": 1, "amount": "119.00"}]}),
        )
        .await;
        let (case, plan) = arrears_case(app, "plan").await;
        let link = created(app, "/api/v1/customers/C-HALV/portal-links", json!({})).await;
        let (session, practice_case) = practice_session(app).await;
        let mut ids = BTreeMap::new();
        ids.insert("practice/sessions", session);
        ids.insert("practice/cases", practice_case);
        ids.insert("disputes", dispute);
        ids.insert("attachments", attachment["id"].as_str().unwrap().to_owned());
        ids.insert("messages", message["id"].as_str().unwrap().to_owned());
        ids.insert("resolutions", credit["id"].as_str().unwrap().to_owned());
        ids.insert(
            "credit-notes",
            credit["document_id"].as_str().unwrap().to_owned(),
        );
        ids.insert(
            "issued-invoices",
            invoice["document_id"].as_str().unwrap().to_owned(),
        );
        ids.insert("arrears-cases", case);
        ids.insert("payment-plans", plan.unwrap());
        ids.insert("customers", "C-HALV".to_owned());
        ids.insert("contracts", "K-HALV".to_owned());
        ids.insert("invoices", "INV-H1".to_owned());
        ids.insert("portal-links", link["id"].as_str().unwrap().to_owned());
        Self { ids }
    }

    /// `route`'s path with its id filled in, and the query a draft needs.
    fn path(&self, route: &str) -> String {
        let path = route.split_once(' ').unwrap().1;
        let filled = match path
            .strip_prefix("/api/v1/")
            .and_then(|p| p.split_once("/{id}"))
        {
            Some((collection, rest)) => format!(
                "/api/v1/{collection}/{}{rest}",
                self.ids
                    .get(collection)
                    .unwrap_or_else(|| panic!("nothing of {collection} to read"))
            ),
            None => path.to_owned(),
        };
        if filled.ends_with("/messages/draft") {
            format!("{filled}?kind=explanation")
        } else {
            filled
        }
    }
}

/// The verdict on one attempt: allowed means a 2xx; denied means a 401 or 403 with no event
/// added to the audit log.
fn judge(
    route: &str,
    caller: &str,
    allowed: bool,
    status: StatusCode,
    answer: &str,
    events: (u64, u64),
) -> Option<String> {
    let denied = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
    if allowed && !status.is_success() {
        return Some(format!(
            "{route} as {caller}: expected allowed, got {status} {answer}"
        ));
    }
    if !allowed && !denied {
        return Some(format!(
            "{route} as {caller}: expected denied, got {status} {answer}"
        ));
    }
    if !allowed && events.0 != events.1 {
        return Some(format!(
            "{route} as {caller}: denied, but the audit log grew from {} to {} events",
            events.0, events.1
        ));
    }
    None
}

fn half_price() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_caller_reads_exactly_what_the_access_matrix_allows() {
    let app = App::start_with(&half_price()).await;
    let callers = Callers::of(&app).await;
    let readable = Readable::make(&app).await;
    let mut wrong = Vec::new();
    for (route, allowed) in matrix().iter().filter(|(r, _)| r.starts_with("GET ")) {
        let request = Request {
            method: Method::GET,
            path: readable.path(route),
            body: Body::None,
        };
        for (i, caller) in CALLERS.iter().enumerate() {
            let before = events(&app).await;
            let (status, answer) = send(&app, callers.tokens[i].as_deref(), &request).await;
            let after = events(&app).await;
            wrong.extend(judge(
                route,
                caller,
                allowed[i],
                status,
                &answer,
                (before, after),
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_caller_changes_exactly_what_the_access_matrix_allows_and_a_denial_changes_nothing() {
    let mut wrong = Vec::new();
    for (route, allowed) in matrix().iter().filter(|(r, _)| r.starts_with("POST ")) {
        // Arrears cases are one per customer here: each caller allowed to carry one forward
        // gets a server of its own; those denied share one, since a denial changes nothing.
        let own_server = route.starts_with("POST /api/v1/arrears-cases/{id}");
        let mut app = App::start_with(&half_price()).await;
        let mut callers = Callers::of(&app).await;
        let denied_first = (0..CALLERS.len()).filter(|&i| !allowed[i]);
        let then_allowed = (0..CALLERS.len()).filter(|&i| allowed[i]);
        let mut attempt = 0;
        let mut shared: Option<Request> = None;
        for i in denied_first.chain(then_allowed) {
            attempt += 1;
            if allowed[i] && own_server {
                app.stop().await;
                app = App::start_with(&half_price()).await;
                callers = Callers::of(&app).await;
            }
            // Denied callers meet the same objects; each allowed one meets its own.
            let request = match (&shared, allowed[i]) {
                (Some(request), false) => request.clone(),
                _ => change(&app, route, attempt).await,
            };
            let before = events(&app).await;
            let (status, answer) = send(&app, callers.tokens[i].as_deref(), &request).await;
            let after = events(&app).await;
            wrong.extend(judge(
                route,
                CALLERS[i],
                allowed[i],
                status,
                &answer,
                (before, after),
            ));
            if !allowed[i] && shared.is_none() {
                shared = Some(request);
            }
        }
        app.stop().await;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn nobody_approves_a_waiver_they_recorded_themselves() {
    // (A resolution's proposer is refused as its approver in `books.rs`.)
    let app = App::start_with(&half_price()).await;
    let approver = app.user("approver-ali", Role::Approver).await;
    // A waiver recorded by an approver waits for another approver.
    let found = created(&app, "/api/v1/arrears-cases/audit", json!({})).await;
    let case = found["opened"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/arrears-cases/{case}/offer"),
        &approver,
        json!({"note": "Called the owner"}),
    )
    .await;
    let (status, chosen) = app
        .post(
            &format!("/api/v1/arrears-cases/{case}/choice"),
            &approver,
            json!({"option": "waive"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{chosen}");
    let before = events(&app).await;
    let (status, refused) = app
        .post(
            &format!("/api/v1/arrears-cases/{case}/approve"),
            &approver,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(events(&app).await, before);
    app.stop().await;
}
