//! R8: an invoice's tax and totals, its payments, and the late fees on it.

use crate::finding::{Evidence, Finding, FindingKind};
use crate::index::AuditIndex;
use redress_domain::{BillingData, Date, Decimal, InvoiceIdx, LineKind, NoticeKind, percent_of};

/// R8 on one invoice: tax_mismatch, total_mismatch, overpayment, then each late fee line.
pub(crate) fn check_invoice(
    data: &BillingData,
    index: &AuditIndex,
    invoice_idx: InvoiceIdx,
) -> Vec<Finding> {
    let invoice = data.invoice(invoice_idx);
    let contract = data.contract(invoice.contract);
    let currency = invoice.currency;
    let lines = index.lines_by_invoice.get(invoice_idx.index());
    // Every line counts, late fees and lines with findings too: tax is charged on all of them.
    let net: Decimal = lines.iter().map(|&l| data.lines[l as usize].amount).sum();
    let mut findings = Vec::new();
    let mut finding = |kind, line_no, impact, evidence| {
        findings.push(Finding {
            kind,
            contract: invoice.contract,
            invoice: Some(invoice_idx),
            line_no,
            sku: None,
            period_start: None,
            currency,
            impact,
            evidence,
        })
    };

    let tax = currency.round(net * percent_of(contract.tax_rate_percent));
    if invoice.tax_total != tax {
        let why = format!(
            "{} % of the lines' {} is {}, the invoice says {}",
            contract.tax_rate_percent,
            currency.format(net),
            currency.format(tax),
            currency.format(invoice.tax_total)
        );
        let evidence = Evidence {
            billed: invoice.tax_total,
            expected: tax,
            explanation: why,
            ..Evidence::default()
        };
        finding(
            FindingKind::TaxMismatch,
            None,
            invoice.tax_total - tax,
            evidence,
        );
    }

    let stated = net + invoice.tax_total;
    if invoice.subtotal != net || invoice.total != stated {
        let why = format!(
            "the lines add up to {} and with the stated tax to {}; the invoice says subtotal {} and total {}",
            currency.format(net),
            currency.format(stated),
            currency.format(invoice.subtotal),
            currency.format(invoice.total)
        );
        let evidence = Evidence {
            billed: invoice.total,
            expected: stated,
            explanation: why,
            ..Evidence::default()
        };
        finding(
            FindingKind::TotalMismatch,
            None,
            invoice.total - stated,
            evidence,
        );
    }

    let payments = index.payments_by_invoice.get(invoice_idx.index());
    let paid: Decimal = payments
        .iter()
        .map(|&p| data.payments[p as usize].amount)
        .sum();
    if paid > invoice.total {
        let why = format!(
            "{} paid against a total of {}",
            currency.format(paid),
            currency.format(invoice.total)
        );
        let evidence = Evidence {
            billed: invoice.total,
            expected: paid,
            payments: payments.iter().map(|&p| p as usize).collect(),
            explanation: why,
            ..Evidence::default()
        };
        finding(
            FindingKind::Overpayment,
            None,
            paid - invoice.total,
            evidence,
        );
    }

    for &l in lines {
        let line = &data.lines[l as usize];
        if let LineKind::LateFee { late_fee_for } = line.kind
            && let Some((kind, impact, evidence)) =
                check_late_fee(data, index, invoice.issue_date, line.amount, late_fee_for)
        {
            finding(kind, Some(line.line_no), impact, evidence);
        }
    }
    findings
}

/// A late fee of `amount`, on an invoice issued `issued`, charged for invoice `late`.
fn check_late_fee(
    data: &BillingData,
    index: &AuditIndex,
    issued: Date,
    amount: Decimal,
    late: InvoiceIdx,
) -> Option<(FindingKind, Decimal, Evidence)> {
    let overdue = data.invoice(late);
    let terms = data.contract(overdue.contract);
    let grace_end = overdue
        .due_date
        .checked_add(jiff::Span::new().days(i64::from(terms.late_fee_grace_days)))
        .unwrap_or(Date::MAX);
    let payments: Vec<usize> = index
        .payments_by_invoice
        .get(late.index())
        .iter()
        .map(|&p| p as usize)
        .collect();
    let paid_in_grace: Decimal = payments
        .iter()
        .map(|&p| &data.payments[p])
        .filter(|p| p.paid_on <= grace_end)
        .map(|p| p.amount)
        .sum();
    let unpaid = overdue.total - paid_in_grace;
    let notices: Vec<usize> = index
        .notices_by_invoice
        .get(late.index())
        .iter()
        .map(|&n| n as usize)
        .collect();
    let notified = notices.iter().map(|&n| &data.notices[n]).any(|n| {
        n.kind == NoticeKind::OverdueNotice && grace_end < n.sent_on && n.sent_on < issued
    });
    let late_id = data.invoice_id(late);
    let evidence = |expected: Decimal, explanation: String| Evidence {
        billed: amount,
        expected,
        payments: payments.clone(),
        notices: notices.clone(),
        late_fee_for: Some(late),
        explanation,
        ..Evidence::default()
    };
    let currency = overdue.currency;
    if unpaid <= Decimal::ZERO {
        let why = format!("{late_id} was paid in full by {grace_end}, the end of its grace period");
        return Some((
            FindingKind::LateFeeUnwarranted,
            amount,
            evidence(Decimal::ZERO, why),
        ));
    }
    if !notified {
        let why = format!(
            "no overdue notice for {late_id} was sent after its grace period ended on {grace_end} and before {issued}"
        );
        return Some((
            FindingKind::LateFeeUnwarranted,
            amount,
            evidence(Decimal::ZERO, why),
        ));
    }
    let fee = currency.round(unpaid * percent_of(terms.late_fee_percent));
    if amount > fee {
        let why = format!(
            "{} % of the {} unpaid on {late_id} at the end of grace ({grace_end}) is {}",
            terms.late_fee_percent,
            currency.format(unpaid),
            currency.format(fee)
        );
        return Some((FindingKind::LateFeeExcess, amount - fee, evidence(fee, why)));
    }
    None
}
