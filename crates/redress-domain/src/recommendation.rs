//! A recommended resolution for a dispute, with the reasons in plain words: from what the
//! verification found, the customer's relationship with the business and their history of
//! disputes. Repeat disputes and patterns that look like abuse are flagged for the agent, and
//! never turn a claim the records support into a refusal.

use crate::money::Currency;
use crate::number::Decimal;

/// What the verification of a dispute found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Upheld, partially upheld or rejected.
    pub verdict: crate::Verdict,
    /// What the records show was charged too much, net.
    pub adjustment: Decimal,
    /// What the customer claims.
    pub claimed: Decimal,
    /// The invoice's currency.
    pub currency: Currency,
    /// The disputed line, if one.
    pub line_no: Option<u32>,
    /// What has been paid of the invoice.
    pub paid: Decimal,
}

/// The customer's relationship with the business, over the last twelve months.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Relationship {
    /// Days since they became a customer.
    pub tenure_days: i64,
    /// Invoiced over the last twelve months, in the dispute's currency.
    pub revenue: Decimal,
    /// Invoices due in the last twelve months.
    pub invoices_due: u32,
    /// Of those, paid in full by their due date.
    pub paid_on_time: u32,
}

impl Relationship {
    /// The share of invoices paid on time, in percent (`None` when none fell due).
    pub fn punctuality_percent(&self) -> Option<Decimal> {
        (self.invoices_due > 0).then(|| {
            (Decimal::from(self.paid_on_time) * Decimal::ONE_HUNDRED
                / Decimal::from(self.invoices_due))
            .round_dp(0)
        })
    }
}

/// The customer's other disputes (this one left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DisputeHistory {
    /// Opened in the last twelve months.
    pub last_year: u32,
    /// Opened in the last ninety days.
    pub last_quarter: u32,
    /// Of the last twelve months', rejected.
    pub rejected_last_year: u32,
}

/// A resolution recommended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recommended {
    /// A credit note of this net amount (on the disputed line, when the dispute names one).
    CreditNote(Decimal),
    /// A goodwill discount of this amount: no error was found, but the relationship is worth it.
    Goodwill(Decimal),
    /// The claim rejected, with the evidence that the charges were right.
    Reject,
}

/// Something for the agent to know about the customer's disputes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Three or more disputes in ninety days, or five or more in a year.
    RepeatDisputer,
    /// Three or more claims rejected in a year, most of their claims: worth a closer look.
    PossibleAbuse,
}

impl Flag {
    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RepeatDisputer => "repeat_disputer",
            Self::PossibleAbuse => "possible_abuse",
        }
    }
}

/// A recommendation and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    /// What to do.
    pub recommended: Recommended,
    /// A refund to offer with it: the invoice was paid, so the customer is owed money back
    /// (or, if they prefer, an account credit), gross of tax at most this.
    pub refund_up_to: Option<Decimal>,
    /// Why, in plain words, most important first.
    pub reasons: Vec<String>,
    /// For the agent; they never change a claim the records support.
    pub flags: Vec<Flag>,
}

/// A customer of two years or more who pays on time and whose claims were not rejected is one
/// a business keeps with a small gesture when the records show no error.
const LOYAL_TENURE_DAYS: i64 = 730;
const PUNCTUAL_PERCENT: u32 = 90;
/// A goodwill gesture is at most this share of a year's revenue, in percent.
const GOODWILL_SHARE_PERCENT: u32 = 1;

