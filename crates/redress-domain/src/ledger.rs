//! The customer account ledger, in double entry: each business event (an invoice issued, a
//! payment received, a credit note, a refund, an account credit, a goodwill discount, a write-off)
//! posts one journal entry whose debits equal its credits, in one currency.
//!
//! A [`JournalEntry`] cannot be built unbalanced, and a [`CustomerAccount`] refuses any
//! operation that would break the books: a refund above what was paid, a credit note above what
//! a line charged, a write-off above what is still open, an amount in another currency, or the
//! same event posted twice.

use crate::calendar::{Date, Timestamp, timestamp_text};
use crate::money::Currency;
use crate::number::{Decimal, percent_of};
use crate::resolution::PaymentPlan;
use jiff::tz::Offset;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// An account of the chart the customer ledger posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// What the customer owes (a debit balance); below zero, the customer is in credit.
    Receivable,
    /// Sales, net of tax.
    Revenue,
    /// Tax charged to customers, owed to the tax authority.
    TaxPayable,
    /// Money in the bank.
    Cash,
    /// Revenue taken back by credit notes (net of tax): charges that were wrong.
    SalesCorrections,
    /// Goodwill discounts and account credits: concessions that admit no error.
    Allowances,
    /// Balances written off as not to be collected.
    BadDebt,
    /// What an invoice's stated total differs from its net and tax: an arithmetic error on
    /// the invoice, kept apart so that the customer is owed what they were billed and the error
    /// stays in sight until it is corrected.
    BillingDifferences,
}

impl Account {
    /// Every account, in the chart's order.
    pub const ALL: [Account; 8] = [
        Self::Receivable,
        Self::Revenue,
        Self::TaxPayable,
        Self::Cash,
        Self::SalesCorrections,
        Self::Allowances,
        Self::BadDebt,
        Self::BillingDifferences,
    ];

    /// The account's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receivable => "receivable",
            Self::Revenue => "revenue",
            Self::TaxPayable => "tax_payable",
            Self::Cash => "cash",
            Self::SalesCorrections => "sales_corrections",
            Self::Allowances => "allowances",
            Self::BadDebt => "bad_debt",
            Self::BillingDifferences => "billing_differences",
        }
    }

    /// The account with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side of an account a line is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// Left: increases what the customer owes, cash and expenses.
    Debit,
    /// Right: increases revenue, tax owed and what the customer is owed.
    Credit,
}

impl Side {
    /// Both sides.
    pub const ALL: [Side; 2] = [Self::Debit, Self::Credit];

    /// The side's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debit => "debit",
            Self::Credit => "credit",
        }
    }

    /// The side named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One line of a journal entry: an amount on one side of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryLine {
    /// The account.
    pub account: Account,
    /// Debit or credit.
    pub side: Side,
    /// Always more than zero, in the entry's currency.
    pub amount: Decimal,
}

impl EntryLine {
    /// A debit of `amount` to `account`.
    pub fn debit(account: Account, amount: Decimal) -> Self {
        Self {
            account,
            side: Side::Debit,
            amount,
        }
    }

    /// A credit of `amount` to `account`.
    pub fn credit(account: Account, amount: Decimal) -> Self {
        Self {
            account,
            side: Side::Credit,
            amount,
        }
    }
}

/// What a journal entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// An invoice issued.
    Invoice,
    /// Money received against an invoice (an instalment of a plan is one too).
    Payment,
    /// A credit note issued against an invoice.
    CreditNote,
    /// Money paid back against a payment.
    Refund,
    /// A balance given to the customer to use on future invoices.
    AccountCredit,
    /// A discount on an invoice that admits no error.
    Goodwill,
    /// An open balance written off.
    WriteOff,
}

impl EntryKind {
    /// Every kind.
    pub const ALL: [EntryKind; 7] = [
        Self::Invoice,
        Self::Payment,
        Self::CreditNote,
        Self::Refund,
        Self::AccountCredit,
        Self::Goodwill,
        Self::WriteOff,
    ];

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::Payment => "payment",
            Self::CreditNote => "credit_note",
            Self::Refund => "refund",
            Self::AccountCredit => "account_credit",
            Self::Goodwill => "goodwill",
            Self::WriteOff => "write_off",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// When a ledger entry happened: the day of an invoice or payment of the billing data, or the
/// moment of a document Redress issued. Entries sort as their dates are written (a day before
/// the moments within it, which are in UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryDate {
    /// A day: an invoice issued, a payment received.
    Day(Date),
    /// A moment: a document Redress issued, a plan's instalment received.
    At(Timestamp),
}

impl EntryDate {
    /// The day it falls on (in UTC for a moment).
    pub fn day(self) -> Date {
        match self {
            Self::Day(day) => day,
            Self::At(moment) => Offset::UTC.to_datetime(moment).date(),
        }
    }

    /// The moment, for a document Redress issued.
    pub fn moment(self) -> Option<Timestamp> {
        match self {
            Self::Day(_) => None,
            Self::At(moment) => Some(moment),
        }
    }
}

impl Ord for EntryDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.day(), self.moment()).cmp(&(other.day(), other.moment()))
    }
}

impl PartialOrd for EntryDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for EntryDate {
    /// `YYYY-MM-DD` for a day, fixed-width RFC 3339 in UTC for a moment
    /// ([`timestamp_text`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day(day) => f.pad(&day.to_string()),
            Self::At(moment) => f.pad(&timestamp_text(*moment)),
        }
    }
}

/// What an invoice Redress issues is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssuedInvoiceKind {
    /// In place of a wrong invoice, which a credit note voided.
    Corrected,
    /// What an arrears case found under-billed.
    Arrears,
}

impl IssuedInvoiceKind {
    /// Every kind.
    pub const ALL: [IssuedInvoiceKind; 2] = [Self::Corrected, Self::Arrears];

    /// The kind's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Corrected => "corrected",
            Self::Arrears => "arrears",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for IssuedInvoiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The tax rates, in percent, of a document's lines, as an issued invoice or an arrears case
/// states its rate: the one rate, or each of several (lines of contracts taxed differently),
/// written `, `-separated, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TaxRates(Vec<Decimal>);

impl TaxRates {
    /// The distinct rates of `rates`, normalized (`20.00` is `20`) and in order.
    pub fn of(rates: impl IntoIterator<Item = Decimal>) -> Self {
        let mut rates: Vec<Decimal> = rates.into_iter().map(|rate| rate.normalize()).collect();
        rates.sort();
        rates.dedup();
        Self(rates)
    }

    /// The rates written `, `-separated (`8.875` or `8.875, 20`), each kept as written; `None`
    /// for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        text.split(", ")
            .map(|rate| crate::number::parse_decimal(rate).ok())
            .collect::<Option<Vec<_>>>()
            .map(Self)
    }

    /// The rates, in order.
    pub fn rates(&self) -> &[Decimal] {
        &self.0
    }

    /// The rate, when there is exactly one.
    pub fn single(&self) -> Option<Decimal> {
        match self.0[..] {
            [rate] => Some(rate),
            _ => None,
        }
    }
}

impl fmt::Display for TaxRates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.0.iter().map(Decimal::to_string).collect();
        f.pad(&text.join(", "))
    }
}

/// A balanced journal entry: debits equal credits, every amount above zero and a whole number
/// of the currency's minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// What it records.
    pub kind: EntryKind,
    /// The document it records (invoice, payment, credit note number, …): one entry per
    /// document, so that the same event is never posted twice.
    pub document: String,
    /// The invoice it concerns, when one.
    pub invoice: Option<String>,
    /// Its currency.
    pub currency: Currency,
    lines: Vec<EntryLine>,
}

/// Why a journal entry was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Fewer than two lines, or all on one side.
    #[error("a journal entry needs a debit and a credit")]
    OneSided,
    /// An amount of zero or less.
    #[error("{amount} is not an amount to post (expected more than zero)")]
    NotPositive {
        /// The amount.
        amount: Decimal,
    },
    /// An amount finer than the currency's minor unit.
    #[error("{amount} is not an amount of {currency} (at most {minor_unit} decimals)")]
    NotInCurrency {
        /// The amount.
        amount: Decimal,
        /// The entry's currency.
        currency: &'static str,
        /// Its decimals.
        minor_unit: u32,
    },
    /// Debits and credits differ.
    #[error("debits of {debits} and credits of {credits} do not balance")]
    Unbalanced {
        /// Sum of the debits.
        debits: Decimal,
        /// Sum of the credits.
        credits: Decimal,
    },
}

