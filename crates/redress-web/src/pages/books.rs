//! The books: a customer's page with their ledger (`GET /customers/{id}`), and the documents
//! Redress issued, printable (`GET /credit-notes/{id}`, `GET /issued-invoices/{id}`) and as
//! PDF in the customer's language or another (`GET /documents/credit-notes/{id}.pdf`,
//! `GET /documents/issued-invoices/{id}.pdf`, `?language=en-US|es|zh-Hans`).
//!
//! A ledger is a table per currency: each entry's charges (what it adds to what the customer
//! owes) and payments or credits (what it takes off), and the balance after it, in words.

use super::{Viewer, render};
use crate::WebState;
use crate::format::{self, Amount, Balance, Day, Moment};
use crate::session::{Desk, Posted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::Language;
use redress_domain::ledger::{Account, EntryDate, EntryKind, Side};
use redress_domain::message::DocumentRef;
use redress_domain::{Currency, Decimal};
use redress_service::records::{
    CreditNote, CustomerLedger, CustomerRecord, IssuedInvoice, StoredPlan,
};
use serde::Deserialize;

/// A customer's page.
#[derive(Template)]
#[template(path = "customer.html")]
pub struct CustomerPage {
    viewer: Option<Viewer>,
    id: String,
    name: String,
    email: String,
    since: Day,
    contracts: Vec<String>,
    /// The queue filtered by this customer.
    disputes_link: String,
    ledgers: Vec<CurrencyLedger>,
    plans: Vec<PlanView>,
    /// The customer's portal links, newest first.
    links: Vec<LinkView>,
    /// The address of a link just made: shown this once, as its token is kept only hashed.
    new_link: Option<String>,
    /// What was just done.
    flash: Option<String>,
}

/// A portal link of the customer, as their page lists it.
pub struct LinkView {
    id: String,
    /// `Made by Ana Ruiz on …, about DSP-1` or `Sent in a message on …`.
    made: String,
    /// `Works until …`, `Expired on …` or `Revoked on …`.
    state: String,
    /// Whether it still opens (and so may be revoked).
    works: bool,
    /// `Last opened on …`, or `Never opened`.
    visited: String,
}

fn link_view(
    link: &redress_service::records::PortalLink,
    names: &std::collections::HashMap<String, String>,
) -> LinkView {
    let now = redress_domain::Timestamp::now();
    let on = |at| format::moment(at).text;
    let about = link
        .dispute_id
        .as_ref()
        .map(|d| format!(", about {d}"))
        .unwrap_or_default();
    let made = if link.created_by == "system" {
        format!("Sent in a message on {}{about}", on(link.created_at))
    } else {
        let who = names
            .get(&link.created_by)
            .cloned()
            .unwrap_or_else(|| link.created_by.clone());
        format!("Made by {who} on {}{about}", on(link.created_at))
    };
    let (state, works) = match link.revoked_at {
        Some(at) => (format!("Revoked on {}", on(at)), false),
        None if link.expires_at <= now => (format!("Expired on {}", on(link.expires_at)), false),
        None => (format!("Works until {}", on(link.expires_at)), true),
    };
    LinkView {
        id: link.id.clone(),
        made,
        state,
        works,
        visited: link.last_visit_at.map_or_else(
            || "Never opened".to_owned(),
            |at| format!("Last opened on {}", on(at)),
        ),
    }
}

/// A customer's ledger in one currency.
pub struct CurrencyLedger {
    code: &'static str,
    rows: Vec<LedgerRow>,
    charges: Amount,
    credits: Amount,
    balance: Balance,
}

/// One entry of a ledger, as its table shows it.
pub struct LedgerRow {
    kind: &'static str,
    document: String,
    /// The document's page, for one Redress issued.
    link: Option<String>,
    invoice_id: Option<String>,
    day: Day,
    charge: Option<Amount>,
    credit: Option<Amount>,
    balance: Balance,
}

/// A payment plan as the customer's page shows it.
pub struct PlanView {
    id: String,
    invoice_id: String,
    invoice_link: Option<String>,
    arrears_case_id: Option<String>,
    total: Amount,
    outstanding: Amount,
    agreed: Moment,
    instalments: Vec<InstalmentView>,
}

/// One instalment of a plan.
pub struct InstalmentView {
    number: u32,
    due: Day,
    amount: Amount,
    paid_by: Option<String>,
}

/// The page of a document Redress issued, when it has one: credit notes and the invoices it
/// issued (which are dated by the moment, not the day, in the ledger).
fn document_link(kind: EntryKind, date: EntryDate, document: &str) -> Option<String> {
    match (kind, date) {
        (EntryKind::CreditNote, _) => Some(format!("/credit-notes/{document}")),
        (EntryKind::Invoice, EntryDate::At(_)) => Some(format!("/issued-invoices/{document}")),
        _ => None,
    }
}

/// The page of invoice `id` when Redress issued it: its series are `RI-YEAR` (corrected
/// invoices) and `AI-YEAR` (arrears invoices).
fn issued_invoice_link(id: &str) -> Option<String> {
    (id.starts_with("RI-") || id.starts_with("AI-")).then(|| format!("/issued-invoices/{id}"))
}

/// The ledger's tables, one per currency in the order the currencies first appear.
fn ledgers(ledger: &CustomerLedger) -> Vec<CurrencyLedger> {
    let today = format::today();
    let mut currencies: Vec<Currency> = Vec::new();
    for entry in &ledger.entries {
        if !currencies.contains(&entry.currency) {
            currencies.push(entry.currency);
        }
    }
    currencies
        .into_iter()
        .map(|currency| {
            let mut running = Decimal::ZERO;
            let (mut charges, mut credits) = (Decimal::ZERO, Decimal::ZERO);
            let rows = ledger
                .entries
                .iter()
                .filter(|e| e.currency == currency)
                .map(|entry| {
                    let side = |side: Side| -> Decimal {
                        entry
                            .lines
                            .iter()
                            .filter(|l| l.account == Account::Receivable && l.side == side)
                            .map(|l| l.amount)
                            .sum()
                    };
                    let (charge, credit) = (side(Side::Debit), side(Side::Credit));
                    running += charge - credit;
                    charges += charge;
                    credits += credit;
                    let shown = |value: Decimal| {
                        (!value.is_zero()).then(|| format::amount(value, currency))
                    };
                    LedgerRow {
                        kind: format::entry_kind(entry.kind),
                        link: document_link(entry.kind, entry.date, &entry.document),
                        document: entry.document.clone(),
                        invoice_id: entry
                            .invoice_id
                            .clone()
                            .filter(|invoice| *invoice != entry.document),
                        day: format::day(entry.date.day(), today),
                        charge: shown(charge),
                        credit: shown(credit),
                        balance: format::balance(running, currency),
                    }
                })
                .collect();
            CurrencyLedger {
                code: currency.code(),
                rows,
                charges: format::amount(charges, currency),
                credits: format::amount(credits, currency),
                balance: format::balance(running, currency),
            }
        })
        .collect()
}

fn plan_view(plan: StoredPlan) -> PlanView {
    let today = format::today();
    let currency = plan.currency;
    let outstanding: Decimal = plan
        .instalments
        .iter()
        .filter(|i| i.paid_by.is_none())
        .map(|i| i.amount)
        .sum();
    PlanView {
        invoice_link: issued_invoice_link(&plan.invoice_id),
        id: plan.id,
        invoice_id: plan.invoice_id,
        arrears_case_id: plan.arrears_case_id,
        total: format::amount(plan.total, currency),
        outstanding: format::amount(outstanding, currency),
        agreed: format::moment(plan.agreed_at),
        instalments: plan
            .instalments
            .into_iter()
            .map(|i| InstalmentView {
                number: i.number,
                due: format::day(i.due_on, today),
                amount: format::amount(i.amount, currency),
                paid_by: i.paid_by,
            })
            .collect(),
    }
}

/// `GET /customers/{id}`.
pub async fn customer(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
    Query(done): Query<LinkDone>,
) -> Response {
    let flash = match done.done.as_deref() {
        Some("revoked") => Some("The link was revoked: it opens nothing from now on.".to_owned()),
        _ => None,
    };
    match customer_page(&state, &desk, &id).await {
        Ok(mut page) => {
            page.flash = flash;
            render(StatusCode::OK, &page)
        }
        Err(refused) => refused,
    }
}

/// What was just done on the customer's page (`?done=revoked`).
#[derive(Deserialize)]
pub struct LinkDone {
    done: Option<String>,
}

/// What the portal-link forms send: their token only.
#[derive(Deserialize)]
pub struct LinkForm {}

/// `POST /customers/{id}/portal-links`: a new portal link for the customer, shown once on their
/// page (to give them by another way, such as on the phone).
pub async fn issue_link(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form: _ }: Posted<LinkForm>,
) -> Response {
    // The customer must exist before a link is made for them (the page says so if not).
    if let Err(refused) = customer_page(&state, &desk, &id).await {
        return refused;
    }
    match state.redress.portal().issue(&desk.actor, &id, None).await {
        Ok((_, url)) => {
            // Listed again, with the new one at the top.
            let mut page = match customer_page(&state, &desk, &id).await {
                Ok(page) => page,
                Err(refused) => return refused,
            };
            page.new_link = Some(url);
            page.flash = Some(
                "A new portal link was made. Copy it now: it is shown only this once.".to_owned(),
            );
            render(StatusCode::OK, &page)
        }
        Err(e) => super::refused_or_unavailable(&desk, &e),
    }
}

