//! Following a cause to its end: whether invoices imported after an arrears case or a systemic
//! issue was found still carry the same error, so that the business sees its set-up was
//! corrected (or that it was not).
//!
//! Each audit recorded keeps its findings and, per contract, the last day of the invoices it
//! checked ([`record_latest_audit`], replacing the audit before). An arrears case is followed
//! from its latest item, by the kinds of finding its items rest on; a systemic issue from the
//! last day of its findings when first found, by its cause, at every customer it affects. An
//! invoice counts as after that day when its period (its charge lines' first to last day, else
//! its issue day) starts after it, and as checked when the latest audit held it: its period ends
//! by the last day the audit checked of its contract. Each answer is one query, on indexes.

use super::cases::{ArrearsCase, ArrearsItem};
use crate::engine::StorageError;
use crate::engine::sql::{Db, Row, Value};
use crate::engine::stored::{Cells, this_moment};
use redress_audit::FindingKind;
use redress_domain::{Currency, Date, Decimal, Period, parse_date, timestamp_text};

/// A finding of the audit, as the latest audit recorded keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedFinding {
    /// The customer.
    pub customer_id: String,
    /// The contract.
    pub contract_id: String,
    /// The currency of its impact.
    pub currency: Currency,
    /// What is wrong.
    pub kind: FindingKind,
    /// The cause a systemic issue groups it by (its key, e.g. `price_mismatch sku POS`).
    pub cause_key: String,
    /// The invoice it sits on; `None` for deliveries never billed.
    pub invoice_id: Option<String>,
    /// The line it sits on, when on one.
    pub line_no: Option<u32>,
    /// The period: the line's, else the invoice's (its charge lines' first to last day, else
    /// its issue day); for deliveries never billed, the first day of their billing period.
    pub period: Option<Period>,
    /// Signed, net: below zero, the customer was under-billed.
    pub impact: Decimal,
}

/// What an audit checked of one contract: every invoice it held, up to the last day of their
/// periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedContract {
    /// The contract.
    pub contract_id: String,
    /// Its customer.
    pub customer_id: String,
    /// The last day of the periods of its invoices the audit checked.
    pub checked_through: Date,
}

/// A place an error is still found after it was first found: an invoice checked since, or a
/// delivery never billed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StillWrong {
    /// The customer.
    pub customer_id: String,
    /// The invoice; `None` for deliveries never billed.
    pub invoice_id: Option<String>,
    /// Its period (a delivery never billed: the first day of its billing period).
    pub period: Period,
}

/// How many places a still-wrong answer lists at most.
pub const STILL_WRONG_LISTED: usize = 3;

/// Whether invoices after an arrears case or a systemic issue was found still carry the same
/// error, as the latest audit recorded found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    /// Nothing to follow it by: found before Redress kept the kinds and periods of what it found.
    NotFollowed,
    /// No invoice for a period after `since` was checked yet.
    NoInvoiceSince {
        /// The last day of what was found.
        since: Date,
        /// Invoices after it the latest audit did not check (imported since).
        unchecked: u64,
    },
    /// The invoices checked since carry none of it, and no delivery since went unbilled by it.
    Corrected {
        /// The last day of what was found.
        since: Date,
        /// Invoices for periods after it the latest audit checked.
        checked: u64,
        /// Invoices after it the latest audit did not check (imported since).
        unchecked: u64,
    },
    /// Invoices (or deliveries never billed) after it still carry it.
    StillWrong {
        /// The last day of what was found.
        since: Date,
        /// Invoices for periods after it the latest audit checked.
        checked: u64,
        /// Invoices after it the latest audit did not check (imported since).
        unchecked: u64,
        /// How many places carry it: invoices checked, and deliveries never billed.
        carrying: u64,
        /// At how many customers.
        customers: u64,
        /// The first few of them ([`STILL_WRONG_LISTED`]), oldest first.
        first: Vec<StillWrong>,
    },
}

impl FollowUp {
    /// The answer from what the query counted.
    fn of(since: Date, counted: Counted, first: Vec<StillWrong>) -> Self {
        let Counted {
            checked,
            unchecked,
            carrying,
            customers,
        } = counted;
        if carrying > 0 {
            Self::StillWrong {
                since,
                checked,
                unchecked,
                carrying,
                customers,
                first,
            }
        } else if checked > 0 {
            Self::Corrected {
                since,
                checked,
                unchecked,
            }
        } else {
            Self::NoInvoiceSince { since, unchecked }
        }
    }
}

/// What a follow-up query counts.
#[derive(Debug, Clone, Copy, Default)]
struct Counted {
    checked: u64,
    unchecked: u64,
    carrying: u64,
    customers: u64,
}

