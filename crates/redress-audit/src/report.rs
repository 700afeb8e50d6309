//! An audit put in words and ids a person (or another program) can read: findings and verdicts
//! as JSON-ready records, and a summary by kind and currency.

use crate::finding::{Finding, FindingKind};
use crate::verdict::DisputeVerdict;
use redress_domain::{BillingData, Currency, Date, Decimal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A finding with its ids spelled out, as written to JSON and kept with a dispute's
/// verification. Amounts are exact decimals with their currency's decimals, written as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// The finding's kind, e.g. `price_mismatch`.
    #[serde(with = "text::kind")]
    pub kind: FindingKind,
    /// Signed impact, net of tax, with the currency's decimals.
    #[serde(with = "text::decimal")]
    pub impact: Decimal,
    /// Its currency, written as its ISO 4217 code.
    #[serde(with = "text::currency")]
    pub currency: Currency,
    /// The contract.
    pub contract_id: String,
    /// The customer of the contract.
    pub customer_id: String,
    /// The invoice, when the finding sits on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// The line, when the finding sits on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_no: Option<u32>,
    /// The SKU, for charges and deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The billing period's first day, for quantity findings.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "text::opt_date"
    )]
    pub period_start: Option<Date>,
    /// What it rests on.
    pub evidence: EvidenceRecord,
}

/// The findings a dispute's verification rests on, as the audit wrote them: a JSON list of
/// [`FindingRecord`]s. A list page writes them out as they are (reading every amount and day
/// back and writing it again cost a fifth of the list's throughput); [`Findings::records`]
/// reads them into records where a page looks inside. Made only from records, or from text
/// that is a JSON list ([`Findings::from_json`]).
#[derive(Debug, Clone)]
pub struct Findings(Box<serde_json::value::RawValue>);

/// Text that is not a JSON list, where findings were expected.
#[derive(Debug, thiserror::Error)]
#[error("not a JSON list of findings: {0}")]
pub struct NotFindings(String);

impl Findings {
    /// The findings of `records`.
    pub fn of(records: &[FindingRecord]) -> Self {
        Self(serde_json::value::to_raw_value(records).expect("findings are plain data"))
    }

    /// Findings as stored: `text` must be a JSON list (each item is read when
    /// [`Self::records`] is asked).
    pub fn from_json(text: String) -> Result<Self, NotFindings> {
        if !text.trim_start().starts_with('[') {
            return Err(NotFindings("it does not start with `[`".to_owned()));
        }
        serde_json::value::RawValue::from_string(text)
            .map(Self)
            .map_err(|e| NotFindings(e.to_string()))
    }

    /// The findings, each read into its record: an error if one is not a finding.
    pub fn records(&self) -> Result<Vec<FindingRecord>, NotFindings> {
        serde_json::from_str(self.0.get()).map_err(|e| NotFindings(e.to_string()))
    }

    /// Their JSON, as the audit wrote it.
    pub fn as_json(&self) -> &str {
        self.0.get()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.get().trim() == "[]"
    }
}

impl PartialEq for Findings {
    fn eq(&self, other: &Self) -> bool {
        self.as_json() == other.as_json()
    }
}

impl Eq for Findings {}

impl Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Evidence with ids spelled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// The reason in plain words.
    pub explanation: String,
    /// The amount billed, with the currency's decimals.
    #[serde(with = "text::decimal")]
    pub billed: Decimal,
    /// What should have been billed, with the currency's decimals.
    #[serde(with = "text::decimal")]
    pub expected: Decimal,
    /// Units billed and delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantities: Option<QuantitiesRecord>,
    /// The contract price row applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_row: Option<PriceRowRecord>,
    /// Other invoice lines it rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineRef>,
    /// Delivery records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivery_ids: Vec<String>,
    /// Payments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_ids: Vec<String>,
    /// Notices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notice_ids: Vec<String>,
    /// The invoice a late fee is charged for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_fee_for: Option<String>,
}

/// Units billed and delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuantitiesRecord {
    /// Units on the invoice lines.
    #[serde(with = "text::decimal")]
    pub billed: Decimal,
    /// Units in the delivery records.
    #[serde(with = "text::decimal")]
    pub delivered: Decimal,
}

/// A contract price row, known by contract, SKU and valid_from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRowRecord {
    /// Its contract.
    pub contract_id: String,
    /// Its SKU.
    pub sku: String,
    /// Unit price.
    #[serde(with = "text::decimal")]
    pub unit_price: Decimal,
    /// Discount, in percent.
    #[serde(with = "text::decimal")]
    pub discount_percent: Decimal,
    /// First valid day.
    #[serde(with = "text::date")]
    pub valid_from: Date,
    /// Last valid day, if closed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "text::opt_date"
    )]
    pub valid_to: Option<Date>,
}

