//! Service levels: business calendars, policies and the clocks of a dispute's targets.

use jiff::civil::date;
use jiff::tz::TimeZone;
use redress_domain::Timestamp;
use redress_domain::service_level::{
    BusinessCalendar, BusinessDuration, CalendarError, Clock, DisputeFacts, PausedSpan,
    ServicePolicy, Stage, Target, TargetState, WarnPercent, WorkingHours, service_levels,
};

/// The moment of a local time in `zone`.
fn local(zone: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
    TimeZone::get(zone)
        .unwrap()
        .to_ambiguous_timestamp(date(y, mo, d).at(h, mi, 0, 0))
        .compatible()
        .unwrap()
}

fn madrid(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
    local("Europe/Madrid", y, mo, d, h, mi)
}

fn hours(h: u16) -> BusinessDuration {
    BusinessDuration::from_hours(h)
}

fn standard() -> BusinessCalendar {
    BusinessCalendar::standard("Europe/Madrid").unwrap()
}

/// Open around the clock, every day: working time is real elapsed time.
fn around_the_clock() -> BusinessCalendar {
    "zone=Europe/Madrid; days=Mon-Sun; hours=00:00-24:00"
        .parse()
        .unwrap()
}

fn clock<'a>(
    calendar: &'a BusinessCalendar,
    target: &str,
    started_at: Timestamp,
    pauses: &'a [PausedSpan],
) -> Clock<'a> {
    Clock::for_target(
        calendar,
        target.parse().unwrap(),
        WarnPercent::DEFAULT,
        started_at,
        pauses,
    )
}

// 2026-11-20 is a Friday; 2026-11-23 the Monday after.

#[test]
fn a_dispute_on_friday_at_16_in_madrid_with_a_4h_acknowledge_target_is_due_monday_at_12() {
    let opened = madrid(2026, 11, 20, 16, 0);
    assert_eq!(
        standard().add_business_time(opened, hours(4)),
        madrid(2026, 11, 23, 12, 0)
    );
    let facts = DisputeFacts::opened(opened);
    let levels = service_levels(&ServicePolicy::DEFAULT, &standard(), &facts, opened);
    assert_eq!(
        levels.acknowledge,
        TargetState::Running {
            due_at: madrid(2026, 11, 23, 12, 0),
            warn_at: madrid(2026, 11, 23, 11, 0),
        }
    );
}

#[test]
fn a_holiday_is_skipped() {
    let calendar: BusinessCalendar = "zone=Europe/Madrid; holidays=2026-11-23".parse().unwrap();
    assert_eq!(
        calendar.add_business_time(madrid(2026, 11, 20, 16, 0), hours(4)),
        madrid(2026, 11, 24, 12, 0)
    );
    assert!(!calendar.is_working_day(date(2026, 11, 23)));
    assert_eq!(
        calendar.business_time_between(madrid(2026, 11, 20, 9, 0), madrid(2026, 11, 24, 17, 0)),
        hours(16)
    );
}

#[test]
fn a_start_outside_working_hours_begins_at_the_next_opening() {
    let calendar = standard();
    // Saturday evening: counting starts on Monday at 09:00.
    assert_eq!(
        calendar.add_business_time(
            madrid(2026, 11, 21, 20, 0),
            BusinessDuration::from_minutes(90)
        ),
        madrid(2026, 11, 23, 10, 30)
    );
    // Before opening on a working day.
    assert_eq!(
        calendar.add_business_time(madrid(2026, 11, 23, 7, 0), hours(1)),
        madrid(2026, 11, 23, 10, 0)
    );
    // No time at all gives the next working moment.
    assert_eq!(
        calendar.add_business_time(madrid(2026, 11, 21, 20, 0), BusinessDuration::ZERO),
        madrid(2026, 11, 23, 9, 0)
    );
}

#[test]
fn time_that_runs_out_at_closing_is_due_at_closing_not_at_the_next_opening() {
    assert_eq!(
        standard().add_business_time(madrid(2026, 11, 23, 9, 0), hours(8)),
        madrid(2026, 11, 23, 17, 0)
    );
}

