//! The people who work disputes: who a token acts as, and new users and tokens.

use crate::redress::{Actor, Redress};
use redress_domain::Role;
use redress_storage::StorageError;
use redress_storage::people::tokens::{self, UserError};

/// Users and their tokens.
pub struct People<'a>(pub(crate) &'a Redress);

impl Redress {
    /// Users and their tokens.
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
}
