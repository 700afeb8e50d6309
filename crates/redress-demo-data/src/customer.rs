//! One customer's whole billing history: contract, price rows, monthly invoices, deliveries,
//! payments, notices and disputes, with errors planted in it and the findings they must produce.
//!
//! Every customer is generated on its own, from its own random stream, so customers can be made
//! in parallel and the output stays the same whatever the thread count. The findings are worked
//! out here, when each error is planted, from the very values written to the files, with the
//! formulas of rules R1–R8; nothing reads the files back.
//!
//! Side effects between rules are avoided by construction rather than by checking afterwards:
//! - a (contract, sku, period) group gets at most one planted error, and R1–R6 errors only go on
//!   groups of a single line, so the R7 groups (charge lines without an R1–R6 finding) never
//!   change because of them;
//! - every delivery lies in the period of a charge line of its sku (flagged or not), except the
//!   deliveries planted as unbilled, so no monthly `unbilled_delivery` appears by accident;
//! - lines of a group always have different quantities, so only planted copies are duplicates;
//! - invoice-level errors (tax, total, overpayment) go on invoices that no late fee is charged
//!   for, paid exactly what they state (or, for overpayment, more);
//! - late fees are charged after an overdue notice that lies strictly between the end of grace
//!   and the fee invoice's issue date, for exactly round(unpaid × late fee %), unless an error
//!   is planted there.

use crate::catalog::{self, CurrencyProfile, Reason};
use fastrand::Rng;
use jiff::ToSpan;
use redress_domain::{Currency, Date, Decimal};
use rust_decimal::RoundingStrategy;

/// What every customer shares: the window and how many errors to plant.
pub(crate) struct Env {
    /// The window's first month (month 0), as months since January of year 0.
    pub first: i32,
    /// How many months are billed.
    pub months: i32,
    /// Probability of an error at each opportunity.
    pub error_rate: f64,
    /// Whether the first customers carry one of each kind of error whatever chance says.
    pub force: bool,
    /// The run's seed.
    pub seed: u64,
    /// The day the data was exported: later payments, notices and disputes have not happened.
    pub export_date: Date,
}

impl Env {
    /// The window of `months` months from the month of `first_month`, `error_rate` errors per
    /// opportunity.
    pub fn new(customers: u32, months: u32, first_month: Date, seed: u64, error_rate: f64) -> Self {
        let months = months as i32;
        let mut env = Self {
            first: i32::from(first_month.year()) * 12 + i32::from(first_month.month()) - 1,
            months,
            error_rate,
            force: error_rate > 0.0 && customers >= 50 && months >= 6,
            seed,
            export_date: first_month,
        };
        env.export_date = add_days(env.month_first(months), 14);
        env
    }

    /// The first day of month `m` of the window (month 0 is the first; negative is before).
    pub fn month_first(&self, m: i32) -> Date {
        let t = self.first + m;
        Date::new(t.div_euclid(12) as i16, (t.rem_euclid(12) + 1) as i8, 1).expect("a valid month")
    }
}

/// `d` moved by `n` days.
pub(crate) fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(n.days())
        .expect("dates stay within jiff's range")
}

/// The day `day` of `d`'s month.
fn day_of(d: Date, day: i8) -> Date {
    Date::new(d.year(), d.month(), day).expect("a day of the month")
}

/// A decimal from the catalog, which is written correctly.
fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).expect("a catalog decimal")
}

/// `1 − discount/100`, the factor every rule applies.
fn net_factor(discount: Decimal) -> Decimal {
    Decimal::ONE - discount / Decimal::ONE_HUNDRED
}

/// round(quantity × unit_price × (1 − discount/100)) in `cur`: a line's correct amount.
fn line_amount(
    cur: Currency,
    quantity: Decimal,
    unit_price: Decimal,
    discount: Decimal,
) -> Decimal {
    cur.round(quantity * unit_price * net_factor(discount))
}

/// One minor unit of `cur` (0.01 USD, 1 JPY, 0.001 KWD).
fn minor(cur: Currency) -> Decimal {
    Decimal::new(1, cur.minor_unit())
}

/// The kinds of finding the rules define.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    OutsideContract,
    UnknownCharge,
    DuplicateCharge,
    PriceMismatch,
    DiscountMissing,
    LineArithmetic,
    QuantityOverbilled,
    UnbilledDelivery,
    TaxMismatch,
    TotalMismatch,
    Overpayment,
    LateFeeUnwarranted,
    LateFeeExcess,
}

impl Kind {
    /// The `kind` the audit writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OutsideContract => "outside_contract",
            Kind::UnknownCharge => "unknown_charge",
            Kind::DuplicateCharge => "duplicate_charge",
            Kind::PriceMismatch => "price_mismatch",
            Kind::DiscountMissing => "discount_missing",
            Kind::LineArithmetic => "line_arithmetic",
            Kind::QuantityOverbilled => "quantity_overbilled",
            Kind::UnbilledDelivery => "unbilled_delivery",
            Kind::TaxMismatch => "tax_mismatch",
            Kind::TotalMismatch => "total_mismatch",
            Kind::Overpayment => "overpayment",
            Kind::LateFeeUnwarranted => "late_fee_unwarranted",
            Kind::LateFeeExcess => "late_fee_excess",
        }
    }

    /// Whether the finding is an R7 one, which names its group's period_start.
    fn is_quantity(self) -> bool {
        matches!(self, Kind::QuantityOverbilled | Kind::UnbilledDelivery)
    }
}

/// A finding the audit must report, exactly.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub kind: Kind,
    /// Index of the invoice it sits on, if any.
    pub invoice: Option<usize>,
    /// Line number (from 1) it sits on, if any.
    pub line_no: Option<u32>,
    /// The charge line's sku, or the unbilled deliveries' sku.
    pub sku: Option<&'static str>,
    /// The R7 group's period_start or the first of the unbilled month.
    pub period_start: Option<Date>,
    /// Signed, net of tax, in the contract's currency.
    pub impact: Decimal,
}

/// The products a contract can price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sku {
    Sub,
    Seats,
    Hours,
    Usage,
    Storage,
}

impl Sku {
    /// The sku column's value.
    pub fn code(self) -> &'static str {
        match self {
            Sku::Sub => "SUB",
            Sku::Seats => "SEATS",
            Sku::Hours => "HOURS",
            Sku::Usage => "API-CALLS",
            Sku::Storage => "STORAGE-GB",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Sku::Sub => "Platform subscription",
            Sku::Seats => "User seats",
            Sku::Hours => "Support hours",
            Sku::Usage => "API calls",
            Sku::Storage => "Storage GB-months",
        }
    }

    /// Quantities are whole numbers of ticks of `10^-scale`.
    fn scale(self) -> u32 {
        match self {
            Sku::Hours => 1,
            Sku::Storage => 2,
            _ => 0,
        }
    }

    /// The smallest quantity step in ticks: support is billed by the half hour.
    fn step(self) -> i64 {
        if self == Sku::Hours { 5 } else { 1 }
    }

    fn prices(self, p: &'static CurrencyProfile) -> &'static [&'static str] {
        match self {
            Sku::Sub => p.sub,
            Sku::Seats => p.seats,
            Sku::Hours => p.hours,
            Sku::Usage => p.usage,
            Sku::Storage => p.storage,
        }
    }

    /// A month's quantity in ticks.
    fn monthly_quantity(self, rng: &mut Rng) -> i64 {
        match self {
            Sku::Sub => 1,
            Sku::Seats => rng.i64(3..=60),
            Sku::Hours => 5 * rng.i64(2..=80),
            Sku::Usage => rng.i64(800..=400_000),
            Sku::Storage => rng.i64(1_000..=200_000),
        }
    }

    fn quantity(self, ticks: i64) -> Decimal {
        Decimal::new(ticks, self.scale()).normalize()
    }
}

