//! Messages with the customer over the API: a dispute's conversation, a message drafted from
//! the case in the customer's language, sending it as edited (through the outbox), and a
//! customer's mail received (the raw RFC 822 message a mail server pipes in).

use crate::AppState;
use crate::auth::Authenticated;
use crate::disputes::{DisputeId, existing_dispute, write};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::IdempotencyKey;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_domain::message::{DocumentRef, MessageKind};
use redress_domain::{Language, timestamp_text};
use redress_service::messages::{
    BounceEffect, BounceKind, BounceReport, Bounced, Composed, Outgoing, ReceiveOutcome,
    ReceivedMail,
};
use redress_service::records::StoredMessage;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A document sent with a message.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct DocumentView {
    /// `credit_note` or `issued_invoice`.
    #[schema(value_type = crate::views::DocumentKindNames)]
    pub kind: String,
    /// Its id; `GET /api/v1/credit-notes/{id}` or `/api/v1/issued-invoices/{id}` with
    /// `Accept: application/pdf` gives it as PDF.
    pub id: String,
}

impl From<&DocumentRef> for DocumentView {
    fn from(document: &DocumentRef) -> Self {
        Self {
            kind: document.kind().to_owned(),
            id: document.id().to_owned(),
        }
    }
}

/// Where a message to the customer stands.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    /// `waiting`, `sending`, `delivered` or `failed`.
    pub state: String,
    /// How many times sending was tried.
    pub attempts: u32,
    /// When it is next tried (RFC 3339), while it waits.
    #[schema(format = DateTime)]
    pub next_attempt_at: String,
    /// Why the last attempt failed, in the mail server's words.
    pub last_error: Option<String>,
    /// When the mail server took it (RFC 3339).
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
}

/// A message to or from the customer, exactly as sent or received.
#[derive(Serialize, ToSchema)]
pub struct MessageView {
    /// Its id.
    pub id: String,
    /// The dispute.
    pub dispute_id: Option<String>,
    /// `to_customer` or `from_customer`.
    pub direction: String,
    /// `acknowledgement`, `information_request`, `explanation`, `resolution_offer`,
    /// `status_update`, `confirmation`, `arrears_notice`, `satisfaction_follow_up`, `note` or
    /// `customer_reply`.
    pub kind: String,
    /// `en-US`, `es` or `zh-Hans`.
    pub language: String,
    /// The customer's address.
    pub address: String,
    /// The customer's name.
    pub name: String,
    /// Its subject.
    pub subject: String,
    /// Its text.
    pub body: String,
    /// Its Message-ID.
    pub mail_id: String,
    /// The documents sent with it.
    pub documents: Vec<DocumentView>,
    /// Who wrote it: a user's id, `system`, or the customer's address.
    pub written_by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Its delivery, for a message to the customer.
    pub delivery: Option<DeliveryView>,
}

impl From<&StoredMessage> for MessageView {
    fn from(m: &StoredMessage) -> Self {
        Self {
            id: m.id.clone(),
            dispute_id: m.dispute_id.clone(),
            direction: m.direction.as_str().to_owned(),
            kind: m.kind.as_str().to_owned(),
            language: m.language.tag().to_owned(),
            address: m.address.clone(),
            name: m.name.clone(),
            subject: m.subject.clone(),
            body: m.body.clone(),
            mail_id: m.mail_id.clone(),
            documents: m.documents.iter().map(DocumentView::from).collect(),
            written_by: m.written_by.clone(),
            created_at: timestamp_text(m.created_at),
            delivery: m.delivery.as_ref().map(|d| DeliveryView {
                state: d.state.as_str().to_owned(),
                attempts: d.attempts,
                next_attempt_at: timestamp_text(d.next_attempt_at),
                last_error: d.last_error.clone(),
                delivered_at: d.delivered_at.map(timestamp_text),
            }),
        }
    }
}

/// A dispute's messages.
#[derive(Serialize, ToSchema)]
pub struct MessageList {
    /// Oldest first.
    pub messages: Vec<MessageView>,
}

