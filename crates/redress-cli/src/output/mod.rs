//! The audit's report in three shapes: a table for people, JSON, and JSON lines.

mod json;
mod table;

use clap::ValueEnum;
use redress_audit::Audit;
use redress_domain::BillingData;
use std::io::{self, Write};
use std::path::Path;

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Counts and impact by kind and currency, then the findings, most money first.
    Table,
    /// One JSON document: summary, findings, disputes.
    Json,
    /// One JSON object per line: each finding, then each dispute verdict.
    Jsonl,
}

impl Format {
    /// The format when none is asked for: by the output file's extension, else a table for a
    /// terminal and JSON lines for a pipe.
    pub fn default_for(output: Option<&Path>, to_terminal: bool) -> Self {
        match output.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
            Some("json") => Self::Json,
            Some("jsonl" | "ndjson") => Self::Jsonl,
            Some(_) => Self::Table,
            None if to_terminal => Self::Table,
            None => Self::Jsonl,
        }
    }
}

/// Writes the report of `audit` over `data` (read from `dir`).
pub fn write(
    format: Format,
    out: &mut dyn Write,
    dir: &Path,
    data: &BillingData,
    audit: &Audit,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(out, dir, data, audit),
        Format::Json => json::write_document(out, data, audit),
        Format::Jsonl => json::write_lines(out, data, audit),
    }
}
