//! A customer's account, as every posting is checked against it: rebuilt from the billing
//! tables (their invoices, each line at its contract's rate, and payments) and from everything
//! Redress posted and agreed since, replayed in the order it happened; locked for a posting and
//! posted to; and shown as the customer's ledger. One computation of what a customer owes, used
//! by every document that posts and by the ledger's view.

use super::documents::{credited_lines, issued_invoice_in, stored_instalments};
use crate::engine::sql::{Db, params};
use crate::engine::stored::Cells;
use crate::engine::{Backend, StorageError};
use redress_domain::ledger::{
    CreditNoteLines, CustomerAccount, EntryDate, EntryKind, EntryLine, JournalEntry, LedgerError,
    LedgerInvoice, LedgerLine,
};
use redress_domain::resolution::{Instalment, PaymentPlan};
use redress_domain::{Currency, Decimal, Money, Timestamp, timestamp_text};

/// One journal entry of a customer's ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// What it records: an invoice, a payment, a credit note, …
    pub kind: EntryKind,
    /// The document: invoice id, payment id, credit note id, …
    pub document: String,
    /// The invoice it concerns, when one.
    pub invoice_id: Option<String>,
    /// The day (invoices: issued; payments: received) or moment (documents Redress issued).
    pub date: EntryDate,
    /// Its currency.
    pub currency: Currency,
    /// Its lines, each an amount on one side of one account; debits equal credits.
    pub lines: Vec<EntryLine>,
}

/// A customer's ledger: every entry, oldest first, and what the customer owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerLedger {
    /// The customer.
    pub customer_id: String,
    /// The entries, oldest first.
    pub entries: Vec<LedgerEntry>,
    /// What the customer owes in each currency (below zero: what they are owed), by currency
    /// code.
    pub balances: Vec<Money>,
}

/// A customer's ledger: the entries of their invoices and payments (from the billing
/// tables) and of the documents Redress issued them, oldest first, with what they owe: the
/// customer's account as every posting is checked against it (`account_of_customer`).
/// `None` when there is no such customer.
pub(crate) fn ledger(
    db: &mut dyn Db,
    customer_id: &str,
) -> Result<Option<CustomerLedger>, StorageError> {
    let known = db
        .row(
            "SELECT 1 FROM customers WHERE id = ?",
            params![customer_id],
            |row| row.int(0),
        )?
        .is_some();
    if !known {
        return Ok(None);
    }
    let (account, dates) = load_account(db, customer_id)?;
    let mut entries: Vec<LedgerEntry> = account
        .entries()
        .iter()
        .zip(dates)
        .map(|(entry, date)| LedgerEntry {
            kind: entry.kind,
            document: entry.document.clone(),
            invoice_id: entry.invoice.clone(),
            date,
            currency: entry.currency,
            lines: entry.lines().to_vec(),
        })
        .collect();
    // Oldest first: a day sorts before the moments within it.
    entries.sort_by_key(|entry| entry.date);
    let currencies: Vec<Currency> = account.entries().iter().map(|e| e.currency).collect();
    let balances = account
        .balances()
        .into_iter()
        .filter_map(|(code, amount)| {
            let currency = currencies.iter().find(|c| c.code() == code)?;
            Some(Money {
                amount,
                currency: *currency,
            })
        })
        .collect();
    Ok(Some(CustomerLedger {
        customer_id: customer_id.to_owned(),
        entries,
        balances,
    }))
}

/// The customer of a stored invoice: a billing one, or one Redress issued.
pub(crate) fn customer_of_invoice(
    db: &mut dyn Db,
    invoice_id: &str,
) -> Result<Option<String>, StorageError> {
    db.row(
        "SELECT customer_id FROM invoices WHERE id = ? \
         UNION ALL SELECT customer_id FROM issued_invoices WHERE id = ?",
        params![invoice_id, invoice_id],
        |row| row.string(0),
    )
}

/// What a stored invoice has open as the ledger stands, and how much of that payment plans
/// already agreed still expect: `(open, planned)` (`None`: no such invoice).
pub(crate) fn open_on(
    db: &mut dyn Db,
    invoice_id: &str,
) -> Result<Option<(Decimal, Decimal)>, StorageError> {
    let Some(customer_id) = customer_of_invoice(db, invoice_id)? else {
        return Ok(None);
    };
    let account = account_of_customer(db, &customer_id)?;
    Ok(Some((
        account.open_on(invoice_id),
        account.planned_on(invoice_id),
    )))
}

