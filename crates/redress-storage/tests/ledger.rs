//! Credit notes and the customer ledger in the database: numbers without gaps however many are
//! issued at once, documents that never change, and balances that agree with the documents.
//! Runs against the backend `REDRESS_TEST_BACKEND` names (see `support`).

mod support;

use redress_domain::Decimal;
use redress_storage::books::credit_notes::{CreditNoteError, NewCreditNote, issue};
use support::{TestDb, worked_example};

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A credit note of `amount` on line 1 of INV-A1 (which charged 90.00, taxed at 8.875 %).
fn on_first_line(amount: &str) -> NewCreditNote {
    NewCreditNote {
        invoice_id: "INV-A1".into(),
        lines: vec![(1, dec(amount))],
        reason: "Hosting was billed above the contract price".into(),
    }
}

#[tokio::test]
async fn credit_notes_issued_at_once_are_numbered_without_gaps_and_refused_ones_take_no_number() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    // 30 credit notes of 1.00 and, among them, 10 for more than the line charged.
    let issuing: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            let note = on_first_line(if i % 4 == 3 { "500.00" } else { "1.00" });
            tokio::spawn(async move { store.perform(issue(note, "agent")).await })
        })
        .collect();
    let mut numbers = Vec::new();
    let mut refused = 0;
    for issued in issuing {
        match issued.await.unwrap() {
            Ok(note) => {
                assert_eq!(note.id, format!("{}-{:06}", note.series, note.number));
                numbers.push(note.number);
            }
            Err(CreditNoteError::Refused(_)) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    numbers.sort_unstable();
    assert_eq!(refused, 10);
    assert_eq!(numbers, (1..=30).collect::<Vec<i64>>());
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_credit_note_above_what_the_line_has_left_is_refused_with_the_figures() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    store
        .perform(issue(on_first_line("60.00"), "agent"))
        .await
        .unwrap();
    let refused = store
        .perform(issue(on_first_line("30.01"), "agent"))
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "crediting 30.01 on line 1 of invoice INV-A1 is more than the line has left to credit (30.00 of 90.00 charged)"
    );
    let unknown = store
        .perform(issue(
            NewCreditNote {
                invoice_id: "INV-NONE".into(),
                ..on_first_line("1.00")
            },
            "agent",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, CreditNoteError::UnknownInvoice(_)),
        "{unknown}"
    );
    db.drop_database(store).await;
}

#[tokio::test]
async fn an_issued_credit_note_and_its_ledger_entry_can_be_neither_changed_nor_removed() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    let note = store
        .perform(issue(on_first_line("10.00"), "agent"))
        .await
        .unwrap();
    for sql in [
        format!(
            "UPDATE credit_notes SET total = '0.00' WHERE id = '{}'",
            note.id
        ),
        format!("DELETE FROM credit_notes WHERE id = '{}'", note.id),
        format!(
            "UPDATE ledger_lines SET amount = '0.00' WHERE document = '{}'",
            note.id
        ),
        format!("DELETE FROM ledger_postings WHERE document = '{}'", note.id),
    ] {
        let outcome = db.raw(&[&sql]);
        assert!(outcome[0].is_err(), "{sql} was allowed");
    }
    assert_eq!(
        store.books().credit_note(&note.id).await.unwrap(),
        Some(note)
    );
    db.drop_database(store).await;
}

#[tokio::test]
async fn the_customer_ledger_owes_the_invoices_less_the_payments_and_the_credit_notes() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let data = worked_example();
    store.billing().import(data.clone(), "test").await.unwrap();
    // What the documents say C-ACME owes, summed apart from the ledger.
    let acme = data.customer_ids.get("C-ACME").unwrap();
    let invoiced: Decimal = data
        .invoices
        .iter()
        .filter(|i| i.customer.0 == acme)
        .map(|i| i.total)
        .sum();
    let paid: Decimal = data
        .payments
        .iter()
        .filter(|p| data.invoice(p.invoice).customer.0 == acme)
        .map(|p| p.amount)
        .sum();
    let before = store.books().ledger("C-ACME").await.unwrap().unwrap();
    assert_eq!(before.balances["USD"], (invoiced - paid).to_string());
    // 10.00 net and 0.89 tax (8.875 % of 10.00 is 0.8875).
    let note = store
        .perform(issue(on_first_line("10.00"), "agent"))
        .await
        .unwrap();
    assert_eq!(
        (note.net.as_str(), note.tax.as_str(), note.total.as_str()),
        ("10.00", "0.89", "10.89")
    );
    let after = store.books().ledger("C-ACME").await.unwrap().unwrap();
    assert_eq!(
        after.balances["USD"],
        (invoiced - paid - dec("10.89")).to_string()
    );
    // Every entry balances, the credit note's last.
    for entry in &after.entries {
        let side = |s: &str| -> Decimal {
            entry
                .lines
                .iter()
                .filter(|l| l.1 == s)
                .map(|l| dec(&l.2))
                .sum()
        };
        assert_eq!(side("debit"), side("credit"), "{entry:?}");
    }
    let last = after.entries.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.document.as_str()),
        ("credit_note", note.id.as_str())
    );
    assert!(store.books().ledger("C-NONE").await.unwrap().is_none());
    db.drop_database(store).await;
}
