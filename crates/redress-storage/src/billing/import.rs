//! Billing data in the database: imported from a billing-data v1 export, all or nothing, and
//! upserted by id so that importing the same or an updated export again duplicates nothing.

use super::contract_data;
use crate::engine::StorageError;
use crate::engine::sql::{Db, RowSource, Upsert, Value};
use crate::engine::stored::now;
use crate::engine::transaction::append;
use redress_domain::audit_log::NewEvent;
use redress_domain::{BillingData, LineKind};
use std::fmt::Write as _;

/// How many rows of each table an import wrote (inserted or updated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Customers.
    pub customers: u64,
    /// Contracts.
    pub contracts: u64,
    /// Price rows.
    pub prices: u64,
    /// Delivery records.
    pub deliveries: u64,
    /// Invoices.
    pub invoices: u64,
    /// Invoice lines.
    pub invoice_lines: u64,
    /// Payments.
    pub payments: u64,
    /// Notices.
    pub notices: u64,
}

/// How many rows each billing table holds.
pub type TableCounts = ImportCounts;

impl ImportCounts {
    /// The counts as a JSON object, for the audit log.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "customers": self.customers,
            "contracts": self.contracts,
            "prices": self.prices,
            "deliveries": self.deliveries,
            "invoices": self.invoices,
            "invoice_lines": self.invoice_lines,
            "payments": self.payments,
            "notices": self.notices,
        })
        .to_string()
    }
}

/// Text made on the fly for the values of one row, reused from row to row so that formatting
/// numbers and dates allocates nothing.
#[derive(Default)]
struct Scratch {
    text: String,
    ends: Vec<usize>,
}

impl Scratch {
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Formats `value` into the buffer; gives its slot.
    fn put(&mut self, value: impl std::fmt::Display) -> usize {
        let _ = write!(self.text, "{value}");
        self.ends.push(self.text.len());
        self.ends.len() - 1
    }

    fn get(&self, slot: usize) -> &str {
        let start = if slot == 0 { 0 } else { self.ends[slot - 1] };
        &self.text[start..self.ends[slot]]
    }
}

/// A value of a row being written: borrowed from the billing data, or formatted into the
/// row's [`Scratch`].
#[derive(Clone, Copy)]
enum Cell<'a> {
    Borrowed(Value<'a>),
    Formatted(usize),
}

/// Writes rows of `upsert` made by `row`, one per item of `items`.
fn write_rows<'d, T: 'd>(
    db: &mut dyn Db,
    upsert: &Upsert,
    items: impl Iterator<Item = T>,
    mut row: impl FnMut(T, &mut Scratch, &mut Vec<Cell<'d>>),
) -> Result<u64, StorageError> {
    let mut items = items;
    let mut scratch = Scratch::default();
    let mut cells: Vec<Cell<'d>> = Vec::with_capacity(upsert.columns.len());
    let source: &mut RowSource<'_> = &mut |sink| {
        for item in items.by_ref() {
            scratch.clear();
            cells.clear();
            row(item, &mut scratch, &mut cells);
            // On the stack: no table has more columns than this.
            let mut values = [Value::Null; 16];
            for (value, cell) in values.iter_mut().zip(&cells) {
                *value = match *cell {
                    Cell::Borrowed(value) => value,
                    Cell::Formatted(slot) => Value::Text(scratch.get(slot)),
                };
            }
            sink(&values[..cells.len()])?;
        }
        Ok(())
    };
    db.upsert_many(upsert, source)
}

/// A value borrowed from the billing data.
fn b<'a>(value: impl Into<Value<'a>>) -> Cell<'a> {
    Cell::Borrowed(value.into())
}

/// A value formatted for the row.
fn f(scratch: &mut Scratch, value: impl std::fmt::Display) -> Cell<'static> {
    Cell::Formatted(scratch.put(value))
}

/// An optional value formatted for the row.
fn f_opt(scratch: &mut Scratch, value: Option<impl std::fmt::Display>) -> Cell<'static> {
    match value {
        Some(value) => f(scratch, value),
        None => Cell::Borrowed(Value::Null),
    }
}

