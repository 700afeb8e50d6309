//! Arrears cases settled by a compromise (part waived, the rest billed once a second person
//! approves), and causes followed to their end (whether invoices since a case or a systemic
//! issue was found still carry its error). Runs on the backend `REDRESS_TEST_BACKEND` names,
//! over `fixtures/half-price` (a bakery billed its 240.00 EUR licence at 120.00 for six months:
//! 720.00 net under-billed, at 20 % tax), for the causes with a July imported after.

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::arrears::{ArrearsOption, ArrearsStatus, CompromiseError};
use redress_domain::ledger::{Account, EntryKind, Side};
use redress_domain::resolution::ApprovalError;
use redress_domain::{Decimal, Role};
use redress_import::{NoProgress, read_billing_data};
use redress_service::records::{
    ArrearsCase, ArrearsChoice, ArrearsError, Compromise, CompromiseBilling, FollowUp, StillWrong,
};
use redress_service::{Actor, Redress, ServiceError};
use support::TestDb;

const PASSWORD: &str = "a long enough password";

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A user of `role`, made in the database so that the service lets them act.
async fn user(redress: &Redress, email: &str, role: Role) -> Actor {
    let id = redress
        .people()
        .create_user(email, email, role, PASSWORD, "test")
        .await
        .unwrap();
    Actor {
        id,
        name: email.to_owned(),
        role,
    }
}

/// The half-price export imported and audited: the bakery's case, offered to the customer.
async fn offered_case(redress: &Redress, agent: &Actor) -> ArrearsCase {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    redress
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    let found = redress.cases().find_as_operator("operator").await.unwrap();
    let case = found
        .opened
        .into_iter()
        .find(|c| c.customer_id == "C-HALV")
        .expect("a case for the bakery");
    assert_eq!(
        (case.net, case.tax, case.total),
        (dec("720.00"), dec("144.00"), dec("864.00"))
    );
    redress
        .perform(
            redress
                .cases()
                .offer(agent, &case.id, "Called the owner".to_owned()),
        )
        .await
        .unwrap()
}

