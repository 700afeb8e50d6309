//! Talking with the customer: the acknowledgement kept with the dispute it acknowledges, in the
//! customer's language; messages drafted from the case, edited and sent as written; the
//! outbox's claims, which a worker marks once; and the mail servers' delivery reports
//! (bounces), which fail a message sent. Runs on the backend `REDRESS_TEST_BACKEND` names,
//! over the worked example (`fixtures/audit-v1`; C-SORA writes Spanish).

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::message::{DeliveryState, Direction, MessageKind};
use redress_domain::service_level::update_due_at;
use redress_domain::{DisputeReason, DisputeStatus, Language, Role, timestamp_text};
use redress_import::{NoProgress, read_billing_data};
use redress_service::messages::{
    BounceEffect, BounceKind, BounceReport, Communication, MailRefused, MessageRefused, Outgoing,
    ReceiveOutcome, ReceivedMail,
};
use redress_service::records::{Outcome, StoredMessage};
use redress_service::{Actor, DisputeIntake, Redress, ServiceError};
use std::time::Duration;
use support::TestDb;

const PASSWORD: &str = "a long enough password";

async fn redress_with(db: &TestDb, communication: Communication) -> (Redress, Actor) {
    let redress = Redress::open(&db.location, Default::default())
        .await
        .expect("the test database opens")
        .with_communication(communication);
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    redress
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    let id = redress
        .people()
        .create_user("ana@example.com", "Ana Ruiz", Role::Agent, PASSWORD, "test")
        .await
        .unwrap();
    let ana = Actor {
        id,
        name: "Ana Ruiz".to_owned(),
        role: Role::Agent,
    };
    (redress, ana)
}

async fn done(db: TestDb, redress: Redress) {
    redress.operations().close().await;
    let store = redress_storage::Store::connect(&db.location).await.unwrap();
    db.drop_database(store).await;
}

fn intake(invoice: &str) -> DisputeIntake {
    DisputeIntake {
        id: None,
        invoice_id: invoice.into(),
        line_no: Some(1),
        reason: DisputeReason::Overcharged,
        claimed_amount: "10".parse().unwrap(),
        narrative: "Esto no es lo que acordamos.".into(),
        channel: "email".into(),
        opened_on: None,
    }
}

async fn messages_of(redress: &Redress, dispute: &str) -> Vec<StoredMessage> {
    redress.messages().of_dispute(dispute).await.unwrap()
}

#[tokio::test]
async fn a_dispute_taken_is_acknowledged_by_itself_in_the_customers_language_in_the_same_transaction()
 {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-S1"))
        .await
        .unwrap();
    let kept = messages_of(&redress, &dispute.id).await;
    assert_eq!(kept.len(), 1, "{kept:#?}");
    let ack = &kept[0];
    assert_eq!(ack.kind, MessageKind::Acknowledgement);
    assert_eq!(ack.direction, Direction::ToCustomer);
    assert_eq!(ack.language, Language::Spanish);
    assert_eq!(ack.address, "keiri@sora.example");
    assert!(ack.subject.contains(&dispute.id), "{}", ack.subject);
    assert!(ack.subject.contains("INV-S1"), "{}", ack.subject);
    assert!(ack.body.contains("Sora Müller"), "{}", ack.body);
    assert!(ack.mail_id.starts_with(&ack.id), "{}", ack.mail_id);
    assert_eq!(ack.written_by, "system");
    let delivery = ack.delivery.as_ref().expect("it waits in the outbox");
    assert_eq!(delivery.state, DeliveryState::Waiting);
    assert_eq!(delivery.attempts, 0);
    let history = redress.disputes().history(&dispute.id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.event.action.as_str()).collect();
    // Its portal link is made in the same transaction.
    assert_eq!(actions, ["created", "portal_link_issued", "message_queued"]);
    assert_eq!(redress.messages().outbox_counts().await.unwrap(), (1, 0));
    done(db, redress).await;
}

