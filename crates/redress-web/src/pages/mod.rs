//! The desk's pages: each a template (in `templates/`, checked when the crate compiles) and
//! the handler that fills it from the service. Every page extends `base.html`: a skip link
//! first, a header with a labelled navigation, one `main`, a footer.

pub mod analytics;
pub mod arrears;
pub mod books;
pub mod dispute;
pub mod messages;
pub mod new_dispute;
pub mod people;
pub mod practice;
pub mod queue;
pub mod sign_in;

use crate::format;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use redress_service::Actor;

/// Who is signed in, as the header shows them, with the token of their sign-out form.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Their name.
    pub name: String,
    /// Their role, in words.
    pub role: &'static str,
    /// Their session's CSRF token, for the forms of the page.
    pub csrf: String,
    /// Whether they manage people (the navigation shows them the way).
    pub is_admin: bool,
    /// Whether they take disputes (the navigation offers a new one only then).
    pub writes: bool,
    /// Whether they work disputes, and so practise and have figures on the team's page.
    pub on_the_team: bool,
}

impl Viewer {
    /// `actor`, whose session's forms carry `csrf`.
    pub fn of(actor: &Actor, csrf: &str) -> Self {
        Self {
            name: actor.name.clone(),
            role: format::role(actor.role),
            csrf: csrf.to_owned(),
            is_admin: actor.role == redress_domain::Role::Admin,
            writes: actor.role.can_write(),
            on_the_team: actor.role != redress_domain::Role::Auditor,
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
            tracing::error!(error = %e, "a page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Redress could not show this page.",
            )
                .into_response()
        }
    }
}

/// A page that says why nothing more can be shown, and a way on.
#[derive(Template)]
#[template(path = "problem.html")]
pub struct Problem {
    /// Who is signed in, if anyone.
    pub viewer: Option<Viewer>,
    /// The page's title (and heading).
    pub title: &'static str,
    /// What happened, and what to do.
    pub message: String,
    /// Where to go from here.
    pub link: (&'static str, &'static str),
}

impl Problem {
    fn answer(self, status: StatusCode) -> Response {
        render(status, &self)
    }
}

/// 403: a form that did not carry its session's token, or came from another site.
pub fn forbidden(viewer: Option<Viewer>) -> Response {
    Problem {
        viewer,
        title: "This form was refused",
        message: "The form did not come from this page of Redress as it was shown to you (its \
                  security token is missing or out of date), so nothing was changed. Go back, \
                  reload the page and try again."
            .to_owned(),
        link: ("/queue", "Go to the queue"),
    }
    .answer(StatusCode::FORBIDDEN)
}

/// 400: a form that could not be read.
pub fn bad_form(viewer: Option<Viewer>) -> Response {
    Problem {
        viewer,
        title: "This form could not be read",
        message: "Nothing was changed. Go back, reload the page and try again.".to_owned(),
        link: ("/queue", "Go to the queue"),
    }
    .answer(StatusCode::BAD_REQUEST)
}

/// 413: a form far larger than any of the desk's.
pub fn too_large() -> Response {
    Problem {
        viewer: None,
        title: "This form is too large",
        message: "Nothing was changed.".to_owned(),
        link: ("/queue", "Go to the queue"),
    }
    .answer(StatusCode::PAYLOAD_TOO_LARGE)
}

/// 403 when the service refused who acts (a read-only role), saying why; else the database's
/// failure.
pub fn refused_or_unavailable(
    desk: &crate::session::Desk,
    e: &redress_service::ServiceError,
) -> Response {
    match e {
        redress_service::ServiceError::Denied(denied) => Problem {
            viewer: Some(desk.viewer()),
            title: "You cannot do that",
            message: format!("Nothing was changed: {denied}."),
            link: ("/queue", "Go to the queue"),
        }
        .answer(StatusCode::FORBIDDEN),
        e => unavailable(e),
    }
}

/// 404: no such page, or no such record.
pub fn not_found(viewer: Option<Viewer>, message: String) -> Response {
    Problem {
        viewer,
        title: "Page not found",
        message,
        link: ("/queue", "Go to the queue"),
    }
    .answer(StatusCode::NOT_FOUND)
}

/// 503: the database did not answer.
pub fn unavailable(error: &dyn std::error::Error) -> Response {
    tracing::warn!(error = %error, "a page could not be read from the database");
    Problem {
        viewer: None,
        title: "Redress cannot answer right now",
        message: "Its database did not answer. Nothing was changed. Try again in a minute."
            .to_owned(),
        link: ("/queue", "Try the queue again"),
    }
    .answer(StatusCode::SERVICE_UNAVAILABLE)
}
