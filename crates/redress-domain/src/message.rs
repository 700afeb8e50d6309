//! Messages between the business and its customer: which way one goes, what it is for, and
//! where its delivery stands. A message is kept exactly as it was sent or received; its delivery
//! moves through [`DeliveryState`]s, never back to be sent again once it reached an end.
//!
//! ```text
//! waiting → sending → delivered
//!    ↑         │          │ (a bounce: the mail server took it, then could not deliver it)
//!    └─────────┤          ↓
//!              └──────→ failed (refused for good, too many attempts, or bounced)
//! ```
//! A `sending` message whose worker died is claimed again once its claim expires. A bounce (a
//! mail server's report that the mail did not reach the customer) fails a message the mail
//! server had taken, or whose worker's mark it overtook.

use std::fmt;

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Written by the business to its customer.
    ToCustomer,
    /// Written by the customer (an email reply, a reply through the portal).
    FromCustomer,
}

impl Direction {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToCustomer => "to_customer",
            Self::FromCustomer => "from_customer",
        }
    }

    /// The direction named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::ToCustomer, Self::FromCustomer]
            .into_iter()
            .find(|d| d.as_str() == name)
    }
}

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// We received the dispute (sent by itself when a dispute is taken).
    Acknowledgement,
    /// We need something from the customer.
    InformationRequest,
    /// The charges explained line by line.
    Explanation,
    /// What we offer, or why the charges stand.
    ResolutionOffer,
    /// Where the dispute stands, when nothing has moved for a while.
    StatusUpdate,
    /// What was done, with its documents.
    Confirmation,
    /// We under-billed the customer: an apology and the ways to settle.
    ArrearsNotice,
    /// Were you satisfied with how it was put right?
    SatisfactionFollowUp,
    /// Anything else an agent writes.
    Note,
    /// The customer wrote to us.
    CustomerReply,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [Self; 10] = [
        Self::Acknowledgement,
        Self::InformationRequest,
        Self::Explanation,
        Self::ResolutionOffer,
        Self::StatusUpdate,
        Self::Confirmation,
        Self::ArrearsNotice,
        Self::SatisfactionFollowUp,
        Self::Note,
        Self::CustomerReply,
    ];

    /// The kinds an agent drafts about a dispute and sends.
    pub const DRAFTED_FOR_A_DISPUTE: [Self; 7] = [
        Self::InformationRequest,
        Self::Explanation,
        Self::ResolutionOffer,
        Self::StatusUpdate,
        Self::Confirmation,
        Self::SatisfactionFollowUp,
        Self::Note,
    ];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledgement => "acknowledgement",
            Self::InformationRequest => "information_request",
            Self::Explanation => "explanation",
            Self::ResolutionOffer => "resolution_offer",
            Self::StatusUpdate => "status_update",
            Self::Confirmation => "confirmation",
            Self::ArrearsNotice => "arrears_notice",
            Self::SatisfactionFollowUp => "satisfaction_follow_up",
            Self::Note => "note",
            Self::CustomerReply => "customer_reply",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a message's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// In the outbox, to be sent at its next attempt.
    Waiting,
    /// Claimed by a worker that is sending it.
    Sending,
    /// The mail server took it.
    Delivered,
    /// Refused for good, or given up after too many attempts: an agent must act.
    Failed,
}

impl DeliveryState {
    /// Every state.
    pub const ALL: [Self; 4] = [Self::Waiting, Self::Sending, Self::Delivered, Self::Failed];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The state named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether it will not be sent again: delivered or failed. A delivered message may still be
    /// failed by a bounce, but is never sent again.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Failed)
    }

    /// Whether a delivery may move from this state to `to`.
    ///
    /// A mail server that took a mail may report later that it could not deliver it (a
    /// bounce): so `delivered` may become `failed`. A bounce may also overtake the worker's
    /// own mark (it reports on a mail the worker has sent but not yet marked, or marked to be
    /// tried again after a failure it misread), so `waiting` and `sending` may become `failed`
    /// too. Nothing becomes `waiting` or `sending` from an end: a failed or delivered mail is
    /// never sent again by itself.
    pub fn may_become(self, to: Self) -> bool {
        use DeliveryState::*;
        matches!(
            (self, to),
            (Waiting, Sending)
                | (Sending, Sending)
                | (Sending, Waiting)
                | (Sending, Delivered)
                | (Waiting | Sending | Delivered, Failed)
        )
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document sent with a message, as a PDF made from it when the message goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DocumentRef {
    /// A credit note, by id.
    CreditNote(String),
    /// An invoice Redress issued (corrected or for arrears), by id.
    IssuedInvoice(String),
}

impl DocumentRef {
    /// Its kind's name, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CreditNote(_) => "credit_note",
            Self::IssuedInvoice(_) => "issued_invoice",
        }
    }

    /// Its id.
    pub fn id(&self) -> &str {
        match self {
            Self::CreditNote(id) | Self::IssuedInvoice(id) => id,
        }
    }

    /// The document of kind `kind` (as [`DocumentRef::kind`] names it) with id `id`.
    pub fn from_parts(kind: &str, id: String) -> Option<Self> {
        match kind {
            "credit_note" => Some(Self::CreditNote(id)),
            "issued_invoice" => Some(Self::IssuedInvoice(id)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_what_it_names() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_name(kind.as_str()), Some(kind));
        }
        for state in DeliveryState::ALL {
            assert_eq!(DeliveryState::from_name(state.as_str()), Some(state));
        }
        for direction in [Direction::ToCustomer, Direction::FromCustomer] {
            assert_eq!(Direction::from_name(direction.as_str()), Some(direction));
        }
        assert_eq!(MessageKind::from_name("letter"), None);
    }

    #[test]
    fn a_delivery_never_moves_back_from_its_end_and_only_a_bounce_fails_a_delivered_one() {
        use DeliveryState::*;
        for end in [Delivered, Failed] {
            assert!(end.is_final());
            for to in [Waiting, Sending, Delivered] {
                assert!(!end.may_become(to), "{end} → {to}");
            }
        }
        assert!(!Failed.may_become(Failed), "failed once");
        assert!(
            Delivered.may_become(Failed),
            "a bounce after the server took it"
        );
        assert!(Waiting.may_become(Failed) && Sending.may_become(Failed));
        assert!(Waiting.may_become(Sending));
        assert!(!Waiting.may_become(Delivered));
        assert!(Sending.may_become(Waiting));
    }
}
