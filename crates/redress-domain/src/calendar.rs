//! Calendar dates (`YYYY-MM-DD`) and billing periods.

pub use jiff::Timestamp;
pub use jiff::civil::Date;

/// A moment written in UTC with microseconds, always the same width
/// (`2026-11-23T14:28:28.750764Z`): RFC 3339, and text that sorts as the times do.
pub fn timestamp_text(moment: Timestamp) -> String {
    moment.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Why a text is not a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Empty where a date is required.
    #[error("is empty")]
    Empty,
    /// Not of the form `YYYY-MM-DD`.
    #[error("`{0}` is not a date of the form YYYY-MM-DD")]
    Malformed(String),
    /// Of the right form but not a day of the calendar.
    #[error("`{0}` is not a day of the calendar")]
    NoSuchDay(String),
}

/// Parses a `YYYY-MM-DD` date, refusing any other form (`2025-1-5`, `05/01/2025`, times).
///
/// Written out rather than left to a general parser because billing exports hold millions of
/// dates and this is on the import's hot path; the calendar check itself is `jiff`'s.
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let b = text.as_bytes();
    if b.is_empty() {
        return Err(DateError::Empty);
    }
    let digit = |i: usize| b[i].is_ascii_digit();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9].into_iter().all(digit);
    if !shaped {
        return Err(DateError::Malformed(text.to_owned()));
    }
    let num = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0i16, |n, d| n * 10 + i16::from(d - b'0'))
    };
    let (year, month, day) = (num(0..4), num(5..7) as i8, num(8..10) as i8);
    Date::new(year, month, day).map_err(|_| DateError::NoSuchDay(text.to_owned()))
}

/// An inclusive range of days, `start..=end`, that never ends before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    start: Date,
    end: Date,
}

/// A period or validity range that ends before it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ends on {end}, before it starts on {start}")]
pub struct PeriodError {
    /// The first day given.
    pub start: Date,
    /// The last day given.
    pub end: Date,
}

impl Period {
    /// The days from `start` to `end`, both included.
    pub fn new(start: Date, end: Date) -> Result<Self, PeriodError> {
        if end < start {
            return Err(PeriodError { start, end });
        }
        Ok(Self { start, end })
    }

    /// The first day.
    pub fn start(&self) -> Date {
        self.start
    }

    /// The last day (included).
    pub fn end(&self) -> Date {
        self.end
    }

    /// Whether `day` lies in the period, ends included.
    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn parses_iso_dates() {
        assert_eq!(parse_date("2025-02-28"), Ok(date(2025, 2, 28)));
        assert_eq!(parse_date("2024-02-29"), Ok(date(2024, 2, 29)));
    }

    #[test]
    fn refuses_other_forms_and_impossible_days() {
        for bad in [
            "2025-1-05",
            "05/01/2025",
            "2025-01-05T00:00",
            "20250105",
            "2025-0a-05",
        ] {
            assert_eq!(
                parse_date(bad),
                Err(DateError::Malformed(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(
            parse_date("2025-02-29"),
            Err(DateError::NoSuchDay("2025-02-29".into()))
        );
        assert_eq!(
            parse_date("2025-13-01"),
            Err(DateError::NoSuchDay("2025-13-01".into()))
        );
        assert_eq!(parse_date(""), Err(DateError::Empty));
    }

    #[test]
    fn a_period_may_be_one_day_but_not_end_before_it_starts() {
        let one_day = Period::new(date(2025, 3, 1), date(2025, 3, 1)).unwrap();
        assert!(one_day.contains(date(2025, 3, 1)));
        assert!(!one_day.contains(date(2025, 3, 2)));
        assert!(Period::new(date(2025, 3, 2), date(2025, 3, 1)).is_err());
    }
}
