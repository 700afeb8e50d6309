//! The people who work disputes, and the tokens they act with ([`tokens`]).
//!
//! Who a token acts as is read on the handle [`People`] (`store.people()`); users and tokens are
//! made by [`Work`](crate::Work)s (`tokens::create_user_with_token`, `tokens::create_token`),
//! and `tokens::acting` re-reads, in the transaction that acts, whether a user still may.

pub mod tokens;

use self::tokens::Caller;
use crate::engine::{StorageError, Store};

/// The people, read: `store.people()`.
#[derive(Debug, Clone, Copy)]
pub struct People<'s>(pub(crate) &'s Store);

impl People<'_> {
    /// Who a token acts as, if it is a live token of a user not disabled.
    pub async fn caller(&self, token: &str) -> Result<Option<Caller>, StorageError> {
        let hash = tokens::sha256_hex(token);
        self.0.run(move |db| tokens::caller(db, &hash)).await
    }
}
