//! Each rule on small billing data built in code, and properties over random data.

mod support;

use proptest::prelude::*;
use redress_audit::FindingKind::*;
use redress_audit::Verdict;
use redress_domain::{Decimal, NoticeKind};
use support::{Billing, dec};

const JAN: (&str, &str) = ("2025-01-01", "2025-01-31");
const FEB: (&str, &str) = ("2025-02-01", "2025-02-28");

/// A USD contract with 10 % tax, HOST at 100.00 less 10 %, one January invoice billing it right.
fn hosting() -> (Billing, redress_domain::InvoiceIdx) {
    let mut b = Billing::new("USD", "10");
    b.price("HOST", "100.00", "10", "2025-01-01", None);
    let inv = b.invoice("INV-1", "2025-02-01");
    b.charge(inv, "HOST", JAN, "1", "100.00", "10", None);
    b.delivery("HOST", "2025-01-15", "1");
    (b, inv)
}

fn one(b: &Billing) -> (redress_audit::FindingKind, Option<u32>, Decimal) {
    let findings = b.findings();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let (kind, _, line, impact) = findings[0].clone();
    (kind, line, impact)
}

#[test]
fn a_right_bill_has_no_findings() {
    let (b, _) = hosting();
    assert_eq!(b.findings(), vec![]);
}

#[test]
fn r1_a_charge_after_the_contract_ends_is_outside_contract() {
    let (mut b, inv) = hosting();
    b.contract_ends("2025-01-31");
    b.charge(inv, "HOST", FEB, "1", "100.00", "10", None);
    b.delivery("HOST", "2025-02-15", "1");
    assert_eq!(one(&b), (OutsideContract, Some(2), dec("90.00")));
}

#[test]
fn r2_a_charge_with_no_valid_price_is_unknown() {
    let (mut b, inv) = hosting();
    b.charge(inv, "RUSH", JAN, "2", "25", "0", None);
    b.delivery("RUSH", "2025-01-15", "2");
    assert_eq!(one(&b), (UnknownCharge, Some(2), dec("50.00")));
}

#[test]
fn r2_a_price_that_starts_after_the_period_start_does_not_apply() {
    let mut b = Billing::new("USD", "0");
    b.price("HOST", "100", "0", "2025-01-02", None);
    let inv = b.invoice("INV-1", "2025-02-01");
    b.charge(inv, "HOST", JAN, "1", "100", "0", None);
    b.delivery("HOST", "2025-01-15", "1");
    assert_eq!(one(&b), (UnknownCharge, Some(1), dec("100.00")));
}

#[test]
fn r3_the_later_of_two_identical_charges_is_the_duplicate() {
    let (mut b, _) = hosting();
    let later = b.invoice("INV-2", "2025-03-01");
    b.charge(later, "HOST", JAN, "1", "100.00", "10", None);
    let findings = b.findings();
    assert_eq!(
        findings,
        vec![(DuplicateCharge, Some("INV-2".into()), Some(1), dec("90.00"))]
    );
}

#[test]
fn r3_order_is_issue_date_then_invoice_id_then_line() {
    let mut b = Billing::new("USD", "0");
    b.price("HOST", "100", "0", "2025-01-01", None);
    // Same issue date: INV-A comes before INV-B whatever the file order.
    let inv_b = b.invoice("INV-B", "2025-02-01");
    let inv_a = b.invoice("INV-A", "2025-02-01");
    b.charge(inv_b, "HOST", JAN, "1", "100", "0", None);
    b.charge(inv_a, "HOST", JAN, "1", "100", "0", None);
    b.charge(inv_a, "HOST", JAN, "1", "100", "0", None);
    b.delivery("HOST", "2025-01-15", "1");
    let duplicates: Vec<_> = b
        .findings()
        .into_iter()
        .map(|(k, i, l, _)| (k, i, l))
        .collect();
    assert_eq!(
        duplicates,
        vec![
            (DuplicateCharge, Some("INV-A".into()), Some(2)),
            (DuplicateCharge, Some("INV-B".into()), Some(1))
        ]
    );
}

#[test]
fn r4_a_wrong_unit_price_is_valued_at_the_contract_price() {
    let (mut b, _) = hosting();
    let inv = b.invoice("INV-2", "2025-03-01");
    b.charge(inv, "HOST", FEB, "1", "80.00", "10", None);
    b.delivery("HOST", "2025-02-15", "1");
    // Billed 72.00, contract says 90.00: under-billed.
    assert_eq!(one(&b), (PriceMismatch, Some(1), dec("-18.00")));
}

