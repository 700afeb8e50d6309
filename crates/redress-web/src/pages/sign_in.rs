//! Signing in and out: `GET /sign-in`, `POST /sign-in`, `POST /sign-out`.
//!
//! A failed sign-in shows the form again with the email kept and "There is a problem" on top,
//! never saying whether the email or the password was wrong.

use super::{FieldError, Viewer, render};
use crate::WebState;
use crate::session::{
    Posted, cross_site, local_next, over_https, read_form, session_cookie, session_token,
};
use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use redress_service::people::{SESSION_HOURS, SignInError};
use serde::Deserialize;

/// The sign-in page.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    viewer: Option<Viewer>,
    email: String,
    next: String,
    errors: Vec<FieldError>,
    email_error: Option<String>,
    password_error: Option<String>,
}

impl SignInPage {
    fn new(email: String, next: String, errors: Vec<FieldError>) -> Self {
        Self {
            viewer: None,
            email_error: super::error_of(&errors, "email").map(str::to_owned),
            password_error: super::error_of(&errors, "password").map(str::to_owned),
            email,
            next,
            errors,
        }
    }
}

/// Where to go after signing in, as the page's address carries it.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /sign-in`: the form; someone signed in already goes on to where they were going.
pub async fn form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<Next>,
) -> Response {
    let next = local_next(query.next.as_deref());
    if let Some(token) = session_token(&headers)
        && let Ok(Some(_)) = state.redress.people().session(&token).await
    {
        return Redirect::to(&next).into_response();
    }
    render(
        StatusCode::OK,
        &SignInPage::new(String::new(), next, Vec::new()),
    )
}

/// What the sign-in form sends.
#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /sign-in`: a session and its cookie, then on to `next`; or the form again.
pub async fn submit(State(state): State<WebState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    // No session yet, so no token: a sign-in from another site's page is refused by what the
    // browser says of where the form was (login CSRF).
    if cross_site(&parts.headers) {
        return super::forbidden(None);
    }
    let bytes = match read_form(body).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    let Ok(form) = serde_urlencoded::from_bytes::<Credentials>(&bytes) else {
        return super::bad_form(None);
    };
    let next = local_next(form.next.as_deref());
    let email = form.email.trim().to_owned();
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(FieldError {
            field: "email",
            message: "Enter your email address".to_owned(),
        });
    }
    if form.password.is_empty() {
        errors.push(FieldError {
            field: "password",
            message: "Enter your password".to_owned(),
        });
    }
    if !errors.is_empty() {
        return render(StatusCode::OK, &SignInPage::new(email, next, errors));
    }
    match state.redress.people().sign_in(&email, &form.password).await {
        Ok(session) => {
            // A session the browser held before ends: one browser, one session.
            if let Some(old) = session_token(&parts.headers) {
                let _ = state.redress.people().sign_out(&old).await;
            }
            let secure = over_https(&state, &parts.headers);
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&session.token, SESSION_HOURS * 3600, secure),
            );
            response
        }
        Err(SignInError::WrongCredentials) => {
            // Which of the two was wrong is not said: the summary links to the first field.
            let page = refused(
                email,
                next,
                "The email address or the password is not right".to_owned(),
            );
            render(StatusCode::OK, &page)
        }
        Err(SignInError::LockedOut { until }) => {
            // Said plainly, with when to come back: the lock is per email, known or not, so
            // it tells nothing about the account.
            let page = refused(
                email,
                next,
                format!(
                    "Too many wrong passwords were tried with this email address. Try again after {} (UTC)",
                    crate::format::moment(until).text
                ),
            );
            let wait = until
                .duration_since(jiff::Timestamp::now())
                .as_secs()
                .max(1);
            let mut response = render(StatusCode::TOO_MANY_REQUESTS, &page);
            if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(SignInError::Storage(e)) => super::unavailable(&e),
    }
}

/// The sign-in page again, refusing with `message` in its summary, linked to the email field
/// but not said beside it: a refusal of the pair, not of the email alone.
fn refused(email: String, next: String, message: String) -> SignInPage {
    let errors = vec![FieldError {
        field: "email",
        message,
    }];
    let mut page = SignInPage::new(email, next, errors);
    page.email_error = None;
    page
}

/// What the sign-out form sends: nothing but its token, which [`Posted`] checks.
#[derive(Deserialize)]
pub struct SignOut {}

/// `POST /sign-out`: the session ends, and the browser forgets its cookie.
pub async fn sign_out(
    State(state): State<WebState>,
    headers: HeaderMap,
    Posted { .. }: Posted<SignOut>,
) -> Response {
    if let Some(token) = session_token(&headers)
        && let Err(e) = state.redress.people().sign_out(&token).await
    {
        return super::unavailable(&e);
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie("", 0, over_https(&state, &headers)),
    );
    response
}
