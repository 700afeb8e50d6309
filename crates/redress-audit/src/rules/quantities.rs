//! R7: units billed against units delivered, and deliveries no invoice billed.

use super::lines::valid_price;
use super::{ChargeLine, net_value};
use crate::finding::{Evidence, Finding, FindingKind, Quantities};
use redress_domain::{BillingData, ContractIdx, Date, Decimal, SkuIdx};

/// A day as a number that orders like the date (year, month and day in bit fields), so that
/// sorting and searching a contract's deliveries compares integers.
fn day_number(day: Date) -> u32 {
    (((i32::from(day.year()) + 10_000) as u32) << 9)
        | ((day.month() as u32) << 5)
        | day.day() as u32
}

/// A delivery's SKU and day in one sortable key.
fn sku_day(sku: SkuIdx, day: Date) -> u64 {
    (u64::from(sku.0) << 32) | u64::from(day_number(day))
}

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
    let mut by_day: Vec<(u64, u32)> = deliveries
        .iter()
        .map(|&d| {
            (
                sku_day(records[d as usize].sku, records[d as usize].delivered_on),
                d,
            )
        })
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
    by_day: &[(u64, u32)],
) -> Vec<Finding> {
    // Sorting by SKU and period (then position) makes each group a run, its last line last.
    let mut order: Vec<(u64, u64, u32)> = clean
        .iter()
        .enumerate()
        .map(|(position, l)| {
            let (start, end) = (
                sku_day(l.sku, l.period.start()),
                sku_day(l.sku, l.period.end()),
            );
            (start, end, position as u32)
        })
        .collect();
    order.sort_unstable();

    let mut findings = Vec::new();
    for group in order.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let (from, to) = (group[0].0, group[0].1);
        let billed: Decimal = group
            .iter()
            .map(|&(_, _, p)| clean[p as usize].line.quantity)
            .sum();
        let within = &by_day
            [by_day.partition_point(|&(k, _)| k < from)..by_day.partition_point(|&(k, _)| k <= to)];
        let delivered: Decimal = within
            .iter()
            .map(|&(_, d)| data.deliveries.records[d as usize].quantity)
            .sum();
        if billed == delivered {
            continue;
        }
        let last = &clean[group[group.len() - 1].2 as usize];
        let (line, currency, sku, period) = (last.line, last.currency, last.sku, last.period);
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
                lines: group
                    .iter()
                    .map(|&(_, _, p)| (clean[p as usize].invoice(), clean[p as usize].line.line_no))
                    .collect(),
                deliveries: within.iter().map(|&(_, d)| d as usize).collect(),
                explanation,
                ..Evidence::default()
            },
        });
    }
    findings
}

/// Deliveries outside the period of every charge line of their SKU: one finding per SKU and
/// calendar month, valued at the price valid on the month's first day.
fn never_billed(
    data: &BillingData,
    contract_idx: ContractIdx,
    all_lines: &[ChargeLine<'_>],
    by_day: &[(u64, u32)],
    prices: &[u32],
) -> Vec<Finding> {
    let mut periods: Vec<(u64, u64)> = all_lines
        .iter()
        .map(|l| {
            (
                sku_day(l.sku, l.period.start()),
                sku_day(l.sku, l.period.end()),
            )
        })
        .collect();
    periods.sort_unstable();
    // Overlapping periods of one SKU merged into spans, in order. (A span never runs into the
    // next SKU: both its ends carry its own SKU.)
    let mut spans: Vec<(u64, u64)> = Vec::with_capacity(periods.len());
    for (start, end) in periods {
        match spans.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => spans.push((start, end)),
        }
    }
    // Deliveries and spans are both in (SKU, day) order: one sweep finds the uncovered ones.
    let mut span = 0;
    let mut months: Vec<((SkuIdx, Date), Vec<u32>)> = Vec::new();
    for &(key, d) in by_day {
        while span < spans.len() && spans[span].1 < key {
            span += 1;
        }
        if span < spans.len() && spans[span].0 <= key {
            continue;
        }
        let record = &data.deliveries.records[d as usize];
        let month = (record.sku, record.delivered_on.first_of_month());
        match months.last_mut() {
            Some((m, records)) if *m == month => records.push(d),
            _ => months.push((month, vec![d])),
        }
    }
    let contract = data.contract(contract_idx);
    let mut findings = Vec::new();
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
