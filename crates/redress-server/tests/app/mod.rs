//! A running server for a test: the real server on a random port, a fresh database (SQLite,
//! or PostgreSQL with `REDRESS_TEST_BACKEND=postgres`), billing data imported, and a user of
//! each role with a token.

#![allow(dead_code)]

#[path = "../../../redress-storage/tests/support/mod.rs"]
pub mod support;

use redress_import::{NoProgress, read_billing_data};
use redress_storage::Store;
use redress_storage::tokens::Role;
use reqwest::StatusCode;
use serde_json::Value;
use support::TestDb;

/// A running server with the worked example loaded, and a token of each role.
pub struct App {
    pub base: String,
    pub agent: String,
    pub auditor: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub store: Store,
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
        let db = TestDb::new().await;
        let store = db.store().await;
        store
            .import(read_billing_data(dir, &NoProgress).unwrap(), "test")
            .await
            .unwrap();
        let agent = store
            .create_user_with_token("agent-ana", "agent-ana", Role::Agent, "test")
            .await
            .unwrap();
        let auditor = store
            .create_user_with_token("auditor-ola", "auditor-ola", Role::Auditor, "test")
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = store.clone();
        tokio::spawn(async move {
            let policy = redress_domain::resolution::ApprovalPolicy::default();
            redress_server::serve(listener, served, policy, async {
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
            store,
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
        self.db.drop_database(self.store).await;
    }

    /// A new user of `role` and a token for them.
    pub async fn user(&self, id: &str, role: Role) -> String {
        self.store
            .create_user_with_token(id, id, role, "test")
            .await
            .unwrap()
    }
}