#[test]
fn a_spring_forward_day_counts_the_real_working_hours() {
    // Madrid's clocks go from 02:00 to 03:00 on Sunday 2026-03-29.
    let calendar = around_the_clock();
    assert_eq!(
        calendar.business_time_between(madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 30, 0, 0)),
        hours(23)
    );
    // Four working hours from midnight end at 05:00 on the clock.
    assert_eq!(
        calendar.add_business_time(madrid(2026, 3, 29, 0, 0), hours(4)),
        madrid(2026, 3, 29, 5, 0)
    );
    // A night shift from 01:00 to 05:00 works three real hours that day, four the week after.
    let night: BusinessCalendar = "zone=Europe/Madrid; days=Sun; hours=01:00-05:00"
        .parse()
        .unwrap();
    assert_eq!(
        night.business_time_between(madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 30, 0, 0)),
        hours(3)
    );
    assert_eq!(
        night.business_time_between(madrid(2026, 4, 5, 0, 0), madrid(2026, 4, 6, 0, 0)),
        hours(4)
    );
    assert_eq!(
        night.add_business_time(madrid(2026, 3, 29, 0, 0), hours(3)),
        madrid(2026, 3, 29, 5, 0)
    );
}

#[test]
fn a_fall_back_day_counts_the_repeated_hour() {
    // Madrid's clocks go from 03:00 back to 02:00 on Sunday 2026-10-25.
    assert_eq!(
        around_the_clock()
            .business_time_between(madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 26, 0, 0)),
        hours(25)
    );
}

#[test]
fn an_office_day_is_the_same_length_on_a_dst_day_when_the_change_is_at_night() {
    // New York springs forward at 02:00 on 2026-03-08, a Sunday; open that day 09:00-17:00.
    let calendar: BusinessCalendar = "zone=America/New_York; days=Mon-Sun".parse().unwrap();
    let ny = |d, h| local("America/New_York", 2026, 3, d, h, 0);
    assert_eq!(calendar.business_time_between(ny(8, 0), ny(9, 0)), hours(8));
    assert_eq!(calendar.add_business_time(ny(7, 16), hours(2)), ny(8, 10));
}

#[test]
fn the_working_time_between_two_moments_counts_only_working_hours() {
    let calendar = standard();
    assert_eq!(
        calendar.business_time_between(madrid(2026, 11, 20, 16, 0), madrid(2026, 11, 23, 12, 0)),
        hours(4)
    );
    assert_eq!(
        calendar.business_time_between(madrid(2026, 11, 23, 12, 0), madrid(2026, 11, 20, 16, 0)),
        BusinessDuration::ZERO
    );
    // Seconds count toward minutes, and the total is rounded down.
    assert_eq!(
        calendar.business_time_between(
            madrid(2026, 11, 23, 9, 0),
            madrid(2026, 11, 23, 9, 1) + jiff::SignedDuration::from_secs(59)
        ),
        BusinessDuration::from_minutes(1)
    );
}

#[test]
fn hours_may_differ_by_weekday() {
    let calendar: BusinessCalendar =
        "zone=Europe/Madrid; days=Mon-Fri; hours=Mon-Thu 09:00-17:30, Fri 09:00-14:00"
            .parse()
            .unwrap();
    // Friday 13:00: one hour left on Friday, three on Monday.
    assert_eq!(
        calendar.add_business_time(madrid(2026, 11, 20, 13, 0), hours(4)),
        madrid(2026, 11, 23, 12, 0)
    );
    assert_eq!(
        calendar.hours_on(jiff::civil::Weekday::Friday),
        Some("09:00-14:00".parse().unwrap())
    );
}

