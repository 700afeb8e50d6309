//! Why a use case was not done: one type for every face of Redress to turn into its own words
//! (an HTTP status and body, a CLI exit code). Nothing was changed.

use crate::disputes::IntakeError;
use crate::resolutions::ResolveError;
use redress_domain::Role;
use redress_storage::StorageError;
use redress_storage::audit_log::LogError;
use redress_storage::books::cases::ArrearsError;
use redress_storage::books::plans::InstalmentError;
use redress_storage::disputes::record::DisputeError;
use redress_storage::disputes::statements::StatementError;
use redress_storage::people::tokens::UserError;

/// Who acts may not do what they asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Their role may read but not change anything.
    #[error("the role {0} may read but not change anything")]
    ReadOnly(Role),
    /// The user was disabled (or removed) since their token was checked.
    #[error("the user {0} can no longer act")]
    NoLongerAUser(String),
    /// Only an admin may do it (manage users).
    #[error("only an admin may do that, not the role {0}")]
    NotAnAdmin(Role),
    /// The team's view is for those who work disputes.
    #[error("the team's figures are for those who work disputes, not the role {0}")]
    NotOnTheTeam(Role),
}

/// Why a use case was not done.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Who acts may not do it.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// A dispute's intake or verification was refused.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// A dispute's change was refused.
    #[error(transparent)]
    Dispute(#[from] DisputeError),
    /// A resolution was refused.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// An arrears case's step was refused.
    #[error(transparent)]
    Arrears(#[from] ArrearsError),
    /// An instalment was refused.
    #[error(transparent)]
    Instalment(#[from] InstalmentError),
    /// A user or token was refused.
    #[error(transparent)]
    User(#[from] UserError),
    /// A statement asked of a colleague, or its answer, was refused.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// The audit log is broken.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A message that cannot be drafted or sent.
    #[error(transparent)]
    Message(#[from] crate::messages::MessageRefused),
    /// A customer's mail that cannot be taken.
    #[error(transparent)]
    Mail(#[from] crate::messages::MailRefused),
    /// A file not taken as evidence.
    #[error(transparent)]
    Evidence(#[from] redress_domain::evidence::EvidenceRefused),
    /// What the customer portal refused.
    #[error(transparent)]
    Portal(#[from] crate::portal::PortalRefused),
    /// What practice or the playbooks refused.
    #[error(transparent)]
    Practice(#[from] crate::practice::PracticeRefused),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ServiceError {
    /// The database's failure behind it, if that is what it is (worth retrying, not the
    /// caller's doing).
    pub fn storage(&self) -> Option<&StorageError> {
        use redress_storage::books::resolutions::ResolutionError;
        match self {
            Self::Storage(e)
            | Self::Intake(IntakeError::Storage(e))
            | Self::Intake(IntakeError::Dispute(DisputeError::Storage(e)))
            | Self::Dispute(DisputeError::Storage(e))
            | Self::Arrears(ArrearsError::Storage(e))
            | Self::Instalment(InstalmentError::Storage(e))
            | Self::User(UserError::Storage(e))
            | Self::Statement(StatementError::Dispute(DisputeError::Storage(e)))
            | Self::Log(LogError::Storage(e))
            | Self::Resolve(ResolveError::Resolution(ResolutionError::Storage(e))) => Some(e),
            _ => None,
        }
    }
}