/// A price row of the contract.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PriceRow {
    pub unit_price: Decimal,
    pub discount: Decimal,
    /// Write the discount as an empty cell (it is then 0).
    pub discount_blank: bool,
    pub from: Date,
    pub to: Option<Date>,
}

impl PriceRow {
    fn valid_on(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// One priced sku of the contract and its price rows, oldest first.
pub(crate) struct SkuPlan {
    pub sku: Sku,
    pub rows: Vec<PriceRow>,
}

impl SkuPlan {
    fn row_on(&self, day: Date) -> Option<PriceRow> {
        self.rows.iter().find(|r| r.valid_on(day)).copied()
    }
}

/// The customer's contract.
pub(crate) struct Contract {
    pub currency: Currency,
    pub start: Date,
    pub end: Option<Date>,
    pub terms: i64,
    pub late_fee_percent: Decimal,
    pub grace: i64,
    pub tax: Decimal,
}

/// An invoice line as written.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Index of the invoice a late fee is charged for; `None` for a charge.
    pub late_fee_for: Option<usize>,
    pub sku: &'static str,
    pub description: String,
    pub period: Option<(Date, Date)>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// `None` writes an empty cell.
    pub discount: Option<Decimal>,
    pub amount: Decimal,
    /// The finding the audit must put on this line, with its impact.
    pub finding: Option<(Kind, Decimal)>,
}

/// A payment received.
pub(crate) struct Payment {
    pub paid_on: Date,
    pub amount: Decimal,
    pub method: &'static str,
    pub reference: String,
}

/// A notice sent about an invoice.
pub(crate) struct Notice {
    pub sent_on: Date,
    pub kind: &'static str,
    pub channel: &'static str,
}

/// An invoice with its lines, payments and notices.
pub(crate) struct Invoice {
    pub issue: Date,
    pub due: Date,
    pub lines: Vec<Line>,
    pub subtotal: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub payments: Vec<Payment>,
    pub notices: Vec<Notice>,
}

/// A delivery record.
pub(crate) struct Delivery {
    pub sku: &'static str,
    pub on: Date,
    pub quantity: Decimal,
    pub reference: String,
}

/// A dispute and the verdict the rules give it.
pub(crate) struct Dispute {
    pub invoice: usize,
    pub line_no: Option<u32>,
    pub opened_on: Date,
    pub reason: Reason,
    pub claimed: Decimal,
    pub narrative: String,
    pub verdict: &'static str,
    pub adjustment: Decimal,
}

/// The errors that one of the first customers carries for sure, so that a big enough run holds
/// every kind of finding (and every kind of verdict) whatever chance says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Forced {
    Outside,
    Unknown,
    Duplicate,
    PriceHigh,
    PriceLow,
    Discount,
    Arithmetic,
    Overbilled,
    UnbilledGroup,
    UnbilledMonth,
    UnbilledMonthZero,
    Tax,
    Total,
    Overpayment,
    LateFeePaid,
    LateFeeNoNotice,
    LateFeeExcess,
    DisputeUpheld,
    DisputePartial,
    DisputeRejected,
}

/// Customer `i` (from 0) carries `FORCED[i]` when forcing is on.
pub(crate) const FORCED: [Forced; 20] = [
    Forced::Outside,
    Forced::Unknown,
    Forced::Duplicate,
    Forced::PriceHigh,
    Forced::PriceLow,
    Forced::Discount,
    Forced::Arithmetic,
    Forced::Overbilled,
    Forced::UnbilledGroup,
    Forced::UnbilledMonth,
    Forced::UnbilledMonthZero,
    Forced::Tax,
    Forced::Total,
    Forced::Overpayment,
    Forced::LateFeePaid,
    Forced::LateFeeNoNotice,
    Forced::LateFeeExcess,
    Forced::DisputeUpheld,
    Forced::DisputePartial,
    Forced::DisputeRejected,
];

/// An error planted on one (sku, month) group of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupPlant {
    /// The first, partial month billed from the 1st, before the contract starts (R1).
    OutsideFirstMonth,
    /// A unit price above the contract's (R4, positive impact).
    PriceHigh,
    /// A unit price below the contract's, typically the old one after an increase (R4, negative).
    PriceLow,
    /// The contract's discount left off (R5).
    Discount,
    /// An amount that is not quantity × price (R6).
    Arithmetic,
    /// Fewer deliveries than billed (R7).
    Overbilled,
    /// More deliveries than billed (R7).
    UnbilledGroup,
    /// A copy of one of the group's lines billed again (R3).
    Duplicate,
    /// The group left off the invoice although delivered (R7, monthly, no invoice).
    Omitted,
}

/// An error planted after a contract's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterEnd {
    /// A month after the end billed in advance (R1).
    Outside,
    /// Deliveries after the end, never billed (R7 monthly).
    Deliveries,
}

/// How an invoice gets paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayPlan {
    OnTime { parts: u8 },
    WithinGrace,
    Late { partial: bool },
    Never,
    Overpaid,
}

/// What a late fee charged for an invoice will be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FeePlan {
    Correct,
    Excess,
    NoNotice,
}

/// An invoice-level error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LevelPlant {
    Tax,
    Total,
    Overpayment,
}

/// A late fee waiting for the first invoice issued after `after`.
struct PendingFee {
    invoice: usize,
    amount: Decimal,
    after: Date,
    finding: Option<(Kind, Decimal)>,
}

/// One customer's generated history.
pub(crate) struct CustomerData {
    /// 1-based number in all its ids.
    pub number: u64,
    pub name: String,
    pub email: String,
    pub language: &'static str,
    pub since: Date,
    pub contract: Contract,
    pub skus: Vec<SkuPlan>,
    pub deliveries: Vec<Delivery>,
    pub invoices: Vec<Invoice>,
    pub findings: Vec<Finding>,
    pub disputes: Vec<Dispute>,
}

impl CustomerData {
    /// The id of invoice `i` of this customer; zero-padded so ids sort like issue dates.
    pub fn invoice_id(&self, i: usize) -> String {
        invoice_id(self.number, i)
    }
}

/// The id of a customer's invoice `i`.
pub(crate) fn invoice_id(number: u64, i: usize) -> String {
    format!("INV-{number:06}-{:03}", i + 1)
}

