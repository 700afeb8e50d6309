//! `prices.csv`: contract_id, sku, unit_price, discount_percent (empty: 0), valid_from,
//! valid_to (empty: open). A price row is known by its contract, SKU and valid_from.

use crate::csv_table::Row;
use crate::problem::Problem;
use crate::read::{Import, reference};
use redress_domain::{ContractIdx, Date, IdTable, Period, PriceRow, SkuIdx};
use rustc_hash::FxHashMap;

const FILE: &str = "prices.csv";
const COLUMNS: &[&str] = &[
    "contract_id",
    "sku",
    "unit_price",
    "discount_percent",
    "valid_from",
    "valid_to",
];

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let (contract_ids, loaded) = (&import.data.contract_ids, import.loaded.contracts);
    let chunks = table.parse_all(import.progress, |row, _: &mut ()| {
        read_price(row, contract_ids, loaded)
    });
    let mut problems = Vec::new();
    let mut first_lines: FxHashMap<(ContractIdx, SkuIdx, Date), u64> = FxHashMap::default();
    for chunk in chunks {
        problems.extend(chunk.problems);
        for ((sku, mut price), line) in chunk.rows.into_iter().zip(chunk.lines) {
            price.sku = SkuIdx(import.data.skus.intern(&sku));
            let key = (price.contract, price.sku, price.valid_from);
            if let Some(first) = first_lines.insert(key, line) {
                first_lines.insert(key, first);
                let message = format!(
                    "contract {} already has a price for {sku} from {} (line {first})",
                    import.data.contract_ids.name(price.contract.0),
                    price.valid_from
                );
                problems.push(
                    Problem::at(FILE, line, Some("valid_from"), message)
                        .expected("one price row per contract, sku and valid_from"),
                );
                continue;
            }
            import.data.prices.push(price);
        }
    }
    import.report(problems);
}

/// Reads a row; the SKU comes back as text to be interned in file order.
fn read_price(
    row: &mut Row<'_>,
    contract_ids: &IdTable,
    loaded: bool,
) -> Option<(String, PriceRow)> {
    let contract = reference(row, 0, contract_ids, loaded, "contracts.csv");
    let sku = row.id(1);
    let unit_price = row.non_negative(2);
    let discount_percent = row.percent(3, true);
    let valid_from = row.date(4);
    let valid_to = row.optional_date(5);
    let (valid_from, valid_to) = (valid_from.ok()?, valid_to.ok()?);
    if let Some(to) = valid_to
        && let Err(e) = Period::new(valid_from, to)
    {
        row.flag(
            5,
            format!("the price {e}"),
            "a valid_to on or after valid_from, or empty",
        );
        return None;
    }
    let price = PriceRow {
        contract: ContractIdx(contract.ok()?),
        sku: SkuIdx(0),
        unit_price: unit_price.ok()?,
        discount_percent: discount_percent.ok()?,
        valid_from,
        valid_to,
    };
    Some((sku.ok()?.to_owned(), price))
}
