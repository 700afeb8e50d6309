//! Messages to and from customers, kept exactly as they were sent or received, and the outbox
//! a message to a customer waits in until a worker has delivered it ([`outbox`]).
//!
//! A message to a customer is written with its outbox entry in the transaction of the change
//! that caused it (a dispute taken, an agent's send), so it is never lost; the worker claims
//! it, delivers it, and marks it delivered, each step an event in the dispute's history.
//!
//! Reads are on the handle [`Messages`] (`store.messages()`); writes are [`Work`]s made here.

pub mod outbox;

use crate::disputes::record::{DisputeError, dispute_event, exists};
use crate::engine::sql::{Db, Row, Value, params};
use crate::engine::stored::{Cells, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Store, Work};
use redress_domain::audit_log::NewEvent;
use redress_domain::message::{DeliveryState, Direction, DocumentRef, MessageKind};
use redress_domain::{DisputeStatus, Language, Timestamp, timestamp_text};

/// A message to or from a customer, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Its id (`MSG-…`).
    pub id: String,
    /// The dispute it is about, if one.
    pub dispute_id: Option<String>,
    /// The arrears case it is about, if one.
    pub arrears_case_id: Option<String>,
    /// The customer.
    pub customer_id: String,
    /// Which way it went.
    pub direction: Direction,
    /// What it is for.
    pub kind: MessageKind,
    /// The language it is written in.
    pub language: Language,
    /// The customer's address: where it went, or where it came from.
    pub address: String,
    /// The customer's name, as addressed.
    pub name: String,
    /// Its subject.
    pub subject: String,
    /// Its text, exactly as sent or received.
    pub body: String,
    /// Its RFC 5322 Message-ID, without the angle brackets: replies name it.
    pub mail_id: String,
    /// The Message-ID it answers, if it is a reply.
    pub in_reply_to: Option<String>,
    /// The documents sent with it (as PDFs).
    pub documents: Vec<DocumentRef>,
    /// Who wrote it: a user's id, `system`, or the customer's address.
    pub written_by: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// Where its delivery stands (messages to the customer only).
    pub delivery: Option<Delivery>,
}

/// Where the delivery of a message to a customer stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Waiting, sending, delivered or failed.
    pub state: DeliveryState,
    /// How many times sending was tried.
    pub attempts: u32,
    /// When it is next tried (while waiting).
    pub next_attempt_at: Timestamp,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the mail server took it.
    pub delivered_at: Option<Timestamp>,
}

