//! Reading back what the audit needs to verify one invoice: its contract's prices, deliveries,
//! invoices, lines, payments and notices, and the earlier invoices its late fees are for.
//! Duplicates and quantities look across the contract's other invoices, so the whole contract
//! is loaded, and nothing more.

use crate::{StorageError, Store, placeholders};
use redress_domain::{
    BillingData, Contract, ContractIdx, Currency, Customer, CustomerIdx, Date, Decimal, Delivery,
    Invoice, InvoiceIdx, InvoiceLine, LineKind, Notice, NoticeKind, Payment, Period, PriceRow,
    SkuIdx, parse_date, parse_decimal,
};
use sqlx::Row;
use sqlx::any::AnyRow;

fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Corrupt(format!("{what} `{value}`"))
}

fn date(text: &str) -> Result<Date, StorageError> {
    parse_date(text).map_err(|_| corrupt("date", text))
}

fn maybe_date(text: Option<String>) -> Result<Option<Date>, StorageError> {
    text.as_deref().map(date).transpose()
}

fn dec(text: &str) -> Result<Decimal, StorageError> {
    parse_decimal(text).map_err(|_| corrupt("number", text))
}

fn whole(n: i64) -> Result<u32, StorageError> {
    u32::try_from(n).map_err(|_| corrupt("count", &n.to_string()))
}

/// Billing data being put together from rows, ids interned as they come.
struct Builder {
    data: BillingData,
    customers: Vec<Option<Customer>>,
    contracts: Vec<Option<Contract>>,
    invoices: Vec<Option<Invoice>>,
}

impl Builder {
    fn customer(&mut self, id: &str) -> CustomerIdx {
        let i = self.data.customer_ids.intern(id);
        if i as usize == self.customers.len() {
            self.customers.push(None);
        }
        CustomerIdx(i)
    }

    fn contract(&mut self, id: &str) -> ContractIdx {
        let i = self.data.contract_ids.intern(id);
        if i as usize == self.contracts.len() {
            self.contracts.push(None);
        }
        ContractIdx(i)
    }

    fn invoice(&mut self, id: &str) -> InvoiceIdx {
        let i = self.data.invoice_ids.intern(id);
        if i as usize == self.invoices.len() {
            self.invoices.push(None);
        }
        InvoiceIdx(i)
    }

    fn finish(mut self) -> Result<BillingData, StorageError> {
        let missing = |what: &str| StorageError::Corrupt(format!("a referenced {what} is missing"));
        self.data.customers = self
            .customers
            .into_iter()
            .map(|c| c.ok_or_else(|| missing("customer")))
            .collect::<Result<_, _>>()?;
        self.data.contracts = self
            .contracts
            .into_iter()
            .map(|c| c.ok_or_else(|| missing("contract")))
            .collect::<Result<_, _>>()?;
        self.data.invoices = self
            .invoices
            .into_iter()
            .map(|i| i.ok_or_else(|| missing("invoice")))
            .collect::<Result<_, _>>()?;
        Ok(self.data)
    }
}

