//! An arrears case on the desk, as a browser without scripts uses it: a compromise recorded
//! with its amount and billing (its errors shown by their fields) and approved by someone
//! else. Runs on the backend `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::Desk;
use redress_import::{NoProgress, read_billing_data};
use reqwest::StatusCode;

const AGENT: &str = "ana@example.com";
const APPROVER: &str = "olu@example.com";

/// The half-price example imported beside the worked example and audited: the bakery's case
/// (720.00 EUR net under-billed over six months, 864.00 with tax).
async fn half_price_case(desk: &Desk) -> String {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    desk.redress
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    let work = desk
        .redress
        .cases()
        .prepare_find(&desk.admin)
        .await
        .unwrap();
    let found = desk.redress.perform(work).await.unwrap();
    found
        .opened
        .iter()
        .find(|c| c.customer_id == "C-HALV")
        .expect("a case for the customer billed at half price")
        .id
        .clone()
}

#[tokio::test]
async fn a_compromise_is_recorded_with_its_amount_and_billing_and_approved_by_someone_else_bills_the_rest()
 {
    let desk = Desk::start().await;
    let id = half_price_case(&desk).await;
    let path = format!("/arrears/{id}");
    let agent = desk.sign_in(AGENT).await;
    let page = desk.get(&path, &agent).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The briefing offers it, with what it costs the business, and it can be recorded.
    assert!(
        page.body.contains(
            "<strong>A compromise.</strong> Part of the EUR 720.00 net waived, the rest billed"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Costs the business: The part waived (and the tax on it never charged): half would cost EUR 360.00 of revenue."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Not recordable"), "{}", page.body);
    let csrf = page.csrf();
    let offered = desk
        .post(
            &format!("{path}/offer"),
            Some(&agent),
            &[("csrf", &csrf), ("note", "Called the owner")],
            &[],
        )
        .await;
    assert_eq!(offered.status, StatusCode::SEE_OTHER, "{}", offered.body);
    let page = desk.get(&path, &agent).await;
    assert!(
        page.body.contains("value=\"compromise\""),
        "the choice form offers it: {}",
        page.body
    );

    // Without its terms: each field says what it needs, the choice kept.
    let choice = format!("{path}/choice");
    let incomplete = desk
        .post(
            &choice,
            Some(&agent),
            &[("csrf", &csrf), ("option", "compromise"), ("waived", "half")],
            &[],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(incomplete.title().starts_with("Error: "));
    assert!(
        incomplete
            .body
            .contains("<a href=\"#waived\">Enter the net amount waived, above zero, as 360.00</a>"),
        "{}",
        incomplete.body
    );
    assert!(
        incomplete
            .body
            .contains("<a href=\"#billing\">Choose how the rest is billed"),
        "{}",
        incomplete.body
    );
    assert!(incomplete.body.contains("id=\"waived-error\""));
    assert!(incomplete.body.contains("id=\"billing-error\""));
    assert!(incomplete.body.contains("value=\"compromise\" checked"));
    assert!(incomplete.body.contains("value=\"half\""), "what was typed is kept");
    // All of it is no compromise: the service says so, by the amount's field.
    let all = desk
        .post(
            &choice,
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("option", "compromise"),
                ("waived", "720.00"),
                ("billing", "next_invoice"),
            ],
            &[],
        )
        .await;
    assert_eq!(all.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", all.body);
    assert!(
        all.body.contains(
            "<a href=\"#waived\">The amount waived must be below the arrears&#39; net total of 720.00 EUR"
        ) || all.body.contains(
            "<a href=\"#waived\">The amount waived must be below the arrears&#x27; net total of 720.00 EUR"
        ),
        "{}",
        all.body
    );
    assert!(all.body.contains("value=\"next_invoice\" checked"));

    // 100.00 waived, the rest with the next invoice: it waits for an approver.
    let chosen = desk
        .post(
            &choice,
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("option", "compromise"),
                ("waived", "100.00"),
                ("billing", "next_invoice"),
            ],
            &[],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    let page = desk.get(chosen.location(), &agent).await;
    assert!(page.body.contains(">Awaiting approval</strong>"), "{}", page.body);
    assert!(
        page.body
            .contains("<dt>Waived, net</dt><dd><data value=\"100.00\">EUR 100.00</data>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "<dt>Billed, net</dt><dd><data value=\"620.00\">EUR 620.00</data> and its tax, on the next invoice"
        ),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(&format!("action=\"{path}/waiver\"")),
        "an agent does not decide"
    );

    // An approver decides it.
    let approver = desk.sign_in(APPROVER).await;
    let page = desk.get(&path, &approver).await;
    assert!(
        page.body.contains(
            "The customer asked to have EUR 100.00 of the EUR 720.00 net waived, and the rest, EUR 620.00 and its tax, billed on the next invoice"
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains("Decide on the compromise"));
    let csrf = page.csrf();
    let decided = desk
        .post(
            &format!("{path}/waiver"),
            Some(&approver),
            &[("csrf", &csrf), ("decision", "approve")],
            &[],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(
        decided.location(),
        format!("{path}?done=compromise_approved")
    );
    let page = desk.get(decided.location(), &approver).await;
    assert!(
        page.body
            .contains("The compromise was approved: the part waived is forgone and the rest billed."),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Settled</strong>"));
    assert!(page.body.contains("<dt>Compromise decided by</dt><dd>olu@example.com</dd>"));
    let case = desk.redress.cases().get(&id).await.unwrap().unwrap();
    let invoice = case.document_id.expect("the rest is billed");
    assert!(
        page.body
            .contains(&format!("<a href=\"/issued-invoices/{invoice}\">"))
    );
    // 620.00 net and 124.00 tax at 20 %.
    let issued = desk
        .get(&format!("/issued-invoices/{invoice}"), &approver)
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert!(
        issued
            .body
            .contains("<data value=\"744.00\">EUR 744.00</data>"),
        "{}",
        issued.body
    );
    desk.stop().await;
}