/// Mixes bits so that nearby seeds give unrelated streams (splitmix64's finaliser).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Generates customer `index` (from 0).
pub(crate) fn generate_customer(env: &Env, index: u64) -> CustomerData {
    let rng = Rng::with_seed(mix(env.seed ^ mix(index)));
    let forced = (env.force && (index as usize) < FORCED.len()).then(|| FORCED[index as usize]);
    let mut g = Gen::new(env, rng, index, forced);
    for m in g.first_billed..=g.last_billed {
        g.bill_month(m);
    }
    g.after_the_end();
    g.open_disputes();
    g.data
}

/// The state of one customer's generation.
struct Gen<'e> {
    env: &'e Env,
    rng: Rng,
    forced: Option<Forced>,
    /// The month forced group and invoice errors go in.
    forced_month: i32,
    profile: &'static CurrencyProfile,
    cur: Currency,
    first_billed: i32,
    last_billed: i32,
    after_end: Option<AfterEnd>,
    pending_dups: Vec<Line>,
    pending_fees: Vec<PendingFee>,
    data: CustomerData,
}

impl<'e> Gen<'e> {
    fn new(env: &'e Env, mut rng: Rng, index: u64, forced: Option<Forced>) -> Self {
        let number = index + 1;
        let profile = match forced {
            // Forced customers rotate through the currencies, so the sure errors are in all.
            Some(_) => &catalog::CURRENCIES[index as usize % catalog::CURRENCIES.len()],
            None => pick_currency(&mut rng),
        };
        let cur = Currency::from_code(profile.code).expect("catalog currency");
        let language = if forced.is_some() {
            profile.languages[0]
        } else {
            profile.languages[rng.usize(..profile.languages.len())]
        };
        let (first_parts, second_parts) = catalog::name_parts(language);
        let name = format!(
            "{} {}",
            first_parts[rng.usize(..first_parts.len())],
            second_parts[rng.usize(..second_parts.len())]
        );
        let email = format!(
            "billing{number}@{}.example",
            catalog::DOMAINS[rng.usize(..catalog::DOMAINS.len())]
        );

        // Start, end and terms. Forced customers have a plain contract running since before the
        // window, so each forced error has the months it needs.
        let months = env.months;
        let (start, start_month, end_month, rows_closed) = if let Some(f) = forced {
            let ends = matches!(f, Forced::Outside | Forced::UnbilledMonthZero);
            (
                env.month_first(-14),
                -14,
                ends.then_some(3),
                f == Forced::UnbilledMonthZero,
            )
        } else {
            let (start, start_month) = if rng.f64() < 0.65 {
                let k = rng.i32(-48..=-1);
                (env.month_first(k), k)
            } else {
                let k = rng.i32(0..=(months - 1) / 3);
                let day = if rng.f64() < 0.6 { 1 } else { rng.i8(2..=28) };
                (day_of(env.month_first(k), day), k)
            };
            let lo = start_month.max(0) + 1;
            let end_month = (months >= 4 && lo <= months - 2 && rng.f64() < 0.15)
                .then(|| rng.i32(lo..=months - 2));
            (start, start_month, end_month, rng.bool())
        };
        let end = end_month.map(|e| env.month_first(e).last_of_month());
        let first_billed = start_month.max(0);
        let last_billed = end_month.unwrap_or(months - 1);
        let since = add_days(start, -rng.i64(0..=400));

        let contract = if forced.is_some() {
            Contract {
                currency: cur,
                start,
                end,
                terms: 30,
                late_fee_percent: dec("1.5"),
                grace: 5,
                tax: dec(profile.taxes[0]),
            }
        } else {
            Contract {
                currency: cur,
                start,
                end,
                terms: [15, 30, 30, 45][rng.usize(..4)],
                late_fee_percent: dec(["1.5", "2", "1", "0.75", "0"][rng.usize(..5)]),
                grace: [0, 5, 10][rng.usize(..3)],
                tax: dec(profile.taxes[rng.usize(..profile.taxes.len())]),
            }
        };

        // Skus and prices. A group that may be left off an invoice is never the first sku, and
        // the first sku is billed every month, so no invoice is ever empty.
        let chosen: Vec<Sku> = if forced.is_some() {
            vec![Sku::Sub, Sku::Seats, Sku::Hours, Sku::Usage]
        } else {
            let mut s: Vec<Sku> = [
                (Sku::Sub, 0.8),
                (Sku::Seats, 0.75),
                (Sku::Usage, 0.8),
                (Sku::Storage, 0.55),
                (Sku::Hours, 0.65),
            ]
            .into_iter()
            .filter(|&(_, p)| rng.f64() < p)
            .map(|(s, _)| s)
            .collect();
            if s.first().is_none_or(|&f| f == Sku::Hours) {
                s.insert(0, Sku::Sub);
            }
            s
        };
        let rows_to = if rows_closed { end } else { None };
        let skus = chosen
            .into_iter()
            .map(|sku| {
                let list = sku.prices(profile);
                let price = dec(list[rng.usize(..list.len())]);
                let (discount, discount_blank) = if forced.is_some() {
                    (
                        if sku == Sku::Sub {
                            dec("10")
                        } else {
                            Decimal::ZERO
                        },
                        false,
                    )
                } else if rng.f64() < 0.3 {
                    (dec(["5", "10", "12.5", "15"][rng.usize(..4)]), false)
                } else {
                    (Decimal::ZERO, rng.bool())
                };
                let mut rows = vec![PriceRow {
                    unit_price: price,
                    discount,
                    discount_blank,
                    from: start,
                    to: rows_to,
                }];
                // A price increase from the first of a month, the old row closed the day before.
                let lo = start_month + 1;
                let lo = lo.max(first_billed);
                if forced.is_none() && lo <= last_billed && rng.f64() < 0.25 {
                    let k = rng.i32(lo..=last_billed);
                    let from = env.month_first(k);
                    let factor = dec(["1.03", "1.05", "1.08"][rng.usize(..3)]);
                    rows[0].to = Some(add_days(from, -1));
                    rows.push(PriceRow {
                        unit_price: scaled_price(price, factor, true),
                        discount,
                        discount_blank,
                        from,
                        to: rows_to,
                    });
                }
                SkuPlan { sku, rows }
            })
            .collect();

        let after_end = match forced {
            Some(Forced::Outside) => Some(AfterEnd::Outside),
            Some(Forced::UnbilledMonthZero) => Some(AfterEnd::Deliveries),
            Some(_) => None,
            None if end.is_some() && env.error_rate > 0.0 && rng.f64() < env.error_rate => {
                Some(if rng.bool() {
                    AfterEnd::Outside
                } else {
                    AfterEnd::Deliveries
                })
            }
            None => None,
        };

        Gen {
            env,
            rng,
            forced,
            forced_month: first_billed + 1,
            profile,
            cur,
            first_billed,
            last_billed,
            after_end,
            pending_dups: Vec::new(),
            pending_fees: Vec::new(),
            data: CustomerData {
                number,
                name,
                email,
                language,
                since,
                contract,
                skus,
                deliveries: Vec::new(),
                invoices: Vec::new(),
                findings: Vec::new(),
                disputes: Vec::new(),
            },
        }
    }

