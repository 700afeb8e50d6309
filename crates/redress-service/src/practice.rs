//! Training the team (issue 20): practice sessions a trainer starts for a trainee, cases
//! drawn from disputes already resolved, from invoices the audit found wrong, or made up with
//! an error planted, each anonymised and kept apart from the real books; answers scored
//! against what the audit finds and the recommendation; and the playbooks, the business's own
//! guidance for each dispute reason.
//!
//! Who may do what: approvers and admins (the team's trainers) start sessions and read every
//! case; a trainee reads and answers their own cases only; auditors take no part. Nothing here
//! writes a dispute, a ledger entry, a message, the outbox or an event of the audit log.

use crate::error::ServiceError;
use crate::messages::{explanation_of, rejection_of};
use crate::redress::{Actor, Redress};
use redress_domain::billing::{BillingData, Dispute, DisputeReason};
use redress_domain::recommendation::{
    DisputeHistory, Recommended, Relationship, Verification, recommend,
};
use redress_domain::{Date, Decimal, Language, Money, Role, Timestamp};
use redress_messages as drafts;
use redress_practice::anonymise::anonymise;
use redress_practice::generate::{Planted, generate};
use redress_practice::{Answer, ExpectedFinding, ModelAnswer, Score, score};
use redress_storage::people::tokens::{UserError, acting};
use redress_storage::practice::{
    self as kept, AnswerRefused, CaseSource, NewPracticeCase, PracticeCase, PracticeSession,
};
use redress_storage::{StorageError, Work, this_moment};

pub use redress_storage::practice::Playbook;

/// The most cases a session has.
pub const MAX_SESSION_CASES: u32 = 20;
/// The longest message an answer holds, in characters.
pub const MAX_ANSWER_MESSAGE_CHARS: usize = 10_000;
/// The most findings an answer names.
pub const MAX_ANSWER_FINDINGS: usize = 50;
/// The most steps a playbook has, and the longest step in characters.
pub const MAX_PLAYBOOK_STEPS: usize = 30;
/// The longest step of a playbook, in characters.
pub const MAX_PLAYBOOK_STEP_CHARS: usize = 500;

/// Why practice refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PracticeRefused {
    /// Only approvers and admins train.
    #[error("only an approver or an admin starts practice sessions, not the role {0}")]
    NotATrainer(Role),
    /// The trainee is not a user who can act.
    #[error("there is no active user {0} to practise")]
    UnknownTrainee(String),
    /// Auditors read; they do not work disputes, so they do not practise.
    #[error("{0} is an auditor, who does not work disputes and so does not practise")]
    TraineeIsAnAuditor(String),
    /// A session of no case, or of too many.
    #[error("a session has 1 to {MAX_SESSION_CASES} cases, not {0}")]
    SessionSize(u32),
    /// No such case.
    #[error("there is no practice case {0}")]
    UnknownCase(String),
    /// No such session.
    #[error("there is no practice session {0}")]
    UnknownSession(String),
    /// A case is its trainee's to read and answer (and its trainers' to read).
    #[error("practice case {0} is its trainee's to work, and the trainers' to read")]
    NotYourCase(String),
    /// A session is its trainee's and the trainers' to read.
    #[error("practice session {0} is its trainee's and the trainers' to read")]
    NotYourSession(String),
    /// An answer is given once.
    #[error("practice case {0} was answered already")]
    AnsweredAlready(String),
    /// Something in the answer cannot be taken.
    #[error("{field}: {problem}")]
    BadAnswer {
        /// The field at fault, as the API names it.
        field: &'static str,
        /// What is wrong and what was expected.
        problem: String,
    },
    /// Only admins write playbooks.
    #[error("only an admin writes playbooks, not the role {0}")]
    NotAnAdmin(Role),
    /// A playbook that cannot be kept.
    #[error("steps: {0}")]
    BadPlaybook(String),
}