async fn done(db: TestDb, redress: Redress) {
    redress.operations().close().await;
    let store = redress_storage::Store::connect(&db.location).await.unwrap();
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_compromise_waits_is_refused_to_its_proposer_and_once_a_second_approver_approves_bills_exactly_the_rest()
 {
    let db = TestDb::new().await;
    let redress = Redress::open(&db.location, Default::default())
        .await
        .unwrap();
    let agent = user(&redress, "agent@example.com", Role::Agent).await;
    let olu = user(&redress, "olu@example.com", Role::Approver).await;
    let ines = user(&redress, "ines@example.com", Role::Approver).await;
    let case = offered_case(&redress, &agent).await;
    let cases = redress.cases();

    // An amount that does not work is refused, and nothing is recorded.
    for (waived, wrong) in [
        ("0", "NotPositive"),
        ("720.00", "NotBelowTotal"),
        ("360.005", "NotInMinorUnits"),
    ] {
        let choice = ArrearsChoice::Compromise {
            waived: dec(waived),
            billing: CompromiseBilling::SeparateInvoice,
        };
        let refused = redress
            .perform(cases.choose(&olu, &case.id, choice))
            .await
            .unwrap_err();
        let ServiceError::Arrears(ArrearsError::Compromise(refused)) = refused else {
            panic!("{waived}: {refused:?}");
        };
        assert!(format!("{refused:?}").starts_with(wrong), "{refused:?}");
        if wrong == "NotBelowTotal" {
            assert!(matches!(
                refused,
                CompromiseError::NotBelowTotal { net, .. } if net == dec("720.00")
            ));
        }
    }
    let unchanged = cases.get(&case.id).await.unwrap().unwrap();
    assert_eq!(unchanged, case);

    // 333.33 waived, the rest on an invoice of its own: recorded by an approver, it waits.
    let choice = ArrearsChoice::Compromise {
        waived: dec("333.33"),
        billing: CompromiseBilling::SeparateInvoice,
    };
    let waiting = redress
        .perform(cases.choose(&olu, &case.id, choice))
        .await
        .unwrap();
    assert_eq!(waiting.status, ArrearsStatus::AwaitingApproval);
    assert_eq!(waiting.choice, Some(ArrearsOption::Compromise));
    let terms = Compromise {
        waived: dec("333.33"),
        billing: CompromiseBilling::SeparateInvoice,
    };
    assert_eq!(waiting.compromise, Some(terms));
    assert_eq!(
        waiting.document_id, None,
        "nothing is billed before approval"
    );
    assert_eq!(cases.get(&case.id).await.unwrap().as_ref(), Some(&waiting));

    // The approver who recorded it may not decide it, nor may an agent.
    let own = redress
        .perform(cases.decide_forgone(&olu, &case.id, true))
        .await
        .unwrap_err();
    assert!(
        matches!(
            own,
            ServiceError::Arrears(ArrearsError::Approval(ApprovalError::OwnProposal(_)))
        ),
        "{own:?}"
    );
    let not_an_approver = redress
        .perform(cases.decide_forgone(&agent, &case.id, true))
        .await
        .unwrap_err();
    assert!(
        matches!(
            not_an_approver,
            ServiceError::Arrears(ArrearsError::Approval(ApprovalError::NotAnApprover(_)))
        ),
        "{not_an_approver:?}"
    );
    let before = redress.books().ledger("C-HALV").await.unwrap().unwrap();

    // A second approver approves: the rest is billed, each month less its part of 333.33.
    let settled = redress
        .perform(cases.decide_forgone(&ines, &case.id, true))
        .await
        .unwrap();
    assert_eq!(settled.status, ArrearsStatus::Settled);
    assert_eq!(settled.decided_by.as_deref(), Some(ines.id.as_str()));
    assert_eq!(settled.compromise, Some(terms), "the part waived is kept");
    let invoice_id = settled.document_id.clone().expect("the rest is billed");
    let invoice = redress
        .books()
        .issued_invoice(&invoice_id)
        .await
        .unwrap()
        .unwrap();
    // 333.33 / 6 = 55.555: 55.55 each and the three cents left on the last three months.
    let lines: Vec<Decimal> = invoice.lines.iter().map(|l| l.amount).collect();
    assert_eq!(
        lines,
        ["64.45", "64.45", "64.45", "64.44", "64.44", "64.44"].map(dec)
    );
    assert!(
        invoice
            .lines
            .iter()
            .all(|l| l.tax_rate_percent == dec("20"))
    );
    // 720.00 − 333.33 = 386.67 net; 20 % of it is 77.334, billed 77.33.
    assert_eq!(
        (invoice.subtotal, invoice.tax_total, invoice.total),
        (dec("386.67"), dec("77.33"), dec("464.00"))
    );
    assert!(
        invoice.reason.contains("less 333.33 EUR waived"),
        "{}",
        invoice.reason
    );
    let after = redress.books().ledger("C-HALV").await.unwrap().unwrap();
    assert_eq!(after.entries.len(), before.entries.len() + 1);
    let entry = after
        .entries
        .iter()
        .find(|e| e.document == invoice_id)
        .expect("the invoice is in the ledger");
    assert_eq!(entry.kind, EntryKind::Invoice);
    let mut posted: Vec<(Account, Side, Decimal)> = entry
        .lines
        .iter()
        .map(|l| (l.account, l.side, l.amount))
        .collect();
    posted.sort_by_key(|(account, _, _)| account.as_str());
    let mut expected = vec![
        (Account::Receivable, Side::Debit, dec("464.00")),
        (Account::Revenue, Side::Credit, dec("386.67")),
        (Account::TaxPayable, Side::Credit, dec("77.33")),
    ];
    expected.sort_by_key(|(account, _, _)| account.as_str());
    assert_eq!(posted, expected);
    assert_eq!(after.balances[0].amount, dec("464.00"));

    // Every step is in the audit log, and the chain holds.
    let steps = redress
        .operations()
        .events_of("arrears_case", &case.id)
        .await
        .unwrap();
    let actions: Vec<&str> = steps.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        ["found", "offered", "chosen", "compromise_approved"]
    );
    let last = steps.last().unwrap().event.after.as_deref().unwrap();
    assert!(
        last.contains(r#""compromise":{"billing":"separate_invoice","waived":"333.33"}"#),
        "{last}"
    );
    assert!(redress.operations().verify_log().await.is_ok());
    done(db, redress).await;
}

#[tokio::test]
async fn a_refused_compromise_goes_back_to_the_options_and_bills_nothing() {
    let db = TestDb::new().await;
    let redress = Redress::open(&db.location, Default::default())
        .await
        .unwrap();
    let agent = user(&redress, "agent@example.com", Role::Agent).await;
    let olu = user(&redress, "olu@example.com", Role::Approver).await;
    let case = offered_case(&redress, &agent).await;
    let cases = redress.cases();
    let before = redress.books().ledger("C-HALV").await.unwrap().unwrap();
    let choice = ArrearsChoice::Compromise {
        waived: dec("360"),
        billing: CompromiseBilling::NextInvoice,
    };
    let waiting = redress
        .perform(cases.choose(&agent, &case.id, choice))
        .await
        .unwrap();
    // The amount is kept with the currency's decimals.
    assert_eq!(
        waiting.compromise.map(|t| t.waived.to_string()),
        Some("360.00".to_owned())
    );
    // Nothing but a decision moves it now.
    let again = redress
        .perform(cases.choose(&agent, &case.id, ArrearsChoice::SeparateInvoice))
        .await
        .unwrap_err();
    assert!(
        again
            .to_string()
            .contains("what the customer asked to have forgone waits for an approver"),
        "{again}"
    );
    let refused = redress
        .perform(cases.decide_forgone(&olu, &case.id, false))
        .await
        .unwrap();
    assert_eq!(refused.status, ArrearsStatus::Offered);
    assert_eq!(
        (refused.choice, refused.compromise, refused.document_id),
        (None, None, None)
    );
    assert_eq!(
        redress.books().ledger("C-HALV").await.unwrap().unwrap(),
        before
    );
    // The customer chose again: the whole of it, with the next invoice.
    let settled = redress
        .perform(cases.choose(&agent, &case.id, ArrearsChoice::NextInvoice))
        .await
        .unwrap();
    let invoice = redress
        .books()
        .issued_invoice(settled.document_id.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(invoice.total, dec("864.00"));
    let steps = redress
        .operations()
        .events_of("arrears_case", &case.id)
        .await
        .unwrap();
    let actions: Vec<&str> = steps.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        ["found", "offered", "chosen", "compromise_refused", "chosen"]
    );
    done(db, redress).await;
}

/// The half-price export, with Orta Café billed half price in June too (so the price set-up
/// of `POS` is a systemic issue at two customers), and, when `july` says how, July's invoices:
/// `Some(true)` with the bakery still billed half price, `Some(false)` billed right.
fn half_price_export(dir: &std::path::Path, july: Option<bool>) -> redress_domain::BillingData {
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
    if let Some(still_wrong) = july {
        let bakery = if still_wrong { "120.00" } else { "240.00" };
        let append = |file: &str, rows: &[String]| {
            let path = dir.join(file);
            let mut text = std::fs::read_to_string(&path).unwrap();
            for row in rows {
                text.push_str(row);
                text.push('\n');
            }
            std::fs::write(&path, text).unwrap();
        };
        let (tax, total) = if still_wrong {
            ("24.00", "144.00")
        } else {
            ("48.00", "288.00")
        };
        append(
            "invoices.csv",
            &[
                format!("INV-H7,C-HALV,K-HALV,2025-08-01,2025-08-28,EUR,{bakery},{tax},{total}"),
                "INV-O7,C-ORTA,K-ORTA,2025-08-01,2025-08-28,EUR,240.00,48.00,288.00".to_owned(),
            ],
        );
        append(
            "invoice_lines.csv",
            &[
                format!(
                    "INV-H7,1,charge,POS,\"Point-of-sale licence, July\",2025-07-01,2025-07-31,1,{bakery},0,{bakery},"
                ),
                "INV-O7,1,charge,POS,\"Point-of-sale licence, July\",2025-07-01,2025-07-31,1,240.00,0,240.00,".to_owned(),
            ],
        );
        append(
            "deliveries.csv",
            &[
                "D-H07,K-HALV,POS,2025-07-15,1,point-of-sale licence".to_owned(),
                "D-O07,K-ORTA,POS,2025-07-15,1,point-of-sale licence".to_owned(),
            ],
        );
    }
    read_billing_data(dir, &NoProgress).unwrap()
}

fn day(text: &str) -> redress_domain::Date {
    redress_domain::parse_date(text).unwrap()
}

/// June's invoices audited, then July's imported (the bakery's `still_wrong` or not) and
/// audited: the bakery's case, Orta's, and the systemic issue's key, each as first found.
async fn june_then_july(redress: &Redress, still_wrong: bool) -> (ArrearsCase, ArrearsCase) {
    let june = tempfile::tempdir().unwrap();
    redress
        .billing()
        .import(half_price_export(june.path(), None), "test")
        .await
        .unwrap();
    let found = redress.cases().find_as_operator("operator").await.unwrap();
    let of = |customer: &str| {
        found
            .opened
            .iter()
            .find(|c| c.customer_id == customer)
            .unwrap()
            .clone()
    };
    let (bakery, orta) = (of("C-HALV"), of("C-ORTA"));
    assert_eq!(
        bakery.items[5].period.map(|p| p.end()),
        Some(day("2025-06-30"))
    );
    assert!(
        found.systemic_issues.iter().any(
            |i| i.key == "price_mismatch sku POS" && i.found_through == Some(day("2025-06-30"))
        ),
        "{:?}",
        found.systemic_issues
    );
    // Nothing billed since June yet.
    let no_invoice = FollowUp::NoInvoiceSince {
        since: day("2025-06-30"),
        unchecked: 0,
    };
    assert_eq!(
        redress.cases().follow_up(&bakery).await.unwrap(),
        no_invoice
    );
    assert_eq!(
        redress.cases().follow_up_issues().await.unwrap()["price_mismatch sku POS"],
        no_invoice
    );
    // July imported: not checked until the audit runs again.
    let july = tempfile::tempdir().unwrap();
    redress
        .billing()
        .import(half_price_export(july.path(), Some(still_wrong)), "test")
        .await
        .unwrap();
    assert_eq!(
        redress.cases().follow_up(&bakery).await.unwrap(),
        FollowUp::NoInvoiceSince {
            since: day("2025-06-30"),
            unchecked: 1,
        }
    );
    redress.cases().find_as_operator("operator").await.unwrap();
    (bakery, orta)
}

#[tokio::test]
async fn a_case_whose_error_continues_on_later_invoices_says_which_still_carry_it() {
    let db = TestDb::new().await;
    let redress = Redress::open(&db.location, Default::default())
        .await
        .unwrap();
    let (bakery, orta) = june_then_july(&redress, true).await;
    let cases = redress.cases();
    assert_eq!(
        cases.follow_up(&bakery).await.unwrap(),
        FollowUp::StillWrong {
            since: day("2025-06-30"),
            checked: 1,
            unchecked: 0,
            carrying: 1,
            customers: 1,
            first: vec![StillWrong {
                customer_id: "C-HALV".into(),
                invoice_id: Some("INV-H7".into()),
                period: redress_domain::Period::new(day("2025-07-01"), day("2025-07-31")).unwrap(),
            }],
        }
    );
    // Orta was billed right in July.
    assert_eq!(
        cases.follow_up(&orta).await.unwrap(),
        FollowUp::Corrected {
            since: day("2025-06-30"),
            checked: 1,
            unchecked: 0,
        }
    );
    // The systemic issue: one of the two customers' July invoices still carries it.
    let issues = cases.follow_up_issues().await.unwrap();
    let FollowUp::StillWrong {
        checked,
        carrying,
        customers,
        first,
        ..
    } = &issues["price_mismatch sku POS"]
    else {
        panic!("{issues:?}");
    };
    assert_eq!((*checked, *carrying, *customers), (2, 1, 1));
    assert_eq!(first[0].invoice_id.as_deref(), Some("INV-H7"));
    assert_eq!(first[0].customer_id, "C-HALV");
    done(db, redress).await;
}

#[tokio::test]
async fn an_error_that_goes_on_is_found_again_only_for_the_months_no_case_holds_yet() {
    let db = TestDb::new().await;
    let redress = Redress::open(&db.location, Default::default())
        .await
        .unwrap();
    // Audited after June (January to June at half price), then after July (still half price).
    let (june, _) = june_then_july(&redress, true).await;
    let bakery: Vec<ArrearsCase> = redress
        .cases()
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.customer_id == "C-HALV")
        .collect();
    assert_eq!(bakery.len(), 2, "June's case, and one for July: {bakery:?}");
    assert_eq!(bakery[0].id, june.id);
    let july = &bakery[1];
    assert_eq!(
        july.items
            .iter()
            .map(|i| i.invoice_id.as_deref())
            .collect::<Vec<_>>(),
        vec![Some("INV-H7")],
        "only July's invoice is new: the months of June's case are not billed twice"
    );
    assert_eq!(july.net, dec("120.00"));
    // Audited once more with nothing new: no case opens.
    let again = redress.cases().find_as_operator("operator").await.unwrap();
    assert!(
        again.opened.iter().all(|c| c.customer_id != "C-HALV"),
        "{:?}",
        again.opened
    );
    done(db, redress).await;
}

