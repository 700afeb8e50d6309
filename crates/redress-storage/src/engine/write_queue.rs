//! Group commit. Writers take turns, one transaction at a time, on one connection kept for
//! writing; writers that arrive while another holds the turn wait, and the next to take it
//! commits all of them in one transaction, each in a savepoint of its own. Every writer still
//! gets its own outcome (a refusal or a failure rolls back its own changes only), and nothing
//! is reported written before it is committed. One commit for many writes is what makes intake
//! fast: SQLite writes each touched page once per commit, and PostgreSQL waits for the disk
//! once per commit. One connection for every write keeps SQLite's page cache: a connection
//! drops its whole cache whenever another has written.
//!
//! Writes of a kind that does many at once faster than one by one ([`Together`]: a dispute's
//! intake) are done in one go when several of them wait, each still given its own outcome.

use super::error::StorageError;
use super::sql::{Db, Intent};
use std::any::{Any, TypeId};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Most writes committed together: a bound on how long the last of them waits.
const MOST_TOGETHER: usize = 64;

/// The writes of one process, taking turns.
#[derive(Default)]
pub(crate) struct WriteQueue {
    /// Writes waiting for a transaction, and whether a writer leads (runs transactions).
    queue: Mutex<Queue>,
    /// The connection writes are committed on, held while a transaction runs: opened when
    /// first needed, and again after it broke.
    writer: Mutex<Option<Box<dyn Db>>>,
}

/// Writes waiting, and whether one of their writers leads.
#[derive(Default)]
struct Queue {
    writes: Vec<Box<dyn Pending>>,
    leading: bool,
}

/// Opens a connection.
pub(crate) type Connect<'a> = &'a (dyn Fn() -> Result<Box<dyn Db>, StorageError> + Send + Sync);

/// A write waiting in the queue, its result type erased.
trait Pending: Send {
    /// Runs the write within the open transaction; whether its changes are to be kept.
    fn run(&mut self, db: &mut dyn Db) -> bool;
    /// Hands over the outcome once the transaction has ended (`Err`: nothing was committed).
    fn settle(self: Box<Self>, ended: Result<(), &StorageError>);
    /// Tells its writer, waiting, to lead: to run the transactions of the writes waiting.
    fn lead(&self);
    /// For a write of a kind done together with others of its kind: the kind, and how a group
    /// of them is run.
    fn kind(&self) -> Option<(TypeId, RunGroup)> {
        None
    }
    /// The write itself, for [`RunGroup`] to find its own kind in.
    fn as_any(&mut self) -> Option<&mut dyn Any> {
        None
    }
}

/// Runs a group of waiting writes of one kind within the open transaction, together; `Err` when
/// that failed, every write of the group then left as it was, to be run alone.
type RunGroup = fn(&mut dyn Db, &mut [&mut Box<dyn Pending>]) -> Result<(), StorageError>;

/// A kind of write that, when several wait, is done for all of them at once (in one statement
/// rather than one each).
pub(crate) trait Together: Sized + Send + 'static {
    /// What each write gives.
    type Output: Send + 'static;
    /// Why a write is refused.
    type Error: From<StorageError> + Send + 'static;

    /// Does every one of `writes` within the open transaction, and gives each its outcome, in
    /// order. A write given `Err` must have changed nothing and recorded no event. `Err` as a
    /// whole: something failed, and what was done is rolled back; each write is then done
    /// [`Together::alone`].
    #[allow(clippy::type_complexity)]
    fn together(
        db: &mut dyn Db,
        writes: &[Self],
    ) -> Result<Vec<Result<Self::Output, Self::Error>>, StorageError>;

    /// Does this write on its own within the open transaction.
    fn alone(self, db: &mut dyn Db) -> Result<Self::Output, Self::Error>;
}

/// Where a writer waits: for its write's outcome, or to be told to lead.
struct Slot<T, E> {
    state: Mutex<SlotState<T, E>>,
    changed: Condvar,
}

enum SlotState<T, E> {
    Waiting,
    Lead,
    Done(Result<T, E>),
}

