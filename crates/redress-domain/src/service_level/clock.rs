//! The clock of a target: when it is due, when it warns, and where it stands now, with the
//! spans of time it was paused.

use super::business_calendar::{BusinessCalendar, Span};
use super::duration::{BusinessDuration, WarnPercent};
use super::policy::{ServicePolicy, Stage, Target};
use crate::calendar::Timestamp;

/// A span of time during which the clocks stop: the dispute waits on the customer (an
/// information request is outstanding). Working time within it does not count.
///
/// A pause still running has no end. When a clock is read at a moment, a pause counts only
/// up to that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PausedSpan {
    starts: Timestamp,
    ends: Option<Timestamp>,
}

/// A pause that ends before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a pause cannot end at {ends}, before it starts at {starts}")]
pub struct PauseError {
    /// When it was said to start.
    pub starts: Timestamp,
    /// When it was said to end.
    pub ends: Timestamp,
}

impl PausedSpan {
    /// Paused from `starts` until `ends`.
    pub fn new(starts: Timestamp, ends: Timestamp) -> Result<Self, PauseError> {
        if ends < starts {
            return Err(PauseError { starts, ends });
        }
        Ok(Self {
            starts,
            ends: Some(ends),
        })
    }

    /// Paused since `starts`, and still paused.
    pub fn ongoing(starts: Timestamp) -> Self {
        Self { starts, ends: None }
    }

    /// When the pause started.
    pub fn starts(&self) -> Timestamp {
        self.starts
    }

    /// When it ended, or `None` while it lasts.
    pub fn ends(&self) -> Option<Timestamp> {
        self.ends
    }

    /// Whether the clocks are stopped at `moment` by this pause.
    pub fn covers(&self, moment: Timestamp) -> bool {
        self.starts <= moment && self.ends.is_none_or(|ends| moment < ends)
    }
}

/// Where a target stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetState {
    /// Done at `at`; `on_time` if not after the moment it was due.
    Met {
        /// When it was met.
        at: Timestamp,
        /// Whether it was met at or before it was due.
        on_time: bool,
    },
    /// Not met, with less of the allowed time passed than the warning threshold.
    Running {
        /// When it is due.
        due_at: Timestamp,
        /// When it will be flagged as at risk.
        warn_at: Timestamp,
    },
    /// Not met, past the warning threshold and before it is due.
    Warning {
        /// When it is due.
        due_at: Timestamp,
    },
    /// Not met, and the moment it was due has come.
    Breached {
        /// When it was due.
        due_at: Timestamp,
        /// The working time since then, pauses not counted.
        overdue: BusinessDuration,
    },
    /// Not met and not breached, with the clock stopped by a pause.
    Paused {
        /// When the pause started.
        since: Timestamp,
        /// The working time it will still have when the pause ends.
        remaining: BusinessDuration,
    },
}

impl TargetState {
    /// Its name in the API and the database: `met`, `running`, `warning`, `breached` or
    /// `paused`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Met { .. } => "met",
            Self::Running { .. } => "running",
            Self::Warning { .. } => "warning",
            Self::Breached { .. } => "breached",
            Self::Paused { .. } => "paused",
        }
    }

    /// The next moment this state will change by the passing of time alone: the warning of
    /// a running target, the due moment of one in warning. `None` for a target met, breached
    /// or paused (a pause ends by an event, not by time).
    pub fn next_change(&self) -> Option<Timestamp> {
        match *self {
            Self::Running { warn_at, .. } => Some(warn_at),
            Self::Warning { due_at } => Some(due_at),
            Self::Met { .. } | Self::Breached { .. } | Self::Paused { .. } => None,
        }
    }
}

/// The clock of one target of one dispute: the working time allowed from its start, the
/// calendar that counts it, and the pauses that stop it.
#[derive(Debug, Clone, Copy)]
pub struct Clock<'a> {
    calendar: &'a BusinessCalendar,
    started_at: Timestamp,
    /// Working time allowed, in nanoseconds.
    allowed: i128,
    /// Working time after which it warns, in nanoseconds.
    warn_after: i128,
    pauses: &'a [PausedSpan],
}

impl<'a> Clock<'a> {
    /// The clock of `stage` under `policy`, started at `started_at`.
    pub fn new(
        calendar: &'a BusinessCalendar,
        policy: &ServicePolicy,
        stage: Stage,
        started_at: Timestamp,
        pauses: &'a [PausedSpan],
    ) -> Self {
        Self::for_target(
            calendar,
            policy.target(stage),
            policy.warn(),
            started_at,
            pauses,
        )
    }

    /// The clock of `target`, warning at `warn` of its allowed time, started at `started_at`.
    ///
    /// A target in working days allows the working time from `started_at` to the closing
    /// moment of the n-th working day
    /// ([`add_business_days`](BusinessCalendar::add_business_days)); pauses then push it
    /// later by the working time they stop, like any other target.
    pub fn for_target(
        calendar: &'a BusinessCalendar,
        target: Target,
        warn: WarnPercent,
        started_at: Timestamp,
        pauses: &'a [PausedSpan],
    ) -> Self {
        let allowed = match target {
            Target::BusinessTime(duration) => duration.nanos(),
            Target::BusinessDays(n) => {
                let end = calendar.add_business_days(started_at, n);
                calendar.counted(started_at, end, &[])
            }
        };
        Self {
            calendar,
            started_at,
            allowed,
            warn_after: warn.of_nanos(allowed),
            pauses,
        }
    }

