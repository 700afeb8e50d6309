//! The order files are read in, and what they share while being read.

use crate::csv_table::{Chunk, CsvTable, Field, Row};
use crate::files;
use crate::problem::{Problem, Problems};
use crate::{ImportError, Progress};
use rayon::prelude::*;
use redress_domain::{BillingData, Contract, Customer, IdTable, Invoice, SkuIdx, TextColumn};
use rustc_hash::FxHasher;
use std::hash::Hasher;
use std::path::Path;
use std::time::Instant;

/// What to keep of what is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Keep the free text of the two large files: deliveries' `reference` and invoice lines'
    /// `description`. The audit reads neither, and leaving them out saves a fifth of the memory
    /// of a large export; without them, those two columns of [`BillingData`] stay empty. The
    /// text is still checked to be UTF-8 either way.
    pub free_text: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self { free_text: true }
    }
}

/// Reads every file of a billing-data v1 directory, or says everything wrong with it.
pub fn read_billing_data(dir: &Path, progress: &dyn Progress) -> Result<BillingData, ImportError> {
    read_billing_data_with(dir, ReadOptions::default(), progress)
}

/// [`read_billing_data`], keeping what `options` say.
pub fn read_billing_data_with(
    dir: &Path,
    options: ReadOptions,
    progress: &dyn Progress,
) -> Result<BillingData, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::NotADirectory(dir.to_owned()));
    }
    let mut import = Import {
        dir,
        options,
        progress,
        problems: Problems::default(),
        data: BillingData::default(),
        customers: Vec::new(),
        contracts: Vec::new(),
        invoices: Vec::new(),
        loaded: Loaded::default(),
        line_keys: Vec::new(),
    };
    // Referenced files come before the files that refer to them.
    let timed = |import: &mut Import<'_>, file: &str, read: FileReader| {
        let started = Instant::now();
        read(import);
        progress.file_read(file, started.elapsed());
    };
    timed(&mut import, "customers.csv", files::customers::read);
    timed(&mut import, "contracts.csv", files::contracts::read);
    timed(&mut import, "prices.csv", files::prices::read);
    // Deliveries refer only to contracts: they are read beside the invoice files, each side
    // filling the gaps the other leaves on the cores.
    let contract_ids = import.data.contract_ids.clone();
    let contracts_loaded = import.loaded.contracts;
    let (deliveries, ()) = rayon::join(
        || {
            let started = Instant::now();
            let read =
                files::deliveries::read(dir, options, progress, &contract_ids, contracts_loaded);
            progress.file_read("deliveries.csv", started.elapsed());
            read
        },
        || {
            timed(&mut import, "invoices.csv", files::invoices::read);
            timed(&mut import, "invoice_lines.csv", files::invoice_lines::read);
            timed(&mut import, "payments.csv", files::payments::read);
            timed(&mut import, "notices.csv", files::notices::read);
        },
    );
    import.join_deliveries(deliveries);
    timed(&mut import, "disputes.csv", files::disputes::read);
    import.finish()
}

/// The files in the order their problems are listed.
const FILE_ORDER: &[&str] = &[
    "customers.csv",
    "contracts.csv",
    "prices.csv",
    "deliveries.csv",
    "invoices.csv",
    "invoice_lines.csv",
    "payments.csv",
    "notices.csv",
    "disputes.csv",
];

/// Reads one file into the import under way.
type FileReader = fn(&mut Import<'_>);

/// Which referenced files were read; references into a file that could not be read are not
/// reported again, row by row.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub customers: bool,
    pub contracts: bool,
    pub invoices: bool,
    pub invoice_lines: bool,
}

/// An import under way.
pub(crate) struct Import<'a> {
    pub dir: &'a Path,
    pub options: ReadOptions,
    pub progress: &'a dyn Progress,
    pub problems: Problems,
    pub data: BillingData,
    /// Rows with problems leave a `None`, so their ids still resolve for later files.
    pub customers: Vec<Option<Customer>>,
    pub contracts: Vec<Option<Contract>>,
    pub invoices: Vec<Option<Invoice>>,
    pub loaded: Loaded,
    /// `(invoice, line_no)` of every invoice line, sorted, for disputes to refer to.
    pub line_keys: Vec<(u32, u32)>,
}

impl Import<'_> {
    /// Opens one file of the directory.
    pub fn open(
        &mut self,
        file: &'static str,
        columns: &'static [&'static str],
    ) -> Option<CsvTable> {
        CsvTable::open(self.dir, file, columns, &mut self.problems)
    }

    /// Adds one file's problems, in line order.
    pub fn report(&mut self, mut problems: Vec<Problem>) {
        problems.sort_by_key(|p| p.line);
        self.problems.extend(problems);
    }

    /// Takes in the deliveries read beside the other files: their SKUs into the shared table,
    /// their problems in file order.
    fn join_deliveries(&mut self, read: files::deliveries::DeliveriesRead) {
        let skus: Vec<u32> = read.skus.iter().map(|s| self.data.skus.intern(s)).collect();
        let mut deliveries = read.deliveries;
        deliveries
            .records
            .par_iter_mut()
            .for_each(|d| d.sku = SkuIdx(skus[d.sku.index()]));
        self.data.deliveries = deliveries;
        self.problems.merge_in_order(FILE_ORDER, read.problems);
    }

    fn finish(self) -> Result<BillingData, ImportError> {
        if !self.problems.is_empty() {
            return Err(ImportError::Invalid(self.problems));
        }
        let mut data = self.data;
        // No problems means every row was read.
        data.customers = self
            .customers
            .into_iter()
            .map(|c| c.expect("read"))
            .collect();
        data.contracts = self
            .contracts
            .into_iter()
            .map(|c| c.expect("read"))
            .collect();
        data.invoices = self
            .invoices
            .into_iter()
            .map(|i| i.expect("read"))
            .collect();
        Ok(data)
    }
}

