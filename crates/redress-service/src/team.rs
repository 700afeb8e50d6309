//! The team's view (issue 20): for each person who works disputes, what they resolved and how
//! it went, and their practice scores over time, with the team's median beside each figure.
//! Each person sees their own figures; approvers and admins see everyone's; auditors none.
//!
//! The figures, each of the resolutions a person proposed:
//! - **resolved**: disputes with a resolution of theirs applied;
//! - **median hours to resolution**: from the dispute's opening to the resolution applied
//!   (accepted by the customer, for one offered);
//! - **refused at approval**: of their proposals an approver decided, those refused;
//! - **reopened**: disputes they resolved that the customer disputed again (the same invoice,
//!   and line) afterwards;
//! - **satisfaction**: the customers' answers (1–5) on the disputes they resolved, averaged;
//! - **practice**: their answers' points, oldest first, and their average.

use crate::error::{Denied, ServiceError};
use crate::redress::{Actor, Redress};
use redress_domain::{Decimal, Role, Timestamp};
use redress_storage::analytics::DecidedResolution;

/// One person's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFigures {
    /// Their user id.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Disputes resolved by a resolution of theirs.
    pub resolved: u32,
    /// Hours from opening to resolution, the median of theirs (one decimal).
    pub median_hours_to_resolution: Option<Decimal>,
    /// Of their proposals, those an approver decided.
    pub decided_by_an_approver: u32,
    /// Of those, refused.
    pub refused_at_approval: u32,
    /// Disputes they resolved that the customer disputed again.
    pub reopened: u32,
    /// The customers' satisfaction on their disputes, averaged (two decimals), and how many
    /// answered.
    pub satisfaction: Option<(Decimal, u32)>,
    /// Their practice answers' points, oldest first.
    pub practice: Vec<(Timestamp, u32)>,
}

impl PersonFigures {
    /// Their practice points on average (one decimal).
    pub fn practice_average(&self) -> Option<Decimal> {
        average(self.practice.iter().map(|(_, p)| Decimal::from(*p)), 1)
    }
}

/// The team's median of each figure, over everyone who has that figure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TeamMedian {
    /// Disputes resolved.
    pub resolved: Option<Decimal>,
    /// Hours to resolution.
    pub hours_to_resolution: Option<Decimal>,
    /// Refused at approval.
    pub refused_at_approval: Option<Decimal>,
    /// Reopened.
    pub reopened: Option<Decimal>,
    /// Satisfaction.
    pub satisfaction: Option<Decimal>,
    /// Practice average.
    pub practice: Option<Decimal>,
}

/// The team's view as one person may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamView {
    /// The people shown: the viewer alone, or everyone for an approver or an admin.
    pub people: Vec<PersonFigures>,
    /// The whole team's median, beside.
    pub median: TeamMedian,
}

/// The median of `values` (the mean of the two middle ones for an even count), rounded to
/// `dp` decimals; `None` for none.
pub fn median(mut values: Vec<Decimal>, dp: u32) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    let n = values.len();
    let middle = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / Decimal::TWO
    };
    Some(middle.round_dp(dp))
}

