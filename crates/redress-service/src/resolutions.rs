//! Resolving a dispute: a proposal checked against the disputed invoice and the approval
//! policy, applied at once or held for an approver, who may not be its proposer.

use redress_domain::resolution::{
    Approval, ApprovalError, ApprovalPolicy, Instalment, PaymentPlan, ResolutionKind,
};
use redress_domain::{Currency, Date, Decimal, Role};
use redress_storage::books::credit_notes::NewCreditNote;
use redress_storage::books::resolutions::{
    NewResolution, Resolution, ResolutionAction, ResolutionError,
};
use redress_storage::disputes::record::DisputeError;
use redress_storage::{StorageError, Store, Work};

/// A resolution as proposed over the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// What it does.
    pub kind: ResolutionKind,
    /// Why, in words the customer will read.
    pub reason: String,
    /// The currency the amounts are in; the invoice's when not given.
    pub currency: Option<Currency>,
    /// For a credit note: `(line number, net amount)` of each line credited; for a corrected
    /// invoice: `(line number, corrected net amount)` of each line changed (zero drops it).
    pub lines: Vec<(u32, Decimal)>,
    /// For a refund, an account credit, goodwill and a write-off: how much; for a payment
    /// plan: what it spreads (when not given, what the invoice has open).
    pub amount: Option<Decimal>,
    /// For a refund: the payment paid back.
    pub payment_id: Option<String>,
    /// For a payment plan: the instalments, `(due on, amount)`, or …
    pub instalments: Vec<(Date, Decimal)>,
    /// … for a payment plan: this many monthly instalments from `first_due_on`, as even as
    /// the currency allows.
    pub instalment_count: Option<u32>,
    /// For a payment plan of `instalment_count` instalments: when the first is due.
    pub first_due_on: Option<Date>,
    /// Offered to the customer, who accepts it in the portal (it is carried out then) or
    /// declines it, rather than carried out at once. Several offered on one dispute are
    /// alternatives: the customer accepts one.
    pub offer: bool,
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

impl From<StorageError> for ResolveError {
    fn from(e: StorageError) -> Self {
        Self::Resolution(ResolutionError::Storage(e))
    }
}

/// The kind of resolution named `name`, or what is wrong with it (the names expected).
pub fn resolution_kind(name: &str) -> Result<ResolutionKind, String> {
    ResolutionKind::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = ResolutionKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "`{name}` is not a kind of resolution (expected one of {})",
            names.join(", ")
        )
    })
}

fn invalid(field: &'static str, message: impl Into<String>) -> ResolveError {
    ResolveError::Invalid {
        field,
        message: message.into(),
    }
}

/// The proposal of a resolution, checked against the request and the disputed invoice and
/// ready to be recorded: in the transaction that records it, the dispute is checked to be
/// open, the approval policy applied to what the proposer gave on it, and the resolution
/// applied or held.
pub async fn prepare_proposal(
    store: &Store,
    policy: &ApprovalPolicy,
    dispute_id: &str,
    proposal: Proposal,
    proposer: &str,
    role: Role,
) -> Result<Work<Resolution, ResolveError>, ResolveError> {
    let kind = proposal.kind;
    if proposal.reason.trim().is_empty() {
        return Err(invalid(
            "reason",
            "a resolution needs a reason the customer can read",
        ));
    }
    let dispute = store
        .disputes()
        .get(dispute_id)
        .await
        .map_err(ResolutionError::from)?
        .ok_or_else(|| ResolutionError::Dispute(DisputeError::NotFound(dispute_id.to_owned())))?;
    let currency = dispute.claimed.currency;
    if let Some(given) = proposal.currency
        && given != currency
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
    let amount_given = |what: &str| -> Result<Decimal, ResolveError> {
        let amount = proposal.amount.ok_or_else(|| {
            invalid(
                "amount",
                format!("{what} needs an amount, in {}", currency.code()),
            )
        })?;
        if amount <= Decimal::ZERO || !currency.holds(amount) {
            return Err(invalid(
                "amount",
                format!(
                    "{amount} is not an amount of {} (more than zero, below {}, at most {} decimals)",
                    currency.code(),
                    redress_domain::AMOUNT_CEILING,
                    currency.minor_unit()
                ),
            ));
        }
        Ok(amount)
    };
    let invoice_id = dispute.invoice_id.clone();
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
                invoice_id,
                lines: proposal.lines.clone(),
                reason: proposal.reason.clone(),
            };
            (ResolutionAction::CreditNote(note), net)
        }
        ResolutionKind::Reject => (ResolutionAction::Reject, Decimal::ZERO),
        ResolutionKind::Refund => {
            let payment_id = proposal
                .payment_id
                .clone()
                .ok_or_else(|| invalid("payment_id", "a refund names the payment it pays back"))?;
            let amount = amount_given("a refund")?;
            (ResolutionAction::Refund { payment_id, amount }, amount)
        }
        ResolutionKind::AccountCredit => {
            let amount = amount_given("an account credit")?;
            (ResolutionAction::AccountCredit { amount }, amount)
        }
        ResolutionKind::Goodwill => {
            let amount = amount_given("a goodwill discount")?;
            (ResolutionAction::Goodwill { invoice_id, amount }, amount)
        }
        ResolutionKind::WriteOff => {
            let amount = amount_given("a write-off")?;
            (ResolutionAction::WriteOff { invoice_id, amount }, amount)
        }
        ResolutionKind::PaymentPlan => {
            let plan = plan_of(&proposal, currency, store, &invoice_id).await?;
            (
                ResolutionAction::PaymentPlan { invoice_id, plan },
                Decimal::ZERO,
            )
        }
        ResolutionKind::CorrectedInvoice => {
            if proposal.lines.is_empty() {
                return Err(invalid(
                    "lines",
                    "a corrected invoice needs the lines it changes: {line_no, amount}",
                ));
            }
            let change = correction_size(store, &invoice_id, &proposal.lines).await?;
            let action = ResolutionAction::CorrectedInvoice {
                invoice_id,
                lines: proposal.lines.clone(),
            };
            (action, change)
        }
    };
    // Decided in the transaction that records the proposal, with what the proposer already
    // gave on the dispute counted: a limit cannot be walked around a little at a time.
    let policy = policy.clone();
    let approval = Box::new(move |given_before: Decimal| {
        match policy.approval_for(kind, amount, given_before, currency, role) {
            Approval::NotNeeded => None,
            Approval::Needed(why) => Some(why),
        }
    });
    let new = NewResolution {
        dispute_id: dispute_id.to_owned(),
        action,
        amount,
        currency,
        reason: proposal.reason,
        offered: proposal.offer,
        approval,
    };
    Ok(redress_storage::books::resolutions::propose(new, proposer).map_err(ResolveError::from))
}