impl JournalEntry {
    /// The entry of `lines`, refused unless it balances.
    pub fn new(
        kind: EntryKind,
        document: impl Into<String>,
        invoice: Option<String>,
        currency: Currency,
        lines: Vec<EntryLine>,
    ) -> Result<Self, EntryError> {
        for line in &lines {
            if line.amount <= Decimal::ZERO {
                return Err(EntryError::NotPositive {
                    amount: line.amount,
                });
            }
            if !currency.fits(line.amount) {
                return Err(EntryError::NotInCurrency {
                    amount: line.amount,
                    currency: currency.code(),
                    minor_unit: currency.minor_unit(),
                });
            }
        }
        let total = |side| -> Decimal {
            lines
                .iter()
                .filter(|l| l.side == side)
                .map(|l| l.amount)
                .sum()
        };
        let (debits, credits) = (total(Side::Debit), total(Side::Credit));
        if debits.is_zero() || credits.is_zero() {
            return Err(EntryError::OneSided);
        }
        if debits != credits {
            return Err(EntryError::Unbalanced { debits, credits });
        }
        Ok(Self {
            kind,
            document: document.into(),
            invoice,
            currency,
            lines,
        })
    }

    /// The same entry, for the document given its number only once it is issued (a credit
    /// note checked before it takes a number).
    pub fn for_document(self, document: impl Into<String>) -> Self {
        Self {
            document: document.into(),
            ..self
        }
    }

    /// Its lines.
    pub fn lines(&self) -> &[EntryLine] {
        &self.lines
    }

    /// What it moves on `account`: debits minus credits.
    pub fn net(&self, account: Account) -> Decimal {
        self.lines
            .iter()
            .filter(|l| l.account == account)
            .map(|l| match l.side {
                Side::Debit => l.amount,
                Side::Credit => -l.amount,
            })
            .sum()
    }
}

/// One line of an invoice as the ledger knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerLine {
    /// Its number on the invoice.
    pub line_no: u32,
    /// Its net amount.
    pub net: Decimal,
    /// The tax rate charged on it, in percent: its contract's.
    pub tax_rate_percent: Decimal,
}

/// An invoice as the ledger knows it: its net lines with their tax rates, and its totals as
/// stated on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerInvoice {
    /// Its id.
    pub id: String,
    /// Its currency.
    pub currency: Currency,
    /// Its lines.
    pub lines: Vec<LedgerLine>,
    /// Net total, as stated.
    pub subtotal: Decimal,
    /// Tax, as stated.
    pub tax_total: Decimal,
    /// Amount due, as stated: what the customer was billed, and so what they owe. Where it is
    /// not net plus tax, the difference is kept apart ([`Account::BillingDifferences`]).
    pub total: Decimal,
}

impl LedgerInvoice {
    /// An invoice Redress issues of `lines`: its totals computed, tax at each line's rate
    /// (summed by rate, then rounded once per rate, as an invoice states tax).
    pub fn issued(id: impl Into<String>, currency: Currency, lines: Vec<LedgerLine>) -> Self {
        let subtotal: Decimal = lines.iter().map(|l| l.net).sum();
        let tax_total = tax_on(currency, lines.iter().map(|l| (l.net, l.tax_rate_percent)));
        Self {
            id: id.into(),
            currency,
            lines,
            subtotal,
            tax_total,
            total: subtotal + tax_total,
        }
    }

    /// Amount due, as stated.
    pub fn total(&self) -> Decimal {
        self.total
    }

    /// The line `line_no`.
    pub fn line(&self, line_no: u32) -> Option<&LedgerLine> {
        self.lines.iter().find(|l| l.line_no == line_no)
    }
}

/// The tax on net amounts at their rates: each rate's net summed, then its tax rounded to the
/// currency (half away from zero), as an invoice with lines at several rates states it.
pub fn tax_on(
    currency: Currency,
    amounts: impl IntoIterator<Item = (Decimal, Decimal)>,
) -> Decimal {
    let mut by_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
    for (net, rate) in amounts {
        *by_rate.entry(rate.normalize()).or_default() += net;
    }
    by_rate
        .into_iter()
        .map(|(rate, net)| currency.round(net * percent_of(rate)))
        .sum()
}

/// The lines of a credit note: how much of each invoice line's net amount it takes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNoteLines {
    /// `(line number, net amount credited)`.
    pub lines: Vec<(u32, Decimal)>,
}

/// A credit note's amounts, as the ledger posted them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditNoteAmounts {
    /// Net credited.
    pub net: Decimal,
    /// Tax credited: at each line's rate, never more than the invoice has left, and exactly
    /// what it has left once every line is credited in full.
    pub tax: Decimal,
}

impl CreditNoteAmounts {
    /// Net and tax.
    pub fn total(&self) -> Decimal {
        self.net + self.tax
    }
}

/// Why the ledger refused an operation. Nothing was posted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The document was posted already.
    #[error("{kind} `{document}` is posted already; nothing is posted twice")]
    AlreadyPosted {
        /// What it is.
        kind: &'static str,
        /// Its id or number.
        document: String,
    },
    /// No such invoice in the customer's account.
    #[error("no invoice `{0}` is in this customer's account")]
    UnknownInvoice(String),
    /// No such payment in the customer's account.
    #[error("no payment `{0}` is in this customer's account")]
    UnknownPayment(String),
    /// No such payment plan in the customer's account.
    #[error("no payment plan `{0}` is in this customer's account")]
    UnknownPlan(String),
    /// The invoice has no such line.
    #[error("invoice {invoice} has no line {line_no}")]
    UnknownLine {
        /// The invoice.
        invoice: String,
        /// The line asked for.
        line_no: u32,
    },
    /// An amount in another currency than the document's.
    #[error("the amount is in {given}, but {document} is in {expected}")]
    WrongCurrency {
        /// The currency given.
        given: &'static str,
        /// The document's.
        expected: &'static str,
        /// The document.
        document: String,
    },
    /// A refund above what the payment left to refund.
    #[error(
        "a refund of {asked} is more than payment {payment} has left to refund ({left} of {paid} paid)"
    )]
    RefundAbovePaid {
        /// The payment.
        payment: String,
        /// The refund asked.
        asked: Decimal,
        /// What can still be refunded.
        left: Decimal,
        /// What was paid.
        paid: Decimal,
    },
    /// A credit note above what a line has left to credit.
    #[error(
        "crediting {asked} on line {line_no} of invoice {invoice} is more than the line has left to credit ({left} of {charged} charged)"
    )]
    CreditAboveLine {
        /// The invoice.
        invoice: String,
        /// The line.
        line_no: u32,
        /// The amount asked.
        asked: Decimal,
        /// What can still be credited.
        left: Decimal,
        /// What the line charged.
        charged: Decimal,
    },
    /// A credit note for more than the invoice still charges, once the discounts and
    /// write-offs given on it are counted.
    #[error(
        "a credit note of {asked} (with tax) is more than invoice {invoice} still charges \
         ({charged}, after the credit notes, discounts and write-offs given on it)"
    )]
    CreditAboveCharged {
        /// The invoice.
        invoice: String,
        /// The credit note's total.
        asked: Decimal,
        /// What the invoice still charges.
        charged: Decimal,
    },
    /// A credit note line of zero or less, or finer than the currency's minor unit.
    #[error(
        "line {line_no}: {amount} is not an amount to credit in {currency} (more than zero, at most {minor_unit} decimals)"
    )]
    NotACreditAmount {
        /// The line.
        line_no: u32,
        /// The amount asked.
        amount: Decimal,
        /// The invoice's currency.
        currency: &'static str,
        /// Its decimals.
        minor_unit: u32,
    },
    /// A write-off or goodwill discount above what the invoice still has open.
    #[error("{asked} is more than invoice {invoice} has open ({open})")]
    AboveOpenBalance {
        /// The invoice.
        invoice: String,
        /// The amount asked.
        asked: Decimal,
        /// What is open on it.
        open: Decimal,
    },
    /// More than the invoice has open once what plans already spread is set aside.
    #[error(
        "{asked} is more than invoice {invoice} has open and not yet spread over a payment plan \
         ({available}: {open} open, {planned} of it due on plans already agreed)"
    )]
    AbovePlanned {
        /// The invoice.
        invoice: String,
        /// The amount asked.
        asked: Decimal,
        /// What is open and not planned.
        available: Decimal,
        /// What is open.
        open: Decimal,
        /// What plans already running still expect on it.
        planned: Decimal,
    },
    /// An instalment received for more than its invoice still has open.
    #[error(
        "instalment {number} of payment plan {plan} ({asked}) is more than invoice {invoice} has \
         open ({open}): it was credited, discounted or paid since the plan was agreed, so the \
         plan must be agreed again"
    )]
    InstalmentAboveOpen {
        /// The plan.
        plan: String,
        /// The instalment.
        number: u32,
        /// Its amount.
        asked: Decimal,
        /// The plan's invoice.
        invoice: String,
        /// What the invoice has open.
        open: Decimal,
    },
    /// An instalment the plan does not have.
    #[error("payment plan {plan} has no instalment {number} (it has {count})")]
    UnknownInstalment {
        /// The plan.
        plan: String,
        /// The number asked for.
        number: u32,
        /// How many it has.
        count: usize,
    },
    /// An instalment received already.
    #[error("instalment {number} of payment plan {plan} was received already")]
    InstalmentReceived {
        /// The plan.
        plan: String,
        /// The instalment.
        number: u32,
    },
    /// An account credit given on a dispute for more than the disputed invoice charged.
    #[error(
        "an account credit given on a dispute of invoice {invoice} is at most what it charged ({total}); {asked} is more"
    )]
    CreditAboveInvoice {
        /// The disputed invoice.
        invoice: String,
        /// The amount asked.
        asked: Decimal,
        /// What the invoice charged.
        total: Decimal,
    },
    /// An amount at or above what Redress takes in any currency.
    #[error("{amount} is not an amount Redress takes (below {ceiling})", ceiling = crate::money::AMOUNT_CEILING)]
    AboveCeiling {
        /// The amount.
        amount: Decimal,
    },
    /// The entry itself was wrong (an amount of zero, or finer than the currency allows).
    #[error(transparent)]
    Entry(#[from] EntryError),
}

