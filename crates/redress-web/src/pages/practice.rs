//! Training the team (issue 20): `/practice` (a trainee's sessions; for trainers, the form
//! that starts one and the team's sessions), a session's cases, a practice case worked as a
//! real one (the verification hidden until the answer; then every mark explained and the model
//! answer beside), `/team` (the team's figures) and `/playbooks` (the guidance per reason,
//! written by admins).

use super::{FieldError, Problem, Viewer, error_of, render};
use crate::WebState;
use crate::format::{self, Amount, Day, Moment};
use crate::session::{Desk, Posted};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Decimal, DisputeReason, LineKind, Role, parse_decimal};
use redress_service::ServiceError;
use redress_service::practice::{Answered, CaseView, MAX_SESSION_CASES, Playbook, PracticeRefused};
use redress_service::records::practice::{Answer, AnsweredFinding, FindingOutcome};
use redress_service::records::{FindingKind, PracticeSession};
use redress_service::team::{PersonFigures, TeamView};
use serde::Deserialize;

/// How many findings the answer form offers rows for.
pub const FINDING_ROWS: usize = 5;

fn is_trainer(role: Role) -> bool {
    matches!(role, Role::Approver | Role::Admin)
}

/// 403 for an auditor, who takes no part in practice or the team's figures.
fn not_for_auditors(desk: &Desk) -> Response {
    Problem {
        viewer: Some(desk.viewer()),
        title: "Practice is for those who work disputes",
        message: "Auditors read the books; practice and the team's figures are for agents, \
                  approvers and admins."
            .to_owned(),
        link: ("/queue", "Go to the queue"),
    }
    .answer(StatusCode::FORBIDDEN)
}

/// What the service refused, as a page.
fn refused(desk: &Desk, e: &ServiceError) -> Response {
    match e {
        ServiceError::Practice(PracticeRefused::UnknownCase(_))
        | ServiceError::Practice(PracticeRefused::UnknownSession(_)) => {
            super::not_found(Some(desk.viewer()), format!("{e}."))
        }
        ServiceError::Practice(_) | ServiceError::Denied(_) => Problem {
            viewer: Some(desk.viewer()),
            title: "You cannot do that",
            message: format!("Nothing was changed: {e}."),
            link: ("/practice", "Go to practice"),
        }
        .answer(StatusCode::FORBIDDEN),
        other => super::unavailable(other),
    }
}

/// A session in a list.
pub struct SessionRow {
    id: String,
    trainee: String,
    started: Moment,
    cases: usize,
    answered: usize,
    average: Option<String>,
}

fn session_row(
    session: &PracticeSession,
    names: &std::collections::HashMap<String, String>,
) -> SessionRow {
    let points: Vec<u32> = session
        .cases
        .iter()
        .filter_map(|c| c.answered.map(|(p, _)| p))
        .collect();
    SessionRow {
        id: session.id.clone(),
        trainee: names
            .get(&session.trainee_id)
            .cloned()
            .unwrap_or_else(|| session.trainee_id.clone()),
        started: format::moment(session.created_at),
        cases: session.cases.len(),
        answered: points.len(),
        average: (!points.is_empty()).then(|| {
            format!(
                "{}",
                (Decimal::from(points.iter().sum::<u32>()) / Decimal::from(points.len() as u32))
                    .round_dp(0)
            )
        }),
    }
}

/// What the start form sends.
#[derive(Debug, Default, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    trainee: String,
    #[serde(default)]
    cases: String,
}

/// `/practice`.
#[derive(Template)]
#[template(path = "practice.html")]
pub struct PracticeHome {
    viewer: Option<Viewer>,
    trainer: bool,
    yours: Vec<SessionRow>,
    team: Vec<SessionRow>,
    trainees: Vec<(String, String)>,
    form: StartForm,
    errors: Vec<FieldError>,
}

