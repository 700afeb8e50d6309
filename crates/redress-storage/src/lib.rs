//! Redress's database: one data-access layer over two real backends.
//!
//! The embedded default is a SQLite file in WAL mode under a data directory, so Redress runs
//! with nothing else installed; PostgreSQL serves teams that outgrow one machine. The backend is
//! chosen by the URL's scheme (`sqlite:` or `postgres:`). Every query is written once, against
//! a small SQL interface both backends implement; each backend has its own versioned
//! migrations, applied when the store opens.
//!
//! The logic runs synchronously on a blocking thread, one whole use case at a time, with a
//! connection from the store's pool; [`Store`]'s methods are `async` for the server.
//!
//! # Where things are
//!
//! - `engine/` (private): the [`Store`] (pool, the one writing connection, [`Store::perform`]
//!   of a [`Work`]), the SQL interface and its two backends, transactions with their
//!   [`audit_log`] events, the write queue, the migrations runner and [`idempotency`] keys.
//!   It uses none of the areas below.
//! - [`disputes`]: disputes (record, intake, lifecycle, list), case notes, attachments, and the
//!   facts a recommendation weighs.
//! - [`books`]: the customer ledger and the documents that post to it, resolutions and arrears
//!   cases, in layers (see its docs).
//! - [`billing`]: the billing data, imported and read back.
//! - [`messages`]: messages to and from customers, and the outbox they are delivered from.
//! - [`people`]: users and their tokens.
//! - [`audit_log`]: the log read back and verified.
//! - [`analytics`]: the counts behind the analytics page, grouped by the database.
//!
//! An area's reads are on its handle, from the store: `store.disputes().get(id)`,
//! `store.books().ledger(customer)`. Its writes are [`Work`]s made by the functions of the
//! module that keeps them (`disputes::lifecycle::set_status`, `books::resolutions::propose`),
//! done by [`Store::perform`] or [`Store::perform_once`].

mod engine;

pub mod analytics;
pub mod audit_log;
pub mod backup;
pub mod billing;
pub mod books;
pub mod disputes;
pub mod messages;
pub mod people;
pub mod portal;
pub mod practice;

#[cfg(unix)]
pub use engine::KeepInMemoryError;
pub use engine::{
    Backend, DATABASE_FILE, Location, StorageError, Store, Work, idempotency, new_id, now,
    this_moment,
};

/// What the store keeps, an area at a time.
impl Store {
    /// Disputes, their notes, attachments and facts.
    pub fn disputes(&self) -> disputes::Disputes<'_> {
        disputes::Disputes(self)
    }

    /// The ledger, the documents Redress issued and the resolutions of disputes.
    pub fn books(&self) -> books::Books<'_> {
        books::Books(self)
    }

    /// Arrears cases and systemic issues.
    pub fn cases(&self) -> books::Cases<'_> {
        books::Cases(self)
    }

    /// The billing data.
    pub fn billing(&self) -> billing::Billing<'_> {
        billing::Billing(self)
    }

    /// Messages to and from customers, and the outbox.
    pub fn messages(&self) -> messages::Messages<'_> {
        messages::Messages(self)
    }

    /// The customer portal's links and satisfaction answers.
    pub fn portal(&self) -> portal::Portal<'_> {
        portal::Portal(self)
    }

    /// The people who work disputes.
    pub fn people(&self) -> people::People<'_> {
        people::People(self)
    }

    /// Practice sessions, cases and answers, and the playbooks.
    pub fn practice(&self) -> practice::Practice<'_> {
        practice::Practice(self)
    }

    /// The counts behind the analytics page.
    pub fn analytics(&self) -> analytics::Analytics<'_> {
        analytics::Analytics(self)
    }

    /// The audit log.
    pub fn audit_log(&self) -> audit_log::AuditLog<'_> {
        audit_log::AuditLog(self)
    }
}
