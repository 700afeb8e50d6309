//! A dispute's verdict: what the audit found on what the customer disputes.

use crate::finding::{Finding, FindingKind};
use redress_domain::{Decimal, Dispute};

pub use redress_domain::Verdict;

/// A dispute's verdict with the adjustment owed and the findings it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeVerdict {
    /// The dispute, by index into `BillingData::disputes`.
    pub dispute: usize,
    /// Upheld, partially upheld or rejected.
    pub verdict: Verdict,
    /// What the customer was overcharged on what they dispute, net of tax.
    pub adjustment: Decimal,
    /// The findings counted, by index into the audit's findings.
    pub findings: Vec<usize>,
}

/// Whether `finding` is about what `dispute` disputes: its invoice, and its line if it names one.
pub fn concerns(dispute: &Dispute, finding: &Finding) -> bool {
    finding.invoice == Some(dispute.invoice)
        && dispute
            .line_no
            .is_none_or(|line_no| finding.line_no == Some(line_no))
}

/// Judges a dispute on the findings that concern it (`(index, finding)` pairs).
///
/// Found = the sum of their positive impacts, leaving out overpayments, which are owed back
/// whatever the dispute says; under-billing never counts against the customer.
pub fn judge<'a>(
    dispute_index: usize,
    dispute: &Dispute,
    findings: impl IntoIterator<Item = (usize, &'a Finding)>,
) -> DisputeVerdict {
    let counted: Vec<(usize, &Finding)> = findings
        .into_iter()
        .filter(|(_, f)| concerns(dispute, f))
        .filter(|(_, f)| f.kind != FindingKind::Overpayment && f.impact > Decimal::ZERO)
        .collect();
    let found: Decimal = counted.iter().map(|(_, f)| f.impact).sum();
    let verdict = if found.is_zero() {
        Verdict::Rejected
    } else if found >= dispute.claimed_amount {
        Verdict::Upheld
    } else {
        Verdict::PartiallyUpheld
    };
    DisputeVerdict {
        dispute: dispute_index,
        verdict,
        adjustment: found,
        findings: counted.into_iter().map(|(i, _)| i).collect(),
    }
}
