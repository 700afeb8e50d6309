//! `deliveries.csv`: delivery_id, contract_id, sku, delivered_on, quantity, reference.
//!
//! Millions of rows: parsed in parallel, each chunk with its own SKU table and text columns,
//! merged in file order, while the invoice files are read beside it.

use crate::Progress;
use crate::csv_table::{Chunk, CsvTable, Row};
use crate::problem::Problems;
use crate::read::{LastReference, ReadOptions, reference_cached, repeated_id_problems};
use redress_domain::{ContractIdx, Deliveries, Delivery, IdTable, SkuIdx, TextColumn};
use std::path::Path;

const FILE: &str = "deliveries.csv";
const COLUMNS: &[&str] = &[
    "delivery_id",
    "contract_id",
    "sku",
    "delivered_on",
    "quantity",
    "reference",
];

/// What a chunk builds besides its rows.
#[derive(Default)]
struct ChunkState {
    skus: IdTable,
    ids: TextColumn,
    references: TextColumn,
    contract: LastReference,
}

/// `deliveries.csv` as read on its own, to be joined to the rest of the import.
pub(crate) struct DeliveriesRead {
    /// The records, their SKUs indexes into `skus`.
    pub deliveries: Deliveries,
    /// The SKUs the records name.
    pub skus: IdTable,
    /// What is wrong with the file, in line order.
    pub problems: Problems,
}

/// Reads `deliveries.csv`. It refers only to contracts, so it is read beside the invoice files
/// (see `read.rs`), with its own SKU table.
pub(crate) fn read(
    dir: &Path,
    options: ReadOptions,
    progress: &dyn Progress,
    contract_ids: &IdTable,
    loaded: bool,
) -> DeliveriesRead {
    let mut out = DeliveriesRead {
        deliveries: Deliveries::default(),
        skus: IdTable::new(),
        problems: Problems::default(),
    };
    let Some(table) = CsvTable::open(dir, FILE, COLUMNS, &mut out.problems) else {
        return out;
    };
    let free_text = options.free_text;
    let (deliveries, all_skus) = (&mut out.deliveries, &mut out.skus);
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let parse = |row: &mut Row<'_>, state: &mut ChunkState| {
        let id = row.id(0);
        let contract = reference_cached(
            row,
            1,
            contract_ids,
            loaded,
            "contracts.csv",
            &mut state.contract,
        );
        let sku = row.id(2);
        let delivered_on = row.date(3);
        let quantity = row.positive(4);
        let reference = row.text(5);
        let delivery = Delivery {
            contract: ContractIdx(contract.ok()?),
            sku: SkuIdx(state.skus.intern(sku.ok()?)),
            delivered_on: delivered_on.ok()?,
            quantity: quantity.ok()?,
        };
        state.ids.push(id.ok()?);
        let reference = reference.ok()?;
        if free_text {
            state.references.push(reference);
        }
        Some(delivery)
    };
    table.parse(progress, parse, |chunk: Chunk<Delivery, ChunkState>| {
        problems.extend(chunk.problems);
        let skus: Vec<u32> = chunk
            .state
            .skus
            .iter()
            .map(|s| all_skus.intern(s))
            .collect();
        deliveries
            .records
            .extend(chunk.rows.into_iter().map(|mut d| {
                d.sku = SkuIdx(skus[d.sku.index()]);
                d
            }));
        deliveries.ids.extend(&chunk.state.ids);
        deliveries.references.extend(&chunk.state.references);
        lines.extend(chunk.lines);
    });
    problems.extend(repeated_id_problems(
        FILE,
        COLUMNS[0],
        &out.deliveries.ids,
        &lines,
    ));
    problems.sort_by_key(|p| p.line);
    out.problems.extend(problems);
    out
}
