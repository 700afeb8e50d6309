//! The customer portal's links and satisfaction answers.
//!
//! A link is a random token given once (in a message) and kept only as its SHA-256, for one
//! customer (and the dispute it was sent about), until it expires or an agent revokes it.
//! Opening it is an event in the dispute's history (at most once an hour a link, so that
//! reading page after page does not flood the log).

use crate::disputes::record::dispute_event;
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{Cells, new_id, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Store, Work};
use crate::people::tokens::{secret_hex, sha256_hex};
use redress_domain::audit_log::NewEvent;
use redress_domain::{Timestamp, timestamp_text};

/// A link as kept (never its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLink {
    /// Its id (`LNK-…`).
    pub id: String,
    /// The customer whose data it opens.
    pub customer_id: String,
    /// The dispute it was sent about, if one.
    pub dispute_id: Option<String>,
    /// Who made it: a user's id, or `system` for the links in messages.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// When it was last opened.
    pub last_visit_at: Option<Timestamp>,
}

/// A link just made, with its token (given once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedLink {
    /// The link as kept.
    pub link: PortalLink,
    /// Its token: what the URL carries.
    pub token: String,
}

/// Why a link opens nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    /// No link has this token (mistyped, cut, or made up).
    #[error("this link is not one of ours: it may have been cut or mistyped")]
    Unknown,
    /// It expired.
    #[error("this link expired on {0}")]
    Expired(Timestamp),
    /// An agent revoked it.
    #[error("this link was withdrawn on {0}")]
    Revoked(Timestamp),
}

/// Why a portal change could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// The link no longer opens anything.
    #[error(transparent)]
    Link(#[from] LinkRefused),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

const COLUMNS: &str = "id, customer_id, dispute_id, created_by, created_at, expires_at, \
     revoked_at, last_visit_at";

fn read_link(row: &dyn Row) -> Result<PortalLink, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "portal_links", id.as_str());
    Ok(PortalLink {
        customer_id: row.string(1)?,
        dispute_id: row.opt_string(2)?,
        created_by: row.string(3)?,
        created_at: cells.timestamp(4, "created_at")?,
        expires_at: cells.timestamp(5, "expires_at")?,
        revoked_at: cells.opt_timestamp(6, "revoked_at")?,
        last_visit_at: cells.opt_timestamp(7, "last_visit_at")?,
        id,
    })
}

fn link_event(link: &PortalLink, actor: &str, action: &str) -> NewEvent {
    let after = serde_json::json!({"link_id": link.id, "customer_id": link.customer_id,
        "expires_at": timestamp_text(link.expires_at)})
    .to_string();
    match &link.dispute_id {
        Some(dispute) => dispute_event(actor, dispute, action, None, Some(after)),
        None => NewEvent {
            occurred_at: timestamp_text(this_moment()),
            actor: actor.to_owned(),
            entity: "customer".to_owned(),
            entity_id: link.customer_id.clone(),
            action: action.to_owned(),
            before: None,
            after: Some(after),
        },
    }
}

/// Makes a link for `customer_id` (about `dispute_id`), working until `expires_at`, within the
/// open transaction.
pub(crate) fn issue_in(
    db: &mut dyn Db,
    customer_id: &str,
    dispute_id: Option<&str>,
    expires_at: Timestamp,
    actor: &str,
) -> Result<IssuedLink, StorageError> {
    let mut issued = issue_many_in(db, &[(customer_id, dispute_id, expires_at)], actor)?;
    Ok(issued.remove(0))
}