impl<T, E> Slot<T, E> {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(SlotState::Waiting),
            changed: Condvar::new(),
        })
    }

    /// Waits for the outcome (`Some`) or to be told to lead (`None`).
    fn wait(&self) -> Option<Result<T, E>> {
        let mut state = lock(&self.state);
        loop {
            match std::mem::replace(&mut *state, SlotState::Waiting) {
                SlotState::Done(outcome) => return Some(outcome),
                SlotState::Lead => return None,
                SlotState::Waiting => {
                    state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            }
        }
    }

    /// The outcome, once there is one.
    fn take_done(&self) -> Option<Result<T, E>> {
        let mut state = lock(&self.state);
        match std::mem::replace(&mut *state, SlotState::Waiting) {
            SlotState::Done(outcome) => Some(outcome),
            other => {
                *state = other;
                None
            }
        }
    }

    fn set(&self, to: SlotState<T, E>) {
        let mut state = lock(&self.state);
        if !matches!(*state, SlotState::Done(_)) {
            *state = to;
        }
        self.changed.notify_one();
    }
}

struct Write<F, T, E> {
    work: Option<F>,
    result: Option<Result<T, E>>,
    slot: Arc<Slot<T, E>>,
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
        run_caught(|| work(db), &mut self.result)
    }

    fn settle(self: Box<Self>, ended: Result<(), &StorageError>) {
        settle(self.result, &self.slot, ended);
    }

    fn lead(&self) {
        self.slot.set(SlotState::Lead);
    }
}

/// Runs a write, keeping its outcome in `result`; whether its changes are to be kept. A write
/// that panics fails alone, like one that errs, instead of taking the writes committed with it
/// down too.
fn run_caught<T, E: From<StorageError>>(
    work: impl FnOnce() -> Result<T, E>,
    result: &mut Option<Result<T, E>>,
) -> bool {
    let outcome = catch_unwind(AssertUnwindSafe(work))
        .unwrap_or_else(|_| Err(StorageError::Interrupted.into()));
    let keep = outcome.is_ok();
    *result = Some(outcome);
    keep
}

/// Hands `result` over to its writer once the transaction has ended.
fn settle<T, E: From<StorageError>>(
    result: Option<Result<T, E>>,
    slot: &Slot<T, E>,
    ended: Result<(), &StorageError>,
) {
    let outcome = match (result, ended) {
        (Some(Err(refused)), _) => Err(refused),
        (Some(Ok(value)), Ok(())) => Ok(value),
        (_, Err(e)) => Err(StorageError::NotCommitted(e.to_string()).into()),
        (None, Ok(())) => Err(StorageError::Interrupted.into()),
    };
    slot.set(SlotState::Done(outcome));
}

/// A write of a kind done [`Together`].
struct Joined<W: Together> {
    write: Option<W>,
    result: Option<Result<W::Output, W::Error>>,
    slot: Arc<Slot<W::Output, W::Error>>,
}

impl<W: Together> Pending for Joined<W> {
    fn run(&mut self, db: &mut dyn Db) -> bool {
        let Some(write) = self.write.take() else {
            return false;
        };
        run_caught(|| write.alone(db), &mut self.result)
    }

    fn settle(self: Box<Self>, ended: Result<(), &StorageError>) {
        settle(self.result, &self.slot, ended);
    }

    fn lead(&self) {
        self.slot.set(SlotState::Lead);
    }

    fn kind(&self) -> Option<(TypeId, RunGroup)> {
        Some((TypeId::of::<W>(), run_group::<W>))
    }

    fn as_any(&mut self) -> Option<&mut dyn Any> {
        Some(self)
    }
}

