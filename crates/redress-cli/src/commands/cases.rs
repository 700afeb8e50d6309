//! `redress cases …`: the arrears cases an audit of the stored data opened (`redress audit
//! --into-cases`), worked from the command line: listed, shown, offered to the customer and
//! settled by the option they chose. `redress ledger CUSTOMER` prints a customer's ledger.

use super::database::{DatabaseArgs, runtime};
use super::policy::refuse;
use super::resolutions::{Acting, acting_as, refused};
use clap::{Args, Subcommand};
use redress_domain::arrears::ArrearsStatus;
use redress_domain::ledger::Side;
use redress_domain::{parse_date, parse_decimal};
use redress_service::Redress;
use redress_service::records::{ArrearsCase, ArrearsChoice, CompromiseBilling, FollowUp};

/// Arguments of `redress cases`.
#[derive(Args)]
pub struct CasesArgs {
    #[command(subcommand)]
    pub command: CasesCommand,
}

/// What to do with arrears cases.
#[derive(Subcommand)]
pub enum CasesCommand {
    /// Lists the cases, oldest first.
    List {
        /// Only in this status: open, offered, awaiting_approval or settled.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Shows a case: what was under-billed, item by item, where it stands, and whether invoices
    /// since still carry its error (as the latest audit found them).
    Show {
        /// The case's id.
        id: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Records that the customer was contacted and offered the options, as the token's holder.
    Offer {
        /// The case's id.
        id: String,
        /// How they were contacted and what they were told.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Records the option the customer chose and carries it out.
    Choose {
        /// The case's id.
        id: String,
        /// next_invoice, separate_invoice, payment_plan, compromise or waive (a waiver or a
        /// compromise waits for an approver, over the API).
        #[arg(long)]
        option: String,
        /// For a payment plan: how many monthly instalments.
        #[arg(long)]
        instalments: Option<u32>,
        /// For a payment plan: when the first is due, YYYY-MM-DD.
        #[arg(long)]
        first_due_on: Option<String>,
        /// For a compromise: the net amount waived, in the case's currency (above zero, below
        /// the case's net).
        #[arg(long, value_name = "AMOUNT")]
        waive: Option<String>,
        /// For a compromise: how the rest is billed, next_invoice or separate_invoice.
        #[arg(long, value_name = "HOW")]
        bill: Option<String>,
        #[command(flatten)]
        acting: Acting,
    },
}

/// Arguments of `redress ledger`.
#[derive(Args)]
pub struct LedgerArgs {
    /// The customer's id.
    pub customer: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

fn print_case(case: &ArrearsCase) {
    let currency = case.currency;
    println!(
        "{} {} {}: {} {} under-billed, {} tax, {} in all",
        case.id,
        case.customer_id,
        case.status,
        currency.format(case.net),
        currency.code(),
        currency.format(case.tax),
        currency.format(case.total)
    );
    for item in &case.items {
        println!("  {:>12} {}", currency.format(item.net), item.explanation);
    }
    if let Some(note) = &case.offer_note {
        println!("  offered: {note}");
    }
    if let Some(choice) = &case.choice {
        let document = case.document_id.as_deref().unwrap_or("nothing billed");
        let plan = case
            .plan_id
            .as_deref()
            .map(|p| format!(", plan {p}"))
            .unwrap_or_default();
        println!("  chose {}: {document}{plan}", choice.as_str());
    }
    if let Some(terms) = &case.compromise {
        println!(
            "  compromise: {} {} waived, {} net billed ({})",
            currency.format(terms.waived),
            currency.code(),
            currency.format(case.net - terms.waived),
            terms.billing
        );
    }
}

/// Whether invoices since the case still carry its error, in a line.
fn follow_up_line(follow_up: &FollowUp) -> String {
    let unchecked = |n: u64| match n {
        0 => String::new(),
        n => format!(
            "; {n} imported since the latest audit not checked yet (run redress audit --into-cases)"
        ),
    };
    match follow_up {
        FollowUp::NotFollowed => {
            "not followed: found before Redress kept the kinds and periods of what it found"
                .to_owned()
        }
        FollowUp::NoInvoiceSince {
            since,
            unchecked: n,
        } => {
            format!("since {since}: no invoice since yet{}", unchecked(*n))
        }
        FollowUp::Corrected {
            since,
            checked,
            unchecked: n,
        } => format!(
            "since {since}: corrected, {checked} invoices checked, none carries it{}",
            unchecked(*n)
        ),
        FollowUp::StillWrong {
            since,
            checked,
            unchecked: n,
            carrying,
            first,
            ..
        } => {
            let places: Vec<String> = first
                .iter()
                .map(|wrong| {
                    let (start, end) = (wrong.period.start(), wrong.period.end());
                    match &wrong.invoice_id {
                        Some(invoice) => format!("{invoice} ({start}..{end})"),
                        None => format!("deliveries from {start} never billed"),
                    }
                })
                .collect();
            let verb = if *carrying == 1 { "carries" } else { "carry" };
            format!(
                "since {since}: still wrong, {} {verb} the same error ({carrying} of {checked} invoices checked){}",
                places.join(", "),
                unchecked(*n)
            )
        }
    }
}

/// Runs a cases command.
pub fn run(args: CasesArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let case = match args.command {
            CasesCommand::List { status, database } => {
                let redress = Redress::open(&database.location(), Default::default()).await?;
                let status = status
                    .as_deref()
                    .map(|name| {
                        ArrearsStatus::from_name(name).ok_or_else(|| {
                            refuse(format!(
                                "--status {name}: expected open, offered, awaiting_approval or settled"
                            ))
                        })
                    })
                    .transpose()?;
                for case in redress.cases().list(status).await? {
                    println!(
                        "{} {} {} {} {}",
                        case.id,
                        case.customer_id,
                        case.status,
                        case.currency.format(case.total),
                        case.currency.code()
                    );
                }
                return Ok(());
            }
            CasesCommand::Show { id, database } => {
                let redress = Redress::open(&database.location(), Default::default()).await?;
                let case = redress
                    .cases()
                    .get(&id)
                    .await?
                    .ok_or_else(|| refuse(format!("no arrears case has the id `{id}`")))?;
                let follow_up = redress.cases().follow_up(&case).await?;
                print_case(&case);
                println!("  {}", follow_up_line(&follow_up));
                return Ok(());
            }
            CasesCommand::Offer { id, note, acting } => {
                if note.trim().is_empty() {
                    return Err(refuse("--note: say how the customer was contacted"));
                }
                let (redress, actor) = acting_as(&acting).await?;
                let offered = redress.perform(redress.cases().offer(&actor, &id, note)).await;
                offered.map_err(refused)?
            }
            CasesCommand::Choose {
                id,
                option,
                instalments,
                first_due_on,
                waive,
                bill,
                acting,
            } => {
                let plan = (instalments, first_due_on);
                let compromise = (waive, bill);
                let choice = match (option.as_str(), plan, compromise) {
                    ("next_invoice", (None, None), (None, None)) => ArrearsChoice::NextInvoice,
                    ("separate_invoice", (None, None), (None, None)) => {
                        ArrearsChoice::SeparateInvoice
                    }
                    ("waive", (None, None), (None, None)) => ArrearsChoice::Waive,
                    ("payment_plan", (Some(instalments), Some(first)), (None, None)) => {
                        ArrearsChoice::PaymentPlan {
                            instalments,
                            first_due_on: parse_date(&first)
                                .map_err(|e| refuse(format!("--first-due-on {e}")))?,
                        }
                    }
                    ("payment_plan", _, _) => {
                        return Err(refuse(
                            "--option payment_plan needs --instalments N and --first-due-on YYYY-MM-DD (and nothing else)",
                        ));
                    }
                    ("compromise", (None, None), (Some(waived), Some(how))) => {
                        ArrearsChoice::Compromise {
                            waived: parse_decimal(&waived)
                                .map_err(|e| refuse(format!("--waive {e}")))?,
                            billing: CompromiseBilling::from_name(&how).ok_or_else(|| {
                                refuse(format!(
                                    "--bill {how}: expected next_invoice or separate_invoice"
                                ))
                            })?,
                        }
                    }
                    ("compromise", _, _) => {
                        return Err(refuse(
                            "--option compromise needs --waive AMOUNT and --bill next_invoice|separate_invoice (and nothing else)",
                        ));
                    }
                    (other, _, _) => {
                        return Err(refuse(format!(
                            "--option {other}: expected next_invoice, separate_invoice, payment_plan, compromise or waive (--instalments only with a payment plan, --waive only with a compromise)"
                        )));
                    }
                };
                let (redress, actor) = acting_as(&acting).await?;
                let chosen = redress
                    .perform(redress.cases().choose(&actor, &id, choice))
                    .await;
                chosen.map_err(refused)?
            }
        };
        print_case(&case);
        Ok(())
    })
}

/// Prints a customer's ledger: every entry, oldest first, and the balance.
pub fn ledger(args: LedgerArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let redress = Redress::open(&args.database.location(), Default::default()).await?;
        let ledger = redress.books().ledger(&args.customer).await?;
        redress.operations().close().await;
        let Some(ledger) = ledger else {
            return Err(refuse(format!(
                "no customer has the id `{}`",
                args.customer
            )));
        };
        for entry in &ledger.entries {
            println!(
                "{:<27} {:<14} {:<24} {}",
                entry.date.to_string(),
                entry.kind.as_str(),
                entry.document,
                entry.currency.code()
            );
            for line in &entry.lines {
                let amount = entry.currency.format(line.amount);
                let (debit, credit) = match line.side {
                    Side::Debit => (amount.as_str(), ""),
                    Side::Credit => ("", amount.as_str()),
                };
                let account = line.account.as_str();
                println!("    {account:<22} {debit:>14} {credit:>14}");
            }
        }
        for balance in &ledger.balances {
            println!(
                "balance {} {} (above zero: owed by the customer)",
                balance.currency.code(),
                balance.currency.format(balance.amount)
            );
        }
        Ok(())
    })
}
