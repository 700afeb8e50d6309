//! Credit notes and the customer ledger in the database: numbers without gaps however many are
//! issued at once, documents that never change, and balances that agree with the documents.
//! Runs against the backend `REDRESS_TEST_BACKEND` names (see `support`).

mod support;

use redress_domain::ledger::{EntryKind, Side};
use redress_domain::{Currency, Decimal};
use redress_storage::books::cases::{ArrearsItem, NewArrearsCase, record_findings};
use redress_storage::books::causes::FollowUp;
use redress_storage::books::credit_notes::{CreditNoteError, NewCreditNote, issue};
use redress_storage::{Location, StorageError};
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
    let usd = Currency::from_code("USD").unwrap();
    let owed = |ledger: &redress_storage::books::account::CustomerLedger| {
        let balance = ledger.balances.iter().find(|b| b.currency == usd).unwrap();
        usd.format(balance.amount)
    };
    let before = store.books().ledger("C-ACME").await.unwrap().unwrap();
    assert_eq!(owed(&before), (invoiced - paid).to_string());
    // 10.00 net and 0.89 tax (8.875 % of 10.00 is 0.8875).
    let note = store
        .perform(issue(on_first_line("10.00"), "agent"))
        .await
        .unwrap();
    assert_eq!(
        (
            usd.format(note.net),
            usd.format(note.tax),
            usd.format(note.total)
        ),
        ("10.00".into(), "0.89".into(), "10.89".into())
    );
    let after = store.books().ledger("C-ACME").await.unwrap().unwrap();
    assert_eq!(owed(&after), (invoiced - paid - dec("10.89")).to_string());
    // Every entry balances, the credit note's last.
    for entry in &after.entries {
        let side = |s: Side| -> Decimal {
            entry
                .lines
                .iter()
                .filter(|l| l.side == s)
                .map(|l| l.amount)
                .sum()
        };
        assert_eq!(side(Side::Debit), side(Side::Credit), "{entry:?}");
    }
    let last = after.entries.last().unwrap();
    assert_eq!(
        (last.kind, last.document.as_str()),
        (EntryKind::CreditNote, note.id.as_str())
    );
    assert!(store.books().ledger("C-NONE").await.unwrap().is_none());
    db.drop_database(store).await;
}

/// `error` is the one of a cell that does not read back: `table`.`column` of `row`, holding
/// `value`.
fn assert_unreadable(error: StorageError, table: &str, row: &str, column: &str, value: &str) {
    match &error {
        StorageError::Unreadable {
            table: t,
            row: r,
            column: c,
            value: v,
            ..
        } => assert_eq!(
            (*t, r.as_str(), *c, v.as_str()),
            (table, row, column, value),
            "{error}"
        ),
        other => panic!("expected an unreadable cell, got {other}"),
    }
    let message = error.to_string();
    assert!(
        message.contains(&format!("{table}.{column} of `{row}` is `{value}`")),
        "{message}"
    );
}

