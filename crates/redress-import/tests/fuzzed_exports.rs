//! Property tests over the reading of an export: whatever bytes are spliced into whichever file
//! of a good export (NUL bytes, invalid UTF-8, stray quotes, separators, line breaks, huge
//! numbers), reading it never panics, and either reads or refuses with problems that each name
//! their file (and, for a row, a line from 1).

use proptest::prelude::*;
use redress_import::{ImportError, Progress, read_billing_data};
use std::path::{Path, PathBuf};

struct Quiet;
impl Progress for Quiet {}

const FILES: [&str; 9] = [
    "contracts.csv",
    "customers.csv",
    "deliveries.csv",
    "disputes.csv",
    "invoice_lines.csv",
    "invoices.csv",
    "notices.csv",
    "payments.csv",
    "prices.csv",
];

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data")
}

fn copy_of(from: &Path, to: &Path) {
    for file in FILES {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
}

/// Bytes a broken export is made of: mostly the characters CSV gives meaning to, with NUL,
/// bytes that are not UTF-8, digits enough for huge numbers, and anything else.
fn splice() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(b'\0'),
        Just(b'"'),
        Just(b','),
        Just(b'\n'),
        Just(b'\r'),
        Just(b'-'),
        Just(b'.'),
        Just(0xFFu8),
        Just(0xC3u8),
        b'0'..=b'9',
        any::<u8>(),
    ];
    prop::collection::vec(byte, 1..64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_spliced_into_an_export_are_read_or_refused_naming_file_and_line(
        file in 0..FILES.len(),
        at in any::<prop::sample::Index>(),
        replace in 0usize..8,
        bytes in splice(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        copy_of(&example(), dir.path());
        let path = dir.path().join(FILES[file]);
        let mut content = std::fs::read(&path).unwrap();
        let at = at.index(content.len() + 1);
        let end = (at + replace).min(content.len());
        content.splice(at..end, bytes);
        std::fs::write(&path, &content).unwrap();

        match read_billing_data(dir.path(), &Quiet) {
            Ok(_) => {}
            Err(ImportError::Invalid(problems)) => {
                prop_assert!(!problems.kept().is_empty());
                for problem in problems.kept() {
                    prop_assert!(FILES.contains(&problem.file), "{problem:?}");
                    prop_assert!(problem.line.is_none_or(|line| line >= 1), "{problem:?}");
                    prop_assert!(!problem.message.is_empty(), "{problem:?}");
                }
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}