/// Replaces the latest audit's findings and what it checked of each contract with `findings`
/// and `contracts`, within the transaction that records the audit's cases and issues.
pub fn record_latest_audit(
    findings: Vec<AuditedFinding>,
    contracts: Vec<AuditedContract>,
) -> crate::Work<(), StorageError> {
    crate::Work::new(move |db| {
        db.execute("DELETE FROM audit_findings", &[])?;
        db.execute("DELETE FROM audited_contracts", &[])?;
        let at = timestamp_text(this_moment());
        insert_rows(
            db,
            "audited_contracts (contract_id, customer_id, checked_through, audited_at)",
            4,
            contracts.iter().map(|c| {
                vec![
                    Owned::Text(c.contract_id.clone()),
                    Owned::Text(c.customer_id.clone()),
                    Owned::Text(c.checked_through.to_string()),
                    Owned::Text(at.clone()),
                ]
            }),
        )?;
        insert_rows(
            db,
            "audit_findings (customer_id, contract_id, currency, kind, cause_key, invoice_id, \
             line_no, period_start, period_end, impact, impact_sign)",
            11,
            findings.iter().map(|f| {
                let day = |pick: fn(&Period) -> Date| {
                    f.period
                        .as_ref()
                        .map_or(Owned::Null, |p| Owned::Text(pick(p).to_string()))
                };
                let sign = if f.impact.is_sign_negative() && !f.impact.is_zero() {
                    -1
                } else if f.impact.is_zero() {
                    0
                } else {
                    1
                };
                vec![
                    Owned::Text(f.customer_id.clone()),
                    Owned::Text(f.contract_id.clone()),
                    Owned::Text(f.currency.code().to_owned()),
                    Owned::Text(f.kind.as_str().to_owned()),
                    Owned::Text(f.cause_key.clone()),
                    f.invoice_id.clone().map_or(Owned::Null, Owned::Text),
                    f.line_no.map_or(Owned::Null, |n| Owned::Int(i64::from(n))),
                    day(Period::start),
                    day(Period::end),
                    Owned::Text(f.currency.format(f.impact)),
                    Owned::Int(sign),
                ]
            }),
        )?;
        Ok(())
    })
}

/// A value to bind, owned until its statement runs.
enum Owned {
    Null,
    Int(i64),
    Text(String),
}

impl Owned {
    fn value(&self) -> Value<'_> {
        match self {
            Self::Null => Value::Null,
            Self::Int(n) => Value::Int(*n),
            Self::Text(text) => Value::Text(text),
        }
    }
}

/// Inserts `rows` (of `width` values each) into `into` (`table (columns)`), many to a
/// statement: the audit's findings are many, and a statement per row would be slow.
fn insert_rows(
    db: &mut dyn Db,
    into: &str,
    width: usize,
    rows: impl Iterator<Item = Vec<Owned>>,
) -> Result<(), StorageError> {
    const ROWS_PER_STATEMENT: usize = 200;
    let mut batch: Vec<Vec<Owned>> = Vec::with_capacity(ROWS_PER_STATEMENT);
    let flush = |db: &mut dyn Db, batch: &mut Vec<Vec<Owned>>| {
        if batch.is_empty() {
            return Ok(());
        }
        let row = format!("({})", vec!["?"; width].join(", "));
        let sql = format!(
            "INSERT INTO {into} VALUES {}",
            vec![row; batch.len()].join(", ")
        );
        let values: Vec<Value<'_>> = batch.iter().flatten().map(Owned::value).collect();
        db.execute(&sql, &values)?;
        batch.clear();
        Ok::<(), StorageError>(())
    };
    for row in rows {
        batch.push(row);
        if batch.len() == ROWS_PER_STATEMENT {
            flush(db, &mut batch)?;
        }
    }
    flush(db, &mut batch)
}

/// An invoice's period in SQL, over `invoices i LEFT JOIN invoice_lines l` grouped by invoice:
/// its charge lines' first to last day (late fees have none), else its issue day.
const STARTS: &str = "COALESCE(MIN(l.period_start), i.issue_date)";
const ENDS: &str = "COALESCE(MAX(l.period_end), i.issue_date)";

