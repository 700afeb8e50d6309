//! Group commit. Writers take turns, one transaction at a time, on one connection kept for
//! writing; writers that arrive while another holds the turn wait, and the next to take it
//! commits all of them in one transaction, each in a savepoint of its own. Every writer still
//! gets its own outcome (a refusal or a failure rolls back its own changes only), and nothing
//! is reported written before it is committed. One commit for many writes is what makes intake
//! fast: SQLite writes each touched page once per commit, and PostgreSQL waits for the disk
//! once per commit. One connection for every write keeps SQLite's page cache: a connection
//! drops its whole cache whenever another has written.

use crate::StorageError;
use crate::sql::{Db, Intent};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};

/// Most writes committed together: a bound on how long the last of them waits.
const MOST_TOGETHER: usize = 64;

/// The writes of one process, taking turns.
#[derive(Default)]
pub(crate) struct WriteQueue {
    /// Writes waiting for a transaction.
    pending: Mutex<Vec<Box<dyn Pending>>>,
    /// The connection writes are committed on, held by whoever has the turn: opened when
    /// first needed, and again after it broke.
    writer: Mutex<Option<Box<dyn Db>>>,
}

/// Opens a connection.
pub(crate) type Connect<'a> = &'a (dyn Fn() -> Result<Box<dyn Db>, StorageError> + Send + Sync);

/// A write waiting in the queue, its result type erased.
trait Pending: Send {
    /// Runs the write within the open transaction; whether its changes are to be kept.
    fn run(&mut self, db: &mut dyn Db) -> bool;
    /// Hands over the outcome once the transaction has ended (`Err`: nothing was committed).
    fn settle(self: Box<Self>, ended: Result<(), &StorageError>);
}

/// The outcome of a write, where its writer finds it.
type Slot<T, E> = Arc<Mutex<Option<Result<T, E>>>>;

struct Write<F, T, E> {
    work: Option<F>,
    result: Option<Result<T, E>>,
    slot: Slot<T, E>,
}

impl<F, T, E> Pending for Write<F, T, E>
where
    F: FnOnce(&mut dyn Db) -> Result<T, E> + Send,
    T: Send,
    E: From<StorageError> + Send,
{
    fn run(&mut self, db: &mut dyn Db) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        // A write that panics fails alone, like one that errs, instead of taking the writes
        // committed with it down too.
        let result = catch_unwind(AssertUnwindSafe(|| work(db)))
            .unwrap_or_else(|_| Err(StorageError::Interrupted.into()));
        let keep = result.is_ok();
        self.result = Some(result);
        keep
    }

    fn settle(self: Box<Self>, ended: Result<(), &StorageError>) {
        let outcome = match (self.result, ended) {
            (Some(Err(refused)), _) => Err(refused),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (_, Err(e)) => Err(StorageError::NotCommitted(e.to_string()).into()),
            (None, Ok(())) => Err(StorageError::Interrupted.into()),
        };
        *lock(&self.slot) = Some(outcome);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl WriteQueue {
    /// Runs `work` in a transaction that writes, on the writing connection (opened with
    /// `connect` when there is none), and gives its outcome once it is committed (or not).
    pub fn write<T, E>(
        &self,
        connect: Connect<'_>,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let slot: Slot<T, E> = Arc::new(Mutex::new(None));
        lock(&self.pending).push(Box::new(Write {
            work: Some(work),
            result: None,
            slot: slot.clone(),
        }));
        loop {
            let mut writer = lock(&self.writer);
            if let Some(outcome) = lock(&slot).take() {
                // Committed (or not) by the writer who had the turn.
                return outcome;
            }
            // Our write is still waiting: this turn runs it, with whatever waits beside it.
            let batch: Vec<Box<dyn Pending>> = {
                let mut pending = lock(&self.pending);
                let take = pending.len().min(MOST_TOGETHER);
                pending.drain(..take).collect()
            };
            if !writer.as_ref().is_some_and(|db| db.is_usable()) {
                match connect().and_then(|mut db| db.prepare_for_writing().map(|()| db)) {
                    Ok(db) => *writer = Some(db),
                    Err(e) => {
                        batch.into_iter().for_each(|w| w.settle(Err(&e)));
                        continue;
                    }
                }
            }
            if let Some(db) = writer.as_mut() {
                commit_together(db.as_mut(), batch);
            }
            drop(writer);
            if let Some(outcome) = lock(&slot).take() {
                return outcome;
            }
            // More were waiting than one transaction takes, ours among the later ones.
        }
    }
}

impl WriteQueue {
    /// Runs `work` while no write of this process runs.
    pub fn between_writes<T>(&self, work: impl FnOnce() -> T) -> T {
        let _turn = lock(&self.writer);
        work()
    }
}

/// Runs `batch` in one transaction on `db`: each write in a savepoint when there are several,
/// so that one refused or failed write rolls back alone. Every write is settled.
fn commit_together(db: &mut dyn Db, mut batch: Vec<Box<dyn Pending>>) {
    if batch.is_empty() {
        return;
    }
    db.events().clear();
    if let Err(e) = db.script(db.begin_statement(Intent::Write)) {
        batch.into_iter().for_each(|w| w.settle(Err(&e)));
        return;
    }
    let outcome = if let [alone] = &mut batch[..] {
        if alone.run(db) {
            db.commit()
        } else {
            db.events().clear();
            db.script("ROLLBACK")
        }
    } else {
        let mut ran = Ok(());
        // A kept write's savepoint is released with the next one's start, in one round trip
        // to PostgreSQL instead of two; the commit releases the last.
        let mut kept_before = false;
        for write in &mut batch {
            // A write rolled back to its savepoint takes its audit events with it.
            let mark = db.events().len();
            let start = if kept_before {
                "RELEASE SAVEPOINT write; SAVEPOINT write"
            } else {
                "SAVEPOINT write"
            };
            ran = db.script(start).and_then(|()| {
                kept_before = write.run(db);
                if kept_before {
                    Ok(())
                } else {
                    db.events().truncate(mark);
                    db.script("ROLLBACK TO SAVEPOINT write; RELEASE SAVEPOINT write")
                }
            });
            if ran.is_err() {
                break;
            }
        }
        // One append to the log for the events of every write, then one commit.
        ran.and_then(|()| db.commit())
    };
    if outcome.is_err() {
        db.events().clear();
        let _ = db.script("ROLLBACK");
    }
    let ended = outcome.as_ref().map(|_| ());
    for write in batch {
        write.settle(ended);
    }
}
