//! Credit notes, issued against an invoice of the billing data ([`issue`]): what they take back
//! of its lines, numbered without gaps per year's series.

use super::account::{account_for_posting, post_entry};
use super::documents::{CREDIT_NOTE_COLUMNS, CreditNote, lines_json, next_number};
use crate::engine::sql::{Db, params};
use crate::engine::stored::{now, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{CreditNoteLines, LedgerError};
use redress_domain::{Decimal, timestamp_text};

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

/// The series a credit note issued now is numbered in.
fn credit_note_series() -> String {
    format!("CN-{}", &now()[..4])
}

/// Issues a credit note against a stored invoice: checked by the ledger (every line on the
/// invoice, never more than a line has left to credit once earlier credit notes are
/// counted), numbered next in its series, posted to the customer's ledger and recorded in
/// the audit log, all in one transaction.
pub fn issue(note: NewCreditNote, actor: &str) -> Work<CreditNote, CreditNoteError> {
    let actor = actor.to_owned();
    Work::new(move |db| issue_in(db, &note, &actor))
}

/// Issues `note` in the open transaction (see [`issue`]).
pub(crate) fn issue_in(
    db: &mut dyn Db,
    note: &NewCreditNote,
    actor: &str,
) -> Result<CreditNote, CreditNoteError> {
    let actor = actor.to_owned();
    // Credit notes correct the invoices the business sent (the billing data's).
    let customer_id = db
        .row(
            "SELECT customer_id FROM invoices WHERE id = ?",
            params![&note.invoice_id],
            |row| row.string(0),
        )?
        .ok_or_else(|| CreditNoteError::UnknownInvoice(note.invoice_id.clone()))?;
    let mut account = account_for_posting(db, &customer_id)?;
    let currency = account
        .posted_invoice(&note.invoice_id)
        .map(|invoice| invoice.currency)
        .ok_or_else(|| CreditNoteError::UnknownInvoice(note.invoice_id.clone()))?;
    // Checked before a number is taken: a refused credit note takes none.
    let amounts = account.post_credit_note(
        "to issue",
        &note.invoice_id,
        &CreditNoteLines {
            lines: note.lines.clone(),
        },
    )?;
    let entry = account.entries().last().cloned().expect("just posted");
    let series = credit_note_series();
    let number = next_number(db, &series)?;
    let issued = CreditNote {
        id: format!("{series}-{number:06}"),
        series,
        number,
        invoice_id: note.invoice_id.clone(),
        customer_id,
        currency,
        net: currency.shown(amounts.net),
        tax: currency.shown(amounts.tax),
        total: currency.shown(amounts.total()),
        lines: note
            .lines
            .iter()
            .map(|(n, a)| (*n, currency.shown(*a)))
            .collect(),
        reason: note.reason.clone(),
        issued_at: this_moment(),
        issued_by: actor.clone(),
    };
    let lines_json = lines_json(currency, &issued.lines);
    let issued_at = timestamp_text(issued.issued_at);
    let (net, tax, total) = (
        currency.format(issued.net),
        currency.format(issued.tax),
        currency.format(issued.total),
    );
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
            currency.code(),
            &net,
            &tax,
            &total,
            &lines_json,
            &issued.reason,
            &issued_at,
            &issued.issued_by,
        ],
    )?;
    let entry = entry.for_document(issued.id.clone());
    post_entry(
        db,
        &issued.customer_id,
        &entry,
        None,
        issued.issued_at,
        &actor,
    )?;
    let lines: Vec<(u32, String)> = issued
        .lines
        .iter()
        .map(|(n, a)| (*n, currency.format(*a)))
        .collect();
    let after = serde_json::json!({
        "id": issued.id, "invoice_id": issued.invoice_id, "net": net,
        "tax": tax, "total": total, "currency": currency.code(),
        "lines": lines, "reason": issued.reason,
    });
    append(
        db,
        NewEvent {
            occurred_at: issued_at,
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