impl PracticeHome {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

async fn home_for(state: &WebState, desk: &Desk) -> Result<PracticeHome, Response> {
    let practice = state.redress.practice();
    let names = state
        .redress
        .people()
        .names()
        .await
        .map_err(|e| super::unavailable(&e))?;
    let yours = practice
        .sessions_of(&desk.actor, &desk.actor.id)
        .await
        .map_err(|e| refused(desk, &e))?;
    let trainer = is_trainer(desk.actor.role);
    let mut team = Vec::new();
    let mut trainees = Vec::new();
    if trainer {
        let view = state
            .redress
            .team()
            .view(&desk.actor)
            .await
            .map_err(|e| refused(desk, &e))?;
        for person in &view.people {
            trainees.push((person.user_id.clone(), person.name.clone()));
            if person.user_id == desk.actor.id {
                continue;
            }
            let sessions = practice
                .sessions_of(&desk.actor, &person.user_id)
                .await
                .map_err(|e| refused(desk, &e))?;
            team.extend(sessions.iter().map(|s| session_row(s, &names)));
        }
    }
    Ok(PracticeHome {
        viewer: Some(desk.viewer()),
        trainer,
        yours: yours.iter().map(|s| session_row(s, &names)).collect(),
        team,
        trainees,
        form: StartForm {
            trainee: String::new(),
            cases: "10".to_owned(),
        },
        errors: Vec::new(),
    })
}

/// `GET /practice`.
pub async fn home(State(state): State<WebState>, desk: Desk) -> Response {
    if desk.actor.role == Role::Auditor {
        return not_for_auditors(&desk);
    }
    match home_for(&state, &desk).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(refused) => refused,
    }
}

/// `POST /practice/sessions`: a trainer starts a session, and goes to it.
pub async fn start(
    State(state): State<WebState>,
    Posted { desk, form }: Posted<StartForm>,
) -> Response {
    if !is_trainer(desk.actor.role) {
        return refused(
            &desk,
            &ServiceError::Practice(PracticeRefused::NotATrainer(desk.actor.role)),
        );
    }
    let mut errors = Vec::new();
    let cases = form
        .cases
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_SESSION_CASES).contains(n));
    if cases.is_none() {
        errors.push(FieldError {
            field: "practice-cases",
            message: format!("Enter how many cases, from 1 to {MAX_SESSION_CASES}"),
        });
    }
    if form.trainee.trim().is_empty() {
        errors.push(FieldError {
            field: "practice-trainee",
            message: "Choose who practises".to_owned(),
        });
    }
    if let (Some(cases), true) = (cases, errors.is_empty()) {
        let started = state
            .redress
            .practice()
            .start_session(&desk.actor, form.trainee.trim(), cases, fastrand::u64(..))
            .await;
        match started {
            Ok(session) => {
                return Redirect::to(&format!("/practice/sessions/{}", session.id)).into_response();
            }
            Err(ServiceError::Practice(
                PracticeRefused::UnknownTrainee(_) | PracticeRefused::TraineeIsAnAuditor(_),
            )) => errors.push(FieldError {
                field: "practice-trainee",
                message: "Choose someone on the team who works disputes".to_owned(),
            }),
            Err(e) => return refused(&desk, &e),
        }
    }
    let mut page = match home_for(&state, &desk).await {
        Ok(page) => page,
        Err(refused) => return refused,
    };
    page.form = form;
    page.errors = errors;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// A case of a session.
pub struct CaseRow {
    id: String,
    position: u32,
    reason: &'static str,
    source: &'static str,
    points: Option<u32>,
}

/// `/practice/sessions/{id}`.
#[derive(Template)]
#[template(path = "practice_session.html")]
pub struct SessionPage {
    viewer: Option<Viewer>,
    id: String,
    trainee: String,
    started_by: String,
    started: Moment,
    cases: Vec<CaseRow>,
    total: Option<(u32, usize)>,
}

