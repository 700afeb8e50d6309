//! The desk's part of the access matrix (`docs/access.md`, "The desk"): every route of the
//! desk has a row, and each kind of caller is let in or kept out exactly as the row says, a
//! refusal changing nothing. On both backends (PostgreSQL with `REDRESS_TEST_BACKEND=postgres`).

mod desk;

use desk::{Desk, PASSWORD, Page, attachment_form};
use redress_access_table::{Access, assert_same_routes, routes_served, table};
use redress_domain::Role;
use redress_domain::arrears::ArrearsChoice;
use redress_domain::resolution::ResolutionKind;
use reqwest::StatusCode;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The callers, in the table's order.
const CALLERS: [&str; 8] = [
    "nobody", "agent", "approver", "admin", "auditor", "disabled", "expired", "token",
];

/// The token callers without a session send with a form: none Redress issued.
const MADE_UP_CSRF: &str = "not-a-token";

/// The desk's table: `"METHOD /path"` → whether each caller is let in, in [`CALLERS`]' order.
fn matrix() -> BTreeMap<String, [bool; 8]> {
    table("The desk", CALLERS, false)
        .into_iter()
        .map(|(route, cells)| (route, cells.map(|cell| cell == Access::Allow)))
        .collect()
}

/// Every route the desk's router serves, read from its source: a route added there without a
/// row in the table fails the test below.
fn served() -> BTreeSet<String> {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    routes_served(&std::fs::read_to_string(source).unwrap())
}

#[test]
fn every_route_of_the_desk_has_a_row_in_the_access_matrix_and_every_row_a_route() {
    let rows: BTreeSet<String> = matrix().into_keys().collect();
    let routes = served();
    assert!(routes.len() >= 40, "{routes:?}");
    assert_same_routes(&rows, &routes);
}

/// Each caller of one desk: their session (if any), their forms' CSRF token, their user (if
/// any), and the agent's API token for the last.
struct Callers {
    sessions: [Option<String>; 8],
    csrf: [String; 8],
    users: [Option<String>; 8],
    bearer: String,
}

impl Callers {
    async fn of(desk: &Desk) -> Self {
        let people = desk.redress.people();
        let mut made = Vec::new();
        for (email, name, role) in [
            ("audrey@example.com", "Audrey Auditor", Role::Auditor),
            ("dee@example.com", "Dee Gone", Role::Agent),
            ("eve@example.com", "Eve Late", Role::Agent),
        ] {
            made.push(
                people
                    .create_user(email, name, role, PASSWORD, "test")
                    .await
                    .unwrap(),
            );
        }
        let [auditor, disabled, expired]: [String; 3] = made.try_into().unwrap();
        let emails = [
            "ana@example.com",
            "olu@example.com",
            "root@example.com",
            "audrey@example.com",
            "dee@example.com",
            "eve@example.com",
        ];
        let mut sessions = vec![None];
        let mut csrf = vec![MADE_UP_CSRF.to_owned()];
        for email in emails {
            let session = desk.sign_in(email).await;
            csrf.push(desk.get("/queue", &session).await.csrf());
            sessions.push(Some(session));
        }
        sessions.push(None);
        csrf.push(MADE_UP_CSRF.to_owned());
        people.disable_user(&desk.admin, &disabled).await.unwrap();
        let done = desk.db.raw(&[&format!(
            "UPDATE web_sessions SET expires_at = '2020-01-01T00:00:00Z' WHERE user_id = '{expired}'"
        )]);
        assert!(done.iter().all(Result::is_ok), "{done:?}");
        let bearer = people.create_token(&desk.agent.id, "test").await.unwrap();
        Self {
            sessions: sessions.try_into().unwrap(),
            csrf: csrf.try_into().unwrap(),
            users: [
                None,
                Some(desk.agent.id.clone()),
                Some(desk.approver.id.clone()),
                Some(desk.admin.id.clone()),
                Some(auditor),
                Some(disabled),
                Some(expired),
                Some(desk.agent.id.clone()),
            ],
            bearer,
        }
    }
}

