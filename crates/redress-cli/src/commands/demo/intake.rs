//! More disputes than the export carries: customers' complaints taken by the demo agent on the
//! phone, by email and on the portal: some about invoices still unpaid (most of them the last
//! month's), some about lines really over-billed, some about invoices that may well be right.
//! Each is verified by the service as it is taken.

use super::billing::{Generated, Overbilled};
use super::words;
use anyhow::Context;
use fastrand::Rng;
use redress_domain::{BillingData, Date, Decimal, DisputeReason, InvoiceIdx};
use redress_service::{Actor, DisputeIntake, Redress};
use std::collections::BTreeSet;

/// The disputes the demo's business has, per customer, in the end (imported and taken).
const DISPUTES_PER_CUSTOMER: f64 = 0.72;

/// Disputes taken about unpaid invoices at least, whatever the export held: what a plan, a
/// goodwill discount or a write-off can settle.
const UNPAID_AT_LEAST: usize = 10;

/// The fewest disputes a demo has (while its invoices allow): enough for every status and
/// every kind of resolution.
const AT_LEAST: usize = 24;

/// How many disputes to take beside the `imported` ones, for `customers` customers.
pub fn how_many(customers: u32, imported: usize) -> usize {
    let wanted = ((f64::from(customers) * DISPUTES_PER_CUSTOMER).round() as usize).max(AT_LEAST);
    wanted.saturating_sub(imported).max(UNPAID_AT_LEAST)
}

/// Of the disputes taken after the first ones about unpaid invoices, the share about a line
/// really over-billed (while there are such lines nobody disputed); the others are about
/// invoices that may well be right.
const ABOUT_AN_ERROR: f64 = 0.5;

/// Takes `count` disputes as `agent`, on invoices nobody disputed yet, some about the lines
/// `overbilled`; gives their ids, in the order taken.
pub async fn take_disputes(
    redress: &Redress,
    agent: &Actor,
    export: &Generated,
    count: usize,
    rng: &mut Rng,
) -> anyhow::Result<Vec<String>> {
    let data = &export.data;
    let mut disputed: BTreeSet<usize> =
        data.disputes.iter().map(|d| d.invoice.0 as usize).collect();
    let today = export_day(data);
    // Unpaid: mostly the last month's invoices, and some older ones a customer withholds.
    let mut paid = vec![Decimal::ZERO; data.invoices.len()];
    for payment in &data.payments {
        paid[payment.invoice.index()] += payment.amount;
    }
    let unpaid: Vec<usize> = (0..data.invoices.len())
        .filter(|&i| data.invoices[i].total > paid[i])
        .collect();
    let mut errors = export.overbilled.iter();
    let mut taken = Vec::with_capacity(count);
    for n in 0..count {
        if n >= UNPAID_AT_LEAST && rng.f64() < ABOUT_AN_ERROR {
            let next = errors.by_ref().find_map(|error| {
                let invoice = data.invoice_ids.get(&error.invoice_id)? as usize;
                (!disputed.contains(&invoice)).then_some((invoice, error))
            });
            if let Some((invoice, error)) = next {
                disputed.insert(invoice);
                let intake = complaint_about(data, invoice, error, today, rng);
                taken.push(take(redress, agent, intake).await?);
                continue;
            }
        }
        let from_unpaid = n < UNPAID_AT_LEAST || rng.f64() < 0.35;
        let undisputed = |i: &usize| !disputed.contains(i);
        let mut pool: Vec<usize> = if from_unpaid {
            unpaid.iter().copied().filter(undisputed).collect()
        } else {
            Vec::new()
        };
        if pool.is_empty() {
            pool = (0..data.invoices.len()).filter(undisputed).collect();
        }
        if pool.is_empty() {
            break;
        }
        let invoice = pool[rng.usize(..pool.len())];
        disputed.insert(invoice);
        let intake = complaint(data, invoice, today, rng);
        taken.push(take(redress, agent, intake).await?);
    }
    Ok(taken)
}

