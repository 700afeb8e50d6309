//! Builds small billing data in code for rule tests: one customer with one contract, correct
//! invoice totals unless a test says otherwise.

#![allow(dead_code)]

use redress_audit::{Finding, FindingKind};
use redress_domain::*;

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub fn day(text: &str) -> Date {
    parse_date(text).unwrap()
}

/// Billing data under construction.
pub struct Billing {
    pub data: BillingData,
    /// Invoices whose totals the test set itself.
    stated: Vec<bool>,
}

impl Billing {
    /// Customer `C-1` with contract `K-1` in `currency` from 2025-01-01, open-ended, 30 days'
    /// terms, `tax` % tax, late fee 1.5 % after 5 days' grace.
    pub fn new(currency: &str, tax: &str) -> Self {
        let mut data = BillingData::default();
        data.customer_ids.intern("C-1");
        data.customers.push(Customer {
            name: "Test Customer".into(),
            email: "ap@test.example".into(),
            language: "en".into(),
            customer_since: day("2020-01-01"),
        });
        data.contract_ids.intern("K-1");
        data.contracts.push(Contract {
            customer: CustomerIdx(0),
            currency: Currency::from_code(currency).unwrap(),
            start_date: day("2025-01-01"),
            end_date: None,
            payment_terms_days: 30,
            late_fee_percent: dec("1.5"),
            late_fee_grace_days: 5,
            tax_rate_percent: dec(tax),
        });
        Self {
            data,
            stated: Vec::new(),
        }
    }

    pub fn currency(&self) -> Currency {
        self.data.contracts[0].currency
    }

    pub fn contract_ends(&mut self, end: &str) -> &mut Self {
        self.data.contracts[0].end_date = Some(day(end));
        self
    }

    pub fn price(
        &mut self,
        sku: &str,
        unit_price: &str,
        discount: &str,
        from: &str,
        to: Option<&str>,
    ) -> &mut Self {
        let sku = SkuIdx(self.data.skus.intern(sku));
        self.data.prices.push(PriceRow {
            contract: ContractIdx(0),
            sku,
            unit_price: dec(unit_price),
            discount_percent: dec(discount),
            valid_from: day(from),
            valid_to: to.map(day),
        });
        self
    }

    /// An invoice issued on `issued`, due 30 days later.
    pub fn invoice(&mut self, id: &str, issued: &str) -> InvoiceIdx {
        let index = InvoiceIdx(self.data.invoice_ids.intern(id));
        let issue_date = day(issued);
        self.data.invoices.push(Invoice {
            customer: CustomerIdx(0),
            contract: ContractIdx(0),
            issue_date,
            due_date: issue_date.checked_add(jiff::Span::new().days(30)).unwrap(),
            currency: self.currency(),
            subtotal: Decimal::ZERO,
            tax_total: Decimal::ZERO,
            total: Decimal::ZERO,
        });
        self.stated.push(false);
        index
    }

    /// A charge line; `amount` defaults to the right one.
    #[allow(clippy::too_many_arguments)]
    pub fn charge(
        &mut self,
        invoice: InvoiceIdx,
        sku: &str,
        period: (&str, &str),
        quantity: &str,
        unit_price: &str,
        discount: &str,
        amount: Option<&str>,
    ) -> u32 {
        let (quantity, unit_price, discount) = (dec(quantity), dec(unit_price), dec(discount));
        let amount = amount.map(dec).unwrap_or_else(|| {
            self.currency().round(redress_audit::rules::net_value(
                quantity, unit_price, discount,
            ))
        });
        let sku = SkuIdx(self.data.skus.intern(sku));
        let period = Period::new(day(period.0), day(period.1)).unwrap();
        self.line(
            invoice,
            LineKind::Charge { sku, period },
            quantity,
            unit_price,
            discount,
            amount,
        )
    }

    pub fn late_fee(&mut self, invoice: InvoiceIdx, late_fee_for: InvoiceIdx, amount: &str) -> u32 {
        let amount = dec(amount);
        self.line(
            invoice,
            LineKind::LateFee { late_fee_for },
            Decimal::ONE,
            amount,
            Decimal::ZERO,
            amount,
        )
    }