#[tokio::test]
async fn a_business_that_turned_the_acknowledgement_off_sends_nothing_by_itself() {
    let db = TestDb::new().await;
    let communication = Communication {
        auto_acknowledge: false,
        ..Communication::default()
    };
    let (redress, ana) = redress_with(&db, communication).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    assert!(messages_of(&redress, &dispute.id).await.is_empty());
    assert_eq!(redress.messages().outbox_counts().await.unwrap(), (0, 0));
    done(db, redress).await;
}

#[tokio::test]
async fn an_agent_drafts_the_charges_explained_and_the_message_is_kept_exactly_as_edited() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let draft = redress
        .messages()
        .draft(&ana, &dispute.id, MessageKind::Explanation)
        .await
        .unwrap();
    assert_eq!(draft.language, Language::English);
    assert!(draft.language_known);
    assert_eq!(draft.to.address, "ap@acme.example");
    assert!(draft.subject.contains("INV-A3"), "{}", draft.subject);
    assert!(draft.subject.contains(&dispute.id), "{}", draft.subject);
    assert!(draft.body.contains("USD"), "{}", draft.body);
    let edited = format!("{}\n\nP.S. Call me on 555-0100.", draft.body);
    let send = redress
        .messages()
        .prepare_send(
            &ana,
            &dispute.id,
            Outgoing {
                kind: draft.kind,
                language: Some(draft.language),
                subject: draft.subject.clone(),
                body: edited.clone(),
                documents: Vec::new(),
            },
        )
        .await
        .unwrap();
    let sent = redress.perform(send).await.unwrap();
    let kept = messages_of(&redress, &dispute.id).await;
    let explanation = kept.iter().find(|m| m.id == sent.id).unwrap();
    // Exactly as edited, with the customer's own portal link where the draft said it goes.
    assert!(edited.contains("{portal-link}"), "{edited}");
    let at = explanation
        .body
        .find("http://127.0.0.1:8080/portal/")
        .unwrap();
    let url: String = explanation.body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(explanation.body, edited.replace("{portal-link}", &url));
    assert_eq!(sent.body, explanation.body);
    assert_eq!(explanation.written_by, ana.id);
    assert_eq!(
        explanation.delivery.as_ref().unwrap().state,
        DeliveryState::Waiting
    );
    done(db, redress).await;
}

#[tokio::test]
async fn a_message_without_a_subject_or_text_is_refused_naming_the_field_and_nothing_is_kept() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let outgoing = |subject: &str, body: &str| Outgoing {
        kind: MessageKind::Note,
        language: Some(Language::English),
        subject: subject.into(),
        body: body.into(),
        documents: Vec::new(),
    };
    for (subject, body, field) in [
        ("  ", "Hello", "subject"),
        ("Hello", " \n ", "body"),
        ("Two\nlines", "Hello", "subject"),
    ] {
        let refused = redress
            .messages()
            .prepare_send(&ana, &dispute.id, outgoing(subject, body))
            .await
            .err()
            .expect("refused");
        match refused {
            ServiceError::Message(MessageRefused::Invalid { field: at, .. }) => {
                assert_eq!(at, field)
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        messages_of(&redress, &dispute.id).await.len(),
        1,
        "the ack only"
    );
    done(db, redress).await;
}

#[tokio::test]
async fn the_worker_claims_a_due_message_once_and_delivering_the_acknowledgement_acknowledges_the_dispute()
 {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let messages = redress.messages();
    let claimed = messages
        .claim_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempt, 1);
    assert!(
        messages
            .claim_due(Duration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty(),
        "a message claimed is not claimed again while its claim lasts"
    );
    assert!(
        messages
            .mark(&claimed[0], Outcome::Delivered)
            .await
            .unwrap()
    );
    assert!(
        !messages
            .mark(&claimed[0], Outcome::Delivered)
            .await
            .unwrap(),
        "marked once"
    );
    let ack = &messages_of(&redress, &dispute.id).await[0];
    let delivery = ack.delivery.as_ref().unwrap();
    assert_eq!(delivery.state, DeliveryState::Delivered);
    assert!(delivery.delivered_at.is_some());
    let now = redress.disputes().get(&dispute.id).await.unwrap().unwrap();
    assert_eq!(now.status, DisputeStatus::Acknowledged);
    let history = redress.disputes().history(&dispute.id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "created",
            "portal_link_issued",
            "message_queued",
            "message_delivered",
            "status_changed"
        ]
    );
    assert_eq!(messages.outbox_counts().await.unwrap(), (0, 0));
    done(db, redress).await;
}

