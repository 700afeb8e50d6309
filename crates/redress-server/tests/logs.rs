//! What the server logs: a structured line for every request, and never a secret.

mod app;

use app::App;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Everything the server logs in this test process, as JSON lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<Value> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
            .collect()
    }
}

#[tokio::test]
async fn every_request_is_logged_as_a_json_line_and_no_token_ever_is() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .init();
    let app = App::start().await;
    let forged = "rdr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let (status, _) = app.get("/api/v1/disputes?status=open", forged).await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    let (status, created, _) = app
        .post_keyed(
            "/api/v1/disputes",
            &app.agent,
            "mail-2024-0117",
            json!({"invoice_id": "INV-A4", "line_no": 2, "reason": "overcharged",
                   "claimed_amount": "10.00", "narrative": "Billed twice.", "channel": "email"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{created}");
    let lines = captured.lines();
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "redress::request")
        .collect();
    assert!(
        requests
            .iter()
            .any(|l| l["fields"]["route"] == "/api/v1/disputes"
                && l["fields"]["status"] == 201
                && l["fields"]["request_id"].is_string()),
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|l| l["fields"]["status"] == 401),
        "{requests:?}"
    );
    let everything = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for secret in [forged, app.agent.as_str(), app.auditor.as_str()] {
        assert!(!everything.contains(secret), "a token was logged");
    }
    app.stop().await;
}
