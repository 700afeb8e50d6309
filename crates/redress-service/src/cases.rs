//! Errors the business finds before its customers do: an audit of the stored billing data,
//! contract by contract, turned into an arrears case for each customer who was under-billed
//! and a systemic issue for each cause behind findings at several customers.

use redress_audit::report::{FindingRecord, finding_record};
use redress_domain::{Currency, Decimal, parse_decimal};
use redress_storage::cases::{ArrearsCase, ArrearsItem, NewArrearsCase, SystemicIssue};
use redress_storage::{StorageError, Store, Work};
use sha2::Digest;
use std::collections::BTreeMap;

/// From this many customers sharing a cause, the findings are a systemic issue.
pub const SYSTEMIC_FROM_CUSTOMERS: usize = 2;

/// What an audit of the stored data opened.
#[derive(Debug, Clone)]
pub struct CasesFound {
    /// Contracts audited.
    pub contracts: usize,
    /// Findings of the audit.
    pub findings: usize,
    /// Arrears cases opened now.
    pub opened: Vec<ArrearsCase>,
    /// Arrears cases of the same findings that were open already.
    pub already_open: u64,
    /// Systemic issues, as they now stand.
    pub systemic_issues: Vec<SystemicIssue>,
}

/// The findings of one cause, and their impact on each customer.
struct CauseTally {
    kind: String,
    cause: String,
    findings: u64,
    by_customer: BTreeMap<(String, &'static str), Decimal>,
}

/// Kinds whose negative impact is money the customer owes on a line (tax is charged on it;
/// a tax or total mismatch is the invoice's arithmetic, left to a correction).
fn owed_on_a_line(kind: &str) -> bool {
    matches!(
        kind,
        "price_mismatch"
            | "discount_missing"
            | "line_arithmetic"
            | "unbilled_delivery"
            | "unknown_charge"
    )
}

/// The cause a finding shares with others: the same price set-up of a SKU, the same tax
/// rate, the same kind of late fee; and the words for it.
fn cause(record: &FindingRecord, tax_rate: Decimal) -> (String, String) {
    match (record.kind, record.sku.as_deref()) {
        ("tax_mismatch", _) => (
            format!("tax_mismatch rate {tax_rate}"),
            format!("tax miscomputed on invoices of contracts taxed at {tax_rate} %"),
        ),
        (kind, Some(sku)) => (
            format!("{kind} sku {sku}"),
            format!("{} on {sku}", kind.replace('_', " ")),
        ),
        (kind, None) => (kind.to_owned(), kind.replace('_', " ")),
    }
}

/// Audits every stored contract and opens what it finds: an arrears case per customer and
/// currency under-billed (once per set of findings: running it again opens nothing new), and
/// the systemic issues. `actor` is recorded as who ran it.
pub async fn find_cases(store: &Store, actor: &str) -> Result<CasesFound, StorageError> {
    store.perform(prepare_find_cases(store, actor).await?).await
}

/// The audit of every stored contract, done, and what it found ready to be recorded (see
/// [`find_cases`]).
pub async fn prepare_find_cases(
    store: &Store,
    actor: &str,
) -> Result<Work<CasesFound, StorageError>, StorageError> {
    // Per contract: its findings with its customer's tax rate.
    let audited = store
        .map_contracts(|data| {
            let audit = redress_audit::audit(&data);
            audit
                .findings
                .iter()
                .map(|f| {
                    let rate = data.contract(f.contract).tax_rate_percent;
                    (finding_record(&data, f), rate)
                })
                .collect::<Vec<_>>()
        })
        .await?;
    let contracts = audited.len();
    let records: Vec<(FindingRecord, Decimal)> = audited.into_iter().flatten().collect();
    let mut cases: BTreeMap<(String, &'static str), NewArrearsCase> = BTreeMap::new();
    let mut causes: BTreeMap<String, CauseTally> = BTreeMap::new();
    for (record, rate) in &records {
        let impact = parse_decimal(&record.impact).unwrap_or_default();
        if impact < Decimal::ZERO && owed_on_a_line(record.kind) {
            let case = cases
                .entry((record.customer_id.clone(), record.currency))
                .or_insert_with(|| NewArrearsCase {
                    customer_id: record.customer_id.clone(),
                    currency: record.currency.to_owned(),
                    items: Vec::new(),
                    fingerprint: String::new(),
                });
            let place = match (&record.invoice_id, record.line_no) {
                (Some(invoice), Some(line)) => format!("{invoice} line {line}"),
                (Some(invoice), None) => invoice.clone(),
                (None, _) => format!(
                    "{} delivered from {}, never billed",
                    record.sku.as_deref().unwrap_or("?"),
                    record.period_start.as_deref().unwrap_or("?")
                ),
            };
            let currency = Currency::from_code(record.currency)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            case.items.push(ArrearsItem {
                invoice_id: record.invoice_id.clone(),
                explanation: format!("{place}: {}", record.evidence.explanation),
                net: currency.format(-impact),
                tax_rate_percent: Some(rate.normalize().to_string()),
            });
            case.fingerprint.push_str(&format!(
                "{}|{}|{}|{};",
                record.kind,
                place,
                record.period_start.as_deref().unwrap_or(""),
                record.impact
            ));
        }
        let (key, words) = cause(record, *rate);
        let tally = causes.entry(key).or_insert_with(|| CauseTally {
            kind: record.kind.to_owned(),
            cause: words,
            findings: 0,
            by_customer: BTreeMap::new(),
        });
        tally.findings += 1;
        *tally
            .by_customer
            .entry((record.customer_id.clone(), record.currency))
            .or_default() += impact;
    }
    let issues: Vec<SystemicIssue> = causes
        .into_iter()
        .filter(|(_, tally)| {
            let distinct: std::collections::BTreeSet<&String> =
                tally.by_customer.keys().map(|(c, _)| c).collect();
            distinct.len() >= SYSTEMIC_FROM_CUSTOMERS
        })
        .map(|(key, tally)| {
            let CauseTally {
                kind,
                cause,
                findings: count,
                by_customer: customers,
            } = tally;
            let mut totals: BTreeMap<&'static str, Decimal> = BTreeMap::new();
            for ((_, code), impact) in &customers {
                *totals.entry(code).or_default() += *impact;
            }
            let format = |code: &str, value: Decimal| {
                Currency::from_code(code).map_or_else(|_| value.to_string(), |c| c.format(value))
            };
            SystemicIssue {
                key,
                kind,
                cause,
                finding_count: count,
                customers: customers
                    .iter()
                    .map(|((customer, code), impact)| {
                        (customer.clone(), (*code).to_owned(), format(code, *impact))
                    })
                    .collect(),
                impact: totals
                    .into_iter()
                    .map(|(code, value)| (code.to_owned(), format(code, value)))
                    .collect(),
                first_found_at: String::new(),
                last_found_at: String::new(),
            }
        })
        .collect();
    let cases: Vec<NewArrearsCase> = cases
        .into_values()
        .map(|mut case| {
            // The same findings give the same fingerprint, however long the list.
            case.fingerprint = format!(
                "{}|{}|{}",
                case.customer_id,
                case.currency,
                sha2::Sha256::digest(case.fingerprint.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            case
        })
        .collect();
    let findings = records.len();
    Ok(
        redress_storage::cases::record_findings(cases, issues, actor).map(move |recorded| {
            CasesFound {
                contracts,
                findings,
                opened: recorded.opened,
                already_open: recorded.already_open,
                systemic_issues: recorded.systemic_issues,
            }
        }),
    )
}
