//! A dispute taken on the phone from the desk's form, as a browser without scripts does: the
//! invoice found by a plain GET form, its lines offered, the dispute opened and verified, and
//! the agent taken to its case. Runs on the backend `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::Desk;
use reqwest::StatusCode;

#[tokio::test]
async fn an_agent_finds_the_invoice_opens_a_dispute_of_a_line_and_lands_on_its_case() {
    let desk = Desk::start().await;
    let session = desk.sign_in("ana@example.com").await;
    let unknown = desk.get("/disputes/new?invoice=INV-NOPE", &session).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("No invoice has the id INV-NOPE"));
    let found = desk.get("/disputes/new?invoice=INV-A3", &session).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.body.contains("id=\"line-1\""),
        "the invoice's lines are offered"
    );
    let csrf = found.csrf();
    let fields = |claimed: &'static str, narrative: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("invoice", "INV-A3".to_owned()),
            ("line", "1".to_owned()),
            ("reason", "wrong_price".to_owned()),
            ("claimed", claimed.to_owned()),
            ("channel", "phone".to_owned()),
            ("narrative", narrative.to_owned()),
        ]
    };
    let refused_fields = fields("12.345", "");
    let refused_fields: Vec<(&str, &str)> = refused_fields
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let refused = desk
        .post("/disputes", Some(&session), &refused_fields, &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("There is a problem"));
    assert!(refused.body.contains("href=\"#claimed\""));
    assert!(refused.body.contains("href=\"#narrative\""));
    let good = fields("20.00", "We agreed 90 a month for hosting, you billed 100.");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let opened = desk.post("/disputes", Some(&session), &good, &[]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let case_path = opened.location().to_owned();
    assert!(case_path.starts_with("/disputes/DSP-") && case_path.contains("done=opened"));
    let case = desk.get(&case_path, &session).await;
    assert!(
        case.body
            .contains("We agreed 90 a month for hosting, you billed 100.")
    );
    assert!(case.body.contains("Dispute opened and verified"));
    desk.stop().await;
}

#[tokio::test]
async fn checking_first_shows_what_verifying_the_dispute_finds_and_saves_nothing() {
    let desk = Desk::start().await;
    let session = desk.sign_in("ana@example.com").await;
    let found = desk.get("/disputes/new?invoice=INV-A3", &session).await;
    let count = || async {
        desk.redress
            .disputes()
            .list(&Default::default(), Default::default(), 200, None)
            .await
            .unwrap()
            .unwrap()
            .disputes
            .len()
    };
    let before = count().await;
    let csrf = found.csrf();
    let checked = desk
        .post(
            "/disputes",
            Some(&session),
            &[
                ("csrf", csrf.as_str()),
                ("invoice", "INV-A3"),
                ("line", "2"),
                ("reason", "late_fee"),
                ("claimed", "35.00"),
                ("channel", "phone"),
                ("narrative", "The late fee is too high."),
                ("act", "check"),
            ],
            &[],
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(
        checked
            .body
            .contains("What the records show (nothing saved yet)"),
        "{}",
        checked.body
    );
    // The worked example's late fee on INV-A3 is above what the contract allows.
    assert!(
        checked.body.contains("class=\"finding\""),
        "{}",
        checked.body
    );
    assert!(
        checked.body.contains("value=\"The late fee is too high.\"")
            || checked
                .body
                .contains(">The late fee is too high.</textarea>"),
        "what was typed is kept"
    );
    assert_eq!(count().await, before, "checking saves nothing");
    desk.stop().await;
}

#[tokio::test]
async fn an_invoice_id_looked_up_as_it_is_typed_is_no_error_until_it_is_whole() {
    let desk = Desk::start().await;
    let session = desk.sign_in("ana@example.com").await;
    let partial = desk
        .get_with(
            "/disputes/new?invoice=INV-A",
            Some(&session),
            &[("hx-request", "true")],
        )
        .await;
    assert_eq!(
        partial.status,
        StatusCode::OK,
        "htmx swaps in only what answers 200"
    );
    assert!(
        partial
            .body
            .contains("No invoice has the id INV-A yet: keep typing")
    );
    assert!(
        !partial.body.contains("There is a problem"),
        "no error summary while typing"
    );
    let whole = desk
        .get_with(
            "/disputes/new?invoice=INV-A3",
            Some(&session),
            &[("hx-request", "true")],
        )
        .await;
    assert_eq!(whole.status, StatusCode::OK);
    assert!(
        whole.body.contains("id=\"line-1\""),
        "the lines are offered at once"
    );
    // Without scripts, the same address is the plain form's: an unknown id is an error.
    let plain = desk.get("/disputes/new?invoice=INV-A", &session).await;
    assert_eq!(plain.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain.body.contains("There is a problem"));
    desk.stop().await;
}
