//! Errors the business finds itself, from an audit of the stored data: an arrears case for each
//! customer it under-billed (contacted before anything is billed, then settled the way the
//! customer chooses), and systemic issues, many findings of one cause, to fix at the source.

use super::account::account_for_posting;
use super::documents::StoredPlan;
use super::invoices::{CorrectionError, InvoicePurpose, issue_invoice_in};
use super::plans::{PlanAgreedBy, agree_plan_in};
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{
    Cells, StoredCurrency, StoredDate, StoredDecimal, new_id, this_moment,
};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_audit::FindingKind;
pub use redress_domain::arrears::{ArrearsChoice, Compromise, CompromiseBilling, CompromiseError};
use redress_domain::arrears::{
    ArrearsOption, ArrearsStatus, ArrearsStep, apportion_waived, check_compromise,
};
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{LedgerError, LedgerLine, TaxRates, tax_on};
use redress_domain::resolution::{ApprovalError, PaymentPlan, PlanError};
use redress_domain::{Currency, Date, Decimal, Money, Period, Timestamp, timestamp_text};
use std::collections::HashSet;

/// What one invoice (or one never-billed delivery period) of an arrears case was under-billed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrearsItem {
    /// The invoice, or `None` for deliveries never billed.
    pub invoice_id: Option<String>,
    /// What it is, for people: "INV-H1 line 1: billed at 120.00 a unit, the contract's price is 240.00".
    pub explanation: String,
    /// Under-billed, net of tax (above zero), in the case's currency.
    pub net: Decimal,
    /// The tax rate charged on it, in percent: its contract's. (Cases found before items had
    /// rates of their own hold none: the case's rate is theirs.)
    pub tax_rate_percent: Option<Decimal>,
    /// The kind of finding it rests on, so that later invoices can be checked for the same
    /// error. (Cases found before items kept it hold none.)
    pub kind: Option<FindingKind>,
    /// The period it was under-billed for: the line's, else the invoice's (its charge lines'
    /// first to last day); for deliveries never billed, the first day of their billing
    /// period. (Cases found before items kept it hold none.)
    pub period: Option<Period>,
}

/// An arrears item as stored in a case's `invoices_json` (and shown in the audit log).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredItem {
    invoice_id: Option<String>,
    explanation: String,
    net: StoredDecimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_rate_percent: Option<StoredDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<StoredKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<(StoredDate, StoredDate)>,
}

/// A finding kind as a stored JSON document writes it: its name (`price_mismatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredKind(FindingKind);

impl serde::Serialize for StoredKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for StoredKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        FindingKind::from_name(&text)
            .map(Self)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a finding kind")))
    }
}

/// `items` as stored, their amounts with `currency`'s decimals.
fn stored_items(currency: Currency, items: &[ArrearsItem]) -> Vec<StoredItem> {
    items
        .iter()
        .map(|item| StoredItem {
            invoice_id: item.invoice_id.clone(),
            explanation: item.explanation.clone(),
            net: StoredDecimal(currency.shown(item.net)),
            tax_rate_percent: item.tax_rate_percent.map(StoredDecimal),
            kind: item.kind.map(StoredKind),
            period: item
                .period
                .map(|p| (StoredDate(p.start()), StoredDate(p.end()))),
        })
        .collect()
}

