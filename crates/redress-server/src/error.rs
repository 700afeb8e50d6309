//! The one place where errors become HTTP responses: `{"error": {"code", "message", "details"}}`
//! with the right status, and never a stack trace.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use redress_service::messages::{MailRefused, MessageRefused};
use redress_service::portal::PortalRefused;
use redress_service::practice::PracticeRefused;
use redress_service::records::{
    ArrearsError, DisputeError, InstalmentError, LogError, StatementError, StorageError, UserError,
};
use redress_service::{Denied, IntakeError, ServiceError};
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
    /// Stable, for programs; one of these, with the status it comes with:
    /// `invalid_request` (422: a field, query parameter, path parameter or header is missing
    /// or wrong; 400: the body could not be read at all),
    /// `unauthorized` (401: no token, or one unknown or revoked),
    /// `forbidden` (403: the token's role may not do this),
    /// `own_proposal` (403: no one approves what they proposed),
    /// `not_found` (404),
    /// `method_not_allowed` (405),
    /// `request_timeout` (408: the body stalled),
    /// `already_exists` (409), `invalid_transition` (409), `not_open` (409: the dispute or
    /// the resolution is no longer open), `wrong_status` (409: the arrears case is not in a
    /// status for this), `already_received` (409: the instalment was received already),
    /// `no_address` (409: the customer has no email address to write to),
    /// `idempotency_key_in_use` (409: its first request is still being handled),
    /// `too_large` (413), `unsupported_type` (415),
    /// `idempotency_key_reused` (422: the key came with another request),
    /// `audit_log_broken` (500), `internal_error` (500),
    /// `storage_unavailable` (503: the database could not complete the request; try again).
    pub code: &'static str,
    /// For people; may change.
    pub message: String,
    /// For programs, or `null`: `field` names the request field at fault (a body field, a
    /// query parameter, a path parameter or a header; `max_length` gives the limit of one too
    /// long); a refused move gives `status`, `requested` and `allowed`; a method not allowed
    /// gives `allowed`, the methods the route takes.
    #[schema(value_type = Option<Object>, required = true)]
    pub details: Value,
}

/// Every `code` the API answers with: what `ErrorInfo::code` documents (a test checks both
/// ways), and every code an `ApiError` is made with (checked as it is made, in debug builds, and
/// by a test that reads the source).
pub const CODES: [&str; 20] = [
    "invalid_request",
    "unauthorized",
    "forbidden",
    "own_proposal",
    "not_found",
    "method_not_allowed",
    "request_timeout",
    "already_exists",
    "invalid_transition",
    "not_open",
    "wrong_status",
    "already_received",
    "no_address",
    "idempotency_key_in_use",
    "too_large",
    "unsupported_type",
    "idempotency_key_reused",
    "audit_log_broken",
    "internal_error",
    "storage_unavailable",
];

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

    /// An error with a status, a stable code (one of [`CODES`]) and a message for people.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(
            CODES.contains(&code),
            "`{code}` is not in error::CODES, nor documented"
        );
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
        tracing::error!(error = %e, "the database could not complete a request");
        if matches!(
            e,
            StorageError::Corrupt(_) | StorageError::Unreadable { .. }
        ) {
            // The database answered, with something Redress did not write: trying again will
            // not help, mending the database will.
            return Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the database holds a value Redress cannot read; the server's log names where",
            );
        }
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
            DisputeError::NotAWriter(_) => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
            }
            DisputeError::Storage(e) => e.into(),
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Dispute(e) => e.into(),
            IntakeError::Storage(e) => e.into(),
            other => Self::invalid_field(other.field().unwrap_or("body"), other.to_string()),
        }
    }
}

impl From<redress_domain::resolution::ApprovalError> for ApiError {
    /// Someone who may not approve or refuse (a resolution, a waiver): 403.
    fn from(refused: redress_domain::resolution::ApprovalError) -> Self {
        use redress_domain::resolution::ApprovalError;
        let message = refused.to_string();
        match refused {
            ApprovalError::NotAnApprover(_) => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            ApprovalError::OwnProposal(_) => {
                Self::new(StatusCode::FORBIDDEN, "own_proposal", message)
            }
        }
    }
}

