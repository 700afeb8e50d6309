//! Attachments over the API: the raw file as the request body, its name in `X-File-Name`, its
//! type in `Content-Type`; limited in size and to the types evidence comes in.

use crate::AppState;
use crate::auth::Authenticated;
use crate::disputes::DisputeId;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{Change, IdempotencyKey, write_once};
use crate::views::{AttachmentList, AttachmentView};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_service::{Actor, Redress};
use utoipa::IntoParams;

/// The limits of an attachment, the desk's and the API's alike.
pub use redress_service::{ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES};

/// The file's name, which an upload carries in a header, as the document describes it.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct FileName {
    /// The file's name, in any language, percent-encoded UTF-8 (`caf%C3%A9.txt`; raw UTF-8
    /// is taken too): up to 255 characters, no slashes, no control characters, not only dots.
    #[param(
        rename = "X-File-Name",
        min_length = 1,
        max_length = 255,
        pattern = r"^[ -.0-\[\]-~]*[!-\-0-\[\]-~][ -.0-\[\]-~]*$",
        example = "invoice-scan.pdf"
    )]
    pub file_name: String,
}

/// An attachment named in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AttachmentId {
    /// The attachment's id.
    pub id: String,
}

/// Attaches an evidence file to the dispute.
///
/// The body is the file itself, its type in `Content-Type` and its name in `X-File-Name`:
/// PDF, PNG, JPEG, text, CSV, JSON or mail, up to 10 MiB. Its bytes must be what its type
/// says (a PDF, PNG or JPEG starts as one does; text, CSV and JSON are UTF-8 without NUL
/// bytes). Content is stored once per SHA-256.
#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/attachments",
    operation_id = "add_attachment",
    tag = "case file",
    params(DisputeId, FileName, IdempotencyKey),
    request_body(description = "The file, as it is", content(
        ("application/pdf"), ("image/png"), ("image/jpeg"), ("text/plain"), ("text/csv"),
        ("message/rfc822"), ("application/json"),
    )),
    responses(
        (status = CREATED, description = "Attached", body = AttachmentView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same `Idempotency-Key` and body, sent again"))),
        (status = FORBIDDEN, description = "The token's role may only read", body = ErrorBody),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
        (status = CONFLICT, description = "A request with this `Idempotency-Key` is still being handled", body = ErrorBody),
        (status = PAYLOAD_TOO_LARGE, description = "The file is larger than 10 MiB", body = ErrorBody),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Redress keeps no evidence of this type", body = ErrorBody),
        (status = UNPROCESSABLE_ENTITY, description = "The file is empty or its bytes are not what its type says, `X-File-Name` is missing or wrong, or the `Idempotency-Key` was used with another body", body = ErrorBody),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/attachments");
    let redress = state.redress.clone();
    write_once(&state, caller, &headers, &route, &body, |actor| {
        attach(redress, actor, &id, &headers, &body)
    })
    .await
}

async fn attach(
    redress: Redress,
    caller: Actor,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Change<AttachmentView>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    // The name as UTF-8 bytes (`café.txt` as a client sends it), or percent-encoded.
    let file_name = match headers
        .get("x-file-name")
        .map(|v| std::str::from_utf8(v.as_bytes()))
    {
        None => String::new(),
        Some(Ok(raw)) => percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map(|name| name.into_owned())
            .unwrap_or_else(|_| raw.to_owned()),
        Some(Err(_)) => {
            return Err(ApiError::invalid_field(
                "X-File-Name",
                "X-File-Name is not UTF-8: send the name as percent-encoded UTF-8 (caf%C3%A9.txt)",
            ));
        }
    };
    // The type, size, content and name are checked by the service, as for every way in.
    Ok(redress
        .disputes()
        .attach(&caller, id, &file_name, &content_type, body)
        .map_err(ApiError::from)
        .map(|attachment| (StatusCode::CREATED, AttachmentView::from(&attachment))))
}

/// The dispute's attachments, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/disputes/{id}/attachments",
    operation_id = "list_attachments",
    tag = "case file",
    params(DisputeId),
    responses(
        (status = OK, description = "The attachments", body = AttachmentList),
        (status = NOT_FOUND, description = "No dispute has this id", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<AttachmentList>, ApiError> {
    crate::disputes::existing_dispute(&state, &id).await?;
    let attachments = state
        .redress
        .disputes()
        .attachments(&id)
        .await?
        .iter()
        .map(AttachmentView::from)
        .collect();
    Ok(Json(AttachmentList { attachments }))
}

/// The file, as it was attached.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}/content",
    operation_id = "attachment_content",
    tag = "case file",
    params(AttachmentId),
    responses(
        (status = OK, description = "The file, with the `Content-Type` it was attached with",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"…\"`, with the name it was attached under")),
            content(
                ("application/pdf"), ("image/png"), ("image/jpeg"), ("text/plain"), ("text/csv"),
                ("message/rfc822"), ("application/json"),
            )),
        (status = NOT_FOUND, description = "No attachment has this id", body = ErrorBody),
    )
)]
pub async fn content(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (attachment, bytes) = state
        .redress
        .disputes()
        .attachment_content(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no attachment has the id `{id}`")))?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        attachment.file_name.replace('"', "")
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, attachment.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
