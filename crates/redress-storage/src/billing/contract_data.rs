//! Reading back what the audit needs to verify one invoice: its contract's prices, deliveries,
//! invoices, lines, payments and notices, and the earlier invoices its late fees are for.
//! Duplicates and quantities look across the contract's other invoices, so the whole contract
//! is loaded, and nothing more.
//!
//! A contract comes back as [`Record`]s: a kind, a number (a line's) and the record's columns as
//! text. They are read from the tables (one statement for the contract, one more for each
//! invoice of another contract its late fees are for), or from the contract's *snapshot*: the
//! same records kept as one JSON document (compressed with LZ4), written when an export is first imported and again
//! whenever a verification had to read the tables. A snapshot is only used while it belongs to
//! the current version of the billing data, which every import moves on.

use crate::engine::StorageError;
use crate::engine::sql::{Db, Row, Upsert, Value, params};
use rayon::prelude::*;
use redress_domain::{
    BillingData, Contract, ContractIdx, Currency, Customer, CustomerIdx, Date, Decimal, Delivery,
    Invoice, InvoiceIdx, InvoiceLine, LineKind, Notice, NoticeKind, Payment, Period, PriceRow,
    SkuIdx, parse_date, parse_decimal,
};

fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Corrupt(format!("{what} `{value}`"))
}

fn date(text: &str) -> Result<Date, StorageError> {
    parse_date(text).map_err(|_| corrupt("date", text))
}

fn maybe_date(text: Option<&str>) -> Result<Option<Date>, StorageError> {
    text.map(date).transpose()
}

fn dec(text: &str) -> Result<Decimal, StorageError> {
    parse_decimal(text).map_err(|_| corrupt("number", text))
}

fn whole(n: i64) -> Result<u32, StorageError> {
    u32::try_from(n).map_err(|_| corrupt("count", &n.to_string()))
}

/// Billing data being put together from rows, ids interned as they come.
struct Builder {
    data: BillingData,
    customers: Vec<Option<Customer>>,
    contracts: Vec<Option<Contract>>,
    invoices: Vec<Option<Invoice>>,
}

impl Builder {
    fn customer(&mut self, id: &str) -> CustomerIdx {
        let i = self.data.customer_ids.intern(id);
        if i as usize == self.customers.len() {
            self.customers.push(None);
        }
        CustomerIdx(i)
    }

    fn contract(&mut self, id: &str) -> ContractIdx {
        let i = self.data.contract_ids.intern(id);
        if i as usize == self.contracts.len() {
            self.contracts.push(None);
        }
        ContractIdx(i)
    }

    fn invoice(&mut self, id: &str) -> InvoiceIdx {
        let i = self.data.invoice_ids.intern(id);
        if i as usize == self.invoices.len() {
            self.invoices.push(None);
        }
        InvoiceIdx(i)
    }

    fn finish(mut self) -> Result<BillingData, StorageError> {
        let missing = |what: &str| StorageError::Corrupt(format!("a referenced {what} is missing"));
        self.data.customers = self
            .customers
            .into_iter()
            .map(|c| c.ok_or_else(|| missing("customer")))
            .collect::<Result<_, _>>()?;
        self.data.contracts = self
            .contracts
            .into_iter()
            .map(|c| c.ok_or_else(|| missing("contract")))
            .collect::<Result<_, _>>()?;
        self.data.invoices = self
            .invoices
            .into_iter()
            .map(|i| i.ok_or_else(|| missing("invoice")))
            .collect::<Result<_, _>>()?;
        Ok(self.data)
    }
}

/// The billing data of the contract `invoice_id` is under, with the invoices its late fees are
/// for; `None` when there is no such invoice.
pub(crate) fn data_for_invoice(
    db: &mut dyn Db,
    invoice_id: &str,
) -> Result<Option<BillingData>, StorageError> {
    Ok(load(db, invoice_id)?.map(|loaded| loaded.data))
}

/// What `each` makes of the billing data of every contract that has an invoice, one contract at
/// a time (what the audit of the stored data goes through).
pub(crate) fn each_contract<T>(
    db: &mut dyn Db,
    mut each: impl FnMut(BillingData) -> T,
) -> Result<Vec<T>, StorageError> {
    let firsts = db.rows(
        "SELECT MIN(id) FROM invoices GROUP BY contract_id ORDER BY MIN(id)",
        &[],
        |row| row.string(0),
    )?;
    let mut out = Vec::with_capacity(firsts.len());
    for invoice in firsts {
        if let Some(loaded) = load(db, &invoice)? {
            out.push(each(loaded.data));
        }
    }
    Ok(out)
}

/// What a record is.
mod kind {
    pub const CONTRACT: u8 = 0;
    pub const PRICE: u8 = 1;
    pub const DELIVERY: u8 = 2;
    pub const INVOICE: u8 = 3;
    pub const LINE: u8 = 4;
    pub const PAYMENT: u8 = 5;
    pub const NOTICE: u8 = 6;
    /// The contract of an invoice a late fee is for, when it is another contract.
    pub const OTHER_CONTRACT: u8 = 7;
    /// An invoice of another contract a late fee is for, and its payments and notices.
    pub const OTHER_INVOICE: u8 = 8;
    pub const OTHER_PAYMENT: u8 = 9;
    pub const OTHER_NOTICE: u8 = 10;
}

