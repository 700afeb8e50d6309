//! The desk's sessions: a browser that signed in holds a random token in a cookie, and only
//! the token's SHA-256 is kept, with the user it acts as, a token for the forms it is shown
//! (CSRF) and when it ends. A session of a user disabled, or past its end, signs no one in.

use super::tokens::{Caller, UserError, secret_hex, sha256_hex};
use crate::engine::sql::{Db, params};
use crate::engine::stored::{Cells, now};
use crate::engine::{StorageError, Work};
use redress_domain::{Role, Timestamp, timestamp_text};

/// A session just opened: its token, given once (for the cookie) and kept only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedSession {
    /// The session's token: the cookie's value.
    pub token: String,
    /// The token every form of the session carries (CSRF).
    pub csrf: String,
    /// Who it acts as.
    pub user: Caller,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// A live session, read back from its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    /// Who it acts as.
    pub user: Caller,
    /// The token every form of the session carries (CSRF).
    pub csrf: String,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// Opens a session for the user `user_id`, ending at `expires_at`; the sessions that have
/// ended are cleared away meanwhile. A user unknown or disabled is [`UserError::Unknown`].
pub fn open(user_id: &str, expires_at: Timestamp) -> Work<OpenedSession, UserError> {
    let user_id = user_id.to_owned();
    Work::new(move |db| {
        let user = db
            .row(
                "SELECT id, name, role FROM users WHERE id = ? AND disabled_at IS NULL",
                params![&user_id],
                |row| Ok((row.string(0)?, row.string(1)?, row.string(2)?)),
            )?
            .ok_or_else(|| UserError::Unknown(user_id.clone()))?;
        let user = caller(user)?;
        let created_at = now();
        db.execute(
            "DELETE FROM web_sessions WHERE expires_at <= ?",
            params![&created_at],
        )?;
        let (token, csrf) = (secret_hex()?, secret_hex()?);
        db.execute(
            "INSERT INTO web_sessions (token_sha256, user_id, csrf_token, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
            params![
                &sha256_hex(&token),
                &user.id,
                &csrf,
                &created_at,
                &timestamp_text(expires_at)
            ],
        )?;
        Ok(OpenedSession {
            token,
            csrf,
            user,
            expires_at,
        })
    })
}

/// Ends the session whose token is `token`, if there is one.
pub fn close(token: &str) -> Work<(), StorageError> {
    let hash = sha256_hex(token);
    Work::new(move |db| {
        db.execute(
            "DELETE FROM web_sessions WHERE token_sha256 = ?",
            params![&hash],
        )?;
        Ok(())
    })
}

/// The live session whose token's hash is `hash`: not ended by `now`, of a user not disabled.
pub(crate) fn live(
    db: &mut dyn Db,
    hash: &str,
    now: Timestamp,
) -> Result<Option<SessionUser>, StorageError> {
    let row = db.row(
        "SELECT u.id, u.name, u.role, s.csrf_token, s.expires_at \
         FROM web_sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_sha256 = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
        params![hash, &timestamp_text(now)],
        |row| {
            let user = (row.string(0)?, row.string(1)?, row.string(2)?);
            let expires_at =
                Cells::new(row, "web_sessions", user.0.as_str()).timestamp(4, "expires_at")?;
            Ok((user, row.string(3)?, expires_at))
        },
    )?;
    row.map(|(user, csrf, expires_at)| {
        Ok(SessionUser {
            user: caller(user)?,
            csrf,
            expires_at,
        })
    })
    .transpose()
}

/// A user's row as the one who acts.
fn caller((id, name, role): (String, String, String)) -> Result<Caller, StorageError> {
    let role = Role::from_name(&role)
        .ok_or_else(|| StorageError::Corrupt(format!("users.role of {id}: `{role}`")))?;
    Ok(Caller { id, name, role })
}