/// What one attempt sends.
#[derive(Clone)]
enum Ask {
    Get(String),
    Form(String, Vec<(&'static str, String)>),
    /// An evidence file, to this path.
    File(String),
}

async fn send(desk: &Desk, callers: &Callers, caller: usize, ask: &Ask) -> Page {
    let session = callers.sessions[caller].as_deref();
    let bearer = format!("Bearer {}", callers.bearer);
    let headers: Vec<(&'static str, &str)> = if CALLERS[caller] == "token" {
        vec![("authorization", bearer.as_str())]
    } else {
        Vec::new()
    };
    let csrf = callers.csrf[caller].as_str();
    match ask {
        Ask::Get(path) => desk.get_with(path, session, &headers).await,
        Ask::Form(path, fields) => {
            let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
            form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            desk.post(path, session, &form, &headers).await
        }
        Ask::File(path) => {
            let body = attachment_form(Some(csrf), "scan.txt", "text/plain", b"a scan");
            desk.post_body(path, session, (body.0.as_str(), body.1), &headers)
                .await
        }
    }
}

async fn events(desk: &Desk) -> u64 {
    let log = desk.redress.operations().verify_log().await.unwrap();
    // Practice's sessions and answers, kept apart from the log.
    let sessions = desk
        .redress
        .practice()
        .sessions_of(&desk.admin, &desk.agent.id)
        .await
        .unwrap();
    let practice: u64 = sessions
        .iter()
        .map(|s| 1 + s.cases.iter().filter(|c| c.answered.is_some()).count() as u64)
        .sum();
    log + practice
}

/// A practice session of one case an approver started for the agent: its id and its case's.
async fn practice_session(desk: &Desk) -> (String, String) {
    let session = desk
        .redress
        .practice()
        .start_session(&desk.approver, &desk.agent.id, 1, 7)
        .await
        .unwrap();
    let case = session.cases[0].id.clone();
    (session.id, case)
}

/// A new dispute of the half-price customer's invoices (INV-H1 to INV-H6 by turns: a line is
/// credited once), taken by the agent; its id.
async fn new_dispute(desk: &Desk) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let invoice = 1 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 6;
    desk.open_dispute(&format!("INV-H{invoice}"), 1, "10.00")
        .await
}

/// A resolution of `kind` with the line amount `amount` on a new dispute, proposed by the
/// agent: the dispute's id, the resolution's, and the document's it issued at once (if any).
async fn proposed(
    desk: &Desk,
    kind: ResolutionKind,
    amount: &str,
) -> (String, String, Option<String>) {
    let dispute = new_dispute(desk).await;
    let (resolution, document) = desk.resolve(&dispute, kind, (1, amount), false).await;
    (dispute, resolution, document)
}

/// The half-price customer's arrears case, carried to `stage`: "open", "offered" or
/// "waiting" (a waiver the agent recorded, for an approver to decide).
async fn arrears_case(desk: &Desk, stage: &str) -> String {
    let cases = desk.redress.cases();
    let work = cases.prepare_find(&desk.admin).await.unwrap();
    let found = desk.redress.perform(work).await.unwrap();
    let case = match found.opened.iter().find(|c| c.customer_id == "C-HALV") {
        Some(case) => case.id.clone(),
        None => return existing_case(desk).await,
    };
    if stage == "open" {
        return case;
    }
    let offer = cases.offer(&desk.agent, &case, "Called the owner".to_owned());
    desk.redress.perform(offer).await.unwrap();
    if stage == "waiting" {
        let choice = cases.choose(&desk.agent, &case, ArrearsChoice::Waive);
        desk.redress.perform(choice).await.unwrap();
    }
    case
}

async fn existing_case(desk: &Desk) -> String {
    desk.redress
        .cases()
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.customer_id == "C-HALV")
        .expect("the half-price customer's case")
        .id
}

/// The page a GET row asks for, with objects made once on `desk` for all callers.
struct Readable {
    dispute: String,
    attachment: String,
    message: String,
    credit_note: String,
    issued_invoice: String,
    case: String,
    practice_session: String,
    practice_case: String,
}

impl Readable {
    async fn make(desk: &Desk) -> Self {
        let dispute = new_dispute(desk).await;
        let attach = desk.redress.disputes().attach(
            &desk.agent,
            &dispute,
            "delivery note.txt",
            "text/plain",
            b"Delivered 40 seats.",
        );
        let attachment = desk.redress.perform(attach).await.unwrap().id;
        // The acknowledgement, sent by itself when the dispute was taken.
        let message = desk.redress.messages().of_dispute(&dispute).await.unwrap()[0]
            .id
            .clone();
        let (_, _, credit_note) = proposed(desk, ResolutionKind::CreditNote, "1.00").await;
        let (_, _, issued_invoice) =
            proposed(desk, ResolutionKind::CorrectedInvoice, "119.00").await;
        let (practice_session, practice_case) = practice_session(desk).await;
        Self {
            dispute,
            attachment,
            message,
            credit_note: credit_note.expect("a credit note issued at once"),
            issued_invoice: issued_invoice.expect("an invoice issued at once"),
            case: arrears_case(desk, "open").await,
            practice_session,
            practice_case,
        }
    }

