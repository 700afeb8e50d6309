//! Keeping the SQLite file in memory (`redress serve --keep-in-memory`): its pages locked, the
//! pages it grows by too, and let go when the store closes. One test in this binary, so that
//! the process's locked memory is this test's alone.
#![cfg(target_os = "linux")]

mod support;

use redress_storage::{Backend, DATABASE_FILE, Location, StorageError};
use std::time::{Duration, Instant};
use support::{TestDb, worked_example};

/// The memory this process has locked (`VmLck` in /proc/self/status), in bytes.
fn locked_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmLck:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Waits up to five seconds for `done`.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(5), "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_database_file_stays_locked_in_memory_as_it_grows_and_is_let_go_when_closed() {
    let db = TestDb::new().await;
    let store = db.store().await;
    if store.backend() == Backend::Postgres {
        assert!(matches!(
            store.keep_in_memory(),
            Err(StorageError::KeepInMemoryNotSqlite)
        ));
        db.drop_database(store).await;
        return;
    }
    let Location::DataDir(dir) = &db.location else {
        unreachable!("a SQLite test database is a data directory")
    };
    let file = dir.join(DATABASE_FILE);
    let whole_pages = |bytes: u64| bytes / 4096 * 4096;
    let before = locked_bytes();

    let locked = store.keep_in_memory().unwrap();
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(locked > 0);
    assert_eq!(locked, whole_pages(size));
    assert!(locked_bytes() >= before + locked);

    // The import's pages reach the file when they are copied from the log (a checkpoint every
    // 200 ms); the file is looked at for growth every second.
    store
        .billing()
        .import(worked_example(), "test")
        .await
        .unwrap();
    eventually("the file grows as the import is checkpointed", || {
        std::fs::metadata(&file).unwrap().len() > size
    })
    .await;
    eventually("the pages the file grew by are locked too", || {
        let grown = whole_pages(std::fs::metadata(&file).unwrap().len());
        locked_bytes() >= before + grown
    })
    .await;

    db.drop_database(store).await;
    eventually("the pages are let go once the store is closed", || {
        locked_bytes() <= before
    })
    .await;
}
