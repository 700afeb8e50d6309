//! A fresh database per test, on the backend the suite runs against.
//!
//! `REDRESS_TEST_BACKEND=sqlite` (the default) gives each test a SQLite file in its own
//! temporary data directory. `REDRESS_TEST_BACKEND=postgres` gives each test a new database on
//! the server at `REDRESS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).

#![allow(dead_code)]

use redress_storage::{Location, Store};
use redress_test_database::TestDatabase;

/// The worked example of billing data v1 (`fixtures/audit-v1/data`), read as an export.
pub fn worked_example() -> redress_domain::BillingData {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    redress_import::read_billing_data(&dir, &redress_import::NoProgress).unwrap()
}

/// A test's database, removed by [`TestDb::drop_database`].
pub struct TestDb {
    /// Where it is: on SQLite, a data directory of its own.
    pub location: Location,
    database: TestDatabase,
}

impl TestDb {
    /// A new, empty database.
    pub async fn new() -> Self {
        let database = TestDatabase::new();
        let location = match database.sqlite_file().and_then(|file| file.parent()) {
            Some(dir) => Location::DataDir(dir.to_owned()),
            None => Location::Url(database.url().to_owned()),
        };
        Self { location, database }
    }

    /// Opens the store (migrating it).
    pub async fn store(&self) -> Store {
        Store::open(&self.location)
            .await
            .expect("the test database opens")
    }

    /// Removes the database, once `store` is closed (a SQLite directory goes with the test).
    pub async fn drop_database(self, store: Store) {
        store.close().await;
        drop(self.database);
    }

    /// Runs `sql` as the database's owner could, behind Redress's back; gives each statement's
    /// outcome, with the database's message when it refused.
    pub fn raw(&self, sql: &[&str]) -> Vec<Result<(), String>> {
        self.database.raw(sql)
    }
}

/// A dispute `DSP-X` of the worked example's INV-A3, opened on 2025-05-01, not yet stored.
#[allow(dead_code)]
pub fn dispute() -> redress_storage::disputes::record::DisputeRow {
    use redress_domain::{Currency, DisputeReason, DisputeStatus, Money, Verdict};
    use redress_storage::disputes::record::{DisputeRow, VerificationRecord};
    let now = redress_storage::this_moment();
    DisputeRow {
        id: "DSP-X".to_owned(),
        invoice_id: "INV-A3".to_owned(),
        customer_id: "C-ACME".to_owned(),
        line_no: None,
        reason: DisputeReason::Overcharged,
        claimed: Money {
            amount: "50.00".parse().unwrap(),
            currency: Currency::from_code("USD").unwrap(),
        },
        narrative: "too much".to_owned(),
        channel: "email".to_owned(),
        taken_by: "test".to_owned(),
        status: DisputeStatus::Open,
        escalated: false,
        assignee: None,
        linked_to: None,
        opened_on: "2025-05-01".parse().unwrap(),
        created_at: now,
        updated_at: now,
        verification: VerificationRecord {
            verdict: Verdict::Rejected,
            adjustment: "0.00".parse().unwrap(),
            findings: redress_audit::report::Findings::of(&[]),
            verified_at: now,
        },
    }
}
