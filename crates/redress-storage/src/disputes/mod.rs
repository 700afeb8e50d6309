//! Disputes: as stored ([`record`]), recorded on intake ([`intake`]), moved through their
//! lifecycle ([`lifecycle`]), listed a page at a time ([`list`]), with their case notes
//! ([`notes`]), their evidence files ([`attachments`]) and the facts their recommendation
//! weighs ([`relationship`]).
//!
//! Every module here uses [`record`] and nothing else of this folder. Intake reads back the
//! disputed invoice's contract (`billing::contract_data`); nothing else outside the engine is
//! used.
//!
//! Reads, and the writes the engine runs its own way (intake waiting beside other intakes, an
//! export's import), are on the handle [`Disputes`] (`store.disputes()`); the other writes are
//! [`Work`](crate::Work)s made by the functions of the module that keeps them
//! (`lifecycle::set_status`, `notes::add`, …), done by `Store::perform`.

pub mod attachments;
pub mod intake;
pub mod lifecycle;
pub mod list;
pub mod notes;
pub mod record;
pub mod relationship;
pub mod service_levels;
pub mod statements;

use self::attachments::Attachment;
use self::list::{BadCursor, DisputeFilter, DisputeOrder, DisputePage};
use self::notes::CaseNote;
use self::record::{DisputeError, DisputeRow};
use self::relationship::DisputeFacts;
use crate::billing::import::{self, ImportCounts};
use crate::engine::{StorageError, Store};
use redress_domain::{BillingData, DisputeStatus};
use std::sync::Arc;

/// The disputes, read and opened: `store.disputes()`.
#[derive(Debug, Clone, Copy)]
pub struct Disputes<'s>(pub(crate) &'s Store);

impl Disputes<'_> {
    /// The statements asked on the dispute `id`, oldest first.
    pub async fn statement_requests(
        &self,
        id: &str,
    ) -> Result<Vec<statements::StatementRequest>, StorageError> {
        let id = id.to_owned();
        self.0.run(move |db| statements::of_dispute(db, &id)).await
    }

    /// The statements `user_id` has still to give, soonest due first.
    pub async fn statements_waiting_for(
        &self,
        user_id: &str,
    ) -> Result<Vec<statements::StatementRequest>, StorageError> {
        let user_id = user_id.to_owned();
        self.0
            .run(move |db| statements::waiting_for(db, &user_id))
            .await
    }

    /// How many disputes were timed against the service levels, and how many breached each
    /// target (acknowledge, respond, resolve).
    pub async fn service_level_counts(&self) -> Result<(u64, [u64; 3]), StorageError> {
        self.0.run(service_levels::counts).await
    }

    /// Of the disputes `ids` (a page's, a few hundred at most), the service-level targets each
    /// was warned of and breached: `(id, warned, breached)`.
    pub async fn service_level_marks(
        &self,
        ids: Vec<String>,
    ) -> Result<Vec<(String, Vec<String>, Vec<String>)>, StorageError> {
        self.0.run(move |db| service_levels::marks(db, &ids)).await
    }

    /// The dispute with this id.
    pub async fn get(&self, id: &str) -> Result<Option<DisputeRow>, StorageError> {
        let id = id.to_owned();
        self.0.run(move |db| record::get(db, &id)).await
    }

    /// How many disputes are in each status.
    pub async fn counts(&self) -> Result<Vec<(DisputeStatus, u64)>, StorageError> {
        self.0.run(record::counts).await
    }

    /// A page of the disputes that pass `filter`, in `order`, after `cursor`. Keyset paging: a
    /// page costs the same however deep it is, and a dispute opened meanwhile shifts nothing.
    pub async fn list(
        &self,
        filter: &DisputeFilter,
        order: DisputeOrder,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Result<DisputePage, BadCursor>, StorageError> {
        let query = match list::Query::new(filter, order, limit, cursor, self.0.backend()) {
            Ok(query) => query,
            Err(bad) => return Ok(Err(bad)),
        };
        self.0.run(move |db| query.page(db)).await.map(Ok)
    }

    /// A dispute's case notes, oldest first.
    pub async fn notes(&self, dispute_id: &str) -> Result<Vec<CaseNote>, StorageError> {
        let dispute_id = dispute_id.to_owned();
        self.0
            .run(move |db| notes::of_dispute(db, &dispute_id))
            .await
    }

    /// A dispute's attachments, oldest first.
    pub async fn attachments(&self, dispute_id: &str) -> Result<Vec<Attachment>, StorageError> {
        let dispute_id = dispute_id.to_owned();
        self.0
            .run(move |db| attachments::of_dispute(db, &dispute_id))
            .await
    }

    /// An attachment and its content.
    pub async fn attachment_content(
        &self,
        id: &str,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StorageError> {
        let id = id.to_owned();
        self.0.read(move |db| attachments::content(db, &id)).await
    }

    /// The facts a recommendation for dispute `id` weighs (`None`: no such dispute).
    pub async fn facts(&self, id: &str) -> Result<Option<DisputeFacts>, StorageError> {
        let id = id.to_owned();
        self.0.read(move |db| relationship::facts(db, &id)).await
    }

    /// Opens a dispute of `invoice_id` as one unit of work: reads the billing data of the
    /// invoice's contract (as `store.billing().contract_data_for_invoice` does; `None` when
    /// there is no such invoice), lets `decide` turn it into the dispute to record (checked and
    /// verified) or refuse, and records that dispute as [`intake::insert`] does; when `user`,
    /// only while `actor` is a user who may change things, read in the transaction that records
    /// it. Intake is the busiest path: doing it in one go saves a thread hop and a pool round
    /// trip per dispute.
    pub async fn open_with<E>(
        &self,
        invoice_id: &str,
        actor: &str,
        user: bool,
        decide: impl FnOnce(Option<BillingData>) -> Result<intake::Decided, E> + Send + 'static,
    ) -> Result<DisputeRow, E>
    where
        E: From<DisputeError> + From<StorageError> + Send + 'static,
    {
        let read = intake::read_then_decide(invoice_id.to_owned(), actor.to_owned(), user, decide);
        // Read side by side on the pool (a contract's snapshot is one row), then written by
        // the one writing connection, with the other new disputes waiting beside it.
        self.0.run_then_write_together(read).await
    }

    /// Writes all of `data` (as `store.billing().import` does) and opens `disputes` (an
    /// export's, already verified) in one transaction: all of it, or (on any failure) none. A
    /// dispute whose id is already stored is left as it is. Gives what was written, and
    /// `(opened, already stored)` disputes.
    pub async fn import_with_billing(
        &self,
        data: impl Into<Arc<BillingData>>,
        disputes: Vec<DisputeRow>,
        actor: &str,
    ) -> Result<(ImportCounts, u64, u64), DisputeError> {
        let data = data.into();
        import::check(&data)?;
        let actor = actor.to_owned();
        self.0
            .write_bulk(move |db| {
                let counts = import::write(db, &data, &actor)?;
                let (opened, existing) = intake::insert_all(db, disputes, &actor)?;
                Ok((counts, opened, existing))
            })
            .await
    }
}
