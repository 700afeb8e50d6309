//! A running portal for a test: the real server (`redress_server::serve_with`) on a random
//! port, serving the desk's router with the portal's merged into it as `redress serve` does,
//! over a fresh database (SQLite, or PostgreSQL with `REDRESS_TEST_BACKEND=postgres`) with a
//! fixture imported, and an agent who issues links. Pages are read as a browser without
//! scripts would: plain requests, redirects not followed.

#![allow(dead_code)]

use redress_domain::Role;
use redress_import::{NoProgress, read_billing_data};
use redress_service::records::Location;
use redress_service::{Actor, Redress};
use redress_test_database::TestDatabase;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use std::sync::Arc;

/// The fixtures a test may start with.
pub enum Fixture {
    /// `fixtures/audit-v1`: three customers (C-ACME in English, C-SORA in Spanish, C-DANA),
    /// their invoices and five disputes (DSP-1 to DSP-5), opened and verified.
    Audit,
    /// `fixtures/half-price`: a bakery (C-HALV) billed half its contract's price for six
    /// months, imported without disputes.
    HalfPrice,
}

/// A running portal.
pub struct Portal {
    pub base: String,
    pub client: reqwest::Client,
    pub redress: Redress,
    pub db: TestDatabase,
    pub agent: Actor,
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

    /// The page's `<title>`.
    pub fn title(&self) -> &str {
        between(&self.body, "<title>", "</title>").unwrap_or("")
    }

    /// The `<html lang>`.
    pub fn lang(&self) -> &str {
        between(&self.body, "<html lang=\"", "\"").unwrap_or("")
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf\" value=\"", "\"")
            .expect("the page has a form with its token")
            .to_owned()
    }

    /// The text of the section with the id `id` (up to the next `</section>`).
    pub fn section(&self, id: &str) -> &str {
        let start = self
            .body
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id} on the page"));
        let rest = &self.body[start..];
        &rest[..rest.find("</section>").unwrap_or(rest.len())]
    }
}

/// The text between `start` and the next `end` in `text`.
pub fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

impl Portal {
    /// The portal over `fixture`.
    pub async fn start(fixture: Fixture) -> Self {
        let db = TestDatabase::new();
        let redress = Redress::open(&Location::Url(db.url().to_owned()), Default::default())
            .await
            .expect("the test database opens");
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        match fixture {
            Fixture::Audit => {
                let data = read_billing_data(&root.join("audit-v1/data"), &NoProgress).unwrap();
                redress
                    .billing()
                    .import_export(Arc::new(data), "test")
                    .await
                    .unwrap();
            }
            Fixture::HalfPrice => {
                let data = read_billing_data(&root.join("half-price"), &NoProgress).unwrap();
                redress.billing().import(data, "test").await.unwrap();
            }
        }
        let mut made = Vec::new();
        for (email, name, role) in [
            ("ana@example.com", "Ana Ruiz", Role::Agent),
            ("olu@example.com", "Olu Approver", Role::Approver),
        ] {
            let id = redress
                .people()
                .create_user(email, name, role, "a long enough password", "test")
                .await
                .unwrap();
            made.push(Actor {
                id,
                name: name.to_owned(),
                role,
            });
        }
        let approver = made.pop().unwrap();
        let agent = made.pop().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // As `redress serve` mounts it: merged into the desk's router.
        let pages = redress_web::router(redress.clone(), redress_web::WebOptions::default())
            .merge(redress_portal::router(redress.clone()));
        let options = redress_server::ServeOptions {
            pages: Some(pages),
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
            approver,
            stop,
        }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.redress.operations().close().await;
    }

    /// A link for `customer` (about `dispute`), issued by the agent: its path, `/portal/{token}`.
    pub async fn link(&self, customer: &str, dispute: Option<&str>) -> String {
        let (issued, url) = self
            .redress
            .portal()
            .issue(&self.agent, customer, dispute)
            .await
            .unwrap();
        assert!(url.ends_with(&issued.token), "{url}");
        format!("/portal/{}", issued.token)
    }

    /// Moves dispute `id` on to investigating, as an agent does before deciding.
    #[allow(dead_code)]
    pub async fn investigate(&self, id: &str) {
        use redress_domain::DisputeStatus;
        let redress = &self.redress;
        for next in [DisputeStatus::Acknowledged, DisputeStatus::Investigating] {
            let status = redress.disputes().get(id).await.unwrap().unwrap().status;
            if status.allowed_next().contains(&next) {
                redress
                    .perform(redress.disputes().set_status(&self.agent, id, next))
                    .await
                    .unwrap();
            }
        }
    }

    /// Offers the customer of dispute `id` a resolution of `kind` (a credit note on line 2, else
    /// an amount), as the agent does; gives its id.
    #[allow(dead_code)]
    pub async fn offer(
        &self,
        id: &str,
        kind: redress_domain::resolution::ResolutionKind,
        amount: &str,
    ) -> String {
        use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
        let amount: redress_domain::Decimal = amount.parse().unwrap();
        let (lines, amount) = match kind {
            ResolutionKind::CreditNote => (vec![(2, amount)], None),
            _ => (Vec::new(), Some(amount)),
        };
        let offered = self.propose(id, proposal(kind, lines, amount, true)).await;
        assert_eq!(offered.status, ResolutionStatus::Offered, "{offered:?}");
        offered.id
    }