/// What the ledger keeps of an invoice.
#[derive(Debug, Clone)]
struct InvoiceState {
    invoice: LedgerInvoice,
    /// Net credited so far, by line.
    credited: HashMap<u32, Decimal>,
    /// Tax credited so far.
    tax_credited: Decimal,
}

impl InvoiceState {
    /// What line `line_no` has left to credit, and what it charged.
    fn left_on_line(&self, line_no: u32) -> Option<(Decimal, Decimal)> {
        let line = self.invoice.line(line_no)?;
        let credited = self.credited.get(&line_no).copied().unwrap_or_default();
        Some((line.net - credited, line.net))
    }
}

/// What the ledger keeps of a payment.
#[derive(Debug, Clone)]
struct PaymentState {
    invoice: String,
    currency: Currency,
    amount: Decimal,
    refunded: Decimal,
}

/// What the ledger keeps of a payment plan: the instalments still to come, which the plan's
/// invoice owes in its name.
#[derive(Debug, Clone)]
struct PlanState {
    invoice: String,
    amounts: Vec<Decimal>,
    received: Vec<bool>,
}

impl PlanState {
    fn outstanding(&self) -> Decimal {
        self.amounts
            .iter()
            .zip(&self.received)
            .filter(|(_, received)| !**received)
            .map(|(amount, _)| *amount)
            .sum()
    }
}

/// One customer's account: the documents posted and the journal entries they made, and the
/// payment plans agreed. It is the one computation of what a customer owes, invoice by
/// invoice: every check of a posting and every view of the ledger uses it.
#[derive(Debug, Clone, Default)]
pub struct CustomerAccount {
    invoices: HashMap<String, InvoiceState>,
    payments: HashMap<String, PaymentState>,
    plans: HashMap<String, PlanState>,
    posted: HashSet<(EntryKind, String)>,
    entries: Vec<JournalEntry>,
}

impl CustomerAccount {
    /// An account with nothing posted.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries posted, in order.
    pub fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    /// The balance of `account` in `currency`: debits minus credits.
    pub fn balance(&self, account: Account, currency: Currency) -> Decimal {
        self.entries
            .iter()
            .filter(|e| e.currency == currency)
            .map(|e| e.net(account))
            .sum()
    }