#[tokio::test]
async fn a_stored_amount_that_does_not_read_back_is_an_error_naming_table_row_and_column() {
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
    // A credit note never changes, unless whoever owns the database lifts the rule.
    let lift = match db.location {
        Location::DataDir(_) => "DROP TRIGGER credit_notes_are_never_updated",
        Location::Url(_) => {
            "ALTER TABLE credit_notes DISABLE TRIGGER credit_notes_are_never_changed"
        }
    };
    let changed = db.raw(&[
        lift,
        &format!(
            "UPDATE credit_notes SET net = 'abc', lines_json = '[[1, \"ten\"]]' WHERE id = '{}'",
            note.id
        ),
    ]);
    assert!(changed.iter().all(Result::is_ok), "{changed:?}");
    let error = store.books().credit_note(&note.id).await.unwrap_err();
    assert_unreadable(error, "credit_notes", &note.id, "net", "abc");
    // The ledger replays the credit note's lines.
    let error = store.books().ledger("C-ACME").await.unwrap_err();
    assert_unreadable(
        error,
        "credit_notes",
        &note.id,
        "lines_json",
        "[[1, \"ten\"]]",
    );
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_stored_status_or_choice_that_does_not_read_back_is_named_too() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    let case = NewArrearsCase {
        customer_id: "C-ACME".into(),
        currency: Currency::from_code("USD").unwrap(),
        items: vec![ArrearsItem {
            invoice_id: Some("INV-A1".into()),
            explanation: "INV-A1 line 1: billed below the contract's price".into(),
            net: dec("12.5"),
            tax_rate_percent: Some(dec("8.875")),
            kind: None,
            period: None,
        }],
        fingerprint: "C-ACME|USD|test".into(),
    };
    let found = store
        .perform(record_findings(vec![case], Vec::new(), "auditor"))
        .await
        .unwrap();
    let opened = &found.opened[0];
    // What was opened reads back as it was made, amounts with the currency's decimals.
    assert_eq!(
        store.cases().get(&opened.id).await.unwrap().as_ref(),
        Some(opened)
    );
    assert_eq!(opened.currency.format(opened.items[0].net), "12.50");
    assert_eq!(opened.currency.format(opened.tax), "1.11");
    let changed = db.raw(&[&format!(
        "UPDATE arrears_cases SET choice = 'later' WHERE id = '{}'",
        opened.id
    )]);
    assert!(changed[0].is_ok(), "{changed:?}");
    let error = store.cases().get(&opened.id).await.unwrap_err();
    assert_unreadable(error, "arrears_cases", &opened.id, "choice", "later");
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_compromise_stored_with_an_amount_or_a_billing_that_does_not_read_back_is_named_and_an_item_without_a_kind_is_not_followed()
 {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    let case = NewArrearsCase {
        customer_id: "C-ACME".into(),
        currency: Currency::from_code("USD").unwrap(),
        items: vec![ArrearsItem {
            invoice_id: Some("INV-A1".into()),
            explanation: "INV-A1 line 1: billed below the contract's price".into(),
            net: dec("12.5"),
            tax_rate_percent: Some(dec("8.875")),
            kind: None,
            period: None,
        }],
        fingerprint: "C-ACME|USD|compromise".into(),
    };
    let found = store
        .perform(record_findings(vec![case], Vec::new(), "auditor"))
        .await
        .unwrap();
    let id = found.opened[0].id.clone();
    // Its item keeps no kind or period (as items found before they were kept): there is
    // nothing to follow its cause by.
    assert_eq!(
        store.cases().follow_up(&found.opened[0]).await.unwrap(),
        FollowUp::NotFollowed
    );
    for (set, column, value) in [
        (
            "waived_amount = 'half', compromise_billing = 'next_invoice'",
            "waived_amount",
            "half",
        ),
        (
            "waived_amount = '5.00', compromise_billing = 'later'",
            "compromise_billing",
            "later",
        ),
        // One without the other is no compromise.
        (
            "waived_amount = '5.00', compromise_billing = NULL",
            "compromise_billing",
            "NULL",
        ),
    ] {
        let changed = db.raw(&[&format!("UPDATE arrears_cases SET {set} WHERE id = '{id}'")]);
        assert!(changed[0].is_ok(), "{changed:?}");
        let error = store.cases().get(&id).await.unwrap_err();
        assert_unreadable(error, "arrears_cases", &id, column, value);
    }
    let changed = db.raw(&[&format!(
        "UPDATE arrears_cases SET waived_amount = '5.00', compromise_billing = 'separate_invoice' \
         WHERE id = '{id}'"
    )]);
    assert!(changed[0].is_ok(), "{changed:?}");
    let read = store.cases().get(&id).await.unwrap().unwrap();
    let terms = read.compromise.expect("both cells read back");
    assert_eq!(
        (terms.waived, terms.billing.as_str()),
        (dec("5.00"), "separate_invoice")
    );
    db.drop_database(store).await;
}