/// One record of a contract: its kind, a number (a line's; else 0) and its columns as text, in
/// the layout the `add_` function of its kind reads.
#[derive(Debug, Clone)]
pub(crate) struct Record(pub u8, pub i64, pub Vec<Option<String>>);

/// Records in one form whichever way they were made: without empty columns at the end, and in
/// the order the audit is given them (by kind, then by their first column, number and second
/// column, compared as bytes, whatever the database's collation).
fn sort_records(records: &mut [Record]) {
    for record in records.iter_mut() {
        while record.2.last().is_some_and(Option::is_none) {
            record.2.pop();
        }
    }
    fn key(r: &Record) -> (u8, &str, i64, &str) {
        let cell = |i: usize| r.2.get(i).and_then(|c| c.as_deref()).unwrap_or("");
        (r.0, cell(0), r.1, cell(1))
    }
    // Records made from an export usually come in order already.
    if !records.is_sorted_by(|a, b| key(a) <= key(b)) {
        records.sort_by(|a, b| key(a).cmp(&key(b)));
    }
}

/// A contract's records as a snapshot, ready to keep.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The contract.
    pub contract_id: String,
    /// The version of the billing data it was read from.
    pub version: i64,
    /// The records in [`encoding`]'s form, compressed with LZ4 (a fifth of the size, and far
    /// less to write on import than the text).
    pub records: Vec<u8>,
}

impl Snapshot {
    fn of(contract_id: String, version: i64, records: &[Record]) -> Result<Self, StorageError> {
        let records = lz4_flex::compress_prepend_size(&encoding::encode(records));
        Ok(Self {
            contract_id,
            version,
            records,
        })
    }

    /// Keeps the snapshot (within the open transaction), in place of any older one.
    pub fn keep(&self, db: &mut dyn Db) -> Result<(), StorageError> {
        db.execute(
            "INSERT INTO contract_snapshots (contract_id, version, records) VALUES (?, ?, ?) \
             ON CONFLICT (contract_id) DO UPDATE SET version = excluded.version, records = excluded.records",
            params![&self.contract_id, self.version, &self.records[..]],
        )?;
        Ok(())
    }
}

/// A contract read back: its billing data and, when it had no current snapshot, one to keep.
pub(crate) struct Loaded {
    /// The contract's billing data.
    pub data: BillingData,
    /// A snapshot to keep, when it was read from the tables.
    pub snapshot: Option<Snapshot>,
}

/// Every contract's snapshot made from `data`, for the billing data's `version`: what the tables
/// hold after `data` is the first import. Made on every core, while the tables are being
/// written.
pub(crate) fn snapshots_of(
    data: &BillingData,
    version: i64,
) -> Result<Vec<Snapshot>, StorageError> {
    let groups = Groups::of(data);
    (0..data.contracts.len())
        .into_par_iter()
        .map(|c| snapshot_of(data, &groups, c, version))
        .collect()
}

