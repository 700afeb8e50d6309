//! The outbox under faults: `redress serve` killed (SIGKILL) while it delivers, the mail server
//! stalled meanwhile, and another `redress serve` started on the same database: every message
//! arrives, once, in the customer's language. The mail server is a real SMTP server on loopback
//! (`redress_mailer::SmtpSink`). On SQLite by default, on PostgreSQL with
//! `REDRESS_TEST_BACKEND=postgres`.

mod support;

use redress_mailer::SmtpSink;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
use support::{Database, Server, get, post, text};

/// `redress serve`'s flags for delivering through `sink`, each send bounded by `timeout`.
fn mail_flags(sink: &SmtpSink, timeout: u64) -> Vec<String> {
    vec![
        "--smtp-url".into(),
        sink.url(),
        "--mail-from".into(),
        "Acme Billing <billing@acme-billing.example>".into(),
        "--smtp-timeout".into(),
        timeout.to_string(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_delivery_loses_no_message_and_its_successor_sends_each_once() {
    let sink = SmtpSink::start().await;
    let db = Database::new();
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    let imported = db.redress(&["import", example.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let agent = db.user("agent", "agent-ana");

    // The mail server takes the connection and never answers: the first server's worker is
    // in the middle of a delivery when it is killed.
    sink.stall();
    let flags = mail_flags(&sink, 5);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let first = Server::start_with(&db, &flags).await;
    let mut disputes = BTreeMap::new();
    for (invoice, customer) in [
        ("INV-A3", "ap@acme.example"),
        ("INV-S1", "keiri@sora.example"),
        ("INV-D1", "dana@dq.example"),
    ] {
        let (status, opened) = post(
            &first.base,
            &agent,
            "/api/v1/disputes",
            json!({"invoice_id": invoice, "line_no": 1, "reason": "overcharged",
                   "claimed_amount": "1", "narrative": "Not what we agreed.", "channel": "email"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{opened}");
        disputes.insert(customer, opened["id"].as_str().unwrap().to_owned());
    }
    // Long enough for the worker to claim them and be stuck sending the first.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(sink.received().is_empty(), "nothing can have arrived yet");
    drop(first); // SIGKILL

    sink.unstall();
    let second = Server::start_with(&db, &flags).await;
    // The first server's claims end (2 × 5 s + 10 s after they were taken); then the second
    // delivers all three.
    let arrived = sink
        .wait_for(3, Duration::from_secs(60))
        .await
        .expect("every acknowledgement arrives");
    // Anything sent twice would arrive by now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let arrived_now = sink.received();
    assert_eq!(arrived_now.len(), 3, "each message once: {arrived:#?}");

    let mut message_ids = Vec::new();
    for mail in &arrived_now {
        let parsed = mail_parser::MessageParser::default()
            .parse(&mail.data)
            .expect("a mail");
        let to = mail.rcpt_to.join(",");
        let dispute = disputes
            .get(to.as_str())
            .expect("to a customer who disputed");
        let subject = parsed.subject().unwrap_or_default().to_owned();
        assert!(subject.contains(dispute.as_str()), "{subject}");
        if to == "keiri@sora.example" {
            assert!(subject.contains("Hemos recibido"), "in Spanish: {subject}");
        } else {
            assert!(
                subject.contains("We have received"),
                "in English: {subject}"
            );
        }
        message_ids.push(parsed.message_id().unwrap_or_default().to_owned());
    }
    message_ids.sort();
    message_ids.dedup();
    assert_eq!(message_ids.len(), 3, "three distinct Message-IDs");

    // Each dispute's history says it was delivered once, and the delivery acknowledged it.
    for dispute in disputes.values() {
        let events = get(
            &second.base,
            &agent,
            &format!("/api/v1/disputes/{dispute}/events"),
        )
        .await;
        let actions: Vec<&str> = events["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        let delivered = actions
            .iter()
            .filter(|a| **a == "message_delivered")
            .count();
        assert_eq!(delivered, 1, "{actions:?}");
        let now = get(&second.base, &agent, &format!("/api/v1/disputes/{dispute}")).await;
        assert_eq!(now["status"], "acknowledged");
    }
    let verified = db.redress(&["verify-log"]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
}
