//! Who holds the link, and whether a form may be taken.
//!
//! The portal has no session and sets no cookie: the link's token is in every address. Every
//! POST form carries a CSRF token derived from the link's token (the SHA-256 of `csrf:` and the
//! token, in hex), compared in constant time; and a POST that a browser says came from another
//! site (`Sec-Fetch-Site`, or an `Origin` that is not this host) is refused before anything is
//! read.

use crate::PortalState;
use crate::pages;
use crate::text::Texts;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use redress_service::ServiceError;
use redress_service::portal::{PortalRefused, Visitor};
use redress_service::records::LinkRefused;
use sha2::{Digest, Sha256};

/// The most a form's body may hold, in bytes: the portal's forms are a few fields of text (a
/// reply is at most 20,000 characters, up to 4 bytes each, URL-encoded).
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// The CSRF token of the forms of the link whose token is `token`.
pub fn csrf_token(token: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"csrf:");
    hash.update(token.as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether two texts are equal, taking as long whatever their first difference.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    if given.len() != expected.len() {
        return false;
    }
    let difference = given
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(difference) == 0
}

/// Whether the request's headers say it came from another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none`, or an `Origin` whose host is not this one. A request that says
/// neither is judged by its token alone.
pub fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    !origin_host.eq_ignore_ascii_case(host)
}

/// Why a link opens nothing, as the page tells the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No link has this token.
    Unknown,
    /// It expired then.
    Expired(jiff::Timestamp),
    /// It was withdrawn then.
    Revoked(jiff::Timestamp),
}

impl Refusal {
    /// The refusal the service gave.
    pub fn of(refused: &LinkRefused) -> Self {
        match refused {
            LinkRefused::Unknown => Self::Unknown,
            LinkRefused::Expired(at) => Self::Expired(*at),
            LinkRefused::Revoked(at) => Self::Revoked(*at),
        }
    }
}

/// A visit: who holds the link, in their language, with their forms' token.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The customer, as the service knows them.
    pub visitor: Visitor,
    /// Their words.
    pub t: Texts,
    /// Their forms' token.
    pub csrf: String,
    /// Where their pages are: `/portal/{token}`.
    pub base: String,
}

/// The visit of the holder of `token`, or the page that says why the link opens nothing
/// (403), or that the database did not answer (503).
pub async fn enter(
    state: &PortalState,
    token: &str,
    headers: &HeaderMap,
) -> Result<Visit, Response> {
    match state.redress.portal().enter(token).await {
        Ok(visitor) => Ok(Visit {
            t: Texts::new(visitor.language),
            csrf: csrf_token(token),
            base: format!("/portal/{token}"),
            visitor,
        }),
        Err(ServiceError::Portal(PortalRefused::Link(refused))) => {
            Err(pages::refused(state, &Refusal::of(&refused), headers))
        }
        Err(e) => Err(pages::failed(state, None, &e)),
    }
}

/// A POSTed form of the link `token`: refused (403) when a browser says it came from another
/// site or its CSRF token is not the link's, its fields otherwise, with the visit.
pub async fn posted(
    state: &PortalState,
    token: &str,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<(Visit, Vec<(String, String)>), Response> {
    if cross_site(headers) {
        return Err(pages::form_refused(state, None));
    }
    let visit = enter(state, token, headers).await?;
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| pages::too_large(state, Some(&visit)))?;
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| pages::bad_form(state, Some(&visit)))?;
    let csrf_ok = fields
        .iter()
        .find(|(name, _)| name == "csrf")
        .is_some_and(|(_, given)| same_secret(given, &visit.csrf));
    if !csrf_ok {
        return Err(pages::form_refused(state, Some(&visit)));
    }
    Ok((visit, fields))
}

/// The field `name` of a form, or empty.
pub fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_csrf_token_is_the_sha256_of_csrf_and_the_link_token() {
        // echo -n "csrf:abc" | sha256sum
        assert_eq!(
            csrf_token("abc"),
            "8c1f95ae991baa4ca3097ba5a6052ccb4fdea88faf0599df4fafaa3c3252801a"
        );
        assert_eq!(csrf_token("abc").len(), 64);
        assert_ne!(csrf_token("abc"), csrf_token("abd"));
        assert!(same_secret(&csrf_token("abc"), &csrf_token("abc")));
        assert!(!same_secret("", &csrf_token("abc")));
    }

    #[test]
    fn a_post_from_another_site_is_told_apart_from_one_of_this_site() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        assert!(!cross_site(&headers(&[("host", "billing.example")])));
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[
            ("host", "billing.example"),
            ("origin", "https://evil.example"),
        ])));
        assert!(!cross_site(&headers(&[
            ("host", "billing.example"),
            ("origin", "https://billing.example"),
        ])));
    }

    #[test]
    fn a_refusal_says_what_the_service_said() {
        let at: jiff::Timestamp = "2026-11-05T14:03:00Z".parse().unwrap();
        assert_eq!(Refusal::of(&LinkRefused::Unknown), Refusal::Unknown);
        assert_eq!(Refusal::of(&LinkRefused::Expired(at)), Refusal::Expired(at));
        assert_eq!(Refusal::of(&LinkRefused::Revoked(at)), Refusal::Revoked(at));
    }
}
