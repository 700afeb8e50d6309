//! The facts a dispute's recommendation weighs: what its verification found, the customer's
//! relationship with the business over the year before it, and their other disputes.

use crate::engine::StorageError;
use crate::engine::sql::{Db, params};
use crate::engine::stored::{amount, currency};
use redress_domain::recommendation::{DisputeHistory, Relationship, Verification};
use redress_domain::{Date, Decimal, parse_date};

/// What a dispute's recommendation is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeFacts {
    /// What the verification found.
    pub verification: Verification,
    /// The customer's relationship, over the year before the dispute was opened.
    pub relationship: Relationship,
    /// Their other disputes.
    pub history: DisputeHistory,
}

fn day(text: &str) -> Result<Date, StorageError> {
    parse_date(text).map_err(|e| StorageError::Corrupt(format!("a stored date `{text}`: {e}")))
}

fn days_before(date: Date, days: i64) -> String {
    date.checked_sub(jiff::Span::new().days(days))
        .unwrap_or(date)
        .to_string()
}

/// The facts of dispute `id` (`None`: no such dispute).
pub(crate) fn facts(db: &mut dyn Db, id: &str) -> Result<Option<DisputeFacts>, StorageError> {
    let Some((customer, invoice, code, claimed, verdict, adjustment, line_no, opened)) = db.row(
        "SELECT customer_id, invoice_id, currency, claimed_amount, verdict, adjustment, \
             line_no, opened_on FROM disputes WHERE id = ?",
        params![id],
        |row| {
            Ok((
                row.string(0)?,
                row.string(1)?,
                row.string(2)?,
                row.string(3)?,
                row.string(4)?,
                row.string(5)?,
                row.opt_int(6)?,
                row.string(7)?,
            ))
        },
    )?
    else {
        return Ok(None);
    };
    let currency = currency(&code)?;
    let opened_on = day(&opened)?;
    let year_ago = days_before(opened_on, 365);
    let quarter_ago = days_before(opened_on, 90);
    let paid: Decimal = db
        .rows(
            "SELECT amount FROM payments WHERE invoice_id = ?",
            params![&invoice],
            |row| amount(row.text(0)?),
        )?
        .into_iter()
        .sum();
    let since = db
        .row(
            "SELECT customer_since FROM customers WHERE id = ?",
            params![&customer],
            |row| row.string(0),
        )?
        .ok_or_else(|| StorageError::Corrupt(format!("dispute {id}: no customer")))?;
    let tenure_days = day(&since)?
        .until(opened_on)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0);
    // The year's invoices in the dispute's currency, and what was paid of each by its
    // due date.
    let invoices = db.rows(
        "SELECT id, total, due_date FROM invoices WHERE customer_id = ? AND currency = ? \
         AND issue_date > ? AND issue_date <= ?",
        params![&customer, &code, &year_ago, &opened],
        |row| Ok((row.string(0)?, amount(row.text(1)?)?, row.string(2)?)),
    )?;
    let mut relationship = Relationship {
        tenure_days,
        ..Relationship::default()
    };
    for (invoice_id, total, due) in invoices {
        relationship.revenue += total;
        if due.as_str() >= opened.as_str() {
            continue;
        }
        relationship.invoices_due += 1;
        let in_time: Decimal = db
            .rows(
                "SELECT amount FROM payments WHERE invoice_id = ? AND paid_on <= ?",
                params![&invoice_id, &due],
                |row| amount(row.text(0)?),
            )?
            .into_iter()
            .sum();
        if in_time >= total {
            relationship.paid_on_time += 1;
        }
    }
    let others = db.rows(
        "SELECT opened_on, verdict FROM disputes WHERE customer_id = ? AND id <> ? \
         AND opened_on > ? AND opened_on <= ?",
        params![&customer, id, &year_ago, &opened],
        |row| Ok((row.string(0)?, row.string(1)?)),
    )?;
    let mut history = DisputeHistory::default();
    for (on, verdict) in others {
        history.last_year += 1;
        if on > quarter_ago {
            history.last_quarter += 1;
        }
        if verdict == "rejected" {
            history.rejected_last_year += 1;
        }
    }
    Ok(Some(DisputeFacts {
        verification: Verification {
            verdict,
            adjustment: amount(&adjustment)?,
            claimed: amount(&claimed)?,
            currency,
            line_no: line_no.and_then(|n| u32::try_from(n).ok()),
            paid,
        },
        relationship,
        history,
    }))
}