#[test]
fn r5_a_missing_discount_is_found_when_the_price_is_right() {
    let (mut b, _) = hosting();
    let inv = b.invoice("INV-2", "2025-03-01");
    b.charge(inv, "HOST", FEB, "1", "100.00", "0", None);
    b.delivery("HOST", "2025-02-15", "1");
    assert_eq!(one(&b), (DiscountMissing, Some(1), dec("10.00")));
}

#[test]
fn r6_an_amount_that_is_not_quantity_times_price_is_arithmetic() {
    let (mut b, _) = hosting();
    let inv = b.invoice("INV-2", "2025-03-01");
    b.charge(inv, "HOST", FEB, "1", "100.00", "10", Some("90.01"));
    b.delivery("HOST", "2025-02-15", "1");
    assert_eq!(one(&b), (LineArithmetic, Some(1), dec("0.01")));
}

#[test]
fn r7_billing_more_units_than_delivered_is_overbilling_on_the_last_line() {
    let mut b = Billing::new("JPY", "0");
    b.price("SEAT", "1500", "5", "2025-01-01", None);
    let inv = b.invoice("INV-1", "2025-02-01");
    b.charge(inv, "SEAT", JAN, "6", "1500", "5", None);
    b.charge(inv, "SEAT", JAN, "5", "1500", "5", None);
    b.delivery("SEAT", "2025-01-01", "10");
    // Last line 5 seats: 7125 billed, 4 seats would be 5700.
    assert_eq!(one(&b), (QuantityOverbilled, Some(2), dec("1425")));
}

#[test]
fn r7_delivering_more_than_billed_is_an_unbilled_delivery() {
    let (mut b, _) = hosting();
    b.delivery("HOST", "2025-01-20", "0.5");
    assert_eq!(one(&b), (UnbilledDelivery, Some(1), dec("-45.00")));
}

#[test]
fn r7_deliveries_in_a_month_no_line_covers_are_unbilled_at_that_month_price() {
    let (mut b, _) = hosting();
    b.price("HOST", "120", "10", "2025-03-01", None);
    b.data.prices[0].valid_to = Some(support::day("2025-02-28"));
    b.delivery("HOST", "2025-03-10", "1")
        .delivery("HOST", "2025-03-20", "1");
    let findings = b.findings();
    assert_eq!(
        findings,
        vec![(UnbilledDelivery, None, None, dec("-216.00"))]
    );
}

#[test]
fn r7_unbilled_deliveries_with_no_price_that_month_have_zero_impact() {
    let (mut b, _) = hosting();
    b.delivery("GIFT", "2025-01-10", "3");
    assert_eq!(
        b.findings(),
        vec![(UnbilledDelivery, None, None, Decimal::ZERO)]
    );
}

#[test]
fn r8_tax_other_than_the_rate_on_all_lines_is_a_tax_mismatch() {
    let (mut b, inv) = hosting();
    b.state_totals(inv, "90.00", "9.50", "99.50");
    assert_eq!(one(&b), (TaxMismatch, None, dec("0.50")));
}

#[test]
fn r8_a_total_that_does_not_add_up_is_a_total_mismatch() {
    let (mut b, inv) = hosting();
    b.state_totals(inv, "90.00", "9.00", "100.00");
    assert_eq!(one(&b), (TotalMismatch, None, dec("1.00")));
}

#[test]
fn r8_paying_more_than_the_total_is_an_overpayment() {
    let (mut b, inv) = hosting();
    b.payment(inv, "2025-02-10", "50.00")
        .payment(inv, "2025-02-12", "50.00");
    assert_eq!(one(&b), (Overpayment, None, dec("1.00")));
}

/// INV-1 (99.00 due 2025-03-03, grace to 03-08) and INV-2 with a late fee for it.
fn late_fee_case(paid_on: &str, notice_on: Option<&str>, fee: &str) -> Billing {
    let (mut b, inv) = hosting();
    b.payment(inv, paid_on, "99.00");
    if let Some(on) = notice_on {
        b.notice(inv, on, NoticeKind::OverdueNotice);
    }
    let next = b.invoice("INV-2", "2025-04-01");
    b.late_fee(next, inv, fee);
    b
}

#[test]
fn r8_a_late_fee_with_an_overdue_notice_after_grace_and_the_right_amount_stands() {
    // 1.5 % of 99.00 = 1.485 → 1.49.
    assert_eq!(
        late_fee_case("2025-03-20", Some("2025-03-10"), "1.49").findings(),
        vec![]
    );
}