/// A dispute's messages with the customer, oldest first, each with its delivery.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/messages",
    operation_id = "list_messages",
    tag = "messages",
    params(DisputeId),
    responses(
        (status = OK, description = "The messages", body = MessageList),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<MessageList>, ApiError> {
    existing_dispute(&state, &id).await?;
    let messages = state.redress.messages().of_dispute(&id).await?;
    Ok(Json(MessageList {
        messages: messages.iter().map(MessageView::from).collect(),
    }))
}

/// The kind of message to draft.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftQuery {
    /// `information_request`, `explanation`, `resolution_offer`, `status_update`,
    /// `confirmation`, `satisfaction_follow_up` or `note`.
    #[param(value_type = crate::views::MessageKindNames)]
    kind: String,
}

/// A message drafted from the case, for an agent to edit and send.
#[derive(Serialize, ToSchema)]
pub struct DraftView {
    /// Its kind.
    pub kind: String,
    /// The language it is written in: the customer's, or `en-US` when we do not write theirs.
    pub language: String,
    /// Whether the customer's language is one we write in.
    pub language_known: bool,
    /// The customer's name.
    pub to_name: String,
    /// The customer's address.
    pub to_address: String,
    /// Its subject.
    pub subject: String,
    /// Its text.
    pub body: String,
    /// The messages missing in the language, written in English instead.
    pub missing: Vec<String>,
    /// The documents it would send.
    pub documents: Vec<DocumentView>,
}

impl From<Composed> for DraftView {
    fn from(c: Composed) -> Self {
        Self {
            kind: c.kind.as_str().to_owned(),
            language: c.language.tag().to_owned(),
            language_known: c.language_known,
            to_name: c.to.name,
            to_address: c.to.address,
            subject: c.subject,
            body: c.body,
            missing: c.missing,
            documents: c.documents.iter().map(DocumentView::from).collect(),
        }
    }
}

fn kind_named(name: &str) -> Result<MessageKind, ApiError> {
    let drafted = |k: &MessageKind| MessageKind::DRAFTED_FOR_A_DISPUTE.contains(k);
    MessageKind::from_name(name).filter(drafted).ok_or_else(|| {
        ApiError::invalid_field(
            "kind",
            format!(
                "`{name}` is not a kind of message (expected one of {})",
                redress_service::messages::drafted_kinds()
            ),
        )
    })
}

/// Drafts a message from the case, in the customer's language, for an agent to edit and send:
/// the charges explained line by line with the contract, deliveries, payments and notices; the
/// offer (or the rejection with its proofs); a request for information; a status update; the
/// confirmation with its documents.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/messages/draft",
    operation_id = "draft_message",
    tag = "messages",
    params(DisputeId, DraftQuery),
    responses(
        (status = OK, description = "The draft", body = DraftView),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "The customer has no email address (`no_address`)", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "The kind is unknown (`details.field`)", body = ErrorBody),
    )
)]
pub async fn draft(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    Query(query): Query<DraftQuery>,
) -> Result<Json<DraftView>, ApiError> {
    let kind = kind_named(&query.kind)?;
    let composed = state.redress.messages().draft(&caller.0, &id, kind).await?;
    Ok(Json(composed.into()))
}

/// The body of `POST /api/v1/disputes/{id}/messages`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// Its kind (as drafted).
    #[schema(value_type = crate::views::MessageKindNames)]
    kind: String,
    /// `en-US`, `es` or `zh-Hans` (as drafted); the customer's when left out.
    #[schema(value_type = Option<crate::views::LanguageNames>)]
    language: Option<String>,
    /// Its subject, one line, not blank.
    #[schema(min_length = 1, pattern = r"^[^\u0000\r\n]*[^\s\u0000][^\u0000\r\n]*$")]
    subject: String,
    /// Its text, not blank.
    #[schema(min_length = 1, pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$")]
    body: String,
    /// The documents to send with it, as PDFs: this dispute's credit notes and issued invoices.
    #[serde(default)]
    documents: Vec<DocumentView>,
}

