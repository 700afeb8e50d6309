//! What the demo knows of a dispute when it plans what happens to it: what the service
//! verified of it, and what the export says of its invoice (its lines, total and payments).

use redress_domain::{BillingData, Currency, Decimal, InvoiceIdx, Verdict};
use redress_service::records::DisputeRow;
use std::collections::BTreeMap;

/// What the demo knows of a dispute when it plans: as verified, and its invoice's books.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The dispute.
    pub id: String,
    /// Its currency (the invoice's).
    pub currency: Currency,
    /// The line disputed, if one.
    pub line_no: Option<u32>,
    /// What the customer claims, net.
    pub claimed: Decimal,
    /// What the verification says.
    pub verdict: Verdict,
    /// What the verification owes the customer, net.
    pub adjustment: Decimal,
    /// The lines the findings say were over-billed, and by how much (net).
    pub owed_lines: Vec<(u32, Decimal)>,
    /// What the first finding says, for a colleague's statement.
    pub explanation: Option<String>,
    /// The invoice's lines and their net amounts.
    pub lines: Vec<(u32, Decimal)>,
    /// The invoice's total, tax included.
    pub total: Decimal,
    /// What is still open on the invoice (its total less what was paid).
    pub open: Decimal,
    /// The invoice's payments and their amounts.
    pub payments: Vec<(String, Decimal)>,
    /// The most an agent may give on it without an approver.
    pub limit: Decimal,
    /// Whether the invoice's arithmetic is wrong (its tax, a total, a line's product): it is
    /// then not re-issued, since voiding it in full would credit more than it charges.
    pub miscomputed: bool,
}

impl Facts {
    /// The facts of `dispute`, its invoice read from `data`, under an agent's `limit`;
    /// `miscomputed` whether the invoice's arithmetic is wrong.
    pub fn of(dispute: &DisputeRow, data: &BillingData, limit: Decimal, miscomputed: bool) -> Self {
        let currency = dispute.claimed.currency;
        let invoice = data
            .invoice_ids
            .get(&dispute.invoice_id)
            .map(InvoiceIdx)
            .expect("a stored dispute's invoice is in the export");
        let lines: Vec<(u32, Decimal)> = data
            .lines
            .iter()
            .filter(|l| l.invoice == invoice)
            .map(|l| (l.line_no, l.amount))
            .collect();
        // Just written by the audit in this run: findings that do not read back are a bug.
        let findings = dispute
            .verification
            .findings
            .records()
            .expect("the demo's findings were just written by the audit");
        let mut owed: BTreeMap<u32, Decimal> = BTreeMap::new();
        for finding in &findings {
            let on_this_invoice =
                finding.invoice_id.as_deref() == Some(dispute.invoice_id.as_str());
            let in_scope = dispute.line_no.is_none() || dispute.line_no == finding.line_no;
            if let Some(line) = finding.line_no
                && on_this_invoice
                && in_scope
                && finding.impact > Decimal::ZERO
            {
                *owed.entry(line).or_default() += finding.impact;
            }
        }
        let owed_lines = owed
            .into_iter()
            .filter_map(|(line, amount)| {
                let charged = lines.iter().find(|(n, _)| *n == line)?.1;
                let amount = currency.round(amount.min(charged));
                (amount > Decimal::ZERO).then_some((line, amount))
            })
            .collect();
        let payments: Vec<(String, Decimal)> = data
            .payments
            .iter()
            .enumerate()
            .filter(|(_, p)| p.invoice == invoice)
            .map(|(i, p)| (data.payment_ids.get(i).to_owned(), p.amount))
            .collect();
        let total = data.invoice(invoice).total;
        let paid: Decimal = payments.iter().map(|(_, a)| *a).sum();
        Self {
            id: dispute.id.clone(),
            currency,
            line_no: dispute.line_no,
            claimed: dispute.claimed.amount,
            verdict: dispute.verification.verdict,
            adjustment: dispute.verification.adjustment,
            owed_lines,
            explanation: findings.first().map(|f| f.evidence.explanation.clone()),
            lines,
            total,
            open: (total - paid).max(Decimal::ZERO),
            payments,
            limit,
            miscomputed,
        }
    }

    /// What the customer is owed, or else half of what they claim: what a gesture is sized on.
    pub(super) fn owed_or_half_claimed(&self) -> Decimal {
        if self.adjustment > Decimal::ZERO {
            self.adjustment
        } else {
            self.currency.round(self.claimed / Decimal::TWO)
        }
    }

    /// The lines a credit note credits, and their net sum: what the findings say was
    /// over-billed, or else (nothing found) the disputed line, for what the customer is owed
    /// or half the claim.
    pub(super) fn credit_lines(&self) -> (Vec<(u32, Decimal)>, Decimal) {
        if !self.owed_lines.is_empty() {
            let net = self.owed_lines.iter().map(|(_, a)| *a).sum();
            return (self.owed_lines.clone(), net);
        }
        let line = self
            .line_no
            .and_then(|n| self.lines.iter().find(|(l, _)| *l == n))
            .or_else(|| self.lines.iter().find(|(_, a)| *a > Decimal::ZERO));
        match line {
            Some(&(line_no, charged)) => {
                let amount = self.owed_or_half_claimed().min(charged);
                (vec![(line_no, amount)], amount)
            }
            None => (Vec::new(), Decimal::ZERO),
        }
    }

    pub(super) fn found_something(&self) -> bool {
        self.verdict != Verdict::Rejected && self.adjustment > Decimal::ZERO
    }

    /// The smallest amount of its currency.
    pub(super) fn minor(&self) -> Decimal {
        Decimal::new(1, self.currency.minor_unit())
    }
}
