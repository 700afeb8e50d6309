//! What the audit finds: a billing error, its signed impact, and the evidence it rests on.

use redress_domain::{ContractIdx, Currency, Date, Decimal, InvoiceIdx, SkuIdx};

/// The kinds of billing error the rules find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// R1: a charge for a period outside the contract.
    OutsideContract,
    /// R2: a charge for a SKU with no price valid on the period's first day.
    UnknownCharge,
    /// R3: the same charge billed again.
    DuplicateCharge,
    /// R4: a unit price other than the contract's.
    PriceMismatch,
    /// R5: the contract's discount not given (or a different one).
    DiscountMissing,
    /// R6: the line's amount is not its quantity × price × (1 − discount).
    LineArithmetic,
    /// R7: more units billed than delivered.
    QuantityOverbilled,
    /// R7: units delivered and not billed.
    UnbilledDelivery,
    /// R8: tax other than the contract's rate on the invoice's lines.
    TaxMismatch,
    /// R8: subtotal or total that does not add up.
    TotalMismatch,
    /// R8: paid more than the invoice's total.
    Overpayment,
    /// R8: a late fee with no ground (paid in time, or no overdue notice after grace).
    LateFeeUnwarranted,
    /// R8: a late fee above the contract's rate on what was unpaid.
    LateFeeExcess,
}

impl FindingKind {
    /// Every kind, in rule order.
    pub const ALL: [FindingKind; 13] = [
        Self::OutsideContract,
        Self::UnknownCharge,
        Self::DuplicateCharge,
        Self::PriceMismatch,
        Self::DiscountMissing,
        Self::LineArithmetic,
        Self::QuantityOverbilled,
        Self::UnbilledDelivery,
        Self::TaxMismatch,
        Self::TotalMismatch,
        Self::Overpayment,
        Self::LateFeeUnwarranted,
        Self::LateFeeExcess,
    ];

    /// The kind's name in reports and the API, e.g. `price_mismatch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutsideContract => "outside_contract",
            Self::UnknownCharge => "unknown_charge",
            Self::DuplicateCharge => "duplicate_charge",
            Self::PriceMismatch => "price_mismatch",
            Self::DiscountMissing => "discount_missing",
            Self::LineArithmetic => "line_arithmetic",
            Self::QuantityOverbilled => "quantity_overbilled",
            Self::UnbilledDelivery => "unbilled_delivery",
            Self::TaxMismatch => "tax_mismatch",
            Self::TotalMismatch => "total_mismatch",
            Self::Overpayment => "overpayment",
            Self::LateFeeUnwarranted => "late_fee_unwarranted",
            Self::LateFeeExcess => "late_fee_excess",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A billing error found by the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What is wrong.
    pub kind: FindingKind,
    /// The contract the bill falls under.
    pub contract: ContractIdx,
    /// The invoice it sits on; `None` for deliveries never billed at all.
    pub invoice: Option<InvoiceIdx>,
    /// The line it sits on, when on one.
    pub line_no: Option<u32>,
    /// The SKU, for findings about a charge or a delivery.
    pub sku: Option<SkuIdx>,
    /// The first day of the billing period, for unbilled and over-billed quantities.
    pub period_start: Option<Date>,
    /// The invoice's currency (the contract's when there is no invoice).
    pub currency: Currency,
    /// Signed, net of tax: positive when the customer was charged too much, negative when too
    /// little.
    pub impact: Decimal,
    /// What it rests on.
    pub evidence: Evidence,
}

/// Facts a person can check a finding against, and a customer can be shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evidence {
    /// The amount billed (a line's amount, an invoice's tax or total, a sum paid).
    pub billed: Decimal,
    /// What should have been billed by the contract and the records.
    pub expected: Decimal,
    /// Units billed and delivered, for quantity findings.
    pub quantities: Option<Quantities>,
    /// The contract price row applied, by index into `BillingData::prices`.
    pub price_row: Option<usize>,
    /// Other invoice lines it rests on (the original of a duplicate, the lines of a group).
    pub lines: Vec<(InvoiceIdx, u32)>,
    /// Delivery records, by index into `BillingData::deliveries`.
    pub deliveries: Vec<usize>,
    /// Payments, by index into `BillingData::payments`.
    pub payments: Vec<usize>,
    /// Notices, by index into `BillingData::notices`.
    pub notices: Vec<usize>,
    /// The invoice a late fee is charged for.
    pub late_fee_for: Option<InvoiceIdx>,
    /// The reason in plain words.
    pub explanation: String,
}

/// Units billed against units delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantities {
    /// Units on the invoice lines.
    pub billed: Decimal,
    /// Units in the delivery records.
    pub delivered: Decimal,
}