/// Writes all of `data` within the open transaction.
fn import_in(db: &mut dyn Db, data: &BillingData) -> Result<ImportCounts, StorageError> {
    let customer = |i: u32| data.customer_ids.name(i);
    let contract = |i: u32| data.contract_ids.name(i);
    let invoice = |i: u32| data.invoice_ids.name(i);

    let customers = write_rows(
        db,
        &CUSTOMERS,
        data.customers.iter().enumerate(),
        |(i, c), s, row| {
            row.extend([
                b(customer(i as u32)),
                b(c.name.as_str()),
                b(c.email.as_str()),
                b(c.language.as_str()),
                f(s, c.customer_since),
            ]);
        },
    )?;
    let contracts = write_rows(
        db,
        &CONTRACTS,
        data.contracts.iter().enumerate(),
        |(i, c), s, row| {
            row.extend([
                b(contract(i as u32)),
                b(customer(c.customer.0)),
                b(c.currency.code()),
                f(s, c.start_date),
                f_opt(s, c.end_date),
                b(i64::from(c.payment_terms_days)),
                f(s, c.late_fee_percent),
                b(i64::from(c.late_fee_grace_days)),
                f(s, c.tax_rate_percent),
            ]);
        },
    )?;
    let prices = write_rows(db, &PRICES, data.prices.iter(), |p, s, row| {
        row.extend([
            b(contract(p.contract.0)),
            b(data.sku(p.sku)),
            f(s, p.valid_from),
            f_opt(s, p.valid_to),
            f(s, p.unit_price),
            f(s, p.discount_percent),
        ]);
    })?;
    let records = &data.deliveries;
    let deliveries = write_rows(
        db,
        &DELIVERIES,
        records.records.iter().enumerate(),
        |(i, d), s, row| {
            row.extend([
                b(records.ids.get(i)),
                b(contract(d.contract.0)),
                b(data.sku(d.sku)),
                f(s, d.delivered_on),
                f(s, d.quantity),
                b(if records.references.is_empty() {
                    ""
                } else {
                    records.references.get(i)
                }),
            ]);
        },
    )?;
    let invoices = write_rows(
        db,
        &INVOICES,
        data.invoices.iter().enumerate(),
        |(i, inv), s, row| {
            row.extend([
                b(invoice(i as u32)),
                b(customer(inv.customer.0)),
                b(contract(inv.contract.0)),
                f(s, inv.issue_date),
                f(s, inv.due_date),
                b(inv.currency.code()),
                f(s, inv.subtotal),
                f(s, inv.tax_total),
                f(s, inv.total),
            ]);
        },
    )?;
    let descriptions = &data.line_descriptions;
    let invoice_lines = write_rows(
        db,
        &INVOICE_LINES,
        data.lines.iter().enumerate(),
        |(i, l), s, row| {
            row.extend([b(invoice(l.invoice.0)), b(i64::from(l.line_no))]);
            match l.kind {
                LineKind::Charge { sku, period } => row.extend([
                    b("charge"),
                    b(data.sku(sku)),
                    b(if descriptions.is_empty() {
                        ""
                    } else {
                        descriptions.get(i)
                    }),
                    f(s, period.start()),
                    f(s, period.end()),
                ]),
                LineKind::LateFee { .. } => row.extend([
                    b("late_fee"),
                    b(Value::Null),
                    b(if descriptions.is_empty() {
                        ""
                    } else {
                        descriptions.get(i)
                    }),
                    b(Value::Null),
                    b(Value::Null),
                ]),
            }
            row.extend([
                f(s, l.quantity),
                f(s, l.unit_price),
                f(s, l.discount_percent),
                f(s, l.amount),
                match l.kind {
                    LineKind::LateFee { late_fee_for } => b(invoice(late_fee_for.0)),
                    LineKind::Charge { .. } => b(Value::Null),
                },
            ]);
        },
    )?;
    let payments = write_rows(
        db,
        &PAYMENTS,
        data.payments.iter().enumerate(),
        |(i, p), s, row| {
            row.extend([
                b(data.payment_ids.get(i)),
                b(invoice(p.invoice.0)),
                f(s, p.paid_on),
                f(s, p.amount),
                b(p.method.as_str()),
                b(p.reference.as_str()),
            ]);
        },
    )?;
    let notices = write_rows(
        db,
        &NOTICES,
        data.notices.iter().enumerate(),
        |(i, n), s, row| {
            row.extend([
                b(data.notice_ids.get(i)),
                b(invoice(n.invoice.0)),
                f(s, n.sent_on),
                b(n.kind.as_str()),
                b(n.channel.as_str()),
            ]);
        },
    )?;
    Ok(ImportCounts {
        customers,
        contracts,
        prices,
        deliveries,
        invoices,
        invoice_lines,
        payments,
        notices,
    })
}

/// Refuses billing data that refers to a record it does not hold, before anything is written.
/// Checked here, not left to the database's foreign keys: an import into empty tables puts
/// those back without checking the rows again.
pub(crate) fn check(data: &BillingData) -> Result<(), StorageError> {
    match data.dangling_reference() {
        Some(dangling) => Err(StorageError::DanglingReference(dangling)),
        None => Ok(()),
    }
}

