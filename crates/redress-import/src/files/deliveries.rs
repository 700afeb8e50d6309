//! `deliveries.csv`: delivery_id, contract_id, sku, delivered_on, quantity, reference.
//!
//! Millions of rows: parsed in parallel, each chunk with its own SKU table and text columns,
//! merged in file order.

use crate::csv_table::{Chunk, Row};
use crate::read::{Import, LastReference, reference_cached, repeated_id_problem, repeated_ids};
use redress_domain::{ContractIdx, Delivery, IdTable, SkuIdx, TextColumn};

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

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let (contract_ids, loaded) = (&import.data.contract_ids, import.loaded.contracts);
    let free_text = import.options.free_text;
    let deliveries = &mut import.data.deliveries;
    let all_skus = &mut import.data.skus;
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
    table.parse(
        import.progress,
        parse,
        |chunk: Chunk<Delivery, ChunkState>| {
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
        },
    );
    let deliveries = &import.data.deliveries;
    for (row, first) in repeated_ids(&deliveries.ids) {
        let id = deliveries.ids.get(row);
        problems.push(repeated_id_problem(
            FILE,
            COLUMNS[0],
            id,
            lines[row],
            lines[first],
        ));
    }
    import.report(problems);
}