/// A practice case as the trainee works it: the records and the dispute, and, once answered,
/// the answer with its score and the model answer beside it.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// Its id (`PRC-…`).
    pub id: String,
    /// Its session.
    pub session_id: String,
    /// Who practises on it.
    pub trainee_id: String,
    /// Its place in the session, from 1.
    pub position: u32,
    /// Where it came from.
    pub source: CaseSource,
    /// The disputed invoice's id (a practice id).
    pub invoice_id: String,
    /// The contract's records.
    pub data: BillingData,
    /// The dispute.
    pub dispute: Dispute,
    /// The customer's language.
    pub language: Language,
    /// The customer's relationship.
    pub relationship: Relationship,
    /// Their other disputes.
    pub history: DisputeHistory,
    /// The answer, its score and the model answer, once answered; `None` before (the
    /// verification stays hidden until the trainee has said what they think is wrong).
    pub answered: Option<Answered>,
}

impl CaseView {
    /// The customer's name (a practice name).
    pub fn customer_name(&self) -> &str {
        let invoice = self.data.invoice(self.dispute.invoice);
        &self.data.customers[invoice.customer.index()].name
    }

    /// The dispute's claim as money.
    pub fn claimed(&self) -> Money {
        let currency = self.data.invoice(self.dispute.invoice).currency;
        Money::rounded(self.dispute.claimed_amount, currency)
    }
}

/// An answer with its score and the model answer.
#[derive(Debug, Clone)]
pub struct Answered {
    /// What the trainee answered.
    pub answer: Answer,
    /// Its score, every mark explained.
    pub score: Score,
    /// The answer the records support.
    pub model: ModelAnswer,
    /// When.
    pub answered_at: Timestamp,
}

/// Practice: `redress.practice()`.
pub struct Practice<'a>(&'a Redress);

impl Redress {
    /// Practice sessions and playbooks.
    pub fn practice(&self) -> Practice<'_> {
        Practice(self)
    }
}

fn may_train(role: Role) -> Result<(), PracticeRefused> {
    match role {
        Role::Approver | Role::Admin => Ok(()),
        other => Err(PracticeRefused::NotATrainer(other)),
    }
}

/// The actor acting still, with their role as it now stands.
fn acting_as(actor: &Actor) -> Work<Role, ServiceError> {
    acting(&actor.id).map_err(|e| match e {
        UserError::Unknown(id) => ServiceError::Denied(crate::error::Denied::NoLongerAUser(id)),
        other => other.into(),
    })
}

