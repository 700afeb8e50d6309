//! Resolutions of a dispute: what the business does about it (alone or several at once), the
//! payment plans it offers, and the policy of who must approve what.

use crate::calendar::Date;
use crate::money::Currency;
use crate::number::Decimal;
use crate::role::Role;
use std::collections::HashMap;
use std::fmt;

/// A way of resolving a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResolutionKind {
    /// The invoice corrected by a credit note, in full or for some lines (tax recomputed).
    CreditNote,
    /// Money paid back against a recorded payment, never more than was paid.
    Refund,
    /// A balance the customer can use on future invoices.
    AccountCredit,
    /// A discount that admits no error.
    Goodwill,
    /// What is owed spread over instalments whose amounts add up exactly.
    PaymentPlan,
    /// An open balance given up.
    WriteOff,
    /// The claim refused, with the evidence that the charges were right.
    Reject,
    /// The invoice issued again with the right lines, the old one voided by a credit note.
    CorrectedInvoice,
}

impl ResolutionKind {
    /// Every kind.
    pub const ALL: [ResolutionKind; 8] = [
        Self::CreditNote,
        Self::Refund,
        Self::AccountCredit,
        Self::Goodwill,
        Self::PaymentPlan,
        Self::WriteOff,
        Self::Reject,
        Self::CorrectedInvoice,
    ];

    /// The kind's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreditNote => "credit_note",
            Self::Refund => "refund",
            Self::AccountCredit => "account_credit",
            Self::Goodwill => "goodwill",
            Self::PaymentPlan => "payment_plan",
            Self::WriteOff => "write_off",
            Self::Reject => "reject",
            Self::CorrectedInvoice => "corrected_invoice",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether it gives money back or forgoes it (all but a plan and a rejection).
    pub fn moves_money(self) -> bool {
        !matches!(self, Self::PaymentPlan | Self::Reject)
    }
}

impl fmt::Display for ResolutionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a resolution stands. One offered to the customer waits for their choice before it
/// is carried out; several offered on one dispute are alternatives, of which they accept one.
///
/// ```text
/// proposed → applied                      (within the policy)
///          → offered → applied            (the customer accepts it)
///                    → declined           (they decline, or accept another option)
///          → pending_approval → applied   (approved)
///                             → offered   (approved, and offered to the customer)
///                             → refused
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResolutionStatus {
    /// Waiting for an approver.
    PendingApproval,
    /// Offered to the customer: waiting for them to accept it (nothing is posted yet).
    Offered,
    /// Carried out: what it gives is posted.
    Applied,
    /// Refused by an approver: nothing was posted.
    Refused,
    /// Declined by the customer, or another option of the same offer accepted: nothing was
    /// posted.
    Declined,
}

/// A customer's answer to a resolution that is not offered to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a resolution that is {0} cannot be accepted or declined; only one offered can")]
pub struct NotOffered(pub ResolutionStatus);

/// An approval or refusal of a resolution that is not waiting for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a resolution that is {0} cannot be approved or refused; only one waiting for approval can"
)]
pub struct DecidedAlready(pub ResolutionStatus);

