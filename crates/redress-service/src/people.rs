//! The people who work disputes: who a token or a desk session acts as, new users and tokens,
//! signing in and out of the desk, and disabling a user.
//!
//! Passwords are hashed with argon2id (its default parameters: 19 MiB, two passes, one lane,
//! as OWASP recommends) and only the hash (a PHC string, salt included) is kept. Hashing and
//! checking take tens of milliseconds of one core, on a blocking thread and outside any
//! transaction. An email no one signs in with is checked against a hash all the same, so that
//! how long a refusal takes does not say whether the address is known.

use crate::error::{Denied, ServiceError};
use crate::redress::{Actor, Redress};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use redress_domain::{Role, Timestamp};
use redress_storage::StorageError;
use redress_storage::people::sessions::{self, SessionUser};
use redress_storage::people::tokens::{self, UserError};
use redress_storage::people::users;
use redress_storage::people::users::UserRecord;
use std::collections::HashMap;
use std::sync::LazyLock;

/// How long a desk session lasts from signing in: a working day, with room to spare.
pub const SESSION_HOURS: i64 = 12;

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The most characters a password may have: hashing is bounded, and no one types more.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A password that is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Longer than [`MAX_PASSWORD_CHARS`].
    #[error("a password has at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

/// Why a user was not created. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// The password is not taken.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The user is refused (their email is no address, or taken), or the database failed.
    #[error(transparent)]
    User(#[from] UserError),
    /// The password could not be hashed.
    #[error("cannot hash the password: {0}")]
    Hashing(String),
}

/// Why no one was signed in.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// No user who may sign in has this email and this password. Which of the two was wrong
    /// is not said.
    #[error("the email or the password is not right")]
    WrongCredentials,
    /// Too many wrong passwords were tried with this email lately: signing in with it is
    /// refused until `until`, the right password included.
    #[error("too many wrong passwords were tried with this email: try again after {until}")]
    LockedOut {
        /// When signing in with it is taken again.
        until: Timestamp,
    },
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A desk session just opened by signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// The session's token: what the browser's cookie holds, given only now.
    pub token: String,
    /// The token each of the session's forms carries (CSRF).
    pub csrf: String,
    /// Who it acts as: the same actor, with the same permissions, as the user's API tokens.
    pub actor: Actor,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// A live desk session, from its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Who it acts as.
    pub actor: Actor,
    /// The token each of the session's forms carries (CSRF).
    pub csrf: String,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// Users, their tokens and their sessions.
pub struct People<'a>(pub(crate) &'a Redress);

impl Redress {
    /// Users, their tokens and their sessions.
    pub fn people(&self) -> People<'_> {
        People(self)
    }
}

