//! `GET /portal/{token}/disputes/new` and `POST /portal/{token}/disputes`: the customer opens a
//! dispute on one of their invoices (optionally one line), with a reason, the amount they
//! claim and their own words. A refused form is shown again with the error summary naming each
//! field at fault, what was typed kept; a dispute opened leads to its page.

use super::{Chrome, FieldError, render, see_other};
use crate::PortalState;
use crate::guard::{Visit, enter, field, posted};
use crate::text::{Texts, reason_id};
use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use redress_domain::{Decimal, DisputeReason, Language};
use redress_service::portal::PortalRefused;
use redress_service::{DisputeIntake, IntakeError, ServiceError};
use serde::Deserialize;

/// The longest text a customer may give as their words, in characters.
pub const MAX_WORDS_CHARS: usize = 20_000;

/// The new dispute form.
#[derive(Template)]
#[template(path = "new_dispute.html")]
pub struct NewDisputePage {
    chrome: Chrome,
    t: Texts,
    base: String,
    csrf: String,
    errors: Vec<FieldError>,
    /// `(id, words)` of each of their invoices, newest first.
    invoices: Vec<(String, String)>,
    /// `(name, id, words)` of each reason.
    reasons: Vec<(&'static str, String, String)>,
    form: Form,
    /// What the page says when the customer has no invoice on file.
    no_invoices: String,
}

impl NewDisputePage {
    fn error(&self, field: &str) -> Option<&str> {
        super::error_of(&self.errors, field)
    }
}

/// What the form holds: empty, or as typed when it is shown again.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Form {
    #[serde(default)]
    invoice: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    words: String,
}

/// `text` as an amount, read as the customer's language writes numbers: `1,234.50` and
/// `1234.5` in English, `1.234,50` and `12,5` in Spanish; a lone separator followed by exactly
/// three digits groups thousands when it is the language's grouping mark. Spaces and a
/// currency's code around it are ignored.
pub fn parse_amount(text: &str, language: Language) -> Option<Decimal> {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    if kept.is_empty() || !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let (grouping, _) = match language {
        Language::Spanish => (".", ","),
        Language::English | Language::SimplifiedChinese => (",", "."),
    };
    let plain = match (kept.rfind('.'), kept.rfind(',')) {
        (Some(dot), Some(comma)) => {
            let (decimal, other) = if dot > comma { ('.', ',') } else { (',', '.') };
            kept.replace(other, "").replace(decimal, ".")
        }
        (Some(_), None) | (None, Some(_)) => {
            let mark = if kept.contains('.') { '.' } else { ',' };
            let count = kept.matches(mark).count();
            let after = kept.rsplit(mark).next().unwrap_or("").len();
            if count > 1 || (after == 3 && grouping.starts_with(mark)) {
                kept.replace(mark, "")
            } else {
                kept.replace(mark, ".")
            }
        }
        (None, None) => kept,
    };
    plain.parse::<Decimal>().ok()
}

async fn load(
    state: &PortalState,
    visit: &Visit,
    form: Form,
    errors: Vec<FieldError>,
) -> Result<NewDisputePage, ServiceError> {
    let t = visit.t;
    let invoices = state
        .redress
        .portal()
        .invoices(&visit.visitor)
        .await?
        .into_iter()
        .map(|(id, issued)| {
            let words = t.with(
                "new-invoice-option",
                &[("invoice", id.clone()), ("day", t.day(issued))],
            );
            (id, words)
        })
        .collect();
    let title = t.say("new-title");
    Ok(NewDisputePage {
        chrome: Chrome::new(state, t, Some(visit), &title, !errors.is_empty()),
        t,
        base: visit.base.clone(),
        csrf: visit.csrf.clone(),
        errors,
        invoices,
        reasons: DisputeReason::ALL
            .iter()
            .map(|(reason, name)| (*name, format!("reason-{name}"), t.say(reason_id(*reason))))
            .collect(),
        form,
        no_invoices: t.with(
            "new-no-invoices",
            &[(
                "email",
                state.redress.communication().business.email.clone(),
            )],
        ),
    })
}

/// What the link to the form may preselect: `?invoice=`.
#[derive(Debug, Deserialize)]
pub struct Preselect {
    invoice: Option<String>,
}

/// `GET /portal/{token}/disputes/new`.
pub async fn page(
    State(state): State<PortalState>,
    Path(token): Path<String>,
    Query(preselect): Query<Preselect>,
    headers: HeaderMap,
) -> Response {
    let visit = match enter(&state, &token, &headers).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let form = Form {
        invoice: preselect.invoice.unwrap_or_default(),
        ..Default::default()
    };
    match load(&state, &visit, form, Vec::new()).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}

