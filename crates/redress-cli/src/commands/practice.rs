//! `redress practice …`: practice from the command line, under the same rules as the API and
//! the desk (the caller is a token's holder: approvers and admins start sessions, a trainee
//! reads and answers their own cases). Nothing of it reaches the books, a customer or the
//! audit log.

use super::database::runtime;
use super::policy::refuse;
use super::resolutions::{Acting, acting_as, refused};
use clap::{Args, Subcommand};
use redress_domain::resolution::ResolutionKind;
use redress_domain::{BillingData, InvoiceIdx, LineKind, parse_decimal};
use redress_service::practice::{Answered, CaseView};
use redress_service::records::FindingKind;
use redress_service::records::PracticeSession;
use redress_service::records::practice::{Answer, AnsweredFinding, FindingOutcome};
use std::io::Read;

/// Arguments of `redress practice`.
#[derive(Args)]
pub struct PracticeArgs {
    #[command(subcommand)]
    pub command: PracticeCommand,
}

/// What to do.
#[derive(Subcommand)]
pub enum PracticeCommand {
    /// Starts a practice session for a trainee (an approver's or an admin's token): cases
    /// from resolved disputes, then audit findings, then made up; each anonymised.
    Start {
        /// The user who practises.
        #[arg(long)]
        trainee: String,
        /// How many cases, 1 to 20.
        #[arg(long, default_value_t = 10)]
        cases: u32,
        /// What draws the cases (the same seed, the same cases from the same data).
        #[arg(long)]
        seed: Option<u64>,
        #[command(flatten)]
        acting: Acting,
    },
    /// Shows a session and its cases with their points.
    Session {
        /// The session.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Shows a case: the customer, the dispute, the contract and the invoice; and once
    /// answered, the score with every mark explained and the model answer.
    Show {
        /// The case.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Answers a case (its trainee's token), once, and prints the score.
    Answer {
        /// The case.
        id: String,
        /// A finding, `KIND:LINE=AMOUNT` (`price_mismatch:2=106.80`), or `KIND=AMOUNT` for the
        /// invoice as a whole; repeat for more, none when nothing is wrong.
        #[arg(long = "finding", value_name = "KIND:LINE=AMOUNT")]
        findings: Vec<String>,
        /// The resolution: credit_note, goodwill, reject, …
        #[arg(long)]
        resolution: String,
        /// Its amount (not for a rejection).
        #[arg(long)]
        amount: Option<String>,
        /// A file holding the message to the customer; `-` for standard input.
        #[arg(long, value_name = "FILE")]
        message: String,
        #[command(flatten)]
        acting: Acting,
    },
}

/// `KIND:LINE=AMOUNT` or `KIND=AMOUNT`.
fn finding(text: &str) -> anyhow::Result<AnsweredFinding> {
    let bad = |why: &str| {
        refuse(format!(
            "--finding {text}: {why} (e.g. price_mismatch:2=106.80)"
        ))
    };
    let (place, amount) = text
        .split_once('=')
        .ok_or_else(|| bad("expected KIND:LINE=AMOUNT"))?;
    let (kind, line) = match place.split_once(':') {
        Some((kind, line)) => (
            kind,
            Some(
                line.parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad("the line is a number from 1"))?,
            ),
        ),
        None => (place, None),
    };
    Ok(AnsweredFinding {
        kind: FindingKind::from_name(kind).ok_or_else(|| bad("not a kind of finding"))?,
        line_no: line,
        amount: parse_decimal(amount).map_err(|e| bad(&format!("the amount {e}")))?,
    })
}

fn print_session(session: &PracticeSession) {
    println!(
        "{}  for {}, started by {}",
        session.id, session.trainee_id, session.started_by
    );
    for case in &session.cases {
        println!(
            "  {:>2}. {}  {:<12} {:<16} {}",
            case.position,
            case.id,
            case.reason.as_str(),
            case.source.as_str(),
            case.answered
                .map_or("not answered".to_owned(), |(points, _)| format!(
                    "{points}/100"
                ))
        );
    }
}

fn print_invoice(data: &BillingData, index: InvoiceIdx) {
    let invoice = data.invoice(index);
    let currency = invoice.currency;
    println!(
        "Invoice {} of {}, due {}: subtotal {}, tax {}, total {} {}",
        data.invoice_id(index),
        invoice.issue_date,
        invoice.due_date,
        currency.format(invoice.subtotal),
        currency.format(invoice.tax_total),
        currency.format(invoice.total),
        currency.code()
    );
    for (i, line) in data
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.invoice == index)
    {
        let what = match line.kind {
            LineKind::Charge { sku, period } => {
                format!("{} {}..{}", data.sku(sku), period.start(), period.end())
            }
            LineKind::LateFee { late_fee_for } => {
                format!("late fee for {}", data.invoice_id(late_fee_for))
            }
        };
        println!(
            "  {}. {}  [{what}]  {} × {} less {} % = {}",
            line.line_no,
            data.line_descriptions.get(i),
            line.quantity,
            line.unit_price,
            line.discount_percent,
            currency.format(line.amount)
        );
    }
    for (i, p) in data
        .payments
        .iter()
        .enumerate()
        .filter(|(_, p)| p.invoice == index)
    {
        println!(
            "  paid {} on {} ({})",
            currency.format(p.amount),
            p.paid_on,
            data.payment_ids.get(i)
        );
    }
    for n in data.notices.iter().filter(|n| n.invoice == index) {
        println!("  {} sent on {}", n.kind.as_str(), n.sent_on);
    }
}