#[test]
fn r8_a_late_fee_for_an_invoice_paid_within_grace_is_unwarranted() {
    let b = late_fee_case("2025-03-08", Some("2025-03-10"), "1.49");
    assert_eq!(one(&b), (LateFeeUnwarranted, Some(1), dec("1.49")));
}

#[test]
fn r8_a_late_fee_without_an_overdue_notice_strictly_after_grace_is_unwarranted() {
    let on_grace_end = late_fee_case("2025-03-20", Some("2025-03-08"), "1.49");
    assert_eq!(
        one(&on_grace_end),
        (LateFeeUnwarranted, Some(1), dec("1.49"))
    );
    let none = late_fee_case("2025-03-20", None, "1.49");
    assert_eq!(one(&none), (LateFeeUnwarranted, Some(1), dec("1.49")));
    let on_fee_invoice_day = late_fee_case("2025-03-20", Some("2025-04-01"), "1.49");
    assert_eq!(
        one(&on_fee_invoice_day),
        (LateFeeUnwarranted, Some(1), dec("1.49"))
    );
}

#[test]
fn r8_a_late_fee_above_the_rate_is_excess() {
    let b = late_fee_case("2025-03-20", Some("2025-03-10"), "5.00");
    assert_eq!(one(&b), (LateFeeExcess, Some(1), dec("3.51")));
}

#[test]
fn a_dispute_is_judged_on_the_positive_impacts_of_its_line_or_invoice() {
    let (mut b, inv) = hosting();
    b.charge(inv, "HOST", FEB, "1", "100.00", "0", None); // discount missing: +10.00
    b.delivery("HOST", "2025-02-15", "1");
    b.charge(
        inv,
        "HOST",
        ("2025-03-01", "2025-03-31"),
        "1",
        "50.00",
        "10",
        None,
    ); // -45.00
    b.delivery("HOST", "2025-03-15", "1");
    b.payment(inv, "2025-02-10", "500.00"); // overpayment: never counted in a verdict
    b.dispute(inv, None, "5.00")
        .dispute(inv, None, "20.00")
        .dispute(inv, Some(1), "1.00");
    let data = b.build();
    let audit = redress_audit::audit(&data);
    let verdicts: Vec<(Verdict, Decimal)> = audit
        .verdicts
        .iter()
        .map(|v| (v.verdict, v.adjustment))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            (Verdict::Upheld, dec("10.00")),
            (Verdict::PartiallyUpheld, dec("10.00")),
            (Verdict::Rejected, Decimal::ZERO)
        ]
    );
}

/// Currencies with 0, 2 and 3 decimals.
fn currency() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("JPY"), Just("USD"), Just("EUR"), Just("KWD")]
}

