//! The figures the analytics page draws, counted by the database: every read here is a
//! `GROUP BY` whose answer is a few rows per month, kind, SKU or customer, however many
//! disputes are stored, so nothing loads the disputes themselves. Amounts stay exact decimal
//! text: credits are grouped by their amount as well, and the service multiplies and adds
//! them (SQLite would add text as floating point).
//!
//! Read with `store.analytics().figures(since)`.

use crate::engine::sql::Db;
use crate::engine::{Backend, StorageError, Store};

/// The analytics' reads: `store.analytics()`.
#[derive(Debug, Clone, Copy)]
pub struct Analytics<'s>(pub(crate) &'s Store);

/// The raw counts behind the analytics page, as the database gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawFigures {
    /// Disputes opened per month (`YYYY-MM`, count), oldest first.
    pub opened_per_month: Vec<(String, u64)>,
    /// Findings per kind (kind's name, findings, disputes with one), most findings first.
    pub findings_per_kind: Vec<(String, u64, u64)>,
    /// Resolved (or since closed) disputes per month they were resolved in and days from
    /// opening to that (`YYYY-MM`, days, count).
    pub resolution_days: Vec<(String, i64, u64)>,
    /// Applied resolutions that give money back or forgo it: (dispute reason, resolution
    /// kind, currency, amount as exact text, how many had that amount).
    pub credits: Vec<(String, String, String, String, u64)>,
    /// Per SKU: disputes of a line of that SKU and invoice lines of it (SKU, disputes, lines).
    pub per_sku: Vec<(String, u64, u64)>,
    /// Customers with at least 3 disputes opened on or after the day given (id, name, count),
    /// most first.
    pub repeat_disputers: Vec<(String, String, u64)>,
    /// Every dispute stored.
    pub disputes: u64,
    /// Every arrears case the audit opened.
    pub arrears_cases: u64,
    /// Every systemic issue the audit found.
    pub systemic_issues: u64,
}

impl Analytics<'_> {
    /// The counts behind the analytics page; repeat disputers count the disputes opened on or
    /// after `since` (`YYYY-MM-DD`).
    pub async fn figures(&self, since: &str) -> Result<RawFigures, StorageError> {
        let since = since.to_owned();
        self.0.run(move |db| figures(db, &since)).await
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn figures(db: &mut dyn Db, since: &str) -> Result<RawFigures, StorageError> {
    let opened_per_month = db.rows(
        "SELECT substr(opened_on, 1, 7), COUNT(*) FROM disputes \
         GROUP BY substr(opened_on, 1, 7) ORDER BY substr(opened_on, 1, 7)",
        &[],
        |row| Ok((row.string(0)?, count(row.int(1)?))),
    )?;
    let findings_sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT json_extract(f.value, '$.kind') AS k, COUNT(*), COUNT(DISTINCT d.id) \
             FROM disputes d, json_each(d.findings_json) f \
             GROUP BY k ORDER BY COUNT(*) DESC, k"
        }
        Backend::Postgres => {
            "SELECT f ->> 'kind' AS k, COUNT(*), COUNT(DISTINCT d.id) \
             FROM disputes d CROSS JOIN LATERAL jsonb_array_elements(d.findings_json::jsonb) f \
             GROUP BY k ORDER BY COUNT(*) DESC, k"
        }
    };
    let findings_per_kind = db.rows(findings_sql, &[], |row| {
        Ok((
            row.opt_string(0)?.unwrap_or_default(),
            count(row.int(1)?),
            count(row.int(2)?),
        ))
    })?;
    let days = match db.backend() {
        Backend::Sqlite => {
            "CAST(julianday(substr(resolved_at, 1, 10)) - julianday(opened_on) AS INTEGER)"
        }
        Backend::Postgres => "(CAST(substr(resolved_at, 1, 10) AS DATE) - CAST(opened_on AS DATE))",
    };
    let resolution_days = db.rows(
        &format!(
            "SELECT substr(resolved_at, 1, 7), {days}, COUNT(*) FROM disputes \
             WHERE resolved_at IS NOT NULL \
             GROUP BY substr(resolved_at, 1, 7), {days} ORDER BY 1, 2"
        ),
        &[],
        |row| Ok((row.string(0)?, row.int(1)?, count(row.int(2)?))),
    )?;
    let credits = db.rows(
        "SELECT d.reason, r.kind, r.currency, r.amount, COUNT(*) \
         FROM resolutions r JOIN disputes d ON d.id = r.dispute_id \
         WHERE r.status = 'applied' AND r.kind NOT IN ('payment_plan', 'reject') \
         GROUP BY d.reason, r.kind, r.currency, r.amount",
        &[],
        |row| {
            Ok((
                row.string(0)?,
                row.string(1)?,
                row.string(2)?,
                row.string(3)?,
                count(row.int(4)?),
            ))
        },
    )?;
    let disputed_skus = db.rows(
        "SELECT l.sku, COUNT(*) FROM disputes d \
         JOIN invoice_lines l ON l.invoice_id = d.invoice_id AND l.line_no = d.line_no \
         WHERE l.sku IS NOT NULL GROUP BY l.sku",
        &[],
        |row| Ok((row.string(0)?, count(row.int(1)?))),
    )?;
    let lines = db.rows(
        "SELECT sku, COUNT(*) FROM invoice_lines WHERE sku IS NOT NULL GROUP BY sku ORDER BY sku",
        &[],
        |row| Ok((row.string(0)?, count(row.int(1)?))),
    )?;
    let per_sku = lines
        .into_iter()
        .map(|(sku, lines)| {
            let disputes = disputed_skus
                .iter()
                .find(|(s, _)| *s == sku)
                .map_or(0, |(_, n)| *n);
            (sku, disputes, lines)
        })
        .collect();
    let repeat_disputers = db.rows(
        "SELECT d.customer_id, c.name, COUNT(*) FROM disputes d \
         JOIN customers c ON c.id = d.customer_id WHERE d.opened_on >= ? \
         GROUP BY d.customer_id, c.name HAVING COUNT(*) >= 3 \
         ORDER BY COUNT(*) DESC, d.customer_id",
        &[since.into()],
        |row| Ok((row.string(0)?, row.string(1)?, count(row.int(2)?))),
    )?;
    let mut total = |sql: &str| -> Result<u64, StorageError> {
        Ok(db.row(sql, &[], |row| row.int(0))?.map_or(0, count))
    };
    Ok(RawFigures {
        opened_per_month,
        findings_per_kind,
        resolution_days,
        credits,
        per_sku,
        repeat_disputers,
        disputes: total("SELECT COUNT(*) FROM disputes")?,
        arrears_cases: total("SELECT COUNT(*) FROM arrears_cases")?,
        systemic_issues: total("SELECT COUNT(*) FROM systemic_issues")?,
    })
}