impl ResolutionStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::PendingApproval,
        Self::Offered,
        Self::Applied,
        Self::Refused,
        Self::Declined,
    ];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingApproval => "pending_approval",
            Self::Offered => "offered",
            Self::Applied => "applied",
            Self::Refused => "refused",
            Self::Declined => "declined",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Where a resolution proposed goes: held for an approver, or else offered to the
    /// customer (`offered`) or carried out at once.
    pub fn proposed(needs_approval: bool, offered: bool) -> Self {
        match (needs_approval, offered) {
            (true, _) => Self::PendingApproval,
            (false, true) => Self::Offered,
            (false, false) => Self::Applied,
        }
    }

    /// Where approving (`approve`) or refusing it takes it, if it waits for that: approved,
    /// it is offered to the customer (`offered`) or carried out.
    pub fn decide(self, approve: bool, offered: bool) -> Result<Self, DecidedAlready> {
        match (self, approve) {
            (Self::PendingApproval, true) => Ok(Self::proposed(false, offered)),
            (Self::PendingApproval, false) => Ok(Self::Refused),
            (decided, _) => Err(DecidedAlready(decided)),
        }
    }

    /// Where the customer's answer takes it, if it is offered to them: accepted, it is carried
    /// out; declined, nothing is.
    pub fn answer(self, accept: bool) -> Result<Self, NotOffered> {
        match (self, accept) {
            (Self::Offered, true) => Ok(Self::Applied),
            (Self::Offered, false) => Ok(Self::Declined),
            (other, _) => Err(NotOffered(other)),
        }
    }

    /// Whether it still may give something: carried out, or waiting for an approver or the
    /// customer (not refused nor declined).
    pub fn may_give(self) -> bool {
        matches!(self, Self::PendingApproval | Self::Offered | Self::Applied)
    }
}

impl fmt::Display for ResolutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a proposer already gives on a dispute, counted against their allowance, from their
/// resolutions of it (`(amount, status, offered)`): what they carried out or hold for an
/// approver, and of the alternatives offered to the customer (or to be, once approved) the
/// largest, as the customer accepts only one. A new offer is one more alternative, so
/// `for_an_offer` leaves the others out: the customer takes it or one of them.
pub fn already_given(
    resolutions: impl IntoIterator<Item = (Decimal, ResolutionStatus, bool)>,
    for_an_offer: bool,
) -> Decimal {
    let (mut firm, mut largest_offer) = (Decimal::ZERO, Decimal::ZERO);
    for (amount, status, offered) in resolutions {
        match status {
            ResolutionStatus::Applied => firm += amount,
            ResolutionStatus::PendingApproval | ResolutionStatus::Offered if offered => {
                largest_offer = largest_offer.max(amount)
            }
            ResolutionStatus::PendingApproval => firm += amount,
            _ => {}
        }
    }
    if for_an_offer {
        firm
    } else {
        firm + largest_offer
    }
}

/// One instalment of a payment plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instalment {
    /// When it is due.
    pub due_on: Date,
    /// How much, in the plan's currency.
    pub amount: Decimal,
}

/// A schedule of instalments that add up exactly to what is owed, due one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlan {
    currency: Currency,
    instalments: Vec<Instalment>,
}

/// Why a payment plan is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No instalments.
    #[error("a payment plan needs at least one instalment")]
    NoInstalments,
    /// An instalment of zero or less.
    #[error("instalment {number}: {amount} is not an amount to pay (expected more than zero)")]
    NotPositive {
        /// Its number, from 1.
        number: usize,
        /// Its amount.
        amount: Decimal,
    },
    /// An instalment finer than the currency's minor unit.
    #[error(
        "instalment {number}: {amount} is not an amount of {currency} (at most {minor_unit} decimals)"
    )]
    NotInCurrency {
        /// Its number, from 1.
        number: usize,
        /// Its amount.
        amount: Decimal,
        /// The plan's currency.
        currency: &'static str,
        /// Its decimals.
        minor_unit: u32,
    },
    /// An instalment due on or before the one before it.
    #[error("instalment {number} is due on {due_on}, not after instalment {} ({before})", number - 1)]
    OutOfOrder {
        /// Its number, from 1.
        number: usize,
        /// Its date.
        due_on: Date,
        /// The date of the one before.
        before: Date,
    },
    /// Instalments that do not add up to what is owed.
    #[error("the instalments add up to {sum}, not to the {total} owed")]
    DoesNotAddUp {
        /// Their sum.
        sum: Decimal,
        /// What is owed.
        total: Decimal,
    },
    /// An instalment due before the day the plan is agreed.
    #[error(
        "instalment {number} would be due on {due_on}, before the plan is agreed ({today}): the first instalment is due on {today} or later"
    )]
    DueBeforeAgreed {
        /// Its number, from 1.
        number: usize,
        /// Its date.
        due_on: Date,
        /// The day the plan is agreed.
        today: Date,
    },
    /// A plan that runs on for longer than a plan may.
    #[error(
        "the last instalment would be due on {last}: a payment plan ends within {} years of being agreed (by {until})",
        PaymentPlan::LONGEST_YEARS
    )]
    TooLong {
        /// The last instalment's date.
        last: Date,
        /// The latest a plan agreed now may end.
        until: Date,
    },
    /// More instalments asked for than there are minor units to share.
    #[error("{total} cannot be split into {count} instalments of at least one minor unit each")]
    TooManyInstalments {
        /// What is owed.
        total: Decimal,
        /// The instalments asked for.
        count: u32,
    },
}

