//! The customer portal: a link in a message opens the customer's own disputes and nothing
//! else, works until revoked, and lets the customer answer, choose how to settle an arrears
//! case (billed at once, in their ledger) and rate a resolved dispute. Runs on the backend
//! `REDRESS_TEST_BACKEND` names.

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::arrears::ArrearsChoice;
use redress_domain::ledger::EntryKind;
use redress_domain::message::{Direction, MessageKind};
use redress_domain::{DisputeReason, DisputeStatus, Language, Role};
use redress_import::{NoProgress, read_billing_data};
use redress_service::portal::PortalRefused;
use redress_service::records::LinkRefused;
use redress_service::{Actor, DisputeIntake, Redress, ServiceError};
use support::TestDb;

const PASSWORD: &str = "a long enough password";

async fn redress(db: &TestDb, fixture: &str) -> (Redress, Actor) {
    let redress = Redress::open(&db.location, Default::default())
        .await
        .expect("the test database opens");
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(fixture);
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
        narrative: "No es lo acordado.".into(),
        channel: "email".into(),
        opened_on: None,
    }
}

/// The token of the portal link in a message's text.
fn token_in(body: &str) -> String {
    let at = body.find("/portal/").expect("a portal link in the message");
    body[at + "/portal/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[tokio::test]
async fn the_link_in_the_acknowledgement_opens_the_customers_own_disputes_and_nothing_else() {
    let db = TestDb::new().await;
    let (redress, ana) = redress(&db, "audit-v1/data").await;
    let sora = redress
        .disputes()
        .open(&ana, intake("INV-S1"))
        .await
        .unwrap();
    let acme = redress
        .disputes()
        .open(&ana, intake("INV-A3"))
        .await
        .unwrap();
    let ack = &redress.messages().of_dispute(&sora.id).await.unwrap()[0];
    assert!(
        ack.body.contains("http://127.0.0.1:8080/portal/"),
        "the acknowledgement gives its link: {}",
        ack.body
    );
    assert!(!ack.body.contains("{portal-link}"), "{}", ack.body);
    let token = token_in(&ack.body);
    let portal = redress.portal();
    let visitor = portal.enter(&token).await.unwrap();
    assert_eq!(visitor.customer_id, "C-SORA");
    assert_eq!(visitor.language, Language::Spanish);
    let theirs: Vec<String> = portal
        .disputes(&visitor)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(theirs, std::slice::from_ref(&sora.id));
    assert!(matches!(
        portal.dispute(&visitor, &acme.id).await,
        Err(ServiceError::Portal(PortalRefused::NotYours(_)))
    ));
    assert!(matches!(
        portal.messages(&visitor, &acme.id).await,
        Err(ServiceError::Portal(PortalRefused::NotYours(_)))
    ));
    let mut not_theirs = intake("INV-A3");
    not_theirs.line_no = None;
    assert!(matches!(
        portal.open_dispute(&visitor, not_theirs).await,
        Err(ServiceError::Portal(PortalRefused::NotYours("invoice")))
    ));
    // The visit is in the dispute's history.
    let history = redress.disputes().history(&sora.id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.event.action.as_str()).collect();
    assert!(actions.contains(&"portal_visited"), "{actions:?}");
    for made_up in ["", "0000", &token[..token.len() - 1]] {
        assert!(matches!(
            portal.enter(made_up).await,
            Err(ServiceError::Portal(PortalRefused::Link(
                LinkRefused::Unknown
            )))
        ));
    }
    done(db, redress).await;
}

#[tokio::test]
async fn a_revoked_link_opens_nothing_and_changes_nothing() {
    let db = TestDb::new().await;
    let (redress, ana) = redress(&db, "audit-v1/data").await;
    let sora = redress
        .disputes()
        .open(&ana, intake("INV-S1"))
        .await
        .unwrap();
    let portal = redress.portal();
    let (issued, url) = portal.issue(&ana, "C-SORA", Some(&sora.id)).await.unwrap();
    assert!(url.ends_with(&issued.token), "{url}");
    let visitor = portal.enter(&issued.token).await.unwrap();
    portal.revoke(&ana, &issued.link.id).await.unwrap();
    assert!(matches!(
        portal.enter(&issued.token).await,
        Err(ServiceError::Portal(PortalRefused::Link(
            LinkRefused::Revoked(_)
        )))
    ));
    // A page opened before the revocation cannot act after it.
    assert!(matches!(
        portal.reply(&visitor, &sora.id, "Hola").await,
        Err(ServiceError::Portal(PortalRefused::Link(
            LinkRefused::Revoked(_)
        )))
    ));
    let kinds: Vec<MessageKind> = redress
        .messages()
        .of_dispute(&sora.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds, [MessageKind::Acknowledgement], "no reply kept");
    done(db, redress).await;
}

#[tokio::test]
async fn a_customers_answer_is_kept_in_the_conversation_and_a_dispute_waiting_for_them_moves_on() {
    let db = TestDb::new().await;
    let (redress, ana) = redress(&db, "audit-v1/data").await;
    let sora = redress
        .disputes()
        .open(&ana, intake("INV-S1"))
        .await
        .unwrap();
    for to in [
        DisputeStatus::Acknowledged,
        DisputeStatus::Investigating,
        DisputeStatus::AwaitingCustomer,
    ] {
        redress
            .perform(redress.disputes().set_status(&ana, &sora.id, to))
            .await
            .unwrap();
    }
    let portal = redress.portal();
    let (issued, _) = portal.issue(&ana, "C-SORA", Some(&sora.id)).await.unwrap();
    let visitor = portal.enter(&issued.token).await.unwrap();
    assert!(matches!(
        portal.reply(&visitor, &sora.id, "   ").await,
        Err(ServiceError::Portal(PortalRefused::Invalid {
            field: "text",
            ..
        }))
    ));
    let kept = portal
        .reply(&visitor, &sora.id, "Adjunto el albarán.")
        .await
        .unwrap();
    assert_eq!(kept.direction, Direction::FromCustomer);
    assert_eq!(kept.written_by, "customer:C-SORA");
    let conversation = portal.messages(&visitor, &sora.id).await.unwrap();
    assert_eq!(conversation.last().unwrap().body, "Adjunto el albarán.");
    let now = redress.disputes().get(&sora.id).await.unwrap().unwrap();
    assert_eq!(now.status, DisputeStatus::Investigating);
    done(db, redress).await;
}

#[tokio::test]
async fn a_customer_chooses_a_separate_invoice_for_what_was_under_billed_and_their_ledger_shows_it()
{
    let db = TestDb::new().await;
    let (redress, ana) = redress(&db, "half-price").await;
    let found = redress.cases().find_as_operator("operator").await.unwrap();
    let case = found
        .opened
        .into_iter()
        .find(|c| c.customer_id == "C-HALV")
        .unwrap();
    let portal = redress.portal();
    let (issued, _) = portal.issue(&ana, "C-HALV", None).await.unwrap();
    let visitor = portal.enter(&issued.token).await.unwrap();
    assert!(
        matches!(
            portal
                .choose(&visitor, &case.id, ArrearsChoice::SeparateInvoice)
                .await,
            Err(ServiceError::Portal(PortalRefused::NotNow(_)))
        ),
        "not before it is offered"
    );
    redress
        .perform(redress.cases().offer(&ana, &case.id, "Phoned".to_owned()))
        .await
        .unwrap();
    assert!(matches!(
        portal
            .choose(&visitor, &case.id, ArrearsChoice::Waive)
            .await,
        Err(ServiceError::Portal(PortalRefused::Invalid {
            field: "option",
            ..
        }))
    ));
    let chosen = portal
        .choose(&visitor, &case.id, ArrearsChoice::SeparateInvoice)
        .await
        .unwrap();
    assert_eq!(chosen.chosen_by.as_deref(), Some("customer:C-HALV"));
    let ledger = redress.books().ledger("C-HALV").await.unwrap().unwrap();
    let billed = chosen
        .document_id
        .clone()
        .expect("an arrears invoice issued");
    let arrears = ledger
        .entries
        .iter()
        .find(|e| e.document == billed)
        .expect("the arrears invoice in the ledger");
    assert_eq!(arrears.kind, EntryKind::Invoice);
    done(db, redress).await;
}

#[tokio::test]
async fn a_customer_rates_a_resolved_dispute_once_it_is_resolved() {
    let db = TestDb::new().await;
    let (redress, ana) = redress(&db, "audit-v1/data").await;
    let sora = redress
        .disputes()
        .open(&ana, intake("INV-S1"))
        .await
        .unwrap();
    let portal = redress.portal();
    let (issued, _) = portal.issue(&ana, "C-SORA", Some(&sora.id)).await.unwrap();
    let visitor = portal.enter(&issued.token).await.unwrap();
    assert!(matches!(
        portal.rate(&visitor, &sora.id, 4, "").await,
        Err(ServiceError::Portal(PortalRefused::NotNow(_)))
    ));
    for to in [
        DisputeStatus::Acknowledged,
        DisputeStatus::Investigating,
        DisputeStatus::Resolved,
    ] {
        redress
            .perform(redress.disputes().set_status(&ana, &sora.id, to))
            .await
            .unwrap();
    }
    assert!(matches!(
        portal.rate(&visitor, &sora.id, 6, "").await,
        Err(ServiceError::Portal(PortalRefused::Invalid {
            field: "score",
            ..
        }))
    ));
    portal.rate(&visitor, &sora.id, 4, "Rápido").await.unwrap();
    assert_eq!(
        portal.rating(&visitor, &sora.id).await.unwrap(),
        Some((4, "Rápido".to_owned()))
    );
    // It feeds analytics.
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let analytics = redress.analytics(today).await.unwrap();
    assert_eq!(analytics.satisfaction.by_score, [0, 0, 0, 1, 0]);
    assert_eq!(analytics.satisfaction.average, Some("4".parse().unwrap()));
    assert_eq!(
        analytics.service_levels.timed, 1,
        "the dispute taken is timed"
    );
    done(db, redress).await;
}
