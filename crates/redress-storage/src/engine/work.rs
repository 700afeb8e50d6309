//! A use case's write, made ready before it runs: the changes it makes to the database, to be
//! done in one transaction alone ([`Store::perform`](super::Store::perform)) or under an
//! idempotency key together with the answer kept for a retry
//! ([`Store::perform_once`](super::Store::perform_once)).

use super::sql::Db;

/// What a work does within the open transaction.
type Run<T, E> = Box<dyn FnOnce(&mut dyn Db) -> Result<T, E> + Send>;

/// The changes one use case makes, in one transaction: its checks against what is stored, its
/// writes and its audit events. Nothing happens until a [`Store`](super::Store) performs it.
pub struct Work<T, E> {
    run: Run<T, E>,
}

impl<T: 'static, E: 'static> Work<T, E> {
    /// The work `run` does within the open transaction.
    pub(crate) fn new(run: impl FnOnce(&mut dyn Db) -> Result<T, E> + Send + 'static) -> Self {
        Self { run: Box::new(run) }
    }

    /// The same work, its refusals told in `E2`.
    pub fn map_err<E2: 'static>(self, map: impl FnOnce(E) -> E2 + Send + 'static) -> Work<T, E2> {
        let run = self.run;
        Work::new(move |db| run(db).map_err(map))
    }

    /// The same work, giving `map` of what it gives.
    pub fn map<U: 'static>(self, map: impl FnOnce(T) -> U + Send + 'static) -> Work<U, E> {
        let run = self.run;
        Work::new(move |db| run(db).map(map))
    }

    /// The same work, followed (in its transaction) by `then` of what it gives.
    pub fn and_then<U: 'static>(
        self,
        then: impl FnOnce(T) -> Result<U, E> + Send + 'static,
    ) -> Work<U, E> {
        let run = self.run;
        Work::new(move |db| run(db).and_then(then))
    }

    /// The same work, followed (in its transaction) by the work `next` makes of what it gives.
    pub fn then<U: 'static>(
        self,
        next: impl FnOnce(T) -> Work<U, E> + Send + 'static,
    ) -> Work<U, E> {
        let run = self.run;
        Work::new(move |db| run(db).and_then(|value| next(value).run(db)))
    }

    /// Work that changes nothing and gives `outcome`: a refusal known before the transaction,
    /// or a value to go on from.
    pub fn ready(outcome: Result<T, E>) -> Self
    where
        T: Send,
        E: Send,
    {
        Work::new(move |_| outcome)
    }

    /// Does it within the open transaction.
    pub(crate) fn run(self, db: &mut dyn Db) -> Result<T, E> {
        (self.run)(db)
    }
}