impl PaymentPlan {
    /// The plan of `instalments` for `total` owed in `currency`, refused unless every amount is
    /// above zero and on the currency's grid, the dates follow one another, and the amounts add
    /// up to `total` exactly.
    pub fn new(
        total: Decimal,
        currency: Currency,
        instalments: Vec<Instalment>,
    ) -> Result<Self, PlanError> {
        if instalments.is_empty() {
            return Err(PlanError::NoInstalments);
        }
        for (i, instalment) in instalments.iter().enumerate() {
            let number = i + 1;
            if instalment.amount <= Decimal::ZERO {
                return Err(PlanError::NotPositive {
                    number,
                    amount: instalment.amount,
                });
            }
            if !currency.fits(instalment.amount) {
                return Err(PlanError::NotInCurrency {
                    number,
                    amount: instalment.amount,
                    currency: currency.code(),
                    minor_unit: currency.minor_unit(),
                });
            }
            if let Some(before) = i.checked_sub(1).map(|b| instalments[b].due_on)
                && instalment.due_on <= before
            {
                return Err(PlanError::OutOfOrder {
                    number,
                    due_on: instalment.due_on,
                    before,
                });
            }
        }
        let sum: Decimal = instalments.iter().map(|i| i.amount).sum();
        if sum != total {
            return Err(PlanError::DoesNotAddUp { sum, total });
        }
        Ok(Self {
            currency,
            instalments,
        })
    }

    /// The most years a plan may run from the day it is agreed: a longer one is a mistake (a
    /// year typed wrong), not an arrangement with a customer.
    pub const LONGEST_YEARS: i16 = 10;

    /// Whether the plan may be agreed on `today`: its first instalment due on `today` or later
    /// (never in the past, such as a plan starting in 1900), its last within
    /// [`Self::LONGEST_YEARS`].
    pub fn check_agreed_on(&self, today: Date) -> Result<(), PlanError> {
        if let Some(first) = self.instalments.first()
            && first.due_on < today
        {
            return Err(PlanError::DueBeforeAgreed {
                number: 1,
                due_on: first.due_on,
                today,
            });
        }
        let until = today
            .checked_add(jiff::Span::new().years(Self::LONGEST_YEARS))
            .unwrap_or(Date::MAX);
        match self.instalments.last() {
            Some(last) if last.due_on > until => Err(PlanError::TooLong {
                last: last.due_on,
                until,
            }),
            _ => Ok(()),
        }
    }

    /// `total` in `count` monthly instalments from `first`, as even as the minor unit allows:
    /// the first ones take the extra minor units, so that they add up exactly.
    pub fn monthly(
        total: Decimal,
        currency: Currency,
        first: Date,
        count: u32,
    ) -> Result<Self, PlanError> {
        let scale = Decimal::from(10i64.pow(currency.minor_unit()));
        let minor = total * scale;
        if count == 0 {
            return Err(PlanError::NoInstalments);
        }
        if !currency.fits(total) || minor < Decimal::from(count) {
            return Err(PlanError::TooManyInstalments { total, count });
        }
        let count_dec = Decimal::from(count);
        let base = (minor / count_dec).floor();
        let extra = minor - base * count_dec;
        let instalments = (0..count)
            .map(|i| {
                let units = base
                    + if Decimal::from(i) < extra {
                        Decimal::ONE
                    } else {
                        Decimal::ZERO
                    };
                let mut amount = units / scale;
                amount.rescale(currency.minor_unit());
                Instalment {
                    due_on: first
                        .checked_add(jiff::Span::new().months(i64::from(i)))
                        .unwrap_or(first),
                    amount,
                }
            })
            .collect();
        Self::new(total, currency, instalments)
    }

