//! The list of disputes: filtered, in one of three orders, a page at a time. Keyset paging: a
//! page costs the same however deep it is, and a dispute opened meanwhile shifts nothing.

use super::record::{COLUMNS, DisputeRow, read_dispute};
use crate::engine::sql::{Db, Value};
use crate::engine::{Backend, StorageError};
use redress_domain::{Currency, Date, DisputeReason, DisputeStatus, timestamp_text};

/// Which disputes to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisputeFilter {
    /// Only in this status.
    pub status: Option<DisputeStatus>,
    /// Only of this customer.
    pub customer_id: Option<String>,
    /// Only of this invoice.
    pub invoice_id: Option<String>,
    /// Only with this reason.
    pub reason: Option<DisputeReason>,
    /// Only assigned to this agent.
    pub assignee: Option<String>,
    /// Only opened on or after this day.
    pub opened_from: Option<Date>,
    /// Only opened on or before this day.
    pub opened_to: Option<Date>,
    /// Only in this currency (needed for amount bounds).
    pub currency: Option<Currency>,
    /// Only claims of at least this many minor units.
    pub min_claimed_minor: Option<i64>,
    /// Only claims of at most this many minor units.
    pub max_claimed_minor: Option<i64>,
    /// Only escalated disputes (`Some(true)`), or only those not escalated (`Some(false)`).
    pub escalated: Option<bool>,
}

