//! `redress resolutions …`: resolving disputes from the command line, under the same rules as
//! the API: the caller is the holder of an API token (`--token` or `REDRESS_TOKEN`), an
//! `auditor` may only read, the approval policy applies, and no one approves their own
//! proposal. Every step is an event in the audit log.

use super::database::{DatabaseArgs, runtime};
use super::policy::{PolicyArgs, refuse};
use clap::{Args, Subcommand};
use redress_domain::{Date, Decimal, parse_date, parse_decimal};
use redress_service::records::Resolution;
use redress_service::resolutions::{Proposal, resolution_kind};
use redress_service::{Actor, Redress, ServiceError};

/// Arguments of `redress resolutions`.
#[derive(Args)]
pub struct ResolutionsArgs {
    #[command(subcommand)]
    pub command: ResolutionsCommand,
}

/// Who is acting, and where.
#[derive(Args, Clone)]
pub struct Acting {
    /// An API token (`redress token create`): who acts, with its role.
    #[arg(long, env = "REDRESS_TOKEN", hide_env_values = true)]
    pub token: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// What to do with resolutions.
#[derive(Subcommand)]
pub enum ResolutionsCommand {
    /// Proposes a resolution of a dispute: applied at once within the approval policy, else
    /// held for an approver.
    Propose {
        /// The dispute.
        dispute: String,
        /// credit_note, refund, account_credit, goodwill, payment_plan, write_off, reject or
        /// corrected_invoice.
        #[arg(long)]
        kind: String,
        /// Why, in words the customer will read.
        #[arg(long)]
        reason: String,
        /// A line and its amount, `LINE=AMOUNT` (credit note: net credited; corrected invoice:
        /// the corrected net amount); repeat for more.
        #[arg(long = "line", value_name = "LINE=AMOUNT")]
        lines: Vec<String>,
        /// How much (refund, account credit, goodwill, write-off; for a plan, what it spreads).
        #[arg(long)]
        amount: Option<String>,
        /// The payment a refund pays back.
        #[arg(long)]
        payment: Option<String>,
        /// An instalment of a plan, `YYYY-MM-DD=AMOUNT`; repeat for more.
        #[arg(long = "instalment", value_name = "DATE=AMOUNT")]
        instalments: Vec<String>,
        /// A plan of this many monthly instalments …
        #[arg(long)]
        instalment_count: Option<u32>,
        /// … the first due on this day.
        #[arg(long)]
        first_due_on: Option<String>,
        /// Offer it to the customer, who accepts it in the portal (or declines it), instead of
        /// carrying it out at once.
        #[arg(long)]
        offer: bool,
        #[command(flatten)]
        acting: Acting,
    },
    /// Approves (and so applies) a resolution waiting for approval.
    Approve {
        /// The resolution.
        id: String,
        /// What the approver says.
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        acting: Acting,
    },
    /// Refuses a resolution waiting for approval.
    Reject {
        /// The resolution.
        id: String,
        /// What the approver says.
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        acting: Acting,
    },
    /// Lists a dispute's resolutions, oldest first.
    List {
        /// The dispute.
        dispute: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn pair<T>(
    text: &str,
    flag: &str,
    first: impl Fn(&str) -> Option<T>,
) -> anyhow::Result<(T, Decimal)> {
    let (key, amount) = text
        .split_once('=')
        .ok_or_else(|| refuse(format!("{flag} {text}: expected KEY=AMOUNT")))?;
    let key =
        first(key).ok_or_else(|| refuse(format!("{flag} {text}: `{key}` is not valid here")))?;
    let amount = parse_decimal(amount).map_err(|e| refuse(format!("{flag} {text}: amount {e}")))?;
    Ok((key, amount))
}

fn print(resolution: &Resolution) {
    println!(
        "{} {} {} {} {}{}",
        resolution.id,
        resolution.kind,
        resolution.status,
        resolution.currency.format(resolution.amount),
        resolution.currency.code(),
        resolution
            .document_id
            .as_deref()
            .map(|d| format!(" → {d}"))
            .unwrap_or_default()
    );
    if let Some(why) = &resolution.approval_reason {
        println!("  waits for an approver: {why}");
    }
}

/// Redress under the options' policy, and the token's holder (refused unless their role may
/// change things).
pub(crate) async fn acting_as(acting: &Acting) -> anyhow::Result<(Redress, Actor)> {
    let redress = Redress::open(&acting.database.location(), acting.policy.policy()?).await?;
    let actor = redress
        .people()
        .authenticate(&acting.token)
        .await?
        .ok_or_else(|| refuse("--token: not a live token"))?;
    if !actor.role.can_write() {
        return Err(refuse(format!(
            "the role {} may read but not change anything",
            actor.role
        )));
    }
    Ok((redress, actor))
}

/// Runs a resolutions command.
pub fn run(args: ResolutionsArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        match args.command {
            ResolutionsCommand::List { dispute, database } => {
                let redress = Redress::open(&database.location(), Default::default()).await?;
                for resolution in redress.books().resolutions_of(&dispute).await? {
                    print(&resolution);
                }
                Ok(())
            }
            ResolutionsCommand::Propose {
                dispute,
                kind,
                reason,
                lines,
                amount,
                payment,
                instalments,
                instalment_count,
                first_due_on,
                offer,
                acting,
            } => {
                let (redress, actor) = acting_as(&acting).await?;
                let lines = lines
                    .iter()
                    .map(|l| pair(l, "--line", |n| n.parse::<u32>().ok()))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let instalments: Vec<(Date, Decimal)> = instalments
                    .iter()
                    .map(|i| pair(i, "--instalment", |d| parse_date(d).ok()))
                    .collect::<anyhow::Result<_>>()?;
                let amount = amount
                    .map(|a| parse_decimal(&a).map_err(|e| refuse(format!("--amount {e}"))))
                    .transpose()?;
                let first_due_on = first_due_on
                    .map(|d| parse_date(&d).map_err(|e| refuse(format!("--first-due-on {e}"))))
                    .transpose()?;
                let kind = resolution_kind(&kind).map_err(|e| refuse(format!("--kind {e}")))?;
                let proposal = Proposal {
                    kind,
                    reason,
                    currency: None,
                    lines,
                    amount,
                    payment_id: payment,
                    instalments,
                    instalment_count,
                    first_due_on,
                    offer,
                };
                let work = redress
                    .books()
                    .prepare_proposal(&actor, &dispute, proposal)
                    .await
                    .map_err(refused)?;
                let proposed = redress.perform(work).await.map_err(refused)?;
                print(&proposed);
                Ok(())
            }
            ResolutionsCommand::Approve { id, note, acting } => {
                decide_on(&id, true, note, &acting).await
            }
            ResolutionsCommand::Reject { id, note, acting } => {
                decide_on(&id, false, note, &acting).await
            }
        }
    })
}

/// Approves (`approve`) or refuses a resolution as the token's holder.
async fn decide_on(
    id: &str,
    approve: bool,
    note: Option<String>,
    acting: &Acting,
) -> anyhow::Result<()> {
    let (redress, actor) = acting_as(acting).await?;
    let decided = redress
        .perform(redress.books().decide(&actor, id, approve, note))
        .await
        .map_err(refused)?;
    print(&decided);
    Ok(())
}

/// A refusal said plainly (exit code 2); a failure of the database passed on.
pub(crate) fn refused(e: ServiceError) -> anyhow::Error {
    match e.storage() {
        Some(_) => e.into(),
        None => refuse(e),
    }
}
