//! Invoices Redress issues: a wrong invoice re-issued corrected (the old one voided by a credit
//! note of all its lines have left), and the arrears an arrears case bills. Numbered without
//! gaps in a series of their own, and posted to the customer's ledger.

use super::account::{account_for_posting, customer_of_invoice, post_entry};
use super::credit_notes::{CreditNoteError, NewCreditNote, issue_in};
use super::documents::{
    CreditNote, ISSUED_INVOICE_COLUMNS, IssuedInvoice, IssuedLine, StoredLine, next_number,
};
use crate::engine::StorageError;
use crate::engine::sql::{Db, params};
use crate::engine::stored::{StoredDecimal, now, this_moment};
use crate::engine::transaction::append;
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{
    CustomerAccount, IssuedInvoiceKind, LedgerError, LedgerInvoice, LedgerLine, TaxRates,
};
use redress_domain::{Currency, Decimal, timestamp_text};

/// Why an invoice was not corrected. Nothing was written, and no number was taken.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// No such invoice is stored.
    #[error("invoice_id: no invoice `{0}` is stored")]
    UnknownInvoice(String),
    /// A corrected line the invoice does not have.
    #[error("invoice {invoice} has no line {line_no}")]
    UnknownLine {
        /// The invoice.
        invoice: String,
        /// The line asked for.
        line_no: u32,
    },
    /// A corrected amount below zero or off the currency's grid.
    #[error(
        "line {line_no}: {amount} is not a line amount in {currency} (zero or more, at most {minor_unit} decimals)"
    )]
    NotALineAmount {
        /// The line.
        line_no: u32,
        /// The amount given.
        amount: Decimal,
        /// The invoice's currency.
        currency: Currency,
        /// Its decimals.
        minor_unit: u32,
    },
    /// The corrected lines are what the invoice already charges.
    #[error("the corrected lines are what invoice {0} already charges; nothing to correct")]
    NothingToCorrect(String),
    /// A payment plan still expects instalments on the invoice: voiding it would leave the
    /// plan collecting what is no longer owed.
    #[error(
        "invoice {invoice} has {planned} still due on a payment plan; it cannot be re-issued until the plan is paid"
    )]
    Planned {
        /// The invoice.
        invoice: String,
        /// What its plans still expect.
        planned: Decimal,
    },
    /// The invoice was credited in full already: there is nothing left to void.
    #[error("invoice {0} was credited in full already; there is nothing left to re-issue")]
    AlreadyVoided(String),
    /// The ledger refused the voiding credit note or the new invoice.
    #[error("{0}")]
    Refused(#[from] LedgerError),
    /// The credit note voiding the invoice was refused.
    #[error(transparent)]
    CreditNote(#[from] CreditNoteError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What an invoice Redress issues is for.
pub(crate) enum InvoicePurpose<'a> {
    /// In place of this wrong invoice.
    Corrects(&'a str),
    /// The arrears of this case.
    Arrears(&'a str),
}

/// Issues an invoice of `lines` (`(line number, net amount)`) to `customer_id` within the open
/// transaction: numbered next in the series `prefix`-YEAR, with tax at `rate`, posted to the
/// customer's ledger (`account` as it stands) and recorded in the audit log.
#[allow(clippy::too_many_arguments)]
pub(crate) fn issue_invoice_in(
    db: &mut dyn Db,
    account: &mut CustomerAccount,
    purpose: InvoicePurpose<'_>,
    customer_id: &str,
    currency: Currency,
    lines: Vec<LedgerLine>,
    reason: &str,
    actor: &str,
) -> Result<IssuedInvoice, CorrectionError> {
    let (kind, prefix, corrects, case) = match purpose {
        InvoicePurpose::Corrects(invoice) => {
            (IssuedInvoiceKind::Corrected, "RI", Some(invoice), None)
        }
        InvoicePurpose::Arrears(case) => (IssuedInvoiceKind::Arrears, "AI", None, Some(case)),
    };
    let series = format!("{prefix}-{}", &now()[..4]);
    let number = next_number(db, &series)?;
    let id = format!("{series}-{number:06}");
    let new = LedgerInvoice::issued(id.clone(), currency, lines.clone());
    let (subtotal, tax_total) = (new.subtotal, new.tax_total);
    let issued = IssuedInvoice {
        id,
        series,
        number,
        kind,
        corrects_invoice_id: corrects.map(str::to_owned),
        arrears_case_id: case.map(str::to_owned),
        customer_id: customer_id.to_owned(),
        currency,
        tax_rate_percent: TaxRates::of(lines.iter().map(|line| line.tax_rate_percent)),
        lines: lines
            .iter()
            .map(|line| IssuedLine {
                line_no: line.line_no,
                amount: currency.shown(line.net),
                tax_rate_percent: line.tax_rate_percent.normalize(),
            })
            .collect(),
        subtotal: currency.shown(subtotal),
        tax_total: currency.shown(tax_total),
        total: currency.shown(new.total()),
        reason: reason.to_owned(),
        issued_at: this_moment(),
        issued_by: actor.to_owned(),
    };
    let entry = account.post_invoice(new)?.clone();
    let stored: Vec<StoredLine> = issued
        .lines
        .iter()
        .map(|l| {
            // The amount has the currency's decimals already (`shown`).
            StoredLine::Rated(
                l.line_no,
                StoredDecimal(l.amount),
                StoredDecimal(l.tax_rate_percent),
            )
        })
        .collect();
    let lines_json = serde_json::to_string(&stored).unwrap_or_else(|_| "[]".into());
    let i = &issued;
    let (rates, subtotal, tax_total, total, issued_at) = (
        i.tax_rate_percent.to_string(),
        currency.format(i.subtotal),
        currency.format(i.tax_total),
        currency.format(i.total),
        timestamp_text(i.issued_at),
    );
    db.execute(
        &format!(
            "INSERT INTO issued_invoices ({ISSUED_INVOICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        params![
            &i.id, &i.series, i.number, i.kind.as_str(), &i.corrects_invoice_id, &i.arrears_case_id,
            &i.customer_id, currency.code(), &rates, &lines_json, &subtotal,
            &tax_total, &total, &i.reason, &issued_at, &i.issued_by,
        ],
    )?;
    post_entry(
        db,
        customer_id,
        &entry,
        corrects.or(case),
        i.issued_at,
        actor,
    )?;
    let after = serde_json::json!({
        "id": i.id, "kind": i.kind.as_str(), "corrects_invoice_id": i.corrects_invoice_id,
        "arrears_case_id": i.arrears_case_id, "lines": stored, "subtotal": subtotal,
        "tax_total": tax_total, "total": total, "currency": currency.code(), "reason": i.reason,
    });
    append(
        db,
        NewEvent {
            occurred_at: issued_at,
            actor: actor.to_owned(),
            entity: "invoice".into(),
            entity_id: i.id.clone(),
            action: "issued".into(),
            before: None,
            after: Some(after.to_string()),
        },
    )?;
    Ok(issued)
}

/// Re-issues `invoice_id` with `corrected` line amounts (`(line number, net amount)`; the lines
/// not named are kept, a line of zero is dropped) within the open transaction: the old invoice
/// is voided by a credit note of everything its lines have left to credit, and the new one is
/// numbered next in its series and posted. Gives both.
pub(crate) fn correct_invoice_in(
    db: &mut dyn Db,
    invoice_id: &str,
    corrected: &[(u32, Decimal)],
    reason: &str,
    actor: &str,
) -> Result<(CreditNote, IssuedInvoice), CorrectionError> {
    let customer_id = customer_of_invoice(db, invoice_id)?
        .ok_or_else(|| CorrectionError::UnknownInvoice(invoice_id.to_owned()))?;
    let mut account = account_for_posting(db, &customer_id)?;
    let old = account
        .posted_invoice(invoice_id)
        .cloned()
        .ok_or_else(|| CorrectionError::UnknownInvoice(invoice_id.to_owned()))?;
    let currency = old.currency;
    let mut lines = old.lines.clone();
    for &(line_no, value) in corrected {
        if value < Decimal::ZERO || !currency.holds(value) {
            return Err(CorrectionError::NotALineAmount {
                line_no,
                amount: value,
                currency,
                minor_unit: currency.minor_unit(),
            });
        }
        let line = lines
            .iter_mut()
            .find(|l| l.line_no == line_no)
            .ok_or_else(|| CorrectionError::UnknownLine {
                invoice: invoice_id.to_owned(),
                line_no,
            })?;
        line.net = value;
    }
    lines.retain(|line| line.net > Decimal::ZERO);
    let kept: Vec<LedgerLine> = old
        .lines
        .iter()
        .copied()
        .filter(|line| line.net > Decimal::ZERO)
        .collect();
    if lines == kept {
        return Err(CorrectionError::NothingToCorrect(invoice_id.to_owned()));
    }
    let planned = account.planned_on(invoice_id);
    if planned > Decimal::ZERO {
        return Err(CorrectionError::Planned {
            invoice: invoice_id.to_owned(),
            planned,
        });
    }
    let to_void: Vec<(u32, Decimal)> = account
        .left_to_credit(invoice_id)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, left)| *left > Decimal::ZERO)
        .collect();
    if to_void.is_empty() {
        return Err(CorrectionError::AlreadyVoided(invoice_id.to_owned()));
    }
    let void = issue_in(
        db,
        &NewCreditNote {
            invoice_id: invoice_id.to_owned(),
            lines: to_void,
            reason: format!("{reason} (voids {invoice_id}, which is re-issued)"),
        },
        actor,
    )?;
    let issued = issue_invoice_in(
        db,
        &mut account,
        InvoicePurpose::Corrects(invoice_id),
        &customer_id,
        currency,
        lines,
        reason,
        actor,
    )?;
    Ok((void, issued))
}
