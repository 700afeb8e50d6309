//! Bad billing data gets every problem named (file, line, column, what is wrong, what was
//! expected) and nothing is read; good data in any legal shape reads.

use redress_import::{ImportError, NoProgress, Problem, read_billing_data};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data")
}

/// A copy of the worked example, changed by `edit`.
fn example_with(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(fixture()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    edit(dir.path());
    dir
}

fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn problems(dir: &Path) -> Vec<Problem> {
    match read_billing_data(dir, &NoProgress) {
        Err(ImportError::Invalid(problems)) => problems.kept().to_vec(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("bad data was read"),
    }
}

/// The one problem, written as a person sees it.
fn only_problem(edit: impl FnOnce(&Path)) -> String {
    let dir = example_with(edit);
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    found[0].to_string()
}

#[test]
fn the_worked_example_reads_completely() {
    let data = read_billing_data(&fixture(), &NoProgress).unwrap();
    assert_eq!(data.customers.len(), 3);
    assert_eq!(data.invoices.len(), 11);
    assert_eq!(data.lines.len(), 24);
    assert_eq!(data.deliveries.records.len(), 17);
    assert_eq!(data.payments.len(), 7);
    assert_eq!(data.notices.len(), 8);
    assert_eq!(data.disputes.len(), 5);
    assert_eq!(
        data.disputes[4].narrative,
        "This whole invoice is a mess.\nPlease check every line."
    );
    assert_eq!(data.customers[2].name, "Dana \"DQ\" Qasim");
}

#[test]
fn a_missing_file_is_named_with_the_columns_it_needs() {
    let message = only_problem(|d| fs::remove_file(d.join("payments.csv")).unwrap());
    assert!(
        message.starts_with("payments.csv: the file is missing"),
        "{message}"
    );
    assert!(
        message.contains("payment_id, invoice_id, paid_on, amount, method, reference"),
        "{message}"
    );
}

#[test]
fn a_missing_disputes_file_is_fine() {
    let dir = example_with(|d| fs::remove_file(d.join("disputes.csv")).unwrap());
    assert!(
        read_billing_data(dir.path(), &NoProgress)
            .unwrap()
            .disputes
            .is_empty()
    );
}

#[test]
fn a_missing_column_is_named() {
    let message = only_problem(|d| replace(d, "notices.csv", ",channel", ",medium"));
    assert_eq!(
        message,
        "notices.csv, line 1: the header has no column `channel` (expected the columns \
         notice_id, invoice_id, sent_on, kind, channel (in any order))"
    );
}

#[test]
fn a_malformed_date_is_named_with_its_line_and_column() {
    let message = only_problem(|d| replace(d, "payments.csv", "2025-03-15", "15/03/2025"));
    assert_eq!(
        message,
        "payments.csv, line 3, column paid_on: `15/03/2025` is not a date of the form YYYY-MM-DD \
         (expected a date YYYY-MM-DD)"
    );
}

#[test]
fn a_day_that_does_not_exist_is_refused() {
    let message = only_problem(|d| replace(d, "notices.csv", "2025-03-10", "2025-02-30"));
    assert!(
        message.contains("line 4, column sent_on: `2025-02-30` is not a day of the calendar"),
        "{message}"
    );
}

#[test]
fn a_malformed_number_is_refused() {
    let message = only_problem(|d| replace(d, "payments.csv", "1407.75", "1,407.75"));
    // The comma splits the field, so the row has one field too many.
    assert!(
        message.contains("payments.csv, line 3: the row has 7 fields"),
        "{message}"
    );
    let message = only_problem(|d| replace(d, "payments.csv", "1407.75", "1407.7x"));
    assert_eq!(
        message,
        "payments.csv, line 3, column amount: `1407.7x` is not a decimal number \
         (expected a number greater than zero)"
    );
}

#[test]
fn an_unknown_currency_is_refused() {
    let message = only_problem(|d| replace(d, "contracts.csv", ",KWD,", ",KWX,"));
    assert!(
        message.contains(
            "contracts.csv, line 4, column currency: `KWX` is not an ISO 4217 currency code"
        ),
        "{message}"
    );
}

#[test]
fn zero_or_negative_quantities_are_refused() {
    let message = only_problem(|d| replace(d, "deliveries.csv", "2025-01-15,1,", "2025-01-15,0,"));
    assert_eq!(
        message,
        "deliveries.csv, line 2, column quantity: `0` is not allowed here (expected a number greater than zero)"
    );
    let message = only_problem(|d| {
        replace(
            d,
            "invoice_lines.csv",
            "2025-01-31,4,75.50",
            "2025-01-31,-4,75.50",
        )
    });
    assert!(
        message.contains("invoice_lines.csv, line 3, column quantity: `-4` is not allowed here"),
        "{message}"
    );
}

#[test]
fn a_duplicate_id_names_both_lines() {
    let message = only_problem(|d| replace(d, "deliveries.csv", "D-002,", "D-001,"));
    assert_eq!(
        message,
        "deliveries.csv, line 3, column delivery_id: `D-001` is already used on line 2 (expected each delivery_id once)"
    );
    let message = only_problem(|d| replace(d, "invoice_lines.csv", "INV-A1,2,", "INV-A1,1,"));
    assert!(
        message.contains(
            "invoice_lines.csv, line 3, column line_no: invoice INV-A1 already has a line 1"
        ),
        "{message}"
    );
    // Renaming INV-A2 also leaves its lines, payment and notice pointing at nothing.
    let dir = example_with(|d| replace(d, "invoices.csv", "INV-A2,", "INV-A1,"));
    let message = problems(dir.path())[0].to_string();
    assert!(
        message.contains(
            "invoices.csv, line 3, column invoice_id: `INV-A1` is already used on line 2"
        ),
        "{message}"
    );
}

#[test]
fn references_to_ids_that_do_not_exist_are_refused() {
    let cases = [
        (
            "contracts.csv",
            "K-ACME,C-ACME",
            "K-ACME,C-NOBODY",
            "column customer_id: `C-NOBODY` is not in customers.csv",
        ),
        (
            "deliveries.csv",
            "D-001,K-ACME",
            "D-001,K-NONE",
            "column contract_id: `K-NONE` is not in contracts.csv",
        ),
        (
            "payments.csv",
            "P-01,INV-A1",
            "P-01,INV-ZZ",
            "column invoice_id: `INV-ZZ` is not in invoices.csv",
        ),
        (
            "invoice_lines.csv",
            ",35.00,INV-A1",
            ",35.00,INV-A0",
            "column late_fee_for: `INV-A0` is not in invoices.csv",
        ),
        (
            "disputes.csv",
            "DSP-1,INV-A4,2",
            "DSP-1,INV-A9,2",
            "column invoice_id: `INV-A9` is not in invoices.csv",
        ),
        (
            "disputes.csv",
            "DSP-1,INV-A4,2",
            "DSP-1,INV-A4,7",
            "column line_no: invoice INV-A4 has no line 7",
        ),
    ];
    for (file, from, to, expected) in cases {
        let message = only_problem(|d| replace(d, file, from, to));
        assert!(
            message.starts_with(file) && message.contains(expected),
            "{message}"
        );
    }
}

#[test]
fn periods_and_validity_ranges_that_end_before_they_start_are_refused() {
    let message = only_problem(|d| {
        replace(
            d,
            "invoice_lines.csv",
            "2025-02-01,2025-02-28,6,",
            "2025-02-28,2025-02-01,6,",
        )
    });
    assert!(
        message.contains("line 7, column period_end: the period ends on 2025-02-01, before it starts on 2025-02-28"),
        "{message}"
    );
    let message = only_problem(|d| {
        replace(
            d,
            "prices.csv",
            "2025-01-01,2025-03-31",
            "2025-01-01,2024-12-31",
        )
    });
    assert!(
        message.contains("prices.csv, line 2, column valid_to: the price ends on 2024-12-31"),
        "{message}"
    );
    let message = only_problem(|d| {
        replace(
            d,
            "contracts.csv",
            "2025-03-01,2025-06-30",
            "2025-03-01,2025-02-28",
        )
    });
    assert!(
        message.contains("contracts.csv, line 4, column end_date: the contract ends on 2025-02-28"),
        "{message}"
    );
}

#[test]
fn amounts_with_more_decimals_than_the_currency_allows_are_refused() {
    let message = only_problem(|d| replace(d, "payments.csv", "15675,bank", "15675.5,bank"));
    assert_eq!(
        message,
        "payments.csv, line 5, column amount: 15675.5 has more decimals than JPY allows \
         (expected an amount with at most 0 decimals)"
    );
    let message = only_problem(|d| {
        replace(
            d,
            "invoice_lines.csv",
            ",90.00,\nINV-A1,2",
            ",90.005,\nINV-A1,2",
        )
    });
    assert!(
        message.contains(
            "invoice_lines.csv, line 2, column amount: 90.005 has more decimals than USD allows"
        ),
        "{message}"
    );
}

#[test]
fn unit_prices_may_have_any_number_of_decimals() {
    let dir = example_with(|d| replace(d, "prices.csv", "0.0125", "0.012500001"));
    assert!(read_billing_data(dir.path(), &NoProgress).is_ok());
}

#[test]
fn an_invoice_in_another_currency_than_its_contract_is_refused() {
    let message = only_problem(|d| replace(d, "invoices.csv", "2025-03-31,JPY", "2025-03-31,USD"));
    assert!(
        message
            .contains("column currency: USD is not the currency of contract K-SORA (expected JPY"),
        "{message}"
    );
}

#[test]
fn every_problem_in_every_file_is_reported_at_once() {
    let dir = example_with(|d| {
        replace(d, "customers.csv", "2019-04-01", "2019-04-31");
        replace(
            d,
            "deliveries.csv",
            "D-005,K-ACME,HOST,2025-05-15,1",
            "D-005,K-ACME,HOST,2025-05-15,one",
        );
        replace(d, "invoice_lines.csv", "charge,HOURS", "credit,HOURS");
        replace(d, "notices.csv", "reminder", "nudge");
    });
    let found = problems(dir.path());
    let files: Vec<&str> = found.iter().map(|p| p.file).collect();
    assert_eq!(
        files,
        [
            "customers.csv",
            "deliveries.csv",
            "invoice_lines.csv",
            "notices.csv"
        ],
        "{found:#?}"
    );
    assert!(
        found[2]
            .to_string()
            .contains("`credit` is not a known value (expected one of charge, late_fee)")
    );
}

#[test]
fn columns_in_any_order_extra_columns_and_crlf_line_ends_read_the_same() {
    let dir = example_with(|d| {
        // Reverse the columns, add one, and end lines with CRLF.
        let path = d.join("payments.csv");
        let text = fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.reverse();
            out.push_str(&fields.join(","));
            out.push_str(if out.len() < 60 {
                ",note\r\n"
            } else {
                ",x\r\n"
            });
        }
        fs::write(&path, out).unwrap();
    });
    let shuffled = read_billing_data(dir.path(), &NoProgress).unwrap();
    let original = read_billing_data(&fixture(), &NoProgress).unwrap();
    assert_eq!(shuffled.payments, original.payments);
    assert_eq!(shuffled.payment_ids, original.payment_ids);
}

#[test]
fn a_broken_row_does_not_make_its_references_look_missing() {
    // The invoice row is bad, but its id exists: lines and payments on it are not reported too.
    let message = only_problem(|d| {
        replace(
            d,
            "invoices.csv",
            "INV-A1,C-ACME,K-ACME,2025-02-01",
            "INV-A1,C-ACME,K-ACME,2025-02-0x",
        )
    });
    assert!(
        message.starts_with("invoices.csv, line 2, column issue_date"),
        "{message}"
    );
}

#[test]
fn reading_without_free_text_keeps_every_record_but_the_two_large_text_columns() {
    use redress_import::{ReadOptions, read_billing_data_with};
    let full = read_billing_data(&fixture(), &NoProgress).unwrap();
    let lean =
        read_billing_data_with(&fixture(), ReadOptions { free_text: false }, &NoProgress).unwrap();
    assert_eq!(lean.lines, full.lines);
    assert_eq!(lean.deliveries.records, full.deliveries.records);
    assert_eq!(lean.deliveries.ids, full.deliveries.ids);
    assert_eq!(lean.payments, full.payments);
    assert!(lean.line_descriptions.is_empty() && lean.deliveries.references.is_empty());
    assert_eq!(full.line_descriptions.get(0), "Hosting, January");
}
