//! What the load asks of the server: disputes of random invoices, or filtered pages of the
//! dispute list the way agents look for work.

use anyhow::Context;
use std::path::Path;

/// One request to send, and the status that means it was served.
pub struct Request {
    /// `POST` with this JSON body when some, else `GET`.
    pub body: Option<String>,
    /// Path and query, from `/api/v1`.
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
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
        };
        let invoices: Vec<String> = read("invoices.txt")?.lines().map(str::to_owned).collect();
        let lines = read("lines.txt")?
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
        anyhow::ensure!(
            !invoices.is_empty() && !lines.is_empty(),
            "{} lists no invoices or no lines",
            dir.display()
        );
        Ok(Self::Intake { invoices, lines })
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
                    path: "/disputes".into(),
                    expected: 201,
                }
            }
            Self::List { customers, family } => {
                let family = family.unwrap_or_else(|| rng.u8(1..=6));
                Request {
                    body: None,
                    path: format!("/disputes?{}", page(rng, family, *customers)),
                    expected: 200,
                }
            }
        }
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