impl From<redress_service::resolutions::ResolveError> for ApiError {
    fn from(e: redress_service::resolutions::ResolveError) -> Self {
        use redress_domain::ledger::LedgerError;
        use redress_service::records::{CorrectionError, CreditNoteError, ResolutionError};
        use redress_service::resolutions::ResolveError;
        match e {
            ResolveError::Invalid { field, message } => Self::invalid_field(field, message),
            ResolveError::Approval(refused) => refused.into(),
            ResolveError::Resolution(e) => match e {
                ResolutionError::Dispute(e) => e.into(),
                ResolutionError::NotFound(_) => Self::not_found(e.to_string()),
                ResolutionError::Approval(refused) => refused.into(),
                ResolutionError::DisputeNotOpen { .. }
                | ResolutionError::NotPending { .. }
                | ResolutionError::NotOffered { .. }
                | ResolutionError::NothingOffered(_) => {
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

/// The methods `path` takes, as the OpenAPI document has them (with HEAD wherever GET is: axum
/// answers it); empty for a path the document lacks.
fn methods_of(document: &utoipa::openapi::OpenApi, path: &str) -> Vec<&'static str> {
    let Some(item) = document.paths.paths.get(path) else {
        return Vec::new();
    };
    [
        ("GET", item.get.is_some()),
        ("HEAD", item.get.is_some() || item.head.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
        ("OPTIONS", item.options.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, taken)| taken.then_some(method))
    .collect()
}

/// A known route asked with a method it does not take: 405 (`method_not_allowed`), with the
/// methods it takes in `details.allowed` and in `Allow`.
pub async fn method_not_allowed(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    parts: axum::http::request::Parts,
) -> Response {
    let path = parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    let allowed = methods_of(&state.openapi, path);
    let message = format!(
        "{path} does not take {}; it takes {}",
        parts.method,
        allowed.join(", ")
    );
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        message,
    )
    .details(json!({ "allowed": allowed }))
    .into_response();
    if let Ok(allow) = axum::http::HeaderValue::from_str(&allowed.join(", ")) {
        response
            .headers_mut()
            .insert(axum::http::header::ALLOW, allow);
    }
    response
}

/// Puts every error answered outside a handler's own `ApiError` (axum's rejections: a path
/// parameter of the wrong type, a query that does not decode, a body too large or unreadable)
/// in the shape and with the codes of the rest: `{"error": {"code", "message", "details"}}`.
pub async fn in_json(
    params: Result<axum::extract::RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    // axum's rejections are a line of text.
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let params: Vec<(String, String)> = params
        .map(|p| {
            p.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut answer = rejection(status, &text, &params).into_response();
    if let Some(allow) = parts.headers.get(axum::http::header::ALLOW) {
        answer
            .headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    answer
}

/// The `ApiError` for a rejection answered with `status` and `text`, on a route whose path
/// parameters are `params` (name, value).
fn rejection(status: StatusCode, text: &str, params: &[(String, String)]) -> ApiError {
    let text = text.trim();
    if let Some(problem) = text.strip_prefix("Invalid URL: ") {
        let field = path_parameter_named(problem, params);
        return ApiError::invalid_field(
            field,
            format!("the path parameter `{field}` is not what this route takes: {problem}"),
        );
    }
    if let Some(problem) = text.strip_prefix("Failed to deserialize query string: ") {
        let field = backticked(problem)
            .into_iter()
            .next()
            .unwrap_or("query")
            .to_owned();
        return ApiError::invalid_field(
            &field,
            format!("the query is not what this route takes: {problem}"),
        );
    }
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            "too_large",
            format!(
                "the request body is larger than the {} bytes taken",
                crate::attachments::MAX_ATTACHMENT_BYTES
            ),
        )
        .details(json!({"field": "body"})),
        StatusCode::BAD_REQUEST => ApiError::new(
            status,
            "invalid_request",
            format!("the request could not be read: {text}"),
        )
        .details(json!({"field": "body"})),
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::invalid_field("body", text),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(status, "unsupported_type", text)
            .details(json!({"field": "Content-Type"})),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method_not_allowed",
            "this route does not take this method",
        ),
        StatusCode::REQUEST_TIMEOUT => ApiError::new(status, "request_timeout", text),
        StatusCode::NOT_FOUND => ApiError::not_found(text),
        _ if status.is_server_error() => {
            tracing::error!(%status, error = %text, "internal error");
            ApiError::new(
                status,
                "internal_error",
                "the server could not complete the request",
            )
        }
        _ => ApiError::new(status, "invalid_request", text),
    }
}

/// The words of `text` between backticks.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Which path parameter axum's `problem` is about: it names the parameter (`Cannot parse
/// `number` with value …`), gives its index in the path (`… at index 1 …`) or quotes its
/// value; a route of one parameter has only that one.
fn path_parameter_named<'a>(problem: &str, params: &'a [(String, String)]) -> &'a str {
    let name = |i: usize| params.get(i).map(|(name, _)| name.as_str());
    let at_index = problem
        .split_once("at index ")
        .and_then(|(_, rest)| rest.split(' ').next()?.parse::<usize>().ok())
        .and_then(name);
    let quoted = || {
        backticked(problem).into_iter().find_map(|word| {
            params
                .iter()
                .find(|(name, value)| name == word || value == word)
                .map(|(name, _)| name.as_str())
        })
    };
    let only = || (params.len() == 1).then(|| name(0)).flatten();
    at_index.or_else(quoted).or_else(only).unwrap_or("path")
}

impl From<ServiceError> for ApiError {
    /// Every refusal of the service, in the API's words: the one mapping of use cases' errors
    /// to HTTP responses.
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Denied(denied) => denied.into(),
            ServiceError::Intake(e) => e.into(),
            ServiceError::Dispute(e) => e.into(),
            ServiceError::Resolve(e) => e.into(),
            ServiceError::Arrears(e) => e.into(),
            ServiceError::Instalment(e) => e.into(),
            ServiceError::User(e) => e.into(),
            ServiceError::Statement(e) => e.into(),
            ServiceError::Log(e) => e.into(),
            ServiceError::Message(e) => e.into(),
            ServiceError::Mail(e) => match e {
                // The mail is at fault: from no customer on no thread of ours, or a delivery
                // report about no message Redress sent.
                MailRefused::UnknownSender(_)
                | MailRefused::NoInvoice(_)
                | MailRefused::BounceOfNoMessage(_) => Self::invalid_field("mail", e.to_string()),
            },
            ServiceError::Portal(e) => e.into(),
            ServiceError::Practice(e) => e.into(),
            ServiceError::Evidence(e) => e.into(),
            ServiceError::Storage(e) => e.into(),
        }
    }
}

