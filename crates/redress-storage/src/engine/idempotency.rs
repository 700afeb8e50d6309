//! Idempotency keys: what a retried request needs to get its first answer instead of acting
//! twice. The key is claimed, the work done and its answer kept in one transaction: a request
//! cut off at any point (the server killed, the database gone) has either done nothing and
//! kept nothing, so that a retry acts, or done its work and kept its answer, so that a retry
//! gets the answer. Never the work without the answer.

use super::error::StorageError;
use super::sql::{Db, params};
use super::stored::now;
use super::work::Work;

/// A request sent with an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Once {
    /// Who sent it: the user's id (each person's keys are their own).
    pub caller: String,
    /// The key the client chose.
    pub key: String,
    /// The SHA-256 of what was asked (route and body), hex: the same key with another request
    /// is refused.
    pub request_sha256: String,
}

/// The answer to a request, as its sender got it: kept byte for byte for a retry with the same
/// key. What it holds is the caller's (the HTTP status and body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: String,
    /// Whether to keep it (and what the work did): not for a failure worth retrying, after
    /// which nothing is kept and the key stays free.
    pub keep: bool,
}

/// What became of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// It was done now (or refused now), and this is its answer.
    Answered(Answer),
    /// It was done before with the same key and request: its first answer.
    Replayed(Answer),
    /// The key was used before with another request; nothing was done.
    Mismatch,
}

/// What the database knows of a key, within the transaction that claims it.
enum Claim {
    Fresh,
    Replay(Answer),
    Mismatch,
}

/// Claims `once`'s key within the open transaction. A claim another transaction holds (the
/// same key sent twice at once, to two servers) is waited for: then it has its answer, or was
/// rolled back and is free.
fn claim(db: &mut dyn Db, once: &Once) -> Result<Claim, StorageError> {
    // The primary key makes the insert the arbiter between concurrent requests.
    let inserted = db.execute(
        "INSERT INTO idempotency_keys (caller, key, request_sha256, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (caller, key) DO NOTHING",
        params![&once.caller, &once.key, &once.request_sha256, &now()],
    )?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    Ok(match earlier_reply(db, once)? {
        Some(Reply::Mismatch) => Claim::Mismatch,
        Some(Reply::Replayed(answer)) => Claim::Replay(answer),
        // Claimed without an answer: only a Redress before keys were claimed in the work's own
        // transaction left such a row, when it was stopped mid-request. Its work may or may
        // not have been done; it is done now.
        Some(Reply::Answered(_)) | None => Claim::Fresh,
    })
}

/// Keeps `answer` for `once`'s key, claimed within the open transaction.
fn keep(db: &mut dyn Db, once: &Once, answer: &Answer) -> Result<(), StorageError> {
    db.execute(
        "UPDATE idempotency_keys SET status = ?, response = ? WHERE caller = ? AND key = ?",
        params![
            i64::from(answer.status),
            &answer.body,
            &once.caller,
            &once.key
        ],
    )?;
    Ok(())
}

/// Why a keyed transaction was rolled back.
pub(crate) enum Unkept {
    /// The answer is not to be kept (a failure worth retrying).
    Answer(Answer),
    /// The database failed.
    Storage(StorageError),
}

impl From<StorageError> for Unkept {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

impl Unkept {
    /// What became of a request whose keyed transaction gave `outcome`: an answer not to be
    /// kept is still the request's answer.
    pub(crate) fn reply(outcome: Result<Reply, Unkept>) -> Result<Reply, StorageError> {
        match outcome {
            Ok(reply) => Ok(reply),
            Err(Unkept::Answer(answer)) => Ok(Reply::Answered(answer)),
            Err(Unkept::Storage(e)) => Err(e),
        }
    }
}

/// What an earlier request with `once`'s key was answered, if there was one (see
/// [`Store::earlier_reply`](super::Store::earlier_reply)): `None` when there was none, or one
/// was claimed but never answered.
pub(crate) fn earlier_reply(db: &mut dyn Db, once: &Once) -> Result<Option<Reply>, StorageError> {
    let row = db.row(
        "SELECT request_sha256, status, response FROM idempotency_keys WHERE caller = ? AND key = ?",
        params![&once.caller, &once.key],
        |row| Ok((row.string(0)?, row.opt_int(1)?, row.opt_string(2)?)),
    )?;
    Ok(match row {
        None => None,
        Some((hash, _, _)) if hash != once.request_sha256 => Some(Reply::Mismatch),
        Some((_, Some(status), Some(body))) => Some(Reply::Replayed(Answer {
            status: u16::try_from(status).map_err(|_| {
                StorageError::Corrupt(format!(
                    "idempotency_keys.status of key {}: {status}",
                    once.key
                ))
            })?,
            body,
            keep: true,
        })),
        Some(_) => None,
    })
}

/// Does `work` within the open transaction and turns its outcome into the answer (`respond`),
/// with `once`'s key claimed first and the answer kept last (see
/// [`Store::perform_once`](super::Store::perform_once)). `Err` rolls the transaction back.
pub(crate) fn perform_once_in<T, E>(
    db: &mut dyn Db,
    once: Option<Once>,
    work: Work<T, E>,
    respond: impl FnOnce(Result<T, E>) -> Answer,
) -> Result<Reply, Unkept>
where
    T: 'static,
    E: 'static,
{
    if let Some(once) = &once {
        match claim(db, once)? {
            Claim::Replay(answer) => return Ok(Reply::Replayed(answer)),
            Claim::Mismatch => return Ok(Reply::Mismatch),
            Claim::Fresh => {}
        }
    }
    let mark = db.events().len();
    db.script("SAVEPOINT keyed")?;
    let done = work.run(db);
    if done.is_ok() {
        db.script("RELEASE SAVEPOINT keyed")?;
    } else {
        // A refusal changes nothing, but its answer is kept.
        db.events().truncate(mark);
        db.script("ROLLBACK TO SAVEPOINT keyed; RELEASE SAVEPOINT keyed")?;
    }
    let answer = respond(done);
    if !answer.keep {
        return Err(Unkept::Answer(answer));
    }
    if let Some(once) = &once {
        keep(db, once, &answer)?;
    }
    Ok(Reply::Answered(answer))
}
