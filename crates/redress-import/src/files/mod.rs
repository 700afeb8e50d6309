//! One module per file of billing-data v1: its columns, how a row is read, and the checks that
//! look across rows or into other files.

pub(crate) mod contracts;
pub(crate) mod customers;
pub(crate) mod deliveries;
pub(crate) mod disputes;
pub(crate) mod invoice_lines;
pub(crate) mod invoices;
pub(crate) mod notices;
pub(crate) mod payments;
pub(crate) mod prices;