/// An arrears case found by an audit, to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArrearsCase {
    /// The customer.
    pub customer_id: String,
    /// The currency of the contracts.
    pub currency: Currency,
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
    /// The currency of its amounts.
    pub currency: Currency,
    /// Where it stands.
    pub status: ArrearsStatus,
    /// The contract's tax rate; where the items are taxed at several rates, each.
    pub tax_rate_percent: TaxRates,
    /// What was under-billed.
    pub items: Vec<ArrearsItem>,
    /// Net under-billed.
    pub net: Decimal,
    /// Tax on it.
    pub tax: Decimal,
    /// Net and tax: what the customer owes.
    pub total: Decimal,
    /// When the audit found it, and who ran it.
    pub found_at: Timestamp,
    /// Who ran the audit.
    pub found_by: String,
    /// When the customer was contacted.
    pub offered_at: Option<Timestamp>,
    /// Who contacted them.
    pub offered_by: Option<String>,
    /// How they were contacted, and what they were told.
    pub offer_note: Option<String>,
    /// The option the customer chose (a plan's terms are the plan's: `plan_id`; a
    /// compromise's are `compromise`).
    pub choice: Option<ArrearsOption>,
    /// A compromise's terms: the part waived and how the rest is billed. Recorded with the
    /// choice, kept once approved (the part waived is what the business forwent), gone when
    /// refused.
    pub compromise: Option<Compromise>,
    /// When.
    pub chosen_at: Option<Timestamp>,
    /// Who recorded it.
    pub chosen_by: Option<String>,
    /// The approver who approved (or refused) what the customer asked to have forgone: a
    /// waiver or a compromise.
    pub decided_by: Option<String>,
    /// The arrears invoice issued.
    pub document_id: Option<String>,
    /// The payment plan agreed.
    pub plan_id: Option<String>,
    /// When it was settled.
    pub settled_at: Option<Timestamp>,
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
    Plan(PlanError),
    /// The amount a compromise waives does not work for the case.
    #[error("waived: {0}")]
    Compromise(#[from] CompromiseError),
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

/// Many findings of one cause, across customers, as an audit finds them (to record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSystemicIssue {
    /// What groups them: the finding kind and the cause, e.g. `price_mismatch sku POS`.
    pub key: String,
    /// The finding kind.
    pub kind: FindingKind,
    /// The cause in words.
    pub cause: String,
    /// How many findings.
    pub finding_count: u64,
    /// Every customer affected, with the impact on them (signed, net).
    pub customers: Vec<CustomerImpact>,
    /// The total impact in each currency.
    pub impact: Vec<Money>,
    /// The last day of its findings' periods (see [`ArrearsItem::period`]), so that invoices
    /// after it show whether the cause was fixed; `None` when none has a period.
    pub found_through: Option<Date>,
}

/// Many findings of one cause, across customers, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemicIssue {
    /// What groups them: the finding kind and the cause, e.g. `price_mismatch sku POS`.
    pub key: String,
    /// The finding kind.
    pub kind: FindingKind,
    /// The cause in words.
    pub cause: String,
    /// How many findings.
    pub finding_count: u64,
    /// Every customer affected, with the impact on them (signed, net).
    pub customers: Vec<CustomerImpact>,
    /// The total impact in each currency.
    pub impact: Vec<Money>,
    /// When first found.
    pub first_found_at: Timestamp,
    /// When last found.
    pub last_found_at: Timestamp,
    /// The last day of its findings' periods when it was first found (kept when found again):
    /// later invoices show whether the cause was fixed. `None` for issues found before Redress
    /// kept it, until an audit finds them again.
    pub found_through: Option<Date>,
}

/// A customer a systemic issue affects, and how much: signed, net (above zero: charged too
/// much).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerImpact {
    /// The customer.
    pub customer_id: String,
    /// The impact on them.
    pub impact: Money,
}

const CASE_COLUMNS: &str = "id, customer_id, currency, status, tax_rate_percent, invoices_json, \
     net, tax, total, found_at, found_by, offered_at, offered_by, offer_note, choice, chosen_at, \
     chosen_by, decided_by, document_id, plan_id, settled_at, waived_amount, compromise_billing";

