//! How the desk writes values for people: money with its currency first and its digits grouped
//! (`USD 1,234.50`), days as `5 Nov 2026`, and the words for reasons, statuses and roles.
//! Everything here is in English; the portal's languages come later.

use redress_domain::arrears::{ArrearsOption, ArrearsStatus};
use redress_domain::ledger::EntryKind;
use redress_domain::message::{DeliveryState, DocumentRef, MessageKind};
use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
use redress_domain::{
    Currency, Date, Decimal, DisputeReason, DisputeStatus, Language, Money, Role, Timestamp,
};
use redress_service::records::FindingKind;

/// An amount as shown: its text and the plain number for `<data value>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// `USD 1,234.50`: the code first, the digits grouped by thousands, exactly the currency's
    /// decimals.
    pub text: String,
    /// `1234.50`: the machine-readable value.
    pub value: String,
}

/// `seconds` in words: `45 seconds`, `12 minutes`, `2 hours 5 minutes`.
pub fn duration(seconds: u64) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match seconds {
        0..60 => plural(seconds, "second", "seconds"),
        60..3600 => plural(seconds / 60, "minute", "minutes"),
        _ => {
            let (hours, minutes) = (seconds / 3600, seconds % 3600 / 60);
            if minutes == 0 {
                plural(hours, "hour", "hours")
            } else {
                format!(
                    "{} {}",
                    plural(hours, "hour", "hours"),
                    plural(minutes, "minute", "minutes")
                )
            }
        }
    }
}

/// `money` as the desk shows it.
pub fn money(money: Money) -> Amount {
    amount(money.amount, money.currency)
}

/// `value` of `currency` as the desk shows it.
pub fn amount(value: Decimal, currency: Currency) -> Amount {
    let plain = currency.format(value);
    Amount {
        text: format!("{} {}", currency.code(), grouped(&plain)),
        value: plain,
    }
}

/// `-1234567.50` → `-1,234,567.50`.
fn grouped(plain: &str) -> String {
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (whole, decimals) = match digits.split_once('.') {
        Some((whole, decimals)) => (whole, Some(decimals)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(plain.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(decimals) = decimals {
        out.push('.');
        out.push_str(decimals);
    }
    out
}

/// A day as shown: `5 Nov 2026`, with its ISO form for `<time datetime>` and how long ago it
/// was for its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// `2026-11-05`.
    pub iso: String,
    /// `5 Nov 2026`.
    pub text: String,
    /// `3 days ago`, `today`, `in 2 days`.
    pub relative: String,
}

/// `date` as the desk shows it, seen from `today`.
pub fn day(date: Date, today: Date) -> Day {
    Day {
        iso: date.to_string(),
        text: date.strftime("%-d %b %Y").to_string(),
        relative: relative_days(days_between(date, today)),
    }
}

/// How many whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

/// `n` days as a phrase: `today`, `yesterday`, `3 days ago`, `in 2 days`.
fn relative_days(n: i64) -> String {
    match n {
        0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        -1 => "tomorrow".to_owned(),
        n if n > 1 => format!("{n} days ago"),
        n => format!("in {} days", -n),
    }
}

/// `n days`, `1 day`.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

/// A moment as shown: `5 Nov 2026, 14:03` (UTC), with its RFC 3339 form for
/// `<time datetime>` and the day's distance for its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// `2026-11-05T14:03:00Z`.
    pub iso: String,
    /// `5 Nov 2026, 14:03`.
    pub text: String,
    /// `3 days ago`.
    pub relative: String,
}

/// `at` as the desk shows it, in UTC.
pub fn moment(at: Timestamp) -> Moment {
    let utc = jiff::tz::TimeZone::UTC.to_datetime(at);
    Moment {
        iso: at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        text: utc.strftime("%-d %b %Y, %H:%M").to_string(),
        relative: relative_days(days_between(utc.date(), today())),
    }
}

/// A kind of resolution in words: `Credit note`.
pub fn resolution_kind(kind: ResolutionKind) -> &'static str {
    match kind {
        ResolutionKind::CreditNote => "Credit note",
        ResolutionKind::Refund => "Refund",
        ResolutionKind::AccountCredit => "Account credit",
        ResolutionKind::Goodwill => "Goodwill discount",
        ResolutionKind::PaymentPlan => "Payment plan",
        ResolutionKind::WriteOff => "Write-off",
        ResolutionKind::Reject => "Rejection of the claim",
        ResolutionKind::CorrectedInvoice => "Corrected invoice",
    }
}

