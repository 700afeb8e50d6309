//! `redress token create --role ROLE --name NAME`: a new API token, printed once.

use super::database::{DatabaseArgs, runtime};
use clap::{Args, Subcommand};
use redress_domain::Role;
use redress_service::Redress;
use redress_service::records::UserError;

/// Arguments of `redress token`.
#[derive(Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

/// What to do with tokens.
#[derive(Subcommand)]
pub enum TokenCommand {
    /// Creates a token and prints it once, on its own last line; only its hash is kept. With
    /// `--role` and `--name`, for a new user of that id; with `--user`, another token for an
    /// existing user, acting as them.
    Create {
        /// `agent`, `approver`, `admin` or `auditor` (read-only): the new user's role.
        #[arg(long, value_parser = parse_role, requires = "name", conflicts_with = "user")]
        role: Option<Role>,
        /// The new user's id (lower-case letters, digits, `.`, `_`, `-`, `@`), written in the
        /// audit log with everything they do. An id already taken is refused.
        #[arg(long, requires = "role", conflicts_with = "user")]
        name: Option<String>,
        /// An existing user to give another token.
        #[arg(long, required_unless_present = "role")]
        user: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub(crate) fn parse_role(name: &str) -> Result<Role, String> {
    Role::from_name(name).ok_or_else(|| {
        format!("`{name}` is not a role (expected agent, approver, admin or auditor)")
    })
}

/// Runs the token command.
pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    match args.command {
        TokenCommand::Create {
            role,
            name,
            user,
            database,
        } => runtime()?.block_on(async {
            let redress = Redress::open(&database.location(), Default::default()).await?;
            let people = redress.people();
            let actor = super::cli_actor("token");
            let created = match (role, name, user) {
                (Some(role), Some(name), None) => people
                    .create_user_with_token(&name, &name, role, &actor)
                    .await
                    .map(|token| (token, format!("a new user {name} with the role {role}"))),
                (_, _, Some(user)) => people
                    .create_token(&user, &actor)
                    .await
                    .map(|token| (token, format!("the user {user}"))),
                _ => unreachable!("clap requires --role with --name, or --user"),
            };
            redress.operations().close().await;
            let (token, whom) = match created {
                Ok(created) => created,
                Err(UserError::Storage(e)) => return Err(e.into()),
                Err(refused) => return Err(super::policy::refuse(refused)),
            };
            eprintln!("created a token for {whom}; it is shown once, and only its hash is kept:");
            println!("{token}");
            Ok(())
        }),
    }
}
