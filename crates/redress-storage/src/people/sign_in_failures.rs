//! The wrong passwords each email was tried with, by the rule of `redress_domain::sign_in`:
//! read before a password is checked, counted after a wrong one, cleared after a right one.
//! Kept in the database, so that every server counts the same failures and a restart forgets
//! none.

use crate::engine::sql::{Db, params};
use crate::engine::stored::Cells;
use crate::engine::transaction::append;
use crate::engine::{Backend, StorageError, Work};
use redress_domain::audit_log::NewEvent;
use redress_domain::sign_in::Failures;
use redress_domain::{Timestamp, timestamp_text};

/// The most characters of a typed email kept as its key: more than any address has.
const MOST_KEY_CHARS: usize = 320;

/// The key of `email` as typed: trimmed, lower-cased (as users' emails are kept), and cut to
/// [`MOST_KEY_CHARS`]. Known or not.
pub(crate) fn key(email: &str) -> String {
    email
        .trim()
        .to_lowercase()
        .chars()
        .take(MOST_KEY_CHARS)
        .collect()
}

/// The failures of `email` (its [`key`]), if any are kept; with `lock`, its row locked until
/// the transaction ends (PostgreSQL; SQLite's writers always take turns).
pub(crate) fn read(
    db: &mut dyn Db,
    email: &str,
    lock: bool,
) -> Result<Option<Failures>, StorageError> {
    let lock = match (db.backend(), lock) {
        (Backend::Postgres, true) => " FOR UPDATE",
        _ => "",
    };
    db.row(
        &format!(
            "SELECT failures, first_failed_at, locked_until FROM sign_in_failures \
             WHERE email = ?{lock}"
        ),
        params![email],
        |row| {
            let cells = Cells::new(row, "sign_in_failures", email);
            Ok(Failures {
                count: u32::try_from(row.int(0)?).unwrap_or(u32::MAX),
                first_at: cells.timestamp(1, "first_failed_at")?,
                locked_until: cells.opt_timestamp(2, "locked_until")?,
            })
        },
    )
}

/// Counts a wrong password for `email` at `now`, and gives its failures after it. The email's
/// row is made first and then locked, so that wrong passwords tried at once on several servers
/// are each counted. The failure that locks the email is an event in the audit log.
pub fn record_failure(email: &str, now: Timestamp) -> Work<Failures, StorageError> {
    let email = key(email);
    Work::new(move |db| {
        let at = timestamp_text(now);
        db.execute(
            "INSERT INTO sign_in_failures (email, failures, first_failed_at) VALUES (?, 0, ?) \
             ON CONFLICT (email) DO NOTHING",
            params![&email, &at],
        )?;
        let before = read(db, &email, true)?;
        let after = Failures::after_failure(before, now);
        let until = after.locked_until.map(timestamp_text);
        db.execute(
            "UPDATE sign_in_failures SET failures = ?, first_failed_at = ?, locked_until = ? \
             WHERE email = ?",
            params![
                i64::from(after.count),
                &timestamp_text(after.first_at),
                &until,
                &email
            ],
        )?;
        let newly_locked =
            after.locked_at(now).is_some() && before.and_then(|b| b.locked_at(now)).is_none();
        if newly_locked {
            append(
                db,
                NewEvent {
                    occurred_at: at,
                    actor: "system".to_owned(),
                    entity: "sign_in".to_owned(),
                    entity_id: email.clone(),
                    action: "sign_in_locked".to_owned(),
                    before: None,
                    after: Some(
                        serde_json::json!({"failures": after.count, "locked_until": until})
                            .to_string(),
                    ),
                },
            )?;
        }
        Ok(after)
    })
}

/// Forgets the failures of `email`: someone signed in with it.
pub fn clear(email: &str) -> Work<(), StorageError> {
    let email = key(email);
    Work::new(move |db| {
        db.execute(
            "DELETE FROM sign_in_failures WHERE email = ?",
            params![&email],
        )?;
        Ok(())
    })
}