impl From<redress_domain::evidence::EvidenceRefused> for ApiError {
    /// A file refused as evidence: named by the part of the request at fault.
    fn from(e: redress_domain::evidence::EvidenceRefused) -> Self {
        use redress_domain::evidence::EvidenceRefused;
        let message = e.to_string();
        match e {
            EvidenceRefused::MediaType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_type",
                message,
            )
            .details(json!({"field": "Content-Type"})),
            EvidenceRefused::TooLarge { .. } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
                    .details(json!({"field": "body"}))
            }
            EvidenceRefused::Empty | EvidenceRefused::ContentMismatch(_) => {
                Self::invalid_field("body", message)
            }
            EvidenceRefused::FileName(_) => Self::invalid_field("X-File-Name", message),
        }
    }
}

impl From<PortalRefused> for ApiError {
    fn from(e: PortalRefused) -> Self {
        match e {
            PortalRefused::Link(_) => Self::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
            PortalRefused::NotYours(_) => Self::not_found(e.to_string()),
            PortalRefused::Invalid { field, .. } => Self::invalid_field(field, e.to_string()),
            PortalRefused::NotNow(_) => {
                Self::new(StatusCode::CONFLICT, "wrong_status", e.to_string())
            }
        }
    }
}

impl From<PracticeRefused> for ApiError {
    /// Practice refused: a case or session not there is a 404; who may not read or do it a
    /// 403; a second answer a 409; the rest names its field.
    fn from(e: PracticeRefused) -> Self {
        let message = e.to_string();
        match e {
            PracticeRefused::NotATrainer(_) | PracticeRefused::NotAnAdmin(_) => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            PracticeRefused::NotYourCase(_) | PracticeRefused::NotYourSession(_) => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            PracticeRefused::UnknownCase(_) | PracticeRefused::UnknownSession(_) => {
                Self::not_found(message)
            }
            PracticeRefused::AnsweredAlready(_) => {
                Self::new(StatusCode::CONFLICT, "wrong_status", message)
            }
            PracticeRefused::UnknownTrainee(_) | PracticeRefused::TraineeIsAnAuditor(_) => {
                Self::invalid_field("trainee", message)
            }
            PracticeRefused::SessionSize(_) => Self::invalid_field("cases", message),
            PracticeRefused::BadAnswer { field, .. } => Self::invalid_field(field, message),
            PracticeRefused::BadPlaybook(_) => Self::invalid_field("steps", message),
        }
    }
}

impl From<MessageRefused> for ApiError {
    fn from(e: MessageRefused) -> Self {
        match e {
            MessageRefused::Invalid { field, .. } => Self::invalid_field(field, e.to_string()),
            MessageRefused::NoAddress(_) => {
                Self::new(StatusCode::CONFLICT, "no_address", e.to_string())
            }
            MessageRefused::UnknownDispute(_) => Self::not_found(e.to_string()),
            MessageRefused::NotThisDisputes(_) => Self::invalid_field("documents", e.to_string()),
            MessageRefused::AlreadyKept(_) => {
                Self::new(StatusCode::CONFLICT, "already_exists", e.to_string())
            }
        }
    }
}