/// `GET /practice/sessions/{id}`.
pub async fn session(
    State(state): State<WebState>,
    desk: Desk,
    Path(id): Path<String>,
) -> Response {
    if desk.actor.role == Role::Auditor {
        return not_for_auditors(&desk);
    }
    let session = match state.redress.practice().session(&desk.actor, &id).await {
        Ok(session) => session,
        Err(e) => return refused(&desk, &e),
    };
    let names = match state.redress.people().names().await {
        Ok(names) => names,
        Err(e) => return super::unavailable(&e),
    };
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let answered: Vec<u32> = session
        .cases
        .iter()
        .filter_map(|c| c.answered.map(|(p, _)| p))
        .collect();
    render(
        StatusCode::OK,
        &SessionPage {
            viewer: Some(desk.viewer()),
            trainee: name(&session.trainee_id),
            started_by: name(&session.started_by),
            started: format::moment(session.created_at),
            total: (!answered.is_empty()).then(|| (answered.iter().sum(), answered.len())),
            cases: session
                .cases
                .iter()
                .map(|c| CaseRow {
                    id: c.id.clone(),
                    position: c.position,
                    reason: format::reason(c.reason),
                    source: match c.source.as_str() {
                        "resolved_dispute" => "A resolved dispute",
                        "audit_finding" => "An audit finding",
                        _ => "Made up",
                    },
                    points: c.answered.map(|(p, _)| p),
                })
                .collect(),
            id: session.id,
        },
    )
}

/// An invoice line as the practice case shows it.
pub struct LineView {
    no: u32,
    description: String,
    detail: String,
    amount: Amount,
    disputed: bool,
}

/// An invoice of the case.
pub struct InvoiceBlock {
    id: String,
    issued: Day,
    due: Day,
    lines: Vec<LineView>,
    subtotal: Amount,
    tax: Amount,
    total: Amount,
    payments: Vec<String>,
    notices: Vec<String>,
}

fn invoice_block(case: &CaseView, index: redress_domain::InvoiceIdx) -> InvoiceBlock {
    let data = &case.data;
    let today = format::today();
    let invoice = data.invoice(index);
    let currency = invoice.currency;
    let lines = data
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.invoice == index)
        .map(|(i, l)| LineView {
            no: l.line_no,
            description: data.line_descriptions.get(i).to_owned(),
            detail: match l.kind {
                LineKind::Charge { sku, period } => format!(
                    "{} × {} less {} % — {} from {} to {}",
                    l.quantity.normalize(),
                    format::amount(l.unit_price, currency).text,
                    l.discount_percent.normalize(),
                    data.sku(sku),
                    format::day(period.start(), today).text,
                    format::day(period.end(), today).text
                ),
                LineKind::LateFee { late_fee_for } => {
                    format!("Late fee for invoice {}", data.invoice_id(late_fee_for))
                }
            },
            amount: format::amount(l.amount, currency),
            disputed: index == case.dispute.invoice
                && case.dispute.line_no.is_none_or(|n| n == l.line_no),
        })
        .collect();
    InvoiceBlock {
        id: data.invoice_id(index).to_owned(),
        issued: format::day(invoice.issue_date, today),
        due: format::day(invoice.due_date, today),
        lines,
        subtotal: format::amount(invoice.subtotal, currency),
        tax: format::amount(invoice.tax_total, currency),
        total: format::amount(invoice.total, currency),
        payments: data
            .payments
            .iter()
            .enumerate()
            .filter(|(_, p)| p.invoice == index)
            .map(|(i, p)| {
                format!(
                    "{}: {} paid on {} by {}",
                    data.payment_ids.get(i),
                    format::amount(p.amount, currency).text,
                    format::day(p.paid_on, today).text,
                    p.method.replace('_', " ")
                )
            })
            .collect(),
        notices: data
            .notices
            .iter()
            .filter(|n| n.invoice == index)
            .map(|n| {
                format!(
                    "{}, sent on {} by {}",
                    match n.kind.as_str() {
                        "invoice" => "The invoice",
                        "reminder" => "A reminder",
                        _ => "An overdue notice",
                    },
                    format::day(n.sent_on, today).text,
                    n.channel
                )
            })
            .collect(),
    }
}

/// What the answer form sends: up to [`FINDING_ROWS`] findings, the resolution and the
/// message.
#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    line_1: String,
    #[serde(default)]
    kind_1: String,
    #[serde(default)]
    amount_1: String,
    #[serde(default)]
    line_2: String,
    #[serde(default)]
    kind_2: String,
    #[serde(default)]
    amount_2: String,
    #[serde(default)]
    line_3: String,
    #[serde(default)]
    kind_3: String,
    #[serde(default)]
    amount_3: String,
    #[serde(default)]
    line_4: String,
    #[serde(default)]
    kind_4: String,
    #[serde(default)]
    amount_4: String,
    #[serde(default)]
    line_5: String,
    #[serde(default)]
    kind_5: String,
    #[serde(default)]
    amount_5: String,
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    message: String,
}

