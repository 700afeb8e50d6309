//! The documents Redress issues besides credit notes: corrected invoices, numbered without gaps
//! in a series of their own, and payment plans with the instalments received on them. Neither
//! ever changes once written; what happens after (an instalment received) is a new posting.

use crate::audit_log::{append, now};
use crate::ledger::{
    CreditNote, NewCreditNote, account_for_posting, account_of_customer, amount, currency,
    issue_in, next_number, post_entry,
};
use crate::sql::{Db, Row, params};
use crate::{StorageError, Store, Work};
use redress_domain::Decimal;
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{CustomerAccount, EntryKind, LedgerError, LedgerInvoice, LedgerLine};
use redress_domain::resolution::PaymentPlan;

/// An invoice Redress issued in place of a wrong one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedInvoice {
    /// Its id: the series and the number, e.g. `RI-2026-000007`.
    pub id: String,
    /// Its series, e.g. `RI-2026`.
    pub series: String,
    /// Its number in the series, from 1, without gaps.
    pub number: i64,
    /// `corrected` (in place of a wrong invoice) or `arrears` (what an arrears case found
    /// under-billed).
    pub kind: String,
    /// The invoice it replaces (voided by a credit note), for a corrected one.
    pub corrects_invoice_id: Option<String>,
    /// The arrears case it bills, for an arrears invoice.
    pub arrears_case_id: Option<String>,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The tax rate, as the contract has it; where its lines are taxed at several rates (the
    /// arrears of contracts taxed differently), each rate, `, `-separated.
    pub tax_rate_percent: String,
    /// Its lines.
    pub lines: Vec<IssuedLine>,
    /// Net.
    pub subtotal: String,
    /// Tax at the rate.
    pub tax_total: String,
    /// Net and tax.
    pub total: String,
    /// Why it was re-issued.
    pub reason: String,
    /// When.
    pub issued_at: String,
    /// Who.
    pub issued_by: String,
}

/// A line of an invoice Redress issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedLine {
    /// Its number, from 1.
    pub line_no: u32,
    /// Its net amount.
    pub amount: String,
    /// The tax rate charged on it, in percent.
    pub tax_rate_percent: String,
}

impl IssuedInvoice {
    /// What the ledger keeps of it.
    pub(crate) fn ledger_invoice(&self) -> Result<LedgerInvoice, StorageError> {
        Ok(LedgerInvoice {
            id: self.id.clone(),
            currency: currency(&self.currency)?,
            lines: self
                .lines
                .iter()
                .map(|line| {
                    Ok(LedgerLine {
                        line_no: line.line_no,
                        net: amount(&line.amount)?,
                        tax_rate_percent: amount(&line.tax_rate_percent)?,
                    })
                })
                .collect::<Result<_, StorageError>>()?,
            subtotal: amount(&self.subtotal)?,
            tax_total: amount(&self.tax_total)?,
            total: amount(&self.total)?,
        })
    }
}

