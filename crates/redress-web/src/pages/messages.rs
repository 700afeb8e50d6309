//! Talking with the customer from the case: the conversation the case page shows (every
//! message to and from the customer, oldest first, with where each delivery stands), and
//! writing to them: `GET /disputes/{id}/messages/new?kind=…` drafts a message of that kind
//! from the case in the customer's language, for the agent to edit; `POST
//! /disputes/{id}/messages` sends it as written, through the outbox, and goes back to the case.
//!
//! The service drafts, checks and keeps the message with its outbox entry; a refusal shows the
//! same form again with what was typed kept and the error summary naming the field.

use super::{FieldError, Viewer, render};
use crate::WebState;
use crate::format::{self, Moment};
use crate::session::{Desk, MAX_MESSAGE_FORM_BYTES, Posted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::Language;
use redress_domain::message::{DeliveryState, Direction, DocumentRef, MessageKind};
use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
use redress_service::ServiceError;
use redress_service::messages::{Composed, MAX_SUBJECT_CHARS, MessageRefused, Outgoing};
use redress_service::records::{Resolution, StoredMessage};
use serde::Deserialize;
use std::collections::HashMap;

/// The kinds an agent writes from the case, in the order offered. The satisfaction follow-up
/// is drafted by the service only later, so it is not offered yet.
pub const WRITTEN: [MessageKind; 6] = [
    MessageKind::InformationRequest,
    MessageKind::Explanation,
    MessageKind::ResolutionOffer,
    MessageKind::StatusUpdate,
    MessageKind::Confirmation,
    MessageKind::Note,
];

/// The draft page of a message of `kind` about dispute `id`.
pub fn draft_link(id: &str, kind: MessageKind) -> String {
    format!(
        "/disputes/{}/messages/new?{}",
        path_segment(id),
        serde_urlencoded::to_string([("kind", kind.as_str())]).unwrap_or_default()
    )
}

/// `id` as one segment of a path.
fn path_segment(id: &str) -> String {
    serde_urlencoded::to_string([("", id)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

/// A document Redress issued, as a message or a resolution links to it.
pub struct DocumentLink {
    /// `Credit note CN-2026-000001`.
    pub words: String,
    /// Its page on the desk.
    pub page: String,
    /// It as PDF, in its customer's language.
    pub pdf: String,
}

impl DocumentLink {
    /// The links of `document`.
    pub fn of(document: &DocumentRef) -> Self {
        Self {
            words: format::document(document),
            page: format::document_page(document),
            pdf: format::document_pdf(document, None),
        }
    }
}

/// The document an applied resolution issued, when it issued one (a credit note, or a
/// corrected invoice).
pub fn issued_document(resolution: &Resolution) -> Option<DocumentRef> {
    if resolution.status != ResolutionStatus::Applied {
        return None;
    }
    let id = resolution.document_id.clone()?;
    match resolution.kind {
        ResolutionKind::CreditNote => Some(DocumentRef::CreditNote(id)),
        ResolutionKind::CorrectedInvoice => Some(DocumentRef::IssuedInvoice(id)),
        _ => None,
    }
}

/// Where a message's delivery stands, as the conversation shows it.
pub struct DeliveryView {
    /// `Waiting to be sent`, `Delivered 5 Nov 2026, 14:03`, `Failed: … — check the address
    /// and send again`.
    pub(crate) words: String,
    pub(crate) tone: &'static str,
    /// `Tried 2 times; the last attempt: 421 busy. Next try 5 Nov 2026, 14:10.`
    pub(crate) detail: Option<String>,
}

/// A message of the conversation.
pub struct MessageView {
    /// Its id.
    pub(crate) id: String,
    pub(crate) anchor: String,
    pub(crate) to_customer: bool,
    /// `To the customer` or `From the customer`.
    pub(crate) way: &'static str,
    pub(crate) kind: &'static str,
    /// Who wrote it: `You (Ana Ruiz)`, a colleague, `Redress, by itself`, or the customer.
    pub(crate) by: String,
    /// The customer, as addressed: `Sora <keiri@sora.example>`.
    pub(crate) party: String,
    pub(crate) at: Moment,
    pub(crate) language: &'static str,
    /// Its language's tag, for `lang`.
    pub(crate) lang: &'static str,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) documents: Vec<DocumentLink>,
    pub(crate) delivery: Option<DeliveryView>,
    pub(crate) failed: bool,
}

/// `message` as the conversation shows it to `desk`, when a worker `delivers` the outbox or
/// not.
pub fn message_view(
    message: &StoredMessage,
    desk: &Desk,
    names: &HashMap<String, String>,
    delivers: bool,
) -> MessageView {
    let to_customer = message.direction == Direction::ToCustomer;
    let party = if message.name.trim().is_empty() {
        message.address.clone()
    } else {
        format!("{} <{}>", message.name, message.address)
    };
    let by = if !to_customer {
        party.clone()
    } else if message.written_by == "system" {
        "Redress, by itself".to_owned()
    } else {
        super::dispute::who(&message.written_by, desk, names)
    };
    let delivery = message.delivery.as_ref().map(|d| {
        let (words, tone) = format::delivery(d.state, d.delivered_at, d.last_error.as_deref());
        let times = |n: u32| {
            if n == 1 {
                "once".to_owned()
            } else {
                format!("{n} times")
            }
        };
        let detail = match d.state {
            DeliveryState::Waiting if !delivers => {
                Some("It goes once a mail server is configured.".to_owned())
            }
            DeliveryState::Waiting if d.attempts > 0 => Some(format!(
                "Tried {}{}. Next try {}.",
                times(d.attempts),
                d.last_error
                    .as_deref()
                    .map(|e| format!("; the last attempt: {e}"))
                    .unwrap_or_default(),
                format::moment(d.next_attempt_at).text
            )),
            DeliveryState::Failed if d.attempts > 0 => {
                Some(format!("Tried {}.", times(d.attempts)))
            }
            _ => None,
        };
        DeliveryView {
            words,
            tone,
            detail,
        }
    });
    MessageView {
        id: message.id.clone(),
        anchor: format!("message-{}", message.id),
        to_customer,
        way: if to_customer {
            "To the customer"
        } else {
            "From the customer"
        },
        kind: format::message_kind(message.kind),
        by,
        party,
        at: format::moment(message.created_at),
        language: format::language(message.language),
        lang: message.language.tag(),
        subject: message.subject.clone(),
        body: message.body.clone(),
        documents: message.documents.iter().map(DocumentLink::of).collect(),
        failed: message
            .delivery
            .as_ref()
            .is_some_and(|d| d.state == DeliveryState::Failed),
        delivery,
    }
}

/// What the case says when `waiting` messages wait in the outbox and nothing `delivers` them.
pub fn outbox_notice(delivers: bool, waiting: u64) -> Option<String> {
    (!delivers && waiting > 0).then(|| {
        let count = if waiting == 1 {
            "1 message waits".to_owned()
        } else if waiting >= redress_service::records::OUTBOX_COUNTED_UP_TO {
            format!("{waiting} or more messages wait")
        } else {
            format!("{waiting} messages wait")
        };
        format!(
            "No mail server is configured, so messages wait in the outbox ({count} now) and go \
             once one is (redress serve --smtp-url …)."
        )
    })
}

/// A document the message may carry, as a checkbox.
pub struct DocumentChoice {
    /// The checkbox's id.
    id: String,
    /// What the form sends: `credit_note:CN-…`.
    value: String,
    link: DocumentLink,
    ticked: bool,
}

/// The page where an agent edits a drafted message and sends it.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    viewer: Option<Viewer>,
    errors: Vec<FieldError>,
    dispute_id: String,
    /// `Wrong price dispute, INV-A1`.
    dispute: String,
    /// What the agent does: `Explain the charges`.
    act: &'static str,
    kind: &'static str,
    kind_words: &'static str,
    to_name: String,
    to_address: String,
    language: &'static str,
    lang: &'static str,
    language_known: bool,
    missing: Vec<String>,
    subject: String,
    body: String,
    documents: Vec<DocumentChoice>,
    max_subject: usize,
    /// Whether a worker sends the outbox; if not, the message will wait.
    delivers: bool,
}

impl MessagePage {
    fn error(&self, field: &str) -> Option<&str> {
        super::error_of(&self.errors, field)
    }
}

/// What the kind links ask for.
#[derive(Deserialize)]
pub struct DraftQuery {
    kind: Option<String>,
}

/// The kind named `name`, when an agent writes it from the case.
fn written_kind(name: &str) -> Option<MessageKind> {
    MessageKind::from_name(name).filter(|k| WRITTEN.contains(k))
}

/// The page of `draft` about `dispute_id`, its document choices the documents issued on the
/// dispute (the draft's ticked).
async fn draft_page(
    state: &WebState,
    desk: &Desk,
    dispute_id: &str,
    draft: Composed,
) -> Result<MessagePage, Response> {
    let dispute = match state.redress.disputes().get(dispute_id).await {
        Ok(Some(d)) => d,
        Ok(None) => {
            return Err(super::not_found(
                Some(desk.viewer()),
                format!("No dispute has the id {dispute_id}."),
            ));
        }
        Err(e) => return Err(super::unavailable(&e)),
    };
    let resolutions = match state.redress.books().resolutions_of(dispute_id).await {
        Ok(r) => r,
        Err(e) => return Err(super::unavailable(&e)),
    };
    let mut issued: Vec<DocumentRef> = resolutions.iter().filter_map(issued_document).collect();
    for document in &draft.documents {
        if !issued.contains(document) {
            issued.push(document.clone());
        }
    }
    let documents = issued
        .iter()
        .enumerate()
        .map(|(i, d)| DocumentChoice {
            id: if i == 0 {
                "message-documents".to_owned()
            } else {
                format!("message-document-{}", i + 1)
            },
            value: format!("{}:{}", d.kind(), d.id()),
            link: DocumentLink::of(d),
            ticked: draft.documents.contains(d),
        })
        .collect();
    Ok(MessagePage {
        viewer: Some(desk.viewer()),
        errors: Vec::new(),
        dispute_id: dispute.id.clone(),
        dispute: format!(
            "{} dispute, {}",
            format::reason(dispute.reason),
            dispute.invoice_id
        ),
        act: format::message_act(draft.kind),
        kind: draft.kind.as_str(),
        kind_words: format::message_kind(draft.kind),
        to_name: draft.to.name,
        to_address: draft.to.address,
        language: format::language(draft.language),
        lang: draft.language.tag(),
        language_known: draft.language_known,
        missing: draft.missing,
        subject: draft.subject,
        body: draft.body,
        documents,
        max_subject: MAX_SUBJECT_CHARS,
        delivers: state.redress.communication().delivers,
    })
}

/// The case page again, 422 (403 when the service says the viewer may not), with what the
/// service said about writing to the customer by the kinds' list.
async fn refused_on_case(state: &WebState, desk: &Desk, id: &str, e: &ServiceError) -> Response {
    if let ServiceError::Message(MessageRefused::UnknownDispute(_)) = e {
        return super::not_found(Some(desk.viewer()), format!("No dispute has the id {id}."));
    }
    match super::dispute::service_error(e, "write") {
        Ok((status, error)) => {
            super::dispute::refused(state, desk, id, status, vec![error], |_| {}).await
        }
        Err(()) => super::unavailable(e),
    }
}

/// `GET /disputes/{id}/messages/new?kind=…`: a message of that kind drafted from the case, to
/// edit and send.
pub async fn new(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
    Query(query): Query<DraftQuery>,
) -> Response {
    let Some(kind) = query.kind.as_deref().and_then(written_kind) else {
        let error = FieldError {
            field: "write",
            message: "Choose what to write to the customer".to_owned(),
        };
        return super::dispute::refused(
            &state,
            &desk,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![error],
            |_| {},
        )
        .await;
    };
    let draft = match state.redress.messages().draft(&desk.actor, &id, kind).await {
        Ok(draft) => draft,
        Err(e) => return refused_on_case(&state, &desk, &id, &e).await,
    };
    match draft_page(&state, &desk, &id, draft).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(answer) => answer,
    }
}

/// The form's field a refusal of the service is about.
fn refused_field(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::Message(MessageRefused::Invalid { field, .. }) => match *field {
            "body" => "message-body",
            "kind" => "message-kind",
            "documents" => "message-documents",
            _ => "message-subject",
        },
        ServiceError::Message(MessageRefused::NoAddress(_)) => "message-to",
        ServiceError::Message(MessageRefused::NotThisDisputes(_)) => "message-documents",
        _ => "message-subject",
    }
}

/// `POST /disputes/{id}/messages`: the message as the agent wrote it, kept with its outbox
/// entry; back to the case, or the form again with what was typed and what is wrong.
pub async fn send(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<Vec<(String, String)>, MAX_MESSAGE_FORM_BYTES>,
) -> Response {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let Some(kind) = written_kind(field("kind")) else {
        let error = FieldError {
            field: "write",
            message: "Choose what to write to the customer".to_owned(),
        };
        return super::dispute::refused(
            &state,
            &desk,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![error],
            |_| {},
        )
        .await;
    };
    // One line, without the spaces around it; the text exactly as typed, its line breaks as
    // the browser sends them (CR LF) made plain LF.
    let subject = field("subject").trim().to_owned();
    let body = field("body").replace("\r\n", "\n");
    let language = Language::from_tag(field("language"));
    let mut stray = false;
    let documents: Vec<DocumentRef> = form
        .iter()
        .filter(|(k, _)| k == "document")
        .filter_map(|(_, v)| {
            let parsed = v
                .split_once(':')
                .and_then(|(kind, id)| DocumentRef::from_parts(kind, id.to_owned()));
            stray |= parsed.is_none();
            parsed
        })
        .collect();
    let mut errors = Vec::new();
    if subject.contains('\0') {
        errors.push(FieldError {
            field: "message-subject",
            message: "The subject must be text".to_owned(),
        });
    }
    if body.contains('\0') {
        errors.push(FieldError {
            field: "message-body",
            message: "The message must be text".to_owned(),
        });
    }
    if stray {
        errors.push(FieldError {
            field: "message-documents",
            message: "Choose among the documents issued on this dispute".to_owned(),
        });
    }
    let typed = Typed {
        subject: subject.clone(),
        body: body.clone(),
        language,
        documents: documents.clone(),
    };
    if !errors.is_empty() {
        return refused(
            &state,
            &desk,
            &id,
            kind,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            typed,
        )
        .await;
    }
    // The customer's language when the form's is not one we write in (it was not typed).
    let outgoing = Outgoing {
        kind,
        language,
        subject,
        body,
        documents,
    };
    let prepared = state
        .redress
        .messages()
        .prepare_send(&desk.actor, &id, outgoing)
        .await;
    let outcome = match prepared {
        Ok(work) => state.redress.perform(work).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(message) => {
            let done = if state.redress.communication().delivers {
                "message"
            } else {
                "message_waiting"
            };
            super::dispute::back(&id, done, &format!("message-{}", message.id))
        }
        Err(ServiceError::Message(MessageRefused::UnknownDispute(_))) => {
            super::not_found(Some(desk.viewer()), format!("No dispute has the id {id}."))
        }
        Err(e) => match super::dispute::service_error(&e, refused_field(&e)) {
            Ok((status, error)) => {
                refused(&state, &desk, &id, kind, status, vec![error], typed).await
            }
            Err(()) => super::unavailable(&e),
        },
    }
}

/// What the agent sent, kept when the form is shown again.
struct Typed {
    subject: String,
    body: String,
    language: Option<Language>,
    documents: Vec<DocumentRef>,
}

/// The form of a message of `kind` again, answered with `status`, with `errors` and what was
/// typed; the case page instead when the message cannot even be drafted.
async fn refused(
    state: &WebState,
    desk: &Desk,
    id: &str,
    kind: MessageKind,
    status: StatusCode,
    errors: Vec<FieldError>,
    typed: Typed,
) -> Response {
    let draft = match state.redress.messages().draft(&desk.actor, id, kind).await {
        Ok(draft) => draft,
        Err(e) => return refused_on_case(state, desk, id, &e).await,
    };
    match draft_page(state, desk, id, draft).await {
        Ok(mut page) => {
            page.errors = errors;
            page.subject = typed.subject;
            page.body = typed.body;
            if let Some(language) = typed.language {
                page.language = format::language(language);
                page.lang = language.tag();
            }
            for choice in &mut page.documents {
                choice.ticked = typed
                    .documents
                    .iter()
                    .any(|d| format!("{}:{}", d.kind(), d.id()) == choice.value);
            }
            render(status, &page)
        }
        Err(answer) => answer,
    }
}

/// `GET /disputes/{id}/messages`: the conversation, on the case page (where a reload of a
/// refused form's address leads); for someone signed in, as every page of the desk is.
pub async fn conversation(_signed_in: Desk, Path(id): Path<String>) -> Response {
    Redirect::to(&format!("/disputes/{}#messages", path_segment(&id))).into_response()
}
