//! The books and the audit over HTTP, as a browser without scripts uses them: a customer's
//! page with their ledger, the documents Redress issued, the audit page and an arrears case's
//! briefing and steps. Runs on the backend `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::{Desk, between, unescape};
use redress_domain::resolution::ResolutionKind;
use reqwest::StatusCode;

const AGENT: &str = "ana@example.com";
const ADMIN: &str = "root@example.com";

/// The balance column's words of the ledger table in `currency`, last row first.
fn balances(body: &str, currency: &str) -> Vec<String> {
    let table = between(body, &format!("id=\"ledger-{currency}\""), "</table>")
        .expect("a ledger table in the currency");
    let body = between(table, "<tbody>", "</tbody>").unwrap();
    body.split("<tr>")
        .skip(1)
        .filter_map(|row| row.rsplit("<data value=\"").next())
        .filter_map(|cell| between(cell, "\">", "</data>"))
        .map(unescape)
        .collect()
}

#[tokio::test]
async fn a_customers_ledger_shows_their_invoices_and_payments_with_the_balance_in_words_matching_its_sign()
 {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let page = desk.get("/customers/C-ACME", &session).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert_eq!(
        page.title(),
        "Acme Logistics, Inc.: customer C-ACME – Redress"
    );
    assert_eq!(body.matches("<h1>").count(), 1);
    assert!(body.contains("<h1>Acme Logistics, Inc.</h1>"), "{body}");
    assert!(body.contains("href=\"/queue?customer=C-ACME\""), "{body}");
    for header in ["Date", "Document", "Charges", "Payments/credits", "Balance"] {
        assert!(
            body.contains(&format!(">{header}</th>")),
            "{header}: {body}"
        );
    }
    assert!(body.contains("<caption id=\"ledger-USD\">Ledger in USD: "));
    assert!(body.contains("Invoice INV-A1"), "its invoices: {body}");
    assert!(body.contains("Payment "), "its payments: {body}");
    assert!(body.contains("<time datetime=\"2025-"), "{body}");
    // Each running balance says its sign in words, the same as its value's sign.
    let ledger = desk
        .redress
        .books()
        .ledger("C-ACME")
        .await
        .unwrap()
        .unwrap();
    let owed = ledger
        .balances
        .iter()
        .find(|m| m.currency.code() == "USD")
        .unwrap();
    let words = balances(body, "USD");
    assert!(!words.is_empty());
    for shown in &words {
        assert!(
            shown == "Settled" || shown.ends_with(" owed") || shown.ends_with(" in credit"),
            "{shown}"
        );
        assert!(shown.starts_with("USD ") || shown == "Settled", "{shown}");
    }
    let last = words.last().unwrap();
    let expected = if owed.amount > redress_domain::Decimal::ZERO {
        "owed"
    } else if owed.amount < redress_domain::Decimal::ZERO {
        "in credit"
    } else {
        "Settled"
    };
    assert!(last.ends_with(expected), "{last} for {}", owed.amount);
    assert!(
        body.contains(&format!(
            "Balance in USD</dt><dd><data value=\"{}\"",
            owed.currency.format(owed.amount)
        )),
        "{body}"
    );
    let missing = desk.get("/customers/C-NOBODY", &session).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    desk.stop().await;
}

#[tokio::test]
async fn after_an_approved_credit_note_the_ledger_shows_it_and_its_page_shows_its_lines() {
    let desk = Desk::start().await;
    let (_, note) = desk
        .resolve("DSP-4", ResolutionKind::CreditNote, (4, "10.00"), true)
        .await;
    let note_id = note.expect("a credit note was issued");
    let session = desk.sign_in(AGENT).await;
    let ledger = desk.get("/customers/C-ACME", &session).await;
    assert!(
        ledger.body.contains(&format!(
            "Credit note <a href=\"/credit-notes/{note_id}\">{note_id}</a>"
        )),
        "{}",
        ledger.body
    );
    let note = desk
        .get(&format!("/credit-notes/{note_id}"), &session)
        .await;
    assert_eq!(note.status, StatusCode::OK, "{}", note.body);
    let body = &note.body;
    assert_eq!(note.title(), format!("Credit note {note_id} – Redress"));
    assert!(body.contains("<th scope=\"row\">Line 4</th>"), "{body}");
    assert!(
        body.contains("<data value=\"10.00\">USD 10.00</data>"),
        "{body}"
    );
    // 10.00 net and 0.89 tax at the contract's 8.875 %.
    assert!(
        body.contains("<data value=\"10.89\">USD 10.89</data>"),
        "{body}"
    );
    assert!(body.contains("API calls were billed above the contract price"));
    assert!(body.contains("Credits invoice</dt><dd>INV-A1"), "{body}");
    assert!(
        body.contains("class=\"print-only\""),
        "its reference when printed"
    );
    let missing = desk.get("/credit-notes/CN-NONE", &session).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    desk.stop().await;
}

