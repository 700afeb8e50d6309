//! `/people`: the users, for an admin: who signs in with what role, their API tokens, and the
//! acts an admin does for them (add a user, give a token, disable), each answered by this page
//! with what was done, a secret made for them shown once.

use super::{FieldError, Viewer, error_of, render};
use crate::WebState;
use crate::format::{self, Moment};
use crate::session::{Desk, Posted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::Role;
use redress_service::people::AddUserError;
use redress_service::records::{UserError, UserRecord};
use redress_service::{Denied, ServiceError};
use serde::Deserialize;

/// A user as the table shows them.
pub struct UserRow {
    id: String,
    name: String,
    email: Option<String>,
    role: &'static str,
    since: Moment,
    live_tokens: u64,
    disabled: bool,
    is_you: bool,
}

/// A secret made now, shown once.
pub struct ShownOnce {
    what: &'static str,
    who: String,
    value: String,
}

/// What the add-user form sends (kept when it is refused).
#[derive(Debug, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// The page.
#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    viewer: Option<Viewer>,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    form: NewUserForm,
    errors: Vec<FieldError>,
    flash: Option<&'static str>,
    shown_once: Option<ShownOnce>,
}

impl PeoplePage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

/// `?done=…` after a redirect.
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn flash(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "disabled" => "User disabled: their sessions ended and their tokens act no more.",
        _ => return None,
    })
}

/// The page for `desk`, or why it cannot be shown.
async fn page_for(state: &WebState, desk: &Desk) -> Result<PeoplePage, Response> {
    let users = match state.redress.people().users(&desk.actor).await {
        Ok(users) => users,
        Err(ServiceError::Denied(_)) => return Err(only_admins(desk)),
        Err(e) => return Err(super::unavailable(&e)),
    };
    Ok(PeoplePage {
        viewer: Some(desk.viewer()),
        users: users.into_iter().map(|u| row(u, &desk.actor.id)).collect(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), format::role(*r)))
            .collect(),
        form: NewUserForm {
            role: Role::Agent.as_str().to_owned(),
            ..NewUserForm::default()
        },
        errors: Vec::new(),
        flash: None,
        shown_once: None,
    })
}

fn row(user: UserRecord, you: &str) -> UserRow {
    UserRow {
        is_you: user.id == you,
        id: user.id,
        name: user.name,
        email: user.email,
        role: format::role(user.role),
        since: format::moment(user.created_at),
        live_tokens: user.live_tokens,
        disabled: user.disabled_at.is_some(),
    }
}

/// 403 for someone who is not an admin.
fn only_admins(desk: &Desk) -> Response {
    super::Problem {
        viewer: Some(desk.viewer()),
        title: "Only admins manage people",
        message: "Ask an admin to add a user, give a token or disable someone.".to_owned(),
        link: ("/queue", "Go to the queue"),
    }
    .answer(StatusCode::FORBIDDEN)
}

/// `GET /people`.
pub async fn page(State(state): State<WebState>, desk: Desk, Query(done): Query<Done>) -> Response {
    match page_for(&state, &desk).await {
        Ok(mut page) => {
            page.flash = flash(done.done.as_deref());
            render(StatusCode::OK, &page)
        }
        Err(refused) => refused,
    }
}

/// `POST /people`: a new user, their password shown once.
pub async fn add(
    State(state): State<WebState>,
    Posted { desk, form }: Posted<NewUserForm>,
) -> Response {
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        errors.push(FieldError {
            field: "new-name",
            message: "Enter the user's name (at most 200 characters)".to_owned(),
        });
    }
    let role = Role::from_name(&form.role).unwrap_or(Role::Agent);
    let outcome = if errors.is_empty() {
        Some(
            state
                .redress
                .people()
                .add_user(&desk.actor, &form.email, name, role)
                .await,
        )
    } else {
        None
    };
    let mut page = match page_for(&state, &desk).await {
        Ok(page) => page,
        Err(refused) => return refused,
    };
    match outcome {
        Some(Ok((id, password))) => {
            page = match page_for(&state, &desk).await {
                Ok(page) => page,
                Err(refused) => return refused,
            };
            page.shown_once = Some(ShownOnce {
                what: "The password",
                who: format!("{name} ({id})"),
                value: password,
            });
            render(StatusCode::CREATED, &page)
        }
        Some(Err(AddUserError::Service(ServiceError::Denied(Denied::NotAnAdmin(_))))) => {
            only_admins(&desk)
        }
        Some(Err(AddUserError::User(redress_service::people::CreateUserError::User(e)))) => {
            let message = match e {
                UserError::BadEmail(_) => "Enter an email address, like name@example.com",
                UserError::EmailTaken(_) => "Another user signs in with this email address",
                other => return super::unavailable(&other),
            };
            errors.push(FieldError {
                field: "new-email",
                message: message.to_owned(),
            });
            page.form = form;
            page.errors = errors;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Some(Err(e)) => super::unavailable(&e),
        None => {
            page.form = form;
            page.errors = errors;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// What the one-button forms send: only their token.
#[derive(Deserialize)]
pub struct Nothing {}

/// `POST /people/{id}/tokens`: another API token for the user, shown once.
pub async fn token(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, .. }: Posted<Nothing>,
) -> Response {
    match state.redress.people().issue_token(&desk.actor, &id).await {
        Ok(token) => match page_for(&state, &desk).await {
            Ok(mut page) => {
                page.shown_once = Some(ShownOnce {
                    what: "An API token",
                    who: id,
                    value: token,
                });
                render(StatusCode::CREATED, &page)
            }
            Err(refused) => refused,
        },
        Err(ServiceError::Denied(_)) => only_admins(&desk),
        Err(ServiceError::User(UserError::Unknown(_))) => {
            super::not_found(Some(desk.viewer()), format!("No user has the id {id}."))
        }
        Err(e) => super::unavailable(&e),
    }
}

/// `POST /people/{id}/disable`: the user acts no more.
pub async fn disable(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, .. }: Posted<Nothing>,
) -> Response {
    match state.redress.people().disable_user(&desk.actor, &id).await {
        Ok(()) => Redirect::to("/people?done=disabled").into_response(),
        Err(ServiceError::Denied(_)) => only_admins(&desk),
        Err(ServiceError::User(UserError::Unknown(_))) => super::not_found(
            Some(desk.viewer()),
            format!("No active user has the id {id}."),
        ),
        Err(e) => super::unavailable(&e),
    }
}
