//! The books: a customer's ledger, the documents in it (credit notes, invoices Redress issued,
//! payment plans and their instalments), and the resolutions of disputes that post to it.

use crate::error::ServiceError;
use crate::redress::{Actor, Redress, as_writer, may_write};
use crate::resolutions::{Proposal, ResolveError, prepare_proposal};
use redress_domain::ledger::{Account, EntryDate, EntryKind, Side};
use redress_domain::resolution::{Approval, ResolutionKind, already_given};
use redress_domain::{Currency, Date, Decimal, Money};
use redress_storage::StorageError;
use redress_storage::Work;
use redress_storage::books::account::CustomerLedger;
use redress_storage::books::documents::{CreditNote, IssuedInvoice, StoredPlan};
use redress_storage::books::resolutions::{Resolution, ResolutionError};
use redress_storage::disputes::list::{DisputeFilter, DisputeOrder};

/// The books.
pub struct Books<'a>(pub(crate) &'a Redress);

impl Redress {
    /// The books.
    pub fn books(&self) -> Books<'_> {
        Books(self)
    }
}

impl Books<'_> {
    /// A resolution of `dispute_id` proposed by `actor`, checked against the request and the
    /// disputed invoice, ready to be recorded: in its transaction, the dispute is checked to be
    /// open, the approval policy applied to all `actor` gave on it, and the resolution applied
    /// or held for an approver.
    pub async fn prepare_proposal(
        &self,
        actor: &Actor,
        dispute_id: &str,
        proposal: Proposal,
    ) -> Result<Work<Resolution, ServiceError>, ServiceError> {
        may_write(actor)?;
        let work = prepare_proposal(
            &self.0.store,
            &self.0.policy,
            dispute_id,
            proposal,
            &actor.id,
            actor.role,
        )
        .await?;
        Ok(as_writer(actor, work))
    }

    /// Approves (and applies) or refuses a resolution waiting for approval, as `actor`: in its
    /// transaction, only an approver or admin who did not propose it, and (to approve) only
    /// while its dispute is open.
    pub fn decide(
        &self,
        actor: &Actor,
        id: &str,
        approve: bool,
        note: Option<String>,
    ) -> Work<Resolution, ServiceError> {
        let (policy, approver, role) = (self.0.policy.clone(), actor.id.clone(), actor.role);
        let authorize = Box::new(move |resolution: &Resolution| {
            policy.may_decide(&resolution.proposed_by, &approver, role)
        });
        as_writer(
            actor,
            redress_storage::books::resolutions::decide_as(id, approve, note, &actor.id, authorize)
                .map_err(ResolveError::from),
        )
    }

    /// Records instalment `number` of a plan as received.
    pub fn receive_instalment(
        &self,
        actor: &Actor,
        plan_id: &str,
        number: u32,
    ) -> Work<StoredPlan, ServiceError> {
        as_writer(
            actor,
            redress_storage::books::plans::receive_instalment(plan_id, number, &actor.id),
        )
    }

    /// A customer's ledger, with what they owe; `None` when there is no such customer.
    pub async fn ledger(&self, customer_id: &str) -> Result<Option<CustomerLedger>, StorageError> {
        self.0.store.books().ledger(customer_id).await
    }

    /// A customer's payment plans, oldest first.
    pub async fn plans_of(&self, customer_id: &str) -> Result<Vec<StoredPlan>, StorageError> {
        self.0.store.books().plans_of(customer_id).await
    }

    /// A payment plan, with the instalments received.
    pub async fn plan(&self, id: &str) -> Result<Option<StoredPlan>, StorageError> {
        self.0.store.books().plan(id).await
    }

    /// A credit note.
    pub async fn credit_note(&self, id: &str) -> Result<Option<CreditNote>, StorageError> {
        self.0.store.books().credit_note(id).await
    }

    /// An invoice Redress issued.
    pub async fn issued_invoice(&self, id: &str) -> Result<Option<IssuedInvoice>, StorageError> {
        self.0.store.books().issued_invoice(id).await
    }

    /// A resolution.
    pub async fn resolution(&self, id: &str) -> Result<Option<Resolution>, StorageError> {
        self.0.store.books().resolution(id).await
    }

    /// A dispute's resolutions, oldest first.
    pub async fn resolutions_of(&self, dispute_id: &str) -> Result<Vec<Resolution>, StorageError> {
        self.0.store.books().resolutions_of(dispute_id).await
    }

    /// Whether a resolution of `kind` giving `amount` that `actor` would propose on
    /// `dispute_id` (as an offer to the customer: `offered`) needs an approver, and why: the
    /// policy asked as the proposal's transaction asks it, with what `actor` already gives on
    /// the dispute counted ([`already_given`]). For a preview; the answer on sending is the one
    /// that holds.
    pub async fn approval_preview(
        &self,
        actor: &Actor,
        dispute_id: &str,
        (kind, amount, currency): (ResolutionKind, Decimal, Currency),
        offered: bool,
    ) -> Result<Approval, StorageError> {
        let given_before = already_given(
            self.resolutions_of(dispute_id)
                .await?
                .iter()
                .filter(|r| r.proposed_by == actor.id)
                .map(|r| (r.amount, r.status, r.offered)),
            offered,
        );
        Ok(self
            .0
            .policy
            .approval_for(kind, amount, given_before, currency, actor.role))
    }
}