impl AnswerForm {
    fn rows(&self) -> [(&str, &str, &str); FINDING_ROWS] {
        [
            (&self.line_1, &self.kind_1, &self.amount_1),
            (&self.line_2, &self.kind_2, &self.amount_2),
            (&self.line_3, &self.kind_3, &self.amount_3),
            (&self.line_4, &self.kind_4, &self.amount_4),
            (&self.line_5, &self.kind_5, &self.amount_5),
        ]
    }
}

/// A row of the findings in the form, as sent.
pub struct FindingRow {
    n: usize,
    line: String,
    kind: String,
    amount: String,
}

/// A mark as the result shows it.
pub struct MarkView {
    what: String,
    points: u32,
    out_of: u32,
    explanation: String,
    full: bool,
}

/// The result of an answered case.
pub struct ResultView {
    points: u32,
    out_of: u32,
    took: String,
    findings_points: u32,
    findings_explanation: String,
    findings: Vec<(String, &'static str, &'static str)>,
    marks: Vec<MarkView>,
    yours: AnswerSide,
    model: AnswerSide,
}

/// One side of the comparison: the trainee's answer or the model's.
pub struct AnswerSide {
    findings: Vec<String>,
    resolution: String,
    message: String,
}

fn finding_words(kind: FindingKind, line: Option<u32>, amount: Amount) -> String {
    format!(
        "{} on {}: {}",
        format::finding_kind(kind),
        line.map_or("the invoice as a whole".to_owned(), |n| format!("line {n}")),
        amount.text
    )
}

fn result_view(answered: &Answered) -> ResultView {
    let score = &answered.score;
    let currency = answered.model.currency;
    let side = |findings: Vec<String>, resolution: String, message: &str| AnswerSide {
        findings,
        resolution,
        message: message.to_owned(),
    };
    let resolution_words = |kind: ResolutionKind, amount: Option<Decimal>| match amount {
        Some(a) => format!(
            "{} of {}",
            format::resolution_kind(kind),
            format::amount(a, currency).text
        ),
        None => format::resolution_kind(kind).to_owned(),
    };
    let (model_kind, model_amount) = answered.model.resolution_answer();
    ResultView {
        points: score.points,
        out_of: score.out_of,
        took: format::duration(score.took_seconds),
        findings_points: score.findings_points,
        findings_explanation: score.findings_explanation.clone(),
        findings: score
            .findings
            .iter()
            .map(|m| {
                let (words, tone) = match m.outcome {
                    FindingOutcome::Found => ("Found", "tag--ok"),
                    FindingOutcome::WrongAmount => ("Wrong amount", "tag--warn"),
                    FindingOutcome::Missed => ("Missed", "tag--bad"),
                    FindingOutcome::Invented => ("Not in the records", "tag--bad"),
                };
                (
                    finding_words(
                        m.kind,
                        m.line_no,
                        format::amount(m.expected.or(m.answered).unwrap_or_default(), currency),
                    ),
                    words,
                    tone,
                )
            })
            .collect(),
        marks: score
            .marks
            .iter()
            .map(|m| MarkView {
                what: match m.part {
                    Some(part) => match part.as_str() {
                        "acknowledgement" => "Message: the acknowledgement",
                        "line_by_line" => "Message: the lines explained",
                        "apology" => "Message: an apology where owed",
                        "resolution" => "Message: the resolution set out",
                        "next_steps" => "Message: what happens next",
                        _ => "Message: the customer's language",
                    }
                    .to_owned(),
                    None => "Resolution".to_owned(),
                },
                points: m.points,
                out_of: m.out_of,
                explanation: m.explanation.clone(),
                full: m.points == m.out_of,
            })
            .collect(),
        yours: side(
            answered
                .answer
                .findings
                .iter()
                .map(|f| finding_words(f.kind, f.line_no, format::amount(f.amount, currency)))
                .collect(),
            resolution_words(answered.answer.resolution, answered.answer.amount),
            &answered.answer.message,
        ),
        model: side(
            answered
                .model
                .findings
                .iter()
                .map(|f| finding_words(f.kind, f.line_no, format::amount(f.amount, currency)))
                .collect(),
            resolution_words(model_kind, model_amount),
            &answered.model.message,
        ),
    }
}