#[tokio::test]
async fn a_claim_that_ended_is_taken_over_and_the_worker_that_held_it_changes_nothing() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let messages = redress.messages();
    let first = messages.claim_due(Duration::ZERO, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    let second = messages
        .claim_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(second.len(), 1, "the first claim ended at once");
    assert_eq!(second[0].attempt, 2);
    assert!(!messages.mark(&first[0], Outcome::Delivered).await.unwrap());
    assert!(messages.mark(&second[0], Outcome::Delivered).await.unwrap());
    done(db, redress).await;
}

#[tokio::test]
async fn a_temporary_failure_waits_for_its_retry_and_a_permanent_one_fails_for_good() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let messages = redress.messages();
    let claimed = messages
        .claim_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    let retry_at = redress_domain::Timestamp::now() + jiff::SignedDuration::from_secs(3600);
    let temporary = Outcome::RetryAt {
        retry_at,
        error: "451 try again later".into(),
    };
    assert!(messages.mark(&claimed[0], temporary).await.unwrap());
    let waiting = &messages_of(&redress, &dispute.id).await[0];
    let delivery = waiting.delivery.as_ref().unwrap();
    assert_eq!(delivery.state, DeliveryState::Waiting);
    assert_eq!(delivery.last_error.as_deref(), Some("451 try again later"));
    assert!(
        messages
            .claim_due(Duration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty(),
        "not due before its retry"
    );
    let other = redress
        .disputes()
        .open(&ana, intake("INV-A4"))
        .await
        .unwrap();
    let claimed = messages
        .claim_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "only the new one is due");
    assert_eq!(
        claimed[0].message.dispute_id.as_deref(),
        Some(other.id.as_str())
    );
    let permanent = Outcome::Failed {
        error: "550 mailbox unavailable".into(),
    };
    assert!(messages.mark(&claimed[0], permanent).await.unwrap());
    let failed = &messages_of(&redress, &other.id).await[0];
    assert_eq!(
        failed.delivery.as_ref().unwrap().state,
        DeliveryState::Failed
    );
    assert_eq!(messages.outbox_counts().await.unwrap(), (1, 1));
    let history = redress.disputes().history(&other.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.event.action, "delivery_failed");
    assert!(
        last.event
            .after
            .as_deref()
            .unwrap()
            .contains("550 mailbox unavailable")
    );
    done(db, redress).await;
}

#[tokio::test]
async fn a_disputes_service_levels_run_from_its_opening_and_its_delivered_acknowledgement_meets_the_first()
 {
    use redress_domain::service_level::TargetState;
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let levels = redress
        .disputes()
        .service_levels(&dispute.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(
            levels.acknowledge,
            TargetState::Running { .. }
                | TargetState::Warning { .. }
                | TargetState::Breached { .. }
        ),
        "{levels:?}"
    );
    assert!(
        levels.next_change.is_some() || matches!(levels.acknowledge, TargetState::Breached { .. })
    );
    let claimed = redress
        .messages()
        .claim_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    redress
        .messages()
        .mark(&claimed[0], Outcome::Delivered)
        .await
        .unwrap();
    let levels = redress
        .disputes()
        .service_levels(&dispute.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(levels.acknowledge, TargetState::Met { on_time: true, .. }),
        "{levels:?}"
    );
    // Waiting on the customer pauses what is still running.
    for to in [
        DisputeStatus::Investigating,
        DisputeStatus::AwaitingCustomer,
    ] {
        redress
            .perform(redress.disputes().set_status(&ana, &dispute.id, to))
            .await
            .unwrap();
    }
    let levels = redress
        .disputes()
        .service_levels(&dispute.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(levels.resolve, TargetState::Paused { .. }),
        "{levels:?}"
    );
    assert!(
        redress
            .disputes()
            .service_levels("DSP-NONE")
            .await
            .unwrap()
            .is_none()
    );
    done(db, redress).await;
}

