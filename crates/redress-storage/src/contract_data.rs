//! Reading back what the audit needs to verify one invoice: its contract's prices, deliveries,
//! invoices, lines, payments and notices, and the earlier invoices its late fees are for.
//! Duplicates and quantities look across the contract's other invoices, so the whole contract
//! is loaded, and nothing more.

use crate::sql::{Db, Row, params};
use crate::{StorageError, Store};
use redress_domain::{
    BillingData, Contract, ContractIdx, Currency, Customer, CustomerIdx, Date, Decimal, Delivery,
    Invoice, InvoiceIdx, InvoiceLine, LineKind, Notice, NoticeKind, Payment, Period, PriceRow,
    SkuIdx, parse_date, parse_decimal,
};

fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Corrupt(format!("{what} `{value}`"))
}

fn date(text: &str) -> Result<Date, StorageError> {
    parse_date(text).map_err(|_| corrupt("date", text))
}

fn maybe_date(text: Option<&str>) -> Result<Option<Date>, StorageError> {
    text.map(date).transpose()
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
    /// are for; `None` when there is no such invoice. Read from one snapshot.
    pub async fn contract_data_for_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<BillingData>, StorageError> {
        let invoice_id = invoice_id.to_owned();
        self.read(move |db| load(db, &invoice_id)).await
    }
}

/// Reads what [`Store::contract_data_for_invoice`] gives, within the open transaction.
pub(crate) fn load(db: &mut dyn Db, invoice_id: &str) -> Result<Option<BillingData>, StorageError> {
    let Some(contract_id) = db.row(
        "SELECT contract_id FROM invoices WHERE id = ?",
        params![invoice_id],
        |row| row.string(0),
    )?
    else {
        return Ok(None);
    };
    let mut builder = Builder {
        data: BillingData::default(),
        customers: Vec::new(),
        contracts: Vec::new(),
        invoices: Vec::new(),
    };
    load_contract(db, &mut builder, &contract_id)?;
    let main = builder.contract(&contract_id);
    let key = params![&contract_id];

    db.query_each(
        "SELECT sku, valid_from, valid_to, unit_price, discount_percent FROM prices WHERE contract_id = ? ORDER BY sku, valid_from",
        key,
        &mut |row| {
            let sku = SkuIdx(builder.data.skus.intern(row.text(0)?));
            builder.data.prices.push(PriceRow {
                contract: main,
                sku,
                valid_from: date(row.text(1)?)?,
                valid_to: maybe_date(row.opt_text(2)?)?,
                unit_price: dec(row.text(3)?)?,
                discount_percent: dec(row.text(4)?)?,
            });
            Ok(())
        },
    )?;
    db.query_each(
        "SELECT id, sku, delivered_on, quantity, reference FROM deliveries WHERE contract_id = ? ORDER BY id",
        key,
        &mut |row| {
            let sku = SkuIdx(builder.data.skus.intern(row.text(1)?));
            builder.data.deliveries.records.push(Delivery {
                contract: main,
                sku,
                delivered_on: date(row.text(2)?)?,
                quantity: dec(row.text(3)?)?,
            });
            builder.data.deliveries.ids.push(row.text(0)?);
            builder.data.deliveries.references.push(row.text(4)?);
            Ok(())
        },
    )?;
    let mut loaded = Vec::new();
    db.query_each(INVOICE_SELECT_BY_CONTRACT, key, &mut |row| {
        loaded.push(add_invoice(&mut builder, row)?);
        Ok(())
    })?;
    let own_invoices = loaded.len();
    let mut late_fee_targets: Vec<String> = Vec::new();
    db.query_each(LINES_BY_CONTRACT, key, &mut |row| {
        let invoice = builder.invoice(row.text(0)?);
        let kind = match row.text(2)? {
            "late_fee" => {
                let target = row
                    .opt_text(11)?
                    .ok_or_else(|| corrupt("late fee without", "late_fee_for"))?;
                let late_fee_for = builder.invoice(target);
                if builder.invoices[late_fee_for.index()].is_none()
                    && !late_fee_targets.iter().any(|t| t == target)
                {
                    late_fee_targets.push(target.to_owned());
                }
                LineKind::LateFee { late_fee_for }
            }
            _ => {
                let sku = row
                    .opt_text(3)?
                    .ok_or_else(|| corrupt("charge without", "sku"))?;
                let start = date(row.opt_text(5)?.unwrap_or_default())?;
                let end = date(row.opt_text(6)?.unwrap_or_default())?;
                let period =
                    Period::new(start, end).map_err(|e| StorageError::Corrupt(e.to_string()))?;
                LineKind::Charge {
                    sku: SkuIdx(builder.data.skus.intern(sku)),
                    period,
                }
            }
        };
        builder.data.lines.push(InvoiceLine {
            invoice,
            line_no: whole(row.int(1)?)?,
            kind,
            quantity: dec(row.text(7)?)?,
            unit_price: dec(row.text(8)?)?,
            discount_percent: dec(row.text(9)?)?,
            amount: dec(row.text(10)?)?,
        });
        builder.data.line_descriptions.push(row.text(4)?);
        Ok(())
    })?;
    for target in late_fee_targets {
        let mut found = false;
        let mut target_contract = String::new();
        db.query_each(INVOICE_SELECT_BY_ID, params![&target], &mut |row| {
            found = true;
            target_contract = row.string(2)?;
            Ok(())
        })?;
        if !found {
            return Err(corrupt("late fee for missing invoice", &target));
        }
        let target_idx = builder.contract(&target_contract);
        if builder.contracts[target_idx.index()].is_none() {
            load_contract(db, &mut builder, &target_contract)?;
        }
        db.query_each(INVOICE_SELECT_BY_ID, params![&target], &mut |row| {
            loaded.push(add_invoice(&mut builder, row)?);
            Ok(())
        })?;
    }
    // The contract's own payments and notices in one query each; those of the invoices its
    // late fees are for (usually none) one invoice at a time.
    let by_contract = [(
        PAYMENTS_BY_CONTRACT,
        NOTICES_BY_CONTRACT,
        contract_id.as_str(),
    )];
    let by_invoice = loaded[own_invoices..]
        .iter()
        .map(|id| (PAYMENTS_BY_INVOICE, NOTICES_BY_INVOICE, id.as_str()));
    for (payments, notices, key) in by_contract.into_iter().chain(by_invoice) {
        db.query_each(payments, params![key], &mut |row| {
            let invoice = builder.invoice(row.text(0)?);
            builder.data.payments.push(Payment {
                invoice,
                paid_on: date(row.text(2)?)?,
                amount: dec(row.text(3)?)?,
                method: row.string(4)?,
                reference: row.string(5)?,
            });
            builder.data.payment_ids.push(row.text(1)?);
            Ok(())
        })?;
        db.query_each(notices, params![key], &mut |row| {
            let invoice = builder.invoice(row.text(0)?);
            let kind = row.text(3)?;
            let kind = NoticeKind::ALL
                .iter()
                .find(|(_, n)| *n == kind)
                .map(|(k, _)| *k)
                .ok_or_else(|| corrupt("notice kind", kind))?;
            builder.data.notices.push(Notice {
                invoice,
                sent_on: date(row.text(2)?)?,
                kind,
                channel: row.string(4)?,
            });
            builder.data.notice_ids.push(row.text(1)?);
            Ok(())
        })?;
    }
    builder.finish().map(Some)
}

