//! A dispute's lifecycle: the states it moves through from intake to close, and which moves
//! are allowed from each.
//!
//! ```text
//! open → acknowledged → investigating ⇄ awaiting_customer
//!                            ↓               ↓
//!                         resolved ←─────────┘ → closed
//! withdrawn: from any open state, when the customer drops it
//! ```
//! Escalation is a flag, not a state: it can be raised or lowered in any open state.

use std::fmt;

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeStatus {
    /// Received, not yet acknowledged to the customer.
    Open,
    /// The customer has been told it was received.
    Acknowledged,
    /// An agent is checking it.
    Investigating,
    /// Waiting for the customer's answer.
    AwaitingCustomer,
    /// Decided, and the resolution carried out.
    Resolved,
    /// Done: nothing more will happen.
    Closed,
    /// The customer dropped it.
    Withdrawn,
}

use DisputeStatus::*;

impl DisputeStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 7] = [
        Open,
        Acknowledged,
        Investigating,
        AwaitingCustomer,
        Resolved,
        Closed,
        Withdrawn,
    ];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Open => "open",
            Acknowledged => "acknowledged",
            Investigating => "investigating",
            AwaitingCustomer => "awaiting_customer",
            Resolved => "resolved",
            Closed => "closed",
            Withdrawn => "withdrawn",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the dispute is still being worked: it can still be escalated or withdrawn.
    pub fn is_open(self) -> bool {
        matches!(self, Open | Acknowledged | Investigating | AwaitingCustomer)
    }

    /// The statuses a dispute can move to from this one.
    pub fn allowed_next(self) -> &'static [DisputeStatus] {
        match self {
            Open => &[Acknowledged, Withdrawn],
            Acknowledged => &[Investigating, Withdrawn],
            Investigating => &[AwaitingCustomer, Resolved, Withdrawn],
            AwaitingCustomer => &[Investigating, Resolved, Withdrawn],
            Resolved => &[Closed],
            Closed | Withdrawn => &[],
        }
    }

    /// Moves to `to`, or says what is allowed from here.
    pub fn transition(self, to: DisputeStatus) -> Result<DisputeStatus, TransitionError> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for DisputeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A move the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionError {
    /// Where the dispute stands.
    pub from: DisputeStatus,
    /// Where it was asked to go.
    pub to: DisputeStatus,
}

impl TransitionError {
    /// What is allowed instead.
    pub fn allowed(&self) -> &'static [DisputeStatus] {
        self.from.allowed_next()
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a dispute that is {} cannot become {}; ",
            self.from, self.to
        )?;
        let allowed: Vec<&str> = self.allowed().iter().map(|s| s.as_str()).collect();
        match allowed.as_slice() {
            [] => write!(f, "it is {} and nothing more can happen to it", self.from),
            [only] => write!(f, "from {} it can only become {only}", self.from),
            [rest @ .., last] => write!(
                f,
                "from {} it can become {} or {last}",
                self.from,
                rest.join(", ")
            ),
        }
    }
}

impl std::error::Error for TransitionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dispute_goes_from_intake_to_close() {
        let mut status = Open;
        for next in [
            Acknowledged,
            Investigating,
            AwaitingCustomer,
            Investigating,
            Resolved,
            Closed,
        ] {
            status = status.transition(next).unwrap();
        }
        assert_eq!(status, Closed);
    }

    #[test]
    fn a_customer_can_withdraw_only_while_the_dispute_is_open() {
        for status in DisputeStatus::ALL {
            assert_eq!(
                status.transition(Withdrawn).is_ok(),
                status.is_open(),
                "{status}"
            );
        }
    }

    #[test]
    fn a_refused_move_says_what_is_allowed_from_here() {
        let refused = Investigating.transition(Closed).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "a dispute that is investigating cannot become closed; from investigating it can \
             become awaiting_customer, resolved or withdrawn"
        );
        assert_eq!(
            Closed.transition(Open).unwrap_err().to_string(),
            "a dispute that is closed cannot become open; it is closed and nothing more can happen to it"
        );
        assert_eq!(
            Resolved.transition(Open).unwrap_err().to_string(),
            "a dispute that is resolved cannot become open; from resolved it can only become closed"
        );
    }

    #[test]
    fn names_round_trip() {
        for status in DisputeStatus::ALL {
            assert_eq!(DisputeStatus::from_name(status.as_str()), Some(status));
        }
        assert_eq!(DisputeStatus::from_name("pending"), None);
    }

    #[test]
    fn every_state_can_reach_an_end() {
        // No dispute can be stuck: from every state, following allowed moves reaches
        // closed or withdrawn.
        for start in DisputeStatus::ALL {
            let mut seen = vec![start];
            let mut frontier = vec![start];
            while let Some(s) = frontier.pop() {
                for &next in s.allowed_next() {
                    if !seen.contains(&next) {
                        seen.push(next);
                        frontier.push(next);
                    }
                }
            }
            assert!(
                seen.contains(&Closed) || seen.contains(&Withdrawn),
                "{start} is stuck"
            );
        }
    }
}

/// The outcome of checking a dispute against what the audit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Found at least what the customer claims.
    Upheld,
    /// Found something, less than claimed.
    PartiallyUpheld,
    /// Found nothing in the customer's favour.
    Rejected,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Self; 3] = [Self::Upheld, Self::PartiallyUpheld, Self::Rejected];

    /// The verdict's name in reports, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::PartiallyUpheld => "partially_upheld",
            Self::Rejected => "rejected",
        }
    }

    /// The verdict named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a note in a dispute's case file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteKind {
    /// An internal note by whoever works the case.
    Note,
    /// What the employee who ran the transaction says of it.
    Statement,
}

impl NoteKind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::Note, Self::Statement];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Statement => "statement",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}
