//! The `redress` command as a user runs it: exit codes, the three formats, bad input, and an
//! audit of generated data that must find every planted error and nothing else.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::{redress, text};

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data")
}

fn jsonl(bytes: &[u8]) -> Vec<Value> {
    text(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn jsonl_holds_one_object_per_finding_and_per_verdict_and_nothing_else() {
    let out = redress(&["audit", example().to_str().unwrap(), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let records = jsonl(&out.stdout);
    assert_eq!(records.len(), 17 + 5);
    let verdicts: Vec<&Value> = records.iter().filter(|r| r["kind"] == "dispute").collect();
    assert_eq!(verdicts.len(), 5);
    let dsp3 = verdicts
        .iter()
        .find(|v| v["dispute_id"] == "DSP-3")
        .unwrap();
    assert_eq!(dsp3["verdict"], "partially_upheld");
    assert_eq!(dsp3["adjustment"], "13.89");
    let late_fee = records
        .iter()
        .find(|r| r["kind"] == "late_fee_excess")
        .unwrap();
    assert_eq!(late_fee["impact"], "3.87");
    assert_eq!(late_fee["evidence"]["late_fee_for"], "INV-A1");
    assert_eq!(late_fee["evidence"]["payment_ids"][0], "P-01");
    assert_eq!(
        late_fee["evidence"]["notice_ids"].as_array().unwrap().len(),
        3
    );
    let overbilled = records
        .iter()
        .find(|r| r["kind"] == "quantity_overbilled" && r["sku"] == "CALLS")
        .unwrap();
    assert_eq!(overbilled["evidence"]["quantities"]["billed"], "60000");
    assert_eq!(overbilled["evidence"]["quantities"]["delivered"], "50000");
    assert_eq!(overbilled["evidence"]["delivery_ids"][0], "D-011");
    let price = records
        .iter()
        .find(|r| r["kind"] == "price_mismatch")
        .unwrap();
    assert_eq!(price["evidence"]["price_row"]["unit_price"], "120.00");
    assert_eq!(price["evidence"]["expected"], "108.00");
    assert_eq!(price["evidence"]["billed"], "90.00");
}

#[test]
fn the_table_shows_totals_by_kind_and_currency_then_findings_most_money_first() {
    let out = redress(&["audit", example().to_str().unwrap(), "--format", "table"]);
    assert!(out.status.success());
    let table = text(&out.stdout);
    assert!(table.contains("Findings by kind and currency"), "{table}");
    let summary_row = table
        .lines()
        .find(|l| l.contains("quantity_overbilled") && l.contains("USD"))
        .unwrap();
    assert!(
        summary_row.split_whitespace().eq([
            "quantity_overbilled",
            "USD",
            "1",
            "125.00",
            "0.00",
            "125.00"
        ]),
        "{summary_row}"
    );
    let findings: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("Findings, most money first"))
        .filter(|l| l.contains(" USD "))
        .collect();
    let first_usd = findings[0].split_whitespace().next().unwrap();
    assert_eq!(first_usd, "-151.00", "{table}");
    assert!(table.contains("DSP-3") && table.contains("partially_upheld"));
}

#[test]
fn json_is_one_document_with_summary_findings_and_disputes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let out = redress(&[
        "audit",
        example().to_str().unwrap(),
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 17);
    assert_eq!(report["disputes"].as_array().unwrap().len(), 5);
    let tax = report["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "tax_mismatch")
        .unwrap();
    assert_eq!(tax["net"], "0.02");
}

#[test]
fn bad_input_lists_every_problem_exits_non_zero_and_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(example()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let lines = dir.path().join("invoice_lines.csv");
    let edited = std::fs::read_to_string(&lines)
        .unwrap()
        .replace("2025-01-01,2025-01-31,4,", "2025-01-01,2025-01-31,four,");
    std::fs::write(&lines, edited).unwrap();
    std::fs::remove_file(dir.path().join("notices.csv")).unwrap();
    let report = dir.path().join("report.jsonl");
    let out = redress(&[
        "audit",
        dir.path().to_str().unwrap(),
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("invoice_lines.csv, line 3, column quantity: `four` is not a decimal number"),
        "{stderr}"
    );
    assert!(
        stderr.contains("notices.csv: the file is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 problem(s); nothing was audited"),
        "{stderr}"
    );
    assert!(!report.exists());
}

#[test]
fn a_directory_that_does_not_exist_is_an_error() {
    let out = redress(&["audit", "/no/such/billing-data"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/no/such/billing-data is not a directory"));
}

/// What identifies a finding or verdict, with its amount normalized.
fn truth_key(record: &Value) -> (String, String) {
    let field = |name: &str| record.get(name).map(|v| v.to_string()).unwrap_or_default();
    let kind = record["kind"].as_str().unwrap();
    let names: &[&str] = match kind {
        "dispute" => &["dispute_id", "verdict"],
        "unbilled_delivery" | "quantity_overbilled" => &[
            "contract_id",
            "invoice_id",
            "line_no",
            "sku",
            "period_start",
            "currency",
        ],
        _ => &["contract_id", "invoice_id", "line_no", "currency"],
    };
    let key = format!(
        "{kind} {}",
        names.iter().map(|n| field(n)).collect::<Vec<_>>().join(" ")
    );
    let amount = record
        .get("impact")
        .or_else(|| record.get("adjustment"))
        .and_then(Value::as_str)
        .unwrap();
    // Compared as exact decimals: 1425 and 1425.0 are the same amount.
    let amount: redress_domain::Decimal = amount.parse().unwrap();
    (key, amount.normalize().to_string())
}

fn audit_against_truth(dir: &Path) {
    let out = redress(&["audit", dir.to_str().unwrap(), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let found: BTreeMap<String, String> = jsonl(&out.stdout).iter().map(truth_key).collect();
    let truth_text = std::fs::read_to_string(dir.join("truth.jsonl")).unwrap();
    let truth: BTreeMap<String, String> =
        jsonl(truth_text.as_bytes()).iter().map(truth_key).collect();
    let missed: Vec<_> = truth
        .iter()
        .filter(|(k, v)| found.get(*k) != Some(v))
        .collect();
    let extra: Vec<_> = found
        .iter()
        .filter(|(k, v)| truth.get(*k) != Some(v))
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed (or wrong amount): {missed:#?}\nextra: {extra:#?}"
    );
}

#[test]
fn an_audit_of_generated_data_finds_every_planted_error_exactly_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("billing");
    let out = redress(&[
        "demo-data",
        data.to_str().unwrap(),
        "--customers",
        "120",
        "--months",
        "12",
        "--seed",
        "7",
        "--error-rate",
        "0.05",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let truth = std::fs::read_to_string(data.join("truth.jsonl")).unwrap();
    let kinds: std::collections::BTreeSet<String> = jsonl(truth.as_bytes())
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in [
        "outside_contract",
        "unknown_charge",
        "duplicate_charge",
        "price_mismatch",
        "discount_missing",
        "line_arithmetic",
        "quantity_overbilled",
        "unbilled_delivery",
        "tax_mismatch",
        "total_mismatch",
        "overpayment",
        "late_fee_unwarranted",
        "late_fee_excess",
        "dispute",
    ] {
        assert!(kinds.contains(kind), "no {kind} planted");
    }
    audit_against_truth(&data);
}

#[test]
fn generated_data_without_errors_audits_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = redress(&[
        "demo-data",
        dir.path().to_str().unwrap(),
        "--customers",
        "80",
        "--months",
        "6",
        "--error-rate",
        "0",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let audit = redress(&["audit", dir.path().to_str().unwrap(), "--format", "jsonl"]);
    let findings: Vec<Value> = jsonl(&audit.stdout)
        .into_iter()
        .filter(|r| r["kind"] != "dispute")
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");
    audit_against_truth(dir.path());
}

#[test]
fn several_seeds_of_generated_data_match_their_truth() {
    for seed in [1, 2, 3] {
        let dir = tempfile::tempdir().unwrap();
        let seed = seed.to_string();
        let out = redress(&[
            "demo-data",
            dir.path().to_str().unwrap(),
            "--customers",
            "60",
            "--months",
            "8",
            "--seed",
            &seed,
            "--error-rate",
            "0.1",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        audit_against_truth(dir.path());
    }
}

#[test]
fn import_loads_an_export_into_the_embedded_database_and_reimporting_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("redress-data");
    let export = example();
    let args = [
        "import",
        export.to_str().unwrap(),
        "--data-dir",
        data_dir.to_str().unwrap(),
    ];
    for already in [0, 5] {
        let out = redress(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let said = text(&out.stderr);
        assert!(
            said.contains("11 invoices with 24 lines, 7 payments and 8 notices"),
            "{said}"
        );
        assert!(
            said.contains(&format!(
                "opened {} disputes ({already} already there)",
                5 - already
            )),
            "{said}"
        );
    }
    assert!(data_dir.join("redress.db").exists());
    let migrate = redress(&["migrate", "--data-dir", data_dir.to_str().unwrap()]);
    assert!(text(&migrate.stderr).contains("the database schema is up to date"));
}

#[test]
fn import_of_bad_data_lists_the_problems_and_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        example().join("customers.csv"),
        dir.path().join("customers.csv"),
    )
    .unwrap();
    let data_dir = dir.path().join("redress-data");
    let out = redress(&[
        "import",
        dir.path().to_str().unwrap(),
        "--data-dir",
        data_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("contracts.csv: the file is missing"));
    assert!(!data_dir.exists());
}

#[test]
fn an_unknown_database_url_is_refused_by_name() {
    let out = redress(&["migrate", "--database-url", "mysql://db/redress"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`mysql://db/redress` is not a database URL Redress can use")
    );
}

#[test]
fn verify_log_checks_the_chain_and_names_an_edited_event() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("redress-data");
    let data = data_dir.to_str().unwrap();
    let export = example();
    for _ in 0..2 {
        assert!(
            redress(&["import", export.to_str().unwrap(), "--data-dir", data])
                .status
                .success()
        );
    }
    let ok = redress(&["verify-log", "--data-dir", data]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    // Two imports, and the five disputes of the first.
    assert!(
        text(&ok.stderr).contains("the audit log is intact: 7 events"),
        "{}",
        text(&ok.stderr)
    );

    // Someone with the database file drops the guard and edits the first event.
    let db = data_dir.join("redress.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "DROP TRIGGER audit_events_are_never_updated; \
             UPDATE audit_events SET actor = 'mallory' WHERE sequence = 1;",
        )
        .unwrap();
    let broken = redress(&["verify-log", "--data-dir", data]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        text(&broken.stderr).contains("event 1 was changed after it was recorded"),
        "{}",
        text(&broken.stderr)
    );
}

#[test]
fn the_half_price_customer_is_found_offered_and_settled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("redress-data");
    let data = data.to_str().unwrap();
    let export = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    assert!(
        redress(&["import", export.to_str().unwrap(), "--data-dir", data])
            .status
            .success()
    );
    let found = redress(&["audit", "--into-cases", "--data-dir", data]);
    assert!(found.status.success(), "{}", text(&found.stderr));
    let said = text(&found.stdout);
    assert!(
        said.contains("1 arrears cases opened, 0 open already"),
        "{said}"
    );
    assert!(
        said.contains("C-HALV: 720.00 EUR under-billed on 6 items (864.00 with tax)"),
        "{said}"
    );
    let again = text(&redress(&["audit", "--into-cases", "--data-dir", data]).stdout);
    assert!(
        again.contains("0 arrears cases opened, 1 open already"),
        "{again}"
    );
    let listed = text(&redress(&["cases", "list", "--data-dir", data]).stdout);
    let id = listed.split_whitespace().next().unwrap().to_owned();
    // The customer is contacted, and their choice recorded, by a user.
    let made = redress(&[
        "token",
        "create",
        "--role",
        "agent",
        "--name",
        "ana",
        "--data-dir",
        data,
    ]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let token = text(&made.stdout).trim().to_owned();
    // Not before the customer was told.
    let early = redress(&[
        "cases",
        "choose",
        &id,
        "--option",
        "separate_invoice",
        "--token",
        &token,
        "--data-dir",
        data,
    ]);
    assert_eq!(early.status.code(), Some(2), "{}", text(&early.stderr));
    assert!(text(&early.stderr).contains("contact the customer and offer them the options first"));
    let offered = redress(&[
        "cases",
        "offer",
        &id,
        "--note",
        "Phoned the owner",
        "--token",
        &token,
        "--data-dir",
        data,
    ]);
    assert!(offered.status.success(), "{}", text(&offered.stderr));
    let chose = redress(&[
        "cases",
        "choose",
        &id,
        "--option",
        "payment_plan",
        "--instalments",
        "6",
        "--first-due-on",
        "2027-01-31",
        "--token",
        &token,
        "--data-dir",
        data,
    ]);
    assert!(chose.status.success(), "{}", text(&chose.stderr));
    assert!(
        text(&chose.stdout).contains("chose payment_plan: AI-"),
        "{}",
        text(&chose.stdout)
    );
    let ledger = text(&redress(&["ledger", "C-HALV", "--data-dir", data]).stdout);
    assert!(ledger.contains("balance EUR 864.00"), "{ledger}");
    let log = redress(&["verify-log", "--data-dir", data]);
    assert!(log.status.success(), "{}", text(&log.stderr));
}

#[test]
fn a_compromise_is_chosen_from_the_command_line_and_waits_for_an_approver() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("redress-data");
    let data = data.to_str().unwrap();
    let export = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    assert!(
        redress(&["import", export.to_str().unwrap(), "--data-dir", data])
            .status
            .success()
    );
    assert!(
        redress(&["audit", "--into-cases", "--data-dir", data])
            .status
            .success()
    );
    let listed = text(&redress(&["cases", "list", "--data-dir", data]).stdout);
    let id = listed.split_whitespace().next().unwrap().to_owned();
    let shown = text(&redress(&["cases", "show", &id, "--data-dir", data]).stdout);
    assert!(
        shown.contains("since 2025-06-30: no invoice since yet"),
        "{shown}"
    );
    let made = redress(&[
        "token",
        "create",
        "--role",
        "agent",
        "--name",
        "ana",
        "--data-dir",
        data,
    ]);
    let token = text(&made.stdout).trim().to_owned();
    let offered = redress(&[
        "cases",
        "offer",
        &id,
        "--note",
        "Phoned the owner",
        "--token",
        &token,
        "--data-dir",
        data,
    ]);
    assert!(offered.status.success(), "{}", text(&offered.stderr));
    let choose = |extra: &[&str]| {
        let mut args = vec!["cases", "choose", &id, "--option", "compromise"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--token", &token, "--data-dir", data]);
        redress(&args)
    };
    let no_billing = choose(&["--waive", "100.00"]);
    assert_eq!(no_billing.status.code(), Some(2));
    assert!(
        text(&no_billing.stderr).contains("--option compromise needs --waive AMOUNT and --bill"),
        "{}",
        text(&no_billing.stderr)
    );
    let all = choose(&["--waive", "720.00", "--bill", "next_invoice"]);
    assert_eq!(all.status.code(), Some(2), "{}", text(&all.stderr));
    assert!(
        text(&all.stderr).contains("the amount waived must be below the arrears' net total"),
        "{}",
        text(&all.stderr)
    );
    let chose = choose(&["--waive", "100.00", "--bill", "next_invoice"]);
    assert!(chose.status.success(), "{}", text(&chose.stderr));
    let said = text(&chose.stdout);
    assert!(said.contains(" awaiting_approval: "), "{said}");
    assert!(
        said.contains("compromise: 100.00 EUR waived, 620.00 net billed (next_invoice)"),
        "{said}"
    );
    // Nothing is billed before an approver approves.
    let ledger = text(&redress(&["ledger", "C-HALV", "--data-dir", data]).stdout);
    assert!(ledger.contains("balance EUR 0.00"), "{ledger}");
}

#[test]
fn resolutions_from_the_command_line_follow_the_approval_policy_and_the_tokens_roles() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("redress-data");
    let data = data.to_str().unwrap();
    assert!(
        redress(&["import", example().to_str().unwrap(), "--data-dir", data])
            .status
            .success()
    );
    let token = |role: &str, name: &str| {
        let out = redress(&[
            "token",
            "create",
            "--role",
            role,
            "--name",
            name,
            "--data-dir",
            data,
        ]);
        text(&out.stdout).trim().to_owned()
    };
    let (agent, approver, auditor) = (
        token("agent", "ana"),
        token("approver", "ali"),
        token("auditor", "ola"),
    );
    let propose = |token: &str, extra: &[&str]| {
        let mut args = vec![
            "resolutions",
            "propose",
            "DSP-1",
            "--token",
            token,
            "--data-dir",
            data,
            "--reason",
            "March hosting was billed twice",
        ];
        args.extend_from_slice(extra);
        redress(&args)
    };
    let read_only = propose(&auditor, &["--kind", "reject"]);
    assert_eq!(read_only.status.code(), Some(2));
    // 100.00 on INV-A4 line 2 is within an agent's 100: applied at once.
    let applied = propose(&agent, &["--kind", "credit_note", "--line", "2=100.00"]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert!(text(&applied.stdout).contains("credit_note applied 100.00 USD → CN-"));
    // With a lower limit, the same waits; the agent may not approve it, the approver may.
    let waiting = propose(
        &agent,
        &[
            "--kind",
            "account_credit",
            "--amount",
            "50.00",
            "--agent-limit",
            "USD=20",
        ],
    );
    let said = text(&waiting.stdout);
    assert!(
        said.contains("account_credit pending_approval 50.00 USD"),
        "{said}"
    );
    let id = said.split_whitespace().next().unwrap().to_owned();
    let own = redress(&[
        "resolutions",
        "approve",
        &id,
        "--token",
        &agent,
        "--data-dir",
        data,
    ]);
    assert_eq!(own.status.code(), Some(2));
    let approved = redress(&[
        "resolutions",
        "approve",
        &id,
        "--token",
        &approver,
        "--data-dir",
        data,
    ]);
    assert!(approved.status.success(), "{}", text(&approved.stderr));
    assert!(text(&approved.stdout).contains("account_credit applied"));
    let listed = text(&redress(&["resolutions", "list", "DSP-1", "--data-dir", data]).stdout);
    assert_eq!(
        listed.lines().filter(|l| l.contains(" applied ")).count(),
        2,
        "{listed}"
    );
}

#[test]
fn a_trainer_starts_practice_from_the_command_line_and_the_trainee_answers_once_and_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("redress-data");
    let data = data.to_str().unwrap();
    assert!(
        redress(&["import", example().to_str().unwrap(), "--data-dir", data])
            .status
            .success()
    );
    let token = |role: &str, name: &str| {
        let out = redress(&[
            "token",
            "create",
            "--role",
            role,
            "--name",
            name,
            "--data-dir",
            data,
        ]);
        text(&out.stdout).trim().to_owned()
    };
    let (trainer, trainee) = (token("approver", "ruth"), token("agent", "nia"));
    let start = |token: &str| {
        redress(&[
            "practice",
            "start",
            "--trainee",
            "nia",
            "--cases",
            "2",
            "--seed",
            "3",
            "--token",
            token,
            "--data-dir",
            data,
        ])
    };
    let refused = start(&trainee);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stdout));
    assert!(
        text(&refused.stderr).contains("only an approver or an admin starts practice sessions"),
        "{}",
        text(&refused.stderr)
    );
    let started = start(&trainer);
    assert!(started.status.success(), "{}", text(&started.stderr));
    let said = text(&started.stdout);
    assert!(said.contains("for nia, started by ruth"), "{said}");
    let case = said
        .split_whitespace()
        .find(|w| w.starts_with("PRC-"))
        .expect("a case id")
        .to_owned();

    let show = redress(&[
        "practice",
        "show",
        &case,
        "--token",
        &trainee,
        "--data-dir",
        data,
    ]);
    assert!(show.status.success(), "{}", text(&show.stderr));
    let shown = text(&show.stdout);
    assert!(shown.contains("Not answered yet"), "{shown}");
    assert!(shown.contains("Invoice INV-P"), "{shown}");

    let message = dir.path().join("message.txt");
    std::fs::write(&message, "Thank you for your message. We checked line 1: the charges are correct, and we will write again.").unwrap();
    let answer = || {
        redress(&[
            "practice",
            "answer",
            &case,
            "--resolution",
            "reject",
            "--message",
            message.to_str().unwrap(),
            "--token",
            &trainee,
            "--data-dir",
            data,
        ])
    };
    let first = answer();
    assert!(first.status.success(), "{}", text(&first.stderr));
    let scored = text(&first.stdout);
    assert!(scored.contains("Score: "), "{scored}");
    assert!(scored.contains("Model answer:"), "{scored}");
    let again = answer();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("answered already"),
        "{}",
        text(&again.stderr)
    );
    let bad = redress(&[
        "practice",
        "answer",
        &case,
        "--finding",
        "price_mistake:2=1",
        "--resolution",
        "reject",
        "--message",
        message.to_str().unwrap(),
        "--token",
        &trainee,
        "--data-dir",
        data,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("not a kind of finding"),
        "{}",
        text(&bad.stderr)
    );
}