/// The recommendation for a dispute.
pub fn recommend(
    verification: &Verification,
    relationship: &Relationship,
    history: &DisputeHistory,
) -> Recommendation {
    let currency = verification.currency;
    let money = |amount: Decimal| format!("{} {}", currency.format(amount), currency.code());
    let mut reasons = Vec::new();
    let mut flags = Vec::new();
    if history.last_quarter >= 3 || history.last_year >= 5 {
        flags.push(Flag::RepeatDisputer);
    }
    if history.rejected_last_year >= 3 && history.rejected_last_year * 5 >= history.last_year * 3 {
        flags.push(Flag::PossibleAbuse);
    }
    let found = verification.adjustment;
    let recommended = if found > Decimal::ZERO {
        let covered = if found >= verification.claimed {
            format!(
                "The records support the claim: {} was charged too much{}.",
                money(found),
                verification
                    .line_no
                    .map(|n| format!(" on line {n}"))
                    .unwrap_or_default()
            )
        } else {
            format!(
                "The records support {} of the {} claimed; the rest is charged as the contract and the deliveries say.",
                money(found),
                money(verification.claimed)
            )
        };
        reasons.push(covered);
        if !flags.is_empty() {
            reasons.push(
                "The customer's earlier disputes are flagged, but this claim is supported by the records and is to be corrected all the same."
                    .to_owned(),
            );
        }
        Recommended::CreditNote(found)
    } else {
        let loyal = relationship.tenure_days >= LOYAL_TENURE_DAYS
            && relationship
                .punctuality_percent()
                .is_some_and(|p| p >= Decimal::from(PUNCTUAL_PERCENT))
            && history.rejected_last_year == 0
            && flags.is_empty();
        let cap = currency.round(
            relationship.revenue * Decimal::from(GOODWILL_SHARE_PERCENT) / Decimal::ONE_HUNDRED,
        );
        let gesture = verification.claimed.min(cap);
        reasons.push(
            "The records show the charges were right: the verification found no error.".to_owned(),
        );
        if loyal && gesture > Decimal::ZERO {
            reasons.push(format!(
                "The customer has been with the business {} years, paid {} % of last year's invoices on time and had no claim rejected: a goodwill discount of {} (at most {} % of the {} they were invoiced in twelve months) keeps the relationship without admitting an error.",
                relationship.tenure_days / 365,
                relationship.punctuality_percent().unwrap_or_default(),
                money(gesture),
                GOODWILL_SHARE_PERCENT,
                money(relationship.revenue)
            ));
            Recommended::Goodwill(gesture)
        } else {
            reasons.push("Reject it, showing the customer the evidence line by line.".to_owned());
            Recommended::Reject
        }
    };
    if flags.contains(&Flag::RepeatDisputer) {
        reasons.push(format!(
            "They opened {} other disputes in the last twelve months ({} in ninety days).",
            history.last_year, history.last_quarter
        ));
    }
    if flags.contains(&Flag::PossibleAbuse) {
        reasons.push(format!(
            "{} of their {} claims in the last twelve months were rejected: a pattern worth a closer look.",
            history.rejected_last_year, history.last_year
        ));
    }
    let refund_up_to = match &recommended {
        Recommended::CreditNote(_) if verification.paid > Decimal::ZERO => {
            reasons.push(format!(
                "The invoice was paid ({}): offer the corrected amount back as a refund, or as an account credit if the customer prefers.",
                money(verification.paid)
            ));
            Some(verification.paid)
        }
        _ => None,
    };
    Recommendation {
        recommended,
        refund_up_to,
        reasons,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn verification(verdict: &str, adjustment: &str, claimed: &str, paid: &str) -> Verification {
        Verification {
            verdict: crate::Verdict::from_name(verdict).expect("a verdict"),
            adjustment: dec(adjustment),
            claimed: dec(claimed),
            currency: eur(),
            line_no: Some(2),
            paid: dec(paid),
        }
    }

    fn loyal() -> Relationship {
        Relationship {
            tenure_days: 1500,
            revenue: dec("12000.00"),
            invoices_due: 12,
            paid_on_time: 12,
        }
    }

    #[test]
    fn a_supported_claim_gets_a_credit_note_and_the_refund_of_a_paid_invoice() {
        let r = recommend(
            &verification("upheld", "40.00", "40.00", "480.00"),
            &loyal(),
            &DisputeHistory::default(),
        );
        assert_eq!(r.recommended, Recommended::CreditNote(dec("40.00")));
        assert_eq!(r.refund_up_to, Some(dec("480.00")));
        assert_eq!(
            r.reasons[0],
            "The records support the claim: 40.00 EUR was charged too much on line 2."
        );
    }

    #[test]
    fn a_loyal_customer_with_no_error_found_gets_a_small_goodwill_gesture() {
        let r = recommend(
            &verification("rejected", "0", "300.00", "0"),
            &loyal(),
            &DisputeHistory::default(),
        );
        // At most 1 % of the 12,000.00 invoiced in a year.
        assert_eq!(r.recommended, Recommended::Goodwill(dec("120.00")));
    }

    #[test]
    fn a_new_or_late_paying_customer_with_no_error_found_is_rejected_with_the_evidence() {
        let new = Relationship {
            tenure_days: 100,
            ..loyal()
        };
        let r = recommend(
            &verification("rejected", "0", "30.00", "0"),
            &new,
            &DisputeHistory::default(),
        );
        assert_eq!(r.recommended, Recommended::Reject);
    }

    #[test]
    fn flags_never_turn_a_supported_claim_into_a_refusal() {
        let history = DisputeHistory {
            last_year: 5,
            last_quarter: 3,
            rejected_last_year: 4,
        };
        let r = recommend(
            &verification("partially_upheld", "10.00", "50.00", "0"),
            &loyal(),
            &history,
        );
        assert_eq!(r.flags, [Flag::RepeatDisputer, Flag::PossibleAbuse]);
        assert_eq!(r.recommended, Recommended::CreditNote(dec("10.00")));
        // And an unsupported claim of a flagged customer earns no gesture.
        let r = recommend(
            &verification("rejected", "0", "50.00", "0"),
            &loyal(),
            &history,
        );
        assert_eq!(r.recommended, Recommended::Reject);
    }
}