    /// True with probability `error_rate`: an error is planted at this opportunity.
    fn chance(&mut self) -> bool {
        self.env.error_rate > 0.0 && self.rng.f64() < self.env.error_rate
    }

    /// Bills month `m` on an invoice issued the 1st of the next month.
    fn bill_month(&mut self, m: i32) {
        let first = self.env.month_first(m);
        let pe = first.last_of_month();
        let ps = first.max(self.data.contract.start);
        let issue = self.env.month_first(m + 1);
        let last = m == self.last_billed;
        let mut lines = Vec::with_capacity(8);
        let mut dups_here = Vec::new();
        for si in 0..self.data.skus.len() {
            // Support is not needed every month.
            if self.data.skus[si].sku == Sku::Hours
                && self.forced.is_none()
                && self.rng.f64() >= 0.85
            {
                continue;
            }
            self.bill_group(si, m, ps, pe, &mut lines, &mut dups_here, last);
        }
        let forced_here = |f: Forced| self.forced == Some(f) && m == self.forced_month;
        if forced_here(Forced::Unknown) || self.chance() {
            let line = self.unknown_line(ps, pe);
            let at = self.rng.usize(..=lines.len());
            lines.insert(at, line);
        }
        if last && self.after_end == Some(AfterEnd::Outside) {
            let line = self.outside_after_end(m + 1);
            lines.push(line);
        }
        lines.append(&mut dups_here);
        lines.append(&mut self.pending_dups);
        let mut k = 0;
        while k < self.pending_fees.len() {
            if self.pending_fees[k].after < issue {
                let fee = self.pending_fees.remove(k);
                lines.push(self.fee_line(fee));
            } else {
                k += 1;
            }
        }

        let index = self.data.invoices.len();
        for (n, line) in lines.iter().enumerate() {
            if let Some((kind, impact)) = line.finding {
                self.data.findings.push(Finding {
                    kind,
                    invoice: Some(index),
                    line_no: Some(n as u32 + 1),
                    sku: line.late_fee_for.is_none().then_some(line.sku),
                    period_start: if kind.is_quantity() {
                        line.period.map(|p| p.0)
                    } else {
                        None
                    },
                    impact,
                });
            }
        }

        // R8 arithmetic, right unless an invoice-level error is planted.
        let cur = self.cur;
        let s: Decimal = lines.iter().map(|l| l.amount).sum();
        let tax = cur.round(s * self.data.contract.tax / Decimal::ONE_HUNDRED);
        let (mut subtotal, mut tax_total, mut total) = (s, tax, s + tax);
        let level = self.level_plant(m, issue);
        match level {
            Some(LevelPlant::Tax) => {
                let stated = if self.data.contract.tax.is_zero() {
                    // Tax charged to a customer whose contract is tax-exempt.
                    cur.round(s * dec("20") / Decimal::ONE_HUNDRED)
                        .max(minor(cur))
                } else {
                    let delta = minor(cur) * Decimal::from(self.rng.i64(1..=3));
                    if tax > delta && self.rng.bool() {
                        tax - delta
                    } else {
                        tax + delta
                    }
                };
                tax_total = stated;
                total = s + stated;
                self.invoice_finding(index, Kind::TaxMismatch, stated - tax);
            }
            Some(LevelPlant::Total) => {
                let delta = if self.rng.bool() {
                    minor(cur) * Decimal::from(self.rng.i64(1..=99))
                } else {
                    Decimal::from(self.rng.i64(1..=20))
                };
                let delta = if s > delta && self.rng.bool() {
                    -delta
                } else {
                    delta
                };
                if self.rng.bool() {
                    total = s + tax + delta;
                } else {
                    // A typo in the subtotal, carried into the total.
                    subtotal = s + delta;
                    total = subtotal + tax;
                }
                self.invoice_finding(index, Kind::TotalMismatch, delta);
            }
            Some(LevelPlant::Overpayment) | None => {}
        }
        let due = add_days(issue, self.data.contract.terms);
        let mut invoice = Invoice {
            issue,
            due,
            lines,
            subtotal,
            tax: tax_total,
            total,
            payments: Vec::new(),
            notices: Vec::new(),
        };
        self.settle(&mut invoice, index, m, level);
        self.data.invoices.push(invoice);
    }

    fn invoice_finding(&mut self, index: usize, kind: Kind, impact: Decimal) {
        self.data.findings.push(Finding {
            kind,
            invoice: Some(index),
            line_no: None,
            sku: None,
            period_start: None,
            impact,
        });
    }

    /// The forced group error for sku `si` in month `m`, if this is its place.
    fn forced_group(&self, si: usize, m: i32) -> Option<GroupPlant> {
        if m != self.forced_month {
            return None;
        }
        let sku = self.data.skus[si].sku;
        let plant = match self.forced? {
            Forced::Duplicate => GroupPlant::Duplicate,
            Forced::PriceHigh | Forced::DisputeUpheld | Forced::DisputePartial => {
                GroupPlant::PriceHigh
            }
            Forced::PriceLow => GroupPlant::PriceLow,
            Forced::Discount => GroupPlant::Discount,
            Forced::Arithmetic => GroupPlant::Arithmetic,
            Forced::Overbilled if sku == Sku::Seats => return Some(GroupPlant::Overbilled),
            Forced::UnbilledGroup if sku == Sku::Hours => return Some(GroupPlant::UnbilledGroup),
            Forced::UnbilledMonth if sku == Sku::Hours => return Some(GroupPlant::Omitted),
            _ => return None,
        };
        (sku == Sku::Sub).then_some(plant)
    }

    /// Which error, if any, goes on a group.
    fn group_plant(&mut self, si: usize, m: i32, ps: Date, single: bool) -> Option<GroupPlant> {
        if let Some(p) = self.forced_group(si, m) {
            return Some(p);
        }
        if !self.chance() {
            return None;
        }
        let plan = &self.data.skus[si];
        let discounted = plan.row_on(ps).is_some_and(|r| !r.discount.is_zero());
        let mut options = Vec::with_capacity(9);
        if single {
            options.extend([
                GroupPlant::PriceHigh,
                GroupPlant::PriceLow,
                GroupPlant::Arithmetic,
            ]);
            if discounted {
                options.push(GroupPlant::Discount);
            }
            if ps.day() > 1 {
                options.push(GroupPlant::OutsideFirstMonth);
            }
        }
        options.push(GroupPlant::Overbilled);
        options.push(GroupPlant::Duplicate);
        if plan.sku != Sku::Sub {
            options.push(GroupPlant::UnbilledGroup);
        }
        if si > 0 {
            options.push(GroupPlant::Omitted);
        }
        Some(options[self.rng.usize(..options.len())])
    }

