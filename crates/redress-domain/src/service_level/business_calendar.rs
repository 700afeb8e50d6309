//! When the business is open: a time zone, working hours per weekday and holidays; and
//! working-time arithmetic over it.

use super::duration::BusinessDuration;
use super::text::{PartsError, parts};
use crate::calendar::{Date, DateError, Timestamp, parse_date};
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Minutes in a day: the latest closing time, written `24:00`.
const DAY_MINUTES: u16 = 24 * 60;

/// The days of the week as written in a calendar's text form, Monday first.
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The short English name of `day` (`Mon` … `Sun`), as the text form writes it.
pub fn weekday_name(day: Weekday) -> &'static str {
    DAY_NAMES[day_index(day)]
}

fn day_index(day: Weekday) -> usize {
    day.to_monday_zero_offset() as usize
}

/// The hours a business is open on a day: one span, opening before it closes, on the local
/// clock of the calendar's zone. Written `09:00-17:30`; `24:00` closes at midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingHours {
    /// Minutes after midnight, `0..1440`.
    open: u16,
    /// Minutes after midnight, `open + 1..=1440`.
    close: u16,
}

/// Why a span is not working hours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// Not of the form `HH:MM-HH:MM` with times of the day.
    #[error("`{0}` is not working hours such as 09:00-17:30")]
    Malformed(String),
    /// Closes before it opens.
    #[error("`{0}` ends before it starts")]
    EndsBeforeStart(String),
    /// Opens and closes at the same time.
    #[error("`{0}` opens and closes at the same time")]
    NoTime(String),
}

impl WorkingHours {
    /// Nine to five, the standard calendar's hours.
    pub const NINE_TO_FIVE: Self = Self {
        open: 9 * 60,
        close: 17 * 60,
    };

    /// Open from `open` to `close`, each in minutes after midnight; `close` may be 1440
    /// (midnight at the end of the day).
    pub fn from_minutes(open: u16, close: u16) -> Result<Self, HoursError> {
        let text = || format!("{}-{}", clock(open), clock(close));
        if open >= DAY_MINUTES || close > DAY_MINUTES {
            return Err(HoursError::Malformed(text()));
        }
        if close < open {
            return Err(HoursError::EndsBeforeStart(text()));
        }
        if close == open {
            return Err(HoursError::NoTime(text()));
        }
        Ok(Self { open, close })
    }

    /// When it opens, in minutes after midnight.
    pub fn opens(self) -> u16 {
        self.open
    }

    /// When it closes, in minutes after midnight (1440 for midnight at the day's end).
    pub fn closes(self) -> u16 {
        self.close
    }
}

/// `minutes` after midnight as `HH:MM`.
fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `HH:MM` as minutes after midnight, `24:00` included.
fn read_clock(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minutes = h * 60 + m;
    (m < 60 && minutes <= DAY_MINUTES).then_some(minutes)
}

impl FromStr for WorkingHours {
    type Err = HoursError;

    /// Reads `09:00-17:30`.
    fn from_str(text: &str) -> Result<Self, HoursError> {
        let trimmed = text.trim();
        let malformed = || HoursError::Malformed(trimmed.to_owned());
        let (open, close) = trimmed.split_once('-').ok_or_else(malformed)?;
        let open = read_clock(open.trim()).ok_or_else(malformed)?;
        let close = read_clock(close.trim()).ok_or_else(malformed)?;
        Self::from_minutes(open, close)
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", clock(self.open), clock(self.close))
    }
}

/// When a business is open: its time zone, its working hours on each working day of the
/// week, and its holidays.
///
/// Working time is counted on the local clock of the zone, but as real elapsed time: on the
/// day clocks spring forward, hours that span the change are an hour shorter. A local opening
/// or closing time that does not exist that day (in the gap of a change) is taken as the
/// moment just after the gap; one that occurs twice (in a fold), as its first occurrence.
///
/// Its text form, for settings: `zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00;
/// holidays=2026-12-25,2027-01-01` (see [`FromStr`](#impl-FromStr-for-BusinessCalendar)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    zone_name: String,
    zone: TimeZone,
    /// Hours on each weekday, Monday first; `None` on a day that is not worked.
    week: [Option<WorkingHours>; 7],
    holidays: BTreeSet<Date>,
}

