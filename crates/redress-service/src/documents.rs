//! The documents Redress issues, as PDF in the customer's language: credit notes and the
//! invoices it issued (corrected, or for arrears), made from the very records the screens show,
//! for the API, the desk, the portal and the mail alike.

use crate::error::ServiceError;
use redress_documents::{self as pdf, Business};
use redress_domain::ledger::IssuedInvoiceKind;
use redress_domain::message::DocumentRef;
use redress_domain::{BillingData, Date, Language, Money, Timestamp};
use redress_storage::StorageError;
use redress_storage::books::documents::{CreditNote, IssuedInvoice};

/// A document as PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdf {
    /// The name to save it as (`CN-….pdf`).
    pub file_name: String,
    /// The PDF.
    pub bytes: Vec<u8>,
}

/// Documents as PDF: `redress.documents()`.
pub struct Documents<'a>(pub(crate) &'a crate::Redress);

impl crate::Redress {
    /// The documents Redress issued, as PDF.
    pub fn documents(&self) -> Documents<'_> {
        Documents(self)
    }
}

impl Documents<'_> {
    /// `document` as PDF, in `language` or (when `None`) its customer's; `None` when there is
    /// no such document.
    pub async fn pdf(
        &self,
        document: &DocumentRef,
        language: Option<Language>,
    ) -> Result<Option<Pdf>, ServiceError> {
        let books = self.0.store.books();
        let (drawn, customer_id) = match document {
            DocumentRef::CreditNote(id) => {
                let Some(note) = books.credit_note(id).await? else {
                    return Ok(None);
                };
                let data = self.invoice_data(&note.invoice_id).await?;
                let customer_id = note.customer_id.clone();
                (Drawn::CreditNote(note, data), customer_id)
            }
            DocumentRef::IssuedInvoice(id) => {
                let Some(invoice) = books.issued_invoice(id).await? else {
                    return Ok(None);
                };
                let data = match &invoice.corrects_invoice_id {
                    Some(old) => self.invoice_data(old).await?,
                    None => None,
                };
                let items = match &invoice.arrears_case_id {
                    Some(case) => self
                        .0
                        .store
                        .cases()
                        .get(case)
                        .await?
                        .map(|c| c.items)
                        .unwrap_or_default(),
                    None => Vec::new(),
                };
                let customer_id = invoice.customer_id.clone();
                (Drawn::Invoice(invoice, data, items), customer_id)
            }
        };
        let customer = self.0.store.billing().customer(&customer_id).await?;
        let (name, language) = match &customer {
            Some(c) => (
                c.name.clone(),
                language.unwrap_or_else(|| Language::for_customer(&c.language).0),
            ),
            None => (customer_id.clone(), language.unwrap_or(Language::English)),
        };
        let customer = pdf::Customer {
            name,
            id: customer_id,
        };
        let calendar = &self.0.communication.calendar;
        let day = |at: Timestamp| -> Date { calendar.time_zone().to_datetime(at).date() };
        let document = drawn.document(customer, day);
        let bytes = pdf::render(&document, &self.0.communication.business, language)
            .map_err(|e| StorageError::Corrupt(format!("{} as PDF: {e}", number(&document))))?;
        Ok(Some(Pdf {
            file_name: format!("{}.pdf", number(&document)),
            bytes,
        }))
    }

    /// The message `message_id` to the customer as a letter (PDF), exactly as it was sent, in
    /// its language: the resolution letter of an offer or a confirmation, for the case file,
    /// the portal and the post. `None` when there is no such message to a customer about a
    /// dispute.
    pub async fn letter(&self, message_id: &str) -> Result<Option<Pdf>, ServiceError> {
        let Some(message) = self.0.store.messages().get(message_id).await? else {
            return Ok(None);
        };
        let Some(dispute_id) = message.dispute_id.clone() else {
            return Ok(None);
        };
        if message.direction != redress_domain::message::Direction::ToCustomer {
            return Ok(None);
        }
        let Some(dispute) = self.0.store.disputes().get(&dispute_id).await? else {
            return Ok(None);
        };
        let calendar = &self.0.communication.calendar;
        let letter = pdf::Document::Letter(pdf::Letter {
            dispute_id,
            invoice_id: dispute.invoice_id,
            date: calendar.time_zone().to_datetime(message.created_at).date(),
            customer_name: message.name.clone(),
            title: message.subject.clone(),
            paragraphs: message
                .body
                .split("\n\n")
                .map(|p| p.trim_matches('\n').to_owned())
                .filter(|p| !p.trim().is_empty())
                .collect(),
        });
        let bytes = pdf::render(&letter, &self.0.communication.business, message.language)
            .map_err(|e| StorageError::Corrupt(format!("the letter {message_id} as PDF: {e}")))?;
        Ok(Some(Pdf {
            file_name: format!("{message_id}.pdf"),
            bytes,
        }))
    }

    /// The billing data of an invoice's contract, for its lines' descriptions.
    async fn invoice_data(&self, invoice_id: &str) -> Result<Option<BillingData>, StorageError> {
        self.0
            .store
            .billing()
            .contract_data_for_invoice(invoice_id)
            .await
    }
}

