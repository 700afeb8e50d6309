//! Backups of the embedded database: a consistent copy taken while servers go on writing
//! (SQLite's `VACUUM INTO`, which reads one snapshot in one read transaction), and a backup
//! checked and put in place of a database no process is using. PostgreSQL is backed up with
//! its own tools (`pg_dump`, `pg_restore`), as docs/operations.md says.

use crate::engine::sql::Value;
use crate::engine::{Location, StorageError, Store};
use redress_domain::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a backup could not be taken or restored; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL's, which has its own tools.
    #[error(
        "Redress backs up only its embedded SQLite database; back up PostgreSQL with pg_dump and \
         restore it with pg_restore (see docs/operations.md)"
    )]
    NotEmbedded,
    /// The backup's file is there already.
    #[error("{} already exists, and a backup never overwrites a file: name a new one", .0.display())]
    Exists(PathBuf),
    /// A file could not be read or written.
    #[error("cannot {doing} {}: {source}", path.display())]
    File {
        /// What was being done ("write", "read", …).
        doing: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a Redress database, or not a whole one.
    #[error("{} is not a backup Redress can restore: {reason}", path.display())]
    NotABackup {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// There is a database where the backup would go, and replacing it was not asked for.
    #[error(
        "{} holds a database already; give --replace to put the backup in its place (the \
         database it replaces is kept beside it)",
        .0.display()
    )]
    WouldReplace(PathBuf),
    /// A server, an import or another command has the database open.
    #[error(
        "a Redress process (a server, an import, another command) is using {}; stop it, then \
         restore",
        .0.display()
    )]
    InUse(PathBuf),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A backup taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackedUp {
    /// Where it is.
    pub file: PathBuf,
    /// Its size.
    pub bytes: u64,
}

/// What a database holds, counted while checking it: the audit log's chain verified, every
/// ledger posting balanced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    /// Events in the audit log, each linked to the one before.
    pub events: u64,
    /// Disputes.
    pub disputes: u64,
    /// Ledger postings, each balanced.
    pub ledger_postings: u64,
    /// Credit notes issued.
    pub credit_notes: u64,
}

/// A backup put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// What the restored database holds.
    pub census: Census,
    /// Where the database it replaced was kept, if there was one.
    pub replaced: Option<PathBuf>,
}

impl Store {
    /// Writes a consistent copy of the embedded database to `file` (which must not exist),
    /// while others go on reading and writing: the copy is of one moment, with every write
    /// committed before it and none after. Written beside as `FILE.partial` and renamed when
    /// whole, so that `file` is never half a backup.
    pub async fn back_up_to(&self, file: &Path) -> Result<BackedUp, BackupError> {
        if self.database_file().is_none() {
            return Err(BackupError::NotEmbedded);
        }
        if file.exists() {
            return Err(BackupError::Exists(file.to_owned()));
        }
        let partial = with_suffix(file, ".partial");
        let _ = std::fs::remove_file(&partial);
        let into = partial.to_string_lossy().into_owned();
        self.run(move |db| db.execute("VACUUM INTO ?", &[Value::Text(&into)]))
            .await?;
        let written = (|| {
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, file)?;
            sync_directory(file)?;
            Ok(std::fs::metadata(file)?.len())
        })();
        let bytes = written.map_err(|source| {
            let _ = std::fs::remove_file(&partial);
            BackupError::File {
                doing: "write",
                path: file.to_owned(),
                source,
            }
        })?;
        Ok(BackedUp {
            file: file.to_owned(),
            bytes,
        })
    }

    /// Counts what the database holds while checking it: the audit log's chain end to end
    /// and every ledger posting balanced in each currency.
    pub async fn census(&self) -> Result<Census, BackupError> {
        let events = self
            .audit_log()
            .verify()
            .await
            .map_err(|e| BackupError::NotABackup {
                path: self.database_file().unwrap_or_default(),
                reason: format!("its audit log does not verify: {e}"),
            })?;
        let (disputes, ledger_postings, credit_notes, unbalanced) = self
            .read(|db| {
                let count = |db: &mut dyn crate::engine::sql::Db, table: &str| {
                    db.row(&format!("SELECT COUNT(*) FROM {table}"), &[], |row| {
                        row.int(0)
                    })
                    .map(|n| n.unwrap_or(0) as u64)
                };
                let disputes = count(db, "disputes")?;
                let postings = count(db, "ledger_postings")?;
                let credit_notes = count(db, "credit_notes")?;
                // Debits less credits of each posting, which must come to nothing.
                let mut sums: BTreeMap<(String, String), Decimal> = BTreeMap::new();
                db.query_each(
                    "SELECT kind, document, side, amount FROM ledger_lines",
                    &[],
                    &mut |row| {
                        let amount: Decimal = row.string(3)?.parse().map_err(|_| {
                            StorageError::Corrupt(format!(
                                "ledger line of {} has the amount `{}`",
                                row.string(1).unwrap_or_default(),
                                row.string(3).unwrap_or_default()
                            ))
                        })?;
                        let signed = if row.string(2)? == "debit" {
                            amount
                        } else {
                            -amount
                        };
                        *sums.entry((row.string(0)?, row.string(1)?)).or_default() += signed;
                        Ok(())
                    },
                )?;
                let unbalanced = sums
                    .into_iter()
                    .find(|(_, sum)| !sum.is_zero())
                    .map(|((kind, document), sum)| format!("{kind} {document} is off by {sum}"));
                Ok::<_, StorageError>((disputes, postings, credit_notes, unbalanced))
            })
            .await?;
        if let Some(unbalanced) = unbalanced {
            return Err(BackupError::NotABackup {
                path: self.database_file().unwrap_or_default(),
                reason: format!("its ledger does not balance: {unbalanced}"),
            });
        }
        Ok(Census {
            events,
            disputes,
            ledger_postings,
            credit_notes,
        })
    }
}

