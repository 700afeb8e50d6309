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
    /// are for; `None` when there is no such invoice. The contract is read in one statement,
    /// so from one snapshot.
    pub async fn contract_data_for_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<BillingData>, StorageError> {
        let invoice_id = invoice_id.to_owned();
        self.run(move |db| load(db, &invoice_id)).await
    }
}

/// Reads what [`Store::contract_data_for_invoice`] gives, within the open transaction.
pub(crate) fn load(db: &mut dyn Db, invoice_id: &str) -> Result<Option<BillingData>, StorageError> {
    let mut builder = Builder {
        data: BillingData::default(),
        customers: Vec::new(),
        contracts: Vec::new(),
        invoices: Vec::new(),
    };
    let mut main = None;
    let mut loaded = Vec::new();
    let mut late_fee_targets: Vec<String> = Vec::new();
    // The whole contract in one statement (one round trip, one snapshot), a row per record,
    // tagged with what it is: see `CONTRACT_OF_INVOICE`.
    db.query_each(CONTRACT_OF_INVOICE, params![invoice_id], &mut |tagged| {
        let row = &Shifted(tagged, 2);
        match tagged.int(0)? {
            0 => main = Some(add_contract(&mut builder, row)?),
            1 => {
                let contract = main.ok_or_else(|| corrupt("price row without", "contract"))?;
                let sku = SkuIdx(builder.data.skus.intern(row.text(0)?));
                builder.data.prices.push(PriceRow {
                    contract,
                    sku,
                    valid_from: date(row.text(1)?)?,
                    valid_to: maybe_date(row.opt_text(2)?)?,
                    unit_price: dec(row.text(3)?)?,
                    discount_percent: dec(row.text(4)?)?,
                });
            }
            2 => {
                let contract = main.ok_or_else(|| corrupt("delivery without", "contract"))?;
                let sku = SkuIdx(builder.data.skus.intern(row.text(1)?));
                builder.data.deliveries.records.push(Delivery {
                    contract,
                    sku,
                    delivered_on: date(row.text(2)?)?,
                    quantity: dec(row.text(3)?)?,
                });
                builder.data.deliveries.ids.push(row.text(0)?);
                builder.data.deliveries.references.push(row.text(4)?);
            }
            3 => loaded.push(add_invoice(&mut builder, row)?),
            4 => {
                let line_no = whole(tagged.int(1)?)?;
                add_line(&mut builder, row, line_no, &mut late_fee_targets)?;
            }
            5 => add_payment(&mut builder, row)?,
            6 => add_notice(&mut builder, row)?,
            other => return Err(corrupt("record kind", &other.to_string())),
        }
        Ok(())
    })?;
    if main.is_none() {
        return Ok(None);
    }
    let own_invoices = loaded.len();
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
    // The payments and notices of the invoices its late fees are for (usually none).
    for id in &loaded[own_invoices..] {
        db.query_each(PAYMENTS_BY_INVOICE, params![id], &mut |row| {
            add_payment(&mut builder, row)
        })?;
        db.query_each(NOTICES_BY_INVOICE, params![id], &mut |row| {
            add_notice(&mut builder, row)
        })?;
    }
    builder.finish().map(Some)
}

/// Adds a contract and its customer, read from another contract's late fee.
fn load_contract(
    db: &mut dyn Db,
    builder: &mut Builder,
    contract_id: &str,
) -> Result<(), StorageError> {
    let mut found = false;
    db.query_each(
        &format!("{CONTRACT_SELECT} WHERE c.id = ?"),
        params![contract_id],
        &mut |row| {
            found = true;
            add_contract(builder, row).map(|_| ())
        },
    )?;
    if found {
        Ok(())
    } else {
        Err(corrupt("contract", contract_id))
    }
}

/// Adds a contract row (of [`CONTRACT_SELECT`]) and its customer; gives its place.
fn add_contract(builder: &mut Builder, row: &dyn Row) -> Result<ContractIdx, StorageError> {
    let customer = builder.customer(row.text(1)?);
    builder.customers[customer.index()] = Some(Customer {
        name: row.string(9)?,
        email: row.string(10)?,
        language: row.string(11)?,
        customer_since: date(row.text(12)?)?,
    });
    let currency = row.text(2)?;
    let count = |text: &str| text.parse::<u32>().map_err(|_| corrupt("count", text));
    let contract = builder.contract(row.text(0)?);
    builder.contracts[contract.index()] = Some(Contract {
        customer,
        currency: Currency::from_code(currency).map_err(|_| corrupt("currency", currency))?,
        start_date: date(row.text(3)?)?,
        end_date: maybe_date(row.opt_text(4)?)?,
        payment_terms_days: count(row.text(5)?)?,
        late_fee_percent: dec(row.text(6)?)?,
        late_fee_grace_days: count(row.text(7)?)?,
        tax_rate_percent: dec(row.text(8)?)?,
    });
    Ok(contract)
}