/// A resolution's status in words, with its tag's look.
pub fn resolution_status(status: ResolutionStatus) -> (&'static str, &'static str) {
    match status {
        ResolutionStatus::PendingApproval => ("Waiting for approval", "tag--warn"),
        ResolutionStatus::Applied => ("Approved and applied", "tag--ok"),
        ResolutionStatus::Offered => ("Offered, waiting for the customer", "tag--info"),
        ResolutionStatus::Refused => ("Refused", "tag--mute"),
        ResolutionStatus::Declined => ("Declined", "tag--mute"),
    }
}

/// A kind of finding in words: `Unit price other than the contract's`.
pub fn finding_kind(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::OutsideContract => "Charged for a period outside the contract",
        FindingKind::UnknownCharge => "Charged for something with no contract price",
        FindingKind::DuplicateCharge => "The same charge billed twice",
        FindingKind::PriceMismatch => "Unit price other than the contract's",
        FindingKind::DiscountMissing => "The contract's discount not given",
        FindingKind::LineArithmetic => "The line's amount does not add up",
        FindingKind::QuantityOverbilled => "More units billed than delivered",
        FindingKind::UnbilledDelivery => "Units delivered and not billed",
        FindingKind::TaxMismatch => "Tax other than the contract's rate",
        FindingKind::TotalMismatch => "Subtotal or total does not add up",
        FindingKind::Overpayment => "Paid more than the invoice's total",
        FindingKind::LateFeeUnwarranted => "A late fee with no ground",
        FindingKind::LateFeeExcess => "A late fee above the contract's rate",
    }
}

/// Today, in UTC (as the days Redress keeps are).
pub fn today() -> Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// A reason in words, capitalized: `Wrong price`.
pub fn reason(reason: DisputeReason) -> &'static str {
    match reason {
        DisputeReason::Overcharged => "Overcharged",
        DisputeReason::Duplicate => "Duplicate charge",
        DisputeReason::NotReceived => "Not received",
        DisputeReason::WrongPrice => "Wrong price",
        DisputeReason::LateFee => "Late fee",
        DisputeReason::Other => "Other",
    }
}

/// A status in words: `Awaiting customer`.
pub fn status(status: DisputeStatus) -> &'static str {
    match status {
        DisputeStatus::Open => "Open",
        DisputeStatus::Acknowledged => "Acknowledged",
        DisputeStatus::Investigating => "Investigating",
        DisputeStatus::AwaitingCustomer => "Awaiting customer",
        DisputeStatus::Resolved => "Resolved",
        DisputeStatus::Closed => "Closed",
        DisputeStatus::Withdrawn => "Withdrawn",
    }
}

/// The tag's look for a status (its word says it; the colour only helps).
pub fn status_tone(status: DisputeStatus) -> &'static str {
    match status {
        DisputeStatus::Open | DisputeStatus::Acknowledged => "tag--info",
        DisputeStatus::Investigating | DisputeStatus::AwaitingCustomer => "tag--warn",
        DisputeStatus::Resolved => "tag--ok",
        DisputeStatus::Closed | DisputeStatus::Withdrawn => "tag--mute",
    }
}

/// A role in words: `Approver`.
pub fn role(role: Role) -> &'static str {
    match role {
        Role::Agent => "Agent",
        Role::Approver => "Approver",
        Role::Admin => "Admin",
        Role::Auditor => "Auditor",
    }
}

/// How long an open dispute may wait before it is flagged as ageing.
pub const AGEING_AFTER_DAYS: i64 = 7;

/// The days an open dispute has waited since it was opened, when that is more than
/// [`AGEING_AFTER_DAYS`]; `None` for a dispute closed or not yet ageing.
pub fn ageing(status: DisputeStatus, opened_on: Date, today: Date) -> Option<i64> {
    let waited = days_between(opened_on, today);
    (status.is_open() && waited > AGEING_AFTER_DAYS).then_some(waited)
}

/// A balance as shown: its amount without its sign, and the sign in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// `USD 1,234.50 owed`, `USD 85.00 in credit`, or `Settled`.
    pub words: String,
    /// The signed amount, for `<data value>` (above zero: the customer owes it).
    pub value: String,
}

