//! A running desk for a test: the real server (`redress_server::serve_with`, the API and the
//! desk on one address) on a random port, a fresh database (SQLite, or PostgreSQL with
//! `REDRESS_TEST_BACKEND=postgres`) with the worked example imported and its disputes opened,
//! and a user of each role who signs in with a password. Pages are read as a browser without
//! scripts would: plain requests, redirects not followed, cookies carried by hand.

#![allow(dead_code)]

use redress_domain::resolution::ResolutionKind;
use redress_domain::{DisputeReason, Role};
use redress_import::{NoProgress, read_billing_data};
use redress_service::records::Location;
use redress_service::resolutions::Proposal;
use redress_service::{Actor, DisputeIntake, Redress};
use redress_test_database::TestDatabase;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use std::sync::Arc;

/// Every test user's password.
pub const PASSWORD: &str = "a long enough password";

/// A running desk.
pub struct Desk {
    pub base: String,
    pub client: reqwest::Client,
    pub redress: Redress,
    pub db: TestDatabase,
    pub agent: Actor,
    pub admin: Actor,
    pub approver: Actor,
    stop: tokio::sync::oneshot::Sender<()>,
}

/// An answer, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Where a redirect goes.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `Set-Cookie` header, if any.
    pub fn set_cookie(&self) -> Option<&str> {
        self.headers.get("set-cookie").and_then(|v| v.to_str().ok())
    }

    /// The session token the answer gives the browser.
    pub fn session(&self) -> Option<String> {
        let cookie = self.set_cookie()?;
        let value = cookie.strip_prefix("redress_session=")?.split(';').next()?;
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// The page's `<title>`.
    pub fn title(&self) -> &str {
        between(&self.body, "<title>", "</title>").unwrap_or("")
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf\" value=\"", "\"")
            .expect("the page has a form with its token")
            .to_owned()
    }

    /// The ids of the disputes the page links to, in order.
    pub fn dispute_ids(&self) -> Vec<String> {
        self.body
            .split("<a href=\"/disputes/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            // The navigation's "New dispute" is no dispute.
            .filter(|id| *id != "new")
            .map(str::to_owned)
            .collect()
    }

    /// The address of the link with the id `id`, unescaped.
    pub fn link(&self, id: &str) -> Option<String> {
        between(&self.body, &format!("id=\"{id}\" href=\""), "\"").map(unescape)
    }
}

/// The text between `start` and the next `end` in `text`.
pub fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// HTML text with its escapes undone.
pub fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
}

impl Desk {
    /// The desk with the worked example's billing data and disputes.
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    /// The desk over a database with nothing in it but its users.
    pub async fn start_empty() -> Self {
        Self::start_with(false).await
    }

