//! Rules R1–R8, one module per group, each a set of plain functions over billing documents.
//!
//! Rules look at one contract at a time (the duplicates and quantities of R3 and R7 never cross
//! contracts), so contracts are audited in parallel and their findings joined in order.

pub mod invoices;
pub mod lines;
pub mod quantities;

use crate::finding::Finding;
use crate::index::AuditIndex;
use redress_domain::{
    BillingData, ContractIdx, Currency, Decimal, InvoiceIdx, InvoiceLine, LineKind, Period, SkuIdx,
    percent_of,
};
use std::cmp::Ordering;

/// `quantity × unit_price × (1 − discount_percent/100)`, unrounded.
pub fn net_value(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal {
    let gross = quantity * unit_price;
    if discount_percent.is_zero() {
        return gross;
    }
    gross * (Decimal::ONE - percent_of(discount_percent))
}

/// A charge line with what the rules read from it at hand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChargeLine<'a> {
    pub line: &'a InvoiceLine,
    pub sku: SkuIdx,
    pub period: Period,
    pub currency: Currency,
}

impl ChargeLine<'_> {
    pub fn invoice(&self) -> InvoiceIdx {
        self.line.invoice
    }
}

/// Every finding on one contract: line findings (R1–R6), quantities (R7), then invoices (R8).
pub(crate) fn audit_contract(
    data: &BillingData,
    index: &AuditIndex,
    contract: ContractIdx,
) -> Vec<Finding> {
    let mut charge_lines: Vec<ChargeLine<'_>> = index
        .charge_lines_by_contract
        .get(contract.index())
        .iter()
        .map(|&l| {
            let line = &data.lines[l as usize];
            let LineKind::Charge { sku, period } = line.kind else {
                unreachable!("grouped as a charge line")
            };
            let currency = data.invoice(line.invoice).currency;
            ChargeLine {
                line,
                sku,
                period,
                currency,
            }
        })
        .collect();
    // The order in which an earlier line "stands" and a later one is the duplicate or the last:
    // issue date, then invoice id, then line number. Ids are compared only between a contract's
    // own invoices issued the same day.
    charge_lines.sort_unstable_by(|a, b| {
        let (ia, ib) = (a.invoice(), b.invoice());
        data.invoice(ia)
            .issue_date
            .cmp(&data.invoice(ib).issue_date)
            .then_with(|| {
                if ia == ib {
                    Ordering::Equal
                } else {
                    data.invoice_id(ia).cmp(data.invoice_id(ib))
                }
            })
            .then(a.line.line_no.cmp(&b.line.line_no))
    });
    let prices = index.prices_by_contract.get(contract.index());

    let mut findings = Vec::new();
    let line_findings = lines::check_lines(data, contract, &charge_lines, prices);
    let clean: Vec<ChargeLine<'_>> = charge_lines
        .iter()
        .zip(&line_findings)
        .filter(|(_, f)| f.is_none())
        .map(|(l, _)| *l)
        .collect();
    findings.extend(line_findings.into_iter().flatten());
    let deliveries = index.deliveries_by_contract.get(contract.index());
    findings.extend(quantities::check_quantities(
        data,
        contract,
        &charge_lines,
        &clean,
        deliveries,
        prices,
    ));
    for &invoice in index.invoices_by_contract.get(contract.index()) {
        findings.extend(invoices::check_invoice(data, index, InvoiceIdx(invoice)));
    }
    findings
}