/// What a customer owes (`value` above zero), or is owed (below), in words: `USD 1,234.50
/// owed`, `USD 85.00 in credit`, `Settled` at zero.
pub fn balance(value: Decimal, currency: Currency) -> Balance {
    let shown = amount(value.abs(), currency);
    let words = if currency.shown(value).is_zero() {
        "Settled".to_owned()
    } else if value > Decimal::ZERO {
        format!("{} owed", shown.text)
    } else {
        format!("{} in credit", shown.text)
    };
    Balance {
        words,
        value: amount(value, currency).value,
    }
}

/// A ledger entry's kind in words: `Credit note`.
pub fn entry_kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Invoice => "Invoice",
        EntryKind::Payment => "Payment",
        EntryKind::CreditNote => "Credit note",
        EntryKind::Refund => "Refund",
        EntryKind::AccountCredit => "Account credit",
        EntryKind::Goodwill => "Goodwill discount",
        EntryKind::WriteOff => "Write-off",
    }
}

/// An arrears case's status in words: `Awaiting approval`.
pub fn arrears_status(status: ArrearsStatus) -> &'static str {
    match status {
        ArrearsStatus::Open => "Open",
        ArrearsStatus::Offered => "Offered",
        ArrearsStatus::AwaitingApproval => "Awaiting approval",
        ArrearsStatus::Settled => "Settled",
    }
}

/// The tag's look for an arrears case's status.
pub fn arrears_tone(status: ArrearsStatus) -> &'static str {
    match status {
        ArrearsStatus::Open => "tag--info",
        ArrearsStatus::Offered | ArrearsStatus::AwaitingApproval => "tag--warn",
        ArrearsStatus::Settled => "tag--ok",
    }
}

/// An option of an arrears case in words: `A payment plan`.
pub fn arrears_option(option: ArrearsOption) -> &'static str {
    match option {
        ArrearsOption::NextInvoice => "On the next invoice",
        ArrearsOption::SeparateInvoice => "On an invoice of its own",
        ArrearsOption::PaymentPlan => "A payment plan",
        ArrearsOption::Compromise => "A compromise: part waived, the rest billed",
        ArrearsOption::Waive => "Waived",
    }
}

/// What a message is for, in words: `Explanation of the charges`.
pub fn message_kind(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Acknowledgement => "Acknowledgement",
        MessageKind::InformationRequest => "Request for information",
        MessageKind::Explanation => "Explanation of the charges",
        MessageKind::ResolutionOffer => "Resolution offer",
        MessageKind::StatusUpdate => "Status update",
        MessageKind::Confirmation => "Confirmation of what was done",
        MessageKind::ArrearsNotice => "Arrears notice",
        MessageKind::SatisfactionFollowUp => "Satisfaction follow-up",
        MessageKind::Note => "Note",
        MessageKind::CustomerReply => "Reply from the customer",
    }
}

/// What the agent does to write a message of `kind`, as its link reads: `Explain the charges`.
pub fn message_act(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::InformationRequest => "Request information",
        MessageKind::Explanation => "Explain the charges",
        MessageKind::ResolutionOffer => "Offer a resolution",
        MessageKind::StatusUpdate => "Status update",
        MessageKind::Confirmation => "Confirm what was done",
        MessageKind::Note => "Write a note",
        other => message_kind(other),
    }
}

/// A language Redress writes in, in English words: `Spanish`.
pub fn language(language: Language) -> &'static str {
    match language {
        Language::English => "English",
        Language::Spanish => "Spanish",
        Language::SimplifiedChinese => "Simplified Chinese",
    }
}

/// Where a message's delivery stands, in words (with when it was delivered, or why it failed
/// and what to do), and its tag's look.
pub fn delivery(
    state: DeliveryState,
    delivered_at: Option<Timestamp>,
    last_error: Option<&str>,
) -> (String, &'static str) {
    match state {
        DeliveryState::Waiting => ("Waiting to be sent".to_owned(), "tag--info"),
        DeliveryState::Sending => ("Sending".to_owned(), "tag--info"),
        DeliveryState::Delivered => (
            match delivered_at {
                Some(at) => format!("Delivered {}", moment(at).text),
                None => "Delivered".to_owned(),
            },
            "tag--ok",
        ),
        DeliveryState::Failed => (
            match last_error.map(str::trim).filter(|e| !e.is_empty()) {
                Some(error) => {
                    format!("Failed: {error} \u{2014} check the address and send again")
                }
                None => "Failed \u{2014} check the address and send again".to_owned(),
            },
            "tag--bad",
        ),
    }
}