    /// What the customer owes in each currency (below zero: what they are owed).
    pub fn balances(&self) -> BTreeMap<&'static str, Decimal> {
        let mut balances = BTreeMap::new();
        for entry in &self.entries {
            *balances
                .entry(entry.currency.code())
                .or_insert(Decimal::ZERO) += entry.net(Account::Receivable);
        }
        balances
    }

    /// What is still open on `invoice`: its total as billed, less what was paid, credited,
    /// discounted and written off against it, plus what was refunded of its payments. Below
    /// zero, the customer paid more than it now charges: a refund is owed.
    pub fn open_on(&self, invoice: &str) -> Decimal {
        self.entries
            .iter()
            .filter(|e| e.invoice.as_deref() == Some(invoice))
            .map(|e| e.net(Account::Receivable))
            .sum()
    }

    /// What `invoice` still charges: its total as billed, less what was credited, discounted
    /// and written off against it (what was paid and refunded aside). Never below zero: no
    /// invoice is credited beyond what it carried.
    pub fn charged_on(&self, invoice: &str) -> Decimal {
        self.entries
            .iter()
            .filter(|e| e.invoice.as_deref() == Some(invoice))
            .filter(|e| !matches!(e.kind, EntryKind::Payment | EntryKind::Refund))
            .map(|e| e.net(Account::Receivable))
            .sum()
    }

    /// What payment plans agreed on `invoice` still expect: their instalments not yet received.
    pub fn planned_on(&self, invoice: &str) -> Decimal {
        self.plans
            .values()
            .filter(|p| p.invoice == invoice)
            .map(PlanState::outstanding)
            .sum()
    }

    /// What is open on `invoice` and not yet spread over a plan: what a new plan, a goodwill
    /// discount or a write-off can still take.
    pub fn available_on(&self, invoice: &str) -> Decimal {
        self.open_on(invoice) - self.planned_on(invoice)
    }

    /// What each line of `invoice` has left to credit, in line order (`None`: no such invoice).
    pub fn left_to_credit(&self, invoice: &str) -> Option<Vec<(u32, Decimal)>> {
        let state = self.invoices.get(invoice)?;
        Some(
            state
                .invoice
                .lines
                .iter()
                .map(|line| {
                    let credited = state
                        .credited
                        .get(&line.line_no)
                        .copied()
                        .unwrap_or_default();
                    (line.line_no, line.net - credited)
                })
                .collect(),
        )
    }

    /// The tax `invoice` has left to credit (`None`: no such invoice).
    pub fn tax_left_to_credit(&self, invoice: &str) -> Option<Decimal> {
        let state = self.invoices.get(invoice)?;
        Some(state.invoice.tax_total - state.tax_credited)
    }

    /// The invoice `invoice` as it was posted.
    pub fn posted_invoice(&self, invoice: &str) -> Option<&LedgerInvoice> {
        self.invoices.get(invoice).map(|state| &state.invoice)
    }

    /// The invoices posted, in no particular order.
    pub fn invoices(&self) -> impl Iterator<Item = &LedgerInvoice> {
        self.invoices.values().map(|state| &state.invoice)
    }

    /// Whether `plan` can spread what `invoice` has open: in its currency, for no more than is
    /// open on it and not spread over another plan already. (A plan posts nothing; its
    /// instalments are payments when received.)
    pub fn check_plan(&self, invoice: &str, plan: &PaymentPlan) -> Result<(), LedgerError> {
        let expected = self.invoice(invoice)?.invoice.currency;
        Self::same_currency(plan.currency(), expected, invoice)?;
        self.within_available(invoice, plan.total())
    }

    /// Agrees `plan` (with id `id`) over `invoice`, checked as [`Self::check_plan`] checks it:
    /// from now on its instalments not yet received are set aside from what other plans,
    /// discounts and write-offs can take.
    pub fn agree_plan(
        &mut self,
        id: &str,
        invoice: &str,
        plan: &PaymentPlan,
    ) -> Result<(), LedgerError> {
        if self.plans.contains_key(id) {
            return Err(LedgerError::AlreadyPosted {
                kind: "payment_plan",
                document: id.to_owned(),
            });
        }
        self.check_plan(invoice, plan)?;
        self.plans.insert(
            id.to_owned(),
            PlanState {
                invoice: invoice.to_owned(),
                amounts: plan.instalments().iter().map(|i| i.amount).collect(),
                received: vec![false; plan.instalments().len()],
            },
        );
        Ok(())
    }

    /// Posts instalment `number` (from 1) of plan `plan` as received: a payment `document` of
    /// its amount against the plan's invoice, never for more than the invoice has open.
    pub fn receive_instalment(
        &mut self,
        plan: &str,
        number: u32,
        document: &str,
    ) -> Result<&JournalEntry, LedgerError> {
        let state = self
            .plans
            .get(plan)
            .ok_or_else(|| LedgerError::UnknownPlan(plan.to_owned()))?;
        let index = usize::try_from(number)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .filter(|&i| i < state.amounts.len())
            .ok_or_else(|| LedgerError::UnknownInstalment {
                plan: plan.to_owned(),
                number,
                count: state.amounts.len(),
            })?;
        if state.received[index] {
            return Err(LedgerError::InstalmentReceived {
                plan: plan.to_owned(),
                number,
            });
        }
        let (invoice, amount) = (state.invoice.clone(), state.amounts[index]);
        let open = self.open_on(&invoice);
        if amount > open {
            return Err(LedgerError::InstalmentAboveOpen {
                plan: plan.to_owned(),
                number,
                asked: amount,
                invoice,
                open,
            });
        }
        let currency = self.invoice(&invoice)?.invoice.currency;
        self.post_payment(document, &invoice, amount, currency)?;
        self.plans.get_mut(plan).expect("looked up above").received[index] = true;
        Ok(self.entries.last().expect("just posted"))
    }

    /// What payment `payment` has left to refund.
    pub fn refundable(&self, payment: &str) -> Option<Decimal> {
        self.payments.get(payment).map(|p| p.amount - p.refunded)
    }

    fn not_posted(&self, kind: EntryKind, document: &str) -> Result<(), LedgerError> {
        if self.posted.contains(&(kind, document.to_owned())) {
            return Err(LedgerError::AlreadyPosted {
                kind: kind.as_str(),
                document: document.to_owned(),
            });
        }
        Ok(())
    }

    fn invoice(&self, id: &str) -> Result<&InvoiceState, LedgerError> {
        self.invoices
            .get(id)
            .ok_or_else(|| LedgerError::UnknownInvoice(id.to_owned()))
    }

    fn same_currency(
        given: Currency,
        expected: Currency,
        document: &str,
    ) -> Result<(), LedgerError> {
        if given != expected {
            return Err(LedgerError::WrongCurrency {
                given: given.code(),
                expected: expected.code(),
                document: document.to_owned(),
            });
        }
        Ok(())
    }

    fn within_ceiling(amount: Decimal) -> Result<(), LedgerError> {
        if amount.abs() >= crate::money::AMOUNT_CEILING {
            return Err(LedgerError::AboveCeiling { amount });
        }
        Ok(())
    }

    /// Refuses `asked` unless it fits what `invoice` has open and no plan expects.
    fn within_available(&self, invoice: &str, asked: Decimal) -> Result<(), LedgerError> {
        let (open, planned) = (self.open_on(invoice), self.planned_on(invoice));
        if asked > open {
            return Err(LedgerError::AboveOpenBalance {
                invoice: invoice.to_owned(),
                asked,
                open,
            });
        }
        if asked > open - planned {
            return Err(LedgerError::AbovePlanned {
                invoice: invoice.to_owned(),
                asked,
                available: open - planned,
                open,
                planned,
            });
        }
        Ok(())
    }

    fn post(&mut self, entry: JournalEntry) -> &JournalEntry {
        self.posted.insert((entry.kind, entry.document.clone()));
        self.entries.push(entry);
        self.entries.last().expect("just pushed")
    }

    /// Posts an invoice issued: the customer owes its total as billed; revenue and tax are
    /// booked as stated, and where the total is not their sum, the difference is booked to
    /// [`Account::BillingDifferences`].
    pub fn post_invoice(&mut self, invoice: LedgerInvoice) -> Result<&JournalEntry, LedgerError> {
        self.not_posted(EntryKind::Invoice, &invoice.id)?;
        Self::within_ceiling(invoice.total)?;
        let mut lines = Vec::new();
        if invoice.total > Decimal::ZERO {
            lines.push(EntryLine::debit(Account::Receivable, invoice.total));
        } else if invoice.total < Decimal::ZERO {
            lines.push(EntryLine::credit(Account::Receivable, -invoice.total));
        }
        for (account, amount) in [
            (Account::Revenue, invoice.subtotal),
            (Account::TaxPayable, invoice.tax_total),
        ] {
            if amount > Decimal::ZERO {
                lines.push(EntryLine::credit(account, amount));
            } else if amount < Decimal::ZERO {
                lines.push(EntryLine::debit(account, -amount));
            }
        }
        let difference = invoice.total - invoice.subtotal - invoice.tax_total;
        if difference > Decimal::ZERO {
            lines.push(EntryLine::credit(Account::BillingDifferences, difference));
        } else if difference < Decimal::ZERO {
            lines.push(EntryLine::debit(Account::BillingDifferences, -difference));
        }
        let entry = JournalEntry::new(
            EntryKind::Invoice,
            invoice.id.clone(),
            Some(invoice.id.clone()),
            invoice.currency,
            lines,
        )?;
        self.invoices.insert(
            invoice.id.clone(),
            InvoiceState {
                invoice,
                credited: HashMap::new(),
                tax_credited: Decimal::ZERO,
            },
        );
        Ok(self.post(entry))
    }

    /// Posts money received against an invoice (an instalment of a plan is one too).
    pub fn post_payment(
        &mut self,
        payment: &str,
        invoice: &str,
        amount: Decimal,
        currency: Currency,
    ) -> Result<&JournalEntry, LedgerError> {
        self.not_posted(EntryKind::Payment, payment)?;
        Self::within_ceiling(amount)?;
        let invoice_currency = self.invoice(invoice)?.invoice.currency;
        Self::same_currency(currency, invoice_currency, invoice)?;
        let entry = JournalEntry::new(
            EntryKind::Payment,
            payment,
            Some(invoice.to_owned()),
            currency,
            vec![
                EntryLine::debit(Account::Cash, amount),
                EntryLine::credit(Account::Receivable, amount),
            ],
        )?;
        self.payments.insert(
            payment.to_owned(),
            PaymentState {
                invoice: invoice.to_owned(),
                currency,
                amount,
                refunded: Decimal::ZERO,
            },
        );
        Ok(self.post(entry))
    }

    /// Posts credit note `number` against `invoice`: each line's net amount as given (never
    /// more than the line has left to credit), and the tax on it at the line's rate, rounded to
    /// the currency, never more than the invoice has left to credit, and exactly what it has
    /// left once every line is credited in full (so that crediting an invoice line by line
    /// takes back exactly the tax it carried, not a rounding more or less).
    pub fn post_credit_note(
        &mut self,
        number: &str,
        invoice: &str,
        credited: &CreditNoteLines,
    ) -> Result<CreditNoteAmounts, LedgerError> {
        self.not_posted(EntryKind::CreditNote, number)?;
        let state = self.invoice(invoice)?;
        let currency = state.invoice.currency;
        let mut net = Decimal::ZERO;
        let mut asked_by_line: BTreeMap<u32, Decimal> = BTreeMap::new();
        for &(line_no, amount) in &credited.lines {
            // Each line on its own: a negative line would otherwise hide inside a positive total.
            if amount <= Decimal::ZERO || !currency.holds(amount) {
                return Err(LedgerError::NotACreditAmount {
                    line_no,
                    amount,
                    currency: currency.code(),
                    minor_unit: currency.minor_unit(),
                });
            }
            let (left, charged) =
                state
                    .left_on_line(line_no)
                    .ok_or_else(|| LedgerError::UnknownLine {
                        invoice: invoice.to_owned(),
                        line_no,
                    })?;
            let asked = asked_by_line.entry(line_no).or_insert(Decimal::ZERO);
            *asked += amount;
            if *asked > left {
                return Err(LedgerError::CreditAboveLine {
                    invoice: invoice.to_owned(),
                    line_no,
                    asked: *asked,
                    left,
                    charged,
                });
            }
            net += amount;
        }
        let tax_left = state.invoice.tax_total - state.tax_credited;
        let credited_in_full = state.invoice.lines.iter().all(|line| {
            let before = state
                .credited
                .get(&line.line_no)
                .copied()
                .unwrap_or_default();
            let now = asked_by_line
                .get(&line.line_no)
                .copied()
                .unwrap_or_default();
            before + now >= line.net
        });
        let tax = if credited_in_full {
            tax_left.max(Decimal::ZERO)
        } else {
            let rated = asked_by_line.iter().filter_map(|(line_no, amount)| {
                state
                    .invoice
                    .line(*line_no)
                    .map(|line| (*amount, line.tax_rate_percent))
            });
            tax_on(currency, rated).min(tax_left).max(Decimal::ZERO)
        };
        // With the discounts and write-offs given on it, the invoice charges no less than zero.
        let charged = self.charged_on(invoice);
        if net + tax > charged {
            return Err(LedgerError::CreditAboveCharged {
                invoice: invoice.to_owned(),
                asked: net + tax,
                charged,
            });
        }
        let mut lines = vec![
            EntryLine::debit(Account::SalesCorrections, net),
            EntryLine::credit(Account::Receivable, net + tax),
        ];
        if tax > Decimal::ZERO {
            lines.push(EntryLine::debit(Account::TaxPayable, tax));
        }
        let entry = JournalEntry::new(
            EntryKind::CreditNote,
            number,
            Some(invoice.to_owned()),
            currency,
            lines,
        )?;
        let state = self.invoices.get_mut(invoice).expect("looked up above");
        for (line_no, amount) in asked_by_line {
            *state.credited.entry(line_no).or_insert(Decimal::ZERO) += amount;
        }
        state.tax_credited += tax;
        self.post(entry);
        Ok(CreditNoteAmounts { net, tax })
    }

    /// Posts a refund of `amount` against `payment`: never more than the payment has left.
    pub fn post_refund(
        &mut self,
        refund: &str,
        payment: &str,
        amount: Decimal,
        currency: Currency,
    ) -> Result<&JournalEntry, LedgerError> {
        self.not_posted(EntryKind::Refund, refund)?;
        let paid = self
            .payments
            .get(payment)
            .ok_or_else(|| LedgerError::UnknownPayment(payment.to_owned()))?;
        Self::same_currency(currency, paid.currency, payment)?;
        let left = paid.amount - paid.refunded;
        if amount > left {
            return Err(LedgerError::RefundAbovePaid {
                payment: payment.to_owned(),
                asked: amount,
                left,
                paid: paid.amount,
            });
        }
        let entry = JournalEntry::new(
            EntryKind::Refund,
            refund,
            Some(paid.invoice.clone()),
            currency,
            vec![
                EntryLine::debit(Account::Receivable, amount),
                EntryLine::credit(Account::Cash, amount),
            ],
        )?;
        self.payments
            .get_mut(payment)
            .expect("looked up above")
            .refunded += amount;
        Ok(self.post(entry))
    }

    /// Posts an account credit: a balance the customer can use on future invoices.
    pub fn post_account_credit(
        &mut self,
        credit: &str,
        amount: Decimal,
        currency: Currency,
    ) -> Result<&JournalEntry, LedgerError> {
        self.not_posted(EntryKind::AccountCredit, credit)?;
        Self::within_ceiling(amount)?;
        let entry = JournalEntry::new(
            EntryKind::AccountCredit,
            credit,
            None,
            currency,
            vec![
                EntryLine::debit(Account::Allowances, amount),
                EntryLine::credit(Account::Receivable, amount),
            ],
        )?;
        Ok(self.post(entry))
    }

    /// Posts an account credit given on a dispute of `invoice`: never more than the invoice
    /// charged, in its currency (a credit is a concession on that bill, not a cheque to fill).
    pub fn post_account_credit_on(
        &mut self,
        credit: &str,
        invoice: &str,
        amount: Decimal,
        currency: Currency,
    ) -> Result<&JournalEntry, LedgerError> {
        let billed = &self.invoice(invoice)?.invoice;
        Self::same_currency(currency, billed.currency, invoice)?;
        if amount > billed.total {
            return Err(LedgerError::CreditAboveInvoice {
                invoice: invoice.to_owned(),
                asked: amount,
                total: billed.total,
            });
        }
        self.post_account_credit(credit, amount, currency)
    }

    /// Posts a goodwill discount on `invoice`: never more than it has open and no plan expects.
    pub fn post_goodwill(
        &mut self,
        goodwill: &str,
        invoice: &str,
        amount: Decimal,
        currency: Currency,
    ) -> Result<&JournalEntry, LedgerError> {
        self.against_open(
            EntryKind::Goodwill,
            Account::Allowances,
            goodwill,
            invoice,
            amount,
            currency,
        )
    }

    /// Posts a write-off of `amount` open on `invoice`: never more than it has open and no plan
    /// expects.
    pub fn post_write_off(
        &mut self,
        write_off: &str,
        invoice: &str,
        amount: Decimal,
        currency: Currency,
    ) -> Result<&JournalEntry, LedgerError> {
        self.against_open(
            EntryKind::WriteOff,
            Account::BadDebt,
            write_off,
            invoice,
            amount,
            currency,
        )
    }

    fn against_open(
        &mut self,
        kind: EntryKind,
        expense: Account,
        document: &str,
        invoice: &str,
        amount: Decimal,
        currency: Currency,
    ) -> Result<&JournalEntry, LedgerError> {
        self.not_posted(kind, document)?;
        Self::same_currency(currency, self.invoice(invoice)?.invoice.currency, invoice)?;
        self.within_available(invoice, amount)?;
        let entry = JournalEntry::new(
            kind,
            document,
            Some(invoice.to_owned()),
            currency,
            vec![
                EntryLine::debit(expense, amount),
                EntryLine::credit(Account::Receivable, amount),
            ],
        )?;
        Ok(self.post(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    #[test]
    fn entry_dates_sort_as_they_are_written() {
        let day = |text: &str| EntryDate::Day(crate::parse_date(text).unwrap());
        let at = |text: &str| EntryDate::At(text.parse::<Timestamp>().unwrap());
        let mut dates = [
            at("2026-03-02T00:00:00.000001Z"),
            day("2026-03-02"),
            at("2026-03-01T23:59:59.999999Z"),
            day("2026-03-01"),
            at("2026-03-02T10:00:00.000000Z"),
        ];
        dates.sort();
        let written: Vec<String> = dates.iter().map(ToString::to_string).collect();
        let mut as_text = written.clone();
        as_text.sort();
        assert_eq!(written, as_text);
        assert_eq!(written[0], "2026-03-01");
        assert_eq!(written[1], "2026-03-01T23:59:59.999999Z");
        assert_eq!(format!("{:<12}|", day("2026-03-01")), "2026-03-01  |");
    }

    #[test]
    fn tax_rates_read_back_as_written() {
        for text in ["8.875", "8.875, 20", "20.00", "0"] {
            assert_eq!(TaxRates::parse(text).unwrap().to_string(), text);
        }
        for text in ["", "8.875,20", "a", "8.875, "] {
            assert_eq!(TaxRates::parse(text), None, "{text}");
        }
        let rates = TaxRates::of([dec("20.00"), dec("8.875"), dec("20")]);
        assert_eq!(rates.to_string(), "8.875, 20");
        assert_eq!(rates.single(), None);
        assert_eq!(TaxRates::of([dec("20.0")]).single(), Some(dec("20")));
    }

    #[test]
    fn names_of_sides_entry_kinds_and_issued_invoice_kinds_round_trip() {
        for side in Side::ALL {
            assert_eq!(Side::from_name(side.as_str()), Some(side));
        }
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::from_name(kind.as_str()), Some(kind));
        }
        for kind in IssuedInvoiceKind::ALL {
            assert_eq!(IssuedInvoiceKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(EntryKind::from_name("invoices"), None);
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn line(line_no: u32, net: &str, rate: &str) -> LedgerLine {
        LedgerLine {
            line_no,
            net: dec(net),
            tax_rate_percent: dec(rate),
        }
    }

    /// An invoice of two lines, 100.00 and 50.00, at 20 % tax: 180.00 due.
    fn invoice(id: &str) -> LedgerInvoice {
        LedgerInvoice::issued(
            id,
            usd(),
            vec![line(1, "100.00", "20"), line(2, "50.00", "20")],
        )
    }

    #[test]
    fn an_entry_whose_debits_and_credits_differ_is_refused() {
        let made = JournalEntry::new(
            EntryKind::Payment,
            "P-1",
            None,
            usd(),
            vec![
                EntryLine::debit(Account::Cash, dec("10.00")),
                EntryLine::credit(Account::Receivable, dec("9.99")),
            ],
        );
        assert_eq!(
            made,
            Err(EntryError::Unbalanced {
                debits: dec("10.00"),
                credits: dec("9.99")
            })
        );
    }

    #[test]
    fn an_amount_finer_than_the_currency_is_refused() {
        let made = JournalEntry::new(
            EntryKind::Payment,
            "P-1",
            None,
            usd(),
            vec![
                EntryLine::debit(Account::Cash, dec("0.005")),
                EntryLine::credit(Account::Receivable, dec("0.005")),
            ],
        );
        assert!(matches!(made, Err(EntryError::NotInCurrency { .. })));
    }

    #[test]
    fn an_invoice_paid_in_full_leaves_nothing_owed() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        assert_eq!(account.balance(Account::Receivable, usd()), dec("180.00"));
        account
            .post_payment("P-1", "INV-1", dec("180.00"), usd())
            .unwrap();
        assert_eq!(account.balance(Account::Receivable, usd()), Decimal::ZERO);
        assert_eq!(account.balance(Account::Cash, usd()), dec("180.00"));
        assert_eq!(account.balance(Account::Revenue, usd()), dec("-150.00"));
    }

    #[test]
    fn a_credit_note_takes_back_the_line_and_the_tax_on_it() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        let amounts = account
            .post_credit_note(
                "CN-1",
                "INV-1",
                &CreditNoteLines {
                    lines: vec![(2, dec("12.35"))],
                },
            )
            .unwrap();
        // 20 % of 12.35 is 2.47.
        assert_eq!(
            amounts,
            CreditNoteAmounts {
                net: dec("12.35"),
                tax: dec("2.47")
            }
        );
        assert_eq!(account.open_on("INV-1"), dec("165.18"));
        assert_eq!(account.balance(Account::TaxPayable, usd()), dec("-27.53"));
    }

    #[test]
    fn a_credit_note_for_more_than_the_line_has_left_is_refused_and_posts_nothing() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        let credit = |n: &str| CreditNoteLines {
            lines: vec![(2, dec(n))],
        };
        account
            .post_credit_note("CN-1", "INV-1", &credit("30.00"))
            .unwrap();
        let refused = account.post_credit_note("CN-2", "INV-1", &credit("20.01"));
        assert_eq!(
            refused,
            Err(LedgerError::CreditAboveLine {
                invoice: "INV-1".into(),
                line_no: 2,
                asked: dec("20.01"),
                left: dec("20.00"),
                charged: dec("50.00"),
            })
        );
        assert_eq!(account.entries().len(), 2);
        assert!(
            account
                .post_credit_note("CN-2", "INV-1", &credit("20.00"))
                .is_ok()
        );
    }

    #[test]
    fn a_credit_note_line_of_zero_or_less_is_refused_even_inside_a_positive_total() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        let refused = account.post_credit_note(
            "CN-1",
            "INV-1",
            &CreditNoteLines {
                lines: vec![(1, dec("30.00")), (2, dec("-10.00"))],
            },
        );
        assert_eq!(
            refused.unwrap_err().to_string(),
            "line 2: -10.00 is not an amount to credit in USD (more than zero, at most 2 decimals)"
        );
        assert_eq!(account.entries().len(), 1);
    }

    #[test]
    fn a_refund_above_what_was_paid_is_refused() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        account
            .post_payment("P-1", "INV-1", dec("100.00"), usd())
            .unwrap();
        account
            .post_refund("R-1", "P-1", dec("60.00"), usd())
            .unwrap();
        let refused = account.post_refund("R-2", "P-1", dec("40.01"), usd());
        assert_eq!(
            refused,
            Err(LedgerError::RefundAbovePaid {
                payment: "P-1".into(),
                asked: dec("40.01"),
                left: dec("40.00"),
                paid: dec("100.00"),
            })
        );
        assert_eq!(
            refused.unwrap_err().to_string(),
            "a refund of 40.01 is more than payment P-1 has left to refund (40.00 of 100.00 paid)"
        );
    }

    #[test]
    fn an_amount_in_another_currency_than_the_invoice_is_refused() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        let refused = account.post_payment("P-1", "INV-1", dec("10.00"), eur());
        assert_eq!(
            refused.unwrap_err().to_string(),
            "the amount is in EUR, but INV-1 is in USD"
        );
        assert!(account.refundable("P-1").is_none());
    }

    #[test]
    fn the_same_document_is_never_posted_twice() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        account
            .post_payment("P-1", "INV-1", dec("10.00"), usd())
            .unwrap();
        let again = account.post_payment("P-1", "INV-1", dec("10.00"), usd());
        assert!(matches!(again, Err(LedgerError::AlreadyPosted { .. })));
        assert!(matches!(
            account.post_invoice(invoice("INV-1")),
            Err(LedgerError::AlreadyPosted { .. })
        ));
        assert_eq!(account.balance(Account::Receivable, usd()), dec("170.00"));
    }

    #[test]
    fn crediting_an_invoice_line_by_line_in_full_takes_back_exactly_the_tax_it_carried() {
        // Three lines of 0.05 at 10 %: the invoice states 0.02 of tax (0.015 rounded), while
        // each line alone would round to 0.01, 0.03 in all.
        let mut account = CustomerAccount::new();
        account
            .post_invoice(LedgerInvoice::issued(
                "INV-1",
                usd(),
                vec![
                    line(1, "0.05", "10"),
                    line(2, "0.05", "10"),
                    line(3, "0.05", "10"),
                ],
            ))
            .unwrap();
        let mut tax = Decimal::ZERO;
        for n in 1..=3 {
            let credited = account
                .post_credit_note(
                    &format!("CN-{n}"),
                    "INV-1",
                    &CreditNoteLines {
                        lines: vec![(n, dec("0.05"))],
                    },
                )
                .unwrap();
            tax += credited.tax;
        }
        assert_eq!(tax, dec("0.02"));
        assert_eq!(account.tax_left_to_credit("INV-1"), Some(Decimal::ZERO));
        assert_eq!(account.open_on("INV-1"), Decimal::ZERO);
        assert_eq!(account.balance(Account::TaxPayable, usd()), Decimal::ZERO);
    }

    #[test]
    fn an_invoice_with_lines_at_two_rates_is_taxed_at_each() {
        let arrears = LedgerInvoice::issued(
            "AI-1",
            usd(),
            vec![line(1, "1200.00", "10"), line(2, "100.00", "16")],
        );
        assert_eq!(arrears.tax_total, dec("136.00"));
        assert_eq!(arrears.total(), dec("1436.00"));
        let mut account = CustomerAccount::new();
        account.post_invoice(arrears).unwrap();
        let credited = account
            .post_credit_note(
                "CN-1",
                "AI-1",
                &CreditNoteLines {
                    lines: vec![(2, dec("50.00"))],
                },
            )
            .unwrap();
        assert_eq!(credited.tax, dec("8.00"));
    }

    #[test]
    fn an_invoice_whose_total_is_not_net_plus_tax_is_owed_as_billed_everywhere() {
        let mut billed = invoice("INV-1");
        billed.total = dec("181.00");
        let mut account = CustomerAccount::new();
        account.post_invoice(billed).unwrap();
        assert_eq!(account.open_on("INV-1"), dec("181.00"));
        assert_eq!(account.balances().get("USD"), Some(&dec("181.00")));
        assert_eq!(
            account.balance(Account::BillingDifferences, usd()),
            dec("-1.00")
        );
        // What is shown as owed is what a write-off may take: no more, no less.
        assert!(matches!(
            account.post_write_off("W-1", "INV-1", dec("181.01"), usd()),
            Err(LedgerError::AboveOpenBalance { .. })
        ));
        account
            .post_write_off("W-1", "INV-1", dec("181.00"), usd())
            .unwrap();
        assert_eq!(account.open_on("INV-1"), Decimal::ZERO);
    }

    fn monthly(total: &str, count: u32) -> PaymentPlan {
        let first = crate::calendar::parse_date("2027-01-31").unwrap();
        PaymentPlan::monthly(dec(total), usd(), first, count).unwrap()
    }

    #[test]
    fn what_one_plan_spreads_no_second_plan_discount_or_write_off_can_take() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        account
            .agree_plan("PLN-1", "INV-1", &monthly("120.00", 3))
            .unwrap();
        assert_eq!(account.planned_on("INV-1"), dec("120.00"));
        assert_eq!(account.available_on("INV-1"), dec("60.00"));
        let refused = account.agree_plan("PLN-2", "INV-1", &monthly("60.01", 2));
        assert_eq!(
            refused.unwrap_err().to_string(),
            "60.01 is more than invoice INV-1 has open and not yet spread over a payment plan \
             (60.00: 180.00 open, 120.00 of it due on plans already agreed)"
        );
        assert!(matches!(
            account.post_goodwill("G-1", "INV-1", dec("60.01"), usd()),
            Err(LedgerError::AbovePlanned { .. })
        ));
        account
            .agree_plan("PLN-2", "INV-1", &monthly("60.00", 2))
            .unwrap();
        for (plan, count) in [("PLN-1", 3), ("PLN-2", 2)] {
            for n in 1..=count {
                account
                    .receive_instalment(plan, n, &format!("{plan}-{n}"))
                    .unwrap();
            }
        }
        assert_eq!(account.open_on("INV-1"), Decimal::ZERO);
        assert_eq!(account.planned_on("INV-1"), Decimal::ZERO);
        assert!(matches!(
            account.receive_instalment("PLN-1", 1, "PLN-1-1"),
            Err(LedgerError::InstalmentReceived { .. })
        ));
    }

    #[test]
    fn an_instalment_is_never_received_for_more_than_its_invoice_has_open() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        account
            .agree_plan("PLN-1", "INV-1", &monthly("180.00", 2))
            .unwrap();
        account
            .post_payment("P-1", "INV-1", dec("90.00"), usd())
            .unwrap();
        account.receive_instalment("PLN-1", 1, "PLN-1-1").unwrap();
        let refused = account.receive_instalment("PLN-1", 2, "PLN-1-2");
        assert!(
            matches!(refused, Err(LedgerError::InstalmentAboveOpen { ref open, .. }) if *open == Decimal::ZERO),
            "{refused:?}"
        );
        assert_eq!(account.open_on("INV-1"), Decimal::ZERO);
    }

    #[test]
    fn a_write_off_can_take_what_is_open_and_no_more() {
        let mut account = CustomerAccount::new();
        account.post_invoice(invoice("INV-1")).unwrap();
        account
            .post_payment("P-1", "INV-1", dec("170.00"), usd())
            .unwrap();
        assert!(matches!(
            account.post_write_off("W-1", "INV-1", dec("10.01"), usd()),
            Err(LedgerError::AboveOpenBalance { .. })
        ));
        account
            .post_write_off("W-1", "INV-1", dec("10.00"), usd())
            .unwrap();
        assert_eq!(account.open_on("INV-1"), Decimal::ZERO);
        assert_eq!(account.balance(Account::BadDebt, usd()), dec("10.00"));
    }

    #[test]
    fn an_account_credit_leaves_the_customer_in_credit() {
        let mut account = CustomerAccount::new();
        account
            .post_account_credit("AC-1", dec("25.00"), usd())
            .unwrap();
        assert_eq!(account.balances().get("USD"), Some(&dec("-25.00")));
    }

    /// One step of a random history of a customer's account.
    #[derive(Debug, Clone)]
    enum Step {
        Invoice {
            cents: [i64; 2],
        },
        Payment {
            invoice: usize,
            cents: i64,
        },
        CreditNote {
            invoice: usize,
            line: u32,
            cents: i64,
        },
        Refund {
            payment: usize,
            cents: i64,
        },
        AccountCredit {
            cents: i64,
        },
        Goodwill {
            invoice: usize,
            cents: i64,
        },
        WriteOff {
            invoice: usize,
            cents: i64,
        },
        /// A plan of `count` monthly instalments over `cents` of an invoice.
        Plan {
            invoice: usize,
            cents: i64,
            count: u32,
        },
        /// An instalment of a plan received.
        Instalment {
            plan: usize,
            number: u32,
        },
        /// An invoice corrected: voided by a credit note of all its lines have left, and
        /// issued again with one line's amount changed.
        Correct {
            invoice: usize,
            line: u32,
            cents: i64,
        },
        /// The last successful step, sent again.
        Repeat,
    }

    fn step() -> impl Strategy<Value = Step> {
        let cents = 1i64..50_000;
        prop_oneof![
            [cents.clone(), cents.clone()].prop_map(|cents| Step::Invoice { cents }),
            (0usize..8, cents.clone())
                .prop_map(|(invoice, cents)| Step::Payment { invoice, cents }),
            (0usize..8, 1u32..=3, cents.clone()).prop_map(|(invoice, line, cents)| {
                Step::CreditNote {
                    invoice,
                    line,
                    cents,
                }
            }),
            (0usize..8, cents.clone()).prop_map(|(payment, cents)| Step::Refund { payment, cents }),
            cents
                .clone()
                .prop_map(|cents| Step::AccountCredit { cents }),
            (0usize..8, cents.clone())
                .prop_map(|(invoice, cents)| Step::Goodwill { invoice, cents }),
            (0usize..8, cents.clone())
                .prop_map(|(invoice, cents)| Step::WriteOff { invoice, cents }),
            (0usize..8, cents, 1u32..=4).prop_map(|(invoice, cents, count)| Step::Plan {
                invoice,
                cents,
                count
            }),
            (0usize..8, 1u32..=4).prop_map(|(plan, number)| Step::Instalment { plan, number }),
            (0usize..8, 1u32..=2, 0i64..50_000).prop_map(|(invoice, line, cents)| Step::Correct {
                invoice,
                line,
                cents
            }),
            Just(Step::Repeat),
        ]
    }

    fn money(cents: i64) -> Decimal {
        Decimal::new(cents, 2)
    }

    /// What the documents say, summed apart from the ledger: the customer's balance must be
    /// invoices less payments, credit notes, credits, discounts and write-offs, plus refunds.
    #[derive(Default, Debug)]
    struct Expected {
        invoiced: Decimal,
        paid: Decimal,
        credited: Decimal,
        allowed: Decimal,
        written_off: Decimal,
        refunded: Decimal,
        refunded_of: HashMap<String, Decimal>,
        paid_of: HashMap<String, Decimal>,
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_books_stay_balanced_over_any_history(steps in prop::collection::vec(step(), 1..120)) {
            let mut account = CustomerAccount::new();
            let mut expected = Expected::default();
            let (mut invoices, mut payments): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
            let mut plans: Vec<String> = Vec::new();
            // The last step posted, and its document's id.
            let mut last: Option<(Step, String)> = None;
            for (n, step) in steps.into_iter().enumerate() {
                let entries_before = account.entries().len();
                let repeat = matches!(step, Step::Repeat);
                // A repeated step is sent again with the same document id.
                let (step, id) = match (repeat, &last) {
                    (false, _) => (step, format!("D-{n}")),
                    (true, Some((step, id))) => (step.clone(), id.clone()),
                    (true, None) => continue,
                };
                let pick = |list: &Vec<String>, i: usize| list.get(i % list.len().max(1)).cloned();
                let outcome: Result<(), LedgerError> = match &step {
                    Step::Invoice { cents } => {
                        let (a, b) = (money(cents[0]), money(cents[1]));
                        let tax = usd().round((a + b) * dec("0.2"));
                        let posted = account.post_invoice(LedgerInvoice {
                            id: id.clone(), currency: usd(),
                            lines: vec![
                                LedgerLine { line_no: 1, net: a, tax_rate_percent: dec("20") },
                                LedgerLine { line_no: 2, net: b, tax_rate_percent: dec("20") },
                            ],
                            subtotal: a + b, tax_total: tax, total: a + b + tax,
                        }).map(|_| ());
                        if posted.is_ok() { invoices.push(id.clone()); expected.invoiced += a + b + tax; }
                        posted
                    }
                    Step::Payment { invoice, cents } => match pick(&invoices, *invoice) {
                        None => continue,
                        Some(invoice) => {
                            let posted = account.post_payment(&id, &invoice, money(*cents), usd()).map(|_| ());
                            if posted.is_ok() {
                                payments.push(id.clone());
                                expected.paid += money(*cents);
                                expected.paid_of.insert(id.clone(), money(*cents));
                            }
                            posted
                        }
                    },
                    Step::CreditNote { invoice, line, cents } => match pick(&invoices, *invoice) {
                        None => continue,
                        Some(invoice) => {
                            let posted = account.post_credit_note(&id, &invoice, &CreditNoteLines { lines: vec![(*line, money(*cents))] });
                            if let Ok(amounts) = &posted { expected.credited += amounts.total(); }
                            posted.map(|_| ())
                        }
                    },
                    Step::Refund { payment, cents } => match pick(&payments, *payment) {
                        None => continue,
                        Some(payment) => {
                            let posted = account.post_refund(&id, &payment, money(*cents), usd()).map(|_| ());
                            if posted.is_ok() {
                                expected.refunded += money(*cents);
                                *expected.refunded_of.entry(payment).or_default() += money(*cents);
                            }
                            posted
                        }
                    },
                    Step::AccountCredit { cents } => {
                        let posted = account.post_account_credit(&id, money(*cents), usd()).map(|_| ());
                        if posted.is_ok() { expected.allowed += money(*cents); }
                        posted
                    }
                    Step::Goodwill { invoice, cents } => match pick(&invoices, *invoice) {
                        None => continue,
                        Some(invoice) => {
                            let posted = account.post_goodwill(&id, &invoice, money(*cents), usd()).map(|_| ());
                            if posted.is_ok() { expected.allowed += money(*cents); }
                            posted
                        }
                    },
                    Step::WriteOff { invoice, cents } => match pick(&invoices, *invoice) {
                        None => continue,
                        Some(invoice) => {
                            let posted = account.post_write_off(&id, &invoice, money(*cents), usd()).map(|_| ());
                            if posted.is_ok() { expected.written_off += money(*cents); }
                            posted
                        }
                    },
                    Step::Plan { invoice, cents, count } => match pick(&invoices, *invoice) {
                        None => continue,
                        Some(invoice) => {
                            let first = crate::calendar::parse_date("2027-01-31").unwrap();
                            let Ok(plan) = PaymentPlan::monthly(money(*cents), usd(), first, *count) else { continue };
                            let planned_before = account.planned_on(&invoice);
                            let agreed = account.agree_plan(&id, &invoice, &plan);
                            if agreed.is_ok() {
                                plans.push(id.clone());
                                // No plan spreads more than was open and not spread already.
                                prop_assert!(account.planned_on(&invoice) - planned_before <= account.open_on(&invoice) - planned_before);
                                prop_assert!(account.planned_on(&invoice) <= account.open_on(&invoice));
                            } else {
                                prop_assert_eq!(account.planned_on(&invoice), planned_before);
                            }
                            // A plan posts nothing: the entry count below stays.
                            match agreed {
                                Ok(()) => { last = None; continue }
                                Err(_) => continue,
                            }
                        }
                    },
                    Step::Instalment { plan, number } => match pick(&plans, *plan) {
                        None => continue,
                        Some(plan) => {
                            let posted = account.receive_instalment(&plan, *number, &id).map(|e| e.net(Account::Cash));
                            if let Ok(received) = &posted {
                                expected.paid += *received;
                                let invoice = account.entries().last().unwrap().invoice.clone().unwrap();
                                // Redress never collects more than an invoice has open.
                                prop_assert!(account.open_on(&invoice) >= Decimal::ZERO);
                            }
                            posted.map(|_| ())
                        }
                    },
                    Step::Correct { invoice, line, cents } => match pick(&invoices, *invoice) {
                        None => continue,
                        Some(invoice) => {
                            // As the books do it: never while a plan expects instalments on it.
                            if account.planned_on(&invoice) > Decimal::ZERO { continue; }
                            let left: Vec<(u32, Decimal)> = account.left_to_credit(&invoice).unwrap()
                                .into_iter().filter(|(_, l)| *l > Decimal::ZERO).collect();
                            if left.is_empty() { continue; }
                            let before = account.entries().len();
                            let void = format!("{id}-void");
                            match account.post_credit_note(&void, &invoice, &CreditNoteLines { lines: left }) {
                                Err(_) => { prop_assert_eq!(account.entries().len(), before); continue; }
                                Ok(amounts) => expected.credited += amounts.total(),
                            }
                            let mut lines = account.posted_invoice(&invoice).unwrap().lines.clone();
                            if let Some(l) = lines.iter_mut().find(|l| l.line_no == *line) { l.net = money(*cents); }
                            lines.retain(|l| l.net > Decimal::ZERO);
                            if lines.is_empty() { continue; }
                            let reissued = LedgerInvoice::issued(id.clone(), usd(), lines);
                            expected.invoiced += reissued.total();
                            account.post_invoice(reissued).unwrap();
                            invoices.push(id.clone());
                            // Two entries: the void and the new invoice; counted here, not below.
                            last = None;
                            continue;
                        }
                    },
                    Step::Repeat => unreachable!("replaced above"),
                };
                if repeat {
                    // Nothing is ever posted twice.
                    prop_assert!(outcome.is_err(), "a repeated {step:?} was posted again");
                }
                match &outcome {
                    Ok(()) => {
                        prop_assert_eq!(account.entries().len(), entries_before + 1);
                        if !repeat { last = Some((step, id)); }
                    }
                    // A refused operation posts nothing.
                    Err(_) => prop_assert_eq!(account.entries().len(), entries_before),
                }
                // After every step: no line credited beyond what it charged, no tax beyond what
                // the invoice carried, and no invoice credited, discounted and written off below
                // zero (what it still charges is never negative; below zero open is only ever
                // what its payer is owed back).
                for invoice in &invoices {
                    for (_, left) in account.left_to_credit(invoice).unwrap() {
                        prop_assert!(left >= Decimal::ZERO);
                    }
                    prop_assert!(account.tax_left_to_credit(invoice).unwrap() >= Decimal::ZERO);
                    let paid_back: Decimal = account
                        .entries()
                        .iter()
                        .filter(|e| e.invoice.as_deref() == Some(invoice.as_str()))
                        .filter(|e| matches!(e.kind, EntryKind::Payment | EntryKind::Refund))
                        .map(|e| e.net(Account::Cash))
                        .sum();
                    prop_assert!(
                        account.open_on(invoice) + paid_back >= Decimal::ZERO,
                        "{invoice} is owed {} with {paid_back} paid", account.open_on(invoice)
                    );
                }
            }
            // Every entry balances.
            for entry in account.entries() {
                let net: Decimal = Account::ALL.iter().map(|&a| entry.net(a)).sum();
                prop_assert_eq!(net, Decimal::ZERO);
            }
            // The balance is what the documents say.
            prop_assert_eq!(
                account.balance(Account::Receivable, usd()),
                expected.invoiced - expected.paid - expected.credited - expected.allowed
                    - expected.written_off + expected.refunded
            );
            // No refund exceeds what was paid.
            for (payment, refunded) in &expected.refunded_of {
                prop_assert!(*refunded <= expected.paid_of[payment]);
            }
            // The whole ledger balances: the accounts sum to zero.
            let total: Decimal = Account::ALL.iter().map(|&a| account.balance(a, usd())).sum();
            prop_assert_eq!(total, Decimal::ZERO);
        }
    }
}