#[tokio::test]
async fn a_breached_service_level_escalates_once_on_time_across_a_restart() {
    let db = TestDb::new().await;
    // Around the clock, so that the test's moments need no calendar arithmetic: acknowledge
    // within 1 hour (warned at 75 %), respond within 2 hours, resolve within 10 days.
    let communication = Communication {
        calendar: "zone=UTC; days=Mon-Sun; hours=00:00-24:00".parse().unwrap(),
        policy: "acknowledge=1h; respond=2h; resolve=10d; warn=75%"
            .parse()
            .unwrap(),
        ..Communication::default()
    };
    let (redress, ana) = redress_with(&db, communication.clone()).await;
    let approver = redress
        .people()
        .create_user("olu@example.com", "Olu", Role::Approver, PASSWORD, "test")
        .await
        .unwrap();
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let opened = dispute.created_at;
    let at = |minutes: i64| opened + jiff::SignedDuration::from_mins(minutes);
    let disputes = redress.disputes();
    // A new dispute's timer waits for its first warning (45 minutes in): nothing about its
    // service levels can change before, so it is not looked at, however often the checker runs.
    assert_eq!(disputes.check_service_levels(opened, 100).await.unwrap(), 0);
    assert_eq!(disputes.check_service_levels(at(10), 100).await.unwrap(), 0);
    assert_eq!(disputes.check_service_levels(at(44), 100).await.unwrap(), 0);
    // The server stops; another opens the same database.
    redress.operations().close().await;
    drop(redress);
    let redress = Redress::open(&db.location, Default::default())
        .await
        .unwrap()
        .with_communication(communication);
    let disputes = redress.disputes();
    assert_eq!(disputes.check_service_levels(at(50), 100).await.unwrap(), 1);
    assert_eq!(disputes.check_service_levels(at(61), 100).await.unwrap(), 1);
    // Next due at the first response's warning (90 minutes in), not before.
    assert_eq!(disputes.check_service_levels(at(80), 100).await.unwrap(), 0);
    assert_eq!(disputes.check_service_levels(at(95), 100).await.unwrap(), 1);
    assert_eq!(
        disputes.check_service_levels(at(121), 100).await.unwrap(),
        1
    );
    // Checked again later: each said once only.
    disputes.check_service_levels(at(200), 100).await.unwrap();
    let history = disputes.history(&dispute.id).await.unwrap();
    let said: Vec<(String, String)> = history
        .iter()
        .filter(|e| e.event.action.starts_with("service_level"))
        .map(|e| {
            let after: serde_json::Value =
                serde_json::from_str(e.event.after.as_deref().unwrap()).unwrap();
            (
                e.event.action.clone(),
                after["stage"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let said: Vec<(&str, &str)> = said.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    assert_eq!(
        said,
        [
            ("service_level_warning", "acknowledge"),
            ("service_level_breached", "acknowledge"),
            ("service_level_warning", "respond"),
            ("service_level_breached", "respond"),
        ]
    );
    let now = disputes.get(&dispute.id).await.unwrap().unwrap();
    assert!(now.escalated, "a breach escalates the dispute");
    let notes = disputes.notes(&dispute.id).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.body.contains("acknowledge target") && n.body.contains(&approver)),
        "the note names who is told: {notes:?}"
    );
    done(db, redress).await;
}

/// A dispute about INV-A3 (Acme, `ap@acme.example`) whose acknowledgement the mail server took.
async fn delivered_acknowledgement(redress: &Redress, ana: &Actor) -> (String, StoredMessage) {
    let dispute = redress
        .disputes()
        .open(ana, intake("INV-A3"))
        .await
        .unwrap();
    let messages = redress.messages();
    let claimed = messages
        .claim_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        messages
            .mark(&claimed[0], Outcome::Delivered)
            .await
            .unwrap()
    );
    let ack = messages_of(redress, &dispute.id).await.remove(0);
    assert_eq!(
        ack.delivery.as_ref().unwrap().state,
        DeliveryState::Delivered
    );
    (dispute.id, ack)
}

/// A mail server's report about the mail `ids` name, as the mailer gives it.
fn report(ids: &[&str], kind: BounceKind) -> ReceivedMail {
    ReceivedMail {
        from: "mailer-daemon@mx.acme.example".into(),
        from_name: Some("Mail Delivery System".into()),
        subject: "Undelivered Mail Returned to Sender".into(),
        message_id: Some("20261104081524.4Xyz1@mx.acme.example".into()),
        thread: Vec::new(),
        reference: None,
        text: "I'm sorry to have to inform you that your message could not be delivered.".into(),
        attachments: Vec::new(),
        refused: Vec::new(),
        bounce: Some(BounceReport {
            original_message_ids: ids.iter().map(|id| id.to_string()).collect(),
            recipients: vec!["ap@acme.example".into()],
            status: Some("5.1.1".into()),
            diagnostic: Some("550 5.1.1 <ap@acme.example>: User unknown".into()),
            kind,
        }),
    }
}

async fn dispute_count(redress: &Redress) -> usize {
    redress
        .disputes()
        .list(&Default::default(), Default::default(), 100, None)
        .await
        .unwrap()
        .unwrap()
        .disputes
        .len()
}

fn actions(history: &[redress_domain::audit_log::AuditEvent]) -> Vec<String> {
    history.iter().map(|e| e.event.action.clone()).collect()
}

#[tokio::test]
async fn a_permanent_bounce_fails_the_message_with_the_servers_words_once_and_keeps_no_reply() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let (dispute, ack) = delivered_acknowledgement(&redress, &ana).await;
    let disputes_before = dispute_count(&redress).await;
    let history_before = redress.disputes().history(&dispute).await.unwrap();

    let outcome = redress
        .messages()
        .receive(report(&[&ack.mail_id], BounceKind::Failed))
        .await
        .unwrap();
    let ReceiveOutcome::Bounce(bounced) = outcome else {
        panic!("a bounce is no reply: {outcome:?}");
    };
    assert_eq!(bounced.effect, BounceEffect::MarkedFailed);
    let marked = bounced.message.expect("the message reported on");
    assert_eq!(marked.id, ack.id);
    assert_eq!(marked.dispute_id.as_deref(), Some(dispute.as_str()));
    let delivery = marked.delivery.as_ref().unwrap();
    assert_eq!(delivery.state, DeliveryState::Failed);
    assert_eq!(
        delivery.last_error.as_deref(),
        Some("bounced: 5.1.1 550 5.1.1 <ap@acme.example>: User unknown")
    );
    assert!(delivery.delivered_at.is_some(), "the server did take it");

    // One event, on the dispute's history, with the server's words.
    let history = redress.disputes().history(&dispute).await.unwrap();
    let mut expected = actions(&history_before);
    expected.push("message_bounced".to_owned());
    assert_eq!(actions(&history), expected);
    let after = history.last().unwrap().event.after.clone().unwrap();
    assert!(after.contains("User unknown"), "{after}");
    assert!(after.contains(&ack.id), "{after}");
    // Kept as nothing else: no customer's message, no dispute opened, the dispute unmoved.
    assert_eq!(messages_of(&redress, &dispute).await, vec![marked.clone()]);
    assert_eq!(dispute_count(&redress).await, disputes_before);
    let now = redress.disputes().get(&dispute).await.unwrap().unwrap();
    assert_eq!(now.status, DisputeStatus::Acknowledged);
    assert_eq!(redress.messages().outbox_counts().await.unwrap(), (0, 1));

    // The same report again changes nothing.
    let again = redress
        .messages()
        .receive(report(&[&ack.mail_id], BounceKind::Failed))
        .await
        .unwrap();
    let ReceiveOutcome::Bounce(again) = again else {
        panic!("{again:?}");
    };
    assert_eq!(again.effect, BounceEffect::AlreadyFailed);
    assert_eq!(again.message.as_ref(), Some(&marked));
    assert_eq!(redress.disputes().history(&dispute).await.unwrap(), history);
    assert_eq!(messages_of(&redress, &dispute).await, vec![marked]);
    assert_eq!(dispute_count(&redress).await, disputes_before);
    done(db, redress).await;
}

