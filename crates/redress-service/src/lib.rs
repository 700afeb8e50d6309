//! Redress's use cases, shared by the server and the CLI: each combines the audit rules and the
//! database into one thing a user does, such as opening a dispute.

#![forbid(unsafe_code)]

pub mod analytics;
pub mod billing;
pub mod books;
pub mod cases;
pub mod disputes;
pub mod documents;
pub mod error;
pub mod messages;
pub mod operations;
pub mod people;
pub mod portal;
pub mod practice;
pub mod records;
mod redress;
pub mod resolutions;
pub mod service_levels;
pub mod team;

pub use error::{Denied, ServiceError};
pub use redress::{Actor, Redress};
pub use redress_storage::Work;

pub use disputes::{
    ATTACHMENT_TYPES, DisputeIntake, ImportOutcome, IntakeError, MAX_ATTACHMENT_BYTES,
    import_export, imported_disputes, open_dispute, open_imported_disputes, prepare_dispute,
    prepare_reverification, reverify_dispute, verify,
};
