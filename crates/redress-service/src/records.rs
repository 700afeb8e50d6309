//! What the use cases give and take, as the database keeps it, for the faces of Redress to
//! show: re-exported here so that they need nothing but this crate.

#[cfg(unix)]
pub use redress_storage::KeepInMemoryError;
pub use redress_storage::attachments::Attachment;
pub use redress_storage::audit_log::LogError;
pub use redress_storage::cases::{
    ArrearsCase, ArrearsChoice, ArrearsError, ArrearsItem, SystemicIssue,
};
pub use redress_storage::disputes::{
    BadCursor, CaseNote, DisputeError, DisputeFilter, DisputeOrder, DisputePage, DisputeRow,
};
pub use redress_storage::documents::{
    CorrectionError, InstalmentError, IssuedInvoice, IssuedLine, StoredInstalment, StoredPlan,
};
pub use redress_storage::idempotency::{Answer, Once, Reply};
pub use redress_storage::ledger::{CreditNote, CreditNoteError, CustomerLedger, LedgerEntry};
pub use redress_storage::relationship::DisputeFacts;
pub use redress_storage::resolutions::{Resolution, ResolutionError};
pub use redress_storage::tokens::UserError;
pub use redress_storage::{
    Backend, DATABASE_FILE, ImportCounts, Location, StorageError, TableCounts, new_id, now,
};