    fn path(&self, route: &str) -> String {
        let path = route.split_once(' ').unwrap().1;
        let d = &self.dispute;
        match path {
            "/assets/{name}" => "/assets/desk.css".to_owned(),
            "/disputes/{id}" => format!("/disputes/{d}"),
            "/disputes/{id}/messages/new" => format!("/disputes/{d}/messages/new?kind=explanation"),
            "/disputes/{id}/messages" => format!("/disputes/{d}/messages"),
            "/attachments/{id}" => format!("/attachments/{}", self.attachment),
            "/customers/{id}" => "/customers/C-HALV".to_owned(),
            "/credit-notes/{id}" => format!("/credit-notes/{}", self.credit_note),
            "/issued-invoices/{id}" => format!("/issued-invoices/{}", self.issued_invoice),
            "/documents/credit-notes/{file}" => {
                format!("/documents/credit-notes/{}.pdf", self.credit_note)
            }
            "/documents/issued-invoices/{file}" => {
                format!("/documents/issued-invoices/{}.pdf", self.issued_invoice)
            }
            "/documents/letters/{file}" => format!("/documents/letters/{}.pdf", self.message),
            "/arrears/{id}" => format!("/arrears/{}", self.case),
            "/analytics/{file}" => "/analytics/opened.csv".to_owned(),
            "/practice/sessions/{id}" => format!("/practice/sessions/{}", self.practice_session),
            "/practice/cases/{id}" => format!("/practice/cases/{}", self.practice_case),
            other if !other.contains('{') => other.to_owned(),
            other => panic!("no page made for {other}: add one to Readable::path()"),
        }
    }
}