/// `/practice/cases/{id}`.
#[derive(Template)]
#[template(path = "practice_case.html")]
pub struct CasePage {
    viewer: Option<Viewer>,
    id: String,
    session_id: String,
    position: u32,
    yours: bool,
    customer_name: String,
    language: &'static str,
    language_tag: &'static str,
    since: Day,
    revenue: Amount,
    punctuality: String,
    disputes_last_year: u32,
    reason: &'static str,
    claimed: Amount,
    line_no: Option<u32>,
    narrative: String,
    opened: Day,
    contract_id: String,
    terms: String,
    prices: Vec<String>,
    deliveries: Vec<String>,
    invoice: InvoiceBlock,
    others: Vec<InvoiceBlock>,
    playbook: Option<Vec<String>>,
    line_numbers: Vec<u32>,
    kinds: Vec<(&'static str, &'static str)>,
    resolutions: Vec<(&'static str, &'static str)>,
    rows: Vec<FindingRow>,
    form: AnswerForm,
    errors: Vec<FieldError>,
    result: Option<ResultView>,
}

impl CasePage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

async fn case_page(state: &WebState, desk: &Desk, case: CaseView) -> Result<CasePage, Response> {
    let data = &case.data;
    let today = format::today();
    let invoice = data.invoice(case.dispute.invoice);
    let currency = invoice.currency;
    let contract_idx = invoice.contract;
    let contract = data.contract(contract_idx);
    let customer = &data.customers[invoice.customer.index()];
    let playbook = state
        .redress
        .practice()
        .playbook(case.dispute.reason)
        .await
        .map_err(|e| super::unavailable(&e))?
        .map(|p| p.steps);
    let r = &case.relationship;
    Ok(CasePage {
        viewer: Some(desk.viewer()),
        yours: case.trainee_id == desk.actor.id,
        customer_name: customer.name.clone(),
        language: format::language(case.language),
        language_tag: case.language.tag(),
        since: format::day(customer.customer_since, today),
        revenue: format::amount(r.revenue, currency),
        punctuality: if r.invoices_due == 0 {
            "No invoice fell due in the year".to_owned()
        } else {
            format!(
                "{} of {} invoices due paid on time",
                r.paid_on_time, r.invoices_due
            )
        },
        disputes_last_year: case.history.last_year,
        reason: format::reason(case.dispute.reason),
        claimed: format::amount(case.dispute.claimed_amount, currency),
        line_no: case.dispute.line_no,
        narrative: case.dispute.narrative.clone(),
        opened: format::day(case.dispute.opened_on, today),
        contract_id: data.contract_id(contract_idx).to_owned(),
        terms: format!(
            "From {}; payment due in {} days; a late fee of {} % after {} days' grace; tax {} %",
            format::day(contract.start_date, today).text,
            contract.payment_terms_days,
            contract.late_fee_percent.normalize(),
            contract.late_fee_grace_days,
            contract.tax_rate_percent.normalize()
        ),
        prices: data
            .prices
            .iter()
            .filter(|p| p.contract == contract_idx)
            .map(|p| {
                format!(
                    "{}: {} a unit{} from {}",
                    data.sku(p.sku),
                    format::amount(p.unit_price, currency).text,
                    if p.discount_percent.is_zero() {
                        String::new()
                    } else {
                        format!(" less {} %", p.discount_percent.normalize())
                    },
                    format::day(p.valid_from, today).text
                )
            })
            .collect(),
        deliveries: data
            .deliveries
            .records
            .iter()
            .enumerate()
            .filter(|(_, d)| d.contract == contract_idx)
            .map(|(i, d)| {
                format!(
                    "{}: {} × {} on {}",
                    data.deliveries.ids.get(i),
                    d.quantity.normalize(),
                    data.sku(d.sku),
                    format::day(d.delivered_on, today).text
                )
            })
            .collect(),
        invoice: invoice_block(&case, case.dispute.invoice),
        others: (0..data.invoices.len() as u32)
            .map(redress_domain::InvoiceIdx)
            .filter(|&i| i != case.dispute.invoice)
            .map(|i| invoice_block(&case, i))
            .collect(),
        playbook,
        line_numbers: data
            .lines
            .iter()
            .filter(|l| l.invoice == case.dispute.invoice)
            .map(|l| l.line_no)
            .collect(),
        kinds: FindingKind::ALL
            .iter()
            .map(|k| (k.as_str(), format::finding_kind(*k)))
            .collect(),
        resolutions: [
            ResolutionKind::CreditNote,
            ResolutionKind::Refund,
            ResolutionKind::AccountCredit,
            ResolutionKind::Goodwill,
            ResolutionKind::Reject,
        ]
        .iter()
        .map(|k| (k.as_str(), format::resolution_kind(*k)))
        .collect(),
        rows: (1..=FINDING_ROWS)
            .map(|n| FindingRow {
                n,
                line: String::new(),
                kind: String::new(),
                amount: String::new(),
            })
            .collect(),
        form: AnswerForm::default(),
        errors: Vec::new(),
        result: case.answered.as_ref().map(result_view),
        id: case.id,
        session_id: case.session_id,
        position: case.position,
    })
}

