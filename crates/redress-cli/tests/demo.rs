//! `redress demo` as a new user runs it: a fresh database filled with a business's year,
//! checked through the service and the CLI, and a data directory never touched by accident.

mod support;

use redress_domain::DisputeStatus;
use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
use redress_service::Redress;
use redress_service::records::{DisputeFilter, DisputeOrder, Location, Resolution};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use support::{redress, text};

fn demo(data: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "demo",
        "--no-serve",
        "--data-dir",
        data.to_str().unwrap(),
        "--customers",
        "30",
    ];
    args.extend_from_slice(extra);
    redress(&args)
}

/// What the demo stored, read back through the service.
struct Stored {
    statuses: Vec<(DisputeStatus, u64)>,
    resolutions: Vec<Resolution>,
    cases: usize,
    systemic_issues: usize,
}

fn stored(data: &Path) -> Stored {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let location = Location::DataDir(data.to_owned());
        let redress = Redress::open(&location, Default::default()).await.unwrap();
        let statuses = redress.operations().dispute_counts().await.unwrap();
        let page = redress
            .disputes()
            .list(
                &DisputeFilter::default(),
                DisputeOrder::OldestFirst,
                1000,
                None,
            )
            .await
            .unwrap()
            .unwrap();
        assert!(page.next_cursor.is_none(), "every dispute on one page");
        let mut resolutions = Vec::new();
        for dispute in &page.disputes {
            resolutions.extend(redress.books().resolutions_of(&dispute.id).await.unwrap());
        }
        let cases = redress.cases().list(None).await.unwrap().len();
        let systemic_issues = redress.cases().systemic_issues().await.unwrap().len();
        redress.operations().close().await;
        Stored {
            statuses,
            resolutions,
            cases,
            systemic_issues,
        }
    })
}

#[test]
fn the_demo_fills_a_fresh_database_with_every_status_every_kind_and_arrears_cases() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = demo(&data, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("Redress demo: 30 customers"), "{said}");
    assert!(
        said.contains("(every status)") && said.contains("(every kind"),
        "{said}"
    );
    for user in ["agent", "approver", "admin", "auditor"] {
        assert!(
            said.contains(&format!("{user}@demo.redress.test")),
            "{said}"
        );
    }

    let stored = stored(&data);
    for status in DisputeStatus::ALL {
        let count = stored
            .statuses
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n);
        assert!(count > 0, "no dispute is {status}: {:?}", stored.statuses);
    }
    let kinds: BTreeSet<ResolutionKind> = stored.resolutions.iter().map(|r| r.kind).collect();
    assert_eq!(kinds.len(), ResolutionKind::ALL.len(), "{kinds:?}");
    let with = |status: ResolutionStatus| {
        stored
            .resolutions
            .iter()
            .filter(|r| r.status == status)
            .count()
    };
    assert!(with(ResolutionStatus::PendingApproval) >= 1);
    assert!(with(ResolutionStatus::Refused) >= 1);
    assert!(
        with(ResolutionStatus::Offered) >= 1,
        "an offer waits for a customer to accept it in the portal"
    );
    assert!(stored.resolutions.iter().any(|r| {
        r.status == ResolutionStatus::Applied
            && r.decided_by.as_deref() == Some("approver@demo.redress.test")
    }));
    assert!(stored.cases >= 1, "no arrears case");
    assert!(stored.systemic_issues >= 1, "no systemic issue");

    let log = redress(&["verify-log", "--data-dir", data.to_str().unwrap()]);
    assert!(log.status.success(), "{}", text(&log.stderr));
}

#[test]
fn a_demo_directory_in_use_is_refused_without_reset_and_made_afresh_the_same_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let first = demo(&data, &["--seed", "11"]);
    assert!(first.status.success(), "{}", text(&first.stderr));

    let again = demo(&data, &["--seed", "11"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    let said = text(&again.stderr);
    assert!(
        said.contains("is not empty") && said.contains("--reset"),
        "{said}"
    );

    let reset = demo(&data, &["--seed", "11", "--reset"]);
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    let summary = |out: &Output| text(&out.stdout).lines().next().unwrap_or("").to_owned();
    assert_eq!(
        summary(&first),
        summary(&reset),
        "the same seed makes the same year"
    );
}

#[test]
fn reset_leaves_alone_a_directory_that_holds_more_than_a_redress_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.txt"), "years of work").unwrap();
    let out = demo(dir.path(), &["--reset"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("thesis.txt"),
        "{}",
        text(&out.stderr)
    );
    assert!(dir.path().join("thesis.txt").exists());
}