/// Writes `entry` to the ledger of `customer_id` within the open transaction. `reference` is
/// what it is against besides its invoice: the payment a refund pays back, the plan an
/// instalment is of.
pub(crate) fn post_entry(
    db: &mut dyn Db,
    customer_id: &str,
    entry: &JournalEntry,
    reference: Option<&str>,
    posted_at: Timestamp,
    actor: &str,
) -> Result<(), StorageError> {
    let kind = entry.kind.as_str();
    let posted_at = timestamp_text(posted_at);
    // The invoice it concerns is one of the billing data's, or one Redress issued: each column
    // keeps its own foreign key.
    let (billing, issued) = match entry.invoice.as_deref() {
        None => (None, None),
        Some(invoice) => {
            let billed = db
                .row(
                    "SELECT 1 FROM invoices WHERE id = ?",
                    params![invoice],
                    |_| Ok(()),
                )?
                .is_some();
            if billed {
                (Some(invoice), None)
            } else {
                (None, Some(invoice))
            }
        }
    };
    db.execute(
        "INSERT INTO ledger_postings (kind, document, customer_id, invoice_id, issued_invoice_id, currency, reference, posted_at, posted_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            kind,
            &entry.document,
            customer_id,
            billing,
            issued,
            entry.currency.code(),
            reference,
            &posted_at,
            actor,
        ],
    )?;
    for (i, line) in entry.lines().iter().enumerate() {
        db.execute(
            "INSERT INTO ledger_lines (kind, document, line_no, account, side, amount) VALUES (?, ?, ?, ?, ?, ?)",
            params![
                kind,
                &entry.document,
                i as i64 + 1,
                line.account.as_str(),
                line.side.as_str(),
                &entry.currency.format(line.amount),
            ],
        )?;
    }
    Ok(())
}

