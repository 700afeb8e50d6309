//! Practice cases: a generated case holds the error planted in it (and nothing else), and an
//! anonymised copy of a case gives the audit exactly what the original did while keeping
//! nothing that names the customer.

use redress_audit::FindingKind;
use redress_domain::{Language, Verdict};
use redress_practice::anonymise::anonymise;
use redress_practice::generate::{Planted, generate};

fn today() -> redress_domain::Date {
    redress_domain::parse_date("2026-12-07").unwrap()
}

fn planted_kind(planted: Planted) -> Option<FindingKind> {
    match planted {
        Planted::Nothing => None,
        Planted::PriceMismatch => Some(FindingKind::PriceMismatch),
        Planted::DiscountMissing => Some(FindingKind::DiscountMissing),
        Planted::DuplicateCharge => Some(FindingKind::DuplicateCharge),
        Planted::QuantityOverbilled => Some(FindingKind::QuantityOverbilled),
        Planted::LateFeeUnwarranted => Some(FindingKind::LateFeeUnwarranted),
    }
}

#[test]
fn the_audit_finds_exactly_the_error_planted_on_the_disputed_line_whatever_the_seed() {
    for seed in 0..200u64 {
        for planted in Planted::ALL {
            let language = Language::ALL[seed as usize % 3];
            let case = generate(seed, planted, language, today());
            assert!(
                case.data.dangling_reference().is_none(),
                "{planted:?} seed {seed}"
            );
            // Nothing wrong anywhere in the records but what was planted.
            let audit = redress_audit::audit(&case.data);
            let kinds: Vec<FindingKind> = audit.findings.iter().map(|f| f.kind).collect();
            match planted_kind(planted) {
                None => assert!(kinds.is_empty(), "seed {seed}: {kinds:?}"),
                Some(kind) => assert!(
                    !kinds.is_empty() && kinds.iter().all(|k| *k == kind),
                    "{planted:?} seed {seed}: {kinds:?}"
                ),
            }
            // The dispute is on the planted error, and judged on it.
            let verified = redress_audit::verify(&case.data, &case.dispute);
            match planted_kind(planted) {
                None => {
                    assert_eq!(verified.verdict, Verdict::Rejected);
                    assert!(verified.findings.is_empty());
                }
                Some(kind) => {
                    // The customer claims the whole line: the error may be part of it.
                    assert_ne!(
                        verified.verdict,
                        Verdict::Rejected,
                        "{planted:?} seed {seed}"
                    );
                    assert_eq!(verified.findings.len(), 1);
                    assert_eq!(verified.findings[0].kind, kind);
                    assert_eq!(verified.findings[0].line_no, case.dispute.line_no);
                }
            }
            assert_eq!(
                case.data.customers[0].language,
                language.tag(),
                "the customer writes in the case's language"
            );
        }
    }
}

#[test]
fn an_anonymised_copy_gives_the_same_findings_and_keeps_no_name_id_or_words_of_the_customer() {
    for (seed, planted) in Planted::ALL.into_iter().enumerate() {
        let mut original = generate(seed as u64 + 7, planted, Language::Spanish, today());
        // As a real customer's records would be: their own name, email, ids and words.
        original.data.customers[0].name = "Ana López Distribuciones".to_owned();
        original.data.customers[0].email = "ana@lopez.example".to_owned();
        original.data.customer_ids = rename(&original.data.customer_ids, "C-004711");
        original.data.invoice_ids = rename(&original.data.invoice_ids, "INV-004711-0");
        original.data.payments[0].reference = "TRANSFER ANA LOPEZ 4711".to_owned();
        original.dispute.narrative = "Soy Ana, me cobraron de más, llamen al 555-0101".to_owned();

        let (copy, dispute) = anonymise(
            &original.data,
            &original.dispute,
            Language::Spanish,
            seed as u64,
        );
        let before = redress_audit::verify(&original.data, &original.dispute);
        let after = redress_audit::verify(&copy, &dispute);
        assert_eq!(before.verdict, after.verdict);
        assert_eq!(before.adjustment, after.adjustment);
        let strip = |f: &redress_audit::report::FindingRecord| (f.kind, f.line_no, f.impact);
        assert_eq!(
            before.findings.iter().map(strip).collect::<Vec<_>>(),
            after.findings.iter().map(strip).collect::<Vec<_>>()
        );

        let everything = format!("{copy:?} {dispute:?}");
        for secret in ["Ana", "López", "lopez", "4711", "555-0101"] {
            assert!(
                !everything.contains(secret),
                "`{secret}` is left in the copy"
            );
        }
        assert_eq!(dispute.claimed_amount, original.dispute.claimed_amount);
        assert_eq!(dispute.line_no, original.dispute.line_no);
        assert_eq!(dispute.opened_on, original.dispute.opened_on);
        assert!(
            dispute.narrative.contains("(línea "),
            "{}",
            dispute.narrative
        );
    }
}

fn rename(table: &redress_domain::IdTable, prefix: &str) -> redress_domain::IdTable {
    let mut renamed = redress_domain::IdTable::new();
    for i in 0..table.len() {
        renamed.intern(&format!("{prefix}{}", i + 1));
    }
    renamed
}
