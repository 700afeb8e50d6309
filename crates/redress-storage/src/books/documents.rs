//! The documents Redress issues, as they are kept: credit notes, invoices issued in place of
//! wrong ones (or for arrears), and payment plans with the instalments received on them. None
//! ever changes once written; what happens after (an instalment received) is a new posting.
//! Here is what each holds, how it reads back, and the series documents are numbered in
//! without gaps. It is the bottom of the books: the account replays these documents, and the
//! modules that issue them ([`super::credit_notes`], [`super::invoices`], [`super::plans`])
//! write them.

use crate::engine::StorageError;
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{amount, currency};
use redress_domain::Decimal;
use redress_domain::ledger::{LedgerInvoice, LedgerLine};

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

/// Credit note lines as stored (`[[line_no, "amount"], …]`); a credit note resolution keeps
/// its lines in the same form.
fn stored_lines(json: &str) -> Result<Vec<(u32, String)>, StorageError> {
    serde_json::from_str(json)
        .map_err(|e| StorageError::Corrupt(format!("a credit note's lines: {e}")))
}

/// Stored credit note lines, their amounts as numbers.
pub(crate) fn credited_lines(json: &str) -> Result<Vec<(u32, Decimal)>, StorageError> {
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
pub(crate) fn lines_json(lines: &[(u32, String)]) -> String {
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

pub(crate) const CREDIT_NOTE_COLUMNS: &str = "id, series, number, invoice_id, customer_id, currency, net, \
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

/// The credit note with this id.
pub(crate) fn credit_note(db: &mut dyn Db, id: &str) -> Result<Option<CreditNote>, StorageError> {
    db.row(
        &format!("SELECT {CREDIT_NOTE_COLUMNS} FROM credit_notes WHERE id = ?"),
        params![id],
        read_credit_note,
    )
}

/// An invoice Redress issued in place of a wrong one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedInvoice {
    /// Its id: the series and the number, e.g. `RI-2026-000007`.
    pub id: String,
    /// Its series, e.g. `RI-2026`.
    pub series: String,
    /// Its number in the series, from 1, without gaps.
    pub number: i64,
    /// `corrected` (in place of a wrong invoice) or `arrears` (what an arrears case found
    /// under-billed).
    pub kind: String,
    /// The invoice it replaces (voided by a credit note), for a corrected one.
    pub corrects_invoice_id: Option<String>,
    /// The arrears case it bills, for an arrears invoice.
    pub arrears_case_id: Option<String>,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The tax rate, as the contract has it; where its lines are taxed at several rates (the
    /// arrears of contracts taxed differently), each rate, `, `-separated.
    pub tax_rate_percent: String,
    /// Its lines.
    pub lines: Vec<IssuedLine>,
    /// Net.
    pub subtotal: String,
    /// Tax at the rate.
    pub tax_total: String,
    /// Net and tax.
    pub total: String,
    /// Why it was re-issued.
    pub reason: String,
    /// When.
    pub issued_at: String,
    /// Who.
    pub issued_by: String,
}

/// A line of an invoice Redress issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedLine {
    /// Its number, from 1.
    pub line_no: u32,
    /// Its net amount.
    pub amount: String,
    /// The tax rate charged on it, in percent.
    pub tax_rate_percent: String,
}

impl IssuedInvoice {
    /// What the ledger keeps of it.
    pub(crate) fn ledger_invoice(&self) -> Result<LedgerInvoice, StorageError> {
        Ok(LedgerInvoice {
            id: self.id.clone(),
            currency: currency(&self.currency)?,
            lines: self
                .lines
                .iter()
                .map(|line| {
                    Ok(LedgerLine {
                        line_no: line.line_no,
                        net: amount(&line.amount)?,
                        tax_rate_percent: amount(&line.tax_rate_percent)?,
                    })
                })
                .collect::<Result<_, StorageError>>()?,
            subtotal: amount(&self.subtotal)?,
            tax_total: amount(&self.tax_total)?,
            total: amount(&self.total)?,
        })
    }
}

pub(crate) const ISSUED_INVOICE_COLUMNS: &str = "id, series, number, kind, corrects_invoice_id, \
     arrears_case_id, customer_id, currency, tax_rate_percent, lines_json, subtotal, tax_total, \
     total, reason, issued_at, issued_by";

/// An issued invoice's line as stored: `[line_no, "amount", "rate"]`, or (written before lines
/// had rates of their own) `[line_no, "amount"]`, at the invoice's rate.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum StoredLine {
    Rated(u32, String, String),
    AtInvoiceRate(u32, String),
}

