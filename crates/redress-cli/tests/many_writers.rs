//! Many writers on one database: two `redress serve` processes and the CLI fire the same
//! credit notes, refunds, plans and approvals at once, and the books hold — nothing
//! over-credited, refunded beyond what was paid or collected twice, credit notes numbered
//! without gaps, every entry balanced, the audit log's chain whole. On SQLite (a shared data
//! directory) by default, on PostgreSQL with `REDRESS_TEST_BACKEND=postgres`.

mod support;

use redress_domain::{Decimal, parse_decimal};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::PathBuf;
use support::{Database, Server, get, post, text};

/// Opens a dispute of an invoice line; gives its id.
async fn open(base: &str, token: &str, invoice: &str, line_no: u32) -> String {
    let (status, opened) = post(
        base,
        token,
        "/api/v1/disputes",
        json!({"invoice_id": invoice, "line_no": line_no, "reason": "overcharged",
               "claimed_amount": "1.00", "narrative": "Not what we agreed.", "channel": "email"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    opened["id"].as_str().unwrap().to_owned()
}

/// One attempt of many at once: over the API of one of the servers, or by the CLI.
enum Attempt {
    Api {
        base: String,
        token: String,
        path: String,
        body: Value,
    },
    Cli {
        args: Vec<String>,
    },
}

/// Fires every attempt at once; gives how many were carried out (2xx, or the CLI's exit 0)
/// and how many refused by the rules (4xx, or the CLI's exit 2). Anything else fails the test:
/// no writer may be told the database failed.
async fn fire(db: &Database, attempts: Vec<Attempt>) -> (usize, usize) {
    let mut tasks = Vec::new();
    for attempt in attempts {
        let db_args = db.args.clone();
        tasks.push(tokio::spawn(async move {
            match attempt {
                Attempt::Api {
                    base,
                    token,
                    path,
                    body,
                } => {
                    let (status, answer) = post(&base, &token, &path, body).await;
                    (
                        status.is_success(),
                        status.is_client_error(),
                        answer.to_string(),
                    )
                }
                Attempt::Cli { args } => {
                    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_redress"))
                        .args(&args)
                        .args(&db_args)
                        .output()
                        .await
                        .unwrap();
                    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
                    (out.status.success(), out.status.code() == Some(2), said)
                }
            }
        }));
    }
    let (mut done, mut refused) = (0, 0);
    for task in tasks {
        let (ok, refusal, said) = task.await.unwrap();
        if std::env::var_os("SHOW").is_some() {
            eprintln!("{ok} {refusal} {said}");
        }
        match (ok, refusal) {
            (true, _) => done += 1,
            (false, true) => refused += 1,
            (false, false) => panic!("a writer was failed rather than answered: {said}"),
        }
    }
    (done, refused)
}

fn amount(value: &Value) -> Decimal {
    parse_decimal(value.as_str().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_and_the_cli_at_once_never_give_more_than_the_books_allow() {
    let db = Database::new();
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    let imported = db.redress(&["import", example.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let agent = db.user("agent", "agent-ana");
    let approvers = [
        db.user("approver", "approver-ali"),
        db.user("approver", "approver-bo"),
        db.user("approver", "approver-cy"),
    ];
    let servers = [Server::start(&db).await, Server::start(&db).await];
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    // Each round sends the same request to both servers and the CLI, by turns.
    let spread = |path: &str, body: Value, cli: Vec<String>, times: usize| -> Vec<Attempt> {
        (0..times)
            .map(|i| match i % 3 {
                2 => Attempt::Cli { args: cli.clone() },
                server => Attempt::Api {
                    base: bases[server].clone(),
                    token: approvers[i % approvers.len()].clone(),
                    path: path.to_owned(),
                    body: body.clone(),
                },
            })
            .collect()
    };
    let cli = |token: &str, args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend(["--token".to_owned(), token.to_owned()]);
        all
    };

    // Credit notes of 15 % of a line, on three lines in turn: six fit on each, not seven.
    for (invoice, line_no, fifteen_percent) in [
        ("INV-A5", 2, "33.99"),
        ("INV-A1", 4, "187.50"),
        ("INV-A2", 3, "112.50"),
    ] {
        let dispute = open(&bases[0], &agent, invoice, line_no).await;
        let credit = json!({"kind": "credit_note", "reason": "Hours not worked",
                            "lines": [{"line_no": line_no, "amount": fifteen_percent}]});
        let line = format!("{line_no}={fifteen_percent}");
        let (done, refused) = fire(
            &db,
            spread(
                &format!("/api/v1/disputes/{dispute}/resolutions"),
                credit,
                cli(
                    &approvers[2],
                    &[
                        "resolutions",
                        "propose",
                        &dispute,
                        "--kind",
                        "credit_note",
                        "--reason",
                        "Hours not worked",
                        "--line",
                        &line,
                    ],
                ),
                12,
            ),
        )
        .await;
        assert_eq!((done, refused), (6, 6), "{invoice} line {line_no}");
    }

    // Refunds of 500.00 of payment P-01, which paid 2,075.46: four fit, not five.
    let d2 = open(&bases[1], &agent, "INV-A1", 1).await;
    let refund = json!({"kind": "refund", "reason": "Paid twice", "payment_id": "P-01",
                        "amount": "500.00"});
    let (done, refused) = fire(
        &db,
        spread(
            &format!("/api/v1/disputes/{d2}/resolutions"),
            refund,
            cli(
                &approvers[1],
                &[
                    "resolutions",
                    "propose",
                    &d2,
                    "--kind",
                    "refund",
                    "--reason",
                    "Paid twice",
                    "--payment",
                    "P-01",
                    "--amount",
                    "500.00",
                ],
            ),
            9,
        ),
    )
    .await;
    assert_eq!((done, refused), (4, 5));

    // Plans over what INV-D2 has open, proposed on two disputes of it at once: one fits.
    let d3 = open(&bases[0], &agent, "INV-D2", 1).await;
    let d4 = open(&bases[1], &agent, "INV-D2", 2).await;
    // Due from next year on (a plan is agreed from today on).
    let first_due_on = format!(
        "{}-01-31",
        jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .year()
            + 1
    );
    let plan = json!({"kind": "payment_plan", "reason": "Spread", "instalment_count": 2,
                      "first_due_on": first_due_on});
    let mut attempts = Vec::new();
    for dispute in [&d3, &d4] {
        attempts.extend(spread(
            &format!("/api/v1/disputes/{dispute}/resolutions"),
            plan.clone(),
            cli(
                &approvers[0],
                &[
                    "resolutions",
                    "propose",
                    dispute,
                    "--kind",
                    "payment_plan",
                    "--reason",
                    "Spread",
                    "--instalment-count",
                    "2",
                    "--first-due-on",
                    &first_due_on,
                ],
            ),
            3,
        ));
    }
    let (done, refused) = fire(&db, attempts).await;
    assert_eq!((done, refused), (1, 5));

    // One write-off waiting, approved by two approvers through every way in at once: once.
    let d5 = open(&bases[0], &agent, "INV-S3", 1).await;
    let (status, waiting) = post(
        &bases[0],
        &approvers[0],
        &format!("/api/v1/disputes/{d5}/resolutions"),
        json!({"kind": "write_off", "reason": "Uncollectable", "amount": "1000"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{waiting}");
    let id = waiting["id"].as_str().unwrap();
    let approvals: Vec<Attempt> = (0..6)
        .map(|i| {
            let token = approvers[1 + i % 2].clone();
            match i % 3 {
                2 => Attempt::Cli {
                    args: cli(&token, &["resolutions", "approve", id]),
                },
                server => Attempt::Api {
                    base: bases[server].clone(),
                    token,
                    path: format!("/api/v1/resolutions/{id}/approve"),
                    body: json!({}),
                },
            }
        })
        .collect();
    let (done, refused) = fire(&db, approvals).await;
    assert_eq!((done, refused), (1, 5));

    // The books: what each server shows is the same, every entry balances, credit notes are
    // numbered 1, 2, 3, … without a gap, six on each line credited.
    let mut numbers = Vec::new();
    for customer in ["C-ACME", "C-SORA", "C-DANA"] {
        let ledger = get(
            &bases[0],
            &agent,
            &format!("/api/v1/customers/{customer}/ledger"),
        )
        .await;
        assert_eq!(
            ledger,
            get(
                &bases[1],
                &agent,
                &format!("/api/v1/customers/{customer}/ledger")
            )
            .await
        );
        for entry in ledger["entries"].as_array().unwrap() {
            let side = |side: &str| -> Decimal {
                entry["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|l| l["side"] == side)
                    .map(|l| amount(&l["amount"]))
                    .sum()
            };
            assert_eq!(side("debit"), side("credit"), "{entry}");
            if entry["kind"] == "credit_note" {
                let document = entry["document"].as_str().unwrap();
                numbers.push(document.rsplit('-').next().unwrap().parse::<u32>().unwrap());
            }
        }
        if customer == "C-DANA" {
            assert_eq!(ledger["payment_plans"].as_array().unwrap().len(), 1);
        }
    }
    numbers.sort();
    assert_eq!(numbers, (1..=18).collect::<Vec<u32>>());
    let refunds = get(&bases[1], &agent, "/api/v1/customers/C-ACME/ledger").await["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "refund")
        .count();
    assert_eq!(refunds, 4);
    let verified = db.redress(&["verify-log"]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    drop(servers);
}
