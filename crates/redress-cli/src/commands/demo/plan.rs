//! What happens to each dispute of the demo, decided before anything is done: where it ends in
//! its lifecycle, who works it, and how it is resolved. Decided from what the service verified
//! of each dispute and what the books say of its invoice, by the demo's seeded random stream,
//! so that the same seed plans the same year.
//!
//! First, scripts that the demo must show claim a dispute each (a write-off waiting for the
//! approver, a refused goodwill discount, a payment plan with instalments received, …); then
//! every status is given to one dispute at least; the rest are spread over the statuses as a
//! busy desk would have them, those resolved or closed resolved as their verdict says.

pub use super::facts::Facts;
use fastrand::Rng;
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Decimal, DisputeStatus, Verdict};

/// Who settles a resolution once the agent proposed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The policy: applied at once within the agent's allowance, else left waiting for an
    /// approver.
    AsProposed,
    /// The approver approves it if it waits.
    Approve,
    /// The approver refuses it if it waits.
    Refuse,
}

/// A resolution the agent proposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Its kind.
    pub kind: ResolutionKind,
    /// A credit note's or corrected invoice's lines.
    pub lines: Vec<(u32, Decimal)>,
    /// How much, for the kinds with an amount.
    pub amount: Option<Decimal>,
    /// The payment a refund pays back.
    pub payment: Option<String>,
    /// A plan's monthly instalments.
    pub instalments: Option<u32>,
    /// Who settles it.
    pub decision: Decision,
    /// A plan's instalments received since.
    pub received: u32,
    /// Offered to the customer to accept in the portal, rather than applied.
    pub offer: bool,
}

impl Planned {
    fn new(kind: ResolutionKind, decision: Decision) -> Self {
        Self {
            kind,
            lines: Vec::new(),
            amount: None,
            payment: None,
            instalments: None,
            decision,
            received: 0,
            offer: false,
        }
    }

    fn amount(kind: ResolutionKind, amount: Decimal, decision: Decision) -> Self {
        Self {
            amount: Some(amount),
            ..Self::new(kind, decision)
        }
    }
}

/// Who a dispute is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    /// The demo agent.
    Agent,
    /// The demo approver.
    Approver,
}

/// What happens to one dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    /// The dispute, by its place in the facts.
    pub dispute: usize,
    /// Where it ends.
    pub end: DisputeStatus,
    /// For a withdrawn dispute: where it was when the customer withdrew it.
    pub withdrawn_from: DisputeStatus,
    /// Who works it.
    pub assignee: Option<Assignee>,
    /// Whether it is escalated (while it is worked).
    pub escalate: bool,
    /// Whether the agent writes a note on it.
    pub note: bool,
    /// Whether a colleague's statement is added to it.
    pub statement: bool,
    /// Its resolutions, proposed while it is investigated.
    pub resolutions: Vec<Planned>,
}

impl Course {
    fn new(dispute: usize, end: DisputeStatus) -> Self {
        Self {
            dispute,
            end,
            withdrawn_from: DisputeStatus::Open,
            assignee: None,
            escalate: false,
            note: false,
            statement: false,
            resolutions: Vec::new(),
        }
    }
}

/// A script the demo must show: where its dispute ends, and the resolution it gets if the
/// dispute's facts allow one (`strict`: as a person would choose; otherwise anything that the
/// books accept).
struct Script {
    end: DisputeStatus,
    resolve: fn(&Facts, bool) -> Option<Planned>,
    escalate: bool,
    statement: bool,
}

use Decision::{Approve, AsProposed, Refuse};
use DisputeStatus::{
    Acknowledged, AwaitingCustomer, Closed, Investigating, Open, Resolved, Withdrawn,
};
use ResolutionKind as Kind;

fn write_off(f: &Facts, decision: Decision) -> Option<Planned> {
    let amount = f.claimed.min(f.open);
    (amount > Decimal::ZERO).then(|| Planned::amount(Kind::WriteOff, amount, decision))
}

fn plan(f: &Facts, instalments: u32, received: u32) -> Option<Planned> {
    (f.open >= f.minor() * Decimal::from(instalments)).then(|| Planned {
        instalments: Some(instalments),
        received,
        ..Planned::new(Kind::PaymentPlan, AsProposed)
    })
}