/// Why a message could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// The dispute it is about is not stored.
    #[error(transparent)]
    Dispute(#[from] DisputeError),
    /// Its Message-ID is already kept (the same mail received twice).
    #[error("the message {0} is already kept")]
    AlreadyKept(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub(crate) const COLUMNS: &str = "m.id, m.dispute_id, m.arrears_case_id, m.customer_id, \
     m.direction, m.kind, m.language, m.address, m.name, m.subject, m.body, m.mail_id, \
     m.in_reply_to, m.documents_json, m.written_by, m.created_at, o.state, o.attempts, \
     o.next_attempt_at, o.last_error, o.delivered_at";

/// `SELECT` of messages with their delivery, to be followed by a `WHERE`.
pub(crate) fn select() -> String {
    format!("SELECT {COLUMNS} FROM messages m LEFT JOIN outbox o ON o.message_id = m.id")
}

pub(crate) fn read_message(row: &dyn Row) -> Result<StoredMessage, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "messages", id.as_str());
    let documents: Vec<(String, String)> =
        cells.json(13, "documents_json", "a JSON list of [kind, id]")?;
    let documents = documents
        .into_iter()
        .map(|(kind, doc)| {
            DocumentRef::from_parts(&kind, doc).ok_or_else(|| {
                cells.unreadable(
                    "documents_json",
                    &kind,
                    "a document kind (credit_note or issued_invoice)",
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let delivery = match row.opt_string(16)? {
        None => None,
        Some(state) => {
            let outbox = Cells::new(row, "outbox", id.as_str());
            Some(Delivery {
                state: DeliveryState::from_name(&state)
                    .ok_or_else(|| outbox.unreadable("state", &state, "a delivery state"))?,
                attempts: row.int(17)?.max(0) as u32,
                next_attempt_at: outbox.timestamp(18, "next_attempt_at")?,
                last_error: row.opt_string(19)?,
                delivered_at: outbox.opt_timestamp(20, "delivered_at")?,
            })
        }
    };
    Ok(StoredMessage {
        dispute_id: row.opt_string(1)?,
        arrears_case_id: row.opt_string(2)?,
        customer_id: row.string(3)?,
        direction: cells.parsed(4, "direction", "to_customer or from_customer", |t| {
            Direction::from_name(t)
        })?,
        kind: cells.parsed(5, "kind", "a kind of message", MessageKind::from_name)?,
        language: cells.parsed(6, "language", "en-US, es or zh-Hans", Language::from_tag)?,
        address: row.string(7)?,
        name: row.string(8)?,
        subject: row.string(9)?,
        body: row.string(10)?,
        mail_id: row.string(11)?,
        in_reply_to: row.opt_string(12)?,
        documents,
        written_by: row.string(14)?,
        created_at: cells.timestamp(15, "created_at")?,
        delivery,
        id,
    })
}

/// The event of a message, on its dispute's (or arrears case's) history.
pub(crate) fn message_event(message: &StoredMessage, actor: &str, action: &str) -> NewEvent {
    let after = serde_json::json!({
        "message_id": message.id, "kind": message.kind.as_str(),
        "direction": message.direction.as_str(), "address": message.address,
        "subject": message.subject, "language": message.language.tag(),
    })
    .to_string();
    match (&message.dispute_id, &message.arrears_case_id) {
        (Some(dispute), _) => dispute_event(actor, dispute, action, None, Some(after)),
        (None, Some(case)) => NewEvent {
            occurred_at: timestamp_text(this_moment()),
            actor: actor.to_owned(),
            entity: "arrears_case".to_owned(),
            entity_id: case.clone(),
            action: action.to_owned(),
            before: None,
            after: Some(after),
        },
        (None, None) => NewEvent {
            occurred_at: timestamp_text(this_moment()),
            actor: actor.to_owned(),
            entity: "customer".to_owned(),
            entity_id: message.customer_id.clone(),
            action: action.to_owned(),
            before: None,
            after: Some(after),
        },
    }
}

/// The most [`Messages::outbox_counts`] counts of each state.
pub const OUTBOX_COUNTED_UP_TO: u64 = 1000;

/// Where the customer's text says their own portal link goes: replaced, when the message is
/// kept, by a link made for them in the same transaction.
pub const PORTAL_LINK: &str = "{portal-link}";

/// Where the portal's links lead, and how long a link in a message works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSettings {
    /// The portal's address as customers reach it, e.g. `https://billing.example.com`.
    pub base_url: String,
    /// How long a link works.
    pub valid_for: jiff::SignedDuration,
}

impl LinkSettings {
    /// The settings of the link `message` is to be given, if it asks for one: a message to the
    /// customer whose text holds [`PORTAL_LINK`], kept where links are made (`links`).
    fn for_message<'l>(
        message: &StoredMessage,
        links: Option<&'l LinkSettings>,
    ) -> Option<&'l LinkSettings> {
        links.filter(|_| {
            message.direction == Direction::ToCustomer && message.body.contains(PORTAL_LINK)
        })
    }

    /// When a link made for `message` stops working.
    fn expiry(&self, message: &StoredMessage) -> Timestamp {
        message
            .created_at
            .checked_add(self.valid_for)
            .unwrap_or(Timestamp::MAX)
    }

    /// `message`'s text with its link (`token`) where [`PORTAL_LINK`] stood.
    fn give_link(&self, message: &mut StoredMessage, token: &str) {
        let url = format!("{}/portal/{token}", self.base_url.trim_end_matches('/'));
        message.body = message.body.replace(PORTAL_LINK, &url);
    }
}

/// Inserts `message` within the open transaction (with its outbox entry when it goes to the
/// customer, due at once), and its event. A message to the customer whose text holds
/// [`PORTAL_LINK`] is given a portal link of its own there (with `links`).
pub(crate) fn keep_in(
    db: &mut dyn Db,
    message: &mut StoredMessage,
    links: Option<&LinkSettings>,
) -> Result<(), MessageError> {
    if let Some(links) = LinkSettings::for_message(message, links) {
        let issued = crate::portal::issue_in(
            db,
            &message.customer_id,
            message.dispute_id.as_deref(),
            links.expiry(message),
            "system",
        )?;
        links.give_link(message, &issued.token);
    }
    if let Some(dispute) = &message.dispute_id
        && !exists(db, dispute)?
    {
        return Err(DisputeError::NotFound(dispute.clone()).into());
    }
    let documents = documents_json(message);
    let created_at = timestamp_text(message.created_at);
    let mut values = message_row(message, &documents, &created_at);
    values.push(Value::from(&message.mail_id));
    let inserted = db.execute(
        &format!(
            "INSERT INTO messages ({}) SELECT {} WHERE NOT EXISTS \
             (SELECT 1 FROM messages WHERE mail_id = ?)",
            MESSAGE_COLUMNS.join(", "),
            vec!["?"; MESSAGE_COLUMNS.len()].join(", ")
        ),
        &values,
    )?;
    if inserted == 0 {
        return Err(MessageError::AlreadyKept(message.mail_id.clone()));
    }
    let action = match message.direction {
        Direction::ToCustomer => {
            db.execute(
                "INSERT INTO outbox (message_id, state, attempts, next_attempt_at, updated_at) \
                 VALUES (?, 'waiting', 0, ?, ?)",
                params![&message.id, &created_at, &created_at],
            )?;
            "message_queued"
        }
        Direction::FromCustomer => "message_received",
    };
    append(db, message_event(message, &message.written_by, action))?;
    if message.direction == Direction::FromCustomer
        && let Some(dispute) = &message.dispute_id
    {
        // They answered: a dispute waiting for them moves on.
        crate::disputes::lifecycle::move_if_in(
            db,
            dispute,
            DisputeStatus::AwaitingCustomer,
            DisputeStatus::Investigating,
            "system",
        )?;
    }
    Ok(())
}

/// Keeps `message`: a message to the customer goes into the outbox in the same transaction;
/// one from the customer is kept as received. Refused when its Message-ID is kept already.
pub fn keep(
    mut message: StoredMessage,
    links: Option<LinkSettings>,
) -> Work<StoredMessage, MessageError> {
    Work::new(move |db| {
        if message.direction == Direction::ToCustomer {
            message.delivery = Some(Delivery {
                state: DeliveryState::Waiting,
                attempts: 0,
                next_attempt_at: message.created_at,
                last_error: None,
                delivered_at: None,
            });
        }
        keep_in(db, &mut message, links.as_ref())?;
        Ok(message)
    })
}

/// The messages, read: `store.messages()`.
#[derive(Debug, Clone, Copy)]
pub struct Messages<'s>(pub(crate) &'s Store);

impl Messages<'_> {
    /// A dispute's messages, oldest first, with their deliveries.
    pub async fn of_dispute(&self, dispute_id: &str) -> Result<Vec<StoredMessage>, StorageError> {
        let id = dispute_id.to_owned();
        self.0
            .run(move |db| {
                db.rows(
                    &format!(
                        "{} WHERE m.dispute_id = ? ORDER BY m.created_at, m.id",
                        select()
                    ),
                    params![&id],
                    read_message,
                )
            })
            .await
    }

    /// An arrears case's messages, oldest first, with their deliveries.
    pub async fn of_arrears_case(&self, case_id: &str) -> Result<Vec<StoredMessage>, StorageError> {
        let id = case_id.to_owned();
        self.0
            .run(move |db| {
                db.rows(
                    &format!(
                        "{} WHERE m.arrears_case_id = ? ORDER BY m.created_at, m.id",
                        select()
                    ),
                    params![&id],
                    read_message,
                )
            })
            .await
    }

    /// The message with this id.
    pub async fn get(&self, id: &str) -> Result<Option<StoredMessage>, StorageError> {
        let id = id.to_owned();
        self.0
            .run(move |db| {
                db.row(
                    &format!("{} WHERE m.id = ?", select()),
                    params![&id],
                    read_message,
                )
            })
            .await
    }

    /// The first of these Message-IDs that names a kept message (how a reply finds its
    /// dispute).
    pub async fn by_mail_ids(
        &self,
        mail_ids: Vec<String>,
    ) -> Result<Option<StoredMessage>, StorageError> {
        self.0
            .run(move |db| {
                for mail_id in &mail_ids {
                    let found = db.row(
                        &format!("{} WHERE m.mail_id = ?", select()),
                        params![mail_id],
                        read_message,
                    )?;
                    if found.is_some() {
                        return Ok(found);
                    }
                }
                Ok(None)
            })
            .await
    }

    /// When each of the disputes `ids` last had a message written to its customer (kept, sent
    /// or not yet); a dispute with none is not named.
    pub async fn last_written_to_customer(
        &self,
        ids: Vec<String>,
    ) -> Result<Vec<(String, Timestamp)>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.0
            .run(move |db| {
                let marks = vec!["?"; ids.len()].join(", ");
                let binds: Vec<Value<'_>> = ids.iter().map(Value::from).collect();
                db.rows(
                    &format!(
                        "SELECT dispute_id, MAX(created_at) FROM messages \
                         WHERE direction = 'to_customer' AND dispute_id IN ({marks}) \
                         GROUP BY dispute_id"
                    ),
                    &binds,
                    |row| {
                        let id = row.string(0)?;
                        let at =
                            Cells::new(row, "messages", id.clone()).timestamp(1, "created_at")?;
                        Ok((id, at))
                    },
                )
            })
            .await
    }

    /// How many messages wait in the outbox, and how many failed for good, each counted up to
    /// [`OUTBOX_COUNTED_UP_TO`] (a count that reaches it means at least that many): the desk
    /// asks on its pages, and without a mail server every message ever written waits.
    pub async fn outbox_counts(&self) -> Result<(u64, u64), StorageError> {
        self.0
            .run(|db| {
                // Each condition is its partial index's own, word for word: SQLite uses a
                // partial index only for a query that repeats its condition (`state IN
                // ('failed')` for `state = 'failed'` scanned the whole outbox on every page).
                let count = |db: &mut dyn Db, condition: &str| {
                    db.row(
                        &format!(
                            "SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE {condition} \
                             LIMIT {OUTBOX_COUNTED_UP_TO}) AS counted"
                        ),
                        &[],
                        |row| row.int(0),
                    )
                    .map(|n| n.unwrap_or(0).max(0) as u64)
                };
                Ok((
                    count(db, "state IN ('waiting', 'sending')")?,
                    count(db, "state = 'failed'")?,
                ))
            })
            .await
    }
}