/// `GET /practice/cases/{id}`: the trainee's first opening starts the clock.
pub async fn case(State(state): State<WebState>, desk: Desk, Path(id): Path<String>) -> Response {
    if desk.actor.role == Role::Auditor {
        return not_for_auditors(&desk);
    }
    let case = match state.redress.practice().case(&desk.actor, &id).await {
        Ok(case) => case,
        Err(e) => return refused(&desk, &e),
    };
    match case_page(&state, &desk, case).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(refused) => refused,
    }
}

/// The answer the form states, or the fields at fault.
fn answer_of(form: &AnswerForm) -> Result<Answer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut findings = Vec::new();
    const LINE_FIELDS: [&str; FINDING_ROWS] = [
        "finding-1-line",
        "finding-2-line",
        "finding-3-line",
        "finding-4-line",
        "finding-5-line",
    ];
    const AMOUNT_FIELDS: [&str; FINDING_ROWS] = [
        "finding-1-amount",
        "finding-2-amount",
        "finding-3-amount",
        "finding-4-amount",
        "finding-5-amount",
    ];
    for (i, (line, kind, amount)) in form.rows().into_iter().enumerate() {
        if line.trim().is_empty() && kind.trim().is_empty() && amount.trim().is_empty() {
            continue;
        }
        let line_no = match line.trim() {
            "invoice" => None,
            text => match text.parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push(FieldError {
                        field: LINE_FIELDS[i],
                        message: format!("Finding {}: choose the line it is on", i + 1),
                    });
                    continue;
                }
            },
        };
        let Some(kind) = FindingKind::from_name(kind.trim()) else {
            errors.push(FieldError {
                field: LINE_FIELDS[i],
                message: format!("Finding {}: choose what kind of error it is", i + 1),
            });
            continue;
        };
        match parse_decimal(amount.trim()) {
            Ok(amount) if amount >= Decimal::ZERO => findings.push(AnsweredFinding {
                kind,
                line_no,
                amount,
            }),
            _ => errors.push(FieldError {
                field: AMOUNT_FIELDS[i],
                message: format!(
                    "Finding {}: enter by how much, as a number like 106.80",
                    i + 1
                ),
            }),
        }
    }
    let resolution = ResolutionKind::from_name(form.resolution.trim());
    if resolution.is_none() {
        errors.push(FieldError {
            field: "answer-resolution",
            message: "Choose the resolution".to_owned(),
        });
    }
    let amount = match form.amount.trim() {
        "" => None,
        text => match parse_decimal(text) {
            Ok(amount) if amount >= Decimal::ZERO => Some(amount),
            _ => {
                errors.push(FieldError {
                    field: "answer-amount",
                    message: "Enter the resolution's amount as a number like 171.80, or nothing for a rejection"
                        .to_owned(),
                });
                None
            }
        },
    };
    if form.message.trim().is_empty() {
        errors.push(FieldError {
            field: "answer-message",
            message: "Write the message you would send the customer".to_owned(),
        });
    }
    match (errors.is_empty(), resolution) {
        (true, Some(resolution)) => Ok(Answer {
            findings,
            resolution,
            amount,
            message: form.message.clone(),
            took_seconds: 0,
        }),
        _ => Err(errors),
    }
}

