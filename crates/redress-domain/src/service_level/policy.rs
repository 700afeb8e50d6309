//! A service policy: how soon each stage of a dispute is due, and when to warn.

use super::duration::{BusinessDuration, DurationError, PercentError, WarnPercent};
use super::text::{PartsError, parts};
use std::fmt;
use std::str::FromStr;

/// A stage of handling a dispute that has a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Telling the customer the dispute was received.
    Acknowledge,
    /// The first substantive answer to the customer.
    Respond,
    /// Deciding the dispute and carrying out the resolution.
    Resolve,
}

impl Stage {
    /// Every stage, in the order a dispute goes through them.
    pub const ALL: [Self; 3] = [Self::Acknowledge, Self::Respond, Self::Resolve];

    /// Its name in the text form, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledge",
            Self::Respond => "respond",
            Self::Resolve => "resolve",
        }
    }

    /// The stage named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How soon a stage is due: within an amount of working time (`4h`, `2h30m`) or by the close
/// of the n-th working day (`10d`, see
/// [`BusinessCalendar::add_business_days`](super::BusinessCalendar::add_business_days)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Within this much working time.
    BusinessTime(BusinessDuration),
    /// By closing time of this many working days.
    BusinessDays(u16),
}

impl Target {
    /// Whether it allows no time at all, which a policy refuses.
    pub fn is_zero(self) -> bool {
        match self {
            Self::BusinessTime(duration) => duration.is_zero(),
            Self::BusinessDays(days) => days == 0,
        }
    }
}

/// Why a text is not a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not working time, nor days.
    #[error("{0}")]
    Duration(DurationError),
    /// A count of days that is not a number up to 65535.
    #[error("`{0}` is not a number of working days such as 10d")]
    Days(String),
}

impl FromStr for Target {
    type Err = TargetError;

    /// Reads `10d` (working days) or a working time such as `4h`, `90m`, `2h30m`.
    fn from_str(text: &str) -> Result<Self, TargetError> {
        let trimmed = text.trim();
        match trimmed.strip_suffix('d') {
            Some(days) => {
                let digits = !days.is_empty() && days.bytes().all(|b| b.is_ascii_digit());
                digits
                    .then(|| days.parse().ok())
                    .flatten()
                    .map(Self::BusinessDays)
                    .ok_or_else(|| TargetError::Days(trimmed.to_owned()))
            }
            None => trimmed
                .parse()
                .map(Self::BusinessTime)
                .map_err(TargetError::Duration),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BusinessTime(duration) => duration.fmt(f),
            Self::BusinessDays(days) => write!(f, "{days}d"),
        }
    }
}

/// The targets of a service level: when each stage of a dispute is due, counted in working
/// time from the moment the dispute was opened, and how much of the allowed time may pass
/// before a target is flagged.
///
/// Its text form: `acknowledge=4h; respond=16h; resolve=10d; warn=75%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServicePolicy {
    acknowledge: Target,
    respond: Target,
    resolve: Target,
    warn: WarnPercent,
}

/// Why a policy, or its text, is not a service policy. Each message starts with the part of
/// the text form it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A target that allows no time.
    #[error("{0}: a target must allow some time (such as 4h or 1d), not none")]
    ZeroTarget(Stage),
    /// A target that is not one.
    #[error("{stage}: {error}")]
    Target {
        /// The stage whose target it is.
        stage: Stage,
        /// What is wrong with it.
        error: TargetError,
    },
    /// A warning threshold that is not one.
    #[error("warn: {0}")]
    Warn(PercentError),
    /// A part of the text that a policy does not have.
    #[error("`{0}` is not a part of a service policy (acknowledge, respond, resolve, warn)")]
    UnknownPart(String),
    /// A part given twice.
    #[error("{0}: given twice")]
    Repeated(&'static str),
    /// A part without `=`.
    #[error("`{0}` is not of the form name=value")]
    NotNameValue(String),
}

impl From<PartsError> for PolicyError {
    fn from(error: PartsError) -> Self {
        match error {
            PartsError::NotNameValue(part) => Self::NotNameValue(part),
            PartsError::Unknown(name) => Self::UnknownPart(name),
            PartsError::Repeated(name) => Self::Repeated(name),
        }
    }
}

