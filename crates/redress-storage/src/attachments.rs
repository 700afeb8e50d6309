//! Attachments: a dispute's evidence files, stored content-addressed by SHA-256.

use crate::audit_log::{append, now};
use crate::disputes::DisputeError;
use crate::{StorageError, Store, placeholders};
use redress_domain::audit_log::NewEvent;
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
    pub created_at: String,
}

type AttachmentRow = (String, String, String, String, String, i64, String, String);

fn to_attachment(
    (id, dispute_id, sha256, file_name, content_type, size, uploaded_by, created_at): AttachmentRow,
) -> Attachment {
    Attachment {
        id,
        dispute_id,
        sha256,
        file_name,
        content_type,
        size: size as u64,
        uploaded_by,
        created_at,
    }
}

impl Store {
    /// Attaches `content` to a dispute, storing the bytes once per SHA-256, and logs it.
    pub async fn add_attachment(
        &self,
        dispute_id: &str,
        file_name: &str,
        content_type: &str,
        content: &[u8],
        actor: &str,
    ) -> Result<Attachment, DisputeError> {
        let b = self.backend;
        let sha256: String = Sha256::digest(content)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        let mut tx = self.pool().begin().await?;
        let exists: Option<(String,)> =
            sqlx::query_as(placeholders(b, "SELECT id FROM disputes WHERE id = ?"))
                .bind(dispute_id.to_owned())
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Err(DisputeError::NotFound(dispute_id.to_owned()));
        }
        sqlx::query(placeholders(b, "INSERT INTO attachment_blobs (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING"))
            .bind(sha256.clone())
            .bind(content.len() as i64)
            .bind(content.to_vec())
            .execute(&mut *tx)
            .await?;
        let attachment = Attachment {
            id: format!("ATT-{:012x}", fastrand::u64(..) >> 16),
            dispute_id: dispute_id.to_owned(),
            sha256,
            file_name: file_name.to_owned(),
            content_type: content_type.to_owned(),
            size: content.len() as u64,
            uploaded_by: actor.to_owned(),
            created_at: now(),
        };
        sqlx::query(placeholders(
            b,
            "INSERT INTO attachments (id, dispute_id, sha256, file_name, content_type, size, uploaded_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ))
        .bind(attachment.id.clone())
        .bind(attachment.dispute_id.clone())
        .bind(attachment.sha256.clone())
        .bind(attachment.file_name.clone())
        .bind(attachment.content_type.clone())
        .bind(attachment.size as i64)
        .bind(attachment.uploaded_by.clone())
        .bind(attachment.created_at.clone())
        .execute(&mut *tx)
        .await?;
        let after = serde_json::json!({
            "id": attachment.id, "sha256": attachment.sha256, "file_name": attachment.file_name,
            "content_type": attachment.content_type, "size": attachment.size,
        })
        .to_string();
        let event = NewEvent {
            occurred_at: now(),
            actor: actor.to_owned(),
            entity: "dispute".to_owned(),
            entity_id: dispute_id.to_owned(),
            action: "attachment_added".to_owned(),
            before: None,
            after: Some(after),
        };
        append(&mut tx, b, event).await?;
        tx.commit().await?;
        Ok(attachment)
    }

    /// A dispute's attachments, oldest first.
    pub async fn attachments(&self, dispute_id: &str) -> Result<Vec<Attachment>, StorageError> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(placeholders(
            self.backend,
            "SELECT id, dispute_id, sha256, file_name, content_type, size, uploaded_by, created_at \
             FROM attachments WHERE dispute_id = ? ORDER BY created_at, id",
        ))
        .bind(dispute_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(to_attachment).collect())
    }

    /// An attachment and its content.
    pub async fn attachment_content(
        &self,
        id: &str,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StorageError> {
        let row: Option<AttachmentRow> = sqlx::query_as(placeholders(
            self.backend,
            "SELECT id, dispute_id, sha256, file_name, content_type, size, uploaded_by, created_at FROM attachments WHERE id = ?",
        ))
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some(attachment) = row.map(to_attachment) else {
            return Ok(None);
        };
        let (content,): (Vec<u8>,) = sqlx::query_as(placeholders(
            self.backend,
            "SELECT content FROM attachment_blobs WHERE sha256 = ?",
        ))
        .bind(attachment.sha256.clone())
        .fetch_one(self.pool())
        .await?;
        Ok(Some((attachment, content)))
    }
}
