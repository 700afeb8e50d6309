//! Analytics: what the disputes say about the business's billing, counted by the database
//! (see `redress_storage::analytics`) and put into typed figures here: disputes opened per
//! month, a Pareto of root causes, time to resolution, amounts credited (per currency, never
//! added across currencies), the dispute rate by product, repeat disputers, and how much the
//! audit found before a customer did.

use crate::redress::Redress;
use redress_audit::finding::FindingKind;
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Currency, Date, Decimal, DisputeReason, parse_date};
use redress_storage::StorageError;
use redress_storage::analytics::RawFigures;
use std::collections::BTreeMap;

/// How many disputes in 12 months make a customer a repeat disputer.
pub const REPEAT_DISPUTES: u64 = 3;

/// Every figure of the analytics page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analytics {
    /// Disputes opened per month, oldest first (months with none left out).
    pub opened: Vec<MonthCount>,
    /// Root causes: the audit's findings on disputes by kind, most first.
    pub root_causes: Vec<RootCause>,
    /// Time to resolution per month the disputes were resolved or closed, oldest first.
    pub resolution_times: Vec<ResolutionTime>,
    /// Amounts credited by the dispute's reason, per currency.
    pub credited_by_reason: Vec<Credited<DisputeReason>>,
    /// Amounts credited by the kind of resolution, per currency.
    pub credited_by_kind: Vec<Credited<ResolutionKind>>,
    /// Disputes per invoice line, by SKU, most disputed first.
    pub dispute_rates: Vec<DisputeRate>,
    /// Customers with [`REPEAT_DISPUTES`] or more disputes opened since [`Self::repeat_since`],
    /// most first.
    pub repeat_disputers: Vec<RepeatDisputer>,
    /// The first day of the 12 months repeat disputers are counted over.
    pub repeat_since: Date,
    /// What the audit found beside what customers raised.
    pub audit_first: AuditFirst,
    /// How satisfied customers were with how their disputes were put right.
    pub satisfaction: Satisfaction,
    /// How disputes kept to the service levels promised.
    pub service_levels: ServiceLevelCounts,
}

/// Customers' ratings of how their disputes were put right (the follow-up's 1 to 5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Satisfaction {
    /// How many disputes were rated each score, 1 to 5.
    pub by_score: [u64; 5],
    /// The average score (2 decimals); `None` before any rating.
    pub average: Option<Decimal>,
}

/// How the disputes timed kept to the service levels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceLevelCounts {
    /// Disputes timed (taken since service levels were kept).
    pub timed: u64,
    /// How many breached the acknowledgement, first response and resolution targets.
    pub breached: [u64; 3],
}

/// Disputes opened in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    /// The month's first day.
    pub month: Date,
    /// Disputes opened in it.
    pub disputes: u64,
}

/// One root cause of the Pareto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause {
    /// The kind of billing error.
    pub kind: FindingKind,
    /// Findings of this kind on disputes.
    pub findings: u64,
    /// Disputes with at least one finding of this kind.
    pub disputes: u64,
    /// Percent of all findings that are of this kind or of a kind above it (0–100, 1 decimal).
    pub cumulative_percent: Decimal,
}

/// How long disputes resolved or closed in a month took, from the day opened to the day of
/// the dispute's last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolutionTime {
    /// The month's first day.
    pub month: Date,
    /// Disputes resolved or closed in it.
    pub resolved: u64,
    /// The median of their days (nearest rank).
    pub median_days: i64,
    /// The 90th percentile of their days (nearest rank): 9 in 10 took this long or less.
    pub p90_days: i64,
}

/// An amount credited, in one currency, for one reason or kind (`T`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credited<T> {
    /// The currency: amounts in different currencies are never added together.
    pub currency: Currency,
    /// The dispute's reason or the resolution's kind.
    pub by: T,
    /// Applied resolutions that gave money back or forwent it.
    pub resolutions: u64,
    /// Their amounts added.
    pub amount: Decimal,
}

/// The dispute rate of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRate {
    /// The SKU.
    pub sku: String,
    /// Disputes of a line of this SKU.
    pub disputes: u64,
    /// Invoice lines of this SKU.
    pub lines: u64,
    /// Disputes per 1,000 invoice lines (2 decimals).
    pub per_thousand_lines: Decimal,
}

