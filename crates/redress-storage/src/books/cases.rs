//! Errors the business finds itself, from an audit of the stored data: an arrears case for each
//! customer it under-billed (contacted before anything is billed, then settled the way the
//! customer chooses), and systemic issues, many findings of one cause, to fix at the source.

use super::account::account_for_posting;
use super::documents::StoredPlan;
use super::invoices::{CorrectionError, InvoicePurpose, issue_invoice_in, rates_of};
use super::plans::{PlanAgreedBy, agree_plan_in};
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{amount, currency, new_id, now};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::arrears::{ArrearsStatus, ArrearsStep};
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{LedgerError, LedgerLine, tax_on};
use redress_domain::resolution::{ApprovalError, PaymentPlan};
use redress_domain::{Date, Decimal};

/// What one invoice (or one never-billed delivery period) of an arrears case was under-billed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArrearsItem {
    /// The invoice, or `None` for deliveries never billed.
    pub invoice_id: Option<String>,
    /// What it is, for people: "INV-H1 line 1: billed at 120.00 a unit, the contract's price is 240.00".
    pub explanation: String,
    /// Under-billed, net of tax (above zero).
    pub net: String,
    /// The tax rate charged on it, in percent: its contract's. (Cases found before items had
    /// rates of their own hold none: the case's rate is theirs.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_percent: Option<String>,
}

/// An arrears case found by an audit, to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArrearsCase {
    /// The customer.
    pub customer_id: String,
    /// The currency of the contracts.
    pub currency: String,
    /// What was under-billed, item by item, each with its contract's tax rate.
    pub items: Vec<ArrearsItem>,
    /// The findings it rests on, in a stable form, so that the same findings open one case.
    pub fingerprint: String,
}

/// An arrears case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrearsCase {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Where it stands.
    pub status: ArrearsStatus,
    /// The contract's tax rate; where the items are taxed at several rates, each, `, `-separated.
    pub tax_rate_percent: String,
    /// What was under-billed.
    pub items: Vec<ArrearsItem>,
    /// Net under-billed.
    pub net: String,
    /// Tax on it.
    pub tax: String,
    /// Net and tax: what the customer owes.
    pub total: String,
    /// When the audit found it, and who ran it.
    pub found_at: String,
    /// Who ran the audit.
    pub found_by: String,
    /// When the customer was contacted.
    pub offered_at: Option<String>,
    /// Who contacted them.
    pub offered_by: Option<String>,
    /// How they were contacted, and what they were told.
    pub offer_note: Option<String>,
    /// The option the customer chose: `next_invoice`, `separate_invoice`, `payment_plan` or
    /// `waive`.
    pub choice: Option<String>,
    /// When.
    pub chosen_at: Option<String>,
    /// Who recorded it.
    pub chosen_by: Option<String>,
    /// The approver who approved (or refused) a waiver.
    pub decided_by: Option<String>,
    /// The arrears invoice issued.
    pub document_id: Option<String>,
    /// The payment plan agreed.
    pub plan_id: Option<String>,
    /// When it was settled.
    pub settled_at: Option<String>,
}

/// How a customer chose to settle arrears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArrearsChoice {
    /// Added to their next invoice: owed from now, billed with the next one.
    NextInvoice,
    /// Billed on an invoice of its own, now.
    SeparateInvoice,
    /// Billed now and paid over monthly instalments.
    PaymentPlan {
        /// How many.
        instalments: u32,
        /// When the first is due.
        first_due_on: Date,
    },
    /// Forgone: needs an approver.
    Waive,
}

impl ArrearsChoice {
    /// Its name in the API.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NextInvoice => "next_invoice",
            Self::SeparateInvoice => "separate_invoice",
            Self::PaymentPlan { .. } => "payment_plan",
            Self::Waive => "waive",
        }
    }
}

