//! An arrears case's lifecycle: what the business under-billed a customer, found by an audit,
//! offered to the customer before anything is billed, then settled the way they choose.
//!
//! ```text
//! open → offered ⇄ (offered again) → settled            (next invoice, separate invoice, plan)
//!           └→ awaiting_approval → settled               (what is forgone, approved: a waiver,
//!                      │                                  or a compromise whose rest is billed)
//!                      └→ offered                        (refused: the other options)
//! ```
//!
//! A waiver forgoes all of the arrears, a compromise part of them ([`check_compromise`]); either
//! way money is forgone, so either waits for an approver. A compromise's rest is billed item by
//! item, the part waived taken off each in proportion ([`apportion_waived`]).

use crate::calendar::Date;
use crate::money::Currency;
use crate::number::Decimal;
use std::fmt;

/// Where an arrears case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrearsStatus {
    /// Found by an audit; the customer not yet told.
    Open,
    /// The customer was contacted and offered the options.
    Offered,
    /// The customer asked to have all (a waiver) or part (a compromise) of the arrears
    /// forgone: the forgone part waits for an approver.
    AwaitingApproval,
    /// Billed the way the customer chose, waived, or (a compromise) part waived and the rest
    /// billed.
    Settled,
}

/// A step an arrears case takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrearsStep {
    /// The customer is contacted and offered the options (again, if they were before).
    Offer,
    /// The customer chose to be billed (on the next invoice, apart, or over a plan).
    ChooseBilling,
    /// The customer asked to have all or part of the arrears forgone: a waiver, or a
    /// compromise that bills the rest.
    ChooseForgoing,
    /// An approver approved what is forgone (a compromise's rest is then billed).
    ApproveForgoing,
    /// An approver refused it: the customer's other options remain.
    RefuseForgoing,
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
            (Offered, ChooseForgoing) => Ok(AwaitingApproval),
            (AwaitingApproval, ApproveForgoing) => Ok(Settled),
            (AwaitingApproval, RefuseForgoing) => Ok(Offered),
            (from, _) => Err(ArrearsStepError {
                from,
                what: match from {
                    Open => "contact the customer and offer them the options first",
                    Offered => "the customer's choice is what comes next",
                    AwaitingApproval => {
                        "what the customer asked to have forgone waits for an approver"
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
    /// Part forgone and the rest billed: needs an approver.
    Compromise,
    /// Forgone: needs an approver.
    Waive,
}

impl ArrearsOption {
    /// Every option, in the order they are offered.
    pub const ALL: [Self; 5] = [
        Self::NextInvoice,
        Self::SeparateInvoice,
        Self::PaymentPlan,
        Self::Compromise,
        Self::Waive,
    ];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NextInvoice => "next_invoice",
            Self::SeparateInvoice => "separate_invoice",
            Self::PaymentPlan => "payment_plan",
            Self::Compromise => "compromise",
            Self::Waive => "waive",
        }
    }

    /// The option named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// Whether it forgoes money, and so waits for an approver.
    pub fn needs_approval(self) -> bool {
        matches!(self, Self::Compromise | Self::Waive)
    }
}

impl fmt::Display for ArrearsOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How the rest of a compromise is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompromiseBilling {
    /// Added to the customer's next invoice.
    NextInvoice,
    /// On an invoice of its own.
    SeparateInvoice,
}

impl CompromiseBilling {
    /// Both ways.
    pub const ALL: [Self; 2] = [Self::NextInvoice, Self::SeparateInvoice];

    /// Its name in the API and the database: the option's of the same name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NextInvoice => "next_invoice",
            Self::SeparateInvoice => "separate_invoice",
        }
    }

    /// The way named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == name)
    }
}

impl fmt::Display for CompromiseBilling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A compromise's terms: how much is forgone, and how the rest is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compromise {
    /// The net amount forgone, in the case's currency.
    pub waived: Decimal,
    /// How the rest is billed.
    pub billing: CompromiseBilling,
}