#[test]
fn within_n_business_days_counts_the_start_day_only_if_the_dispute_arrived_before_opening() {
    let calendar = standard();
    // Monday before opening: Monday is day one.
    assert_eq!(
        calendar.add_business_days(madrid(2026, 11, 23, 8, 0), 1),
        madrid(2026, 11, 23, 17, 0)
    );
    // Exactly at opening counts as before it.
    assert_eq!(
        calendar.add_business_days(madrid(2026, 11, 23, 9, 0), 1),
        madrid(2026, 11, 23, 17, 0)
    );
    // During working hours: the next working day is day one.
    assert_eq!(
        calendar.add_business_days(madrid(2026, 11, 23, 10, 0), 1),
        madrid(2026, 11, 24, 17, 0)
    );
    // Friday afternoon: Monday is day one, and ten days end on the Friday after next.
    assert_eq!(
        calendar.add_business_days(madrid(2026, 11, 20, 16, 0), 1),
        madrid(2026, 11, 23, 17, 0)
    );
    assert_eq!(
        calendar.add_business_days(madrid(2026, 11, 20, 16, 0), 10),
        madrid(2026, 12, 4, 17, 0)
    );
    // On a Saturday: Monday is day one.
    assert_eq!(
        calendar.add_business_days(madrid(2026, 11, 21, 11, 0), 2),
        madrid(2026, 11, 24, 17, 0)
    );
    // Holidays are not working days.
    let christmas: BusinessCalendar = "zone=Europe/Madrid; holidays=2026-12-24,2026-12-25"
        .parse()
        .unwrap();
    assert_eq!(
        christmas.add_business_days(madrid(2026, 12, 23, 12, 0), 1),
        madrid(2026, 12, 28, 17, 0)
    );
}

#[test]
fn the_warning_comes_at_75_percent_of_the_allowed_time() {
    let calendar = standard();
    let opened = madrid(2026, 11, 23, 9, 0);
    let ack = clock(&calendar, "4h", opened, &[]);
    let (due_at, warn_at) = (madrid(2026, 11, 23, 13, 0), madrid(2026, 11, 23, 12, 0));
    assert_eq!(
        ack.state(None, madrid(2026, 11, 23, 11, 59)),
        TargetState::Running { due_at, warn_at }
    );
    assert_eq!(ack.state(None, warn_at), TargetState::Warning { due_at });
    assert_eq!(
        ack.state(None, madrid(2026, 11, 23, 12, 59)),
        TargetState::Warning { due_at }
    );
    assert_eq!(
        ack.state(None, due_at),
        TargetState::Breached {
            due_at,
            overdue: BusinessDuration::ZERO
        }
    );
    // Overdue counts working time only: from 13:00 to the next morning at 10:00, five hours.
    assert_eq!(
        ack.state(None, madrid(2026, 11, 24, 10, 0)),
        TargetState::Breached {
            due_at,
            overdue: hours(5)
        }
    );
    // The threshold is the policy's: at 50 % of four hours, 11:00.
    let half = Clock::for_target(
        &calendar,
        Target::BusinessTime(hours(4)),
        WarnPercent::new(50).unwrap(),
        opened,
        &[],
    );
    assert_eq!(half.warn_at(opened), madrid(2026, 11, 23, 11, 0));
}

#[test]
fn the_warning_of_a_target_in_days_comes_at_75_percent_of_its_working_time() {
    // Monday at 08:00, resolve within 10 business days: due Friday week at 17:00, 80 working
    // hours; the warning after 60 of them, on the second Wednesday at 13:00.
    let calendar = standard();
    let resolve = clock(&calendar, "10d", madrid(2026, 11, 23, 8, 0), &[]);
    let now = madrid(2026, 11, 23, 8, 0);
    assert_eq!(resolve.allowed(), hours(80));
    assert_eq!(resolve.due_at(now), madrid(2026, 12, 4, 17, 0));
    assert_eq!(resolve.warn_at(now), madrid(2026, 12, 2, 13, 0));
}

#[test]
fn met_late_is_not_on_time() {
    let calendar = standard();
    let ack = clock(&calendar, "4h", madrid(2026, 11, 20, 16, 0), &[]);
    let late = madrid(2026, 11, 23, 12, 1);
    assert_eq!(
        ack.state(Some(late), late),
        TargetState::Met {
            at: late,
            on_time: false
        }
    );
    let just_in_time = madrid(2026, 11, 23, 12, 0);
    assert_eq!(
        ack.state(Some(just_in_time), late),
        TargetState::Met {
            at: just_in_time,
            on_time: true
        }
    );
    // How long it took, in working time.
    assert_eq!(ack.elapsed(late), BusinessDuration::from_minutes(241));
}