/// Adds an invoice line: `invoice_id, kind, sku, description, period_start, period_end,
/// quantity, unit_price, discount_percent, amount, late_fee_for`. The invoices a late fee is
/// for that are not loaded yet are noted in `late_fee_targets`.
fn add_line(
    builder: &mut Builder,
    row: &dyn Row,
    line_no: u32,
    late_fee_targets: &mut Vec<String>,
) -> Result<(), StorageError> {
    let invoice = builder.invoice(row.text(0)?);
    let kind = match row.text(1)? {
        "late_fee" => {
            let target = row
                .opt_text(10)?
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
                .opt_text(2)?
                .ok_or_else(|| corrupt("charge without", "sku"))?;
            let start = date(row.opt_text(4)?.unwrap_or_default())?;
            let end = date(row.opt_text(5)?.unwrap_or_default())?;
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
        line_no,
        kind,
        quantity: dec(row.text(6)?)?,
        unit_price: dec(row.text(7)?)?,
        discount_percent: dec(row.text(8)?)?,
        amount: dec(row.text(9)?)?,
    });
    builder.data.line_descriptions.push(row.text(3)?);
    Ok(())
}

/// Adds a payment: `invoice_id, id, paid_on, amount, method, reference`.
fn add_payment(builder: &mut Builder, row: &dyn Row) -> Result<(), StorageError> {
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
}

/// Adds a notice: `invoice_id, id, sent_on, kind, channel`.
fn add_notice(builder: &mut Builder, row: &dyn Row) -> Result<(), StorageError> {
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
}

/// A row read from a given column on: the columns of a tagged row after its tags.
struct Shifted<'r>(&'r dyn Row, usize);

impl Row for Shifted<'_> {
    fn text(&self, column: usize) -> Result<&str, StorageError> {
        self.0.text(column + self.1)
    }
    fn opt_text(&self, column: usize) -> Result<Option<&str>, StorageError> {
        self.0.opt_text(column + self.1)
    }
    fn int(&self, column: usize) -> Result<i64, StorageError> {
        self.0.int(column + self.1)
    }
    fn opt_int(&self, column: usize) -> Result<Option<i64>, StorageError> {
        self.0.opt_int(column + self.1)
    }
    fn blob(&self, column: usize) -> Result<&[u8], StorageError> {
        self.0.blob(column + self.1)
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

/// A contract with its customer: `id, customer_id, currency, start_date, end_date,
/// payment_terms_days, late_fee_percent, late_fee_grace_days, tax_rate_percent, name, email,
/// language, customer_since`, every column text.
const CONTRACT_SELECT: &str = "SELECT c.id, c.customer_id, c.currency, c.start_date, c.end_date, \
    CAST(c.payment_terms_days AS TEXT), c.late_fee_percent, CAST(c.late_fee_grace_days AS TEXT), \
    c.tax_rate_percent, u.name, u.email, u.language, u.customer_since \
    FROM contracts c JOIN customers u ON u.id = c.customer_id";

/// Everything of the contract an invoice (the one `?`) is under, one row per record: a kind
/// (0 contract, 1 price row, 2 delivery, 3 invoice, 4 line, 5 payment, 6 notice), a number
/// (the line's), and the record's columns as text, in the layouts the `add_` functions read.
/// Each kind comes in the order the audit expects it.
const CONTRACT_OF_INVOICE: &str = "WITH k AS (SELECT contract_id AS id FROM invoices WHERE id = ?) \
    SELECT 0, 0, c.id, c.customer_id, c.currency, c.start_date, c.end_date, \
        CAST(c.payment_terms_days AS TEXT), c.late_fee_percent, CAST(c.late_fee_grace_days AS TEXT), \
        c.tax_rate_percent, u.name, u.email, u.language, u.customer_since \
        FROM k JOIN contracts c ON c.id = k.id JOIN customers u ON u.id = c.customer_id \
    UNION ALL SELECT 1, 0, p.sku, p.valid_from, p.valid_to, p.unit_price, p.discount_percent, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN prices p ON p.contract_id = k.id \
    UNION ALL SELECT 2, 0, d.id, d.sku, d.delivered_on, d.quantity, d.reference, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN deliveries d ON d.contract_id = k.id \
    UNION ALL SELECT 3, 0, i.id, i.customer_id, i.contract_id, i.issue_date, i.due_date, i.currency, \
        i.subtotal, i.tax_total, i.total, NULL, NULL, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id \
    UNION ALL SELECT 4, l.line_no, l.invoice_id, l.kind, l.sku, l.description, l.period_start, \
        l.period_end, l.quantity, l.unit_price, l.discount_percent, l.amount, l.late_fee_for, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id JOIN invoice_lines l ON l.invoice_id = i.id \
    UNION ALL SELECT 5, 0, y.invoice_id, y.id, y.paid_on, y.amount, y.method, y.reference, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id JOIN payments y ON y.invoice_id = i.id \
    UNION ALL SELECT 6, 0, o.invoice_id, o.id, o.sent_on, o.kind, o.channel, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id JOIN notices o ON o.invoice_id = i.id \
    ORDER BY 1, 3, 2, 4";
const INVOICE_SELECT_BY_ID: &str = "SELECT id, customer_id, contract_id, issue_date, due_date, currency, subtotal, tax_total, total FROM invoices WHERE id = ?";
const PAYMENTS_BY_INVOICE: &str = "SELECT invoice_id, id, paid_on, amount, method, reference FROM payments WHERE invoice_id = ? ORDER BY id";
const NOTICES_BY_INVOICE: &str =
    "SELECT invoice_id, id, sent_on, kind, channel FROM notices WHERE invoice_id = ? ORDER BY id";
