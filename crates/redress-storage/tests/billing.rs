//! Billing data in the database: imported whole, upserted by id, and never half-written.
//! Runs against the backend `REDRESS_TEST_BACKEND` names (see `support`).

mod support;

use redress_import::{NoProgress, read_billing_data};
use redress_storage::{ImportCounts, TableCounts};
use std::path::PathBuf;
use support::TestDb;

fn example() -> redress_domain::BillingData {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    read_billing_data(&dir, &NoProgress).unwrap()
}

const EXAMPLE_COUNTS: TableCounts = ImportCounts {
    customers: 3,
    contracts: 3,
    prices: 6,
    deliveries: 17,
    invoices: 11,
    invoice_lines: 24,
    payments: 7,
    notices: 8,
};

#[tokio::test]
async fn importing_an_export_writes_every_row() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let written = store.import(example(), "test").await.unwrap();
    assert_eq!(written, EXAMPLE_COUNTS);
    assert_eq!(store.billing_counts().await.unwrap(), EXAMPLE_COUNTS);
    db.drop_database(store).await;
}

#[tokio::test]
async fn importing_again_updates_in_place_and_duplicates_nothing() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let mut data = example();
    store.import(data.clone(), "test").await.unwrap();
    // The updated export corrects a payment.
    data.payments[0].amount = "2075.50".parse().unwrap();
    store.import(data.clone(), "test").await.unwrap();
    assert_eq!(store.billing_counts().await.unwrap(), EXAMPLE_COUNTS);
    let amount = store.payment_amount("P-01").await.unwrap();
    assert_eq!(amount.as_deref(), Some("2075.50"));
    db.drop_database(store).await;
}

#[tokio::test]
async fn an_import_that_fails_writes_nothing() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let mut data = example();
    // A contract whose customer is not in the data: the database refuses it after the
    // customers before it were written, and the whole import must roll back.
    data.customers.pop();
    assert!(store.import(data.clone(), "test").await.is_err());
    assert_eq!(
        store.billing_counts().await.unwrap(),
        TableCounts::default()
    );
    db.drop_database(store).await;
}

#[tokio::test]
async fn migrations_apply_once() {
    let db = TestDb::new().await;
    let store = db.store().await;
    // `open` applied them; a second run has nothing to do.
    assert_eq!(store.migrate().await.unwrap(), Vec::<i64>::new());
    drop(store);
    let reopened = db.store().await;
    assert_eq!(reopened.migrate().await.unwrap(), Vec::<i64>::new());
    db.drop_database(reopened).await;
}
