//! Arrears cases settled by a compromise: part waived, the rest billed once a second person
//! approves. Runs on the backend `REDRESS_TEST_BACKEND` names, over `fixtures/half-price` (a
//! bakery billed its 240.00 EUR licence at 120.00 for six months: 720.00 net under-billed, at
//! 20 % tax).

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::arrears::{ArrearsOption, ArrearsStatus, CompromiseError};
use redress_domain::ledger::{Account, EntryKind, Side};
use redress_domain::resolution::ApprovalError;
use redress_domain::{Decimal, Role};
use redress_import::{NoProgress, read_billing_data};
use redress_service::records::{
    ArrearsCase, ArrearsChoice, ArrearsError, Compromise, CompromiseBilling,
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
    let found = redress
        .cases()
        .find_as_operator("operator")
        .await
        .unwrap();
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
    assert_eq!(waiting.document_id, None, "nothing is billed before approval");
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
    assert!(invoice.lines.iter().all(|l| l.tax_rate_percent == dec("20")));
    // 720.00 − 333.33 = 386.67 net; 20 % of it is 77.334, billed 77.33.
    assert_eq!(
        (invoice.subtotal, invoice.tax_total, invoice.total),
        (dec("386.67"), dec("77.33"), dec("464.00"))
    );
    assert!(invoice.reason.contains("less 333.33 EUR waived"), "{}", invoice.reason);
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
    assert_eq!(actions, ["found", "offered", "chosen", "compromise_approved"]);
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
