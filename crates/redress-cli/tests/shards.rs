//! The audit sharded (issue 21): each shard's report holds its customers' findings and
//! verdicts, and the shards' reports merge into exactly the whole audit's report, byte for
//! byte; a merge that cannot be whole is refused and writes nothing.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::{redress, text};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A generated export with disputes and every kind of error.
fn generated(dir: &Path, customers: &str, seed: &str) -> PathBuf {
    let data = dir.join(format!("export-{seed}"));
    let out = redress(&[
        "demo-data",
        path(&data),
        "--customers",
        customers,
        "--months",
        "6",
        "--seed",
        seed,
        "--error-rate",
        "0.05",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    data
}

/// The whole audit's report of `data`, as JSON lines.
fn whole_audit(data: &Path) -> Vec<u8> {
    let out = redress(&["audit", path(data), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    out.stdout
}

/// Audits each of `count` shards of `data` into `dir`, and gives the reports' paths.
fn shard_reports(data: &Path, dir: &Path, count: u32) -> Vec<PathBuf> {
    (1..=count)
        .map(|index| {
            let report = dir.join(format!("shard-{index}-of-{count}.jsonl"));
            let shard = format!("{index}/{count}");
            let out = redress(&[
                "audit",
                path(data),
                "--shard",
                &shard,
                "--output",
                path(&report),
            ]);
            assert!(out.status.success(), "{shard}: {}", text(&out.stderr));
            assert!(
                text(&out.stderr).contains(&format!("of shard {shard}")),
                "{}",
                text(&out.stderr)
            );
            report
        })
        .collect()
}

fn merge(data: &Path, reports: &[PathBuf], extra: &[&str]) -> Output {
    let mut args = vec!["audit", path(data), "--merge"];
    args.extend(reports.iter().map(|r| path(r)));
    args.extend(extra);
    redress(&args)
}

#[test]
fn the_reports_of_one_two_four_and_seven_shards_merge_into_the_whole_audit_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    for data in [generated(dir.path(), "300", "11"), example] {
        let whole = whole_audit(&data);
        let records = whole.iter().filter(|&&b| b == b'\n').count();
        assert!(
            records > 20,
            "the export gives findings to shard: {records}"
        );
        for count in [1, 2, 4, 7] {
            let reports = shard_reports(&data, dir.path(), count);
            // Each report is a header and a part of the whole audit's records, no record in
            // two parts.
            let mut in_shards = 0;
            for report in &reports {
                let report = std::fs::read_to_string(report).unwrap();
                let mut lines = report.lines();
                let header: serde_json::Value =
                    serde_json::from_str(lines.next().unwrap()).unwrap();
                assert!(header["export"]["contracts"].as_u64().is_some(), "{header}");
                for line in lines {
                    assert!(
                        text(&whole).lines().any(|l| l == line),
                        "{line} is in the whole audit"
                    );
                    in_shards += 1;
                }
            }
            assert_eq!(in_shards, records, "{count} shards hold every record once");
            // Given in any order.
            let mut given = reports.clone();
            given.reverse();
            let merged = merge(&data, &given, &[]);
            assert!(merged.status.success(), "{}", text(&merged.stderr));
            assert!(
                merged.stdout == whole,
                "{count} shards of {} merge into the whole audit",
                data.display()
            );
            let to_file = dir.path().join("merged.jsonl");
            let merged = merge(&data, &given, &["--output", path(&to_file)]);
            assert!(merged.status.success(), "{}", text(&merged.stderr));
            assert!(std::fs::read(&to_file).unwrap() == whole);
        }
    }
}

#[test]
fn a_merge_that_would_not_be_whole_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = generated(dir.path(), "60", "5");
    let other = generated(dir.path(), "61", "6");
    let reports = shard_reports(&data, dir.path(), 3);
    let output = dir.path().join("merged.jsonl");
    let refused = |reports: &[PathBuf], against: &Path, says: &str| {
        let out = merge(against, reports, &["--output", path(&output)]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says), "{stderr} says {says}");
        assert!(stderr.contains("nothing was merged"), "{stderr}");
        assert!(!output.exists(), "no report is written");
    };
    refused(
        &reports[..2],
        &data,
        "the report of shard 3 of 3 is missing",
    );
    refused(
        &[reports[0].clone(), reports[1].clone(), reports[1].clone()],
        &data,
        "are both shard 2/3",
    );
    let other_dir = tempfile::tempdir().unwrap();
    let others = shard_reports(&other, other_dir.path(), 3);
    refused(
        &[reports[0].clone(), reports[1].clone(), others[2].clone()],
        &data,
        "was read from another export",
    );
    refused(&reports, &other, "but the directory given holds");
    let halves = shard_reports(&data, other_dir.path(), 2);
    refused(
        &[reports[0].clone(), halves[1].clone()],
        &data,
        "is shard 2/2, but",
    );
    // A whole audit's report is not a shard's.
    let whole = dir.path().join("whole.jsonl");
    std::fs::write(&whole, whole_audit(&data)).unwrap();
    refused(&[whole], &data, "is not the report of a shard");
    // A report whose header was changed to another shard's holds customers of another.
    let relabelled = dir.path().join("relabelled.jsonl");
    let first = std::fs::read_to_string(&reports[0]).unwrap();
    let second = std::fs::read_to_string(&reports[1]).unwrap();
    let (header, _) = first.split_once('\n').unwrap();
    let (_, body) = second.split_once('\n').unwrap();
    std::fs::write(&relabelled, format!("{header}\n{body}")).unwrap();
    refused(
        &[relabelled, reports[1].clone(), reports[2].clone()],
        &data,
        "who is not in shard 1/3",
    );
}

#[test]
fn a_shard_that_does_not_exist_or_a_format_that_does_not_merge_is_refused_with_what_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let data = generated(dir.path(), "20", "3");
    for (shard, says) in [
        ("5/4", "expected I from 1 to N"),
        ("0/4", "expected I from 1 to N"),
        ("two/4", "expected I/N with whole numbers"),
    ] {
        let out = redress(&["audit", path(&data), "--shard", shard]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
    let out = redress(&["audit", path(&data), "--shard", "1/2", "--format", "table"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("give --format jsonl"),
        "{}",
        text(&out.stderr)
    );
}
