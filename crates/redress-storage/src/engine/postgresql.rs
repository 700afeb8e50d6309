//! The server backend: PostgreSQL through the `postgres` client. Statements are written with
//! `?` like SQLite's and numbered (`$1`, `$2`, …) here; each is prepared once per connection.
//! Bulk upserts stream rows with `COPY`.

use super::error::StorageError;
use super::location::Backend;
use super::sql::{Db, Row, RowSource, Upsert, Value};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};
use redress_domain::audit_log::NewEvent;
use std::collections::HashMap;
use std::error::Error;
use std::io::Write;

/// A connection to the PostgreSQL server.
pub(crate) struct Postgres {
    /// Always `Some` until dropped.
    client: Option<Client>,
    statements: HashMap<String, Statement>,
    events: Vec<NewEvent>,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Closing blocks on the client's own runtime, which must not happen on a thread that
        // runs async tasks: the connection may be dropped anywhere, so it closes on a thread
        // of its own.
        if let Some(client) = self.client.take() {
            let _ = std::thread::Builder::new()
                .name("redress-pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

impl Postgres {
    /// Truncates empty `table` unless another table's foreign key refers to it (a truncate
    /// would then fail); whether it did.
    fn truncate_if_unreferenced(&mut self, table: &str) -> Result<bool, StorageError> {
        let client = self.client();
        let referenced = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_constraint \
                 WHERE confrelid = $1::text::regclass AND contype = 'f')",
                &[&table],
            )?
            .try_get::<_, bool>(0)?;
        if referenced {
            return Ok(false);
        }
        client.batch_execute(&format!("TRUNCATE {table}"))?;
        Ok(true)
    }

    /// Connects to the server at `url` (`postgres://USER@HOST:PORT/DB`).
    pub fn connect(url: &str) -> Result<Self, postgres::Error> {
        let client = Client::connect(url, NoTls)?;
        Ok(Self {
            client: Some(client),
            statements: HashMap::new(),
            events: Vec::new(),
        })
    }

    fn client(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a connection is used only until it is dropped")
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StorageError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client().prepare(&numbered(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// `?`, `?` → `$1`, `$2`. Only ever given SQL written in this crate, which has no `?` in a
/// literal.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match *self {
            Value::Null => Ok(IsNull::Yes),
            // The column decides the width; a value that does not fit is refused, not cut.
            Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT8 => n.to_sql(ty, out),
                _ => n.to_string().as_str().to_sql(ty, out),
            },
            Value::Text(text) => text.to_sql(ty, out),
            Value::Blob(bytes) => bytes.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A row as PostgreSQL gives it.
struct PgRow<'r>(&'r postgres::Row);

impl Row for PgRow<'_> {
    fn text(&self, column: usize) -> Result<&str, StorageError> {
        Ok(self.0.try_get(column)?)
    }

    fn opt_text(&self, column: usize) -> Result<Option<&str>, StorageError> {
        Ok(self.0.try_get(column)?)
    }

    fn int(&self, column: usize) -> Result<i64, StorageError> {
        self.opt_int(column)?
            .ok_or_else(|| StorageError::Corrupt(format!("column {column} is NULL")))
    }

    fn opt_int(&self, column: usize) -> Result<Option<i64>, StorageError> {
        let ty = self
            .0
            .columns()
            .get(column)
            .map(|c| c.type_().clone())
            .ok_or_else(|| StorageError::Corrupt(format!("no column {column}")))?;
        Ok(match ty {
            Type::INT2 => self.0.try_get::<_, Option<i16>>(column)?.map(i64::from),
            Type::INT4 => self.0.try_get::<_, Option<i32>>(column)?.map(i64::from),
            Type::BOOL => self.0.try_get::<_, Option<bool>>(column)?.map(i64::from),
            _ => self.0.try_get::<_, Option<i64>>(column)?,
        })
    }

    fn blob(&self, column: usize) -> Result<&[u8], StorageError> {
        Ok(self.0.try_get(column)?)
    }
}

impl Db for Postgres {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, StorageError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        Ok(self.client().execute(&statement, &params)?)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        for row in self.client().query(&statement, &params)? {
            each(&PgRow(&row))?;
        }
        Ok(())
    }

    fn script(&mut self, sql: &str) -> Result<(), StorageError> {
        Ok(self.client().batch_execute(sql)?)
    }

    fn upsert_many(
        &mut self,
        upsert: &Upsert,
        rows: &mut RowSource<'_>,
    ) -> Result<u64, StorageError> {
        let columns = upsert.columns.join(", ");
        // Into an empty table the rows are copied straight in. Otherwise they are copied into
        // a scratch table that lives until the transaction ends, then upserted from it in one
        // statement.
        let empty = self
            .client()
            .query_one(
                &format!("SELECT NOT EXISTS (SELECT 1 FROM {})", upsert.table),
                &[],
            )?
            .try_get::<_, bool>(0)?;
        // Into an empty table, the table's own indexes and foreign keys are set aside while the
        // rows stream in, and put back after: building an index from all the rows at once, and
        // checking every reference in one join, is many times faster than doing both row by
        // row. (The table stays locked until the import commits, and an empty table has no
        // readers to keep waiting.)
        let set_aside = if empty {
            Some(self.set_aside_indexes_and_references(upsert.table)?)
        } else {
            None
        };
        // An empty table no other table refers to is truncated first: rows copied into a table
        // emptied in the same transaction can be written frozen, so no vacuum has to visit
        // millions of freshly loaded rows later (while disputes are being taken).
        let freeze = empty && self.truncate_if_unreferenced(upsert.table)?;
        let target = if empty {
            upsert.table.to_owned()
        } else {
            let stage = format!("stage_{}", upsert.table);
            self.client().batch_execute(&format!(
                "CREATE TEMPORARY TABLE {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
                upsert.table
            ))?;
            stage
        };
        let copied = {
            let mut writer = self.client().copy_in(&format!(
                "COPY {target} ({columns}) FROM STDIN{}",
                if freeze { " WITH (FREEZE)" } else { "" }
            ))?;
            let mut buffer = Vec::with_capacity(1 << 20);
            let mut failure: Option<std::io::Error> = None;
            rows(&mut |values| {
                copy_row(&mut buffer, values);
                if buffer.len() >= 1 << 20 {
                    if let Err(e) = writer.write_all(&buffer) {
                        failure = Some(e);
                    }
                    buffer.clear();
                }
                Ok(())
            })?;
            if let Some(e) = failure {
                return Err(StorageError::Copy(e));
            }
            writer.write_all(&buffer).map_err(StorageError::Copy)?;
            writer.finish()?
        };
        if let Some(set_aside) = set_aside {
            for statement in set_aside {
                self.client().batch_execute(&statement)?;
            }
            // Statistics of the rows just loaded, committed with them: until autovacuum came
            // round to it, the planner took a freshly imported table for empty and listed
            // disputes by scanning whole tables.
            self.client()
                .batch_execute(&format!("ANALYZE {}", upsert.table))?;
            return Ok(copied);
        }
        Ok(self.client().execute(
            &format!(
                "INSERT INTO {} ({columns}) SELECT {columns} FROM {target} {}",
                upsert.table,
                upsert.on_conflict()
            ),
            &[],
        )?)
    }

    fn events(&mut self) -> &mut Vec<NewEvent> {
        &mut self.events
    }

    fn is_usable(&self) -> bool {
        self.client.as_ref().is_some_and(|c| !c.is_closed())
    }

    fn prepare_for_bulk(&mut self) -> Result<(), StorageError> {
        // Memory for building the indexes put back after loading an empty table.
        Ok(self
            .client()
            .batch_execute("SET maintenance_work_mem = '1GB'")?)
    }
}

impl Postgres {
    /// Drops the indexes (but the primary key) and the foreign keys of `table`; gives the
    /// statements that make them again, indexes first.
    fn set_aside_indexes_and_references(
        &mut self,
        table: &str,
    ) -> Result<Vec<String>, StorageError> {
        let client = self.client();
        let indexes = client.query(
            "SELECT c.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = $1::text::regclass AND NOT i.indisprimary",
            &[&table],
        )?;
        let references = client.query(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = $1::text::regclass AND contype = 'f'",
            &[&table],
        )?;
        let mut again = Vec::new();
        for row in &indexes {
            let (name, definition): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            client.batch_execute(&format!("DROP INDEX {name}"))?;
            again.push(definition);
        }
        for row in &references {
            let (name, definition): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            client.batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
            // Put back without re-checking the rows just copied: storage checked every
            // reference of the data before writing any of it (`BillingData::dangling_reference`,
            // in `billing::import::check`), and re-checking millions of rows in one join
            // was a tenth of the import. Rows written later are checked as ever.
            again.push(format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID"
            ));
        }
        Ok(again)
    }
}

/// One row in `COPY`'s text format: tab between values, `\N` for `NULL`, and backslash, tab
/// and line breaks escaped.
fn copy_row(out: &mut Vec<u8>, values: &[Value<'_>]) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match *value {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Text(text) => {
                for &b in text.as_bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        _ => out.push(b),
                    }
                }
            }
            Value::Blob(bytes) => {
                // Hex by table: a contract snapshot is tens of kilobytes, and an import copies
                // every contract's.
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\\\x");
                out.reserve(bytes.len() * 2);
                for &b in bytes {
                    out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
                }
            }
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
        );
    }

    #[test]
    fn copy_rows_escape_what_the_text_format_reserves() {
        let mut out = Vec::new();
        copy_row(
            &mut out,
            &[
                Value::Text("a\tb\\c\nd"),
                Value::Null,
                Value::Int(-7),
                Value::Blob(&[0, 255]),
            ],
        );
        assert_eq!(out, b"a\\tb\\\\c\\nd\t\\N\t-7\t\\\\x00ff\n");
    }
}