fn average(values: impl Iterator<Item = Decimal>, dp: u32) -> Option<Decimal> {
    let (sum, n) = values.fold((Decimal::ZERO, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| (sum / Decimal::from(n)).round_dp(dp))
}

/// Each of `people` (`(id, name, role)`)'s figures, from the resolutions decided and the
/// practice scores (`(trainee, answered at, points)`, oldest first).
pub fn figures(
    people: &[(String, String, Role)],
    decided: &[DecidedResolution],
    scores: &[(String, Timestamp, u32)],
) -> Vec<PersonFigures> {
    people
        .iter()
        .map(|(id, name, role)| {
            let theirs: Vec<&DecidedResolution> =
                decided.iter().filter(|r| &r.proposed_by == id).collect();
            let applied: Vec<&&DecidedResolution> = theirs.iter().filter(|r| r.applied).collect();
            // One dispute counts once, by its first resolution applied.
            let mut disputes: Vec<&&DecidedResolution> = Vec::new();
            for r in &applied {
                if !disputes.iter().any(|d| d.dispute_id == r.dispute_id) {
                    disputes.push(r);
                }
            }
            let hours = disputes
                .iter()
                .map(|r| {
                    let seconds = r.decided_at.duration_since(r.opened_at).as_secs().max(0);
                    Decimal::from(seconds) / Decimal::from(3600)
                })
                .collect();
            let answers: Vec<Decimal> = disputes
                .iter()
                .filter_map(|r| r.satisfaction.map(Decimal::from))
                .collect();
            let by_approver: Vec<&&DecidedResolution> =
                theirs.iter().filter(|r| r.needed_approval).collect();
            PersonFigures {
                user_id: id.clone(),
                name: name.clone(),
                role: *role,
                resolved: disputes.len() as u32,
                median_hours_to_resolution: median(hours, 1),
                decided_by_an_approver: by_approver.len() as u32,
                refused_at_approval: by_approver.iter().filter(|r| !r.applied).count() as u32,
                reopened: disputes.iter().filter(|r| r.disputed_again).count() as u32,
                satisfaction: average(answers.iter().copied(), 2)
                    .map(|avg| (avg, answers.len() as u32)),
                practice: scores
                    .iter()
                    .filter(|(trainee, _, _)| trainee == id)
                    .map(|(_, at, points)| (*at, *points))
                    .collect(),
            }
        })
        .collect()
}

/// The team's median of each figure over `people`: of counts over everyone, of the rest
/// over those who have one.
pub fn team_median(people: &[PersonFigures]) -> TeamMedian {
    let count = |f: fn(&PersonFigures) -> u32| {
        median(people.iter().map(|p| Decimal::from(f(p))).collect(), 1)
    };
    TeamMedian {
        resolved: count(|p| p.resolved),
        hours_to_resolution: median(
            people
                .iter()
                .filter_map(|p| p.median_hours_to_resolution)
                .collect(),
            1,
        ),
        refused_at_approval: count(|p| p.refused_at_approval),
        reopened: count(|p| p.reopened),
        satisfaction: median(
            people
                .iter()
                .filter_map(|p| p.satisfaction.map(|(avg, _)| avg))
                .collect(),
            2,
        ),
        practice: median(
            people
                .iter()
                .filter_map(PersonFigures::practice_average)
                .collect(),
            1,
        ),
    }
}

/// The team's view: `redress.team()`.
pub struct Team<'a>(&'a Redress);

impl Redress {
    /// The team's figures.
    pub fn team(&self) -> Team<'_> {
        Team(self)
    }
}

