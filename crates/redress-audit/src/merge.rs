//! The reports of shards, merged into the report of the whole audit.
//!
//! A shard's report is the JSON lines of an audit of its customers (each finding, then each
//! dispute verdict), after a first line that names the shard and the size of the export it
//! read: a [`ShardHeader`]. Merging checks that the reports are every shard of one export, each
//! once, and then puts their records in the whole audit's order (findings by contract in file
//! order, then verdicts in file order), passing each record's bytes through unchanged: the
//! merged report is byte for byte the report of the whole audit.

use crate::shard::Shard;
use redress_domain::BillingData;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{self, BufRead, Write};

/// The first line of a shard's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// Which shard the report is of.
    #[serde(with = "shard_text")]
    pub shard: Shard,
    /// The export it was read from, by the number of records in each file: every shard of a
    /// merge must have read the same export.
    pub export: ExportSize,
}

/// How many records each file of an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSize {
    /// Rows of `customers.csv`.
    pub customers: usize,
    /// Rows of `contracts.csv`.
    pub contracts: usize,
    /// Rows of `prices.csv`.
    pub prices: usize,
    /// Rows of `deliveries.csv`.
    pub deliveries: usize,
    /// Rows of `invoices.csv`.
    pub invoices: usize,
    /// Rows of `invoice_lines.csv`.
    pub invoice_lines: usize,
    /// Rows of `payments.csv`.
    pub payments: usize,
    /// Rows of `notices.csv`.
    pub notices: usize,
    /// Rows of `disputes.csv`.
    pub disputes: usize,
}

impl ExportSize {
    /// The size of the export `data` was read from.
    pub fn of(data: &BillingData) -> Self {
        Self {
            customers: data.customers.len(),
            contracts: data.contracts.len(),
            prices: data.prices.len(),
            deliveries: data.deliveries.records.len(),
            invoices: data.invoices.len(),
            invoice_lines: data.lines.len(),
            payments: data.payments.len(),
            notices: data.notices.len(),
            disputes: data.disputes.len(),
        }
    }
}

impl fmt::Display for ExportSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} customers, {} contracts, {} invoices, {} invoice lines, {} deliveries, {} disputes",
            self.customers,
            self.contracts,
            self.invoices,
            self.invoice_lines,
            self.deliveries,
            self.disputes
        )
    }
}

mod shard_text {
    use crate::shard::Shard;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(shard: &Shard, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(shard)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Shard, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(D::Error::custom)
    }
}

/// The order of the export's records the whole audit reports in.
#[derive(Debug, Clone, Default)]
pub struct ReportOrder<'a> {
    /// `contract_id`s in file order.
    pub contract_ids: &'a [String],
    /// `dispute_id`s in file order.
    pub dispute_ids: &'a [String],
}

/// A report to merge: its name (for messages) and its lines.
pub struct ShardReport<R> {
    /// How the report is named to the user, e.g. its path.
    pub name: String,
    /// Its JSON lines.
    pub lines: R,
}