/// A customer who disputes often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatDisputer {
    /// The customer's id.
    pub customer_id: String,
    /// Their name.
    pub name: String,
    /// Disputes opened in the 12 months.
    pub disputes: u64,
}

/// What the audit found beside what customers raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFirst {
    /// Arrears cases: customers billed too little, found by the audit (a customer never
    /// disputes being undercharged).
    pub arrears_cases: u64,
    /// Systemic issues: one cause behind many findings, found by the audit across customers.
    pub systemic_issues: u64,
    /// Disputes raised by customers.
    pub disputes: u64,
    /// Arrears cases and systemic issues as a percent of them plus the disputes (1 decimal);
    /// `None` when there is none of either.
    pub percent: Option<Decimal>,
}

impl Analytics {
    /// Whether there is no dispute and nothing the audit found: nothing to chart.
    pub fn is_empty(&self) -> bool {
        self.audit_first.disputes == 0
            && self.audit_first.arrears_cases == 0
            && self.audit_first.systemic_issues == 0
    }
}

impl Redress {
    /// The analytics as of `today`: repeat disputers are counted over the 12 months before it.
    /// Every figure is grouped by the database, so this stays quick however many disputes
    /// are stored.
    pub async fn analytics(&self, today: Date) -> Result<Analytics, StorageError> {
        let since = today
            .checked_sub(jiff::Span::new().years(1))
            .unwrap_or(today)
            .tomorrow()
            .unwrap_or(today);
        let raw = self.store.analytics().figures(&since.to_string()).await?;
        let mut analytics = figures(raw, since);
        let by_score = self.store.portal().satisfaction_by_score().await?;
        let answers: u64 = by_score.iter().sum();
        let total: u64 = by_score
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64 + 1) * n)
            .sum();
        analytics.satisfaction = Satisfaction {
            by_score,
            average: (answers > 0).then(|| {
                (Decimal::from(total) / Decimal::from(answers))
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            }),
        };
        let (timed, breached) = self.store.disputes().service_level_counts().await?;
        analytics.service_levels = ServiceLevelCounts { timed, breached };
        Ok(analytics)
    }
}

fn month(text: &str) -> Option<Date> {
    parse_date(&format!("{text}-01")).ok()
}

/// `part / whole × 100`, to 1 decimal.
fn percent(part: u64, whole: u64) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The value at `rank` (1-based) of days counted `(days, how many)`, in order.
fn at_rank(days: &[(i64, u64)], rank: u64) -> i64 {
    let mut seen = 0;
    for &(d, n) in days {
        seen += n;
        if seen >= rank {
            return d;
        }
    }
    days.last().map_or(0, |&(d, _)| d)
}

