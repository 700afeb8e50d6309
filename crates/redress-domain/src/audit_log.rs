//! The audit log's hash chain: every change is an event that carries the hash of the event
//! before it, so an edited, removed or forged event breaks the chain where it happened.

use sha2::{Digest, Sha256};
use std::fmt;

/// A SHA-256 hash of an event.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventHash(pub [u8; 32]);

impl EventHash {
    /// What the first event names as the one before it.
    pub const GENESIS: EventHash = EventHash([0; 32]);

    /// Parses 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(bytes))
    }
}

impl fmt::Display for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventHash({self})")
    }
}

/// A change about to be recorded: who did what to which thing, and its state before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// When, as an RFC 3339 UTC timestamp.
    pub occurred_at: String,
    /// Who: a token's name, `import`, `system`.
    pub actor: String,
    /// What kind of thing changed, e.g. `dispute`.
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// What happened, e.g. `created`, `status_changed`.
    pub action: String,
    /// Its state before, as JSON; `None` when it was created.
    pub before: Option<String>,
    /// Its state after, as JSON; `None` when it was removed.
    pub after: Option<String>,
}

/// A recorded event, sealed into the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Its place in the log, from 1, without gaps.
    pub sequence: u64,
    /// What happened.
    pub event: NewEvent,
    /// The hash of the event before (`GENESIS` for the first).
    pub previous_hash: EventHash,
    /// This event's hash, over its place, its content and `previous_hash`.
    pub hash: EventHash,
}

impl NewEvent {
    /// Seals the event as number `sequence`, after the event whose hash is `previous`.
    pub fn seal(self, sequence: u64, previous: EventHash) -> AuditEvent {
        let hash = event_hash(sequence, &self, previous);
        AuditEvent {
            sequence,
            event: self,
            previous_hash: previous,
            hash,
        }
    }
}

/// The hash of an event. Every field is length-prefixed, so no two different events hash the
/// same bytes.
pub fn event_hash(sequence: u64, event: &NewEvent, previous: EventHash) -> EventHash {
    let mut hasher = Sha256::new();
    hasher.update(b"redress-audit-event-v1");
    hasher.update(sequence.to_le_bytes());
    let mut field = |value: Option<&str>| match value {
        None => hasher.update([0u8]),
        Some(text) => {
            hasher.update([1u8]);
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
    };
    field(Some(&event.occurred_at));
    field(Some(&event.actor));
    field(Some(&event.entity));
    field(Some(&event.entity_id));
    field(Some(&event.action));
    field(event.before.as_deref());
    field(event.after.as_deref());
    hasher.update(previous.0);
    EventHash(hasher.finalize().into())
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenChain {
    /// An event is missing, repeated or out of order.
    #[error(
        "event {found} is where event {expected} should be: events are missing or out of order"
    )]
    Sequence {
        /// The sequence number expected here.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// The event does not name the hash of the event before it.
    #[error("event {0} does not follow the event before it: the log was cut or an event inserted")]
    Link(u64),
    /// The event's content does not match its hash.
    #[error("event {0} was changed after it was recorded")]
    Content(u64),
    /// Events at the end are gone: the log's head names a later event than the last one found.
    #[error(
        "the log ends at event {found}, but event {recorded} was recorded: events after {found} are missing"
    )]
    Truncated {
        /// The last event found.
        found: u64,
        /// The last event the log's head records.
        recorded: u64,
    },
}

/// Checks a log event by event, in order, so a log of any length can be checked a page at a
/// time.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    previous: EventHash,
    expected: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self {
            previous: EventHash::GENESIS,
            expected: 1,
        }
    }
}

