//! The business's documents as PDF, in the customer's language: a credit note, an invoice
//! issued in place of a wrong one or for arrears, and a resolution letter.
//!
//! A [`Document`] holds typed facts (amounts as [`Money`], days as [`Date`]); [`render`] lays
//! it out on A4 pages under the [`Business`]'s header, with its lines in a table (amounts
//! right-aligned, the table carried over as many pages as it needs), its totals, and a footer
//! numbering the pages. The words on it come from this crate's Fluent files
//! (`locales/*/documents.ftl`, embedded when it compiles), in English where a language lacks
//! one; amounts and days are written by `redress-messages`, as the messages to the customer
//! write them. A letter's text is the draft that was sent, word for word.
//!
//! The crate is pure: the font (WenQuanYi Micro Hei, which has both Latin and Simplified
//! Chinese, `fonts/`) is embedded too, and subset into each PDF, so rendering reads no file,
//! needs no font installed, and gives the same bytes for the same document.

#![forbid(unsafe_code)]

mod labels;
mod layout;
mod pdf;
mod text;

pub use redress_messages::Language;

use redress_domain::{Currency, Date, Decimal, Money};

/// The business that issues the documents, as its header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    /// Its legal name.
    pub name: String,
    /// Its postal address, a line each.
    pub address: Vec<String>,
    /// Its tax identification number (VAT number, EIN, …), if it shows one.
    pub tax_id: Option<String>,
    /// The address customers write to.
    pub email: String,
}

/// The customer a document is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Their name.
    pub name: String,
    /// Their id in the billing data.
    pub id: String,
}

/// A document Redress renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// A credit note against an invoice.
    CreditNote(CreditNote),
    /// An invoice Redress issued.
    Invoice(Invoice),
    /// A letter telling the customer how their dispute was resolved.
    Letter(Letter),
}

/// A credit note: lines of an invoice credited, with the tax on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNote {
    /// Its number, e.g. `CN-2026-000012`.
    pub number: String,
    /// The day it was issued.
    pub issued_on: Date,
    /// The id of the invoice it credits.
    pub invoice_id: String,
    /// The invoice's customer.
    pub customer: Customer,
    /// The lines credited.
    pub lines: Vec<CreditedLine>,
    /// Net credited.
    pub net: Money,
    /// Tax credited.
    pub tax: Money,
    /// Net and tax.
    pub total: Money,
    /// Why it was issued, as the agent wrote it.
    pub reason: String,
}

/// A line of an invoice, credited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditedLine {
    /// The line's number on the invoice credited.
    pub line: u32,
    /// What the line was for.
    pub description: String,
    /// The net amount credited on it.
    pub net: Money,
}

/// An invoice Redress issued: in place of a wrong one, or for what was under-billed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// Why it was issued.
    pub kind: InvoiceKind,
    /// Its number, e.g. `RI-2026-000007`.
    pub number: String,
    /// The day it was issued.
    pub issued_on: Date,
    /// The day it falls due, if it says.
    pub due_on: Option<Date>,
    /// The customer billed.
    pub customer: Customer,
    /// Its lines, numbered from 1 in this order.
    pub lines: Vec<InvoiceLine>,
    /// Net.
    pub subtotal: Money,
    /// Tax.
    pub tax: Money,
    /// Net and tax.
    pub total: Money,
}

/// Why an invoice was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceKind {
    /// In place of a wrong invoice, which a credit note voided.
    Corrected {
        /// The id of the invoice it replaces.
        replaces: String,
    },
    /// For what an arrears case found under-billed over a period.
    Arrears {
        /// The period's first day.
        period_start: Date,
        /// The period's last day.
        period_end: Date,
    },
}

/// A line of an issued invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// What is charged.
    pub description: String,
    /// Its net amount.
    pub net: Money,
    /// The tax rate charged on it, in percent (`21` for 21 %).
    pub tax_rate_percent: Decimal,
}

/// A letter telling the customer how their dispute was resolved: the text drafted by
/// `redress-messages` (and edited by the agent) as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The dispute it answers.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// The day it is dated.
    pub date: Date,
    /// The customer it is addressed to.
    pub customer_name: String,
    /// Its title: the message's subject.
    pub title: String,
    /// Its paragraphs, in order (a line break within one is kept).
    pub paragraphs: Vec<String>,
}

/// Why a document could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The document's amounts are not all in one currency.
    #[error("the {document}'s amounts are in {first} and in {other}: a document has one currency")]
    MixedCurrencies {
        /// Which document (`credit note`, `invoice`).
        document: &'static str,
        /// The currency of its total.
        first: Currency,
        /// Another currency found among its amounts.
        other: Currency,
    },
    /// The embedded font could not be read (a broken build, not a bad document).
    #[error("the embedded font could not be read")]
    Font,
    /// The PDF could not be written.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// `document` as an A4 PDF in `language`, under `business`'s header.
///
/// The same document, business and language always give the same bytes.
pub fn render(
    document: &Document,
    business: &Business,
    language: Language,
) -> Result<Vec<u8>, DocumentError> {
    check_currency(document)?;
    let face = text::Typeface::embedded().ok_or(DocumentError::Font)?;
    let labels = labels::Labels::new(language);
    let laid_out = layout::lay_out(document, business, language, &labels, &face);
    pdf::write(&laid_out, &face, language)
}

/// Refuses a credit note or invoice whose amounts are not all in its total's currency.
fn check_currency(document: &Document) -> Result<(), DocumentError> {
    let (name, total, amounts): (_, _, Vec<&Money>) = match document {
        Document::CreditNote(note) => (
            "credit note",
            note.total,
            note.lines
                .iter()
                .map(|line| &line.net)
                .chain([&note.net, &note.tax])
                .collect(),
        ),
        Document::Invoice(invoice) => (
            "invoice",
            invoice.total,
            invoice
                .lines
                .iter()
                .map(|line| &line.net)
                .chain([&invoice.subtotal, &invoice.tax])
                .collect(),
        ),
        Document::Letter(_) => return Ok(()),
    };
    match amounts.iter().find(|m| m.currency != total.currency) {
        Some(other) => Err(DocumentError::MixedCurrencies {
            document: name,
            first: total.currency,
            other: other.currency,
        }),
        None => Ok(()),
    }
}