/// Why shard reports could not be merged. Nothing is written then.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A report could not be read.
    #[error("{report} cannot be read: {source}")]
    Unreadable {
        /// The report.
        report: String,
        /// What reading said.
        source: io::Error,
    },
    /// A report does not start with a shard header.
    #[error(
        "{report} is not the report of a shard: its first line should name the shard and the \
         export, as `redress audit --shard I/N` writes it ({problem})"
    )]
    NotAShardReport {
        /// The report.
        report: String,
        /// What is wrong with its first line.
        problem: String,
    },
    /// A line of a report is neither a finding nor a verdict.
    #[error("line {line} of {report} is not a finding or a dispute verdict: {problem}")]
    NotARecord {
        /// The report.
        report: String,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// Reports of shards of different counts.
    #[error(
        "{report} is shard {shard}, but {first} is of {count} shards: merge the shards of one count"
    )]
    OtherCount {
        /// The report.
        report: String,
        /// Its shard.
        shard: Shard,
        /// The first report.
        first: String,
        /// The first report's count of shards.
        count: u32,
    },
    /// Two reports of one shard.
    #[error("{first} and {second} are both shard {shard}: give each shard's report once")]
    Twice {
        /// The shard.
        shard: Shard,
        /// One report.
        first: String,
        /// The other.
        second: String,
    },
    /// Shards without a report.
    #[error("the report of shard {} of {count} is missing: give every shard's report", list(.missing))]
    Missing {
        /// The shards missing, from 1.
        missing: Vec<u32>,
        /// How many shards there are.
        count: u32,
    },
    /// Reports read from different exports.
    #[error("{report} was read from another export ({its}) than {first} ({theirs})")]
    OtherExport {
        /// The report.
        report: String,
        /// What it read.
        its: Box<ExportSize>,
        /// The first report.
        first: String,
        /// What that read.
        theirs: Box<ExportSize>,
    },
    /// The reports were read from an export other than the one whose order was given.
    #[error(
        "the reports were read from an export of {contracts} contracts and {disputes} disputes, \
         but the directory given holds {found_contracts} contracts and {found_disputes} disputes"
    )]
    OtherDirectory {
        /// Contracts the reports read.
        contracts: usize,
        /// Disputes the reports read.
        disputes: usize,
        /// Contracts in the directory.
        found_contracts: usize,
        /// Disputes in the directory.
        found_disputes: usize,
    },
    /// A record names a contract or dispute the export does not hold.
    #[error("line {line} of {report} names {what} `{id}`, which the export does not hold")]
    Unknown {
        /// The report.
        report: String,
        /// The line, from 1.
        line: usize,
        /// `contract` or `dispute`.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A finding of a customer of another shard.
    #[error(
        "line {line} of {report} is a finding on customer `{customer}`, who is not in shard {shard}"
    )]
    OtherShard {
        /// The report.
        report: String,
        /// The line, from 1.
        line: usize,
        /// The customer.
        customer: String,
        /// The report's shard.
        shard: Shard,
    },
    /// A dispute with no verdict, or with two.
    #[error(
        "dispute `{dispute}` has {verdicts} verdicts in the reports, where the audit gives one"
    )]
    Verdicts {
        /// The dispute.
        dispute: String,
        /// How many verdicts it has.
        verdicts: usize,
    },
    /// The merged report could not be written.
    #[error("the merged report cannot be written: {0}")]
    Write(#[source] io::Error),
}

fn list(numbers: &[u32]) -> String {
    let numbers: Vec<String> = numbers.iter().map(u32::to_string).collect();
    numbers.join(", ")
}

/// Where each id is in `ids`.
fn places(ids: &[String]) -> FxHashMap<&str, u32> {
    ids.iter()
        .enumerate()
        .map(|(at, id)| (id.as_str(), at as u32))
        .collect()
}

/// What of a record the merge needs: whether it is a verdict, and whose.
#[derive(Deserialize)]
struct RecordKey {
    kind: String,
    #[serde(default)]
    contract_id: Option<String>,
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    dispute_id: Option<String>,
}

