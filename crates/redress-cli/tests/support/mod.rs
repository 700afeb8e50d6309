//! What the binary's tests share: a database every process of a test works on (SQLite in a
//! temporary data directory, or a PostgreSQL database of its own), `redress` run on it, and
//! `redress serve` processes stopped however the test ends.

#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::Value;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The database every process of the test works on, as `redress` flags.
pub struct Database {
    pub args: Vec<String>,
    _dir: tempfile::TempDir,
    /// `(admin URL, database name)` on PostgreSQL, dropped at the end.
    postgres: Option<(String, String)>,
}

impl Database {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        if std::env::var("REDRESS_TEST_BACKEND").as_deref() == Ok("postgres") {
            let admin = std::env::var("REDRESS_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
            // One database per test, even for tests of one process side by side.
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("redress_cli_test_{}_{n}", std::process::id());
            on_postgres(
                &admin,
                vec![
                    format!("DROP DATABASE IF EXISTS {name}"),
                    format!("CREATE DATABASE {name}"),
                ],
            )
            .unwrap();
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            Self {
                args: vec!["--database-url".into(), format!("{base}/{name}")],
                _dir: dir,
                postgres: Some((admin, name)),
            }
        } else {
            let data = dir.path().join("data");
            Self {
                args: vec!["--data-dir".into(), data.to_str().unwrap().to_owned()],
                _dir: dir,
                postgres: None,
            }
        }
    }

    /// The embedded database in `dir`, which the test keeps (and removes).
    pub fn at_data_dir(dir: &std::path::Path) -> Self {
        Self {
            args: vec!["--data-dir".into(), dir.to_str().unwrap().to_owned()],
            _dir: tempfile::tempdir().unwrap(),
            postgres: None,
        }
    }

    /// `redress ARGS` on this database.
    pub fn redress(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_redress"))
            .args(args)
            .args(&self.args)
            .output()
            .expect("redress runs")
    }

    /// A new user with a token.
    pub fn user(&self, role: &str, name: &str) -> String {
        let out = self.redress(&["token", "create", "--role", role, "--name", name]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).trim().to_owned()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            let _ = on_postgres(
                admin,
                vec![format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")],
            );
        }
    }
}

/// Runs `sql` on the PostgreSQL server at `url`, on a thread of its own (the synchronous client
/// must not block a thread that runs async tasks).
fn on_postgres(url: &str, sql: Vec<String>) -> Result<(), String> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut client =
            postgres::Client::connect(&url, postgres::NoTls).map_err(|e| e.to_string())?;
        sql.iter()
            .try_for_each(|s| client.batch_execute(s))
            .map_err(|e| e.to_string())
    })
    .join()
    .unwrap()
}

/// `redress ARGS` with no database flags of a test's.
pub fn redress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(args)
        .output()
        .expect("redress runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `redress serve` process, stopped when dropped.
pub struct Server {
    pub base: String,
    pub child: Child,
}

impl Server {
    pub async fn start(db: &Database) -> Self {
        Self::start_with(db, &[]).await
    }

    /// `redress serve` on `db` with `args` besides.
    pub async fn start_with(db: &Database, args: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        // Held by the server from the start, so that it is stopped however the test ends.
        let server = Self {
            base: format!("http://{addr}"),
            child: Command::new(env!("CARGO_BIN_EXE_redress"))
                .args(["serve", "--addr", &addr])
                .args(&db.args)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redress serve starts"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(up) = client.get(format!("{}/healthz", server.base)).send().await
                && up.status() == StatusCode::OK
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redress serve did not answer on {addr}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn post(base: &str, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn get(base: &str, token: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
