//! Records of the billing data read one at a time: a customer, a contract with its prices,
//! what a payment paid, what each line of an invoice charges.

use crate::engine::StorageError;
use crate::engine::sql::{Db, Value, params};
use crate::engine::stored::Cells;
use redress_domain::{Currency, Date, Decimal};

/// A customer as stored, with the ids of their contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    /// Their id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Where notices go.
    pub email: String,
    /// The language they are written to in (an IETF tag, e.g. `en`).
    pub language: String,
    /// Since when they are a customer.
    pub customer_since: Date,
    /// Their contracts' ids, in order.
    pub contracts: Vec<String>,
}

/// A contract's terms and price rows as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRecord {
    /// Its id.
    pub id: String,
    /// Its customer.
    pub customer_id: String,
    /// What it bills in.
    pub currency: Currency,
    /// Its first day.
    pub start_date: Date,
    /// Its last day, if it ends.
    pub end_date: Option<Date>,
    /// Days after an invoice's issue that it is due.
    pub payment_terms_days: i64,
    /// The late fee, in percent of what is overdue.
    pub late_fee_percent: Decimal,
    /// Days after the due date before a late fee may be charged.
    pub late_fee_grace_days: i64,
    /// The tax rate, in percent.
    pub tax_rate_percent: Decimal,
    /// Its price rows, by SKU and first valid day.
    pub prices: Vec<PriceRecord>,
}

/// A contract's price of a SKU over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRecord {
    /// The SKU.
    pub sku: String,
    /// The first day it applies.
    pub valid_from: Date,
    /// The last day it applies, if it ends.
    pub valid_to: Option<Date>,
    /// The price of one unit.
    pub unit_price: Decimal,
    /// The discount on it, in percent.
    pub discount_percent: Decimal,
}

/// A customer and the ids of their contracts.
/// The names of the customers `ids` that are stored, as `(id, name)`, in no order.
pub(crate) fn customer_names(
    db: &mut dyn Db,
    ids: &[String],
) -> Result<Vec<(String, String)>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let values: Vec<Value<'_>> = ids.iter().map(Value::from).collect();
    db.rows(
        &format!("SELECT id, name FROM customers WHERE id IN ({marks})"),
        &values,
        |row| Ok((row.string(0)?, row.string(1)?)),
    )
}

pub(crate) fn customer(db: &mut dyn Db, id: &str) -> Result<Option<CustomerRecord>, StorageError> {
    let customer = db.row(
        "SELECT name, email, language, customer_since FROM customers WHERE id = ?",
        params![id],
        |row| {
            Ok(CustomerRecord {
                id: id.to_owned(),
                name: row.string(0)?,
                email: row.string(1)?,
                language: row.string(2)?,
                customer_since: Cells::new(row, "customers", id).date(3, "customer_since")?,
                contracts: Vec::new(),
            })
        },
    )?;
    let Some(mut customer) = customer else {
        return Ok(None);
    };
    customer.contracts = db.rows(
        "SELECT id FROM contracts WHERE customer_id = ? ORDER BY id",
        params![id],
        |row| row.string(0),
    )?;
    Ok(Some(customer))
}

/// A contract's terms and price rows.
pub(crate) fn contract(db: &mut dyn Db, id: &str) -> Result<Option<ContractRecord>, StorageError> {
    let contract = db.row(
        "SELECT customer_id, currency, start_date, end_date, payment_terms_days, late_fee_percent, \
         late_fee_grace_days, tax_rate_percent FROM contracts WHERE id = ?",
        params![id],
        |row| {
            let cells = Cells::new(row, "contracts", id);
            Ok(ContractRecord {
                id: id.to_owned(),
                customer_id: row.string(0)?,
                currency: cells.currency(1, "currency")?,
                start_date: cells.date(2, "start_date")?,
                end_date: cells.opt_date(3, "end_date")?,
                payment_terms_days: row.int(4)?,
                late_fee_percent: cells.amount(5, "late_fee_percent")?,
                late_fee_grace_days: row.int(6)?,
                tax_rate_percent: cells.amount(7, "tax_rate_percent")?,
                prices: Vec::new(),
            })
        },
    )?;
    let Some(mut contract) = contract else {
        return Ok(None);
    };
    contract.prices = db.rows(
        "SELECT sku, valid_from, valid_to, unit_price, discount_percent FROM prices WHERE contract_id = ? ORDER BY sku, valid_from",
        params![id],
        |row| {
            let sku = row.string(0)?;
            let valid_from = row.string(1)?;
            let cells = Cells::new(row, "prices", format!("{id} {sku} {valid_from}"));
            Ok(PriceRecord {
                valid_from: cells.date(1, "valid_from")?,
                valid_to: cells.opt_date(2, "valid_to")?,
                unit_price: cells.amount(3, "unit_price")?,
                discount_percent: cells.amount(4, "discount_percent")?,
                sku,
            })
        },
    )?;
    Ok(Some(contract))
}

/// The amount of a payment as stored, if there is one with that id.
pub(crate) fn payment_amount(
    db: &mut dyn Db,
    payment_id: &str,
) -> Result<Option<Decimal>, StorageError> {
    db.row(
        "SELECT amount FROM payments WHERE id = ?",
        params![payment_id],
        |row| Cells::new(row, "payments", payment_id).amount(0, "amount"),
    )
}

/// The net amount of each line of a stored invoice, in line order (`None`: no such
/// invoice).
pub(crate) fn invoice_line_amounts(
    db: &mut dyn Db,
    invoice_id: &str,
) -> Result<Option<Vec<(u32, Decimal)>>, StorageError> {
    let lines = db.rows(
        "SELECT line_no, amount FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no",
        params![invoice_id],
        |row| {
            let cells = Cells::new(row, "invoice_lines", invoice_id);
            let line_no = u32::try_from(row.int(0)?).map_err(|_| {
                cells.unreadable(
                    "line_no",
                    &row.int(0).unwrap_or_default().to_string(),
                    "a line number",
                )
            })?;
            Ok((line_no, cells.amount(1, "amount")?))
        },
    )?;
    Ok((!lines.is_empty()).then_some(lines))
}