    /// Its currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// What it spreads: its instalments' sum.
    pub fn total(&self) -> Decimal {
        self.instalments.iter().map(|i| i.amount).sum()
    }

    /// Its instalments, in order.
    pub fn instalments(&self) -> &[Instalment] {
        &self.instalments
    }
}

/// Who must approve resolutions, as a business sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicy {
    /// The most an agent may give on one dispute without an approver, in each currency's
    /// major units: everything they proposed on it (but what an approver refused) counts,
    /// gross. A currency not listed has no allowance: an agent gives nothing in it alone.
    pub agent_limits: HashMap<Currency, Decimal>,
    /// Kinds that always need an approver, whoever proposes them and for however little.
    pub always: Vec<ResolutionKind>,
}

/// The default allowance of an agent, about a hundred US dollars' worth in each currency a
/// business commonly bills in, rounded to an amount people remember.
pub const DEFAULT_AGENT_LIMITS: [(&str, i64); 36] = [
    ("USD", 100),
    ("EUR", 100),
    ("GBP", 80),
    ("CHF", 90),
    ("CAD", 140),
    ("AUD", 150),
    ("NZD", 170),
    ("JPY", 15_000),
    ("CNY", 700),
    ("HKD", 780),
    ("TWD", 3_200),
    ("SGD", 130),
    ("KRW", 140_000),
    ("INR", 8_500),
    ("IDR", 1_600_000),
    ("THB", 3_500),
    ("MXN", 1_800),
    ("BRL", 550),
    ("CLP", 95_000),
    ("COP", 400_000),
    ("PEN", 370),
    ("ZAR", 1_800),
    ("SEK", 1_000),
    ("NOK", 1_000),
    ("DKK", 700),
    ("PLN", 400),
    ("CZK", 2_300),
    ("HUF", 36_000),
    ("TRY", 4_000),
    ("ILS", 370),
    ("AED", 370),
    ("SAR", 375),
    ("KWD", 30),
    ("BHD", 38),
    ("OMR", 38),
    ("JOD", 70),
];

impl Default for ApprovalPolicy {
    /// An agent may give about a hundred US dollars' worth on a dispute on their own
    /// ([`DEFAULT_AGENT_LIMITS`]); every write-off needs an approver.
    fn default() -> Self {
        let agent_limits = DEFAULT_AGENT_LIMITS
            .iter()
            .filter_map(|(code, limit)| {
                Some((Currency::from_code(code).ok()?, Decimal::from(*limit)))
            })
            .collect();
        Self {
            agent_limits,
            always: vec![ResolutionKind::WriteOff],
        }
    }
}

/// Whether a proposed resolution may be carried out at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// Carried out as proposed.
    NotNeeded,
    /// Waits for an approver, for this reason.
    Needed(String),
}

/// Why someone may not approve or refuse a resolution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    /// Their role does not approve.
    #[error("the role {0} cannot approve resolutions (approver or admin can)")]
    NotAnApprover(Role),
    /// They proposed it.
    #[error(
        "{0} proposed this resolution and so cannot approve or refuse it; another approver must"
    )]
    OwnProposal(String),
}

impl ApprovalPolicy {
    /// The most an agent may give on one dispute in `currency` on their own.
    pub fn agent_limit(&self, currency: Currency) -> Decimal {
        self.agent_limits
            .get(&currency)
            .copied()
            .unwrap_or(Decimal::ZERO)
    }