    /// Proposes `proposal` on dispute `id` as the agent: the resolution as recorded.
    async fn propose(
        &self,
        id: &str,
        proposal: redress_service::resolutions::Proposal,
    ) -> redress_service::records::Resolution {
        let redress = &self.redress;
        let work = redress
            .books()
            .prepare_proposal(&self.agent, id, proposal)
            .await
            .unwrap();
        redress.perform(work).await.unwrap()
    }

    /// Proposes `proposal` on dispute `id` as the agent, and has the approver approve it if
    /// it waits: the resolution as applied.
    #[allow(dead_code)]
    pub async fn apply(
        &self,
        id: &str,
        proposal: redress_service::resolutions::Proposal,
    ) -> redress_service::records::Resolution {
        use redress_domain::resolution::ResolutionStatus;
        let redress = &self.redress;
        let mut resolution = self.propose(id, proposal).await;
        if resolution.status == ResolutionStatus::PendingApproval {
            resolution = redress
                .perform(
                    redress
                        .books()
                        .decide(&self.approver, &resolution.id, true, None),
                )
                .await
                .unwrap();
        }
        assert_eq!(resolution.status, ResolutionStatus::Applied);
        resolution
    }

    /// Resolves `id` with a credit note of `amount` on `line`: proposed by the agent, approved
    /// by the approver if it waits, and the dispute moved on to resolved. The credit note's id.
    #[allow(dead_code)]
    pub async fn resolve_with_a_credit_note(&self, id: &str, line: u32, amount: &str) -> String {
        use redress_domain::DisputeStatus;
        use redress_domain::resolution::ResolutionKind;
        let lines = vec![(line, amount.parse().unwrap())];
        let resolution = self
            .apply(id, proposal(ResolutionKind::CreditNote, lines, None, false))
            .await;
        let redress = &self.redress;
        loop {
            let status = redress.disputes().get(id).await.unwrap().unwrap().status;
            let next = match status {
                DisputeStatus::Open => DisputeStatus::Acknowledged,
                DisputeStatus::Acknowledged => DisputeStatus::Investigating,
                DisputeStatus::Investigating | DisputeStatus::AwaitingCustomer => {
                    DisputeStatus::Resolved
                }
                _ => break,
            };
            redress
                .perform(redress.disputes().set_status(&self.agent, id, next))
                .await
                .unwrap();
        }
        resolution.document_id.expect("a credit note was issued")
    }

    /// The arrears case the audit opens for `customer` (run as its operator): its id.
    #[allow(dead_code)]
    pub async fn arrears_case_of(&self, customer: &str) -> String {
        let found = self
            .redress
            .cases()
            .find_as_operator("operator")
            .await
            .unwrap();
        found
            .opened
            .into_iter()
            .find(|c| c.customer_id == customer)
            .unwrap_or_else(|| panic!("an arrears case for {customer}"))
            .id
    }

    /// Records that the customer of arrears case `id` was called and offered its options, as
    /// the agent does.
    #[allow(dead_code)]
    pub async fn offer_correction(&self, id: &str) {
        let redress = &self.redress;
        redress
            .perform(
                redress
                    .cases()
                    .offer(&self.agent, id, "Called the owner".to_owned()),
            )
            .await
            .unwrap();
    }

    async fn read(response: reqwest::Response) -> Page {
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    /// `GET path` with `headers`.
    pub async fn get_with(&self, path: &str, headers: &[(&'static str, &str)]) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, HeaderValue::from_str(value).unwrap());
        }
        Self::read(request.send().await.unwrap()).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    /// `POST path` with the form `fields` and `headers`.
    pub async fn post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&'static str, &str)],
    ) -> Page {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap());
        for (name, value) in headers {
            request = request.header(*name, HeaderValue::from_str(value).unwrap());
        }
        Self::read(request.send().await.unwrap()).await
    }

    /// `POST path` as multipart: the fields, then a file.
    pub async fn post_file(
        &self,
        path: &str,
        csrf: &str,
        name: &str,
        media_type: &str,
        bytes: Vec<u8>,
    ) -> Page {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(media_type)
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .part("file", part);
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        Self::read(request.send().await.unwrap()).await
    }
}

/// A resolution the agent proposes on a dispute of the worked example: of `kind`, with
/// `lines` (number, net amount) or `amount`, offered to the customer or not.
#[allow(dead_code)]
pub fn proposal(
    kind: redress_domain::resolution::ResolutionKind,
    lines: Vec<(u32, redress_domain::Decimal)>,
    amount: Option<redress_domain::Decimal>,
    offer: bool,
) -> redress_service::resolutions::Proposal {
    redress_service::resolutions::Proposal {
        kind,
        reason: "Hosting for March was already billed on INV-A3.".to_owned(),
        currency: None,
        lines,
        amount,
        payment_id: None,
        instalments: Vec::new(),
        instalment_count: None,
        first_due_on: None,
        offer,
    }
}
