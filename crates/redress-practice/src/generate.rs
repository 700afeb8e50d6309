//! Practice cases made up when the business has too little history: a customer with one
//! contract, two months of deliveries and invoices, and one error planted in the second
//! invoice (or none, for a claim the records refute), disputed by the customer.
//!
//! What the trainee is scored against is never the plan: it is what the audit rules find in
//! the records made, as for any case (a test holds the audit to finding each planted error).

use redress_audit::rules::net_value;
use redress_domain::billing::{
    BillingData, Contract, Customer, Delivery, Dispute, DisputeReason, Invoice, InvoiceLine,
    LineKind, Notice, NoticeKind, Payment, PriceRow,
};
use redress_domain::ids::{ContractIdx, CustomerIdx, InvoiceIdx, SkuIdx};
use redress_domain::language::Language;
use redress_domain::recommendation::{DisputeHistory, Relationship};
use redress_domain::{Currency, Date, Decimal, Period, percent_of};

/// The error planted in a generated case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Planted {
    /// None: the charges are right and the customer is mistaken.
    Nothing,
    /// A unit price above the contract's.
    PriceMismatch,
    /// The contract's discount not given.
    DiscountMissing,
    /// A line billed twice.
    DuplicateCharge,
    /// More units billed than delivered.
    QuantityOverbilled,
    /// A late fee on an invoice paid on time.
    LateFeeUnwarranted,
}

impl Planted {
    /// Every plan, each drawn as often.
    pub const ALL: [Planted; 6] = [
        Self::Nothing,
        Self::PriceMismatch,
        Self::DiscountMissing,
        Self::DuplicateCharge,
        Self::QuantityOverbilled,
        Self::LateFeeUnwarranted,
    ];
}

/// A generated case: the records, the dispute on the second invoice, and the customer's
/// standing the recommendation weighs.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The customer's records.
    pub data: BillingData,
    /// Their dispute.
    pub dispute: Dispute,
    /// The customer's language.
    pub language: Language,
    /// Their relationship over the year before the dispute.
    pub relationship: Relationship,
    /// Their other disputes.
    pub history: DisputeHistory,
    /// What was planted.
    pub planted: Planted,
}

/// What the business sells in generated cases: SKU, description, unit price (in cents) and
/// the contract's discount on it (percent).
const CATALOGUE: [(&str, &str, i64, i64); 6] = [
    ("PAPER-A4", "A4 copier paper, box of 5 reams", 2450, 0),
    ("TONER-K", "Black toner cartridge", 8900, 10),
    ("SERVICE-HR", "On-site service, per hour", 6500, 0),
    ("COFFEE-1KG", "Coffee beans, 1 kg", 1875, 5),
    ("CLEAN-MO", "Office cleaning, monthly visit", 32000, 0),
    ("CABLE-USB", "USB-C cable, 2 m", 1290, 0),
];

fn day(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .unwrap_or(date)
}

fn month_after(first: Date) -> Date {
    first
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(first)
}