    /// Bills sku `si` for the period `ps..=pe` of month `m`, with its deliveries.
    #[allow(clippy::too_many_arguments)]
    fn bill_group(
        &mut self,
        si: usize,
        m: i32,
        ps: Date,
        pe: Date,
        lines: &mut Vec<Line>,
        dups_here: &mut Vec<Line>,
        last: bool,
    ) {
        let cur = self.cur;
        let sku = self.data.skus[si].sku;
        let row = self.data.skus[si]
            .row_on(ps)
            .expect("a price row from the contract's start");
        let total = sku.monthly_quantity(&mut self.rng);
        let parts = self.split_lines(sku, total);
        let plant = self.group_plant(si, m, ps, parts.len() == 1);
        let first = self.env.month_first(m);

        if plant == Some(GroupPlant::Omitted) {
            // Delivered, never billed: one finding per (contract, sku, month) at the price valid
            // on the 1st (none in a contract's first month when it starts later: impact 0).
            self.deliver(sku, ps, pe, total, &parts);
            let quantity = sku.quantity(total);
            let impact = match self.data.skus[si].row_on(first) {
                Some(r) => -line_amount(cur, quantity, r.unit_price, r.discount),
                None => Decimal::ZERO,
            };
            self.data.findings.push(Finding {
                kind: Kind::UnbilledDelivery,
                invoice: None,
                line_no: None,
                sku: Some(sku.code()),
                period_start: Some(first),
                impact,
            });
            return;
        }

        let start = lines.len();
        let month_name = catalog::MONTHS[first.month() as usize - 1];
        for (k, &q) in parts.iter().enumerate() {
            let suffix = match (sku, parts.len(), k) {
                (_, 1, _) => "",
                (Sku::Seats, _, 0) => " (team A)",
                (Sku::Seats, _, _) => " (team B)",
                (_, _, 0) => " (incidents)",
                _ => " (planned work)",
            };
            let quantity = sku.quantity(q);
            let discount = if row.discount.is_zero() && row.discount_blank && self.rng.bool() {
                None
            } else {
                Some(row.discount)
            };
            lines.push(Line {
                late_fee_for: None,
                sku: sku.code(),
                description: format!("{}, {month_name} {}{suffix}", sku.label(), first.year()),
                period: Some((ps, pe)),
                quantity,
                unit_price: row.unit_price,
                discount,
                amount: line_amount(cur, quantity, row.unit_price, row.discount),
                finding: None,
            });
        }
        let expected = |l: &Line| line_amount(cur, l.quantity, row.unit_price, row.discount);
        let mut delivered = total;
        match plant {
            None | Some(GroupPlant::Omitted) => {}
            Some(GroupPlant::OutsideFirstMonth) => {
                let l = &mut lines[start];
                l.period = Some((first, pe));
                l.description.push_str(" (full month)");
                l.finding = Some((Kind::OutsideContract, l.amount));
            }
            Some(GroupPlant::PriceHigh) => {
                let plan = &self.data.skus[si];
                // Billed the next price before it applies, or simply a wrong, higher price.
                let price = plan
                    .rows
                    .iter()
                    .find(|r| r.from > ps && r.unit_price > row.unit_price)
                    .map(|r| r.unit_price)
                    .unwrap_or_else(|| scaled_price(row.unit_price, dec("1.1"), true));
                let l = &mut lines[start];
                l.unit_price = price;
                l.discount = Some(row.discount);
                l.amount = line_amount(cur, l.quantity, price, row.discount);
                l.finding = Some((Kind::PriceMismatch, l.amount - expected(l)));
            }
            Some(GroupPlant::PriceLow) => {
                let plan = &self.data.skus[si];
                // The old price still billed after an increase, or a wrong, lower price.
                let price = plan
                    .rows
                    .iter()
                    .rev()
                    .find(|r| r.to.is_some_and(|t| t < ps) && r.unit_price < row.unit_price)
                    .map(|r| r.unit_price)
                    .unwrap_or_else(|| scaled_price(row.unit_price, dec("0.9"), false));
                let l = &mut lines[start];
                l.unit_price = price;
                l.discount = Some(row.discount);
                l.amount = line_amount(cur, l.quantity, price, row.discount);
                l.finding = Some((Kind::PriceMismatch, l.amount - expected(l)));
            }
            Some(GroupPlant::Discount) => {
                let l = &mut lines[start];
                l.discount = Some(Decimal::ZERO);
                l.amount = line_amount(cur, l.quantity, row.unit_price, Decimal::ZERO);
                l.finding = Some((Kind::DiscountMissing, l.amount - expected(l)));
            }
            Some(GroupPlant::Arithmetic) => {
                let delta = minor(cur) * Decimal::from(self.rng.i64(1..=99));
                let l = &mut lines[start];
                let delta = if l.amount > delta && self.rng.bool() {
                    -delta
                } else {
                    delta
                };
                l.amount += delta;
                l.finding = Some((Kind::LineArithmetic, delta));
            }
            Some(GroupPlant::Overbilled) | Some(GroupPlant::UnbilledGroup) => {
                let over = plant == Some(GroupPlant::Overbilled);
                let q_last = *parts.last().expect("a group has lines");
                let gap = match sku {
                    Sku::Sub => 1,
                    Sku::Seats => self.rng.i64(1..=3.min(q_last)),
                    Sku::Hours => 5 * self.rng.i64(1..=4.min(q_last / 5)),
                    Sku::Usage | Sku::Storage => self.rng.i64(1..=(q_last / 5).max(1)),
                };
                // billed − delivered, signed; the finding's quantity is the last line's minus it.
                let diff = if over { gap } else { -gap };
                delivered = total - diff;
                let l = lines.last_mut().expect("a group has lines");
                let discount = l.discount.unwrap_or_default();
                let fair =
                    line_amount(cur, l.quantity - sku.quantity(diff), l.unit_price, discount);
                let kind = if over {
                    Kind::QuantityOverbilled
                } else {
                    Kind::UnbilledDelivery
                };
                l.finding = Some((kind, l.amount - fair));
            }
            Some(GroupPlant::Duplicate) => {
                let k = self.rng.usize(..parts.len());
                let mut copy = lines[start + k].clone();
                copy.finding = Some((Kind::DuplicateCharge, copy.amount));
                if last || self.rng.bool() {
                    dups_here.push(copy);
                } else {
                    self.pending_dups.push(copy);
                }
            }
        }
        self.deliver(sku, ps, pe, delivered, &parts);
    }

    /// A month's quantity as one line or, sometimes, two lines with different quantities (two
    /// teams' seats; incident and planned support), which are then not duplicates of each other.
    fn split_lines(&mut self, sku: Sku, total: i64) -> Vec<i64> {
        let step = sku.step();
        let units = total / step;
        let split = match sku {
            Sku::Seats => self.rng.f64() < 0.3,
            Sku::Hours => self.rng.f64() < 0.2,
            _ => false,
        };
        if !split || units < 3 {
            return vec![total];
        }
        let mut a = self.rng.i64(1..units);
        if 2 * a == units {
            a += 1;
        }
        vec![a * step, (units - a) * step]
    }

