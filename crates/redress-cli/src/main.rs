//! `redress`: billing-dispute resolution. This binary is the edge where errors become messages
//! and exit codes: 0 when the work was done (findings are not an error), 2 when the input is
//! invalid (or the audit log is broken), 1 for anything else.

#![forbid(unsafe_code)]

mod commands;
mod output;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// Verifying a dispute builds its contract's records anew, and an import formats millions of
// values: many small allocations, from many threads. mimalloc serves them in fewer cycles and
// with less contention than the system's allocator. Built without its transparent huge pages
// (`no_thp`): with them, each new thread's first allocations zeroed whole 2 MiB pages, and the
// first burst of requests after start (64 threads at once) stalled the server for 300 ms.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Redress finds billing errors and resolves billing disputes.
#[derive(Parser)]
#[command(name = "redress", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit a billing-data v1 directory: every invoice line against the contract, deliveries,
    /// payments and notices, with evidence; and a verdict for each dispute.
    Audit(commands::audit::AuditArgs),
    /// Fill a fresh embedded database with a business's year (disputes in every state,
    /// resolutions of every kind, arrears cases), create a user of each role, print their
    /// sign-ins and serve it.
    Demo(commands::demo::DemoArgs),
    /// Write a realistic billing-data v1 directory with planted errors, and their truth.
    DemoData(commands::demo_data::DemoDataArgs),
    /// Load a billing-data v1 directory into the database (all or nothing; upserts by id).
    Import(commands::import::ImportArgs),
    /// Bring the database schema up to date.
    Migrate(commands::migrate::MigrateArgs),
    /// Copy the embedded database to a file, consistent while servers go on writing.
    Backup(commands::backup::BackupArgs),
    /// Check a backup and put it in place of the embedded database (no server running on it).
    Restore(commands::backup::RestoreArgs),
    /// Check the audit log's hash chain and name the first broken event.
    VerifyLog(commands::verify_log::VerifyLogArgs),
    /// Manage API tokens.
    Token(commands::token::TokenArgs),
    /// Manage the users who sign in to the desk.
    User(commands::user::UserArgs),
    /// Serve the HTTP API.
    Serve(commands::serve::ServeArgs),
    /// Propose, approve, refuse and list the resolutions of disputes (as a token's holder).
    Resolutions(commands::resolutions::ResolutionsArgs),
    /// Work the arrears cases `redress audit --into-cases` opened.
    Cases(commands::cases::CasesArgs),
    /// Practise on anonymised or made-up cases: start a session, show a case, answer it.
    Practice(commands::practice::PracticeArgs),
    /// Print a customer's ledger: every entry, and the balance.
    Ledger(commands::cases::LedgerArgs),
    /// Take customers' mail (`redress mail receive` reads one mail on standard input).
    Mail(commands::mail::MailArgs),
}

/// An error that means the user's input was wrong (exit code 2), already explained on stderr.
#[derive(Debug)]
pub struct InvalidInput;

impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid input")
    }
}

impl std::error::Error for InvalidInput {}

/// An error that ends the program with this exit code, already explained on stderr (for a
/// caller that reads exit codes, such as a mail server's pipe).
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => commands::audit::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::DemoData(args) => commands::demo_data::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Migrate(args) => commands::migrate::run(args),
        Command::Backup(args) => commands::backup::back_up(args),
        Command::Restore(args) => commands::backup::restore(args),
        Command::VerifyLog(args) => commands::verify_log::run(args),
        Command::Token(args) => commands::token::run(args),
        Command::User(args) => commands::user::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Resolutions(args) => commands::resolutions::run(args),
        Command::Cases(args) => commands::cases::run(args),
        Command::Practice(args) => commands::practice::run(args),
        Command::Ledger(args) => commands::cases::ledger(args),
        Command::Mail(args) => commands::mail::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<InvalidInput>() => ExitCode::from(2),
        Err(e) if e.is::<Exit>() => ExitCode::from(e.downcast_ref::<Exit>().map_or(1, |x| x.0)),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