/// `POST /practice/cases/{id}/answer`: scored once, then the case shows the result.
pub async fn answer(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { desk, form }: Posted<AnswerForm>,
) -> Response {
    let practice = state.redress.practice();
    let errors = match answer_of(&form) {
        Ok(answer) => match practice.answer(&desk.actor, &id, answer).await {
            Ok(_) => {
                return Redirect::to(&format!("/practice/cases/{id}#result")).into_response();
            }
            Err(ServiceError::Practice(PracticeRefused::BadAnswer { field, problem })) => {
                vec![FieldError {
                    field: match field {
                        "amount" => "answer-amount",
                        "message" => "answer-message",
                        _ => "finding-1-amount",
                    },
                    message: format!("{}{}", problem[..1].to_uppercase(), &problem[1..]),
                }]
            }
            Err(e) => return refused(&desk, &e),
        },
        Err(errors) => errors,
    };
    let case = match practice.case(&desk.actor, &id).await {
        Ok(case) => case,
        Err(e) => return refused(&desk, &e),
    };
    let mut page = match case_page(&state, &desk, case).await {
        Ok(page) => page,
        Err(refused) => return refused,
    };
    page.rows = form
        .rows()
        .iter()
        .enumerate()
        .map(|(i, (line, kind, amount))| FindingRow {
            n: i + 1,
            line: (*line).to_owned(),
            kind: (*kind).to_owned(),
            amount: (*amount).to_owned(),
        })
        .collect();
    page.form = form;
    page.errors = errors;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// A person's figures as the team's page shows them.
pub struct PersonRow {
    name: String,
    role: &'static str,
    resolved: u32,
    hours: String,
    refused: String,
    reopened: u32,
    satisfaction: String,
    practice: String,
    scores: Vec<u32>,
}

/// `/team`.
#[derive(Template)]
#[template(path = "team.html")]
pub struct TeamPage {
    viewer: Option<Viewer>,
    everyone: bool,
    people: Vec<PersonRow>,
    median: [String; 6],
}

fn or_dash(value: Option<Decimal>) -> String {
    value.map_or("—".to_owned(), |v| v.normalize().to_string())
}

fn person_row(p: &PersonFigures) -> PersonRow {
    PersonRow {
        name: p.name.clone(),
        role: format::role(p.role),
        resolved: p.resolved,
        hours: or_dash(p.median_hours_to_resolution),
        refused: format!("{} of {}", p.refused_at_approval, p.decided_by_an_approver),
        reopened: p.reopened,
        satisfaction: p
            .satisfaction
            .map_or("—".to_owned(), |(avg, n)| format!("{avg} ({n})")),
        practice: or_dash(p.practice_average()),
        scores: p.practice.iter().map(|(_, points)| *points).collect(),
    }
}

/// `GET /team`.
pub async fn team(State(state): State<WebState>, desk: Desk) -> Response {
    if desk.actor.role == Role::Auditor {
        return not_for_auditors(&desk);
    }
    let TeamView { people, median } = match state.redress.team().view(&desk.actor).await {
        Ok(view) => view,
        Err(e) => return refused(&desk, &e),
    };
    render(
        StatusCode::OK,
        &TeamPage {
            viewer: Some(desk.viewer()),
            everyone: is_trainer(desk.actor.role),
            people: people.iter().map(person_row).collect(),
            median: [
                or_dash(median.resolved),
                or_dash(median.hours_to_resolution),
                or_dash(median.refused_at_approval),
                or_dash(median.reopened),
                or_dash(median.satisfaction),
                or_dash(median.practice),
            ],
        },
    )
}

/// A reason's playbook as the page shows it.
pub struct PlaybookView {
    reason: &'static str,
    reason_name: &'static str,
    steps: Vec<String>,
    version: Option<(u32, String, Moment)>,
    history: usize,
    text: String,
}

/// `/playbooks`.
#[derive(Template)]
#[template(path = "playbooks.html")]
pub struct PlaybooksPage {
    viewer: Option<Viewer>,
    admin: bool,
    playbooks: Vec<PlaybookView>,
    errors: Vec<FieldError>,
}

async fn playbooks_for(state: &WebState, desk: &Desk) -> Result<PlaybooksPage, Response> {
    let names = state
        .redress
        .people()
        .names()
        .await
        .map_err(|e| super::unavailable(&e))?;
    let mut playbooks = Vec::new();
    for (reason, name) in DisputeReason::ALL {
        let history: Vec<Playbook> = state
            .redress
            .practice()
            .playbook_history(reason)
            .await
            .map_err(|e| super::unavailable(&e))?;
        let current = history.first();
        playbooks.push(PlaybookView {
            reason: name,
            reason_name: format::reason(reason),
            steps: current.map(|p| p.steps.clone()).unwrap_or_default(),
            version: current.map(|p| {
                (
                    p.version,
                    names
                        .get(&p.written_by)
                        .cloned()
                        .unwrap_or_else(|| p.written_by.clone()),
                    format::moment(p.written_at),
                )
            }),
            history: history.len(),
            text: current.map(|p| p.steps.join("\n")).unwrap_or_default(),
        });
    }
    Ok(PlaybooksPage {
        viewer: Some(desk.viewer()),
        admin: desk.actor.role == Role::Admin,
        playbooks,
        errors: Vec::new(),
    })
}

/// `GET /playbooks`.
pub async fn playbooks(State(state): State<WebState>, desk: Desk) -> Response {
    match playbooks_for(&state, &desk).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(refused) => refused,
    }
}

