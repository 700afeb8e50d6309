//! `redress demo`: a fresh embedded database holding a believable business's year (customers,
//! a year of invoices, disputes in every state, resolutions of every kind, an audit with
//! arrears cases and systemic issues), demo users of each role, their sign-ins printed, and
//! the server started on it. Everything goes through the service, as a person's work would;
//! the same seed makes the same year.

mod billing;
mod cases;
mod facts;
mod intake;
mod plan;
mod training;
mod users;
mod words;
mod work;

use super::cli_actor;
use super::database::runtime;
use super::policy::refuse;
use super::serve::{ServeOptions, log_as_json_lines, serve};
use anyhow::Context;
use clap::Args;
use fastrand::Rng;
use redress_domain::resolution::{ApprovalPolicy, ResolutionKind, ResolutionStatus};
use redress_domain::{Date, DisputeStatus};
use redress_service::Redress;
use redress_service::records::{DATABASE_FILE, Location};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;
use users::{DemoUsers, create_demo_users, sign_in_table};

/// Arguments of `redress demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    /// The directory of the demo's embedded database: made fresh, so it must be missing or
    /// empty (see `--reset`).
    #[arg(long, default_value = "redress-demo-data", value_name = "DIR")]
    pub data_dir: PathBuf,
    /// How many customers the business has (1 to 100,000), each with a year of monthly invoices.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub customers: u32,
    /// Seed of the random choices: the same seed makes the same year.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Remove the data directory first (only one that holds nothing but a Redress database).
    #[arg(long)]
    pub reset: bool,
    /// Fill the database and print the sign-ins, then exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// What the demo holds once filled.
struct Filled {
    users: DemoUsers,
    customers: u64,
    invoices: u64,
    disputes: u64,
    statuses: usize,
    resolutions: usize,
    kinds: usize,
    waiting: usize,
    cases: usize,
    systemic_issues: usize,
}

/// Fills a fresh database with the demo's year and serves it (or, with `--no-serve`, exits).
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    make_room(&args.data_dir, args.reset)?;
    if !args.no_serve {
        // Refused before filling: the tokens are printed once the server listens, and a demo
        // that cannot serve would keep only their hashes.
        std::net::TcpListener::bind(args.addr).map_err(|e| {
            refuse(format!(
                "cannot listen on {}: {e}; give --addr another HOST:PORT",
                args.addr
            ))
        })?;
    }
    let started = Instant::now();
    let operator = cli_actor("demo");
    let export = billing::generate_export(args.customers, args.seed)?;
    runtime()?.block_on(async {
        let location = Location::DataDir(args.data_dir.clone());
        let redress = Redress::open(&location, ApprovalPolicy::default()).await?;
        let filled = fill(&redress, &export, &operator, args.seed).await?;
        println!("{}", summary(&filled));
        eprintln!(
            "filled {} in {:.1} s",
            args.data_dir.display(),
            started.elapsed().as_secs_f64()
        );
        if args.no_serve {
            redress.operations().close().await;
            println!(
                "  http://{}  (not served: `redress serve --data-dir {}` serves it)",
                args.addr,
                args.data_dir.display()
            );
            print!("{}", sign_in_table(&filled.users));
            return Ok(());
        }
        log_as_json_lines("warn");
        serve(redress, args.addr, ServeOptions::default(), |addr| {
            println!("  http://{addr}");
            print!("{}", sign_in_table(&filled.users));
            eprintln!("serving until Ctrl-C");
        })
        .await
    })
}

/// Refuses a data directory that holds anything, unless `reset` (then removes it, if it holds
/// nothing but a Redress database).
fn make_room(dir: &Path, reset: bool) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let names: Vec<String> = entries
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    if names.is_empty() {
        return Ok(());
    }
    if !reset {
        return Err(refuse(format!(
            "{} is not empty; redress demo makes a fresh database and touches no existing one. \
             Give --reset to remove it first, or another --data-dir",
            dir.display()
        )));
    }
    let foreign: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| !name.starts_with(DATABASE_FILE))
        .collect();
    if !foreign.is_empty() {
        return Err(refuse(format!(
            "--reset removes only a directory that holds a Redress database and nothing else, \
             and {} also holds {}; remove it yourself or choose another --data-dir",
            dir.display(),
            foreign.join(", ")
        )));
    }
    std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))
}