    /// Deliveries of `ticks` of `sku` inside `ps..=pe`; seats follow the lines' teams.
    fn deliver(&mut self, sku: Sku, ps: Date, pe: Date, ticks: i64, lines: &[i64]) {
        if ticks <= 0 {
            return;
        }
        let step = sku.step();
        let (d0, d1) = (ps.day(), pe.day());
        let parts: Vec<i64> = match sku {
            Sku::Seats if lines.iter().sum::<i64>() == ticks => lines.to_vec(),
            Sku::Sub | Sku::Seats | Sku::Storage => vec![ticks],
            Sku::Hours => {
                let k = self.rng.usize(2..=5);
                split_ticks(&mut self.rng, ticks, k, step)
            }
            Sku::Usage => {
                let k = self.rng.usize(4..=5);
                split_ticks(&mut self.rng, ticks, k, step)
            }
        };
        let k = parts.len();
        for (j, &q) in parts.iter().enumerate() {
            let (day, reference) = match sku {
                Sku::Sub => (d1, "monthly availability report".to_owned()),
                Sku::Seats => (
                    d0 + self.rng.i8(0..=(d1 - d0).min(4)),
                    if k == 1 {
                        "seat count".to_owned()
                    } else {
                        format!("seat count, team {}", ["A", "B"][j.min(1)])
                    },
                ),
                Sku::Storage => (d1, "storage snapshot".to_owned()),
                Sku::Hours => (
                    self.rng.i8(d0..=d1),
                    format!("timesheet TS-{}", self.rng.u32(1000..=9999)),
                ),
                Sku::Usage => {
                    // Readings spread over the period, the last one on its last day.
                    let span = i64::from(d1 - d0);
                    let day = d0 + ((span * (j as i64 + 1)) / k as i64) as i8;
                    (day, format!("meter reading {}/{k}", j + 1))
                }
            };
            self.data.deliveries.push(Delivery {
                sku: sku.code(),
                on: day_of(ps, day),
                quantity: sku.quantity(q),
                reference,
            });
        }
    }

    /// A charge for an ad-hoc service no price row covers (R2), sometimes with its own delivery
    /// inside its period, which the line itself covers.
    fn unknown_line(&mut self, ps: Date, pe: Date) -> Line {
        let j = self.rng.usize(..catalog::EXTRA_SKUS.len());
        let (code, label) = catalog::EXTRA_SKUS[j];
        let unit_price = dec(self.profile.extras[j]);
        let quantity = Decimal::from(if code == "TRAINING" {
            self.rng.i64(1..=3)
        } else {
            1
        });
        let amount = line_amount(self.cur, quantity, unit_price, Decimal::ZERO);
        if self.rng.bool() {
            let day = self.rng.i8(ps.day()..=pe.day());
            self.data.deliveries.push(Delivery {
                sku: code,
                on: day_of(ps, day),
                quantity,
                reference: format!("work order WO-{}", self.rng.u32(10000..=99999)),
            });
        }
        Line {
            late_fee_for: None,
            sku: code,
            description: label.to_owned(),
            period: Some((ps, pe)),
            quantity,
            unit_price,
            discount: Some(Decimal::ZERO),
            amount,
            finding: Some((Kind::UnknownCharge, amount)),
        }
    }

    /// A month after the contract's end, billed in advance (R1), with no deliveries.
    fn outside_after_end(&mut self, m: i32) -> Line {
        let first = self.env.month_first(m);
        let si = self.rng.usize(..self.data.skus.len());
        let plan = &self.data.skus[si];
        let sku = plan.sku;
        let row = *plan.rows.last().expect("a sku has price rows");
        let quantity = sku.quantity(sku.monthly_quantity(&mut self.rng));
        let amount = line_amount(self.cur, quantity, row.unit_price, row.discount);
        Line {
            late_fee_for: None,
            sku: sku.code(),
            description: format!(
                "{}, {} {} (prepaid)",
                sku.label(),
                catalog::MONTHS[first.month() as usize - 1],
                first.year()
            ),
            period: Some((first, first.last_of_month())),
            quantity,
            unit_price: row.unit_price,
            discount: Some(row.discount),
            amount,
            finding: Some((Kind::OutsideContract, amount)),
        }
    }

    /// Deliveries after the contract's end that no line bills (R7 monthly).
    fn after_the_end(&mut self) {
        if self.after_end != Some(AfterEnd::Deliveries) {
            return;
        }
        let m = self.last_billed + 1;
        let first = self.env.month_first(m);
        let si = self.rng.usize(..self.data.skus.len());
        let sku = self.data.skus[si].sku;
        let ticks = sku.monthly_quantity(&mut self.rng);
        self.deliver(sku, first, first.last_of_month(), ticks, &[ticks]);
        // Valued at the price valid on the 1st: none when the price rows end with the contract.
        let impact = match self.data.skus[si].row_on(first) {
            Some(r) => -line_amount(self.cur, sku.quantity(ticks), r.unit_price, r.discount),
            None => Decimal::ZERO,
        };
        self.data.findings.push(Finding {
            kind: Kind::UnbilledDelivery,
            invoice: None,
            line_no: None,
            sku: Some(sku.code()),
            period_start: Some(first),
            impact,
        });
    }

    /// The late fee line for `fee`.
    fn fee_line(&self, fee: PendingFee) -> Line {
        Line {
            late_fee_for: Some(fee.invoice),
            sku: "",
            description: format!("Late fee on {}", invoice_id(self.data.number, fee.invoice)),
            period: None,
            quantity: Decimal::ONE,
            unit_price: fee.amount,
            discount: None,
            amount: fee.amount,
            finding: fee.finding,
        }
    }

    /// Whether this month's invoice is the one a forced late-fee error is planted for.
    fn forced_fee_target(&self, m: i32) -> Option<Forced> {
        match self.forced {
            Some(f @ (Forced::LateFeePaid | Forced::LateFeeNoNotice | Forced::LateFeeExcess))
                if m == self.first_billed =>
            {
                Some(f)
            }
            _ => None,
        }
    }

    /// Which invoice-level error, if any, goes on the invoice of month `m`.
    fn level_plant(&mut self, m: i32, issue: Date) -> Option<LevelPlant> {
        if m == self.forced_month {
            match self.forced {
                Some(Forced::Tax) => return Some(LevelPlant::Tax),
                Some(Forced::Total) => return Some(LevelPlant::Total),
                Some(Forced::Overpayment) => return Some(LevelPlant::Overpayment),
                _ => {}
            }
        }
        if self.forced_fee_target(m).is_some() || !self.chance() {
            return None;
        }
        // An overpayment is paid within two weeks of issue, which must be before the export.
        let can_overpay = issue < self.env.month_first(self.env.months);
        Some(match self.rng.usize(..if can_overpay { 3 } else { 2 }) {
            0 => LevelPlant::Tax,
            1 => LevelPlant::Total,
            _ => LevelPlant::Overpayment,
        })
    }