/// The rates of `lines`, as an issued invoice states its rate: the one rate, or each.
fn rates_of(lines: &[LedgerLine]) -> String {
    let mut rates: Vec<Decimal> = lines
        .iter()
        .map(|l| l.tax_rate_percent.normalize())
        .collect();
    rates.sort();
    rates.dedup();
    rates
        .iter()
        .map(Decimal::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an invoice was not corrected. Nothing was written, and no number was taken.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// No such invoice is stored.
    #[error("invoice_id: no invoice `{0}` is stored")]
    UnknownInvoice(String),
    /// A corrected line the invoice does not have.
    #[error("invoice {invoice} has no line {line_no}")]
    UnknownLine {
        /// The invoice.
        invoice: String,
        /// The line asked for.
        line_no: u32,
    },
    /// A corrected amount below zero or off the currency's grid.
    #[error(
        "line {line_no}: {amount} is not a line amount in {currency} (zero or more, at most {minor_unit} decimals)"
    )]
    NotALineAmount {
        /// The line.
        line_no: u32,
        /// The amount given.
        amount: Decimal,
        /// The invoice's currency.
        currency: &'static str,
        /// Its decimals.
        minor_unit: u32,
    },
    /// The corrected lines are what the invoice already charges.
    #[error("the corrected lines are what invoice {0} already charges; nothing to correct")]
    NothingToCorrect(String),
    /// A payment plan still expects instalments on the invoice: voiding it would leave the
    /// plan collecting what is no longer owed.
    #[error(
        "invoice {invoice} has {planned} still due on a payment plan; it cannot be re-issued until the plan is paid"
    )]
    Planned {
        /// The invoice.
        invoice: String,
        /// What its plans still expect.
        planned: Decimal,
    },
    /// The invoice was credited in full already: there is nothing left to void.
    #[error("invoice {0} was credited in full already; there is nothing left to re-issue")]
    AlreadyVoided(String),
    /// The ledger refused the voiding credit note or the new invoice.
    #[error("{0}")]
    Refused(#[from] LedgerError),
    /// The credit note voiding the invoice was refused.
    #[error(transparent)]
    CreditNote(#[from] crate::ledger::CreditNoteError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

const ISSUED_INVOICE_COLUMNS: &str = "id, series, number, kind, corrects_invoice_id, \
     arrears_case_id, customer_id, currency, tax_rate_percent, lines_json, subtotal, tax_total, \
     total, reason, issued_at, issued_by";

/// An issued invoice's line as stored: `[line_no, "amount", "rate"]`, or (written before lines
/// had rates of their own) `[line_no, "amount"]`, at the invoice's rate.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum StoredLine {
    Rated(u32, String, String),
    AtInvoiceRate(u32, String),
}

fn read_issued_invoice(row: &dyn Row) -> Result<IssuedInvoice, StorageError> {
    let stored: Vec<StoredLine> = serde_json::from_str(row.text(9)?)
        .map_err(|e| StorageError::Corrupt(format!("an issued invoice's lines: {e}")))?;
    let rate = row.string(8)?;
    let lines = stored
        .into_iter()
        .map(|line| match line {
            StoredLine::Rated(line_no, amount, tax_rate_percent) => IssuedLine {
                line_no,
                amount,
                tax_rate_percent,
            },
            StoredLine::AtInvoiceRate(line_no, amount) => IssuedLine {
                line_no,
                amount,
                tax_rate_percent: rate.clone(),
            },
        })
        .collect();
    Ok(IssuedInvoice {
        id: row.string(0)?,
        series: row.string(1)?,
        number: row.int(2)?,
        kind: row.string(3)?,
        corrects_invoice_id: row.opt_string(4)?,
        arrears_case_id: row.opt_string(5)?,
        customer_id: row.string(6)?,
        currency: row.string(7)?,
        tax_rate_percent: row.string(8)?,
        lines,
        subtotal: row.string(10)?,
        tax_total: row.string(11)?,
        total: row.string(12)?,
        reason: row.string(13)?,
        issued_at: row.string(14)?,
        issued_by: row.string(15)?,
    })
}

/// The issued invoice with this id, within the open transaction (or outside any).
pub(crate) fn issued_invoice_in(
    db: &mut dyn Db,
    id: &str,
) -> Result<Option<IssuedInvoice>, StorageError> {
    db.row(
        &format!("SELECT {ISSUED_INVOICE_COLUMNS} FROM issued_invoices WHERE id = ?"),
        params![id],
        read_issued_invoice,
    )
}

/// The customer of a stored invoice: a billing one, or one Redress issued.
pub(crate) fn customer_of_invoice(
    db: &mut dyn Db,
    invoice_id: &str,
) -> Result<Option<String>, StorageError> {
    db.row(
        "SELECT customer_id FROM invoices WHERE id = ? \
         UNION ALL SELECT customer_id FROM issued_invoices WHERE id = ?",
        params![invoice_id, invoice_id],
        |row| row.string(0),
    )
}

/// What an invoice Redress issues is for.
pub(crate) enum InvoicePurpose<'a> {
    /// In place of this wrong invoice.
    Corrects(&'a str),
    /// The arrears of this case.
    Arrears(&'a str),
}

/// Issues an invoice of `lines` (`(line number, net amount)`) to `customer_id` within the open
/// transaction: numbered next in the series `prefix`-YEAR, with tax at `rate`, posted to the
/// customer's ledger (`account` as it stands) and recorded in the audit log.
#[allow(clippy::too_many_arguments)]
pub(crate) fn issue_invoice_in(
    db: &mut dyn Db,
    account: &mut CustomerAccount,
    purpose: InvoicePurpose<'_>,
    customer_id: &str,
    currency: redress_domain::Currency,
    lines: Vec<LedgerLine>,
    reason: &str,
    actor: &str,
) -> Result<IssuedInvoice, CorrectionError> {
    let (kind, prefix, corrects, case) = match purpose {
        InvoicePurpose::Corrects(invoice) => ("corrected", "RI", Some(invoice), None),
        InvoicePurpose::Arrears(case) => ("arrears", "AI", None, Some(case)),
    };
    let series = format!("{prefix}-{}", &now()[..4]);
    let number = next_number(db, &series)?;
    let id = format!("{series}-{number:06}");
    let new = LedgerInvoice::issued(id.clone(), currency, lines.clone());
    let (subtotal, tax_total) = (new.subtotal, new.tax_total);
    let issued = IssuedInvoice {
        id,
        series,
        number,
        kind: kind.to_owned(),
        corrects_invoice_id: corrects.map(str::to_owned),
        arrears_case_id: case.map(str::to_owned),
        customer_id: customer_id.to_owned(),
        currency: currency.code().to_owned(),
        tax_rate_percent: rates_of(&lines),
        lines: lines
            .iter()
            .map(|line| IssuedLine {
                line_no: line.line_no,
                amount: currency.format(line.net),
                tax_rate_percent: line.tax_rate_percent.normalize().to_string(),
            })
            .collect(),
        subtotal: currency.format(subtotal),
        tax_total: currency.format(tax_total),
        total: currency.format(new.total()),
        reason: reason.to_owned(),
        issued_at: now(),
        issued_by: actor.to_owned(),
    };
    let entry = account.post_invoice(new)?.clone();
    let stored: Vec<StoredLine> = issued
        .lines
        .iter()
        .map(|l| StoredLine::Rated(l.line_no, l.amount.clone(), l.tax_rate_percent.clone()))
        .collect();
    let lines_json = serde_json::to_string(&stored).unwrap_or_else(|_| "[]".into());
    let i = &issued;
    db.execute(
        &format!(
            "INSERT INTO issued_invoices ({ISSUED_INVOICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        params![
            &i.id, &i.series, i.number, &i.kind, &i.corrects_invoice_id, &i.arrears_case_id,
            &i.customer_id, &i.currency, &i.tax_rate_percent, &lines_json, &i.subtotal,
            &i.tax_total, &i.total, &i.reason, &i.issued_at, &i.issued_by,
        ],
    )?;
    post_entry(
        db,
        customer_id,
        &entry,
        corrects.or(case),
        &i.issued_at,
        actor,
    )?;
    let after = serde_json::json!({
        "id": i.id, "kind": i.kind, "corrects_invoice_id": i.corrects_invoice_id,
        "arrears_case_id": i.arrears_case_id, "lines": stored, "subtotal": i.subtotal,
        "tax_total": i.tax_total, "total": i.total, "currency": i.currency, "reason": i.reason,
    });
    append(
        db,
        NewEvent {
            occurred_at: i.issued_at.clone(),
            actor: actor.to_owned(),
            entity: "invoice".into(),
            entity_id: i.id.clone(),
            action: "issued".into(),
            before: None,
            after: Some(after.to_string()),
        },
    )?;
    Ok(issued)
}

/// Re-issues `invoice_id` with `corrected` line amounts (`(line number, net amount)`; the lines
/// not named are kept, a line of zero is dropped) within the open transaction: the old invoice
/// is voided by a credit note of everything its lines have left to credit, and the new one is
/// numbered next in its series and posted. Gives both.
pub(crate) fn correct_invoice_in(
    db: &mut dyn Db,
    invoice_id: &str,
    corrected: &[(u32, Decimal)],
    reason: &str,
    actor: &str,
) -> Result<(CreditNote, IssuedInvoice), CorrectionError> {
    let customer_id = customer_of_invoice(db, invoice_id)?
        .ok_or_else(|| CorrectionError::UnknownInvoice(invoice_id.to_owned()))?;
    let mut account = account_for_posting(db, &customer_id)?;
    let old = account
        .posted_invoice(invoice_id)
        .cloned()
        .ok_or_else(|| CorrectionError::UnknownInvoice(invoice_id.to_owned()))?;
    let currency = old.currency;
    let mut lines = old.lines.clone();
    for &(line_no, value) in corrected {
        if value < Decimal::ZERO || !currency.holds(value) {
            return Err(CorrectionError::NotALineAmount {
                line_no,
                amount: value,
                currency: currency.code(),
                minor_unit: currency.minor_unit(),
            });
        }
        let line = lines
            .iter_mut()
            .find(|l| l.line_no == line_no)
            .ok_or_else(|| CorrectionError::UnknownLine {
                invoice: invoice_id.to_owned(),
                line_no,
            })?;
        line.net = value;
    }
    lines.retain(|line| line.net > Decimal::ZERO);
    let kept: Vec<LedgerLine> = old
        .lines
        .iter()
        .copied()
        .filter(|line| line.net > Decimal::ZERO)
        .collect();
    if lines == kept {
        return Err(CorrectionError::NothingToCorrect(invoice_id.to_owned()));
    }
    let planned = account.planned_on(invoice_id);
    if planned > Decimal::ZERO {
        return Err(CorrectionError::Planned {
            invoice: invoice_id.to_owned(),
            planned,
        });
    }
    let to_void: Vec<(u32, Decimal)> = account
        .left_to_credit(invoice_id)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, left)| *left > Decimal::ZERO)
        .collect();
    if to_void.is_empty() {
        return Err(CorrectionError::AlreadyVoided(invoice_id.to_owned()));
    }
    let void = issue_in(
        db,
        &NewCreditNote {
            invoice_id: invoice_id.to_owned(),
            lines: to_void,
            reason: format!("{reason} (voids {invoice_id}, which is re-issued)"),
        },
        actor,
    )?;
    let issued = issue_invoice_in(
        db,
        &mut account,
        InvoicePurpose::Corrects(invoice_id),
        &customer_id,
        currency,
        lines,
        reason,
        actor,
    )?;
    Ok((void, issued))
}