    /// When it started.
    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }

    /// The working time it allows (in whole minutes, rounded down).
    pub fn allowed(&self) -> BusinessDuration {
        BusinessDuration::from_nanos_floor(self.allowed)
    }

    /// When it is due, with the pauses as known at `now`.
    pub fn due_at(&self, now: Timestamp) -> Timestamp {
        let paused = self.paused_as_of(now);
        self.calendar
            .advance(self.started_at, self.allowed, &paused)
    }

    /// When it warns, with the pauses as known at `now`.
    pub fn warn_at(&self, now: Timestamp) -> Timestamp {
        let paused = self.paused_as_of(now);
        self.calendar
            .advance(self.started_at, self.warn_after, &paused)
    }

    /// The working time counted from its start to `at`, pauses not counted: how long it took
    /// when `at` is the moment it was met.
    pub fn elapsed(&self, at: Timestamp) -> BusinessDuration {
        let paused = self.paused_as_of(at);
        BusinessDuration::from_nanos_floor(self.calendar.counted(self.started_at, at, &paused))
    }

    /// Where the target stands at `now`, if it was met at `met_at` (or not yet, `None`).
    ///
    /// A target met is [`Met`](TargetState::Met), on time if met at or before the moment it
    /// was due. One not met is breached from the moment it is due on (even during a pause
    /// that started after that), else paused while a pause covers `now`, else in warning
    /// from its warning moment on, else running.
    pub fn state(&self, met_at: Option<Timestamp>, now: Timestamp) -> TargetState {
        if let Some(at) = met_at {
            return TargetState::Met {
                at,
                on_time: at <= self.due_at(at),
            };
        }
        let paused = self.paused_as_of(now);
        let due_at = self
            .calendar
            .advance(self.started_at, self.allowed, &paused);
        if now >= due_at {
            let overdue = self.calendar.counted(due_at, now, &paused);
            return TargetState::Breached {
                due_at,
                overdue: BusinessDuration::from_nanos_floor(overdue),
            };
        }
        if let Some(pause) = self.pauses.iter().find(|p| p.covers(now)) {
            let elapsed = self.calendar.counted(self.started_at, now, &paused);
            return TargetState::Paused {
                since: pause.starts.max(self.started_at),
                remaining: BusinessDuration::from_nanos_floor(self.allowed - elapsed),
            };
        }
        let warn_at = self
            .calendar
            .advance(self.started_at, self.warn_after, &paused);
        if now >= warn_at {
            TargetState::Warning { due_at }
        } else {
            TargetState::Running { due_at, warn_at }
        }
    }

    /// The pauses cut at `moment` (a pause counts only up to the moment the clock is read),
    /// sorted and merged, in nanoseconds.
    fn paused_as_of(&self, moment: Timestamp) -> Vec<Span> {
        let limit = moment.as_nanosecond();
        let mut spans: Vec<Span> = self
            .pauses
            .iter()
            .filter_map(|p| {
                let from = p.starts.as_nanosecond();
                let to = p.ends.map_or(limit, |e| e.as_nanosecond().min(limit));
                (from < to).then_some((from, to))
            })
            .collect();
        spans.sort_unstable();
        let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
        for (from, to) in spans {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        merged
    }
}

/// What is known of a dispute that its service levels depend on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisputeFacts {
    /// When it was opened: every target counts from here.
    pub opened_at: Timestamp,
    /// When the customer was told it was received.
    pub acknowledged_at: Option<Timestamp>,
    /// When the customer had the first substantive answer.
    pub first_responded_at: Option<Timestamp>,
    /// When it was resolved.
    pub resolved_at: Option<Timestamp>,
    /// The spans it waited on the customer.
    pub paused: Vec<PausedSpan>,
}

impl DisputeFacts {
    /// A dispute opened at `opened_at`, nothing done yet.
    pub fn opened(opened_at: Timestamp) -> Self {
        Self {
            opened_at,
            ..Self::default()
        }
    }

    /// When `stage` was met. A later stage also meets the earlier ones: a first response
    /// acknowledges, a resolution responds; so a stage is met at the earliest of its own
    /// moment and those of the stages after it.
    pub fn met_at(&self, stage: Stage) -> Option<Timestamp> {
        let moments = [
            self.acknowledged_at,
            self.first_responded_at,
            self.resolved_at,
        ];
        let from = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        moments[from..].iter().flatten().min().copied()
    }
}

/// The three targets of a dispute at a moment, and when the next of them changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceLevels {
    /// The acknowledgement's.
    pub acknowledge: TargetState,
    /// The first response's.
    pub respond: TargetState,
    /// The resolution's.
    pub resolve: TargetState,
    /// The next moment one of them changes by the passing of time alone (the earliest
    /// warning or due moment still ahead), for a worker to wake at; `None` if none will.
    pub next_change: Option<Timestamp>,
}

impl ServiceLevels {
    /// The state of `stage`.
    pub fn state(&self, stage: Stage) -> TargetState {
        match stage {
            Stage::Acknowledge => self.acknowledge,
            Stage::Respond => self.respond,
            Stage::Resolve => self.resolve,
        }
    }
}

/// Where each target of the dispute `facts` stands at `now`, under `policy` and `calendar`.
pub fn service_levels(
    policy: &ServicePolicy,
    calendar: &BusinessCalendar,
    facts: &DisputeFacts,
    now: Timestamp,
) -> ServiceLevels {
    let [acknowledge, respond, resolve] = Stage::ALL.map(|stage| {
        Clock::new(calendar, policy, stage, facts.opened_at, &facts.paused)
            .state(facts.met_at(stage), now)
    });
    let next_change = [acknowledge, respond, resolve]
        .iter()
        .filter_map(TargetState::next_change)
        .min();
    ServiceLevels {
        acknowledge,
        respond,
        resolve,
        next_change,
    }
}
