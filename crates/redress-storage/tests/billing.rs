//! Billing data in the database: imported whole, upserted by id, and never half-written.
//! Runs against the backend `REDRESS_TEST_BACKEND` names (see `support`).

mod support;

use redress_storage::StorageError;
use redress_storage::billing::import::{ImportCounts, TableCounts};
use support::{TestDb, worked_example};

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
    let written = store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    assert_eq!(written, EXAMPLE_COUNTS);
    assert_eq!(store.billing().counts().await.unwrap(), EXAMPLE_COUNTS);
    db.drop_database(store).await;
}

#[tokio::test]
async fn importing_again_updates_in_place_and_duplicates_nothing() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let mut data = worked_example();
    store.billing().import(data.clone(), "test").await.unwrap();
    // The updated export corrects a payment.
    data.payments[0].amount = "2075.50".parse().unwrap();
    store.billing().import(data.clone(), "test").await.unwrap();
    assert_eq!(store.billing().counts().await.unwrap(), EXAMPLE_COUNTS);
    let amount = store.billing().payment_amount("P-01").await.unwrap();
    assert_eq!(amount.map(|a| a.to_string()).as_deref(), Some("2075.50"));
    db.drop_database(store).await;
}

#[tokio::test]
async fn an_import_that_fails_writes_nothing() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let mut data = worked_example();
    // A contract whose customer is not in the data: refused, with nothing written.
    data.customers.pop();
    let refused = store
        .billing()
        .import(data.clone(), "test")
        .await
        .unwrap_err();
    assert!(
        matches!(refused, StorageError::DanglingReference(_)),
        "{refused}"
    );
    assert_eq!(
        store.billing().counts().await.unwrap(),
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

#[tokio::test]
async fn a_database_migrated_by_an_earlier_redress_is_adopted_without_running_anything_again() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    store.close().await;
    // As earlier versions of Redress left it: the same schema, with sqlx's ledger instead of
    // Redress's own, listing every migration the schema has.
    let applied: Vec<String> = (1..=28).map(|v| format!("({v}, 'm{v}', TRUE)")).collect();
    let setup = [
        "DROP TABLE redress_migrations".to_owned(),
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         success BOOLEAN NOT NULL)"
            .to_owned(),
        format!(
            "INSERT INTO _sqlx_migrations (version, description, success) VALUES {}",
            applied.join(", ")
        ),
    ];
    let setup: Vec<&str> = setup.iter().map(String::as_str).collect();
    assert!(db.raw(&setup).iter().all(Result::is_ok));
    let reopened = db.store().await;
    assert_eq!(reopened.migrate().await.unwrap(), Vec::<i64>::new());
    assert_eq!(reopened.billing().counts().await.unwrap(), EXAMPLE_COUNTS);
    db.drop_database(reopened).await;
}

#[tokio::test]
async fn a_migration_changed_after_it_was_applied_is_refused_by_name() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store.close().await;
    let edited = db.raw(&["UPDATE redress_migrations SET sha256 = 'edited' WHERE version = 3"]);
    assert!(edited.iter().all(Result::is_ok));
    let refused = redress_storage::Store::open(&db.location)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            redress_storage::StorageError::MigrationChanged { version: 3, .. }
        ),
        "{refused}"
    );
    let unmigrated = redress_storage::Store::connect(&db.location).await.unwrap();
    db.drop_database(unmigrated).await;
}
