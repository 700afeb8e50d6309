//! `redress serve`: the HTTP API under `/api/v1`, the agent's desk at `/` and the customer
//! portal under `/portal/`, on SQLite by default or PostgreSQL with `--database-url`.

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
    #[command(flatten)]
    pub communication: super::communication::CommunicationArgs,
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
    /// Mark the desk's session cookie `Secure` (sent over HTTPS only) on every request: for a
    /// desk reached over HTTPS through a proxy that does not send `X-Forwarded-Proto: https`
    /// (with it, the cookie is marked so anyway).
    #[arg(long, env = "REDRESS_SECURE_COOKIES")]
    pub secure_cookies: bool,
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let policy = args.policy.policy()?;
    let (communication, smtp) = args
        .communication
        .settings(&format!("http://{}", args.addr))?;
    log_as_json_lines("info");
    runtime()?.block_on(async {
        let redress = Redress::open(&args.database.location(), policy)
            .await?
            .with_communication(communication);
        let options = ServeOptions {
            keep_in_memory: args.keep_in_memory,
            metrics_addr: args.metrics_addr,
            secure_cookies: args.secure_cookies,
            smtp,
        };
        serve(redress, args.addr, options, |_| {}).await
    })
}

/// How to serve, beyond where: what `redress serve` takes besides the database and the address.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Lock the SQLite database file's pages in memory (see `--keep-in-memory`).
    pub keep_in_memory: bool,
    /// Also serve `GET /metrics` here, without a token (see `--metrics-addr`).
    pub metrics_addr: Option<SocketAddr>,
    /// Mark the desk's session cookie `Secure` on every request (see `--secure-cookies`).
    pub secure_cookies: bool,
    /// Where the outbox is delivered (see `--smtp-url`); without it, messages wait.
    pub smtp: Option<redress_mailer::SmtpSettings>,
}

/// Serves `redress` on `addr` until Ctrl-C or SIGTERM, then finishes the requests in flight:
/// what `redress serve` and `redress demo` do. `listening` is told the address once it is
/// bound (the port the system chose, when `addr` asked for port 0).
pub async fn serve(
    redress: Redress,
    addr: SocketAddr,
    options: ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let operations = redress.operations();
    operations.open_every_connection().await?;
    if options.keep_in_memory {
        let started = std::time::Instant::now();
        let bytes = operations.keep_in_memory()?;
        tracing::info!(
            kib = bytes / 1024,
            seconds = started.elapsed().as_secs_f64(),
            "the database is kept in memory"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(
        address = %format!("http://{local}"),
        backend = ?operations.backend(),
        "listening"
    );
    // The portal's routes all begin with `/portal/` and it has no fallback of its own, so it
    // merges into the desk's router: the desk's fallback answers any other path.
    let pages = redress_web::router(
        redress.clone(),
        redress_web::WebOptions {
            secure_cookies: options.secure_cookies,
        },
    )
    .merge(redress_portal::router(redress.clone()));
    let mut server_options = redress_server::ServeOptions {
        pages: Some(pages),
        ..Default::default()
    };
    if let Some(addr) = options.metrics_addr {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} for the metrics"))?;
        tracing::info!(
            address = %format!("http://{}/metrics", metrics.local_addr()?),
            "serving the metrics without a token"
        );
        server_options.metrics_listener = Some(metrics);
    }
    // The outbox is delivered beside the server; stopping mid-delivery loses nothing (the
    // message is claimed again when its claim ends).
    let worker = match options.smtp {
        Some(smtp) => {
            tracing::info!(smtp = %smtp, "delivering the outbox");
            let settings = redress_mailer::WorkerSettings::for_timeout(smtp.timeout());
            let mailer = redress_mailer::Mailer::new(smtp).context("the SMTP settings")?;
            let worker = redress_mailer::Worker::new(redress.clone(), mailer, settings);
            Some(tokio::spawn(worker.run(std::future::pending())))
        }
        None => {
            tracing::warn!("no SMTP server (--smtp-url): messages wait in the outbox");
            None
        }
    };
    // Service-level timers are in the database: checked every half minute, whichever server
    // runs, and none lost by a restart.
    let timers = tokio::spawn({
        let redress = redress.clone();
        async move {
            loop {
                loop {
                    match redress
                        .disputes()
                        .check_service_levels(jiff::Timestamp::now(), 100)
                        .await
                    {
                        Ok(100) => continue,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::error!(error = %e, "the service levels could not be checked");
                            break;
                        }
                    }
                }
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            }
        }
    });
    listening(local);
    redress_server::serve_with(listener, redress.clone(), shutdown_signal(), server_options)
        .await?;
    if let Some(worker) = worker {
        worker.abort();
    }
    timers.abort();
    tracing::info!("stopped");
    Ok(())
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

/// What the server logs goes to stderr as JSON lines (one per request, and what happens at
/// start and stop), `level` and above unless `REDRESS_LOG` says otherwise (a level, or
/// directives such as `redress::request=warn`).
pub fn log_as_json_lines(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("REDRESS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .try_init();
}