    /// Payments and notices of an invoice, and the late fee it will cost if paid late.
    fn settle(&mut self, inv: &mut Invoice, index: usize, m: i32, level: Option<LevelPlant>) {
        let cur = self.cur;
        let channel = catalog::CHANNELS[self.rng.usize(..catalog::CHANNELS.len())];
        let (issue, due, total) = (inv.issue, inv.due, inv.total);
        let grace = self.data.contract.grace;
        let grace_end = add_days(due, grace);
        let terms = self.data.contract.terms;
        inv.notices.push(Notice {
            sent_on: issue,
            kind: "invoice",
            channel,
        });
        let forced_fee = self.forced_fee_target(m);
        let plan = match (level, forced_fee) {
            (Some(LevelPlant::Overpayment), _) => PayPlan::Overpaid,
            (Some(_), _) => PayPlan::OnTime { parts: 1 },
            (None, Some(Forced::LateFeePaid)) => PayPlan::OnTime { parts: 1 },
            (None, Some(Forced::LateFeeExcess)) => PayPlan::Late { partial: true },
            (None, Some(_)) => PayPlan::Late { partial: false },
            (None, None) => {
                let r = self.rng.f64();
                if r < 0.70 {
                    PayPlan::OnTime { parts: 1 }
                } else if r < 0.80 {
                    PayPlan::OnTime { parts: 2 }
                } else if r < 0.85 && grace > 0 {
                    PayPlan::WithinGrace
                } else if r < 0.97 {
                    PayPlan::Late {
                        partial: self.rng.f64() < 0.35,
                    }
                } else {
                    PayPlan::Never
                }
            }
        };
        let (method, reference) = self.payment_method();
        let pay = |inv: &mut Invoice, on: Date, amount: Decimal| {
            inv.payments.push(Payment {
                paid_on: on,
                amount,
                method,
                reference: reference.clone(),
            });
        };
        let pct = self.data.contract.late_fee_percent;
        match plan {
            PayPlan::OnTime { parts } => {
                let first_part = if parts == 2 {
                    self.part_of(total)
                } else {
                    total
                };
                if first_part < total {
                    pay(
                        inv,
                        add_days(issue, self.rng.i64(1..=terms / 2)),
                        first_part,
                    );
                    pay(
                        inv,
                        add_days(issue, self.rng.i64(terms / 2 + 1..=terms)),
                        total - first_part,
                    );
                } else {
                    pay(inv, add_days(issue, self.rng.i64(1..=terms)), total);
                }
            }
            PayPlan::WithinGrace => {
                inv.notices.push(Notice {
                    sent_on: add_days(due, 1),
                    kind: "reminder",
                    channel,
                });
                pay(inv, add_days(due, self.rng.i64(1..=grace)), total);
            }
            PayPlan::Overpaid => {
                let extra = if self.rng.bool() {
                    // Paid twice.
                    pay(inv, add_days(issue, self.rng.i64(2..=7)), total);
                    pay(inv, add_days(issue, self.rng.i64(8..=14)), total);
                    total
                } else {
                    let extra = minor(cur) * Decimal::from(self.rng.i64(1..=500));
                    pay(inv, add_days(issue, self.rng.i64(2..=14)), total + extra);
                    extra
                };
                self.invoice_finding(index, Kind::Overpayment, extra);
            }
            PayPlan::Late { .. } | PayPlan::Never => {
                let paid_before = match plan {
                    PayPlan::Late { partial: true } => {
                        let part = self.part_of(total);
                        let on = add_days(due, -self.rng.i64(0..=5)).max(add_days(issue, 1));
                        pay(inv, on, part);
                        part
                    }
                    _ => Decimal::ZERO,
                };
                inv.notices.push(Notice {
                    sent_on: add_days(due, self.rng.i64(1..=3)),
                    kind: "reminder",
                    channel,
                });
                let fee_plan = match forced_fee {
                    Some(Forced::LateFeeExcess) => FeePlan::Excess,
                    Some(Forced::LateFeeNoNotice) => FeePlan::NoNotice,
                    _ if !pct.is_zero() && self.chance() => {
                        if self.rng.bool() {
                            FeePlan::Excess
                        } else {
                            FeePlan::NoNotice
                        }
                    }
                    _ => FeePlan::Correct,
                };
                // The overdue notice: strictly after grace unless the planted error is that it
                // was not (sent on the last day of grace, or never sent).
                let notice_on = match fee_plan {
                    FeePlan::NoNotice => {
                        if self.rng.bool() {
                            inv.notices.push(Notice {
                                sent_on: grace_end,
                                kind: "overdue_notice",
                                channel,
                            });
                        }
                        grace_end
                    }
                    _ => {
                        let on = add_days(grace_end, self.rng.i64(1..=5));
                        inv.notices.push(Notice {
                            sent_on: on,
                            kind: "overdue_notice",
                            channel,
                        });
                        on
                    }
                };
                if plan == PayPlan::Never {
                    if fee_plan != FeePlan::NoNotice {
                        let on = add_days(notice_on, 30);
                        inv.notices.push(Notice {
                            sent_on: on,
                            kind: "overdue_notice",
                            channel,
                        });
                    }
                } else {
                    pay(
                        inv,
                        add_days(notice_on, self.rng.i64(2..=25)),
                        total - paid_before,
                    );
                }
                if !pct.is_zero() {
                    let unpaid = total - paid_before;
                    let fair = cur.round(unpaid * pct / Decimal::ONE_HUNDRED);
                    let (amount, finding) = match fee_plan {
                        FeePlan::Correct => (fair, None),
                        FeePlan::Excess => {
                            let tenths = Decimal::from(self.rng.i64(1..=5)) / Decimal::TEN;
                            let delta = cur.round(fair * tenths).max(minor(cur));
                            (fair + delta, Some((Kind::LateFeeExcess, delta)))
                        }
                        FeePlan::NoNotice => (fair, Some((Kind::LateFeeUnwarranted, fair))),
                    };
                    if amount > Decimal::ZERO {
                        self.pending_fees.push(PendingFee {
                            invoice: index,
                            amount,
                            after: notice_on,
                            finding,
                        });
                    }
                }
            }
        }
        // A late fee for an invoice paid in time: the planted error is the fee itself.
        let paid_in_time = matches!(plan, PayPlan::OnTime { .. } | PayPlan::WithinGrace);
        if paid_in_time
            && level.is_none()
            && !pct.is_zero()
            && (forced_fee == Some(Forced::LateFeePaid) || self.chance())
        {
            let amount = cur.round(total * pct / Decimal::ONE_HUNDRED);
            if amount > Decimal::ZERO {
                self.pending_fees.push(PendingFee {
                    invoice: index,
                    amount,
                    after: due,
                    finding: Some((Kind::LateFeeUnwarranted, amount)),
                });
            }
        }
        // Some customers get a friendly reminder before the due date.
        if self.rng.f64() < 0.1 {
            let on = add_days(due, -3).max(issue);
            inv.notices.insert(
                1,
                Notice {
                    sent_on: on,
                    kind: "reminder",
                    channel,
                },
            );
        }
    }

    /// Between 30 % and 70 % of `total`, in whole minor units, never all of it.
    fn part_of(&mut self, total: Decimal) -> Decimal {
        let share = Decimal::new(self.rng.i64(30..=70), 2);
        let part = self.cur.round(total * share);
        if part > Decimal::ZERO && part < total {
            part
        } else {
            total
        }
    }

