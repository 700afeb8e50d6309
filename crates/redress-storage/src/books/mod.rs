//! The books: the customer ledger and every document Redress issues that posts to it, the
//! resolutions of disputes that issue them, and the arrears cases an audit opens.
//!
//! In layers, each module using only those above it (so no two use each other):
//!
//! 1. [`documents`]: the documents as kept (credit notes, issued invoices, payment plans), how
//!    they read back, and the series they are numbered in.
//! 2. [`account`]: a customer's account, rebuilt from the billing tables and the documents
//!    posted (replayed in order), locked for a posting and posted to; the ledger's view of it.
//! 3. [`credit_notes`] and [`plans`]: issuing a credit note, agreeing a plan and receiving its
//!    instalments, each checked against the account and posted to it.
//! 4. [`invoices`]: re-issuing a wrong invoice corrected (voiding it with a credit note) and
//!    billing arrears.
//! 5. [`resolutions`] (of disputes) and [`cases`] (arrears cases and systemic issues), which
//!    carry out what was agreed through the modules above.
//! 6. [`causes`]: the latest audit's findings kept, and whether invoices after a case or an
//!    issue still carry its error.
//!
//! Reads are on the handles [`Books`] (`store.books()`) and [`Cases`] (`store.cases()`);
//! writes are [`Work`](crate::Work)s made by the functions of the module that keeps them
//! (`credit_notes::issue`, `resolutions::propose`, `cases::choose`, …), done by
//! `Store::perform`.

pub mod account;
pub mod cases;
pub mod causes;
pub mod credit_notes;
pub mod documents;
pub mod invoices;
pub mod plans;
pub mod resolutions;

use self::account::CustomerLedger;
use self::cases::{ArrearsCase, SystemicIssue};
use self::causes::FollowUp;
use self::documents::{CreditNote, IssuedInvoice, StoredPlan};
use self::resolutions::Resolution;
use crate::engine::{StorageError, Store};
use redress_domain::Decimal;

/// The books, read: `store.books()`.
#[derive(Debug, Clone, Copy)]
pub struct Books<'s>(pub(crate) &'s Store);

impl Books<'_> {
    /// A customer's ledger: the entries of their invoices and payments (from the billing
    /// tables) and of the documents Redress issued them, oldest first, with what they owe: the
    /// customer's account as every posting is checked against it. `None` when there is no such
    /// customer.
    pub async fn ledger(&self, customer_id: &str) -> Result<Option<CustomerLedger>, StorageError> {
        let customer_id = customer_id.to_owned();
        self.0
            .read(move |db| account::ledger(db, &customer_id))
            .await
    }

    /// What a stored invoice has open as the ledger stands, and how much of that payment plans
    /// already agreed still expect: `(open, planned)` (`None`: no such invoice).
    pub async fn open_on_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<(Decimal, Decimal)>, StorageError> {
        let invoice_id = invoice_id.to_owned();
        self.0
            .read(move |db| account::open_on(db, &invoice_id))
            .await
    }

    /// The credit note with this id.
    pub async fn credit_note(&self, id: &str) -> Result<Option<CreditNote>, StorageError> {
        let id = id.to_owned();
        self.0.run(move |db| documents::credit_note(db, &id)).await
    }

    /// The invoice Redress issued with this id.
    pub async fn issued_invoice(&self, id: &str) -> Result<Option<IssuedInvoice>, StorageError> {
        let id = id.to_owned();
        self.0
            .run(move |db| documents::issued_invoice_in(db, &id))
            .await
    }

    /// The payment plan with this id, with the instalments received.
    pub async fn plan(&self, id: &str) -> Result<Option<StoredPlan>, StorageError> {
        let id = id.to_owned();
        self.0.read(move |db| documents::load_plan(db, &id)).await
    }

    /// The payment plans of a customer, oldest first.
    pub async fn plans_of(&self, customer_id: &str) -> Result<Vec<StoredPlan>, StorageError> {
        let customer_id = customer_id.to_owned();
        self.0
            .read(move |db| documents::plans_of(db, &customer_id))
            .await
    }

    /// The resolution with this id.
    pub async fn resolution(&self, id: &str) -> Result<Option<Resolution>, StorageError> {
        let id = id.to_owned();
        self.0
            .run(move |db| resolutions::load(db, &id, false))
            .await
    }

    /// A dispute's resolutions, oldest first.
    pub async fn resolutions_of(&self, dispute_id: &str) -> Result<Vec<Resolution>, StorageError> {
        let dispute_id = dispute_id.to_owned();
        self.0
            .run(move |db| resolutions::of_dispute(db, &dispute_id))
            .await
    }
}

/// The arrears cases and systemic issues, read: `store.cases()`.
#[derive(Debug, Clone, Copy)]
pub struct Cases<'s>(pub(crate) &'s Store);

impl Cases<'_> {
    /// The arrears case with this id.
    pub async fn get(&self, id: &str) -> Result<Option<ArrearsCase>, StorageError> {
        let id = id.to_owned();
        self.0.run(move |db| cases::load_case(db, &id, false)).await
    }

    /// The arrears cases, oldest first; only those in `status` when given.
    pub async fn list(
        &self,
        status: Option<redress_domain::arrears::ArrearsStatus>,
    ) -> Result<Vec<ArrearsCase>, StorageError> {
        self.0.run(move |db| cases::list(db, status)).await
    }

    /// The systemic issues, most customers first.
    pub async fn systemic_issues(&self) -> Result<Vec<SystemicIssue>, StorageError> {
        self.0.run(cases::systemic_issues_in).await
    }

    /// Whether invoices after `case`'s latest item still carry the error its items rest on, as
    /// the latest audit recorded found them.
    pub async fn follow_up(&self, case: &ArrearsCase) -> Result<FollowUp, StorageError> {
        let case = case.clone();
        self.0.read(move |db| causes::of_case(db, &case)).await
    }

    /// For each systemic issue, by its key: whether invoices after its findings still carry
    /// its cause, as the latest audit recorded found them.
    pub async fn follow_up_issues(&self) -> Result<Vec<(String, FollowUp)>, StorageError> {
        self.0.read(causes::of_issues).await
    }
}
