//! The order of an export's contracts and disputes, which is the order of the audit's report:
//! what merging the reports of shards needs, read without reading the rest.

use crate::csv_table::CsvTable;
use crate::problem::Problems;
use crate::{ImportError, NoProgress};
use std::path::Path;

/// The ids of an export's contracts and disputes, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordOrder {
    /// `contract_id` of every row of `contracts.csv`.
    pub contract_ids: Vec<String>,
    /// `dispute_id` of every row of `disputes.csv`; empty without the file.
    pub dispute_ids: Vec<String>,
}

/// Reads the order of the contracts and disputes of the billing-data directory `dir`.
pub fn read_record_order(dir: &Path) -> Result<RecordOrder, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::NotADirectory(dir.to_owned()));
    }
    let mut problems = Problems::default();
    let ids = |file: &'static str, column: &'static [&'static str], problems: &mut Problems| {
        let Some(table) = CsvTable::open(dir, file, column, problems) else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        let mut found = Vec::new();
        table.parse(
            &NoProgress,
            |row, _: &mut ()| row.id(0).ok().map(str::to_owned),
            |chunk| {
                found.extend(chunk.problems);
                ids.extend(chunk.rows);
            },
        );
        problems.extend(found);
        ids
    };
    let contract_ids = ids("contracts.csv", &["contract_id"], &mut problems);
    let dispute_ids = if dir.join("disputes.csv").exists() {
        ids("disputes.csv", &["dispute_id"], &mut problems)
    } else {
        Vec::new()
    };
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    Ok(RecordOrder {
        contract_ids,
        dispute_ids,
    })
}