impl Practice<'_> {
    /// Starts a session of `size` cases for `trainee_id`, for `actor` (an approver or an
    /// admin): cases from resolved disputes first, then from lines the latest audit found
    /// overcharged, then made up; each anonymised, with the answer the records support.
    /// `seed` draws them (the same seed, the same draw over the same data). Who starts it and
    /// who practises are checked again in the transaction that keeps it.
    pub async fn start_session(
        &self,
        actor: &Actor,
        trainee_id: &str,
        size: u32,
        seed: u64,
    ) -> Result<PracticeSession, ServiceError> {
        let work = self.prepare_session(actor, trainee_id, size, seed).await?;
        self.0.store.perform(work).await
    }

    /// What [`start_session`](Self::start_session) keeps, drawn and ready: the work that
    /// checks who starts it and who practises, in its transaction, and keeps the session.
    pub async fn prepare_session(
        &self,
        actor: &Actor,
        trainee_id: &str,
        size: u32,
        seed: u64,
    ) -> Result<Work<PracticeSession, ServiceError>, ServiceError> {
        may_train(actor.role)?;
        if !(1..=MAX_SESSION_CASES).contains(&size) {
            return Err(PracticeRefused::SessionSize(size).into());
        }
        let cases = self.draw(size, seed).await?;
        let (trainee, trainer) = (trainee_id.to_owned(), actor.id.clone());
        Ok(acting_as(actor).then(move |role| {
            if let Err(refused) = may_train(role) {
                return Work::ready(Err(refused.into()));
            }
            acting(&trainee)
                .map_err(|e| match e {
                    UserError::Unknown(id) => PracticeRefused::UnknownTrainee(id).into(),
                    other => ServiceError::from(other),
                })
                .then(move |role| {
                    if role == Role::Auditor {
                        return Work::ready(Err(
                            PracticeRefused::TraineeIsAnAuditor(trainee).into()
                        ));
                    }
                    kept::start(&trainee, &trainer, cases).map_err(ServiceError::from)
                })
        }))
    }

    /// The cases of a new session.
    async fn draw(&self, size: u32, seed: u64) -> Result<Vec<NewPracticeCase>, ServiceError> {
        let store = &self.0.store;
        let today = crate::messages::today(&self.0.communication);
        let mut cases = Vec::with_capacity(size as usize);
        for id in store.practice().resolved_disputes(size, seed).await? {
            if let Some(case) = self.case_of_dispute(&id, seed ^ cases.len() as u64).await? {
                cases.push(case);
            }
        }
        let wanted = size.saturating_sub(cases.len() as u32);
        if wanted > 0 {
            for (invoice, line) in store.practice().overcharged_lines(wanted, seed).await? {
                let salt = seed ^ (cases.len() as u64).rotate_left(17);
                if let Some(case) = self.case_of_finding(&invoice, line, salt).await? {
                    cases.push(case);
                }
            }
        }
        // Made up for the rest, each kind of error in turn (from a place the seed picks).
        let mut plans = Planted::ALL;
        fastrand::Rng::with_seed(seed).shuffle(&mut plans);
        let mut n = 0usize;
        while cases.len() < size as usize {
            let planted = plans[n % plans.len()];
            let language = Language::ALL[(seed as usize).wrapping_add(n) % Language::ALL.len()];
            let made = generate(seed.wrapping_add(n as u64 * 7919), planted, language, today);
            cases.push(case_of(
                CaseSource::Generated,
                made.data,
                made.dispute,
                made.language,
                made.relationship,
                made.history,
                today,
            ));
            n += 1;
        }
        Ok(cases)
    }

    /// A case from the resolved dispute `id`, anonymised; `None` when its records are gone.
    async fn case_of_dispute(
        &self,
        id: &str,
        seed: u64,
    ) -> Result<Option<NewPracticeCase>, ServiceError> {
        let store = &self.0.store;
        let Some(row) = store.disputes().get(id).await? else {
            return Ok(None);
        };
        let Some(data) = store
            .billing()
            .contract_data_for_invoice(&row.invoice_id)
            .await?
        else {
            return Ok(None);
        };
        let Some(invoice) = data.invoice_ids.get(&row.invoice_id) else {
            return Ok(None);
        };
        let invoice = redress_domain::InvoiceIdx(invoice);
        let (relationship, history) = store
            .disputes()
            .facts(id)
            .await?
            .map(|f| (f.relationship, f.history))
            .unwrap_or_default();
        let customer = &data.customers[data.invoice(invoice).customer.index()];
        let (language, _) = Language::for_customer(&customer.language);
        let dispute = Dispute {
            invoice,
            line_no: row.line_no,
            opened_on: row.opened_on,
            reason: row.reason,
            claimed_amount: row.claimed.amount,
            narrative: String::new(),
        };
        let (copy, dispute) = anonymise(&data, &dispute, language, seed);
        let today = crate::messages::today(&self.0.communication);
        Ok(Some(case_of(
            CaseSource::ResolvedDispute,
            copy,
            dispute,
            language,
            relationship,
            history,
            today,
        )))
    }

    /// A case from line `line` of `invoice_id`, which the audit found overcharged, disputed as
    /// its customer would (for what the audit finds on it), anonymised.
    async fn case_of_finding(
        &self,
        invoice_id: &str,
        line: u32,
        seed: u64,
    ) -> Result<Option<NewPracticeCase>, ServiceError> {
        let store = &self.0.store;
        let Some(data) = store
            .billing()
            .contract_data_for_invoice(invoice_id)
            .await?
        else {
            return Ok(None);
        };
        let Some(invoice) = data.invoice_ids.get(invoice_id) else {
            return Ok(None);
        };
        let invoice = redress_domain::InvoiceIdx(invoice);
        let issued = data.invoice(invoice).issue_date;
        let mut dispute = Dispute {
            invoice,
            line_no: Some(line),
            opened_on: issued
                .checked_add(jiff::Span::new().days(14))
                .unwrap_or(issued),
            reason: DisputeReason::Overcharged,
            claimed_amount: Decimal::ZERO,
            narrative: String::new(),
        };
        let verified = redress_audit::verify(&data, &dispute);
        let Some(first) = verified.findings.first() else {
            return Ok(None);
        };
        dispute.reason = reason_for(first.kind);
        dispute.claimed_amount = verified.adjustment;
        let customer = &data.customers[data.invoice(invoice).customer.index()];
        let (language, _) = Language::for_customer(&customer.language);
        let (copy, dispute) = anonymise(&data, &dispute, language, seed);
        let today = crate::messages::today(&self.0.communication);
        Ok(Some(case_of(
            CaseSource::AuditFinding,
            copy,
            dispute,
            language,
            Relationship::default(),
            DisputeHistory::default(),
            today,
        )))
    }

    /// Practice case `id` for `actor`: the trainee's own (its first opening noted, from which
    /// the time taken counts), or any case for an approver or an admin.
    pub async fn case(&self, actor: &Actor, id: &str) -> Result<CaseView, ServiceError> {
        let store = &self.0.store;
        let Some(found) = store.practice().case(id).await? else {
            return Err(PracticeRefused::UnknownCase(id.to_owned()).into());
        };
        let found = if found.trainee_id == actor.id {
            if found.first_opened_at.is_none() {
                store
                    .perform(kept::open(id))
                    .await?
                    .ok_or_else(|| PracticeRefused::UnknownCase(id.to_owned()))?
            } else {
                found
            }
        } else if may_train(actor.role).is_ok() {
            found
        } else {
            return Err(PracticeRefused::NotYourCase(id.to_owned()).into());
        };
        Ok(view(found))
    }

    /// The session `id` with its cases in brief, for its trainee, an approver or an admin.
    pub async fn session(&self, actor: &Actor, id: &str) -> Result<PracticeSession, ServiceError> {
        match self.0.store.practice().session(id).await? {
            Some(session) if session.trainee_id == actor.id || may_train(actor.role).is_ok() => {
                Ok(session)
            }
            Some(_) => Err(PracticeRefused::NotYourSession(id.to_owned()).into()),
            None => Err(PracticeRefused::UnknownSession(id.to_owned()).into()),
        }
    }

    /// The sessions of `trainee_id`, newest first, for the trainee, an approver or an admin.
    pub async fn sessions_of(
        &self,
        actor: &Actor,
        trainee_id: &str,
    ) -> Result<Vec<PracticeSession>, ServiceError> {
        if trainee_id != actor.id {
            may_train(actor.role)?;
        }
        Ok(self.0.store.practice().sessions_of(trainee_id).await?)
    }

    /// Answers practice case `id` for `actor`, its trainee: scored against the model answer,
    /// kept once, and given back with the score and the model answer.
    pub async fn answer(
        &self,
        actor: &Actor,
        id: &str,
        answer: Answer,
    ) -> Result<Answered, ServiceError> {
        let work = self.prepare_answer(actor, id, answer).await?;
        self.0.store.perform(work).await
    }

    /// What [`answer`](Self::answer) keeps, checked and scored: the work that keeps it once.
    pub async fn prepare_answer(
        &self,
        actor: &Actor,
        id: &str,
        mut answer: Answer,
    ) -> Result<Work<Answered, ServiceError>, ServiceError> {
        let store = &self.0.store;
        let Some(case) = store.practice().case(id).await? else {
            return Err(PracticeRefused::UnknownCase(id.to_owned()).into());
        };
        if case.trainee_id != actor.id {
            return Err(PracticeRefused::NotYourCase(id.to_owned()).into());
        }
        if case.answer.is_some() {
            return Err(PracticeRefused::AnsweredAlready(id.to_owned()).into());
        }
        check_answer(&case, &answer)?;
        let since = match case.first_opened_at {
            Some(at) => at,
            None => store
                .practice()
                .session(&case.session_id)
                .await?
                .map_or_else(this_moment, |s| s.created_at),
        };
        answer.took_seconds = this_moment()
            .duration_since(since)
            .as_secs()
            .max(0)
            .unsigned_abs();
        let model = case.case.model;
        let scored = score(&model, &answer);
        let (case_id, points) = (id.to_owned(), scored.points);
        Ok(acting_as(actor).then(move |_| {
            kept::answer(&case_id, answer, points)
                .map_err(|e| match e {
                    AnswerRefused::UnknownCase(id) => PracticeRefused::UnknownCase(id).into(),
                    AnswerRefused::AnsweredAlready(id) => {
                        PracticeRefused::AnsweredAlready(id).into()
                    }
                    AnswerRefused::Storage(e) => ServiceError::Storage(e),
                })
                .map(move |given| Answered {
                    answer: given.answer,
                    score: scored,
                    model,
                    answered_at: given.answered_at,
                })
        }))
    }

    /// Writes a new version of the playbook of `reason`, for `actor`, an admin: its steps in
    /// order, one line each.
    pub async fn write_playbook(
        &self,
        actor: &Actor,
        reason: DisputeReason,
        steps: Vec<String>,
    ) -> Result<Playbook, ServiceError> {
        if actor.role != Role::Admin {
            return Err(PracticeRefused::NotAnAdmin(actor.role).into());
        }
        let steps: Vec<String> = steps
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if steps.is_empty() || steps.len() > MAX_PLAYBOOK_STEPS {
            return Err(PracticeRefused::BadPlaybook(format!(
                "write 1 to {MAX_PLAYBOOK_STEPS} steps, one a line, not {}",
                steps.len()
            ))
            .into());
        }
        if let Some((n, _)) = steps.iter().enumerate().find(|(_, s)| {
            s.chars().count() > MAX_PLAYBOOK_STEP_CHARS || s.chars().any(char::is_control)
        }) {
            return Err(PracticeRefused::BadPlaybook(format!(
                "step {} is longer than {MAX_PLAYBOOK_STEP_CHARS} characters or holds a control character",
                n + 1
            ))
            .into());
        }
        let actor_id = actor.id.clone();
        let work = acting_as(actor).then(move |role| {
            if role != Role::Admin {
                return Work::ready(Err(PracticeRefused::NotAnAdmin(role).into()));
            }
            kept::write_playbook(reason, steps, &actor_id).map_err(ServiceError::from)
        });
        self.0.store.perform(work).await
    }

    /// The playbook of `reason` as it now stands; `None` when none was written.
    pub async fn playbook(&self, reason: DisputeReason) -> Result<Option<Playbook>, StorageError> {
        self.0.store.practice().playbook(reason).await
    }

    /// Every version of the playbook of `reason`, newest first.
    pub async fn playbook_history(
        &self,
        reason: DisputeReason,
    ) -> Result<Vec<Playbook>, StorageError> {
        self.0.store.practice().playbook_history(reason).await
    }
}