impl DisputeFilter {
    /// The first and last opening day wanted, when both are given and at most 92 days apart.
    fn short_period(&self) -> Option<(Date, Date)> {
        let (from, to) = (self.opened_from?, self.opened_to?);
        let days = from.until(to).ok()?.get_days();
        (0..=92).contains(&days).then_some((from, to))
    }
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisputeOrder {
    /// Newest first (the default).
    #[default]
    NewestFirst,
    /// Oldest first.
    OldestFirst,
    /// Largest claim first.
    LargestClaimFirst,
}

/// A page of disputes and the cursor of the next page, if there is one.
#[derive(Debug, Clone)]
pub struct DisputePage {
    /// The disputes.
    pub disputes: Vec<DisputeRow>,
    /// Opaque: pass it back as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// A value bound to a list query.
#[derive(Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    // A NUL is in no cursor this store gives (and PostgreSQL would refuse to compare it).
    String::from_utf8(bytes?)
        .ok()
        .filter(|text| !text.contains('\0'))
}

/// A cursor that is not one this store gave.
#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this list gave")]
pub struct BadCursor;

/// The query of a page, made before a connection is taken: its statement and the values
/// bound to it, and what the next page's cursor is made of.
pub(crate) struct Query {
    sql: String,
    binds: Vec<Bind>,
    /// The column the list is ordered by (then by id).
    key: &'static str,
    limit: u32,
}

impl Query {
    /// The query of the page of the disputes that pass `filter`, in `order`, after `cursor`, on
    /// `backend`; at most `limit` of them (from 1 to 200).
    pub(crate) fn new(
        filter: &DisputeFilter,
        order: DisputeOrder,
        limit: u32,
        cursor: Option<&str>,
        backend: Backend,
    ) -> Result<Self, BadCursor> {
        let mut clauses: Vec<&str> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let mut text = |clause, value: &Option<String>, binds: &mut Vec<Bind>| {
            if let Some(v) = value {
                clauses.push(clause);
                binds.push(Bind::Text(v.clone()));
            }
        };
        text(
            "status = ?",
            &filter.status.map(|s| s.as_str().to_owned()),
            &mut binds,
        );
        text("customer_id = ?", &filter.customer_id, &mut binds);
        text("invoice_id = ?", &filter.invoice_id, &mut binds);
        text(
            "reason = ?",
            &filter.reason.map(|r| r.as_str().to_owned()),
            &mut binds,
        );
        text("assignee = ?", &filter.assignee, &mut binds);
        text(
            "opened_on >= ?",
            &filter.opened_from.map(|d| d.to_string()),
            &mut binds,
        );
        text(
            "opened_on <= ?",
            &filter.opened_to.map(|d| d.to_string()),
            &mut binds,
        );
        text(
            "currency = ?",
            &filter.currency.map(|c| c.code().to_owned()),
            &mut binds,
        );
        // Written out rather than bound, so that the index of escalated disputes (partial,
        // `WHERE escalated = 1`: migration 0018) is seen to serve the query on both backends.
        match filter.escalated {
            Some(true) => clauses.push("escalated = 1"),
            Some(false) => clauses.push("escalated = 0"),
            None => {}
        }
        if let Some(min) = filter.min_claimed_minor {
            clauses.push("claimed_minor >= ?");
            binds.push(Bind::Int(min));
        }
        if let Some(max) = filter.max_claimed_minor {
            clauses.push("claimed_minor <= ?");
            binds.push(Bind::Int(max));
        }
        let (key, direction, after) = match order {
            DisputeOrder::NewestFirst => ("created_at", "DESC", "(created_at, id) < (?, ?)"),
            DisputeOrder::OldestFirst => ("created_at", "ASC", "(created_at, id) > (?, ?)"),
            DisputeOrder::LargestClaimFirst => {
                ("claimed_minor", "DESC", "(claimed_minor, id) < (?, ?)")
            }
        };
        if let Some(cursor) = cursor {
            let Some((value, id)) = unhex(cursor)
                .as_deref()
                .and_then(|c| c.split_once('\u{1f}'))
                .map(|(v, i)| (v.to_owned(), i.to_owned()))
            else {
                return Err(BadCursor);
            };
            clauses.push(after);
            if key == "claimed_minor" {
                let Ok(value) = value.parse::<i64>() else {
                    return Err(BadCursor);
                };
                binds.push(Bind::Int(value));
            } else {
                binds.push(Bind::Text(value));
            }
            binds.push(Bind::Text(id));
        }
        let filter_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let limit = limit.clamp(1, 200);
        let order_by = format!(
            "ORDER BY {key} {direction}, id {direction} LIMIT {}",
            limit + 1
        );
        // A short period is read a day at a time only in the order of recording, so each
        // day's page is in the page's own order: `order_by` serves both.
        let period = filter.short_period().filter(|_| key == "created_at");
        let page = match period {
            Some((from, to)) if backend == Backend::Postgres => {
                // Disputes opened in a short period, newest (or oldest) first: the first page's
                // worth of each opening day, from the index of reasons (or of opening days)
                // by day and time of recording, then merged. Left to itself, PostgreSQL's
                // planner either walks the index of recording from the newest past every
                // dispute opened since (it does not know that recorded and opened go together:
                // a second and more), or sorts every dispute of the period (5 ms for a month of
                // one reason among a million, against 1 ms this way).
                binds.splice(
                    0..0,
                    [Bind::Text(from.to_string()), Bind::Text(to.to_string())],
                );
                Some(format!(
                    "SELECT id FROM (SELECT p.id, p.created_at FROM (SELECT to_char(d, 'YYYY-MM-DD') AS day \
                     FROM generate_series(CAST(CAST(? AS text) AS date), CAST(CAST(? AS text) AS date), interval '1 day') d) days \
                     CROSS JOIN LATERAL (SELECT id, created_at FROM disputes {filter_sql} AND opened_on = days.day \
                     {order_by}) p) period"
                ))
            }
            Some((from, to)) => {
                // The same on SQLite, one arm of a compound select per day (it has no lateral
                // joins): sorting a month of one reason (12,000 of a million disputes) took
                // 2.6 ms and made this the slowest page by far; a page's worth a day, 1.3 ms.
                let arm = format!(
                    "SELECT * FROM (SELECT id, created_at FROM disputes {filter_sql} AND opened_on = ? \
                     {order_by})"
                );
                let each = std::mem::take(&mut binds);
                let mut arms = Vec::new();
                for day in from
                    .series(jiff::Span::new().days(1))
                    .take_while(|day| *day <= to)
                {
                    binds.extend(each.iter().cloned());
                    binds.push(Bind::Text(day.to_string()));
                    arms.push(arm.as_str());
                }
                Some(format!(
                    "SELECT id FROM ({}) period",
                    arms.join(" UNION ALL ")
                ))
            }
            _ => None,
        };
        let sql = match page {
            // A short period: the page's ids from the days' pages, then only those rows.
            Some(page) => format!(
                "SELECT {COLUMNS} FROM disputes WHERE id IN ({page} {order_by}) \
                 ORDER BY {key} {direction}, id {direction}"
            ),
            // Every filter has an index that serves it in order (migration 0010), so the page
            // is read straight from it, a row fetched per dispute the index lets through.
            // (Reading the page's ids from the index first and then their rows looked every
            // one of them up again by id: two thirds of PostgreSQL's work on a page of
            // amounts, by EXPLAIN ANALYZE.)
            None => format!("SELECT {COLUMNS} FROM disputes {filter_sql} {order_by}"),
        };
        Ok(Self {
            sql,
            binds,
            key,
            limit,
        })
    }

    /// Reads the page, and makes the cursor of the next one when there is one.
    pub(crate) fn page(self, db: &mut dyn Db) -> Result<DisputePage, StorageError> {
        let Self {
            sql,
            binds,
            key,
            limit,
        } = self;
        let values: Vec<Value<'_>> = binds
            .iter()
            .map(|bind| match bind {
                Bind::Text(t) => Value::Text(t),
                Bind::Int(n) => Value::Int(*n),
            })
            .collect();
        let mut disputes = db.rows(&sql, &values, read_dispute)?;
        let next_cursor = if disputes.len() > limit as usize {
            disputes.truncate(limit as usize);
            disputes.last().map(|last| {
                let value = if key == "claimed_minor" {
                    last.stored_text().claimed_minor.to_string()
                } else {
                    timestamp_text(last.created_at)
                };
                hex(&format!("{value}\u{1f}{}", last.id))
            })
        } else {
            None
        };
        Ok(DisputePage {
            disputes,
            next_cursor,
        })
    }
}
