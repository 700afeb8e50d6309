//! One CSV file of billing data: its header mapped to the columns a table needs, and its rows
//! parsed in parallel chunks.
//!
//! A chunk boundary must not fall inside a quoted field (RFC 4180 allows line breaks there), so
//! boundaries are placed at line breaks with an even number of quotes before them. Line numbers
//! stay exact: each chunk knows how many physical lines precede it, and places its rows among
//! its own line breaks.

use crate::Progress;
use crate::problem::{Problem, Problems};
use csv::ByteRecord;
use memchr::{memchr_iter, memchr2};
use rayon::prelude::*;
use redress_domain::{Currency, Date, DateError, Decimal, NumberError, parse_date, parse_decimal};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// A CSV file whose header has every column a table needs, read block by block.
pub(crate) struct CsvTable {
    columns: Columns,
    source: File,
    len: u64,
    /// Bytes read but not yet parsed: at first, what follows the header.
    pending: Vec<u8>,
    /// How many bytes the header (and any byte-order mark) took.
    header_bytes: u64,
    /// The line the first row after the header starts on.
    first_line: u64,
}

/// Where a table's columns are in a file's records.
pub(crate) struct Columns {
    /// The file name, e.g. `deliveries.csv`.
    file: &'static str,
    /// The table's column names, in the order the parser refers to them.
    names: &'static [&'static str],
    /// Where each of `names` is in a record.
    positions: Vec<usize>,
    /// How many fields the header has, and so every row.
    header_len: usize,
}

/// The rows one chunk produced, with the line each starts on and the chunk's own state.
pub(crate) struct Chunk<T, C> {
    pub rows: Vec<T>,
    pub lines: Vec<u64>,
    pub state: C,
    pub problems: Vec<Problem>,
}

/// How much is read at a time: the file is streamed, never held whole.
const BLOCK: usize = 16 << 20;

