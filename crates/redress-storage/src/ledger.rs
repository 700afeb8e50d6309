//! Credit notes, numbered without gaps, and the customer ledger: the entries of invoices and
//! payments read from the billing tables, and the entries of the documents Redress issues.

use crate::audit_log::{append, now};
use crate::sql::{Db, Row, params};
use crate::{StorageError, Store};
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{
    Account, CreditNoteLines, CustomerAccount, EntryKind, JournalEntry, LedgerError, LedgerInvoice,
    Side,
};
use redress_domain::{Currency, Decimal, parse_decimal};
use std::collections::BTreeMap;

/// A credit note to issue: how much of each line's net amount it takes back, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCreditNote {
    /// The invoice it corrects.
    pub invoice_id: String,
    /// `(line number, net amount credited)`, in the invoice's currency.
    pub lines: Vec<(u32, Decimal)>,
    /// Why, in words the customer will read.
    pub reason: String,
}

/// An issued credit note: an accounting document that never changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNote {
    /// Its id: the series and the number, e.g. `CN-2026-000042`.
    pub id: String,
    /// Its series, e.g. `CN-2026`.
    pub series: String,
    /// Its number in the series, from 1, without gaps.
    pub number: i64,
    /// The invoice it corrects.
    pub invoice_id: String,
    /// The invoice's customer.
    pub customer_id: String,
    /// The invoice's currency.
    pub currency: String,
    /// Net credited.
    pub net: String,
    /// Tax credited, at the invoice's rate.
    pub tax: String,
    /// Net and tax.
    pub total: String,
    /// `(line number, net amount)` of each line credited.
    pub lines: Vec<(u32, String)>,
    /// Why.
    pub reason: String,
    /// When.
    pub issued_at: String,
    /// Who.
    pub issued_by: String,
}

/// Why a credit note was not issued. Nothing was written, and no number was taken.
#[derive(Debug, thiserror::Error)]
pub enum CreditNoteError {
    /// No such invoice is stored.
    #[error("invoice_id: no invoice `{0}` is stored")]
    UnknownInvoice(String),
    /// The ledger refused it (a line it does not have, more than a line has left, …).
    #[error("{0}")]
    Refused(#[from] LedgerError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// One journal entry of a customer's ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// `invoice`, `payment`, `credit_note`, …
    pub kind: String,
    /// The document: invoice id, payment id, credit note id, …
    pub document: String,
    /// The invoice it concerns, when one.
    pub invoice_id: Option<String>,
    /// The day (invoices: issued; payments: received) or time (documents Redress issued).
    pub date: String,
    /// Its currency.
    pub currency: String,
    /// `(account, side, amount)`; debits equal credits.
    pub lines: Vec<(String, String, String)>,
}

/// A customer's ledger: every entry, oldest first, and what the customer owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerLedger {
    /// The customer.
    pub customer_id: String,
    /// The entries, oldest first.
    pub entries: Vec<LedgerEntry>,
    /// What the customer owes in each currency (below zero: what they are owed), formatted
    /// with the currency's decimals.
    pub balances: BTreeMap<String, String>,
}

/// The series a credit note issued now is numbered in.
fn credit_note_series() -> String {
    format!("CN-{}", &now()[..4])
}

