//! Practice (issue 20): a trainer starts a session for an agent from the business's own
//! resolved disputes and audit findings, made up when there are too few; the agent works each
//! case with the verification hidden, answers, and is scored; the model answer scores full
//! marks in every language; nothing of it reaches the real books, the outbox or the audit log.
//! Runs on the backend `REDRESS_TEST_BACKEND` names.

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::resolution::ResolutionKind;
use redress_domain::{DisputeReason, DisputeStatus, Language, Role};
use redress_import::{NoProgress, read_billing_data};
use redress_practice::generate::{Planted, generate};
use redress_practice::{Answer, AnsweredFinding, score};
use redress_service::practice::{PracticeRefused, model_answer};
use redress_service::records::CaseSource;
use redress_service::{Actor, DisputeIntake, Redress, ServiceError};
use support::TestDb;

const PASSWORD: &str = "a long enough password";

async fn user(redress: &Redress, email: &str, role: Role) -> Actor {
    let id = redress
        .people()
        .create_user(email, email, role, PASSWORD, "test")
        .await
        .unwrap();
    Actor {
        id,
        name: email.to_owned(),
        role,
    }
}

struct Team {
    redress: Redress,
    trainer: Actor,
    agent: Actor,
    other_agent: Actor,
    auditor: Actor,
    admin: Actor,
}

/// The worked example imported, and a team of five.
async fn team(db: &TestDb) -> Team {
    let redress = Redress::open(&db.location, Default::default())
        .await
        .expect("the test database opens");
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    redress
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    Team {
        trainer: user(&redress, "ruth@example.com", Role::Approver).await,
        agent: user(&redress, "nia@example.com", Role::Agent).await,
        other_agent: user(&redress, "oto@example.com", Role::Agent).await,
        auditor: user(&redress, "aud@example.com", Role::Auditor).await,
        admin: user(&redress, "adm@example.com", Role::Admin).await,
        redress,
    }
}

async fn done(db: TestDb, redress: Redress) {
    redress.operations().close().await;
    let store = redress_storage::Store::connect(&db.location).await.unwrap();
    db.drop_database(store).await;
}

/// A dispute on `invoice` taken and carried to resolved.
async fn resolved(team: &Team, invoice: &str, line: u32) -> String {
    let redress = &team.redress;
    let dispute = redress
        .disputes()
        .open(
            &team.agent,
            DisputeIntake {
                id: None,
                invoice_id: invoice.into(),
                line_no: Some(line),
                reason: DisputeReason::WrongPrice,
                claimed_amount: "10".parse().unwrap(),
                narrative: "Ana López here: call me on 555-0101.".into(),
                channel: "email".into(),
                opened_on: None,
            },
        )
        .await
        .unwrap();
    for to in [
        DisputeStatus::Acknowledged,
        DisputeStatus::Investigating,
        DisputeStatus::Resolved,
    ] {
        redress
            .perform(redress.disputes().set_status(&team.agent, &dispute.id, to))
            .await
            .unwrap();
    }
    dispute.id
}

/// What the real books hold: the audit log, disputes, postings, credit notes, and the outbox.
async fn books(redress: &Redress) -> (u64, u64, u64, u64, (u64, u64)) {
    let census = redress.operations().census().await.unwrap();
    (
        census.events,
        census.disputes,
        census.ledger_postings,
        census.credit_notes,
        redress.messages().outbox_counts().await.unwrap(),
    )
}

#[test]
fn the_model_answer_drafted_by_redress_scores_full_marks_in_every_language_for_every_error() {
    let today = redress_domain::parse_date("2026-12-07").unwrap();
    for language in Language::ALL {
        for planted in Planted::ALL {
            for seed in 0..12 {
                let case = generate(seed, planted, language, today);
                let model = model_answer(
                    &case.data,
                    &case.dispute,
                    language,
                    &case.relationship,
                    &case.history,
                    today,
                );
                let scored = score(&model, &model.as_answer(60));
                assert_eq!(
                    scored.points, 100,
                    "{language:?} {planted:?} seed {seed}:\n{}\n{scored:#?}",
                    model.message
                );
            }
        }
    }
}

