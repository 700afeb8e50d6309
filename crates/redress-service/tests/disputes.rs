//! Opening and working disputes against the database: verified on intake exactly as the audit
//! of the export says, linked to open disputes of the same line, moved only as the lifecycle
//! allows, and every step in the audit log. Runs on the backend `REDRESS_TEST_BACKEND` names.

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::{DisputeReason, DisputeStatus};
use redress_import::{NoProgress, read_billing_data};
use redress_service::{DisputeIntake, IntakeError, open_dispute};
use redress_storage::Store;
use redress_storage::disputes::lifecycle::set_status;
use redress_storage::disputes::record::DisputeError;
use support::TestDb;

async fn with_example() -> (TestDb, Store) {
    let db = TestDb::new().await;
    let store = db.store().await;
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    store
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    (db, store)
}

fn intake(invoice: &str, line_no: Option<u32>, claimed: &str) -> DisputeIntake {
    DisputeIntake {
        id: None,
        invoice_id: invoice.into(),
        line_no,
        reason: DisputeReason::Overcharged,
        claimed_amount: claimed.parse().unwrap(),
        narrative: "Esto no es lo que acordamos.".into(),
        channel: "email".into(),
        opened_on: None,
    }
}

#[tokio::test]
async fn a_dispute_is_verified_on_intake_as_the_audit_says() {
    let (db, store) = with_example().await;
    // The worked example's DSP-3 and DSP-5: partially upheld 13.89, upheld 172.00.
    let partial = open_dispute(&store, intake("INV-A3", None, "50.00"), "agent-ana")
        .await
        .unwrap();
    assert_eq!(
        (
            partial.verification.verdict.as_str(),
            partial.verification.adjustment.to_string().as_str()
        ),
        ("partially_upheld", "13.89")
    );
    assert_eq!(partial.status, DisputeStatus::Open);
    assert_eq!(partial.customer_id, "C-ACME");
    let findings = partial.verification.findings.records().unwrap();
    let late_fee = findings
        .iter()
        .find(|f| f.kind == redress_audit::FindingKind::LateFeeExcess)
        .expect("the late fee's finding");
    assert_eq!(late_fee.evidence.payment_ids, ["P-01"]);
    let whole = open_dispute(&store, intake("INV-A4", None, "5.00"), "agent-ana")
        .await
        .unwrap();
    assert_eq!(
        (
            whole.verification.verdict.as_str(),
            whole.verification.adjustment.to_string().as_str()
        ),
        ("upheld", "172.00")
    );
    let right = open_dispute(&store, intake("INV-A1", Some(4), "10.00"), "agent-ana")
        .await
        .unwrap();
    assert_eq!(
        (
            right.verification.verdict.as_str(),
            right.verification.adjustment.to_string().as_str()
        ),
        ("rejected", "0.00")
    );
    let stored = store.disputes().get(&partial.id).await.unwrap().unwrap();
    assert_eq!(stored, partial);
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_second_dispute_of_a_line_is_accepted_and_linked_to_the_open_one() {
    let (db, store) = with_example().await;
    let first = open_dispute(&store, intake("INV-S2", Some(2), "1425"), "portal")
        .await
        .unwrap();
    let second = open_dispute(&store, intake("INV-S2", Some(2), "1000"), "phone")
        .await
        .unwrap();
    assert_eq!(second.linked_to.as_deref(), Some(first.id.as_str()));
    assert_eq!(second.verification.verdict, redress_domain::Verdict::Upheld);
    let other_line = open_dispute(&store, intake("INV-S2", Some(1), "1"), "phone")
        .await
        .unwrap();
    assert_eq!(other_line.linked_to, None);
    db.drop_database(store).await;
}

#[tokio::test]
async fn bad_intake_names_the_field_and_records_nothing() {
    let (db, store) = with_example().await;
    let cases = [
        (
            intake("INV-ZZ", None, "1.00"),
            "invoice_id",
            "no invoice `INV-ZZ` is stored",
        ),
        (
            intake("INV-A1", Some(9), "1.00"),
            "line_no",
            "invoice INV-A1 has no line 9",
        ),
        (
            intake("INV-S2", None, "10.5"),
            "claimed_amount",
            "10.5 is not an amount of JPY",
        ),
        (
            intake("INV-A1", None, "-1.00"),
            "claimed_amount",
            "-1.00 is not an amount of USD",
        ),
    ];
    for (bad, field, message) in cases {
        let refused = open_dispute(&store, bad, "agent").await.unwrap_err();
        assert_eq!(refused.field(), Some(field));
        assert!(refused.to_string().contains(message), "{refused}");
    }
    // Only the import is in the log.
    assert_eq!(store.audit_log().verify().await.unwrap(), 1);
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_dispute_is_worked_from_intake_to_close_with_every_step_in_the_log() {
    let (db, store) = with_example().await;
    let dispute = open_dispute(&store, intake("INV-A4", Some(2), "100.00"), "agent-ana")
        .await
        .unwrap();
    for status in [
        DisputeStatus::Acknowledged,
        DisputeStatus::Investigating,
        DisputeStatus::Resolved,
        DisputeStatus::Closed,
    ] {
        assert_eq!(
            store
                .perform(set_status(&dispute.id, status, "agent-ana"))
                .await
                .unwrap()
                .status,
            status
        );
    }
    let refused = store
        .perform(set_status(&dispute.id, DisputeStatus::Open, "agent-ana"))
        .await
        .unwrap_err();
    assert!(matches!(refused, DisputeError::Transition(_)));
    assert!(
        refused
            .to_string()
            .contains("nothing more can happen to it")
    );
    let history = store
        .audit_log()
        .events_of("dispute", &dispute.id)
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "created",
            "status_changed",
            "status_changed",
            "status_changed",
            "status_changed"
        ]
    );
    assert!(
        history[4]
            .event
            .before
            .as_deref()
            .unwrap()
            .contains(r#""status":"resolved""#)
    );
    assert!(
        history[4]
            .event
            .after
            .as_deref()
            .unwrap()
            .contains(r#""status":"closed""#)
    );
    assert_eq!(store.audit_log().verify().await.unwrap(), 6);
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_dispute_id_is_used_once() {
    let (db, store) = with_example().await;
    let mut first = intake("INV-A1", None, "1.00");
    first.id = Some("DSP-1".into());
    open_dispute(&store, first.clone(), "import").await.unwrap();
    let again = open_dispute(&store, first, "import").await.unwrap_err();
    assert!(
        matches!(again, IntakeError::Dispute(DisputeError::Exists(_))),
        "{again}"
    );
    assert_eq!(again.field(), Some("id"));
    db.drop_database(store).await;
}

#[tokio::test]
async fn the_disputes_of_an_export_are_opened_with_the_verdicts_of_the_worked_example() {
    let (db, store) = with_example().await;
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    let data = read_billing_data(&dir, &NoProgress).unwrap();
    assert_eq!(
        redress_service::open_imported_disputes(&store, &data, "import")
            .await
            .unwrap(),
        (5, 0)
    );
    let expected = [
        ("DSP-1", "upheld", "100.00"),
        ("DSP-2", "upheld", "1425"),
        ("DSP-3", "partially_upheld", "13.89"),
        ("DSP-4", "rejected", "0.00"),
        ("DSP-5", "upheld", "172.00"),
    ];
    for (id, verdict, adjustment) in expected {
        let stored = store.disputes().get(id).await.unwrap().unwrap();
        assert_eq!(
            (
                stored.verification.verdict.as_str(),
                stored.verification.adjustment.to_string().as_str()
            ),
            (verdict, adjustment),
            "{id}"
        );
        assert_eq!(stored.channel, "import");
    }
    let dsp5 = store.disputes().get("DSP-5").await.unwrap().unwrap();
    assert_eq!(
        dsp5.narrative,
        "This whole invoice is a mess.\nPlease check every line."
    );
    assert_eq!(dsp5.opened_on.to_string(), "2025-05-06");
    // Importing again opens nothing new.
    assert_eq!(
        redress_service::open_imported_disputes(&store, &data, "import")
            .await
            .unwrap(),
        (0, 5)
    );
    db.drop_database(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disputes_taken_at_once_are_all_kept_and_one_refused_spoils_none_of_the_others() {
    let (db, store) = with_example().await;
    let before = store.audit_log().verify().await.unwrap();
    let invoices = ["INV-A1", "INV-A3", "INV-A4", "INV-S2"];
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            let mut dispute = intake(invoices[i % invoices.len()], None, "1.00");
            // Two ask for the same id. Taken together, they are likely to be written in the
            // same commit, and the database refuses the second there.
            if i == 7 || i == 8 {
                dispute.id = Some("DSP-SAME".into());
            }
            tokio::spawn(async move { open_dispute(&store, dispute, "agent-ana").await })
        })
        .collect();
    let (mut opened, mut refused) = (Vec::new(), 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(dispute) => opened.push(dispute.id),
            Err(IntakeError::Dispute(DisputeError::Exists(id))) => {
                assert_eq!(id, "DSP-SAME");
                refused += 1;
            }
            Err(other) => panic!("unexpected refusal: {other}"),
        }
    }
    assert_eq!((opened.len(), refused), (39, 1));
    opened.sort();
    opened.dedup();
    assert_eq!(opened.len(), 39, "every dispute has an id of its own");
    let mut unlinked = std::collections::HashMap::new();
    for id in &opened {
        let dispute = store.disputes().get(id).await.unwrap();
        let dispute = dispute.unwrap_or_else(|| panic!("{id} was lost"));
        // Written together or not, each sees the others of its invoice: at most one of an
        // invoice's is left unlinked, and every link is to a dispute of the same invoice.
        match &dispute.linked_to {
            None => *unlinked.entry(dispute.invoice_id.clone()).or_insert(0) += 1,
            Some(to) => {
                let to = store.disputes().get(to).await.unwrap().unwrap();
                assert_eq!(
                    to.invoice_id, dispute.invoice_id,
                    "{id} is linked across invoices"
                );
            }
        }
    }
    for (invoice, count) in unlinked {
        assert_eq!(
            count, 1,
            "{count} disputes of {invoice} are linked to none of the others"
        );
    }
    let open: u64 = store
        .disputes()
        .counts()
        .await
        .unwrap()
        .into_iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(open, 39);
    // One event per dispute kept, none for the refused one, and the chain unbroken.
    assert_eq!(store.audit_log().verify().await.unwrap(), before + 39);
    db.drop_database(store).await;
}

/// Two servers on one database (two stores, each with its own writer) taking disputes of the
/// same invoices at the same moment: each dispute still sees the others, so at most one of an
/// invoice's is left unlinked. On PostgreSQL the two writers' transactions run side by side,
/// and only the turn each takes at the invoices keeps two from both finding none earlier.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disputes_taken_at_once_by_two_servers_are_linked_as_by_one() {
    let (db, first) = with_example().await;
    let second = db.store().await;
    let invoices = ["INV-A1", "INV-A3", "INV-A4", "INV-S2"];
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = if (i / invoices.len()).is_multiple_of(2) {
                &first
            } else {
                &second
            }
            .clone();
            let dispute = intake(invoices[i % invoices.len()], None, "1.00");
            tokio::spawn(async move { open_dispute(&store, dispute, "agent-ana").await })
        })
        .collect();
    let mut unlinked = std::collections::HashMap::new();
    for task in tasks {
        let dispute = task.await.unwrap().expect("every dispute is taken");
        if dispute.linked_to.is_none() {
            *unlinked.entry(dispute.invoice_id.clone()).or_insert(0) += 1;
        }
    }
    for invoice in invoices {
        assert_eq!(
            unlinked.get(invoice),
            Some(&1),
            "the disputes of {invoice} are linked to the earliest of them, which is linked to none"
        );
    }
    drop(second);
    db.drop_database(first).await;
}
