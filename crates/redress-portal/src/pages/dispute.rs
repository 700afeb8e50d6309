//! `GET /portal/{token}/disputes/{id}`: one of the customer's disputes, in the order they read
//! it: where it stands and what happens next; their invoice reviewed line by line with what
//! verifying found on each; what was decided (applied resolutions, with their documents as
//! PDF); the conversation, oldest first, and the reply form; their documents and the form to
//! send one; and, once it is resolved or closed, how satisfied they were (five buttons, one
//! click), or the rating they gave.
//!
//! Each form is a POST carrying the link's CSRF token, answered by a redirect back here with a
//! flash (`?done=…`), or refused with the page shown again, the error summary on top and what
//! was typed kept.

use super::{Chrome, Done, FieldError, render, see_other};
use crate::PortalState;
use crate::guard::{Visit, enter, field, posted, same_secret};
use crate::text::{Shown, Texts};
use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::message::{Direction, DocumentRef};
use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
use redress_domain::{BillingData, Decimal, DisputeStatus, InvoiceIdx, LineKind, Verdict};
use redress_service::ServiceError;
use redress_service::portal::{MAX_REPLY_CHARS, PortalRefused};
use redress_service::records::{
    DisputeRow, FindingRecord, Resolution, ResolutionAction, ResolutionError,
};
use redress_service::resolutions::ResolveError;

/// A dispute's page.
#[derive(Template)]
#[template(path = "dispute.html")]
pub struct DisputePage {
    chrome: Chrome,
    t: Texts,
    base: String,
    csrf: String,
    flash: Option<String>,
    errors: Vec<FieldError>,
    id: String,
    heading: String,
    lead: String,
    status: String,
    tone: &'static str,
    next: String,
    reason: String,
    invoice_id: String,
    invoice: Option<InvoiceView>,
    verdict: String,
    /// What verifying found on the invoice as a whole (not on one line).
    whole: Vec<Found>,
    /// The options offered, waiting for the customer's answer.
    offers: Vec<OfferView>,
    /// That they declined what was offered, and when, if nothing is offered now.
    declined: Option<String>,
    /// Why they decline, as typed.
    why: String,
    decided: Vec<Decision>,
    conversation: Vec<MessageView>,
    files: Vec<String>,
    reply: String,
    attach_hint: String,
    rating: Rating,
    comment: String,
    /// `(score, words)` of the five buttons.
    scores: Vec<(u8, String)>,
}

impl DisputePage {
    fn error(&self, field: &str) -> Option<&str> {
        super::error_of(&self.errors, field)
    }
}

/// The invoice reviewed line by line.
pub struct InvoiceView {
    caption: String,
    lines: Vec<LineView>,
    subtotal: String,
    tax: String,
    total: String,
}

/// A line of the invoice, with what verifying found on it.
pub struct LineView {
    no: u32,
    /// `Line 2`.
    label: String,
    description: String,
    /// `4 × USD 75.50`, or `Late fee on INV-A1`.
    detail: String,
    amount: String,
    disputed: bool,
    found: Vec<Found>,
}

/// What verifying found, in the customer's words.
pub struct Found {
    title: String,
    /// `Billed USD 100.00; by your contract and our records it should be USD 0.00.`
    amounts: String,
    /// `In your favour: USD 100.00.`
    favour: Option<String>,
    /// What it was checked against.
    checked: Vec<String>,
}

/// An option offered to the customer.
pub struct OfferView {
    id: String,
    kind: String,
    amount: Option<String>,
    /// What accepting it does, in a sentence.
    does: String,
    reason: String,
    /// A plan's instalments: `USD 50.00 due on February 1, 2027`.
    instalments: Vec<String>,
}

/// An applied resolution, with its document.
pub struct Decision {
    kind: String,
    amount: Option<String>,
    reason: String,
    on: Shown,
    /// `(href, text)`.
    document: Option<(String, String)>,
}

/// A message of the conversation.
pub struct MessageView {
    from_customer: bool,
    who: String,
    at: Shown,
    subject: String,
    body: String,
    /// `(href, text)`.
    documents: Vec<(String, String)>,
}

/// The satisfaction part.
pub enum Rating {
    /// Not yet: the dispute is not resolved or closed.
    NotYet,
    /// The form.
    Ask,
    /// Given: the sentence, and their comment.
    Given(String, String),
}