#[tokio::test]
async fn a_bounce_that_overtakes_the_workers_mark_fails_the_message_for_good() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let dispute = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let messages = redress.messages();
    let claimed = messages
        .claim_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    // Named as it was sent before the business's domain changed: found by the id it was made
    // from.
    let sent_as = format!("{}@redress.old-domain.example", claimed[0].message.id);
    let outcome = messages
        .receive(report(&[&sent_as], BounceKind::Failed))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, ReceiveOutcome::Bounce(b) if b.effect == BounceEffect::MarkedFailed),
        "{outcome:?}"
    );
    assert!(
        !messages
            .mark(&claimed[0], Outcome::Delivered)
            .await
            .unwrap(),
        "the worker's claim is gone"
    );
    let ack = &messages_of(&redress, &dispute.id).await[0];
    assert_eq!(ack.delivery.as_ref().unwrap().state, DeliveryState::Failed);
    assert!(
        messages
            .claim_due(Duration::ZERO, 10)
            .await
            .unwrap()
            .is_empty(),
        "never sent again by itself"
    );
    done(db, redress).await;
}

#[tokio::test]
async fn a_delay_notice_changes_nothing_and_is_answered() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let (dispute, ack) = delivered_acknowledgement(&redress, &ana).await;
    let history = redress.disputes().history(&dispute).await.unwrap();
    let disputes = dispute_count(&redress).await;
    let outcome = redress
        .messages()
        .receive(report(&[&ack.mail_id], BounceKind::Delayed))
        .await
        .unwrap();
    let ReceiveOutcome::Bounce(bounced) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(bounced.effect, BounceEffect::Delayed);
    assert_eq!(bounced.message.as_ref(), Some(&ack));
    assert_eq!(messages_of(&redress, &dispute).await, vec![ack]);
    assert_eq!(redress.disputes().history(&dispute).await.unwrap(), history);
    assert_eq!(dispute_count(&redress).await, disputes);
    // One that names no mail at all (as delay warnings often do) is answered all the same.
    let outcome = redress
        .messages()
        .receive(report(&[], BounceKind::Delayed))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, ReceiveOutcome::Bounce(b) if b.effect == BounceEffect::Delayed && b.message.is_none()),
        "{outcome:?}"
    );
    done(db, redress).await;
}