/// The demo's year, made through the service: the users, the export imported, the audit into
/// cases, more disputes taken, and every dispute worked as planned.
async fn fill(
    redress: &Redress,
    export: &billing::Generated,
    operator: &str,
    seed: u64,
) -> anyhow::Result<Filled> {
    let data = &export.data;
    let today: Date = intake::export_day(data);
    let users = create_demo_users(redress, operator).await?;
    let imported = billing::import(redress, export, operator).await?;
    let worked = cases::find_and_work(redress, &users, today).await?;
    let mut rng = Rng::with_seed(seed);
    let extra = intake::how_many(export.summary.customers as u32, imported.opened as usize);
    let taken = intake::take_disputes(redress, &users.agent.actor, export, extra, &mut rng).await?;
    let ids = data.dispute_ids.iter().map(str::to_owned).chain(taken);
    let mut facts = Vec::new();
    for id in ids {
        let dispute = redress
            .disputes()
            .get(&id)
            .await?
            .with_context(|| format!("dispute {id} was not stored"))?;
        let limit = redress.policy().agent_limit(dispute.claimed.currency);
        let miscomputed = export.miscomputed.contains(&dispute.invoice_id);
        facts.push(plan::Facts::of(&dispute, data, limit, miscomputed));
    }
    let courses = plan::plan_year(&facts, &mut rng);
    let resolved = work::follow(redress, &users, &facts, &courses, today, &mut rng).await?;
    training::train(redress, &users, today).await?;
    let counts = redress.operations().dispute_counts().await?;
    let kinds: BTreeSet<ResolutionKind> = resolved.resolutions.iter().map(|(k, _)| *k).collect();
    Ok(Filled {
        users,
        customers: export.summary.customers,
        invoices: export.summary.invoices,
        disputes: counts.iter().map(|(_, n)| n).sum(),
        statuses: counts
            .iter()
            .filter(|(s, n)| *n > 0 && DisputeStatus::ALL.contains(s))
            .count(),
        resolutions: resolved.resolutions.len(),
        kinds: kinds.len(),
        waiting: resolved
            .resolutions
            .iter()
            .filter(|(_, s)| *s == ResolutionStatus::PendingApproval)
            .count(),
        cases: worked.cases,
        systemic_issues: worked.systemic_issues,
    })
}

/// The line that says what the demo holds.
fn summary(filled: &Filled) -> String {
    let every = |have: usize, of: usize, what: &str, all: &str| {
        if have == of {
            all.to_owned()
        } else {
            format!("{have} of {of} {what}")
        }
    };
    format!(
        "Redress demo: {}, {}, {} ({}), {} ({}, {} waiting for approval), {}, {}",
        counted(filled.customers, "customer"),
        counted(filled.invoices, "invoice"),
        counted(filled.disputes, "dispute"),
        every(
            filled.statuses,
            DisputeStatus::ALL.len(),
            "statuses",
            "every status"
        ),
        counted(filled.resolutions as u64, "resolution"),
        every(
            filled.kinds,
            ResolutionKind::ALL.len(),
            "kinds",
            "every kind"
        ),
        filled.waiting,
        counted(filled.cases as u64, "arrears case"),
        counted(filled.systemic_issues as u64, "systemic issue"),
    )
}

/// `n` things, the noun in the plural unless one.
fn counted(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n))
}

/// `1440` as `1,440`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1440), "1,440");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn one_of_a_thing_is_singular_and_more_are_plural() {
        assert_eq!(super::counted(1, "arrears case"), "1 arrears case");
        assert_eq!(super::counted(1440, "invoice"), "1,440 invoices");
    }
}
