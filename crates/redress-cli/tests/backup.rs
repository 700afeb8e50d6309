//! `redress backup` and `redress restore` on the embedded database: a backup taken while a
//! server takes disputes holds every one acknowledged before it began and none asked for after
//! it ended, and restores whole (the audit log's chain verifies, every ledger posting
//! balances); a restore over a database in use, over one not meant to be replaced, or of a
//! file that is no backup is refused and changes nothing.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Database, Server, redress, text};

fn imported() -> Database {
    let db = Database::new();
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    let imported = db.redress(&["import", example.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    db
}

fn is_sqlite(db: &Database) -> bool {
    db.args[0] == "--data-dir"
}

/// A dispute asked for: when it was sent, when it was answered, and its id once taken.
struct Asked {
    sent: Instant,
    answered: Instant,
    id: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_a_server_takes_disputes_holds_every_one_acknowledged_before_it_and_restores_whole()
 {
    let db = imported();
    if !is_sqlite(&db) {
        return;
    }
    let agent = db.user("agent", "agent-ana");
    let server = Server::start(&db).await;
    let stop = Arc::new(AtomicBool::new(false));
    let asked = Arc::new(Mutex::new(Vec::<Asked>::new()));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (base, token, stop, asked) = (
            server.base.clone(),
            agent.clone(),
            stop.clone(),
            asked.clone(),
        );
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let sent = Instant::now();
                let response = client
                    .post(format!("{base}/api/v1/disputes"))
                    .bearer_auth(&token)
                    .json(&json!({"invoice_id": "INV-A1", "line_no": 1 + (n % 3),
                        "reason": "overcharged", "claimed_amount": "1.00",
                        "narrative": format!("Writer {writer}, dispute {n}."), "channel": "email"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                let body: serde_json::Value = response.json().await.unwrap();
                asked.lock().unwrap().push(Asked {
                    sent,
                    answered: Instant::now(),
                    id: body["id"].as_str().unwrap().to_owned(),
                });
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let backup = tempfile::tempdir().unwrap();
    let file = backup.path().join("redress-backup.db");
    let began = Instant::now();
    let args: Vec<String> = ["backup", file.to_str().unwrap()]
        .iter()
        .map(|a| a.to_string())
        .chain(db.args.iter().cloned())
        .collect();
    let backed_up = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(backed_up.status.success(), "{}", text(&backed_up.stderr));
    assert!(!backup.path().join("redress-backup.db.partial").exists());

    let restored = tempfile::tempdir().unwrap();
    let dir = restored.path().join("data");
    let out = redress(&[
        "restore",
        file.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("events verify"),
        "{}",
        text(&out.stderr)
    );
    let verified = redress(&["verify-log", "--data-dir", dir.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));

    // Served from the restored database, the same token reads what the backup holds.
    let on_restored = Server::start(&Database::at_data_dir(&dir)).await;
    let asked = std::mem::take(&mut *asked.lock().unwrap());
    let before: Vec<&Asked> = asked.iter().filter(|a| a.answered < began).collect();
    let after: Vec<&Asked> = asked.iter().filter(|a| a.sent > ended).collect();
    assert!(
        !before.is_empty() && !after.is_empty(),
        "{} asked",
        asked.len()
    );
    let client = reqwest::Client::new();
    for (asked, held) in before
        .iter()
        .map(|a| (a, true))
        .chain(after.iter().map(|a| (a, false)))
    {
        let status = client
            .get(format!("{}/api/v1/disputes/{}", on_restored.base, asked.id))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap()
            .status();
        let expected = if held {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, expected, "dispute {} (held: {held})", asked.id);
    }
}

#[tokio::test]
async fn a_restore_over_a_database_in_use_or_not_meant_to_be_replaced_is_refused_and_changes_nothing()
 {
    let db = imported();
    if !is_sqlite(&db) {
        return;
    }
    let agent = db.user("agent", "agent-ana");
    let backup = tempfile::tempdir().unwrap();
    let file = backup.path().join("before.db");
    let out = db.redress(&["backup", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A backup never overwrites a file.
    let again = db.redress(&["backup", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );

    // A dispute taken after the backup: what a refused restore must leave in place.
    let server = Server::start(&db).await;
    let (status, taken) = support::post(
        &server.base,
        &agent,
        "/api/v1/disputes",
        json!({"invoice_id": "INV-A1", "line_no": 1, "reason": "overcharged",
               "claimed_amount": "1.00", "narrative": "After the backup.", "channel": "email"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    let id = taken["id"].as_str().unwrap();

    let in_use = db.redress(&["restore", file.to_str().unwrap(), "--replace"]);
    assert_eq!(in_use.status.code(), Some(2), "{}", text(&in_use.stderr));
    assert!(
        text(&in_use.stderr).contains("is using"),
        "{}",
        text(&in_use.stderr)
    );
    let read = support::get(&server.base, &agent, &format!("/api/v1/disputes/{id}")).await;
    assert_eq!(read["id"], id);
    drop(server);

    let not_replacing = db.redress(&["restore", file.to_str().unwrap()]);
    assert_eq!(
        not_replacing.status.code(),
        Some(2),
        "{}",
        text(&not_replacing.stderr)
    );
    assert!(
        text(&not_replacing.stderr).contains("--replace"),
        "{}",
        text(&not_replacing.stderr)
    );

    // With --replace, the backup is in place and the database it replaced is kept beside it.
    let replaced = db.redress(&["restore", file.to_str().unwrap(), "--replace"]);
    assert!(replaced.status.success(), "{}", text(&replaced.stderr));
    let server = Server::start(&db).await;
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/disputes/{id}", server.base))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let data_dir = Path::new(&db.args[1]);
    let kept: Vec<String> = std::fs::read_dir(data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.starts_with("redress.db.replaced-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    drop(server);
    let old = tempfile::tempdir().unwrap();
    let out = redress(&[
        "restore",
        data_dir.join(&kept[0]).to_str().unwrap(),
        "--data-dir",
        old.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "the replaced database restores: {}",
        text(&out.stderr)
    );
    let old_db = Database::at_data_dir(old.path());
    let server = Server::start(&old_db).await;
    let read = support::get(&server.base, &agent, &format!("/api/v1/disputes/{id}")).await;
    assert_eq!(
        read["id"], id,
        "the replaced database still holds the later dispute"
    );
}

#[tokio::test]
async fn a_file_that_is_no_backup_is_refused_naming_why_and_nothing_is_put_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "not a database").unwrap();
    let out = redress(&[
        "restore",
        text_file.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("not a SQLite database"),
        "{}",
        text(&out.stderr)
    );

    // A SQLite database, but not Redress's.
    let foreign = dir.path().join("other.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    let out = redress(&[
        "restore",
        foreign.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no Redress database"),
        "{}",
        text(&out.stderr)
    );
    assert!(!data.join("redress.db").exists());

    let missing = redress(&[
        "restore",
        dir.path().join("gone.db").to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("gone.db"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn postgresql_is_backed_up_with_its_own_tools_and_redress_says_so() {
    let out = redress(&[
        "backup",
        "/tmp/never-written.db",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
    ]);
    // Refused before connecting: no server is needed to say so.
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(said.contains("pg_dump"), "{said}");
}