/// Why the amount a compromise waives does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CompromiseError {
    /// Nothing, or less than nothing, waived: that is no compromise.
    #[error("the amount waived must be above zero, and {waived} is not")]
    NotPositive {
        /// What was asked.
        waived: Decimal,
    },
    /// All of it or more waived: that is a waiver (or a mistake), not a compromise.
    #[error(
        "the amount waived must be below the arrears' net total of {net} {currency}, and {waived} is not (to forgo it all, waive it)"
    )]
    NotBelowTotal {
        /// What was asked.
        waived: Decimal,
        /// The arrears' net total.
        net: Decimal,
        /// The case's currency.
        currency: Currency,
    },
    /// More decimals than the currency's minor unit has.
    #[error(
        "the amount waived must be a whole number of {currency}'s minor units ({decimals} decimals), and {waived} is not"
    )]
    NotInMinorUnits {
        /// What was asked.
        waived: Decimal,
        /// The case's currency.
        currency: Currency,
        /// How many decimals its minor unit has.
        decimals: u32,
    },
}

/// Checks that `waived` may be forgone by a compromise over arrears of `net` (net of tax) in
/// `currency`: above zero, below `net`, and a whole number of the currency's minor units.
pub fn check_compromise(
    waived: Decimal,
    net: Decimal,
    currency: Currency,
) -> Result<(), CompromiseError> {
    if waived <= Decimal::ZERO {
        return Err(CompromiseError::NotPositive { waived });
    }
    if !currency.fits(waived) {
        return Err(CompromiseError::NotInMinorUnits {
            waived,
            currency,
            decimals: currency.minor_unit(),
        });
    }
    if waived >= net {
        return Err(CompromiseError::NotBelowTotal {
            waived,
            net: currency.shown(net),
            currency,
        });
    }
    Ok(())
}

