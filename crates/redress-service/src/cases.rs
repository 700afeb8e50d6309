//! Errors the business finds before its customers do: an audit of the stored billing data,
//! contract by contract, turned into an arrears case for each customer who was under-billed
//! and a systemic issue for each cause behind findings at several customers.

use crate::error::ServiceError;
use crate::redress::{Actor, as_writer, may_write};
use redress_audit::report::{FindingRecord, finding_record};
use redress_audit::{Finding, FindingKind};
use redress_domain::{BillingData, Date, Decimal, LineKind, Money, Period};
use redress_storage::books::cases::{
    ArrearsCase, ArrearsChoice, ArrearsItem, CustomerImpact, NewArrearsCase, NewSystemicIssue,
    SystemicIssue,
};
use redress_storage::books::causes::{AuditedContract, AuditedFinding, FollowUp};
use redress_storage::{StorageError, Store, Work};
use sha2::Digest;
use std::collections::{BTreeMap, HashMap};

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
    kind: FindingKind,
    cause: String,
    findings: u64,
    by_customer: BTreeMap<(String, &'static str), Money>,
    /// The last day of its findings' periods.
    through: Option<Date>,
}

/// The periods of one contract's billing data that findings are placed in: each charge line's,
/// and each invoice's (its charge lines' first to last day, else its issue day).
struct Periods {
    lines: HashMap<(usize, u32), Period>,
    invoices: Vec<Option<Period>>,
}

impl Periods {
    fn of(data: &BillingData) -> Self {
        let mut lines = HashMap::new();
        let mut spans: Vec<Option<(Date, Date)>> = vec![None; data.invoices.len()];
        for line in &data.lines {
            if let LineKind::Charge { period, .. } = line.kind {
                lines.insert((line.invoice.index(), line.line_no), period);
                let span = &mut spans[line.invoice.index()];
                *span = Some(match *span {
                    Some((start, end)) => (start.min(period.start()), end.max(period.end())),
                    None => (period.start(), period.end()),
                });
            }
        }
        let invoices = spans
            .into_iter()
            .zip(&data.invoices)
            .map(|(span, invoice)| {
                let (start, end) = span.unwrap_or((invoice.issue_date, invoice.issue_date));
                // Never `None`: a span is made of periods that each end after they start.
                Period::new(start, end).ok()
            })
            .collect();
        Self { lines, invoices }
    }

    /// The period `finding` is for: its line's, else its invoice's; for deliveries never
    /// billed, the first day of their billing period.
    fn of_finding(&self, finding: &Finding) -> Option<Period> {
        match (finding.invoice, finding.line_no) {
            (Some(invoice), line) => line
                .and_then(|n| self.lines.get(&(invoice.index(), n)).copied())
                .or_else(|| self.invoices.get(invoice.index()).copied().flatten()),
            (None, _) => finding
                .period_start
                .and_then(|day| Period::new(day, day).ok()),
        }
    }
}

/// What the audit of one contract's data gives: its findings (each with its contract's tax
/// rate and its period), and the last day of each contract's invoices it checked.
type Audited = (
    Vec<(FindingRecord, Decimal, Option<Period>)>,
    Vec<(String, String, Date)>,
);

/// Kinds whose negative impact is money the customer owes on a line (tax is charged on it;
/// a tax or total mismatch is the invoice's arithmetic, left to a correction).
fn owed_on_a_line(kind: FindingKind) -> bool {
    matches!(
        kind,
        FindingKind::PriceMismatch
            | FindingKind::DiscountMissing
            | FindingKind::LineArithmetic
            | FindingKind::UnbilledDelivery
            | FindingKind::UnknownCharge
    )
}

