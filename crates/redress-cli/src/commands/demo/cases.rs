//! The audit of the stored data into arrears cases and systemic issues, run by the demo admin,
//! and the first cases worked by the agent: one offered to the customer, one whose customer
//! chose a payment plan, one a separate invoice, and one whose customer asked for a waiver
//! (waiting for the approver).

use super::users::DemoUsers;
use super::words;
use redress_domain::Date;
use redress_service::Redress;
use redress_service::records::{ArrearsCase, ArrearsChoice};

/// The monthly instalments of the plan one customer chose for their arrears.
const PLAN_INSTALMENTS: u32 = 6;

/// What the audit found and what was done with it.
#[derive(Debug, Default)]
pub struct CasesWorked {
    /// Arrears cases opened.
    pub cases: usize,
    /// Systemic issues found.
    pub systemic_issues: usize,
}

/// Runs the audit into cases as the admin, and works the first cases as the agent.
pub async fn find_and_work(
    redress: &Redress,
    users: &DemoUsers,
    today: Date,
) -> anyhow::Result<CasesWorked> {
    let (admin, agent) = (&users.admin.actor, &users.agent.actor);
    let cases = redress.cases();
    let found = redress.perform(cases.prepare_find(admin).await?).await?;
    let first_due_on = today
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(today);
    // The largest is offered; the next chose a plan, the next a separate invoice; the smallest
    // asked for a waiver, which is worth an approver's time only for a small amount.
    let mut by_size: Vec<&ArrearsCase> = found.opened.iter().collect();
    by_size.sort_by(|a, b| {
        (b.total.cmp(&a.total))
            .then_with(|| a.customer_id.cmp(&b.customer_id))
            .then_with(|| a.currency.code().cmp(b.currency.code()))
    });
    let plan = ArrearsChoice::PaymentPlan {
        instalments: PLAN_INSTALMENTS,
        first_due_on,
    };
    let mut worked: Vec<(&ArrearsCase, Option<ArrearsChoice>)> = Vec::new();
    let mut rest = by_size.into_iter();
    worked.extend(rest.next().map(|case| (case, None)));
    if let Some(case) = rest.next() {
        let big_enough =
            case.currency.minor_units(case.total).unwrap_or(0) >= i64::from(PLAN_INSTALMENTS);
        let choice = if big_enough {
            plan
        } else {
            ArrearsChoice::SeparateInvoice
        };
        worked.push((case, Some(choice)));
    }
    worked.extend(
        rest.next()
            .map(|case| (case, Some(ArrearsChoice::SeparateInvoice))),
    );
    worked.extend(
        rest.next_back()
            .map(|case| (case, Some(ArrearsChoice::Waive))),
    );
    for (case, choice) in worked {
        let offered = cases.offer(agent, &case.id, words::OFFER_NOTE.to_owned());
        redress.perform(offered).await?;
        if let Some(choice) = choice {
            redress
                .perform(cases.choose(agent, &case.id, choice))
                .await?;
        }
    }
    Ok(CasesWorked {
        cases: found.opened.len(),
        systemic_issues: found.systemic_issues.len(),
    })
}
