//! The floor the audit's reading is measured against (issue 21): every record of every CSV
//! file of a directory parsed by the `csv` crate, the files in parallel, nothing kept.
//! `scripts/bench-audit.sh` times it beside `redress audit` on the same files in the same run,
//! and reports the ratio of the two.
//!
//! ```text
//! cargo run --release -p redress-import --example bare-parse -- DIR
//! ```

use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .ok_or("usage: bare-parse DIR (a directory of CSV files)")?;
    let mut files: Vec<(PathBuf, u64)> = std::fs::read_dir(&dir)?
        .map(|entry| {
            let path = entry?.path();
            let len = path.metadata()?.len();
            Ok((path, len))
        })
        .collect::<std::io::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "csv"))
        .collect();
    // The largest first, so that the cores finish together.
    files.sort_by_key(|(_, len)| std::cmp::Reverse(*len));
    let started = Instant::now();
    let parsed = files
        .par_iter()
        .with_max_len(1)
        .map(|(path, _)| {
            let mut reader = csv::ReaderBuilder::new().from_path(path)?;
            let mut record = csv::ByteRecord::new();
            let (mut records, mut fields) = (0u64, 0u64);
            while reader.read_byte_record(&mut record)? {
                records += 1;
                fields += record.len() as u64;
            }
            Ok((path, records, fields))
        })
        .collect::<Result<Vec<_>, csv::Error>>()?;
    let elapsed = started.elapsed();
    for (path, records, fields) in &parsed {
        eprintln!("{}: {records} records, {fields} fields", path.display());
    }
    eprintln!("parsed in {:.3} s", elapsed.as_secs_f64());
    Ok(())
}