/// The cause a finding shares with others: the same price set-up of a SKU, the same tax
/// rate, the same kind of late fee; and the words for it.
fn cause(record: &FindingRecord, tax_rate: Decimal) -> (String, String) {
    match (record.kind.as_str(), record.sku.as_deref()) {
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
    // Per contract: its findings with its customer's tax rate and their periods, and how far
    // its invoices were checked.
    let audited: Vec<Audited> = store
        .billing()
        .map_contracts(|data| {
            let audit = redress_audit::audit(&data);
            let periods = Periods::of(&data);
            let findings = audit
                .findings
                .iter()
                .map(|f| {
                    let rate = data.contract(f.contract).tax_rate_percent;
                    (finding_record(&data, f), rate, periods.of_finding(f))
                })
                .collect::<Vec<_>>();
            // A contract's data holds the invoices of other contracts its late fees are for:
            // each contract's own are counted where they are all held (the largest day wins).
            let mut checked: BTreeMap<usize, Date> = BTreeMap::new();
            for (invoice, period) in data.invoices.iter().zip(&periods.invoices) {
                let Some(period) = period else { continue };
                let through = checked
                    .entry(invoice.contract.index())
                    .or_insert(period.end());
                *through = (*through).max(period.end());
            }
            let checked = checked
                .into_iter()
                .map(|(c, through)| {
                    let contract = &data.contracts[c];
                    (
                        data.contract_ids.name(c as u32).to_owned(),
                        data.customer_ids.name(contract.customer.0).to_owned(),
                        through,
                    )
                })
                .collect();
            (findings, checked)
        })
        .await?;
    let contracts = audited.len();
    let mut checked: BTreeMap<String, AuditedContract> = BTreeMap::new();
    let mut records: Vec<(FindingRecord, Decimal, Option<Period>)> = Vec::new();
    for (findings, held) in audited {
        records.extend(findings);
        for (contract_id, customer_id, through) in held {
            let entry = checked
                .entry(contract_id.clone())
                .or_insert(AuditedContract {
                    contract_id,
                    customer_id,
                    checked_through: through,
                });
            entry.checked_through = entry.checked_through.max(through);
        }
    }
    let mut kept: Vec<AuditedFinding> = Vec::with_capacity(records.len());
    let mut cases: BTreeMap<(String, &'static str), NewArrearsCase> = BTreeMap::new();
    let mut causes: BTreeMap<String, CauseTally> = BTreeMap::new();
    for (record, rate, period) in &records {
        let impact = record.impact;
        if impact < Decimal::ZERO && owed_on_a_line(record.kind) {
            let case = cases
                .entry((record.customer_id.clone(), record.currency.code()))
                .or_insert_with(|| NewArrearsCase {
                    customer_id: record.customer_id.clone(),
                    currency: record.currency,
                    items: Vec::new(),
                    fingerprint: String::new(),
                });
            let place = match (&record.invoice_id, record.line_no) {
                (Some(invoice), Some(line)) => format!("{invoice} line {line}"),
                (Some(invoice), None) => invoice.clone(),
                (None, _) => format!(
                    "{} delivered from {}, never billed",
                    record.sku.as_deref().unwrap_or("?"),
                    record
                        .period_start
                        .map_or_else(|| "?".to_owned(), |day| day.to_string())
                ),
            };
            let currency = record.currency;
            case.items.push(ArrearsItem {
                invoice_id: record.invoice_id.clone(),
                explanation: format!("{place}: {}", record.evidence.explanation),
                net: currency.shown(-impact),
                tax_rate_percent: Some(rate.normalize()),
                kind: Some(record.kind),
                period: *period,
            });
            case.fingerprint.push_str(&format!(
                "{}|{}|{}|{};",
                record.kind.as_str(),
                place,
                record
                    .period_start
                    .map_or_else(String::new, |day| day.to_string()),
                record.impact
            ));
        }
        let (key, words) = cause(record, *rate);
        kept.push(AuditedFinding {
            customer_id: record.customer_id.clone(),
            contract_id: record.contract_id.clone(),
            currency: record.currency,
            kind: record.kind,
            cause_key: key.clone(),
            invoice_id: record.invoice_id.clone(),
            line_no: record.line_no,
            period: *period,
            impact,
        });
        let tally = causes.entry(key).or_insert_with(|| CauseTally {
            kind: record.kind,
            cause: words,
            findings: 0,
            by_customer: BTreeMap::new(),
            through: None,
        });
        tally.findings += 1;
        if let Some(period) = period {
            tally.through = Some(tally.through.map_or(period.end(), |d| d.max(period.end())));
        }
        tally
            .by_customer
            .entry((record.customer_id.clone(), record.currency.code()))
            .or_insert(Money {
                amount: Decimal::ZERO,
                currency: record.currency,
            })
            .amount += impact;
    }
    let issues: Vec<NewSystemicIssue> = causes
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
                through,
            } = tally;
            let mut totals: BTreeMap<&'static str, Money> = BTreeMap::new();
            for ((_, code), impact) in &customers {
                totals
                    .entry(code)
                    .or_insert(Money {
                        amount: Decimal::ZERO,
                        currency: impact.currency,
                    })
                    .amount += impact.amount;
            }
            NewSystemicIssue {
                key,
                kind,
                cause,
                finding_count: count,
                customers: customers
                    .into_iter()
                    .map(|((customer_id, _), impact)| CustomerImpact {
                        customer_id,
                        impact,
                    })
                    .collect(),
                impact: totals.into_values().collect(),
                found_through: through,
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
                case.currency.code(),
                sha2::Sha256::digest(case.fingerprint.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            case
        })
        .collect();
    let findings = records.len();
    let actor = actor.to_owned();
    // The findings kept for following causes are replaced in the same transaction that records
    // the cases and issues they follow.
    let latest =
        redress_storage::books::causes::record_latest_audit(kept, checked.into_values().collect());
    Ok(latest.then(move |()| {
        redress_storage::books::cases::record_findings(cases, issues, &actor).map(move |recorded| {
            CasesFound {
                contracts,
                findings,
                opened: recorded.opened,
                already_open: recorded.already_open,
                systemic_issues: recorded.systemic_issues,
            }
        })
    }))
}

/// Errors the business finds itself: arrears cases and systemic issues.
pub struct Cases<'a>(pub(crate) &'a crate::Redress);