/// Where a document of the customer is downloaded, and the link's words.
pub fn document_link(t: Texts, base: &str, document: &DocumentRef) -> (String, String) {
    match document {
        DocumentRef::CreditNote(id) => (
            format!("{base}/documents/credit-notes/{id}.pdf"),
            t.with("download-credit-note", &[("id", id.clone())]),
        ),
        DocumentRef::IssuedInvoice(id) => (
            format!("{base}/documents/invoices/{id}.pdf"),
            t.with("download-invoice", &[("id", id.clone())]),
        ),
    }
}

fn found(t: Texts, f: &FindingRecord) -> Found {
    let e = &f.evidence;
    let currency = f.currency;
    let mut checked = Vec::new();
    if let Some(row) = &e.price_row {
        let mut price = t.amount(row.unit_price, currency);
        if !row.discount_percent.is_zero() {
            price = t.with(
                "price-less-discount",
                &[
                    ("price", price),
                    ("percent", t.number(row.discount_percent)),
                ],
            );
        }
        checked.push(t.with(
            "evidence-price",
            &[
                ("contract", row.contract_id.clone()),
                ("sku", row.sku.clone()),
                ("price", price),
            ],
        ));
    }
    if let Some(q) = &e.quantities {
        checked.push(t.with(
            "evidence-quantities",
            &[
                ("billed", t.number(q.billed)),
                ("delivered", t.number(q.delivered)),
            ],
        ));
    }
    for l in &e.lines {
        checked.push(t.with(
            "evidence-line",
            &[
                ("invoice", l.invoice_id.clone()),
                ("line", l.line_no.to_string()),
            ],
        ));
    }
    if !e.delivery_ids.is_empty() {
        checked.push(t.count("evidence-deliveries", "n", e.delivery_ids.len() as u64));
    }
    if !e.payment_ids.is_empty() {
        checked.push(t.count("evidence-payments", "n", e.payment_ids.len() as u64));
    }
    if !e.notice_ids.is_empty() {
        checked.push(t.count("evidence-notices", "n", e.notice_ids.len() as u64));
    }
    if let Some(of) = &e.late_fee_for {
        checked.push(t.with("evidence-late-fee-for", &[("invoice", of.clone())]));
    }
    Found {
        title: t.finding(f.kind),
        amounts: t.with(
            "finding-amounts",
            &[
                ("billed", t.amount(e.billed, currency)),
                ("expected", t.amount(e.expected, currency)),
            ],
        ),
        favour: (f.impact > Decimal::ZERO).then(|| {
            t.with(
                "finding-in-your-favour",
                &[("amount", t.amount(f.impact, currency))],
            )
        }),
        checked,
    }
}

fn invoice_view(
    t: Texts,
    data: &BillingData,
    dispute: &DisputeRow,
    findings: &[FindingRecord],
) -> Option<InvoiceView> {
    let index = InvoiceIdx(data.invoice_ids.get(&dispute.invoice_id)?);
    let invoice = data.invoice(index);
    let currency = invoice.currency;
    let lines = data
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.invoice == index)
        .map(|(i, l)| {
            let detail = match l.kind {
                LineKind::Charge { .. } => {
                    let mut detail = t.with(
                        "line-quantity-price",
                        &[
                            ("quantity", t.number(l.quantity)),
                            ("price", t.amount(l.unit_price, currency)),
                        ],
                    );
                    if !l.discount_percent.is_zero() {
                        detail = t.with(
                            "price-less-discount",
                            &[("price", detail), ("percent", t.number(l.discount_percent))],
                        );
                    }
                    detail
                }
                LineKind::LateFee { late_fee_for } => t.with(
                    "line-late-fee",
                    &[("invoice", data.invoice_id(late_fee_for).to_owned())],
                ),
            };
            LineView {
                no: l.line_no,
                label: t.with("line-label", &[("line", l.line_no.to_string())]),
                description: data.line_descriptions.get(i).to_owned(),
                detail,
                amount: t.amount(l.amount, currency),
                disputed: dispute.line_no == Some(l.line_no),
                found: findings
                    .iter()
                    .filter(|f| f.invoice_id.as_deref() == Some(dispute.invoice_id.as_str()))
                    .filter(|f| f.line_no == Some(l.line_no))
                    .map(|f| found(t, f))
                    .collect(),
            }
        })
        .collect();
    Some(InvoiceView {
        caption: t.with(
            "invoice-caption",
            &[
                ("invoice", dispute.invoice_id.clone()),
                ("issued", t.day(invoice.issue_date)),
            ],
        ),
        lines,
        subtotal: t.amount(invoice.subtotal, currency),
        tax: t.amount(invoice.tax_total, currency),
        total: t.amount(invoice.total, currency),
    })
}

