//! The billing audit: checks every invoice line against the contract, the delivery records,
//! the payments and the notices sent, as an accountant verifying a dispute would, and says what
//! is wrong, by how much, and on what evidence.
//!
//! The rules (R1–R8 of billing-data v1) live in [`rules`] as plain functions over
//! [`redress_domain`] types. [`audit`] runs them over a whole [`BillingData`], contract by
//! contract on every core, and judges each dispute on the findings.

#![forbid(unsafe_code)]

pub mod finding;
pub mod index;
pub mod merge;
pub mod report;
pub mod rules;
pub mod shard;
pub mod verdict;

pub use finding::{Evidence, Finding, FindingKind, Quantities};
pub use shard::{Shard, ShardError};
pub use verdict::{DisputeVerdict, Verdict};

use index::AuditIndex;
use rayon::prelude::*;
use redress_domain::{BillingData, ContractIdx};
use rustc_hash::FxHashMap;

/// What an audit found: the billing errors and a verdict for each dispute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    /// Every finding, contract by contract in file order.
    pub findings: Vec<Finding>,
    /// One verdict per dispute, in file order.
    pub verdicts: Vec<DisputeVerdict>,
}

/// Below this many contracts an audit runs on the calling thread: handing a contract or two
/// to the thread pool (a dispute's verification) costs more than auditing them.
const PARALLEL_FROM_CONTRACTS: usize = 64;

/// Audits all of `data`.
pub fn audit(data: &BillingData) -> Audit {
    audit_shard(data, Shard::WHOLE)
}

/// Audits the customers of `shard` in `data`: exactly the findings and verdicts of
/// [`audit`] on those customers, in the same order.
pub fn audit_shard(data: &BillingData, shard: Shard) -> Audit {
    let index = AuditIndex::build(data);
    let kept: Vec<bool> = data.customer_ids.iter().map(|id| shard.holds(id)).collect();
    let keeps = |contract: ContractIdx| kept[data.contracts[contract.index()].customer.index()];
    let contracts = (0..data.contracts.len() as u32)
        .map(ContractIdx)
        .filter(|&c| keeps(c));
    let audit_contract = |c| rules::audit_contract(data, &index, c);
    let findings: Vec<Finding> = if data.contracts.len() < PARALLEL_FROM_CONTRACTS {
        contracts.flat_map(audit_contract).collect()
    } else {
        let contracts: Vec<ContractIdx> = contracts.collect();
        contracts
            .into_par_iter()
            .with_min_len(PARALLEL_FROM_CONTRACTS)
            .flat_map_iter(audit_contract)
            .collect()
    };
    let verdicts = judge_disputes_where(data, &findings, |dispute| {
        keeps(data.invoices[dispute.invoice.index()].contract)
    });
    Audit { findings, verdicts }
}

/// One dispute verified on its own: the verdict the rules give it and the findings it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Upheld, partially upheld or rejected.
    pub verdict: Verdict,
    /// What the customer was overcharged on what they dispute, net of tax.
    pub adjustment: redress_domain::Decimal,
    /// The findings it rests on, as records with their evidence.
    pub findings: Vec<report::FindingRecord>,
}

/// Verifies `dispute` against `data`, which holds (at least) its invoice's whole contract: the
/// rules run over the contract, and the dispute judged on what they find on its invoice.
pub fn verify(data: &BillingData, dispute: &redress_domain::Dispute) -> Verified {
    let audit = audit(data);
    let on_invoice = audit
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.invoice == Some(dispute.invoice));
    let judged = verdict::judge(0, dispute, on_invoice);
    Verified {
        verdict: judged.verdict,
        adjustment: judged.adjustment,
        findings: judged
            .findings
            .iter()
            .map(|&i| report::finding_record(data, &audit.findings[i]))
            .collect(),
    }
}

/// A verdict for every dispute of `data` on `findings`.
pub fn judge_disputes(data: &BillingData, findings: &[Finding]) -> Vec<DisputeVerdict> {
    judge_disputes_where(data, findings, |_| true)
}

/// A verdict for each dispute of `data` that `keep` keeps, on `findings`.
fn judge_disputes_where(
    data: &BillingData,
    findings: &[Finding],
    keep: impl Fn(&redress_domain::Dispute) -> bool,
) -> Vec<DisputeVerdict> {
    let mut by_invoice: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (i, finding) in findings.iter().enumerate() {
        if let Some(invoice) = finding.invoice {
            by_invoice.entry(invoice.0).or_default().push(i);
        }
    }
    data.disputes
        .iter()
        .enumerate()
        .filter(|(_, dispute)| keep(dispute))
        .map(|(d, dispute)| {
            let on_invoice = by_invoice
                .get(&dispute.invoice.0)
                .map_or(&[][..], Vec::as_slice);
            verdict::judge(d, dispute, on_invoice.iter().map(|&i| (i, &findings[i])))
        })
        .collect()
}