/// Sends a message to the customer about the dispute, exactly as written: kept with its outbox
/// entry in one transaction, and delivered by the mail worker (with its documents as PDFs).
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/messages",
    operation_id = "send_message",
    tag = "messages",
    params(DisputeId, IdempotencyKey),
    request_body = NewMessage,
    responses(
        (status = CREATED, description = "Kept, waiting in the outbox", body = MessageView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "The customer has no email address (`no_address`), or a request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "The kind, language, subject, text or a document is wrong (`details.field`), or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/messages");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: NewMessage| async move {
            let kind = kind_named(&body.kind)?;
            let language = match body.language.as_deref() {
                None => None,
                Some(tag) => Some(Language::from_tag(tag).ok_or_else(|| {
                    ApiError::invalid_field(
                        "language",
                        format!("`{tag}` is not a language we write in (expected en-US, es or zh-Hans)"),
                    )
                })?),
            };
            let documents = body
                .documents
                .iter()
                .map(|d| {
                    DocumentRef::from_parts(&d.kind, d.id.clone()).ok_or_else(|| {
                        ApiError::invalid_field(
                            "documents",
                            format!(
                                "`{}` is not a kind of document (expected credit_note or issued_invoice)",
                                d.kind
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let work = redress
                .messages()
                .prepare_send(
                    &actor,
                    &id,
                    Outgoing {
                        kind,
                        language,
                        subject: body.subject,
                        body: body.body,
                        documents,
                    },
                )
                .await?;
            Ok(work
                .map_err(ApiError::from)
                .map(|sent| (StatusCode::CREATED, MessageView::from(&sent))))
        },
    )
    .await
}

/// What became of a customer's mail.
#[derive(Serialize, ToSchema)]
pub struct ReceivedView {
    /// The dispute it went to.
    pub dispute_id: String,
    /// Whether a new dispute was opened for it (an unknown thread from a customer's address).
    pub opened: bool,
    /// The files kept in the case file.
    pub attachments_kept: usize,
    /// Whether the same mail had been received before (nothing was kept again).
    pub already_kept: bool,
    /// The message kept.
    pub message: MessageView,
}

/// What a mail server's delivery report (a bounce) about a message Redress sent did.
#[derive(Serialize, ToSchema)]
pub struct BounceView {
    /// `marked_failed`: the message's delivery failed now (`message.delivery.last_error` gives
    /// the report's words; a `message_bounced` event is on its dispute's history);
    /// `already_failed`: it had failed before (the same report again), nothing changed;
    /// `delayed`: only a delay notice, nothing changed.
    pub bounce: String,
    /// The message it reports on; `null` only for a delay notice that names none of ours.
    pub message_id: Option<String>,
    /// The message's dispute, if it is about one.
    pub dispute_id: Option<String>,
    /// The message, as it now stands.
    pub message: Option<MessageView>,
}

/// What became of a received mail: a customer's mail kept before, or a delivery report.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum InboundView {
    /// A customer's mail.
    Reply(ReceivedView),
    /// A delivery report (it has `bounce`).
    Bounce(BounceView),
}

/// Takes a customer's mail, as the raw RFC 822 message a mail server gives
/// (`Content-Type: message/rfc822`): threaded to its dispute by the message it answers, or by
/// the dispute its subject names when the sender is that dispute's customer; from a customer's
/// address on an unknown thread, a new dispute is opened. Its attachments go into the case file
/// (within the evidence limits; the others are listed in the message). A mail server's delivery
/// report (a bounce) about a message Redress sent is no customer's mail: a failure marks that
/// message's delivery failed, with the report's words and a `message_bounced` event; a delay
/// notice changes nothing. `redress mail receive` does the same from standard input.
#[utoipa::path(
    post,
    path = "/api/v1/mail/inbound",
    operation_id = "receive_mail",
    tag = "messages",
    request_body(description = "The mail, as received", content(("message/rfc822"))),
    responses(
        (status = CREATED, description = "Kept", body = ReceivedView),
        (status = OK, description = "The same mail was kept before (a `ReceivedView`), or a delivery report about a message Redress sent was taken (a `BounceView`, with `bounce`)", body = InboundView),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = PAYLOAD_TOO_LARGE, description = "The mail is larger than 10 MiB (`redress mail receive` takes up to 25 MiB)", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "Not a mail, no sender, from no customer on a thread of no dispute, or a delivery report about no message Redress sent (`details.field` is `mail`)", body = ErrorBody),
    )
)]
pub async fn receive(
    State(state): State<AppState>,
    caller: Authenticated,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    if !caller.0.role.can_write() {
        return Err(ApiError::from(redress_service::ServiceError::Denied(
            redress_service::Denied::ReadOnly(caller.0.role),
        )));
    }
    let mail = parse_mail(&bytes)?;
    let received = match state.redress.messages().receive(mail).await? {
        ReceiveOutcome::Reply(received) => received,
        ReceiveOutcome::Bounce(bounced) => {
            return Ok((StatusCode::OK, Json(BounceView::from(&bounced))).into_response());
        }
    };
    let status = if received.already_kept {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(ReceivedView {
            dispute_id: received.dispute_id,
            opened: received.opened,
            attachments_kept: received.attachments,
            already_kept: received.already_kept,
            message: MessageView::from(&received.message),
        }),
    )
        .into_response())
}