#[test]
fn a_pause_moves_the_due_moment_by_exactly_the_paused_working_time() {
    let calendar = standard();
    let opened = madrid(2026, 11, 23, 9, 0);
    // Respond within 16 working hours: Tuesday at 17:00 without a pause.
    let unpaused = clock(&calendar, "16h", opened, &[]);
    let later = madrid(2026, 11, 30, 9, 0);
    assert_eq!(unpaused.due_at(later), madrid(2026, 11, 24, 17, 0));

    // Waiting on the customer from Monday 16:00 to Tuesday 10:30: 1h + 1h30m of working time.
    let pause =
        [PausedSpan::new(madrid(2026, 11, 23, 16, 0), madrid(2026, 11, 24, 10, 30)).unwrap()];
    let paused = clock(&calendar, "16h", opened, &pause);
    let due = paused.due_at(later);
    assert_eq!(due, madrid(2026, 11, 25, 11, 30));
    assert_eq!(
        calendar.business_time_between(unpaused.due_at(later), due),
        calendar.business_time_between(pause[0].starts(), pause[0].ends().unwrap())
    );
    // The warning moves too, and what was elapsed at the end leaves the pause out.
    assert_eq!(paused.elapsed(due), hours(16));
}

#[test]
fn a_pause_in_a_target_of_days_moves_it_by_the_paused_working_time() {
    let calendar = standard();
    let opened = madrid(2026, 11, 23, 8, 0);
    let pause =
        [PausedSpan::new(madrid(2026, 11, 24, 14, 0), madrid(2026, 11, 24, 16, 30)).unwrap()];
    let resolve = clock(&calendar, "10d", opened, &pause);
    assert_eq!(
        resolve.due_at(madrid(2026, 12, 31, 0, 0)),
        madrid(2026, 12, 7, 11, 30)
    );
}

#[test]
fn a_pause_still_running_stops_the_clock() {
    let calendar = standard();
    let opened = madrid(2026, 11, 23, 9, 0);
    let pause = [PausedSpan::ongoing(madrid(2026, 11, 23, 11, 0))];
    let ack = clock(&calendar, "4h", opened, &pause);
    // Two hours were used before the pause; days later, two are still left.
    let now = madrid(2026, 11, 27, 16, 0);
    assert_eq!(
        ack.state(None, now),
        TargetState::Paused {
            since: madrid(2026, 11, 23, 11, 0),
            remaining: hours(2)
        }
    );
    assert_eq!(ack.state(None, now).next_change(), None);
    // Were the customer to answer now, it would be due two working hours from now: one on
    // Friday, one on Monday, so Monday at 10:00.
    assert_eq!(ack.due_at(now), madrid(2026, 11, 30, 10, 0));
}

#[test]
fn a_breach_before_a_pause_stays_a_breach() {
    let calendar = standard();
    let opened = madrid(2026, 11, 23, 9, 0);
    let pause = [PausedSpan::ongoing(madrid(2026, 11, 23, 15, 0))];
    let ack = clock(&calendar, "4h", opened, &pause);
    assert_eq!(
        ack.state(None, madrid(2026, 11, 24, 12, 0)),
        TargetState::Breached {
            due_at: madrid(2026, 11, 23, 13, 0),
            overdue: hours(2)
        }
    );
}

#[test]
fn a_pause_that_ends_before_it_starts_is_refused() {
    let error = PausedSpan::new(madrid(2026, 11, 24, 10, 0), madrid(2026, 11, 23, 10, 0));
    assert!(error.is_err());
}

