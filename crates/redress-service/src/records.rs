//! What the use cases give and take, as the database keeps it, for the faces of Redress to
//! show: re-exported here so that they need nothing but this crate.

pub use redress_audit::finding::FindingKind;
pub use redress_audit::report::{FindingRecord, Findings, NotFindings};
/// Practice's pure part: answers, scores and the model answer.
pub use redress_practice as practice;
#[cfg(unix)]
pub use redress_storage::KeepInMemoryError;
pub use redress_storage::audit_log::LogError;
pub use redress_storage::backup::{BackedUp, BackupError, Census, Restored};
pub use redress_storage::billing::import::{ImportCounts, TableCounts};
pub use redress_storage::billing::records::{ContractRecord, CustomerRecord, PriceRecord};
pub use redress_storage::books::account::{CustomerLedger, LedgerEntry};
pub use redress_storage::books::cases::{
    ArrearsCase, ArrearsChoice, ArrearsError, ArrearsItem, Compromise, CompromiseBilling,
    CompromiseError, CustomerImpact, SystemicIssue,
};
pub use redress_storage::books::causes::{FollowUp, STILL_WRONG_LISTED, StillWrong};
pub use redress_storage::books::credit_notes::CreditNoteError;
pub use redress_storage::books::documents::{
    CreditNote, IssuedInvoice, IssuedLine, StoredInstalment, StoredPlan,
};
pub use redress_storage::books::invoices::CorrectionError;
pub use redress_storage::books::plans::InstalmentError;
pub use redress_storage::books::resolutions::{Resolution, ResolutionAction, ResolutionError};
pub use redress_storage::disputes::attachments::Attachment;
pub use redress_storage::disputes::list::{BadCursor, DisputeFilter, DisputeOrder, DisputePage};
pub use redress_storage::disputes::notes::CaseNote;
pub use redress_storage::disputes::record::{DisputeError, DisputeRow, VerificationRecord};
pub use redress_storage::disputes::relationship::DisputeFacts;
pub use redress_storage::disputes::statements::{StatementError, StatementRequest};
pub use redress_storage::idempotency::{Answer, Once, Reply};
pub use redress_storage::messages::outbox::{Claimed, Outcome};
pub use redress_storage::messages::{Delivery, MessageError, OUTBOX_COUNTED_UP_TO, StoredMessage};
pub use redress_storage::people::tokens::UserError;
pub use redress_storage::people::users::MAX_EMAIL_CHARS;
pub use redress_storage::people::users::UserRecord;
pub use redress_storage::portal::{IssuedLink, LinkRefused, PortalLink};
pub use redress_storage::practice::{CaseInBrief, CaseSource, Playbook, PracticeSession};
pub use redress_storage::{Backend, DATABASE_FILE, Location, StorageError, new_id, now};