impl From<&Bounced> for BounceView {
    fn from(bounced: &Bounced) -> Self {
        let message = bounced.message.as_ref();
        Self {
            bounce: match bounced.effect {
                BounceEffect::MarkedFailed => "marked_failed",
                BounceEffect::AlreadyFailed => "already_failed",
                BounceEffect::Delayed => "delayed",
            }
            .to_owned(),
            message_id: message.map(|m| m.id.clone()),
            dispute_id: message.and_then(|m| m.dispute_id.clone()),
            message: message.map(MessageView::from),
        }
    }
}

/// A raw mail taken apart for the service, within the evidence limits.
pub fn parse_mail(raw: &[u8]) -> Result<ReceivedMail, ApiError> {
    // The API takes bodies up to the largest attachment; `redress mail receive` takes mails up
    // to the mailer's own limit.
    let limits = redress_mailer::InboundLimits {
        max_message_bytes: crate::attachments::MAX_ATTACHMENT_BYTES,
        ..Default::default()
    };
    let mail = redress_mailer::parse_inbound(raw, &limits).map_err(|e| match e {
        redress_mailer::InboundError::TooLarge { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
        }
        other => ApiError::invalid_field("mail", other.to_string()),
    })?;
    Ok(received_mail(mail))
}

/// What the service keeps of a parsed mail.
pub fn received_mail(mail: redress_mailer::InboundMail) -> ReceivedMail {
    let reference = redress_mailer::dispute_reference(&mail);
    let mut thread = mail.in_reply_to.clone();
    thread.extend(mail.references.iter().rev().cloned());
    ReceivedMail {
        from: mail.from,
        from_name: mail.from_name,
        subject: mail.subject,
        message_id: mail.message_id,
        thread,
        reference,
        text: if mail.reply_text.trim().is_empty() {
            mail.text
        } else {
            mail.reply_text
        },
        attachments: mail
            .attachments
            .into_iter()
            .map(|a| (a.file_name, a.media_type, a.bytes))
            .collect(),
        refused: mail
            .refused_attachments
            .iter()
            .map(|r| format!("{}: {}", r.file_name, r.reason))
            .collect(),
        bounce: mail.bounce.map(|bounce| BounceReport {
            original_message_ids: bounce.original_message_ids,
            recipients: bounce.recipients,
            status: bounce.status,
            diagnostic: bounce.diagnostic,
            kind: if bounce.permanent {
                BounceKind::Failed
            } else {
                BounceKind::Delayed
            },
        }),
    }
}

/// A customer's portal link (never its token, but when just made).
#[derive(Serialize, ToSchema)]
pub struct PortalLinkView {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The dispute it was made about, if one.
    pub dispute_id: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it stops working (RFC 3339).
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// When it was revoked (RFC 3339).
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
    /// When it was last opened (RFC 3339).
    #[schema(format = DateTime)]
    pub last_visit_at: Option<String>,
    /// The link to give the customer: only in the answer that made it.
    pub url: Option<String>,
}

