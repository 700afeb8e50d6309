//! The facts a dispute's recommendation weighs: what its verification found, the customer's
//! relationship with the business over the year before it, and their other disputes.

use crate::engine::StorageError;
use crate::engine::sql::{Db, params};
use crate::engine::stored::Cells;
use redress_domain::recommendation::{DisputeHistory, Relationship, Verification};
use redress_domain::{Date, Decimal, Verdict};

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

fn days_before(date: Date, days: i64) -> String {
    date.checked_sub(jiff::Span::new().days(days))
        .unwrap_or(date)
        .to_string()
}

/// The facts of dispute `id` (`None`: no such dispute).
pub(crate) fn facts(db: &mut dyn Db, id: &str) -> Result<Option<DisputeFacts>, StorageError> {
    let Some((customer, invoice, verification, opened_on)) = db.row(
        "SELECT customer_id, invoice_id, currency, claimed_amount, verdict, adjustment, \
             line_no, opened_on FROM disputes WHERE id = ?",
        params![id],
        |row| {
            let cells = Cells::new(row, "disputes", id);
            let verification = Verification {
                verdict: cells.parsed(4, "verdict", "a verdict", Verdict::from_name)?,
                adjustment: cells.amount(5, "adjustment")?,
                claimed: cells.amount(3, "claimed_amount")?,
                currency: cells.currency(2, "currency")?,
                line_no: row.opt_int(6)?.and_then(|n| u32::try_from(n).ok()),
                paid: Decimal::ZERO,
            };
            Ok((
                row.string(0)?,
                row.string(1)?,
                verification,
                cells.date(7, "opened_on")?,
            ))
        },
    )?
    else {
        return Ok(None);
    };
    let (code, opened) = (verification.currency.code(), opened_on.to_string());
    let year_ago = days_before(opened_on, 365);
    let quarter_ago = days_before(opened_on, 90);
    let paid: Decimal = db
        .rows(
            "SELECT amount FROM payments WHERE invoice_id = ?",
            params![&invoice],
            |row| Cells::new(row, "payments", format!("of {invoice}")).amount(0, "amount"),
        )?
        .into_iter()
        .sum();
    let since = db
        .row(
            "SELECT customer_since FROM customers WHERE id = ?",
            params![&customer],
            |row| Cells::new(row, "customers", customer.as_str()).date(0, "customer_since"),
        )?
        .ok_or_else(|| StorageError::Corrupt(format!("dispute {id}: no customer")))?;
    let relationship = relationship(db, &customer, since, code, opened_on)?;
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
        if verdict == Verdict::Rejected.as_str() {
            history.rejected_last_year += 1;
        }
    }
    Ok(Some(DisputeFacts {
        verification: Verification {
            paid,
            ..verification
        },
        relationship,
        history,
    }))
}

/// `customer`'s relationship with the business in `code` over the year to `as_of`: their
/// tenure since `since`, what they were invoiced, and how many of the invoices that fell due
/// by then were paid in full by their due date.
pub(crate) fn relationship(
    db: &mut dyn Db,
    customer: &str,
    since: Date,
    code: &str,
    as_of: Date,
) -> Result<Relationship, StorageError> {
    let (year_ago, as_of_text) = (days_before(as_of, 365), as_of.to_string());
    let tenure_days = since
        .until(as_of)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0);
    // The year's invoices in the currency, and what was paid of each by its due date.
    let invoices = db.rows(
        "SELECT id, total, due_date FROM invoices WHERE customer_id = ? AND currency = ? \
         AND issue_date > ? AND issue_date <= ?",
        params![customer, code, &year_ago, &as_of_text],
        |row| {
            let id = row.string(0)?;
            let total = Cells::new(row, "invoices", id.as_str()).amount(1, "total")?;
            Ok((id, total, row.string(2)?))
        },
    )?;
    let mut relationship = Relationship {
        tenure_days,
        ..Relationship::default()
    };
    for (invoice_id, total, due) in invoices {
        relationship.revenue += total;
        if due.as_str() >= as_of_text.as_str() {
            continue;
        }
        relationship.invoices_due += 1;
        let in_time: Decimal = db
            .rows(
                "SELECT amount FROM payments WHERE invoice_id = ? AND paid_on <= ?",
                params![&invoice_id, &due],
                |row| Cells::new(row, "payments", format!("of {invoice_id}")).amount(0, "amount"),
            )?
            .into_iter()
            .sum();
        if in_time >= total {
            relationship.paid_on_time += 1;
        }
    }
    Ok(relationship)
}
