//! The engine: everything that holds the database open and runs work on it, and nothing of
//! what the database keeps. The areas of the crate (`disputes`, `books`, `billing`, `people`,
//! `audit_log`) are written against it; it uses none of them.
//!
//! In layers, each using only those above it:
//!
//! - [`error`] (why storage failed), [`location`] (where the database is, and its backend) and
//!   [`stored`] (times, ids, amounts and currencies as stored);
//! - [`sql`], the small interface every query is written against, which [`sqlite`] and
//!   [`postgresql`] implement;
//! - [`transaction`]: a transaction begun, and committed with its audit events appended to the
//!   log; [`write_queue`], which commits many writes of this process together;
//!   [`migrations`], applied when the store opens; [`work`], a use case's write made ready;
//!   [`idempotency`], a `Work` done once under a key with its answer kept;
//! - [`store`]: the [`Store`], its pool, and how work runs on it (`run`, `read`, `write`,
//!   `perform`, `perform_once`).
//!
//! [`resident`] keeps the SQLite file's pages in memory, for a server that asks.

mod error;
pub mod idempotency;
mod location;
mod migrations;
mod postgresql;
#[cfg(unix)]
mod resident;
pub(crate) mod sql;
mod sqlite;
mod store;
pub(crate) mod stored;
pub(crate) mod transaction;
mod work;
pub(crate) mod write_queue;

pub use error::StorageError;
pub use location::{Backend, DATABASE_FILE, Location};
#[cfg(unix)]
pub use resident::KeepInMemoryError;
pub(crate) use sqlite::fold_log_into_file;
pub use store::Store;
pub(crate) use store::{lock_exclusively, lock_file};
pub use stored::{new_id, now, this_moment};
pub use work::Work;
