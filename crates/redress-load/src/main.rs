//! `redress-load`: the server benchmark's load generator (`scripts/bench-server.sh`): the API's
//! intake and list pages with an API token, or the desk's queue and case pages signed in as a
//! user of the desk.
//!
//! Two ways to load a server:
//!
//! - **as fast as it answers** (no `--rate`): each of `--connections` clients sends its next
//!   request as soon as the last is answered. This finds how many requests a second the server
//!   can take; the latencies are then mostly time spent queueing, and grow with the number of
//!   clients.
//! - **at a fixed rate** (`--rate N`): requests fall due N times a second whatever the server
//!   does, as customers' requests would, with up to `--connections` in flight. Each latency is
//!   counted from when its request fell due, not from when it could be sent, so a stall of the
//!   server counts for every request it held back (what wrk2 calls correcting for coordinated
//!   omission). This says what latency users see at that load.
//!
//! Prints `requests/s p50 p90 p99 failures` (milliseconds) on one line of standard output, and
//! a summary in words on standard error.

#![forbid(unsafe_code)]

mod workload;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use workload::{Request, Workload};

#[derive(Parser)]
#[command(
    version,
    about = "Loads a Redress server with dispute intake, list pages or the desk's pages"
)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080. Several (`--url A --url B`) take the requests
    /// in turn, as a load balancer's round robin gives them.
    #[arg(long, required = true)]
    url: Vec<String>,
    /// For intake and list pages: an API token with the agent role.
    #[arg(long, env = "TOKEN")]
    token: Option<String>,
    /// For the desk's pages: the email of a desk user to sign in as.
    #[arg(long)]
    email: Option<String>,
    /// For the desk's pages: their password.
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// For the desk's pages: how many disputes the benchmark stored.
    #[arg(long, default_value_t = 0)]
    disputes: u32,
    /// What to ask.
    #[arg(long, value_enum)]
    workload: Kind,
    /// For intake: the directory with invoices.txt and lines.txt.
    #[arg(long, env = "BENCH_DIR")]
    bench_dir: Option<PathBuf>,
    /// For list pages: how many customers the data has.
    #[arg(long, default_value_t = 60_000)]
    customers: u32,
    /// Only this kind of page: 1 to 6 of list pages (see `workload::page`), 1 to 7 of the
    /// desk's (see `workload::desk_page`).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=7))]
    family: Option<u8>,
    /// Requests due a second; without it, as fast as the server answers.
    #[arg(long)]
    rate: Option<f64>,
    /// Clients (connections), or at a fixed rate the most requests in flight.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// How long, in seconds.
    #[arg(long, default_value_t = 30.0)]
    seconds: f64,
    /// Seed of the random requests.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also print, on standard error, each window's requests, latencies and failures (by when
    /// they were sent or fell due): where in a run its slow requests were. The window is a
    /// second unless given (`--timeline 60`: a line a minute, as the soak run reads them).
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "1",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeline: Option<u64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    /// `POST /api/v1/disputes`.
    Intake,
    /// `GET /api/v1/disputes` with filters.
    List,
    /// `GET /queue` filtered and searched, and `GET /disputes/{id}`, the desk's pages.
    Desk,
}

/// What the requests met: each latency in microseconds, and the failures.
#[derive(Default)]
struct Tally {
    latencies: Vec<u64>,
    /// When each request was sent (or fell due), in the order of `latencies`.
    sent: Vec<Instant>,
    failures: u64,
    /// When each failed request was sent (or fell due).
    failed: Vec<Instant>,
    /// The first few failures, to show.
    shown: Vec<String>,
}

/// Everything a request needs, shared by the clients.
struct Target {
    client: reqwest::Client,
    /// The servers, taking the requests in turn.
    bases: Vec<String>,
    /// How many requests were sent, to choose the next server.
    sent: AtomicUsize,
    /// The header that says who asks: an API token, or the desk's session cookie.
    credentials: (reqwest::header::HeaderName, String),
    workload: Workload,
    tally: Mutex<Tally>,
}