/// Why a step of an arrears case was not taken. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ArrearsError {
    /// No such case.
    #[error("no arrears case has the id `{0}`")]
    NotFound(String),
    /// The step does not fit where the case stands.
    #[error("arrears case {id} is {status}: {what}")]
    WrongStatus {
        /// The case.
        id: String,
        /// Where it stands.
        status: ArrearsStatus,
        /// What may be done from here.
        what: &'static str,
    },
    /// The one acting may not decide it.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// The plan asked for does not work.
    #[error("instalment_count: {0}")]
    Plan(String),
    /// The ledger refused what settling it posts.
    #[error("{0}")]
    Refused(#[from] LedgerError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<CorrectionError> for ArrearsError {
    fn from(e: CorrectionError) -> Self {
        match e {
            CorrectionError::Storage(e) => Self::Storage(e),
            CorrectionError::Refused(e) => Self::Refused(e),
            other => Self::Storage(StorageError::Corrupt(other.to_string())),
        }
    }
}

/// Many findings of one cause, across customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemicIssue {
    /// What groups them: the finding kind and the cause, e.g. `price_mismatch sku POS`.
    pub key: String,
    /// The finding kind.
    pub kind: String,
    /// The cause in words.
    pub cause: String,
    /// How many findings.
    pub finding_count: u64,
    /// Every customer affected, with the impact on them (signed, net): `(customer, currency,
    /// impact)`.
    pub customers: Vec<(String, String, String)>,
    /// The total impact in each currency.
    pub impact: Vec<(String, String)>,
    /// When first found.
    pub first_found_at: String,
    /// When last found.
    pub last_found_at: String,
}

const CASE_COLUMNS: &str = "id, customer_id, currency, status, tax_rate_percent, invoices_json, \
     net, tax, total, found_at, found_by, offered_at, offered_by, offer_note, choice, chosen_at, \
     chosen_by, decided_by, document_id, plan_id, settled_at";

fn read_case(row: &dyn Row) -> Result<ArrearsCase, StorageError> {
    let id = row.string(0)?;
    let items: Vec<ArrearsItem> = serde_json::from_str(row.text(5)?)
        .map_err(|e| StorageError::Corrupt(format!("arrears_cases.invoices_json of {id}: {e}")))?;
    let status = row.text(3)?;
    let status = ArrearsStatus::from_name(status).ok_or_else(|| {
        StorageError::Corrupt(format!("arrears_cases.status of {id}: `{status}`"))
    })?;
    Ok(ArrearsCase {
        id,
        customer_id: row.string(1)?,
        currency: row.string(2)?,
        status,
        tax_rate_percent: row.string(4)?,
        items,
        net: row.string(6)?,
        tax: row.string(7)?,
        total: row.string(8)?,
        found_at: row.string(9)?,
        found_by: row.string(10)?,
        offered_at: row.opt_string(11)?,
        offered_by: row.opt_string(12)?,
        offer_note: row.opt_string(13)?,
        choice: row.opt_string(14)?,
        chosen_at: row.opt_string(15)?,
        chosen_by: row.opt_string(16)?,
        decided_by: row.opt_string(17)?,
        document_id: row.opt_string(18)?,
        plan_id: row.opt_string(19)?,
        settled_at: row.opt_string(20)?,
    })
}

/// The arrears case with this id; with `locked`, its row locked until the transaction ends,
/// so that a step taken twice at once, through two servers, is taken once.
pub(crate) fn load_case(
    db: &mut dyn Db,
    id: &str,
    locked: bool,
) -> Result<Option<ArrearsCase>, StorageError> {
    let lock = if locked { db.row_lock() } else { "" };
    db.row(
        &format!("SELECT {CASE_COLUMNS} FROM arrears_cases WHERE id = ?{lock}"),
        params![id],
        read_case,
    )
}

fn case_event(
    actor: &str,
    case: &ArrearsCase,
    action: &str,
    before: Option<&ArrearsCase>,
) -> NewEvent {
    let json = |c: &ArrearsCase| {
        serde_json::json!({
            "id": c.id, "customer_id": c.customer_id, "status": c.status.as_str(), "currency": c.currency,
            "net": c.net, "tax": c.tax, "total": c.total, "items": c.items,
            "offer_note": c.offer_note, "choice": c.choice, "decided_by": c.decided_by,
            "document_id": c.document_id, "plan_id": c.plan_id,
        })
        .to_string()
    };
    NewEvent {
        occurred_at: now(),
        actor: actor.to_owned(),
        entity: "arrears_case".into(),
        entity_id: case.id.clone(),
        action: action.into(),
        before: before.map(json),
        after: Some(json(case)),
    }
}