impl Store {
    /// The billing data of the contract `invoice_id` is under, with the invoices its late fees
    /// are for; `None` when there is no such invoice.
    pub async fn contract_data_for_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<BillingData>, StorageError> {
        let b = self.backend;
        let contract_id: Option<(String,)> = sqlx::query_as(placeholders(
            b,
            "SELECT contract_id FROM invoices WHERE id = ?",
        ))
        .bind(invoice_id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some((contract_id,)) = contract_id else {
            return Ok(None);
        };
        let mut builder = Builder {
            data: BillingData::default(),
            customers: Vec::new(),
            contracts: Vec::new(),
            invoices: Vec::new(),
        };
        self.load_contract(&mut builder, &contract_id).await?;
        let main = builder.contract(&contract_id);

        for row in self.rows("SELECT contract_id, sku, valid_from, valid_to, unit_price, discount_percent FROM prices WHERE contract_id = ? ORDER BY sku, valid_from", &contract_id).await? {
            let sku = SkuIdx(builder.data.skus.intern(&row.try_get::<String, _>(1)?));
            builder.data.prices.push(PriceRow {
                contract: main,
                sku,
                valid_from: date(&row.try_get::<String, _>(2)?)?,
                valid_to: maybe_date(row.try_get(3)?)?,
                unit_price: dec(&row.try_get::<String, _>(4)?)?,
                discount_percent: dec(&row.try_get::<String, _>(5)?)?,
            });
        }
        for row in self.rows("SELECT id, sku, delivered_on, quantity, reference FROM deliveries WHERE contract_id = ? ORDER BY id", &contract_id).await? {
            let sku = SkuIdx(builder.data.skus.intern(&row.try_get::<String, _>(1)?));
            builder.data.deliveries.records.push(Delivery {
                contract: main,
                sku,
                delivered_on: date(&row.try_get::<String, _>(2)?)?,
                quantity: dec(&row.try_get::<String, _>(3)?)?,
            });
            builder.data.deliveries.ids.push(&row.try_get::<String, _>(0)?);
            builder.data.deliveries.references.push(&row.try_get::<String, _>(4)?);
        }
        let mut loaded = Vec::new();
        for row in self.rows(INVOICE_SELECT_BY_CONTRACT, &contract_id).await? {
            loaded.push(self.add_invoice(&mut builder, &row)?);
        }
        let mut late_fee_targets = Vec::new();
        for row in self.rows(LINES_BY_CONTRACT, &contract_id).await? {
            let invoice = builder.invoice(&row.try_get::<String, _>(0)?);
            let kind = match row.try_get::<String, _>(2)?.as_str() {
                "late_fee" => {
                    let target: String = row
                        .try_get::<Option<String>, _>(11)?
                        .ok_or_else(|| corrupt("late fee without", "late_fee_for"))?;
                    let late_fee_for = builder.invoice(&target);
                    if builder.invoices[late_fee_for.index()].is_none()
                        && !late_fee_targets.contains(&target)
                    {
                        late_fee_targets.push(target);
                    }
                    LineKind::LateFee { late_fee_for }
                }
                _ => {
                    let sku: String = row
                        .try_get::<Option<String>, _>(3)?
                        .ok_or_else(|| corrupt("charge without", "sku"))?;
                    let start = date(&row.try_get::<Option<String>, _>(5)?.unwrap_or_default())?;
                    let end = date(&row.try_get::<Option<String>, _>(6)?.unwrap_or_default())?;
                    let period = Period::new(start, end)
                        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                    LineKind::Charge {
                        sku: SkuIdx(builder.data.skus.intern(&sku)),
                        period,
                    }
                }
            };
            builder.data.lines.push(InvoiceLine {
                invoice,
                line_no: whole(row.try_get::<i64, _>(1)?)?,
                kind,
                quantity: dec(&row.try_get::<String, _>(7)?)?,
                unit_price: dec(&row.try_get::<String, _>(8)?)?,
                discount_percent: dec(&row.try_get::<String, _>(9)?)?,
                amount: dec(&row.try_get::<String, _>(10)?)?,
            });
            builder
                .data
                .line_descriptions
                .push(&row.try_get::<String, _>(4)?);
        }
        for target in late_fee_targets {
            let row = self
                .rows(INVOICE_SELECT_BY_ID, &target)
                .await?
                .pop()
                .ok_or_else(|| corrupt("late fee for missing invoice", &target))?;
            let target_contract: String = row.try_get(2)?;
            let target_idx = builder.contract(&target_contract);
            if builder.contracts[target_idx.index()].is_none() {
                self.load_contract(&mut builder, &target_contract).await?;
            }
            loaded.push(self.add_invoice(&mut builder, &row)?);
        }
        for invoice_id in &loaded {
            let invoice = builder.invoice(invoice_id);
            for row in self.rows("SELECT id, paid_on, amount, method, reference FROM payments WHERE invoice_id = ? ORDER BY id", invoice_id).await? {
                builder.data.payments.push(Payment {
                    invoice,
                    paid_on: date(&row.try_get::<String, _>(1)?)?,
                    amount: dec(&row.try_get::<String, _>(2)?)?,
                    method: row.try_get(3)?,
                    reference: row.try_get(4)?,
                });
                builder.data.payment_ids.push(&row.try_get::<String, _>(0)?);
            }
            for row in self.rows("SELECT id, sent_on, kind, channel FROM notices WHERE invoice_id = ? ORDER BY id", invoice_id).await? {
                let kind: String = row.try_get(2)?;
                let kind = NoticeKind::ALL.iter().find(|(_, n)| *n == kind).map(|(k, _)| *k).ok_or_else(|| corrupt("notice kind", &kind))?;
                builder.data.notices.push(Notice {
                    invoice,
                    sent_on: date(&row.try_get::<String, _>(1)?)?,
                    kind,
                    channel: row.try_get(3)?,
                });
                builder.data.notice_ids.push(&row.try_get::<String, _>(0)?);
            }
        }
        builder.finish().map(Some)
    }

    /// Rows of `sql`, which takes one `?`: `value`.
    async fn rows(&self, sql: &str, value: &str) -> Result<Vec<AnyRow>, StorageError> {
        Ok(sqlx::query(placeholders(self.backend, sql))
            .bind(value.to_owned())
            .fetch_all(self.pool())
            .await?)
    }

    /// Adds a contract and its customer.
    async fn load_contract(
        &self,
        builder: &mut Builder,
        contract_id: &str,
    ) -> Result<(), StorageError> {
        let row = self.rows("SELECT c.customer_id, c.currency, c.start_date, c.end_date, c.payment_terms_days, c.late_fee_percent, c.late_fee_grace_days, c.tax_rate_percent, u.name, u.email, u.language, u.customer_since FROM contracts c JOIN customers u ON u.id = c.customer_id WHERE c.id = ?", contract_id).await?.pop().ok_or_else(|| corrupt("contract", contract_id))?;
        let customer = builder.customer(&row.try_get::<String, _>(0)?);
        builder.customers[customer.index()] = Some(Customer {
            name: row.try_get(8)?,
            email: row.try_get(9)?,
            language: row.try_get(10)?,
            customer_since: date(&row.try_get::<String, _>(11)?)?,
        });
        let currency: String = row.try_get(1)?;
        let contract = builder.contract(contract_id);
        builder.contracts[contract.index()] = Some(Contract {
            customer,
            currency: Currency::from_code(&currency).map_err(|_| corrupt("currency", &currency))?,
            start_date: date(&row.try_get::<String, _>(2)?)?,
            end_date: maybe_date(row.try_get(3)?)?,
            payment_terms_days: whole(row.try_get::<i64, _>(4)?)?,
            late_fee_percent: dec(&row.try_get::<String, _>(5)?)?,
            late_fee_grace_days: whole(row.try_get::<i64, _>(6)?)?,
            tax_rate_percent: dec(&row.try_get::<String, _>(7)?)?,
        });
        Ok(())
    }

    /// Adds an invoice row (of [`INVOICE_COLUMNS`]); gives its id.
    fn add_invoice(&self, builder: &mut Builder, row: &AnyRow) -> Result<String, StorageError> {
        let id: String = row.try_get(0)?;
        let invoice = builder.invoice(&id);
        let customer = builder.customer(&row.try_get::<String, _>(1)?);
        let contract = builder.contract(&row.try_get::<String, _>(2)?);
        let currency: String = row.try_get(5)?;
        builder.invoices[invoice.index()] = Some(Invoice {
            customer,
            contract,
            issue_date: date(&row.try_get::<String, _>(3)?)?,
            due_date: date(&row.try_get::<String, _>(4)?)?,
            currency: Currency::from_code(&currency).map_err(|_| corrupt("currency", &currency))?,
            subtotal: dec(&row.try_get::<String, _>(6)?)?,
            tax_total: dec(&row.try_get::<String, _>(7)?)?,
            total: dec(&row.try_get::<String, _>(8)?)?,
        });
        Ok(id)
    }
}

const INVOICE_SELECT_BY_CONTRACT: &str = "SELECT id, customer_id, contract_id, issue_date, due_date, currency, subtotal, tax_total, total FROM invoices WHERE contract_id = ? ORDER BY id";
const INVOICE_SELECT_BY_ID: &str = "SELECT id, customer_id, contract_id, issue_date, due_date, currency, subtotal, tax_total, total FROM invoices WHERE id = ?";
const LINES_BY_CONTRACT: &str = "SELECT l.invoice_id, l.line_no, l.kind, l.sku, l.description, l.period_start, l.period_end, l.quantity, l.unit_price, l.discount_percent, l.amount, l.late_fee_for FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.contract_id = ? ORDER BY l.invoice_id, l.line_no";