fn figures(raw: RawFigures, repeat_since: Date) -> Analytics {
    let opened = raw
        .opened_per_month
        .iter()
        .filter_map(|(m, n)| {
            Some(MonthCount {
                month: month(m)?,
                disputes: *n,
            })
        })
        .collect();

    let all_findings: u64 = raw.findings_per_kind.iter().map(|(_, n, _)| n).sum();
    let mut running = 0;
    let root_causes = raw
        .findings_per_kind
        .iter()
        .filter_map(|(kind, findings, disputes)| {
            let kind = FindingKind::from_name(kind)?;
            running += findings;
            Some(RootCause {
                kind,
                findings: *findings,
                disputes: *disputes,
                cumulative_percent: percent(running, all_findings),
            })
        })
        .collect();

    let mut by_month: BTreeMap<Date, Vec<(i64, u64)>> = BTreeMap::new();
    for (m, days, n) in &raw.resolution_days {
        if let Some(m) = month(m) {
            by_month.entry(m).or_default().push((*days, *n));
        }
    }
    let resolution_times = by_month
        .into_iter()
        .map(|(month, mut days)| {
            days.sort_unstable();
            let resolved: u64 = days.iter().map(|(_, n)| n).sum();
            ResolutionTime {
                month,
                resolved,
                median_days: at_rank(&days, resolved.div_ceil(2)),
                p90_days: at_rank(&days, (resolved * 9).div_ceil(10)),
            }
        })
        .collect();

    let mut by_reason: BTreeMap<(&'static str, &'static str), Credited<DisputeReason>> =
        BTreeMap::new();
    let mut by_kind: BTreeMap<(&'static str, &'static str), Credited<ResolutionKind>> =
        BTreeMap::new();
    for (reason, kind, currency, amount, n) in &raw.credits {
        let (Some(reason), Some(kind), Ok(currency), Ok(amount)) = (
            DisputeReason::from_name(reason),
            ResolutionKind::from_name(kind),
            Currency::from_code(currency),
            redress_domain::parse_decimal(amount),
        ) else {
            continue;
        };
        let total = amount * Decimal::from(*n);
        let entry = by_reason
            .entry((currency.code(), reason.as_str()))
            .or_insert(Credited {
                currency,
                by: reason,
                resolutions: 0,
                amount: Decimal::ZERO,
            });
        entry.resolutions += n;
        entry.amount += total;
        let entry = by_kind
            .entry((currency.code(), kind.as_str()))
            .or_insert(Credited {
                currency,
                by: kind,
                resolutions: 0,
                amount: Decimal::ZERO,
            });
        entry.resolutions += n;
        entry.amount += total;
    }

    let mut dispute_rates: Vec<DisputeRate> = raw
        .per_sku
        .into_iter()
        .map(|(sku, disputes, lines)| DisputeRate {
            per_thousand_lines: if lines == 0 {
                Decimal::ZERO
            } else {
                (Decimal::from(disputes) * Decimal::from(1000) / Decimal::from(lines))
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            },
            sku,
            disputes,
            lines,
        })
        .collect();
    dispute_rates.sort_by(|a, b| {
        b.per_thousand_lines
            .cmp(&a.per_thousand_lines)
            .then(b.disputes.cmp(&a.disputes))
            .then(a.sku.cmp(&b.sku))
    });

    let repeat_disputers = raw
        .repeat_disputers
        .into_iter()
        .map(|(customer_id, name, disputes)| RepeatDisputer {
            customer_id,
            name,
            disputes,
        })
        .collect();

    let found = raw.arrears_cases + raw.systemic_issues;
    let audit_first = AuditFirst {
        arrears_cases: raw.arrears_cases,
        systemic_issues: raw.systemic_issues,
        disputes: raw.disputes,
        percent: (found + raw.disputes > 0).then(|| percent(found, found + raw.disputes)),
    };

    Analytics {
        opened,
        root_causes,
        resolution_times,
        credited_by_reason: by_reason.into_values().collect(),
        credited_by_kind: by_kind.into_values().collect(),
        dispute_rates,
        repeat_disputers,
        repeat_since,
        audit_first,
        satisfaction: Satisfaction::default(),
        service_levels: ServiceLevelCounts::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_by_nearest_rank() {
        let days = [(1, 5), (4, 4), (30, 1)];
        assert_eq!(at_rank(&days, 5), 1);
        assert_eq!(at_rank(&days, 9), 4);
        assert_eq!(at_rank(&days, 10), 30);
    }

    #[test]
    fn credits_are_added_per_currency_never_across() {
        let raw = RawFigures {
            credits: vec![
                (
                    "overcharged".into(),
                    "credit_note".into(),
                    "USD".into(),
                    "10.50".into(),
                    2,
                ),
                (
                    "overcharged".into(),
                    "refund".into(),
                    "USD".into(),
                    "1.00".into(),
                    1,
                ),
                (
                    "overcharged".into(),
                    "credit_note".into(),
                    "EUR".into(),
                    "5.00".into(),
                    1,
                ),
            ],
            ..Default::default()
        };
        let today = parse_date("2026-11-05").unwrap();
        let a = figures(raw, today);
        let usd: Vec<_> = a
            .credited_by_reason
            .iter()
            .filter(|c| c.currency.code() == "USD")
            .collect();
        assert_eq!(usd.len(), 1);
        assert_eq!(usd[0].amount, Decimal::new(2200, 2));
        assert_eq!(usd[0].resolutions, 3);
        assert_eq!(a.credited_by_reason.len(), 2);
        assert_eq!(a.credited_by_kind.len(), 3);
    }
}