#[tokio::test]
async fn a_case_whose_error_stops_on_later_invoices_is_corrected_with_the_invoices_checked() {
    let db = TestDb::new().await;
    let redress = Redress::open(&db.location, Default::default())
        .await
        .unwrap();
    let (bakery, orta) = june_then_july(&redress, false).await;
    let cases = redress.cases();
    let corrected = FollowUp::Corrected {
        since: day("2025-06-30"),
        checked: 1,
        unchecked: 0,
    };
    assert_eq!(cases.follow_up(&bakery).await.unwrap(), corrected);
    assert_eq!(cases.follow_up(&orta).await.unwrap(), corrected);
    assert_eq!(
        cases.follow_up_issues().await.unwrap()["price_mismatch sku POS"],
        FollowUp::Corrected {
            since: day("2025-06-30"),
            checked: 2,
            unchecked: 0,
        }
    );
    done(db, redress).await;
}

#[tokio::test]
async fn a_customers_history_for_a_briefing_counts_the_invoices_paid_by_their_due_date() {
    let db = TestDb::new().await;
    let redress = Redress::open(&db.location, Default::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    half_price_export(dir.path(), None);
    // The bakery paid INV-H3 (due 28 April) on 2 May: late.
    let payments = dir.path().join("payments.csv");
    let text = std::fs::read_to_string(&payments).unwrap();
    assert!(text.contains("P-H3,INV-H3,2025-04-20,"));
    std::fs::write(
        &payments,
        text.replace("P-H3,INV-H3,2025-04-20,", "P-H3,INV-H3,2025-05-02,"),
    )
    .unwrap();
    let data = read_billing_data(dir.path(), &NoProgress).unwrap();
    redress.billing().import(data, "test").await.unwrap();
    let eur = redress_domain::Currency::from_code("EUR").unwrap();
    let history = |as_of: &'static str| {
        let redress = &redress;
        async move {
            redress
                .books()
                .customer_history("C-HALV", eur, day(as_of))
                .await
                .unwrap()
                .unwrap()
        }
    };
    // By 1 August all six invoices fell due; five were paid by their due date.
    let august = history("2025-08-01").await;
    assert_eq!((august.invoices_due, august.paid_on_time), (6, 5));
    // On 25 July the sixth (due 28 July) had not yet fallen due.
    let july = history("2025-07-25").await;
    assert_eq!((july.invoices_due, july.paid_on_time), (5, 4));
    done(db, redress).await;
}
