//! Attachments over the API: the raw file as the request body, its name in `X-File-Name`, its
//! type in `Content-Type`; limited in size and to the types evidence comes in.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::idempotency::write_once;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_storage::attachments::Attachment;
use serde_json::{Value, json};

/// The largest attachment taken: 10 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 << 20;

/// The media types evidence comes in: documents, pictures, mail, spreadsheets as text.
pub const ATTACHMENT_TYPES: [&str; 7] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "message/rfc822",
    "application/json",
];

fn attachment_json(a: &Attachment) -> Value {
    json!({
        "id": a.id, "dispute_id": a.dispute_id, "sha256": a.sha256, "file_name": a.file_name,
        "content_type": a.content_type, "size": a.size, "uploaded_by": a.uploaded_by, "created_at": a.created_at,
    })
}

/// `POST /api/v1/disputes/{id}/attachments`. Honours `Idempotency-Key`.
pub async fn add(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let route = format!("POST /api/v1/disputes/{id}/attachments");
    write_once(&state, caller, &headers, &route, &body, |actor| {
        attach(&state, actor, &id, &headers, &body)
    })
    .await
}

async fn attach(
    state: &AppState,
    caller: String,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StatusCode, Value), ApiError> {
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
    if !ATTACHMENT_TYPES.contains(&content_type.as_str()) {
        let message = format!(
            "`{content_type}` is not a type of evidence Redress keeps (expected one of {})",
            ATTACHMENT_TYPES.join(", ")
        );
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            message,
        )
        .details(json!({"field": "Content-Type"})));
    }
    if body.is_empty() {
        return Err(ApiError::invalid_field("body", "the attachment is empty"));
    }
    if body.len() > MAX_ATTACHMENT_BYTES {
        let message = format!(
            "the attachment is {} bytes; at most {MAX_ATTACHMENT_BYTES} are taken",
            body.len()
        );
        return Err(
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
                .details(json!({"field": "body"})),
        );
    }
    let file_name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.len() <= 255 && !n.contains(['/', '\\']))
        .ok_or_else(|| {
            ApiError::invalid_field(
                "X-File-Name",
                "the X-File-Name header must name the file (up to 255 characters, no slashes)",
            )
        })?;
    let attachment = state
        .store
        .add_attachment(id, file_name, &content_type, body, &caller)
        .await?;
    Ok((StatusCode::CREATED, attachment_json(&attachment)))
}

/// `GET /api/v1/disputes/{id}/attachments`.
pub async fn list(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    crate::disputes::existing_dispute(&state, &id).await?;
    let attachments: Vec<Value> = state
        .store
        .attachments(&id)
        .await?
        .iter()
        .map(attachment_json)
        .collect();
    Ok(Json(json!({ "attachments": attachments })))
}

/// `GET /api/v1/attachments/{id}/content`: the file, as it was attached.
pub async fn content(
    State(state): State<AppState>,
    _caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (attachment, bytes) = state
        .store
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
