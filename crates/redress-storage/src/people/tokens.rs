//! The people who work disputes, and their API tokens: a user has an id that never changes and
//! a role; a token belongs to a user, is shown once, and is stored only as its SHA-256. Every
//! change is recorded under the acting user's id, never under a token's or a person's name.

use crate::engine::sql::{Db, params};
use crate::engine::stored::{new_id, now};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::audit_log::NewEvent;
use sha2::{Digest, Sha256};

pub use redress_domain::role::Role;

/// Who a request's token says is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's id: who acts, as the audit log and every record of who did what say.
    pub id: String,
    /// The user's name, for people.
    pub name: String,
    /// The user's role.
    pub role: Role,
}

/// Why a user or a token was not created. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// A user id must be short and plain, since it is written beside every change they make.
    #[error(
        "`{0}` is not a user id (expected 1 to 64 lower-case letters, digits, `.`, `_`, `-` or `@`)"
    )]
    BadId(String),
    /// The id is taken: by someone else, or by the same person already.
    #[error(
        "a user `{0}` exists already; to give them another token: redress token create --user {0}"
    )]
    Exists(String),
    /// Not an email address Redress can sign someone in with.
    #[error(
        "`{0}` is not an email address (expected one `@` with text either side, no spaces, at most 254 characters)"
    )]
    BadEmail(String),
    /// Another user signs in with this email already.
    #[error("a user with the email {0} exists already")]
    EmailTaken(String),
    /// No such user, or one disabled.
    #[error("no user `{0}` can be given a token (none has that id, or it was disabled)")]
    Unknown(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether `id` is a user id: 1 to 64 of `a-z 0-9 . _ - @`.
pub fn is_user_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-@".contains(&b))
}

pub(crate) fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 256 bits from the operating system's cryptographic generator, in hex: a secret as strong
/// as a password needs to be (a token, a session, a form's CSRF token).
pub(crate) fn secret_hex() -> Result<String, StorageError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StorageError::NoRandomness(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new token for `user_id`, within the open transaction; gives the token, which is never
/// stored or shown again.
fn token_in(db: &mut dyn Db, user_id: &str, role: Role, actor: &str) -> Result<String, UserError> {
    let token = format!("rdr_{}", secret_hex()?);
    let id = new_id("TOK");
    db.execute(
        "INSERT INTO api_tokens (id, name, role, token_sha256, created_at, user_id) VALUES (?, ?, ?, ?, ?, ?)",
        params![&id, user_id, role.as_str(), &sha256_hex(&token), &now(), user_id],
    )?;
    let after =
        serde_json::json!({"id": id, "user_id": user_id, "role": role.as_str()}).to_string();
    append(
        db,
        NewEvent {
            occurred_at: now(),
            actor: actor.to_owned(),
            entity: "api_token".to_owned(),
            entity_id: id,
            action: "created".to_owned(),
            before: None,
            after: Some(after),
        },
    )?;
    Ok(token)
}

/// The role of the user `user_id`, read in the transaction that acts for them: a user disabled
/// meanwhile, or unknown, acts no more (`UserError::Unknown`).
pub fn acting(user_id: &str) -> Work<Role, UserError> {
    let user_id = user_id.to_owned();
    Work::new(move |db| {
        let role = db
            .row(
                "SELECT role FROM users WHERE id = ? AND disabled_at IS NULL",
                params![&user_id],
                |row| row.string(0),
            )?
            .ok_or_else(|| UserError::Unknown(user_id.clone()))?;
        Ok(Role::from_name(&role)
            .ok_or_else(|| StorageError::Corrupt(format!("users.role of {user_id}: `{role}`")))?)
    })
}

/// Creates the user `id` (named `name`) with `role`, and a first token for them; gives the
/// token, which is never stored or shown again. An id already taken is refused: two people
/// are never made one identity because they were given the same name. An id that is not a
/// user id is refused at once (`Err`), before any transaction.
pub fn create_user_with_token(
    id: &str,
    name: &str,
    role: Role,
    actor: &str,
) -> Result<Work<String, UserError>, UserError> {
    if !is_user_id(id) {
        return Err(UserError::BadId(id.to_owned()));
    }
    let (id, name, actor) = (id.to_owned(), name.to_owned(), actor.to_owned());
    Ok(Work::new(move |db| {
        let created = db.execute(
            "INSERT INTO users (id, name, role, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (id) DO NOTHING",
            params![&id, &name, role.as_str(), &now()],
        )?;
        if created == 0 {
            return Err(UserError::Exists(id));
        }
        let after = serde_json::json!({"id": id, "name": name, "role": role.as_str()}).to_string();
        append(
            db,
            NewEvent {
                occurred_at: now(),
                actor: actor.clone(),
                entity: "user".to_owned(),
                entity_id: id.clone(),
                action: "created".to_owned(),
                before: None,
                after: Some(after),
            },
        )?;
        token_in(db, &id, role, &actor)
    }))
}

/// Gives the existing user `user_id` another token; gives the token, which is never stored
/// or shown again. It acts as the same person, with their role.
pub fn create_token(user_id: &str, actor: &str) -> Work<String, UserError> {
    let (user_id, actor) = (user_id.to_owned(), actor.to_owned());
    // Only a user who may act is given one, read as `acting` reads it.
    acting(&user_id).then(move |role| Work::new(move |db| token_in(db, &user_id, role, &actor)))
}

/// Who a token acts as, if it is a live token of a user not disabled.
pub(crate) fn caller(db: &mut dyn Db, hash: &str) -> Result<Option<Caller>, StorageError> {
    let row = db.row(
        "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
        params![hash],
        |row| Ok((row.string(0)?, row.string(1)?, row.string(2)?)),
    )?;
    row.map(|(id, name, role)| {
        let role = Role::from_name(&role)
            .ok_or_else(|| StorageError::Corrupt(format!("users.role of {id}: `{role}`")))?;
        Ok(Caller { id, name, role })
    })
    .transpose()
}