impl PortalLinkView {
    fn of(link: &redress_service::records::PortalLink, url: Option<String>) -> Self {
        Self {
            id: link.id.clone(),
            customer_id: link.customer_id.clone(),
            dispute_id: link.dispute_id.clone(),
            created_by: link.created_by.clone(),
            created_at: timestamp_text(link.created_at),
            expires_at: timestamp_text(link.expires_at),
            revoked_at: link.revoked_at.map(timestamp_text),
            last_visit_at: link.last_visit_at.map(timestamp_text),
            url,
        }
    }
}

/// A customer's portal links.
#[derive(Serialize, ToSchema)]
pub struct PortalLinkList {
    /// Newest first.
    pub links: Vec<PortalLinkView>,
}

/// The body of `POST /api/v1/customers/{id}/portal-links`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPortalLink {
    /// The dispute it is about, if one.
    dispute_id: Option<String>,
}

/// A customer named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CustomerPath {
    /// The customer's id.
    pub id: String,
}

/// A new portal link for the customer (about one of their disputes), working for the
/// business's usual number of days: its `url` is given in this answer only.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/portal-links",
    operation_id = "issue_portal_link",
    tag = "messages",
    params(CustomerPath, IdempotencyKey),
    request_body = NewPortalLink,
    responses(
        (status = CREATED, description = "Made", body = PortalLinkView),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No such customer, or the dispute is not theirs", body = ErrorBody),
    )
)]
pub async fn issue_link(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/customers/{id}/portal-links");
    let state2 = state.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, body: NewPortalLink| async move {
            if state2.redress.billing().customer(&id).await?.is_none() {
                return Err(ApiError::not_found(format!(
                    "no customer has the id `{id}`"
                )));
            }
            if let Some(dispute) = &body.dispute_id {
                let found = existing_dispute(&state2, dispute).await?;
                if found.customer_id != id {
                    return Err(ApiError::not_found(format!(
                        "the dispute `{dispute}` is not customer `{id}`'s"
                    )));
                }
            }
            Ok(state2
                .redress
                .portal()
                .issue_work(&actor, &id, body.dispute_id.as_deref())
                .map_err(ApiError::from)
                .map(|(issued, url)| {
                    (
                        StatusCode::CREATED,
                        PortalLinkView::of(&issued.link, Some(url)),
                    )
                }))
        },
    )
    .await
}

/// The customer's portal links, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/portal-links",
    operation_id = "list_portal_links",
    tag = "messages",
    params(CustomerPath),
    responses((status = OK, description = "The links", body = PortalLinkList))
)]
pub async fn links(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<PortalLinkList>, ApiError> {
    let links = state.redress.portal().links_of(&id).await?;
    Ok(Json(PortalLinkList {
        links: links.iter().map(|l| PortalLinkView::of(l, None)).collect(),
    }))
}

/// A portal link named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct LinkPath {
    /// The link's id.
    pub id: String,
}

/// Revokes a portal link: it opens nothing from now on.
#[utoipa::path(
    post,
    path = "/api/v1/portal-links/{id}/revoke",
    operation_id = "revoke_portal_link",
    tag = "messages",
    params(LinkPath, IdempotencyKey),
    responses(
        (status = OK, description = "Revoked", body = PortalLinkView),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No link has this id", body = ErrorBody),
    )
)]
pub async fn revoke_link(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let route = format!("POST /api/v1/portal-links/{id}/revoke");
    let redress = state.redress.clone();
    write(
        &state,
        caller,
        &headers,
        route,
        &bytes,
        |actor, _: Empty| async move {
            let missing = format!("no portal link has the id `{id}`");
            Ok(redress
                .portal()
                .revoke_work(&actor, &id)
                .map_err(ApiError::from)
                .and_then(move |link| match link {
                    Some(link) => Ok((StatusCode::OK, PortalLinkView::of(&link, None))),
                    None => Err(ApiError::not_found(missing)),
                }))
        },
    )
    .await
}

