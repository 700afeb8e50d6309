//! A running server for a test: the real server on a random port, a fresh database (SQLite,
//! or PostgreSQL with `REDRESS_TEST_BACKEND=postgres`), billing data imported, and a user of
//! each role with a token.

#![allow(dead_code)]

use redress_domain::Role;
use redress_import::{NoProgress, read_billing_data};
use redress_service::Redress;
use redress_service::records::Location;
use redress_test_database::TestDatabase;
use reqwest::StatusCode;
use serde_json::Value;

/// A running server with the worked example loaded, and a token of each role.
pub struct App {
    pub base: String,
    pub agent: String,
    pub auditor: String,
    pub client: reqwest::Client,
    pub db: TestDatabase,
    pub redress: Redress,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl App {
    pub async fn start() -> Self {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/audit-v1/data");
        Self::start_with(&dir).await
    }

    /// A running server with the billing data export in `dir` loaded.
    pub async fn start_with(dir: &std::path::Path) -> Self {
        let db = TestDatabase::new();
        let redress = open(&db).await;
        redress
            .billing()
            .import(read_billing_data(dir, &NoProgress).unwrap(), "test")
            .await
            .unwrap();
        let people = redress.people();
        let agent = people
            .create_user_with_token("agent-ana", "agent-ana", Role::Agent, "test")
            .await
            .unwrap();
        let auditor = people
            .create_user_with_token("auditor-ola", "auditor-ola", Role::Auditor, "test")
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = redress.clone();
        tokio::spawn(async move {
            redress_server::serve(listener, served, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            agent,
            auditor,
            client: reqwest::Client::new(),
            db,
            redress,
            stop,
        }
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    pub async fn post_once(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value, bool) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.agent)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        (response.status(), response.json().await.unwrap(), replayed)
    }

    /// A POST by `token` with an `Idempotency-Key`.
    pub async fn post_keyed(
        &self,
        path: &str,
        token: &str,
        key: &str,
        body: Value,
    ) -> (StatusCode, Value, bool) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        (response.status(), response.json().await.unwrap(), replayed)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.redress.operations().close().await;
        // The database goes with `self.db`.
    }

    /// A new user of `role` and a token for them.
    pub async fn user(&self, id: &str, role: Role) -> String {
        self.redress
            .people()
            .create_user_with_token(id, id, role, "test")
            .await
            .unwrap()
    }
}

/// Redress over the test's database (migrated), under the default policy.
pub async fn open(db: &TestDatabase) -> Redress {
    Redress::open(&Location::Url(db.url().to_owned()), Default::default())
        .await
        .expect("the test database opens")
}
