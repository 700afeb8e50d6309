//! The store: an open database, its pool of connections and the one writing connection, and
//! how a use case's work runs on them. A read runs on a pooled connection on a blocking
//! thread, on its own ([`Store::run`]) or in a read-only transaction ([`Store::read`]); a
//! write takes its turn in the write queue ([`Store::write`], [`Store::perform`]). What the
//! store keeps is read and written by the areas of the crate (`disputes`, `books`, …) through
//! these.

use super::error::{StorageError, describe};
use super::idempotency::{self, Answer, Once, Reply, Unkept};
use super::location::{Backend, Location, redact};
#[cfg(unix)]
use super::resident;
use super::sql::{Db, Intent};
use super::work::Work;
use super::{migrations, postgresql, sqlite, write_queue};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// The database a location names.
enum Target {
    /// The SQLite file.
    Sqlite(PathBuf),
    /// The PostgreSQL server's URL.
    Postgres(String),
}

/// Opens a new connection of the store's backend.
type Connector = dyn Fn() -> Result<Box<dyn Db>, StorageError> + Send + Sync;

/// What every clone of a store shares.
struct Shared {
    backend: Backend,
    /// The SQLite file, on that backend.
    file: Option<PathBuf>,
    /// A shared lock on the SQLite file's lock file while the store is open, which a restore
    /// waits to take alone (`crate::backup::restore`): nothing is put in place of a database
    /// any process has open.
    _in_use: Option<std::fs::File>,
    connect: Box<Connector>,
    /// Connections not in use.
    idle: Mutex<Vec<Box<dyn Db>>>,
    /// One per connection the pool may have open at once.
    permits: Arc<Semaphore>,
    /// How many connections the pool may have open at once.
    connections: usize,
    /// Writers in this process take turns here rather than in the database (SQLite has one
    /// writer at a time and makes the others poll; on PostgreSQL every write waits for the
    /// audit log's head row anyway), and those that wait are committed together. A writer
    /// joins the queue on its blocking thread, after taking its connection (every writer in
    /// that order, so that none waits for another's).
    writes: write_queue::WriteQueue,
    /// The SQLite checkpointing thread (see [`checkpoint_in_background`]): how to tell it to
    /// stop, and its handle, so that closing the store waits until it has let go of its
    /// connection.
    checkpointer: Mutex<Option<Checkpointer>>,
}

/// The SQLite checkpointing thread of a store.
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

