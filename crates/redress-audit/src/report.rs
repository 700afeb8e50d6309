//! An audit put in words and ids a person (or another program) can read: findings and verdicts
//! as JSON-ready records, and a summary by kind and currency.

use crate::finding::{Finding, FindingKind};
use crate::verdict::DisputeVerdict;
use redress_domain::{BillingData, Currency, Decimal};
use serde::Serialize;
use std::collections::BTreeMap;

/// A finding with its ids spelled out, as written to JSON.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRecord {
    /// The finding's kind, e.g. `price_mismatch`.
    pub kind: &'static str,
    /// Signed impact, net of tax, with the currency's decimals.
    pub impact: String,
    /// ISO 4217 code.
    pub currency: &'static str,
    /// The contract.
    pub contract_id: String,
    /// The customer of the contract.
    pub customer_id: String,
    /// The invoice, when the finding sits on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// The line, when the finding sits on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_no: Option<u32>,
    /// The SKU, for charges and deliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The billing period's first day, for quantity findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_start: Option<String>,
    /// What it rests on.
    pub evidence: EvidenceRecord,
}

/// Evidence with ids spelled out.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRecord {
    /// The reason in plain words.
    pub explanation: String,
    /// The amount billed.
    pub billed: String,
    /// What should have been billed.
    pub expected: String,
    /// Units billed and delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantities: Option<QuantitiesRecord>,
    /// The contract price row applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_row: Option<PriceRowRecord>,
    /// Other invoice lines it rests on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineRef>,
    /// Delivery records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delivery_ids: Vec<String>,
    /// Payments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payment_ids: Vec<String>,
    /// Notices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notice_ids: Vec<String>,
    /// The invoice a late fee is charged for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_fee_for: Option<String>,
}

/// Units billed and delivered.
#[derive(Debug, Clone, Serialize)]
pub struct QuantitiesRecord {
    /// Units on the invoice lines.
    pub billed: String,
    /// Units in the delivery records.
    pub delivered: String,
}

/// A contract price row, known by contract, SKU and valid_from.
#[derive(Debug, Clone, Serialize)]
pub struct PriceRowRecord {
    /// Its contract.
    pub contract_id: String,
    /// Its SKU.
    pub sku: String,
    /// Unit price.
    pub unit_price: String,
    /// Discount in percent.
    pub discount_percent: String,
    /// First valid day.
    pub valid_from: String,
    /// Last valid day, if closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
}

/// An invoice line.
#[derive(Debug, Clone, Serialize)]
pub struct LineRef {
    /// Its invoice.
    pub invoice_id: String,
    /// Its number.
    pub line_no: u32,
}

/// A dispute's verdict, as written to JSON.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictRecord {
    /// Always `dispute`, to tell verdicts from findings in a stream.
    pub kind: &'static str,
    /// The dispute.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// The line disputed, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_no: Option<u32>,
    /// `upheld`, `partially_upheld` or `rejected`.
    pub verdict: &'static str,
    /// What is owed to the customer on it, net of tax.
    pub adjustment: String,
    /// What the customer claimed.
    pub claimed_amount: String,
    /// ISO 4217 code of both amounts.
    pub currency: &'static str,
    /// The findings counted: kind, line and impact.
    pub findings: Vec<VerdictFinding>,
}

/// A finding a verdict counts.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictFinding {
    /// Its kind.
    pub kind: &'static str,
    /// Its line, if on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_no: Option<u32>,
    /// Its impact.
    pub impact: String,
}

