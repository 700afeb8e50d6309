//! The one way in: [`Redress`], which the HTTP API, the CLI and any other face of Redress call
//! for everything they do, grouped by what it is about ([`Redress::disputes`],
//! [`Redress::books`], [`Redress::cases`], [`Redress::people`], [`Redress::billing`],
//! [`Redress::operations`]). Every change is checked in the transaction that makes it: who
//! acts (a user still allowed to change things), the rules of the books, the approval policy.

use crate::error::{Denied, ServiceError};
use redress_domain::resolution::ApprovalPolicy;
use redress_storage::idempotency::{Answer, Once, Reply};
use redress_storage::people::tokens::UserError;
use redress_storage::{Location, StorageError, Store, Work};
use std::sync::Arc;

pub use redress_storage::people::tokens::Caller as Actor;

/// Redress: its database and the business's approval policy.
#[derive(Clone, Debug)]
pub struct Redress {
    pub(crate) store: Store,
    pub(crate) policy: Arc<ApprovalPolicy>,
    pub(crate) communication: crate::messages::Shared,
}

impl Redress {
    /// Opens (creating where needed) the database at `location`, its schema brought up to date,
    /// under `policy`.
    pub async fn open(location: &Location, policy: ApprovalPolicy) -> Result<Self, StorageError> {
        Ok(Self::over(Store::open(location).await?, policy))
    }

    /// Opens the database at `location` without touching its schema.
    pub async fn connect(location: &Location) -> Result<Self, StorageError> {
        Ok(Self::over(
            Store::connect(location).await?,
            ApprovalPolicy::default(),
        ))
    }

    fn over(store: Store, policy: ApprovalPolicy) -> Self {
        Self {
            store,
            policy: Arc::new(policy),
            communication: Default::default(),
        }
    }

    /// This Redress talking with customers as `communication` says.
    pub fn with_communication(mut self, communication: crate::messages::Communication) -> Self {
        self.communication = Arc::new(communication);
        self
    }

    /// How this Redress talks with customers.
    pub fn communication(&self) -> &crate::messages::Communication {
        &self.communication
    }

    /// The approval policy in force.
    pub fn policy(&self) -> &ApprovalPolicy {
        &self.policy
    }

    /// What an earlier request with `once`'s key was answered, if there was one (see
    /// `Store::earlier_reply`).
    pub async fn earlier_reply(&self, once: &Once) -> Result<Option<Reply>, StorageError> {
        self.store.earlier_reply(once).await
    }

    /// Makes `change` and turns its outcome into the answer (`respond`) in one transaction,
    /// with `once`'s key claimed first and the answer kept last (see `Store::perform_once`).
    pub async fn perform_once<T, E>(
        &self,
        once: Option<Once>,
        change: Work<T, E>,
        respond: impl FnOnce(Result<T, E>) -> Answer + Send + 'static,
    ) -> Result<Reply, StorageError>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        self.store.perform_once(once, change, respond).await
    }

    /// Makes `change` in one transaction.
    pub async fn perform<T, E>(&self, change: Work<T, E>) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        self.store.perform(change).await
    }
}

/// `work`, done for `actor` only while they may change things: their role is read again in
/// the transaction that acts, so a user disabled or made an auditor meanwhile changes nothing.
pub(crate) fn as_writer<T, E>(actor: &Actor, work: Work<T, E>) -> Work<T, ServiceError>
where
    T: Send + 'static,
    E: Send + 'static,
    ServiceError: From<E>,
{
    redress_storage::people::tokens::acting(&actor.id)
        .map_err(|e| match e {
            UserError::Unknown(id) => ServiceError::Denied(Denied::NoLongerAUser(id)),
            other => other.into(),
        })
        .then(move |role| {
            if role.can_write() {
                work.map_err(ServiceError::from)
            } else {
                Work::ready(Err(ServiceError::Denied(Denied::ReadOnly(role))))
            }
        })
}

/// Refuses at once, before any reading, one whose role may not change anything.
pub(crate) fn may_write(actor: &Actor) -> Result<(), ServiceError> {
    if actor.role.can_write() {
        Ok(())
    } else {
        Err(ServiceError::Denied(Denied::ReadOnly(actor.role)))
    }
}
