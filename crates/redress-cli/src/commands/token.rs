//! `redress token create --role ROLE --name NAME`: a new API token, printed once.

use super::database::{DatabaseArgs, runtime};
use clap::{Args, Subcommand};
use redress_storage::Store;
use redress_storage::tokens::Role;

/// Arguments of `redress token`.
#[derive(Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

/// What to do with tokens.
#[derive(Subcommand)]
pub enum TokenCommand {
    /// Creates a token and prints it once, on its own last line; only its hash is kept.
    Create {
        /// `agent`, `approver`, `admin` or `auditor` (read-only).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Who or what the token is for; written in the audit log with everything it does.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::from_name(name).ok_or_else(|| {
        format!("`{name}` is not a role (expected agent, approver, admin or auditor)")
    })
}

/// Runs the token command.
pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    match args.command {
        TokenCommand::Create { role, name, database } => runtime()?.block_on(async {
            let store = Store::open(&database.location()).await?;
            let actor = super::cli_actor("token");
            let token = store.create_token(&name, role, &actor).await?;
            store.close().await;
            eprintln!("created a token for {name} with the role {role}; it is shown once, and only its hash is kept:");
            println!("{token}");
            Ok(())
        }),
    }
}
