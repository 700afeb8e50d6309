//! The people who work disputes: the tokens they act with through the API ([`tokens`]), the
//! email and password they sign in to the desk with ([`users`]), and the desk's sessions
//! ([`sessions`]).
//!
//! Who a token or a session acts as is read on the handle [`People`] (`store.people()`);
//! users, tokens and sessions are made by [`Work`](crate::Work)s (`tokens::create_user_with_token`,
//! `tokens::create_token`, `users::create_user`, `sessions::open`, …), and `tokens::acting`
//! re-reads, in the transaction that acts, whether a user still may.

pub mod sessions;
pub mod sign_in_failures;
pub mod tokens;
pub mod users;

use self::sessions::SessionUser;
use self::tokens::Caller;
use self::users::Credentials;
use crate::engine::{StorageError, Store};
use redress_domain::Timestamp;
use std::collections::HashMap;

/// The people, read: `store.people()`.
#[derive(Debug, Clone, Copy)]
pub struct People<'s>(pub(crate) &'s Store);

impl People<'_> {
    /// Who a token acts as, if it is a live token of a user not disabled.
    pub async fn caller(&self, token: &str) -> Result<Option<Caller>, StorageError> {
        let hash = tokens::sha256_hex(token);
        self.0.run(move |db| tokens::caller(db, &hash)).await
    }

    /// What signing in with `email` is checked against: the user (not disabled) who signs in
    /// with it, and their password's hash. `email` is looked up as it is kept
    /// ([`users::normalized_email`]); one that is no address finds no one.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>, StorageError> {
        let Ok(email) = users::normalized_email(email) else {
            return Ok(None);
        };
        self.0.run(move |db| users::credentials(db, &email)).await
    }

    /// The wrong passwords `email` (as typed) was tried with, if any are kept: until when
    /// signing in with it is locked, among them.
    pub async fn sign_in_failures(
        &self,
        email: &str,
    ) -> Result<Option<redress_domain::sign_in::Failures>, StorageError> {
        let email = sign_in_failures::key(email);
        self.0
            .run(move |db| sign_in_failures::read(db, &email, false))
            .await
    }

    /// Every user, the live first.
    pub async fn users(&self) -> Result<Vec<users::UserRecord>, StorageError> {
        self.0.run(users::list).await
    }

    /// Every user's name by their id, the disabled included (what they did stays theirs).
    pub async fn names(&self) -> Result<HashMap<String, String>, StorageError> {
        self.0
            .run(|db| {
                db.rows("SELECT id, name FROM users", &[], |row| {
                    Ok((row.string(0)?, row.string(1)?))
                })
            })
            .await
            .map(|pairs| pairs.into_iter().collect())
    }

    /// The session whose token is `token`, if it is live at `now` and its user not disabled.
    pub async fn session(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Option<SessionUser>, StorageError> {
        let hash = tokens::sha256_hex(token);
        self.0.run(move |db| sessions::live(db, &hash, now)).await
    }
}
