//! R7: units billed against units delivered, and deliveries no invoice billed.

use super::lines::valid_price;
use super::{ChargeLine, net_value};
use crate::finding::{Evidence, Finding, FindingKind, Quantities};
use redress_domain::{BillingData, ContractIdx, Date, Decimal, Period, SkuIdx};
use rustc_hash::FxHashMap;

/// R7 over one contract. `all_lines` are its charge lines in issue order, `clean` those of them
/// with no finding from R1–R6 (same order), `deliveries` its delivery records.
pub(crate) fn check_quantities(
    data: &BillingData,
    contract: ContractIdx,
    all_lines: &[ChargeLine<'_>],
    clean: &[ChargeLine<'_>],
    deliveries: &[u32],
    prices: &[u32],
) -> Vec<Finding> {
    let records = &data.deliveries.records;
    let mut by_day: Vec<(SkuIdx, Date, u32)> = deliveries
        .iter()
        .map(|&d| (records[d as usize].sku, records[d as usize].delivered_on, d))
        .collect();
    by_day.sort_unstable();
    let mut findings = billed_against_delivered(data, contract, clean, &by_day);
    findings.extend(never_billed(data, contract, all_lines, &by_day, prices));
    findings
}

/// Groups of clean lines with the same SKU and period whose units differ from those delivered.
fn billed_against_delivered(
    data: &BillingData,
    contract: ContractIdx,
    clean: &[ChargeLine<'_>],
    by_day: &[(SkuIdx, Date, u32)],
) -> Vec<Finding> {
    let mut groups: FxHashMap<(SkuIdx, Period), Vec<usize>> = FxHashMap::default();
    for (position, line) in clean.iter().enumerate() {
        groups
            .entry((line.sku, line.period))
            .or_default()
            .push(position);
    }
    let mut groups: Vec<((SkuIdx, Period), Vec<usize>)> = groups.into_iter().collect();
    groups.sort_unstable_by_key(|(_, positions)| positions[positions.len() - 1]);

    let mut findings = Vec::new();
    for ((sku, period), positions) in groups {
        let billed: Decimal = positions.iter().map(|&p| clean[p].line.quantity).sum();
        let delivered_records = delivered_within(by_day, sku, period);
        let delivered: Decimal = delivered_records
            .iter()
            .map(|&(_, _, d)| data.deliveries.records[d as usize].quantity)
            .sum();
        if billed == delivered {
            continue;
        }
        let last = &clean[positions[positions.len() - 1]];
        let (line, currency) = (last.line, last.currency);
        let fair_quantity = line.quantity - (billed - delivered);
        let expected = currency.round(net_value(
            fair_quantity,
            line.unit_price,
            line.discount_percent,
        ));
        let kind = if billed > delivered {
            FindingKind::QuantityOverbilled
        } else {
            FindingKind::UnbilledDelivery
        };
        let explanation = format!(
            "{billed} units of {} billed for {}..{}, {delivered} delivered",
            data.sku(sku),
            period.start(),
            period.end()
        );
        findings.push(Finding {
            kind,
            contract,
            invoice: Some(line.invoice),
            line_no: Some(line.line_no),
            sku: Some(sku),
            period_start: Some(period.start()),
            currency,
            impact: line.amount - expected,
            evidence: Evidence {
                billed: line.amount,
                expected,
                quantities: Some(Quantities { billed, delivered }),
                lines: positions
                    .iter()
                    .map(|&p| (clean[p].invoice(), clean[p].line.line_no))
                    .collect(),
                deliveries: delivered_records
                    .iter()
                    .map(|&(_, _, d)| d as usize)
                    .collect(),
                explanation,
                ..Evidence::default()
            },
        });
    }
    findings
}

/// The deliveries of `sku` from `period`'s first to its last day, from records sorted by SKU
/// and day.
fn delivered_within(
    by_day: &[(SkuIdx, Date, u32)],
    sku: SkuIdx,
    period: Period,
) -> &[(SkuIdx, Date, u32)] {
    let from = by_day.partition_point(|&(s, d, _)| (s, d) < (sku, period.start()));
    let to = by_day.partition_point(|&(s, d, _)| (s, d) <= (sku, period.end()));
    &by_day[from..to]
}

/// Deliveries outside the period of every charge line of their SKU: one finding per SKU and
/// calendar month, valued at the price valid on the month's first day.
fn never_billed(
    data: &BillingData,
    contract_idx: ContractIdx,
    all_lines: &[ChargeLine<'_>],
    by_day: &[(SkuIdx, Date, u32)],
    prices: &[u32],
) -> Vec<Finding> {
    let mut periods: Vec<(SkuIdx, Date, Date)> = all_lines
        .iter()
        .map(|l| (l.sku, l.period.start(), l.period.end()))
        .collect();
    periods.sort_unstable();
    // Overlapping periods of one SKU merged, so a day is covered iff the last span starting on
    // or before it reaches it.
    let mut spans: Vec<(SkuIdx, Date, Date)> = Vec::with_capacity(periods.len());
    for (sku, start, end) in periods {
        match spans.last_mut() {
            Some(last) if last.0 == sku && start <= last.2 => last.2 = last.2.max(end),
            _ => spans.push((sku, start, end)),
        }
    }
    let covered = |sku: SkuIdx, day: Date| {
        let upto = spans.partition_point(|&(s, start, _)| (s, start) <= (sku, day));
        upto > 0 && spans[upto - 1].0 == sku && day <= spans[upto - 1].2
    };
    let contract = data.contract(contract_idx);
    let mut findings = Vec::new();
    let unbilled = by_day.iter().filter(|&&(sku, day, _)| !covered(sku, day));
    let mut months: Vec<((SkuIdx, Date), Vec<u32>)> = Vec::new();
    for &(sku, day, d) in unbilled {
        let month = (sku, day.first_of_month());
        match months.last_mut() {
            Some((m, records)) if *m == month => records.push(d),
            _ => months.push((month, vec![d])),
        }
    }
    for ((sku, first_day), records) in months {
        let delivered: Decimal = records
            .iter()
            .map(|&d| data.deliveries.records[d as usize].quantity)
            .sum();
        let price_row = valid_price(data, prices, sku, first_day);
        let value = price_row.map_or(Decimal::ZERO, |p| {
            let price = &data.prices[p];
            contract.currency.round(net_value(
                delivered,
                price.unit_price,
                price.discount_percent,
            ))
        });
        let explanation = format!(
            "{delivered} units of {} delivered in {} and billed on no invoice",
            data.sku(sku),
            first_day.strftime("%B %Y")
        );
        findings.push(Finding {
            kind: FindingKind::UnbilledDelivery,
            contract: contract_idx,
            invoice: None,
            line_no: None,
            sku: Some(sku),
            period_start: Some(first_day),
            currency: contract.currency,
            impact: -value,
            evidence: Evidence {
                billed: Decimal::ZERO,
                expected: value,
                quantities: Some(Quantities {
                    billed: Decimal::ZERO,
                    delivered,
                }),
                price_row,
                deliveries: records.iter().map(|&d| d as usize).collect(),
                explanation,
                ..Evidence::default()
            },
        });
    }
    findings
}
