//! The domain of Redress: exact money in ISO 4217 currencies, dates and periods, and the billing
//! documents a dispute is checked against (contracts, price rows, deliveries, invoices and their
//! lines, payments, notices, disputes).
//!
//! It also holds the rules of a dispute's lifecycle and of the audit log's hash chain, the
//! customer account ledger in double entry ([`ledger`]), and the resolutions of a dispute with
//! their payment plans and approval policy ([`resolution`]).
//!
//! Everything here is pure data and arithmetic: no file, network or database access. Values are
//! parsed into types that cannot hold an invalid value (a [`Currency`] always has a minor unit, a
//! [`Period`] never ends before it starts), so the audit rules never re-check them.

#![forbid(unsafe_code)]

pub mod arrears;
pub mod audit_log;
pub mod billing;
pub mod calendar;
pub mod dispute;
pub mod evidence;
pub mod ids;
pub mod language;
pub mod ledger;
pub mod message;
pub mod money;
pub mod number;
pub mod recommendation;
pub mod resolution;
pub mod role;
pub mod service_level;
pub mod sign_in;

pub use billing::*;
pub use calendar::{Date, DateError, Period, PeriodError, Timestamp, parse_date, timestamp_text};
pub use dispute::{DisputeStatus, NoteKind, TransitionError, Verdict};
pub use ids::{ContractIdx, CustomerIdx, IdTable, InvoiceIdx, SkuIdx, TextColumn};
pub use language::Language;
pub use money::{AMOUNT_CEILING, Currency, CurrencyError, Money};
pub use number::{Decimal, NumberError, parse_decimal, percent_of};
pub use role::Role;