    async fn start_with(worked_example: bool) -> Self {
        let db = TestDatabase::new();
        let redress = Redress::open(&Location::Url(db.url().to_owned()), Default::default())
            .await
            .expect("the test database opens");
        if worked_example {
            let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/audit-v1/data");
            let data = read_billing_data(&dir, &NoProgress).unwrap();
            redress
                .billing()
                .import_export(Arc::new(data), "test")
                .await
                .unwrap();
        }
        let people = redress.people();
        let mut made = Vec::new();
        for (email, name, role) in [
            ("ana@example.com", "Ana Ruiz", Role::Agent),
            ("root@example.com", "Rosa Admin", Role::Admin),
            ("olu@example.com", "Olu Approver", Role::Approver),
        ] {
            let id = people
                .create_user(email, name, role, PASSWORD, "test")
                .await
                .unwrap();
            made.push(Actor {
                id,
                name: name.to_owned(),
                role,
            });
        }
        let approver = made.pop().unwrap();
        let admin = made.pop().unwrap();
        let agent = made.pop().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let options = redress_server::ServeOptions {
            pages: Some(redress_web::router(
                redress.clone(),
                redress_web::WebOptions::default(),
            )),
            ..Default::default()
        };
        let served = redress.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            redress_server::serve_with(listener, served, shutdown, options)
                .await
                .unwrap();
        });
        Self {
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            redress,
            db,
            agent,
            admin,
            approver,
            stop,
        }
    }

    /// Imports the half-price example beside the worked example: a customer (`C-HALV`) billed
    /// half the contract's price for six months (an arrears case for EUR 864.00), and one
    /// billed right.
    pub async fn import_half_price(&self) {
        let dir =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
        self.redress
            .billing()
            .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
            .await
            .unwrap();
    }

    /// A dispute of line `line` of `invoice` claiming `claimed`, taken by the agent through the
    /// service as any channel takes one (acknowledged by itself); its id.
    pub async fn open_dispute(&self, invoice: &str, line: u32, claimed: &str) -> String {
        self.redress
            .disputes()
            .open(
                &self.agent,
                DisputeIntake {
                    id: None,
                    invoice_id: invoice.to_owned(),
                    line_no: Some(line),
                    reason: DisputeReason::WrongPrice,
                    claimed_amount: claimed.parse().unwrap(),
                    narrative: "The price is not the one we agreed.".to_owned(),
                    channel: "email".to_owned(),
                    opened_on: None,
                },
            )
            .await
            .unwrap()
            .id
    }

    /// A resolution of `kind` of line `line` of `dispute` at `amount`, proposed by the agent,
    /// and approved by the admin when it waits for an approver and `approve` says so: its id,
    /// and the document it issued (if it did).
    pub async fn resolve(
        &self,
        dispute: &str,
        kind: ResolutionKind,
        (line, amount): (u32, &str),
        approve: bool,
    ) -> (String, Option<String>) {
        let books = self.redress.books();
        let proposal = Proposal {
            kind,
            reason: "API calls were billed above the contract price".to_owned(),
            currency: None,
            lines: vec![(line, amount.parse().unwrap())],
            amount: None,
            payment_id: None,
            instalments: Vec::new(),
            instalment_count: None,
            first_due_on: None,
            offer: false,
        };
        let work = books
            .prepare_proposal(&self.agent, dispute, proposal)
            .await
            .unwrap();
        let mut resolution = self.redress.perform(work).await.unwrap();
        if approve && resolution.document_id.is_none() {
            let work = books.decide(&self.admin, &resolution.id, true, None);
            resolution = self.redress.perform(work).await.unwrap();
        }
        (resolution.id, resolution.document_id)
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.redress.operations().close().await;
    }

    async fn read(response: reqwest::Response) -> Page {
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    /// `GET path`, with the session `session` if given, and `headers`.
    pub async fn get_with(
        &self,
        path: &str,
        session: Option<&str>,
        headers: &[(&'static str, &str)],
    ) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = session {
            request = request.header("cookie", format!("redress_session={token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, HeaderValue::from_str(value).unwrap());
        }
        Self::read(request.send().await.unwrap()).await
    }

    /// `GET path` as the browser with `session`.
    pub async fn get(&self, path: &str, session: &str) -> Page {
        self.get_with(path, Some(session), &[]).await
    }

    /// `POST path` with the form `fields`, the session `session` if given, and `headers`.
    pub async fn post(
        &self,
        path: &str,
        session: Option<&str>,
        fields: &[(&str, &str)],
        headers: &[(&'static str, &str)],
    ) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
        self.post_body(
            path,
            session,
            ("application/x-www-form-urlencoded", body),
            headers,
        )
        .await
    }

    /// `POST path` with `body` of its content type (as [`attachment_form`] makes), the
    /// session `session` if given, and `headers`.
    pub async fn post_body(
        &self,
        path: &str,
        session: Option<&str>,
        (content_type, body): (&str, Vec<u8>),
        headers: &[(&'static str, &str)],
    ) -> Page {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = session {
            request = request.header("cookie", format!("redress_session={token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, HeaderValue::from_str(value).unwrap());
        }
        Self::read(request.send().await.unwrap()).await
    }

    /// Signs in as `email` with the test password: the session's token.
    pub async fn sign_in(&self, email: &str) -> String {
        let page = self
            .post(
                "/sign-in",
                None,
                &[("email", email), ("password", PASSWORD)],
                &[],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        page.session().expect("signing in gives a session")
    }
}

/// A `multipart/form-data` body of the attachment form: its CSRF token (when given) first, then
/// a file named `name` of type `kind`.
pub fn attachment_form(
    csrf: Option<&str>,
    name: &str,
    kind: &str,
    content: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "redress-test-boundary-7f3a";
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: {kind}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
