//! Every `/api/v1` route takes a bearer token; its role decides what the caller may do.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use redress_service::Actor;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Tokens found valid in the last [`RecentTokens::FOR`], so that a client sending many requests
/// costs one database lookup every few seconds instead of one per request. Only valid tokens
/// are kept: a token just created works at once.
#[derive(Default)]
pub struct RecentTokens {
    checked: Mutex<HashMap<String, (Actor, Instant)>>,
}

impl RecentTokens {
    /// How long a check holds. A revoked token stops working at most this much later.
    pub const FOR: Duration = Duration::from_secs(5);
    /// More tokens than this at once, and the oldest checks are forgotten.
    const MOST: usize = 10_000;

    fn get(&self, token: &str) -> Option<Actor> {
        let checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        let (caller, at) = checked.get(token)?;
        (at.elapsed() < Self::FOR).then(|| caller.clone())
    }

    fn put(&self, token: &str, caller: Actor) {
        let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        if checked.len() >= Self::MOST {
            checked.retain(|_, (_, at)| at.elapsed() < Self::FOR);
            if checked.len() >= Self::MOST {
                checked.clear();
            }
        }
        checked.insert(token.to_owned(), (caller, Instant::now()));
    }
}

/// The caller of a request, from its `Authorization: Bearer …` header.
pub struct Authenticated(pub Actor);

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
        let token = token.trim();
        if let Some(caller) = state.tokens.get(token) {
            return Ok(Self(caller));
        }
        let caller = state
            .redress
            .people()
            .authenticate(token)
            .await?
            .ok_or_else(|| unauthorized("the API token is unknown or revoked"))?;
        state.tokens.put(token, caller.clone());
        Ok(Self(caller))
    }
}
