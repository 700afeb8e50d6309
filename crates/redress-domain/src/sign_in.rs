//! How many wrong passwords an email may be tried with before signing in with it is locked for
//! a while: what keeps someone from guessing a password at the speed of a script. The rule
//! counts failures per email as typed (known or not, so that a lock says nothing about whether
//! the account exists), within a window; once there are [`MOST_FAILURES`], the email is locked
//! for [`LOCKED_FOR`], the right password included.

use crate::Timestamp;
use jiff::SignedDuration;

/// Wrong passwords within [`WINDOW`] that lock the email.
pub const MOST_FAILURES: u32 = 5;

/// How long failures are counted together: the first of a run and those after it.
pub const WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// How long a locked email stays locked.
pub const LOCKED_FOR: SignedDuration = SignedDuration::from_mins(15);

/// The failures of one email, as kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// Wrong passwords since `first_at`.
    pub count: u32,
    /// The first of them.
    pub first_at: Timestamp,
    /// Until when signing in with the email is refused, if it is locked.
    pub locked_until: Option<Timestamp>,
}

impl Failures {
    /// Until when the email is locked at `now`, if it is.
    pub fn locked_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|&until| until > now)
    }

    /// The failures after one more wrong password at `now`: a run older than [`WINDOW`] (or
    /// a lock that has ended) starts again from one; the [`MOST_FAILURES`]th of a run locks
    /// the email from `now` for [`LOCKED_FOR`].
    pub fn after_failure(before: Option<Failures>, now: Timestamp) -> Failures {
        let fresh = Failures {
            count: 1,
            first_at: now,
            locked_until: None,
        };
        let mut failures = match before {
            Some(b) if b.locked_at(now).is_some() => return b,
            Some(b) if b.locked_until.is_some() => fresh,
            Some(b) if now.duration_since(b.first_at) <= WINDOW => Failures {
                count: b.count.saturating_add(1),
                ..b
            },
            _ => fresh,
        };
        if failures.count >= MOST_FAILURES {
            failures.locked_until = now.checked_add(LOCKED_FOR).ok();
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Timestamp {
        "2026-12-07T09:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_mins(minutes)
    }

    /// Failures at each of `minutes`, one after another from none.
    fn failed_at(minutes: &[i64]) -> Failures {
        minutes
            .iter()
            .fold(None, |before, &m| {
                Some(Failures::after_failure(before, at(m)))
            })
            .unwrap()
    }

    #[test]
    fn the_fifth_wrong_password_within_fifteen_minutes_locks_the_email_for_fifteen() {
        let four = failed_at(&[0, 1, 2, 3]);
        assert_eq!((four.count, four.locked_at(at(3))), (4, None));
        let five = failed_at(&[0, 1, 2, 3, 14]);
        assert_eq!(five.locked_at(at(14)), Some(at(29)));
        assert_eq!(five.locked_at(at(28)), Some(at(29)));
        assert_eq!(five.locked_at(at(29)), None, "the lock ends on time");
    }

    #[test]
    fn failures_spread_wider_than_the_window_start_a_new_run() {
        let spread = failed_at(&[0, 1, 2, 3, 16]);
        assert_eq!((spread.count, spread.first_at), (1, at(16)));
        assert_eq!(spread.locked_at(at(16)), None);
    }

    #[test]
    fn a_failure_while_locked_changes_nothing_and_one_after_starts_again() {
        let locked = failed_at(&[0, 1, 2, 3, 4]);
        assert_eq!(Failures::after_failure(Some(locked), at(10)), locked);
        let after = Failures::after_failure(Some(locked), at(20));
        assert_eq!((after.count, after.locked_until), (1, None));
    }
}
