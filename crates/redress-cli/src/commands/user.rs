//! `redress user create --role ROLE --email E`: a user who signs in to the desk, such as the
//! first admin. The password is read from stdin (`--password-stdin`), or made and printed once.

use super::database::{DatabaseArgs, runtime};
use super::token::parse_role;
use clap::{Args, Subcommand};
use redress_domain::Role;
use redress_service::Redress;
use redress_service::people::{CreateUserError, generate_password};
use redress_service::records::UserError;
use std::io::BufRead;

/// Arguments of `redress user`.
#[derive(Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

/// What to do with users.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Creates a user who signs in to the desk with an email and a password. Without
    /// `--password-stdin`, a strong password is made and printed once, on its own last line;
    /// only its hash is kept.
    Create {
        /// `agent`, `approver`, `admin` or `auditor` (read-only).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The email they sign in with (any case: it is kept lower-cased). One that another
        /// user has is refused.
        #[arg(long)]
        email: String,
        /// Their name, as people see it (the email when not given).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of stdin (at least 12 characters), so that
        /// it is in no shell history or process list.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Runs the user command.
pub fn run(args: UserArgs) -> anyhow::Result<()> {
    match args.command {
        UserCommand::Create {
            role,
            email,
            name,
            password_stdin,
            database,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                // The line's end is not part of the password; anything else is.
                let line = line.strip_suffix('\n').unwrap_or(&line);
                Some(line.strip_suffix('\r').unwrap_or(line).to_owned())
            } else {
                None
            };
            let made = password.is_none();
            let password = match password {
                Some(given) => given,
                None => generate_password()
                    .map_err(|e| anyhow::anyhow!("cannot make a password: {e}"))?,
            };
            let name = name.unwrap_or_else(|| email.trim().to_lowercase());
            runtime()?.block_on(async {
                let redress = Redress::open(&database.location(), Default::default()).await?;
                let actor = super::cli_actor("user");
                let created = redress
                    .people()
                    .create_user(&email, &name, role, &password, &actor)
                    .await;
                redress.operations().close().await;
                let id = match created {
                    Ok(id) => id,
                    Err(CreateUserError::User(UserError::Storage(e))) => return Err(e.into()),
                    Err(refused) => return Err(super::policy::refuse(refused)),
                };
                eprintln!(
                    "created the user {id} with the role {role}; they sign in with {}",
                    email.trim().to_lowercase()
                );
                if made {
                    eprintln!("their password, shown once (only its hash is kept):");
                    println!("{password}");
                }
                Ok(())
            })
        }
    }
}