/// The part of `waived` taken off each of `items` (net amounts above zero, each a whole number
/// of `currency`'s minor units), in proportion to them: exactly `waived` in all, each part a
/// whole number of minor units, none more than its item, none negative.
///
/// Each part is its exact share rounded down to the minor unit; the minor units left over go
/// one each to the items whose shares lost the most to rounding (the later item first when
/// they lost as much), so every part is within one minor unit of its exact share. (Rounding
/// each share to the nearest and putting what is left on the last item would sum exactly too,
/// but with many items and a small rest the last could be taken below zero.) The arithmetic is
/// in whole minor units, so nothing is lost to division.
///
/// `waived` is expected below the items' sum ([`check_compromise`]); whatever it is, the parts
/// sum to it when the items sum above zero, and are all zero otherwise.
pub fn apportion_waived(waived: Decimal, items: &[Decimal], currency: Currency) -> Vec<Decimal> {
    let decimals = currency.minor_unit();
    let units = |amount: Decimal| -> i128 {
        let mut on_grid = currency.round(amount);
        on_grid.rescale(decimals);
        on_grid.mantissa()
    };
    let nets: Vec<i128> = items.iter().map(|&net| units(net)).collect();
    let total: i128 = nets.iter().sum();
    if total <= 0 || items.is_empty() {
        return vec![Decimal::ZERO; items.len()];
    }
    let waived = units(waived);
    // share_i = waived × net_i / total = floor + remainder / total.
    let mut parts: Vec<i128> = Vec::with_capacity(nets.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(nets.len());
    for (i, net) in nets.iter().enumerate() {
        let exact = waived * net;
        parts.push(exact.div_euclid(total));
        remainders.push((exact.rem_euclid(total), i));
    }
    let left: i128 = waived - parts.iter().sum::<i128>();
    // Largest remainder first; of equal ones, the later item first.
    remainders.sort_unstable_by(|a, b| b.cmp(a));
    // The remainders sum to `left` × total, each below total: fewer units are left than items.
    for &(_, i) in remainders.iter().take(usize::try_from(left).unwrap_or(0)) {
        parts[i] += 1;
    }
    parts
        .into_iter()
        .map(|part| Decimal::from_i128_with_scale(part, decimals))
        .collect()
}

/// How a customer chose to settle arrears: an option, with the plan's terms for a payment
/// plan and the compromise's for a compromise.
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
    /// Part forgone and the rest billed, once an approver approves.
    Compromise {
        /// The net amount forgone, in the case's currency: above zero, below the case's net
        /// total, a whole number of the currency's minor units ([`check_compromise`]).
        waived: Decimal,
        /// How the rest is billed.
        billing: CompromiseBilling,
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
            Self::Compromise { .. } => ArrearsOption::Compromise,
            Self::Waive => ArrearsOption::Waive,
        }
    }

    /// The step recording it takes: money forgone waits for an approver.
    pub fn step(&self) -> ArrearsStep {
        if self.option().needs_approval() {
            ArrearsStep::ChooseForgoing
        } else {
            ArrearsStep::ChooseBilling
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
        let waiting = Offered.take(ChooseForgoing).unwrap();
        assert_eq!(waiting, AwaitingApproval);
        assert_eq!(waiting.take(RefuseForgoing), Ok(Offered));
        assert_eq!(waiting.take(ApproveForgoing), Ok(Settled));
        assert!(Offered.take(ApproveForgoing).is_err());
        assert_eq!(
            waiting.take(Offer).unwrap_err().to_string(),
            "an arrears case that is awaiting_approval cannot take this step: what the customer \
             asked to have forgone waits for an approver"
        );
    }

    #[test]
    fn a_compromise_forgoes_money_so_it_waits_for_an_approver_as_a_waiver_does() {
        let compromise = ArrearsChoice::Compromise {
            waived: dec("100.00"),
            billing: CompromiseBilling::SeparateInvoice,
        };
        assert_eq!(compromise.option(), ArrearsOption::Compromise);
        assert_eq!(compromise.step(), ChooseForgoing);
        assert_eq!(ArrearsChoice::Waive.step(), ChooseForgoing);
        assert_eq!(ArrearsChoice::NextInvoice.step(), ChooseBilling);
        let needing: Vec<&str> = ArrearsOption::ALL
            .into_iter()
            .filter(|o| o.needs_approval())
            .map(ArrearsOption::as_str)
            .collect();
        assert_eq!(needing, ["compromise", "waive"]);
    }

    #[test]
    fn the_compromise_is_offered_between_the_payment_plan_and_waiving_it_all() {
        let names: Vec<&str> = ArrearsOption::ALL.map(ArrearsOption::as_str).to_vec();
        assert_eq!(
            names,
            [
                "next_invoice",
                "separate_invoice",
                "payment_plan",
                "compromise",
                "waive"
            ]
        );
    }

    #[test]
    fn nothing_happens_to_a_settled_case_and_every_case_can_be_settled() {
        for step in [
            Offer,
            ChooseBilling,
            ChooseForgoing,
            ApproveForgoing,
            RefuseForgoing,
        ] {
            assert!(Settled.take(step).is_err());
        }
        for start in ArrearsStatus::ALL {
            let mut status = start;
            for step in [Offer, ChooseBilling] {
                status = status.take(step).unwrap_or(status);
            }
            if start == AwaitingApproval {
                status = start.take(ApproveForgoing).unwrap();
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
        for billing in CompromiseBilling::ALL {
            assert_eq!(
                CompromiseBilling::from_name(billing.as_str()),
                Some(billing)
            );
        }
        assert_eq!(CompromiseBilling::from_name("payment_plan"), None);
    }

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn currency(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn a_compromise_waives_more_than_nothing_less_than_all_and_in_minor_units() {
        let eur = currency("EUR");
        assert_eq!(check_compromise(dec("360.00"), dec("720.00"), eur), Ok(()));
        assert_eq!(check_compromise(dec("0.01"), dec("720.00"), eur), Ok(()));
        assert_eq!(check_compromise(dec("719.99"), dec("720.00"), eur), Ok(()));
        for (waived, message) in [
            ("0", "the amount waived must be above zero, and 0 is not"),
            (
                "-5.00",
                "the amount waived must be above zero, and -5.00 is not",
            ),
            (
                "720.00",
                "the amount waived must be below the arrears' net total of 720.00 EUR, and \
                 720.00 is not (to forgo it all, waive it)",
            ),
            (
                "900",
                "the amount waived must be below the arrears' net total of 720.00 EUR, and 900 \
                 is not (to forgo it all, waive it)",
            ),
            (
                "10.005",
                "the amount waived must be a whole number of EUR's minor units (2 decimals), and \
                 10.005 is not",
            ),
        ] {
            let refused = check_compromise(dec(waived), dec("720.00"), eur).unwrap_err();
            assert_eq!(refused.to_string(), message, "{waived}");
        }
        // Yen have no minor unit; trailing zeros are no extra precision.
        let jpy = currency("JPY");
        assert!(matches!(
            check_compromise(dec("100.5"), dec("1000"), jpy),
            Err(CompromiseError::NotInMinorUnits { decimals: 0, .. })
        ));
        assert_eq!(check_compromise(dec("100.00"), dec("1000"), jpy), Ok(()));
    }

    #[test]
    fn the_waived_part_is_taken_off_each_item_in_proportion_and_sums_exactly() {
        let eur = currency("EUR");
        // Six months at 120.00, 100.00 waived: 16.666… each, the two cents left over on the
        // last items (their shares lost as much to rounding as any).
        let items = vec![dec("120.00"); 6];
        let parts = apportion_waived(dec("100.00"), &items, eur);
        assert_eq!(
            parts,
            ["16.66", "16.66", "16.67", "16.67", "16.67", "16.67"].map(dec)
        );
        assert_eq!(parts.iter().sum::<Decimal>(), dec("100.00"));
        // Unequal items: in proportion to each.
        let parts = apportion_waived(dec("50.00"), &[dec("300.00"), dec("100.00")], eur);
        assert_eq!(parts, [dec("37.50"), dec("12.50")]);
        // One item: all of it there.
        assert_eq!(
            apportion_waived(dec("0.01"), &[dec("864.00")], eur),
            [dec("0.01")]
        );
    }

    #[test]
    fn no_item_is_taken_below_zero_even_when_the_rest_is_a_few_cents_over_many_items() {
        // Nine items of 1.00 and one of 0.01, all but 0.05 waived. Rounding each share to the
        // nearest cent and putting what is left on the last item would take that item to
        // -0.04; each part here stays within its item.
        let eur = currency("EUR");
        let mut items = vec![dec("1.00"); 9];
        items.push(dec("0.01"));
        let total: Decimal = items.iter().sum();
        let waived = total - dec("0.05");
        let parts = apportion_waived(waived, &items, eur);
        assert_eq!(parts.iter().sum::<Decimal>(), waived);
        for (part, item) in parts.iter().zip(&items) {
            assert!(*part >= Decimal::ZERO && part <= item, "{part} of {item}");
        }
        let billed: Decimal = items.iter().zip(&parts).map(|(i, p)| i - p).sum();
        assert_eq!(billed, dec("0.05"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_rest_billed_item_by_item_sums_exactly_to_the_total_less_the_part_waived(
                cents in proptest::collection::vec(1i64..5_000_000, 1..40),
                pick in any::<u64>(),
                code in prop::sample::select(vec!["EUR", "JPY", "KWD"]),
            ) {
                let currency = currency(code);
                let scale = currency.minor_unit();
                let items: Vec<Decimal> = cents
                    .iter()
                    .map(|&units| Decimal::new(units, scale))
                    .collect();
                let total_units: i64 = cents.iter().sum();
                prop_assume!(total_units >= 2);
                // Any whole number of minor units strictly between nothing and all of it.
                let waived_units = 1 + (pick % (total_units as u64 - 1)) as i64;
                let waived = Decimal::new(waived_units, scale);
                let total: Decimal = items.iter().sum();
                prop_assert!(check_compromise(waived, total, currency).is_ok());
                let parts = apportion_waived(waived, &items, currency);
                prop_assert_eq!(parts.len(), items.len());
                prop_assert_eq!(parts.iter().sum::<Decimal>(), waived);
                let billed: Vec<Decimal> =
                    items.iter().zip(&parts).map(|(item, part)| item - part).collect();
                prop_assert_eq!(billed.iter().sum::<Decimal>(), total - waived);
                let unit = Decimal::new(1, scale);
                for ((item, part), rest) in items.iter().zip(&parts).zip(&billed) {
                    prop_assert!(currency.fits(*part));
                    prop_assert!(*rest >= Decimal::ZERO, "{} of {}", part, item);
                    // Within one minor unit of the exact share.
                    let exact = waived * item / total;
                    prop_assert!((*part - exact).abs() < unit, "{} for {}", part, exact);
                }
            }
        }
    }
}