/// After an import: moves the billing data's version on to `version` (so that every snapshot
/// kept so far stops counting), drops the old snapshots and keeps `made` ones, from
/// [`snapshots_of`] when the import was the first. After a later import each contract's
/// snapshot is made again when a verification first reads it.
pub(crate) fn renew_snapshots(
    db: &mut dyn Db,
    version: i64,
    made: Option<Vec<Snapshot>>,
) -> Result<(), StorageError> {
    db.execute(
        "UPDATE billing_version SET version = ? WHERE id = 1",
        params![version],
    )?;
    db.execute("DELETE FROM contract_snapshots", &[])?;
    let Some(made) = made else {
        return Ok(());
    };
    let mut made = made.into_iter();
    db.upsert_many(&SNAPSHOTS, &mut |sink| {
        for s in made.by_ref() {
            sink(&[
                Value::from(&s.contract_id),
                Value::Int(s.version),
                Value::Blob(&s.records),
            ])?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Snapshots, only ever inserted (after the old ones are dropped).
const SNAPSHOTS: Upsert = Upsert {
    table: "contract_snapshots",
    columns: &["contract_id", "version", "records"],
    key: &[],
};

/// The records of `data` grouped by what they belong to, to make snapshots from.
struct Groups {
    prices: Vec<Vec<usize>>,
    deliveries: Vec<Vec<usize>>,
    invoices: Vec<Vec<usize>>,
    lines: Vec<Vec<usize>>,
    payments: Vec<Vec<usize>>,
    notices: Vec<Vec<usize>>,
}

impl Groups {
    fn of(data: &BillingData) -> Self {
        fn group(len: usize, owners: impl Iterator<Item = usize>) -> Vec<Vec<usize>> {
            let mut groups = vec![Vec::new(); len];
            owners
                .enumerate()
                .for_each(|(i, owner)| groups[owner].push(i));
            groups
        }
        let (contracts, invoices) = (data.contracts.len(), data.invoices.len());
        Self {
            prices: group(contracts, data.prices.iter().map(|p| p.contract.index())),
            deliveries: group(
                contracts,
                data.deliveries.records.iter().map(|d| d.contract.index()),
            ),
            invoices: group(contracts, data.invoices.iter().map(|i| i.contract.index())),
            lines: group(invoices, data.lines.iter().map(|l| l.invoice.index())),
            payments: group(invoices, data.payments.iter().map(|p| p.invoice.index())),
            notices: group(invoices, data.notices.iter().map(|n| n.invoice.index())),
        }
    }
}

fn text(value: &dyn std::fmt::Display) -> Option<String> {
    Some(value.to_string())
}

fn contract_record(data: &BillingData, kind: u8, c: usize) -> Record {
    let contract = &data.contracts[c];
    let customer = &data.customers[contract.customer.index()];
    Record(
        kind,
        0,
        vec![
            text(&data.contract_ids.name(c as u32)),
            text(&data.customer_ids.name(contract.customer.0)),
            text(&contract.currency.code()),
            text(&contract.start_date),
            contract.end_date.map(|d| d.to_string()),
            text(&contract.payment_terms_days),
            text(&contract.late_fee_percent),
            text(&contract.late_fee_grace_days),
            text(&contract.tax_rate_percent),
            text(&customer.name),
            text(&customer.email),
            text(&customer.language),
            text(&customer.customer_since),
        ],
    )
}

fn invoice_record(data: &BillingData, kind: u8, i: usize) -> Record {
    let invoice = &data.invoices[i];
    Record(
        kind,
        0,
        vec![
            text(&data.invoice_ids.name(i as u32)),
            text(&data.customer_ids.name(invoice.customer.0)),
            text(&data.contract_ids.name(invoice.contract.0)),
            text(&invoice.issue_date),
            text(&invoice.due_date),
            text(&invoice.currency.code()),
            text(&invoice.subtotal),
            text(&invoice.tax_total),
            text(&invoice.total),
        ],
    )
}

fn payment_record(data: &BillingData, kind: u8, p: usize) -> Record {
    let payment = &data.payments[p];
    Record(
        kind,
        0,
        vec![
            text(&data.invoice_ids.name(payment.invoice.0)),
            text(&data.payment_ids.get(p)),
            text(&payment.paid_on),
            text(&payment.amount),
            text(&payment.method),
            text(&payment.reference),
        ],
    )
}

fn notice_record(data: &BillingData, kind: u8, n: usize) -> Record {
    let notice = &data.notices[n];
    Record(
        kind,
        0,
        vec![
            text(&data.invoice_ids.name(notice.invoice.0)),
            text(&data.notice_ids.get(n)),
            text(&notice.sent_on),
            text(&notice.kind.as_str()),
            text(&notice.channel),
        ],
    )
}

/// The snapshot of contract `c` of `data`: the records [`read_records`] would read back from
/// tables that hold exactly `data`.
fn snapshot_of(
    data: &BillingData,
    groups: &Groups,
    c: usize,
    version: i64,
) -> Result<Snapshot, StorageError> {
    let mut records = vec![contract_record(data, kind::CONTRACT, c)];
    for &p in &groups.prices[c] {
        let price = &data.prices[p];
        records.push(Record(
            kind::PRICE,
            0,
            vec![
                text(&data.sku(price.sku)),
                text(&price.valid_from),
                price.valid_to.map(|d| d.to_string()),
                text(&price.unit_price),
                text(&price.discount_percent),
            ],
        ));
    }
    let delivery_ids = &data.deliveries.ids;
    let references = &data.deliveries.references;
    for &d in &groups.deliveries[c] {
        let delivery = &data.deliveries.records[d];
        let reference = if references.is_empty() {
            ""
        } else {
            references.get(d)
        };
        records.push(Record(
            kind::DELIVERY,
            0,
            vec![
                text(&delivery_ids.get(d)),
                text(&data.sku(delivery.sku)),
                text(&delivery.delivered_on),
                text(&delivery.quantity),
                text(&reference),
            ],
        ));
    }
    let mut others = Vec::new();
    for &i in &groups.invoices[c] {
        records.push(invoice_record(data, kind::INVOICE, i));
        for &l in &groups.lines[i] {
            let line = &data.lines[l];
            let description = if data.line_descriptions.is_empty() {
                ""
            } else {
                data.line_descriptions.get(l)
            };
            let (line_kind, sku, start, end, late_fee_for) = match line.kind {
                LineKind::Charge { sku, period } => (
                    "charge",
                    Some(data.sku(sku).to_owned()),
                    Some(period.start().to_string()),
                    Some(period.end().to_string()),
                    None,
                ),
                LineKind::LateFee { late_fee_for } => {
                    if data.invoice(late_fee_for).contract.index() != c {
                        others.push(late_fee_for.index());
                    }
                    let target = data.invoice_id(late_fee_for).to_owned();
                    ("late_fee", None, None, None, Some(target))
                }
            };
            records.push(Record(
                kind::LINE,
                i64::from(line.line_no),
                vec![
                    text(&data.invoice_ids.name(i as u32)),
                    text(&line_kind),
                    sku,
                    text(&description),
                    start,
                    end,
                    text(&line.quantity),
                    text(&line.unit_price),
                    text(&line.discount_percent),
                    text(&line.amount),
                    late_fee_for,
                ],
            ));
        }
        records.extend(
            groups.payments[i]
                .iter()
                .map(|&p| payment_record(data, kind::PAYMENT, p)),
        );
        records.extend(
            groups.notices[i]
                .iter()
                .map(|&n| notice_record(data, kind::NOTICE, n)),
        );
    }
    others.sort_unstable();
    others.dedup();
    let mut other_contracts = Vec::new();
    for &i in &others {
        records.push(invoice_record(data, kind::OTHER_INVOICE, i));
        other_contracts.push(data.invoices[i].contract.index());
        records.extend(
            groups.payments[i]
                .iter()
                .map(|&p| payment_record(data, kind::OTHER_PAYMENT, p)),
        );
        records.extend(
            groups.notices[i]
                .iter()
                .map(|&n| notice_record(data, kind::OTHER_NOTICE, n)),
        );
    }
    other_contracts.sort_unstable();
    other_contracts.dedup();
    records.extend(
        other_contracts
            .into_iter()
            .map(|o| contract_record(data, kind::OTHER_CONTRACT, o)),
    );
    sort_records(&mut records);
    Snapshot::of(
        data.contract_ids.name(c as u32).to_owned(),
        version,
        &records,
    )
}

/// Contract `contract` of `data` (with the invoices of other contracts its late fees are for)
/// in the form a snapshot keeps, compressed: how a practice case keeps its records.
pub(crate) fn encode_contract(
    data: &BillingData,
    contract: ContractIdx,
) -> Result<Vec<u8>, StorageError> {
    let groups = Groups::of(data);
    Ok(snapshot_of(data, &groups, contract.index(), 0)?.records)
}

/// The billing data [`encode_contract`] kept.
pub(crate) fn decode_contract(compressed: &[u8]) -> Result<BillingData, StorageError> {
    let bytes = lz4_flex::decompress_size_prepended(compressed)
        .map_err(|e| StorageError::Corrupt(format!("a practice case's records: {e}")))?;
    let records = encoding::decode(&bytes)
        .map_err(|e| StorageError::Corrupt(format!("a practice case's records: {e}")))?
        .ok_or_else(|| corrupt("a practice case's records in", "an unknown form"))?;
    build(records.iter())
}

/// The version of the billing data now.
pub(crate) fn billing_version(db: &mut dyn Db) -> Result<i64, StorageError> {
    db.row(
        "SELECT version FROM billing_version WHERE id = 1",
        &[],
        |row| row.int(0),
    )?
    .ok_or_else(|| StorageError::Corrupt("the billing data's version row is missing".into()))
}

/// Reads what [`data_for_invoice`] gives: from the contract's snapshot when it
/// has a current one, else from the tables (and then gives a snapshot to keep).
pub(crate) fn load(db: &mut dyn Db, invoice_id: &str) -> Result<Option<Loaded>, StorageError> {
    let kept = db.row(
        "SELECT s.records FROM invoices i JOIN contract_snapshots s ON s.contract_id = i.contract_id \
         JOIN billing_version v ON v.id = 1 AND v.version = s.version WHERE i.id = ?",
        params![invoice_id],
        |row| row.blob(0).map(|b| b.to_vec()),
    )?;
    if let Some(compressed) = kept {
        let bytes = lz4_flex::decompress_size_prepended(&compressed)
            .map_err(|e| StorageError::Corrupt(format!("a contract snapshot: {e}")))?;
        // A snapshot kept in an older form is read again from the tables, and kept anew.
        if let Some(records) = encoding::decode(&bytes)
            .map_err(|e| StorageError::Corrupt(format!("a contract snapshot: {e}")))?
        {
            let data = build(records.iter())?;
            return Ok(Some(Loaded {
                data,
                snapshot: None,
            }));
        }
    }
    // The version first: if an import lands in between, the snapshot is of the older version
    // and is never used, rather than of the newer version and wrong.
    let version = billing_version(db)?;
    let Some(records) = read_records(db, invoice_id)? else {
        return Ok(None);
    };
    let data = build(records.iter().map(|r| (r.0, r.1, &r.2[..])))?;
    let contract_id = records
        .first()
        .and_then(|r| r.2.first().cloned().flatten())
        .ok_or_else(|| corrupt("contract without", "id"))?;
    let snapshot = Snapshot::of(contract_id, version, &records)?;
    Ok(Some(Loaded {
        data,
        snapshot: Some(snapshot),
    }))
}

/// The form a snapshot's records are kept in: a tag byte, the number of records and the length
/// of their layout, the layout, then the text of every column back to back. A record's layout
/// is its kind (a byte), its number and how many columns it has, then each column's length
/// plus one (0 for an empty column); numbers are LEB128 varints. Reading it back checks the text
/// as UTF-8 once and borrows each column from it: no parsing of quotes and escapes, and no
/// allocation per record, which made reading JSON snapshots a fifth of the server's CPU.
mod encoding {
    use super::Record;

    /// The first byte of a snapshot in this form. (Snapshots kept as JSON began with `[`.)
    const TAG: u8 = 0xB1;

    /// The records, encoded.
    pub fn encode(records: &[Record]) -> Vec<u8> {
        let mut layout = Vec::with_capacity(records.len() * 12);
        let mut text = String::new();
        for Record(kind, number, cells) in records {
            layout.push(*kind);
            varint(&mut layout, zigzag(*number));
            varint(&mut layout, cells.len() as u64);
            for cell in cells {
                match cell {
                    None => layout.push(0),
                    Some(cell) => {
                        varint(&mut layout, cell.len() as u64 + 1);
                        text.push_str(cell);
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(layout.len() + text.len() + 21);
        out.push(TAG);
        varint(&mut out, records.len() as u64);
        varint(&mut out, layout.len() as u64);
        out.extend_from_slice(&layout);
        out.extend_from_slice(text.as_bytes());
        out
    }

    /// Records read back, their columns borrowed from the snapshot.
    pub struct Decoded<'a> {
        /// Each record's kind, number and where its columns are in `cells`.
        records: Vec<(u8, i64, std::ops::Range<usize>)>,
        cells: Vec<Option<&'a str>>,
    }

    impl<'a> Decoded<'a> {
        /// The records as `build` takes them.
        pub fn iter(&self) -> impl Iterator<Item = (u8, i64, &[Option<&'a str>])> {
            self.records
                .iter()
                .map(|(kind, number, cells)| (*kind, *number, &self.cells[cells.clone()]))
        }
    }

    /// Reads records back; `None` when the snapshot is not in this form.
    pub fn decode(bytes: &[u8]) -> Result<Option<Decoded<'_>>, &'static str> {
        let Some((&TAG, rest)) = bytes.split_first() else {
            return Ok(None);
        };
        let mut at = Reader(rest);
        let count = at.varint()? as usize;
        let layout_len = at.varint()? as usize;
        if layout_len > at.0.len() {
            return Err("its layout is cut short");
        }
        let (layout, text) = at.0.split_at(layout_len);
        let text = std::str::from_utf8(text).map_err(|_| "its text is not UTF-8")?;
        let mut at = Reader(layout);
        // No more records or columns than the layout has bytes for, whatever it claims.
        let mut records = Vec::with_capacity(count.min(layout.len()));
        let mut cells = Vec::with_capacity(layout.len());
        let mut offset = 0;
        for _ in 0..count {
            let kind = at.byte()?;
            let number = unzigzag(at.varint()?);
            let width = at.varint()? as usize;
            let first = cells.len();
            for _ in 0..width {
                let cell = match at.varint()? {
                    0 => None,
                    len => {
                        let end = offset + (len as usize - 1);
                        let cell = text.get(offset..end).ok_or("a column is cut short")?;
                        offset = end;
                        Some(cell)
                    }
                };
                cells.push(cell);
            }
            records.push((kind, number, first..cells.len()));
        }
        if !at.0.is_empty() || offset != text.len() {
            return Err("it holds more than its records");
        }
        Ok(Some(Decoded { records, cells }))
    }

    struct Reader<'a>(&'a [u8]);

    impl Reader<'_> {
        fn byte(&mut self) -> Result<u8, &'static str> {
            let (&b, rest) = self.0.split_first().ok_or("it is cut short")?;
            self.0 = rest;
            Ok(b)
        }

        fn varint(&mut self) -> Result<u64, &'static str> {
            let mut value = 0u64;
            for shift in (0..64).step_by(7) {
                let b = self.byte()?;
                value |= u64::from(b & 0x7f) << shift;
                if b & 0x80 == 0 {
                    return Ok(value);
                }
            }
            Err("a number is too long")
        }
    }

    fn varint(out: &mut Vec<u8>, mut value: u64) {
        while value >= 0x80 {
            out.push(value as u8 | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    fn zigzag(n: i64) -> u64 {
        ((n << 1) ^ (n >> 63)) as u64
    }

    fn unzigzag(n: u64) -> i64 {
        (n >> 1) as i64 ^ -((n & 1) as i64)
    }
}

/// The records of the contract `invoice_id` is under, from the tables; `None` when there is no
/// such invoice.
fn read_records(db: &mut dyn Db, invoice_id: &str) -> Result<Option<Vec<Record>>, StorageError> {
    // A row's columns from `from` on, `width` of them, without the empty ones at the end (the
    // padding of the narrower kinds).
    let cells = |row: &dyn Row, from: usize, width: usize| {
        let mut cells = (from..from + width)
            .map(|i| row.opt_string(i))
            .collect::<Result<Vec<_>, StorageError>>()?;
        while cells.last().is_some_and(Option::is_none) {
            cells.pop();
        }
        Ok::<_, StorageError>(cells)
    };
    let mut records = Vec::new();
    db.query_each(CONTRACT_OF_INVOICE, params![invoice_id], &mut |row| {
        let kind = u8::try_from(row.int(0)?).map_err(|_| corrupt("record kind", "?"))?;
        records.push(Record(kind, row.int(1)?, cells(row, 2, RECORD_COLUMNS)?));
        Ok(())
    })?;
    if records.is_empty() {
        return Ok(None);
    }
    // The invoices of other contracts that late fees are for, with their contracts.
    let own: std::collections::HashSet<String> = records
        .iter()
        .filter(|r| r.0 == kind::INVOICE)
        .filter_map(|r| r.2.first().cloned().flatten())
        .collect();
    let mut contracts: std::collections::HashSet<String> = records
        .iter()
        .filter(|r| r.0 == kind::CONTRACT)
        .filter_map(|r| r.2.first().cloned().flatten())
        .collect();
    let mut targets: Vec<String> = records
        .iter()
        .filter(|r| r.0 == kind::LINE)
        .filter_map(|r| r.2.get(10).cloned().flatten())
        .filter(|target| !own.contains(target))
        .collect();
    targets.sort();
    targets.dedup();
    for target in targets {
        let mut invoice = None;
        db.query_each(INVOICE_SELECT_BY_ID, params![&target], &mut |row| {
            invoice = Some(Record(kind::OTHER_INVOICE, 0, cells(row, 0, 9)?));
            Ok(())
        })?;
        let invoice = invoice.ok_or_else(|| corrupt("late fee for missing invoice", &target))?;
        let contract_id = invoice.2.get(2).cloned().flatten().unwrap_or_default();
        records.push(invoice);
        if contracts.insert(contract_id.clone()) {
            let before = records.len();
            db.query_each(
                &format!("{CONTRACT_SELECT} WHERE c.id = ?"),
                params![&contract_id],
                &mut |row| {
                    records.push(Record(kind::OTHER_CONTRACT, 0, cells(row, 0, 13)?));
                    Ok(())
                },
            )?;
            if records.len() == before {
                return Err(corrupt("contract", &contract_id));
            }
        }
        for (sql, kind, width) in [
            (PAYMENTS_BY_INVOICE, kind::OTHER_PAYMENT, 6),
            (NOTICES_BY_INVOICE, kind::OTHER_NOTICE, 5),
        ] {
            db.query_each(sql, params![&target], &mut |row| {
                records.push(Record(kind, 0, cells(row, 0, width)?));
                Ok(())
            })?;
        }
    }
    sort_records(&mut records);
    Ok(Some(records))
}

/// The billing data the records make. The contract comes first, then its records, then those
/// of other contracts its late fees are for.
fn build<'r, S: AsRef<str> + 'r>(
    records: impl Iterator<Item = (u8, i64, &'r [Option<S>])>,
) -> Result<BillingData, StorageError> {
    let mut builder = Builder {
        data: BillingData::default(),
        customers: Vec::new(),
        contracts: Vec::new(),
        invoices: Vec::new(),
    };
    let mut main = None;
    for (kind, number, cells) in records {
        let row = &Cells(cells);
        let contract = || main.ok_or_else(|| corrupt("a record before its", "contract"));
        match kind {
            kind::CONTRACT => main = Some(add_contract(&mut builder, row)?),
            kind::PRICE => {
                let contract = contract()?;
                let sku = SkuIdx(builder.data.skus.intern(row.text(0)?));
                builder.data.prices.push(PriceRow {
                    contract,
                    sku,
                    valid_from: date(row.text(1)?)?,
                    valid_to: maybe_date(row.opt_text(2)?)?,
                    unit_price: dec(row.text(3)?)?,
                    discount_percent: dec(row.text(4)?)?,
                });
            }
            kind::DELIVERY => {
                let contract = contract()?;
                let sku = SkuIdx(builder.data.skus.intern(row.text(1)?));
                builder.data.deliveries.records.push(Delivery {
                    contract,
                    sku,
                    delivered_on: date(row.text(2)?)?,
                    quantity: dec(row.text(3)?)?,
                });
                builder.data.deliveries.ids.push(row.text(0)?);
                builder.data.deliveries.references.push(row.text(4)?);
            }
            kind::INVOICE | kind::OTHER_INVOICE => {
                add_invoice(&mut builder, row)?;
            }
            kind::LINE => add_line(&mut builder, row, whole(number)?)?,
            kind::PAYMENT | kind::OTHER_PAYMENT => add_payment(&mut builder, row)?,
            kind::NOTICE | kind::OTHER_NOTICE => add_notice(&mut builder, row)?,
            kind::OTHER_CONTRACT => {
                add_contract(&mut builder, row)?;
            }
            other => return Err(corrupt("record kind", &other.to_string())),
        }
    }
    builder.finish()
}

/// The columns of a record (as many as the widest kind has).
const RECORD_COLUMNS: usize = 13;

/// A record's columns, read as a row.
struct Cells<'a, S>(&'a [Option<S>]);

impl<S: AsRef<str>> Row for Cells<'_, S> {
    fn text(&self, column: usize) -> Result<&str, StorageError> {
        self.opt_text(column)?
            .ok_or_else(|| corrupt("empty column", &column.to_string()))
    }
    fn opt_text(&self, column: usize) -> Result<Option<&str>, StorageError> {
        Ok(self
            .0
            .get(column)
            .and_then(|c| c.as_ref())
            .map(AsRef::as_ref))
    }
    fn int(&self, column: usize) -> Result<i64, StorageError> {
        let text = self.text(column)?;
        text.parse().map_err(|_| corrupt("whole number", text))
    }
    fn opt_int(&self, column: usize) -> Result<Option<i64>, StorageError> {
        self.opt_text(column)?
            .map(|text| text.parse().map_err(|_| corrupt("whole number", text)))
            .transpose()
    }
    fn blob(&self, column: usize) -> Result<&[u8], StorageError> {
        self.text(column).map(str::as_bytes)
    }
}

/// Adds a contract row (of [`CONTRACT_SELECT`]) and its customer; gives its place.
fn add_contract(builder: &mut Builder, row: &dyn Row) -> Result<ContractIdx, StorageError> {
    let customer = builder.customer(row.text(1)?);
    builder.customers[customer.index()] = Some(Customer {
        name: row.string(9)?,
        email: row.string(10)?,
        language: row.string(11)?,
        customer_since: date(row.text(12)?)?,
    });
    let currency = row.text(2)?;
    let count = |text: &str| text.parse::<u32>().map_err(|_| corrupt("count", text));
    let contract = builder.contract(row.text(0)?);
    builder.contracts[contract.index()] = Some(Contract {
        customer,
        currency: Currency::from_code(currency).map_err(|_| corrupt("currency", currency))?,
        start_date: date(row.text(3)?)?,
        end_date: maybe_date(row.opt_text(4)?)?,
        payment_terms_days: count(row.text(5)?)?,
        late_fee_percent: dec(row.text(6)?)?,
        late_fee_grace_days: count(row.text(7)?)?,
        tax_rate_percent: dec(row.text(8)?)?,
    });
    Ok(contract)
}

/// Adds an invoice line: `invoice_id, kind, sku, description, period_start, period_end,
/// quantity, unit_price, discount_percent, amount, late_fee_for`.
fn add_line(builder: &mut Builder, row: &dyn Row, line_no: u32) -> Result<(), StorageError> {
    let invoice = builder.invoice(row.text(0)?);
    let kind = match row.text(1)? {
        "late_fee" => {
            let target = row
                .opt_text(10)?
                .ok_or_else(|| corrupt("late fee without", "late_fee_for"))?;
            LineKind::LateFee {
                late_fee_for: builder.invoice(target),
            }
        }
        _ => {
            let sku = row
                .opt_text(2)?
                .ok_or_else(|| corrupt("charge without", "sku"))?;
            let start = date(row.opt_text(4)?.unwrap_or_default())?;
            let end = date(row.opt_text(5)?.unwrap_or_default())?;
            let period =
                Period::new(start, end).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            LineKind::Charge {
                sku: SkuIdx(builder.data.skus.intern(sku)),
                period,
            }
        }
    };
    builder.data.lines.push(InvoiceLine {
        invoice,
        line_no,
        kind,
        quantity: dec(row.text(6)?)?,
        unit_price: dec(row.text(7)?)?,
        discount_percent: dec(row.text(8)?)?,
        amount: dec(row.text(9)?)?,
    });
    builder.data.line_descriptions.push(row.text(3)?);
    Ok(())
}

/// Adds a payment: `invoice_id, id, paid_on, amount, method, reference`.
fn add_payment(builder: &mut Builder, row: &dyn Row) -> Result<(), StorageError> {
    let invoice = builder.invoice(row.text(0)?);
    builder.data.payments.push(Payment {
        invoice,
        paid_on: date(row.text(2)?)?,
        amount: dec(row.text(3)?)?,
        method: row.string(4)?,
        reference: row.string(5)?,
    });
    builder.data.payment_ids.push(row.text(1)?);
    Ok(())
}

/// Adds a notice: `invoice_id, id, sent_on, kind, channel`.
fn add_notice(builder: &mut Builder, row: &dyn Row) -> Result<(), StorageError> {
    let invoice = builder.invoice(row.text(0)?);
    let kind = row.text(3)?;
    let kind = NoticeKind::ALL
        .iter()
        .find(|(_, n)| *n == kind)
        .map(|(k, _)| *k)
        .ok_or_else(|| corrupt("notice kind", kind))?;
    builder.data.notices.push(Notice {
        invoice,
        sent_on: date(row.text(2)?)?,
        kind,
        channel: row.string(4)?,
    });
    builder.data.notice_ids.push(row.text(1)?);
    Ok(())
}

/// Adds an invoice row (of the invoice selects); gives its id.
fn add_invoice(builder: &mut Builder, row: &dyn Row) -> Result<String, StorageError> {
    let id = row.string(0)?;
    let invoice = builder.invoice(&id);
    let customer = builder.customer(row.text(1)?);
    let contract = builder.contract(row.text(2)?);
    let currency = row.text(5)?;
    builder.invoices[invoice.index()] = Some(Invoice {
        customer,
        contract,
        issue_date: date(row.text(3)?)?,
        due_date: date(row.text(4)?)?,
        currency: Currency::from_code(currency).map_err(|_| corrupt("currency", currency))?,
        subtotal: dec(row.text(6)?)?,
        tax_total: dec(row.text(7)?)?,
        total: dec(row.text(8)?)?,
    });
    Ok(id)
}

/// A contract with its customer: `id, customer_id, currency, start_date, end_date,
/// payment_terms_days, late_fee_percent, late_fee_grace_days, tax_rate_percent, name, email,
/// language, customer_since`, every column text.
const CONTRACT_SELECT: &str = "SELECT c.id, c.customer_id, c.currency, c.start_date, c.end_date, \
    CAST(c.payment_terms_days AS TEXT), c.late_fee_percent, CAST(c.late_fee_grace_days AS TEXT), \
    c.tax_rate_percent, u.name, u.email, u.language, u.customer_since \
    FROM contracts c JOIN customers u ON u.id = c.customer_id";

/// Everything of the contract an invoice (the one `?`) is under, one row per record: a kind
/// (0 contract, 1 price row, 2 delivery, 3 invoice, 4 line, 5 payment, 6 notice), a number
/// (the line's), and the record's columns as text, in the layouts the `add_` functions read.
/// ([`sort_records`] puts them in order.)
const CONTRACT_OF_INVOICE: &str = "WITH k AS (SELECT contract_id AS id FROM invoices WHERE id = ?) \
    SELECT 0, 0, c.id, c.customer_id, c.currency, c.start_date, c.end_date, \
        CAST(c.payment_terms_days AS TEXT), c.late_fee_percent, CAST(c.late_fee_grace_days AS TEXT), \
        c.tax_rate_percent, u.name, u.email, u.language, u.customer_since \
        FROM k JOIN contracts c ON c.id = k.id JOIN customers u ON u.id = c.customer_id \
    UNION ALL SELECT 1, 0, p.sku, p.valid_from, p.valid_to, p.unit_price, p.discount_percent, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN prices p ON p.contract_id = k.id \
    UNION ALL SELECT 2, 0, d.id, d.sku, d.delivered_on, d.quantity, d.reference, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN deliveries d ON d.contract_id = k.id \
    UNION ALL SELECT 3, 0, i.id, i.customer_id, i.contract_id, i.issue_date, i.due_date, i.currency, \
        i.subtotal, i.tax_total, i.total, NULL, NULL, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id \
    UNION ALL SELECT 4, l.line_no, l.invoice_id, l.kind, l.sku, l.description, l.period_start, \
        l.period_end, l.quantity, l.unit_price, l.discount_percent, l.amount, l.late_fee_for, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id JOIN invoice_lines l ON l.invoice_id = i.id \
    UNION ALL SELECT 5, 0, y.invoice_id, y.id, y.paid_on, y.amount, y.method, y.reference, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id JOIN payments y ON y.invoice_id = i.id \
    UNION ALL SELECT 6, 0, o.invoice_id, o.id, o.sent_on, o.kind, o.channel, \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
        FROM k JOIN invoices i ON i.contract_id = k.id JOIN notices o ON o.invoice_id = i.id \
";
const INVOICE_SELECT_BY_ID: &str = "SELECT id, customer_id, contract_id, issue_date, due_date, currency, subtotal, tax_total, total FROM invoices WHERE id = ?";
const PAYMENTS_BY_INVOICE: &str = "SELECT invoice_id, id, paid_on, amount, method, reference FROM payments WHERE invoice_id = ? ORDER BY id";
const NOTICES_BY_INVOICE: &str =
    "SELECT invoice_id, id, sent_on, kind, channel FROM notices WHERE invoice_id = ? ORDER BY id";

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u8, number: i64, cells: &[Option<&str>]) -> Record {
        Record(
            kind,
            number,
            cells.iter().map(|c| c.map(str::to_owned)).collect(),
        )
    }

    #[test]
    fn a_snapshot_reads_back_as_the_records_it_was_made_of() {
        let records = vec![
            record(kind::CONTRACT, 0, &[Some("K-1"), None, Some("")]),
            record(
                kind::LINE,
                7,
                &[Some("INV-1"), Some("Crème brûlée, \"large\"")],
            ),
            record(kind::PRICE, -3, &[]),
            record(kind::NOTICE, i64::MAX, &[None, None, Some("email")]),
        ];
        let bytes = encoding::encode(&records);
        let decoded = encoding::decode(&bytes).unwrap().expect("in this form");
        let back: Vec<Record> = decoded
            .iter()
            .map(|(kind, number, cells)| record(kind, number, cells))
            .collect();
        assert_eq!(format!("{back:?}"), format!("{records:?}"));
    }

    #[test]
    fn a_snapshot_kept_as_json_is_not_taken_for_one_in_this_form() {
        assert!(encoding::decode(br#"[[0,0,["K-1"]]]"#).unwrap().is_none());
        assert!(encoding::decode(b"").unwrap().is_none());
    }

    #[test]
    fn a_damaged_snapshot_is_refused_not_misread() {
        let bytes = encoding::encode(&[record(kind::CONTRACT, 0, &[Some("K-1"), Some("EUR")])]);
        for cut in 1..bytes.len() {
            assert!(encoding::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(b'x');
        assert!(encoding::decode(&longer).is_err());
    }
}