/// Locks the customer's account until the open transaction ends, so that a posting is checked
/// against the account as it stands and written before any other process can check another
/// against it: on PostgreSQL the customer's row, `FOR UPDATE`; SQLite has one writer at a time
/// across processes (every write begins `IMMEDIATE`), which is the lock.
pub(crate) fn lock_account(db: &mut dyn Db, customer_id: &str) -> Result<(), StorageError> {
    if db.backend() == Backend::Postgres {
        db.row(
            "SELECT id FROM customers WHERE id = ? FOR UPDATE",
            params![customer_id],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

/// A customer's account for a posting, within the open transaction: locked
/// ([`lock_account`]), then read as it stands ([`account_of_customer`]).
pub(crate) fn account_for_posting(
    db: &mut dyn Db,
    customer_id: &str,
) -> Result<CustomerAccount, StorageError> {
    lock_account(db, customer_id)?;
    account_of_customer(db, customer_id)
}

/// A customer's account as the ledger stands, within the open transaction (see
/// [`load_account`]).
pub(crate) fn account_of_customer(
    db: &mut dyn Db,
    customer_id: &str,
) -> Result<CustomerAccount, StorageError> {
    Ok(load_account(db, customer_id)?.0)
}

/// A customer's account as the ledger stands, within the open transaction, with the day or
/// moment of each of its entries: their invoices (with their lines, at their contract's tax
/// rate) and payments from the billing tables, then every entry Redress posted and every
/// payment plan agreed, in the order they happened. A new posting is checked against it: what
/// a payment has left to refund, what an invoice has open and not spread over a plan, what a
/// line has left to credit.
pub(crate) fn load_account(
    db: &mut dyn Db,
    customer_id: &str,
) -> Result<(CustomerAccount, Vec<EntryDate>), StorageError> {
    let corrupt =
        |e: LedgerError| StorageError::Corrupt(format!("the ledger of {customer_id}: {e}"));
    let mut lines: std::collections::HashMap<String, Vec<(u32, Decimal)>> = Default::default();
    db.query_each(
        "SELECT l.invoice_id, l.line_no, l.amount FROM invoice_lines l \
         JOIN invoices i ON i.id = l.invoice_id WHERE i.customer_id = ? ORDER BY l.invoice_id, l.line_no",
        params![customer_id],
        &mut |row| {
            let invoice = row.string(0)?;
            let number = row.int(1)?;
            let cells = Cells::new(row, "invoice_lines", format!("{invoice} line {number}"));
            let line_no = u32::try_from(number).map_err(|_| {
                cells.unreadable("line_no", &number.to_string(), "a line number (1 or more)")
            })?;
            let net = cells.amount(2, "amount")?;
            lines.entry(invoice).or_default().push((line_no, net));
            Ok(())
        },
    )?;
    let invoices = db.rows(
        "SELECT i.id, i.currency, i.subtotal, i.tax_total, i.total, c.tax_rate_percent, i.issue_date, \
         c.id FROM invoices i JOIN contracts c ON c.id = i.contract_id WHERE i.customer_id = ? \
         ORDER BY i.issue_date, i.id",
        params![customer_id],
        |row| {
            let id = row.string(0)?;
            let invoice = Cells::new(row, "invoices", id.clone());
            let contract = Cells::new(row, "contracts", row.string(7)?);
            Ok((
                LedgerInvoice {
                    currency: invoice.currency(1, "currency")?,
                    lines: Vec::new(),
                    subtotal: invoice.amount(2, "subtotal")?,
                    tax_total: invoice.amount(3, "tax_total")?,
                    total: invoice.amount(4, "total")?,
                    id,
                },
                contract.amount(5, "tax_rate_percent")?,
                invoice.date(6, "issue_date")?,
            ))
        },
    )?;
    let mut account = CustomerAccount::new();
    let mut dates = Vec::new();
    for (mut invoice, rate, issued_on) in invoices {
        invoice.lines = lines
            .remove(&invoice.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(line_no, net)| LedgerLine {
                line_no,
                net,
                tax_rate_percent: rate,
            })
            .collect();
        account.post_invoice(invoice).map_err(corrupt)?;
        dates.push(EntryDate::Day(issued_on));
    }
    let payments = db.rows(
        "SELECT p.id, p.invoice_id, p.amount, i.currency, p.paid_on FROM payments p \
         JOIN invoices i ON i.id = p.invoice_id WHERE i.customer_id = ? ORDER BY p.paid_on, p.id",
        params![customer_id],
        |row| {
            let id = row.string(0)?;
            let invoice_id = row.string(1)?;
            let payment = Cells::new(row, "payments", id.clone());
            let invoice = Cells::new(row, "invoices", invoice_id.clone());
            Ok((
                id,
                invoice_id,
                payment.amount(2, "amount")?,
                invoice.currency(3, "currency")?,
                payment.date(4, "paid_on")?,
            ))
        },
    )?;
    for (id, invoice, paid, code, paid_on) in payments {
        account
            .post_payment(&id, &invoice, paid, code)
            .map_err(corrupt)?;
        dates.push(EntryDate::Day(paid_on));
    }
    // What Redress posted, each with its amount on the customer's account, and the plans
    // agreed: replayed in the order they happened (a plan before the instalments received on
    // it, and after the invoice it spreads).
    let posted = db.rows(
        "SELECT p.kind, p.document, COALESCE(p.invoice_id, p.issued_invoice_id), p.currency, \
         p.reference, l.amount, p.posted_at \
         FROM ledger_postings p JOIN ledger_lines l ON l.kind = p.kind AND l.document = p.document \
         AND l.account = 'receivable' WHERE p.customer_id = ? ORDER BY p.posted_at, p.document",
        params![customer_id],
        |row| {
            let document = row.string(1)?;
            let posting = Cells::new(row, "ledger_postings", document.clone());
            let line = Cells::new(row, "ledger_lines", document.clone());
            Ok(Replayed::Posting {
                kind: posting.parsed(0, "kind", "a kind of ledger entry", EntryKind::from_name)?,
                invoice: row.opt_string(2)?,
                currency: posting.currency(3, "currency")?,
                reference: row.opt_string(4)?,
                value: line.amount(5, "amount")?,
                at: posting.timestamp(6, "posted_at")?,
                document,
            })
        },
    )?;
    let plans = db.rows(
        "SELECT id, invoice_id, currency, instalments_json, agreed_at FROM payment_plans \
         WHERE customer_id = ? ORDER BY agreed_at, id",
        params![customer_id],
        |row| {
            let id = row.string(0)?;
            let cells = Cells::new(row, "payment_plans", id.clone());
            let currency = cells.currency(2, "currency")?;
            let instalments: Vec<Instalment> = stored_instalments(&cells, 3)?
                .into_iter()
                .map(|(due_on, amount)| Instalment { due_on, amount })
                .collect();
            let total = instalments.iter().map(|i| i.amount).sum();
            let plan = PaymentPlan::new(total, currency, instalments).map_err(|_| {
                cells.unreadable(
                    "instalments_json",
                    row.text(3).unwrap_or_default(),
                    "the instalments of a payment plan: in order, each above zero and in the \
                     plan's currency",
                )
            })?;
            Ok(Replayed::Plan {
                invoice: row.string(1)?,
                plan,
                at: cells.timestamp(4, "agreed_at")?,
                id,
            })
        },
    )?;
    let mut history: Vec<Replayed> = posted.into_iter().chain(plans).collect();
    // Stable: postings of one moment keep their order, and come before a plan of that moment.
    history.sort_by_key(Replayed::at);
    // A posting that lacks what its kind needs, named by where it is stored.
    let missing =
        |document: &str, column: &'static str, expected: &'static str| StorageError::Unreadable {
            table: "ledger_postings",
            row: document.to_owned(),
            column,
            value: "NULL".into(),
            expected,
        };
    for replayed in history {
        let (kind, document, invoice, code, reference, value, at) = match replayed {
            Replayed::Plan {
                id,
                invoice,
                plan,
                at: _,
            } => {
                account.agree_plan(&id, &invoice, &plan).map_err(corrupt)?;
                continue;
            }
            Replayed::Posting {
                kind,
                document,
                invoice,
                currency,
                reference,
                value,
                at,
            } => (kind, document, invoice, currency, reference, value, at),
        };
        let invoice_of = || {
            invoice
                .clone()
                .ok_or_else(|| missing(&document, "invoice_id", "the invoice it concerns"))
        };
        match kind {
            EntryKind::CreditNote => {
                let credited = db
                    .row(
                        "SELECT lines_json FROM credit_notes WHERE id = ?",
                        params![&document],
                        |row| credited_lines(&Cells::new(row, "credit_notes", document.clone()), 0),
                    )?
                    .ok_or_else(|| {
                        StorageError::Corrupt(format!(
                            "ledger posting {document} is of a credit note that is not stored"
                        ))
                    })?;
                account
                    .post_credit_note(
                        &document,
                        &invoice_of()?,
                        &CreditNoteLines { lines: credited },
                    )
                    .map_err(corrupt)?;
            }
            EntryKind::Refund => {
                let payment = reference
                    .ok_or_else(|| missing(&document, "reference", "the payment refunded"))?;
                account
                    .post_refund(&document, &payment, value, code)
                    .map_err(corrupt)?;
            }
            EntryKind::AccountCredit => {
                account
                    .post_account_credit(&document, value, code)
                    .map_err(corrupt)?;
            }
            EntryKind::Goodwill => {
                account
                    .post_goodwill(&document, &invoice_of()?, value, code)
                    .map_err(corrupt)?;
            }
            EntryKind::WriteOff => {
                account
                    .post_write_off(&document, &invoice_of()?, value, code)
                    .map_err(corrupt)?;
            }
            EntryKind::Payment => {
                // An instalment of a plan: its document is `{plan}-{number}`.
                let plan = reference
                    .ok_or_else(|| missing(&document, "reference", "the payment plan paid"))?;
                let number = document
                    .strip_prefix(&format!("{plan}-"))
                    .and_then(|n| n.parse::<u32>().ok())
                    .ok_or_else(|| StorageError::Unreadable {
                        table: "ledger_postings",
                        row: document.clone(),
                        column: "document",
                        value: document.clone(),
                        expected: "the payment of an instalment: `{plan}-{number}`",
                    })?;
                account
                    .receive_instalment(&plan, number, &document)
                    .map_err(corrupt)?;
            }
            EntryKind::Invoice => {
                let issued = issued_invoice_in(db, &document)?.ok_or_else(|| {
                    StorageError::Corrupt(format!(
                        "ledger posting {document} is of an issued invoice that is not stored"
                    ))
                })?;
                account
                    .post_invoice(issued.ledger_invoice())
                    .map_err(corrupt)?;
            }
        }
        dates.push(EntryDate::At(at));
    }
    Ok((account, dates))
}

/// What Redress wrote to a customer's account, replayed in the order it happened.
enum Replayed {
    /// A journal entry posted.
    Posting {
        kind: EntryKind,
        document: String,
        invoice: Option<String>,
        currency: Currency,
        reference: Option<String>,
        value: Decimal,
        at: Timestamp,
    },
    /// A payment plan agreed (it posts nothing).
    Plan {
        id: String,
        invoice: String,
        plan: PaymentPlan,
        at: Timestamp,
    },
}

impl Replayed {
    fn at(&self) -> Timestamp {
        match self {
            Self::Posting { at, .. } | Self::Plan { at, .. } => *at,
        }
    }
}
