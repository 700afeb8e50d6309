//! The people who sign in to the desk: a user with an email (kept lower-cased, so unique
//! whatever its case) and a password kept only as a hash, which the service makes and checks
//! (the storage never sees a password); and a user disabled, whose sessions end with it.

use super::tokens::{UserError, is_user_id};
use crate::engine::sql::{Db, params};
use crate::engine::stored::{Cells, new_id, now};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::audit_log::NewEvent;
use redress_domain::{Role, Timestamp};

/// The longest email address taken, in characters (RFC 5321's limit on a path).
pub const MAX_EMAIL_CHARS: usize = 254;

/// `email` as it is kept and looked up: without the spaces around it, lower-cased; or
/// [`UserError::BadEmail`] when it is not an address (one `@` with text either side, no
/// spaces or control characters, at most [`MAX_EMAIL_CHARS`]).
pub fn normalized_email(email: &str) -> Result<String, UserError> {
    let email = email.trim().to_lowercase();
    let plain = !email.chars().any(|c| c.is_whitespace() || c.is_control());
    let parts = email.split_once('@');
    let ok = plain
        && email.chars().count() <= MAX_EMAIL_CHARS
        && parts.is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if ok {
        Ok(email)
    } else {
        Err(UserError::BadEmail(email))
    }
}

/// What signing in as someone is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user's id.
    pub user_id: String,
    /// Their password's hash (an argon2id PHC string), as the service made it.
    pub password_hash: String,
}

/// Creates a user who signs in with `email` (normalized: [`normalized_email`]) and the password
/// whose hash is `password_hash`, named `name`, with `role`; gives their id. The id is the
/// email when it is a user id no one has (it is written beside every change they make, so a
/// plain one helps the people who read the log), and a new `usr-…` otherwise. An email that
/// another user signs in with is refused ([`UserError::EmailTaken`]); one that is no address
/// is refused at once, before any transaction.
pub fn create_user(
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    actor: &str,
) -> Result<Work<String, UserError>, UserError> {
    let email = normalized_email(email)?;
    let (name, hash, actor) = (name.to_owned(), password_hash.to_owned(), actor.to_owned());
    Ok(Work::new(move |db| {
        let taken = db
            .row(
                "SELECT 1 FROM users WHERE email = ?",
                params![&email],
                |_| Ok(()),
            )?
            .is_some();
        if taken {
            return Err(UserError::EmailTaken(email));
        }
        let id = if is_user_id(&email) && !user_exists(db, &email)? {
            email.clone()
        } else {
            new_id("usr")
        };
        db.execute(
            "INSERT INTO users (id, name, role, created_at, email, password_hash) \
             VALUES (?, ?, ?, ?, ?, ?)",
            params![&id, &name, role.as_str(), &now(), &email, &hash],
        )?;
        let after = serde_json::json!({
            "id": id, "name": name, "role": role.as_str(), "email": email,
        })
        .to_string();
        append(
            db,
            NewEvent {
                occurred_at: now(),
                actor,
                entity: "user".to_owned(),
                entity_id: id.clone(),
                action: "created".to_owned(),
                before: None,
                after: Some(after),
            },
        )?;
        Ok(id)
    }))
}

fn user_exists(db: &mut dyn Db, id: &str) -> Result<bool, StorageError> {
    Ok(db
        .row("SELECT 1 FROM users WHERE id = ?", params![id], |_| Ok(()))?
        .is_some())
}

/// Disables the user `user_id`: they act no more, by token or by session, and their sessions
/// end now. A user unknown or disabled already is [`UserError::Unknown`].
pub fn disable(user_id: &str, actor: &str) -> Work<(), UserError> {
    let (user_id, actor) = (user_id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let at = now();
        let disabled = db.execute(
            "UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
            params![&at, &user_id],
        )?;
        if disabled == 0 {
            return Err(UserError::Unknown(user_id));
        }
        db.execute(
            "DELETE FROM web_sessions WHERE user_id = ?",
            params![&user_id],
        )?;
        append(
            db,
            NewEvent {
                occurred_at: at.clone(),
                actor,
                entity: "user".to_owned(),
                entity_id: user_id.clone(),
                action: "disabled".to_owned(),
                before: None,
                after: Some(serde_json::json!({"id": user_id, "disabled_at": at}).to_string()),
            },
        )?;
        Ok(())
    })
}

/// What signing in with `email` (normalized) is checked against: only a user not disabled
/// who has a password.
pub(crate) fn credentials(
    db: &mut dyn Db,
    email: &str,
) -> Result<Option<Credentials>, StorageError> {
    db.row(
        "SELECT id, password_hash FROM users \
         WHERE email = ? AND disabled_at IS NULL AND password_hash IS NOT NULL",
        params![email],
        |row| {
            Ok(Credentials {
                user_id: row.string(0)?,
                password_hash: row.string(1)?,
            })
        },
    )
}

/// A user as an admin sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Their id, written beside every change they make.
    pub id: String,
    /// Their name.
    pub name: String,
    /// The email they sign in to the desk with; `None` for a user of API tokens only.
    pub email: Option<String>,
    /// What they may do.
    pub role: Role,
    /// When they were made.
    pub created_at: Timestamp,
    /// When they were disabled, if they were.
    pub disabled_at: Option<Timestamp>,
    /// Their API tokens not revoked.
    pub live_tokens: u64,
}

/// Every user, the live first, then by name and id.
pub(crate) fn list(db: &mut dyn Db) -> Result<Vec<UserRecord>, StorageError> {
    db.rows(
        "SELECT u.id, u.name, u.email, u.role, u.created_at, u.disabled_at, \
         (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) \
         FROM users u ORDER BY (u.disabled_at IS NOT NULL), u.name, u.id",
        &[],
        |row| {
            let id = row.string(0)?;
            let cells = Cells::new(row, "users", id.as_str());
            Ok(UserRecord {
                name: row.string(1)?,
                email: row.opt_string(2)?,
                role: cells.parsed(3, "role", "a role", Role::from_name)?,
                created_at: cells.timestamp(4, "created_at")?,
                disabled_at: cells.opt_timestamp(5, "disabled_at")?,
                live_tokens: u64::try_from(row.int(6)?).unwrap_or(0),
                id,
            })
        },
    )
}