/// Resolves a reference to a row of another file, recording a problem when there is none.
///
/// When the other file could not be read at all, gives `Flagged` without a problem of its own:
/// the missing file is already reported.
pub(crate) fn reference(
    row: &mut Row<'_>,
    col: usize,
    table: &IdTable,
    loaded: bool,
    file: &str,
) -> Field<u32> {
    let id = row.id(col)?;
    if !loaded {
        return Err(crate::csv_table::Flagged);
    }
    table.get(id).ok_or_else(|| {
        row.flag(
            col,
            format!("`{id}` is not in {file}"),
            format!("the id of a row in {file}"),
        )
    })
}

/// The last row a chunk's references resolved to. Exports list rows grouped and in order (an
/// invoice's lines together, invoices in id order), so a reference is most often to the same
/// row as the one before or to the next one, and is answered without hashing.
#[derive(Default)]
pub(crate) struct LastReference(Option<u32>);

/// [`reference`], trying the last answer and the row after it first.
pub(crate) fn reference_cached(
    row: &mut Row<'_>,
    col: usize,
    table: &IdTable,
    loaded: bool,
    file: &str,
    last: &mut LastReference,
) -> Field<u32> {
    if let Some(previous) = last.0
        && let Ok(id) = row.text(col)
    {
        for candidate in [previous, previous + 1] {
            if (candidate as usize) < table.len() && table.name(candidate) == id {
                last.0 = Some(candidate);
                return Ok(candidate);
            }
        }
    }
    let index = reference(row, col, table, loaded, file)?;
    last.0 = Some(index);
    Ok(index)
}

/// Rows of a [`TextColumn`] of ids that repeat an earlier row's id: `(row, earlier row)`.
///
/// Hashes in parallel and sorts the hashes, rather than building a set of millions of strings.
pub(crate) fn repeated_ids(ids: &TextColumn) -> Vec<(usize, usize)> {
    // Exports usually list rows in id order, and ids in strictly increasing order cannot repeat.
    let ascending = (1..ids.len())
        .into_par_iter()
        .all(|row| ids.get(row - 1) < ids.get(row));
    if ascending {
        return Vec::new();
    }
    let mut hashed: Vec<(u64, u32)> = (0..ids.len())
        .into_par_iter()
        .map(|row| {
            let mut hasher = FxHasher::default();
            hasher.write(ids.get(row).as_bytes());
            (hasher.finish(), row as u32)
        })
        .collect();
    hashed.par_sort_unstable();
    let mut repeats = Vec::new();
    for run in hashed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        // Equal hashes may still be different ids: compare the texts within the run.
        for (i, &(_, row)) in run.iter().enumerate().skip(1) {
            let text = ids.get(row as usize);
            if let Some(&(_, first)) = run[..i].iter().find(|(_, r)| ids.get(*r as usize) == text) {
                repeats.push((row as usize, first as usize));
            }
        }
    }
    repeats.sort_unstable();
    repeats
}

/// A problem for each row of `ids` whose id an earlier row already used; `lines` holds the line
/// of each row.
pub(crate) fn repeated_id_problems(
    file: &'static str,
    column: &'static str,
    ids: &TextColumn,
    lines: &[u64],
) -> Vec<Problem> {
    repeated_ids(ids)
        .into_iter()
        .map(|(row, first)| {
            repeated_id_problem(file, column, ids.get(row), lines[row], lines[first])
        })
        .collect()
}

/// Adds the rows of a file that later files refer to by id: each id goes into `ids` and its
/// record (`None` for a row with problems, whose id must still resolve) into `records`, at the
/// same index. An id used twice is a problem.
pub(crate) struct IdentifiedRows<'a, R> {
    pub file: &'static str,
    pub column: &'static str,
    pub ids: &'a mut IdTable,
    pub records: &'a mut Vec<Option<R>>,
    first_lines: Vec<u64>,
    /// Problems found so far.
    pub problems: Vec<Problem>,
}

impl<'a, R> IdentifiedRows<'a, R> {
    /// Rows of `file`, known by `column`, going into `ids` and `records`.
    pub fn new(
        file: &'static str,
        column: &'static str,
        ids: &'a mut IdTable,
        records: &'a mut Vec<Option<R>>,
    ) -> Self {
        Self {
            file,
            column,
            ids,
            records,
            first_lines: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Adds a chunk's rows and problems, in order.
    pub fn add<C>(&mut self, chunk: Chunk<(String, Option<R>), C>) {
        self.problems.extend(chunk.problems);
        for ((id, record), line) in chunk.rows.into_iter().zip(chunk.lines) {
            match self.ids.insert_new(&id) {
                Ok(_) => {
                    self.records.push(record);
                    self.first_lines.push(line);
                }
                Err(first) => {
                    let first_line = self.first_lines[first as usize];
                    let problem =
                        repeated_id_problem(self.file, self.column, &id, line, first_line);
                    self.problems.push(problem);
                }
            }
        }
    }
}

/// The problem for an id that an earlier line already used.
pub(crate) fn repeated_id_problem(
    file: &'static str,
    column: &'static str,
    id: &str,
    line: u64,
    first_line: u64,
) -> Problem {
    Problem::at(
        file,
        line,
        Some(column),
        format!("`{id}` is already used on line {first_line}"),
    )
    .expected(format!("each {column} once"))
}
