//! The billing data: imported from a billing-data v1 export ([`import`]), read back a contract
//! at a time for verification, with the snapshots that make that one read (`contract_data`),
//! and a record at a time (`records`).
//!
//! `contract_data` uses nothing else here; `import` uses it to renew the snapshots.
//! Reads and imports are on the handle [`Billing`] (`store.billing()`).

pub(crate) mod contract_data;
pub mod import;
pub mod records;

use self::import::{ImportCounts, TableCounts};
use self::records::{ContractRecord, CustomerRecord};
use crate::engine::{StorageError, Store};
use redress_domain::recommendation::Relationship;
use redress_domain::{BillingData, Currency, Date, Decimal};
use std::sync::Arc;

/// The billing data, read and imported: `store.billing()`.
#[derive(Debug, Clone, Copy)]
pub struct Billing<'s>(pub(crate) &'s Store);

impl Billing<'_> {
    /// Writes all of `data` in one transaction: every row, or (on any failure) none. The import
    /// is recorded in the audit log as done by `actor`, with what it wrote. The data is shared
    /// (`Arc`) because the writing happens on a blocking thread of its own.
    pub async fn import(
        &self,
        data: impl Into<Arc<BillingData>>,
        actor: &str,
    ) -> Result<ImportCounts, StorageError> {
        let data = data.into();
        import::check(&data)?;
        let actor = actor.to_owned();
        self.0
            .write_bulk(move |db| import::write(db, &data, &actor))
            .await
    }

    /// How many rows each billing table holds.
    pub async fn counts(&self) -> Result<TableCounts, StorageError> {
        self.0.read(import::counts).await
    }

    /// The billing data of the contract `invoice_id` is under, with the invoices its late fees
    /// are for; `None` when there is no such invoice.
    pub async fn contract_data_for_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<BillingData>, StorageError> {
        let invoice_id = invoice_id.to_owned();
        self.0
            .run(move |db| contract_data::data_for_invoice(db, &invoice_id))
            .await
    }

    /// What `each` makes of the billing data of every contract that has an invoice, one
    /// contract at a time, in one read-only transaction (what the audit of the stored data goes
    /// through).
    pub async fn map_contracts<T: Send + 'static>(
        &self,
        each: impl FnMut(BillingData) -> T + Send + 'static,
    ) -> Result<Vec<T>, StorageError> {
        self.0
            .read(move |db| contract_data::each_contract(db, each))
            .await
    }

    /// A customer's relationship with the business in `currency` over the year to `as_of`:
    /// tenure, what they were invoiced, and how many invoices that fell due were paid on time;
    /// `None` when there is no such customer.
    pub async fn relationship(
        &self,
        customer_id: &str,
        currency: Currency,
        as_of: Date,
    ) -> Result<Option<Relationship>, StorageError> {
        let customer_id = customer_id.to_owned();
        self.0
            .read(move |db| {
                let Some(customer) = records::customer(db, &customer_id)? else {
                    return Ok(None);
                };
                crate::disputes::relationship::relationship(
                    db,
                    &customer_id,
                    customer.customer_since,
                    currency.code(),
                    as_of,
                )
                .map(Some)
            })
            .await
    }

    /// A customer and the ids of their contracts.
    pub async fn customer(&self, id: &str) -> Result<Option<CustomerRecord>, StorageError> {
        let id = id.to_owned();
        self.0.read(move |db| records::customer(db, &id)).await
    }

    /// The customer whose address is `email` (compared without regard to case), if one is;
    /// the first by id when several share it.
    pub async fn customer_by_email(&self, email: &str) -> Result<Option<String>, StorageError> {
        let email = email.trim().to_lowercase();
        self.0
            .run(move |db| {
                db.row(
                    "SELECT id FROM customers WHERE lower(email) = ? ORDER BY id LIMIT 1",
                    crate::engine::sql::params![&email],
                    |row| row.string(0),
                )
            })
            .await
    }

    /// A customer's invoices, newest first (by issue date, then id).
    pub async fn invoices_of(
        &self,
        customer_id: &str,
    ) -> Result<Vec<(String, redress_domain::Date)>, StorageError> {
        let customer_id = customer_id.to_owned();
        self.0
            .run(move |db| {
                db.rows(
                    "SELECT id, issue_date FROM invoices WHERE customer_id = ? \
                     ORDER BY issue_date DESC, id DESC",
                    crate::engine::sql::params![&customer_id],
                    |row| {
                        let id = row.string(0)?;
                        let cells = crate::engine::stored::Cells::new(row, "invoices", id.as_str());
                        Ok((cells.date(1, "issue_date")?, id))
                    },
                )
                .map(|rows| rows.into_iter().map(|(date, id)| (id, date)).collect())
            })
            .await
    }

    /// The names of the customers `ids` (at most a few hundred: a page's), by id; an id no
    /// customer has is left out.
    pub async fn customer_names(
        &self,
        ids: Vec<String>,
    ) -> Result<Vec<(String, String)>, StorageError> {
        self.0
            .run(move |db| records::customer_names(db, &ids))
            .await
    }

    /// A contract's terms and price rows.
    pub async fn contract(&self, id: &str) -> Result<Option<ContractRecord>, StorageError> {
        let id = id.to_owned();
        self.0.read(move |db| records::contract(db, &id)).await
    }

    /// The amount of a payment as stored, if there is one with that id.
    pub async fn payment_amount(&self, payment_id: &str) -> Result<Option<Decimal>, StorageError> {
        let payment_id = payment_id.to_owned();
        self.0
            .run(move |db| records::payment_amount(db, &payment_id))
            .await
    }

    /// The net amount of each line of a stored invoice, in line order (`None`: no such
    /// invoice).
    pub async fn invoice_line_amounts(
        &self,
        invoice_id: &str,
    ) -> Result<Option<Vec<(u32, Decimal)>>, StorageError> {
        let invoice_id = invoice_id.to_owned();
        self.0
            .run(move |db| records::invoice_line_amounts(db, &invoice_id))
            .await
    }
}
