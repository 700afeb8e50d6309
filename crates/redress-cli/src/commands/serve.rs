//! `redress serve`: the HTTP API, on SQLite by default or PostgreSQL with `--database-url`.

use super::database::{DatabaseArgs, runtime};
use anyhow::Context;
use clap::Args;
use redress_service::Redress;
use std::net::SocketAddr;

/// Arguments of `redress serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
    /// Keep the SQLite database file's pages locked in memory, so that the operating system
    /// never sends the server's reads back to the disk. Needs a limit on locked memory
    /// (`ulimit -l`) of at least the file's size, or CAP_IPC_LOCK. SQLite only: PostgreSQL
    /// keeps its own cache.
    #[arg(long, env = "REDRESS_KEEP_IN_MEMORY")]
    pub keep_in_memory: bool,
    /// Also serve `GET /metrics` here, without a token, for a scraper on a private network.
    /// On `--addr`, `/metrics` takes a token of an admin or an auditor.
    #[arg(long, env = "REDRESS_METRICS_ADDR", value_name = "HOST:PORT")]
    pub metrics_addr: Option<SocketAddr>,
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let policy = args.policy.policy()?;
    runtime()?.block_on(async {
        let redress = Redress::open(&args.database.location(), policy).await?;
        let operations = redress.operations();
        operations.open_every_connection().await?;
        if args.keep_in_memory {
            let started = std::time::Instant::now();
            let bytes = operations.keep_in_memory()?;
            eprintln!(
                "redress keeps the database in memory: {} KiB locked in {:.1} s",
                bytes / 1024,
                started.elapsed().as_secs_f64()
            );
        }
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        eprintln!(
            "redress is listening on http://{} ({:?} database)",
            listener.local_addr()?,
            operations.backend()
        );
        let mut options = redress_server::ServeOptions::default();
        if let Some(addr) = args.metrics_addr {
            let metrics = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for the metrics"))?;
            eprintln!(
                "redress serves its metrics without a token on http://{}/metrics",
                metrics.local_addr()?
            );
            options.metrics_listener = Some(metrics);
        }
        redress_server::serve_with(listener, redress.clone(), shutdown_signal(), options).await?;
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