#[tokio::test]
async fn a_bounce_about_no_message_redress_sent_is_refused() {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let (dispute, ack) = delivered_acknowledgement(&redress, &ana).await;
    // The customer answers; a report naming their own mail is about no mail of ours.
    let reply = ReceivedMail {
        from: "ap@acme.example".into(),
        from_name: None,
        subject: "Re: your acknowledgement".into(),
        message_id: Some("reply-1@acme.example".into()),
        thread: vec![ack.mail_id.clone()],
        reference: None,
        text: "Thank you.".into(),
        attachments: Vec::new(),
        refused: Vec::new(),
        bounce: None,
    };
    let outcome = redress.messages().receive(reply).await.unwrap();
    assert!(
        matches!(&outcome, ReceiveOutcome::Reply(r) if r.dispute_id == dispute),
        "{outcome:?}"
    );
    let disputes = dispute_count(&redress).await;
    let history = redress.disputes().history(&dispute).await.unwrap();
    for ids in [
        vec!["CAJ7Xq@mail.gmail.com".to_owned()],
        vec!["reply-1@acme.example".to_owned()],
        Vec::new(),
    ] {
        let named: Vec<&str> = ids.iter().map(String::as_str).collect();
        let refused = redress
            .messages()
            .receive(report(&named, BounceKind::Failed))
            .await
            .expect_err("refused");
        match refused {
            ServiceError::Mail(MailRefused::BounceOfNoMessage(said)) => assert_eq!(said, ids),
            other => panic!("{other:?}"),
        }
        assert!(
            refused_words(&ids).contains("a delivery report about no message Redress sent"),
            "{}",
            refused_words(&ids)
        );
    }
    assert_eq!(dispute_count(&redress).await, disputes);
    assert_eq!(redress.disputes().history(&dispute).await.unwrap(), history);
    let kept = messages_of(&redress, &dispute).await;
    assert_eq!(
        kept.len(),
        2,
        "the acknowledgement and the customer's reply"
    );
    assert_eq!(
        kept[0].delivery.as_ref().unwrap().state,
        DeliveryState::Delivered
    );
    done(db, redress).await;
}