/// `message` (to the customer) kept with its outbox entry in the transaction that records the
/// dispute it is about: what taking a dispute entails when the business acknowledges disputes
/// by itself.
pub fn entailed(
    message: StoredMessage,
    links: Option<LinkSettings>,
) -> crate::disputes::intake::Entailed {
    crate::disputes::intake::Entailed { message, links }
}

impl crate::disputes::intake::Entailed {
    /// Keeps the message, as [`keep`] does, within the open transaction.
    pub(crate) fn keep_in(&self, db: &mut dyn Db) -> Result<(), StorageError> {
        keep_in(db, &mut self.message.clone(), self.links.as_ref()).map_err(|e| match e {
            MessageError::Storage(e) => e,
            other => {
                StorageError::Corrupt(format!("the acknowledgement could not be kept: {other}"))
            }
        })
    }
}

/// Keeps the messages `entailed` by disputes just recorded together (their acknowledgements),
/// each with its outbox entry, its portal link and its events, as [`keep_in`] would one by one
/// but in a statement a table: intake is the busiest write, and on PostgreSQL each statement is
/// a round trip.
pub(crate) fn keep_entailed_in(
    db: &mut dyn Db,
    entailed: &[&crate::disputes::intake::Entailed],
) -> Result<(), StorageError> {
    if entailed.is_empty() {
        return Ok(());
    }
    let mut messages: Vec<StoredMessage> = entailed.iter().map(|e| e.message.clone()).collect();
    // The portal links their texts ask for, made together.
    let wanting: Vec<(usize, &LinkSettings)> = (0..messages.len())
        .filter_map(|i| {
            LinkSettings::for_message(&messages[i], entailed[i].links.as_ref()).map(|l| (i, l))
        })
        .collect();
    let wanted: Vec<(&str, Option<&str>, Timestamp)> = wanting
        .iter()
        .map(|&(i, links)| {
            let m = &messages[i];
            (
                m.customer_id.as_str(),
                m.dispute_id.as_deref(),
                links.expiry(m),
            )
        })
        .collect();
    let issued = crate::portal::issue_many_in(db, &wanted, "system")?;
    for (&(i, links), issued) in wanting.iter().zip(issued) {
        links.give_link(&mut messages[i], &issued.token);
    }
    let texts: Vec<[String; 2]> = messages
        .iter()
        .map(|m| [documents_json(m), timestamp_text(m.created_at)])
        .collect();
    let rows: Vec<Vec<Value<'_>>> = messages
        .iter()
        .zip(&texts)
        .map(|(m, [documents, created_at])| message_row(m, documents, created_at))
        .collect();
    db.insert_rows("messages", &MESSAGE_COLUMNS, &rows, "")?;
    let outbox: Vec<Vec<Value<'_>>> = messages
        .iter()
        .zip(&texts)
        .filter(|(m, _)| m.direction == Direction::ToCustomer)
        .map(|(m, [_, created_at])| {
            vec![
                Value::from(&m.id),
                Value::Text("waiting"),
                Value::Int(0),
                Value::from(created_at),
                Value::from(created_at),
            ]
        })
        .collect();
    db.insert_rows(
        "outbox",
        &[
            "message_id",
            "state",
            "attempts",
            "next_attempt_at",
            "updated_at",
        ],
        &outbox,
        "",
    )?;
    for m in &messages {
        let action = match m.direction {
            Direction::ToCustomer => "message_queued",
            Direction::FromCustomer => "message_received",
        };
        append(db, message_event(m, &m.written_by, action))?;
    }
    Ok(())
}

