//! The audit log in the database: appended with every change, refused any update or delete,
//! and checked end to end, naming the first broken event when someone tampers with it anyway.

mod support;

use redress_domain::audit_log::{BrokenChain, NewEvent};
use redress_storage::Store;
use redress_storage::audit_log::{self, LogError};
use support::TestDb;

fn event(n: u32) -> NewEvent {
    NewEvent {
        occurred_at: format!("2026-11-23T10:00:{n:02}Z"),
        actor: "agent-ana".into(),
        entity: "dispute".into(),
        entity_id: format!("DSP-{}", n % 2),
        action: "noted".into(),
        before: None,
        after: Some(format!(r#"{{"note":"call {n}"}}"#)),
    }
}

async fn log_of(store: &Store, events: u32) {
    for n in 1..=events {
        store.perform(audit_log::record(event(n))).await.unwrap();
    }
}

/// Runs `sql` as the database owner would, behind Redress's back.
async fn tamper(db: &TestDb, sql: &[&str]) {
    for result in db.raw(sql) {
        result.unwrap();
    }
}

const DROP_GUARDS_SQLITE: [&str; 2] = [
    "DROP TRIGGER audit_events_are_never_updated",
    "DROP TRIGGER audit_events_are_never_deleted",
];
const DROP_GUARDS_POSTGRES: [&str; 1] =
    ["DROP TRIGGER audit_events_are_never_changed ON audit_events"];

async fn drop_guards(db: &TestDb, store: &Store) {
    match store.backend() {
        redress_storage::Backend::Sqlite => tamper(db, &DROP_GUARDS_SQLITE).await,
        redress_storage::Backend::Postgres => tamper(db, &DROP_GUARDS_POSTGRES).await,
    }
}

#[tokio::test]
async fn events_chain_up_and_the_log_verifies() {
    let db = TestDb::new().await;
    let store = db.store().await;
    assert_eq!(store.audit_log().verify().await.unwrap(), 0);
    log_of(&store, 5).await;
    assert_eq!(store.audit_log().verify().await.unwrap(), 5);
    let odd = store
        .audit_log()
        .events_of("dispute", "DSP-1")
        .await
        .unwrap();
    assert_eq!(
        odd.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        [1, 3, 5]
    );
    assert_eq!(odd[1].event.after.as_deref(), Some(r#"{"note":"call 3"}"#));
    db.drop_database(store).await;
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_an_event() {
    let db = TestDb::new().await;
    let store = db.store().await;
    log_of(&store, 2).await;
    let refused = db.raw(&[
        "UPDATE audit_events SET actor = 'mallory' WHERE sequence = 1",
        "DELETE FROM audit_events WHERE sequence = 2",
    ]);
    for outcome in refused {
        assert!(outcome.unwrap_err().contains("append-only"));
    }
    assert_eq!(store.audit_log().verify().await.unwrap(), 2);
    db.drop_database(store).await;
}

#[tokio::test]
async fn an_edited_event_is_named_even_by_someone_who_can_drop_the_guards() {
    let db = TestDb::new().await;
    let store = db.store().await;
    log_of(&store, 4).await;
    drop_guards(&db, &store).await;
    tamper(&db, &["UPDATE audit_events SET after_json = '{\"note\":\"nothing to see\"}' WHERE sequence = 3"]).await;
    let broken = store.audit_log().verify().await.unwrap_err();
    assert!(
        matches!(broken, LogError::Broken(BrokenChain::Content(3))),
        "{broken}"
    );
    assert_eq!(
        broken.to_string(),
        "event 3 was changed after it was recorded"
    );
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_forged_or_removed_event_is_named() {
    let db = TestDb::new().await;
    let store = db.store().await;
    log_of(&store, 4).await;
    drop_guards(&db, &store).await;
    // A forger rewrites event 2 and gives it a correct hash of its own: event 3 no longer
    // follows it.
    let original = store
        .audit_log()
        .events_of("dispute", "DSP-0")
        .await
        .unwrap()
        .remove(0);
    assert_eq!(original.sequence, 2);
    let mut forged = original.event.clone();
    forged.actor = "mallory".into();
    let forged = forged.seal(2, original.previous_hash);
    let sql = format!(
        "UPDATE audit_events SET actor = 'mallory', hash = '{}' WHERE sequence = 2",
        forged.hash
    );
    tamper(&db, &[&sql]).await;
    let broken = store.audit_log().verify().await.unwrap_err();
    assert!(
        matches!(broken, LogError::Broken(BrokenChain::Link(3))),
        "{broken}"
    );
    db.drop_database(store).await;

    let db = TestDb::new().await;
    let store = db.store().await;
    log_of(&store, 4).await;
    drop_guards(&db, &store).await;
    tamper(&db, &["DELETE FROM audit_events WHERE sequence = 4"]).await;
    let broken = store.audit_log().verify().await.unwrap_err();
    assert!(
        matches!(
            broken,
            LogError::Broken(BrokenChain::Truncated {
                found: 3,
                recorded: 4
            })
        ),
        "{broken}"
    );
    db.drop_database(store).await;
}

#[tokio::test]
async fn an_import_is_recorded_in_the_log() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let data = support::worked_example();
    store
        .billing()
        .import(data.clone(), "tester")
        .await
        .unwrap();
    let events = store
        .audit_log()
        .events_of("billing_data", "import")
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.actor, "tester");
    assert!(
        events[0]
            .event
            .after
            .as_deref()
            .unwrap()
            .contains(r#""invoice_lines":24"#)
    );
    assert_eq!(store.audit_log().verify().await.unwrap(), 1);
    db.drop_database(store).await;
}