/// An invoice line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        kind: finding.kind,
        impact: currency.shown(finding.impact),
        currency,
        contract_id: data.contract_id(finding.contract).to_owned(),
        customer_id: data.customer_ids.name(contract.customer.0).to_owned(),
        invoice_id: finding.invoice.map(|i| data.invoice_id(i).to_owned()),
        line_no: finding.line_no,
        sku: finding.sku.map(|s| data.sku(s).to_owned()),
        period_start: finding.period_start,
        evidence: EvidenceRecord {
            explanation: evidence.explanation.clone(),
            billed: currency.shown(evidence.billed),
            expected: currency.shown(evidence.expected),
            quantities: evidence.quantities.map(|q| QuantitiesRecord {
                billed: q.billed.normalize(),
                delivered: q.delivered.normalize(),
            }),
            price_row: evidence.price_row.map(|p| {
                let row = &data.prices[p];
                PriceRowRecord {
                    contract_id: data.contract_id(row.contract).to_owned(),
                    sku: data.sku(row.sku).to_owned(),
                    unit_price: row.unit_price,
                    discount_percent: row.discount_percent,
                    valid_from: row.valid_from,
                    valid_to: row.valid_to,
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

/// How the records' typed values are written as text and read back (without a copy of the
/// text: a list page reads thousands of them).
mod text {
    use serde::Deserializer;
    use std::fmt;
    use std::marker::PhantomData;

    /// Reads a string with `parse`, which says what it expected when it refuses.
    fn parsed<'de, D: Deserializer<'de>, T>(
        d: D,
        parse: fn(&str) -> Result<T, String>,
    ) -> Result<T, D::Error> {
        struct Text<T>(fn(&str) -> Result<T, String>, PhantomData<T>);
        impl<T> serde::de::Visitor<'_> for Text<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
                (self.0)(text).map_err(E::custom)
            }
        }
        d.deserialize_str(Text(parse, PhantomData))
    }

    /// Exact decimals, written as they are (`12.50`).
    pub mod decimal {
        use redress_domain::{Decimal, parse_decimal};
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(value)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
            super::parsed(d, |t| parse_decimal(t).map_err(|e| e.to_string()))
        }
    }

    /// ISO 4217 codes.
    pub mod currency {
        use redress_domain::Currency;
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(value: &Currency, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(value.code())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
            super::parsed(d, |t| Currency::from_code(t).map_err(|e| e.to_string()))
        }
    }

    /// Finding kinds by name (`price_mismatch`).
    pub mod kind {
        use crate::finding::FindingKind;
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(value: &FindingKind, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(value.as_str())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FindingKind, D::Error> {
            super::parsed(d, |t| {
                FindingKind::from_name(t).ok_or_else(|| format!("no finding kind `{t}`"))
            })
        }
    }

    /// Days (`YYYY-MM-DD`).
    pub mod date {
        use redress_domain::{Date, parse_date};
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(value: &Date, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(value)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
            super::parsed(d, |t| parse_date(t).map_err(|e| e.to_string()))
        }
    }

    /// Days that may be absent.
    pub mod opt_date {
        use redress_domain::Date;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(value: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match value {
                Some(day) => super::date::serialize(day, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            #[derive(Deserialize)]
            struct Day(#[serde(with = "super::date")] Date);
            Ok(Option::<Day>::deserialize(d)?.map(|Day(day)| day))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> FindingRecord {
        FindingRecord {
            kind: FindingKind::PriceMismatch,
            impact: "-18.00".parse().unwrap(),
            currency: Currency::from_code("USD").unwrap(),
            contract_id: "K-1".to_owned(),
            customer_id: "C-1".to_owned(),
            invoice_id: Some("INV-1".to_owned()),
            line_no: Some(1),
            sku: Some("HOST".to_owned()),
            period_start: Some("2025-04-01".parse().unwrap()),
            evidence: EvidenceRecord {
                explanation: "billed at 100.00 a unit".to_owned(),
                billed: "90.00".parse().unwrap(),
                expected: "108.00".parse().unwrap(),
                quantities: None,
                price_row: Some(PriceRowRecord {
                    contract_id: "K-1".to_owned(),
                    sku: "HOST".to_owned(),
                    unit_price: "120.00".parse().unwrap(),
                    discount_percent: "10".parse().unwrap(),
                    valid_from: "2025-04-01".parse().unwrap(),
                    valid_to: None,
                }),
                lines: Vec::new(),
                delivery_ids: Vec::new(),
                payment_ids: vec!["P-1".to_owned()],
                notice_ids: Vec::new(),
                late_fee_for: None,
            },
        }
    }

    #[test]
    fn findings_kept_as_json_read_back_as_the_same_records() {
        let findings = Findings::of(&[record()]);
        assert!(findings.as_json().contains(r#""impact":"-18.00""#));
        let again = Findings::from_json(findings.as_json().to_owned()).unwrap();
        assert_eq!(again, findings);
        assert_eq!(again.records().unwrap(), [record()]);
    }

    #[test]
    fn text_that_is_not_a_list_of_findings_is_refused_not_read_as_none() {
        assert!(Findings::from_json("{}".to_owned()).is_err());
        assert!(Findings::from_json("[{\"kind\":".to_owned()).is_err());
        let not_a_finding = Findings::from_json(r#"[{"kind":"made_up"}]"#.to_owned()).unwrap();
        assert!(not_a_finding.records().is_err());
        assert!(Findings::of(&[]).is_empty());
    }
}