fn credit_note(f: &Facts, strict: bool, above_limit: bool, decision: Decision) -> Option<Planned> {
    if strict && !f.found_something() {
        return None;
    }
    let (lines, net) = f.credit_lines();
    let fits = if above_limit {
        net > f.limit
    } else {
        net <= f.limit
    };
    (net > Decimal::ZERO && fits).then(|| Planned {
        lines,
        ..Planned::new(Kind::CreditNote, decision)
    })
}

/// The scripts, scarcest facts first.
const SCRIPTS: [Script; 15] = [
    // A write-off always waits for an approver: one waits in the approver's desk …
    Script {
        end: Investigating,
        resolve: |f, _| write_off(f, AsProposed),
        escalate: true,
        statement: false,
    },
    // … and one was approved.
    Script {
        end: Resolved,
        resolve: |f, _| write_off(f, Approve),
        escalate: false,
        statement: false,
    },
    Script {
        end: Resolved,
        resolve: |f, _| plan(f, 3, 2),
        escalate: false,
        statement: false,
    },
    Script {
        end: Closed,
        resolve: |f, _| plan(f, 4, 1),
        escalate: false,
        statement: false,
    },
    // Goodwill admits no error: for a customer whose claim the audit does not support.
    Script {
        end: Closed,
        resolve: |f, strict| {
            if strict && f.verdict != Verdict::Rejected {
                return None;
            }
            let amount = f
                .currency
                .round(f.claimed * Decimal::new(3, 1))
                .min(f.limit)
                .min(f.open);
            (amount > Decimal::ZERO).then(|| Planned::amount(Kind::Goodwill, amount, AsProposed))
        },
        escalate: false,
        statement: false,
    },
    // The invoice issued again at the contract's prices, a colleague explaining the error.
    Script {
        end: Resolved,
        resolve: |f, strict| {
            if f.miscomputed {
                return None;
            }
            let lines: Vec<(u32, Decimal)> = if f.owed_lines.is_empty() {
                if strict {
                    return None;
                }
                let (lines, _) = f.credit_lines();
                lines
            } else {
                f.owed_lines.clone()
            };
            let mut change = Decimal::ZERO;
            let mut corrected = Vec::new();
            for (line_no, owed) in lines {
                let charged = f.lines.iter().find(|(n, _)| *n == line_no)?.1;
                change += owed;
                corrected.push((line_no, charged - owed));
            }
            let decision = if change <= f.limit {
                AsProposed
            } else {
                Approve
            };
            (change > Decimal::ZERO).then(|| Planned {
                lines: corrected,
                ..Planned::new(Kind::CorrectedInvoice, decision)
            })
        },
        escalate: false,
        statement: true,
    },
    // Money paid back beyond the agent's allowance waits for the approver.
    Script {
        end: AwaitingCustomer,
        resolve: |f, strict| {
            if strict && !f.found_something() {
                return None;
            }
            let (payment, paid) = f.payments.iter().max_by_key(|(_, a)| *a)?;
            let wanted = if strict {
                f.owed_or_half_claimed()
            } else {
                f.limit * Decimal::TWO
            };
            let amount = wanted.min(*paid);
            (amount > f.limit).then(|| Planned {
                payment: Some(payment.clone()),
                ..Planned::amount(Kind::Refund, amount, AsProposed)
            })
        },
        escalate: false,
        statement: false,
    },
    // A credit note above the agent's allowance waits for the approver …
    Script {
        end: Investigating,
        resolve: |f, strict| credit_note(f, strict, true, AsProposed),
        escalate: true,
        statement: false,
    },
    // … another was approved …
    Script {
        end: Resolved,
        resolve: |f, strict| credit_note(f, strict, true, Approve),
        escalate: false,
        statement: true,
    },
    // … and one within it was applied at once.
    Script {
        end: Closed,
        resolve: |f, strict| credit_note(f, strict, false, AsProposed),
        escalate: false,
        statement: false,
    },
    Script {
        end: Closed,
        resolve: |f, strict| {
            if strict && !f.found_something() {
                return None;
            }
            let (payment, paid) = f.payments.iter().max_by_key(|(_, a)| *a)?;
            let amount = f.owed_or_half_claimed().min(f.limit).min(*paid);
            (amount > Decimal::ZERO).then(|| Planned {
                payment: Some(payment.clone()),
                ..Planned::amount(Kind::Refund, amount, AsProposed)
            })
        },
        escalate: false,
        statement: false,
    },
    Script {
        end: Resolved,
        resolve: |f, strict| {
            if strict && !f.found_something() {
                return None;
            }
            let amount = f.owed_or_half_claimed().min(f.limit).min(f.total);
            (amount > Decimal::ZERO)
                .then(|| Planned::amount(Kind::AccountCredit, amount, AsProposed))
        },
        escalate: false,
        statement: false,
    },
    // A goodwill discount above the allowance, refused by the approver: the agent goes back
    // to the customer.
    Script {
        end: AwaitingCustomer,
        resolve: |f, strict| {
            if strict {
                let amount = f.claimed.min(f.open);
                return (f.verdict == Verdict::Rejected && amount > f.limit)
                    .then(|| Planned::amount(Kind::Goodwill, amount, Refuse));
            }
            let amount = (f.limit * Decimal::TWO).min(f.total);
            (amount > f.limit).then(|| Planned::amount(Kind::AccountCredit, amount, Refuse))
        },
        escalate: false,
        statement: false,
    },
    Script {
        end: Closed,
        resolve: |f, strict| {
            (!strict || f.verdict == Verdict::Rejected)
                .then(|| Planned::new(Kind::Reject, AsProposed))
        },
        escalate: false,
        statement: true,
    },
    // A credit note within the allowance offered to the customer, who has yet to accept it
    // in the portal.
    Script {
        end: AwaitingCustomer,
        resolve: |f, strict| {
            credit_note(f, strict, false, AsProposed).map(|offered| Planned {
                offer: true,
                ..offered
            })
        },
        escalate: false,
        statement: false,
    },
];