/// Adds a contract and its customer.
fn load_contract(
    db: &mut dyn Db,
    builder: &mut Builder,
    contract_id: &str,
) -> Result<(), StorageError> {
    let mut found = false;
    db.query_each(
        "SELECT c.customer_id, c.currency, c.start_date, c.end_date, c.payment_terms_days, c.late_fee_percent, c.late_fee_grace_days, c.tax_rate_percent, u.name, u.email, u.language, u.customer_since FROM contracts c JOIN customers u ON u.id = c.customer_id WHERE c.id = ?",
        params![contract_id],
        &mut |row| {
            found = true;
            let customer = builder.customer(row.text(0)?);
            builder.customers[customer.index()] = Some(Customer {
                name: row.string(8)?,
                email: row.string(9)?,
                language: row.string(10)?,
                customer_since: date(row.text(11)?)?,
            });
            let currency = row.text(1)?;
            let contract = builder.contract(contract_id);
            builder.contracts[contract.index()] = Some(Contract {
                customer,
                currency: Currency::from_code(currency).map_err(|_| corrupt("currency", currency))?,
                start_date: date(row.text(2)?)?,
                end_date: maybe_date(row.opt_text(3)?)?,
                payment_terms_days: whole(row.int(4)?)?,
                late_fee_percent: dec(row.text(5)?)?,
                late_fee_grace_days: whole(row.int(6)?)?,
                tax_rate_percent: dec(row.text(7)?)?,
            });
            Ok(())
        },
    )?;
    if found {
        Ok(())
    } else {
        Err(corrupt("contract", contract_id))
    }
}

/// Adds an invoice row (of the invoice selects); gives its id.
fn add_invoice(builder: &mut Builder, row: &dyn Row) -> Result<String, StorageError> {
    let id = row.string(0)?;
    let invoice = builder.invoice(&id);
    let customer = builder.customer(row.text(1)?);
    let contract = builder.contract(row.text(2)?);
    let currency = row.text(5)?;
    builder.invoices[invoice.index()] = Some(Invoice {
        customer,
        contract,
        issue_date: date(row.text(3)?)?,
        due_date: date(row.text(4)?)?,
        currency: Currency::from_code(currency).map_err(|_| corrupt("currency", currency))?,
        subtotal: dec(row.text(6)?)?,
        tax_total: dec(row.text(7)?)?,
        total: dec(row.text(8)?)?,
    });
    Ok(id)
}

const INVOICE_SELECT_BY_CONTRACT: &str = "SELECT id, customer_id, contract_id, issue_date, due_date, currency, subtotal, tax_total, total FROM invoices WHERE contract_id = ? ORDER BY id";
const INVOICE_SELECT_BY_ID: &str = "SELECT id, customer_id, contract_id, issue_date, due_date, currency, subtotal, tax_total, total FROM invoices WHERE id = ?";
const LINES_BY_CONTRACT: &str = "SELECT l.invoice_id, l.line_no, l.kind, l.sku, l.description, l.period_start, l.period_end, l.quantity, l.unit_price, l.discount_percent, l.amount, l.late_fee_for FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.contract_id = ? ORDER BY l.invoice_id, l.line_no";
const PAYMENTS_BY_CONTRACT: &str = "SELECT p.invoice_id, p.id, p.paid_on, p.amount, p.method, p.reference FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.contract_id = ? ORDER BY p.invoice_id, p.id";
const PAYMENTS_BY_INVOICE: &str = "SELECT invoice_id, id, paid_on, amount, method, reference FROM payments WHERE invoice_id = ? ORDER BY id";
const NOTICES_BY_CONTRACT: &str = "SELECT n.invoice_id, n.id, n.sent_on, n.kind, n.channel FROM notices n JOIN invoices i ON i.id = n.invoice_id WHERE i.contract_id = ? ORDER BY n.invoice_id, n.id";
const NOTICES_BY_INVOICE: &str =
    "SELECT invoice_id, id, sent_on, kind, channel FROM notices WHERE invoice_id = ? ORDER BY id";