/// Writes the changed workflow columns of `case` and records the step.
fn save(
    db: &mut dyn Db,
    case: &ArrearsCase,
    before: &ArrearsCase,
    action: &str,
    actor: &str,
) -> Result<(), StorageError> {
    db.execute(
        "UPDATE arrears_cases SET status = ?, offered_at = ?, offered_by = ?, offer_note = ?, \
         choice = ?, chosen_at = ?, chosen_by = ?, decided_by = ?, document_id = ?, plan_id = ?, \
         settled_at = ? WHERE id = ?",
        params![
            case.status.as_str(),
            &case.offered_at,
            &case.offered_by,
            &case.offer_note,
            &case.choice,
            &case.chosen_at,
            &case.chosen_by,
            &case.decided_by,
            &case.document_id,
            &case.plan_id,
            &case.settled_at,
            &case.id,
        ],
    )?;
    append(db, case_event(actor, case, action, Some(before)))
}

/// Bills the arrears of `case` on an arrears invoice, and agrees a plan over it when asked.
fn bill(
    db: &mut dyn Db,
    case: &mut ArrearsCase,
    plan: Option<(u32, Date)>,
    actor: &str,
) -> Result<(), ArrearsError> {
    let code = currency(&case.currency)?;
    let lines = case
        .items
        .iter()
        .zip(1..)
        .map(|(item, n)| {
            let rate = item
                .tax_rate_percent
                .as_deref()
                .unwrap_or(&case.tax_rate_percent);
            Ok(LedgerLine {
                line_no: n,
                net: amount(&item.net)?,
                tax_rate_percent: amount(rate)?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let mut account = account_for_posting(db, &case.customer_id)?;
    let how = match plan {
        Some(_) => "paid by instalments",
        None if case.choice.as_deref() == Some("next_invoice") => "billed with the next invoice",
        None => "billed on its own",
    };
    let issued = issue_invoice_in(
        db,
        &mut account,
        InvoicePurpose::Arrears(&case.id),
        &case.customer_id,
        code,
        lines,
        &format!(
            "Arrears of case {}, {how}, as agreed with the customer",
            case.id
        ),
        actor,
    )?;
    if let Some((count, first)) = plan {
        let total = amount(&issued.total)?;
        let schedule = PaymentPlan::monthly(total, code, first, count)
            .map_err(|e| ArrearsError::Plan(e.to_string()))?;
        // The account holds the arrears invoice just issued.
        let stored: StoredPlan = agree_plan_in::<ArrearsError>(
            db,
            (&case.customer_id, &mut account),
            PlanAgreedBy::ArrearsCase(&case.id),
            &issued.id,
            &schedule,
            actor,
        )?;
        case.plan_id = Some(stored.id);
    }
    case.document_id = Some(issued.id);
    Ok(())
}

/// The arrears cases, oldest first; only those in `status` when given.
pub(crate) fn list(
    db: &mut dyn Db,
    status: Option<ArrearsStatus>,
) -> Result<Vec<ArrearsCase>, StorageError> {
    match status {
        Some(status) => db.rows(
            &format!(
                "SELECT {CASE_COLUMNS} FROM arrears_cases WHERE status = ? ORDER BY found_at, id"
            ),
            params![status.as_str()],
            read_case,
        ),
        None => db.rows(
            &format!("SELECT {CASE_COLUMNS} FROM arrears_cases ORDER BY found_at, id"),
            &[],
            read_case,
        ),
    }
}

/// Where `step` takes `case`, by its lifecycle, or why it cannot be taken.
fn step(case: &ArrearsCase, step: ArrearsStep) -> Result<ArrearsStatus, ArrearsError> {
    case.status
        .take(step)
        .map_err(|refused| ArrearsError::WrongStatus {
            id: case.id.clone(),
            status: refused.from,
            what: refused.what,
        })
}

/// Records that the customer was contacted about the arrears and offered the options:
/// nothing is billed before.
pub fn offer(id: &str, note: String, actor: &str) -> Work<ArrearsCase, ArrearsError> {
    let (id, actor) = (id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let before = load_case(db, &id, true)?.ok_or_else(|| ArrearsError::NotFound(id.clone()))?;
        let mut case = before.clone();
        case.status = step(&before, ArrearsStep::Offer)?;
        case.offered_at = Some(now());
        case.offered_by = Some(actor.clone());
        case.offer_note = Some(note);
        save(db, &case, &before, "offered", &actor)?;
        Ok(case)
    })
}

/// Records the option the customer chose and carries it out: an arrears invoice (with a
/// plan over it, when they chose one) posted to their ledger; a waiver waits for an
/// approver. Only once they were offered the options.
pub fn choose(id: &str, choice: ArrearsChoice, actor: &str) -> Work<ArrearsCase, ArrearsError> {
    let (id, actor) = (id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let before = load_case(db, &id, true)?.ok_or_else(|| ArrearsError::NotFound(id.clone()))?;
        let mut case = before.clone();
        case.status = step(
            &before,
            match choice {
                ArrearsChoice::Waive => ArrearsStep::ChooseWaiver,
                _ => ArrearsStep::ChooseBilling,
            },
        )?;
        case.choice = Some(choice.as_str().to_owned());
        case.chosen_at = Some(now());
        case.chosen_by = Some(actor.clone());
        match choice {
            ArrearsChoice::Waive => {}
            ArrearsChoice::NextInvoice | ArrearsChoice::SeparateInvoice => {
                bill(db, &mut case, None, &actor)?;
                case.settled_at = Some(now());
            }
            ArrearsChoice::PaymentPlan {
                instalments,
                first_due_on,
            } => {
                bill(db, &mut case, Some((instalments, first_due_on)), &actor)?;
                case.settled_at = Some(now());
            }
        }
        save(db, &case, &before, "chosen", &actor)?;
        Ok(case)
    })
}

/// Approves (the arrears are forgone, nothing is billed) or refuses (the case goes back to
/// the customer's options) a waiver. Whether `actor` may decide is the caller's to check.
pub fn decide_waiver(id: &str, approve: bool, actor: &str) -> Work<ArrearsCase, ArrearsError> {
    decide_waiver_as(id, approve, actor, Box::new(|_| Ok(())))
}

/// Who may decide a waiver, asked in the transaction that decides it, of the case as it stands.
pub type AuthorizeWaiver = Box<dyn FnOnce(&ArrearsCase) -> Result<(), ApprovalError> + Send>;

/// Approves or refuses a waiver, once `authorize` allows `actor` to.
pub fn decide_waiver_as(
    id: &str,
    approve: bool,
    actor: &str,
    authorize: AuthorizeWaiver,
) -> Work<ArrearsCase, ArrearsError> {
    let (id, actor) = (id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let before = load_case(db, &id, true)?.ok_or_else(|| ArrearsError::NotFound(id.clone()))?;
        authorize(&before)?;
        let mut case = before.clone();
        case.status = step(
            &before,
            if approve {
                ArrearsStep::ApproveWaiver
            } else {
                ArrearsStep::RefuseWaiver
            },
        )?;
        case.decided_by = Some(actor.clone());
        if approve {
            case.settled_at = Some(now());
        } else {
            case.choice = None;
            case.chosen_at = None;
            case.chosen_by = None;
        }
        let action = if approve { "waived" } else { "waiver_refused" };
        save(db, &case, &before, action, &actor)?;
        Ok(case)
    })
}

/// What recording an audit's findings did.
#[derive(Debug, Clone)]
pub struct FindingsRecorded {
    /// Arrears cases opened now.
    pub opened: Vec<ArrearsCase>,
    /// Cases of the same findings that were open already.
    pub already_open: u64,
    /// Every systemic issue, as it now stands.
    pub systemic_issues: Vec<SystemicIssue>,
}

/// Opens the arrears cases an audit found (those whose findings already have a case are left
/// as they are) and records its systemic issues, in one transaction; gives what it opened and
/// the systemic issues as they now stand.
pub fn record_findings(
    cases: Vec<NewArrearsCase>,
    issues: Vec<SystemicIssue>,
    actor: &str,
) -> Work<FindingsRecorded, StorageError> {
    let actor = actor.to_owned();
    Work::new(move |db| {
        let mut opened = Vec::new();
        let mut there = 0;
        for new in cases {
            let code = currency(&new.currency)?;
            let mut rated = Vec::with_capacity(new.items.len());
            for item in &new.items {
                let rate = item.tax_rate_percent.as_deref().ok_or_else(|| {
                    StorageError::Corrupt(format!(
                        "an arrears item of {} has no tax rate",
                        new.customer_id
                    ))
                })?;
                rated.push((amount(&item.net)?, amount(rate)?));
            }
            let net: Decimal = rated.iter().map(|(net, _)| *net).sum();
            let tax = tax_on(code, rated.iter().copied());
            let case = ArrearsCase {
                id: new_id("ARR"),
                customer_id: new.customer_id,
                currency: new.currency,
                status: ArrearsStatus::Open,
                tax_rate_percent: rates_of(rated.iter().map(|(_, rate)| *rate)),
                items: new.items,
                net: code.format(net),
                tax: code.format(tax),
                total: code.format(net + tax),
                found_at: now(),
                found_by: actor.clone(),
                offered_at: None,
                offered_by: None,
                offer_note: None,
                choice: None,
                chosen_at: None,
                chosen_by: None,
                decided_by: None,
                document_id: None,
                plan_id: None,
                settled_at: None,
            };
            let items = serde_json::to_string(&case.items)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let c = &case;
            let written = db.execute(
                    "INSERT INTO arrears_cases (id, customer_id, currency, fingerprint, status, \
                     tax_rate_percent, invoices_json, net, tax, total, found_at, found_by) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING",
                    params![
                        &c.id, &c.customer_id, &c.currency, &new.fingerprint, c.status.as_str(),
                        &c.tax_rate_percent, &items, &c.net, &c.tax, &c.total, &c.found_at,
                        &c.found_by,
                    ],
                )?;
            if written == 0 {
                there += 1;
                continue;
            }
            append(db, case_event(&actor, &case, "found", None))?;
            opened.push(case);
        }
        for issue in issues {
            let customers = serde_json::to_string(&issue.customers)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let impact = serde_json::to_string(&issue.impact)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let at = now();
            db.execute(
                    "INSERT INTO systemic_issues (key, kind, cause, finding_count, customer_count, \
                     customers_json, impact_json, first_found_at, last_found_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET \
                     finding_count = excluded.finding_count, customer_count = excluded.customer_count, \
                     customers_json = excluded.customers_json, impact_json = excluded.impact_json, \
                     last_found_at = excluded.last_found_at",
                    params![
                        &issue.key, &issue.kind, &issue.cause, issue.finding_count as i64,
                        issue.customers.len() as i64, &customers, &impact, &at, &at,
                    ],
                )?;
        }
        Ok(FindingsRecorded {
            opened,
            already_open: there,
            systemic_issues: systemic_issues_in(db)?,
        })
    })
}

/// The systemic issues, most customers first, within the open transaction (or outside any).
pub(crate) fn systemic_issues_in(db: &mut dyn Db) -> Result<Vec<SystemicIssue>, StorageError> {
    db.rows(
        "SELECT key, kind, cause, finding_count, customers_json, impact_json, \
                 first_found_at, last_found_at FROM systemic_issues \
                 ORDER BY customer_count DESC, finding_count DESC, key",
        &[],
        |row| {
            let json = |i: usize| -> Result<Vec<(String, String, String)>, StorageError> {
                serde_json::from_str(row.text(i)?).map_err(|e| StorageError::Corrupt(e.to_string()))
            };
            let impact: Vec<(String, String)> = serde_json::from_str(row.text(5)?)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            Ok(SystemicIssue {
                key: row.string(0)?,
                kind: row.string(1)?,
                cause: row.string(2)?,
                finding_count: row.int(3)? as u64,
                customers: json(4)?,
                impact,
                first_found_at: row.string(6)?,
                last_found_at: row.string(7)?,
            })
        },
    )
}
