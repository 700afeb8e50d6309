//! `notices.csv`: notice_id, invoice_id, sent_on, kind (`invoice`, `reminder`,
//! `overdue_notice`), channel.

use crate::csv_table::{Chunk, Row};
use crate::read::{Import, LastReference, reference_cached, repeated_id_problems};
use redress_domain::{InvoiceIdx, Notice, NoticeKind, TextColumn};

const FILE: &str = "notices.csv";
const COLUMNS: &[&str] = &["notice_id", "invoice_id", "sent_on", "kind", "channel"];

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let (invoice_ids, loaded) = (&import.data.invoice_ids, import.loaded.invoices);
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let (records, all_ids) = (&mut import.data.notices, &mut import.data.notice_ids);
    table.parse(
        import.progress,
        |row: &mut Row<'_>, (ids, last): &mut (TextColumn, LastReference)| {
            let id = row.id(0);
            let invoice = reference_cached(row, 1, invoice_ids, loaded, "invoices.csv", last);
            let sent_on = row.date(2);
            let kind = row.choice(3, &NoticeKind::ALL);
            let channel = row.id(4);
            let notice = Notice {
                invoice: InvoiceIdx(invoice.ok()?),
                sent_on: sent_on.ok()?,
                kind: kind.ok()?,
                channel: channel.ok()?.to_owned(),
            };
            ids.push(id.ok()?);
            Some(notice)
        },
        |chunk: Chunk<Notice, (TextColumn, LastReference)>| {
            problems.extend(chunk.problems);
            records.extend(chunk.rows);
            all_ids.extend(&chunk.state.0);
            lines.extend(chunk.lines);
        },
    );
    problems.extend(repeated_id_problems(
        FILE,
        COLUMNS[0],
        &import.data.notice_ids,
        &lines,
    ));
    import.report(problems);
}