impl People<'_> {
    /// Who a token acts as, if it is a live token of a user not disabled.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Actor>, StorageError> {
        self.0.store.people().caller(token).await
    }

    /// Creates the user `id` with `role` and a first token for them; gives the token, shown
    /// once. An id already taken is refused.
    pub async fn create_user_with_token(
        &self,
        id: &str,
        name: &str,
        role: Role,
        actor: &str,
    ) -> Result<String, UserError> {
        self.0
            .store
            .perform(tokens::create_user_with_token(id, name, role, actor)?)
            .await
    }

    /// Gives the user `user_id` another token; gives the token, shown once.
    pub async fn create_token(&self, user_id: &str, actor: &str) -> Result<String, UserError> {
        self.0
            .store
            .perform(tokens::create_token(user_id, actor))
            .await
    }

    /// Creates a user who signs in to the desk with `email` (kept lower-cased) and `password`
    /// (kept only as its argon2id hash), named `name`, with `role`; gives their id (the email
    /// when it can be one). An email another user has is refused, and so is a password
    /// shorter than [`MIN_PASSWORD_CHARS`].
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
        actor: &str,
    ) -> Result<String, CreateUserError> {
        let chars = password.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort.into());
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong.into());
        }
        // Refused before the hashing's cost when the email is no address.
        users::normalized_email(email)?;
        let password = password.to_owned();
        let hash = blocking(move || hash_password(&password))
            .await
            .map_err(CreateUserError::Hashing)?;
        Ok(self
            .0
            .store
            .perform(users::create_user(email, name, role, &hash, actor)?)
            .await?)
    }

    /// Signs in with `email` and `password`: a session of [`SESSION_HOURS`] for the user who
    /// has both, while they are not disabled. A wrong email and a wrong password are the same
    /// refusal ([`SignInError::WrongCredentials`]), and take as long. After
    /// [`MOST_FAILURES`](redress_domain::sign_in::MOST_FAILURES) wrong passwords with one email
    /// within a quarter of an hour, signing in with it is [`SignInError::LockedOut`] for a
    /// quarter of an hour, known email or not; signing in clears its failures.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<WebSession, SignInError> {
        use redress_storage::people::sign_in_failures;
        let store = &self.0.store;
        // A locked email is refused before its password is looked at: guessing goes no
        // further, whatever is guessed.
        let now = redress_storage::this_moment();
        let failures = store.people().sign_in_failures(email).await?;
        if let Some(until) = failures.and_then(|f| f.locked_at(now)) {
            return Err(SignInError::LockedOut { until });
        }
        let wrong = || async {
            let after = store
                .perform(sign_in_failures::record_failure(email, now))
                .await?;
            Err(match after.locked_at(now) {
                Some(until) => SignInError::LockedOut { until },
                None => SignInError::WrongCredentials,
            })
        };
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return wrong().await;
        }
        let found = store.people().credentials(email).await?;
        let password = password.to_owned();
        let (user_id, hash) = match found {
            Some(c) => (Some(c.user_id), c.password_hash),
            None => (None, DECOY_HASH.clone()),
        };
        let matches = blocking(move || verify_password(&password, &hash)).await;
        let Some(user_id) = user_id.filter(|_| matches) else {
            return wrong().await;
        };
        if failures.is_some() {
            store.perform(sign_in_failures::clear(email)).await?;
        }
        let expires_at = redress_storage::this_moment()
            .checked_add(jiff::SignedDuration::from_hours(SESSION_HOURS))
            .expect("twelve hours from now is a moment");
        let opened = self
            .0
            .store
            .perform(sessions::open(&user_id, expires_at))
            .await
            .map_err(|e| match e {
                UserError::Storage(e) => SignInError::Storage(e),
                // Disabled between the check of the password and the session.
                _ => SignInError::WrongCredentials,
            })?;
        Ok(WebSession {
            token: opened.token,
            csrf: opened.csrf,
            actor: opened.user,
            expires_at: opened.expires_at,
        })
    }

    /// Who the desk session `token` acts as, with its forms' token: `None` unless the session
    /// is live (signed in, not signed out, not past its end) and its user not disabled.
    pub async fn session(&self, token: &str) -> Result<Option<SignedIn>, StorageError> {
        let found = self
            .0
            .store
            .people()
            .session(token, redress_storage::this_moment())
            .await?;
        Ok(found.map(
            |SessionUser {
                 user,
                 csrf,
                 expires_at,
             }| SignedIn {
                actor: user,
                csrf,
                expires_at,
            },
        ))
    }

    /// Ends the desk session `token` (nothing when there is none).
    pub async fn sign_out(&self, token: &str) -> Result<(), StorageError> {
        self.0.store.perform(sessions::close(token)).await
    }

    /// Disables the user `user_id`, for `actor`, an admin: they act no more, by token or by
    /// session, and their sessions end now. Recorded in the audit log.
    pub async fn disable_user(&self, actor: &Actor, user_id: &str) -> Result<(), ServiceError> {
        if actor.role != Role::Admin {
            return Err(Denied::NotAnAdmin(actor.role).into());
        }
        let work = crate::redress::as_writer(actor, users::disable(user_id, &actor.id));
        self.0.store.perform(work).await
    }
}