#[tokio::test]
async fn a_trainer_starts_ten_cases_from_the_business_s_own_history_first_and_nothing_reaches_the_books()
 {
    let db = TestDb::new().await;
    let team = team(&db).await;
    let redress = &team.redress;
    let first = resolved(&team, "INV-S1", 1).await;
    resolved(&team, "INV-S2", 1).await;
    // The audit of the stored data, which practice draws overcharged lines from.
    let audit = redress.cases().prepare_find(&team.agent).await.unwrap();
    redress.perform(audit).await.unwrap();
    let before = books(redress).await;

    let session = redress
        .practice()
        .start_session(&team.trainer, &team.agent.id, 10, 42)
        .await
        .unwrap();
    assert_eq!(session.cases.len(), 10);
    assert_eq!(session.trainee_id, team.agent.id);
    assert_eq!(session.started_by, team.trainer.id);
    let sources: Vec<CaseSource> = session.cases.iter().map(|c| c.source).collect();
    assert_eq!(
        &sources[..2],
        [CaseSource::ResolvedDispute, CaseSource::ResolvedDispute],
        "the business's own resolved disputes come first: {sources:?}"
    );
    assert!(sources.contains(&CaseSource::AuditFinding), "{sources:?}");
    let order = |s: &CaseSource| match s {
        CaseSource::ResolvedDispute => 0,
        CaseSource::AuditFinding => 1,
        CaseSource::Generated => 2,
    };
    assert!(
        sources.is_sorted_by_key(order),
        "resolved disputes, then audit findings, then made up: {sources:?}"
    );

    // The trainee works one: no verification until they answer, and nothing of the real
    // customer in it.
    let case_id = &session.cases[0].id;
    let case = redress.practice().case(&team.agent, case_id).await.unwrap();
    assert!(case.answered.is_none(), "the verification stays hidden");
    let everything = format!("{:?} {:?}", case.data, case.dispute);
    for secret in ["Ana", "555-0101", "INV-S1", "INV-S2", &first] {
        assert!(
            !everything.contains(secret),
            "`{secret}` is in the practice case"
        );
    }

    // A perfect answer, then the books.
    let model = model_answer(
        &case.data,
        &case.dispute,
        case.language,
        &case.relationship,
        &case.history,
        redress_domain::parse_date("2026-12-07").unwrap(),
    );
    let answered = redress
        .practice()
        .answer(&team.agent, case_id, model.as_answer(0))
        .await
        .unwrap();
    assert_eq!(answered.score.points, 100, "{:#?}", answered.score);
    let again = redress.practice().case(&team.agent, case_id).await.unwrap();
    assert_eq!(again.answered.unwrap().score.points, 100);
    assert_eq!(
        books(redress).await,
        before,
        "practice wrote to the audit log, the disputes, the ledger, the credit notes or the outbox"
    );
    done(db, team.redress).await;
}

#[tokio::test]
async fn only_trainers_start_sessions_only_the_trainee_answers_and_once() {
    let db = TestDb::new().await;
    let team = team(&db).await;
    let practice = team.redress.practice();
    let refused = practice
        .start_session(&team.agent, &team.other_agent.id, 3, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            ServiceError::Practice(PracticeRefused::NotATrainer(Role::Agent))
        ),
        "{refused:?}"
    );
    let refused = practice
        .start_session(&team.trainer, &team.auditor.id, 3, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            ServiceError::Practice(PracticeRefused::TraineeIsAnAuditor(_))
        ),
        "{refused:?}"
    );
    let refused = practice
        .start_session(&team.trainer, "nobody@example.com", 3, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            ServiceError::Practice(PracticeRefused::UnknownTrainee(_))
        ),
        "{refused:?}"
    );
    for size in [0, 21] {
        assert!(matches!(
            practice
                .start_session(&team.admin, &team.agent.id, size, 1)
                .await,
            Err(ServiceError::Practice(PracticeRefused::SessionSize(_)))
        ));
    }

    let session = practice
        .start_session(&team.admin, &team.agent.id, 3, 7)
        .await
        .unwrap();
    let case = &session.cases[0].id;
    // Another agent and an auditor read nothing of it; the trainer reads it but does not
    // answer it.
    for outsider in [&team.other_agent, &team.auditor] {
        assert!(matches!(
            practice.case(outsider, case).await,
            Err(ServiceError::Practice(PracticeRefused::NotYourCase(_)))
        ));
        assert!(matches!(
            practice.session(outsider, &session.id).await,
            Err(ServiceError::Practice(PracticeRefused::NotYourSession(_)))
        ));
    }
    assert!(matches!(
        practice.case(&team.agent, "PRC-none").await,
        Err(ServiceError::Practice(PracticeRefused::UnknownCase(_)))
    ));
    practice.case(&team.trainer, case).await.unwrap();
    let answer = Answer {
        findings: vec![],
        resolution: ResolutionKind::Reject,
        amount: None,
        message: "Thank you.".to_owned(),
        took_seconds: 0,
    };
    assert!(matches!(
        practice.answer(&team.trainer, case, answer.clone()).await,
        Err(ServiceError::Practice(PracticeRefused::NotYourCase(_)))
    ));
    // Bad input is refused, naming its field, and changes nothing.
    let mut bad = answer.clone();
    bad.findings.push(AnsweredFinding {
        kind: redress_audit::FindingKind::PriceMismatch,
        line_no: Some(1),
        amount: "1.234".parse().unwrap(),
    });
    let refused = practice.answer(&team.agent, case, bad).await.unwrap_err();
    assert!(
        matches!(
            &refused,
            ServiceError::Practice(PracticeRefused::BadAnswer {
                field: "findings",
                ..
            })
        ),
        "{refused:?}"
    );
    practice
        .answer(&team.agent, case, answer.clone())
        .await
        .unwrap();
    assert!(matches!(
        practice.answer(&team.agent, case, answer).await,
        Err(ServiceError::Practice(PracticeRefused::AnsweredAlready(_)))
    ));
    let sessions = practice
        .sessions_of(&team.agent, &team.agent.id)
        .await
        .unwrap();
    assert!(sessions[0].cases[0].answered.is_some());
    done(db, team.redress).await;
}