/// A payment plan agreed with a customer, with what has been received on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    /// Its id.
    pub id: String,
    /// The resolution that agreed it, if one did.
    pub resolution_id: Option<String>,
    /// The arrears case that agreed it, if one did.
    pub arrears_case_id: Option<String>,
    /// The invoice whose open balance it spreads.
    pub invoice_id: String,
    /// The customer.
    pub customer_id: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What it spreads.
    pub total: String,
    /// Its instalments, in order.
    pub instalments: Vec<StoredInstalment>,
    /// When it was agreed.
    pub agreed_at: String,
    /// By whom.
    pub agreed_by: String,
}

/// One instalment of a stored plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInstalment {
    /// From 1.
    pub number: u32,
    /// When it is due (`YYYY-MM-DD`).
    pub due_on: String,
    /// How much.
    pub amount: String,
    /// The payment that paid it, once received: `{plan}-{number}`.
    pub paid_by: Option<String>,
}

/// Why an instalment was not recorded as received. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum InstalmentError {
    /// No such plan.
    #[error("no payment plan has the id `{0}`")]
    UnknownPlan(String),
    /// No such instalment in the plan.
    #[error("payment plan {plan} has no instalment {number} (it has {count})")]
    UnknownInstalment {
        /// The plan.
        plan: String,
        /// The number asked for.
        number: u32,
        /// How many it has.
        count: usize,
    },
    /// Received already.
    #[error(
        "instalment {number} of payment plan {plan} was received already, as payment {payment}"
    )]
    AlreadyPaid {
        /// The plan.
        plan: String,
        /// The instalment.
        number: u32,
        /// Its payment.
        payment: String,
    },
    /// The ledger refused it.
    #[error("{0}")]
    Refused(#[from] LedgerError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The document of the payment of instalment `number` of `plan`.
fn instalment_payment(plan: &str, number: u32) -> String {
    format!("{plan}-{number}")
}

fn load_plan(db: &mut dyn Db, id: &str) -> Result<Option<StoredPlan>, StorageError> {
    let Some(mut plan) = db.row(
        "SELECT id, resolution_id, invoice_id, customer_id, currency, total, instalments_json, \
         agreed_at, agreed_by, arrears_case_id FROM payment_plans WHERE id = ?",
        params![id],
        |row| {
            let instalments: Vec<(String, String)> = serde_json::from_str(row.text(6)?)
                .map_err(|e| StorageError::Corrupt(format!("a payment plan's instalments: {e}")))?;
            let id = row.string(0)?;
            Ok(StoredPlan {
                instalments: instalments
                    .into_iter()
                    .zip(1..)
                    .map(|((due_on, amount), number)| StoredInstalment {
                        number,
                        due_on,
                        amount,
                        paid_by: None,
                    })
                    .collect(),
                id,
                resolution_id: row.opt_string(1)?,
                arrears_case_id: row.opt_string(9)?,
                invoice_id: row.string(2)?,
                customer_id: row.string(3)?,
                currency: row.string(4)?,
                total: row.string(5)?,
                agreed_at: row.string(7)?,
                agreed_by: row.string(8)?,
            })
        },
    )?
    else {
        return Ok(None);
    };
    let paid = db.rows(
        "SELECT document FROM ledger_postings WHERE kind = 'payment' AND reference = ?",
        params![&plan.id],
        |row| row.string(0),
    )?;
    for instalment in &mut plan.instalments {
        let document = instalment_payment(&plan.id, instalment.number);
        if paid.contains(&document) {
            instalment.paid_by = Some(document);
        }
    }
    Ok(Some(plan))
}

/// What agreed a payment plan.
#[derive(Clone, Copy)]
pub(crate) enum PlanAgreedBy<'a> {
    /// This resolution of a dispute.
    Resolution(&'a str),
    /// This arrears case.
    ArrearsCase(&'a str),
}

/// Checks `plan` against what `invoice_id` has open in the account of `customer_id` (as it
/// stands) and writes it, within the open transaction.
pub(crate) fn agree_plan_in<E: From<LedgerError> + From<StorageError>>(
    db: &mut dyn Db,
    (customer_id, account): (&str, &mut CustomerAccount),
    agreed_by: PlanAgreedBy<'_>,
    invoice_id: &str,
    plan: &PaymentPlan,
    actor: &str,
) -> Result<StoredPlan, E> {
    let id = crate::new_id("PLN");
    account.agree_plan(&id, invoice_id, plan)?;
    let customer_id = customer_id.to_owned();
    let currency = plan.currency();
    let total = plan.total();
    let instalments: Vec<(String, String)> = plan
        .instalments()
        .iter()
        .map(|i| (i.due_on.to_string(), currency.format(i.amount)))
        .collect();
    let stored = StoredPlan {
        id,
        resolution_id: match agreed_by {
            PlanAgreedBy::Resolution(id) => Some(id.to_owned()),
            PlanAgreedBy::ArrearsCase(_) => None,
        },
        arrears_case_id: match agreed_by {
            PlanAgreedBy::ArrearsCase(id) => Some(id.to_owned()),
            PlanAgreedBy::Resolution(_) => None,
        },
        invoice_id: invoice_id.to_owned(),
        customer_id,
        currency: currency.code().to_owned(),
        total: currency.format(total),
        instalments: instalments
            .iter()
            .zip(1..)
            .map(|((due_on, amount), number)| StoredInstalment {
                number,
                due_on: due_on.clone(),
                amount: amount.clone(),
                paid_by: None,
            })
            .collect(),
        agreed_at: now(),
        agreed_by: actor.to_owned(),
    };
    let s = &stored;
    let json = serde_json::to_string(&instalments).unwrap_or_else(|_| "[]".into());
    db.execute(
        "INSERT INTO payment_plans (id, resolution_id, arrears_case_id, invoice_id, customer_id, \
         currency, total, instalments_json, agreed_at, agreed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            &s.id,
            &s.resolution_id,
            &s.arrears_case_id,
            &s.invoice_id,
            &s.customer_id,
            &s.currency,
            &s.total,
            &json,
            &s.agreed_at,
            &s.agreed_by,
        ],
    )?;
    let after = serde_json::json!({
        "id": s.id, "invoice_id": s.invoice_id, "customer_id": s.customer_id,
        "resolution_id": s.resolution_id, "arrears_case_id": s.arrears_case_id,
        "currency": s.currency, "total": s.total, "instalments": instalments,
    });
    append(
        db,
        NewEvent {
            occurred_at: s.agreed_at.clone(),
            actor: actor.to_owned(),
            entity: "payment_plan".into(),
            entity_id: s.id.clone(),
            action: "agreed".into(),
            before: None,
            after: Some(after.to_string()),
        },
    )?;
    Ok(stored)
}

impl Store {
    /// What a stored invoice has open as the ledger stands, and how much of that payment plans
    /// already agreed still expect: `(open, planned)` (`None`: no such invoice).
    pub async fn open_on_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<(Decimal, Decimal)>, StorageError> {
        let invoice_id = invoice_id.to_owned();
        self.read(move |db| {
            let Some(customer_id) = customer_of_invoice(db, &invoice_id)? else {
                return Ok(None);
            };
            let account = account_of_customer(db, &customer_id)?;
            Ok(Some((
                account.open_on(&invoice_id),
                account.planned_on(&invoice_id),
            )))
        })
        .await
    }

    /// The net amount of each line of a stored invoice, in line order (`None`: no such
    /// invoice).
    pub async fn invoice_line_amounts(
        &self,
        invoice_id: &str,
    ) -> Result<Option<Vec<(u32, Decimal)>>, StorageError> {
        let invoice_id = invoice_id.to_owned();
        self.run(move |db| {
            let lines = db.rows(
                "SELECT line_no, amount FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no",
                params![&invoice_id],
                |row| {
                    let line_no = u32::try_from(row.int(0)?)
                        .map_err(|_| StorageError::Corrupt("an invoice line number".into()))?;
                    Ok((line_no, amount(row.text(1)?)?))
                },
            )?;
            Ok((!lines.is_empty()).then_some(lines))
        })
        .await
    }

    /// The corrected invoice with this id.
    pub async fn issued_invoice(&self, id: &str) -> Result<Option<IssuedInvoice>, StorageError> {
        let id = id.to_owned();
        self.run(move |db| issued_invoice_in(db, &id)).await
    }

    /// The payment plan with this id, with the instalments received.
    pub async fn payment_plan(&self, id: &str) -> Result<Option<StoredPlan>, StorageError> {
        let id = id.to_owned();
        self.read(move |db| load_plan(db, &id)).await
    }

    /// The payment plans of a customer, oldest first.
    pub async fn payment_plans_of(
        &self,
        customer_id: &str,
    ) -> Result<Vec<StoredPlan>, StorageError> {
        let customer_id = customer_id.to_owned();
        self.read(move |db| {
            let ids = db.rows(
                "SELECT id FROM payment_plans WHERE customer_id = ? ORDER BY agreed_at, id",
                params![&customer_id],
                |row| row.string(0),
            )?;
            ids.iter()
                .filter_map(|id| load_plan(db, id).transpose())
                .collect()
        })
        .await
    }

    /// Records instalment `number` of a plan as received: a payment of its amount against the
    /// plan's invoice, posted to the ledger once and recorded in the audit log.
    pub async fn receive_instalment(
        &self,
        plan_id: &str,
        number: u32,
        actor: &str,
    ) -> Result<StoredPlan, InstalmentError> {
        self.perform(receive_instalment(plan_id, number, actor))
            .await
    }
}

/// Records instalment `number` of a plan as received (see [`Store::receive_instalment`]).
pub fn receive_instalment(
    plan_id: &str,
    number: u32,
    actor: &str,
) -> Work<StoredPlan, InstalmentError> {
    let (plan_id, actor) = (plan_id.to_owned(), actor.to_owned());
    Work::new(move |db| {
        let plan = load_plan(db, &plan_id)?
            .ok_or_else(|| InstalmentError::UnknownPlan(plan_id.clone()))?;
        let count = plan.instalments.len();
        let instalment = usize::try_from(number)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| plan.instalments.get(i))
            .ok_or_else(|| InstalmentError::UnknownInstalment {
                plan: plan_id.clone(),
                number,
                count,
            })?;
        if let Some(payment) = &instalment.paid_by {
            return Err(InstalmentError::AlreadyPaid {
                plan: plan_id.clone(),
                number,
                payment: payment.clone(),
            });
        }
        let mut account = account_for_posting(db, &plan.customer_id)?;
        let document = instalment_payment(&plan.id, number);
        let entry = account
            .receive_instalment(&plan.id, number, &document)?
            .clone();
        debug_assert_eq!(entry.kind, EntryKind::Payment);
        let at = now();
        post_entry(db, &plan.customer_id, &entry, Some(&plan.id), &at, &actor)?;
        let after = serde_json::json!({
            "plan": plan.id, "instalment": number, "amount": instalment.amount,
            "currency": plan.currency, "invoice_id": plan.invoice_id,
        });
        append(
            db,
            NewEvent {
                occurred_at: at,
                actor: actor.clone(),
                entity: "payment".into(),
                entity_id: document,
                action: "received".into(),
                before: None,
                after: Some(after.to_string()),
            },
        )?;
        Ok(load_plan(db, &plan_id)?.expect("read above"))
    })
}