/// The payment plan a proposal asks for: its own instalments, or so many monthly ones from a
/// day, for the amount given or else what the invoice has open.
async fn plan_of(
    proposal: &Proposal,
    currency: Currency,
    store: &Store,
    invoice_id: &str,
) -> Result<PaymentPlan, ResolveError> {
    let total = match proposal.amount {
        Some(amount) => amount,
        // What the invoice has open and no plan already expects.
        None => {
            let (open, planned) = store
                .books()
                .open_on_invoice(invoice_id)
                .await
                .map_err(ResolutionError::from)?
                .ok_or_else(|| {
                    invalid("invoice_id", format!("no invoice `{invoice_id}` is stored"))
                })?;
            if open > Decimal::ZERO && planned >= open {
                return Err(invalid(
                    "amount",
                    format!(
                        "invoice {invoice_id} has nothing open to spread over a plan: {} open, all of it due on plans already agreed",
                        currency.format(open)
                    ),
                ));
            }
            open - planned
        }
    };
    if total <= Decimal::ZERO {
        return Err(invalid(
            "amount",
            format!("invoice {invoice_id} has nothing open to spread over a plan"),
        ));
    }
    let plan = match (
        &proposal.instalments[..],
        proposal.instalment_count,
        proposal.first_due_on,
    ) {
        ([], Some(count), Some(first)) => PaymentPlan::monthly(total, currency, first, count),
        ([], _, _) => {
            return Err(invalid(
                "instalments",
                "a payment plan needs its instalments [{due_on, amount}], or instalment_count and first_due_on",
            ));
        }
        (given, None, None) => PaymentPlan::new(
            total,
            currency,
            given
                .iter()
                .map(|&(due_on, amount)| Instalment { due_on, amount })
                .collect(),
        ),
        _ => {
            return Err(invalid(
                "instalments",
                "give either the instalments or instalment_count and first_due_on, not both",
            ));
        }
    };
    // Agreed today (in UTC): never due in the past, nor for longer than a plan runs.
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(redress_storage::this_moment())
        .date();
    plan.and_then(|plan| plan.check_agreed_on(today).map(|()| plan))
        .map_err(|e| invalid("instalments", e.to_string()))
}

/// How much a correction changes what the invoice charges, net and gross: each line's change
/// counted whichever way it goes (moving 500 from one line to another changes 1000). What the
/// approval policy weighs.
async fn correction_size(
    store: &Store,
    invoice_id: &str,
    corrected: &[(u32, Decimal)],
) -> Result<Decimal, ResolveError> {
    let lines = store
        .billing()
        .invoice_line_amounts(invoice_id)
        .await
        .map_err(ResolutionError::from)?
        .ok_or_else(|| invalid("invoice_id", format!("no invoice `{invoice_id}` is stored")))?;
    let mut change = Decimal::ZERO;
    for &(line_no, amount) in corrected {
        let was = lines
            .iter()
            .find(|(n, _)| *n == line_no)
            .map(|(_, a)| *a)
            .ok_or_else(|| {
                invalid(
                    "lines",
                    format!("invoice {invoice_id} has no line {line_no}"),
                )
            })?;
        change += (was - amount).abs();
    }
    Ok(change)
}
