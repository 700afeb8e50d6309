//! The one small interface the storage logic is written against, so that every query is
//! written once: statements with `?` placeholders, values, rows, how a transaction begins, and
//! bulk upserts. [`super::sqlite`] and [`super::postgresql`] implement it; running a transaction
//! and committing it with its audit events is [`super::transaction`]'s.
//!
//! The logic is synchronous: a SQLite connection is a library call away, and running a whole
//! use case (a dispute's intake, a contract's read-back) on one blocking thread costs far less
//! than a thread hop per statement and per row.

use super::error::StorageError;
use super::location::Backend;
use redress_domain::audit_log::NewEvent;

/// A value bound to a statement's `?`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    /// SQL `NULL`.
    Null,
    /// A whole number.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Text(text)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(text: &'a String) -> Self {
        Value::Text(text)
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Value::Blob(bytes)
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(value: &'a Option<String>) -> Self {
        value.as_deref().into()
    }
}

/// Binds values to a statement's `?`s, in order: `params![id, name, count]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::engine::sql::Value::from($value)),*][..]
    };
}
pub(crate) use params;

/// One row of a result, its columns read by position.
pub(crate) trait Row {
    /// A text column.
    fn text(&self, column: usize) -> Result<&str, StorageError>;
    /// A text column that may be `NULL`.
    fn opt_text(&self, column: usize) -> Result<Option<&str>, StorageError>;
    /// A whole-number column.
    fn int(&self, column: usize) -> Result<i64, StorageError>;
    /// A whole-number column that may be `NULL`.
    fn opt_int(&self, column: usize) -> Result<Option<i64>, StorageError>;
    /// A bytes column.
    fn blob(&self, column: usize) -> Result<&[u8], StorageError>;

    /// A text column, owned.
    fn string(&self, column: usize) -> Result<String, StorageError> {
        self.text(column).map(str::to_owned)
    }

    /// A text column that may be `NULL`, owned.
    fn opt_string(&self, column: usize) -> Result<Option<String>, StorageError> {
        Ok(self.opt_text(column)?.map(str::to_owned))
    }
}

/// Gives the rows of a bulk upsert to a sink, one at a time.
pub(crate) type RowSource<'s> = dyn FnMut(&mut dyn FnMut(&[Value<'_>]) -> Result<(), StorageError>) -> Result<(), StorageError>
    + 's;

/// One table's upsert: its columns and the columns of its key.
#[derive(Debug)]
pub(crate) struct Upsert {
    /// The table.
    pub table: &'static str,
    /// Every column written, in the order rows give them.
    pub columns: &'static [&'static str],
    /// The columns of the key that decides between insert and update; none for rows that
    /// are only ever inserted.
    pub key: &'static [&'static str],
}

impl Upsert {
    /// `ON CONFLICT (key) DO UPDATE SET …`, the same on both backends; nothing for rows that are
    /// only ever inserted.
    pub fn on_conflict(&self) -> String {
        if self.key.is_empty() {
            return String::new();
        }
        let updates: Vec<String> = self
            .columns
            .iter()
            .filter(|c| !self.key.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!(
            "ON CONFLICT ({}) DO UPDATE SET {}",
            self.key.join(", "),
            updates.join(", ")
        )
    }
}

/// A connection to one of the two databases.
pub(crate) trait Db: Send {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Runs one statement; gives how many rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, StorageError>;

    /// Runs a query, handing each row to `each` as it comes.
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<(), StorageError>,
    ) -> Result<(), StorageError>;

    /// Runs several statements without parameters (a migration script, `BEGIN`, `COMMIT`).
    fn script(&mut self, sql: &str) -> Result<(), StorageError>;

    /// Inserts or updates (by key) every row `rows` gives, within the open transaction; gives
    /// how many were written. Each backend does it its fastest way.
    fn upsert_many(
        &mut self,
        upsert: &Upsert,
        rows: &mut RowSource<'_>,
    ) -> Result<u64, StorageError>;