/// `POST /customers/{id}/portal-links/{link}/revoke`: the link opens nothing from now on.
pub async fn revoke_link(
    State(state): State<WebState>,
    Path((id, link)): Path<(String, String)>,
    Posted { desk, form: _ }: Posted<LinkForm>,
) -> Response {
    match state.redress.portal().links_of(&id).await {
        Ok(links) if links.iter().any(|l| l.id == link) => {}
        Ok(_) => {
            return super::not_found(
                Some(desk.viewer()),
                format!("Customer {id} has no portal link with the id {link}."),
            );
        }
        Err(e) => return super::unavailable(&e),
    }
    match state.redress.portal().revoke(&desk.actor, &link).await {
        Ok(_) => Redirect::to(&format!(
            "/customers/{}?done=revoked#portal-links",
            serde_urlencoded::to_string([("", id.as_str())])
                .unwrap_or_default()
                .trim_start_matches('=')
        ))
        .into_response(),
        Err(e) => super::refused_or_unavailable(&desk, &e),
    }
}

/// The customer's page, or the answer when it cannot be shown.
async fn customer_page(state: &WebState, desk: &Desk, id: &str) -> Result<CustomerPage, Response> {
    let id = id.to_owned();
    let customer = match state.redress.billing().customer(&id).await {
        Ok(Some(customer)) => customer,
        Ok(None) => {
            return Err(super::not_found(
                Some(desk.viewer()),
                format!("No customer has the id {id}. It may have been mistyped."),
            ));
        }
        Err(e) => return Err(super::unavailable(&e)),
    };
    let books = state.redress.books();
    let ledger = books
        .ledger(&id)
        .await
        .map_err(|e| super::unavailable(&e))?;
    let plans = books
        .plans_of(&id)
        .await
        .map_err(|e| super::unavailable(&e))?;
    let links = state
        .redress
        .portal()
        .links_of(&id)
        .await
        .map_err(|e| super::unavailable(&e))?;
    let names = state
        .redress
        .people()
        .names()
        .await
        .map_err(|e| super::unavailable(&e))?;
    Ok(CustomerPage {
        viewer: Some(desk.viewer()),
        disputes_link: format!(
            "/queue?{}",
            serde_urlencoded::to_string([("customer", id.as_str())]).unwrap_or_default()
        ),
        ledgers: ledger.as_ref().map(ledgers).unwrap_or_default(),
        plans: plans.into_iter().map(plan_view).collect(),
        since: format::day(customer.customer_since, format::today()),
        id: customer.id,
        name: customer.name,
        email: customer.email,
        contracts: customer.contracts,
        links: links.iter().map(|l| link_view(l, &names)).collect(),
        new_link: None,
        flash: None,
    })
}