impl crate::Redress {
    /// Arrears cases and systemic issues.
    pub fn cases(&self) -> Cases<'_> {
        Cases(self)
    }
}

impl Cases<'_> {
    /// The audit of every stored contract, done for `actor`, and what it found ready to be
    /// recorded.
    pub async fn prepare_find(
        &self,
        actor: &Actor,
    ) -> Result<Work<CasesFound, ServiceError>, ServiceError> {
        may_write(actor)?;
        let work = prepare_find_cases(&self.0.store, &actor.id).await?;
        Ok(as_writer(actor, work))
    }

    /// Records that the customer was contacted and offered the options.
    pub fn offer(&self, actor: &Actor, id: &str, note: String) -> Work<ArrearsCase, ServiceError> {
        as_writer(
            actor,
            redress_storage::books::cases::offer(id, note, &actor.id),
        )
    }

    /// Records the option the customer chose, and carries it out.
    pub fn choose(
        &self,
        actor: &Actor,
        id: &str,
        choice: ArrearsChoice,
    ) -> Work<ArrearsCase, ServiceError> {
        as_writer(
            actor,
            redress_storage::books::cases::choose(id, choice, &actor.id),
        )
    }

    /// Approves or refuses what the customer asked to have forgone (a waiver, or a
    /// compromise whose rest is then billed), as `actor`: in its transaction, only an approver
    /// or admin who did not record the customer's choice.
    pub fn decide_forgone(
        &self,
        actor: &Actor,
        id: &str,
        approve: bool,
    ) -> Work<ArrearsCase, ServiceError> {
        let (policy, approver, role) = (self.0.policy.clone(), actor.id.clone(), actor.role);
        let authorize = Box::new(move |case: &ArrearsCase| {
            policy.may_decide(
                case.chosen_by.as_deref().unwrap_or_default(),
                &approver,
                role,
            )
        });
        as_writer(
            actor,
            redress_storage::books::cases::decide_forgone_as(id, approve, &actor.id, authorize),
        )
    }

    /// The arrears case with this id.
    pub async fn get(&self, id: &str) -> Result<Option<ArrearsCase>, StorageError> {
        self.0.store.cases().get(id).await
    }

    /// The arrears cases, oldest first; only those in `status` when given.
    pub async fn list(
        &self,
        status: Option<redress_domain::arrears::ArrearsStatus>,
    ) -> Result<Vec<ArrearsCase>, StorageError> {
        self.0.store.cases().list(status).await
    }

    /// The systemic issues, most customers first.
    pub async fn systemic_issues(&self) -> Result<Vec<SystemicIssue>, StorageError> {
        self.0.store.cases().systemic_issues().await
    }

    /// Whether invoices after `case`'s latest item still carry the error its items rest on:
    /// still wrong (the first few listed), corrected (so many checked since, none carries it),
    /// or no invoice since yet; as the latest audit recorded found them.
    pub async fn follow_up(&self, case: &ArrearsCase) -> Result<FollowUp, StorageError> {
        self.0.store.cases().follow_up(case).await
    }

    /// For each systemic issue, by its key: whether invoices of the customers it affects, after
    /// its findings as first found, still carry its cause.
    pub async fn follow_up_issues(&self) -> Result<BTreeMap<String, FollowUp>, StorageError> {
        Ok(self
            .0
            .store
            .cases()
            .follow_up_issues()
            .await?
            .into_iter()
            .collect())
    }
}

impl Cases<'_> {
    /// Audits every stored contract and records what it found, for the operator of the machine
    /// Redress runs on (`redress audit --into-cases`): someone with the database in hand, not a
    /// user; `operator` says who, for the audit log.
    pub async fn find_as_operator(&self, operator: &str) -> Result<CasesFound, StorageError> {
        find_cases(&self.0.store, operator).await
    }
}