/// The columns of a message's row, in the order [`message_row`] gives them.
const MESSAGE_COLUMNS: [&str; 16] = [
    "id",
    "dispute_id",
    "arrears_case_id",
    "customer_id",
    "direction",
    "kind",
    "language",
    "address",
    "name",
    "subject",
    "body",
    "mail_id",
    "in_reply_to",
    "documents_json",
    "written_by",
    "created_at",
];

/// A message's documents as kept: `[[kind, id], …]`.
fn documents_json(message: &StoredMessage) -> String {
    let documents: Vec<(&str, &str)> = message
        .documents
        .iter()
        .map(|d| (d.kind(), d.id()))
        .collect();
    serde_json::to_string(&documents).unwrap_or_else(|_| "[]".into())
}

/// A message's row, with its documents and moment as kept.
fn message_row<'a>(
    message: &'a StoredMessage,
    documents: &'a String,
    created_at: &'a String,
) -> Vec<Value<'a>> {
    vec![
        Value::from(&message.id),
        Value::from(&message.dispute_id),
        Value::from(&message.arrears_case_id),
        Value::from(&message.customer_id),
        Value::Text(message.direction.as_str()),
        Value::Text(message.kind.as_str()),
        Value::Text(message.language.tag()),
        Value::from(&message.address),
        Value::from(&message.name),
        Value::from(&message.subject),
        Value::from(&message.body),
        Value::from(&message.mail_id),
        Value::from(&message.in_reply_to),
        Value::from(documents),
        Value::from(&message.written_by),
        Value::from(created_at),
    ]
}
