//! Working time in whole minutes, and the warning threshold of a policy.

use std::fmt;
use std::str::FromStr;

/// An amount of working time, in whole minutes: the time counted only while the business is
/// open (see [`BusinessCalendar`](super::BusinessCalendar)).
///
/// Written `4h`, `90m` or `2h30m`; displayed in hours and minutes (`90m` shows as `1h30m`),
/// `0m` for none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessDuration {
    minutes: u32,
}

/// Nanoseconds in a minute: working time is counted in nanoseconds and floored to minutes.
pub(super) const MINUTE_NANOS: i128 = 60_000_000_000;

impl BusinessDuration {
    /// No working time.
    pub const ZERO: Self = Self { minutes: 0 };

    /// `minutes` of working time.
    pub const fn from_minutes(minutes: u32) -> Self {
        Self { minutes }
    }

    /// `hours` of working time.
    pub const fn from_hours(hours: u16) -> Self {
        Self {
            minutes: hours as u32 * 60,
        }
    }

    /// Its length in minutes.
    pub const fn minutes(self) -> u32 {
        self.minutes
    }

    /// Whether it is no time at all.
    pub const fn is_zero(self) -> bool {
        self.minutes == 0
    }

    /// `self - other`, or zero if `other` is longer.
    pub const fn saturating_sub(self, other: Self) -> Self {
        Self {
            minutes: self.minutes.saturating_sub(other.minutes),
        }
    }

    /// Its length in nanoseconds, the unit the calendar counts in.
    pub(super) fn nanos(self) -> i128 {
        i128::from(self.minutes) * MINUTE_NANOS
    }

    /// The whole minutes in `nanos` (floored; zero for a negative amount).
    pub(super) fn from_nanos_floor(nanos: i128) -> Self {
        let minutes = (nanos.max(0) / MINUTE_NANOS).min(i128::from(u32::MAX));
        Self {
            minutes: minutes as u32,
        }
    }
}

/// Why a text is not a working time such as `4h`, `90m` or `2h30m`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing where a duration is required.
    #[error("is empty (expected a working time such as 4h, 90m or 2h30m)")]
    Empty,
    /// Not hours and minutes.
    #[error("`{0}` is not a working time such as 4h, 90m or 2h30m")]
    Malformed(String),
    /// More minutes than can be counted.
    #[error("`{0}` is too long a working time")]
    TooLong(String),
}

impl FromStr for BusinessDuration {
    type Err = DurationError;

    /// Reads `4h`, `90m`, `2h30m` (hours, then minutes, each optional but not both).
    fn from_str(text: &str) -> Result<Self, DurationError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(DurationError::Empty);
        }
        let malformed = || DurationError::Malformed(trimmed.to_owned());
        let too_long = || DurationError::TooLong(trimmed.to_owned());
        let (hours, rest) = match trimmed.split_once('h') {
            Some((hours, rest)) => (Some(number(hours).ok_or_else(malformed)?), rest),
            None => (None, trimmed),
        };
        let minutes = match rest {
            "" if hours.is_some() => 0,
            _ => number(rest.strip_suffix('m').ok_or_else(malformed)?).ok_or_else(malformed)?,
        };
        let total = u64::from(hours.unwrap_or(0))
            .checked_mul(60)
            .and_then(|m| m.checked_add(u64::from(minutes)))
            .and_then(|m| u32::try_from(m).ok())
            .ok_or_else(too_long)?;
        Ok(Self::from_minutes(total))
    }
}

/// The number in `digits`, which must be one to nine ASCII digits.
fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl fmt::Display for BusinessDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (hours, minutes) = (self.minutes / 60, self.minutes % 60);
        match (hours, minutes) {
            (0, m) => write!(f, "{m}m"),
            (h, 0) => write!(f, "{h}h"),
            (h, m) => write!(f, "{h}h{m}m"),
        }
    }
}

/// How much of a target's allowed working time may pass before it is flagged as at risk: a
/// whole percentage from 1 to 99, written `75%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WarnPercent(u8);