fn read_issued_invoice(row: &dyn Row) -> Result<IssuedInvoice, StorageError> {
    let stored: Vec<StoredLine> = serde_json::from_str(row.text(9)?)
        .map_err(|e| StorageError::Corrupt(format!("an issued invoice's lines: {e}")))?;
    let rate = row.string(8)?;
    let lines = stored
        .into_iter()
        .map(|line| match line {
            StoredLine::Rated(line_no, amount, tax_rate_percent) => IssuedLine {
                line_no,
                amount,
                tax_rate_percent,
            },
            StoredLine::AtInvoiceRate(line_no, amount) => IssuedLine {
                line_no,
                amount,
                tax_rate_percent: rate.clone(),
            },
        })
        .collect();
    Ok(IssuedInvoice {
        id: row.string(0)?,
        series: row.string(1)?,
        number: row.int(2)?,
        kind: row.string(3)?,
        corrects_invoice_id: row.opt_string(4)?,
        arrears_case_id: row.opt_string(5)?,
        customer_id: row.string(6)?,
        currency: row.string(7)?,
        tax_rate_percent: row.string(8)?,
        lines,
        subtotal: row.string(10)?,
        tax_total: row.string(11)?,
        total: row.string(12)?,
        reason: row.string(13)?,
        issued_at: row.string(14)?,
        issued_by: row.string(15)?,
    })
}

/// The issued invoice with this id, within the open transaction (or outside any).
pub(crate) fn issued_invoice_in(
    db: &mut dyn Db,
    id: &str,
) -> Result<Option<IssuedInvoice>, StorageError> {
    db.row(
        &format!("SELECT {ISSUED_INVOICE_COLUMNS} FROM issued_invoices WHERE id = ?"),
        params![id],
        read_issued_invoice,
    )
}

/// A payment plan agreed with a customer, with what has been received on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    /// Its id.
    pub id: String,
    /// The resolution that agreed it, if one did.
    pub resolution_id: Option<String>,
    /// The arrears case that agreed it, if one did.
    pub arrears_case_id: Option<String>,
    /// The invoice whose open balance it spreads.
    pub invoice_id: String,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What it spreads.
    pub total: String,
    /// Its instalments, in order.
    pub instalments: Vec<StoredInstalment>,
    /// When it was agreed.
    pub agreed_at: String,
    /// By whom.
    pub agreed_by: String,
}

/// One instalment of a stored plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInstalment {
    /// From 1.
    pub number: u32,
    /// When it is due (`YYYY-MM-DD`).
    pub due_on: String,
    /// How much.
    pub amount: String,
    /// The payment that paid it, once received: `{plan}-{number}`.
    pub paid_by: Option<String>,
}

/// The document of the payment of instalment `number` of `plan`.
pub(crate) fn instalment_payment(plan: &str, number: u32) -> String {
    format!("{plan}-{number}")
}

/// The payment plan with this id, with the instalments received.
pub(crate) fn load_plan(db: &mut dyn Db, id: &str) -> Result<Option<StoredPlan>, StorageError> {
    let Some(mut plan) = db.row(
        "SELECT id, resolution_id, invoice_id, customer_id, currency, total, instalments_json, \
         agreed_at, agreed_by, arrears_case_id FROM payment_plans WHERE id = ?",
        params![id],
        |row| {
            let instalments: Vec<(String, String)> = serde_json::from_str(row.text(6)?)
                .map_err(|e| StorageError::Corrupt(format!("a payment plan's instalments: {e}")))?;
            let id = row.string(0)?;
            Ok(StoredPlan {
                instalments: instalments
                    .into_iter()
                    .zip(1..)
                    .map(|((due_on, amount), number)| StoredInstalment {
                        number,
                        due_on,
                        amount,
                        paid_by: None,
                    })
                    .collect(),
                id,
                resolution_id: row.opt_string(1)?,
                arrears_case_id: row.opt_string(9)?,
                invoice_id: row.string(2)?,
                customer_id: row.string(3)?,
                currency: row.string(4)?,
                total: row.string(5)?,
                agreed_at: row.string(7)?,
                agreed_by: row.string(8)?,
            })
        },
    )?
    else {
        return Ok(None);
    };
    let paid = db.rows(
        "SELECT document FROM ledger_postings WHERE kind = 'payment' AND reference = ?",
        params![&plan.id],
        |row| row.string(0),
    )?;
    for instalment in &mut plan.instalments {
        let document = instalment_payment(&plan.id, instalment.number);
        if paid.contains(&document) {
            instalment.paid_by = Some(document);
        }
    }
    Ok(Some(plan))
}

/// The payment plans of a customer, oldest first.
pub(crate) fn plans_of(
    db: &mut dyn Db,
    customer_id: &str,
) -> Result<Vec<StoredPlan>, StorageError> {
    let ids = db.rows(
        "SELECT id FROM payment_plans WHERE customer_id = ? ORDER BY agreed_at, id",
        params![customer_id],
        |row| row.string(0),
    )?;
    ids.iter()
        .filter_map(|id| load_plan(db, id).transpose())
        .collect()
}
