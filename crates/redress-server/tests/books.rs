//! The books cannot go wrong, tried over the API as a new user and a careful attacker would
//! (issue 16): every fault found there has its test here, on both backends (SQLite, or
//! PostgreSQL with `REDRESS_TEST_BACKEND=postgres`).

mod app;

use app::App;
use redress_domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;

/// A small billing-data v1 export written to a temporary directory, file by file.
struct Export {
    dir: tempfile::TempDir,
}

impl Export {
    /// An export of these rows (without the header lines), every other file empty.
    fn new(files: &[(&str, &str)]) -> Self {
        const HEADERS: [(&str, &str); 9] = [
            (
                "customers.csv",
                "customer_id,name,email,language,customer_since",
            ),
            (
                "contracts.csv",
                "contract_id,customer_id,currency,start_date,end_date,payment_terms_days,late_fee_percent,late_fee_grace_days,tax_rate_percent",
            ),
            (
                "prices.csv",
                "contract_id,sku,unit_price,discount_percent,valid_from,valid_to",
            ),
            (
                "deliveries.csv",
                "delivery_id,contract_id,sku,delivered_on,quantity,reference",
            ),
            (
                "invoices.csv",
                "invoice_id,customer_id,contract_id,issue_date,due_date,currency,subtotal,tax_total,total",
            ),
            (
                "invoice_lines.csv",
                "invoice_id,line_no,kind,sku,description,period_start,period_end,quantity,unit_price,discount_percent,amount,late_fee_for",
            ),
            (
                "payments.csv",
                "payment_id,invoice_id,paid_on,amount,method,reference",
            ),
            ("notices.csv", "notice_id,invoice_id,sent_on,kind,channel"),
            (
                "disputes.csv",
                "dispute_id,invoice_id,line_no,opened_on,reason,claimed_amount,narrative",
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (file, header) in HEADERS {
            let rows = files
                .iter()
                .find(|(name, _)| *name == file)
                .map_or("", |(_, rows)| rows);
            std::fs::write(dir.path().join(file), format!("{header}\n{rows}")).unwrap();
        }
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn dispute(invoice: &str, line_no: u32, claimed: &str) -> Value {
    json!({"invoice_id": invoice, "line_no": line_no, "reason": "overcharged",
           "claimed_amount": claimed, "narrative": "Not what we agreed.", "channel": "email"})
}

/// Opens a dispute as the agent; gives its resolutions' path.
async fn resolutions_of_new_dispute(app: &App, invoice: &str, line_no: u32) -> (String, String) {
    let (status, opened) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute(invoice, line_no, "1.00"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let id = opened["id"].as_str().unwrap().to_owned();
    (format!("/api/v1/disputes/{id}/resolutions"), id)
}

/// What `customer` owes in `currency`, as their ledger shows it.
async fn balance(app: &App, customer: &str, currency: &str) -> Value {
    let (status, ledger) = app
        .get(
            &format!("/api/v1/customers/{customer}/ledger"),
            &app.auditor,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ledger}");
    ledger["balances"][currency].clone()
}

#[tokio::test]
async fn an_arrears_plan_is_received_instalment_by_instalment_until_nothing_is_owed() {
    let half_price =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    let app = App::start_with(&half_price).await;
    let (status, found) = app
        .post("/api/v1/arrears-cases/audit", &app.agent, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let case = found["opened"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/arrears-cases/{case}/offer"),
        &app.agent,
        json!({"note": "Called the owner"}),
    )
    .await;
    let (status, settled) = app
        .post(
            &format!("/api/v1/arrears-cases/{case}/choice"),
            &app.agent,
            json!({"option": "payment_plan", "instalment_count": 6, "first_due_on": "2027-01-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    let plan = settled["plan_id"].as_str().unwrap().to_owned();
    assert_eq!(balance(&app, "C-HALV", "EUR").await, "864.00");
    for number in 1..=6 {
        let (status, received) = app
            .post(
                &format!("/api/v1/payment-plans/{plan}/instalments/{number}/received"),
                &app.agent,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "instalment {number}: {received}");
    }
    assert_eq!(balance(&app, "C-HALV", "EUR").await, "0.00");
    let (_, plan_now) = app
        .get(&format!("/api/v1/payment-plans/{plan}"), &app.auditor)
        .await;
    assert_eq!(plan_now["outstanding"], "0.00");
    let (status, again) = app
        .post(
            &format!("/api/v1/payment-plans/{plan}/instalments/6/received"),
            &app.agent,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert!(app.redress.operations().verify_log().await.is_ok());
    app.stop().await;
}

#[tokio::test]
async fn arrears_under_two_contracts_are_taxed_each_at_its_contracts_rate() {
    let export = Export::new(&[
        (
            "customers.csv",
            "C-TWO,Two Rates Ltd,ap@two.example,en,2020-01-01\n",
        ),
        (
            "contracts.csv",
            "K-TEN,C-TWO,USD,2025-01-01,,30,0,0,10\nK-SIX,C-TWO,USD,2025-01-01,,30,0,0,16\n",
        ),
        (
            "prices.csv",
            "K-TEN,CONSULT,2400.00,0,2025-01-01,\nK-SIX,SUPPORT,200.00,0,2025-01-01,\n",
        ),
        (
            "deliveries.csv",
            "D-1,K-TEN,CONSULT,2025-01-10,1,consulting\nD-2,K-SIX,SUPPORT,2025-01-10,1,support\n",
        ),
        (
            "invoices.csv",
            "INV-T1,C-TWO,K-TEN,2025-02-01,2025-03-03,USD,1200.00,120.00,1320.00\n\
             INV-T2,C-TWO,K-SIX,2025-02-01,2025-03-03,USD,100.00,16.00,116.00\n",
        ),
        (
            "invoice_lines.csv",
            "INV-T1,1,charge,CONSULT,Consulting,2025-01-01,2025-01-31,1,1200.00,0,1200.00,\n\
             INV-T2,1,charge,SUPPORT,Support,2025-01-01,2025-01-31,1,100.00,0,100.00,\n",
        ),
    ]);
    let app = App::start_with(export.path()).await;
    let (status, found) = app
        .post("/api/v1/arrears-cases/audit", &app.agent, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let case = &found["opened"][0];
    assert_eq!(
        (&case["net"], &case["tax"], &case["total"]),
        (&json!("1300.00"), &json!("136.00"), &json!("1436.00")),
        "{case}"
    );
    let id = case["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/arrears-cases/{id}/offer"),
        &app.agent,
        json!({"note": "Wrote to accounts payable"}),
    )
    .await;
    let (status, settled) = app
        .post(
            &format!("/api/v1/arrears-cases/{id}/choice"),
            &app.agent,
            json!({"option": "separate_invoice"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    let (_, issued) = app
        .get(
            &format!(
                "/api/v1/issued-invoices/{}",
                settled["document_id"].as_str().unwrap()
            ),
            &app.auditor,
        )
        .await;
    assert_eq!(
        (&issued["tax_total"], &issued["total"]),
        (&json!("136.00"), &json!("1436.00"))
    );
    let rates: Vec<&str> = issued["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["tax_rate_percent"].as_str().unwrap())
        .collect();
    assert_eq!(rates, ["10", "16"]);
    // The two invoices as billed (1,436.00, unpaid), and the arrears (1,436.00).
    assert_eq!(balance(&app, "C-TWO", "USD").await, "2872.00");
    app.stop().await;
}

#[tokio::test]
async fn an_invoice_is_never_collected_twice_by_two_plans() {
    let app = App::start().await;
    // INV-A5 (481.88, unpaid): a dispute on each of two of its lines, a plan proposed on each.
    let (first, _) = resolutions_of_new_dispute(&app, "INV-A5", 1).await;
    let (second, _) = resolutions_of_new_dispute(&app, "INV-A5", 2).await;
    let plan = json!({"kind": "payment_plan", "reason": "Spread over three months",
                      "instalment_count": 3, "first_due_on": "2027-01-31"});
    let (status, agreed) = app.post(&first, &app.agent, plan.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{agreed}");
    assert_eq!(agreed["status"], "applied");
    let (status, refused) = app.post(&second, &app.agent, plan.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "invoice INV-A5 has nothing open to spread over a plan: 481.88 open, all of it due on \
         plans already agreed"
    );
    // Given an amount, still refused: the first plan has it all.
    let mut some = plan.clone();
    some["amount"] = json!("10.00");
    let (status, refused) = app.post(&second, &app.agent, some).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["details"]["field"], "amount");
    // Nor can a discount take what the plan expects.
    let (status, refused) = app
        .post(
            &second,
            &app.agent,
            json!({"kind": "goodwill", "reason": "Sorry", "amount": "5.00"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let plan_id = agreed["document_id"].as_str().unwrap();
    for number in 1..=3 {
        let (status, received) = app
            .post(
                &format!("/api/v1/payment-plans/{plan_id}/instalments/{number}/received"),
                &app.agent,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{received}");
    }
    // The invoice was received once, in full: what C-ACME owes is what it owed less 481.88.
    let (_, ledger) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    let instalments: Vec<&Value> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "payment" && e["invoice_id"] == "INV-A5")
        .collect();
    assert_eq!(instalments.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn nothing_is_given_on_a_dispute_withdrawn_or_closed_while_its_resolution_waited() {
    let app = App::start().await;
    let approver = app.user("approver-ali", Role::Approver).await;
    let before = balance(&app, "C-ACME", "USD").await;
    for end in [
        &["withdrawn"][..],
        &["acknowledged", "investigating", "resolved", "closed"],
    ] {
        let (path, id) = resolutions_of_new_dispute(&app, "INV-A5", 1).await;
        let (status, waiting) = app
            .post(
                &path,
                &app.agent,
                json!({"kind": "goodwill", "reason": "For the trouble", "amount": "150.00"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{waiting}");
        assert_eq!(waiting["status"], "pending_approval");
        for to in end {
            let (status, moved) = app
                .post(
                    &format!("/api/v1/disputes/{id}/transitions"),
                    &app.agent,
                    json!({"to": to}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{moved}");
        }
        let (status, refused) = app
            .post(
                &format!(
                    "/api/v1/resolutions/{}/approve",
                    waiting["id"].as_str().unwrap()
                ),
                &approver,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}");
        assert_eq!(refused["error"]["code"], "not_open");
        // Refusing it is still possible, and gives nothing either.
        let (status, _) = app
            .post(
                &format!(
                    "/api/v1/resolutions/{}/reject",
                    waiting["id"].as_str().unwrap()
                ),
                &approver,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(balance(&app, "C-ACME", "USD").await, before);
    app.stop().await;
}

#[tokio::test]
async fn an_agents_allowance_counts_all_they_give_on_a_dispute_gross_in_its_currency() {
    let app = App::start().await;
    // Goodwill and account credits of 90 each on one dispute claiming 1.00: the first alone is
    // within 100 USD, the next is not.
    let (path, _) = resolutions_of_new_dispute(&app, "INV-A5", 1).await;
    let give = |kind: &str, amount: &str| json!({"kind": kind, "reason": "For the trouble", "amount": amount});
    let (_, first) = app.post(&path, &app.agent, give("goodwill", "90.00")).await;
    assert_eq!(first["status"], "applied", "{first}");
    let (_, second) = app
        .post(&path, &app.agent, give("account_credit", "90.00"))
        .await;
    assert_eq!(second["status"], "pending_approval", "{second}");
    let (_, third) = app.post(&path, &app.agent, give("goodwill", "5.00")).await;
    assert_eq!(third["status"], "pending_approval", "{third}");
    // A correction moving 60 from one line to another gives 120, gross.
    let (path, _) = resolutions_of_new_dispute(&app, "INV-A2", 1).await;
    let (_, moved) = app
        .post(
            &path,
            &app.agent,
            json!({"kind": "corrected_invoice", "reason": "Hours billed on the wrong line",
                   "lines": [{"line_no": 2, "amount": "393.00"}, {"line_no": 3, "amount": "810.00"}]}),
        )
        .await;
    assert_eq!(
        (&moved["status"], &moved["amount"]),
        (&json!("pending_approval"), &json!("120.00")),
        "{moved}"
    );
    // Each currency has its own allowance: 10,000 JPY is within an agent's, 40 KWD is not.
    let (path, _) = resolutions_of_new_dispute(&app, "INV-S3", 1).await;
    let (_, yen) = app
        .post(
            &path,
            &app.agent,
            json!({"kind": "credit_note", "reason": "Seats not used",
                   "lines": [{"line_no": 1, "amount": "10000"}]}),
        )
        .await;
    assert_eq!(yen["status"], "applied", "{yen}");
    let (path, _) = resolutions_of_new_dispute(&app, "INV-D2", 1).await;
    let (_, dinar) = app
        .post(
            &path,
            &app.agent,
            json!({"kind": "credit_note", "reason": "A day not worked",
                   "lines": [{"line_no": 1, "amount": "40.000"}]}),
        )
        .await;
    assert_eq!(dinar["status"], "pending_approval", "{dinar}");
    app.stop().await;
}

#[tokio::test]
async fn no_amount_is_taken_beyond_what_a_business_could_bill() {
    let app = App::start().await;
    let approver = app.user("approver-ali", Role::Approver).await;
    let (path, _) = resolutions_of_new_dispute(&app, "INV-S3", 1).await;
    let before = balance(&app, "C-SORA", "JPY").await;
    for amount in ["99999999999999999999999", "1000000000000", "15676"] {
        let (status, refused) = app
            .post(
                &path,
                &approver,
                json!({"kind": "account_credit", "reason": "Sorry", "amount": amount}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{amount}: {refused}"
        );
        assert_eq!(refused["error"]["details"]["field"], "amount", "{refused}");
    }
    // Up to what the disputed invoice charged, an approver may credit the account.
    let (status, given) = app
        .post(
            &path,
            &approver,
            json!({"kind": "account_credit", "reason": "Sorry", "amount": "15675"}),
        )
        .await;
    assert_eq!(
        (status, &given["status"]),
        (StatusCode::CREATED, &json!("applied"))
    );
    assert_ne!(balance(&app, "C-SORA", "JPY").await, before);
    // A claim too large to be a bill is refused, not stored clamped.
    let (status, refused) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-S3", 1, "99999999999999999999999"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["details"]["field"], "claimed_amount");
    let (status, refused) = app
        .get(
            "/api/v1/disputes?currency=JPY&min_amount=99999999999999999999",
            &app.agent,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    app.stop().await;
}

#[tokio::test]
async fn crediting_an_invoice_line_by_line_in_full_takes_back_exactly_its_tax() {
    let app = App::start().await;
    let approver = app.user("approver-ali", Role::Approver).await;
    // INV-A5: 108.00, 226.60 and 108.00 at 8.875 %, 39.28 of tax; each line's own tax rounds
    // to 9.59, 20.11 and 9.59, which is 39.29.
    let (path, _) = resolutions_of_new_dispute(&app, "INV-A5", 1).await;
    let mut tax = Vec::new();
    for (line_no, amount) in [(1, "108.00"), (2, "226.60"), (3, "108.00")] {
        let (status, applied) = app
            .post(
                &path,
                &approver,
                json!({"kind": "credit_note", "reason": "Not delivered",
                       "lines": [{"line_no": line_no, "amount": amount}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{applied}");
        let (_, note) = app
            .get(
                &format!(
                    "/api/v1/credit-notes/{}",
                    applied["document_id"].as_str().unwrap()
                ),
                &app.auditor,
            )
            .await;
        tax.push(note["tax"].as_str().unwrap().to_owned());
    }
    assert_eq!(tax, ["9.59", "20.11", "9.58"]);
    let (_, ledger) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    let tax_on_a5: Vec<&Value> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["invoice_id"] == "INV-A5")
        .flat_map(|e| e["lines"].as_array().unwrap())
        .filter(|l| l["account"] == "tax_payable")
        .collect();
    assert_eq!(
        tax_on_a5.len(),
        4,
        "the invoice's tax and three credit notes'"
    );
    // Nothing more can be credited on it: not a cent of tax, not a cent of a line.
    let (status, _) = app
        .post(
            &path,
            &approver,
            json!({"kind": "credit_note", "reason": "Again",
                   "lines": [{"line_no": 1, "amount": "0.01"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn the_balance_shown_is_the_balance_every_limit_is_checked_against() {
    // INV-X1 states a total of 181.00 for 150.00 net and 30.00 tax: the customer was billed
    // 181.00, and owes it until it is corrected.
    let export = Export::new(&[
        (
            "customers.csv",
            "C-XTRA,Extra Ltd,ap@extra.example,en,2020-01-01\n",
        ),
        ("contracts.csv", "K-XTRA,C-XTRA,USD,2025-01-01,,30,0,0,20\n"),
        ("prices.csv", "K-XTRA,HOST,150.00,0,2025-01-01,\n"),
        ("deliveries.csv", "D-1,K-XTRA,HOST,2025-01-10,1,hosting\n"),
        (
            "invoices.csv",
            "INV-X1,C-XTRA,K-XTRA,2025-02-01,2025-03-03,USD,150.00,30.00,181.00\n",
        ),
        (
            "invoice_lines.csv",
            "INV-X1,1,charge,HOST,Hosting,2025-01-01,2025-01-31,1,150.00,0,150.00,\n",
        ),
    ]);
    let app = App::start_with(export.path()).await;
    let approver = app.user("approver-ali", Role::Approver).await;
    assert_eq!(balance(&app, "C-XTRA", "USD").await, "181.00");
    let (path, _) = resolutions_of_new_dispute(&app, "INV-X1", 1).await;
    let write_off =
        |amount: &str| json!({"kind": "write_off", "reason": "Uncollectable", "amount": amount});
    // Checked on proposal as it would be on approval: 181.01 is more than is owed.
    let (status, refused) = app.post(&path, &app.agent, write_off("181.01")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "181.01 is more than invoice INV-X1 has open (181.00)"
    );
    let (status, all) = app.post(&path, &app.agent, write_off("181.00")).await;
    assert_eq!(status, StatusCode::CREATED, "{all}");
    let (status, approved) = app
        .post(
            &format!(
                "/api/v1/resolutions/{}/approve",
                all["id"].as_str().unwrap()
            ),
            &approver,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(balance(&app, "C-XTRA", "USD").await, "0.00");
    app.stop().await;
}

#[tokio::test]
async fn a_user_is_one_identity_whatever_their_tokens_and_no_name_makes_two_people_one() {
    let app = App::start().await;
    // A second person cannot be given a token under an id already taken.
    let taken = app
        .redress
        .people()
        .create_user_with_token("agent-ana", "Ana Two", Role::Approver, "test")
        .await;
    assert!(taken.is_err());
    // One approver with two tokens is one person: they cannot approve their own proposal with
    // the other token.
    let first = app.user("approver-ali", Role::Approver).await;
    let second = app
        .redress
        .people()
        .create_token("approver-ali", "test")
        .await
        .unwrap();
    let (path, _) = resolutions_of_new_dispute(&app, "INV-A5", 1).await;
    let (_, waiting) = app
        .post(
            &path,
            &first,
            json!({"kind": "write_off", "reason": "Uncollectable", "amount": "10.00"}),
        )
        .await;
    assert_eq!(waiting["status"], "pending_approval", "{waiting}");
    assert_eq!(waiting["proposed_by"], "approver-ali");
    let (status, refused) = app
        .post(
            &format!(
                "/api/v1/resolutions/{}/approve",
                waiting["id"].as_str().unwrap()
            ),
            &second,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["error"]["code"], "own_proposal");
    // Another person's idempotency key is theirs alone: the same key from someone else acts
    // anew, and is never given the first person's answer.
    let other = app.user("agent-bea", Role::Agent).await;
    let body = dispute("INV-A4", 2, "10.00");
    let (status, ana, _) = app
        .post_keyed("/api/v1/disputes", &app.agent, "mail-1", body.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, bea, replayed) = app
        .post_keyed("/api/v1/disputes", &other, "mail-1", body)
        .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false));
    assert_ne!(ana["id"], bea["id"]);
    assert_eq!(bea["taken_by"], "agent-bea");
    app.stop().await;
}

/// Whether the test runs on PostgreSQL.
fn on_postgres() -> bool {
    std::env::var("REDRESS_TEST_BACKEND").as_deref() == Ok("postgres")
}

#[tokio::test]
async fn a_request_cut_off_before_its_answer_is_kept_changes_nothing_and_its_retry_acts_once() {
    let app = App::start().await;
    // The database fails as the answer is kept: as if the server were killed there.
    let fail = if on_postgres() {
        vec![
            "CREATE FUNCTION cut_off() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'cut off'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER cut_off BEFORE UPDATE ON idempotency_keys FOR EACH ROW \
             WHEN (NEW.response IS NOT NULL) EXECUTE FUNCTION cut_off()",
        ]
    } else {
        vec![
            "CREATE TRIGGER cut_off BEFORE UPDATE ON idempotency_keys \
             WHEN NEW.response IS NOT NULL BEGIN SELECT RAISE(ABORT, 'cut off'); END",
        ]
    };
    assert!(app.db.raw(&fail).iter().all(Result::is_ok));
    let body = dispute("INV-A4", 2, "10.00");
    let (status, failed, _) = app
        .post_keyed("/api/v1/disputes", &app.agent, "mail-42", body.clone())
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{failed}");
    let (_, page) = app
        .get("/api/v1/disputes?customer=C-ACME", &app.agent)
        .await;
    assert_eq!(page["disputes"], json!([]), "nothing was opened");
    // The database is back: the retry acts, once, and its retry is answered the same.
    let heal: &[&str] = if on_postgres() {
        &[
            "DROP TRIGGER cut_off ON idempotency_keys",
            "DROP FUNCTION cut_off()",
        ]
    } else {
        &["DROP TRIGGER cut_off"]
    };
    assert!(app.db.raw(heal).iter().all(Result::is_ok));
    let (status, first, replayed) = app
        .post_keyed("/api/v1/disputes", &app.agent, "mail-42", body.clone())
        .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{first}");
    let (status, again, replayed) = app
        .post_keyed("/api/v1/disputes", &app.agent, "mail-42", body)
        .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true));
    assert_eq!(again, first);
    let (_, page) = app
        .get("/api/v1/disputes?customer=C-ACME", &app.agent)
        .await;
    assert_eq!(page["disputes"].as_array().unwrap().len(), 1);
    // A proposal cut off the same way posts nothing, and its retry posts once.
    let approver = app.user("approver-ali", Role::Approver).await;
    let path = format!(
        "/api/v1/disputes/{}/resolutions",
        first["id"].as_str().unwrap()
    );
    assert!(app.db.raw(&fail).iter().all(Result::is_ok));
    let credit = json!({"kind": "credit_note", "reason": "Billed twice",
                        "lines": [{"line_no": 2, "amount": "10.00"}]});
    let before = balance(&app, "C-ACME", "USD").await;
    let (status, _, _) = app
        .post_keyed(&path, &approver, "credit-1", credit.clone())
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(balance(&app, "C-ACME", "USD").await, before);
    assert!(app.db.raw(heal).iter().all(Result::is_ok));
    for replay in [false, true] {
        let (status, applied, replayed) = app
            .post_keyed(&path, &approver, "credit-1", credit.clone())
            .await;
        assert_eq!(
            (status, replayed),
            (StatusCode::CREATED, replay),
            "{applied}"
        );
    }
    assert_ne!(balance(&app, "C-ACME", "USD").await, before);
    let (_, ledger) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    let credit_notes = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "credit_note")
        .count();
    assert_eq!(credit_notes, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_cursor_that_hides_a_nul_is_refused_as_a_cursor_not_failed_as_a_database_error() {
    let app = App::start().await;
    let (status, refused) = app.get("/api/v1/disputes?cursor=001f00", &app.agent).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["details"]["field"], "cursor");
    app.stop().await;
}

#[tokio::test]
async fn a_user_disabled_after_their_token_was_checked_changes_nothing_more() {
    let app = App::start().await;
    let (status, first) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A4", 2, "10.00"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let id = first["id"].as_str().unwrap().to_owned();
    // Disabled behind the server's back, while it still holds the token as checked.
    let disabled = app
        .db
        .raw(&["UPDATE users SET disabled_at = '2026-12-06T00:00:00Z' WHERE id = 'agent-ana'"]);
    assert!(disabled.iter().all(Result::is_ok), "{disabled:?}");
    let (status, refused) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A4", 3, "10.00"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, refused, _) = app
        .post_keyed(
            "/api/v1/disputes",
            &app.agent,
            "mail-9",
            dispute("INV-A4", 3, "10.00"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, refused) = app
        .post(
            &format!("/api/v1/disputes/{id}/transitions"),
            &app.agent,
            json!({"to": "acknowledged"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (_, page) = app
        .get("/api/v1/disputes?customer=C-ACME", &app.auditor)
        .await;
    assert_eq!(page["disputes"].as_array().unwrap().len(), 1);
    assert_eq!(page["disputes"][0]["status"], "open");
    app.stop().await;
}
