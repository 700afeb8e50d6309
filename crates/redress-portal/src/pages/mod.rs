//! The portal's pages: each a template (in `templates/`, checked when the crate compiles) and
//! the handler that fills it from the service. Every page extends `base.html`: a skip link
//! first, a header with a labelled navigation, one `main`, a footer, in the customer's
//! language (`<html lang>` says which).

pub mod correction;
pub mod dispute;
pub mod documents;
pub mod home;
pub mod new_dispute;

use crate::PortalState;
use crate::guard::{Refusal, Visit};
use crate::text::{Texts, from_accept_language};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use redress_service::ServiceError;
use redress_service::portal::PortalRefused;

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The words of the page's language.
    pub t: Texts,
    /// The `<title>`: the page's, and the business's name.
    pub title: String,
    /// The business's name.
    pub brand: String,
    /// The address customers write to.
    pub email: String,
    /// Where the customer's pages are (`/portal/{token}`), when the link opened.
    pub base: Option<String>,
    /// The customer's name, when known.
    pub customer: Option<String>,
    /// The stylesheet's URL.
    pub css: String,
    /// The footer's sentence.
    pub footer: String,
}

impl Chrome {
    /// The chrome of a page titled `title`, for `visit` (or a visitor not known, in `t`'s
    /// language); `error` when the page shows a form's errors.
    pub fn new(
        state: &PortalState,
        t: Texts,
        visit: Option<&Visit>,
        title: &str,
        error: bool,
    ) -> Self {
        let business = &state.redress.communication().business;
        let title = if error {
            t.with("title-error", &[("title", title.to_owned())])
        } else {
            title.to_owned()
        };
        Self {
            title: format!("{title} – {}", business.name),
            brand: business.name.clone(),
            email: business.email.clone(),
            base: visit.map(|v| v.base.clone()),
            customer: visit.map(|v| v.visitor.name.clone()),
            css: crate::assets::stylesheet(),
            footer: t.with("footer", &[("email", business.email.clone())]),
            t,
        }
    }
}

/// A field's error, as the error summary links to it and the field shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's `id`.
    pub field: &'static str,
    /// What is wrong, in the same words in the summary and by the field.
    pub message: String,
}

/// The first error of `field`, if it has one.
pub fn error_of<'e>(errors: &'e [FieldError], field: &str) -> Option<&'e str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// `template` rendered, answered with `status`.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a portal page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "This page could not be shown.",
            )
                .into_response()
        }
    }
}

/// A page that says why nothing more can be shown, and what to do.
#[derive(Template)]
#[template(path = "problem.html")]
pub struct Problem {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    /// `(href, text)`.
    link: Option<(String, String)>,
}

fn problem(
    state: &PortalState,
    status: StatusCode,
    t: Texts,
    visit: Option<&Visit>,
    heading: String,
    paragraphs: Vec<String>,
) -> Response {
    let link = visit.map(|v| (v.base.clone(), t.say("back-home")));
    render(
        status,
        &Problem {
            chrome: Chrome::new(state, t, visit, &heading, false),
            heading,
            paragraphs,
            link,
        },
    )
}

/// 403: the link opens nothing. The page says what happened and what to do, in the language
/// the browser asks for (the customer is not known), English by default.
pub fn refused(state: &PortalState, refusal: &Refusal, headers: &HeaderMap) -> Response {
    let t = Texts::new(from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    ));
    let zone = state.redress.communication().calendar.time_zone();
    let what = match refusal {
        Refusal::Unknown => t.say("refused-unknown"),
        Refusal::Expired(at) => t.with("refused-expired", &[("day", t.moment(*at, zone).text)]),
        Refusal::Revoked(at) => t.with("refused-revoked", &[("day", t.moment(*at, zone).text)]),
    };
    let email = state.redress.communication().business.email.clone();
    problem(
        state,
        StatusCode::FORBIDDEN,
        t,
        None,
        t.say("refused-title"),
        vec![what, t.with("refused-what-to-do", &[("email", email)])],
    )
}

