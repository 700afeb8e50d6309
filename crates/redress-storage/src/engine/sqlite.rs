//! The embedded backend: a SQLite file in WAL mode, through rusqlite. Statements are prepared
//! once per connection and kept.

use super::error::StorageError;
use super::location::Backend;
use super::sql::{Db, Row, RowSource, Upsert, Value};
use redress_domain::audit_log::NewEvent;
use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use std::path::Path;
use std::time::Duration;

/// A connection to the SQLite file.
pub(crate) struct Sqlite {
    conn: Connection,
    events: Vec<NewEvent>,
}

impl Sqlite {
    /// Opens (creating when missing) the database file.
    pub fn open(path: &Path) -> Result<Self, rusqlite::Error> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Another process (an import beside the server) may hold the write lock for a while.
        conn.busy_timeout(Duration::from_secs(30))?;
        // WAL: readers never block the writer. NORMAL: a commit survives a crash of Redress,
        // and only a power cut can lose the last ones (never corrupt the file).
        // A page cache of 32 MiB per connection keeps a contract's pages at hand. (Mapping the
        // file instead is slower here: the file grows with every checkpoint, and each growth
        // unmaps and maps it again.)
        // Checkpoints are left to a thread of their own (see `checkpoint_in_background`), so
        // that no commit waits for one. The log is kept up to 256 MiB when it starts over, as
        // large as it grows under load: cutting it shorter only makes the file system find
        // room for it again, which holds up the commits that extend it.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 0; \
             PRAGMA journal_size_limit = 268435456;",
        )?;
        // Without the planner's stability guarantee, SQLite prepares a statement again whenever
        // a bound value might suggest a better plan: for every intake, every query, every time.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(Self {
            conn,
            events: Vec::new(),
        })
    }
}

impl Sqlite {
    /// Copies what the write-ahead log holds into the database file, as far as no reader
    /// still needs it, without blocking anyone; gives how many frames the log holds and how
    /// many of them are now copied.
    pub fn checkpoint(&self) -> Result<(i64, i64), StorageError> {
        Ok(self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                Ok((row.get(1)?, row.get(2)?))
            })?)
    }

    /// Copies the whole log into the file and waits, at most `wait`, for the readers that
    /// began before to finish, so that the next write starts the log over; whether it did.
    ///
    /// A passive checkpoint never waits for a reader, so under reads that never pause (list
    /// and desk pages all day) some reader always holds a place in the log and it is never
    /// started over: a soak run saw it grow to 3.6 GB in 22 minutes, every read slower for
    /// it. Readers that begin once the log is all copied read the file alone, so the wait is
    /// only for those already reading: milliseconds.
    pub fn checkpoint_to_start_over(&self, wait: Duration) -> Result<bool, StorageError> {
        self.conn.busy_timeout(wait)?;
        let busy = self
            .conn
            .query_row("PRAGMA wal_checkpoint(RESTART)", [], |row| {
                row.get::<_, i64>(0)
            });
        self.conn.busy_timeout(Duration::from_secs(30))?;
        Ok(busy? == 0)
    }
}

/// Copies everything the SQLite file at `path`'s write-ahead log holds into the file itself and
/// empties the log, so that the file alone is the whole database (to move it aside, or copy
/// it). Only for a database no one else has open.
pub(crate) fn fold_log_into_file(path: &Path) -> Result<(), StorageError> {
    let db = Sqlite::open(path)?;
    let busy: i64 = db
        .conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
    if busy != 0 {
        return Err(StorageError::Corrupt(format!(
            "the log of {} could not be copied into it: something still reads it",
            path.display()
        )));
    }
    Ok(())
}

impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(n),
            Value::Text(text) => ValueRef::Text(text.as_bytes()),
            Value::Blob(bytes) => ValueRef::Blob(bytes),
        }))
    }
}

/// SQLite's limit on the values bound to one statement.
const MOST_VARIABLES: usize = 32_766;

/// Rows waiting to be written by one statement, their values copied into one buffer.
#[derive(Default)]
struct Batch {
    text: String,
    bytes: Vec<u8>,
    values: Vec<Kept>,
    rows: usize,
}

/// A value kept in a [`Batch`].
enum Kept {
    Null,
    Int(i64),
    Text(std::ops::Range<usize>),
    Blob(std::ops::Range<usize>),
}