/// A case with `planted`, its customer writing in `language`, the second invoice issued some
/// weeks before `today`; everything else drawn from `seed`.
pub fn generate(seed: u64, planted: Planted, language: Language, today: Date) -> Generated {
    let mut rng = fastrand::Rng::with_seed(seed);
    let currency =
        Currency::from_code(["USD", "EUR", "GBP"][rng.usize(..3)]).expect("a currency of ISO 4217");
    let cents = |c: i64| Decimal::new(c, 2);
    // The second invoice covers the month before last, issued on the first of last month.
    let this_month = today.first_of_month();
    let second_month = this_month
        .checked_sub(jiff::Span::new().months(2))
        .unwrap_or(this_month);
    let first_month = second_month
        .checked_sub(jiff::Span::new().months(1))
        .unwrap_or(second_month);
    let contract_start = first_month
        .checked_sub(jiff::Span::new().months(rng.i64(6..=30)))
        .unwrap_or(first_month);
    let customer_since = contract_start;

    let mut data = BillingData::default();
    data.customer_ids.intern("C-P1");
    data.customers.push(Customer {
        name: crate::anonymise::practice_name(rng.usize(..)),
        email: "accounts1@example.invalid".to_owned(),
        language: language.tag().to_owned(),
        customer_since,
    });
    data.contract_ids.intern("K-P1");
    let terms_days = 30;
    let grace_days = 10;
    data.contracts.push(Contract {
        customer: CustomerIdx(0),
        currency,
        start_date: contract_start,
        end_date: None,
        payment_terms_days: terms_days,
        late_fee_percent: Decimal::new(15, 1),
        late_fee_grace_days: grace_days,
        tax_rate_percent: Decimal::from([0, 8, 10, 20][rng.usize(..4)]),
    });
    let contract = &data.contracts[0].clone();

    // Three products of the catalogue, one with a discount among them when a discount is to
    // be missed.
    let mut picked: Vec<usize> = (0..CATALOGUE.len()).collect();
    rng.shuffle(&mut picked);
    picked.truncate(3);
    if planted == Planted::DiscountMissing && picked.iter().all(|&p| CATALOGUE[p].3 == 0) {
        picked[0] = 1;
    }
    for &p in &picked {
        let (sku, _, price, discount) = CATALOGUE[p];
        let sku = SkuIdx(data.skus.intern(sku));
        data.prices.push(PriceRow {
            contract: ContractIdx(0),
            sku,
            unit_price: cents(price),
            discount_percent: Decimal::from(discount),
            valid_from: contract_start,
            valid_to: None,
        });
    }

    // Deliveries: two or three of each product in each month.
    let mut delivered = Vec::new(); // (month, product, quantity)
    for month in [first_month, second_month] {
        for (k, _) in picked.iter().enumerate() {
            let mut total = Decimal::ZERO;
            for _ in 0..rng.usize(2..=3) {
                let quantity = Decimal::from(rng.i64(1..=8));
                total += quantity;
                let n = data.deliveries.records.len();
                data.deliveries.records.push(Delivery {
                    contract: ContractIdx(0),
                    sku: SkuIdx(k as u32),
                    delivered_on: day(month, rng.i64(0..27)),
                    quantity,
                });
                data.deliveries.ids.push(&format!("DLV-P{}", n + 1));
                data.deliveries.references.push(&format!("DN-{}", n + 1));
            }
            delivered.push((month, k, total));
        }
    }

    // The two invoices, each billing its month as delivered.
    let mut wanted_line = None;
    for (i, month) in [first_month, second_month].into_iter().enumerate() {
        let invoice = InvoiceIdx(data.invoice_ids.intern(&format!("INV-P{}", i + 1)));
        let issue_date = month_after(month);
        let period = Period::new(month, day(month_after(month), -1)).expect("a month in order");
        let mut lines: Vec<(InvoiceLine, String)> = Vec::new();
        for &(_, k, quantity) in delivered.iter().filter(|(m, _, _)| *m == month) {
            let price = &data.prices[k];
            let (_, description, _, _) = CATALOGUE[picked[k]];
            let mut unit_price = price.unit_price;
            let mut discount = price.discount_percent;
            let mut billed = quantity;
            let second = i == 1;
            if second && k == 0 {
                match planted {
                    Planted::PriceMismatch => {
                        unit_price = contract_price_raised(unit_price, &mut rng);
                    }
                    Planted::QuantityOverbilled => billed += Decimal::from(rng.i64(1..=3)),
                    _ => {}
                }
            }
            if second && planted == Planted::DiscountMissing && !discount.is_zero() {
                discount = Decimal::ZERO;
            }
            let line = InvoiceLine {
                invoice,
                line_no: lines.len() as u32 + 1,
                kind: LineKind::Charge {
                    sku: SkuIdx(k as u32),
                    period,
                },
                quantity: billed,
                unit_price,
                discount_percent: discount,
                amount: currency.round(net_value(billed, unit_price, discount)),
            };
            if second && wanted_line.is_none() {
                let planted_here = match planted {
                    Planted::PriceMismatch | Planted::QuantityOverbilled => k == 0,
                    Planted::DiscountMissing => !price.discount_percent.is_zero(),
                    _ => false,
                };
                if planted_here {
                    wanted_line = Some(line.line_no);
                }
            }
            lines.push((line, description.to_owned()));
        }
        if i == 1 && planted == Planted::DuplicateCharge {
            let (twin, description) = lines[rng.usize(..lines.len())].clone();
            let line_no = lines.len() as u32 + 1;
            wanted_line = Some(line_no);
            lines.push((InvoiceLine { line_no, ..twin }, description));
        }
        if i == 1 && planted == Planted::LateFeeUnwarranted {
            let first_total = data.invoices[0].total;
            let line_no = lines.len() as u32 + 1;
            wanted_line = Some(line_no);
            let fee = currency.round(first_total * percent_of(contract.late_fee_percent));
            lines.push((
                InvoiceLine {
                    invoice,
                    line_no,
                    kind: LineKind::LateFee {
                        late_fee_for: InvoiceIdx(0),
                    },
                    quantity: Decimal::ONE,
                    unit_price: fee,
                    discount_percent: Decimal::ZERO,
                    amount: fee,
                },
                "Late payment fee".to_owned(),
            ));
        }
        let subtotal: Decimal = lines.iter().map(|(l, _)| l.amount).sum();
        let tax_total = currency.round(subtotal * percent_of(contract.tax_rate_percent));
        data.invoices.push(Invoice {
            customer: CustomerIdx(0),
            contract: ContractIdx(0),
            issue_date,
            due_date: day(issue_date, i64::from(terms_days)),
            currency,
            subtotal,
            tax_total,
            total: subtotal + tax_total,
        });
        for (line, description) in lines {
            data.lines.push(line);
            data.line_descriptions.push(&description);
        }
        // Each invoice sent the day it was issued; the first paid a few days before it fell due.
        data.notice_ids.push(&format!("NTC-P{}", i + 1));
        data.notices.push(Notice {
            invoice,
            sent_on: issue_date,
            kind: NoticeKind::Invoice,
            channel: "email".to_owned(),
        });
    }
    data.payment_ids.push("PAY-P1");
    data.payments.push(Payment {
        invoice: InvoiceIdx(0),
        paid_on: day(data.invoices[0].due_date, -rng.i64(1..=5)),
        amount: data.invoices[0].total,
        method: "bank_transfer".to_owned(),
        reference: "REMIT-1".to_owned(),
    });

    // The dispute: on the planted line, or on a line the customer has wrong.
    let second = &data.invoices[1];
    let on_second: Vec<&InvoiceLine> = data
        .lines
        .iter()
        .filter(|l| l.invoice == InvoiceIdx(1))
        .collect();
    let line_no = wanted_line.unwrap_or_else(|| on_second[rng.usize(..on_second.len())].line_no);
    let line = on_second
        .iter()
        .find(|l| l.line_no == line_no)
        .expect("the disputed line is on the invoice");
    let reason = match planted {
        Planted::Nothing => [
            DisputeReason::WrongPrice,
            DisputeReason::Overcharged,
            DisputeReason::NotReceived,
        ][rng.usize(..3)],
        Planted::PriceMismatch => DisputeReason::WrongPrice,
        Planted::DiscountMissing | Planted::QuantityOverbilled => DisputeReason::Overcharged,
        Planted::DuplicateCharge => DisputeReason::Duplicate,
        Planted::LateFeeUnwarranted => DisputeReason::LateFee,
    };
    let claimed = match planted {
        // The customer asks for what they believe: the line's whole amount or a part of it.
        Planted::Nothing => currency.round(line.amount * Decimal::new(rng.i64(10..=50), 2)),
        _ => line.amount,
    };
    let opened_on = day(second.issue_date, rng.i64(5..=20));
    let dispute = Dispute {
        invoice: InvoiceIdx(1),
        line_no: Some(line_no),
        opened_on,
        reason,
        claimed_amount: claimed,
        narrative: crate::anonymise::narrative(reason, Some(line_no), language),
    };
    let revenue: Decimal = data.invoices.iter().map(|i| i.total).sum();
    let relationship = Relationship {
        tenure_days: customer_since
            .until(opened_on)
            .map(|s| i64::from(s.get_days()))
            .unwrap_or(0),
        revenue,
        invoices_due: 1,
        paid_on_time: 1,
    };
    Generated {
        data,
        dispute,
        language,
        relationship,
        history: DisputeHistory::default(),
        planted,
    }
}

/// A unit price 5–20 % above `price`, in whole cents.
fn contract_price_raised(price: Decimal, rng: &mut fastrand::Rng) -> Decimal {
    let raised = price * (Decimal::ONE + Decimal::new(rng.i64(5..=20), 2));
    raised.round_dp(2)
}