/// Makes a link for each `(customer, dispute, expires at)` in one statement, within the open
/// transaction (the acknowledgements of disputes taken together): each given with its token,
/// once, and its event.
pub(crate) fn issue_many_in(
    db: &mut dyn Db,
    wanted: &[(&str, Option<&str>, Timestamp)],
    actor: &str,
) -> Result<Vec<IssuedLink>, StorageError> {
    let now = this_moment();
    let mut issued = Vec::with_capacity(wanted.len());
    for &(customer_id, dispute_id, expires_at) in wanted {
        issued.push(IssuedLink {
            token: secret_hex()?,
            link: PortalLink {
                id: new_id("LNK"),
                customer_id: customer_id.to_owned(),
                dispute_id: dispute_id.map(str::to_owned),
                created_by: actor.to_owned(),
                created_at: now,
                expires_at,
                revoked_at: None,
                last_visit_at: None,
            },
        });
    }
    let texts: Vec<[String; 3]> = issued
        .iter()
        .map(|i| {
            [
                sha256_hex(&i.token),
                timestamp_text(i.link.created_at),
                timestamp_text(i.link.expires_at),
            ]
        })
        .collect();
    let rows: Vec<Vec<crate::engine::sql::Value<'_>>> = issued
        .iter()
        .zip(&texts)
        .map(|(i, [hash, created, expires])| {
            use crate::engine::sql::Value;
            vec![
                Value::from(&i.link.id),
                Value::from(hash),
                Value::from(&i.link.customer_id),
                Value::from(&i.link.dispute_id),
                Value::from(&i.link.created_by),
                Value::from(created),
                Value::from(expires),
            ]
        })
        .collect();
    db.insert_rows(
        "portal_links",
        &[
            "id",
            "token_sha256",
            "customer_id",
            "dispute_id",
            "created_by",
            "created_at",
            "expires_at",
        ],
        &rows,
        "",
    )?;
    for i in &issued {
        append(db, link_event(&i.link, actor, "portal_link_issued"))?;
    }
    Ok(issued)
}

/// Makes a link for `customer_id` (about `dispute_id`), working until `expires_at`.
pub fn issue(
    customer_id: &str,
    dispute_id: Option<&str>,
    expires_at: Timestamp,
    actor: &str,
) -> Work<IssuedLink, StorageError> {
    let (customer_id, dispute_id, actor) = (
        customer_id.to_owned(),
        dispute_id.map(str::to_owned),
        actor.to_owned(),
    );
    Work::new(move |db| issue_in(db, &customer_id, dispute_id.as_deref(), expires_at, &actor))
}

/// The link whose token is `token`, if it still opens: checked in the open transaction (and,
/// on PostgreSQL, held so that a revocation waits for the change it guards).
pub(crate) fn valid_in(db: &mut dyn Db, token: &str) -> Result<PortalLink, PortalError> {
    let link = db
        .row(
            &format!(
                "SELECT {COLUMNS} FROM portal_links WHERE token_sha256 = ?{}",
                db.row_lock()
            ),
            params![&sha256_hex(token)],
            read_link,
        )?
        .ok_or(LinkRefused::Unknown)?;
    if let Some(at) = link.revoked_at {
        return Err(LinkRefused::Revoked(at).into());
    }
    if link.expires_at <= this_moment() {
        return Err(LinkRefused::Expired(link.expires_at).into());
    }
    Ok(link)
}

/// The link whose token is `token` if it still opens, its visit recorded (an event at most
/// once an hour a link).
pub fn visit(token: &str) -> Work<PortalLink, PortalError> {
    let token = token.to_owned();
    Work::new(move |db| {
        let mut link = valid_in(db, &token)?;
        let now = this_moment();
        let quiet = link
            .last_visit_at
            .is_some_and(|at| now.duration_since(at).as_secs() < 3600);
        if !quiet {
            db.execute(
                "UPDATE portal_links SET last_visit_at = ? WHERE id = ?",
                params![&timestamp_text(now), &link.id],
            )?;
            link.last_visit_at = Some(now);
            append(
                db,
                link_event(
                    &link,
                    &format!("customer:{}", link.customer_id),
                    "portal_visited",
                ),
            )?;
        }
        Ok(link)
    })
}

/// `work`, done only while the link whose token is `token` still opens (checked in its
/// transaction), given the link.
pub fn while_valid<T, E>(
    token: &str,
    work: impl FnOnce(PortalLink) -> Work<T, E> + Send + 'static,
) -> Work<T, E>
where
    T: Send + 'static,
    E: From<PortalError> + From<StorageError> + Send + 'static,
{
    let token = token.to_owned();
    Work::new(move |db| {
        let link = valid_in(db, &token).map_err(E::from)?;
        work(link).run(db)
    })
}