/// An open database, its schema up to date.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.shared.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating where needed) the database at `location` and applies any pending
    /// migrations.
    pub async fn open(location: &Location) -> Result<Self, StorageError> {
        let store = Self::connect(location).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without touching its schema.
    pub async fn connect(location: &Location) -> Result<Self, StorageError> {
        let target = match location {
            Location::DataDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| StorageError::DataDir {
                    path: dir.clone(),
                    source,
                })?;
                Target::Sqlite(dir.join(super::DATABASE_FILE))
            }
            Location::Url(url) => match location.sqlite_file()? {
                Some(file) => Target::Sqlite(file),
                None => Target::Postgres(url.clone()),
            },
        };
        let (backend, connect, connections): (Backend, Box<Connector>, usize) = match &target {
            Target::Sqlite(path) => (Backend::Sqlite, sqlite_connector(path.clone()), 8),
            Target::Postgres(url) => {
                let url = url.clone();
                let connect: Box<Connector> = Box::new(move || {
                    postgresql::Postgres::connect(&url)
                        .map(|db| Box::new(db) as Box<dyn Db>)
                        .map_err(|e| StorageError::Connect {
                            url: redact(&url),
                            reason: describe(&e),
                        })
                });
                (Backend::Postgres, connect, 10)
            }
        };
        let in_use = match &target {
            Target::Sqlite(path)
                if !path.as_os_str().is_empty() && path != Path::new(":memory:") =>
            {
                Some(lock_shared(path)?)
            }
            _ => None,
        };
        let store = Self {
            shared: Arc::new(Shared {
                backend,
                _in_use: in_use,
                file: match &target {
                    Target::Sqlite(path) => Some(path.clone()),
                    Target::Postgres(_) => None,
                },
                connect,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(connections)),
                connections,
                writes: write_queue::WriteQueue::default(),
                checkpointer: Mutex::new(None),
            }),
        };
        // The first connection now, so that a wrong URL or an unreachable server is reported
        // at once rather than on the first request.
        store.run(|_| Ok::<(), StorageError>(())).await?;
        if let Target::Sqlite(path) = target {
            let checkpointer = checkpoint_in_background(path, Arc::downgrade(&store.shared));
            *store
                .shared
                .checkpointer
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = checkpointer;
        }
        Ok(store)
    }

    /// Applies the migrations this version of Redress has and the database lacks; returns the
    /// versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, StorageError> {
        self.write(migrations::run).await
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.run(|db| db.row("SELECT 1", &[], |row| row.int(0)).map(|_| ()))
            .await
    }

    /// Opens every connection the pool may have, for a server: the first burst of requests
    /// then does not wait for connections to be opened (a new PostgreSQL backend reads its
    /// catalog before its first queries) while it is under load.
    pub async fn open_every_connection(&self) -> Result<(), StorageError> {
        let shared = self.shared.clone();
        on_blocking_thread(move || {
            let wanted = shared.connections;
            let have = shared.idle.lock().unwrap_or_else(|e| e.into_inner()).len();
            let mut opened = Vec::new();
            for _ in have..wanted {
                opened.push((shared.connect)()?);
            }
            shared
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(opened);
            Ok(())
        })
        .await
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.shared.backend
    }

    /// The SQLite file, on that backend.
    pub fn database_file(&self) -> Option<PathBuf> {
        self.shared.file.clone()
    }

    /// Keeps the SQLite file's pages locked in memory for as long as the store is open, the
    /// pages it grows by included (checked every second), so that a kernel that reclaims idle
    /// memory does not send the server's reads back to the disk. Gives the bytes
    /// locked now; reading them in, where they are not in memory yet, takes a while.
    #[cfg(unix)]
    pub fn keep_in_memory(&self) -> Result<u64, StorageError> {
        let path = self
            .shared
            .file
            .as_deref()
            .ok_or(StorageError::KeepInMemoryNotSqlite)?;
        Ok(resident::keep_in_memory(
            path,
            Arc::downgrade(&self.shared),
        )?)
    }

    /// A turn at one of the pool's connections, waited for.
    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, StorageError> {
        self.shared
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StorageError::Closed)
    }

    /// Runs `work` on a connection of the pool, on a blocking thread, outside any transaction
    /// (for reads of one statement).
    pub(crate) async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let permit = self.permit().await?;
        let shared = self.shared.clone();
        on_blocking_thread(move || {
            let _permit = permit;
            shared.on_connection(work)
        })
        .await
    }

    /// Runs `work` in a read-only transaction: every query sees the same snapshot.
    pub(crate) async fn read<T, E>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        self.run(move |db| db.transaction(Intent::Read, work)).await
    }

    /// Runs `work` in a transaction that writes, once it is this process's turn: all of it is
    /// committed, or (when it gives `Err`) none of it. Writes that wait for their turn are
    /// committed together ([`write_queue`]).
    pub(crate) async fn write<T, E>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let shared = self.shared.clone();
        on_blocking_thread(move || shared.writes.write(&*shared.connect, work)).await
    }

    /// Runs `prepare` (reads, and what comes of them) and then, when it gives `Ok`, the write
    /// it gave, in a transaction that writes, together with the others of its kind that wait
    /// ([`write_queue::Together`]), on one blocking thread.
    pub(crate) async fn run_then_write_together<W: write_queue::Together>(
        &self,
        prepare: impl FnOnce(&mut dyn Db) -> Result<W, W::Error> + Send + 'static,
    ) -> Result<W::Output, W::Error> {
        let permit = self.permit().await?;
        let shared = self.shared.clone();
        on_blocking_thread(move || {
            // The pool's connection is given back before the write waits for its turn: the
            // next requests read while this one waits, and are then committed with it.
            let write = {
                let _permit = permit;
                shared.on_connection(prepare)?
            };
            shared.writes.write_together(&*shared.connect, write)
        })
        .await
    }

    /// Runs `work`, one very large write (an import), in one transaction on a connection of
    /// its own, readied for it and closed after, while no other write of this process runs.
    pub(crate) async fn write_bulk<T, E>(
        &self,
        work: impl FnOnce(&mut dyn Db) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let shared = self.shared.clone();
        on_blocking_thread(move || {
            let mut db = (shared.connect)()?;
            db.prepare_for_bulk()?;
            shared
                .writes
                .between_writes(|| db.transaction(Intent::Write, work))
        })
        .await
    }

    /// Does `work` in one transaction that writes: all of it is committed, or (when it gives
    /// `Err`) none of it.
    pub async fn perform<T, E>(&self, work: Work<T, E>) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        self.write(move |db| work.run(db)).await
    }

    /// Does `work` and turns its outcome into the answer (`respond`), in one transaction; with
    /// `once`, the key is claimed in it first (a key used before gives its first answer, or is
    /// refused for another request, and nothing is done), and the answer kept in it last. A
    /// refusal's answer is kept too, its work rolled back; an answer not to be kept rolls
    /// everything back, the claim included.
    pub async fn perform_once<T, E>(
        &self,
        once: Option<Once>,
        work: Work<T, E>,
        respond: impl FnOnce(Result<T, E>) -> Answer + Send + 'static,
    ) -> Result<Reply, StorageError>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        let outcome = self
            .write(move |db| idempotency::perform_once_in(db, once, work, respond))
            .await;
        Unkept::reply(outcome)
    }

    /// What an earlier request with `once`'s key was answered, if there was one: its answer
    /// (`Replayed`), or `Mismatch` when it asked something else. A request whose key was
    /// answered gets that answer without being prepared again.
    pub async fn earlier_reply(&self, once: &Once) -> Result<Option<Reply>, StorageError> {
        let once = once.clone();
        self.run(move |db| idempotency::earlier_reply(db, &once))
            .await
    }

    /// Closes every connection not in use (the others close when their work is done), and on
    /// SQLite stops the checkpointing thread and waits until it has closed its connection.
    pub async fn close(self) {
        self.shared.permits.close();
        let idle = std::mem::take(&mut *self.shared.idle.lock().unwrap_or_else(|e| e.into_inner()));
        drop(idle);
        let checkpointer = self
            .shared
            .checkpointer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(Checkpointer { stop, thread }) = checkpointer {
            drop(stop);
            on_blocking_thread(move || {
                let _ = thread.join();
            })
            .await;
        }
    }
}

