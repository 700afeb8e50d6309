//! `invoice_lines.csv`: invoice_id, line_no, kind (`charge` or `late_fee`), sku (empty for late
//! fees), description, period_start, period_end (empty for late fees), quantity, unit_price,
//! discount_percent, amount, late_fee_for (empty but for late fees).
//!
//! Millions of rows: parsed in parallel like deliveries.

use crate::csv_table::{Chunk, Field, Flagged, Row};
use crate::problem::Problem;
use crate::read::{Import, LastReference, reference, reference_cached};
use rayon::prelude::*;
use redress_domain::{
    IdTable, Invoice, InvoiceIdx, InvoiceLine, LineKind, Period, SkuIdx, TextColumn,
};

const FILE: &str = "invoice_lines.csv";
const COLUMNS: &[&str] = &[
    "invoice_id",
    "line_no",
    "kind",
    "sku",
    "description",
    "period_start",
    "period_end",
    "quantity",
    "unit_price",
    "discount_percent",
    "amount",
    "late_fee_for",
];
const SKU: usize = 3;
const PERIOD_START: usize = 5;
const PERIOD_END: usize = 6;
const LATE_FEE_FOR: usize = 11;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Charge,
    LateFee,
}

/// What a chunk builds besides its rows.
#[derive(Default)]
struct ChunkState {
    skus: IdTable,
    descriptions: TextColumn,
    invoice: LastReference,
}

/// The invoices lines refer to.
struct Known<'a> {
    invoice_ids: &'a IdTable,
    invoices: &'a [Option<Invoice>],
    loaded: bool,
}

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let known = Known {
        invoice_ids: &import.data.invoice_ids,
        invoices: &import.invoices,
        loaded: import.loaded.invoices,
    };
    let all_lines = &mut import.data.lines;
    let descriptions = &mut import.data.line_descriptions;
    let free_text = import.options.free_text;
    let all_skus = &mut import.data.skus;
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let parse = |row: &mut Row<'_>, state: &mut ChunkState| {
        let line = read_line(row, state, &known)?;
        let description = row.text(4).ok()?;
        if free_text {
            state.descriptions.push(description);
        }
        Some(line)
    };
    table.parse(
        import.progress,
        parse,
        |chunk: Chunk<InvoiceLine, ChunkState>| {
            problems.extend(chunk.problems);
            let skus: Vec<u32> = chunk
                .state
                .skus
                .iter()
                .map(|s| all_skus.intern(s))
                .collect();
            all_lines.extend(chunk.rows.into_iter().map(|mut line| {
                if let LineKind::Charge { sku, .. } = &mut line.kind {
                    *sku = SkuIdx(skus[sku.index()]);
                }
                line
            }));
            descriptions.extend(&chunk.state.descriptions);
            lines.extend(chunk.lines);
        },
    );
    // Sorting the keys finds repeated line numbers without a hash set of millions of entries,
    // and leaves them ready for disputes to look up.
    let mut keys: Vec<((u32, u32), u32)> = import
        .data
        .lines
        .par_iter()
        .enumerate()
        .map(|(row, line)| ((line.invoice.0, line.line_no), row as u32))
        .collect();
    // Exports list lines in order; only an unordered file needs sorting.
    if !keys.windows(2).all(|w| w[0].0 < w[1].0) {
        keys.par_sort_unstable();
    }
    for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        let ((invoice, line_no), _) = run[0];
        for &(_, row) in &run[1..] {
            let message = format!(
                "invoice {} already has a line {line_no}",
                import.data.invoice_ids.name(invoice)
            );
            problems.push(
                Problem::at(FILE, lines[row as usize], Some("line_no"), message)
                    .expected("each line_no once per invoice"),
            );
        }
    }
    import.line_keys = keys.into_iter().map(|(key, _)| key).collect();
    import.line_keys.dedup();
    import.loaded.invoice_lines = true;
    import.report(problems);
}