impl Team<'_> {
    /// The team's view for `actor`: their own figures (an agent), or everyone's (an approver
    /// or an admin), with the median of everyone who works disputes; an auditor is refused.
    pub async fn view(&self, actor: &Actor) -> Result<TeamView, ServiceError> {
        if actor.role == Role::Auditor {
            return Err(Denied::NotOnTheTeam(actor.role).into());
        }
        let store = &self.0.store;
        let people: Vec<(String, String, Role)> = store
            .people()
            .users()
            .await?
            .into_iter()
            .filter(|u| u.role != Role::Auditor && u.disabled_at.is_none())
            .map(|u| (u.id, u.name, u.role))
            .collect();
        let decided = store.analytics().decided_resolutions().await?;
        let scores = store.practice().scores().await?;
        let everyone = figures(&people, &decided, &scores);
        let median = team_median(&everyone);
        let people = match actor.role {
            Role::Approver | Role::Admin => everyone,
            _ => everyone
                .into_iter()
                .filter(|p| p.user_id == actor.id)
                .collect(),
        };
        Ok(TeamView { people, median })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn decided(
        who: &str,
        dispute: &str,
        applied: bool,
        needed_approval: bool,
        (opened, done): (&str, &str),
        satisfaction: Option<u8>,
        disputed_again: bool,
    ) -> DecidedResolution {
        DecidedResolution {
            proposed_by: who.into(),
            dispute_id: dispute.into(),
            applied,
            needed_approval,
            opened_at: at(opened),
            decided_at: at(done),
            satisfaction,
            disputed_again,
        }
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// Worked by hand: see each figure's comment.
    #[test]
    fn each_person_s_figures_and_the_team_median_are_what_a_hand_count_gives() {
        let people = vec![
            ("ana".to_owned(), "Ana".to_owned(), Role::Agent),
            ("bo".to_owned(), "Bo".to_owned(), Role::Agent),
            ("ruth".to_owned(), "Ruth".to_owned(), Role::Approver),
        ];
        let day = |d: u32, h: u32| format!("2026-01-{d:02}T{h:02}:00:00Z");
        let rows = vec![
            // Ana: 10 h, 24 h (disputed again), 4 h; one refused by an approver first.
            decided(
                "ana",
                "D1",
                true,
                false,
                (&day(1, 0), &day(1, 10)),
                Some(5),
                false,
            ),
            decided(
                "ana",
                "D2",
                true,
                true,
                (&day(2, 0), &day(3, 0)),
                Some(3),
                true,
            ),
            decided(
                "ana",
                "D3",
                false,
                true,
                (&day(4, 0), &day(4, 2)),
                None,
                false,
            ),
            decided(
                "ana",
                "D3",
                true,
                false,
                (&day(4, 0), &day(4, 4)),
                None,
                false,
            ),
            // Bo: 30 h; two refused on D5.
            decided(
                "bo",
                "D4",
                true,
                true,
                (&day(5, 0), &day(6, 6)),
                Some(4),
                false,
            ),
            decided(
                "bo",
                "D5",
                false,
                true,
                (&day(7, 0), &day(7, 1)),
                None,
                false,
            ),
            decided(
                "bo",
                "D5",
                false,
                true,
                (&day(7, 0), &day(7, 2)),
                None,
                false,
            ),
        ];
        let scores = vec![
            ("ana".to_owned(), at(&day(8, 0)), 60),
            ("bo".to_owned(), at(&day(8, 1)), 90),
            ("ana".to_owned(), at(&day(9, 0)), 80),
        ];
        let all = figures(&people, &rows, &scores);
        let (ana, bo, ruth) = (&all[0], &all[1], &all[2]);
        assert_eq!(ana.resolved, 3);
        assert_eq!(
            ana.median_hours_to_resolution,
            Some(d("10.0")),
            "of 10, 24 and 4"
        );
        assert_eq!(
            (ana.decided_by_an_approver, ana.refused_at_approval),
            (2, 1)
        );
        assert_eq!(ana.reopened, 1);
        assert_eq!(ana.satisfaction, Some((d("4.00"), 2)), "(5 + 3) / 2");
        assert_eq!(ana.practice_average(), Some(d("70.0")));
        assert_eq!(
            ana.practice.iter().map(|(_, p)| *p).collect::<Vec<_>>(),
            [60, 80]
        );
        assert_eq!(bo.resolved, 1);
        assert_eq!(bo.median_hours_to_resolution, Some(d("30.0")));
        assert_eq!((bo.decided_by_an_approver, bo.refused_at_approval), (3, 2));
        assert_eq!(bo.satisfaction, Some((d("4.00"), 1)));
        assert_eq!(ruth.resolved, 0);
        assert_eq!(ruth.median_hours_to_resolution, None);
        assert_eq!(ruth.satisfaction, None);

        let median = team_median(&all);
        assert_eq!(median.resolved, Some(d("1.0")), "of 3, 1 and 0");
        assert_eq!(median.hours_to_resolution, Some(d("20.0")), "of 10 and 30");
        assert_eq!(median.refused_at_approval, Some(d("1.0")), "of 1, 2 and 0");
        assert_eq!(median.reopened, Some(d("0.0")), "of 1, 0 and 0");
        assert_eq!(median.satisfaction, Some(d("4.00")));
        assert_eq!(median.practice, Some(d("80.0")), "of 70 and 90");
    }
}
