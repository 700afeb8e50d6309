//! Service levels: how soon a dispute must be acknowledged, answered and resolved, counted in
//! the working time of a business calendar.
//!
//! - [`BusinessCalendar`]: a time zone, working hours per weekday and holidays; it adds working
//!   time to a moment ([`add_business_time`](BusinessCalendar::add_business_time)), finds the
//!   close of the n-th working day ([`add_business_days`](BusinessCalendar::add_business_days))
//!   and measures the working time between two moments
//!   ([`business_time_between`](BusinessCalendar::business_time_between)).
//! - [`ServicePolicy`]: a [`Target`] per [`Stage`] and a [`WarnPercent`].
//! - [`Clock`]: one target of one dispute, with its [`PausedSpan`]s, and its [`TargetState`]
//!   at a moment; [`service_levels`] reads all three for a dispute's [`DisputeFacts`] and
//!   gives the next moment one of them changes.
//!
//! Both the calendar and the policy have a one-line text form for settings, written back by
//! `Display`: `zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00;
//! holidays=2026-12-25,2027-01-01` and `acknowledge=4h; respond=16h; resolve=10d; warn=75%`.
//!
//! Working time is counted exactly (to the nanosecond) and shown in whole minutes, rounded
//! down. The rules are told for a support manager in `docs/service-levels.md`.

mod business_calendar;
mod clock;
mod duration;
mod policy;
mod text;

pub use business_calendar::{
    BusinessCalendar, CalendarError, HoursError, WorkingHours, weekday_name,
};
pub use clock::{
    Clock, DisputeFacts, PauseError, PausedSpan, ServiceLevels, TargetState, service_levels,
};
pub use duration::{BusinessDuration, DurationError, PercentError, WarnPercent};
/// The days of the week, as calendars name them.
pub use jiff::civil::Weekday;
pub use policy::{PolicyError, ServicePolicy, Stage, Target, TargetError};

use jiff::Timestamp;

/// When a customer last told something at `last_told` is due a word from the business again
/// (a status update): at the close of the `every`-th working day after; `None` when updates
/// are not asked for (`every` is 0).
pub fn update_due_at(
    calendar: &BusinessCalendar,
    last_told: Timestamp,
    every: u16,
) -> Option<Timestamp> {
    (every > 0).then(|| calendar.add_business_days(last_told, every))
}

#[cfg(test)]
mod update_tests {
    use super::*;

    #[test]
    fn a_customer_last_told_on_a_friday_is_due_an_update_five_working_days_later_at_closing() {
        let calendar = BusinessCalendar::standard("UTC").unwrap();
        // Friday 4 December 2026, 10:00: five working days later is Friday 11 December, 17:00.
        let told: Timestamp = "2026-12-04T10:00:00Z".parse().unwrap();
        let due = update_due_at(&calendar, told, 5).unwrap();
        assert_eq!(due, "2026-12-11T17:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(update_due_at(&calendar, told, 0), None);
    }
}