fn read_line(row: &mut Row<'_>, state: &mut ChunkState, known: &Known<'_>) -> Option<InvoiceLine> {
    let invoice = reference_cached(
        row,
        0,
        known.invoice_ids,
        known.loaded,
        "invoices.csv",
        &mut state.invoice,
    );
    let line_no = row.whole(1).and_then(|n| {
        if n >= 1 {
            Ok(n)
        } else {
            Err(row.flag(1, "`0` is not a line number", "a line number from 1"))
        }
    });
    let kind = row.choice(2, &[(Kind::Charge, "charge"), (Kind::LateFee, "late_fee")]);
    let sku = row.text(SKU);
    let period_start = row.optional_date(PERIOD_START);
    let period_end = row.optional_date(PERIOD_END);
    let quantity = row.positive(7);
    let unit_price = row.non_negative(8);
    let discount_percent = row.percent(9, true);
    let amount = row.decimal(10);
    let late_fee_for = row.text(LATE_FEE_FOR);

    let kind = match kind.ok()? {
        Kind::Charge => charge(row, state, sku, period_start, period_end, late_fee_for),
        Kind::LateFee => late_fee(row, known, sku, period_start, period_end, late_fee_for),
    };
    let invoice = invoice.ok()?;
    let amount = match &known.invoices[invoice as usize] {
        Some(inv) => amount.and_then(|a| row.check_amount(10, a, inv.currency)),
        None => amount,
    };
    if let (Ok(LineKind::LateFee { late_fee_for }), Ok(_)) = (&kind, &amount)
        && late_fee_for.0 == invoice
    {
        row.flag(
            LATE_FEE_FOR,
            "a late fee is charged for its own invoice",
            "an earlier invoice",
        );
        return None;
    }
    Some(InvoiceLine {
        invoice: InvoiceIdx(invoice),
        line_no: line_no.ok()?,
        kind: kind.ok()?,
        quantity: quantity.ok()?,
        unit_price: unit_price.ok()?,
        discount_percent: discount_percent.ok()?,
        amount: amount.ok()?,
    })
}

fn charge(
    row: &mut Row<'_>,
    state: &mut ChunkState,
    sku: Field<&str>,
    start: Field<Option<redress_domain::Date>>,
    end: Field<Option<redress_domain::Date>>,
    late_fee_for: Field<&str>,
) -> Field<LineKind> {
    let sku = sku.and_then(|s| match s {
        "" => Err(row.flag(SKU, "is empty on a charge line", "the sku charged for")),
        s => Ok(s),
    });
    let start = start.and_then(|d| {
        d.ok_or_else(|| {
            row.flag(
                PERIOD_START,
                "is empty on a charge line",
                "a date YYYY-MM-DD",
            )
        })
    });
    let end = end.and_then(|d| {
        d.ok_or_else(|| row.flag(PERIOD_END, "is empty on a charge line", "a date YYYY-MM-DD"))
    });
    let no_fee = late_fee_for.and_then(|f| match f {
        "" => Ok(()),
        f => Err(row.flag(
            LATE_FEE_FOR,
            format!("`{f}` is given on a charge line"),
            "empty on a charge line",
        )),
    });
    let period = Period::new(start?, end?).map_err(|e| {
        row.flag(
            PERIOD_END,
            format!("the period {e}"),
            "a period_end on or after period_start",
        )
    })?;
    no_fee?;
    Ok(LineKind::Charge {
        sku: SkuIdx(state.skus.intern(sku?)),
        period,
    })
}

fn late_fee(
    row: &mut Row<'_>,
    known: &Known<'_>,
    sku: Field<&str>,
    start: Field<Option<redress_domain::Date>>,
    end: Field<Option<redress_domain::Date>>,
    late_fee_for: Field<&str>,
) -> Field<LineKind> {
    let mut empty = |col: usize, filled: bool| {
        if filled {
            Err(row.flag(
                col,
                "is given on a late_fee line",
                "empty on a late_fee line",
            ))
        } else {
            Ok(())
        }
    };
    let checks = [
        empty(SKU, sku.is_ok_and(|s| !s.is_empty())),
        empty(PERIOD_START, start.is_ok_and(|d| d.is_some())),
        empty(PERIOD_END, end.is_ok_and(|d| d.is_some())),
    ];
    let late_fee_for = late_fee_for.and_then(|f| match f {
        "" => Err(row.flag(
            LATE_FEE_FOR,
            "is empty on a late_fee line",
            "the invoice the late fee is for",
        )),
        _ => reference(
            row,
            LATE_FEE_FOR,
            known.invoice_ids,
            known.loaded,
            "invoices.csv",
        ),
    });
    if checks.iter().any(Result::is_err) || sku.is_err() || start.is_err() || end.is_err() {
        return Err(Flagged);
    }
    Ok(LineKind::LateFee {
        late_fee_for: InvoiceIdx(late_fee_for?),
    })
}
