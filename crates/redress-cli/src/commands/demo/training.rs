//! The demo's training: the business's playbooks written by the admin, and a practice session
//! the approver started for the agent, two of its cases answered (one as the records support,
//! one in haste), so that the practice pages and the team's figures have something to show.

use super::users::DemoUsers;
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Date, DisputeReason};
use redress_service::Redress;
use redress_service::practice::model_answer;
use redress_service::records::practice::Answer;

/// The playbook of each reason, as a careful business would write it.
const PLAYBOOKS: [(DisputeReason, &[&str]); 6] = [
    (
        DisputeReason::Overcharged,
        &[
            "Compare each disputed line with the contract's price and discount on the line's first day.",
            "Check the units billed against the deliveries of the period.",
            "Check the tax and the totals add up.",
        ],
    ),
    (
        DisputeReason::Duplicate,
        &[
            "Find the twin line: the same SKU and period on this or another invoice.",
            "If there is none, say which delivery each charge is for.",
        ],
    ),
    (
        DisputeReason::NotReceived,
        &[
            "Find the delivery records of the period, with their references.",
            "Compare the units delivered with the units billed.",
        ],
    ),
    (
        DisputeReason::WrongPrice,
        &[
            "Find the contract's price valid on the line's first day.",
            "Check the discount agreed was given.",
        ],
    ),
    (
        DisputeReason::LateFee,
        &[
            "Check the late invoice's due date and the grace period.",
            "Check the payments made by the end of grace.",
            "Check an overdue notice was sent after grace and before the fee.",
        ],
    ),
    (
        DisputeReason::Other,
        &[
            "Ask the customer which line they dispute, and why, before anything else.",
            "For a customer who disputes often, read their history first.",
        ],
    ),
];

/// Writes the playbooks and a practice session with two cases answered.
pub async fn train(redress: &Redress, users: &DemoUsers, today: Date) -> anyhow::Result<()> {
    let practice = redress.practice();
    for (reason, steps) in PLAYBOOKS {
        practice
            .write_playbook(
                &users.admin.actor,
                reason,
                steps.iter().map(|s| (*s).to_owned()).collect(),
            )
            .await?;
    }
    let agent = &users.agent.actor;
    let session = practice
        .start_session(&users.approver.actor, &agent.id, 6, 2026)
        .await?;
    for (i, brief) in session.cases.iter().take(2).enumerate() {
        let case = practice.case(agent, &brief.id).await?;
        let answer = if i == 0 {
            model_answer(
                &case.data,
                &case.dispute,
                case.language,
                &case.relationship,
                &case.history,
                today,
            )
            .as_answer(0)
        } else {
            Answer {
                findings: Vec::new(),
                resolution: ResolutionKind::Reject,
                amount: None,
                message: "We checked your invoice and the charges are correct.".to_owned(),
                took_seconds: 0,
            }
        };
        practice.answer(agent, &brief.id, answer).await?;
    }
    Ok(())
}