impl ServicePolicy {
    /// Acknowledge within 4 business hours, respond within 16 (two working days of eight
    /// hours), resolve within 10 business days, warn at 75 % of the allowed time.
    pub const DEFAULT: Self = Self {
        acknowledge: Target::BusinessTime(BusinessDuration::from_hours(4)),
        respond: Target::BusinessTime(BusinessDuration::from_hours(16)),
        resolve: Target::BusinessDays(10),
        warn: WarnPercent::DEFAULT,
    };

    /// A policy of these targets and warning threshold; refuses a target that allows no
    /// time. The targets are not checked against each other: each counts from the opening
    /// of the dispute on its own.
    pub fn new(
        acknowledge: Target,
        respond: Target,
        resolve: Target,
        warn: WarnPercent,
    ) -> Result<Self, PolicyError> {
        for (stage, target) in Stage::ALL.into_iter().zip([acknowledge, respond, resolve]) {
            if target.is_zero() {
                return Err(PolicyError::ZeroTarget(stage));
            }
        }
        Ok(Self {
            acknowledge,
            respond,
            resolve,
            warn,
        })
    }

    /// The target of `stage`.
    pub fn target(&self, stage: Stage) -> Target {
        match stage {
            Stage::Acknowledge => self.acknowledge,
            Stage::Respond => self.respond,
            Stage::Resolve => self.resolve,
        }
    }

    /// The share of a target's allowed time after which it is flagged.
    pub fn warn(&self) -> WarnPercent {
        self.warn
    }
}

impl Default for ServicePolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl FromStr for ServicePolicy {
    type Err = PolicyError;

    /// Reads `acknowledge=4h; respond=16h; resolve=10d; warn=75%`: parts in any order,
    /// separated by `;`; a part left out takes its default (see [`ServicePolicy::DEFAULT`]).
    fn from_str(text: &str) -> Result<Self, PolicyError> {
        let [acknowledge, respond, resolve, warn] =
            parts(text, ["acknowledge", "respond", "resolve", "warn"])?;
        let target = |stage: Stage, text: Option<&str>| match text {
            Some(text) => text
                .parse()
                .map_err(|error| PolicyError::Target { stage, error }),
            None => Ok(Self::DEFAULT.target(stage)),
        };
        Self::new(
            target(Stage::Acknowledge, acknowledge)?,
            target(Stage::Respond, respond)?,
            target(Stage::Resolve, resolve)?,
            match warn {
                Some(text) => text.parse().map_err(PolicyError::Warn)?,
                None => Self::DEFAULT.warn,
            },
        )
    }
}

impl fmt::Display for ServicePolicy {
    /// Writes every part of the text form that [`FromStr`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "acknowledge={}; respond={}; resolve={}; warn={}",
            self.acknowledge, self.respond, self.resolve, self.warn
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_working_time_or_working_days() {
        assert_eq!(
            "4h".parse(),
            Ok(Target::BusinessTime(BusinessDuration::from_hours(4)))
        );
        assert_eq!("10d".parse(), Ok(Target::BusinessDays(10)));
        assert_eq!("d".parse::<Target>(), Err(TargetError::Days("d".into())));
        assert_eq!(
            "70000d".parse::<Target>(),
            Err(TargetError::Days("70000d".into()))
        );
        assert!(matches!(
            "4x".parse::<Target>(),
            Err(TargetError::Duration(_))
        ));
    }

    #[test]
    fn the_default_policy_is_4h_16h_10d_at_75_percent() {
        assert_eq!(
            ServicePolicy::default().to_string(),
            "acknowledge=4h; respond=16h; resolve=10d; warn=75%"
        );
        assert_eq!("".parse(), Ok(ServicePolicy::DEFAULT));
    }

    #[test]
    fn a_target_of_no_time_is_refused() {
        assert_eq!(
            "respond=0m".parse::<ServicePolicy>(),
            Err(PolicyError::ZeroTarget(Stage::Respond))
        );
        assert_eq!(
            "resolve=0d".parse::<ServicePolicy>(),
            Err(PolicyError::ZeroTarget(Stage::Resolve))
        );
    }

    #[test]
    fn stage_names_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(Stage::from_name(stage.as_str()), Some(stage));
        }
        assert_eq!(Stage::from_name("close"), None);
    }
}