    /// Whether a resolution of `kind` giving `amount` (gross) in `currency`, proposed by
    /// someone with `role` who has already given `given_before` on the same dispute, needs an
    /// approver, and why.
    pub fn approval_for(
        &self,
        kind: ResolutionKind,
        amount: Decimal,
        given_before: Decimal,
        currency: Currency,
        role: Role,
    ) -> Approval {
        if self.always.contains(&kind) {
            return Approval::Needed(format!("every {kind} needs an approver"));
        }
        if role != Role::Agent || !kind.moves_money() {
            return Approval::NotNeeded;
        }
        let limit = self.agent_limit(currency);
        let total = given_before + amount;
        if total <= limit {
            return Approval::NotNeeded;
        }
        let format = |value: Decimal| format!("{} {currency}", currency.format(value));
        let what = if given_before.is_zero() {
            format(amount)
        } else {
            format!(
                "{} with the {} already given on this dispute ({} in all)",
                format(amount),
                format(given_before),
                format(total)
            )
        };
        Approval::Needed(if limit.is_zero() {
            format!(
                "{what} needs an approver: an agent gives nothing in {currency} on their own \
                 (no allowance is set for {currency})"
            )
        } else {
            format!(
                "{what} is above the {} an agent may give on one dispute without an approver",
                format(limit)
            )
        })
    }

