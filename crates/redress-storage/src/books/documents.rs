//! The documents Redress issues, as they are kept: credit notes, invoices issued in place of
//! wrong ones (or for arrears), and payment plans with the instalments received on them. None
//! ever changes once written; what happens after (an instalment received) is a new posting.
//! Here is what each holds, how it reads back, and the series documents are numbered in
//! without gaps. It is the bottom of the books: the account replays these documents, and the
//! modules that issue them ([`super::credit_notes`], [`super::invoices`], [`super::plans`])
//! write them.

use crate::engine::StorageError;
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{Cells, StoredDate, StoredDecimal};
use redress_domain::ledger::{IssuedInvoiceKind, LedgerInvoice, LedgerLine, TaxRates};
use redress_domain::{Currency, Date, Decimal, Timestamp};

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
    pub currency: Currency,
    /// Net credited.
    pub net: Decimal,
    /// Tax credited, at the invoice's rate.
    pub tax: Decimal,
    /// Net and tax.
    pub total: Decimal,
    /// `(line number, net amount)` of each line credited.
    pub lines: Vec<(u32, Decimal)>,
    /// Why.
    pub reason: String,
    /// When.
    pub issued_at: Timestamp,
    /// Who.
    pub issued_by: String,
}

/// Credit note lines as stored (`[[line_no, "amount"], …]`) in cell `i` of `cells`, read back.
pub(crate) fn credited_lines(
    cells: &Cells<'_>,
    i: usize,
) -> Result<Vec<(u32, Decimal)>, StorageError> {
    let lines: Vec<(u32, StoredDecimal)> =
        cells.json(i, "lines_json", "a JSON list of [line number, \"amount\"]")?;
    Ok(lines.into_iter().map(|(n, a)| (n, a.0)).collect())
}

/// Credit note lines as they are stored, with the currency's decimals.
pub(crate) fn lines_json(currency: Currency, lines: &[(u32, Decimal)]) -> String {
    let lines: Vec<(u32, String)> = lines
        .iter()
        .map(|(n, a)| (*n, currency.format(*a)))
        .collect();
    serde_json::to_string(&lines).unwrap_or_else(|_| "[]".into())
}

fn read_credit_note(row: &dyn Row) -> Result<CreditNote, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "credit_notes", id.clone());
    Ok(CreditNote {
        series: row.string(1)?,
        number: row.int(2)?,
        invoice_id: row.string(3)?,
        customer_id: row.string(4)?,
        currency: cells.currency(5, "currency")?,
        net: cells.amount(6, "net")?,
        tax: cells.amount(7, "tax")?,
        total: cells.amount(8, "total")?,
        lines: credited_lines(&cells, 9)?,
        reason: row.string(10)?,
        issued_at: cells.timestamp(11, "issued_at")?,
        issued_by: row.string(12)?,
        id,
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
    /// In place of a wrong invoice, or for what an arrears case found under-billed.
    pub kind: IssuedInvoiceKind,
    /// The invoice it replaces (voided by a credit note), for a corrected one.
    pub corrects_invoice_id: Option<String>,
    /// The arrears case it bills, for an arrears invoice.
    pub arrears_case_id: Option<String>,
    /// The customer.
    pub customer_id: String,
    /// Its currency.
    pub currency: Currency,
    /// The tax rate, as the contract has it; where its lines are taxed at several rates (the
    /// arrears of contracts taxed differently), each rate.
    pub tax_rate_percent: TaxRates,
    /// Its lines.
    pub lines: Vec<IssuedLine>,
    /// Net.
    pub subtotal: Decimal,
    /// Tax at the rate.
    pub tax_total: Decimal,
    /// Net and tax.
    pub total: Decimal,
    /// Why it was re-issued.
    pub reason: String,
    /// When.
    pub issued_at: Timestamp,
    /// Who.
    pub issued_by: String,
}

/// A line of an invoice Redress issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedLine {
    /// Its number, from 1.
    pub line_no: u32,
    /// Its net amount.
    pub amount: Decimal,
    /// The tax rate charged on it, in percent.
    pub tax_rate_percent: Decimal,
}