/// What the business knows of its relationship with a customer, for a conversation about
/// money (an arrears case's briefing): how long they have been a customer, what they were
/// invoiced over the last twelve months, and their disputes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerHistory {
    /// Since when they are a customer.
    pub customer_since: Date,
    /// Days from then to `as_of`.
    pub tenure_days: i64,
    /// The day the figures are counted to.
    pub as_of: Date,
    /// Invoiced (their invoices' totals, tax included) in the twelve months to `as_of`, in the
    /// currency asked for.
    pub revenue_last_year: Money,
    /// How many invoices that was.
    pub invoices_last_year: u32,
    /// Of those, paid in full (by payments recorded against them, whenever paid).
    pub invoices_paid_in_full: u32,
    /// Their invoices of the twelve months that fell due by `as_of`.
    pub invoices_due: u32,
    /// Of those, paid in full by their due date.
    pub paid_on_time: u32,
    /// Disputes they opened in the twelve months to `as_of`.
    pub disputes_last_year: u32,
    /// Disputes they ever opened.
    pub disputes: u32,
}

impl Books<'_> {
    /// A customer's history as of `as_of`, its money in `currency` (see [`CustomerHistory`]);
    /// `None` when there is no such customer. Read from their ledger and their disputes (the
    /// latest 1,000 of them are counted).
    pub async fn customer_history(
        &self,
        customer_id: &str,
        currency: Currency,
        as_of: Date,
    ) -> Result<Option<CustomerHistory>, StorageError> {
        let Some(customer) = self.0.store.billing().customer(customer_id).await? else {
            return Ok(None);
        };
        let Some(ledger) = self.ledger(customer_id).await? else {
            return Ok(None);
        };
        let year_ago = as_of
            .checked_sub(jiff::Span::new().days(365))
            .unwrap_or(as_of);
        let in_year = |day: Date| day > year_ago && day <= as_of;
        let mut revenue = Decimal::ZERO;
        let mut invoiced: std::collections::BTreeMap<&str, Decimal> = Default::default();
        let mut paid: std::collections::BTreeMap<&str, Decimal> = Default::default();
        for entry in ledger.entries.iter().filter(|e| e.currency == currency) {
            let receivable = |side: Side| -> Decimal {
                entry
                    .lines
                    .iter()
                    .filter(|l| l.account == Account::Receivable && l.side == side)
                    .map(|l| l.amount)
                    .sum()
            };
            match (entry.kind, entry.date) {
                (EntryKind::Invoice, EntryDate::Day(day)) if in_year(day) => {
                    let charged = receivable(Side::Debit);
                    revenue += charged;
                    *invoiced.entry(entry.document.as_str()).or_default() += charged;
                }
                (EntryKind::Payment, _) => {
                    if let Some(invoice) = entry.invoice_id.as_deref() {
                        *paid.entry(invoice).or_default() += receivable(Side::Credit);
                    }
                }
                _ => {}
            }
        }
        let invoices_paid_in_full = invoiced
            .iter()
            .filter(|(id, total)| paid.get(*id).is_some_and(|p| p >= *total))
            .count();
        let filter = DisputeFilter {
            customer_id: Some(customer_id.to_owned()),
            ..DisputeFilter::default()
        };
        let disputes = match self
            .0
            .store
            .disputes()
            .list(&filter, DisputeOrder::NewestFirst, 1000, None)
            .await?
        {
            Ok(page) => page.disputes,
            Err(_) => Vec::new(),
        };
        let punctuality = self
            .0
            .store
            .billing()
            .relationship(customer_id, currency, as_of)
            .await?
            .unwrap_or_default();
        Ok(Some(CustomerHistory {
            tenure_days: customer
                .customer_since
                .until(as_of)
                .map_or(0, |span| i64::from(span.get_days())),
            customer_since: customer.customer_since,
            as_of,
            revenue_last_year: Money {
                amount: revenue,
                currency,
            },
            invoices_last_year: u32::try_from(invoiced.len()).unwrap_or(u32::MAX),
            invoices_paid_in_full: u32::try_from(invoices_paid_in_full).unwrap_or(u32::MAX),
            invoices_due: punctuality.invoices_due,
            paid_on_time: punctuality.paid_on_time,
            disputes_last_year: u32::try_from(
                disputes.iter().filter(|d| in_year(d.opened_on)).count(),
            )
            .unwrap_or(u32::MAX),
            disputes: u32::try_from(disputes.len()).unwrap_or(u32::MAX),
        }))
    }
}

impl From<ResolutionError> for ServiceError {
    fn from(e: ResolutionError) -> Self {
        Self::Resolve(ResolveError::Resolution(e))
    }
}