impl Shared {
    /// Runs `work` on a connection of the pool (opening one when none is idle) and gives the
    /// connection back, unless it broke.
    fn on_connection<T, E>(&self, work: impl FnOnce(&mut dyn Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut db = match idle {
            Some(db) => db,
            None => (self.connect)()?,
        };
        let result = work(&mut *db);
        // A connection whose server went away is dropped, not handed out again.
        if db.is_usable() {
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(db);
        }
        result
    }
}

/// Runs `work` on one of tokio's blocking threads; a panic there is passed on as if it had
/// happened here.
async fn on_blocking_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// WAL frames (of 4 KiB pages) past which the log is made to start over: 32 MiB. (A larger
/// log was tried: the stalls came less often but lasted longer.)
const RESTART_LOG_FROM_FRAMES: i64 = 8192;
/// Most frames left to copy for a checkpoint between writes: a millisecond's work, and a small
/// `fsync`, while the writers wait.
const LEFT_FOR_BETWEEN_WRITES: i64 = 256;

/// How long the checkpoint between writes waits for the readers still in the log (the
/// writers wait meanwhile); when they take longer, it is tried again on the next round.
const WAIT_FOR_READERS: std::time::Duration = std::time::Duration::from_millis(50);

/// Copies what SQLite's write-ahead log holds into the database file five times a second (each
/// copy, and its `fsync`, small), on a
/// thread of its own, for as long as the store is open. SQLite's own checkpoints would run
/// inside whichever commit crossed the threshold, and make it wait.
///
/// A checkpoint copies only what no reader still needs, so under steady load the log would
/// only ever grow. Once it is large, a second checkpoint runs between two of this process's
/// writes: right after the first, it has little left to copy, and it waits for the readers
/// still in the log, so that the next write starts the log over.
///
/// It stops when the store is dropped, or at once when [`Store::close`] drops its sender.
fn checkpoint_in_background(path: PathBuf, store: std::sync::Weak<Shared>) -> Option<Checkpointer> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("redress-checkpoint".into())
        .spawn(move || {
            let Ok(db) = sqlite::Sqlite::open(&path) else {
                return;
            };
            // The database file itself, to flush what the checkpoints copied into it.
            let file = std::fs::File::open(&path).ok();
            loop {
                match stopped.recv_timeout(std::time::Duration::from_millis(200)) {
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    // Closed (nothing is ever sent): the store is closing.
                    _ => return,
                }
                let Some(shared) = store.upgrade() else {
                    return;
                };
                // Between writes only when little is left to copy (not, say, right after a
                // large import, whose copying would hold the writers back for seconds).
                if db.checkpoint().is_ok_and(|(frames, copied)| {
                    frames > RESTART_LOG_FROM_FRAMES && frames - copied < LEFT_FOR_BETWEEN_WRITES
                }) {
                    // The checkpoint that copies the last frames flushes the database file,
                    // which holds every page copied since it was last flushed (tens of
                    // milliseconds of disk under load). So flushing and copying are done here
                    // first, while the writers go on, each round leaving less for the next:
                    // the checkpoint the writers wait for has a few pages left (3 ms, from 30).
                    for _ in 0..3 {
                        if let Some(file) = &file {
                            let _ = file.sync_data();
                        }
                        let _ = db.checkpoint();
                    }
                    if let Some(file) = &file {
                        let _ = file.sync_data();
                    }
                    let _ = shared
                        .writes
                        .between_writes(|| db.checkpoint_to_start_over(WAIT_FOR_READERS));
                }
            }
        })
        .ok()?;
    Some(Checkpointer { stop, thread })
}