#[tokio::test]
async fn the_audit_page_lists_the_arrears_cases_after_finding_them_and_a_non_writer_cannot_run_it()
{
    let desk = Desk::start().await;
    desk.import_half_price().await;
    let admin = desk.sign_in(ADMIN).await;
    let before = desk.get("/audit", &admin).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("<h1>Audit and arrears</h1>"));
    assert!(
        before.body.contains("No arrears case is open"),
        "{}",
        before.body
    );
    assert!(
        before.body.contains("<a href=\"/audit\">Audit</a>"),
        "in the navigation"
    );
    // An auditor may read but not run it: the form is not offered, and a POST is refused.
    desk.redress
        .people()
        .create_user(
            "aud@example.com",
            "Ali Auditor",
            redress_domain::Role::Auditor,
            desk::PASSWORD,
            "test",
        )
        .await
        .unwrap();
    let auditor = desk.sign_in("aud@example.com").await;
    let read_only = desk.get("/audit", &auditor).await;
    assert!(!read_only.body.contains("Run the audit now"));
    let csrf = read_only.csrf();
    let refused = desk
        .post("/audit", Some(&auditor), &[("csrf", &csrf)], &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.title().starts_with("Error: "),
        "{}",
        refused.title()
    );
    assert!(
        refused.body.contains("may read but not change anything"),
        "{}",
        refused.body
    );
    assert!(desk.redress.cases().list(None).await.unwrap().is_empty());
    // The admin runs it.
    let csrf = before.csrf();
    let ran = desk
        .post("/audit", Some(&admin), &[("csrf", &csrf)], &[])
        .await;
    assert_eq!(ran.status, StatusCode::SEE_OTHER, "{}", ran.body);
    assert_eq!(ran.location(), "/audit?done=audited");
    let after = desk.get(ran.location(), &admin).await;
    assert!(
        after.body.contains("role=\"status\">The audit ran"),
        "{}",
        after.body
    );
    let cases = desk.redress.cases().list(None).await.unwrap();
    assert!(!cases.is_empty());
    for case in &cases {
        assert!(
            after
                .body
                .contains(&format!("<a href=\"/arrears/{}\">", case.id)),
            "{}: {}",
            case.id,
            after.body
        );
    }
    assert!(
        after
            .body
            .contains("<data value=\"864.00\">EUR 864.00</data>"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Systemic issues ("));
    desk.stop().await;
}

#[tokio::test]
async fn an_arrears_cases_briefing_shows_the_items_and_the_options_and_an_agent_offers_it_and_records_a_choice()
 {
    let desk = Desk::start().await;
    desk.import_half_price().await;
    let work = desk
        .redress
        .cases()
        .prepare_find(&desk.admin)
        .await
        .unwrap();
    let found = desk.redress.perform(work).await.unwrap();
    let case = found
        .opened
        .iter()
        .find(|c| c.customer_id == "C-HALV")
        .expect("a case for the customer billed at half price");
    let path = format!("/arrears/{}", case.id);
    let session = desk.sign_in(AGENT).await;
    let page = desk.get(&path, &session).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert_eq!(body.matches("<h1>").count(), 1);
    assert!(body.contains("Halvorsen Bakeri AS"));
    assert!(
        body.contains("<dt>Paid on time</dt>"),
        "the customer's punctuality is in the briefing"
    );
    assert!(
        body.contains("INV-H1 line 1: billed at 120.00 a unit, the contract&#39;s price is 240.00")
            || body.contains(
                "INV-H1 line 1: billed at 120.00 a unit, the contract&#x27;s price is 240.00"
            ),
        "{body}"
    );
    assert_eq!(
        body.matches("<th scope=\"row\" class=\"reason\">").count(),
        6
    );
    assert!(
        body.contains("<data value=\"720.00\">EUR 720.00</data>"),
        "net: {body}"
    );
    assert!(
        body.contains("<data value=\"144.00\">EUR 144.00</data>"),
        "tax: {body}"
    );
    assert!(
        body.contains("<data value=\"864.00\">EUR 864.00</data>"),
        "total: {body}"
    );
    assert!(
        body.contains("Customer since</dt><dd><time datetime=\"2021-09-01\""),
        "{body}"
    );
    let order: Vec<usize> = [
        "On the next invoice.",
        "On an invoice of its own.",
        "A payment plan.",
        "A compromise.",
        "Waive it all.",
    ]
    .iter()
    .map(|name| {
        body.find(&format!("<strong>{name}</strong>"))
            .unwrap_or_else(|| panic!("{name}: {body}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "in the order to offer them"
    );
    assert!(
        body.contains("Costs the business: EUR 720.00 of revenue forgone"),
        "{body}"
    );
    // Choosing before offering is not offered; the offer needs a note.
    assert!(
        !body.contains(&format!("action=\"{path}/choice\"")),
        "{body}"
    );
    let csrf = page.csrf();
    let empty = desk
        .post(
            &format!("{path}/offer"),
            Some(&session),
            &[("csrf", &csrf), ("note", "  ")],
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.title().starts_with("Error: "));
    assert!(empty.body.contains("There is a problem"));
    assert!(
        empty
            .body
            .contains("<a href=\"#note\">Say how the customer was contacted")
    );
    let offered = desk
        .post(
            &format!("{path}/offer"),
            Some(&session),
            &[
                ("csrf", &csrf),
                (
                    "note",
                    "Called Kari on 1 Dec, explained the six months at half price",
                ),
            ],
            &[],
        )
        .await;
    assert_eq!(offered.status, StatusCode::SEE_OTHER, "{}", offered.body);
    assert_eq!(offered.location(), format!("{path}?done=offered"));
    let page = desk.get(offered.location(), &session).await;
    assert!(
        page.body
            .contains("The offer to the customer was recorded.")
    );
    assert!(page.body.contains("Called Kari on 1 Dec"));
    assert!(page.body.contains(">Offered</strong>"));
    // A plan without its terms: each field says what it needs, the choice kept.
    let incomplete = desk
        .post(
            &format!("{path}/choice"),
            Some(&session),
            &[
                ("csrf", &csrf),
                ("option", "payment_plan"),
                ("instalments", "one"),
                ("first_due_on", ""),
            ],
            &[],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(incomplete.body.contains("<a href=\"#instalments\">"));
    assert!(incomplete.body.contains("<a href=\"#first_due_on\">"));
    assert!(incomplete.body.contains("value=\"payment_plan\" checked"));
    let chosen = desk
        .post(
            &format!("{path}/choice"),
            Some(&session),
            &[
                ("csrf", &csrf),
                ("option", "payment_plan"),
                ("instalments", "6"),
                ("first_due_on", "2026-01-15"),
            ],
            &[],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    let page = desk.get(chosen.location(), &session).await;
    assert!(
        page.body
            .contains("The customer&#39;s choice was recorded.")
            || page
                .body
                .contains("The customer&#x27;s choice was recorded."),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Settled</strong>"), "{}", page.body);
    let settled = desk.redress.cases().get(&case.id).await.unwrap().unwrap();
    let invoice = settled.document_id.expect("an arrears invoice");
    assert!(
        page.body
            .contains(&format!("<a href=\"/issued-invoices/{invoice}\">"))
    );
    // The invoice is on its page and in the ledger, with the plan.
    let issued = desk
        .get(&format!("/issued-invoices/{invoice}"), &session)
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert!(
        issued
            .body
            .contains("<data value=\"864.00\">EUR 864.00</data>")
    );
    let customer = desk.get("/customers/C-HALV", &session).await;
    assert!(
        customer
            .body
            .contains(&format!("<a href=\"/issued-invoices/{invoice}\">")),
        "{}",
        customer.body
    );
    assert!(customer.body.contains("Payment plans"));
    assert!(
        customer.body.contains("<time datetime=\"2026-01-15\""),
        "{}",
        customer.body
    );
    desk.stop().await;
}

#[tokio::test]
async fn an_agent_makes_a_portal_link_for_a_customer_sees_it_once_and_revokes_it() {
    let desk = Desk::start().await;
    let agent = desk.sign_in(AGENT).await;
    let page = desk.get("/customers/C-ACME", &agent).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Portal links"), "{}", page.body);
    let made = desk
        .post(
            "/customers/C-ACME/portal-links",
            Some(&agent),
            &[("csrf", &page.csrf())],
            &[],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert!(
        made.body.contains("it is shown only this once"),
        "{}",
        made.body
    );
    let url = made
        .body
        .split("id=\"new-link\" type=\"text\" readonly value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the new link is shown")
        .to_owned();
    assert!(url.contains("/portal/"), "{url}");
    let links = desk.redress.portal().links_of("C-ACME").await.unwrap();
    let link = links.first().expect("the link is kept").clone();
    assert!(made.body.contains("Works until"), "{}", made.body);
    // Shown once: the page read again lists it without its address.
    let again = desk.get("/customers/C-ACME", &agent).await;
    let token = url.rsplit('/').next().unwrap();
    assert!(!again.body.contains(token), "the token is not shown again");

    let revoked = desk
        .post(
            &format!("/customers/C-ACME/portal-links/{}/revoke", link.id),
            Some(&agent),
            &[("csrf", &again.csrf())],
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let after = desk.get(revoked.location(), &agent).await;
    assert!(
        after.body.contains("The link was revoked"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Revoked on"), "{}", after.body);
    let stored = desk.redress.portal().links_of("C-ACME").await.unwrap();
    assert!(
        stored
            .iter()
            .find(|l| l.id == link.id)
            .unwrap()
            .revoked_at
            .is_some()
    );
    // Another customer's link is not revoked from this customer's page.
    let other = desk
        .post(
            &format!("/customers/C-SORA/portal-links/{}/revoke", link.id),
            Some(&agent),
            &[("csrf", &after.csrf())],
            &[],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    desk.stop().await;
}
