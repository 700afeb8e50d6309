//! The worked example of billing-data v1 (`fixtures/audit-v1`, from the format's authors): the
//! audit must give exactly its findings and verdicts, no more and no fewer, to the minor unit.

use redress_audit::report::{finding_record, verdict_record};
use redress_domain::Decimal;
use redress_import::{NoProgress, read_billing_data};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1")
}

/// What identifies a finding or verdict, and its amount as an exact decimal.
fn keyed(record: &Value) -> (String, Decimal) {
    let text = |name: &str| record.get(name).map(|v| v.to_string()).unwrap_or_default();
    let kind = record["kind"].as_str().unwrap();
    let key = match kind {
        "dispute" => format!("dispute {} {}", text("dispute_id"), text("verdict")),
        "unbilled_delivery" | "quantity_overbilled" => format!(
            "{kind} {} {} {} {} {} {}",
            text("contract_id"),
            text("sku"),
            text("period_start"),
            text("invoice_id"),
            text("line_no"),
            text("currency")
        ),
        _ => format!(
            "{kind} {} {} {} {}",
            text("contract_id"),
            text("invoice_id"),
            text("line_no"),
            text("currency")
        ),
    };
    let amount = record
        .get("impact")
        .or_else(|| record.get("adjustment"))
        .unwrap();
    (key, amount.as_str().unwrap().parse().unwrap())
}

#[test]
fn the_worked_example_gives_exactly_the_expected_findings_and_verdicts() {
    let data = read_billing_data(&fixture().join("data"), &NoProgress).expect("the example reads");
    let audit = redress_audit::audit(&data);
    let mut actual: Vec<(String, Decimal)> = audit
        .findings
        .iter()
        .map(|f| keyed(&serde_json::to_value(finding_record(&data, f)).unwrap()))
        .chain(audit.verdicts.iter().map(|v| {
            keyed(&serde_json::to_value(verdict_record(&data, &audit.findings, v)).unwrap())
        }))
        .collect();
    let expected_text = std::fs::read_to_string(fixture().join("expected.jsonl")).unwrap();
    let mut expected: Vec<(String, Decimal)> = expected_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| keyed(&serde_json::from_str(l).unwrap()))
        .collect();
    actual.sort();
    expected.sort();
    let as_map = |v: &[(String, Decimal)]| {
        v.iter()
            .map(|(k, d)| (k.clone(), d.normalize().to_string()))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(
        actual.len(),
        expected.len(),
        "{:#?}\nvs expected\n{:#?}",
        as_map(&actual),
        as_map(&expected)
    );
    assert_eq!(as_map(&actual), as_map(&expected));
}
