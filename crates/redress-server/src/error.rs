//! The one place where errors become HTTP responses: `{"error": {"code", "message", "details"}}`
//! with the right status, and never a stack trace.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use redress_service::IntakeError;
use redress_storage::StorageError;
use redress_storage::audit_log::LogError;
use redress_storage::disputes::DisputeError;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": {"code": "invalid_request", "message": "a note needs some text", "details": {"field": "body"}}}))]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorInfo,
}

/// What went wrong, for people and for programs.
#[derive(Serialize, ToSchema)]
pub struct ErrorInfo {
    /// Stable, for programs: `unauthorized`, `forbidden`, `not_found`, `invalid_request`,
    /// `already_exists`, `invalid_transition`, `not_open`, `idempotency_key_reused`,
    /// `idempotency_key_in_use`, `unsupported_type`, `too_large`, `storage_unavailable`,
    /// `audit_log_broken`, `internal_error`.
    pub code: &'static str,
    /// For people; may change.
    pub message: String,
    /// For programs, or `null`: `field` names the request field at fault (a body field, a
    /// query parameter or a header); a refused move gives `status`, `requested` and `allowed`.
    #[schema(value_type = Option<Object>, required = true)]
    pub details: Value,
}

/// An error as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Value,
}

impl ApiError {
    /// Its message for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// An error with a status, a stable code and a message for people.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    /// Adds machine-readable details.
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// A request field that is missing or wrong (422), named in the details.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
            .details(json!({ "field": field }))
    }

    /// No such thing (404).
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what)
    }
}

impl ApiError {
    /// The status and body of the response.
    pub fn parts(self) -> (StatusCode, ErrorBody) {
        let body = ErrorBody {
            error: ErrorInfo {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        (self.status, body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.parts();
        (status, Json(body)).into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        // The cause goes to the server's log, not to the caller.
        eprintln!("storage error: {e}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "the database could not complete the request; try again",
        )
    }
}

impl From<LogError> for ApiError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::Storage(e) => e.into(),
            broken => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "audit_log_broken",
                broken.to_string(),
            ),
        }
    }
}

impl From<DisputeError> for ApiError {
    fn from(e: DisputeError) -> Self {
        match e {
            DisputeError::NotFound(id) => Self::not_found(format!("no dispute has the id `{id}`")),
            DisputeError::Exists(id) => Self::new(
                StatusCode::CONFLICT,
                "already_exists",
                format!("a dispute with the id `{id}` already exists"),
            ),
            DisputeError::Transition(refused) => {
                let allowed: Vec<&str> = refused.allowed().iter().map(|s| s.as_str()).collect();
                Self::new(StatusCode::CONFLICT, "invalid_transition", refused.to_string())
                    .details(json!({ "status": refused.from.as_str(), "requested": refused.to.as_str(), "allowed": allowed }))
            }
            DisputeError::NotOpen { id, status } => Self::new(
                StatusCode::CONFLICT,
                "not_open",
                format!("dispute {id} is {status}: it can no longer be escalated"),
            )
            .details(json!({ "status": status.as_str() })),
            DisputeError::Storage(e) => e.into(),
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Dispute(e) => e.into(),
            IntakeError::Storage(e) => e.into(),
            other => {
                let field = other.field().unwrap_or("body");
                let message = other.to_string();
                Self::invalid_field(
                    field,
                    message
                        .split_once(": ")
                        .map_or(message.as_str(), |(_, m)| m),
                )
            }
        }
    }
}

impl From<redress_domain::resolution::ApprovalError> for ApiError {
    /// Someone who may not approve or refuse (a resolution, a waiver): 403.
    fn from(refused: redress_domain::resolution::ApprovalError) -> Self {
        use redress_domain::resolution::ApprovalError;
        let code = match refused {
            ApprovalError::NotAnApprover(_) => "forbidden",
            ApprovalError::OwnProposal(_) => "own_proposal",
        };
        Self::new(StatusCode::FORBIDDEN, code, refused.to_string())
    }
}

impl From<redress_service::resolutions::ResolveError> for ApiError {
    fn from(e: redress_service::resolutions::ResolveError) -> Self {
        use redress_domain::ledger::LedgerError;
        use redress_service::resolutions::ResolveError;
        use redress_storage::documents::CorrectionError;
        use redress_storage::ledger::CreditNoteError;
        use redress_storage::resolutions::ResolutionError;
        match e {
            ResolveError::Invalid { field, message } => Self::invalid_field(field, message),
            ResolveError::Approval(refused) => refused.into(),
            ResolveError::Resolution(e) => match e {
                ResolutionError::Dispute(e) => e.into(),
                ResolutionError::NotFound(_) => Self::not_found(e.to_string()),
                ResolutionError::Approval(refused) => refused.into(),
                ResolutionError::DisputeNotOpen { .. } | ResolutionError::NotPending { .. } => {
                    Self::new(StatusCode::CONFLICT, "not_open", e.to_string())
                }
                ResolutionError::CreditNote(CreditNoteError::Storage(e))
                | ResolutionError::Storage(e) => e.into(),
                ResolutionError::CreditNote(refused) => {
                    Self::invalid_field("lines", refused.to_string())
                }
                ResolutionError::Correction(CorrectionError::Storage(e)) => e.into(),
                ResolutionError::Correction(refused) => {
                    Self::invalid_field("lines", refused.to_string())
                }
                ResolutionError::Refused(refused) => {
                    let field = match refused {
                        LedgerError::UnknownPayment(_) => "payment_id",
                        LedgerError::UnknownInvoice(_) => "invoice_id",
                        LedgerError::WrongCurrency { .. } => "currency",
                        LedgerError::UnknownLine { .. }
                        | LedgerError::CreditAboveLine { .. }
                        | LedgerError::NotACreditAmount { .. } => "lines",
                        _ => "amount",
                    };
                    Self::invalid_field(field, refused.to_string())
                }
            },
        }
    }
}
