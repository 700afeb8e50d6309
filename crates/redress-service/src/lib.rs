//! Redress's use cases, shared by the server and the CLI: each combines the audit rules and the
//! database into one thing a user does, such as opening a dispute.

pub mod cases;
pub mod disputes;
pub mod resolutions;

pub use disputes::{
    DisputeIntake, ImportOutcome, IntakeError, Verification, import_export, imported_disputes,
    open_dispute, open_imported_disputes, prepare_dispute, prepare_reverification,
    reverify_dispute, verify,
};