/// A decimal with up to `scale` decimals, from 1 unit of the last place to `max` whole units.
fn amount(max: i64, scale: u32) -> impl Strategy<Value = Decimal> {
    (1..max * 10i64.pow(scale)).prop_map(move |n| Decimal::new(n, scale))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Lines billed at the contract's price for what was delivered, with right totals, give no
    /// finding, whatever the currency, quantities, prices and discounts.
    #[test]
    fn right_bills_have_no_findings(
        code in currency(),
        lines in proptest::collection::vec((amount(500, 2), amount(2_000, 4), 0u32..=40), 1..6),
    ) {
        let mut b = Billing::new(code, "8.875");
        let inv = b.invoice("INV-1", "2025-02-01");
        for (n, (quantity, price, discount)) in lines.iter().enumerate() {
            let sku = format!("SKU-{n}");
            let (q, p, d) = (quantity.to_string(), price.to_string(), discount.to_string());
            b.price(&sku, &p, &d, "2025-01-01", None);
            b.charge(inv, &sku, JAN, &q, &p, &d, None);
            b.delivery(&sku, "2025-01-31", &q);
        }
        prop_assert_eq!(b.findings(), vec![]);
    }

    /// A wrong price is valued as the amount billed less the contract's value, exact to the
    /// minor unit, with the sign saying who lost.
    #[test]
    fn price_mismatch_impact_is_billed_less_contract_value(
        code in currency(),
        quantity in amount(100, 1),
        price in amount(1_000, 3),
        billed_price in amount(1_000, 3),
        discount in 0u32..=50,
    ) {
        prop_assume!(price != billed_price);
        let mut b = Billing::new(code, "0");
        let d = Decimal::from(discount);
        b.price("X", &price.to_string(), &d.to_string(), "2025-01-01", None);
        let inv = b.invoice("INV-1", "2025-02-01");
        b.charge(inv, "X", JAN, &quantity.to_string(), &billed_price.to_string(), &d.to_string(), None);
        b.delivery("X", "2025-01-02", &quantity.to_string());
        let c = b.currency();
        let value = |p: Decimal| c.round(quantity * p * (Decimal::ONE - d / Decimal::ONE_HUNDRED));
        let expected = value(billed_price) - value(price);
        prop_assert_eq!(one(&b), (PriceMismatch, Some(1), expected));
        prop_assert!(c.fits(expected));
    }

    /// Over- and under-billed quantities: the finding's kind follows the sign of billed minus
    /// delivered, and its impact is the difference of the two rounded values.
    #[test]
    fn quantity_findings_follow_billed_minus_delivered(
        code in currency(),
        billed in 1i64..200,
        delivered in 1i64..200,
        price in amount(500, 2),
    ) {
        prop_assume!(billed != delivered);
        let mut b = Billing::new(code, "0");
        b.price("X", &price.to_string(), "0", "2025-01-01", None);
        let inv = b.invoice("INV-1", "2025-02-01");
        b.charge(inv, "X", JAN, &billed.to_string(), &price.to_string(), "0", None);
        b.delivery("X", "2025-01-15", &delivered.to_string());
        let c = b.currency();
        let expected = c.round(Decimal::from(billed) * price) - c.round(Decimal::from(delivered) * price);
        let kind = if billed > delivered { QuantityOverbilled } else { UnbilledDelivery };
        prop_assert_eq!(one(&b), (kind, Some(1), expected));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// R1: a charge for any month after the contract's end is outside it, for its full amount.
    #[test]
    fn charges_after_the_contract_ends_are_outside_it(code in currency(), months_late in 1u32..24, price in amount(1_000, 2)) {
        let mut b = Billing::new(code, "0");
        b.contract_ends("2025-01-31");
        b.price("X", &price.to_string(), "0", "2025-01-01", None);
        let start = support::day("2025-01-01").checked_add(jiff::Span::new().months(i64::from(months_late))).unwrap();
        let end = start.last_of_month();
        let inv = b.invoice("INV-1", "2027-06-01");
        let (s, e) = (start.to_string(), end.to_string());
        b.charge(inv, "X", (&s, &e), "1", &price.to_string(), "0", None);
        let amount = b.currency().round(price);
        prop_assert_eq!(one(&b), (OutsideContract, Some(1), amount));
    }

    /// R3: of n identical charges, the first stands and each of the n − 1 others is a duplicate
    /// for its full amount.
    #[test]
    fn every_copy_after_the_first_is_a_duplicate(copies in 2usize..6, price in amount(1_000, 2)) {
        let mut b = Billing::new("EUR", "0");
        b.price("X", &price.to_string(), "0", "2025-01-01", None);
        for n in 0..copies {
            let inv = b.invoice(&format!("INV-{n}"), &format!("2025-02-0{}", n + 1));
            b.charge(inv, "X", JAN, "1", &price.to_string(), "0", None);
        }
        b.delivery("X", "2025-01-10", "1");
        let findings = b.findings();
        prop_assert_eq!(findings.len(), copies - 1);
        for (n, (kind, invoice, _, impact)) in findings.into_iter().enumerate() {
            prop_assert_eq!(kind, DuplicateCharge);
            prop_assert_eq!(invoice, Some(format!("INV-{}", n + 1)));
            prop_assert_eq!(impact, b.currency().round(price));
        }
    }

    /// R5: billing without the agreed discount costs the customer exactly the discount's value.
    #[test]
    fn a_missing_discount_is_valued_at_the_discount(code in currency(), quantity in 1i64..50, price in amount(500, 2), discount in 1u32..=60) {
        let mut b = Billing::new(code, "0");
        let d = Decimal::from(discount);
        b.price("X", &price.to_string(), &d.to_string(), "2025-01-01", None);
        let inv = b.invoice("INV-1", "2025-02-01");
        b.charge(inv, "X", JAN, &quantity.to_string(), &price.to_string(), "0", None);
        b.delivery("X", "2025-01-10", &quantity.to_string());
        let c = b.currency();
        let q = Decimal::from(quantity);
        let expected = c.round(q * price) - c.round(q * price * (Decimal::ONE - d / Decimal::ONE_HUNDRED));
        prop_assert_eq!(one(&b), (DiscountMissing, Some(1), expected));
    }

    /// R6 and R8: an amount, tax or total off by k minor units is found off by exactly k.
    #[test]
    fn amounts_off_by_some_minor_units_are_found_off_by_exactly_that(code in currency(), units in -50i64..500, which in 0usize..3) {
        prop_assume!(units != 0);
        let (mut b, inv) = hosting_in(code);
        let c = b.currency();
        let k = Decimal::new(units, c.minor_unit());
        let data = b.build();
        let right = data.invoices[0].clone();
        let (kind, line) = match which {
            0 => {
                let amount = data.lines[0].amount + k;
                b.data.lines[0].amount = amount;
                b.state_totals(inv, &amount.to_string(), &c.round(amount * Decimal::new(1, 1)).to_string(), &(amount + c.round(amount * Decimal::new(1, 1))).to_string());
                (LineArithmetic, Some(1))
            }
            1 => {
                b.state_totals(inv, &right.subtotal.to_string(), &(right.tax_total + k).to_string(), &(right.total + k).to_string());
                (TaxMismatch, None)
            }
            _ => {
                b.state_totals(inv, &right.subtotal.to_string(), &right.tax_total.to_string(), &(right.total + k).to_string());
                (TotalMismatch, None)
            }
        };
        prop_assert_eq!(one(&b), (kind, line, k));
    }

    /// R8: paying k more than the total is an overpayment of k; paying less is no finding.
    #[test]
    fn overpayments_are_what_was_paid_beyond_the_total(units in -10_000i64..10_000) {
        prop_assume!(units != 0);
        let (mut b, inv) = hosting_in("USD");
        let total = b.build().invoices[0].total;
        let paid = total + Decimal::new(units, 2);
        prop_assume!(paid > Decimal::ZERO);
        b.payment(inv, "2025-02-20", &paid.to_string());
        let expected = if units > 0 { vec![(Overpayment, Some("INV-1".to_owned()), None, Decimal::new(units, 2))] } else { vec![] };
        prop_assert_eq!(b.findings(), expected);
    }

    /// R8: a late fee above the rate on what was unpaid is excess by the difference; at or
    /// below it, it stands.
    #[test]
    fn late_fees_are_held_to_the_rate_on_what_was_unpaid(cents in -100i64..300) {
        // 1.5 % of 99.00 unpaid is 1.49.
        let fee = dec("1.49") + Decimal::new(cents, 2);
        prop_assume!(fee >= Decimal::ZERO);
        let b = late_fee_case("2025-03-20", Some("2025-03-10"), &fee.to_string());
        let expected = if cents > 0 { vec![(LateFeeExcess, Some("INV-2".to_owned()), Some(1), Decimal::new(cents, 2))] } else { vec![] };
        prop_assert_eq!(b.findings(), expected);
    }

    /// Verdicts: the adjustment is the positive impacts on what is disputed, and the verdict
    /// follows from it and the claim.
    #[test]
    fn verdicts_follow_from_what_was_found_and_claimed(overcharge_cents in 0i64..5_000, claim_cents in 0i64..10_000) {
        let (mut b, inv) = hosting_in("USD");
        b.data.lines[0].amount += Decimal::new(overcharge_cents, 2);
        b.dispute(inv, Some(1), &Decimal::new(claim_cents, 2).to_string());
        let data = b.build();
        let audit = redress_audit::audit(&data);
        let found = Decimal::new(overcharge_cents, 2);
        let verdict = &audit.verdicts[0];
        prop_assert_eq!(verdict.adjustment, found);
        let expected = if found.is_zero() {
            Verdict::Rejected
        } else if found >= Decimal::new(claim_cents, 2) {
            Verdict::Upheld
        } else {
            Verdict::PartiallyUpheld
        };
        prop_assert_eq!(verdict.verdict, expected);
    }
}

/// [`hosting`] in another currency: HOST at 100 less 10 %, 10 % tax, one right January line.
fn hosting_in(code: &str) -> (Billing, redress_domain::InvoiceIdx) {
    let mut b = Billing::new(code, "10");
    b.price("HOST", "100", "10", "2025-01-01", None);
    let inv = b.invoice("INV-1", "2025-02-01");
    b.charge(inv, "HOST", JAN, "1", "100", "10", None);
    b.delivery("HOST", "2025-01-15", "1");
    (b, inv)
}
