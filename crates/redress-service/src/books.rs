//! The books: a customer's ledger, the documents in it (credit notes, invoices Redress issued,
//! payment plans and their instalments), and the resolutions of disputes that post to it.

use crate::error::ServiceError;
use crate::redress::{Actor, Redress, as_writer, may_write};
use crate::resolutions::{Proposal, ResolveError, prepare_proposal};
use redress_storage::StorageError;
use redress_storage::Work;
use redress_storage::books::account::CustomerLedger;
use redress_storage::books::documents::{CreditNote, IssuedInvoice, StoredPlan};
use redress_storage::books::resolutions::{Resolution, ResolutionError};

/// The books.
pub struct Books<'a>(pub(crate) &'a Redress);

impl Redress {
    /// The books.
    pub fn books(&self) -> Books<'_> {
        Books(self)
    }
}

impl Books<'_> {
    /// A resolution of `dispute_id` proposed by `actor`, checked against the request and the
    /// disputed invoice, ready to be recorded: in its transaction, the dispute is checked to be
    /// open, the approval policy applied to all `actor` gave on it, and the resolution applied
    /// or held for an approver.
    pub async fn prepare_proposal(
        &self,
        actor: &Actor,
        dispute_id: &str,
        proposal: Proposal,
    ) -> Result<Work<Resolution, ServiceError>, ServiceError> {
        may_write(actor)?;
        let work = prepare_proposal(
            &self.0.store,
            &self.0.policy,
            dispute_id,
            proposal,
            &actor.id,
            actor.role,
        )
        .await?;
        Ok(as_writer(actor, work))
    }

    /// Approves (and applies) or refuses a resolution waiting for approval, as `actor`: in its
    /// transaction, only an approver or admin who did not propose it, and (to approve) only
    /// while its dispute is open.
    pub fn decide(
        &self,
        actor: &Actor,
        id: &str,
        approve: bool,
        note: Option<String>,
    ) -> Work<Resolution, ServiceError> {
        let (policy, approver, role) = (self.0.policy.clone(), actor.id.clone(), actor.role);
        let authorize = Box::new(move |resolution: &Resolution| {
            policy.may_decide(&resolution.proposed_by, &approver, role)
        });
        as_writer(
            actor,
            redress_storage::books::resolutions::decide_as(id, approve, note, &actor.id, authorize)
                .map_err(ResolveError::from),
        )
    }

    /// Records instalment `number` of a plan as received.
    pub fn receive_instalment(
        &self,
        actor: &Actor,
        plan_id: &str,
        number: u32,
    ) -> Work<StoredPlan, ServiceError> {
        as_writer(
            actor,
            redress_storage::books::plans::receive_instalment(plan_id, number, &actor.id),
        )
    }

    /// A customer's ledger, with what they owe; `None` when there is no such customer.
    pub async fn ledger(&self, customer_id: &str) -> Result<Option<CustomerLedger>, StorageError> {
        self.0.store.books().ledger(customer_id).await
    }

    /// A customer's payment plans, oldest first.
    pub async fn plans_of(&self, customer_id: &str) -> Result<Vec<StoredPlan>, StorageError> {
        self.0.store.books().plans_of(customer_id).await
    }

    /// A payment plan, with the instalments received.
    pub async fn plan(&self, id: &str) -> Result<Option<StoredPlan>, StorageError> {
        self.0.store.books().plan(id).await
    }

    /// A credit note.
    pub async fn credit_note(&self, id: &str) -> Result<Option<CreditNote>, StorageError> {
        self.0.store.books().credit_note(id).await
    }

    /// An invoice Redress issued.
    pub async fn issued_invoice(&self, id: &str) -> Result<Option<IssuedInvoice>, StorageError> {
        self.0.store.books().issued_invoice(id).await
    }

    /// A resolution.
    pub async fn resolution(&self, id: &str) -> Result<Option<Resolution>, StorageError> {
        self.0.store.books().resolution(id).await
    }

    /// A dispute's resolutions, oldest first.
    pub async fn resolutions_of(&self, dispute_id: &str) -> Result<Vec<Resolution>, StorageError> {
        self.0.store.books().resolutions_of(dispute_id).await
    }
}

impl From<ResolutionError> for ServiceError {
    fn from(e: ResolutionError) -> Self {
        Self::Resolve(ResolveError::Resolution(e))
    }
}