/// What the playbook form sends.
#[derive(Debug, Default, Deserialize)]
pub struct PlaybookForm {
    #[serde(default)]
    steps: String,
}

/// `POST /playbooks/{reason}`: an admin writes a new version.
pub async fn write_playbook(
    State(state): State<WebState>,
    Path(reason): Path<String>,
    Posted { desk, form }: Posted<PlaybookForm>,
) -> Response {
    let Some(reason) = DisputeReason::from_name(&reason) else {
        return super::not_found(
            Some(desk.viewer()),
            format!("There is no dispute reason {reason}."),
        );
    };
    let steps: Vec<String> = form.steps.lines().map(str::to_owned).collect();
    match state
        .redress
        .practice()
        .write_playbook(&desk.actor, reason, steps)
        .await
    {
        Ok(_) => Redirect::to(&format!("/playbooks#playbook-{}", reason.as_str())).into_response(),
        Err(ServiceError::Practice(PracticeRefused::BadPlaybook(why))) => {
            let mut page = match playbooks_for(&state, &desk).await {
                Ok(page) => page,
                Err(refused) => return refused,
            };
            if let Some(p) = page
                .playbooks
                .iter_mut()
                .find(|p| p.reason == reason.as_str())
            {
                p.text = form.steps.clone();
            }
            page.errors = vec![FieldError {
                field: reason_field(reason),
                message: format!(
                    "The playbook for {}: {why}",
                    format::reason(reason).to_lowercase()
                ),
            }];
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => refused(&desk, &e),
    }
}

/// The id of the steps field of `reason`'s form.
fn reason_field(reason: DisputeReason) -> &'static str {
    match reason {
        DisputeReason::Overcharged => "playbook-overcharged-steps",
        DisputeReason::Duplicate => "playbook-duplicate-steps",
        DisputeReason::NotReceived => "playbook-not_received-steps",
        DisputeReason::WrongPrice => "playbook-wrong_price-steps",
        DisputeReason::LateFee => "playbook-late_fee-steps",
        DisputeReason::Other => "playbook-other-steps",
    }
}
