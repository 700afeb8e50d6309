//! A dispute's case file: internal notes, and statements by the employee who ran the
//! transaction, each recorded in the audit log.

use super::record::{DisputeError, dispute_event, exists};
use crate::engine::sql::{Db, params};
use crate::engine::stored::{Cells, new_id, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::{NoteKind, Timestamp, timestamp_text};

/// A note in a dispute's case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNote {
    /// Its id.
    pub id: String,
    /// The dispute.
    pub dispute_id: String,
    /// An internal note, or a statement by the employee who ran the transaction.
    pub kind: NoteKind,
    /// Who wrote it.
    pub author: String,
    /// What it says.
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}

/// A dispute's case notes, oldest first.
pub(crate) fn of_dispute(db: &mut dyn Db, dispute_id: &str) -> Result<Vec<CaseNote>, StorageError> {
    db.rows(
        "SELECT id, dispute_id, kind, author, body, created_at FROM case_notes WHERE dispute_id = ? ORDER BY created_at, id",
        params![dispute_id],
        |row| {
            let id = row.string(0)?;
            let cells = Cells::new(row, "case_notes", id.as_str());
            Ok(CaseNote {
                dispute_id: row.string(1)?,
                kind: cells.parsed(2, "kind", "a note kind", NoteKind::from_name)?,
                author: row.string(3)?,
                body: row.string(4)?,
                created_at: cells.timestamp(5, "created_at")?,
                id,
            })
        },
    )
}

/// Adds a note or statement to a dispute's case file, recorded in the audit log.
pub fn add(
    dispute_id: &str,
    kind: NoteKind,
    body: &str,
    author: &str,
) -> Work<CaseNote, DisputeError> {
    let note = new_note(dispute_id, kind, body, author);
    Work::new(move |db| add_in(db, note))
}

/// A note not yet recorded, written now.
pub(crate) fn new_note(dispute_id: &str, kind: NoteKind, body: &str, author: &str) -> CaseNote {
    CaseNote {
        id: new_id("NOTE"),
        dispute_id: dispute_id.to_owned(),
        kind,
        author: author.to_owned(),
        body: body.to_owned(),
        created_at: this_moment(),
    }
}

/// Records `note` within the open transaction, with its event.
pub(crate) fn add_in(db: &mut dyn Db, note: CaseNote) -> Result<CaseNote, DisputeError> {
    if !exists(db, &note.dispute_id)? {
        return Err(DisputeError::NotFound(note.dispute_id));
    }
    db.execute(
        "INSERT INTO case_notes (id, dispute_id, kind, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        params![
            &note.id,
            &note.dispute_id,
            note.kind.as_str(),
            &note.author,
            &note.body,
            &timestamp_text(note.created_at)
        ],
    )?;
    let after = serde_json::json!({"id": note.id, "kind": note.kind.as_str(), "body": note.body})
        .to_string();
    append(
        db,
        dispute_event(
            &note.author,
            &note.dispute_id,
            &format!("{}_added", note.kind.as_str()),
            None,
            Some(after),
        ),
    )?;
    Ok(note)
}