/// Merges `reports`, every shard's once, into the whole audit's report over an export whose
/// records come in `order`, and writes it to `out`.
pub fn merge_reports<R: BufRead>(
    order: ReportOrder<'_>,
    reports: Vec<ShardReport<R>>,
    out: &mut dyn Write,
) -> Result<(), MergeError> {
    let contract_at = places(order.contract_ids);
    let dispute_at = places(order.dispute_ids);
    // (contract's place, shard, line) and the line: a contract is one customer's and so in one
    // shard, where its findings keep their order.
    let mut findings: Vec<((u32, u32, usize), String)> = Vec::new();
    let mut verdicts: Vec<Option<String>> = vec![None; order.dispute_ids.len()];
    let mut verdict_counts: Vec<usize> = vec![0; order.dispute_ids.len()];
    let mut shards: Vec<(ShardHeader, String)> = Vec::new();

    for report in reports {
        let name = report.name;
        let unreadable = |source| MergeError::Unreadable {
            report: name.clone(),
            source,
        };
        let mut lines = report.lines.lines();
        let first = lines.next().transpose().map_err(unreadable)?;
        let header: ShardHeader = match first.as_deref().map(serde_json::from_str) {
            Some(Ok(header)) => header,
            Some(Err(e)) => {
                return Err(MergeError::NotAShardReport {
                    report: name,
                    problem: e.to_string(),
                });
            }
            None => {
                return Err(MergeError::NotAShardReport {
                    report: name,
                    problem: "it is empty".to_owned(),
                });
            }
        };
        if shards.is_empty()
            && (header.export.contracts != order.contract_ids.len()
                || header.export.disputes != order.dispute_ids.len())
        {
            return Err(MergeError::OtherDirectory {
                contracts: header.export.contracts,
                disputes: header.export.disputes,
                found_contracts: order.contract_ids.len(),
                found_disputes: order.dispute_ids.len(),
            });
        }
        if let Some((first, first_name)) = shards.first() {
            if header.shard.count() != first.shard.count() {
                return Err(MergeError::OtherCount {
                    report: name,
                    shard: header.shard,
                    first: first_name.clone(),
                    count: first.shard.count(),
                });
            }
            if header.export != first.export {
                return Err(MergeError::OtherExport {
                    report: name,
                    its: Box::new(header.export),
                    first: first_name.clone(),
                    theirs: Box::new(first.export),
                });
            }
        }
        if let Some((_, other)) = shards.iter().find(|(h, _)| h.shard == header.shard) {
            return Err(MergeError::Twice {
                shard: header.shard,
                first: other.clone(),
                second: name,
            });
        }
        let shard = header.shard;
        for (at, line) in lines.enumerate() {
            let line_no = at + 2;
            let line = line.map_err(unreadable)?;
            let not_a_record = |problem: String| MergeError::NotARecord {
                report: name.clone(),
                line: line_no,
                problem,
            };
            let key: RecordKey =
                serde_json::from_str(&line).map_err(|e| not_a_record(e.to_string()))?;
            let unknown = |what, id: &str| MergeError::Unknown {
                report: name.clone(),
                line: line_no,
                what,
                id: id.to_owned(),
            };
            if key.kind == "dispute" {
                let id = key
                    .dispute_id
                    .ok_or_else(|| not_a_record("a verdict without a dispute_id".to_owned()))?;
                let at = *dispute_at
                    .get(id.as_str())
                    .ok_or_else(|| unknown("dispute", &id))? as usize;
                verdict_counts[at] += 1;
                verdicts[at] = Some(line);
            } else {
                let (Some(contract), Some(customer)) = (&key.contract_id, &key.customer_id) else {
                    return Err(not_a_record(
                        "a finding without a contract_id and a customer_id".to_owned(),
                    ));
                };
                if !shard.holds(customer) {
                    return Err(MergeError::OtherShard {
                        report: name,
                        line: line_no,
                        customer: customer.clone(),
                        shard,
                    });
                }
                let at = *contract_at
                    .get(contract.as_str())
                    .ok_or_else(|| unknown("contract", contract))?;
                findings.push(((at, shard.index(), line_no), line));
            }
        }
        shards.push((header, name));
    }

    let Some((first, _)) = shards.first() else {
        return Err(MergeError::Missing {
            missing: vec![1],
            count: 1,
        });
    };
    let count = first.shard.count();
    let missing: Vec<u32> = (1..=count)
        .filter(|&i| !shards.iter().any(|(h, _)| h.shard.index() == i))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
    if let Some((at, &verdicts)) = verdict_counts.iter().enumerate().find(|(_, n)| **n != 1) {
        return Err(MergeError::Verdicts {
            dispute: order.dispute_ids[at].clone(),
            verdicts,
        });
    }

    findings.sort_unstable_by_key(|(key, _)| *key);
    let lines = findings
        .iter()
        .map(|(_, line)| line)
        .chain(verdicts.iter().flatten());
    for line in lines {
        out.write_all(line.as_bytes()).map_err(MergeError::Write)?;
        out.write_all(b"\n").map_err(MergeError::Write)?;
    }
    Ok(())
}