/// The reason a customer overcharged this way would give.
fn reason_for(kind: redress_audit::FindingKind) -> DisputeReason {
    use redress_audit::FindingKind as K;
    match kind {
        K::DuplicateCharge => DisputeReason::Duplicate,
        K::PriceMismatch | K::DiscountMissing => DisputeReason::WrongPrice,
        K::QuantityOverbilled | K::OutsideContract | K::UnknownCharge => DisputeReason::NotReceived,
        K::LateFeeUnwarranted | K::LateFeeExcess => DisputeReason::LateFee,
        _ => DisputeReason::Overcharged,
    }
}

/// Refuses what an answer cannot hold: amounts the currency does not hold, line numbers from
/// 0, too many findings, a message too long or holding a NUL.
fn check_answer(case: &PracticeCase, answer: &Answer) -> Result<(), PracticeRefused> {
    let currency = case.case.model.currency;
    let bad = |field, problem: String| Err(PracticeRefused::BadAnswer { field, problem });
    if answer.findings.len() > MAX_ANSWER_FINDINGS {
        return bad(
            "findings",
            format!(
                "name at most {MAX_ANSWER_FINDINGS} findings, not {}",
                answer.findings.len()
            ),
        );
    }
    for (i, finding) in answer.findings.iter().enumerate() {
        if finding.line_no == Some(0) {
            return bad(
                "findings",
                format!("finding {}: lines are numbered from 1", i + 1),
            );
        }
        if !currency.holds(finding.amount) || finding.amount < Decimal::ZERO {
            return bad(
                "findings",
                format!(
                    "finding {}: {} is not an amount of {} (at least 0, at most {} decimals)",
                    i + 1,
                    finding.amount,
                    currency.code(),
                    currency.minor_unit()
                ),
            );
        }
    }
    if let Some(amount) = answer.amount
        && (!currency.holds(amount) || amount < Decimal::ZERO)
    {
        return bad(
            "amount",
            format!(
                "{amount} is not an amount of {} (at least 0, at most {} decimals)",
                currency.code(),
                currency.minor_unit()
            ),
        );
    }
    if answer.message.chars().count() > MAX_ANSWER_MESSAGE_CHARS || answer.message.contains('\0') {
        return bad(
            "message",
            format!("write at most {MAX_ANSWER_MESSAGE_CHARS} characters, and no NUL"),
        );
    }
    Ok(())
}