    /// Whether `approver` (with `role`) may approve or refuse what `proposer` proposed.
    pub fn may_decide(
        &self,
        proposer: &str,
        approver: &str,
        role: Role,
    ) -> Result<(), ApprovalError> {
        if !matches!(role, Role::Approver | Role::Admin) {
            return Err(ApprovalError::NotAnApprover(role));
        }
        if proposer == approver {
            return Err(ApprovalError::OwnProposal(approver.to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_plan_is_agreed_only_from_today_and_for_at_most_ten_years() {
        let today = day("2026-12-07");
        let plan = |first: &str, count: u32| {
            PaymentPlan::monthly(dec("120.00"), usd(), day(first), count).unwrap()
        };
        assert_eq!(plan("2026-12-07", 3).check_agreed_on(today), Ok(()));
        assert_eq!(plan("2027-01-01", 12).check_agreed_on(today), Ok(()));
        assert_eq!(
            plan("1900-01-01", 3).check_agreed_on(today),
            Err(PlanError::DueBeforeAgreed {
                number: 1,
                due_on: day("1900-01-01"),
                today
            })
        );
        assert!(matches!(
            plan("2026-12-06", 3).check_agreed_on(today),
            Err(PlanError::DueBeforeAgreed { .. })
        ));
        // Ten years to the day is the last a plan may end; a day more is refused.
        assert_eq!(plan("2036-12-07", 1).check_agreed_on(today), Ok(()));
        let too_long = plan("2036-12-08", 1).check_agreed_on(today).unwrap_err();
        assert_eq!(
            too_long,
            PlanError::TooLong {
                last: day("2036-12-08"),
                until: day("2036-12-07")
            }
        );
        assert!(
            too_long.to_string().contains("within 10 years"),
            "{too_long}"
        );
    }

    use super::*;
    use proptest::prelude::*;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> Date {
        crate::calendar::parse_date(s).unwrap()
    }

    #[test]
    fn only_a_resolution_waiting_for_approval_is_approved_or_refused() {
        use ResolutionStatus::*;
        assert_eq!(ResolutionStatus::proposed(false, false), Applied);
        assert_eq!(
            ResolutionStatus::proposed(true, false).decide(true, false),
            Ok(Applied)
        );
        assert_eq!(PendingApproval.decide(false, true), Ok(Refused));
        for decided in [Offered, Applied, Refused, Declined] {
            assert_eq!(decided.decide(true, false), Err(DecidedAlready(decided)));
        }
        for status in ResolutionStatus::ALL {
            assert_eq!(ResolutionStatus::from_name(status.as_str()), Some(status));
        }
    }

    #[test]
    fn an_offer_waits_for_the_customer_and_only_an_offer_is_answered() {
        use ResolutionStatus::*;
        assert_eq!(ResolutionStatus::proposed(false, true), Offered);
        assert_eq!(ResolutionStatus::proposed(true, true), PendingApproval);
        assert_eq!(PendingApproval.decide(true, true), Ok(Offered));
        assert_eq!(Offered.answer(true), Ok(Applied));
        assert_eq!(Offered.answer(false), Ok(Declined));
        for other in [PendingApproval, Applied, Refused, Declined] {
            assert_eq!(other.answer(true), Err(NotOffered(other)));
            assert_eq!(other.answer(false), Err(NotOffered(other)));
        }
        assert!(Offered.may_give() && PendingApproval.may_give() && Applied.may_give());
        assert!(!Refused.may_give() && !Declined.may_give());
    }

    #[test]
    fn alternatives_offered_count_once_against_an_allowance_as_the_largest_of_them() {
        use ResolutionStatus::*;
        let given = [
            (dec("30"), Applied, false),
            (dec("20"), PendingApproval, false),
            (dec("50"), Offered, true),
            (dec("80"), PendingApproval, true),
            (dec("999"), Refused, false),
            (dec("999"), Declined, true),
        ];
        assert_eq!(already_given(given, false), dec("130"));
        assert_eq!(already_given(given, true), dec("50"));
    }

    #[test]
    fn a_plan_whose_instalments_do_not_add_up_is_refused() {
        let plan = PaymentPlan::new(
            dec("100.00"),
            usd(),
            vec![
                Instalment {
                    due_on: day("2027-01-01"),
                    amount: dec("50.00"),
                },
                Instalment {
                    due_on: day("2027-02-01"),
                    amount: dec("49.99"),
                },
            ],
        );
        assert_eq!(
            plan.unwrap_err().to_string(),
            "the instalments add up to 99.99, not to the 100.00 owed"
        );
    }

    #[test]
    fn a_plan_whose_dates_go_backwards_is_refused() {
        let plan = PaymentPlan::new(
            dec("100.00"),
            usd(),
            vec![
                Instalment {
                    due_on: day("2027-02-01"),
                    amount: dec("50.00"),
                },
                Instalment {
                    due_on: day("2027-01-01"),
                    amount: dec("50.00"),
                },
            ],
        );
        assert_eq!(
            plan.unwrap_err().to_string(),
            "instalment 2 is due on 2027-01-01, not after instalment 1 (2027-02-01)"
        );
    }

    #[test]
    fn a_monthly_plan_puts_the_odd_cents_first_and_adds_up_exactly() {
        let plan = PaymentPlan::monthly(dec("100.00"), usd(), day("2027-01-31"), 3).unwrap();
        let amounts: Vec<String> = plan
            .instalments()
            .iter()
            .map(|i| i.amount.to_string())
            .collect();
        assert_eq!(amounts, ["33.34", "33.33", "33.33"]);
        let dates: Vec<String> = plan
            .instalments()
            .iter()
            .map(|i| i.due_on.to_string())
            .collect();
        assert_eq!(dates, ["2027-01-31", "2027-02-28", "2027-03-31"]);
    }

    fn jpy() -> Currency {
        Currency::from_code("JPY").unwrap()
    }

    #[test]
    fn every_write_off_needs_an_approver_however_small() {
        let policy = ApprovalPolicy::default();
        assert!(matches!(
            policy.approval_for(
                ResolutionKind::WriteOff,
                dec("0.01"),
                Decimal::ZERO,
                usd(),
                Role::Approver
            ),
            Approval::Needed(_)
        ));
    }

    #[test]
    fn an_agent_applies_corrections_up_to_the_limit_and_no_further() {
        let policy = ApprovalPolicy::default();
        let zero = Decimal::ZERO;
        assert_eq!(
            policy.approval_for(
                ResolutionKind::CreditNote,
                dec("100"),
                zero,
                usd(),
                Role::Agent
            ),
            Approval::NotNeeded
        );
        assert_eq!(
            policy.approval_for(ResolutionKind::CreditNote, dec("100.01"), zero, usd(), Role::Agent),
            Approval::Needed(
                "100.01 USD is above the 100.00 USD an agent may give on one dispute without an approver".into()
            )
        );
        assert_eq!(
            policy.approval_for(
                ResolutionKind::CreditNote,
                dec("5000"),
                zero,
                usd(),
                Role::Approver
            ),
            Approval::NotNeeded
        );
        assert_eq!(
            policy.approval_for(
                ResolutionKind::Reject,
                dec("5000"),
                zero,
                usd(),
                Role::Agent
            ),
            Approval::NotNeeded
        );
    }

    #[test]
    fn what_an_agent_gave_on_a_dispute_before_counts_toward_the_limit() {
        let policy = ApprovalPolicy::default();
        assert_eq!(
            policy.approval_for(
                ResolutionKind::Goodwill,
                dec("90"),
                dec("400"),
                usd(),
                Role::Agent
            ),
            Approval::Needed(
                "90.00 USD with the 400.00 USD already given on this dispute (490.00 USD in all) \
                 is above the 100.00 USD an agent may give on one dispute without an approver"
                    .into()
            )
        );
        assert_eq!(
            policy.approval_for(
                ResolutionKind::Goodwill,
                dec("90"),
                dec("10"),
                usd(),
                Role::Agent
            ),
            Approval::NotNeeded
        );
    }

    #[test]
    fn the_limit_is_set_per_currency_and_a_currency_without_one_gives_nothing() {
        let policy = ApprovalPolicy::default();
        let zero = Decimal::ZERO;
        assert_eq!(policy.agent_limit(jpy()), dec("15000"));
        assert_eq!(
            policy.approval_for(
                ResolutionKind::CreditNote,
                dec("101"),
                zero,
                jpy(),
                Role::Agent
            ),
            Approval::NotNeeded
        );
        let kwd = Currency::from_code("KWD").unwrap();
        assert!(matches!(
            policy.approval_for(
                ResolutionKind::CreditNote,
                dec("100"),
                zero,
                kwd,
                Role::Agent
            ),
            Approval::Needed(_)
        ));
        let xof = Currency::from_code("XOF").unwrap();
        assert_eq!(
            policy.approval_for(ResolutionKind::Refund, dec("1"), zero, xof, Role::Agent),
            Approval::Needed(
                "1 XOF needs an approver: an agent gives nothing in XOF on their own (no allowance is set for XOF)"
                    .into()
            )
        );
    }

    #[test]
    fn the_proposer_may_not_approve_their_own_resolution() {
        let policy = ApprovalPolicy::default();
        assert_eq!(
            policy.may_decide("ann", "ann", Role::Approver),
            Err(ApprovalError::OwnProposal("ann".into()))
        );
        assert_eq!(
            policy.may_decide("ann", "bob", Role::Agent),
            Err(ApprovalError::NotAnApprover(Role::Agent))
        );
        assert_eq!(policy.may_decide("ann", "bob", Role::Approver), Ok(()));
    }

    proptest! {
        #[test]
        fn a_monthly_plan_always_adds_up_to_what_is_owed(cents in 1i64..10_000_000, count in 1u32..=36) {
            let total = Decimal::new(cents, 2);
            match PaymentPlan::monthly(total, usd(), day("2027-01-15"), count) {
                Ok(plan) => {
                    let sum: Decimal = plan.instalments().iter().map(|i| i.amount).sum();
                    prop_assert_eq!(sum, total);
                    prop_assert_eq!(plan.instalments().len(), count as usize);
                    let (max, min) = (
                        plan.instalments().iter().map(|i| i.amount).max().unwrap(),
                        plan.instalments().iter().map(|i| i.amount).min().unwrap(),
                    );
                    prop_assert!(max - min <= dec("0.01"));
                }
                Err(PlanError::TooManyInstalments { .. }) => prop_assert!(cents < i64::from(count)),
                Err(e) => prop_assert!(false, "refused: {e}"),
            }
        }
    }
}
