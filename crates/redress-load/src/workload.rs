//! What the load asks of the server: disputes of random invoices, filtered pages of the
//! dispute list the way agents look for work, or the desk's pages an agent reads all day (the
//! queue and the case page).

use anyhow::Context;
use std::path::Path;

/// One request to send, and the status that means it was served.
pub struct Request {
    /// `POST` with this JSON body when some, else `GET`.
    pub body: Option<String>,
    /// Path and query, from the server's root.
    pub path: String,
    /// 201 for intake, 200 for a page.
    pub expected: u16,
}

/// A source of requests.
pub enum Workload {
    /// Disputes of random invoices, a third of them of one line.
    Intake {
        /// Invoice ids.
        invoices: Vec<String>,
        /// `(invoice id, line number)` of lines.
        lines: Vec<(String, u32)>,
    },
    /// Filtered list pages, of every kind or of one (`family`, 1 to 6).
    List {
        /// How many customers the data has (`C-000001` on).
        customers: u32,
        /// Only this kind of page, when some.
        family: Option<u8>,
    },
    /// The desk's pages: the queue filtered and searched the ways agents do, and case pages of
    /// random disputes; of every kind (half of them case pages) or of one (`family`, 1 to 7).
    Desk {
        /// How many customers the data has (`C-000001` on).
        customers: u32,
        /// Invoice ids, searched for.
        invoices: Vec<String>,
        /// How many disputes the benchmark stored (`DSP-B0000000` on).
        disputes: u32,
        /// Only this kind of page, when some.
        family: Option<u8>,
    },
}

const REASONS: [&str; 6] = [
    "overcharged",
    "duplicate",
    "not_received",
    "wrong_price",
    "late_fee",
    "other",
];
const CURRENCIES: [&str; 4] = ["USD", "EUR", "GBP", "CHF"];

impl Workload {
    /// Intake of the invoices and lines listed in `dir` (`invoices.txt`, one id a line, and
    /// `lines.txt`, `INVOICE LINE_NO` a line, as `scripts/bench/many-disputes.py` writes them).
    pub fn intake(dir: &Path) -> anyhow::Result<Self> {
        let invoices = invoices(dir)?;
        let path = dir.join("lines.txt");
        let lines = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .lines()
            .enumerate()
            .map(|(i, pair)| {
                let (invoice, line_no) = pair.split_once(' ').unwrap_or((pair, ""));
                let line_no = line_no
                    .parse()
                    .with_context(|| format!("lines.txt line {}: `{pair}`", i + 1))?;
                Ok((invoice.to_owned(), line_no))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        anyhow::ensure!(!lines.is_empty(), "{} lists no lines", dir.display());
        Ok(Self::Intake { invoices, lines })
    }

    /// The desk's pages over `customers` customers, the invoices listed in `dir`'s
    /// `invoices.txt`, and `disputes` disputes as `scripts/bench/many-disputes.py` names them.
    pub fn desk(
        dir: &Path,
        customers: u32,
        disputes: u32,
        family: Option<u8>,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(disputes > 0, "the desk's pages need --disputes");
        Ok(Self::Desk {
            customers,
            invoices: invoices(dir)?,
            disputes,
            family,
        })
    }

    /// Whether the requests are the desk's, signed in with a session, rather than the API's.
    pub fn is_desk(&self) -> bool {
        matches!(self, Self::Desk { .. })
    }

    /// The next request, drawn at random.
    pub fn next(&self, rng: &mut fastrand::Rng) -> Request {
        match self {
            Self::Intake { invoices, lines } => {
                let (invoice, line) = if rng.u8(0..3) == 0 {
                    let (invoice, line_no) = &lines[rng.usize(..lines.len())];
                    (invoice.as_str(), format!("\"line_no\":{line_no},"))
                } else {
                    (
                        invoices[rng.usize(..invoices.len())].as_str(),
                        String::new(),
                    )
                };
                let body = format!(
                    "{{\"invoice_id\":\"{invoice}\",{line}\"reason\":\"{}\",\"claimed_amount\":\"{}\",\
                     \"narrative\":\"Load test: we were charged too much.\",\"channel\":\"email\"}}",
                    REASONS[rng.usize(..REASONS.len())],
                    rng.u32(1..=500)
                );
                Request {
                    body: Some(body),
                    path: "/api/v1/disputes".into(),
                    expected: 201,
                }
            }
            Self::List { customers, family } => {
                let family = family.unwrap_or_else(|| rng.u8(1..=6));
                Request {
                    body: None,
                    path: format!("/api/v1/disputes?{}", page(rng, family, *customers)),
                    expected: 200,
                }
            }
            Self::Desk {
                customers,
                invoices,
                disputes,
                family,
            } => {
                // Half of what an agent reads is a case; the rest the queue, every way.
                let family = family.unwrap_or_else(|| if rng.bool() { 7 } else { rng.u8(1..=6) });
                Request {
                    body: None,
                    path: desk_page(rng, family, *customers, invoices, *disputes),
                    expected: 200,
                }
            }
        }
    }
}

/// The invoice ids listed in `dir`'s `invoices.txt`, one a line.
fn invoices(dir: &Path) -> anyhow::Result<Vec<String>> {
    let path = dir.join("invoices.txt");
    let invoices: Vec<String> = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .lines()
        .map(str::to_owned)
        .collect();
    anyhow::ensure!(!invoices.is_empty(), "{} lists no invoices", path.display());
    Ok(invoices)
}

/// The path of a desk page of kind `family`.
fn desk_page(
    rng: &mut fastrand::Rng,
    family: u8,
    customers: u32,
    invoices: &[String],
    disputes: u32,
) -> String {
    let reason = REASONS[rng.usize(..REASONS.len())];
    let currency = CURRENCIES[rng.usize(..CURRENCIES.len())];
    match family {
        1 => "/queue".into(),
        2 => format!("/queue?status=open&reason={reason}&sort=oldest"),
        3 => format!("/queue?q=C-{:06}", rng.u32(1..=customers.max(1))),
        4 => format!("/queue?q={}", invoices[rng.usize(..invoices.len())]),
        5 => {
            let low = rng.u32(0..=900);
            format!(
                "/queue?currency={currency}&min={low}&max={}&sort=largest",
                low + 100
            )
        }
        6 => format!("/queue?status=open&age={}&sort=oldest", rng.u16(7..=90)),
        _ => format!("/disputes/DSP-B{:07}", rng.u32(0..disputes)),
    }
}

/// The query of a list page of kind `family`.
fn page(rng: &mut fastrand::Rng, family: u8, customers: u32) -> String {
    let reason = REASONS[rng.usize(..REASONS.len())];
    let currency = CURRENCIES[rng.usize(..CURRENCIES.len())];
    match family {
        1 => "status=open&limit=50".into(),
        2 => format!("customer=C-{:06}", rng.u32(1..=customers.max(1))),
        3 => {
            let month = rng.u8(1..=12);
            format!("reason={reason}&opened_from=2024-{month:02}-01&opened_to=2024-{month:02}-28")
        }
        4 => {
            let low = rng.u32(0..=900);
            format!(
                "currency={currency}&min_amount={low}&max_amount={}&sort=-claimed_amount",
                low + 100
            )
        }
        5 => format!("status=open&reason={reason}&sort=created_at&limit=20"),
        // Deep pages: a cursor as the list gives them, hex of "value<US>id", far into the list.
        _ => {
            let cursor: String = format!("{}\u{1f}DSP-Z", rng.u32(0..=500_000))
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("currency={currency}&sort=-claimed_amount&cursor={cursor}")
        }
    }
}
