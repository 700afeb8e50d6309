//! The analytics' raw figures, as the database counts them. Runs against the backend
//! `REDRESS_TEST_BACKEND` names (see `support`).

mod support;

use redress_domain::DisputeStatus;
use redress_storage::disputes::{intake, lifecycle};
use support::{TestDb, dispute, worked_example};

#[tokio::test]
async fn time_to_resolution_runs_to_the_day_a_dispute_was_resolved_not_to_its_closing() {
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
    for to in [
        DisputeStatus::Acknowledged,
        DisputeStatus::Investigating,
        DisputeStatus::Resolved,
    ] {
        store
            .perform(lifecycle::set_status("DSP-X", to, "test"))
            .await
            .unwrap();
    }
    let resolving = store.analytics().figures("2000-01-01").await.unwrap();
    assert_eq!(
        resolving.resolution_days.len(),
        1,
        "{:?}",
        resolving.resolution_days
    );
    // Say it was resolved ten days after it was opened (on 2025-05-01); closing it now, long
    // after, does not move that.
    let [Ok(())] = db
        .raw(&[
            "UPDATE disputes SET resolved_at = '2025-05-11T09:00:00.000000Z' WHERE id = 'DSP-X'",
        ])
        .as_slice()
    else {
        panic!("the test could not set when it was resolved");
    };
    store
        .perform(lifecycle::set_status(
            "DSP-X",
            DisputeStatus::Closed,
            "test",
        ))
        .await
        .unwrap();
    let figures = store.analytics().figures("2000-01-01").await.unwrap();
    assert_eq!(
        figures.resolution_days,
        vec![("2025-05".to_owned(), 10, 1)],
        "resolved in May 2025, ten days after opening"
    );
    db.drop_database(store).await;
}