impl IssuedInvoice {
    /// What the ledger keeps of it.
    pub(crate) fn ledger_invoice(&self) -> LedgerInvoice {
        LedgerInvoice {
            id: self.id.clone(),
            currency: self.currency,
            lines: self
                .lines
                .iter()
                .map(|line| LedgerLine {
                    line_no: line.line_no,
                    net: line.amount,
                    tax_rate_percent: line.tax_rate_percent,
                })
                .collect(),
            subtotal: self.subtotal,
            tax_total: self.tax_total,
            total: self.total,
        }
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
    Rated(u32, StoredDecimal, StoredDecimal),
    AtInvoiceRate(u32, StoredDecimal),
}

fn read_issued_invoice(row: &dyn Row) -> Result<IssuedInvoice, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "issued_invoices", id.clone());
    let rates = cells.parsed(
        8,
        "tax_rate_percent",
        "tax rates in percent, `, `-separated",
        TaxRates::parse,
    )?;
    let stored: Vec<StoredLine> = cells.json(
        9,
        "lines_json",
        "a JSON list of [line number, \"amount\", \"rate\"] (or [line number, \"amount\"])",
    )?;
    let lines = stored
        .into_iter()
        .map(|line| {
            let (line_no, amount, rate) = match line {
                StoredLine::Rated(line_no, amount, rate) => (line_no, amount.0, rate.0),
                // Written before lines had rates of their own: at the invoice's one rate.
                StoredLine::AtInvoiceRate(line_no, amount) => {
                    let rate = rates.single().ok_or_else(|| {
                        cells.unreadable(
                            "tax_rate_percent",
                            &rates.to_string(),
                            "one tax rate, for the lines stored without their own",
                        )
                    })?;
                    (line_no, amount.0, rate)
                }
            };
            Ok(IssuedLine {
                line_no,
                amount,
                tax_rate_percent: rate,
            })
        })
        .collect::<Result<_, StorageError>>()?;
    Ok(IssuedInvoice {
        series: row.string(1)?,
        number: row.int(2)?,
        kind: cells.parsed(
            3,
            "kind",
            "a kind of issued invoice (corrected or arrears)",
            IssuedInvoiceKind::from_name,
        )?,
        corrects_invoice_id: row.opt_string(4)?,
        arrears_case_id: row.opt_string(5)?,
        customer_id: row.string(6)?,
        currency: cells.currency(7, "currency")?,
        tax_rate_percent: rates,
        lines,
        subtotal: cells.amount(10, "subtotal")?,
        tax_total: cells.amount(11, "tax_total")?,
        total: cells.amount(12, "total")?,
        reason: row.string(13)?,
        issued_at: cells.timestamp(14, "issued_at")?,
        issued_by: row.string(15)?,
        id,
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
    /// Its currency.
    pub currency: Currency,
    /// What it spreads.
    pub total: Decimal,
    /// Its instalments, in order.
    pub instalments: Vec<StoredInstalment>,
    /// When it was agreed.
    pub agreed_at: Timestamp,
    /// By whom.
    pub agreed_by: String,
}

/// One instalment of a stored plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInstalment {
    /// From 1.
    pub number: u32,
    /// When it is due.
    pub due_on: Date,
    /// How much.
    pub amount: Decimal,
    /// The payment that paid it, once received: `{plan}-{number}`.
    pub paid_by: Option<String>,
}

/// The document of the payment of instalment `number` of `plan`.
pub(crate) fn instalment_payment(plan: &str, number: u32) -> String {
    format!("{plan}-{number}")
}

/// A plan's instalments as stored (`[["YYYY-MM-DD", "amount"], …]`) in cell `i` of `cells`,
/// read back.
pub(crate) fn stored_instalments(
    cells: &Cells<'_>,
    i: usize,
) -> Result<Vec<(Date, Decimal)>, StorageError> {
    let instalments: Vec<(StoredDate, StoredDecimal)> = cells.json(
        i,
        "instalments_json",
        "a JSON list of [\"YYYY-MM-DD\", \"amount\"]",
    )?;
    Ok(instalments.into_iter().map(|(d, a)| (d.0, a.0)).collect())
}

/// The payment plan with this id, with the instalments received.
pub(crate) fn load_plan(db: &mut dyn Db, id: &str) -> Result<Option<StoredPlan>, StorageError> {
    let Some(mut plan) = db.row(
        "SELECT id, resolution_id, invoice_id, customer_id, currency, total, instalments_json, \
         agreed_at, agreed_by, arrears_case_id FROM payment_plans WHERE id = ?",
        params![id],
        |row| {
            let id = row.string(0)?;
            let cells = Cells::new(row, "payment_plans", id.clone());
            let instalments = stored_instalments(&cells, 6)?;
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
                resolution_id: row.opt_string(1)?,
                arrears_case_id: row.opt_string(9)?,
                invoice_id: row.string(2)?,
                customer_id: row.string(3)?,
                currency: cells.currency(4, "currency")?,
                total: cells.amount(5, "total")?,
                agreed_at: cells.timestamp(7, "agreed_at")?,
                agreed_by: row.string(8)?,
                id,
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