/// [`RunGroup`] for writes of kind `W`.
fn run_group<W: Together>(
    db: &mut dyn Db,
    group: &mut [&mut Box<dyn Pending>],
) -> Result<(), StorageError> {
    let size = group.len();
    let mut members: Vec<&mut Joined<W>> = group
        .iter_mut()
        .filter_map(|pending| pending.as_any()?.downcast_mut::<Joined<W>>())
        .collect();
    if members.len() != size {
        return Err(StorageError::Interrupted);
    }
    let writes: Vec<W> = members.iter_mut().filter_map(|m| m.write.take()).collect();
    let done = catch_unwind(AssertUnwindSafe(|| W::together(db, &writes)))
        .unwrap_or(Err(StorageError::Interrupted))
        .and_then(|results| {
            if results.len() == writes.len() {
                Ok(results)
            } else {
                Err(StorageError::Interrupted)
            }
        });
    match done {
        Ok(results) => {
            for (member, result) in members.iter_mut().zip(results) {
                member.result = Some(result);
            }
            Ok(())
        }
        Err(e) => {
            // Left to be run alone.
            for (member, write) in members.iter_mut().zip(writes) {
                member.write = Some(write);
            }
            Err(e)
        }
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
        let slot = Slot::new();
        self.wait_for(
            connect,
            Box::new(Write {
                work: Some(work),
                result: None,
                slot: slot.clone(),
            }),
            &slot,
        )
    }

    /// Does `write` as [`WriteQueue::write`] does, together with the others of its kind that
    /// wait beside it.
    pub fn write_together<W: Together>(
        &self,
        connect: Connect<'_>,
        write: W,
    ) -> Result<W::Output, W::Error> {
        let slot = Slot::new();
        self.wait_for(
            connect,
            Box::new(Joined {
                write: Some(write),
                result: None,
                slot: slot.clone(),
            }),
            &slot,
        )
    }

    /// Queues `write`, and waits for its outcome in `slot`. While a writer leads, the others
    /// wait for their outcome; the leader runs the transactions of the writes waiting, batch
    /// after batch, until its own is done, and then hands the lead to the writer of the
    /// oldest write still waiting. Each writer is woken once, by its own outcome (not in turn
    /// through one lock, which made every commit wait for a chain of wake-ups).
    fn wait_for<T, E>(
        &self,
        connect: Connect<'_>,
        write: Box<dyn Pending>,
        slot: &Slot<T, E>,
    ) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        {
            let mut queue = lock(&self.queue);
            queue.writes.push(write);
            let led = std::mem::replace(&mut queue.leading, true);
            drop(queue);
            if led && let Some(outcome) = slot.wait() {
                return outcome;
            }
        }
        // Leading, until this write is done; then (even on a panic) the lead is handed on.
        let _lead = Leading(self);
        loop {
            let batch: Vec<Box<dyn Pending>> = {
                let mut queue = lock(&self.queue);
                let take = queue.writes.len().min(MOST_TOGETHER);
                queue.writes.drain(..take).collect()
            };
            if batch.is_empty() {
                // Not waiting, yet not done: lost to a failure that settled nothing.
                return slot
                    .take_done()
                    .unwrap_or_else(|| Err(StorageError::Interrupted.into()));
            }
            self.run(connect, batch);
            if let Some(outcome) = slot.take_done() {
                return outcome;
            }
            // More were waiting than one transaction takes, this one among the later ones.
        }
    }

    /// Runs `batch` in one transaction on the writing connection (opened when there is none).
    fn run(&self, connect: Connect<'_>, batch: Vec<Box<dyn Pending>>) {
        let mut writer = lock(&self.writer);
        if !writer.as_ref().is_some_and(|db| db.is_usable()) {
            match connect().and_then(|mut db| db.prepare_for_writing().map(|()| db)) {
                Ok(db) => *writer = Some(db),
                Err(e) => {
                    batch.into_iter().for_each(|w| w.settle(Err(&e)));
                    return;
                }
            }
        }
        if let Some(db) = writer.as_mut() {
            commit_together(db.as_mut(), batch);
        }
    }
}