/// The dispute `id` of `visit`, with empty forms.
/// An option offered, in the customer's words.
fn offer_view(t: Texts, r: &Resolution) -> OfferView {
    let instalments = match &r.action {
        ResolutionAction::PaymentPlan { plan, .. } => plan
            .instalments()
            .iter()
            .map(|i| {
                t.with(
                    "offer-instalment",
                    &[
                        ("amount", t.amount(i.amount, r.currency)),
                        ("day", t.day(i.due_on)),
                    ],
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    OfferView {
        id: r.id.clone(),
        kind: t.resolution(r.kind),
        amount: (r.amount > Decimal::ZERO).then(|| t.amount(r.amount, r.currency)),
        does: t.say(match r.kind {
            ResolutionKind::CreditNote => "offer-does-credit-note",
            ResolutionKind::Refund => "offer-does-refund",
            ResolutionKind::AccountCredit => "offer-does-account-credit",
            ResolutionKind::Goodwill => "offer-does-goodwill",
            ResolutionKind::PaymentPlan => "offer-does-payment-plan",
            ResolutionKind::WriteOff => "offer-does-write-off",
            ResolutionKind::Reject => "offer-does-reject",
            ResolutionKind::CorrectedInvoice => "offer-does-corrected-invoice",
        }),
        reason: r.reason.clone(),
        instalments,
    }
}

async fn load(state: &PortalState, visit: &Visit, id: &str) -> Result<DisputePage, ServiceError> {
    let redress = &state.redress;
    let portal = redress.portal();
    let visitor = &visit.visitor;
    let t = visit.t;
    let base = &visit.base;
    let zone = redress.communication().calendar.time_zone();
    let business = redress.communication().business.name.clone();
    let dispute = portal.dispute(visitor, id).await?;
    let messages = portal.messages(visitor, id).await?;
    let attachments = portal.attachments(visitor, id).await?;
    let data = redress
        .billing()
        .contract_data_for_invoice(&dispute.invoice_id)
        .await?;
    let resolutions = redress.books().resolutions_of(&dispute.id).await?;
    let rating = if matches!(
        dispute.status,
        DisputeStatus::Resolved | DisputeStatus::Closed
    ) {
        match portal.rating(visitor, id).await? {
            Some((score, comment)) => Rating::Given(
                t.with("rating-given", &[("score", score.to_string())]),
                comment,
            ),
            None => Rating::Ask,
        }
    } else {
        Rating::NotYet
    };
    let findings = dispute.verification.findings.records().unwrap_or_else(|e| {
        tracing::warn!(error = %e, dispute = id, "a dispute's findings could not be read");
        Vec::new()
    });
    let invoice = data
        .as_ref()
        .and_then(|d| invoice_view(t, d, &dispute, &findings));
    let on_a_shown_line = |f: &FindingRecord| {
        invoice.is_some()
            && f.invoice_id.as_deref() == Some(dispute.invoice_id.as_str())
            && f.line_no.is_some_and(|n| {
                invoice
                    .as_ref()
                    .is_some_and(|inv| inv.lines.iter().any(|l| l.no == n))
            })
    };
    let whole = findings
        .iter()
        .filter(|f| !on_a_shown_line(f))
        .map(|f| found(t, f))
        .collect();
    let offers = resolutions
        .iter()
        .filter(|r| r.status == ResolutionStatus::Offered)
        .map(|r| offer_view(t, r))
        .collect::<Vec<_>>();
    // Their last answer, when it was a refusal of everything offered (not the options left
    // aside when they accepted another).
    let last_accepted = resolutions
        .iter()
        .filter(|r| r.status == ResolutionStatus::Applied)
        .filter_map(|r| r.answered_at)
        .max();
    let declined = resolutions
        .iter()
        .filter(|r| r.status == ResolutionStatus::Declined)
        .filter_map(|r| r.answered_at)
        .max()
        .filter(|at| offers.is_empty() && last_accepted.is_none_or(|accepted| accepted < *at))
        .map(|at| t.with("offer-declined", &[("day", t.moment(at, zone).text)]));
    let decided = resolutions
        .iter()
        .filter(|r| r.status == ResolutionStatus::Applied)
        .map(|r| {
            let document = r.document_id.clone().and_then(|doc| match r.kind {
                ResolutionKind::CreditNote => Some(DocumentRef::CreditNote(doc)),
                ResolutionKind::CorrectedInvoice => Some(DocumentRef::IssuedInvoice(doc)),
                _ => None,
            });
            Decision {
                kind: t.resolution(r.kind),
                amount: (r.amount > Decimal::ZERO).then(|| t.amount(r.amount, r.currency)),
                reason: r.reason.clone(),
                on: t.moment(
                    r.answered_at.or(r.decided_at).unwrap_or(r.proposed_at),
                    zone,
                ),
                document: document.map(|d| document_link(t, base, &d)),
            }
        })
        .collect();
    let conversation = messages
        .iter()
        .map(|m| {
            let from_customer = m.direction == Direction::FromCustomer;
            MessageView {
                from_customer,
                who: if from_customer {
                    t.say("message-from-you")
                } else {
                    t.with("message-from-us", &[("business", business.clone())])
                },
                at: t.moment(m.created_at, zone),
                subject: m.subject.clone(),
                body: m.body.clone(),
                documents: m
                    .documents
                    .iter()
                    .map(|d| document_link(t, base, d))
                    .collect(),
            }
        })
        .collect();
    let actor = visitor.actor();
    let files = attachments
        .iter()
        .map(|a| {
            let who = if a.uploaded_by == actor {
                t.say("file-by-you")
            } else {
                t.say("file-by-us")
            };
            t.with(
                "file-item",
                &[
                    ("name", a.file_name.clone()),
                    ("size", t.size(a.size)),
                    ("who", who),
                    ("day", t.moment(a.created_at, zone).text),
                ],
            )
        })
        .collect();
    let lead = match dispute.line_no {
        Some(line) => t.with(
            "dispute-lead-line",
            &[
                ("amount", t.money(dispute.claimed)),
                ("invoice", dispute.invoice_id.clone()),
                ("line", line.to_string()),
                ("day", t.day(dispute.opened_on)),
            ],
        ),
        None => t.with(
            "dispute-lead-whole",
            &[
                ("amount", t.money(dispute.claimed)),
                ("invoice", dispute.invoice_id.clone()),
                ("day", t.day(dispute.opened_on)),
            ],
        ),
    };
    let heading = t.with("dispute-title", &[("id", dispute.id.clone())]);
    Ok(DisputePage {
        chrome: Chrome::new(state, t, Some(visit), &heading, false),
        t,
        base: base.clone(),
        csrf: visit.csrf.clone(),
        flash: None,
        errors: Vec::new(),
        id: dispute.id.clone(),
        heading,
        lead,
        status: t.status(dispute.status),
        tone: super::home::tone(dispute.status),
        // An offer waiting for their answer is what they must do next, whatever the status.
        next: if offers.is_empty() {
            t.next_step(dispute.status)
        } else {
            t.say("next-offer")
        },
        reason: t.reason(dispute.reason),
        invoice_id: dispute.invoice_id.clone(),
        invoice,
        verdict: t.say(match dispute.verification.verdict {
            Verdict::Upheld => "verdict-upheld",
            Verdict::PartiallyUpheld => "verdict-partly-upheld",
            Verdict::Rejected => "verdict-rejected",
        }),
        whole,
        offers,
        declined,
        why: String::new(),
        decided,
        conversation,
        files,
        reply: String::new(),
        attach_hint: t.with(
            "attach-hint",
            &[(
                "size",
                (redress_service::MAX_ATTACHMENT_BYTES >> 20).to_string(),
            )],
        ),
        rating,
        comment: String::new(),
        scores: (1..=5u8)
            .map(|n| (n, t.say(&format!("rating-{n}"))))
            .collect(),
    })
}

/// `GET /portal/{token}/disputes/{id}`.
pub async fn page(
    State(state): State<PortalState>,
    Path((token, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Response {
    let visit = match enter(&state, &token, &headers).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    match load(&state, &visit, &id).await {
        Ok(mut page) => {
            page.flash = done.sentence(visit.t);
            render(StatusCode::OK, &page)
        }
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}

/// The page shown again with `errors`, what was typed kept by `keep`.
async fn refused_with(
    state: &PortalState,
    visit: &Visit,
    id: &str,
    errors: Vec<FieldError>,
    keep: impl FnOnce(&mut DisputePage),
) -> Response {
    match load(state, visit, id).await {
        Ok(mut page) => {
            page.chrome = Chrome::new(state, visit.t, Some(visit), &page.heading, true);
            page.errors = errors;
            keep(&mut page);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => super::failed(state, Some(visit), &e),
    }
}

/// `POST /portal/{token}/disputes/{id}/replies`: the customer's answer, in the conversation.
pub async fn reply(
    State(state): State<PortalState>,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (visit, fields) = match posted(&state, &token, &headers, request.into_body()).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let t = visit.t;
    let text = field(&fields, "text").replace("\r\n", "\n");
    let problem = if text.trim().is_empty() {
        Some(t.say("reply-empty"))
    } else if text.chars().count() > MAX_REPLY_CHARS {
        Some(t.with(
            "reply-too-long",
            &[("max", t.number(Decimal::from(MAX_REPLY_CHARS as u64)))],
        ))
    } else {
        None
    };
    let message = match problem {
        Some(message) => message,
        None => match state
            .redress
            .portal()
            .reply(&visit.visitor, &id, &text)
            .await
        {
            Ok(_) => {
                return see_other(&format!(
                    "{}/disputes/{id}?done=replied#conversation",
                    visit.base
                ));
            }
            Err(ServiceError::Portal(PortalRefused::Invalid { .. })) => t.say("reply-empty"),
            Err(e) => return super::failed(&state, Some(&visit), &e),
        },
    };
    refused_with(
        &state,
        &visit,
        &id,
        vec![FieldError {
            field: "reply",
            message,
        }],
        |page| page.reply = text,
    )
    .await
}

/// `POST /portal/{token}/disputes/{id}/rating`: how satisfied the customer was, 1 to 5 (the
/// button they pressed), with their comment.
pub async fn rate(
    State(state): State<PortalState>,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (visit, fields) = match posted(&state, &token, &headers, request.into_body()).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let comment = field(&fields, "comment").replace("\r\n", "\n");
    let score = field(&fields, "score")
        .parse::<u8>()
        .ok()
        .filter(|s| (1..=5).contains(s));
    let Some(score) = score else {
        let message = visit.t.say("rating-choose");
        return refused_with(
            &state,
            &visit,
            &id,
            vec![FieldError {
                field: "rating",
                message,
            }],
            |page| page.comment = comment,
        )
        .await;
    };
    match state
        .redress
        .portal()
        .rate(&visit.visitor, &id, score, &comment)
        .await
    {
        Ok(()) => see_other(&format!("{}/disputes/{id}?done=rated#rating", visit.base)),
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}

/// `POST /portal/{token}/disputes/{id}/attachments` (multipart: `csrf` first, then `file`): a
/// document the customer sends, kept in the dispute's case file.
pub async fn attach(
    State(state): State<PortalState>,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    use axum::extract::{FromRequest, Multipart};
    if crate::guard::cross_site(&headers) {
        return super::form_refused(&state, None);
    }
    let visit = match enter(&state, &token, &headers).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let t = visit.t;
    let Ok(mut multipart) = Multipart::from_request(request, &state).await else {
        return super::bad_form(&state, Some(&visit));
    };
    let mut csrf_seen = false;
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut too_large = false;
    loop {
        let part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(_) => return super::bad_form(&state, Some(&visit)),
        };
        match part.name() {
            Some("csrf") => {
                let given = part.text().await.unwrap_or_default();
                csrf_seen = same_secret(&given, &visit.csrf);
            }
            // The token comes first in the form: a file is read only once it is checked.
            Some("file") if csrf_seen => {
                let name = part.file_name().unwrap_or("").to_owned();
                let kind = part
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let mut part = part;
                let mut content = Vec::new();
                loop {
                    match part.chunk().await {
                        Ok(Some(chunk)) => {
                            if content.len() + chunk.len() > redress_service::MAX_ATTACHMENT_BYTES {
                                too_large = true;
                                break;
                            }
                            content.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(_) => return super::too_large(&state, Some(&visit)),
                    }
                }
                file = Some((name, kind, content));
            }
            _ => {}
        }
    }
    if !csrf_seen {
        return super::form_refused(&state, Some(&visit));
    }
    let mib = (redress_service::MAX_ATTACHMENT_BYTES >> 20).to_string();
    let refused = |message: String| {
        refused_with(
            &state,
            &visit,
            &id,
            vec![FieldError {
                field: "file",
                message,
            }],
            |_| {},
        )
    };
    let (name, kind, content) = match file {
        Some((name, _, _)) if name.trim().is_empty() => return refused(t.say("attach-none")).await,
        None => return refused(t.say("attach-none")).await,
        _ if too_large => return refused(t.with("attach-too-large", &[("size", mib)])).await,
        Some(file) => file,
    };
    // Its type, content and name are the service's to check, as for every way in; refused,
    // it is said in the customer's words.
    match state
        .redress
        .portal()
        .attach(&visit.visitor, &id, &name, &kind, &content)
        .await
    {
        Ok(_) => see_other(&format!("{}/disputes/{id}?done=attached#files", visit.base)),
        Err(ServiceError::Evidence(why)) => {
            use redress_domain::evidence::EvidenceRefused;
            let message = match why {
                EvidenceRefused::Empty => t.say("attach-empty"),
                EvidenceRefused::TooLarge { .. } => t.with("attach-too-large", &[("size", mib)]),
                EvidenceRefused::MediaType(_) => t.say("attach-wrong-type"),
                EvidenceRefused::ContentMismatch(_) => t.say("attach-not-what-it-says"),
                EvidenceRefused::FileName(_) => t.say("attach-bad-name"),
            };
            refused(message).await
        }
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}

/// `POST /portal/{token}/disputes/{id}/offers/{option}/accept`: the customer accepts one option
/// of the offer; it is carried out at once.
pub async fn accept(
    State(state): State<PortalState>,
    Path((token, id, option)): Path<(String, String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (visit, _) = match posted(&state, &token, &headers, request.into_body()).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    // The option must be of this dispute: one of another dispute of theirs is not accepted
    // from here.
    match state
        .redress
        .portal()
        .resolutions(&visit.visitor, &id)
        .await
    {
        Ok(options) if options.iter().any(|r| r.id == option) => {}
        Ok(_) => {
            return super::failed(
                &state,
                Some(&visit),
                &PortalRefused::NotYours("offer").into(),
            );
        }
        Err(e) => return super::failed(&state, Some(&visit), &e),
    }
    match state.redress.portal().accept(&visit.visitor, &option).await {
        Ok(_) => see_other(&format!(
            "{}/disputes/{id}?done=accepted#decided",
            visit.base
        )),
        Err(e) => offer_refused(&state, &visit, &id, e, String::new()).await,
    }
}

/// `POST /portal/{token}/disputes/{id}/offers/decline`: the customer declines every option
/// offered, saying why if they wish.
pub async fn decline(
    State(state): State<PortalState>,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (visit, fields) = match posted(&state, &token, &headers, request.into_body()).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let why = field(&fields, "why").replace("\r\n", "\n");
    if why.chars().count() > MAX_REPLY_CHARS {
        let message = visit.t.with(
            "reply-too-long",
            &[("max", visit.t.number(Decimal::from(MAX_REPLY_CHARS as u64)))],
        );
        return refused_with(
            &state,
            &visit,
            &id,
            vec![FieldError {
                field: "why",
                message,
            }],
            |page| page.why = why,
        )
        .await;
    }
    match state
        .redress
        .portal()
        .decline(&visit.visitor, &id, &why)
        .await
    {
        Ok(_) => see_other(&format!("{}/disputes/{id}?done=declined#offer", visit.base)),
        Err(e) => offer_refused(&state, &visit, &id, e, why).await,
    }
}

/// The dispute's page again when an answer to the offer was not taken: the offer was answered
/// already or the dispute moved on (said plainly, at the offer), or it could not be carried out
/// now; anything else is the portal's usual refusal.
async fn offer_refused(
    state: &PortalState,
    visit: &Visit,
    id: &str,
    error: ServiceError,
    why: String,
) -> Response {
    let key = match &error {
        ServiceError::Resolve(ResolveError::Resolution(
            ResolutionError::NotOffered { .. }
            | ResolutionError::NothingOffered(_)
            | ResolutionError::DisputeNotOpen { .. },
        )) => "offer-gone",
        ServiceError::Resolve(ResolveError::Resolution(
            ResolutionError::Refused(_)
            | ResolutionError::CreditNote(_)
            | ResolutionError::Correction(_),
        )) => {
            // Checked when it was offered, so the books moved since: the agent must look.
            tracing::warn!(error = %error, dispute = id, "an offer accepted could not be carried out");
            "offer-failed"
        }
        _ => return super::failed(state, Some(visit), &error),
    };
    let message = visit.t.say(key);
    refused_with(
        state,
        visit,
        id,
        vec![FieldError {
            field: "offer",
            message,
        }],
        |page| page.why = why,
    )
    .await
}