fn read_case(row: &dyn Row) -> Result<ArrearsCase, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "arrears_cases", id.clone());
    Ok(ArrearsCase {
        customer_id: row.string(1)?,
        currency: cells.currency(2, "currency")?,
        status: cells.parsed(
            3,
            "status",
            "an arrears case status",
            ArrearsStatus::from_name,
        )?,
        tax_rate_percent: cells.parsed(
            4,
            "tax_rate_percent",
            "tax rates in percent, `, `-separated",
            TaxRates::parse,
        )?,
        items: cells
            .json::<Vec<StoredItem>>(
                5,
                "invoices_json",
                "a JSON list of arrears items ({invoice_id, explanation, net, tax_rate_percent, \
                 kind, period: [start, end]})",
            )?
            .into_iter()
            .map(|item| {
                let period = match item.period {
                    Some((start, end)) => Some(Period::new(start.0, end.0).map_err(|e| {
                        cells.unreadable(
                            "invoices_json",
                            &e.to_string(),
                            "arrears items whose periods end after they start",
                        )
                    })?),
                    None => None,
                };
                Ok(ArrearsItem {
                    invoice_id: item.invoice_id,
                    explanation: item.explanation,
                    net: item.net.0,
                    tax_rate_percent: item.tax_rate_percent.map(|rate| rate.0),
                    kind: item.kind.map(|kind| kind.0),
                    period,
                })
            })
            .collect::<Result<_, StorageError>>()?,
        net: cells.amount(6, "net")?,
        tax: cells.amount(7, "tax")?,
        total: cells.amount(8, "total")?,
        found_at: cells.timestamp(9, "found_at")?,
        found_by: row.string(10)?,
        offered_at: cells.opt_timestamp(11, "offered_at")?,
        offered_by: row.opt_string(12)?,
        offer_note: row.opt_string(13)?,
        choice: cells.opt_parsed(
            14,
            "choice",
            "an option of settling arrears",
            ArrearsOption::from_name,
        )?,
        chosen_at: cells.opt_timestamp(15, "chosen_at")?,
        chosen_by: row.opt_string(16)?,
        decided_by: row.opt_string(17)?,
        document_id: row.opt_string(18)?,
        plan_id: row.opt_string(19)?,
        settled_at: cells.opt_timestamp(20, "settled_at")?,
        compromise: read_compromise(&cells)?,
        id,
    })
}

