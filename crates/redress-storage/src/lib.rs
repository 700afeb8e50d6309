//! Redress's database: one data-access layer over two real backends.
//!
//! The embedded default is a SQLite file in WAL mode under a data directory, so Redress runs
//! with nothing else installed; PostgreSQL serves teams that outgrow one machine. The backend is
//! chosen by the URL's scheme (`sqlite:` or `postgres:`). Every query is written once, against
//! the small interface in [`sql`], which [`sqlite`] and [`postgresql`] implement; each backend has
//! its own versioned migrations, applied when the store opens.
//!
//! The logic runs synchronously on a blocking thread, one whole use case at a time, with a
//! connection from the store's pool; [`Store`]'s methods are `async` for the server.

pub mod attachments;
pub mod audit_log;
mod billing;
pub mod cases;
mod contract_data;
pub mod disputes;
pub mod documents;
pub mod idempotency;
pub mod ledger;
mod migrations;
mod postgresql;
pub mod relationship;
#[cfg(unix)]
mod resident;
pub mod resolutions;
mod sql;
mod sqlite;
pub mod tokens;
mod work;
mod write_queue;

pub use audit_log::{new_id, now};
pub use billing::{ImportCounts, TableCounts};
#[cfg(unix)]
pub use resident::KeepInMemoryError;
pub use work::Work;

use sql::{Db, Intent};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// The SQLite file in a data directory.
pub const DATABASE_FILE: &str = "redress.db";

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded SQLite database in this directory (created when missing).
    DataDir(PathBuf),
    /// A database URL: `sqlite://PATH` or `postgres://…`.
    Url(String),
}

impl Location {
    /// `--database-url` when given, else `--data-dir`.
    pub fn from_args(data_dir: &Path, database_url: Option<&str>) -> Self {
        match database_url {
            Some(url) => Self::Url(url.to_owned()),
            None => Self::DataDir(data_dir.to_owned()),
        }
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL, a server.
    Postgres,
}

impl FromStr for Backend {
    type Err = StorageError;

    /// The backend of a database URL, by its scheme.
    fn from_str(url: &str) -> Result<Self, StorageError> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Self::Sqlite),
            Some("postgres" | "postgresql") => Ok(Self::Postgres),
            _ => Err(StorageError::UnsupportedUrl(redact(url))),
        }
    }
}