impl From<StatementError> for ApiError {
    fn from(e: StatementError) -> Self {
        match e {
            StatementError::Dispute(e) => e.into(),
            StatementError::NotFound(_) => Self::not_found(e.to_string()),
            StatementError::UnknownUser(_) => Self::invalid_field("asked_of", e.to_string()),
            StatementError::NotAskedOfYou { .. } => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
            }
            StatementError::Answered => {
                Self::new(StatusCode::CONFLICT, "wrong_status", e.to_string())
            }
        }
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", denied.to_string())
    }
}

impl From<ArrearsError> for ApiError {
    fn from(e: ArrearsError) -> Self {
        match e {
            ArrearsError::NotFound(_) => Self::not_found(e.to_string()),
            ArrearsError::Approval(refused) => refused.into(),
            ArrearsError::WrongStatus { .. } => {
                Self::new(StatusCode::CONFLICT, "wrong_status", e.to_string())
            }
            ArrearsError::Plan(refused) => {
                Self::invalid_field("instalment_count", refused.to_string())
            }
            ArrearsError::Compromise(refused) => Self::invalid_field("waived", refused.to_string()),
            ArrearsError::Refused(refused) => Self::invalid_field("option", refused.to_string()),
            ArrearsError::Storage(e) => e.into(),
        }
    }
}

impl From<InstalmentError> for ApiError {
    fn from(e: InstalmentError) -> Self {
        match e {
            InstalmentError::UnknownPlan(_) | InstalmentError::UnknownInstalment { .. } => {
                Self::not_found(e.to_string())
            }
            InstalmentError::AlreadyPaid { .. } => {
                Self::new(StatusCode::CONFLICT, "already_received", e.to_string())
            }
            InstalmentError::Refused(refused) => Self::invalid_field("number", refused.to_string()),
            InstalmentError::Storage(e) => e.into(),
        }
    }
}

impl From<UserError> for ApiError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::Storage(e) => e.into(),
            UserError::Unknown(_) => Self::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
            refused => Self::invalid_field("id", refused.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The codes `ErrorInfo::code`'s description (the OpenAPI schema's) names in backticks.
    fn documented() -> BTreeSet<String> {
        let document = serde_json::to_value(crate::openapi()).unwrap();
        let description =
            document["components"]["schemas"]["ErrorInfo"]["properties"]["code"]["description"]
                .as_str()
                .unwrap()
                .to_owned();
        backticked(&description)
            .into_iter()
            .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_documented_codes_are_the_codes() {
        let codes: BTreeSet<String> = CODES.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(codes.len(), CODES.len(), "a code is listed twice");
        assert_eq!(documented(), codes);
    }

    /// Every string literal given right after a `StatusCode` constant and a comma, as
    /// `ApiError::new` takes a code, in the server's source.
    fn codes_in_source() -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for after in source.split("StatusCode::").skip(1) {
                let rest = after.trim_start_matches(|c: char| c.is_ascii_uppercase() || c == '_');
                let Some(rest) = rest.strip_prefix(',') else {
                    continue;
                };
                let Some(rest) = rest.trim_start().strip_prefix('"') else {
                    continue;
                };
                let code = rest.split('"').next().unwrap();
                if code.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    found.insert(code.to_owned());
                }
            }
        }
        found
    }

    #[test]
    fn every_code_the_server_answers_with_is_documented() {
        let used = codes_in_source();
        // Enough to know the source was read as meant.
        for code in [
            "not_found",
            "unauthorized",
            "own_proposal",
            "already_received",
        ] {
            assert!(
                used.contains(code),
                "{code} not found in the source: {used:?}"
            );
        }
        let documented = documented();
        let missing: Vec<_> = used.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "answered but not documented: {missing:?}"
        );
    }

    #[test]
    fn a_wrong_path_parameter_is_named() {
        let params = [
            ("id".to_owned(), "PLN-1".to_owned()),
            ("number".to_owned(), "abc".to_owned()),
        ];
        let at_index = "Cannot parse value at index 1 with value `abc` to a `u32`";
        assert_eq!(path_parameter_named(at_index, &params), "number");
        let by_name = "Cannot parse `number` with value `abc` to a `u32`";
        assert_eq!(path_parameter_named(by_name, &params), "number");
        let by_value = "Cannot parse `abc` to a `u32`";
        assert_eq!(path_parameter_named(by_value, &params), "number");
        assert_eq!(path_parameter_named("Invalid UTF-8", &params[..1]), "id");
        assert_eq!(path_parameter_named("something else", &params), "path");
    }
}