/// `POST /portal/{token}/disputes`.
pub async fn open(
    State(state): State<PortalState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (visit, fields) = match posted(&state, &token, &headers, request.into_body()).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let t = visit.t;
    let form = Form {
        invoice: field(&fields, "invoice").trim().to_owned(),
        line: field(&fields, "line").trim().to_owned(),
        reason: field(&fields, "reason").to_owned(),
        amount: field(&fields, "amount").trim().to_owned(),
        words: field(&fields, "words").replace("\r\n", "\n"),
    };
    let mut errors = Vec::new();
    let invoices = match state.redress.portal().invoices(&visit.visitor).await {
        Ok(invoices) => invoices,
        Err(e) => return super::failed(&state, Some(&visit), &e),
    };
    if form.invoice.is_empty() || !invoices.iter().any(|(id, _)| *id == form.invoice) {
        errors.push(FieldError {
            field: "invoice",
            message: t.say("err-invoice"),
        });
    }
    let line = if form.line.is_empty() {
        None
    } else {
        match form.line.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.push(FieldError {
                    field: "line",
                    message: t.say("err-line"),
                });
                None
            }
        }
    };
    let reason = DisputeReason::from_name(&form.reason);
    if reason.is_none() {
        errors.push(FieldError {
            field: "reason-overcharged",
            message: t.say("err-reason"),
        });
    }
    let example = || t.decimal("120.50".parse().expect("a number"));
    let amount = if form.amount.is_empty() {
        errors.push(FieldError {
            field: "amount",
            message: t.with("err-amount", &[("example", example())]),
        });
        None
    } else {
        match parse_amount(&form.amount, t.language) {
            Some(amount) if amount > Decimal::ZERO => Some(amount),
            _ => {
                errors.push(FieldError {
                    field: "amount",
                    message: t.with("err-amount", &[("example", example())]),
                });
                None
            }
        }
    };
    if form.words.trim().is_empty() {
        errors.push(FieldError {
            field: "words",
            message: t.say("err-words"),
        });
    } else if form.words.chars().count() > MAX_WORDS_CHARS {
        errors.push(FieldError {
            field: "words",
            message: t.with(
                "err-words-long",
                &[("max", t.number(Decimal::from(MAX_WORDS_CHARS as u64)))],
            ),
        });
    }
    if let (true, Some(reason), Some(amount)) = (errors.is_empty(), reason, amount) {
        let intake = DisputeIntake {
            id: None,
            invoice_id: form.invoice.clone(),
            line_no: line,
            reason,
            claimed_amount: amount,
            narrative: form.words.trim().to_owned(),
            channel: "portal".to_owned(),
            opened_on: None,
        };
        match state
            .redress
            .portal()
            .open_dispute(&visit.visitor, intake)
            .await
        {
            Ok(dispute) => {
                return see_other(&format!(
                    "{}/disputes/{}?done=opened",
                    visit.base, dispute.id
                ));
            }
            Err(ServiceError::Portal(PortalRefused::NotYours(_))) => errors.push(FieldError {
                field: "invoice",
                message: t.say("err-invoice"),
            }),
            Err(ServiceError::Intake(e)) if e.field().is_some() => {
                let error = match &e {
                    IntakeError::UnknownLine { line_no, .. } => FieldError {
                        field: "line",
                        message: t.with(
                            "err-line-unknown",
                            &[
                                ("invoice", form.invoice.clone()),
                                ("line", line_no.to_string()),
                            ],
                        ),
                    },
                    IntakeError::BadClaim {
                        currency,
                        minor_unit,
                        ..
                    } => FieldError {
                        field: "amount",
                        message: t.with(
                            "err-amount-decimals",
                            &[
                                ("currency", currency.code().to_owned()),
                                ("decimals", minor_unit.to_string()),
                            ],
                        ),
                    },
                    _ => FieldError {
                        field: "invoice",
                        message: t.say("err-invoice"),
                    },
                };
                errors.push(error);
            }
            Err(e) => return super::failed(&state, Some(&visit), &e),
        }
    }
    match load(&state, &visit, form, errors).await {
        Ok(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(e) => super::failed(&state, Some(&visit), &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Option<Decimal> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn an_amount_is_read_as_the_customers_language_writes_numbers() {
        use Language::*;
        assert_eq!(parse_amount("1,234.50", English), dec("1234.50"));
        assert_eq!(parse_amount("1234.5", English), dec("1234.5"));
        assert_eq!(parse_amount("1,234", English), dec("1234"));
        assert_eq!(parse_amount("12,50", English), dec("12.50"));
        assert_eq!(parse_amount("1.234,50", Spanish), dec("1234.50"));
        assert_eq!(parse_amount("12,5", Spanish), dec("12.5"));
        assert_eq!(parse_amount("1.234", Spanish), dec("1234"));
        assert_eq!(parse_amount("12.50", Spanish), dec("12.50"));
        assert_eq!(parse_amount("EUR 100", Spanish), dec("100"));
        assert_eq!(parse_amount("1 425 JPY", English), dec("1425"));
        assert_eq!(parse_amount("100.00", SimplifiedChinese), dec("100.00"));
        assert_eq!(parse_amount("lots", English), None);
        assert_eq!(parse_amount("", English), None);
    }
}