/// The lead of a queue's writes, handed on when dropped: to the writer of the oldest write
/// waiting, or to whichever comes next.
struct Leading<'q>(&'q WriteQueue);

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let mut queue = lock(&self.0.queue);
        match queue.writes.first() {
            Some(next) => next.lead(),
            None => queue.leading = false,
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
/// so that one refused or failed write rolls back alone, and writes of a kind done
/// [`Together`] in one savepoint for them all. Every write is settled.
fn commit_together(db: &mut dyn Db, mut batch: Vec<Box<dyn Pending>>) {
    if batch.is_empty() {
        return;
    }
    db.events().clear();
    let begin = db.begin_statement(Intent::Write);
    let outcome = if let [alone] = &mut batch[..] {
        db.script(begin).and_then(|()| {
            if alone.run(db) {
                db.commit()
            } else {
                db.events().clear();
                db.script("ROLLBACK")
            }
        })
    } else {
        // One append to the log for the events of every write, then one commit.
        run_in_savepoints(db, begin, &mut batch).and_then(|()| db.commit())
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

/// Begins the transaction (`begin`) and runs every write of `batch` in it, each in a savepoint
/// of its own, or a group of writes of one kind in one savepoint: a group runs where its first
/// write was queued (the writes of one batch all waited at once, so none depends on another).
/// A group that fails is rolled back and its writes run one by one.
fn run_in_savepoints(
    db: &mut dyn Db,
    begin: &str,
    batch: &mut [Box<dyn Pending>],
) -> Result<(), StorageError> {
    let mut steps: Vec<Vec<usize>> = Vec::new();
    let mut step_of_kind: std::collections::HashMap<TypeId, usize> =
        std::collections::HashMap::new();
    for (i, write) in batch.iter().enumerate() {
        match write.kind() {
            Some((kind, _)) => match step_of_kind.get(&kind) {
                Some(&step) => steps[step].push(i),
                None => {
                    step_of_kind.insert(kind, steps.len());
                    steps.push(vec![i]);
                }
            },
            None => steps.push(vec![i]),
        }
    }
    let mut savepoint = Savepoint::Begin(begin);
    for step in steps {
        if let (true, Some((_, run_group))) = (step.len() > 1, batch[step[0]].kind()) {
            let mut group: Vec<&mut Box<dyn Pending>> = batch
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| step.contains(i))
                .map(|(_, write)| write)
                .collect();
            let mark = savepoint.start(db)?;
            if run_group(db, &mut group).is_ok() {
                savepoint = Savepoint::Kept;
                continue;
            }
            savepoint.roll_back(db, mark)?;
        }
        for i in step {
            let mark = savepoint.start(db)?;
            if batch[i].run(db) {
                savepoint = Savepoint::Kept;
            } else {
                savepoint.roll_back(db, mark)?;
            }
        }
    }
    Ok(())
}

/// Where the next write's savepoint starts from.
enum Savepoint<'a> {
    /// Before the transaction: it begins with this statement, in one round trip with the first
    /// savepoint.
    Begin(&'a str),
    /// After a write that was kept: its savepoint is released with the next one's start, in
    /// one round trip to PostgreSQL instead of two; the commit releases the last.
    Kept,
    /// After a write that was rolled back (its savepoint released).
    RolledBack,
}

impl Savepoint<'_> {
    /// Starts a write's savepoint; gives how many audit events were recorded before it.
    fn start(&self, db: &mut dyn Db) -> Result<usize, StorageError> {
        match self {
            Savepoint::Begin(begin) => db.script(&format!("{begin}; SAVEPOINT write"))?,
            Savepoint::Kept => db.script("RELEASE SAVEPOINT write; SAVEPOINT write")?,
            Savepoint::RolledBack => db.script("SAVEPOINT write")?,
        }
        Ok(db.events().len())
    }

    /// Rolls back to the savepoint started when `mark` events were recorded, taking the
    /// write's audit events with it.
    fn roll_back(&mut self, db: &mut dyn Db, mark: usize) -> Result<(), StorageError> {
        db.events().truncate(mark);
        *self = Savepoint::RolledBack;
        db.script("ROLLBACK TO SAVEPOINT write; RELEASE SAVEPOINT write")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sql::{Value, params};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A note written together with the others waiting: one statement for them all, unless one
    /// of them asks for the group to fail.
    struct Note {
        text: String,
        groups: Arc<AtomicUsize>,
    }

    impl Together for Note {
        type Output = String;
        type Error = StorageError;

        fn together(
            db: &mut dyn Db,
            writes: &[Self],
        ) -> Result<Vec<Result<String, StorageError>>, StorageError> {
            writes[0].groups.fetch_add(1, Ordering::SeqCst);
            let values: Vec<Value<'_>> = writes.iter().map(|w| Value::from(&w.text)).collect();
            let rows = vec!["(?)"; writes.len()].join(", ");
            // A note "fail" breaks the statement, as a failing database would.
            let table = if writes.iter().any(|w| w.text == "fail") {
                "nowhere"
            } else {
                "notes"
            };
            db.execute(
                &format!("INSERT INTO {table} (text) VALUES {rows}"),
                &values,
            )?;
            Ok(writes.iter().map(|w| Ok(w.text.clone())).collect())
        }

        fn alone(self, db: &mut dyn Db) -> Result<String, StorageError> {
            db.execute("INSERT INTO notes (text) VALUES (?)", params![&self.text])?;
            Ok(self.text)
        }
    }

    /// Writes `texts` while the turn is held, so that they wait together and are committed in
    /// one batch; gives each outcome and how many groups ran.
    fn written_together(texts: &[&str]) -> (Vec<Result<String, String>>, usize, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut db = crate::engine::sqlite::Sqlite::open(&path).unwrap();
        db.script("CREATE TABLE notes (text TEXT NOT NULL)")
            .unwrap();
        let connect_path = path.clone();
        let connect = move || {
            crate::engine::sqlite::Sqlite::open(&connect_path)
                .map(|db| Box::new(db) as Box<dyn Db>)
                .map_err(StorageError::from)
        };
        let queue = Arc::new(WriteQueue::default());
        let groups = Arc::new(AtomicUsize::new(0));
        let turn = lock(&queue.writer);
        let spawn = |text: &str| {
            let (queue, groups, connect) = (queue.clone(), groups.clone(), connect.clone());
            let text = text.to_string();
            std::thread::spawn(move || {
                queue
                    .write_together(&connect, Note { text, groups })
                    .map_err(|e| e.to_string())
            })
        };
        // A first write takes the lead and waits for the connection; the others queue behind.
        let first = spawn("first");
        while !lock(&queue.queue).leading || !lock(&queue.queue).writes.is_empty() {
            std::thread::yield_now();
        }
        let writers: Vec<_> = texts.iter().map(|text| spawn(text)).collect();
        while lock(&queue.queue).writes.len() < texts.len() {
            std::thread::yield_now();
        }
        drop(turn);
        assert!(first.join().unwrap().is_ok());
        let outcomes = writers.into_iter().map(|w| w.join().unwrap()).collect();
        let db: &mut dyn Db = &mut db;
        let mut stored = db
            .rows("SELECT text FROM notes", &[], |row| row.string(0))
            .unwrap();
        stored.sort();
        (outcomes, groups.load(Ordering::SeqCst), stored)
    }

    #[test]
    fn writes_of_a_kind_that_wait_together_are_done_in_one_go() {
        let (outcomes, groups, stored) = written_together(&["a", "b", "c"]);
        assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
        assert_eq!(groups, 1);
        assert_eq!(stored, ["a", "b", "c", "first"]);
    }

    #[test]
    fn a_group_that_fails_is_rolled_back_and_its_writes_done_one_by_one() {
        let (outcomes, groups, stored) = written_together(&["a", "fail", "c"]);
        assert_eq!(groups, 1);
        assert_eq!(
            outcomes.iter().filter(|o| o.is_ok()).count(),
            3,
            "{outcomes:?}"
        );
        // Alone, "fail" is an ordinary note: the group's failure left nothing behind.
        assert_eq!(stored, ["a", "c", "fail", "first"]);
    }
}