impl People<'_> {
    /// Every user's name by their id, to say who did what: anyone who reads disputes sees who
    /// worked them.
    pub async fn names(&self) -> Result<HashMap<String, String>, StorageError> {
        self.0.store.people().names().await
    }

    /// Every user with their role, email and live tokens, the live first: for `actor`, an
    /// admin.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<UserRecord>, ServiceError> {
        if actor.role != Role::Admin {
            return Err(Denied::NotAnAdmin(actor.role).into());
        }
        Ok(self.0.store.people().users().await?)
    }

    /// Adds a user for `actor`, an admin: they sign in to the desk with `email` and a strong
    /// password made for them, which is given back to be handed over, shown once. Gives
    /// `(their id, their password)`.
    pub async fn add_user(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        role: Role,
    ) -> Result<(String, String), AddUserError> {
        if actor.role != Role::Admin {
            return Err(ServiceError::from(Denied::NotAnAdmin(actor.role)).into());
        }
        let password =
            generate_password().map_err(|e| AddUserError::NoRandomness(e.to_string()))?;
        let id = self
            .create_user(email, name, role, &password, &actor.id)
            .await?;
        Ok((id, password))
    }

    /// Gives the user `user_id` another API token, for `actor`, an admin; gives the token,
    /// shown once.
    pub async fn issue_token(&self, actor: &Actor, user_id: &str) -> Result<String, ServiceError> {
        if actor.role != Role::Admin {
            return Err(Denied::NotAnAdmin(actor.role).into());
        }
        let work = crate::redress::as_writer(actor, tokens::create_token(user_id, &actor.id));
        self.0.store.perform(work).await
    }
}

/// Why an admin's new user was not added. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    /// The admin may not, or the database failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The user is refused (their email is no address, or taken).
    #[error(transparent)]
    User(#[from] CreateUserError),
    /// The system gave no random bytes for the password.
    #[error("cannot make a password: {0}")]
    NoRandomness(String),
}

/// A strong password, for a user who was given none: 24 characters of 32 that are told apart
/// easily (no `0`/`o`, `1`/`l`), in four groups of six: 120 bits from the operating system's
/// cryptographic generator.
pub fn generate_password() -> Result<String, getrandom::Error> {
    const SYMBOLS: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    let mut password = String::with_capacity(27);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 6 == 0 {
            password.push('-');
        }
        password.push(char::from(SYMBOLS[usize::from(b % 32)]));
    }
    Ok(password)
}

/// Runs `work` on a blocking thread (hashing a password would hold up a thread that serves
/// requests for tens of milliseconds).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// `password`'s argon2id hash as a PHC string, with a new random salt.
fn hash_password(password: &str) -> Result<String, String> {
    // 128 bits of salt from the operating system, as the PHC format recommends.
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    argon2::Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` is the one `hash` (a PHC string) was made from; a hash that does not
/// read is no match.
fn verify_password(password: &str, hash: &str) -> bool {
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash no password is known to match, checked when no one has the email given, so that a
/// refusal takes as long either way.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut noise = [0u8; 32];
    let _ = getrandom::fill(&mut noise);
    let noise: String = noise.iter().map(|b| format!("{b:02x}")).collect();
    hash_password(&noise).unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_kept_as_an_argon2id_hash_that_checks_it_and_no_other() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapler", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn a_password_made_for_a_user_is_long_and_of_plain_symbols() {
        let made = generate_password().unwrap();
        assert_eq!(made.len(), 27, "{made}");
        assert_eq!(made.split('-').count(), 4, "{made}");
        assert!(made.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()));
        assert_ne!(made, generate_password().unwrap());
    }

    #[test]
    fn the_same_password_hashed_twice_gives_two_hashes_since_each_has_its_own_salt() {
        assert_ne!(
            hash_password("the same password").unwrap(),
            hash_password("the same password").unwrap()
        );
    }
}
