//! `contracts.csv`: contract_id, customer_id, currency, start_date, end_date (empty:
//! open-ended), payment_terms_days, late_fee_percent, late_fee_grace_days, tax_rate_percent.

use crate::csv_table::Row;
use crate::read::{IdentifiedRows, Import, reference};
use redress_domain::{Contract, CustomerIdx, IdTable, Period};

const FILE: &str = "contracts.csv";
const COLUMNS: &[&str] = &[
    "contract_id",
    "customer_id",
    "currency",
    "start_date",
    "end_date",
    "payment_terms_days",
    "late_fee_percent",
    "late_fee_grace_days",
    "tax_rate_percent",
];

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let (customer_ids, loaded) = (&import.data.customer_ids, import.loaded.customers);
    let chunks = table.parse_all(import.progress, |row, _: &mut ()| {
        let id = row.id(0);
        let contract = read_contract(row, customer_ids, loaded);
        Some((id.ok()?.to_owned(), contract))
    });
    let mut rows = IdentifiedRows::new(
        FILE,
        COLUMNS[0],
        &mut import.data.contract_ids,
        &mut import.contracts,
    );
    chunks.into_iter().for_each(|chunk| rows.add(chunk));
    let problems = rows.problems;
    import.loaded.contracts = true;
    import.report(problems);
}

fn read_contract(row: &mut Row<'_>, customer_ids: &IdTable, loaded: bool) -> Option<Contract> {
    let customer = reference(row, 1, customer_ids, loaded, "customers.csv");
    let currency = row.currency(2);
    let start_date = row.date(3);
    let end_date = row.optional_date(4);
    let payment_terms_days = row.whole(5);
    let late_fee_percent = row.rate(6);
    let late_fee_grace_days = row.whole(7);
    let tax_rate_percent = row.rate(8);
    let (start_date, end_date) = (start_date.ok()?, end_date.ok()?);
    if let Some(end) = end_date
        && let Err(e) = Period::new(start_date, end)
    {
        row.flag(
            4,
            format!("the contract {e}"),
            "an end_date on or after start_date, or empty",
        );
        return None;
    }
    Some(Contract {
        customer: CustomerIdx(customer.ok()?),
        currency: currency.ok()?,
        start_date,
        end_date,
        payment_terms_days: payment_terms_days.ok()?,
        late_fee_percent: late_fee_percent.ok()?,
        late_fee_grace_days: late_fee_grace_days.ok()?,
        tax_rate_percent: tax_rate_percent.ok()?,
    })
}