/// The file every process that opens the SQLite file at `database` holds a lock on.
pub(crate) fn lock_file(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// `database`'s lock file, made when missing (it holds nothing: only its locks count).
fn open_lock_file(database: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_file(database))
}

/// A shared lock on `database`'s lock file, held while a store has it open: refused while a
/// restore puts a backup in its place.
fn lock_shared(database: &Path) -> Result<std::fs::File, StorageError> {
    let url = format!("sqlite://{}", database.display());
    let opened = open_lock_file(database).map_err(|e| StorageError::Connect {
        url: url.clone(),
        reason: format!("cannot open its lock file: {e}"),
    })?;
    match opened.try_lock_shared() {
        Ok(()) => Ok(opened),
        Err(std::fs::TryLockError::WouldBlock) => Err(StorageError::Connect {
            url,
            reason: "a backup is being restored in its place; open it once that is done".into(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(StorageError::Connect {
            url,
            reason: format!("cannot lock its lock file: {e}"),
        }),
    }
}

/// The lock on `database`'s lock file alone, for a restore: `None` while any process has the
/// database open.
pub(crate) fn lock_exclusively(database: &Path) -> std::io::Result<Option<std::fs::File>> {
    let opened = open_lock_file(database)?;
    match opened.try_lock() {
        Ok(()) => Ok(Some(opened)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Opens connections to the SQLite file at `path`.
fn sqlite_connector(path: PathBuf) -> Box<Connector> {
    Box::new(move || {
        sqlite::Sqlite::open(&path)
            .map(|db| Box::new(db) as Box<dyn Db>)
            .map_err(|e| StorageError::Connect {
                url: format!("sqlite://{}", path.display()),
                reason: e.to_string(),
            })
    })
}