#[tokio::test]
async fn admins_write_playbooks_in_versions_recorded_in_the_audit_log() {
    let db = TestDb::new().await;
    let team = team(&db).await;
    let practice = team.redress.practice();
    assert!(
        practice
            .playbook(DisputeReason::LateFee)
            .await
            .unwrap()
            .is_none()
    );
    let refused = practice
        .write_playbook(&team.trainer, DisputeReason::LateFee, vec!["Check".into()])
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        ServiceError::Practice(PracticeRefused::NotAnAdmin(Role::Approver))
    ));
    let events = team.redress.operations().census().await.unwrap().events;
    let first = practice
        .write_playbook(
            &team.admin,
            DisputeReason::LateFee,
            vec![
                "Check the invoice's due date and grace period.".into(),
                "  ".into(),
                "Check the reminders and overdue notices sent.".into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    assert_eq!(first.steps.len(), 2, "blank steps are left out");
    let second = practice
        .write_playbook(
            &team.admin,
            DisputeReason::LateFee,
            vec!["Check the payments first.".into()],
        )
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(
        practice.playbook(DisputeReason::LateFee).await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        practice
            .playbook_history(DisputeReason::LateFee)
            .await
            .unwrap(),
        vec![second, first]
    );
    assert_eq!(
        team.redress.operations().census().await.unwrap().events,
        events + 2
    );
    assert!(matches!(
        practice
            .write_playbook(&team.admin, DisputeReason::Duplicate, vec![])
            .await,
        Err(ServiceError::Practice(PracticeRefused::BadPlaybook(_)))
    ));
    done(db, team.redress).await;
}

#[tokio::test]
async fn the_team_s_view_counts_what_each_agent_resolved_and_shows_it_to_them_and_the_trainers_only()
 {
    let db = TestDb::new().await;
    let team = team(&db).await;
    let redress = &team.redress;
    // Nia resolves one dispute with a credit note within her allowance (applied at once), and
    // proposes one above it (JPY 15,675 net, her allowance 15,000), which the approver refuses.
    let intake = |invoice: &'static str| DisputeIntake {
        id: None,
        invoice_id: invoice.into(),
        line_no: Some(1),
        reason: DisputeReason::Overcharged,
        claimed_amount: "10".parse().unwrap(),
        narrative: "Too much.".into(),
        channel: "email".into(),
        opened_on: None,
    };
    let proposal = |kind, lines: Vec<(u32, redress_domain::Decimal)>, amount| {
        redress_service::resolutions::Proposal {
            kind,
            reason: "As the records show".into(),
            currency: None,
            lines,
            amount,
            payment_id: None,
            instalments: vec![],
            instalment_count: None,
            first_due_on: None,
            offer: false,
        }
    };
    let first = redress
        .disputes()
        .open(&team.agent, intake("INV-S1"))
        .await
        .unwrap();
    let work = redress
        .books()
        .prepare_proposal(
            &team.agent,
            &first.id,
            proposal(
                ResolutionKind::CreditNote,
                vec![(1, "500".parse().unwrap())],
                None,
            ),
        )
        .await
        .unwrap();
    let applied = redress.perform(work).await.unwrap();
    assert_eq!(applied.status.as_str(), "applied", "{applied:?}");
    let second = redress
        .disputes()
        .open(&team.agent, intake("INV-S2"))
        .await
        .unwrap();
    let work = redress
        .books()
        .prepare_proposal(
            &team.agent,
            &second.id,
            proposal(
                ResolutionKind::CreditNote,
                vec![(1, "8550".parse().unwrap()), (2, "7125".parse().unwrap())],
                None,
            ),
        )
        .await
        .unwrap();
    let waiting = redress.perform(work).await.unwrap();
    redress
        .perform(redress.books().decide(
            &team.trainer,
            &waiting.id,
            false,
            Some("Too generous".into()),
        ))
        .await
        .unwrap();

    let mine = redress.team().view(&team.agent).await.unwrap();
    assert_eq!(mine.people.len(), 1, "an agent sees their own figures only");
    let nia = &mine.people[0];
    assert_eq!(nia.user_id, team.agent.id);
    assert_eq!(nia.resolved, 1);
    assert_eq!(
        (nia.decided_by_an_approver, nia.refused_at_approval),
        (1, 1)
    );
    assert_eq!(nia.reopened, 0);
    assert!(nia.median_hours_to_resolution.is_some());
    assert_eq!(
        mine.median.resolved,
        Some("0.0".parse().unwrap()),
        "of 1 and four 0s"
    );
    let all = redress.team().view(&team.trainer).await.unwrap();
    assert_eq!(all.people.len(), 5 - 1, "everyone but the auditor");
    assert!(matches!(
        redress.team().view(&team.auditor).await,
        Err(ServiceError::Denied(_))
    ));
    done(db, team.redress).await;
}