/// Spells out a finding's ids.
pub fn finding_record(data: &BillingData, finding: &Finding) -> FindingRecord {
    let currency = finding.currency;
    let evidence = &finding.evidence;
    let contract = data.contract(finding.contract);
    FindingRecord {
        kind: finding.kind.as_str(),
        impact: currency.format(finding.impact),
        currency: currency.code(),
        contract_id: data.contract_id(finding.contract).to_owned(),
        customer_id: data.customer_ids.name(contract.customer.0).to_owned(),
        invoice_id: finding.invoice.map(|i| data.invoice_id(i).to_owned()),
        line_no: finding.line_no,
        sku: finding.sku.map(|s| data.sku(s).to_owned()),
        period_start: finding.period_start.map(|d| d.to_string()),
        evidence: EvidenceRecord {
            explanation: evidence.explanation.clone(),
            billed: currency.format(evidence.billed),
            expected: currency.format(evidence.expected),
            quantities: evidence.quantities.map(|q| QuantitiesRecord {
                billed: q.billed.normalize().to_string(),
                delivered: q.delivered.normalize().to_string(),
            }),
            price_row: evidence.price_row.map(|p| {
                let row = &data.prices[p];
                PriceRowRecord {
                    contract_id: data.contract_id(row.contract).to_owned(),
                    sku: data.sku(row.sku).to_owned(),
                    unit_price: row.unit_price.to_string(),
                    discount_percent: row.discount_percent.to_string(),
                    valid_from: row.valid_from.to_string(),
                    valid_to: row.valid_to.map(|d| d.to_string()),
                }
            }),
            lines: evidence
                .lines
                .iter()
                .map(|&(i, line_no)| LineRef {
                    invoice_id: data.invoice_id(i).to_owned(),
                    line_no,
                })
                .collect(),
            delivery_ids: evidence
                .deliveries
                .iter()
                .map(|&d| data.deliveries.ids.get(d).to_owned())
                .collect(),
            payment_ids: evidence
                .payments
                .iter()
                .map(|&p| data.payment_ids.get(p).to_owned())
                .collect(),
            notice_ids: evidence
                .notices
                .iter()
                .map(|&n| data.notice_ids.get(n).to_owned())
                .collect(),
            late_fee_for: evidence.late_fee_for.map(|i| data.invoice_id(i).to_owned()),
        },
    }
}

/// Spells out a verdict's ids.
pub fn verdict_record(
    data: &BillingData,
    findings: &[Finding],
    verdict: &DisputeVerdict,
) -> VerdictRecord {
    let dispute = &data.disputes[verdict.dispute];
    let currency = data.invoice(dispute.invoice).currency;
    VerdictRecord {
        kind: "dispute",
        dispute_id: data.dispute_ids.get(verdict.dispute).to_owned(),
        invoice_id: data.invoice_id(dispute.invoice).to_owned(),
        line_no: dispute.line_no,
        verdict: verdict.verdict.as_str(),
        adjustment: currency.format(verdict.adjustment),
        claimed_amount: currency.format(dispute.claimed_amount),
        currency: currency.code(),
        findings: verdict
            .findings
            .iter()
            .map(|&i| VerdictFinding {
                kind: findings[i].kind.as_str(),
                line_no: findings[i].line_no,
                impact: currency.format(findings[i].impact),
            })
            .collect(),
    }
}

/// Counts and money of one kind of finding in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// How many findings.
    pub count: u64,
    /// Sum of positive impacts: charged too much.
    pub overcharged: Decimal,
    /// Sum of negative impacts (as a negative number): charged too little.
    pub undercharged: Decimal,
}

impl Tally {
    /// The net impact.
    pub fn net(&self) -> Decimal {
        self.overcharged + self.undercharged
    }
}

/// Findings counted by kind and currency, in rule order and currency code order.
pub fn summarize(findings: &[Finding]) -> BTreeMap<(FindingKind, &'static str), (Currency, Tally)> {
    let mut summary: BTreeMap<(FindingKind, &'static str), (Currency, Tally)> = BTreeMap::new();
    for finding in findings {
        let (_, tally) = summary
            .entry((finding.kind, finding.currency.code()))
            .or_insert((finding.currency, Tally::default()));
        tally.count += 1;
        if finding.impact > Decimal::ZERO {
            tally.overcharged += finding.impact;
        } else {
            tally.undercharged += finding.impact;
        }
    }
    summary
}