/// Why a number or text is not a warning threshold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    /// Outside 1–99.
    #[error("{0}% is not a warning threshold (expected 1% to 99%)")]
    OutOfRange(u32),
    /// Not a whole percentage such as `75%`.
    #[error("`{0}` is not a percentage such as 75%")]
    Malformed(String),
}

impl WarnPercent {
    /// The default: warn when three quarters of the allowed time has passed.
    pub const DEFAULT: Self = Self(75);

    /// `percent`, if from 1 to 99.
    pub fn new(percent: u8) -> Result<Self, PercentError> {
        if (1..=99).contains(&percent) {
            Ok(Self(percent))
        } else {
            Err(PercentError::OutOfRange(percent.into()))
        }
    }

    /// The percentage, from 1 to 99.
    pub fn get(self) -> u8 {
        self.0
    }

    /// That share of `nanos`, floored.
    pub(super) fn of_nanos(self, nanos: i128) -> i128 {
        nanos * i128::from(self.0) / 100
    }
}

impl Default for WarnPercent {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl FromStr for WarnPercent {
    type Err = PercentError;

    /// Reads `75%`.
    fn from_str(text: &str) -> Result<Self, PercentError> {
        let trimmed = text.trim();
        let percent = trimmed
            .strip_suffix('%')
            .and_then(|digits| number(digits.trim_end()))
            .ok_or_else(|| PercentError::Malformed(trimmed.to_owned()))?;
        match u8::try_from(percent) {
            Ok(p) => Self::new(p),
            Err(_) => Err(PercentError::OutOfRange(percent)),
        }
    }
}

impl fmt::Display for WarnPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(text: &str) -> Result<u32, DurationError> {
        text.parse::<BusinessDuration>()
            .map(BusinessDuration::minutes)
    }

    #[test]
    fn working_time_is_written_in_hours_and_minutes() {
        assert_eq!(minutes("4h"), Ok(240));
        assert_eq!(minutes("90m"), Ok(90));
        assert_eq!(minutes("2h30m"), Ok(150));
        assert_eq!(minutes(" 0m "), Ok(0));
        assert_eq!(minutes("1h90m"), Ok(150));
    }

    #[test]
    fn other_writings_of_time_are_refused() {
        for bad in [
            "4", "h", "m", "4 h", "2h30", "30m2h", "-1h", "1.5h", "4hours", "1d",
        ] {
            assert_eq!(
                minutes(bad),
                Err(DurationError::Malformed(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(minutes(""), Err(DurationError::Empty));
        assert_eq!(
            minutes("999999999h"),
            Err(DurationError::TooLong("999999999h".into()))
        );
    }

    #[test]
    fn working_time_is_displayed_as_it_is_written() {
        for (text, shown) in [
            ("4h", "4h"),
            ("90m", "1h30m"),
            ("2h30m", "2h30m"),
            ("0m", "0m"),
            ("45m", "45m"),
        ] {
            let duration: BusinessDuration = text.parse().unwrap();
            assert_eq!(duration.to_string(), shown);
            assert_eq!(shown.parse(), Ok(duration));
        }
    }

    #[test]
    fn a_warning_threshold_is_a_percentage_from_1_to_99() {
        assert_eq!("75%".parse::<WarnPercent>().map(WarnPercent::get), Ok(75));
        assert_eq!("1%".parse::<WarnPercent>().map(WarnPercent::get), Ok(1));
        assert_eq!(
            "0%".parse::<WarnPercent>(),
            Err(PercentError::OutOfRange(0))
        );
        assert_eq!(
            "100%".parse::<WarnPercent>(),
            Err(PercentError::OutOfRange(100))
        );
        assert_eq!(
            "300%".parse::<WarnPercent>(),
            Err(PercentError::OutOfRange(300))
        );
        assert_eq!(
            "75".parse::<WarnPercent>(),
            Err(PercentError::Malformed("75".into()))
        );
        assert_eq!(WarnPercent::DEFAULT.to_string(), "75%");
    }
}
