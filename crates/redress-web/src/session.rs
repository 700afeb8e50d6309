//! Who is signed in, and whether a form may be taken.
//!
//! The session cookie (`redress_session`) holds a random token: HttpOnly (no script reads it),
//! `SameSite=Lax` (not sent with another site's POST), `Path=/`, and `Secure` when the request
//! came over HTTPS. Every POST form carries its session's CSRF token in a hidden `csrf` field,
//! compared in constant time; and a POST that a browser says came from another site
//! (`Sec-Fetch-Site`, or an `Origin` that is not this host) is refused before anything else,
//! the sign-in form's included, which has no session yet.

use crate::WebState;
use crate::pages::{self, Viewer};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use redress_service::Actor;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The session cookie's name.
pub const COOKIE: &str = "redress_session";

/// The most a form's body may hold, in bytes: the desk's forms are a few fields of text.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The most a message's form may hold, in bytes: a text of up to 50,000 characters, each up
/// to 4 bytes of UTF-8 written as 3 bytes of form encoding apiece, and its other fields.
pub const MAX_MESSAGE_FORM_BYTES: usize = 1024 * 1024;

/// Someone signed in: who acts, and their session's CSRF token.
#[derive(Debug, Clone)]
pub struct Desk {
    /// Who acts, with the role the service checks.
    pub actor: Actor,
    /// The token each form of the session carries.
    pub csrf: String,
}

impl Desk {
    /// Who is signed in, as the page's header shows them.
    pub fn viewer(&self) -> Viewer {
        Viewer::of(&self.actor, &self.csrf)
    }
}

/// The session token the request's cookie holds, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether the request came over HTTPS: told so (`--secure-cookies`), or by the proxy in front
/// (`X-Forwarded-Proto: https`).
pub fn over_https(state: &WebState, headers: &HeaderMap) -> bool {
    state.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("https")
            })
}

/// The `Set-Cookie` that gives the browser its session `token` for `max_age` seconds (0 ends
/// it).
pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}"
    ))
    .expect("a token is hex")
}

/// Where to go after signing in: `next` when it is a path on this site (`/queue?status=open`),
/// never another site (`//evil.example`, `https://…`, `/\evil`); the queue otherwise.
pub fn local_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.starts_with("/\\")
                && next.len() <= 2048
                && !next.chars().any(|c| c.is_control() || c == '\\') =>
        {
            next.to_owned()
        }
        _ => "/queue".to_owned(),
    }
}

/// Whether the request's headers say it came from another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none` (typed by the person), or an `Origin` whose host is not this one.
/// A request that says neither (an older browser, a script) is judged by its token alone.
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

/// Whether two texts are equal, taking as long whatever their first difference: a CSRF token
/// compared byte by byte with an early exit would tell an attacker, by how long it took, how
/// much of a guess was right.
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

/// The answer to a request of someone not signed in: to the sign-in page, and back here after
/// (a page asked for with GET; a form's POST cannot be replayed, so it goes to the queue).
fn to_sign_in(parts: &Parts, clear_cookie: Option<HeaderValue>) -> Response {
    let target = if parts.method == Method::GET || parts.method == Method::HEAD {
        let here = parts.uri.path_and_query().map_or("/queue", |p| p.as_str());
        let next = local_next(Some(here));
        if next == "/queue" {
            "/sign-in".to_owned()
        } else {
            format!(
                "/sign-in?{}",
                serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default()
            )
        }
    } else {
        "/sign-in".to_owned()
    };
    let mut response = if parts.headers.contains_key("hx-request") {
        // htmx would swap the sign-in page into the part it asked for: it is told to go there.
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(to) = HeaderValue::from_str(&target) {
            response.headers_mut().insert("hx-redirect", to);
        }
        response
    } else {
        Redirect::to(&target).into_response()
    };
    if let Some(clear) = clear_cookie {
        response.headers_mut().insert(header::SET_COOKIE, clear);
    }
    response
}

impl FromRequestParts<WebState> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let Some(token) = session_token(&parts.headers) else {
            return Err(to_sign_in(parts, None));
        };
        match state.redress.people().session(&token).await {
            Ok(Some(signed_in)) => Ok(Desk {
                actor: signed_in.actor,
                csrf: signed_in.csrf,
            }),
            // Ended, signed out, or its user disabled: the browser forgets it.
            Ok(None) => Err(to_sign_in(
                parts,
                Some(session_cookie("", 0, over_https(state, &parts.headers))),
            )),
            Err(e) => Err(pages::unavailable(&e)),
        }
    }
}

/// The hidden field every form carries.
#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// A form POSTed by someone signed in, taken only when it came from this site with its
/// session's CSRF token: what they sent, and who they are; its body at most `LIMIT` bytes.
pub struct Posted<T, const LIMIT: usize = MAX_FORM_BYTES> {
    /// Who sent it.
    pub desk: Desk,
    /// What they sent.
    pub form: T,
}

impl<T: DeserializeOwned, const LIMIT: usize> FromRequest<WebState> for Posted<T, LIMIT> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        if cross_site(&parts.headers) {
            return Err(pages::forbidden(None));
        }
        let desk = Desk::from_request_parts(&mut parts, state).await?;
        let bytes = read_form_within(body, LIMIT).await?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| pages::bad_form(Some(desk.viewer())))?;
        if !field
            .csrf
            .as_deref()
            .is_some_and(|given| same_secret(given, &desk.csrf))
        {
            return Err(pages::forbidden(Some(desk.viewer())));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| pages::bad_form(Some(desk.viewer())))?;
        Ok(Posted { desk, form })
    }
}

/// A form's body, up to [`MAX_FORM_BYTES`].
pub async fn read_form(body: axum::body::Body) -> Result<axum::body::Bytes, Response> {
    read_form_within(body, MAX_FORM_BYTES).await
}

/// A form's body, up to `limit` bytes.
async fn read_form_within(
    body: axum::body::Body,
    limit: usize,
) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| pages::too_large())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_site_is_gone_to_after_signing_in() {
        assert_eq!(local_next(Some("/queue?status=open")), "/queue?status=open");
        assert_eq!(local_next(Some("/disputes/DSP-1")), "/disputes/DSP-1");
        for elsewhere in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(local_next(Some(elsewhere)), "/queue", "{elsewhere:?}");
        }
        assert_eq!(local_next(None), "/queue");
    }

    #[test]
    fn a_secret_is_the_same_only_when_every_byte_is() {
        assert!(same_secret("abc123", "abc123"));
        assert!(!same_secret("abc124", "abc123"));
        assert!(!same_secret("abc12", "abc123"));
        assert!(!same_secret("", "abc123"));
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
        assert!(!cross_site(&headers(&[("host", "desk.example")])));
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!cross_site(&headers(&[
            ("host", "desk.example:8080"),
            ("origin", "https://desk.example:8080"),
        ])));
        assert!(cross_site(&headers(&[
            ("host", "desk.example"),
            ("origin", "https://evil.example"),
        ])));
        assert!(cross_site(&headers(&[
            ("host", "desk.example"),
            ("origin", "null")
        ])));
    }

    #[test]
    fn the_session_cookie_is_read_among_others() {
        let mut map = HeaderMap::new();
        map.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; redress_session=abc; other=1"),
        );
        assert_eq!(session_token(&map).as_deref(), Some("abc"));
        assert_eq!(session_token(&HeaderMap::new()), None);
    }
}