/// A compromise's terms, from the case's `waived_amount` (21) and `compromise_billing` (22):
/// both or neither.
fn read_compromise(cells: &Cells<'_>) -> Result<Option<Compromise>, StorageError> {
    let waived = cells.opt_amount(21, "waived_amount")?;
    let billing = cells.opt_parsed(
        22,
        "compromise_billing",
        "how a compromise's rest is billed (next_invoice or separate_invoice)",
        CompromiseBilling::from_name,
    )?;
    match (waived, billing) {
        (Some(waived), Some(billing)) => Ok(Some(Compromise { waived, billing })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(cells.unreadable(
            "compromise_billing",
            "NULL",
            "how the rest is billed, beside the amount a compromise waives",
        )),
        (None, Some(_)) => Err(cells.unreadable(
            "waived_amount",
            "NULL",
            "the amount a compromise waives, beside how its rest is billed",
        )),
    }
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
        let currency = c.currency;
        let mut json = serde_json::json!({
            "id": c.id, "customer_id": c.customer_id, "status": c.status.as_str(),
            "currency": currency.code(), "net": currency.format(c.net),
            "tax": currency.format(c.tax), "total": currency.format(c.total),
            "items": stored_items(currency, &c.items), "offer_note": c.offer_note,
            "choice": c.choice.map(ArrearsOption::as_str), "decided_by": c.decided_by,
            "document_id": c.document_id, "plan_id": c.plan_id,
        });
        // Only a compromise's events say what it waived, so that the others read as before.
        if let (Some(terms), Some(fields)) = (c.compromise, json.as_object_mut()) {
            fields.insert(
                "compromise".into(),
                serde_json::json!({
                    "waived": currency.format(terms.waived),
                    "billing": terms.billing.as_str(),
                }),
            );
        }
        json.to_string()
    };
    NewEvent {
        occurred_at: timestamp_text(this_moment()),
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
    let text = |moment: Option<Timestamp>| moment.map(timestamp_text);
    let (offered_at, chosen_at, settled_at) = (
        text(case.offered_at),
        text(case.chosen_at),
        text(case.settled_at),
    );
    let waived = case
        .compromise
        .map(|terms| case.currency.format(terms.waived));
    db.execute(
        "UPDATE arrears_cases SET status = ?, offered_at = ?, offered_by = ?, offer_note = ?, \
         choice = ?, chosen_at = ?, chosen_by = ?, decided_by = ?, document_id = ?, plan_id = ?, \
         settled_at = ?, waived_amount = ?, compromise_billing = ? WHERE id = ?",
        params![
            case.status.as_str(),
            &offered_at,
            &case.offered_by,
            &case.offer_note,
            case.choice.map(ArrearsOption::as_str),
            &chosen_at,
            &case.chosen_by,
            &case.decided_by,
            &case.document_id,
            &case.plan_id,
            &settled_at,
            &waived,
            case.compromise.map(|terms| terms.billing.as_str()),
            &case.id,
        ],
    )?;
    append(db, case_event(actor, case, action, Some(before)))
}

/// Bills the arrears of `case` on an arrears invoice, and agrees a plan over it when asked. Of
/// a compromise, only the rest is billed: the part waived taken off each item in proportion
/// (each line then taxed at its item's rate, as every arrears line is).
fn bill(
    db: &mut dyn Db,
    case: &mut ArrearsCase,
    plan: Option<(u32, Date)>,
    actor: &str,
) -> Result<(), ArrearsError> {
    let code = case.currency;
    let nets: Vec<Decimal> = case.items.iter().map(|item| item.net).collect();
    let waived = match case.compromise {
        Some(terms) => apportion_waived(terms.waived, &nets, code),
        None => vec![Decimal::ZERO; nets.len()],
    };
    let lines = case
        .items
        .iter()
        .zip(waived)
        .map(|(item, waived)| (item, item.net - waived))
        // An item waived whole (a compromise over items of a few cents) is not billed.
        .filter(|(_, net)| !net.is_zero())
        .zip(1..)
        .map(|((item, net), n)| {
            // An item stored before items had rates of their own is at the case's one rate.
            let rate = item
                .tax_rate_percent
                .or_else(|| case.tax_rate_percent.single())
                .ok_or_else(|| StorageError::Unreadable {
                    table: "arrears_cases",
                    row: case.id.clone(),
                    column: "tax_rate_percent",
                    value: case.tax_rate_percent.to_string(),
                    expected: "one tax rate, for the items stored without their own",
                })?;
            Ok(LedgerLine {
                line_no: n,
                net,
                tax_rate_percent: rate,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let mut account = account_for_posting(db, &case.customer_id)?;
    let how = match (plan, case.compromise) {
        (Some(_), _) => "paid by instalments".to_owned(),
        (None, Some(terms)) => format!(
            "less {} {} waived, the rest billed {}",
            code.format(terms.waived),
            code.code(),
            match terms.billing {
                CompromiseBilling::NextInvoice => "with the next invoice",
                CompromiseBilling::SeparateInvoice => "on its own",
            }
        ),
        (None, None) if case.choice == Some(ArrearsOption::NextInvoice) => {
            "billed with the next invoice".to_owned()
        }
        (None, None) => "billed on its own".to_owned(),
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
        let schedule =
            PaymentPlan::monthly(issued.total, code, first, count).map_err(ArrearsError::Plan)?;
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
        case.offered_at = Some(this_moment());
        case.offered_by = Some(actor.clone());
        case.offer_note = Some(note);
        save(db, &case, &before, "offered", &actor)?;
        Ok(case)
    })
}

/// Records the option the customer chose and carries it out: an arrears invoice (with a
/// plan over it, when they chose one) posted to their ledger; a waiver, or a compromise (its
/// terms checked against the case), waits for an approver. Only once they were offered the
/// options.
pub fn choose(id: &str, choice: ArrearsChoice, actor: &str) -> Work<ArrearsCase, ArrearsError> {
    let (id, actor) = (id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let before = load_case(db, &id, true)?.ok_or_else(|| ArrearsError::NotFound(id.clone()))?;
        let mut case = before.clone();
        case.status = step(&before, choice.step())?;
        case.choice = Some(choice.option());
        case.chosen_at = Some(this_moment());
        case.chosen_by = Some(actor.clone());
        match choice {
            ArrearsChoice::Waive => {}
            ArrearsChoice::Compromise { waived, billing } => {
                check_compromise(waived, case.net, case.currency)?;
                case.compromise = Some(Compromise {
                    waived: case.currency.shown(waived),
                    billing,
                });
            }
            ArrearsChoice::NextInvoice | ArrearsChoice::SeparateInvoice => {
                bill(db, &mut case, None, &actor)?;
                case.settled_at = Some(this_moment());
            }
            ArrearsChoice::PaymentPlan {
                instalments,
                first_due_on,
            } => {
                bill(db, &mut case, Some((instalments, first_due_on)), &actor)?;
                case.settled_at = Some(this_moment());
            }
        }
        save(db, &case, &before, "chosen", &actor)?;
        Ok(case)
    })
}

/// Approves or refuses what the customer asked to have forgone. Approved, a waiver forgoes the
/// arrears (nothing is billed) and a compromise bills the rest the way the customer chose;
/// refused, the case goes back to the customer's options. Whether `actor` may decide is the
/// caller's to check.
pub fn decide_forgone(id: &str, approve: bool, actor: &str) -> Work<ArrearsCase, ArrearsError> {
    decide_forgone_as(id, approve, actor, Box::new(|_| Ok(())))
}

/// Who may decide what is forgone (a waiver, a compromise), asked in the transaction that
/// decides it, of the case as it stands.
pub type AuthorizeForgoing = Box<dyn FnOnce(&ArrearsCase) -> Result<(), ApprovalError> + Send>;

/// Approves or refuses what the customer asked to have forgone, once `authorize` allows
/// `actor` to.
pub fn decide_forgone_as(
    id: &str,
    approve: bool,
    actor: &str,
    authorize: AuthorizeForgoing,
) -> Work<ArrearsCase, ArrearsError> {
    let (id, actor) = (id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let before = load_case(db, &id, true)?.ok_or_else(|| ArrearsError::NotFound(id.clone()))?;
        authorize(&before)?;
        let mut case = before.clone();
        case.status = step(
            &before,
            if approve {
                ArrearsStep::ApproveForgoing
            } else {
                ArrearsStep::RefuseForgoing
            },
        )?;
        case.decided_by = Some(actor.clone());
        let compromise = case.compromise.is_some();
        if approve {
            if compromise {
                bill(db, &mut case, None, &actor)?;
            }
            case.settled_at = Some(this_moment());
        } else {
            case.choice = None;
            case.chosen_at = None;
            case.chosen_by = None;
            case.compromise = None;
        }
        let action = match (compromise, approve) {
            (false, true) => "waived",
            (false, false) => "waiver_refused",
            (true, true) => "compromise_approved",
            (true, false) => "compromise_refused",
        };
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
    issues: Vec<NewSystemicIssue>,
    actor: &str,
) -> Work<FindingsRecorded, StorageError> {
    let actor = actor.to_owned();
    Work::new(move |db| {
        let mut opened = Vec::new();
        let mut there = 0;
        for mut new in cases {
            let code = new.currency;
            // What another case of this customer already holds is not found again: an error
            // that goes on is found by every audit, months already in a case with the new
            // ones, and only what no case holds yet is new (else those months would be billed
            // twice, once by each case).
            let held: HashSet<(Option<String>, String)> = db
                .rows(
                    &format!(
                        "SELECT {CASE_COLUMNS} FROM arrears_cases \
                         WHERE customer_id = ? AND currency = ?"
                    ),
                    params![&new.customer_id, code.code()],
                    read_case,
                )?
                .into_iter()
                .flat_map(|case| case.items)
                .map(|item| (item.invoice_id, item.explanation))
                .collect();
            new.items.retain(|item| {
                !held.contains(&(item.invoice_id.clone(), item.explanation.clone()))
            });
            if new.items.is_empty() {
                there += 1;
                continue;
            }
            let mut rated = Vec::with_capacity(new.items.len());
            for item in &new.items {
                let rate = item.tax_rate_percent.ok_or_else(|| {
                    StorageError::Corrupt(format!(
                        "an arrears item of {} has no tax rate",
                        new.customer_id
                    ))
                })?;
                rated.push((code.shown(item.net), rate));
            }
            let net: Decimal = rated.iter().map(|(net, _)| *net).sum();
            let tax = tax_on(code, rated.iter().copied());
            let items: Vec<ArrearsItem> = new
                .items
                .into_iter()
                .map(|item| ArrearsItem {
                    net: code.shown(item.net),
                    ..item
                })
                .collect();
            let case = ArrearsCase {
                id: new_id("ARR"),
                customer_id: new.customer_id,
                currency: code,
                status: ArrearsStatus::Open,
                tax_rate_percent: TaxRates::of(rated.iter().map(|(_, rate)| *rate)),
                items,
                net: code.shown(net),
                tax: code.shown(tax),
                total: code.shown(net + tax),
                found_at: this_moment(),
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
                compromise: None,
            };
            let items = serde_json::to_string(&stored_items(code, &case.items))
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let c = &case;
            let (rates, net, tax, total, found_at) = (
                c.tax_rate_percent.to_string(),
                code.format(c.net),
                code.format(c.tax),
                code.format(c.total),
                timestamp_text(c.found_at),
            );
            let written = db.execute(
                "INSERT INTO arrears_cases (id, customer_id, currency, fingerprint, status, \
                 tax_rate_percent, invoices_json, net, tax, total, found_at, found_by) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING",
                params![
                    &c.id,
                    &c.customer_id,
                    code.code(),
                    &new.fingerprint,
                    c.status.as_str(),
                    &rates,
                    &items,
                    &net,
                    &tax,
                    &total,
                    &found_at,
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
            let customers: Vec<(&str, &str, String)> = issue
                .customers
                .iter()
                .map(|c| {
                    let Money { amount, currency } = c.impact;
                    (
                        c.customer_id.as_str(),
                        currency.code(),
                        currency.format(amount),
                    )
                })
                .collect();
            let impact: Vec<(&str, String)> = issue
                .impact
                .iter()
                .map(|m| (m.currency.code(), m.currency.format(m.amount)))
                .collect();
            let customers = serde_json::to_string(&customers)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let impact =
                serde_json::to_string(&impact).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let at = timestamp_text(this_moment());
            let through = issue.found_through.map(|day| day.to_string());
            // The issue's first findings are what later invoices are compared with: an issue
            // found again keeps its day (one found before Redress kept it takes this one).
            db.execute(
                "INSERT INTO systemic_issues (key, kind, cause, finding_count, customer_count, \
                 customers_json, impact_json, first_found_at, last_found_at, found_through) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET \
                 finding_count = excluded.finding_count, customer_count = excluded.customer_count, \
                 customers_json = excluded.customers_json, impact_json = excluded.impact_json, \
                 last_found_at = excluded.last_found_at, \
                 found_through = COALESCE(systemic_issues.found_through, excluded.found_through)",
                params![
                    &issue.key,
                    issue.kind.as_str(),
                    &issue.cause,
                    issue.finding_count as i64,
                    issue.customers.len() as i64,
                    &customers,
                    &impact,
                    &at,
                    &at,
                    &through,
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
                 first_found_at, last_found_at, found_through FROM systemic_issues \
                 ORDER BY customer_count DESC, finding_count DESC, key",
        &[],
        |row| {
            let key = row.string(0)?;
            let cells = Cells::new(row, "systemic_issues", key.clone());
            let customers: Vec<(String, StoredCurrency, StoredDecimal)> = cells.json(
                4,
                "customers_json",
                "a JSON list of [customer, currency, \"impact\"]",
            )?;
            let impact: Vec<(StoredCurrency, StoredDecimal)> =
                cells.json(5, "impact_json", "a JSON list of [currency, \"impact\"]")?;
            let money = |currency: StoredCurrency, amount: StoredDecimal| Money {
                currency: currency.0,
                amount: amount.0,
            };
            let customers = customers
                .into_iter()
                .map(|(customer_id, currency, impact)| CustomerImpact {
                    customer_id,
                    impact: money(currency, impact),
                })
                .collect();
            let impact = impact
                .into_iter()
                .map(|(currency, amount)| money(currency, amount))
                .collect();
            Ok(SystemicIssue {
                kind: cells.parsed(1, "kind", "a finding kind", FindingKind::from_name)?,
                cause: row.string(2)?,
                finding_count: row.int(3)? as u64,
                customers,
                impact,
                first_found_at: cells.timestamp(6, "first_found_at")?,
                last_found_at: cells.timestamp(7, "last_found_at")?,
                found_through: cells.opt_date(8, "found_through")?,
                key,
            })
        },
    )
}