    fn line(
        &mut self,
        invoice: InvoiceIdx,
        kind: LineKind,
        quantity: Decimal,
        unit_price: Decimal,
        discount_percent: Decimal,
        amount: Decimal,
    ) -> u32 {
        let line_no = self
            .data
            .lines
            .iter()
            .filter(|l| l.invoice == invoice)
            .count() as u32
            + 1;
        self.data.lines.push(InvoiceLine {
            invoice,
            line_no,
            kind,
            quantity,
            unit_price,
            discount_percent,
            amount,
        });
        self.data.line_descriptions.push("");
        line_no
    }

    pub fn delivery(&mut self, sku: &str, on: &str, quantity: &str) -> &mut Self {
        let sku = SkuIdx(self.data.skus.intern(sku));
        let n = self.data.deliveries.records.len();
        self.data.deliveries.records.push(Delivery {
            contract: ContractIdx(0),
            sku,
            delivered_on: day(on),
            quantity: dec(quantity),
        });
        self.data.deliveries.ids.push(&format!("D-{n}"));
        self.data.deliveries.references.push("");
        self
    }

    pub fn payment(&mut self, invoice: InvoiceIdx, on: &str, amount: &str) -> &mut Self {
        let n = self.data.payments.len();
        self.data.payments.push(Payment {
            invoice,
            paid_on: day(on),
            amount: dec(amount),
            method: "card".into(),
            reference: String::new(),
        });
        self.data.payment_ids.push(&format!("P-{n}"));
        self
    }

    pub fn notice(&mut self, invoice: InvoiceIdx, on: &str, kind: NoticeKind) -> &mut Self {
        let n = self.data.notices.len();
        self.data.notices.push(Notice {
            invoice,
            sent_on: day(on),
            kind,
            channel: "email".into(),
        });
        self.data.notice_ids.push(&format!("N-{n}"));
        self
    }

    /// States an invoice's subtotal, tax and total instead of the right ones.
    pub fn state_totals(
        &mut self,
        invoice: InvoiceIdx,
        subtotal: &str,
        tax: &str,
        total: &str,
    ) -> &mut Self {
        let inv = &mut self.data.invoices[invoice.index()];
        (inv.subtotal, inv.tax_total, inv.total) = (dec(subtotal), dec(tax), dec(total));
        self.stated[invoice.index()] = true;
        self
    }

    pub fn dispute(
        &mut self,
        invoice: InvoiceIdx,
        line_no: Option<u32>,
        claimed: &str,
    ) -> &mut Self {
        let n = self.data.disputes.len();
        self.data.disputes.push(Dispute {
            invoice,
            line_no,
            opened_on: day("2025-12-01"),
            reason: DisputeReason::Other,
            claimed_amount: dec(claimed),
            narrative: String::new(),
        });
        self.data.dispute_ids.push(&format!("DSP-{n}"));
        self
    }

    /// The data, with right totals on every invoice the test did not state.
    pub fn build(&self) -> BillingData {
        let mut data = self.data.clone();
        let tax_rate = data.contracts[0].tax_rate_percent;
        for (i, invoice) in data.invoices.iter_mut().enumerate() {
            if self.stated[i] {
                continue;
            }
            let net: Decimal = self
                .data
                .lines
                .iter()
                .filter(|l| l.invoice.index() == i)
                .map(|l| l.amount)
                .sum();
            invoice.subtotal = net;
            invoice.tax_total = invoice
                .currency
                .round(net * tax_rate / Decimal::ONE_HUNDRED);
            invoice.total = net + invoice.tax_total;
        }
        data
    }

    /// The findings of an audit, as `(kind, invoice id, line_no, impact)`.
    pub fn findings(&self) -> Vec<(FindingKind, Option<String>, Option<u32>, Decimal)> {
        let data = self.build();
        redress_audit::audit(&data)
            .findings
            .iter()
            .map(|f: &Finding| {
                (
                    f.kind,
                    f.invoice.map(|i| data.invoice_id(i).to_owned()),
                    f.line_no,
                    f.impact,
                )
            })
            .collect()
    }
}
