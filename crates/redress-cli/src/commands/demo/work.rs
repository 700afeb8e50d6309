//! The demo's year carried out through the service: each dispute moved along its lifecycle,
//! assigned, escalated, noted and resolved as its [`Course`] says, by the demo's users.

use super::plan::{Assignee, Course, Decision, Facts, Planned};
use super::users::DemoUsers;
use super::words;
use fastrand::Rng;
use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
use redress_domain::{Date, DisputeStatus, NoteKind};
use redress_service::resolutions::Proposal;
use redress_service::{Actor, Redress, ServiceError, Work};

/// The resolutions made, as they stand.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Each resolution's kind and status.
    pub resolutions: Vec<(ResolutionKind, ResolutionStatus)>,
}

/// Performs `work`, a failure of the database being an error and a refusal a bug of the demo.
async fn perform<T: Send + 'static>(
    redress: &Redress,
    work: Work<T, ServiceError>,
    what: &str,
) -> anyhow::Result<T> {
    redress
        .perform(work)
        .await
        .map_err(|e| anyhow::anyhow!("the demo could not {what}: {e}"))
}

/// Follows every course, in order. `today` is the demo's today: when plans start.
pub async fn follow(
    redress: &Redress,
    users: &DemoUsers,
    facts: &[Facts],
    courses: &[Course],
    today: Date,
    rng: &mut Rng,
) -> anyhow::Result<Resolved> {
    let mut resolved = Resolved::default();
    for course in courses {
        follow_one(
            redress,
            users,
            &facts[course.dispute],
            course,
            today,
            rng,
            &mut resolved,
        )
        .await?;
    }
    Ok(resolved)
}

async fn follow_one(
    redress: &Redress,
    users: &DemoUsers,
    facts: &Facts,
    course: &Course,
    today: Date,
    rng: &mut Rng,
    resolved: &mut Resolved,
) -> anyhow::Result<()> {
    let id = facts.id.as_str();
    let disputes = redress.disputes();
    let actor = match course.assignee {
        Some(Assignee::Approver) => &users.approver.actor,
        _ => &users.agent.actor,
    };
    let step = |to: DisputeStatus| {
        let work = disputes.set_status(actor, id, to);
        async move { perform(redress, work, &format!("move {id} to {to}")).await }
    };
    let assignee = course.assignee.map(|a| match a {
        Assignee::Agent => users.agent.actor.id.clone(),
        Assignee::Approver => users.approver.actor.id.clone(),
    });
    if course.end == DisputeStatus::Open {
        if let Some(assignee) = assignee {
            perform(
                redress,
                disputes.assign(actor, id, Some(assignee)),
                "assign a dispute",
            )
            .await?;
        }
        return Ok(());
    }
    if course.end == DisputeStatus::Withdrawn && course.withdrawn_from == DisputeStatus::Open {
        step(DisputeStatus::Withdrawn).await?;
        return Ok(());
    }
    step(DisputeStatus::Acknowledged).await?;
    if let Some(assignee) = assignee {
        perform(
            redress,
            disputes.assign(actor, id, Some(assignee)),
            "assign a dispute",
        )
        .await?;
    }
    if course.escalate {
        perform(
            redress,
            disputes.escalate(actor, id, true),
            "escalate a dispute",
        )
        .await?;
    }
    let stop_at_acknowledged = course.end == DisputeStatus::Acknowledged
        || (course.end == DisputeStatus::Withdrawn
            && course.withdrawn_from == DisputeStatus::Acknowledged);
    if !stop_at_acknowledged {
        step(DisputeStatus::Investigating).await?;
        if course.note {
            let note = disputes.add_note(actor, id, NoteKind::Note, words::note(rng));
            perform(redress, note, "add a note").await?;
        }
        if course.statement {
            let said = words::statement(facts.explanation.as_deref(), rng);
            let statement = disputes.add_note(actor, id, NoteKind::Statement, &said);
            perform(redress, statement, "add a statement").await?;
        }
        for planned in &course.resolutions {
            resolve(redress, users, id, planned, today, rng, resolved).await?;
        }
    }
    // An offer made moved the dispute on to waiting for the customer already.
    let now = disputes.get(id).await?.map(|d| d.status);
    match course.end {
        DisputeStatus::AwaitingCustomer if now == Some(DisputeStatus::AwaitingCustomer) => {}
        DisputeStatus::AwaitingCustomer | DisputeStatus::Withdrawn => {
            step(course.end).await?;
        }
        DisputeStatus::Resolved => {
            step(DisputeStatus::Resolved).await?;
        }
        DisputeStatus::Closed => {
            step(DisputeStatus::Resolved).await?;
            step(DisputeStatus::Closed).await?;
        }
        _ => {}
    }
    Ok(())
}

/// The agent proposes `planned`; the approver approves or refuses it when it waits and the
/// plan says so; a plan's instalments received are recorded. What the books refuse is said on
/// stderr and left out.
async fn resolve(
    redress: &Redress,
    users: &DemoUsers,
    dispute: &str,
    planned: &Planned,
    today: Date,
    rng: &mut Rng,
    resolved: &mut Resolved,
) -> anyhow::Result<()> {
    let agent: &Actor = &users.agent.actor;
    let approver: &Actor = &users.approver.actor;
    let plan = planned.instalments.is_some();
    let proposal = Proposal {
        kind: planned.kind,
        reason: words::reason(planned.kind).to_owned(),
        currency: None,
        lines: planned.lines.clone(),
        amount: planned.amount,
        payment_id: planned.payment.clone(),
        instalments: Vec::new(),
        instalment_count: planned.instalments,
        // A plan is agreed from the real today on (the books refuse one due in the past), and
        // the demo's data may be older.
        first_due_on: plan.then(|| {
            let agreed = today.max(
                jiff::tz::TimeZone::UTC
                    .to_datetime(jiff::Timestamp::now())
                    .date(),
            );
            agreed
                .checked_add(jiff::Span::new().days(15))
                .unwrap_or(agreed)
        }),
        offer: planned.offer,
    };
    let books = redress.books();
    let proposed = match books.prepare_proposal(agent, dispute, proposal).await {
        Ok(work) => redress.perform(work).await,
        Err(e) => Err(e),
    };
    let proposed = match proposed {
        Ok(proposed) => proposed,
        Err(e) if e.storage().is_some() => return Err(e.into()),
        Err(refused) => {
            eprintln!(
                "note: the books refused a {} on {dispute}, left out of the demo: {refused}",
                planned.kind
            );
            return Ok(());
        }
    };
    let waiting = proposed.status == ResolutionStatus::PendingApproval;
    let settled = match planned.decision {
        Decision::Approve if waiting => {
            let note = Some(words::approval_note(rng).to_owned());
            let work = books.decide(approver, &proposed.id, true, note);
            perform(redress, work, "approve a resolution").await?
        }
        Decision::Refuse if waiting => {
            let note = Some(words::REFUSAL_NOTE.to_owned());
            let work = books.decide(approver, &proposed.id, false, note);
            perform(redress, work, "refuse a resolution").await?
        }
        _ => proposed,
    };
    if let (Some(plan_id), true) = (&settled.document_id, plan) {
        for number in 1..=planned.received {
            let work = books.receive_instalment(agent, plan_id, number);
            perform(redress, work, "receive an instalment").await?;
        }
    }
    resolved.resolutions.push((settled.kind, settled.status));
    Ok(())
}