impl Batch {
    fn push(&mut self, row: &[Value<'_>]) {
        for value in row {
            let mut keep = |bytes: &[u8]| {
                let start = self.bytes.len();
                self.bytes.extend_from_slice(bytes);
                start..self.bytes.len()
            };
            let kept = match *value {
                Value::Null => Kept::Null,
                Value::Int(n) => Kept::Int(n),
                Value::Text(text) => {
                    let start = self.text.len();
                    self.text.push_str(text);
                    Kept::Text(start..self.text.len())
                }
                Value::Blob(bytes) => Kept::Blob(keep(bytes)),
            };
            self.values.push(kept);
        }
        self.rows += 1;
    }

    /// Binds every value kept to `statement`, runs it and empties the batch.
    fn run(&mut self, statement: &mut rusqlite::Statement<'_>) -> Result<u64, StorageError> {
        for (i, kept) in self.values.iter().enumerate() {
            let value = match kept {
                Kept::Null => Value::Null,
                Kept::Int(n) => Value::Int(*n),
                Kept::Text(range) => Value::Text(&self.text[range.clone()]),
                Kept::Blob(range) => Value::Blob(&self.bytes[range.clone()]),
            };
            statement.raw_bind_parameter(i + 1, value)?;
        }
        let written = statement.raw_execute()? as u64;
        self.text.clear();
        self.bytes.clear();
        self.values.clear();
        self.rows = 0;
        Ok(written)
    }
}

/// A row as SQLite gives it.
struct SqliteRow<'r, 's>(&'r rusqlite::Row<'s>);

impl SqliteRow<'_, '_> {
    fn value(&self, column: usize) -> Result<ValueRef<'_>, StorageError> {
        Ok(self.0.get_ref(column)?)
    }
}

fn wrong_type(column: usize, expected: &str) -> StorageError {
    StorageError::Corrupt(format!("column {column} is not {expected}"))
}

impl Row for SqliteRow<'_, '_> {
    fn text(&self, column: usize) -> Result<&str, StorageError> {
        self.value(column)?
            .as_str()
            .map_err(|_| wrong_type(column, "text"))
    }

    fn opt_text(&self, column: usize) -> Result<Option<&str>, StorageError> {
        self.value(column)?
            .as_str_or_null()
            .map_err(|_| wrong_type(column, "text"))
    }

    fn int(&self, column: usize) -> Result<i64, StorageError> {
        self.value(column)?
            .as_i64()
            .map_err(|_| wrong_type(column, "a whole number"))
    }

    fn opt_int(&self, column: usize) -> Result<Option<i64>, StorageError> {
        self.value(column)?
            .as_i64_or_null()
            .map_err(|_| wrong_type(column, "a whole number"))
    }

    fn blob(&self, column: usize) -> Result<&[u8], StorageError> {
        self.value(column)?
            .as_blob()
            .map_err(|_| wrong_type(column, "bytes"))
    }
}

impl Db for Sqlite {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, StorageError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        Ok(statement.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            each(&SqliteRow(row))?;
        }
        Ok(())
    }

    fn script(&mut self, sql: &str) -> Result<(), StorageError> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn upsert_many(
        &mut self,
        upsert: &Upsert,
        rows: &mut RowSource<'_>,
    ) -> Result<u64, StorageError> {
        // Many rows to a statement: within a transaction SQLite saves, per statement, each page
        // it changes that was already changed before (so that the statement alone can be
        // undone), and one row to a statement would save the same pages over and over.
        let width = upsert.columns.len();
        let per_statement = (MOST_VARIABLES / width).min(500);
        let statement_for = |rows: usize| {
            let row = format!("({})", vec!["?"; width].join(", "));
            format!(
                "INSERT INTO {} ({}) VALUES {} {}",
                upsert.table,
                upsert.columns.join(", "),
                vec![row; rows].join(", "),
                upsert.on_conflict()
            )
        };
        let mut full = self.conn.prepare(&statement_for(per_statement))?;
        let mut batch = Batch::default();
        let mut written = 0;
        rows(&mut |values| {
            batch.push(values);
            if batch.rows == per_statement {
                written += batch.run(&mut full)?;
            }
            Ok(())
        })?;
        if batch.rows > 0 {
            let mut rest = self.conn.prepare(&statement_for(batch.rows))?;
            written += batch.run(&mut rest)?;
        }
        Ok(written)
    }

    fn events(&mut self) -> &mut Vec<NewEvent> {
        &mut self.events
    }

    fn is_usable(&self) -> bool {
        true
    }

    fn prepare_for_writing(&mut self) -> Result<(), StorageError> {
        // Only this connection writes, so its cache outlives its transactions (a connection
        // drops its cache when another has written): up to 1 GiB of pages stays at hand. The
        // savepoint of each write committed with others keeps its undo in memory, not in a
        // temporary file.
        Ok(self
            .conn
            .execute_batch("PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY;")?)
    }

    fn prepare_for_bulk(&mut self) -> Result<(), StorageError> {
        // Up to 4 GiB of pages in memory until the commit. With less, SQLite writes changed
        // pages out to the log as the cache fills, and again each time they change, and a
        // large import writes its data to the log many times over.
        Ok(self
            .conn
            .execute_batch("PRAGMA cache_size = -4194304; PRAGMA temp_store = MEMORY;")?)
    }
}