/// Where the disputes no script took end, as a desk a year in would have them (weights).
const SPREAD: [(DisputeStatus, u32); 7] = [
    (Open, 12),
    (Acknowledged, 8),
    (Investigating, 16),
    (AwaitingCustomer, 8),
    (Resolved, 16),
    (Closed, 30),
    (Withdrawn, 10),
];

/// Plans every dispute of `facts`, in an order of its own.
pub fn plan_year(facts: &[Facts], rng: &mut Rng) -> Vec<Course> {
    let mut order: Vec<usize> = (0..facts.len()).collect();
    rng.shuffle(&mut order);
    let mut courses: Vec<Option<Course>> = vec![None; facts.len()];
    for script in &SCRIPTS {
        let claimed = [true, false].into_iter().find_map(|strict| {
            order
                .iter()
                .filter(|&&d| courses[d].is_none())
                .find_map(|&d| (script.resolve)(&facts[d], strict).map(|r| (d, r)))
        });
        if let Some((d, resolution)) = claimed {
            let mut course = Course::new(d, script.end);
            course.escalate = script.escalate;
            course.statement = script.statement;
            course.note = true;
            course.assignee = Some(Assignee::Agent);
            course.resolutions.push(resolution);
            courses[d] = Some(course);
        }
    }
    let mut must_have = vec![Open, Acknowledged, Withdrawn];
    for &d in &order {
        if courses[d].is_some() {
            continue;
        }
        let end = if must_have.is_empty() {
            spread(rng)
        } else {
            must_have.remove(0)
        };
        courses[d] = Some(rest(&facts[d], d, end, rng));
    }
    order
        .into_iter()
        .filter_map(|d| courses[d].take())
        .collect()
}

fn spread(rng: &mut Rng) -> DisputeStatus {
    let total: u32 = SPREAD.iter().map(|(_, w)| w).sum();
    let mut r = rng.u32(..total);
    for (status, weight) in SPREAD {
        if r < weight {
            return status;
        }
        r -= weight;
    }
    unreachable!("the weights cover the range")
}