/// A document Redress issued, in words: `Credit note CN-2026-000001`.
pub fn document(document: &DocumentRef) -> String {
    match document {
        DocumentRef::CreditNote(id) => format!("Credit note {id}"),
        DocumentRef::IssuedInvoice(id) => format!("Invoice {id}"),
    }
}

/// A document's page on the desk.
pub fn document_page(document: &DocumentRef) -> String {
    match document {
        DocumentRef::CreditNote(id) => format!("/credit-notes/{id}"),
        DocumentRef::IssuedInvoice(id) => format!("/issued-invoices/{id}"),
    }
}

/// A document as PDF, in its customer's language, or in `language` when given.
pub fn document_pdf(document: &DocumentRef, language: Option<Language>) -> String {
    let path = match document {
        DocumentRef::CreditNote(id) => format!("/documents/credit-notes/{id}.pdf"),
        DocumentRef::IssuedInvoice(id) => format!("/documents/issued-invoices/{id}.pdf"),
    };
    match language {
        Some(language) => format!("{path}?language={}", language.tag()),
        None => path,
    }
}

/// A tax rate in percent: `20 %`.
pub fn percent(rate: Decimal) -> String {
    format!("{} %", rate.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Amount {
        amount(text.parse().unwrap(), Currency::from_code("USD").unwrap())
    }

    #[test]
    fn money_is_written_with_its_code_first_its_thousands_grouped_and_its_decimals() {
        assert_eq!(usd("1234.5").text, "USD 1,234.50");
        assert_eq!(usd("1234.5").value, "1234.50");
        assert_eq!(usd("0").text, "USD 0.00");
        assert_eq!(usd("999.99").text, "USD 999.99");
        assert_eq!(usd("1000000").text, "USD 1,000,000.00");
        assert_eq!(usd("-12345.678").text, "USD -12,345.68");
        let yen = amount(
            "1234567".parse().unwrap(),
            Currency::from_code("JPY").unwrap(),
        );
        assert_eq!(yen.text, "JPY 1,234,567");
        let dinar = amount(
            "1234.5".parse().unwrap(),
            Currency::from_code("KWD").unwrap(),
        );
        assert_eq!(dinar.text, "KWD 1,234.500");
    }

    #[test]
    fn a_balance_says_its_sign_in_words() {
        let usd = Currency::from_code("USD").unwrap();
        assert_eq!(
            balance("1234.5".parse().unwrap(), usd).words,
            "USD 1,234.50 owed"
        );
        assert_eq!(
            balance("-85".parse().unwrap(), usd).words,
            "USD 85.00 in credit"
        );
        assert_eq!(balance("-85".parse().unwrap(), usd).value, "-85.00");
        assert_eq!(balance(Decimal::ZERO, usd).words, "Settled");
    }

    #[test]
    fn a_day_is_written_day_month_year_with_how_long_ago_it_was() {
        let today: Date = "2026-11-08".parse().unwrap();
        let shown = day("2026-11-05".parse().unwrap(), today);
        assert_eq!(shown.text, "5 Nov 2026");
        assert_eq!(shown.iso, "2026-11-05");
        assert_eq!(shown.relative, "3 days ago");
        assert_eq!(day(today, today).relative, "today");
    }

    #[test]
    fn a_delivery_says_where_it_stands_and_a_failure_what_to_do() {
        assert_eq!(
            delivery(DeliveryState::Waiting, None, None),
            ("Waiting to be sent".to_owned(), "tag--info")
        );
        let at: Timestamp = "2026-11-05T14:03:00Z".parse().unwrap();
        assert_eq!(
            delivery(DeliveryState::Delivered, Some(at), None).0,
            "Delivered 5 Nov 2026, 14:03"
        );
        assert_eq!(
            delivery(DeliveryState::Failed, None, Some("550 mailbox unavailable")),
            (
                "Failed: 550 mailbox unavailable \u{2014} check the address and send again"
                    .to_owned(),
                "tag--bad"
            )
        );
    }

    #[test]
    fn an_open_dispute_is_ageing_after_a_week_and_a_closed_one_never() {
        let today: Date = "2026-11-20".parse().unwrap();
        let opened: Date = "2026-11-10".parse().unwrap();
        assert_eq!(ageing(DisputeStatus::Open, opened, today), Some(10));
        assert_eq!(ageing(DisputeStatus::Closed, opened, today), None);
        let recent: Date = "2026-11-13".parse().unwrap();
        assert_eq!(ageing(DisputeStatus::Investigating, recent, today), None);
    }
}
