//! The billing data a dispute is checked against: imported from an export, and read back.

use crate::disputes::{ImportOutcome, IntakeError, import_export};
use crate::redress::Redress;
use redress_domain::BillingData;
use redress_storage::StorageError;
use redress_storage::billing::import::{ImportCounts, TableCounts};
use redress_storage::billing::records::{ContractRecord, CustomerRecord};
use std::sync::Arc;

/// The billing data.
pub struct Billing<'a>(pub(crate) &'a Redress);

impl Redress {
    /// The billing data.
    pub fn billing(&self) -> Billing<'_> {
        Billing(self)
    }
}

impl Billing<'_> {
    /// Imports an export's billing data alone (upserted by id, in one transaction).
    pub async fn import(
        &self,
        data: impl Into<Arc<BillingData>>,
        actor: &str,
    ) -> Result<ImportCounts, StorageError> {
        self.0.store.billing().import(data, actor).await
    }

    /// Imports an export: its billing data and its disputes, verified, in one transaction.
    pub async fn import_export(
        &self,
        data: Arc<BillingData>,
        actor: &str,
    ) -> Result<ImportOutcome, IntakeError> {
        import_export(&self.0.store, data, actor).await
    }

    /// Rows stored, table by table.
    pub async fn counts(&self) -> Result<TableCounts, StorageError> {
        self.0.store.billing().counts().await
    }

    /// The billing data of an invoice's contract (what verifying it reads); `None` when there
    /// is no such invoice.
    pub async fn contract_data_for_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<BillingData>, StorageError> {
        self.0
            .store
            .billing()
            .contract_data_for_invoice(invoice_id)
            .await
    }

    /// A contract's terms and price rows.
    pub async fn contract(&self, id: &str) -> Result<Option<ContractRecord>, StorageError> {
        self.0.store.billing().contract(id).await
    }

    /// The names of the customers `ids` (a page's worth), as `(id, name)`; an id no customer
    /// has is left out.
    pub async fn customer_names(
        &self,
        ids: Vec<String>,
    ) -> Result<Vec<(String, String)>, StorageError> {
        self.0.store.billing().customer_names(ids).await
    }

    /// A customer and their contracts' ids.
    pub async fn customer(&self, id: &str) -> Result<Option<CustomerRecord>, StorageError> {
        self.0.store.billing().customer(id).await
    }
}