/// Writes all of `data` within the open transaction (one of its own, on a connection readied
/// for bulk writes): every row upserted by id, the billing data's version moved on with the
/// contracts' snapshots, and the import recorded in the audit log as done by `actor`, with what
/// it wrote.
pub(crate) fn write(
    db: &mut dyn Db,
    data: &BillingData,
    actor: &str,
) -> Result<ImportCounts, StorageError> {
    let fresh = db
        .row("SELECT 1 FROM contracts LIMIT 1", &[], |_| Ok(()))?
        .is_none();
    let version = contract_data::billing_version(db)? + 1;
    // On a first import every contract's snapshot is made from memory, on the cores the
    // writing leaves free.
    let (counts, made) = std::thread::scope(|scope| {
        let made = fresh.then(|| scope.spawn(|| contract_data::snapshots_of(data, version)));
        let counts = import_in(db, data);
        let made = made.map(|m| m.join());
        // Data the database refused is the error to report, whatever the snapshots
        // made of it.
        let counts = counts?;
        let made = match made {
            None => None,
            Some(Ok(made)) => Some(made?),
            Some(Err(panic)) => std::panic::resume_unwind(panic),
        };
        Ok::<_, StorageError>((counts, made))
    })?;
    contract_data::renew_snapshots(db, version, made)?;
    append(
        db,
        NewEvent {
            occurred_at: now(),
            actor: actor.to_owned(),
            entity: "billing_data".to_owned(),
            entity_id: "import".to_owned(),
            action: "imported".to_owned(),
            before: None,
            after: Some(counts.to_json()),
        },
    )?;
    Ok(counts)
}

/// How many rows each billing table holds.
pub(crate) fn counts(db: &mut dyn Db) -> Result<TableCounts, StorageError> {
    let mut count = |table: &str| -> Result<u64, StorageError> {
        let n = db.row(&format!("SELECT COUNT(*) FROM {table}"), &[], |row| {
            row.int(0)
        })?;
        Ok(n.unwrap_or(0) as u64)
    };
    Ok(TableCounts {
        customers: count("customers")?,
        contracts: count("contracts")?,
        prices: count("prices")?,
        deliveries: count("deliveries")?,
        invoices: count("invoices")?,
        invoice_lines: count("invoice_lines")?,
        payments: count("payments")?,
        notices: count("notices")?,
    })
}

const CUSTOMERS: Upsert = Upsert {
    table: "customers",
    columns: &["id", "name", "email", "language", "customer_since"],
    key: &["id"],
};
const CONTRACTS: Upsert = Upsert {
    table: "contracts",
    columns: &[
        "id",
        "customer_id",
        "currency",
        "start_date",
        "end_date",
        "payment_terms_days",
        "late_fee_percent",
        "late_fee_grace_days",
        "tax_rate_percent",
    ],
    key: &["id"],
};
const PRICES: Upsert = Upsert {
    table: "prices",
    columns: &[
        "contract_id",
        "sku",
        "valid_from",
        "valid_to",
        "unit_price",
        "discount_percent",
    ],
    key: &["contract_id", "sku", "valid_from"],
};
const DELIVERIES: Upsert = Upsert {
    table: "deliveries",
    columns: &[
        "id",
        "contract_id",
        "sku",
        "delivered_on",
        "quantity",
        "reference",
    ],
    key: &["id"],
};
const INVOICES: Upsert = Upsert {
    table: "invoices",
    columns: &[
        "id",
        "customer_id",
        "contract_id",
        "issue_date",
        "due_date",
        "currency",
        "subtotal",
        "tax_total",
        "total",
    ],
    key: &["id"],
};
const INVOICE_LINES: Upsert = Upsert {
    table: "invoice_lines",
    columns: &[
        "invoice_id",
        "line_no",
        "kind",
        "sku",
        "description",
        "period_start",
        "period_end",
        "quantity",
        "unit_price",
        "discount_percent",
        "amount",
        "late_fee_for",
    ],
    key: &["invoice_id", "line_no"],
};
const PAYMENTS: Upsert = Upsert {
    table: "payments",
    columns: &[
        "id",
        "invoice_id",
        "paid_on",
        "amount",
        "method",
        "reference",
    ],
    key: &["id"],
};
const NOTICES: Upsert = Upsert {
    table: "notices",
    columns: &["id", "invoice_id", "sent_on", "kind", "channel"],
    key: &["id"],
};