pub(crate) fn currency(code: &str) -> Result<Currency, StorageError> {
    Currency::from_code(code).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn amount(text: &str) -> Result<Decimal, StorageError> {
    parse_decimal(text).map_err(|e| StorageError::Corrupt(format!("an amount `{text}`: {e}")))
}

/// The invoice's customer and what the ledger needs of it, with the credit notes issued
/// against it so far posted; `None` when there is no such invoice.
fn account_of_invoice(
    db: &mut dyn Db,
    invoice_id: &str,
) -> Result<Option<(String, Currency, CustomerAccount)>, CreditNoteError> {
    let Some((customer_id, code, subtotal, tax_total, rate)) = db.row(
        "SELECT i.customer_id, i.currency, i.subtotal, i.tax_total, c.tax_rate_percent \
         FROM invoices i JOIN contracts c ON c.id = i.contract_id WHERE i.id = ?",
        params![invoice_id],
        |row| {
            Ok((
                row.string(0)?,
                row.string(1)?,
                row.string(2)?,
                row.string(3)?,
                row.string(4)?,
            ))
        },
    )?
    else {
        return Ok(None);
    };
    let currency = currency(&code)?;
    let lines = db.rows(
        "SELECT line_no, amount FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no",
        params![invoice_id],
        |row| Ok((row.int(0)?, row.string(1)?)),
    )?;
    let lines = lines
        .into_iter()
        .map(|(n, a)| {
            let line_no = u32::try_from(n)
                .map_err(|_| StorageError::Corrupt(format!("invoice line number {n}")))?;
            Ok((line_no, amount(&a)?))
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let mut account = CustomerAccount::new();
    account.post_invoice(LedgerInvoice {
        id: invoice_id.to_owned(),
        currency,
        lines,
        tax_rate_percent: amount(&rate)?,
        subtotal: amount(&subtotal)?,
        tax_total: amount(&tax_total)?,
    })?;
    let issued = db.rows(
        "SELECT id, lines_json FROM credit_notes WHERE invoice_id = ? ORDER BY series, number",
        params![invoice_id],
        |row| Ok((row.string(0)?, row.string(1)?)),
    )?;
    for (id, lines_json) in issued {
        let lines = credited_lines(&lines_json)?;
        account.post_credit_note(&id, invoice_id, &CreditNoteLines { lines })?;
    }
    Ok(Some((customer_id, currency, account)))
}

/// Credit note lines as stored (`[[line_no, "amount"], …]`); a credit note resolution keeps
/// its lines in the same form.
fn stored_lines(json: &str) -> Result<Vec<(u32, String)>, StorageError> {
    serde_json::from_str(json)
        .map_err(|e| StorageError::Corrupt(format!("a credit note's lines: {e}")))
}

/// Stored credit note lines, their amounts as numbers.
fn credited_lines(json: &str) -> Result<Vec<(u32, Decimal)>, StorageError> {
    parsed_lines(stored_lines(json)?)
}

/// Credit note lines with their amounts as numbers.
pub(crate) fn parsed_lines(lines: Vec<(u32, String)>) -> Result<Vec<(u32, Decimal)>, StorageError> {
    lines
        .into_iter()
        .map(|(n, a)| Ok((n, amount(&a)?)))
        .collect()
}

/// Credit note lines as they are stored.
fn lines_json(lines: &[(u32, String)]) -> String {
    serde_json::to_string(lines).unwrap_or_else(|_| "[]".into())
}

fn read_credit_note(row: &dyn Row) -> Result<CreditNote, StorageError> {
    let lines = stored_lines(row.text(9)?)?;
    Ok(CreditNote {
        id: row.string(0)?,
        series: row.string(1)?,
        number: row.int(2)?,
        invoice_id: row.string(3)?,
        customer_id: row.string(4)?,
        currency: row.string(5)?,
        net: row.string(6)?,
        tax: row.string(7)?,
        total: row.string(8)?,
        lines,
        reason: row.string(10)?,
        issued_at: row.string(11)?,
        issued_by: row.string(12)?,
    })
}

const CREDIT_NOTE_COLUMNS: &str = "id, series, number, invoice_id, customer_id, currency, net, \
     tax, total, lines_json, reason, issued_at, issued_by";

/// Moves `series` on by one and gives its new number, within the open transaction.
pub(crate) fn next_number(db: &mut dyn Db, series: &str) -> Result<i64, StorageError> {
    db.execute(
        "INSERT INTO document_series (series, last_number) VALUES (?, 0) ON CONFLICT (series) DO NOTHING",
        params![series],
    )?;
    db.row(
        "UPDATE document_series SET last_number = last_number + 1 WHERE series = ? RETURNING last_number",
        params![series],
        |row| row.int(0),
    )?
    .ok_or_else(|| StorageError::Corrupt(format!("the series {series} has no counter")))
}

impl Store {
    /// Issues a credit note against a stored invoice: checked by the ledger (every line on the
    /// invoice, never more than a line has left to credit once earlier credit notes are
    /// counted), numbered next in its series, posted to the customer's ledger and recorded in
    /// the audit log, all in one transaction.
    pub async fn issue_credit_note(
        &self,
        note: NewCreditNote,
        actor: &str,
    ) -> Result<CreditNote, CreditNoteError> {
        let actor = actor.to_owned();
        self.write(move |db| issue_in(db, &note, &actor)).await
    }

    /// The credit note with this id.
    pub async fn credit_note(&self, id: &str) -> Result<Option<CreditNote>, StorageError> {
        let id = id.to_owned();
        self.run(move |db| {
            db.row(
                &format!("SELECT {CREDIT_NOTE_COLUMNS} FROM credit_notes WHERE id = ?"),
                params![&id],
                read_credit_note,
            )
        })
        .await
    }

    /// A customer's ledger: the entries of their invoices and payments (from the billing
    /// tables) and of the documents Redress issued them, oldest first, with what they owe.
    /// `None` when there is no such customer.
    pub async fn customer_ledger(
        &self,
        customer_id: &str,
    ) -> Result<Option<CustomerLedger>, StorageError> {
        let customer_id = customer_id.to_owned();
        self.read(move |db| {
            let known = db
                .row("SELECT 1 FROM customers WHERE id = ?", params![&customer_id], |row| row.int(0))?
                .is_some();
            if !known {
                return Ok(None);
            }
            let mut entries = Vec::new();
            let invoices = db.rows(
                "SELECT id, currency, subtotal, tax_total, total, issue_date FROM invoices \
                 WHERE customer_id = ? ORDER BY issue_date, id",
                params![&customer_id],
                |row| {
                    Ok((
                        row.string(0)?,
                        row.string(1)?,
                        row.string(2)?,
                        row.string(3)?,
                        row.string(4)?,
                        row.string(5)?,
                    ))
                },
            )?;
            for (id, code, subtotal, tax, total, date) in invoices {
                // The customer owes the total as billed; where it is not net plus tax, the
                // difference is kept apart (see `Account::BillingDifferences`).
                let difference = amount(&total)? - amount(&subtotal)? - amount(&tax)?;
                let mut lines = vec![(Account::Receivable, "debit", total)];
                for (account, value) in [(Account::Revenue, subtotal), (Account::TaxPayable, tax)] {
                    if amount(&value)? > Decimal::ZERO {
                        lines.push((account, "credit", value));
                    }
                }
                let currency = currency(&code)?;
                if difference > Decimal::ZERO {
                    lines.push((Account::BillingDifferences, "credit", currency.format(difference)));
                } else if difference < Decimal::ZERO {
                    lines.push((Account::BillingDifferences, "debit", currency.format(-difference)));
                }
                entries.push(entry(EntryKind::Invoice, id.clone(), Some(id), date, code, lines));
            }
            let payments = db.rows(
                "SELECT p.id, p.invoice_id, i.currency, p.amount, p.paid_on FROM payments p \
                 JOIN invoices i ON i.id = p.invoice_id WHERE i.customer_id = ? ORDER BY p.paid_on, p.id",
                params![&customer_id],
                |row| {
                    Ok((
                        row.string(0)?,
                        row.string(1)?,
                        row.string(2)?,
                        row.string(3)?,
                        row.string(4)?,
                    ))
                },
            )?;
            for (id, invoice, code, paid, date) in payments {
                let lines = vec![
                    (Account::Cash, "debit", paid.clone()),
                    (Account::Receivable, "credit", paid),
                ];
                entries.push(entry(EntryKind::Payment, id, Some(invoice), date, code, lines));
            }
            let posted = db.rows(
                "SELECT p.kind, p.document, p.invoice_id, p.currency, p.posted_at, l.account, l.side, l.amount \
                 FROM ledger_postings p JOIN ledger_lines l ON l.kind = p.kind AND l.document = p.document \
                 WHERE p.customer_id = ? ORDER BY p.posted_at, p.document, l.line_no",
                params![&customer_id],
                |row| {
                    Ok((
                        (row.string(0)?, row.string(1)?, row.opt_string(2)?, row.string(3)?, row.string(4)?),
                        (row.string(5)?, row.string(6)?, row.string(7)?),
                    ))
                },
            )?;
            for ((kind, document, invoice_id, code, date), line) in posted {
                match entries.last_mut() {
                    Some(last) if last.kind == kind && last.document == document => last.lines.push(line),
                    _ => entries.push(LedgerEntry {
                        kind,
                        document,
                        invoice_id,
                        date,
                        currency: code,
                        lines: vec![line],
                    }),
                }
            }
            // Oldest first: a day sorts before the times within it.
            entries.sort_by(|a, b| a.date.cmp(&b.date));
            let mut owed: BTreeMap<String, Decimal> = BTreeMap::new();
            for entry in &entries {
                for (account, side, value) in &entry.lines {
                    if account == Account::Receivable.as_str() {
                        let value = amount(value)?;
                        *owed.entry(entry.currency.clone()).or_default() +=
                            if side == "debit" { value } else { -value };
                    }
                }
            }
            let balances = owed
                .into_iter()
                .map(|(code, value)| Ok((code.clone(), currency(&code)?.format(value))))
                .collect::<Result<_, StorageError>>()?;
            Ok(Some(CustomerLedger {
                customer_id,
                entries,
                balances,
            }))
        })
        .await
    }
}

/// An entry read from the billing tables.
fn entry(
    kind: EntryKind,
    document: String,
    invoice_id: Option<String>,
    date: String,
    currency: String,
    lines: Vec<(Account, &str, String)>,
) -> LedgerEntry {
    LedgerEntry {
        kind: kind.as_str().to_owned(),
        document,
        invoice_id,
        date,
        currency,
        lines: lines
            .into_iter()
            .map(|(account, side, value)| (account.as_str().to_owned(), side.to_owned(), value))
            .collect(),
    }
}

/// Checks a credit note against its invoice (and the credit notes before it), then numbers it,
/// writes it, posts its entry and records it in the audit log, in the open transaction. A
/// refused one takes no number.
pub(crate) fn check_credit_note(
    db: &mut dyn Db,
    note: &NewCreditNote,
) -> Result<
    (
        String,
        Currency,
        CustomerAccount,
        redress_domain::ledger::CreditNoteAmounts,
    ),
    CreditNoteError,
> {
    let (customer_id, currency, mut account) = account_of_invoice(db, &note.invoice_id)?
        .ok_or_else(|| CreditNoteError::UnknownInvoice(note.invoice_id.clone()))?;
    let amounts = account.post_credit_note(
        "to issue",
        &note.invoice_id,
        &CreditNoteLines {
            lines: note.lines.clone(),
        },
    )?;
    Ok((customer_id, currency, account, amounts))
}

/// Issues `note` in the open transaction (see [`Store::issue_credit_note`]).
pub(crate) fn issue_in(
    db: &mut dyn Db,
    note: &NewCreditNote,
    actor: &str,
) -> Result<CreditNote, CreditNoteError> {
    let actor = actor.to_owned();
    // Checked before a number is taken: a refused credit note takes none.
    let (customer_id, currency, account, amounts) = check_credit_note(db, note)?;
    let entry = account.entries().last().cloned().expect("just posted");
    let series = credit_note_series();
    let number = next_number(db, &series)?;
    let issued = CreditNote {
        id: format!("{series}-{number:06}"),
        series,
        number,
        invoice_id: note.invoice_id.clone(),
        customer_id,
        currency: currency.code().to_owned(),
        net: currency.format(amounts.net),
        tax: currency.format(amounts.tax),
        total: currency.format(amounts.total()),
        lines: note
            .lines
            .iter()
            .map(|(n, a)| (*n, currency.format(*a)))
            .collect(),
        reason: note.reason.clone(),
        issued_at: now(),
        issued_by: actor.clone(),
    };
    let lines_json = lines_json(&issued.lines);
    db.execute(
            &format!(
                "INSERT INTO credit_notes ({CREDIT_NOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            params![
                &issued.id,
                &issued.series,
                issued.number,
                &issued.invoice_id,
                &issued.customer_id,
                &issued.currency,
                &issued.net,
                &issued.tax,
                &issued.total,
                &lines_json,
                &issued.reason,
                &issued.issued_at,
                &issued.issued_by,
            ],
        )?;
    let entry = entry.for_document(issued.id.clone());
    post_entry(
        db,
        &issued.customer_id,
        &entry,
        None,
        &issued.issued_at,
        &actor,
    )?;
    let after = serde_json::json!({
        "id": issued.id, "invoice_id": issued.invoice_id, "net": issued.net,
        "tax": issued.tax, "total": issued.total, "currency": issued.currency,
        "lines": issued.lines, "reason": issued.reason,
    });
    append(
        db,
        NewEvent {
            occurred_at: issued.issued_at.clone(),
            actor: actor.clone(),
            entity: "credit_note".into(),
            entity_id: issued.id.clone(),
            action: "issued".into(),
            before: None,
            after: Some(after.to_string()),
        },
    )?;
    Ok(issued)
}

/// Writes `entry` to the ledger of `customer_id` within the open transaction. `reference` is
/// what it is against besides its invoice: the payment a refund pays back, the plan an
/// instalment is of.
pub(crate) fn post_entry(
    db: &mut dyn Db,
    customer_id: &str,
    entry: &JournalEntry,
    reference: Option<&str>,
    posted_at: &str,
    actor: &str,
) -> Result<(), StorageError> {
    let kind = entry.kind.as_str();
    db.execute(
        "INSERT INTO ledger_postings (kind, document, customer_id, invoice_id, currency, reference, posted_at, posted_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            kind,
            &entry.document,
            customer_id,
            &entry.invoice,
            entry.currency.code(),
            reference,
            posted_at,
            actor,
        ],
    )?;
    for (i, line) in entry.lines().iter().enumerate() {
        let side = match line.side {
            Side::Debit => "debit",
            Side::Credit => "credit",
        };
        db.execute(
            "INSERT INTO ledger_lines (kind, document, line_no, account, side, amount) VALUES (?, ?, ?, ?, ?, ?)",
            params![
                kind,
                &entry.document,
                i as i64 + 1,
                line.account.as_str(),
                side,
                &entry.currency.format(line.amount),
            ],
        )?;
    }
    Ok(())
}

/// A customer's account as the ledger stands, within the open transaction: their invoices
/// (with their lines) and payments from the billing tables, then every entry Redress posted,
/// in order. A new posting is checked against it: what a payment has left to refund, what an
/// invoice has open, what a line has left to credit.
pub(crate) fn account_of_customer(
    db: &mut dyn Db,
    customer_id: &str,
) -> Result<CustomerAccount, StorageError> {
    let corrupt =
        |e: LedgerError| StorageError::Corrupt(format!("the ledger of {customer_id}: {e}"));
    let mut lines: std::collections::HashMap<String, Vec<(u32, Decimal)>> = Default::default();
    db.query_each(
        "SELECT l.invoice_id, l.line_no, l.amount FROM invoice_lines l \
         JOIN invoices i ON i.id = l.invoice_id WHERE i.customer_id = ? ORDER BY l.invoice_id, l.line_no",
        params![customer_id],
        &mut |row| {
            let line_no = u32::try_from(row.int(1)?)
                .map_err(|_| StorageError::Corrupt("an invoice line number".into()))?;
            lines.entry(row.string(0)?).or_default().push((line_no, amount(row.text(2)?)?));
            Ok(())
        },
    )?;
    let invoices = db.rows(
        "SELECT i.id, i.currency, i.subtotal, i.tax_total, c.tax_rate_percent FROM invoices i \
         JOIN contracts c ON c.id = i.contract_id WHERE i.customer_id = ? ORDER BY i.issue_date, i.id",
        params![customer_id],
        |row| {
            Ok(LedgerInvoice {
                id: row.string(0)?,
                currency: currency(row.text(1)?)?,
                lines: Vec::new(),
                subtotal: amount(row.text(2)?)?,
                tax_total: amount(row.text(3)?)?,
                tax_rate_percent: amount(row.text(4)?)?,
            })
        },
    )?;
    let mut account = CustomerAccount::new();
    for mut invoice in invoices {
        invoice.lines = lines.remove(&invoice.id).unwrap_or_default();
        account.post_invoice(invoice).map_err(corrupt)?;
    }
    let payments = db.rows(
        "SELECT p.id, p.invoice_id, p.amount, i.currency FROM payments p \
         JOIN invoices i ON i.id = p.invoice_id WHERE i.customer_id = ? ORDER BY p.paid_on, p.id",
        params![customer_id],
        |row| {
            Ok((
                row.string(0)?,
                row.string(1)?,
                amount(row.text(2)?)?,
                currency(row.text(3)?)?,
            ))
        },
    )?;
    for (id, invoice, paid, code) in payments {
        account
            .post_payment(&id, &invoice, paid, code)
            .map_err(corrupt)?;
    }
    // What Redress posted, each with its amount on the customer's account.
    let posted = db.rows(
        "SELECT p.kind, p.document, p.invoice_id, p.currency, p.reference, l.amount \
         FROM ledger_postings p JOIN ledger_lines l ON l.kind = p.kind AND l.document = p.document \
         AND l.account = 'receivable' WHERE p.customer_id = ? ORDER BY p.posted_at, p.document",
        params![customer_id],
        |row| {
            Ok((
                row.string(0)?,
                row.string(1)?,
                row.opt_string(2)?,
                currency(row.text(3)?)?,
                row.opt_string(4)?,
                amount(row.text(5)?)?,
            ))
        },
    )?;
    let missing = |what: &str, document: &str| {
        StorageError::Corrupt(format!("posting {document} has no {what}"))
    };
    for (kind, document, invoice, code, reference, value) in posted {
        let invoice_of = || invoice.clone().ok_or_else(|| missing("invoice", &document));
        match kind.as_str() {
            "credit_note" => {
                let stored = db
                    .row(
                        "SELECT lines_json FROM credit_notes WHERE id = ?",
                        params![&document],
                        |row| row.string(0),
                    )?
                    .ok_or_else(|| missing("credit note", &document))?;
                let credited = CreditNoteLines {
                    lines: credited_lines(&stored)?,
                };
                account
                    .post_credit_note(&document, &invoice_of()?, &credited)
                    .map_err(corrupt)?;
            }
            "refund" => {
                let payment = reference.ok_or_else(|| missing("payment", &document))?;
                account
                    .post_refund(&document, &payment, value, code)
                    .map_err(corrupt)?;
            }
            "account_credit" => {
                account
                    .post_account_credit(&document, value, code)
                    .map_err(corrupt)?;
            }
            "goodwill" => {
                account
                    .post_goodwill(&document, &invoice_of()?, value, code)
                    .map_err(corrupt)?;
            }
            "write_off" => {
                account
                    .post_write_off(&document, &invoice_of()?, value, code)
                    .map_err(corrupt)?;
            }
            "payment" => {
                account
                    .post_payment(&document, &invoice_of()?, value, code)
                    .map_err(corrupt)?;
            }
            "invoice" => {
                let issued = crate::documents::issued_invoice_in(db, &document)?
                    .ok_or_else(|| missing("issued invoice", &document))?;
                account
                    .post_invoice(issued.ledger_invoice()?)
                    .map_err(corrupt)?;
            }
            other => return Err(StorageError::Corrupt(format!("a posting of kind {other}"))),
        }
    }
    Ok(account)
}
