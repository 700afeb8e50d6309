//! `payments.csv`: payment_id, invoice_id, paid_on, amount, method, reference.

use crate::csv_table::{Chunk, Row};
use crate::read::{Import, LastReference, reference_cached, repeated_id_problems};
use redress_domain::{InvoiceIdx, Payment, TextColumn};

const FILE: &str = "payments.csv";
const COLUMNS: &[&str] = &[
    "payment_id",
    "invoice_id",
    "paid_on",
    "amount",
    "method",
    "reference",
];

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let (invoice_ids, invoices, loaded) = (
        &import.data.invoice_ids,
        &import.invoices,
        import.loaded.invoices,
    );
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let (records, all_ids) = (&mut import.data.payments, &mut import.data.payment_ids);
    table.parse(
        import.progress,
        |row: &mut Row<'_>, (ids, last): &mut (TextColumn, LastReference)| {
            let id = row.id(0);
            let invoice = reference_cached(row, 1, invoice_ids, loaded, "invoices.csv", last);
            let paid_on = row.date(2);
            let amount = row.positive(3);
            let method = row.id(4);
            let payment_reference = row.text(5);
            let invoice = invoice.ok()?;
            let amount = match &invoices[invoice as usize] {
                Some(inv) => amount.and_then(|a| row.check_amount(3, a, inv.currency)),
                None => amount,
            };
            let payment = Payment {
                invoice: InvoiceIdx(invoice),
                paid_on: paid_on.ok()?,
                amount: amount.ok()?,
                method: method.ok()?.to_owned(),
                reference: payment_reference.ok()?.to_owned(),
            };
            ids.push(id.ok()?);
            Some(payment)
        },
        |chunk: Chunk<Payment, (TextColumn, LastReference)>| {
            problems.extend(chunk.problems);
            records.extend(chunk.rows);
            all_ids.extend(&chunk.state.0);
            lines.extend(chunk.lines);
        },
    );
    problems.extend(repeated_id_problems(
        FILE,
        COLUMNS[0],
        &import.data.payment_ids,
        &lines,
    ));
    import.report(problems);
}