/// Why a calendar, or its text, is not a business calendar. Each message starts with the
/// part of the text form it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A zone not in the IANA time zone database.
    #[error("zone: `{0}` is not a time zone of the IANA database (such as Europe/Madrid)")]
    UnknownZone(String),
    /// The text has no `zone=`.
    #[error("zone: missing (for example zone=Europe/Madrid)")]
    MissingZone,
    /// Not one day of the week is worked.
    #[error("days: no working day; a calendar needs at least one")]
    NoWorkingDay,
    /// A text that is not days of the week.
    #[error("days: `{0}` is not a day or days such as Mon, Mon-Fri or Mon,Wed,Fri")]
    Days(String),
    /// Hours that are not hours.
    #[error("hours: {0}")]
    Hours(HoursError),
    /// A text that is not hours per day.
    #[error(
        "hours: `{0}` is not working hours such as 09:00-17:00 or Mon-Thu 09:00-17:30, Fri 09:00-14:00"
    )]
    HoursText(String),
    /// A day given hours twice.
    #[error("hours: {0} is given hours twice")]
    HoursTwice(&'static str),
    /// Hours given for a day that is not among the working days.
    #[error("hours: {0} is given hours but is not among the working days")]
    NotWorkingDay(&'static str),
    /// A working day without hours.
    #[error("hours: {0} is a working day without hours")]
    NoHours(&'static str),
    /// A holiday that is not a date.
    #[error("holidays: {0}")]
    Holiday(DateError),
    /// A part of the text that a calendar does not have.
    #[error("`{0}` is not a part of a business calendar (zone, days, hours, holidays)")]
    UnknownPart(String),
    /// A part given twice.
    #[error("{0}: given twice")]
    Repeated(&'static str),
    /// A part without `=`.
    #[error("`{0}` is not of the form name=value")]
    NotNameValue(String),
}

impl From<PartsError> for CalendarError {
    fn from(error: PartsError) -> Self {
        match error {
            PartsError::NotNameValue(part) => Self::NotNameValue(part),
            PartsError::Unknown(name) => Self::UnknownPart(name),
            PartsError::Repeated(name) => Self::Repeated(name),
        }
    }
}

impl BusinessCalendar {
    /// A calendar in the IANA zone `zone` (such as `Europe/Madrid`), open on the days given
    /// `hours` and closed on `holidays`.
    ///
    /// Refuses a zone the database does not know, a day given hours twice, and a week with
    /// no working day.
    pub fn new(
        zone: &str,
        hours: impl IntoIterator<Item = (Weekday, WorkingHours)>,
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<Self, CalendarError> {
        let mut week = [None; 7];
        for (day, span) in hours {
            let slot = &mut week[day_index(day)];
            if slot.is_some() {
                return Err(CalendarError::HoursTwice(weekday_name(day)));
            }
            *slot = Some(span);
        }
        Self::from_week(zone, week, holidays.into_iter().collect())
    }

    /// Monday to Friday, 09:00 to 17:00, no holidays, in the IANA zone `zone`.
    pub fn standard(zone: &str) -> Result<Self, CalendarError> {
        Self::from_week(
            zone,
            std::array::from_fn(|i| (i < 5).then_some(WorkingHours::NINE_TO_FIVE)),
            BTreeSet::new(),
        )
    }

    fn from_week(
        zone: &str,
        week: [Option<WorkingHours>; 7],
        holidays: BTreeSet<Date>,
    ) -> Result<Self, CalendarError> {
        let unknown = || CalendarError::UnknownZone(zone.to_owned());
        // Only names of the database: `TimeZone::get` would also take a fixed offset or a
        // POSIX rule, which the text form could not write back as a zone.
        let tz = TimeZone::get(zone).map_err(|_| unknown())?;
        let zone_name = tz.iana_name().ok_or_else(unknown)?.to_owned();
        if week.iter().all(Option::is_none) {
            return Err(CalendarError::NoWorkingDay);
        }
        Ok(Self {
            zone_name,
            zone: tz,
            week,
            holidays,
        })
    }

    /// The IANA name of its time zone.
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// Its time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The hours on `day` of the week, or `None` if it is not a working day.
    pub fn hours_on(&self, day: Weekday) -> Option<WorkingHours> {
        self.week[day_index(day)]
    }

    /// The holidays, in order.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether `date` is worked: a working day of the week and not a holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.hours_on(date.weekday()).is_some() && !self.holidays.contains(&date)
    }

    /// The moments `date` opens and closes, or `None` if it is not a working day.
    pub fn working_span(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        let (open, close) = self.window(date)?;
        Some((moment(open), moment(close)))
    }

    /// Whether `moment` falls within the working hours of a working day, its opening and
    /// closing moments included.
    pub fn is_within_working_hours(&self, moment: Timestamp) -> bool {
        let t = moment.as_nanosecond();
        let day = self.local_date(moment);
        [day.yesterday().ok(), Some(day), day.tomorrow().ok()]
            .into_iter()
            .flatten()
            .filter_map(|d| self.window(d))
            .any(|(open, close)| open <= t && t <= close)
    }

    /// The moment `duration` of working time has passed since `start`, counting only the
    /// working hours of working days.
    ///
    /// A start outside working hours begins counting at the next opening. The answer is the
    /// earliest such moment, so a duration that runs out exactly at closing time ends at that
    /// closing time, not at the next opening. A zero duration gives the first working moment
    /// at or after `start`: `start` itself during working hours, else the next opening (a
    /// start exactly at closing moves to the next opening). Past the last moment `Timestamp`
    /// can hold, the answer is [`Timestamp::MAX`].
    pub fn add_business_time(&self, start: Timestamp, duration: BusinessDuration) -> Timestamp {
        self.advance(start, duration.nanos(), &[])
    }

    /// The closing moment of the `n`-th working day after `start`: what "within `n` business
    /// days" means.
    ///
    /// The working days counted are those that open at or after `start`: a dispute that
    /// arrives before opening on a working day has that day as its first; one that arrives
    /// during working hours, after closing or on a day off has the next working day as its
    /// first. So one arriving on Friday at 16:00 is due within 1 business day on Monday at
    /// closing time, and one arriving on Monday at 08:00, on Monday at closing time.
    ///
    /// `n = 0` gives what [`add_business_time`](Self::add_business_time) gives for no time.
    pub fn add_business_days(&self, start: Timestamp, n: u16) -> Timestamp {
        if n == 0 {
            return self.add_business_time(start, BusinessDuration::ZERO);
        }
        let t = start.as_nanosecond();
        let mut counted = 0;
        let mut date = self.first_date(start);
        loop {
            if let Some((open, close)) = self.window(date)
                && open >= t
            {
                counted += 1;
                if counted == n {
                    return moment(close);
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => return Timestamp::MAX,
            }
        }
    }

    /// The working time between `from` and `to`, in whole minutes (rounded down); zero if
    /// `to` is not after `from`.
    pub fn business_time_between(&self, from: Timestamp, to: Timestamp) -> BusinessDuration {
        BusinessDuration::from_nanos_floor(self.counted(from, to, &[]))
    }

    /// The local date of `moment` in the calendar's zone.
    fn local_date(&self, moment: Timestamp) -> Date {
        self.zone.to_datetime(moment).date()
    }

    /// The day to start walking from for `start`: the day before its local date, so that a
    /// span reaching past midnight in a fold is not missed.
    fn first_date(&self, start: Timestamp) -> Date {
        let day = self.local_date(start);
        day.yesterday().unwrap_or(day)
    }

    /// The local `minute` of `date` (1440 being the next day's midnight), in nanoseconds
    /// since the Unix epoch.
    fn local_moment(&self, date: Date, minute: u16) -> Option<i128> {
        let (date, minute) = if minute >= DAY_MINUTES {
            (date.tomorrow().ok()?, 0)
        } else {
            (date, minute)
        };
        let time = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        let moment = self.zone.to_ambiguous_timestamp(time).compatible().ok()?;
        Some(moment.as_nanosecond())
    }

    /// When `date` opens and closes, in nanoseconds since the Unix epoch, if it is worked.
    fn window(&self, date: Date) -> Option<(i128, i128)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let hours = self.hours_on(date.weekday())?;
        let open = self.local_moment(date, hours.open)?;
        let close = self.local_moment(date, hours.close)?;
        Some((open, close.max(open)))
    }

    /// The earliest moment at which `amount` nanoseconds of working time, not counting the
    /// `paused` spans, have passed since `start`.
    pub(super) fn advance(&self, start: Timestamp, amount: i128, paused: &[Span]) -> Timestamp {
        let t = start.as_nanosecond();
        let mut left = amount.max(0);
        let mut date = self.first_date(start);
        loop {
            if let Some((open, close)) = self.window(date) {
                for (from, to) in unpaused(open.max(t), close, paused) {
                    if left <= to - from {
                        return moment(from + left);
                    }
                    left -= to - from;
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => return Timestamp::MAX,
            }
        }
    }

    /// The working time between `from` and `to`, not counting the `paused` spans, in
    /// nanoseconds; zero if `to` is not after `from`.
    pub(super) fn counted(&self, from: Timestamp, to: Timestamp, paused: &[Span]) -> i128 {
        let (a, b) = (from.as_nanosecond(), to.as_nanosecond());
        if b <= a {
            return 0;
        }
        let last = self.local_date(to);
        let mut date = self.first_date(from);
        let mut total = 0;
        loop {
            if let Some((open, close)) = self.window(date) {
                total += unpaused(open.max(a), close.min(b), paused)
                    .map(|(s, e)| e - s)
                    .sum::<i128>();
            }
            match date.tomorrow() {
                Ok(next) if date <= last => date = next,
                _ => return total,
            }
        }
    }
}

/// A span of time in nanoseconds since the Unix epoch, `(from, to)` with `from <= to`.
pub(super) type Span = (i128, i128);

/// The non-empty pieces of `from..to` outside `paused` (sorted, not overlapping).
fn unpaused(from: i128, to: i128, paused: &[Span]) -> impl Iterator<Item = Span> + '_ {
    let mut cursor = from;
    let mut pauses = paused.iter().filter(move |(_, e)| *e > from);
    std::iter::from_fn(move || {
        while cursor < to {
            match pauses.next() {
                Some(&(ps, pe)) if ps < to => {
                    let piece = (cursor, ps);
                    cursor = cursor.max(pe);
                    if piece.0 < piece.1 {
                        return Some(piece);
                    }
                }
                _ => {
                    let piece = (cursor, to);
                    cursor = to;
                    return Some(piece);
                }
            }
        }
        None
    })
}

/// The timestamp `nanos` after the Unix epoch (always in range: it lies between moments
/// that are).
fn moment(nanos: i128) -> Timestamp {
    Timestamp::from_nanosecond(nanos).unwrap_or(Timestamp::MAX)
}

/// Reads days of the week: `Mon`, `Mon-Fri`, `Mon,Wed,Fri`, `Sun-Thu` (a range may wrap past
/// Sunday). Names are in English, any case. `None` if any item is not a day or a range.
fn read_days(text: &str) -> Option<[bool; 7]> {
    let day = |name: &str| {
        DAY_NAMES
            .iter()
            .position(|d| d.eq_ignore_ascii_case(name.trim()))
    };
    let mut days = [false; 7];
    for item in text.split(',') {
        match item.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (day(first)?, day(last)?);
                let mut i = first;
                loop {
                    days[i] = true;
                    if i == last {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
            None => days[day(item)?] = true,
        }
    }
    Some(days)
}

/// Writes days of the week as runs (`Mon-Fri`, `Mon,Wed,Fri`, `Sun-Thu`), starting from a
/// day that follows a day not in the set.
fn write_days(days: [bool; 7]) -> String {
    if days.iter().all(|d| *d) {
        return "Mon-Sun".to_owned();
    }
    let start = (0..7).find(|&i| days[i] && !days[(i + 6) % 7]).unwrap_or(0);
    let mut runs = Vec::new();
    let mut k = 0;
    while k < 7 {
        let i = (start + k) % 7;
        if !days[i] {
            k += 1;
            continue;
        }
        let mut len = 1;
        while k + len < 7 && days[(start + k + len) % 7] {
            len += 1;
        }
        let last = (i + len - 1) % 7;
        runs.push(if len == 1 {
            DAY_NAMES[i].to_owned()
        } else {
            format!("{}-{}", DAY_NAMES[i], DAY_NAMES[last])
        });
        k += len;
    }
    runs.join(",")
}

/// Reads the hours of the working days `working`: one span for all of them (`09:00-17:00`)
/// or spans per day (`Mon-Thu 09:00-17:30, Fri 09:00-14:00`), where a span without days
/// is for the working days not named.
fn read_hours(text: &str, working: [bool; 7]) -> Result<[Option<WorkingHours>; 7], CalendarError> {
    let bad = |piece: &str| CalendarError::HoursText(piece.to_owned());
    let mut named: [Option<WorkingHours>; 7] = [None; 7];
    let mut default = None;
    let mut pending = [false; 7];
    for piece in text.split(',').map(str::trim) {
        let (days, span) = match piece.rsplit_once(char::is_whitespace) {
            Some((days, span)) => (Some(days), Some(span)),
            None if piece.starts_with(|c: char| c.is_ascii_digit()) => (None, Some(piece)),
            None => (Some(piece), None),
        };
        if let Some(days) = days {
            let days = read_days(days).ok_or_else(|| bad(piece))?;
            for (p, d) in pending.iter_mut().zip(days) {
                *p |= d;
            }
        }
        let Some(span) = span else { continue };
        let hours: WorkingHours = span.parse().map_err(CalendarError::Hours)?;
        if days.is_none() {
            if pending.contains(&true) || default.is_some() {
                return Err(bad(piece));
            }
            default = Some(hours);
            continue;
        }
        for i in (0..7).filter(|&i| pending[i]) {
            if !working[i] {
                return Err(CalendarError::NotWorkingDay(DAY_NAMES[i]));
            }
            if named[i].replace(hours).is_some() {
                return Err(CalendarError::HoursTwice(DAY_NAMES[i]));
            }
        }
        pending = [false; 7];
    }
    if pending.contains(&true) {
        return Err(bad(text.trim()));
    }
    let mut week = [None; 7];
    for i in (0..7).filter(|&i| working[i]) {
        week[i] = Some(
            named[i]
                .or(default)
                .ok_or(CalendarError::NoHours(DAY_NAMES[i]))?,
        );
    }
    Ok(week)
}

/// Writes the hours of a week: one span if every working day has the same, else spans per
/// group of days, in the order of the week.
fn write_hours(week: &[Option<WorkingHours>; 7]) -> String {
    let mut spans: Vec<WorkingHours> = Vec::new();
    for hours in week.iter().flatten() {
        if !spans.contains(hours) {
            spans.push(*hours);
        }
    }
    if let [only] = spans.as_slice() {
        return only.to_string();
    }
    spans
        .iter()
        .map(|span| {
            let days = std::array::from_fn(|i| week[i] == Some(*span));
            format!("{} {span}", write_days(days))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for BusinessCalendar {
    type Err = CalendarError;

    /// Reads `zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00;
    /// holidays=2026-12-25,2027-01-01`.
    ///
    /// Parts may come in any order, separated by `;`. Only `zone` is required: `days` defaults
    /// to `Mon-Fri`, `hours` to `09:00-17:00`, `holidays` to none. `hours` is one span for all
    /// working days, or spans per day such as `Mon-Thu 09:00-17:30, Fri 09:00-14:00` (a span
    /// without days is for the working days not named).
    fn from_str(text: &str) -> Result<Self, CalendarError> {
        let [zone, days, hours, holidays] = parts(text, ["zone", "days", "hours", "holidays"])?;
        let zone = zone.ok_or(CalendarError::MissingZone)?;
        let days = match days {
            Some("") => return Err(CalendarError::NoWorkingDay),
            Some(days) => read_days(days).ok_or_else(|| CalendarError::Days(days.to_owned()))?,
            None => std::array::from_fn(|i| i < 5),
        };
        let week = read_hours(hours.unwrap_or("09:00-17:00"), days)?;
        let holidays = holidays
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(parse_date)
            .collect::<Result<_, _>>()
            .map_err(CalendarError::Holiday)?;
        Self::from_week(zone, week, holidays)
    }
}

impl fmt::Display for BusinessCalendar {
    /// Writes the text form that [`FromStr`] reads, every part but empty holidays written
    /// out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = std::array::from_fn(|i| self.week[i].is_some());
        write!(
            f,
            "zone={}; days={}; hours={}",
            self.zone_name,
            write_days(days),
            write_hours(&self.week)
        )?;
        if !self.holidays.is_empty() {
            let holidays: Vec<String> = self.holidays.iter().map(Date::to_string).collect();
            write!(f, "; holidays={}", holidays.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_are_read_and_written_as_hh_mm_spans() {
        let hours: WorkingHours = "09:00-17:30".parse().unwrap();
        assert_eq!((hours.opens(), hours.closes()), (540, 1050));
        assert_eq!(hours.to_string(), "09:00-17:30");
        assert_eq!(
            "00:00-24:00".parse::<WorkingHours>().unwrap().closes(),
            1440
        );
    }

    #[test]
    fn hours_that_end_before_they_start_are_refused() {
        assert_eq!(
            "17:00-09:00".parse::<WorkingHours>(),
            Err(HoursError::EndsBeforeStart("17:00-09:00".into()))
        );
        assert_eq!(
            "09:00-09:00".parse::<WorkingHours>(),
            Err(HoursError::NoTime("09:00-09:00".into()))
        );
        for bad in [
            "9:00-17:00",
            "09:00",
            "09:60-17:00",
            "24:00-24:00",
            "25:00-26:00",
            "x",
        ] {
            assert_eq!(
                bad.parse::<WorkingHours>(),
                Err(HoursError::Malformed(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(
            WorkingHours::from_minutes(600, 1500),
            Err(HoursError::Malformed("10:00-25:00".into()))
        );
    }

    #[test]
    fn days_are_read_as_lists_and_ranges_and_written_as_runs() {
        let days = |t: &str| read_days(t).map(write_days);
        assert_eq!(days("Mon-Fri").as_deref(), Some("Mon-Fri"));
        assert_eq!(days("mon,TUE,Wed").as_deref(), Some("Mon-Wed"));
        assert_eq!(days("Mon,Wed,Fri").as_deref(), Some("Mon,Wed,Fri"));
        assert_eq!(days("Sun-Thu").as_deref(), Some("Sun-Thu"));
        assert_eq!(days("Fri-Mon").as_deref(), Some("Fri-Mon"));
        assert_eq!(days("Mon-Sun").as_deref(), Some("Mon-Sun"));
        assert_eq!(days("Sat").as_deref(), Some("Sat"));
        assert_eq!(days("Mox"), None);
        assert_eq!(days("Mon-"), None);
    }

    #[test]
    fn hours_may_differ_by_day() {
        let working = std::array::from_fn(|i| i < 5);
        let week = read_hours("Mon-Thu 09:00-17:30, Fri 09:00-14:00", working).unwrap();
        assert_eq!(week[0], Some("09:00-17:30".parse().unwrap()));
        assert_eq!(week[4], Some("09:00-14:00".parse().unwrap()));
        assert_eq!(write_hours(&week), "Mon-Thu 09:00-17:30, Fri 09:00-14:00");
        let with_default = read_hours("08:00-16:00, Fri 08:00-13:00", working).unwrap();
        assert_eq!(
            write_hours(&with_default),
            "Mon-Thu 08:00-16:00, Fri 08:00-13:00"
        );
        let scattered =
            read_hours("Mon,Wed 09:00-12:00, Tue,Thu-Fri 10:00-18:00", working).unwrap();
        assert_eq!(
            write_hours(&scattered),
            "Mon,Wed 09:00-12:00, Tue,Thu-Fri 10:00-18:00"
        );
    }

    #[test]
    fn hours_per_day_must_match_the_working_days() {
        let working = std::array::from_fn(|i| i < 5);
        assert_eq!(
            read_hours("Mon-Sat 09:00-17:00", working),
            Err(CalendarError::NotWorkingDay("Sat"))
        );
        assert_eq!(
            read_hours("Mon-Thu 09:00-17:00", working),
            Err(CalendarError::NoHours("Fri"))
        );
        assert_eq!(
            read_hours("Mon-Fri 09:00-17:00, Fri 09:00-14:00", working),
            Err(CalendarError::HoursTwice("Fri"))
        );
        assert_eq!(
            read_hours("Mon-Fri", working),
            Err(CalendarError::HoursText("Mon-Fri".into()))
        );
    }
}