fn print_case(case: &CaseView) {
    let data = &case.data;
    let invoice = case.dispute.invoice;
    let contract_idx = data.invoice(invoice).contract;
    let contract = data.contract(contract_idx);
    println!(
        "{} (case {} of session {})",
        case.id, case.position, case.session_id
    );
    println!(
        "{} writes in {}: {}",
        case.customer_name(),
        case.language.tag(),
        case.dispute.narrative
    );
    println!(
        "Disputed: invoice {}{}, {}, claiming {}",
        case.invoice_id,
        case.dispute
            .line_no
            .map(|n| format!(" line {n}"))
            .unwrap_or_default(),
        case.dispute.reason.as_str(),
        case.claimed()
    );
    println!(
        "Contract {} from {}: payment in {} days, late fee {} % after {} days' grace, tax {} %",
        data.contract_id(contract_idx),
        contract.start_date,
        contract.payment_terms_days,
        contract.late_fee_percent,
        contract.late_fee_grace_days,
        contract.tax_rate_percent
    );
    for price in data.prices.iter().filter(|p| p.contract == contract_idx) {
        println!(
            "  {} at {} less {} % from {}",
            data.sku(price.sku),
            price.unit_price,
            price.discount_percent,
            price.valid_from
        );
    }
    for (i, d) in data
        .deliveries
        .records
        .iter()
        .enumerate()
        .filter(|(_, d)| d.contract == contract_idx)
    {
        println!(
            "  delivered {} {} on {} ({})",
            d.quantity,
            data.sku(d.sku),
            d.delivered_on,
            data.deliveries.ids.get(i)
        );
    }
    for other in (0..data.invoices.len() as u32).map(InvoiceIdx) {
        if other != invoice {
            print_invoice(data, other);
        }
    }
    print_invoice(data, invoice);
    match &case.answered {
        Some(answered) => print_result(answered),
        None => println!("Not answered yet: the verification is shown once it is."),
    }
}

fn print_result(answered: &Answered) {
    let score = &answered.score;
    let currency = answered.model.currency;
    println!(
        "Score: {}/{} in {} s",
        score.points, score.out_of, score.took_seconds
    );
    println!(
        "Findings {}/40: {}",
        score.findings_points, score.findings_explanation
    );
    for mark in &score.marks {
        println!("  {}/{}  {}", mark.points, mark.out_of, mark.explanation);
    }
    println!("Model answer:");
    for f in &answered.model.findings {
        let outcome = score
            .findings
            .iter()
            .find(|m| m.kind == f.kind && m.line_no == f.line_no)
            .map_or("", |m| match m.outcome {
                FindingOutcome::Found => "found",
                FindingOutcome::WrongAmount => "wrong amount",
                FindingOutcome::Missed => "missed",
                FindingOutcome::Invented => "invented",
            });
        println!(
            "  {} on {}: {} {} ({outcome})",
            f.kind.as_str(),
            f.line_no
                .map_or("the invoice".to_owned(), |n| format!("line {n}")),
            currency.format(f.amount),
            currency.code()
        );
    }
    let resolution = match answered.model.resolution_answer() {
        (kind, Some(amount)) => format!(
            "{} of {} {}",
            kind.as_str().replace('_', " "),
            currency.format(amount),
            currency.code()
        ),
        (kind, None) => format!("{}, with the evidence", kind.as_str()),
    };
    println!("  resolution: {resolution}");
    println!("  message:\n{}", answered.model.message);
}

/// Runs a practice command.
pub fn run(args: PracticeArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        match args.command {
            PracticeCommand::Start {
                trainee,
                cases,
                seed,
                acting,
            } => {
                let (redress, actor) = acting_as(&acting).await?;
                let seed = seed.unwrap_or_else(|| fastrand::u64(..));
                let session = redress
                    .practice()
                    .start_session(&actor, &trainee, cases, seed)
                    .await
                    .map_err(refused)?;
                print_session(&session);
                Ok(())
            }
            PracticeCommand::Session { id, acting } => {
                let (redress, actor) = acting_as(&acting).await?;
                let session = redress
                    .practice()
                    .session(&actor, &id)
                    .await
                    .map_err(refused)?;
                print_session(&session);
                Ok(())
            }
            PracticeCommand::Show { id, acting } => {
                let (redress, actor) = acting_as(&acting).await?;
                let case = redress
                    .practice()
                    .case(&actor, &id)
                    .await
                    .map_err(refused)?;
                print_case(&case);
                Ok(())
            }
            PracticeCommand::Answer {
                id,
                findings,
                resolution,
                amount,
                message,
                acting,
            } => {
                let findings = findings
                    .iter()
                    .map(|f| finding(f))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let resolution = ResolutionKind::from_name(&resolution).ok_or_else(|| {
                    refuse(format!(
                        "--resolution {resolution}: not a kind of resolution"
                    ))
                })?;
                let amount = amount
                    .map(|a| parse_decimal(&a).map_err(|e| refuse(format!("--amount {e}"))))
                    .transpose()?;
                let message = if message == "-" {
                    let mut text = String::new();
                    std::io::stdin().read_to_string(&mut text)?;
                    text
                } else {
                    std::fs::read_to_string(&message)
                        .map_err(|e| refuse(format!("--message {message}: {e}")))?
                };
                let (redress, actor) = acting_as(&acting).await?;
                let answered = redress
                    .practice()
                    .answer(
                        &actor,
                        &id,
                        Answer {
                            findings,
                            resolution,
                            amount,
                            message,
                            took_seconds: 0,
                        },
                    )
                    .await
                    .map_err(refused)?;
                print_result(&answered);
                Ok(())
            }
        }
    })
}
