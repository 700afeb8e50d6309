//! `invoices.csv`: invoice_id, customer_id, contract_id, issue_date, due_date, currency,
//! subtotal, tax_total, total.

use crate::csv_table::{Chunk, Row};
use crate::read::{IdentifiedRows, Import, LastReference, reference_cached};
use redress_domain::{Contract, ContractIdx, CustomerIdx, IdTable, Invoice};

const FILE: &str = "invoices.csv";
const COLUMNS: &[&str] = &[
    "invoice_id",
    "customer_id",
    "contract_id",
    "issue_date",
    "due_date",
    "currency",
    "subtotal",
    "tax_total",
    "total",
];

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let known = Known {
        customer_ids: &import.data.customer_ids,
        contract_ids: &import.data.contract_ids,
        contracts: &import.contracts,
        customers_loaded: import.loaded.customers,
        contracts_loaded: import.loaded.contracts,
    };
    let mut rows = IdentifiedRows::new(
        FILE,
        COLUMNS[0],
        &mut import.data.invoice_ids,
        &mut import.invoices,
    );
    let parse = |row: &mut Row<'_>, last: &mut Last| {
        let id = row.id(0);
        let invoice = read_invoice(row, &known, last);
        Some((id.ok()?.to_owned(), invoice))
    };
    // Merged block by block while the next block is parsed.
    table.parse(
        import.progress,
        parse,
        |chunk: Chunk<(String, Option<Invoice>), Last>| rows.add(chunk),
    );
    let problems = rows.problems;
    import.loaded.invoices = true;
    import.report(problems);
}

/// What an invoice row refers to.
struct Known<'a> {
    customer_ids: &'a IdTable,
    contract_ids: &'a IdTable,
    contracts: &'a [Option<Contract>],
    customers_loaded: bool,
    contracts_loaded: bool,
}

/// The last customer and contract a chunk resolved.
#[derive(Default)]
struct Last {
    customer: LastReference,
    contract: LastReference,
}

fn read_invoice(row: &mut Row<'_>, known: &Known<'_>, last: &mut Last) -> Option<Invoice> {
    let customer = reference_cached(
        row,
        1,
        known.customer_ids,
        known.customers_loaded,
        "customers.csv",
        &mut last.customer,
    );
    let contract = reference_cached(
        row,
        2,
        known.contract_ids,
        known.contracts_loaded,
        "contracts.csv",
        &mut last.contract,
    );
    let issue_date = row.date(3);
    let due_date = row.date(4);
    let currency = row.currency(5);
    let subtotal = row.decimal(6);
    let tax_total = row.decimal(7);
    let total = row.decimal(8);
    let currency = currency.ok()?;
    let subtotal = subtotal.and_then(|a| row.check_amount(6, a, currency));
    let tax_total = tax_total.and_then(|a| row.check_amount(7, a, currency));
    let total = total.and_then(|a| row.check_amount(8, a, currency));
    let (customer, contract_idx) = (customer.ok()?, contract.ok()?);
    if let Some(contract) = &known.contracts[contract_idx as usize] {
        if contract.currency != currency {
            let message = format!(
                "{currency} is not the currency of contract {}",
                row_text(row, 2)
            );
            row.flag(
                5,
                message,
                format!("{}, the contract's currency", contract.currency),
            );
            return None;
        }
        if contract.customer.0 != customer {
            let message = format!("contract {} belongs to another customer", row_text(row, 2));
            row.flag(1, message, "the customer of the invoice's contract");
            return None;
        }
    }
    let (issue_date, due_date) = (issue_date.ok()?, due_date.ok()?);
    if due_date < issue_date {
        let message =
            format!("the invoice is due on {due_date}, before it is issued on {issue_date}");
        row.flag(4, message, "a due_date on or after issue_date");
        return None;
    }
    Some(Invoice {
        customer: CustomerIdx(customer),
        contract: ContractIdx(contract_idx),
        issue_date,
        due_date,
        currency,
        subtotal: subtotal.ok()?,
        tax_total: tax_total.ok()?,
        total: total.ok()?,
    })
}

fn row_text(row: &mut Row<'_>, col: usize) -> String {
    row.text(col).unwrap_or_default().to_owned()
}
