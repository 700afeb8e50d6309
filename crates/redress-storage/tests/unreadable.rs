//! A stored value changed behind Redress's back into something its column cannot hold is never
//! read as a default: reading it is an error that names the table, the row and the column.
//! Runs against the backend `REDRESS_TEST_BACKEND` names (see `support`).

mod support;

use redress_storage::StorageError;
use redress_storage::disputes::intake;
use redress_storage::disputes::list::{DisputeFilter, DisputeOrder};
use support::{TestDb, dispute, worked_example};

#[tokio::test]
async fn a_dispute_reads_back_exactly_as_it_was_stored() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    let stored = store
        .perform(intake::insert(dispute(), "test"))
        .await
        .unwrap();
    assert_eq!(store.disputes().get("DSP-X").await.unwrap(), Some(stored));
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_stored_value_that_does_not_read_back_is_an_error_naming_its_table_row_and_column() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    store
        .perform(intake::insert(dispute(), "test"))
        .await
        .unwrap();
    // Each column with a value it cannot hold, and a good value to mend it with.
    for (column, value, good) in [
        ("claimed_amount", "abc", "50.00"),
        ("verdict", "maybe", "rejected"),
        ("opened_on", "05/01/2025", "2025-05-01"),
        ("currency", "XXQ", "USD"),
        ("findings_json", "{not json", "[]"),
        ("updated_at", "yesterday", "2025-05-01T00:00:00.000000Z"),
    ] {
        let set = |to: &str| format!("UPDATE disputes SET {column} = '{to}' WHERE id = 'DSP-X'");
        if let [Err(refused)] = db.raw(&[&set(value)]).as_slice() {
            // The database itself holds this column to what it may be: better still.
            assert!(
                ["verdict", "currency"].contains(&column),
                "{column}: {refused}"
            );
            continue;
        }
        let err = store.disputes().get("DSP-X").await.unwrap_err();
        match &err {
            StorageError::Unreadable {
                table,
                row,
                column: named,
                value: held,
                ..
            } => {
                assert_eq!(
                    (*table, row.as_str(), *named),
                    ("disputes", "DSP-X", column)
                );
                assert_eq!(held, value);
            }
            other => panic!("{column}: expected Unreadable, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains(&format!("disputes.{column} of `DSP-X`")),
            "{message}"
        );
        // The list fails the same way rather than showing the dispute with a default.
        let listed = store
            .disputes()
            .list(
                &DisputeFilter::default(),
                DisputeOrder::NewestFirst,
                50,
                None,
            )
            .await;
        assert!(
            matches!(listed, Err(StorageError::Unreadable { .. })),
            "{column}"
        );
        // Mended, it reads again.
        assert_eq!(db.raw(&[&set(good)]), [Ok(())], "{column}");
        assert!(store.disputes().get("DSP-X").await.unwrap().is_some());
    }
    db.drop_database(store).await;
}