impl Target {
    /// Sends `request` and counts it, `took` long from `since`.
    async fn send(&self, request: Request, since: Instant) {
        let turn = self.sent.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{}", self.bases[turn % self.bases.len()], request.path);
        let builder = match request.body {
            Some(body) => self
                .client
                .post(url)
                .header("Content-Type", "application/json")
                .body(body),
            None => self.client.get(url),
        };
        let outcome = async {
            let response = builder
                .header(&self.credentials.0, &self.credentials.1)
                .send()
                .await?;
            let status = response.status().as_u16();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        }
        .await;
        let took = since.elapsed().as_micros() as u64;
        let failure = match outcome {
            Ok((status, _)) if status == request.expected => None,
            Ok((status, body)) => Some(format!(
                "answered {status}: {}",
                String::from_utf8_lossy(&body)
            )),
            Err(e) => Some(format!("failed: {e}")),
        };
        let mut tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        tally.latencies.push(took);
        tally.sent.push(since);
        if let Some(failure) = failure {
            tally.failures += 1;
            tally.failed.push(since);
            if tally.shown.len() < 3 {
                tally.shown.push(failure);
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let workload = match args.workload {
        Kind::Intake => Workload::intake(
            args.bench_dir
                .as_deref()
                .context("intake needs --bench-dir (or BENCH_DIR)")?,
        )?,
        Kind::List => {
            anyhow::ensure!(
                args.family.is_none_or(|f| f <= 6),
                "list pages are of kinds 1 to 6"
            );
            Workload::List {
                customers: args.customers,
                family: args.family,
            }
        }
        Kind::Desk => Workload::desk(
            args.bench_dir
                .as_deref()
                .context("the desk's pages need --bench-dir (or BENCH_DIR)")?,
            args.customers,
            args.disputes,
            args.family,
        )?,
    };
    anyhow::ensure!(args.connections > 0, "--connections must be at least 1");
    anyhow::ensure!(args.rate.is_none_or(|r| r > 0.0), "--rate must be above 0");
    let bases: Vec<String> = args
        .url
        .iter()
        .map(|url| url.trim_end_matches('/').to_owned())
        .collect();
    // One thread, like `wrk -t1`: the load takes as little of the machine as it can.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let credentials = if workload.is_desk() {
        let email = args.email.context("the desk's pages need --email")?;
        let password = args
            .password
            .context("the desk's pages need --password (or PASSWORD)")?;
        // Sessions are kept in the database, so one sign-in serves every server on it.
        let cookie = runtime.block_on(sign_in(&bases[0], &email, &password))?;
        (reqwest::header::COOKIE, cookie)
    } else {
        let token = args
            .token
            .context("intake and list pages need --token (or TOKEN)")?;
        (reqwest::header::AUTHORIZATION, format!("Bearer {token}"))
    };
    let target = Arc::new(Target {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(args.connections)
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        bases,
        sent: AtomicUsize::new(0),
        credentials,
        workload,
        tally: Mutex::default(),
    });
    let duration = Duration::from_secs_f64(args.seconds);
    let elapsed = runtime.block_on(async {
        match args.rate {
            Some(rate) => at_rate(&target, rate, args.connections, duration, args.seed).await,
            None => flat_out(&target, args.connections, duration, args.seed).await,
        }
    });
    let tally = target.tally.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(window) = args.timeline {
        timeline(&tally, window);
    }
    report(&tally, elapsed, args.rate);
    Ok(())
}

/// Signs in to the desk at `base` as a browser does, and gives the session's cookie.
async fn sign_in(base: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let form = serde_urlencoded::to_string([("email", email), ("password", password)])?;
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?
        .post(format!("{base}/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .context("signing in to the desk")?;
    let cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .filter(|pair| {
            pair.starts_with("redress_session=") && pair.len() > "redress_session=".len()
        })
        .map(str::to_owned);
    cookie.with_context(|| {
        format!(
            "the desk did not sign {email} in (answered {}): check the email and password",
            response.status()
        )
    })
}

/// `connections` clients, each sending as soon as its last request is answered.
async fn flat_out(
    target: &Arc<Target>,
    connections: usize,
    duration: Duration,
    seed: u64,
) -> Duration {
    let start = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|i| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(seed.wrapping_mul(7919) + i as u64);
                while start.elapsed() < duration {
                    let request = target.workload.next(&mut rng);
                    target.send(request, Instant::now()).await;
                }
            })
        })
        .collect();
    for client in clients {
        let _ = client.await;
    }
    start.elapsed()
}

