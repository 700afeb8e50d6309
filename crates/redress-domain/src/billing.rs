//! Billing documents: what a business agreed, delivered, invoiced, was paid and told its
//! customer. Together they are the [`BillingData`] that an audit checks a bill against.

use crate::calendar::{Date, Period};
use crate::ids::{ContractIdx, CustomerIdx, IdTable, InvoiceIdx, SkuIdx, TextColumn};
use crate::money::Currency;
use crate::number::Decimal;

/// A business's customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// The customer's name, free text.
    pub name: String,
    /// Where notices go.
    pub email: String,
    /// Preferred language as a BCP 47 tag (`en`, `es`, `pt-BR`).
    pub language: String,
    /// When the relationship began.
    pub customer_since: Date,
}

/// The agreement that sets a customer's prices, terms and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// Whose contract it is.
    pub customer: CustomerIdx,
    /// The currency every invoice under it uses.
    pub currency: Currency,
    /// The first day it covers.
    pub start_date: Date,
    /// The last day it covers; `None` while open-ended.
    pub end_date: Option<Date>,
    /// Days from issue to due date.
    pub payment_terms_days: u32,
    /// Late fee, in percent of what is unpaid after grace.
    pub late_fee_percent: Decimal,
    /// Days after the due date before a late fee may be charged.
    pub late_fee_grace_days: u32,
    /// Tax charged on an invoice's net amount, in percent.
    pub tax_rate_percent: Decimal,
}

/// A contract's price for one SKU over a validity range.
///
/// Identified by its contract, SKU and first valid day, which no two rows share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRow {
    /// The contract it belongs to.
    pub contract: ContractIdx,
    /// The product or service priced.
    pub sku: SkuIdx,
    /// Price of one unit, before discount, in major units; any number of decimals.
    pub unit_price: Decimal,
    /// Agreed discount in percent (0 when none).
    pub discount_percent: Decimal,
    /// The first day the price applies.
    pub valid_from: Date,
    /// The last day it applies; `None` while open.
    pub valid_to: Option<Date>,
}

impl PriceRow {
    /// Whether the price applies on `day`.
    pub fn is_valid_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// Proof that goods were delivered or work was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The contract it was delivered under.
    pub contract: ContractIdx,
    /// What was delivered.
    pub sku: SkuIdx,
    /// When.
    pub delivered_on: Date,
    /// How much, always more than zero.
    pub quantity: Decimal,
}

/// Every delivery record, with their ids and references kept in compact columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deliveries {
    /// The records, in file order.
    pub records: Vec<Delivery>,
    /// `delivery_id` of each record, same order.
    pub ids: TextColumn,
    /// `reference` of each record (free text), same order; empty when read without free text.
    pub references: TextColumn,
}

/// A bill sent to a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// Who is billed.
    pub customer: CustomerIdx,
    /// Under which contract.
    pub contract: ContractIdx,
    /// When it was issued.
    pub issue_date: Date,
    /// When payment is due.
    pub due_date: Date,
    /// Its currency, always its contract's.
    pub currency: Currency,
    /// Net total of its lines, as stated on the invoice.
    pub subtotal: Decimal,
    /// Tax, as stated.
    pub tax_total: Decimal,
    /// Amount due, as stated.
    pub total: Decimal,
}

/// What an invoice line charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A charge for a SKU over a period of service.
    Charge {
        /// The product or service.
        sku: SkuIdx,
        /// The days the charge covers.
        period: Period,
    },
    /// A late fee for another invoice paid late.
    LateFee {
        /// The invoice the fee is charged for.
        late_fee_for: InvoiceIdx,
    },
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// The invoice it is on.
    pub invoice: InvoiceIdx,
    /// Its number on that invoice, from 1.
    pub line_no: u32,
    /// A charge or a late fee.
    pub kind: LineKind,
    /// Units billed, always more than zero.
    pub quantity: Decimal,
    /// Price of one unit before discount; any number of decimals.
    pub unit_price: Decimal,
    /// Discount applied, in percent.
    pub discount_percent: Decimal,
    /// Net amount billed, after discount and before tax.
    pub amount: Decimal,
}

/// Money received against an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The invoice paid.
    pub invoice: InvoiceIdx,
    /// When it was received.
    pub paid_on: Date,
    /// How much, always more than zero.
    pub amount: Decimal,
    /// How it was paid (`card`, `bank_transfer`, …).
    pub method: String,
    /// The payer's or the bank's reference, free text.
    pub reference: String,
}

/// What a notice to the customer was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// The invoice itself was sent.
    Invoice,
    /// A friendly reminder.
    Reminder,
    /// A formal notice that the invoice is overdue; a late fee needs one.
    OverdueNotice,
}

impl NoticeKind {
    /// Every kind, with its name in billing data.
    pub const ALL: [(Self, &'static str); 3] = [
        (Self::Invoice, "invoice"),
        (Self::Reminder, "reminder"),
        (Self::OverdueNotice, "overdue_notice"),
    ];

    /// Its name in billing data.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::Reminder => "reminder",
            Self::OverdueNotice => "overdue_notice",
        }
    }
}

/// A notice sent to the customer about an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The invoice it concerns.
    pub invoice: InvoiceIdx,
    /// When it was sent.
    pub sent_on: Date,
    /// What it was.
    pub kind: NoticeKind,
    /// How it was sent (`email`, `post`, `sms`, …).
    pub channel: String,
}

/// Why a customer disputes a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeReason {
    /// Charged more than agreed.
    Overcharged,
    /// Charged twice for the same thing.
    Duplicate,
    /// Charged for something never received.
    NotReceived,
    /// Charged the wrong price.
    WrongPrice,
    /// A late fee they think unfair.
    LateFee,
    /// Anything else.
    Other,
}