/// A dispute no script took, ending at `end`: resolved as its verdict says when it is
/// resolved or closed; a credit note above the allowance waiting for the approver now and then
/// while it is investigated.
fn rest(f: &Facts, d: usize, end: DisputeStatus, rng: &mut Rng) -> Course {
    let mut course = Course::new(d, end);
    let worked = !matches!(end, Open | Acknowledged);
    course.assignee = match (end, rng.f64()) {
        (Open, r) if r < 0.25 => Some(Assignee::Agent),
        (Open, _) => None,
        (_, r) if r < 0.75 => Some(Assignee::Agent),
        (_, r) if r < 0.9 => Some(Assignee::Approver),
        _ => None,
    };
    course.note = worked && rng.f64() < 0.5;
    course.statement = worked && f.found_something() && rng.f64() < 0.25;
    course.escalate = end != Open && f.claimed > f.limit * Decimal::from(5) && rng.f64() < 0.3;
    match end {
        Resolved | Closed => {
            let resolution = match credit_note(f, true, false, AsProposed) {
                Some(within) => within,
                None => credit_note(f, true, true, Approve)
                    .unwrap_or_else(|| Planned::new(Kind::Reject, AsProposed)),
            };
            course.resolutions.push(resolution);
            course.assignee = Some(Assignee::Agent);
        }
        Investigating | AwaitingCustomer if rng.f64() < 0.5 => {
            if let Some(waiting) = credit_note(f, true, true, AsProposed) {
                course.resolutions.push(waiting);
                course.assignee = Some(Assignee::Agent);
            }
        }
        Withdrawn => {
            course.withdrawn_from = [Open, Acknowledged, Investigating][rng.usize(..3)];
            course.note = course.withdrawn_from == Investigating && course.note;
        }
        _ => {}
    }
    course
}

#[cfg(test)]
mod tests {
    use super::*;
    use redress_domain::Currency;
    use std::collections::BTreeSet;

    /// Thirty disputes of a 100-dollar allowance: upheld, partly upheld and rejected, claims
    /// under and over the allowance, a quarter of the invoices unpaid.
    fn desk() -> Vec<Facts> {
        let usd = Currency::from_code("USD").unwrap();
        (0..30)
            .map(|i| {
                let verdict = [Verdict::Upheld, Verdict::Rejected, Verdict::PartiallyUpheld][i % 3];
                let found = verdict != Verdict::Rejected;
                let adjustment = match (found, i % 2) {
                    (false, _) => Decimal::ZERO,
                    (true, 0) => Decimal::from(50),
                    (true, _) => Decimal::from(500),
                };
                let unpaid = i % 4 == 0;
                Facts {
                    id: format!("DSP-{i}"),
                    currency: usd,
                    line_no: Some(1),
                    claimed: Decimal::from([80, 600][i % 2]),
                    verdict,
                    adjustment,
                    owed_lines: if found {
                        vec![(1, adjustment)]
                    } else {
                        Vec::new()
                    },
                    explanation: found.then(|| "Billed 120.00, the contract says 108.00.".into()),
                    lines: vec![(1, Decimal::from(1000)), (2, Decimal::from(300))],
                    total: Decimal::from(1430),
                    open: if unpaid {
                        Decimal::from(1430)
                    } else {
                        Decimal::ZERO
                    },
                    payments: if unpaid {
                        Vec::new()
                    } else {
                        vec![(format!("P-{i}"), Decimal::from(1430))]
                    },
                    limit: Decimal::from(100),
                    miscomputed: false,
                }
            })
            .collect()
    }

    #[test]
    fn a_desk_of_thirty_disputes_is_planned_into_every_status_and_every_kind() {
        let facts = desk();
        let courses = plan_year(&facts, &mut Rng::with_seed(7));
        assert_eq!(courses.len(), facts.len(), "every dispute planned once");
        let ends: BTreeSet<&str> = courses.iter().map(|c| c.end.as_str()).collect();
        assert_eq!(ends.len(), DisputeStatus::ALL.len(), "{ends:?}");
        let planned: Vec<&Planned> = courses.iter().flat_map(|c| &c.resolutions).collect();
        let kinds: BTreeSet<ResolutionKind> = planned.iter().map(|p| p.kind).collect();
        assert_eq!(kinds.len(), ResolutionKind::ALL.len(), "{kinds:?}");
        assert!(planned.iter().any(|p| p.decision == Refuse));
        assert!(planned.iter().any(|p| p.decision == Approve));
        assert!(planned.iter().any(|p| p.received == 2));
        // A resolution waiting for an approver keeps its dispute open.
        for course in &courses {
            let waits = course.resolutions.iter().any(|p| {
                p.decision == AsProposed
                    && (p.kind == Kind::WriteOff
                        || p.amount.is_some_and(|a| a > Decimal::from(100)))
            });
            assert!(!waits || course.end.is_open(), "{course:?}");
        }
    }

    #[test]
    fn the_same_seed_plans_the_same_year() {
        let facts = desk();
        let plan = |seed| plan_year(&facts, &mut Rng::with_seed(seed));
        assert_eq!(plan(7), plan(7));
        assert_ne!(plan(7), plan(8));
    }
}