/// The last day of what `items` were found for, and the kinds they rest on; `None` when an item
/// lacks either (found before Redress kept them).
fn followed_by(items: &[ArrearsItem]) -> Option<(Date, Vec<FindingKind>)> {
    let mut through: Option<Date> = None;
    let mut kinds: Vec<FindingKind> = Vec::new();
    for item in items {
        let (kind, period) = (item.kind?, item.period?);
        through = Some(through.map_or(period.end(), |day| day.max(period.end())));
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Some((through?, kinds))
}

/// A place still wrong at `customer_id`, from `row`'s columns `at..at + 3` (invoice, start,
/// end); `None` when the row lists none (a left join's empty side: no start).
fn still_wrong(
    row: &dyn Row,
    cells: &Cells<'_>,
    customer_id: impl FnOnce() -> Result<String, StorageError>,
    at: usize,
) -> Result<Option<StillWrong>, StorageError> {
    if row.opt_text(at + 1)?.is_none() {
        return Ok(None);
    }
    let day = |i: usize| {
        cells.parsed(i, "period_start", "a date (YYYY-MM-DD)", |t| {
            parse_date(t).ok()
        })
    };
    let (start, end) = (day(at + 1)?, day(at + 2)?);
    let period = Period::new(start, end).map_err(|e| {
        cells.unreadable(
            "period_end",
            &e.to_string(),
            "a period that ends after it starts",
        )
    })?;
    Ok(Some(StillWrong {
        customer_id: customer_id()?,
        invoice_id: row.opt_string(at)?,
        period,
    }))
}

/// A count column, never below zero.
fn count(row: &dyn Row, i: usize) -> Result<u64, StorageError> {
    Ok(u64::try_from(row.int(i)?).unwrap_or(0))
}

/// Whether invoices after `case`'s latest item still carry the kinds of error its items rest
/// on, as the latest audit recorded found them: the customer's invoices in the case's currency
/// whose periods start after it, and their deliveries never billed since.
pub(crate) fn of_case(db: &mut dyn Db, case: &ArrearsCase) -> Result<FollowUp, StorageError> {
    let Some((since, kinds)) = followed_by(&case.items) else {
        return Ok(FollowUp::NotFollowed);
    };
    let kind_list = vec!["?"; kinds.len()].join(", ");
    let sql = format!(
        "WITH later AS ( \
             SELECT i.id AS invoice_id, {STARTS} AS starts, {ENDS} AS ends, \
                    a.checked_through AS through \
             FROM invoices i \
             LEFT JOIN audited_contracts a ON a.contract_id = i.contract_id \
             LEFT JOIN invoice_lines l ON l.invoice_id = i.id \
             WHERE i.customer_id = ? AND i.currency = ? \
             GROUP BY i.id, i.issue_date, a.checked_through \
             HAVING {STARTS} > ?), \
         checked AS (SELECT invoice_id, starts, ends FROM later WHERE ends <= through), \
         carrying AS ( \
             SELECT c.invoice_id, c.starts, c.ends FROM checked c \
             WHERE EXISTS (SELECT 1 FROM audit_findings f WHERE f.invoice_id = c.invoice_id \
                 AND f.customer_id = ? AND f.impact_sign < 0 AND f.kind IN ({kind_list})) \
             UNION ALL \
             SELECT DISTINCT NULL, f.period_start, f.period_end FROM audit_findings f \
             WHERE f.customer_id = ? AND f.invoice_id IS NULL AND f.currency = ? \
                 AND f.impact_sign < 0 AND f.kind IN ({kind_list}) AND f.period_start > ?) \
         SELECT (SELECT COUNT(*) FROM checked), \
                (SELECT COUNT(*) FROM later) - (SELECT COUNT(*) FROM checked), \
                (SELECT COUNT(*) FROM carrying), \
                shown.invoice_id, shown.starts, shown.ends \
         FROM (SELECT 1 AS one) base \
         LEFT JOIN (SELECT invoice_id, starts, ends FROM carrying \
                    ORDER BY starts, invoice_id LIMIT {STILL_WRONG_LISTED}) shown ON 1 = 1"
    );
    let since_text = since.to_string();
    let code = case.currency.code();
    let mut values: Vec<Value<'_>> = vec![
        Value::from(case.customer_id.as_str()),
        Value::from(code),
        Value::from(since_text.as_str()),
        Value::from(case.customer_id.as_str()),
    ];
    values.extend(kinds.iter().map(|k| Value::from(k.as_str())));
    values.extend([Value::from(case.customer_id.as_str()), Value::from(code)]);
    values.extend(kinds.iter().map(|k| Value::from(k.as_str())));
    values.push(Value::from(since_text.as_str()));
    let mut counted = Counted::default();
    let mut first = Vec::new();
    db.query_each(&sql, &values, &mut |row| {
        let cells = Cells::new(row, "audit_findings", case.id.clone());
        let (checked, unchecked, carrying) = (count(row, 0)?, count(row, 1)?, count(row, 2)?);
        counted = Counted {
            checked,
            unchecked,
            carrying,
            customers: u64::from(carrying > 0),
        };
        first.extend(still_wrong(
            row,
            &cells,
            || Ok(case.customer_id.clone()),
            3,
        )?);
        Ok(())
    })?;
    Ok(FollowUp::of(since, counted, first))
}