impl CsvTable {
    /// Opens `dir/file` and maps its header; `None` (with the problems recorded) when the file
    /// is missing or unreadable or lacks a column.
    pub fn open(
        dir: &Path,
        file: &'static str,
        names: &'static [&'static str],
        problems: &mut Problems,
    ) -> Option<Self> {
        let path = dir.join(file);
        let mut source = match File::open(&path) {
            Ok(source) => source,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(
                    Problem::in_file(file, format!("the file is missing from {}", dir.display()))
                        .expected(format!("a CSV file with the columns {}", names.join(", "))),
                );
                return None;
            }
            Err(e) => {
                problems.push(Problem::in_file(file, format!("cannot be opened: {e}")));
                return None;
            }
        };
        let read = |source: &mut File, buffer: &mut Vec<u8>| {
            source
                .take(BLOCK as u64)
                .read_to_end(buffer)
                .map_err(|e| Problem::in_file(file, format!("cannot be read: {e}")))
        };
        let mut bytes = Vec::new();
        if let Err(problem) = read(&mut source, &mut bytes) {
            problems.push(problem);
            return None;
        }
        let len = source.metadata().map_or(bytes.len() as u64, |m| m.len());
        let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[bom..]);
        let mut header = ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                problems.push(
                    Problem::in_file(file, "is empty")
                        .expected(format!("a header row: {}", names.join(", "))),
                );
                return None;
            }
            Err(e) => {
                problems.push(Problem::in_file(
                    file,
                    format!("the header cannot be read: {e}"),
                ));
                return None;
            }
        }
        let header_bytes = bom + reader.position().byte() as usize;
        let header_newlines = memchr_iter(b'\n', &bytes[..header_bytes]).count() as u64;
        let first_line = 1 + header_newlines + u64::from(!bytes[..header_bytes].ends_with(b"\n"));
        let header_names: Vec<String> = header
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_owned())
            .collect();
        let mut positions = Vec::with_capacity(names.len());
        let mut missing = Vec::new();
        for name in names {
            match header_names.iter().position(|h| h == name) {
                Some(p) => positions.push(p),
                None => missing.push(*name),
            }
        }
        if !missing.is_empty() {
            for name in &missing {
                problems.push(
                    Problem::at(file, 1, None, format!("the header has no column `{name}`"))
                        .expected(format!("the columns {} (in any order)", names.join(", "))),
                );
            }
            return None;
        }
        bytes.drain(..header_bytes);
        Some(Self {
            columns: Columns {
                file,
                names,
                positions,
                header_len: header.len(),
            },
            source,
            len,
            pending: bytes,
            header_bytes: header_bytes as u64,
            first_line,
        })
    }

    /// Parses every row with `parse`, block by block and in each block chunks in parallel,
    /// keeping file order.
    ///
    /// `parse` returns `None` for a row it recorded problems on. Each chunk starts from a fresh
    /// `C::default()` for state it builds up (such as its own table of SKUs). `merge` receives
    /// the chunks in file order as each block is done, so no more than a block's worth of rows
    /// is ever held twice.
    ///
    /// While one block is parsed, the chunks of the block before are merged and the next block
    /// is read, so the reading and merging that cannot be split do not hold up both cores.
    pub fn parse<T, C, F, M>(self, progress: &dyn Progress, parse: F, mut merge: M)
    where
        T: Send,
        C: Default + Send,
        F: Fn(&mut Row<'_>, &mut C) -> Option<T> + Sync,
        M: FnMut(Chunk<T, C>) + Send,
    {
        let Self {
            columns,
            mut source,
            len,
            pending,
            header_bytes,
            first_line,
        } = self;
        progress.start_file(columns.file, len);
        progress.advance(header_bytes);
        let mut next_line = first_line;
        let mut current = pending;
        let mut next = Vec::new();
        let mut at_end = current.len() < BLOCK - header_bytes as usize;
        let mut unmerged: Vec<Chunk<T, C>> = Vec::new();
        loop {
            let mut bounds = chunk_bounds(&current, chunk_size(current.len()));
            if !at_end {
                // The last piece may end mid-row: it goes on into the next block.
                bounds.pop();
                if bounds.len() < 2 {
                    at_end = fill(&mut source, &mut current);
                    continue;
                }
            }
            let parsed_to = *bounds.last().expect("bounds start at 0");
            let newlines: Vec<u64> = bounds
                .par_windows(2)
                .map(|w| memchr_iter(b'\n', &current[w[0]..w[1]]).count() as u64)
                .collect();
            let first_lines: Vec<u64> = newlines
                .iter()
                .scan(next_line, |line, n| {
                    let first = *line;
                    *line += n;
                    Some(first)
                })
                .collect();
            next_line += newlines.iter().sum::<u64>();
            next.clear();
            next.extend_from_slice(&current[parsed_to..]);
            let previous = std::mem::take(&mut unmerged);
            let (parsed, next_at_end) = rayon::join(
                || {
                    bounds
                        .par_windows(2)
                        .zip(first_lines.par_iter())
                        .map(|(w, &first_line)| {
                            let bytes = &current[w[0]..w[1]];
                            let chunk = columns.parse_chunk(bytes, first_line, &parse);
                            progress.advance((w[1] - w[0]) as u64);
                            chunk
                        })
                        .collect::<Vec<_>>()
                },
                || {
                    previous.into_iter().for_each(&mut merge);
                    at_end || fill(&mut source, &mut next)
                },
            );
            unmerged = parsed;
            if at_end {
                break;
            }
            std::mem::swap(&mut current, &mut next);
            at_end = next_at_end;
        }
        unmerged.into_iter().for_each(&mut merge);
    }

    /// [`Self::parse`] for a file small enough to keep all its chunks until the end.
    pub fn parse_all<T, C, F>(self, progress: &dyn Progress, parse: F) -> Vec<Chunk<T, C>>
    where
        T: Send,
        C: Default + Send,
        F: Fn(&mut Row<'_>, &mut C) -> Option<T> + Sync,
    {
        let mut chunks = Vec::new();
        self.parse(progress, parse, |chunk| chunks.push(chunk));
        chunks
    }
}

/// Reads the next block onto `buffer`; `true` once the file is read to its end.
fn fill(source: &mut File, buffer: &mut Vec<u8>) -> bool {
    match source.take(BLOCK as u64).read_to_end(buffer) {
        Ok(n) => n < BLOCK,
        // The file was readable a moment ago; parse what there is and let rows say the rest.
        Err(_) => true,
    }
}

impl Columns {
    /// Parses one chunk of whole rows, which starts on line `first_line`.
    fn parse_chunk<T, C, F>(&self, bytes: &[u8], first_line: u64, parse: &F) -> Chunk<T, C>
    where
        C: Default,
        F: Fn(&mut Row<'_>, &mut C) -> Option<T>,
    {
        let mut out = Chunk {
            rows: Vec::with_capacity(bytes.len() / 48),
            lines: Vec::with_capacity(bytes.len() / 48),
            state: C::default(),
            problems: Vec::new(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = ByteRecord::new();
        // One check of the whole chunk instead of one per field.
        let valid_utf8 = std::str::from_utf8(bytes).is_ok();
        // Lines as an editor shows them: the reader's own count leaves out line breaks inside
        // quoted fields, so rows are placed by byte offset among the chunk's line breaks.
        let breaks: Vec<u32> = memchr_iter(b'\n', bytes).map(|at| at as u32).collect();
        let mut passed = 0;
        let mut line_at = |offset: usize| {
            // A row may be placed after the `\r` of a CRLF, or before blank lines the reader
            // skips: it starts after any line ends.
            let start = offset
                + bytes[offset.min(bytes.len())..]
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
            while passed < breaks.len() && (breaks[passed] as usize) < start {
                passed += 1;
            }
            first_line + passed as u64
        };
        loop {
            let before = reader.position().byte() as usize;
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = line_at(before);
                    out.problems.push(Problem::at(
                        self.file,
                        line,
                        None,
                        format!("cannot be read as CSV: {e}"),
                    ));
                    continue;
                }
            }
            let line = line_at(record.position().map_or(before, |p| p.byte() as usize));
            if record.len() != self.header_len {
                out.problems.push(
                    Problem::at(
                        self.file,
                        line,
                        None,
                        format!("the row has {} fields", record.len()),
                    )
                    .expected(format!("{} fields, as in the header", self.header_len)),
                );
                continue;
            }
            let mut row = Row {
                table: self,
                record: &record,
                line,
                valid_utf8,
                problems: &mut out.problems,
            };
            if let Some(value) = parse(&mut row, &mut out.state) {
                out.rows.push(value);
                out.lines.push(line);
            }
        }
        out
    }
}

/// Chunks of a few megabytes: enough to keep both cores busy, few enough to merge cheaply.
fn chunk_size(len: usize) -> usize {
    (len / (rayon::current_num_threads() * 16)).clamp(1 << 20, 16 << 20)
}

/// Offsets `0 = b0 < b1 < … < bn = len` at which the body can be cut: each `bi` (but the ends)
/// is just after a line break that is not inside quotes.
fn chunk_bounds(body: &[u8], target: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut start = 0;
    while body.len() - start > target {
        let mut at = start + target;
        let mut in_quotes = memchr_iter(b'"', &body[start..at]).count() % 2 == 1;
        let cut = loop {
            match memchr2(b'"', b'\n', &body[at..]) {
                None => break body.len(),
                Some(offset) => {
                    let found = at + offset;
                    at = found + 1;
                    if body[found] == b'"' {
                        in_quotes = !in_quotes;
                    } else if !in_quotes {
                        break at;
                    }
                }
            }
        };
        if cut >= body.len() {
            break;
        }
        bounds.push(cut);
        start = cut;
    }
    bounds.push(body.len());
    bounds
}

/// Marks a field whose problem has been recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flagged;

/// What a field read gives: the value, or `Flagged` once the problem is recorded.
pub(crate) type Field<T> = Result<T, Flagged>;

/// One row being parsed: reads fields by the table's column number and records what is wrong.
pub(crate) struct Row<'a> {
    table: &'a Columns,
    record: &'a ByteRecord,
    /// The line the row starts on.
    pub line: u64,
    /// Whether the whole chunk the row is in is valid UTF-8.
    valid_utf8: bool,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Row<'a> {
    /// Records a problem in column `col`.
    pub fn flag(
        &mut self,
        col: usize,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Flagged {
        let problem = Problem::at(
            self.table.file,
            self.line,
            Some(self.table.names[col]),
            message,
        )
        .expected(expected);
        self.problems.push(problem);
        Flagged
    }

    /// The text of column `col` (possibly empty).
    pub fn text(&mut self, col: usize) -> Field<&'a str> {
        let record: &'a ByteRecord = self.record;
        let raw = &record[self.table.positions[col]];
        if self.valid_utf8 {
            // SAFETY: the chunk is valid UTF-8 and fields are cut and unquoted only at ASCII
            // bytes (`,`, `"`, line ends), which never fall inside a multi-byte character, so
            // every field is valid UTF-8 too.
            return Ok(unsafe { std::str::from_utf8_unchecked(raw) });
        }
        std::str::from_utf8(raw).map_err(|_| self.flag(col, "is not valid UTF-8", "UTF-8 text"))
    }

    /// The text of column `col`, which must not be empty (ids, codes).
    pub fn id(&mut self, col: usize) -> Field<&'a str> {
        let text = self.text(col)?;
        if text.is_empty() {
            return Err(self.flag(col, "is empty", "an id"));
        }
        Ok(text)
    }

    /// A `YYYY-MM-DD` date, or `None` when empty and `optional`.
    fn date_or_empty(&mut self, col: usize, optional: bool) -> Field<Option<Date>> {
        let text = self.text(col)?;
        match parse_date(text) {
            Ok(date) => Ok(Some(date)),
            Err(DateError::Empty) if optional => Ok(None),
            Err(e) => Err(self.flag(col, e.to_string(), "a date YYYY-MM-DD")),
        }
    }

    /// A required `YYYY-MM-DD` date.
    pub fn date(&mut self, col: usize) -> Field<Date> {
        self.date_or_empty(col, false).map(|d| d.expect("required"))
    }

    /// A date that may be empty (open-ended).
    pub fn optional_date(&mut self, col: usize) -> Field<Option<Date>> {
        self.date_or_empty(col, true)
    }

    /// A decimal, checked by `allowed` (which names what was expected when it fails).
    fn decimal_where(
        &mut self,
        col: usize,
        empty_is_zero: bool,
        allowed: (fn(Decimal) -> bool, &'static str),
    ) -> Field<Decimal> {
        let text = self.text(col)?;
        let value = match parse_decimal(text) {
            Ok(value) => value,
            Err(NumberError::Empty) if empty_is_zero => Decimal::ZERO,
            Err(e) => return Err(self.flag(col, e.to_string(), allowed.1)),
        };
        if !allowed.0(value) {
            return Err(self.flag(col, format!("`{text}` is not allowed here"), allowed.1));
        }
        Ok(value)
    }

    /// Any decimal number.
    pub fn decimal(&mut self, col: usize) -> Field<Decimal> {
        self.decimal_where(col, false, (|_| true, "a decimal number such as 1234.50"))
    }

    /// A decimal greater than zero (quantities, payments).
    pub fn positive(&mut self, col: usize) -> Field<Decimal> {
        self.decimal_where(
            col,
            false,
            (|d| d > Decimal::ZERO, "a number greater than zero"),
        )
    }

    /// A decimal of zero or more (prices, claims).
    pub fn non_negative(&mut self, col: usize) -> Field<Decimal> {
        self.decimal_where(
            col,
            false,
            (|d| d >= Decimal::ZERO, "a number of zero or more"),
        )
    }

    /// A percentage of 0 to 100 (discounts); empty means 0 when `empty_is_zero`.
    pub fn percent(&mut self, col: usize, empty_is_zero: bool) -> Field<Decimal> {
        let in_range: fn(Decimal) -> bool = |d| d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED;
        self.decimal_where(
            col,
            empty_is_zero,
            (in_range, "a percentage from 0 to 100, such as 1.5"),
        )
    }

    /// A percentage of zero or more (tax rates and late fees may not be capped at 100).
    pub fn rate(&mut self, col: usize) -> Field<Decimal> {
        self.decimal_where(
            col,
            false,
            (
                |d| d >= Decimal::ZERO,
                "a percentage of zero or more, such as 1.5",
            ),
        )
    }

    /// A whole number of zero or more (days).
    pub fn whole(&mut self, col: usize) -> Field<u32> {
        let text = self.text(col)?;
        if !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(text.parse().expect("nine digits fit u32"));
        }
        let message = if text.is_empty() {
            "is empty".to_owned()
        } else {
            format!("`{text}` is not a whole number")
        };
        Err(self.flag(col, message, "a whole number of zero or more, such as 30"))
    }

    /// An ISO 4217 currency code with a minor unit.
    pub fn currency(&mut self, col: usize) -> Field<Currency> {
        let text = self.text(col)?;
        Currency::from_code(text).map_err(|e| {
            self.flag(
                col,
                e.to_string(),
                "an ISO 4217 code such as USD, JPY or KWD",
            )
        })
    }

    /// One of the names in `choices`.
    pub fn choice<T: Copy>(&mut self, col: usize, choices: &[(T, &'static str)]) -> Field<T> {
        let text = self.text(col)?;
        if let Some((value, _)) = choices.iter().find(|(_, name)| *name == text) {
            return Ok(*value);
        }
        let names: Vec<&str> = choices.iter().map(|(_, n)| *n).collect();
        let message = format!("`{text}` is not a known value");
        Err(self.flag(col, message, format!("one of {}", names.join(", "))))
    }

    /// Checks that a money amount has no more decimals than its currency's minor unit.
    pub fn check_amount(
        &mut self,
        col: usize,
        amount: Decimal,
        currency: Currency,
    ) -> Field<Decimal> {
        if currency.holds(amount) {
            return Ok(amount);
        }
        if currency.fits(amount) {
            let ceiling = redress_domain::AMOUNT_CEILING;
            let message = format!("{amount} is not an amount a bill holds");
            return Err(self.flag(col, message, format!("an amount below {ceiling}")));
        }
        let message = format!("{amount} has more decimals than {currency} allows");
        let expected = format!("an amount with at most {} decimals", currency.minor_unit());
        Err(self.flag(col, message, expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    /// A file of several blocks, with quoted fields holding commas, quotes and line breaks
    /// scattered through it, reads every row once, in order, with its true line number.
    #[test]
    fn files_larger_than_a_block_read_every_row_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("id,note\n");
        let mut expected = Vec::new(); // (id, note, line)
        let mut line = 2u64;
        let mut n = 0u64;
        while text.len() < 2 * BLOCK + BLOCK / 2 {
            let note = match n % 7 {
                0 => "two\nlines, \"quoted\"".to_owned(),
                3 => format!("plain {n}"),
                _ => "x".repeat((n % 50) as usize),
            };
            let field = if note.contains(['\n', ',', '"']) {
                format!("\"{}\"", note.replace('"', "\"\""))
            } else {
                note.clone()
            };
            text.push_str(&format!("R{n},{field}\r\n"));
            expected.push((format!("R{n}"), note.clone(), line));
            line += 1 + note.matches('\n').count() as u64;
            n += 1;
        }
        std::fs::write(dir.path().join("t.csv"), &text).unwrap();
        let mut problems = Problems::default();
        let table = CsvTable::open(dir.path(), "t.csv", &["id", "note"], &mut problems).unwrap();
        let chunks = table.parse_all(&NoProgress, |row, _: &mut ()| {
            Some((
                row.id(0).ok()?.to_owned(),
                row.text(1).ok()?.to_owned(),
                row.line,
            ))
        });
        let rows: Vec<(String, String, u64)> = chunks.into_iter().flat_map(|c| c.rows).collect();
        assert!(problems.is_empty());
        assert_eq!(rows.len(), expected.len());
        if let Some(i) = (0..rows.len()).find(|&i| rows[i] != expected[i]) {
            panic!("row {i}: read {:?}, wrote {:?}", rows[i], expected[i]);
        }
    }

    #[test]
    fn chunks_never_cut_inside_quotes() {
        let body = b"a,\"x\ny\nz\",1\nb,plain,2\nc,\"q\"\"\n\",3\nd,e,4\n";
        for target in 1..body.len() {
            let bounds = chunk_bounds(body, target);
            for &b in &bounds[1..bounds.len() - 1] {
                let before = &body[..b];
                assert_eq!(before.last(), Some(&b'\n'));
                assert_eq!(
                    memchr_iter(b'"', before).count() % 2,
                    0,
                    "cut at {b} for {target}"
                );
            }
            assert_eq!(*bounds.last().unwrap(), body.len());
        }
    }
}