fn view(case: PracticeCase) -> CaseView {
    let answered = case.answer.map(|given| Answered {
        score: score(&case.case.model, &given.answer),
        answer: given.answer,
        model: case.case.model.clone(),
        answered_at: given.answered_at,
    });
    CaseView {
        id: case.id,
        session_id: case.session_id,
        trainee_id: case.trainee_id,
        position: case.position,
        source: case.case.source,
        invoice_id: case.invoice_id,
        data: case.case.data,
        dispute: case.case.dispute,
        language: case.case.language,
        relationship: case.case.relationship,
        history: case.case.history,
        answered,
    }
}

/// A case to keep, with the answer its records support.
fn case_of(
    source: CaseSource,
    data: BillingData,
    dispute: Dispute,
    language: Language,
    relationship: Relationship,
    history: DisputeHistory,
    today: Date,
) -> NewPracticeCase {
    let model = model_answer(&data, &dispute, language, &relationship, &history, today);
    NewPracticeCase {
        source,
        data,
        dispute,
        language,
        relationship,
        history,
        model,
    }
}

/// What a practice case's messages call the dispute: it has no real reference.
const PRACTICE_REFERENCE: &str = "PRACTICE";

/// The answer the records of `data` support for `dispute`: what the audit rules find on it,
/// the recommendation they lead to with the customer's standing, and a message with every part
/// good practice requires, drafted by Redress in the customer's language.
pub fn model_answer(
    data: &BillingData,
    dispute: &Dispute,
    language: Language,
    relationship: &Relationship,
    history: &DisputeHistory,
    today: Date,
) -> ModelAnswer {
    let invoice = data.invoice(dispute.invoice);
    let currency = invoice.currency;
    let verified = redress_audit::verify(data, dispute);
    let paid: Decimal = data
        .payments
        .iter()
        .filter(|p| p.invoice == dispute.invoice)
        .map(|p| p.amount)
        .sum();
    let recommendation = recommend(
        &Verification {
            verdict: verified.verdict,
            adjustment: currency.shown(verified.adjustment),
            claimed: dispute.claimed_amount,
            currency,
            line_no: dispute.line_no,
            paid,
        },
        relationship,
        history,
    );
    let mut lines: Vec<u32> = verified
        .findings
        .iter()
        .filter_map(|f| f.line_no)
        .chain(dispute.line_no)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let money = |amount: Decimal| Money::rounded(amount, currency);
    let decision = match recommendation.recommended {
        Recommended::CreditNote(amount) => {
            drafts::Decision::Offer(vec![drafts::RemedyOffered::CreditNote {
                amount: money(amount),
            }])
        }
        Recommended::Goodwill(amount) => {
            drafts::Decision::Offer(vec![drafts::RemedyOffered::AccountCredit {
                amount: money(amount),
            }])
        }
        Recommended::Reject => rejection_of(data, dispute.invoice, PRACTICE_REFERENCE),
    };
    let customer = &data.customers[invoice.customer.index()];
    let reply = drafts::Message::Reply(drafts::Reply {
        explanation: explanation_of(
            data,
            dispute.invoice,
            PRACTICE_REFERENCE,
            customer.name.clone(),
        ),
        apologise: matches!(recommendation.recommended, Recommended::CreditNote(_)),
        decision,
        reply_by: today
            .checked_add(jiff::Span::new().days(14))
            .unwrap_or(today),
    });
    ModelAnswer {
        findings: verified.findings.iter().map(ExpectedFinding::of).collect(),
        resolution: recommendation.recommended,
        currency,
        language,
        lines_to_explain: lines,
        message: drafts::draft(&reply, language).body,
    }
}