/// An issue's key, the day it is followed from with what was counted since (`None`: not
/// followed), and the first places still wrong.
type IssueCounted = (String, Option<(Date, Counted)>, Vec<StillWrong>);

/// For every systemic issue, by its key: whether invoices after its findings (as first found)
/// still carry its cause, at any customer it affects, as the latest audit recorded found them.
pub(crate) fn of_issues(db: &mut dyn Db) -> Result<Vec<(String, FollowUp)>, StorageError> {
    let sql = format!(
        // From the issues (few) to their findings, never the other way: CROSS JOIN keeps
        // SQLite to that order (PostgreSQL plans it as a join).
        "WITH affected AS ( \
             SELECT DISTINCT f.cause_key, f.customer_id FROM systemic_issues s \
             CROSS JOIN audit_findings f WHERE f.cause_key = s.key \
                 AND s.found_through IS NOT NULL), \
         later AS ( \
             SELECT af.cause_key, i.id AS invoice_id, i.customer_id, {STARTS} AS starts, \
                    {ENDS} AS ends, a.checked_through AS through \
             FROM affected af \
             JOIN invoices i ON i.customer_id = af.customer_id \
             LEFT JOIN audited_contracts a ON a.contract_id = i.contract_id \
             LEFT JOIN invoice_lines l ON l.invoice_id = i.id \
             GROUP BY af.cause_key, i.id, i.customer_id, i.issue_date, a.checked_through), \
         since AS ( \
             SELECT later.* FROM later JOIN systemic_issues s ON s.key = later.cause_key \
             WHERE later.starts > s.found_through), \
         checked AS (SELECT * FROM since WHERE ends <= through), \
         carrying AS ( \
             SELECT c.cause_key, c.customer_id, c.invoice_id, c.starts, c.ends FROM checked c \
             WHERE EXISTS (SELECT 1 FROM audit_findings f WHERE f.invoice_id = c.invoice_id \
                 AND f.cause_key = c.cause_key) \
             UNION ALL \
             SELECT DISTINCT f.cause_key, f.customer_id, NULL, f.period_start, f.period_end \
             FROM audit_findings f JOIN systemic_issues s ON s.key = f.cause_key \
             WHERE f.invoice_id IS NULL AND f.period_start > s.found_through), \
         numbered AS ( \
             SELECT cause_key, customer_id, invoice_id, starts, ends, ROW_NUMBER() OVER \
                 (PARTITION BY cause_key ORDER BY starts, customer_id, invoice_id) AS n \
             FROM carrying) \
         SELECT s.key, s.found_through, \
                (SELECT COUNT(*) FROM checked c WHERE c.cause_key = s.key), \
                (SELECT COUNT(*) FROM since w WHERE w.cause_key = s.key) \
                    - (SELECT COUNT(*) FROM checked c WHERE c.cause_key = s.key), \
                (SELECT COUNT(*) FROM carrying w WHERE w.cause_key = s.key), \
                (SELECT COUNT(DISTINCT w.customer_id) FROM carrying w WHERE w.cause_key = s.key), \
                m.customer_id, m.invoice_id, m.starts, m.ends \
         FROM systemic_issues s \
         LEFT JOIN numbered m ON m.cause_key = s.key AND m.n <= {STILL_WRONG_LISTED} \
         ORDER BY s.key, m.n"
    );
    let mut answers: Vec<IssueCounted> = Vec::new();
    db.query_each(&sql, &[], &mut |row| {
        let key = row.string(0)?;
        let cells = Cells::new(row, "systemic_issues", key.clone());
        let since = cells.opt_date(1, "found_through")?;
        let place = still_wrong(row, &cells, || row.string(6), 7)?;
        if answers.last().is_none_or(|(last, _, _)| *last != key) {
            let counted = Counted {
                checked: count(row, 2)?,
                unchecked: count(row, 3)?,
                carrying: count(row, 4)?,
                customers: count(row, 5)?,
            };
            answers.push((key, since.map(|day| (day, counted)), Vec::new()));
        }
        if let (Some(place), Some((_, _, first))) = (place, answers.last_mut()) {
            first.push(place);
        }
        Ok(())
    })?;
    Ok(answers
        .into_iter()
        .map(|(key, followed, first)| {
            let answer = match followed {
                Some((since, counted)) => FollowUp::of(since, counted, first),
                None => FollowUp::NotFollowed,
            };
            (key, answer)
        })
        .collect())
}