#[test]
fn a_dispute_reads_its_three_targets_and_the_next_moment_one_changes() {
    let calendar = standard();
    let policy = ServicePolicy::DEFAULT;
    let opened = madrid(2026, 11, 23, 9, 0);
    let mut facts = DisputeFacts::opened(opened);
    facts.acknowledged_at = Some(madrid(2026, 11, 23, 10, 0));

    let now = madrid(2026, 11, 23, 15, 0);
    let levels = service_levels(&policy, &calendar, &facts, now);
    assert_eq!(
        levels.acknowledge,
        TargetState::Met {
            at: madrid(2026, 11, 23, 10, 0),
            on_time: true
        }
    );
    // Respond within 16h: due Tuesday 17:00, warning Tuesday 13:00 (12 hours in).
    assert_eq!(
        levels.state(Stage::Respond),
        TargetState::Running {
            due_at: madrid(2026, 11, 24, 17, 0),
            warn_at: madrid(2026, 11, 24, 13, 0),
        }
    );
    assert_eq!(levels.next_change, Some(madrid(2026, 11, 24, 13, 0)));

    // In warning, the next change is its due moment.
    let levels = service_levels(&policy, &calendar, &facts, madrid(2026, 11, 24, 14, 0));
    assert_eq!(levels.next_change, Some(madrid(2026, 11, 24, 17, 0)));

    // A resolution also answers the customer: every target is met and nothing is ahead.
    facts.resolved_at = Some(madrid(2026, 11, 24, 16, 0));
    let levels = service_levels(&policy, &calendar, &facts, madrid(2026, 11, 25, 9, 0));
    assert_eq!(
        levels.respond,
        TargetState::Met {
            at: madrid(2026, 11, 24, 16, 0),
            on_time: true
        }
    );
    assert!(matches!(
        levels.resolve,
        TargetState::Met { on_time: true, .. }
    ));
    assert_eq!(levels.next_change, None);
}

#[test]
fn the_calendar_text_form_round_trips() {
    for text in [
        "zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00",
        "zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00; holidays=2026-12-25,2027-01-01",
        "zone=Asia/Dubai; days=Mon-Fri; hours=Mon-Thu 07:30-15:30, Fri 07:30-12:00",
        "zone=Asia/Jerusalem; days=Sun-Thu; hours=08:00-17:00",
        "zone=UTC; days=Mon-Sun; hours=00:00-24:00",
        "zone=America/New_York; days=Mon,Wed,Fri; hours=10:00-18:30",
    ] {
        let calendar: BusinessCalendar = text.parse().unwrap();
        assert_eq!(calendar.to_string(), text);
        assert_eq!(calendar.to_string().parse(), Ok(calendar));
    }
    assert_eq!(
        standard().to_string(),
        "zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00"
    );
    // Zone names are looked up in any case and written as the database spells them.
    assert_eq!(
        "zone=europe/madrid".parse::<BusinessCalendar>(),
        Ok(standard())
    );
    // Left-out parts take the standard calendar's; spaces and order do not matter.
    assert_eq!(
        " holidays = 2027-01-01 , 2026-12-25 ;zone=Europe/Madrid; "
            .parse::<BusinessCalendar>()
            .unwrap()
            .to_string(),
        "zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00; holidays=2026-12-25,2027-01-01"
    );
}

#[test]
fn the_policy_text_form_round_trips() {
    for text in [
        "acknowledge=4h; respond=16h; resolve=10d; warn=75%",
        "acknowledge=30m; respond=2d; resolve=40h; warn=90%",
        "acknowledge=1h30m; respond=8h; resolve=1d; warn=1%",
    ] {
        let policy: ServicePolicy = text.parse().unwrap();
        assert_eq!(policy.to_string(), text);
    }
    assert_eq!(
        "warn=80%; acknowledge=2h"
            .parse::<ServicePolicy>()
            .unwrap()
            .to_string(),
        "acknowledge=2h; respond=16h; resolve=10d; warn=80%"
    );
}

