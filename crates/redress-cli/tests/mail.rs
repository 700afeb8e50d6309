//! The outbox under faults: `redress serve` killed (SIGKILL) while it delivers, the mail server
//! stalled meanwhile, and another `redress serve` started on the same database: every message
//! arrives, once, in the customer's language. The mail server is a real SMTP server on loopback
//! (`redress_mailer::SmtpSink`). On SQLite by default, on PostgreSQL with
//! `REDRESS_TEST_BACKEND=postgres`.

mod support;

use mail_parser::MimeHeaders;
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

/// The worked example with C-DANA writing Simplified Chinese, in a directory of the test's.
fn example_with_a_chinese_customer() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        let mut text = std::fs::read_to_string(entry.path()).unwrap();
        if entry.file_name() == "customers.csv" {
            text = text.replace("dana@dq.example,en,", "dana@dq.example,zh-CN,");
        }
        std::fs::write(dir.path().join(entry.file_name()), text).unwrap();
    }
    dir
}

/// Drafts a message of `kind` on `dispute` and sends it as drafted (with its documents).
async fn draft_and_send(base: &str, token: &str, dispute: &str, kind: &str) {
    let draft = get(
        base,
        token,
        &format!("/api/v1/disputes/{dispute}/messages/draft?kind={kind}"),
    )
    .await;
    assert_eq!(draft["kind"], kind, "{draft}");
    let (status, sent) = post(
        base,
        token,
        &format!("/api/v1/disputes/{dispute}/messages"),
        json!({"kind": kind, "language": draft["language"], "subject": draft["subject"],
               "body": draft["body"], "documents": draft["documents"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customers_get_real_mail_in_english_spanish_and_chinese_and_their_replies_land_in_the_case()
{
    let sink = SmtpSink::start().await;
    let db = Database::new();
    let example = example_with_a_chinese_customer();
    let imported = db.redress(&["import", example.path().to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let agent = db.user("agent", "agent-ana");
    let flags = mail_flags(&sink, 5);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = Server::start_with(&db, &flags).await;

    let mut disputes = BTreeMap::new();
    for (invoice, customer) in [
        ("INV-A1", "ap@acme.example"),
        ("INV-S1", "keiri@sora.example"),
        ("INV-D1", "dana@dq.example"),
    ] {
        let (status, opened) = post(
            &server.base,
            &agent,
            "/api/v1/disputes",
            json!({"invoice_id": invoice, "line_no": 1, "reason": "overcharged",
                   "claimed_amount": "10", "narrative": "Not what we agreed.", "channel": "email"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{opened}");
        disputes.insert(customer, opened["id"].as_str().unwrap().to_owned());
    }
    // Acme is given a credit note within the agent's allowance, applied at once.
    let acme = disputes["ap@acme.example"].clone();
    let (status, applied) = post(
        &server.base,
        &agent,
        &format!("/api/v1/disputes/{acme}/resolutions"),
        json!({"kind": "credit_note", "reason": "Hosting was billed above the contract price",
               "lines": [{"line_no": 1, "amount": "10.00"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    // Sora is offered a credit on its account, to accept through its portal link.
    let sora = disputes["keiri@sora.example"].clone();
    let (status, offered) = post(
        &server.base,
        &agent,
        &format!("/api/v1/disputes/{sora}/resolutions"),
        json!({"kind": "account_credit", "reason": "La tarifa de marzo se facturó dos veces",
               "amount": "1500", "offer": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{offered}");
    assert_eq!(offered["status"], "offered", "{offered}");
    for dispute in disputes.values() {
        for kind in ["explanation", "resolution_offer", "confirmation"] {
            draft_and_send(&server.base, &agent, dispute, kind).await;
        }
    }
    // The acknowledgement, the explanation, the offer and the confirmation of each.
    let arrived = sink
        .wait_for(12, Duration::from_secs(60))
        .await
        .expect("every message arrives");
    let parser = mail_parser::MessageParser::default();
    let mut by_customer: BTreeMap<String, Vec<mail_parser::Message<'_>>> = BTreeMap::new();
    for mail in &arrived {
        by_customer
            .entry(mail.rcpt_to.join(","))
            .or_default()
            .push(parser.parse(&mail.data).expect("a mail"));
    }
    let subjects = |customer: &str| -> Vec<String> {
        by_customer[customer]
            .iter()
            .map(|m| m.subject().unwrap_or_default().to_owned())
            .collect()
    };
    let english = subjects("ap@acme.example");
    assert_eq!(english.len(), 4, "{english:?}");
    assert!(
        english.iter().any(|s| s.starts_with("We have received")),
        "{english:?}"
    );
    assert!(
        english.iter().any(|s| s.contains("line by line")),
        "{english:?}"
    );
    let spanish = subjects("keiri@sora.example");
    assert_eq!(spanish.len(), 4, "{spanish:?}");
    assert!(
        spanish.iter().any(|s| s.starts_with("Hemos recibido")),
        "{spanish:?}"
    );
    let chinese = subjects("dana@dq.example");
    assert_eq!(chinese.len(), 4, "{chinese:?}");
    assert!(
        chinese.iter().any(|s| s.starts_with("我们已收到")),
        "{chinese:?}"
    );
    assert!(
        chinese.iter().any(|s| s.contains("逐行费用说明")),
        "{chinese:?}"
    );
    let chinese_body = by_customer["dana@dq.example"][1]
        .body_text(0)
        .unwrap_or_default();
    assert!(
        chinese_body.contains("KWD"),
        "amounts in the body: {chinese_body}"
    );
    // Acme's confirmation carries its credit note as a PDF.
    let confirmation = by_customer["ap@acme.example"]
        .iter()
        .find(|m| m.attachment_count() > 0)
        .expect("a mail with the credit note");
    let pdf = confirmation.attachment(0).unwrap();
    assert!(pdf.contents().starts_with(b"%PDF"), "a PDF");
    assert!(
        pdf.attachment_name().unwrap_or_default().ends_with(".pdf"),
        "named as a PDF"
    );

    // Acme answers the explanation from its mail program, quoting it.
    let explanation = by_customer["ap@acme.example"]
        .iter()
        .find(|m| m.subject().unwrap_or_default().contains("line by line"))
        .unwrap();
    let answered = explanation.message_id().unwrap().to_owned();
    let reply = format!(
        "From: Acme AP <ap@acme.example>\r\nTo: billing@acme-billing.example\r\n\
         Subject: Re: {}\r\nMessage-ID: <reply-1@acme.example>\r\nIn-Reply-To: <{answered}>\r\n\
         References: <{answered}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Thank you. Line 2 still looks wrong to us.\r\n\r\nOn Mon, 7 Dec 2026, Acme Billing wrote:\r\n\
         > The charges on invoice INV-A1\r\n",
        explanation.subject().unwrap()
    );
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/mail/inbound", server.base))
        .bearer_auth(&agent)
        .header("content-type", "message/rfc822")
        .body(reply.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let received: serde_json::Value = response.json().await.unwrap();
    assert_eq!(received["dispute_id"], acme.as_str(), "{received}");
    assert_eq!(received["opened"], false);
    let conversation = get(
        &server.base,
        &agent,
        &format!("/api/v1/disputes/{acme}/messages"),
    )
    .await;
    let last = conversation["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["direction"], "from_customer");
    assert_eq!(last["body"], "Thank you. Line 2 still looks wrong to us.");
    // The same mail piped in again by the mail server is kept once.
    let again = pipe(&db, reply.as_bytes());
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains("kept before"),
        "{}",
        text(&again.stderr)
    );

    // Sora opens the link at the end of the offer's mail and accepts the offer there: the
    // credit is in its ledger.
    let offer_mail = by_customer["keiri@sora.example"]
        .iter()
        .find(|m| {
            m.subject()
                .unwrap_or_default()
                .contains("Nuestra propuesta")
        })
        .unwrap_or_else(|| panic!("the offer's mail, among {spanish:?}"));
    let offer_text = offer_mail.body_text(0).unwrap_or_default().into_owned();
    assert!(offer_text.contains("1500 JPY"), "{offer_text}");
    let link = offer_text
        .split_whitespace()
        .find(|word| word.contains("/portal/"))
        .expect("the customer's own link in the mail")
        .to_owned();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser
        .get(format!("{link}/disputes/{sora}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with its token")
        .to_owned();
    let accept = page
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/accept"))
        .expect("the offer's Accept form")
        .to_owned();
    let accepted = browser
        .post(format!("{}{accept}", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        // The token is URL-safe: it goes into the form as it is.
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let ledger = get(&server.base, &agent, "/api/v1/customers/C-SORA/ledger").await;
    let credits: Vec<_> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "account_credit")
        .collect();
    assert_eq!(credits.len(), 1, "{ledger}");
    let resolution = get(
        &server.base,
        &agent,
        &format!("/api/v1/disputes/{sora}/resolutions"),
    )
    .await;
    assert_eq!(
        resolution["resolutions"][0]["status"], "applied",
        "{resolution}"
    );
    assert!(resolution["resolutions"][0]["answered_at"].is_string());

    // A customer writes on a new thread about another invoice: a new dispute, acknowledged.
    let new_thread = "From: dana@dq.example\r\nTo: billing@acme-billing.example\r\n\
         Subject: INV-D2 is too high\r\nMessage-ID: <new-1@dq.example>\r\n\r\n\
         We were charged twice for May.\r\n";
    let piped = pipe(&db, new_thread.as_bytes());
    assert!(piped.status.success(), "{}", text(&piped.stderr));
    assert!(
        text(&piped.stderr).contains("a new dispute"),
        "{}",
        text(&piped.stderr)
    );
    // From no customer, on no thread of ours: refused, for the mail server to bounce.
    let stranger = "From: someone@elsewhere.example\r\nSubject: hello\r\n\r\nHi\r\n";
    let refused = pipe(&db, stranger.as_bytes());
    assert_eq!(refused.status.code(), Some(65), "{}", text(&refused.stderr));
    let garbage = pipe(&db, b"\x00\x01 not a mail");
    assert_eq!(garbage.status.code(), Some(65), "{}", text(&garbage.stderr));
    let disputes_now = get(&server.base, &agent, "/api/v1/disputes?customer=C-DANA").await;
    let opened: Vec<_> = disputes_now["disputes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["invoice_id"] == "INV-D2")
        .collect();
    assert_eq!(opened.len(), 1, "{disputes_now}");
    assert_eq!(opened[0]["channel"], "email");
    assert_eq!(opened[0]["taken_by"], "email");
}

/// `redress mail receive` with `raw` on standard input.
fn pipe(db: &Database, raw: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["mail", "receive"])
        .args(&db.args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    child.wait_with_output().unwrap()
}