/// A line of a document: its number, net amount, tax rate and tax.
pub struct DocumentLine {
    line_no: u32,
    net: Amount,
    rate: Option<String>,
    tax: Option<Amount>,
}

/// A printable document Redress issued: a credit note or an invoice.
#[derive(Template)]
#[template(path = "document.html")]
pub struct DocumentPage {
    viewer: Option<Viewer>,
    /// `Credit note CN-2026-000001`.
    title: String,
    /// `Credit note` or `Invoice`.
    kind: &'static str,
    id: String,
    series: String,
    number: i64,
    issued: Moment,
    issued_by: String,
    customer_id: String,
    customer_name: Option<String>,
    /// What it concerns, in words, with a link where there is a page: `Corrects invoice INV-7`.
    concerns: Vec<(String, String, Option<String>)>,
    /// `Line credited` or `Line`.
    line_label: &'static str,
    lines: Vec<DocumentLine>,
    net: Amount,
    tax: Amount,
    total: Amount,
    reason: String,
    /// The document as PDF, in its customer's language.
    pdf: String,
    /// That language in words, when the customer is stored.
    pdf_language: Option<&'static str>,
    /// The PDF in each other language: `(href, words, tag)`.
    other_languages: Vec<(String, &'static str, &'static str)>,
}

impl DocumentPage {
    /// The page's links to the PDF of `document`, for a customer who is `customer`.
    fn with_pdf(mut self, document: &DocumentRef, customer: Option<&CustomerRecord>) -> Self {
        let language = customer.map(|c| Language::for_customer(&c.language).0);
        self.pdf = format::document_pdf(document, None);
        self.pdf_language = language.map(format::language);
        self.other_languages = Language::ALL
            .into_iter()
            .filter(|l| Some(*l) != language)
            .map(|l| {
                (
                    format::document_pdf(document, Some(l)),
                    format::language(l),
                    l.tag(),
                )
            })
            .collect();
        self
    }
}

