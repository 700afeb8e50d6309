//! Payment plans: agreed with a customer over what an invoice has open (by a resolution or an
//! arrears case), and the instalments received on them, each a payment posted once.

use super::account::{account_for_posting, post_entry};
use super::documents::{StoredInstalment, StoredPlan, instalment_payment, load_plan};
use crate::engine::sql::{Db, params};
use crate::engine::stored::{new_id, this_moment};
use crate::engine::transaction::append;
use crate::engine::{StorageError, Work};
use redress_domain::audit_log::NewEvent;
use redress_domain::ledger::{CustomerAccount, EntryKind, LedgerError};
use redress_domain::resolution::PaymentPlan;
use redress_domain::timestamp_text;

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
    let id = new_id("PLN");
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
        currency,
        total: currency.shown(total),
        instalments: plan
            .instalments()
            .iter()
            .zip(1..)
            .map(|(instalment, number)| StoredInstalment {
                number,
                due_on: instalment.due_on,
                amount: currency.shown(instalment.amount),
                paid_by: None,
            })
            .collect(),
        agreed_at: this_moment(),
        agreed_by: actor.to_owned(),
    };
    let s = &stored;
    let json = serde_json::to_string(&instalments).unwrap_or_else(|_| "[]".into());
    let (total, agreed_at) = (currency.format(s.total), timestamp_text(s.agreed_at));
    db.execute(
        "INSERT INTO payment_plans (id, resolution_id, arrears_case_id, invoice_id, customer_id, \
         currency, total, instalments_json, agreed_at, agreed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            &s.id,
            &s.resolution_id,
            &s.arrears_case_id,
            &s.invoice_id,
            &s.customer_id,
            currency.code(),
            &total,
            &json,
            &agreed_at,
            &s.agreed_by,
        ],
    )?;
    let after = serde_json::json!({
        "id": s.id, "invoice_id": s.invoice_id, "customer_id": s.customer_id,
        "resolution_id": s.resolution_id, "arrears_case_id": s.arrears_case_id,
        "currency": currency.code(), "total": total, "instalments": instalments,
    });
    append(
        db,
        NewEvent {
            occurred_at: agreed_at,
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

/// Records instalment `number` of a plan as received: a payment of its amount against the
/// plan's invoice, posted to the ledger once and recorded in the audit log.
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
        let at = this_moment();
        post_entry(db, &plan.customer_id, &entry, Some(&plan.id), at, &actor)?;
        let after = serde_json::json!({
            "plan": plan.id, "instalment": number,
            "amount": plan.currency.format(instalment.amount),
            "currency": plan.currency.code(), "invoice_id": plan.invoice_id,
        });
        append(
            db,
            NewEvent {
                occurred_at: timestamp_text(at),
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
