//! `redress serve`: the HTTP API, on SQLite by default or PostgreSQL with `--database-url`.

use super::database::{DatabaseArgs, runtime};
use crate::InvalidInput;
use anyhow::Context;
use clap::Args;
use redress_domain::resolution::{ApprovalPolicy, ResolutionKind};
use redress_domain::{Decimal, parse_decimal};
use redress_storage::Store;
use std::net::SocketAddr;

/// Arguments of `redress serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The most an agent may give on one resolution without an approver, in the invoice's
    /// currency (approvers and admins have no limit).
    #[arg(
        long,
        env = "REDRESS_AGENT_LIMIT",
        default_value = "100",
        value_name = "AMOUNT"
    )]
    pub agent_limit: String,
    /// Kinds of resolution that always need an approver, whoever proposes them, comma
    /// separated (`none` for none).
    #[arg(
        long,
        env = "REDRESS_APPROVAL_FOR",
        default_value = "write_off",
        value_name = "KINDS"
    )]
    pub approval_for: String,
}

impl ServeArgs {
    /// The approval policy the options set.
    fn policy(&self) -> anyhow::Result<ApprovalPolicy> {
        let agent_limit = parse_decimal(&self.agent_limit)
            .ok()
            .filter(|limit| *limit >= Decimal::ZERO)
            .ok_or_else(|| {
                refuse(format!(
                    "--agent-limit {}: expected an amount of zero or more, like 250.00",
                    self.agent_limit
                ))
            })?;
        let mut always = Vec::new();
        for name in self
            .approval_for
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty() && *n != "none")
        {
            let kind = ResolutionKind::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = ResolutionKind::ALL.iter().map(|k| k.as_str()).collect();
                refuse(format!(
                    "--approval-for: `{name}` is not a kind of resolution (expected some of {}, or none)",
                    names.join(", ")
                ))
            })?;
            always.push(kind);
        }
        Ok(ApprovalPolicy {
            agent_limit,
            always,
        })
    }
}

/// Says what was wrong with the options, and fails as wrong input does.
fn refuse(message: String) -> anyhow::Error {
    eprintln!("error: {message}");
    InvalidInput.into()
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let policy = args.policy()?;
    runtime()?.block_on(async {
        let store = Store::open(&args.database.location()).await?;
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        eprintln!(
            "redress is listening on http://{} ({:?} database)",
            listener.local_addr()?,
            store.backend()
        );
        redress_server::serve(listener, store, policy, shutdown_signal()).await?;
        eprintln!("redress stopped");
        Ok(())
    })
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
