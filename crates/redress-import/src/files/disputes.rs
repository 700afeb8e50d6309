//! `disputes.csv` (optional): dispute_id, invoice_id, line_no (empty: the whole invoice),
//! opened_on, reason, claimed_amount, narrative.

use crate::read::{Import, reference, repeated_id_problems};
use redress_domain::{Dispute, DisputeReason, InvoiceIdx, TextColumn};

const FILE: &str = "disputes.csv";
const COLUMNS: &[&str] = &[
    "dispute_id",
    "invoice_id",
    "line_no",
    "opened_on",
    "reason",
    "claimed_amount",
    "narrative",
];

pub(crate) fn read(import: &mut Import<'_>) {
    if !import.dir.join(FILE).exists() {
        return; // optional: a business with no disputes yet has no file
    }
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let (invoice_ids, invoices, loaded) = (
        &import.data.invoice_ids,
        &import.invoices,
        import.loaded.invoices,
    );
    let (line_keys, lines_loaded) = (&import.line_keys, import.loaded.invoice_lines);
    let chunks = table.parse_all(import.progress, |row, ids: &mut TextColumn| {
        let id = row.id(0);
        let invoice = reference(row, 1, invoice_ids, loaded, "invoices.csv");
        let line_no = match row.text(2) {
            Ok("") => Ok(None),
            Ok(_) => row.whole(2).map(Some),
            Err(flagged) => Err(flagged),
        };
        let opened_on = row.date(3);
        let reason = row.choice(4, &DisputeReason::ALL);
        let claimed_amount = row.non_negative(5);
        let narrative = row.text(6);
        let invoice = invoice.ok()?;
        let claimed_amount = match &invoices[invoice as usize] {
            Some(inv) => claimed_amount.and_then(|a| row.check_amount(5, a, inv.currency)),
            None => claimed_amount,
        };
        let line_no = line_no.ok()?;
        if let Some(n) = line_no
            && lines_loaded
            && line_keys.binary_search(&(invoice, n)).is_err()
        {
            let message = format!("invoice {} has no line {n}", invoice_ids.name(invoice));
            row.flag(
                2,
                message,
                "a line_no of that invoice, or empty for the whole invoice",
            );
            return None;
        }
        let dispute = Dispute {
            invoice: InvoiceIdx(invoice),
            line_no,
            opened_on: opened_on.ok()?,
            reason: reason.ok()?,
            claimed_amount: claimed_amount.ok()?,
            narrative: narrative.ok()?.to_owned(),
        };
        ids.push(id.ok()?);
        Some(dispute)
    });
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for chunk in chunks {
        problems.extend(chunk.problems);
        import.data.disputes.extend(chunk.rows);
        import.data.dispute_ids.extend(&chunk.state);
        lines.extend(chunk.lines);
    }
    problems.extend(repeated_id_problems(
        FILE,
        COLUMNS[0],
        &import.data.dispute_ids,
        &lines,
    ));
    import.report(problems);
}