/// Requests falling due `rate` times a second for `duration`, at most `connections` in flight;
/// each latency counted from when its request fell due.
async fn at_rate(
    target: &Arc<Target>,
    rate: f64,
    connections: usize,
    duration: Duration,
    seed: u64,
) -> Duration {
    let in_flight = Arc::new(tokio::sync::Semaphore::new(connections));
    let mut rng = fastrand::Rng::with_seed(seed);
    let start = Instant::now();
    for n in 0u64.. {
        let due = start + Duration::from_secs_f64(n as f64 / rate);
        if due >= start + duration {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let request = target.workload.next(&mut rng);
        let target = target.clone();
        tokio::spawn(async move {
            target.send(request, due).await;
            drop(permit);
        });
    }
    // Every request sent is answered before the figures are taken.
    let _ = in_flight.acquire_many(connections as u32).await;
    start.elapsed()
}

/// Prints the figures: one line for scripts on standard output, words on standard error.
fn report(tally: &Tally, elapsed: Duration, rate: Option<f64>) {
    let mut sorted = tally.latencies.clone();
    sorted.sort_unstable();
    let percentile = |p: f64| nearest_rank(&sorted, p) as f64 / 1000.0;
    let per_second = sorted.len() as f64 / elapsed.as_secs_f64();
    let (p50, p90, p99) = (percentile(50.0), percentile(90.0), percentile(99.0));
    for failure in &tally.shown {
        eprintln!("a request {failure}");
    }
    let how = match rate {
        Some(rate) => format!("due at {rate:.0}/s"),
        None => "as fast as answered".to_owned(),
    };
    eprintln!(
        "{} requests ({how}) in {:.1} s: {per_second:.0}/s, p50 {p50:.1} ms, p90 {p90:.1} ms, \
         p99 {p99:.1} ms, max {:.1} ms, {} failed",
        sorted.len(),
        elapsed.as_secs_f64(),
        percentile(100.0),
        tally.failures
    );
    println!(
        "{per_second:.0} {p50:.1} {p90:.1} {p99:.1} {}",
        tally.failures
    );
}

/// Prints each `window` seconds' requests, p50, p90, p99, slowest and failures, by when they
/// were sent: `from second S: N requests, p50 … ms, p90 … ms, p99 … ms, max … ms, F failed`.
fn timeline(tally: &Tally, window: u64) {
    let Some(&first) = tally.sent.iter().min() else {
        return;
    };
    let slot = |at: Instant| (at.duration_since(first).as_secs() / window) as usize;
    let mut windows: Vec<(Vec<u64>, u64)> = Vec::new();
    for (&sent, &took) in tally.sent.iter().zip(&tally.latencies) {
        let n = slot(sent);
        if windows.len() <= n {
            windows.resize_with(n + 1, Default::default);
        }
        windows[n].0.push(took);
    }
    for &failed in &tally.failed {
        if let Some(w) = windows.get_mut(slot(failed)) {
            w.1 += 1;
        }
    }
    for (n, (latencies, failed)) in windows.iter_mut().enumerate() {
        latencies.sort_unstable();
        let ms = |p: f64| nearest_rank(latencies, p) as f64 / 1000.0;
        eprintln!(
            "from second {}: {} requests, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {failed} failed",
            n as u64 * window,
            latencies.len(),
            ms(50.0),
            ms(90.0),
            ms(99.0),
            ms(100.0)
        );
    }
}

/// The `p`-th percentile of `sorted` by nearest rank: the smallest value that at least `p` % of
/// the values are at or below (0 when there are none).
fn nearest_rank(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

    #[test]
    fn the_p99_of_a_hundred_latencies_is_the_second_slowest() {
        let latencies: Vec<u64> = (1..=100).collect();
        assert_eq!(nearest_rank(&latencies, 99.0), 99);
        assert_eq!(nearest_rank(&latencies, 50.0), 50);
        assert_eq!(nearest_rank(&latencies, 100.0), 100);
    }

    #[test]
    fn ten_slow_requests_in_a_thousand_leave_the_p99_and_eleven_move_it() {
        let mut latencies = vec![1_000u64; 1000];
        latencies[990..].fill(90_000);
        assert_eq!(nearest_rank(&latencies, 99.0), 1_000);
        latencies[989] = 90_000;
        assert_eq!(nearest_rank(&latencies, 99.0), 90_000);
    }
}