/// 404: nothing of the customer's is at this address (whether it exists is not told).
pub fn not_found(state: &PortalState, visit: &Visit) -> Response {
    let t = visit.t;
    problem(
        state,
        StatusCode::NOT_FOUND,
        t,
        Some(visit),
        t.say("not-found-title"),
        vec![t.say("not-found-text")],
    )
}

/// 403: a form that did not carry its link's token, or came from another site.
pub fn form_refused(state: &PortalState, visit: Option<&Visit>) -> Response {
    let t = visit.map_or(Texts::new(redress_domain::Language::English), |v| v.t);
    problem(
        state,
        StatusCode::FORBIDDEN,
        t,
        visit,
        t.say("form-refused-title"),
        vec![t.say("form-refused-text")],
    )
}

/// 400: a form that could not be read.
pub fn bad_form(state: &PortalState, visit: Option<&Visit>) -> Response {
    let t = visit.map_or(Texts::new(redress_domain::Language::English), |v| v.t);
    problem(
        state,
        StatusCode::BAD_REQUEST,
        t,
        visit,
        t.say("bad-form-title"),
        vec![t.say("bad-form-text")],
    )
}

/// 413: a form far larger than any of the portal's.
pub fn too_large(state: &PortalState, visit: Option<&Visit>) -> Response {
    let t = visit.map_or(Texts::new(redress_domain::Language::English), |v| v.t);
    problem(
        state,
        StatusCode::PAYLOAD_TOO_LARGE,
        t,
        visit,
        t.say("too-large-title"),
        vec![t.say("bad-form-text")],
    )
}

/// 409: what was asked cannot be done now (the dispute or case has moved on).
pub fn not_now(state: &PortalState, visit: &Visit) -> Response {
    let t = visit.t;
    problem(
        state,
        StatusCode::CONFLICT,
        t,
        Some(visit),
        t.say("not-now-title"),
        vec![t.say("not-now-text")],
    )
}

/// The page for a failure of the service: 404 for what is not the customer's, 403 for a link
/// that stopped opening meanwhile, 409 for what cannot be done now, 503 when the database did
/// not answer.
pub fn failed(state: &PortalState, visit: Option<&Visit>, error: &ServiceError) -> Response {
    match (error, visit) {
        (ServiceError::Portal(PortalRefused::NotYours(_)), Some(visit)) => not_found(state, visit),
        (ServiceError::Portal(PortalRefused::Link(link)), _) => {
            refused(state, &Refusal::of(link), &HeaderMap::new())
        }
        (ServiceError::Portal(PortalRefused::NotNow(_)), Some(visit)) => not_now(state, visit),
        _ => {
            if error.storage().is_some() {
                tracing::warn!(error = %error, "a portal page could not be read from the database");
            } else {
                tracing::error!(error = %error, "a portal page failed");
            }
            let t = visit.map_or(Texts::new(redress_domain::Language::English), |v| v.t);
            problem(
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                t,
                visit,
                t.say("unavailable-title"),
                vec![t.say("unavailable-text")],
            )
        }
    }
}

/// `GET /portal`: no token at all; the same page as an unknown link.
pub async fn no_link(State(state): State<PortalState>, headers: HeaderMap) -> Response {
    refused(&state, &Refusal::Unknown, &headers)
}

/// Any other address under `/portal/{token}/`: 404 in the customer's language (403 when the
/// link opens nothing).
pub async fn elsewhere(
    State(state): State<PortalState>,
    Path((token, _rest)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match crate::guard::enter(&state, &token, &headers).await {
        Ok(visit) => not_found(&state, &visit),
        Err(refused) => refused,
    }
}

/// The flash a redirect back names (`?done=…`), one of a fixed set of sentences.
#[derive(Debug, serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    /// The sentence, in `t`'s language.
    pub fn sentence(&self, t: Texts) -> Option<String> {
        let id = match self.done.as_deref()? {
            "replied" => "done-replied",
            "attached" => "done-attached",
            "rated" => "done-rated",
            "opened" => "done-opened",
            "chosen" => "done-chosen",
            "accepted" => "done-accepted",
            "declined" => "done-declined",
            _ => return None,
        };
        Some(t.say(id))
    }
}

/// A redirect after a form (303: the browser GETs the page).
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