#[test]
fn bad_calendar_text_gives_an_error_naming_the_part() {
    for (text, message) in [
        (
            "zone=Europe/Madird",
            "zone: `Europe/Madird` is not a time zone of the IANA database (such as Europe/Madrid)",
        ),
        (
            "days=Mon-Fri",
            "zone: missing (for example zone=Europe/Madrid)",
        ),
        (
            "zone=Europe/Madrid; hours=17:00-09:00",
            "hours: `17:00-09:00` ends before it starts",
        ),
        (
            "zone=Europe/Madrid; hours=9-5",
            "hours: `9-5` is not working hours such as 09:00-17:30",
        ),
        (
            "zone=Europe/Madrid; days=Mon-Fry",
            "days: `Mon-Fry` is not a day or days such as Mon, Mon-Fri or Mon,Wed,Fri",
        ),
        (
            "zone=Europe/Madrid; days=",
            "days: no working day; a calendar needs at least one",
        ),
        (
            "zone=Europe/Madrid; days=Mon-Fri; hours=Mon-Thu 09:00-17:00",
            "hours: Fri is a working day without hours",
        ),
        (
            "zone=Europe/Madrid; hours=Sat 10:00-14:00, 09:00-17:00",
            "hours: Sat is given hours but is not among the working days",
        ),
        (
            "zone=Europe/Madrid; holidays=2026-12-25,2026-02-30",
            "holidays: `2026-02-30` is not a day of the calendar",
        ),
        (
            "zone=Europe/Madrid; weekend=Sat-Sun",
            "`weekend` is not a part of a business calendar (zone, days, hours, holidays)",
        ),
        ("zone=Europe/Madrid; zone=UTC", "zone: given twice"),
        (
            "zone=Europe/Madrid; Mon-Fri",
            "`Mon-Fri` is not of the form name=value",
        ),
    ] {
        let error = text.parse::<BusinessCalendar>().unwrap_err();
        assert_eq!(error.to_string(), message, "{text}");
    }
    // A fixed offset is not an IANA zone the text could name.
    assert!(matches!(
        "zone=+01:00".parse::<BusinessCalendar>(),
        Err(CalendarError::UnknownZone(_))
    ));
}

#[test]
fn bad_policy_text_gives_an_error_naming_the_part() {
    for (text, message) in [
        (
            "acknowledge=4 hours",
            "acknowledge: `4 hours` is not a working time such as 4h, 90m or 2h30m",
        ),
        (
            "respond=0h",
            "respond: a target must allow some time (such as 4h or 1d), not none",
        ),
        (
            "resolve=ten days",
            "resolve: `ten days` is not a working time such as 4h, 90m or 2h30m",
        ),
        (
            "resolve=xd",
            "resolve: `xd` is not a number of working days such as 10d",
        ),
        (
            "warn=100%",
            "warn: 100% is not a warning threshold (expected 1% to 99%)",
        ),
        ("warn=75", "warn: `75` is not a percentage such as 75%"),
        (
            "escalate=2d",
            "`escalate` is not a part of a service policy (acknowledge, respond, resolve, warn)",
        ),
        ("warn=75%; warn=80%", "warn: given twice"),
    ] {
        let error = text.parse::<ServicePolicy>().unwrap_err();
        assert_eq!(error.to_string(), message, "{text}");
    }
}

