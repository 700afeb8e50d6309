//! Asking a colleague: a statement asked of the staff member involved in what a dispute is
//! about, by a day; it waits in their queue until they answer, and the answer is a statement
//! in the case file, written in the transaction that marks the request answered.

use super::notes::{CaseNote, add_in, new_note};
use super::record::{DisputeError, dispute_event, exists};
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{Cells, new_id, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::{Date, NoteKind, Timestamp, timestamp_text};

/// A statement asked of someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRequest {
    /// Its id.
    pub id: String,
    /// The dispute it is for.
    pub dispute_id: String,
    /// Whom it is asked of (a user's id).
    pub asked_of: String,
    /// Who asked.
    pub asked_by: String,
    /// What they are asked.
    pub question: String,
    /// The day it is wanted by.
    pub due_on: Date,
    /// When it was asked.
    pub created_at: Timestamp,
    /// When it was answered, if it was.
    pub answered_at: Option<Timestamp>,
    /// The statement that answered it.
    pub answer_note_id: Option<String>,
}

/// Why a statement could not be asked or given.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    /// No user who may act has that id.
    #[error("no active user has the id `{0}`")]
    UnknownUser(String),
    /// No request has that id.
    #[error("no statement request has the id `{0}`")]
    NotFound(String),
    /// Only the person asked gives the statement.
    #[error("this statement is asked of {asked_of}: only they give it")]
    NotAskedOfYou {
        /// Whom it is asked of.
        asked_of: String,
    },
    /// It was answered already.
    #[error("this statement was given already")]
    Answered,
    /// The dispute is unknown, or the database failed.
    #[error(transparent)]
    Dispute(#[from] DisputeError),
}

impl From<StorageError> for StatementError {
    fn from(e: StorageError) -> Self {
        Self::Dispute(DisputeError::Storage(e))
    }
}

const COLUMNS: &str = "id, dispute_id, asked_of, asked_by, question, due_on, created_at, \
    answered_at, answer_note_id";

fn read(row: &dyn Row) -> Result<StatementRequest, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "statement_requests", id.as_str());
    Ok(StatementRequest {
        dispute_id: row.string(1)?,
        asked_of: row.string(2)?,
        asked_by: row.string(3)?,
        question: row.string(4)?,
        due_on: cells.date(5, "due_on")?,
        created_at: cells.timestamp(6, "created_at")?,
        answered_at: cells.opt_timestamp(7, "answered_at")?,
        answer_note_id: row.opt_string(8)?,
        id,
    })
}

/// Asks `asked_of` (a user who may act) for a statement on `dispute_id` by `due_on`,
/// recorded in the dispute's audit log.
pub fn ask(
    dispute_id: &str,
    asked_of: &str,
    question: &str,
    due_on: Date,
    actor: &str,
) -> Work<StatementRequest, StatementError> {
    let request = StatementRequest {
        id: new_id("STQ"),
        dispute_id: dispute_id.to_owned(),
        asked_of: asked_of.to_owned(),
        asked_by: actor.to_owned(),
        question: question.to_owned(),
        due_on,
        created_at: this_moment(),
        answered_at: None,
        answer_note_id: None,
    };
    Work::new(move |db| {
        if !exists(db, &request.dispute_id)? {
            return Err(DisputeError::NotFound(request.dispute_id).into());
        }
        let active = db
            .row(
                "SELECT 1 FROM users WHERE id = ? AND disabled_at IS NULL",
                params![&request.asked_of],
                |_| Ok(()),
            )?
            .is_some();
        if !active {
            return Err(StatementError::UnknownUser(request.asked_of));
        }
        db.execute(
            &format!("INSERT INTO statement_requests ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)"),
            params![
                &request.id,
                &request.dispute_id,
                &request.asked_of,
                &request.asked_by,
                &request.question,
                &request.due_on.to_string(),
                &timestamp_text(request.created_at)
            ],
        )?;
        let after = serde_json::json!({
            "id": request.id, "asked_of": request.asked_of, "question": request.question,
            "due_on": request.due_on.to_string(),
        })
        .to_string();
        append(
            db,
            dispute_event(
                &request.asked_by,
                &request.dispute_id,
                "statement_requested",
                None,
                Some(after),
            ),
        )?;
        Ok(request)
    })
}

/// Gives the statement asked by `request_id`: only its person may, once; the statement goes
/// into the case file in the same transaction.
pub fn answer(request_id: &str, body: &str, actor: &str) -> Work<CaseNote, StatementError> {
    let (request_id, body, actor) = (request_id.to_owned(), body.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let select = format!(
            "SELECT {COLUMNS} FROM statement_requests WHERE id = ?{}",
            db.row_lock()
        );
        let request = db
            .row(&select, params![&request_id], read)?
            .ok_or_else(|| StatementError::NotFound(request_id.clone()))?;
        if request.asked_of != actor {
            return Err(StatementError::NotAskedOfYou {
                asked_of: request.asked_of,
            });
        }
        if request.answered_at.is_some() {
            return Err(StatementError::Answered);
        }
        let note = add_in(
            db,
            new_note(&request.dispute_id, NoteKind::Statement, &body, &actor),
        )?;
        db.execute(
            "UPDATE statement_requests SET answered_at = ?, answer_note_id = ? WHERE id = ?",
            params![&timestamp_text(note.created_at), &note.id, &request_id],
        )?;
        Ok(note)
    })
}

/// The statements asked on a dispute, oldest first.
pub(crate) fn of_dispute(
    db: &mut dyn Db,
    dispute_id: &str,
) -> Result<Vec<StatementRequest>, StorageError> {
    db.rows(
        &format!(
            "SELECT {COLUMNS} FROM statement_requests WHERE dispute_id = ? ORDER BY created_at, id"
        ),
        params![dispute_id],
        read,
    )
}

/// The statements `user_id` has still to give, soonest due first.
pub(crate) fn waiting_for(
    db: &mut dyn Db,
    user_id: &str,
) -> Result<Vec<StatementRequest>, StorageError> {
    db.rows(
        &format!(
            "SELECT {COLUMNS} FROM statement_requests WHERE asked_of = ? AND answered_at IS NULL \
             ORDER BY due_on, created_at, id"
        ),
        params![user_id],
        read,
    )
}