/// The request of a form (`route`, a POST), against objects made for it now, so that each
/// caller's attempt meets them as the first would. `attempt` numbers the attempts on one
/// desk; `caller` is who will send it (a statement is given by the person it was asked of).
async fn change(desk: &Desk, callers: &Callers, route: &str, caller: usize, attempt: u32) -> Ask {
    let form = |path: String, fields: &[(&'static str, &str)]| {
        Ask::Form(
            path,
            fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        )
    };
    let path = route.split_once(' ').unwrap().1;
    if path.starts_with("/disputes/{id}") && !path.contains("/resolutions/{resolution}") {
        let d = new_dispute(desk).await;
        let here = path.replace("{id}", &d);
        return match path {
            "/disputes/{id}/status" => form(here, &[("to", "acknowledged")]),
            "/disputes/{id}/assign" => form(here, &[("to", "me")]),
            "/disputes/{id}/escalate" => form(here, &[("escalated", "true")]),
            "/disputes/{id}/notes" => {
                form(here, &[("kind", "note"), ("body", "Called the customer.")])
            }
            "/disputes/{id}/statements" => form(
                here,
                &[
                    ("asked_of", desk.approver.id.as_str()),
                    ("question", "Was the licence delivered?"),
                    ("due_on", "2031-01-15"),
                ],
            ),
            "/disputes/{id}/statements/{request}" => {
                let asked_of = callers.users[caller]
                    .clone()
                    .unwrap_or_else(|| desk.agent.id.clone());
                let disputes = desk.redress.disputes();
                let due = "2031-01-15".parse().unwrap();
                let ask = disputes.ask_for_statement(&desk.admin, &d, &asked_of, "Delivered?", due);
                let request = match desk.redress.perform(ask).await {
                    Ok(request) => request,
                    // Someone who cannot be asked (disabled, or reading only): asked of the
                    // agent, whose statement they then try to give.
                    Err(_) => {
                        let ask = disputes.ask_for_statement(
                            &desk.admin,
                            &d,
                            &desk.agent.id,
                            "Delivered?",
                            due,
                        );
                        desk.redress.perform(ask).await.unwrap()
                    }
                };
                form(
                    format!("/disputes/{d}/statements/{}", request.id),
                    &[("body", "It was delivered on the 15th.")],
                )
            }
            "/disputes/{id}/attachments" => Ask::File(here),
            "/disputes/{id}/resolutions" => form(
                here,
                &[
                    ("kind", "credit_note"),
                    ("line-1", "1.00"),
                    ("reason", "Billed above the contract price."),
                    ("act", "send"),
                ],
            ),
            "/disputes/{id}/messages" => form(
                here,
                &[
                    ("kind", "explanation"),
                    ("language", "en"),
                    ("subject", "Your invoice"),
                    ("body", "How we billed it."),
                ],
            ),
            other => panic!("no form made for {other}: add one to change()"),
        };
    }
    match path {
        "/sign-in" => form(
            "/sign-in".to_owned(),
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        ),
        "/sign-out" => form("/sign-out".to_owned(), &[]),
        "/disputes" => form(
            "/disputes".to_owned(),
            &[
                ("invoice", "INV-H2"),
                ("line", "1"),
                ("reason", "wrong_price"),
                ("claimed", "1.00"),
                ("channel", "phone"),
                ("narrative", "Again."),
            ],
        ),
        "/disputes/{id}/resolutions/{resolution}/approve"
        | "/disputes/{id}/resolutions/{resolution}/refuse" => {
            let (d, resolution, issued) =
                proposed(desk, ResolutionKind::CreditNote, "110.00").await;
            assert!(issued.is_none(), "it waits for an approver");
            let decided = path
                .replace("{id}", &d)
                .replace("{resolution}", &resolution);
            form(decided, &[("note", "Not owed.")])
        }
        "/people" => {
            let email = format!("new{attempt}@example.com");
            form(
                "/people".to_owned(),
                &[("email", &email), ("name", "New Person"), ("role", "agent")],
            )
        }
        "/people/{id}/tokens" | "/people/{id}/disable" => {
            let email: &'static str = Box::leak(format!("p{attempt}@example.com").into_boxed_str());
            let id = desk
                .redress
                .people()
                .create_user(email, "Pat Person", Role::Agent, PASSWORD, "test")
                .await
                .unwrap();
            form(path.replace("{id}", &id), &[])
        }
        "/customers/{id}/portal-links" => form("/customers/C-HALV/portal-links".to_owned(), &[]),
        "/customers/{id}/portal-links/{link}/revoke" => {
            let (issued, _) = desk
                .redress
                .portal()
                .issue(&desk.agent, "C-HALV", None)
                .await
                .unwrap();
            form(
                format!("/customers/C-HALV/portal-links/{}/revoke", issued.link.id),
                &[],
            )
        }
        "/audit" => form("/audit".to_owned(), &[]),
        "/arrears/{id}/offer" => form(
            format!("/arrears/{}/offer", arrears_case(desk, "open").await),
            &[("note", "Called the owner")],
        ),
        "/arrears/{id}/choice" => form(
            format!("/arrears/{}/choice", arrears_case(desk, "offered").await),
            &[("option", "separate_invoice")],
        ),
        "/arrears/{id}/waiver" => form(
            format!("/arrears/{}/waiver", arrears_case(desk, "waiting").await),
            &[("decision", "approve")],
        ),
        "/practice/sessions" => form(
            "/practice/sessions".to_owned(),
            &[("trainee", desk.agent.id.as_str()), ("cases", "1")],
        ),
        "/practice/cases/{id}/answer" => form(
            format!("/practice/cases/{}/answer", practice_session(desk).await.1),
            &[("resolution", "reject"), ("message", "Thank you.")],
        ),
        "/playbooks/{reason}" => form(
            "/playbooks/late_fee".to_owned(),
            &[("steps", "Check the due date and the notices sent.")],
        ),
        other => panic!("no form made for {other}: add one to change()"),
    }
}

/// Whether the answer sends a browser to sign in.
fn to_sign_in(page: &Page) -> bool {
    page.status == StatusCode::SEE_OTHER && page.location().starts_with("/sign-in")
}

/// The verdict on one attempt: let in means the page (2xx) or a form taken (a redirect
/// elsewhere than the sign-in page, the audit log grown); kept out means sent to sign in or
/// refused (403), the audit log as it was.
fn judge(
    route: &str,
    caller: usize,
    allowed: bool,
    page: &Page,
    events: (u64, u64),
) -> Option<String> {
    let who = CALLERS[caller];
    let status = page.status;
    let let_in = status.is_success() || (status.is_redirection() && !to_sign_in(page));
    let kept_out = to_sign_in(page) || status == StatusCode::FORBIDDEN;
    let body: String = page.body.chars().take(400).collect();
    if allowed && !let_in {
        return Some(format!(
            "{route} as {who}: expected let in, got {status} {} {body}",
            page.location()
        ));
    }
    if !allowed && !kept_out {
        return Some(format!(
            "{route} as {who}: expected kept out, got {status} {} {body}",
            page.location()
        ));
    }
    if allowed && route.starts_with("POST ") && events.1 == events.0 {
        return Some(format!(
            "{route} as {who}: let in, but nothing was recorded"
        ));
    }
    if !allowed && events.1 != events.0 {
        return Some(format!(
            "{route} as {who}: kept out, but the audit log grew from {} to {}",
            events.0, events.1
        ));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_caller_opens_exactly_the_desk_pages_the_access_matrix_allows() {
    let desk = Desk::start().await;
    desk.import_half_price().await;
    let callers = Callers::of(&desk).await;
    let readable = Readable::make(&desk).await;
    let mut wrong = Vec::new();
    for (route, allowed) in matrix().iter().filter(|(r, _)| r.starts_with("GET ")) {
        let ask = Ask::Get(readable.path(route));
        for (caller, allowed) in allowed.iter().enumerate() {
            let before = events(&desk).await;
            let page = send(&desk, &callers, caller, &ask).await;
            let after = events(&desk).await;
            wrong.extend(judge(route, caller, *allowed, &page, (before, after)));
        }
    }
    desk.stop().await;
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Whether the caller's session (if they have one) still signs them in.
async fn live(desk: &Desk, callers: &Callers, caller: usize) -> bool {
    match &callers.sessions[caller] {
        Some(token) => desk
            .redress
            .people()
            .session(token)
            .await
            .unwrap()
            .is_some(),
        None => false,
    }
}

/// Signing in and out, judged by the session: signing in gives one; signing out ends the
/// caller's own, and a refusal leaves it as it was.
async fn judge_session(
    desk: &Desk,
    callers: &Callers,
    route: &str,
    caller: usize,
    allowed: bool,
    live_before: bool,
    page: &Page,
) -> Option<String> {
    let who = CALLERS[caller];
    let live_after = live(desk, callers, caller).await;
    let done = if route == "POST /sign-in" {
        page.status == StatusCode::SEE_OTHER && page.session().is_some()
    } else {
        live_before && !live_after && to_sign_in(page)
    };
    match (allowed, done) {
        (true, false) => Some(format!(
            "{route} as {who}: expected done, got {}",
            page.status
        )),
        (false, true) => Some(format!(
            "{route} as {who}: expected refused, but it was done"
        )),
        (false, false) if live_before != live_after => Some(format!(
            "{route} as {who}: refused, but the session changed"
        )),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_caller_sends_exactly_the_desk_forms_the_access_matrix_allows_and_a_refusal_changes_nothing()
 {
    let mut wrong = Vec::new();
    for (route, allowed) in matrix().iter().filter(|(r, _)| r.starts_with("POST ")) {
        // One arrears case per customer, and an audit finds it once: each caller allowed to
        // act gets a desk of its own; those refused share one, since a refusal changes
        // nothing.
        let own_desk = route.starts_with("POST /arrears/") || route == "POST /audit";
        let start = || async {
            let desk = Desk::start().await;
            desk.import_half_price().await;
            let callers = Callers::of(&desk).await;
            (desk, callers)
        };
        let (mut desk, mut callers) = start().await;
        let refused_first = (0..CALLERS.len()).filter(|&i| !allowed[i]);
        let then_allowed = (0..CALLERS.len()).filter(|&i| allowed[i]);
        let mut shared: Option<Ask> = None;
        for (attempt, caller) in refused_first.chain(then_allowed).enumerate() {
            if allowed[caller] && own_desk {
                desk.stop().await;
                (desk, callers) = start().await;
            }
            // Callers refused meet the same objects; each one let in meets its own, as does
            // each statement's giver.
            let per_caller = route.ends_with("/statements/{request}");
            let ask = match (&shared, allowed[caller] || per_caller) {
                (Some(ask), false) => ask.clone(),
                _ => change(&desk, &callers, route, caller, attempt as u32).await,
            };
            if !allowed[caller] && shared.is_none() {
                shared = Some(ask.clone());
            }
            let live_before = live(&desk, &callers, caller).await;
            let before = events(&desk).await;
            let page = send(&desk, &callers, caller, &ask).await;
            let after = events(&desk).await;
            let verdict = if route == "POST /sign-in" || route == "POST /sign-out" {
                judge_session(
                    &desk,
                    &callers,
                    route,
                    caller,
                    allowed[caller],
                    live_before,
                    &page,
                )
                .await
            } else {
                judge(route, caller, allowed[caller], &page, (before, after))
            };
            wrong.extend(verdict);
        }
        desk.stop().await;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