/// One resolution an agent proposed that was decided (applied or refused at approval), with
/// what the team's view counts of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedResolution {
    /// Who proposed it.
    pub proposed_by: String,
    /// The dispute it resolves.
    pub dispute_id: String,
    /// Applied (`true`) or refused at approval (`false`).
    pub applied: bool,
    /// Whether an approver had to decide it.
    pub needed_approval: bool,
    /// When the dispute was opened.
    pub opened_at: redress_domain::Timestamp,
    /// When it was applied or refused (for one offered, when the customer accepted it).
    pub decided_at: redress_domain::Timestamp,
    /// The customer's satisfaction with the dispute's handling, 1 to 5, if they answered.
    pub satisfaction: Option<u8>,
    /// Whether the customer disputed the same invoice (and line) again afterwards.
    pub disputed_again: bool,
}

impl Analytics<'_> {
    /// Every resolution proposed by someone and decided (applied or refused), with the facts
    /// of the team's view (issue 20), oldest first.
    pub async fn decided_resolutions(&self) -> Result<Vec<DecidedResolution>, StorageError> {
        self.0
            .run(|db| {
                db.rows(
                    "SELECT r.proposed_by, r.dispute_id, r.status, \
                     CASE WHEN r.approval_reason IS NULL THEN 0 ELSE 1 END, d.created_at, \
                     COALESCE(r.answered_at, r.decided_at, r.proposed_at), s.score, \
                     CASE WHEN EXISTS (SELECT 1 FROM disputes later \
                         WHERE later.invoice_id = d.invoice_id AND later.id <> d.id \
                         AND (later.line_no IS NULL OR d.line_no IS NULL OR later.line_no = d.line_no) \
                         AND later.created_at > COALESCE(r.answered_at, r.decided_at, r.proposed_at)) \
                     THEN 1 ELSE 0 END \
                     FROM resolutions r JOIN disputes d ON d.id = r.dispute_id \
                     LEFT JOIN satisfaction s ON s.dispute_id = r.dispute_id \
                     WHERE r.status IN ('applied', 'refused') \
                     ORDER BY 6, r.id",
                    &[],
                    |row| {
                        let dispute_id = row.string(1)?;
                        let cells = crate::engine::stored::Cells::new(
                            row,
                            "resolutions",
                            dispute_id.as_str(),
                        );
                        Ok(DecidedResolution {
                            proposed_by: row.string(0)?,
                            applied: row.string(2)? == "applied",
                            needed_approval: row.int(3)? == 1,
                            opened_at: cells.timestamp(4, "created_at")?,
                            decided_at: cells.timestamp(5, "decided_at")?,
                            satisfaction: row
                                .opt_int(6)?
                                .and_then(|n| u8::try_from(n).ok())
                                .filter(|n| (1..=5).contains(n)),
                            disputed_again: row.int(7)? == 1,
                            dispute_id,
                        })
                    },
                )
            })
            .await
    }
}
