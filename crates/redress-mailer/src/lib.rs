//! The delivery half of customer email: where mail goes ([`SmtpSettings`]), one mail built
//! ([`OutgoingMail`]) and sent ([`Mailer::send`]) with lettre, what a failure means for the
//! outbox ([`DeliveryFailure`]: try again after [`retry_after`], or give up), and a customer's
//! mail taken apart ([`parse_inbound`]) into who wrote, the thread, the new part of a reply and
//! the files a case may keep, or, for a mail server's delivery report, what it reports
//! ([`Bounce`]).
//!
//! The outbox (which mail to send when, how many tries) and the threading (which case a reply
//! belongs to) are the service's: this crate sends and parses one mail at a time, and its
//! [`Worker`] delivers the service's outbox with them. With the feature `test-sink`, [`SmtpSink`] is a loopback SMTP server for tests.
//!
//! No password is ever logged or shown by `Debug`/`Display`: the settings write it as `***`.

#![forbid(unsafe_code)]

mod bounce;
mod delivery;
mod html_text;
mod inbound;
mod outgoing;
mod reply;
mod settings;
#[cfg(feature = "test-sink")]
mod sink;
mod worker;

pub use bounce::{Bounce, read_bounce};
pub use delivery::{Delivered, DeliveryFailure, FIRST_RETRY, LONGEST_RETRY, Mailer, retry_after};
pub use inbound::{
    InboundAttachment, InboundError, InboundLimits, InboundMail, RefusalReason, RefusedAttachment,
    dispute_reference, parse_inbound,
};
/// lettre's mailbox (name and address), re-exported so that callers need not depend on lettre.
pub use lettre::message::Mailbox;
pub use outgoing::{MailError, OutgoingAttachment, OutgoingMail, message_id, outbox_id};
pub use settings::{DEFAULT_TIMEOUT, SettingsError, SmtpSettings, Tls, URL_FORM};
#[cfg(feature = "test-sink")]
pub use sink::{ReceivedMessage, SmtpSink};
pub use worker::{Worker, WorkerSettings};