fn refused_words(ids: &[String]) -> String {
    MailRefused::BounceOfNoMessage(ids.to_vec()).to_string()
}

#[tokio::test]
async fn a_dispute_whose_customer_heard_nothing_for_five_working_days_is_due_an_update_until_one_is_written()
 {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with(&db, Communication::default()).await;
    let disputes = redress.disputes();
    let quiet = disputes.open(&ana, intake("INV-A3")).await.unwrap();
    let fresh = disputes.open(&ana, intake("INV-A1")).await.unwrap();
    let waiting = disputes.open(&ana, intake("INV-S1")).await.unwrap();
    // Two of them were opened, and last written to, three weeks ago.
    let long_ago = redress_storage::this_moment() - jiff::SignedDuration::from_hours(21 * 24);
    let then = timestamp_text(long_ago);
    for id in [&quiet.id, &waiting.id] {
        let done = db.raw(&[
            &format!("UPDATE disputes SET created_at = '{then}' WHERE id = '{id}'"),
            &format!("UPDATE messages SET created_at = '{then}' WHERE dispute_id = '{id}'"),
        ]);
        assert!(done.iter().all(Result::is_ok), "{done:?}");
    }
    // One of those waits on the customer: it is theirs to answer, not ours.
    for next in [
        DisputeStatus::Acknowledged,
        DisputeStatus::Investigating,
        DisputeStatus::AwaitingCustomer,
    ] {
        redress
            .perform(disputes.set_status(&ana, &waiting.id, next))
            .await
            .unwrap();
    }
    let rows = vec![
        disputes.get(&quiet.id).await.unwrap().unwrap(),
        disputes.get(&fresh.id).await.unwrap().unwrap(),
        disputes.get(&waiting.id).await.unwrap().unwrap(),
    ];
    let due = disputes.updates_due(&rows).await.unwrap();
    let calendar = &redress.communication().calendar;
    let fell_due = update_due_at(calendar, rows[0].created_at, 5).unwrap();
    assert_eq!(
        due.into_iter().collect::<Vec<_>>(),
        vec![(quiet.id.clone(), fell_due)],
        "only the quiet one that does not wait on its customer"
    );

    // A status update written to the customer answers it.
    let draft = redress
        .messages()
        .draft(&ana, &quiet.id, MessageKind::StatusUpdate)
        .await
        .unwrap();
    let send = redress
        .messages()
        .prepare_send(
            &ana,
            &quiet.id,
            Outgoing {
                kind: MessageKind::StatusUpdate,
                language: None,
                subject: draft.subject,
                body: draft.body,
                documents: Vec::new(),
            },
        )
        .await
        .unwrap();
    redress.perform(send).await.unwrap();
    let rows = vec![disputes.get(&quiet.id).await.unwrap().unwrap()];
    assert!(disputes.updates_due(&rows).await.unwrap().is_empty());

    // A business that asks for no updates is never prompted.
    let never = redress.clone().with_communication(Communication {
        update_every_days: 0,
        ..Default::default()
    });
    let rows = vec![disputes.get(&fresh.id).await.unwrap().unwrap()];
    assert!(
        never
            .disputes()
            .updates_due(&rows)
            .await
            .unwrap()
            .is_empty()
    );
    done(db, redress).await;
}
