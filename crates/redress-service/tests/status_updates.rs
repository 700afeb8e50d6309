//! Keeping the customer informed: an open dispute whose customer has heard nothing for the
//! business's working days between updates is due a status update, until one is written. Runs
//! on the backend `REDRESS_TEST_BACKEND` names, over the worked example (`fixtures/audit-v1`).

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::message::MessageKind;
use redress_domain::service_level::update_due_at;
use redress_domain::{DisputeReason, DisputeStatus, Role, timestamp_text};
use redress_import::{NoProgress, read_billing_data};
use redress_service::messages::{Communication, Outgoing};
use redress_service::{Actor, DisputeIntake, Redress};
use support::TestDb;

async fn redress_with_example(db: &TestDb) -> (Redress, Actor) {
    let redress = Redress::open(&db.location, Default::default())
        .await
        .expect("the test database opens")
        .with_communication(Communication::default());
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    redress
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    let id = redress
        .people()
        .create_user(
            "ana@example.com",
            "Ana Ruiz",
            Role::Agent,
            "a long enough password",
            "test",
        )
        .await
        .unwrap();
    let ana = Actor {
        id,
        name: "Ana Ruiz".to_owned(),
        role: Role::Agent,
    };
    (redress, ana)
}

fn intake(invoice: &str) -> DisputeIntake {
    DisputeIntake {
        id: None,
        invoice_id: invoice.into(),
        line_no: Some(1),
        reason: DisputeReason::Overcharged,
        claimed_amount: "10".parse().unwrap(),
        narrative: "This is not what we agreed.".into(),
        channel: "email".into(),
        opened_on: None,
    }
}

#[tokio::test]
async fn a_dispute_whose_customer_heard_nothing_for_five_working_days_is_due_an_update_until_one_is_written()
 {
    let db = TestDb::new().await;
    let (redress, ana) = redress_with_example(&db).await;
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
    redress.operations().close().await;
    let store = redress_storage::Store::connect(&db.location).await.unwrap();
    db.drop_database(store).await;
}
