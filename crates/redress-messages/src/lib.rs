//! The messages Redress drafts for a customer, in their language: an acknowledgement, a request
//! for information, the charges explained line by line, a resolution offered or a rejection, a
//! status update, a confirmation naming its documents, an arrears notice and a satisfaction
//! follow-up. Each is drafted from typed facts ([`Message`]) into a subject and a plain-text
//! body ([`Draft`]) for an agent to edit before it is sent.
//!
//! The crate is pure: the message files (`locales/*/messages.ftl`, Fluent) are embedded when it
//! compiles, and numbers and dates are formatted with ICU4X's compiled CLDR data, so drafting
//! reads no file, network or database, cannot fail at run time, and gives the same text for the
//! same facts. Sending the message (email, the portal) is the business of other crates.
//!
//! A message missing in the customer's language is written in English, and its id is listed in
//! [`Draft::missing`]; a customer whose language we do not write in gets English, and
//! [`Language::for_customer`] says so.
//!
//! Other crates write amounts, days and numbers as the messages do with [`money`], [`day`] and
//! [`number`].

#![forbid(unsafe_code)]

mod compose;
mod format;
pub mod language;
pub mod messages;

pub use compose::{Draft, draft, portal_footer};
pub use format::{day, money, number};
pub use language::Language;
pub use messages::*;