fn credit_note_page(
    note: CreditNote,
    viewer: Viewer,
    customer_name: Option<String>,
) -> DocumentPage {
    let currency = note.currency;
    DocumentPage {
        pdf: String::new(),
        pdf_language: None,
        other_languages: Vec::new(),
        viewer: Some(viewer),
        title: format!("Credit note {}", note.id),
        kind: "Credit note",
        concerns: vec![(
            "Credits invoice".to_owned(),
            note.invoice_id.clone(),
            issued_invoice_link(&note.invoice_id),
        )],
        line_label: "Invoice line credited",
        lines: note
            .lines
            .iter()
            .map(|(line_no, net)| DocumentLine {
                line_no: *line_no,
                net: format::amount(*net, currency),
                rate: None,
                tax: None,
            })
            .collect(),
        net: format::amount(note.net, currency),
        tax: format::amount(note.tax, currency),
        total: format::amount(note.total, currency),
        issued: format::moment(note.issued_at),
        id: note.id,
        series: note.series,
        number: note.number,
        issued_by: note.issued_by,
        customer_id: note.customer_id,
        customer_name,
        reason: note.reason,
    }
}

fn issued_invoice_page(
    invoice: IssuedInvoice,
    viewer: Viewer,
    customer_name: Option<String>,
) -> DocumentPage {
    let currency = invoice.currency;
    let mut concerns = Vec::new();
    if let Some(corrected) = &invoice.corrects_invoice_id {
        concerns.push(("Corrects invoice".to_owned(), corrected.clone(), None));
    }
    if let Some(case) = &invoice.arrears_case_id {
        concerns.push((
            "Bills arrears case".to_owned(),
            case.clone(),
            Some(format!("/arrears/{case}")),
        ));
    }
    DocumentPage {
        pdf: String::new(),
        pdf_language: None,
        other_languages: Vec::new(),
        viewer: Some(viewer),
        title: format!("Invoice {}", invoice.id),
        kind: "Invoice",
        concerns,
        line_label: "Line",
        lines: invoice
            .lines
            .iter()
            .map(|line| DocumentLine {
                line_no: line.line_no,
                net: format::amount(line.amount, currency),
                rate: Some(format::percent(line.tax_rate_percent)),
                tax: Some(format::amount(
                    currency.round(line.amount * line.tax_rate_percent / Decimal::ONE_HUNDRED),
                    currency,
                )),
            })
            .collect(),
        net: format::amount(invoice.subtotal, currency),
        tax: format::amount(invoice.tax_total, currency),
        total: format::amount(invoice.total, currency),
        issued: format::moment(invoice.issued_at),
        id: invoice.id,
        series: invoice.series,
        number: invoice.number,
        issued_by: invoice.issued_by,
        customer_id: invoice.customer_id,
        customer_name,
        reason: invoice.reason,
    }
}

async fn customer_of(state: &WebState, id: &str) -> Option<CustomerRecord> {
    state.redress.billing().customer(id).await.ok().flatten()
}

/// `GET /credit-notes/{id}`.
pub async fn credit_note(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
) -> Response {
    match state.redress.books().credit_note(&id).await {
        Ok(Some(note)) => {
            let customer = customer_of(&state, &note.customer_id).await;
            let name = customer.as_ref().map(|c| c.name.clone());
            let document = DocumentRef::CreditNote(note.id.clone());
            let page = credit_note_page(note, desk.viewer(), name);
            render(StatusCode::OK, &page.with_pdf(&document, customer.as_ref()))
        }
        Ok(None) => super::not_found(
            Some(desk.viewer()),
            format!("No credit note has the id {id}. It may have been mistyped."),
        ),
        Err(e) => super::unavailable(&e),
    }
}