/// Why the database could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A URL whose scheme is neither `sqlite:` nor `postgres:`.
    #[error("`{0}` is not a database URL Redress can use (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    /// The data directory cannot be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database cannot be reached or opened.
    #[error("cannot open the database {url}: {reason}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// Why, as the database said.
        reason: String,
    },
    /// A migration already applied to this database differs from this version's.
    #[error(
        "migration {version} ({description}) was changed after it was applied to this database"
    )]
    MigrationChanged {
        /// Its version.
        version: i64,
        /// What it does.
        description: &'static str,
    },
    /// A migration failed; nothing of it was applied.
    #[error("migration {version} ({description}) failed: {reason}")]
    MigrationFailed {
        /// Its version.
        version: i64,
        /// What it does.
        description: &'static str,
        /// Why, as the database said.
        reason: String,
    },
    /// A stored value that cannot be read back: the database was changed behind Redress's back.
    #[error("the database holds a value Redress cannot read: {0}")]
    Corrupt(String),
    /// Billing data to write refers to a record it does not hold; nothing was written.
    #[error("the billing data is incomplete: {0}")]
    DanglingReference(String),
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("database error: {}", postgresql::describe(.0))]
    Postgres(postgres::Error),
    /// Rows could not be streamed to PostgreSQL.
    #[error("database error while copying rows: {0}")]
    Copy(std::io::Error),
    /// The operating system gave no random bytes for a secret.
    #[error("cannot make a secret: the operating system gives no random bytes ({0})")]
    NoRandomness(String),
    /// The store was closed.
    #[error("the database connection pool is closed")]
    Closed,
    /// A write was refused by the database at commit time, with the others committed with it.
    #[error("the write was not committed: {0}")]
    NotCommitted(String),
    /// A write failed in a way Redress did not foresee (a bug); nothing of it was kept.
    #[error("the write was interrupted by an internal error; nothing of it was kept")]
    Interrupted,
    /// The SQLite file's pages cannot be locked in memory.
    #[cfg(unix)]
    #[error(transparent)]
    KeepInMemory(#[from] KeepInMemoryError),
    /// Only the SQLite file can be kept in memory (PostgreSQL keeps its own cache).
    #[error(
        "only the embedded SQLite database can be kept in memory; PostgreSQL keeps its own cache \
         (its shared_buffers setting)"
    )]
    KeepInMemoryNotSqlite,
}

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
                Target::Sqlite(dir.join(DATABASE_FILE))
            }
            Location::Url(url) => match url.parse::<Backend>()? {
                Backend::Sqlite => Target::Sqlite(PathBuf::from(
                    url.trim_start_matches("sqlite:")
                        .trim_start_matches("//")
                        .split('?')
                        .next()
                        .unwrap_or_default(),
                )),
                Backend::Postgres => Target::Postgres(url.clone()),
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
                            reason: postgresql::describe(&e),
                        })
                });
                (Backend::Postgres, connect, 10)
            }
        };
        let store = Self {
            shared: Arc::new(Shared {
                backend,
                file: match &target {
                    Target::Sqlite(path) => Some(path.clone()),
                    Target::Postgres(_) => None,
                },
                connect,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(connections)),
                connections,
                writes: write_queue::WriteQueue::default(),
            }),
        };
        // The first connection now, so that a wrong URL or an unreachable server is reported
        // at once rather than on the first request.
        store.run(|_| Ok::<(), StorageError>(())).await?;
        if let Target::Sqlite(path) = target {
            checkpoint_in_background(path, Arc::downgrade(&store.shared));
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

    /// Closes every connection not in use; the others close when their work is done.
    pub async fn close(self) {
        self.shared.permits.close();
        let idle = std::mem::take(&mut *self.shared.idle.lock().unwrap_or_else(|e| e.into_inner()));
        drop(idle);
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

/// Copies what SQLite's write-ahead log holds into the database file five times a second (each
/// copy, and its `fsync`, small), on a
/// thread of its own, for as long as the store is open. SQLite's own checkpoints would run
/// inside whichever commit crossed the threshold, and make it wait.
///
/// A checkpoint copies only what no reader still needs, so under steady load the log would
/// only ever grow. Once it is large, a second checkpoint runs between two of this process's
/// writes: right after the first, it has little left to copy, and once it has copied all,
/// the next write starts the log over.
fn checkpoint_in_background(path: PathBuf, store: std::sync::Weak<Shared>) {
    let _ = std::thread::Builder::new()
        .name("redress-checkpoint".into())
        .spawn(move || {
            let Ok(db) = sqlite::Sqlite::open(&path) else {
                return;
            };
            // The database file itself, to flush what the checkpoints copied into it.
            let file = std::fs::File::open(&path).ok();
            loop {
                std::thread::sleep(std::time::Duration::from_millis(200));
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
                    let _ = shared.writes.between_writes(|| db.checkpoint());
                }
            }
        });
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

/// A URL fit to show: without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_follows_the_url_scheme() {
        assert_eq!("sqlite://x.db".parse::<Backend>().unwrap(), Backend::Sqlite);
        assert_eq!(
            "postgres://u@h/db".parse::<Backend>().unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            "postgresql://u@h/db".parse::<Backend>().unwrap(),
            Backend::Postgres
        );
        assert!(matches!(
            "mysql://h/db".parse::<Backend>(),
            Err(StorageError::UnsupportedUrl(_))
        ));
    }

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/redress"),
            "postgres://app:***@db:5432/redress"
        );
        assert_eq!(
            redact("postgres://app@db/redress"),
            "postgres://app@db/redress"
        );
    }
}
