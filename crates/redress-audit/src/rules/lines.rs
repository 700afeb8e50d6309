//! R1–R6: each charge line gets at most one of these findings, checked in this order.

use super::{ChargeLine, net_value};
use crate::finding::{Evidence, Finding, FindingKind};
use redress_domain::{BillingData, Contract, ContractIdx, Date, Decimal, Period, SkuIdx};
use rustc_hash::FxHashMap;

/// The finding (if any) of each of `lines`, which are a contract's charge lines in issue order.
pub(crate) fn check_lines(
    data: &BillingData,
    contract_idx: ContractIdx,
    lines: &[ChargeLine<'_>],
    prices: &[u32],
) -> Vec<Option<Finding>> {
    let contract = data.contract(contract_idx);
    let originals = first_of_each_charge(lines);
    lines
        .iter()
        .enumerate()
        .map(|(position, line)| {
            let finding = |kind, impact, evidence| Finding {
                kind,
                contract: contract_idx,
                invoice: Some(line.invoice()),
                line_no: Some(line.line.line_no),
                sku: Some(line.sku),
                period_start: None,
                currency: line.currency,
                impact,
                evidence,
            };
            let amount = line.line.amount;
            let billed_only = |explanation: String| Evidence {
                billed: amount,
                expected: Decimal::ZERO,
                explanation,
                ..Evidence::default()
            };
            if outside_contract(line.period, contract) {
                let until = contract
                    .end_date
                    .map_or("open-ended".to_owned(), |d| d.to_string());
                let why = format!(
                    "the period {}..{} is not within the contract's {}..{}",
                    line.period.start(),
                    line.period.end(),
                    contract.start_date,
                    until
                );
                return Some(finding(
                    FindingKind::OutsideContract,
                    amount,
                    billed_only(why),
                ));
            }
            let Some(price_row) = valid_price(data, prices, line.sku, line.period.start()) else {
                let why = format!(
                    "the contract has no price for {} on {}",
                    data.sku(line.sku),
                    line.period.start()
                );
                return Some(finding(
                    FindingKind::UnknownCharge,
                    amount,
                    billed_only(why),
                ));
            };
            let original = &lines[originals[position]];
            if originals[position] != position {
                let mut evidence = billed_only(format!(
                    "the same charge is already billed on invoice {} line {}",
                    data.invoice_id(original.invoice()),
                    original.line.line_no
                ));
                evidence
                    .lines
                    .push((original.invoice(), original.line.line_no));
                return Some(finding(FindingKind::DuplicateCharge, amount, evidence));
            }
            let price = &data.prices[price_row];
            // Valued at the contract's price only when a finding needs it: most lines are right.
            let against_price = |why: String| Evidence {
                billed: amount,
                expected: line.currency.round(net_value(
                    line.line.quantity,
                    price.unit_price,
                    price.discount_percent,
                )),
                price_row: Some(price_row),
                explanation: why,
                ..Evidence::default()
            };
            if line.line.unit_price != price.unit_price {
                let why = format!(
                    "billed at {} a unit, the contract's price is {}",
                    line.line.unit_price, price.unit_price
                );
                let evidence = against_price(why);
                let impact = amount - evidence.expected;
                return Some(finding(FindingKind::PriceMismatch, impact, evidence));
            }
            if line.line.discount_percent != price.discount_percent {
                let why = format!(
                    "billed with a {} % discount, the contract's is {} %",
                    line.line.discount_percent, price.discount_percent
                );
                let evidence = against_price(why);
                let impact = amount - evidence.expected;
                return Some(finding(FindingKind::DiscountMissing, impact, evidence));
            }
            let computed = line.currency.round(net_value(
                line.line.quantity,
                line.line.unit_price,
                line.line.discount_percent,
            ));
            if amount != computed {
                let why = format!(
                    "{} × {} less {} % is {}, not {}",
                    line.line.quantity,
                    line.line.unit_price,
                    line.line.discount_percent,
                    line.currency.format(computed),
                    line.currency.format(amount)
                );
                let mut evidence = against_price(why);
                evidence.expected = computed;
                return Some(finding(
                    FindingKind::LineArithmetic,
                    amount - computed,
                    evidence,
                ));
            }
            None
        })
        .collect()
}

/// R1: the period starts before the contract starts or ends after it ends.
pub fn outside_contract(period: Period, contract: &Contract) -> bool {
    period.start() < contract.start_date || contract.end_date.is_some_and(|end| period.end() > end)
}

/// R2's lookup: the contract's price row for `sku` valid on `day`, as an index into
/// `data.prices`. Where rows overlap, the one that started last applies (the newest price).
pub fn valid_price(data: &BillingData, prices: &[u32], sku: SkuIdx, day: Date) -> Option<usize> {
    prices
        .iter()
        .map(|&p| p as usize)
        .filter(|&p| data.prices[p].sku == sku && data.prices[p].is_valid_on(day))
        .max_by_key(|&p| data.prices[p].valid_from)
}

/// R3: for each line, the position of the first line with the same SKU, period, quantity and
/// unit price — itself when it is the first.
fn first_of_each_charge(lines: &[ChargeLine<'_>]) -> Vec<usize> {
    let mut first: FxHashMap<(SkuIdx, Period, Decimal, Decimal), usize> =
        FxHashMap::with_capacity_and_hasher(lines.len(), Default::default());
    lines
        .iter()
        .enumerate()
        .map(|(position, line)| {
            let key = (
                line.sku,
                line.period,
                line.line.quantity.normalize(),
                line.line.unit_price.normalize(),
            );
            *first.entry(key).or_insert(position)
        })
        .collect()
}