/// An empty body (`{}`, or none).
#[derive(Deserialize)]
pub struct Empty {}

/// Where one target of a dispute stands.
#[derive(Serialize, ToSchema)]
pub struct TargetView {
    /// `acknowledge`, `respond` or `resolve`.
    pub stage: String,
    /// `met`, `running`, `warning`, `breached` or `paused`.
    pub state: String,
    /// When it is (or was) due (RFC 3339), while it runs, warns or is breached.
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
    /// When it was met (RFC 3339).
    #[schema(format = DateTime)]
    pub met_at: Option<String>,
    /// Whether it was met in time.
    pub on_time: Option<bool>,
    /// Business minutes past due, when breached.
    pub overdue_minutes: Option<u32>,
    /// Business minutes left, while paused.
    pub remaining_minutes: Option<u32>,
}

/// A dispute against the service levels promised.
#[derive(Serialize, ToSchema)]
pub struct ServiceLevelsView {
    /// The three targets.
    pub targets: Vec<TargetView>,
    /// When one of them next changes by time alone (RFC 3339).
    #[schema(format = DateTime)]
    pub next_change: Option<String>,
}

/// Where the dispute stands against the service levels promised (acknowledge, first response,
/// resolve), counted in business time in the business calendar, paused while it waits on the
/// customer.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/service-levels",
    operation_id = "dispute_service_levels",
    tag = "disputes",
    params(DisputeId),
    responses(
        (status = OK, description = "The targets", body = ServiceLevelsView),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
    )
)]
pub async fn service_levels(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ServiceLevelsView>, ApiError> {
    use redress_domain::service_level::{Stage, TargetState};
    let levels = state
        .redress
        .disputes()
        .service_levels(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no dispute has the id `{id}`")))?;
    let targets = Stage::ALL
        .iter()
        .map(|stage| {
            let target = levels.state(*stage);
            let mut view = TargetView {
                stage: stage.as_str().to_owned(),
                state: target.as_str().to_owned(),
                due_at: None,
                met_at: None,
                on_time: None,
                overdue_minutes: None,
                remaining_minutes: None,
            };
            match target {
                TargetState::Met { at, on_time } => {
                    view.met_at = Some(timestamp_text(at));
                    view.on_time = Some(on_time);
                }
                TargetState::Running { due_at, .. } | TargetState::Warning { due_at } => {
                    view.due_at = Some(timestamp_text(due_at));
                }
                TargetState::Breached { due_at, overdue } => {
                    view.due_at = Some(timestamp_text(due_at));
                    view.overdue_minutes = Some(overdue.minutes());
                }
                TargetState::Paused { remaining, .. } => {
                    view.remaining_minutes = Some(remaining.minutes());
                }
            }
            view
        })
        .collect();
    Ok(Json(ServiceLevelsView {
        targets,
        next_change: levels.next_change.map(timestamp_text),
    }))
}

/// A message named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MessagePath {
    /// The message's id.
    pub id: String,
}

/// One message, exactly as sent or received; with `Accept: application/pdf`, a message to the
/// customer as a letter (PDF) in its language, for the case file or the post.
#[utoipa::path(
    get,
    path = "/api/v1/messages/{id}",
    operation_id = "get_message",
    tag = "messages",
    params(MessagePath),
    responses(
        (status = OK, description = "The message; with `Accept: application/pdf`, the letter",
            content((MessageView = "application/json"), ("application/pdf"))),
        (status = NOT_FOUND, description = "No message has this id (or none to a customer, for a letter)", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let missing = || ApiError::not_found(format!("no message has the id `{id}`"));
    if crate::ledger::wants_pdf(&headers) {
        let pdf = state
            .redress
            .documents()
            .letter(&id)
            .await?
            .ok_or_else(missing)?;
        return Ok(crate::ledger::pdf_response(pdf));
    }
    let message = state
        .redress
        .messages()
        .get(&id)
        .await?
        .ok_or_else(missing)?;
    Ok(Json(MessageView::from(&message)).into_response())
}