    fn payment_method(&mut self) -> (&'static str, String) {
        let (method, refs) = catalog::METHODS[self.rng.usize(..catalog::METHODS.len())];
        let base = refs[self.rng.usize(..refs.len())];
        // References repeat across payments, as they do in real bank statements.
        let reference = if self.rng.bool() {
            base.to_owned()
        } else {
            format!("{base}{}", self.rng.u32(1..=99))
        };
        (method, reference)
    }

    /// The adjustment the rules owe a dispute: positive impacts on its invoice (or line),
    /// leaving out overpayments.
    fn found(&self, invoice: usize, line_no: Option<u32>) -> Decimal {
        self.data
            .findings
            .iter()
            .filter(|f| f.invoice == Some(invoice) && f.kind != Kind::Overpayment)
            .filter(|f| line_no.is_none() || f.line_no == line_no)
            .map(|f| f.impact)
            .filter(|i| *i > Decimal::ZERO)
            .sum()
    }

    fn open_dispute(
        &mut self,
        invoice: usize,
        line_no: Option<u32>,
        reason: Reason,
        claimed: Decimal,
    ) {
        let issue = self.data.invoices[invoice].issue;
        let opened_on = add_days(issue, self.rng.i64(2..=25)).min(self.env.export_date);
        let found = self.found(invoice, line_no);
        let verdict = if found.is_zero() {
            "rejected"
        } else if found >= claimed {
            "upheld"
        } else {
            "partially_upheld"
        };
        let template = catalog::narrative(self.data.language, reason);
        let narrative = template.replace("{inv}", &self.data.invoice_id(invoice));
        self.data.disputes.push(Dispute {
            invoice,
            line_no,
            opened_on,
            reason,
            claimed: claimed.max(minor(self.cur)),
            narrative,
            verdict,
            adjustment: found,
        });
    }

    /// Customers dispute some of the errors (claiming too much, too little or exactly right) and
    /// a few correct invoices.
    fn open_disputes(&mut self) {
        let cur = self.cur;
        let mut disputed = vec![false; self.data.invoices.len()];
        match self.forced {
            Some(f @ (Forced::DisputeUpheld | Forced::DisputePartial)) => {
                let target = self
                    .data
                    .findings
                    .iter()
                    .find(|f| f.kind == Kind::PriceMismatch && f.impact > Decimal::ZERO)
                    .map(|f| (f.invoice.expect("on an invoice"), f.line_no, f.impact));
                if let Some((invoice, line_no, impact)) = target {
                    let claimed = if f == Forced::DisputeUpheld {
                        impact
                    } else {
                        impact + cur.round(impact / Decimal::TWO).max(minor(cur))
                    };
                    disputed[invoice] = true;
                    self.open_dispute(invoice, line_no, Reason::WrongPrice, claimed);
                }
            }
            Some(Forced::DisputeRejected) => {
                // A line with no finding, on an invoice with none either.
                let target = (0..self.data.invoices.len()).find_map(|i| {
                    let clean = self.data.findings.iter().all(|f| f.invoice != Some(i));
                    clean.then(|| (i, self.data.invoices[i].lines[0].amount))
                });
                if let Some((invoice, amount)) = target {
                    disputed[invoice] = true;
                    self.open_dispute(
                        invoice,
                        Some(1),
                        Reason::Overcharged,
                        cur.round(amount / Decimal::TWO),
                    );
                }
            }
            _ => {}
        }
        let candidates: Vec<(usize, Option<u32>, Kind)> = self
            .data
            .findings
            .iter()
            .filter(|f| f.impact > Decimal::ZERO && f.kind != Kind::Overpayment)
            .filter_map(|f| f.invoice.map(|i| (i, f.line_no, f.kind)))
            .collect();
        for (invoice, line_no, kind) in candidates {
            if disputed[invoice] || self.rng.f64() >= 0.3 {
                continue;
            }
            disputed[invoice] = true;
            let scope = if line_no.is_some() && self.rng.f64() < 0.7 {
                line_no
            } else {
                None
            };
            let found = self.found(invoice, scope);
            let r = self.rng.f64();
            let claimed = if r < 0.5 {
                found
            } else if r < 0.75 {
                cur.round(found / Decimal::TWO)
            } else {
                found + cur.round(found * Decimal::from(self.rng.i64(1..=10)) / Decimal::TEN)
            };
            let reason = match kind {
                Kind::DuplicateCharge => Reason::Duplicate,
                Kind::PriceMismatch | Kind::DiscountMissing => Reason::WrongPrice,
                Kind::QuantityOverbilled => Reason::NotReceived,
                Kind::LateFeeExcess | Kind::LateFeeUnwarranted => Reason::LateFee,
                Kind::TaxMismatch | Kind::TotalMismatch => Reason::Other,
                _ => Reason::Overcharged,
            };
            self.open_dispute(invoice, scope, reason, claimed);
        }
        // Disputes of invoices that may well be right: the verdict says which.
        for (invoice, done) in disputed.into_iter().enumerate() {
            if done || self.rng.f64() >= 0.004 {
                continue;
            }
            let lines = &self.data.invoices[invoice].lines;
            let k = self.rng.usize(..lines.len());
            let amount = lines[k].amount;
            let scope = (self.rng.f64() < 0.7).then_some(k as u32 + 1);
            let share = Decimal::from(self.rng.i64(1..=10)) / Decimal::TEN;
            let reason = Reason::ALL[self.rng.usize(..Reason::ALL.len())];
            self.open_dispute(invoice, scope, reason, cur.round(amount * share));
        }
    }
}

/// A currency drawn by weight.
fn pick_currency(rng: &mut Rng) -> &'static CurrencyProfile {
    let total: u32 = catalog::CURRENCIES.iter().map(|c| c.weight).sum();
    let mut r = rng.u32(..total);
    for c in catalog::CURRENCIES {
        if r < c.weight {
            return c;
        }
        r -= c.weight;
    }
    unreachable!("weights cover the range")
}

/// `price × factor` at the price's own number of decimals, always different from `price`
/// (up when `up`) and above zero; more decimals are kept when rounding would erase the change.
fn scaled_price(price: Decimal, factor: Decimal, up: bool) -> Decimal {
    let exact = price * factor;
    let rounded =
        exact.round_dp_with_strategy(price.scale(), RoundingStrategy::MidpointAwayFromZero);
    let moved = if up { rounded > price } else { rounded < price };
    if moved && rounded > Decimal::ZERO {
        rounded
    } else {
        exact.normalize()
    }
}

/// `total` ticks cut into up to `k` parts of whole `step`s, each at least one step.
fn split_ticks(rng: &mut Rng, total: i64, k: usize, step: i64) -> Vec<i64> {
    let units = total / step;
    let k = (k as i64).min(units).max(1);
    let mut parts = Vec::with_capacity(k as usize);
    let mut remaining = units;
    for j in 0..k - 1 {
        let slots_after = k - 1 - j;
        let target = remaining / (k - j);
        let hi = (remaining - slots_after).min(target + target / 2);
        let lo = (target / 2).max(1);
        let part = rng.i64(lo..=hi.max(lo));
        parts.push(part * step);
        remaining -= part;
    }
    parts.push(remaining * step);
    parts
}