/// Puts the backup `backup` in place of the embedded database `database`, once it is
/// checked (SQLite's integrity check, the audit log's chain, every ledger posting balanced,
/// its schema brought up to this version): refused while any Redress process has that
/// database open, and where a database is already there unless `replace`, in which case the
/// database replaced (with its log) is kept beside it as `redress.db.replaced-TIME`.
pub async fn restore(
    backup: &Path,
    database: &Path,
    replace: bool,
) -> Result<Restored, BackupError> {
    let file_error = |doing, path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::File {
            doing,
            path,
            source,
        }
    };
    let mut header = [0u8; 16];
    {
        use std::io::Read;
        let mut opened = std::fs::File::open(backup).map_err(file_error("read", backup))?;
        if opened.read_exact(&mut header).is_err() || &header != b"SQLite format 3\0" {
            return Err(BackupError::NotABackup {
                path: backup.to_owned(),
                reason: "it is not a SQLite database".to_owned(),
            });
        }
    }
    let log = with_suffix(backup, "-wal");
    if std::fs::metadata(&log).is_ok_and(|m| m.len() > 0) {
        return Err(BackupError::NotABackup {
            path: backup.to_owned(),
            reason: format!(
                "{} lies beside it, so the file alone is not the whole database (a database in \
                 use, or copied while in use); take a backup of it with `redress backup`",
                log.display()
            ),
        });
    }
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(file_error("create", dir))?;
    }
    let database = database.to_owned();
    // No process may open the database until the backup is in place: every store holds a
    // shared lock on it while open.
    let lock = crate::engine::lock_exclusively(&database)
        .map_err(file_error("lock", &database))?
        .ok_or_else(|| BackupError::InUse(database.clone()))?;
    if database.exists() && !replace {
        return Err(BackupError::WouldReplace(database));
    }
    let copy = with_suffix(&database, ".restoring");
    remove_database_files(&copy);
    std::fs::copy(backup, &copy).map_err(file_error("copy the backup to", &copy))?;
    let census = check_copy(backup, &copy).await;
    let census = match census {
        Ok(census) => census,
        Err(e) => {
            remove_database_files(&copy);
            return Err(e);
        }
    };
    let replaced = if database.exists() {
        // The database replaced is kept whole in its one file.
        crate::engine::fold_log_into_file(&database)?;
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        let kept = with_suffix(&database, &format!(".replaced-{stamp}"));
        for end in ["-wal", "-shm"] {
            let from = with_suffix(&database, end);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&kept, end))
                    .map_err(file_error("move aside", &from))?;
            }
        }
        std::fs::rename(&database, &kept).map_err(file_error("move aside", &database))?;
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&copy, &database).map_err(file_error("put in place", &database))?;
    sync_directory(&database).map_err(file_error("write", &database))?;
    drop(lock);
    Ok(Restored { census, replaced })
}

/// Opens the copy of a backup (bringing its schema up to this version), checks it and counts
/// what it holds, and closes it with everything in its main file.
async fn check_copy(backup: &Path, copy: &Path) -> Result<Census, BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup {
        path: backup.to_owned(),
        reason,
    };
    let location = Location::Url(format!("sqlite://{}", copy.display()));
    let store = Store::connect(&location)
        .await
        .map_err(|e| not_a_backup(e.to_string()))?;
    let checked = async {
        let integrity = store
            .run(|db| db.row("PRAGMA integrity_check", &[], |row| row.string(0)))
            .await
            .map_err(|e| not_a_backup(e.to_string()))?;
        let integrity = integrity.unwrap_or_default();
        if integrity != "ok" {
            return Err(not_a_backup(format!(
                "SQLite's integrity check says {integrity}"
            )));
        }
        let redress = store
            .run(|db| {
                db.row(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' \
                     AND name = 'redress_migrations'",
                    &[],
                    |row| row.int(0),
                )
            })
            .await?;
        if redress.unwrap_or(0) == 0 {
            return Err(not_a_backup(
                "it holds no Redress database (no migrations table)".to_owned(),
            ));
        }
        store
            .migrate()
            .await
            .map_err(|e| not_a_backup(e.to_string()))?;
        let census = store.census().await.map_err(|e| match e {
            BackupError::NotABackup { reason, .. } => not_a_backup(reason),
            other => other,
        })?;
        store
            .run(|db| db.row("PRAGMA wal_checkpoint(TRUNCATE)", &[], |row| row.int(0)))
            .await?;
        Ok(census)
    }
    .await;
    // Closing waits for the store's checkpointing thread to let go of its connection: only
    // then is the copy's log gone.
    store.close().await;
    remove_companions(copy);
    checked
}

/// Removes a database file with its log and lock, where they are.
fn remove_database_files(database: &Path) {
    let _ = std::fs::remove_file(database);
    remove_companions(database);
}

/// Removes the files SQLite and Redress keep beside a database file: its log, its shared
/// memory and its lock.
fn remove_companions(database: &Path) {
    for file in [
        with_suffix(database, "-wal"),
        with_suffix(database, "-shm"),
        crate::engine::lock_file(database),
    ] {
        let _ = std::fs::remove_file(file);
    }
}

/// `path` with `suffix` added to its name: `redress.db` → `redress.db-wal`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes a rename in `file`'s directory survive a power cut.
fn sync_directory(file: &Path) -> std::io::Result<()> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()
}
