//! Verifying one invoice from the database gives exactly what the audit of the whole export
//! says about that invoice: its contract (all of it, for duplicates and quantities) and the
//! invoices its late fees are for are read back whole and exact.

mod support;

use redress_audit::report::finding_record;
use redress_domain::BillingData;
use redress_import::{NoProgress, read_billing_data};
use std::collections::BTreeMap;
use support::TestDb;

/// Each invoice's findings, as JSON records sorted for comparison.
fn findings_by_invoice(data: &BillingData) -> BTreeMap<String, Vec<String>> {
    let audit = redress_audit::audit(data);
    let mut by_invoice: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for finding in &audit.findings {
        if let Some(invoice) = finding.invoice {
            let record = serde_json::to_string(&finding_record(data, finding)).unwrap();
            by_invoice
                .entry(data.invoice_id(invoice).to_owned())
                .or_default()
                .push(record);
        }
    }
    by_invoice.values_mut().for_each(|v| v.sort());
    by_invoice
}

/// Every invoice, verified from the database alone, gives the full audit's findings: first from
/// the contract snapshots the first import made, then (after a second import, which drops them)
/// from the tables.
async fn every_invoice_verifies_as_in_the_full_audit(data: BillingData) {
    let db = TestDb::new().await;
    let store = db.store().await;
    let expected = findings_by_invoice(&data);
    for _ in ["from snapshots", "from the tables"] {
        store.billing().import(data.clone(), "test").await.unwrap();
        invoices_verify(&store, &data, &expected).await;
    }
    db.drop_database(store).await;
}

async fn invoices_verify(
    store: &redress_storage::Store,
    data: &BillingData,
    expected: &BTreeMap<String, Vec<String>>,
) {
    for invoice in data.invoice_ids.iter() {
        let subset = store
            .billing()
            .contract_data_for_invoice(invoice)
            .await
            .unwrap()
            .expect("the invoice is stored");
        let found = findings_by_invoice(&subset)
            .remove(invoice)
            .unwrap_or_default();
        let want = expected.get(invoice).cloned().unwrap_or_default();
        assert_eq!(found, want, "invoice {invoice}");
    }
    assert!(
        store
            .billing()
            .contract_data_for_invoice("NO-SUCH-INVOICE")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_worked_example_verifies_invoice_by_invoice() {
    every_invoice_verifies_as_in_the_full_audit(support::worked_example()).await;
}

#[tokio::test]
async fn generated_data_verifies_invoice_by_invoice() {
    let dir = tempfile::tempdir().unwrap();
    let options = redress_demo_data::DemoOptions {
        customers: 40,
        months: 8,
        seed: 11,
        error_rate: 0.1,
        ..Default::default()
    };
    redress_demo_data::generate(dir.path(), &options).unwrap();
    every_invoice_verifies_as_in_the_full_audit(
        read_billing_data(dir.path(), &NoProgress).unwrap(),
    )
    .await;
}