impl ChainCheck {
    /// Checks the next event: in place, linked to the one before, and unchanged.
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), BrokenChain> {
        if event.sequence != self.expected {
            return Err(BrokenChain::Sequence {
                expected: self.expected,
                found: event.sequence,
            });
        }
        if event.previous_hash != self.previous {
            return Err(BrokenChain::Link(event.sequence));
        }
        if event_hash(event.sequence, &event.event, event.previous_hash) != event.hash {
            return Err(BrokenChain::Content(event.sequence));
        }
        self.previous = event.hash;
        self.expected += 1;
        Ok(())
    }

    /// How many events have been checked.
    pub fn checked(&self) -> u64 {
        self.expected - 1
    }

    /// The hash of the last event checked (`GENESIS` before any).
    pub fn last_hash(&self) -> EventHash {
        self.previous
    }
}

/// Checks a whole log, in order: every event in place, linked to the one before, and unchanged.
/// Gives how many events were checked, or the first broken one.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
) -> Result<u64, BrokenChain> {
    let mut check = ChainCheck::default();
    for event in events {
        check.check(event)?;
    }
    Ok(check.checked())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(n: u64) -> NewEvent {
        NewEvent {
            occurred_at: format!("2026-11-23T10:00:{:02}Z", n % 60),
            actor: "agent-ana".into(),
            entity: "dispute".into(),
            entity_id: format!("DSP-{n}"),
            action: "status_changed".into(),
            before: Some(r#"{"status":"open"}"#.into()),
            after: Some(r#"{"status":"acknowledged"}"#.into()),
        }
    }

    fn chain(len: u64) -> Vec<AuditEvent> {
        let mut previous = EventHash::GENESIS;
        (1..=len)
            .map(|n| {
                let sealed = event(n).seal(n, previous);
                previous = sealed.hash;
                sealed
            })
            .collect()
    }

    #[test]
    fn an_untouched_log_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn hashes_are_written_and_read_as_hex() {
        let hash = chain(1)[0].hash;
        assert_eq!(EventHash::from_hex(&hash.to_string()), Some(hash));
        assert_eq!(EventHash::from_hex("xyz"), None);
    }

    #[test]
    fn fields_cannot_be_shifted_between_each_other() {
        let mut a = event(1);
        let mut b = event(1);
        a.actor = "ab".into();
        a.entity = "c".into();
        b.actor = "a".into();
        b.entity = "bc".into();
        assert_ne!(
            event_hash(1, &a, EventHash::GENESIS),
            event_hash(1, &b, EventHash::GENESIS)
        );
        let (mut none, mut empty) = (event(1), event(1));
        none.before = None;
        empty.before = Some(String::new());
        assert_ne!(
            event_hash(1, &none, EventHash::GENESIS),
            event_hash(1, &empty, EventHash::GENESIS)
        );
    }

    proptest! {
        /// Editing any event's content is caught at that event.
        #[test]
        fn an_edited_event_is_named(len in 1u64..30, at in 0usize..30, field in 0usize..4) {
            let mut log = chain(len);
            let at = at % log.len();
            let e = &mut log[at].event;
            match field {
                0 => e.actor.push('x'),
                1 => e.after = Some(r#"{"status":"closed"}"#.into()),
                2 => e.before = None,
                _ => e.occurred_at = "2020-01-01T00:00:00Z".into(),
            }
            prop_assert_eq!(verify_chain(&log), Err(BrokenChain::Content(at as u64 + 1)));
        }

        /// Removing an event is caught where the gap is; a forged event with a recomputed
        /// hash still breaks the link of the event after it.
        #[test]
        fn removed_and_forged_events_are_named(len in 2u64..30, at in 0usize..30) {
            let log = chain(len);
            let at = at % (log.len() - 1);
            let mut cut = log.clone();
            cut.remove(at);
            prop_assert_eq!(
                verify_chain(&cut),
                Err(BrokenChain::Sequence { expected: at as u64 + 1, found: at as u64 + 2 })
            );
            let mut forged = log.clone();
            let mut fake = forged[at].event.clone();
            fake.actor = "mallory".into();
            forged[at] = fake.seal(at as u64 + 1, forged[at].previous_hash);
            prop_assert_eq!(verify_chain(&forged), Err(BrokenChain::Link(at as u64 + 2)));
        }
    }
}
