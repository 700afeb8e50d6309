//! Every `/api/v1` route takes a bearer token; its role decides what the caller may do.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use redress_storage::tokens::Caller;

/// The caller of a request, from its `Authorization: Bearer …` header.
pub struct Authenticated(pub Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized =
            |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                unauthorized("this route needs an API token: Authorization: Bearer TOKEN")
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
        let caller = state
            .store
            .caller(token.trim())
            .await?
            .ok_or_else(|| unauthorized("the API token is unknown or revoked"))?;
        Ok(Self(caller))
    }
}

impl Authenticated {
    /// The caller, if their role may change things (every role but `auditor`).
    pub fn writer(self) -> Result<Caller, ApiError> {
        if self.0.role.can_write() {
            Ok(self.0)
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("the role {} may read but not change anything", self.0.role),
            ))
        }
    }
}