/// What a document is drawn from.
enum Drawn {
    CreditNote(CreditNote, Option<BillingData>),
    Invoice(
        IssuedInvoice,
        Option<BillingData>,
        Vec<redress_storage::books::cases::ArrearsItem>,
    ),
}

impl Drawn {
    fn document(self, customer: pdf::Customer, day: impl Fn(Timestamp) -> Date) -> pdf::Document {
        match self {
            Drawn::CreditNote(note, data) => {
                let money = |amount| Money::rounded(amount, note.currency);
                let description = |line: u32| {
                    data.as_ref()
                        .and_then(|d| line_description(d, &note.invoice_id, line))
                        .unwrap_or_default()
                };
                pdf::Document::CreditNote(pdf::CreditNote {
                    number: note.id.clone(),
                    issued_on: day(note.issued_at),
                    invoice_id: note.invoice_id.clone(),
                    customer,
                    lines: note
                        .lines
                        .iter()
                        .map(|&(line, net)| pdf::CreditedLine {
                            line,
                            description: description(line),
                            net: money(net),
                        })
                        .collect(),
                    net: money(note.net),
                    tax: money(note.tax),
                    total: money(note.total),
                    reason: note.reason,
                })
            }
            Drawn::Invoice(invoice, data, items) => {
                let money = |amount| Money::rounded(amount, invoice.currency);
                let kind = match (invoice.kind, &invoice.corrects_invoice_id) {
                    (IssuedInvoiceKind::Corrected, Some(old)) => pdf::InvoiceKind::Corrected {
                        replaces: old.clone(),
                    },
                    _ => {
                        let periods = items.iter().filter_map(|i| i.period);
                        let start = periods.clone().map(|p| p.start()).min();
                        let end = periods.map(|p| p.end()).max();
                        let issued = day(invoice.issued_at);
                        pdf::InvoiceKind::Arrears {
                            period_start: start.unwrap_or(issued),
                            period_end: end.unwrap_or(issued),
                        }
                    }
                };
                let lines = invoice
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(i, line)| {
                        let description = match (&invoice.corrects_invoice_id, &data) {
                            (Some(old), Some(data)) => line_description(data, old, line.line_no),
                            _ => items.get(i).map(|item| item.explanation.clone()),
                        };
                        pdf::InvoiceLine {
                            description: description.unwrap_or_default(),
                            net: money(line.amount),
                            tax_rate_percent: line.tax_rate_percent,
                        }
                    })
                    .collect();
                pdf::Document::Invoice(pdf::Invoice {
                    kind,
                    number: invoice.id.clone(),
                    issued_on: day(invoice.issued_at),
                    due_on: None,
                    customer,
                    lines,
                    subtotal: money(invoice.subtotal),
                    tax: money(invoice.tax_total),
                    total: money(invoice.total),
                })
            }
        }
    }
}

/// The description of line `line_no` of invoice `invoice_id`.
fn line_description(data: &BillingData, invoice_id: &str, line_no: u32) -> Option<String> {
    let invoice = data.invoice_ids.get(invoice_id)?;
    data.lines
        .iter()
        .position(|l| l.invoice.0 == invoice && l.line_no == line_no)
        .map(|i| data.line_descriptions.get(i).to_owned())
}

/// A document's number.
fn number(document: &pdf::Document) -> &str {
    match document {
        pdf::Document::CreditNote(note) => &note.number,
        pdf::Document::Invoice(invoice) => &invoice.number,
        pdf::Document::Letter(letter) => &letter.dispute_id,
    }
}

/// The business whose name heads its documents, from the environment it is run in: see
/// `redress serve --help`.
pub fn business(name: &str, address: &[String], tax_id: Option<&str>, email: &str) -> Business {
    Business {
        name: name.to_owned(),
        address: address.to_vec(),
        tax_id: tax_id.map(str::to_owned),
        email: email.to_owned(),
    }
}