/// Takes the dispute `intake` as `agent`; gives its id.
async fn take(redress: &Redress, agent: &Actor, intake: DisputeIntake) -> anyhow::Result<String> {
    let invoice = intake.invoice_id.clone();
    let dispute = redress
        .disputes()
        .open(agent, intake)
        .await
        .with_context(|| format!("cannot take a dispute of {invoice}"))?;
    Ok(dispute.id)
}

/// The day the export was taken: the demo's today, two weeks after the last invoices.
pub fn export_day(data: &BillingData) -> Date {
    let latest = data
        .invoices
        .iter()
        .map(|i| i.issue_date)
        .max()
        .unwrap_or(Date::constant(2025, 1, 1));
    latest
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(latest)
}

/// A customer's complaint about a line really over-billed: the reason the error suggests, and
/// what it cost them claimed (or half of it, or more).
fn complaint_about(
    data: &BillingData,
    invoice: usize,
    error: &Overbilled,
    today: Date,
    rng: &mut Rng,
) -> DisputeIntake {
    let mut intake = complaint(data, invoice, today, rng);
    let currency = data.invoice(InvoiceIdx(invoice as u32)).currency;
    intake.line_no = Some(error.line_no);
    intake.reason = match error.kind.as_str() {
        "duplicate_charge" => DisputeReason::Duplicate,
        "price_mismatch" | "discount_missing" => DisputeReason::WrongPrice,
        "quantity_overbilled" => DisputeReason::NotReceived,
        "late_fee_excess" | "late_fee_unwarranted" => DisputeReason::LateFee,
        "tax_mismatch" | "total_mismatch" => DisputeReason::Other,
        _ => DisputeReason::Overcharged,
    };
    let r = rng.f64();
    intake.claimed_amount = if r < 0.5 {
        error.impact
    } else if r < 0.75 {
        currency.round(error.impact / Decimal::TWO)
    } else {
        currency.round(error.impact * Decimal::new(13, 1))
    };
    intake.narrative = words::narrative(
        intake.reason,
        &intake.invoice_id,
        intake.line_no,
        &intake.channel,
        rng,
    );
    intake
}

/// A customer's complaint about `invoice`: a line or the whole invoice, a reason, part of a
/// line's amount claimed, in the customer's words, by one channel or another.
fn complaint(data: &BillingData, invoice: usize, today: Date, rng: &mut Rng) -> DisputeIntake {
    let idx = InvoiceIdx(invoice as u32);
    let bill = data.invoice(idx);
    let lines: Vec<(u32, Decimal)> = data
        .lines
        .iter()
        .filter(|l| l.invoice == idx && l.amount > Decimal::ZERO)
        .map(|l| (l.line_no, l.amount))
        .collect();
    let (line_no, base) = match lines.get(rng.usize(..lines.len().max(1))) {
        Some(&(line_no, amount)) if rng.f64() < 0.75 => (Some(line_no), amount),
        Some(&(_, amount)) => (None, amount),
        None => (None, bill.subtotal),
    };
    let share = Decimal::from(rng.i64(2..=10)) / Decimal::TEN;
    let claimed = bill.currency.round(base * share).max(Decimal::ZERO);
    let (reason, _) = DisputeReason::ALL[rng.usize(..DisputeReason::ALL.len())];
    let invoice_id = data.invoice_id(idx).to_owned();
    let channel = ["email", "phone", "portal", "email", "phone"][rng.usize(..5)];
    let narrative = words::narrative(reason, &invoice_id, line_no, channel, rng);
    let days = rng.i64(2..=40);
    let opened_on = bill
        .issue_date
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(bill.issue_date)
        .min(today);
    DisputeIntake {
        id: None,
        invoice_id,
        line_no,
        reason,
        claimed_amount: claimed,
        narrative,
        channel: channel.to_owned(),
        opened_on: Some(opened_on),
    }
}
