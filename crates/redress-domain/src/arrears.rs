//! An arrears case's lifecycle: what the business under-billed a customer, found by an audit,
//! offered to the customer before anything is billed, then settled the way they choose.
//!
//! ```text
//! open → offered ⇄ (offered again) → settled            (next invoice, separate invoice, plan)
//!           └→ awaiting_approval → settled               (a waiver an approver approves)
//!                      └→ offered                        (a waiver refused: the other options)
//! ```

use crate::calendar::Date;
use std::fmt;

/// Where an arrears case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrearsStatus {
    /// Found by an audit; the customer not yet told.
    Open,
    /// The customer was contacted and offered the options.
    Offered,
    /// The customer asked for a waiver, which waits for an approver.
    AwaitingApproval,
    /// Billed the way the customer chose, or waived.
    Settled,
}

/// A step an arrears case takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrearsStep {
    /// The customer is contacted and offered the options (again, if they were before).
    Offer,
    /// The customer chose to be billed (on the next invoice, apart, or over a plan).
    ChooseBilling,
    /// The customer asked for the arrears to be waived.
    ChooseWaiver,
    /// An approver approved the waiver.
    ApproveWaiver,
    /// An approver refused the waiver: the customer's other options remain.
    RefuseWaiver,
}

/// A step the lifecycle does not allow from where the case stands, and what may be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an arrears case that is {from} cannot take this step: {what}")]
pub struct ArrearsStepError {
    /// Where the case stands.
    pub from: ArrearsStatus,
    /// What may be done from there, in words.
    pub what: &'static str,
}

impl ArrearsStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 4] = [
        Self::Open,
        Self::Offered,
        Self::AwaitingApproval,
        Self::Settled,
    ];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Offered => "offered",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Settled => "settled",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Where `step` takes a case from here, or why it cannot be taken.
    pub fn take(self, step: ArrearsStep) -> Result<Self, ArrearsStepError> {
        use ArrearsStatus::*;
        use ArrearsStep::*;
        match (self, step) {
            (Open | Offered, Offer) => Ok(Offered),
            (Offered, ChooseBilling) => Ok(Settled),
            (Offered, ChooseWaiver) => Ok(AwaitingApproval),
            (AwaitingApproval, ApproveWaiver) => Ok(Settled),
            (AwaitingApproval, RefuseWaiver) => Ok(Offered),
            (from, _) => Err(ArrearsStepError {
                from,
                what: match from {
                    Open => "contact the customer and offer them the options first",
                    Offered => "the customer's choice is what comes next",
                    AwaitingApproval => {
                        "only a waiver the customer asked for waits for an approver"
                    }
                    Settled => "it is settled and nothing more can happen to it",
                },
            }),
        }
    }
}

impl fmt::Display for ArrearsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A way a customer may settle arrears: what an arrears case records as their choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrearsOption {
    /// Added to their next invoice.
    NextInvoice,
    /// Billed on an invoice of its own, now.
    SeparateInvoice,
    /// Billed now and paid over monthly instalments.
    PaymentPlan,
    /// Forgone: needs an approver.
    Waive,
}

impl ArrearsOption {
    /// Every option, in the order they are offered.
    pub const ALL: [Self; 4] = [
        Self::NextInvoice,
        Self::SeparateInvoice,
        Self::PaymentPlan,
        Self::Waive,
    ];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NextInvoice => "next_invoice",
            Self::SeparateInvoice => "separate_invoice",
            Self::PaymentPlan => "payment_plan",
            Self::Waive => "waive",
        }
    }

    /// The option named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }
}

impl fmt::Display for ArrearsOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How a customer chose to settle arrears: an option, with the plan's terms for a payment
/// plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrearsChoice {
    /// Added to their next invoice: owed from now, billed with the next one.
    NextInvoice,
    /// Billed on an invoice of its own, now.
    SeparateInvoice,
    /// Billed now and paid over monthly instalments.
    PaymentPlan {
        /// How many.
        instalments: u32,
        /// When the first is due.
        first_due_on: Date,
    },
    /// Forgone: needs an approver.
    Waive,
}

impl ArrearsChoice {
    /// The option chosen.
    pub fn option(&self) -> ArrearsOption {
        match self {
            Self::NextInvoice => ArrearsOption::NextInvoice,
            Self::SeparateInvoice => ArrearsOption::SeparateInvoice,
            Self::PaymentPlan { .. } => ArrearsOption::PaymentPlan,
            Self::Waive => ArrearsOption::Waive,
        }
    }

    /// Its name in the API.
    pub fn as_str(&self) -> &'static str {
        self.option().as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::ArrearsStatus::*;
    use super::ArrearsStep::*;
    use super::*;

    #[test]
    fn a_case_is_offered_before_anything_is_billed() {
        assert_eq!(
            Open.take(ChooseBilling).unwrap_err().to_string(),
            "an arrears case that is open cannot take this step: contact the customer and offer \
             them the options first"
        );
        assert_eq!(Open.take(Offer), Ok(Offered));
        assert_eq!(Offered.take(Offer), Ok(Offered));
        assert_eq!(Offered.take(ChooseBilling), Ok(Settled));
    }

    #[test]
    fn a_waiver_waits_for_an_approver_and_a_refused_one_goes_back_to_the_options() {
        let waiting = Offered.take(ChooseWaiver).unwrap();
        assert_eq!(waiting, AwaitingApproval);
        assert_eq!(waiting.take(RefuseWaiver), Ok(Offered));
        assert_eq!(waiting.take(ApproveWaiver), Ok(Settled));
        assert!(Offered.take(ApproveWaiver).is_err());
    }

    #[test]
    fn nothing_happens_to_a_settled_case_and_every_case_can_be_settled() {
        for step in [
            Offer,
            ChooseBilling,
            ChooseWaiver,
            ApproveWaiver,
            RefuseWaiver,
        ] {
            assert!(Settled.take(step).is_err());
        }
        for start in ArrearsStatus::ALL {
            let mut status = start;
            for step in [Offer, ChooseBilling] {
                status = status.take(step).unwrap_or(status);
            }
            if start == AwaitingApproval {
                status = start.take(ApproveWaiver).unwrap();
            }
            assert_eq!(status, Settled, "from {start}");
        }
    }

    #[test]
    fn names_round_trip() {
        for status in ArrearsStatus::ALL {
            assert_eq!(ArrearsStatus::from_name(status.as_str()), Some(status));
        }
        assert_eq!(ArrearsStatus::from_name("closed"), None);
        for option in ArrearsOption::ALL {
            assert_eq!(ArrearsOption::from_name(option.as_str()), Some(option));
        }
        assert_eq!(ArrearsOption::from_name("plan"), None);
    }
}
