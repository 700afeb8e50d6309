//! Attachments: a dispute's evidence files, stored content-addressed by SHA-256.

use super::record::{DisputeError, exists};
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{Cells, new_id, now, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::audit_log::NewEvent;
use redress_domain::{Timestamp, timestamp_text};
use sha2::{Digest, Sha256};

/// An attachment's record (its content is fetched apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its id.
    pub id: String,
    /// The dispute it belongs to.
    pub dispute_id: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Who attached it.
    pub uploaded_by: String,
    /// When.
    pub created_at: Timestamp,
}

const COLUMNS: &str =
    "id, dispute_id, sha256, file_name, content_type, size, uploaded_by, created_at";

fn read_attachment(row: &dyn Row) -> Result<Attachment, StorageError> {
    let id = row.string(0)?;
    let created_at = Cells::new(row, "attachments", id.as_str()).timestamp(7, "created_at")?;
    Ok(Attachment {
        id,
        dispute_id: row.string(1)?,
        sha256: row.string(2)?,
        file_name: row.string(3)?,
        content_type: row.string(4)?,
        size: row.int(5)? as u64,
        uploaded_by: row.string(6)?,
        created_at,
    })
}

/// A dispute's attachments, oldest first.
pub(crate) fn of_dispute(
    db: &mut dyn Db,
    dispute_id: &str,
) -> Result<Vec<Attachment>, StorageError> {
    db.rows(
        &format!("SELECT {COLUMNS} FROM attachments WHERE dispute_id = ? ORDER BY created_at, id"),
        params![dispute_id],
        read_attachment,
    )
}

/// An attachment and its content.
pub(crate) fn content(
    db: &mut dyn Db,
    id: &str,
) -> Result<Option<(Attachment, Vec<u8>)>, StorageError> {
    let Some(attachment) = db.row(
        &format!("SELECT {COLUMNS} FROM attachments WHERE id = ?"),
        params![id],
        read_attachment,
    )?
    else {
        return Ok(None);
    };
    let content = db
        .row(
            "SELECT content FROM attachment_blobs WHERE sha256 = ?",
            params![&attachment.sha256],
            |row| Ok(row.blob(0)?.to_vec()),
        )?
        .ok_or_else(|| {
            StorageError::Corrupt(format!("the content of attachment {id} is missing"))
        })?;
    Ok(Some((attachment, content)))
}

/// Attaches `content` to a dispute, storing the bytes once per SHA-256, and logs it.
pub fn add(
    dispute_id: &str,
    file_name: &str,
    content_type: &str,
    content: &[u8],
    actor: &str,
) -> Work<Attachment, DisputeError> {
    let sha256: String = Sha256::digest(content)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let attachment = Attachment {
        id: new_id("ATT"),
        dispute_id: dispute_id.to_owned(),
        sha256,
        file_name: file_name.to_owned(),
        content_type: content_type.to_owned(),
        size: content.len() as u64,
        uploaded_by: actor.to_owned(),
        created_at: this_moment(),
    };
    let content = content.to_vec();
    Work::new(move |db| {
        let a = attachment;
        if !exists(db, &a.dispute_id)? {
            return Err(DisputeError::NotFound(a.dispute_id));
        }
        db.execute(
                "INSERT INTO attachment_blobs (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                params![&a.sha256, a.size as i64, &content[..]],
            )?;
        db.execute(
            &format!("INSERT INTO attachments ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
            params![
                &a.id,
                &a.dispute_id,
                &a.sha256,
                &a.file_name,
                &a.content_type,
                a.size as i64,
                &a.uploaded_by,
                &timestamp_text(a.created_at),
            ],
        )?;
        let after = serde_json::json!({
            "id": a.id, "sha256": a.sha256, "file_name": a.file_name,
            "content_type": a.content_type, "size": a.size,
        })
        .to_string();
        append(
            db,
            NewEvent {
                occurred_at: now(),
                actor: a.uploaded_by.clone(),
                entity: "dispute".to_owned(),
                entity_id: a.dispute_id.clone(),
                action: "attachment_added".to_owned(),
                before: None,
                after: Some(after),
            },
        )?;
        Ok(a)
    })
}