    /// Whether the connection can still be used (a server can go away).
    fn is_usable(&self) -> bool;

    /// The audit events of the open transaction, appended to the log (in one go) when it
    /// commits: see [`super::transaction::append`].
    fn events(&mut self) -> &mut Vec<NewEvent>;

    /// Readies this connection for committing every write of the process.
    fn prepare_for_writing(&mut self) -> Result<(), StorageError> {
        Ok(())
    }

    /// Readies this connection for one very large transaction (an import); it is not used for
    /// anything else afterwards.
    fn prepare_for_bulk(&mut self) -> Result<(), StorageError> {
        Ok(())
    }
}

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// Reads only, from one consistent snapshot.
    Read,
    /// Writes. On SQLite it takes the write lock at once, so that it never fails half-way
    /// because another connection began writing first.
    Write,
}

impl dyn Db + '_ {
    /// What ends a `SELECT` of one row that the open transaction is about to decide on, so
    /// that another process deciding on it waits until this one commits: `FOR UPDATE` on
    /// PostgreSQL; nothing on SQLite, whose writers take turns across processes already.
    pub fn row_lock(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// The statement that begins a transaction of this kind on this backend.
    pub fn begin_statement(&self, intent: Intent) -> &'static str {
        match (self.backend(), intent) {
            (Backend::Sqlite, Intent::Read) => "BEGIN DEFERRED",
            (Backend::Sqlite, Intent::Write) => "BEGIN IMMEDIATE",
            (Backend::Postgres, Intent::Read) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            (Backend::Postgres, Intent::Write) => "BEGIN",
        }
    }

    /// Every row of a query, each turned into a `T` by `read`.
    pub fn rows<T>(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
        mut read: impl FnMut(&dyn Row) -> Result<T, StorageError>,
    ) -> Result<Vec<T>, StorageError> {
        let mut out = Vec::new();
        self.query_each(sql, params, &mut |row| {
            out.push(read(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Inserts `rows` (each the values of `columns`, in order) into `table` with as few
    /// statements as the backend's limit on parameters allows: one for the few rows of a
    /// group of intakes. `suffix` ends each statement (`ON CONFLICT … DO NOTHING`, or nothing).
    pub fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value<'_>>],
        suffix: &str,
    ) -> Result<(), StorageError> {
        // SQLite takes 32,766 parameters to a statement, PostgreSQL 65,535.
        let per_statement = (30_000 / columns.len().max(1)).max(1);
        let each = format!("({})", vec!["?"; columns.len()].join(", "));
        for chunk in rows.chunks(per_statement) {
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {} {suffix}",
                columns.join(", "),
                vec![each.as_str(); chunk.len()].join(", ")
            );
            let params: Vec<Value<'_>> = chunk.iter().flatten().cloned().collect();
            self.execute(&sql, &params)?;
        }
        Ok(())
    }

    /// The first row of a query, if there is one.
    pub fn row<T>(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
        mut read: impl FnMut(&dyn Row) -> Result<T, StorageError>,
    ) -> Result<Option<T>, StorageError> {
        let mut out = None;
        self.query_each(sql, params, &mut |row| {
            if out.is_none() {
                out = Some(read(row)?);
            }
            Ok(())
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_bind_as_null_or_their_value() {
        let none: Option<&str> = None;
        assert_eq!(Value::from(none), Value::Null);
        assert_eq!(Value::from(Some(3i64)), Value::Int(3));
        assert_eq!(Value::from(&Some("x".to_owned())), Value::Text("x"));
    }

    #[test]
    fn an_upsert_updates_every_column_but_its_key() {
        let upsert = Upsert {
            table: "prices",
            columns: &["contract_id", "sku", "unit_price"],
            key: &["contract_id", "sku"],
        };
        assert_eq!(
            upsert.on_conflict(),
            "ON CONFLICT (contract_id, sku) DO UPDATE SET unit_price = excluded.unit_price"
        );
    }
}