#[test]
fn a_calendar_is_validated_when_built() {
    let nine_to_five = WorkingHours::NINE_TO_FIVE;
    assert_eq!(
        BusinessCalendar::new(
            "Mars/Olympus",
            [(jiff::civil::Weekday::Monday, nine_to_five)],
            []
        ),
        Err(CalendarError::UnknownZone("Mars/Olympus".into()))
    );
    assert_eq!(
        BusinessCalendar::new("Europe/Madrid", [], []),
        Err(CalendarError::NoWorkingDay)
    );
    assert_eq!(
        BusinessCalendar::new(
            "Europe/Madrid",
            [
                (jiff::civil::Weekday::Monday, nine_to_five),
                (jiff::civil::Weekday::Monday, nine_to_five)
            ],
            []
        ),
        Err(CalendarError::HoursTwice("Mon"))
    );
    let built = BusinessCalendar::new(
        "Europe/Madrid",
        [
            jiff::civil::Weekday::Monday,
            jiff::civil::Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday,
            jiff::civil::Weekday::Thursday,
            jiff::civil::Weekday::Friday,
        ]
        .map(|day| (day, nine_to_five)),
        [],
    );
    assert_eq!(built, Ok(standard()));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn calendars() -> Vec<BusinessCalendar> {
        [
            "zone=Europe/Madrid; holidays=2026-01-01,2026-01-06,2026-04-03,2026-12-25,2027-01-01",
            "zone=Europe/Madrid; days=Mon-Sun; hours=00:00-24:00",
            "zone=Europe/Madrid; days=Sat-Sun; hours=01:00-05:00",
            "zone=America/New_York; days=Mon-Fri; hours=Mon-Thu 08:30-17:30, Fri 08:30-13:00",
            "zone=Asia/Jerusalem; days=Sun-Thu; hours=08:00-17:00",
            "zone=Australia/Lord_Howe; days=Mon-Sun; hours=01:00-03:00",
            "zone=UTC; days=Wed; hours=23:59-24:00",
        ]
        .iter()
        .map(|text| text.parse().unwrap())
        .collect()
    }

    /// Moments from 2025 to 2028, to the nanosecond.
    fn moments() -> impl Strategy<Value = Timestamp> {
        (1_735_689_600i64..1_830_297_600, 0i32..1_000_000_000)
            .prop_map(|(s, ns)| Timestamp::new(s, ns).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn the_time_between_a_start_and_the_start_plus_a_duration_is_that_duration(
            which in 0usize..7,
            start in moments(),
            minutes in 0u32..20_000,
        ) {
            let calendar = &calendars()[which];
            let duration = BusinessDuration::from_minutes(minutes);
            let end = calendar.add_business_time(start, duration);
            prop_assert_eq!(calendar.business_time_between(start, end), duration);
        }

        #[test]
        fn due_moments_never_land_outside_working_hours(
            which in 0usize..7,
            start in moments(),
            minutes in 0u32..20_000,
            days in 0u16..30,
        ) {
            let calendar = &calendars()[which];
            let by_time = calendar.add_business_time(start, BusinessDuration::from_minutes(minutes));
            prop_assert!(calendar.is_within_working_hours(by_time), "{by_time}");
            prop_assert!(by_time >= start);
            let by_days = calendar.add_business_days(start, days);
            prop_assert!(calendar.is_within_working_hours(by_days), "{by_days}");
            prop_assert!(by_days >= start);
        }

        #[test]
        fn a_pause_moves_the_due_moment_by_the_working_time_it_stops(
            which in 0usize..7,
            start in moments(),
            target_minutes in 1u32..5_000,
            pause_after in 0i64..2_000_000,
            pause_for in 0i64..1_000_000,
        ) {
            let calendar = &calendars()[which];
            let target = Target::BusinessTime(BusinessDuration::from_minutes(target_minutes));
            let pause_start = start + jiff::SignedDuration::from_secs(pause_after);
            let pause = [PausedSpan::new(pause_start, pause_start + jiff::SignedDuration::from_secs(pause_for)).unwrap()];
            let far = Timestamp::MAX;
            let plain = Clock::for_target(calendar, target, WarnPercent::DEFAULT, start, &[]);
            let paused = Clock::for_target(calendar, target, WarnPercent::DEFAULT, start, &pause);
            let (plain_due, paused_due) = (plain.due_at(far), paused.due_at(far));
            prop_assert!(paused_due >= plain_due);
            prop_assert!(calendar.is_within_working_hours(paused_due));
            // The working time the pause stopped before the paused due moment is exactly the
            // working time by which the due moment moved.
            let stopped = calendar.business_time_between(pause_start.max(start), pause[0].ends().unwrap().min(paused_due));
            let moved = calendar.business_time_between(plain_due, paused_due);
            prop_assert_eq!(moved, stopped);
            prop_assert_eq!(paused.elapsed(paused_due), BusinessDuration::from_minutes(target_minutes));
        }
    }
}
