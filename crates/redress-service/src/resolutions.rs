//! Resolving a dispute: a proposal checked against the disputed invoice and the approval
//! policy, applied at once or held for an approver, who may not be its proposer.

use redress_domain::resolution::{Approval, ApprovalError, ApprovalPolicy, ResolutionKind};
use redress_domain::{Currency, Decimal, Role};
use redress_storage::Store;
use redress_storage::disputes::DisputeError;
use redress_storage::ledger::NewCreditNote;
use redress_storage::resolutions::{NewResolution, Resolution, ResolutionAction, ResolutionError};

/// A resolution as proposed over the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// `credit_note`, `reject`, …
    pub kind: String,
    /// Why, in words the customer will read.
    pub reason: String,
    /// The currency the amounts are in; the invoice's when not given.
    pub currency: Option<String>,
    /// For a credit note: `(line number, net amount)` of each line credited.
    pub lines: Vec<(u32, Decimal)>,
}

/// Why a proposal, approval or refusal was not taken. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A field of the request is wrong.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong, and what was expected.
        message: String,
    },
    /// The caller may not approve or refuse this resolution.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// The store refused or failed.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ResolveError {
    ResolveError::Invalid {
        field,
        message: message.into(),
    }
}

/// Proposes a resolution of `dispute_id` for `proposer` (with `role`), under `policy`.
pub async fn propose(
    store: &Store,
    policy: &ApprovalPolicy,
    dispute_id: &str,
    proposal: Proposal,
    proposer: &str,
    role: Role,
) -> Result<Resolution, ResolveError> {
    let kind = ResolutionKind::from_name(&proposal.kind).ok_or_else(|| {
        let names: Vec<&str> = ResolutionKind::ALL.iter().map(|k| k.as_str()).collect();
        invalid(
            "kind",
            format!(
                "`{}` is not a kind of resolution (expected one of {})",
                proposal.kind,
                names.join(", ")
            ),
        )
    })?;
    if proposal.reason.trim().is_empty() {
        return Err(invalid(
            "reason",
            "a resolution needs a reason the customer can read",
        ));
    }
    let dispute = store
        .dispute(dispute_id)
        .await
        .map_err(ResolutionError::from)?
        .ok_or_else(|| ResolutionError::Dispute(DisputeError::NotFound(dispute_id.to_owned())))?;
    let currency =
        Currency::from_code(&dispute.currency).map_err(|e| invalid("currency", e.to_string()))?;
    if let Some(given) = &proposal.currency
        && given != currency.code()
    {
        return Err(invalid(
            "currency",
            format!(
                "the amounts are in {given}, but invoice {} is in {}",
                dispute.invoice_id,
                currency.code()
            ),
        ));
    }
    let (action, amount) = match kind {
        ResolutionKind::CreditNote => {
            if proposal.lines.is_empty() {
                return Err(invalid(
                    "lines",
                    "a credit note needs at least one line: {line_no, amount}",
                ));
            }
            let net: Decimal = proposal.lines.iter().map(|(_, a)| *a).sum();
            let note = NewCreditNote {
                invoice_id: dispute.invoice_id.clone(),
                lines: proposal.lines.clone(),
                reason: proposal.reason.clone(),
            };
            (ResolutionAction::CreditNote(note), net)
        }
        ResolutionKind::Reject => (ResolutionAction::Reject, Decimal::ZERO),
        other => {
            return Err(invalid(
                "kind",
                format!(
                    "{other} resolutions cannot be proposed through this version yet; credit_note and reject can"
                ),
            ));
        }
    };
    let needs_approval = match policy.approval_for(kind, amount, role) {
        Approval::NotNeeded => None,
        Approval::Needed(why) => Some(why),
    };
    Ok(store
        .propose_resolution(
            NewResolution {
                dispute_id: dispute_id.to_owned(),
                action,
                amount: currency.format(amount),
                currency: currency.code().to_owned(),
                reason: proposal.reason,
                needs_approval,
            },
            proposer,
        )
        .await?)
}

/// Approves (`approve`) or refuses a resolution waiting for approval, as `approver` (with
/// `role`): only an approver or admin who did not propose it may.
pub async fn decide(
    store: &Store,
    policy: &ApprovalPolicy,
    id: &str,
    approve: bool,
    note: Option<String>,
    approver: &str,
    role: Role,
) -> Result<Resolution, ResolveError> {
    let resolution = store
        .resolution(id)
        .await
        .map_err(ResolutionError::from)?
        .ok_or_else(|| ResolutionError::NotFound(id.to_owned()))?;
    policy.may_decide(&resolution.proposed_by, approver, role)?;
    Ok(store.decide_resolution(id, approve, note, approver).await?)
}