impl DisputeReason {
    /// Every reason, with its name in billing data and the API.
    pub const ALL: [(Self, &'static str); 6] = [
        (Self::Overcharged, "overcharged"),
        (Self::Duplicate, "duplicate"),
        (Self::NotReceived, "not_received"),
        (Self::WrongPrice, "wrong_price"),
        (Self::LateFee, "late_fee"),
        (Self::Other, "other"),
    ];

    /// Its name in billing data.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map(|(_, n)| *n)
            .unwrap_or("other")
    }

    /// The reason named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(r, _)| *r)
    }
}

/// A customer's dispute of an invoice or one of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    /// The invoice disputed.
    pub invoice: InvoiceIdx,
    /// The line disputed; `None` for the whole invoice.
    pub line_no: Option<u32>,
    /// When the customer raised it.
    pub opened_on: Date,
    /// The customer's reason.
    pub reason: DisputeReason,
    /// What the customer says they were overcharged, net of tax.
    pub claimed_amount: Decimal,
    /// The customer's own words.
    pub narrative: String,
}

/// A business's billing records, consistent as data: every reference resolves, every id is
/// unique, every period is in order. Whether the bills are *right* is the audit's question.
#[derive(Debug, Clone, Default)]
pub struct BillingData {
    /// `customer_id`s; index `i` is `customers[i]`.
    pub customer_ids: IdTable,
    /// Customers.
    pub customers: Vec<Customer>,
    /// `contract_id`s; index `i` is `contracts[i]`.
    pub contract_ids: IdTable,
    /// Contracts.
    pub contracts: Vec<Contract>,
    /// Every SKU named anywhere.
    pub skus: IdTable,
    /// Price rows, in file order.
    pub prices: Vec<PriceRow>,
    /// Delivery records.
    pub deliveries: Deliveries,
    /// `invoice_id`s; index `i` is `invoices[i]`.
    pub invoice_ids: IdTable,
    /// Invoices.
    pub invoices: Vec<Invoice>,
    /// Invoice lines, in file order.
    pub lines: Vec<InvoiceLine>,
    /// `description` of each line, same order; empty when read without free text.
    pub line_descriptions: TextColumn,
    /// `payment_id` of each payment, same order.
    pub payment_ids: TextColumn,
    /// Payments.
    pub payments: Vec<Payment>,
    /// `notice_id` of each notice, same order.
    pub notice_ids: TextColumn,
    /// Notices sent.
    pub notices: Vec<Notice>,
    /// `dispute_id` of each dispute, same order.
    pub dispute_ids: TextColumn,
    /// Disputes raised.
    pub disputes: Vec<Dispute>,
}

impl BillingData {
    /// The first reference to a record that is not in the data (a contract's customer, a
    /// line's invoice, …), described; `None` when every reference holds. Data read from an
    /// export always passes: its reader refuses such rows with their file and line.
    pub fn dangling_reference(&self) -> Option<String> {
        let customers = self.customers.len();
        let contracts = self.contracts.len();
        let invoices = self.invoices.len();
        let skus = self.skus.len();
        let first = |what: &str, position: Option<usize>| {
            position.map(|i| format!("{what} {} refers to a record that is not there", i + 1))
        };
        first(
            "contract",
            self.contracts
                .iter()
                .position(|c| c.customer.index() >= customers),
        )
        .or_else(|| {
            first(
                "price row",
                self.prices
                    .iter()
                    .position(|p| p.contract.index() >= contracts || p.sku.index() >= skus),
            )
        })
        .or_else(|| {
            first(
                "delivery",
                self.deliveries
                    .records
                    .iter()
                    .position(|d| d.contract.index() >= contracts || d.sku.index() >= skus),
            )
        })
        .or_else(|| {
            first(
                "invoice",
                self.invoices.iter().position(|i| {
                    i.customer.index() >= customers || i.contract.index() >= contracts
                }),
            )
        })
        .or_else(|| {
            first(
                "invoice line",
                self.lines.iter().position(|l| {
                    l.invoice.index() >= invoices
                        || match l.kind {
                            LineKind::Charge { sku, .. } => sku.index() >= skus,
                            LineKind::LateFee { late_fee_for } => late_fee_for.index() >= invoices,
                        }
                }),
            )
        })
        .or_else(|| {
            first(
                "payment",
                self.payments
                    .iter()
                    .position(|p| p.invoice.index() >= invoices),
            )
        })
        .or_else(|| {
            first(
                "notice",
                self.notices
                    .iter()
                    .position(|n| n.invoice.index() >= invoices),
            )
        })
        .or_else(|| {
            first(
                "dispute",
                self.disputes
                    .iter()
                    .position(|d| d.invoice.index() >= invoices),
            )
        })
    }

    /// The contract with index `c`.
    pub fn contract(&self, c: ContractIdx) -> &Contract {
        &self.contracts[c.index()]
    }

    /// The invoice with index `i`.
    pub fn invoice(&self, i: InvoiceIdx) -> &Invoice {
        &self.invoices[i.index()]
    }

    /// The text id of invoice `i`.
    pub fn invoice_id(&self, i: InvoiceIdx) -> &str {
        self.invoice_ids.name(i.0)
    }

    /// The text id of contract `c`.
    pub fn contract_id(&self, c: ContractIdx) -> &str {
        self.contract_ids.name(c.0)
    }

    /// The text of SKU `s`.
    pub fn sku(&self, s: SkuIdx) -> &str {
        self.skus.name(s.0)
    }
}