/// `GET /issued-invoices/{id}`.
pub async fn issued_invoice(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
) -> Response {
    match state.redress.books().issued_invoice(&id).await {
        Ok(Some(invoice)) => {
            let customer = customer_of(&state, &invoice.customer_id).await;
            let name = customer.as_ref().map(|c| c.name.clone());
            let document = DocumentRef::IssuedInvoice(invoice.id.clone());
            let page = issued_invoice_page(invoice, desk.viewer(), name);
            render(StatusCode::OK, &page.with_pdf(&document, customer.as_ref()))
        }
        Ok(None) => super::not_found(
            Some(desk.viewer()),
            format!("No invoice issued by Redress has the id {id}. It may have been mistyped."),
        ),
        Err(e) => super::unavailable(&e),
    }
}

/// What a PDF's address may ask for.
#[derive(Deserialize)]
pub struct PdfQuery {
    /// `en-US`, `es` or `zh-Hans`; the customer's language when not given.
    language: Option<String>,
}

/// `GET /documents/credit-notes/{id}.pdf`.
pub async fn credit_note_pdf(
    State(state): State<WebState>,
    desk: Desk,
    Path(file): Path<String>,
    Query(query): Query<PdfQuery>,
) -> Response {
    pdf(
        &state,
        &desk,
        &file,
        query,
        |id| Made::Document(DocumentRef::CreditNote(id)),
        "credit note",
    )
    .await
}

/// `GET /documents/issued-invoices/{id}.pdf`.
pub async fn issued_invoice_pdf(
    State(state): State<WebState>,
    desk: Desk,
    Path(file): Path<String>,
    Query(query): Query<PdfQuery>,
) -> Response {
    pdf(
        &state,
        &desk,
        &file,
        query,
        |id| Made::Document(DocumentRef::IssuedInvoice(id)),
        "invoice issued by Redress",
    )
    .await
}

/// `GET /documents/letters/{id}.pdf`: a message to the customer as the letter it was, in its
/// language.
pub async fn letter_pdf(
    State(state): State<WebState>,
    desk: Desk,
    Path(file): Path<String>,
    Query(query): Query<PdfQuery>,
) -> Response {
    pdf(&state, &desk, &file, query, Made::Letter, "letter").await
}

/// What a PDF is made of: a document Redress issued, or a message sent as a letter.
enum Made {
    Document(DocumentRef),
    Letter(String),
}

/// The document `file` (`ID.pdf`) names, made as `document` says, as PDF to download; a page
/// that says it was not found when there is no such document (`what` it is, in words).
async fn pdf(
    state: &WebState,
    desk: &Desk,
    file: &str,
    query: PdfQuery,
    document: fn(String) -> Made,
    what: &str,
) -> Response {
    let Some(id) = file.strip_suffix(".pdf").filter(|id| !id.is_empty()) else {
        return super::not_found(
            Some(desk.viewer()),
            format!("There is no {what} as PDF at this address. It may have been mistyped."),
        );
    };
    let language = match query.language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(tag) => match Language::from_tag(tag) {
            Some(language) => Some(language),
            None => {
                let tags: Vec<&str> = Language::ALL.iter().map(|l| l.tag()).collect();
                return super::Problem {
                    viewer: Some(desk.viewer()),
                    title: "This language is not one Redress writes in",
                    message: format!(
                        "Documents are made in {}; leave the language out for the customer's own.",
                        tags.join(", ")
                    ),
                    link: ("/queue", "Go to the queue"),
                }
                .answer(StatusCode::BAD_REQUEST);
            }
        },
    };
    let documents = state.redress.documents();
    let made = match document(id.to_owned()) {
        Made::Document(document) => documents.pdf(&document, language).await,
        Made::Letter(message) => documents.letter(&message).await,
    };
    match made {
        Ok(Some(pdf)) => {
            let name: String = pdf
                .file_name
                .chars()
                .filter(|c| c.is_ascii_graphic() || *c == ' ')
                .filter(|c| !matches!(c, '"' | '\\' | ';'))
                .collect();
            let mut response = pdf.bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(disposition) =
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Ok(None) => super::not_found(
            Some(desk.viewer()),
            format!("No {what} has the id {id}. It may have been mistyped."),
        ),
        Err(e) => super::unavailable(&e),
    }
}
