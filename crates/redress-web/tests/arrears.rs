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
    desk.import_half_price().await;
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
            &[
                ("csrf", &csrf),
                ("option", "compromise"),
                ("waived", "half"),
            ],
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
    assert!(
        incomplete.body.contains("value=\"half\""),
        "what was typed is kept"
    );
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
    assert!(
        page.body.contains(">Awaiting approval</strong>"),
        "{}",
        page.body
    );
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
        page.body.contains(
            "The compromise was approved: the part waived is forgone and the rest billed."
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Settled</strong>"));
    assert!(
        page.body
            .contains("<dt>Compromise decided by</dt><dd>olu@example.com</dd>")
    );
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

/// A billing-data directory of its own, removed when dropped.
struct ExportDir(std::path::PathBuf);

impl Drop for ExportDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The half-price export with Orta Café billed half price in June too (the price set-up of
/// `POS` a systemic issue at two customers) and, with `july`, July's invoices: the bakery
/// still billed half price, Orta billed right.
fn half_price_export(july: bool) -> (ExportDir, redress_domain::BillingData) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "redress-arrears-{}-{nanos}-{july}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    edit(
        "invoice_lines.csv",
        "June\",2025-06-01,2025-06-30,1,240.00,0,240.00,",
        "June\",2025-06-01,2025-06-30,1,120.00,0,120.00,",
    );
    edit(
        "invoices.csv",
        "INV-O6,C-ORTA,K-ORTA,2025-07-01,2025-07-28,EUR,240.00,48.00,288.00",
        "INV-O6,C-ORTA,K-ORTA,2025-07-01,2025-07-28,EUR,120.00,24.00,144.00",
    );
    edit(
        "payments.csv",
        "P-O6,INV-O6,2025-07-20,288.00",
        "P-O6,INV-O6,2025-07-20,144.00",
    );
    if july {
        let append = |file: &str, rows: &[&str]| {
            let path = dir.join(file);
            let mut text = std::fs::read_to_string(&path).unwrap();
            for row in rows {
                text.push_str(row);
                text.push('\n');
            }
            std::fs::write(&path, text).unwrap();
        };
        append(
            "invoices.csv",
            &[
                "INV-H7,C-HALV,K-HALV,2025-08-01,2025-08-28,EUR,120.00,24.00,144.00",
                "INV-O7,C-ORTA,K-ORTA,2025-08-01,2025-08-28,EUR,240.00,48.00,288.00",
            ],
        );
        append(
            "invoice_lines.csv",
            &[
                "INV-H7,1,charge,POS,\"Point-of-sale licence, July\",2025-07-01,2025-07-31,1,120.00,0,120.00,",
                "INV-O7,1,charge,POS,\"Point-of-sale licence, July\",2025-07-01,2025-07-31,1,240.00,0,240.00,",
            ],
        );
        append(
            "deliveries.csv",
            &[
                "D-H07,K-HALV,POS,2025-07-15,1,point-of-sale licence",
                "D-O07,K-ORTA,POS,2025-07-15,1,point-of-sale licence",
            ],
        );
    }
    let data = read_billing_data(&dir, &NoProgress).unwrap();
    (ExportDir(dir), data)
}

/// The text of the element with the id `id` (its tags left in).
fn by_id<'p>(body: &'p str, id: &str) -> &'p str {
    desk::between(body, &format!("id=\"{id}\">"), "</p>").unwrap_or_else(|| panic!("#{id}: {body}"))
}

#[tokio::test]
async fn an_arrears_case_and_a_systemic_issue_say_whether_invoices_since_still_carry_their_error() {
    let desk = Desk::start().await;
    let (_june, data) = half_price_export(false);
    desk.redress.billing().import(data, "test").await.unwrap();
    let admin = desk.sign_in("root@example.com").await;
    let audit = desk.get("/audit", &admin).await;
    let run = |csrf: String| {
        let (desk, admin) = (&desk, &admin);
        async move {
            let ran = desk
                .post("/audit", Some(admin), &[("csrf", &csrf)], &[])
                .await;
            assert_eq!(ran.status, StatusCode::SEE_OTHER, "{}", ran.body);
        }
    };
    run(audit.csrf()).await;
    let cases = desk.redress.cases().list(None).await.unwrap();
    let of = |customer: &str| {
        cases
            .iter()
            .find(|c| c.customer_id == customer)
            .unwrap()
            .id
            .clone()
    };
    let (bakery, orta) = (of("C-HALV"), of("C-ORTA"));
    let page = desk.get(&format!("/arrears/{bakery}"), &admin).await;
    assert_eq!(
        by_id(&page.body, "follow-up"),
        "<strong class=\"tag tag--info\">No invoice since yet</strong> No invoice for a period after 30 Jun 2025 has been checked yet."
    );

    // July imported: not checked until the audit runs again, and the page says so.
    let (_july, data) = half_price_export(true);
    desk.redress.billing().import(data, "test").await.unwrap();
    let page = desk.get(&format!("/arrears/{bakery}"), &admin).await;
    assert!(
        page.body.contains(
            "1 invoice imported since the latest audit is not checked yet: run the audit again to check it."
        ),
        "{}",
        page.body
    );
    run(page.csrf()).await;

    // The bakery is still billed half price; Orta is billed right.
    let page = desk.get(&format!("/arrears/{bakery}"), &admin).await;
    assert_eq!(
        by_id(&page.body, "follow-up"),
        "<strong class=\"tag tag--bad\">Still wrong</strong> INV-H7 (1 Jul 2025 to 31 Jul 2025) carries the same error (1 of 1 invoice checked since 30 Jun 2025)."
    );
    assert!(!page.body.contains("not checked yet"), "{}", page.body);
    let page = desk.get(&format!("/arrears/{orta}"), &admin).await;
    assert_eq!(
        by_id(&page.body, "follow-up"),
        "<strong class=\"tag tag--ok\">Corrected</strong> 1 invoice since 30 Jun 2025 checked, none carries it."
    );

    // On the audit page, the price set-up of POS: one of its two customers still billed wrong.
    let audit = desk.get("/audit", &admin).await;
    let issue = desk::between(&audit.body, "price mismatch on POS</h3>", "</section>")
        .unwrap_or_else(|| panic!("{}", audit.body));
    assert!(
        issue.contains(
            "<strong class=\"tag tag--bad\">Still wrong</strong> INV-H7 of C-HALV (1 Jul 2025 to 31 Jul 2025) carries the same error (1 of 2 invoices checked since 30 Jun 2025, at 1 of the 2 customers it affects)."
        ),
        "{issue}"
    );
    desk.stop().await;
}
