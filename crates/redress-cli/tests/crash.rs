//! Crash safety (issue 19): writers of every kind keep writing through `redress serve` while it
//! is killed with SIGKILL at random moments and started again, its outbox delivering the
//! acknowledgements to a real SMTP server on loopback. Each writer retries a request that got
//! no answer with the same `Idempotency-Key`, as a careful client does. Afterwards: every write
//! the server acknowledged is there, nothing was applied twice, every ledger entry balances,
//! credit notes are numbered without gaps, every acknowledgement arrived, none twice but for
//! a kill between the mail server's acceptance and its record (then again with its
//! Message-ID), and the audit log's chain verifies. On SQLite by default, on PostgreSQL with
//! `REDRESS_TEST_BACKEND=postgres`.
//!
//! CI kills the server 5 times; `REDRESS_CRASH_KILLS=50` is the full run (figures in
//! docs/reliability.md).

mod support;

use redress_domain::{Decimal, parse_decimal};
use redress_mailer::SmtpSink;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use support::{Database, Server, text};

/// Where the server listens now (each start takes a new port).
type Base = Arc<RwLock<String>>;

/// Sends a POST until it is answered (not a failed connection, not a 5xx), with the same
/// `Idempotency-Key` every time.
async fn answered(base: &Base, token: &str, path: &str, key: &str, body: &Value) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    loop {
        let url = format!("{}{path}", base.read().unwrap());
        let sent = client
            .post(url)
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await;
        if let Ok(response) = sent {
            let status = response.status();
            if !status.is_server_error() {
                let body = response.json().await.unwrap_or(Value::Null);
                return (status.as_u16(), body);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A GET that is answered.
async fn read(base: &Base, token: &str, path: &str) -> (u16, Value) {
    loop {
        let url = format!("{}{path}", base.read().unwrap());
        if let Ok(response) = reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
        {
            let status = response.status();
            if !status.is_server_error() {
                return (
                    status.as_u16(),
                    response.json().await.unwrap_or(Value::Null),
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the writers were told was done.
#[derive(Default)]
struct Acknowledged {
    /// Dispute id → the narrative it was taken with (unique to it).
    disputes: BTreeMap<String, String>,
    /// (dispute, the note's text, unique to it).
    notes: Vec<(String, String)>,
    /// Disputes moved to acknowledged.
    moved: BTreeSet<String>,
    /// Resolutions applied (by the agent, or approved), with their documents.
    resolutions: BTreeMap<String, Option<String>>,
    /// The arrears case and its payment plan, once the customer's choice was acknowledged.
    arrears: Option<(String, String)>,
    /// The plan's instalments acknowledged as received.
    instalments: Vec<u32>,
}

/// The arrears writer: finds the half-price customer's arrears case, offers it, records their
/// choice of a payment plan of six instalments, and records each instalment received, a
/// moment apart, so that kills fall between and within the steps.
async fn arrears_writer(base: Base, agent: String, done: Arc<Mutex<Acknowledged>>) {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut step = |path: String, key: &'static str, body: Value| {
        let (base, agent) = (base.clone(), agent.clone());
        let pause = Duration::from_millis(rng.u64(50..400));
        async move {
            tokio::time::sleep(pause).await;
            let (status, answer) = answered(&base, &agent, &path, key, &body).await;
            assert!((200..300).contains(&status), "{path}: {status} {answer}");
            answer
        }
    };
    let found = step(
        "/api/v1/arrears-cases/audit".into(),
        "arrears-audit",
        json!({}),
    )
    .await;
    let case = found["opened"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer_id"] == "C-HALV")
        .expect("the half-price customer's case")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    step(
        format!("/api/v1/arrears-cases/{case}/offer"),
        "arrears-offer",
        json!({"note": "Called the owner"}),
    )
    .await;
    let chosen = step(
        format!("/api/v1/arrears-cases/{case}/choice"),
        "arrears-choice",
        json!({"option": "payment_plan", "instalment_count": 6, "first_due_on": "2027-01-31"}),
    )
    .await;
    let plan = chosen["plan_id"].as_str().unwrap().to_owned();
    done.lock().unwrap().arrears = Some((case, plan.clone()));
    for number in 1..=6u32 {
        let key: &'static str = ["i1", "i2", "i3", "i4", "i5", "i6"][number as usize - 1];
        step(
            format!("/api/v1/payment-plans/{plan}/instalments/{number}/received"),
            key,
            json!({}),
        )
        .await;
        done.lock().unwrap().instalments.push(number);
    }
}

/// Every entry of `customer`'s ledger balances; gives the ledger.
async fn balanced_ledger(base: &Base, token: &str, customer: &str) -> Value {
    let (status, ledger) = read(base, token, &format!("/api/v1/customers/{customer}/ledger")).await;
    assert_eq!(status, 200, "{ledger}");
    for entry in ledger["entries"].as_array().unwrap() {
        let mut sum = Decimal::ZERO;
        for line in entry["lines"].as_array().unwrap() {
            let amount = parse_decimal(line["amount"].as_str().unwrap()).unwrap();
            sum += if line["side"] == "debit" {
                amount
            } else {
                -amount
            };
        }
        assert_eq!(
            sum,
            Decimal::ZERO,
            "an entry that does not balance: {entry}"
        );
    }
    ledger
}

/// One writer: takes disputes of the lines of C-ACME's invoices and works each (a note, a move,
/// a credit note of 0.01, and now and then one of 100.01 an approver approves), until told to
/// stop.
async fn writer(
    n: usize,
    base: Base,
    agent: String,
    approver: String,
    stop: Arc<AtomicBool>,
    done: Arc<Mutex<Acknowledged>>,
) {
    // Every line of the customer's five invoices, by turns, so that credit is there to give.
    const LINES: [(&str, u32); 16] = [
        ("INV-A1", 1),
        ("INV-A1", 2),
        ("INV-A1", 3),
        ("INV-A1", 4),
        ("INV-A2", 1),
        ("INV-A2", 2),
        ("INV-A2", 3),
        ("INV-A3", 1),
        ("INV-A3", 2),
        ("INV-A4", 1),
        ("INV-A4", 2),
        ("INV-A4", 3),
        ("INV-A4", 4),
        ("INV-A5", 1),
        ("INV-A5", 2),
        ("INV-A5", 3),
    ];
    let mut round = 0;
    while !stop.load(Ordering::Relaxed) {
        round += 1;
        let (invoice, line) = LINES[(n * 7 + round) % LINES.len()];
        let key = |what: &str| format!("w{n}-r{round}-{what}");
        let narrative = format!("Writer {n}, round {round}: charged twice.");
        let (status, dispute) = answered(
            &base,
            &agent,
            "/api/v1/disputes",
            &key("intake"),
            &json!({"invoice_id": invoice, "line_no": line, "reason": "overcharged",
                    "claimed_amount": "1.00", "narrative": narrative, "channel": "email"}),
        )
        .await;
        assert_eq!(status, 201, "{dispute}");
        let id = dispute["id"].as_str().unwrap().to_owned();
        done.lock().unwrap().disputes.insert(id.clone(), narrative);

        let note = format!("Writer {n}, round {round}: called the customer.");
        let (status, answer) = answered(
            &base,
            &agent,
            &format!("/api/v1/disputes/{id}/notes"),
            &key("note"),
            &json!({"body": note}),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        done.lock().unwrap().notes.push((id.clone(), note));

        let (status, answer) = answered(
            &base,
            &agent,
            &format!("/api/v1/disputes/{id}/transitions"),
            &key("move"),
            &json!({"to": "acknowledged"}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        done.lock().unwrap().moved.insert(id.clone());

        // A credit note the agent may give, applied at once; every eighth round one above
        // their limit (100.00), which waits for the approver.
        let amount = if round % 8 == 0 { "100.01" } else { "0.01" };
        let (status, proposed) = answered(
            &base,
            &agent,
            &format!("/api/v1/disputes/{id}/resolutions"),
            &key("propose"),
            &json!({"kind": "credit_note", "reason": "Billed twice",
                    "lines": [{"line_no": line, "amount": amount}]}),
        )
        .await;
        if status == 422 {
            // The line is credited in full: nothing more to give on it. (Never a key reused:
            // each key is sent with one body only.)
            assert_ne!(proposed["error"]["code"], "idempotency_key_reused");
            continue;
        }
        assert_eq!(status, 201, "{proposed}");
        let mut resolution = proposed;
        if resolution["status"] == "pending_approval" {
            let (status, approved) = answered(
                &base,
                &approver,
                &format!(
                    "/api/v1/resolutions/{}/approve",
                    resolution["id"].as_str().unwrap()
                ),
                &key("approve"),
                &json!({}),
            )
            .await;
            assert_eq!(status, 200, "{approved}");
            resolution = approved;
        }
        assert_eq!(resolution["status"], "applied", "{resolution}");
        done.lock().unwrap().resolutions.insert(
            resolution["id"].as_str().unwrap().to_owned(),
            resolution["document_id"].as_str().map(str::to_owned),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_at_random_under_every_kind_of_writer_loses_nothing_acknowledged_and_does_nothing_twice()
 {
    let kills: usize = std::env::var("REDRESS_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(5);
    let db = Database::new();
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    let half_price = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    for data in [example, half_price] {
        let imported = db.redress(&["import", data.to_str().unwrap()]);
        assert!(imported.status.success(), "{}", text(&imported.stderr));
    }
    let agent = db.user("agent", "agent-ana");
    let approver = db.user("approver", "approver-ali");
    // Each send bounded by 2 s: a claim a killed server held ends 14 s after it was taken.
    let sink = SmtpSink::start().await;
    let smtp_url = sink.url();
    let flags = [
        "--smtp-url",
        smtp_url.as_str(),
        "--mail-from",
        "Acme Billing <billing@acme-billing.example>",
        "--smtp-timeout",
        "2",
    ];

    let mut server = Server::start_with(&db, &flags).await;
    let base: Base = Arc::new(RwLock::new(server.base.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(Mutex::new(Acknowledged::default()));
    let mut writers: Vec<_> = (0..4)
        .map(|n| {
            tokio::spawn(writer(
                n,
                base.clone(),
                agent.clone(),
                approver.clone(),
                stop.clone(),
                done.clone(),
            ))
        })
        .collect();
    writers.push(tokio::spawn(arrears_writer(
        base.clone(),
        agent.clone(),
        done.clone(),
    )));
    let mut rng = fastrand::Rng::with_seed(19);
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(rng.u64(150..900))).await;
        // SIGKILL: no shutdown, no flush beyond what each commit made durable.
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        server = Server::start_with(&db, &flags).await;
        *base.write().unwrap() = server.base.clone();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let done = std::mem::take(&mut *done.lock().unwrap());
    assert!(done.disputes.len() >= 4, "the writers got going");
    // Every dispute acknowledged is there, taken once (its narrative is its own).
    let mut narratives: BTreeMap<String, usize> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/disputes?customer=C-ACME&limit=200&cursor={c}"),
            None => "/api/v1/disputes?customer=C-ACME&limit=200".to_owned(),
        };
        let (status, page) = read(&base, &agent, &path).await;
        assert_eq!(status, 200, "{page}");
        for dispute in page["disputes"].as_array().unwrap() {
            *narratives
                .entry(dispute["narrative"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    for (id, narrative) in &done.disputes {
        assert_eq!(narratives.get(narrative), Some(&1), "{id}: {narrative}");
    }
    // Every note once; every move kept.
    for (id, note) in &done.notes {
        let (_, notes) = read(&base, &agent, &format!("/api/v1/disputes/{id}/notes")).await;
        let times = notes["notes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["body"] == note.as_str())
            .count();
        assert_eq!(times, 1, "{id}: {note}");
    }
    for id in &done.moved {
        let (_, dispute) = read(&base, &agent, &format!("/api/v1/disputes/{id}")).await;
        assert_ne!(dispute["status"], "open", "{id}");
    }
    // Every resolution applied once, with its credit note; credit notes without gaps.
    for (id, document) in &done.resolutions {
        let (_, resolution) = read(&base, &agent, &format!("/api/v1/resolutions/{id}")).await;
        assert_eq!(resolution["status"], "applied", "{id}");
        assert_eq!(resolution["document_id"].as_str(), document.as_deref());
    }
    let ledger = balanced_ledger(&base, &agent, "C-ACME").await;
    let mut numbers = Vec::new();
    for entry in ledger["entries"].as_array().unwrap() {
        if entry["kind"] == "credit_note" {
            let document = entry["document"].as_str().unwrap();
            numbers.push(document.rsplit('-').next().unwrap().parse::<u64>().unwrap());
        }
    }
    let issued: BTreeSet<&String> = done.resolutions.values().flatten().collect();
    assert!(numbers.len() >= issued.len(), "{numbers:?}");
    numbers.sort_unstable();
    let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
    assert_eq!(
        numbers, expected,
        "credit notes numbered without gaps, once each"
    );
    // The arrears case: one, its choice recorded once, each instalment received once.
    let (case, plan) = done
        .arrears
        .clone()
        .expect("the arrears writer got through");
    let (_, cases) = read(&base, &agent, "/api/v1/arrears-cases").await;
    let of_customer: Vec<&Value> = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["customer_id"] == "C-HALV")
        .collect();
    assert_eq!(of_customer.len(), 1, "one case: {cases}");
    assert_eq!(of_customer[0]["id"], case.as_str());
    assert_eq!(of_customer[0]["choice"], "payment_plan");
    assert_eq!(of_customer[0]["plan_id"], plan.as_str());
    let ledger = balanced_ledger(&base, &agent, "C-HALV").await;
    let plans = ledger["payment_plans"].as_array().unwrap();
    assert_eq!(plans.len(), 1, "one plan: {plans:?}");
    let payments: Vec<&str> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "payment")
        .filter_map(|e| e["document"].as_str())
        .collect();
    for instalment in plans[0]["instalments"].as_array().unwrap() {
        let number = instalment["number"].as_u64().unwrap() as u32;
        let paid_by = instalment["paid_by"].as_str();
        assert_eq!(
            paid_by.is_some(),
            done.instalments.contains(&number),
            "instalment {number}: {instalment}"
        );
        if let Some(payment) = paid_by {
            let posted = payments.iter().filter(|p| **p == payment).count();
            assert_eq!(posted, 1, "instalment {number}'s payment posted once");
        }
    }

    // Every acknowledgement arrives; one goes twice only when a kill fell between the mail
    // server's 250 and the outbox's record of it, and then with the same Message-ID.
    // The worker sends one mail at a time, so a backlog the writers built takes a while to
    // drain: wait as long as mail keeps arriving, and fail only when none came for 30 s.
    // Mail sent again counts towards no dispute, so the wait is for each dispute's own
    // acknowledgement, found by its (MIME-decoded) subject, not for a number of mails.
    let missing_acknowledgements = |mails: &[redress_mailer::ReceivedMessage]| {
        let subjects: Vec<String> = mails
            .iter()
            .map(|mail| {
                let parsed = mail_parser::MessageParser::default()
                    .parse(&mail.data)
                    .expect("a mail");
                parsed.subject().unwrap_or_default().to_owned()
            })
            .collect();
        done.disputes
            .keys()
            .filter(|id| !subjects.iter().any(|subject| subject.contains(id.as_str())))
            .cloned()
            .collect::<Vec<_>>()
    };
    loop {
        let mails = sink.received();
        let missing = missing_acknowledgements(&mails);
        if missing.is_empty() {
            break;
        }
        if sink
            .wait_for(mails.len() + 1, Duration::from_secs(30))
            .await
            .is_some()
        {
            continue;
        }
        // What the first few that did not arrive say of their delivery.
        let mut deliveries = Vec::new();
        for id in missing.iter().take(3) {
            let (_, messages) =
                read(&base, &agent, &format!("/api/v1/disputes/{id}/messages")).await;
            deliveries.push(format!("{id}: {}", messages["messages"][0]["delivery"]));
        }
        panic!(
            "the outbox delivers what the killed servers held, once their claims end: {} of \
             {} acknowledgements arrived, none in the last 30 s; some that did not:\n{}",
            done.disputes.len() - missing.len(),
            done.disputes.len(),
            deliveries.join("\n")
        );
    }
    // Anything sent twice would arrive by now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let arrived = sink.received().len();
    let mut by_message_id: BTreeMap<String, usize> = BTreeMap::new();
    for mail in sink.received() {
        let parsed = mail_parser::MessageParser::default()
            .parse(&mail.data)
            .expect("a mail");
        let id = parsed.message_id().expect("a Message-ID").to_owned();
        *by_message_id.entry(id).or_default() += 1;
    }
    let again: usize = by_message_id.values().map(|times| times - 1).sum();
    assert!(
        again <= kills,
        "{again} mails sent again in {kills} kills: {by_message_id:#?}"
    );
    drop(server);
    let verified = db.redress(&["verify-log"]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    eprintln!(
        "{kills} kills: {} disputes, {} notes, {} moves, {} resolutions, an arrears choice and \
         {} instalments acknowledged and found once; {arrived} mails, {again} of them again",
        done.disputes.len(),
        done.notes.len(),
        done.moved.len(),
        done.resolutions.len(),
        done.instalments.len()
    );
}