/// Revokes the link `id`: it opens nothing from now on.
pub fn revoke(id: &str, actor: &str) -> Work<Option<PortalLink>, StorageError> {
    let (id, actor) = (id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let now = this_moment();
        let changed = db.execute(
            "UPDATE portal_links SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
            params![&timestamp_text(now), &actor, &id],
        )?;
        let link = db.row(
            &format!("SELECT {COLUMNS} FROM portal_links WHERE id = ?"),
            params![&id],
            read_link,
        )?;
        if changed > 0
            && let Some(link) = &link
        {
            append(db, link_event(link, &actor, "portal_link_revoked"))?;
        }
        Ok(link)
    })
}

/// Keeps the customer's satisfaction with how the dispute `dispute_id` was put right (1 to
/// 5), the latest answer replacing the one before.
pub fn rate(
    dispute_id: &str,
    customer_id: &str,
    score: u8,
    comment: &str,
) -> Work<(), StorageError> {
    let (dispute_id, customer_id, comment) = (
        dispute_id.to_owned(),
        customer_id.to_owned(),
        comment.to_owned(),
    );
    Work::new(move |db| {
        let at = timestamp_text(this_moment());
        db.execute(
            "INSERT INTO satisfaction (dispute_id, customer_id, score, comment, rated_at) \
             VALUES (?, ?, CAST(? AS INTEGER), ?, ?) ON CONFLICT (dispute_id) DO UPDATE SET \
             score = excluded.score, comment = excluded.comment, rated_at = excluded.rated_at",
            params![&dispute_id, &customer_id, i64::from(score), &comment, &at],
        )?;
        let after = serde_json::json!({"score": score, "comment": comment}).to_string();
        append(
            db,
            dispute_event(
                &format!("customer:{customer_id}"),
                &dispute_id,
                "satisfaction_rated",
                None,
                Some(after),
            ),
        )?;
        Ok(())
    })
}

/// The portal, read: `store.portal()`.
#[derive(Debug, Clone, Copy)]
pub struct Portal<'s>(pub(crate) &'s Store);

impl Portal<'_> {
    /// A customer's links, newest first.
    pub async fn links_of(&self, customer_id: &str) -> Result<Vec<PortalLink>, StorageError> {
        let id = customer_id.to_owned();
        self.0
            .run(move |db| {
                db.rows(
                    &format!(
                        "SELECT {COLUMNS} FROM portal_links WHERE customer_id = ? \
                         ORDER BY created_at DESC, id DESC"
                    ),
                    params![&id],
                    read_link,
                )
            })
            .await
    }

    /// A dispute's satisfaction answer, if given: (score, comment).
    pub async fn satisfaction(
        &self,
        dispute_id: &str,
    ) -> Result<Option<(u8, String)>, StorageError> {
        let id = dispute_id.to_owned();
        self.0
            .run(move |db| {
                db.row(
                    "SELECT score, comment FROM satisfaction WHERE dispute_id = ?",
                    params![&id],
                    |row| Ok((row.int(0)?.clamp(1, 5) as u8, row.string(1)?)),
                )
            })
            .await
    }

    /// How many disputes were rated each score, 1 to 5 (for analytics).
    pub async fn satisfaction_by_score(&self) -> Result<[u64; 5], StorageError> {
        self.0
            .run(|db| {
                let mut by = [0u64; 5];
                for (score, n) in db.rows(
                    "SELECT score, COUNT(*) FROM satisfaction GROUP BY score",
                    &[],
                    |row| Ok((row.int(0)?, row.int(1)?)),
                )? {
                    if (1..=5).contains(&score) {
                        by[(score - 1) as usize] = n.max(0) as u64;
                    }
                }
                Ok(by)
            })
            .await
    }

    /// How many answers, and their average score, over all disputes (for analytics).
    pub async fn satisfaction_summary(&self) -> Result<(u64, Option<f64>), StorageError> {
        self.0
            .run(|db| {
                db.row(
                    "SELECT COUNT(*), SUM(score) FROM satisfaction",
                    &[],
                    |row| Ok((row.int(0)?, row.opt_int(1)?)),
                )
                .map(|found| match found {
                    Some((n, Some(sum))) if n > 0 => (n as u64, Some(sum as f64 / n as f64)),
                    Some((n, _)) => (n.max(0) as u64, None),
                    None => (0, None),
                })
            })
            .await
    }
}
