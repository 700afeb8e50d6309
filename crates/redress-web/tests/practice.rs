//! Practice in the desk: an approver starts a session for an agent, who works a case with the
//! verification hidden, is told what to fix in a form that cannot be taken, answers, and sees
//! every mark with the model answer beside; the team's figures and the playbooks. On both
//! backends.

mod desk;

use desk::{Desk, between, unescape};
use reqwest::StatusCode;

#[tokio::test]
async fn an_agent_works_a_practice_case_an_approver_started_and_sees_the_score_explained() {
    let desk = Desk::start().await;
    let approver = desk.sign_in("olu@example.com").await;
    let agent = desk.sign_in("ana@example.com").await;

    // The approver starts a session of ten cases for Ana.
    let home = desk.get("/practice", &approver).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Start a session"), "{}", home.body);
    let started = desk
        .post(
            "/practice/sessions",
            Some(&approver),
            &[
                ("csrf", &home.csrf()),
                ("trainee", &desk.agent.id),
                ("cases", "10"),
            ],
            &[],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let session_path = started.location().to_owned();
    assert!(session_path.starts_with("/practice/sessions/PRS-"));

    // Ana sees it from her practice page and opens the first case.
    let mine = desk.get("/practice", &agent).await;
    assert!(
        !mine.body.contains("Start a session"),
        "an agent starts none"
    );
    let session_id = session_path.rsplit('/').next().unwrap();
    assert!(mine.body.contains(session_id), "{}", mine.body);
    let session = desk.get(&session_path, &agent).await;
    assert_eq!(session.status, StatusCode::OK);
    assert!(session.body.contains("Cases (10)"), "{}", session.body);
    let case_path = format!(
        "/practice/cases/{}",
        between(&session.body, "/practice/cases/", "\"").expect("a case link")
    );
    let case = desk.get(&case_path, &agent).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert!(case.body.contains("Your answer"), "the form to answer");
    assert!(
        !case.body.contains("Your score") && !case.body.contains("The model answer"),
        "the verification is hidden until the answer"
    );
    assert!(case.body.contains("A practice case"));

    // A form without a resolution or a message is shown again, saying what to fix.
    let csrf = case.csrf();
    let answer = case_path.clone() + "/answer";
    let refused = desk
        .post(
            &answer,
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("line_1", "1"),
                ("kind_1", "price_mismatch"),
            ],
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = unescape(&refused.body);
    assert!(said.contains("There is a problem"), "{said}");
    assert!(said.contains("Finding 1: enter by how much"), "{said}");
    assert!(said.contains("Choose the resolution"), "{said}");
    assert!(
        said.contains("Write the message you would send the customer"),
        "{said}"
    );

    let taken = desk
        .post(
            &answer,
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("resolution", "reject"),
                (
                    "message",
                    "Thank you for your message. We checked line 1: the charges are correct. We will write again if anything changes.",
                ),
            ],
            &[],
        )
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let result = desk.get(&case_path, &agent).await;
    let shown = unescape(&result.body);
    assert!(shown.contains("Your score: "), "{shown}");
    assert!(shown.contains("The model answer"), "{shown}");
    assert!(shown.contains("Message: the acknowledgement"), "{shown}");
    // Once only.
    let again = desk
        .post(
            &answer,
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("resolution", "reject"),
                ("message", "Again."),
            ],
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN, "{}", again.body);

    // The team's page: Ana sees her own figures, the approver everyone's.
    let hers = unescape(&desk.get("/team", &agent).await.body);
    assert!(
        hers.contains("Your figures") && hers.contains("Ana Ruiz"),
        "{hers}"
    );
    assert!(!hers.contains("Olu Approver"), "{hers}");
    let all = unescape(&desk.get("/team", &approver).await.body);
    assert!(
        all.contains("The team") && all.contains("Olu Approver"),
        "{all}"
    );
    assert!(all.contains("The team's median"), "{all}");
    desk.stop().await;
}

#[tokio::test]
async fn an_admin_writes_a_playbook_and_the_case_page_shows_it_for_its_reason() {
    let desk = Desk::start().await;
    let admin = desk.sign_in("root@example.com").await;
    let page = desk.get("/playbooks", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let written = desk
        .post(
            "/playbooks/wrong_price",
            Some(&admin),
            &[
                ("csrf", &page.csrf()),
                (
                    "steps",
                    "Compare each line with the contract's price.\nCheck the deliveries of the period.",
                ),
            ],
            &[],
        )
        .await;
    assert_eq!(written.status, StatusCode::SEE_OTHER, "{}", written.body);
    let shown = unescape(&desk.get("/playbooks", &admin).await.body);
    assert!(
        shown.contains("Compare each line with the contract's price."),
        "{shown}"
    );
    assert!(shown.contains("Version 1"), "{shown}");

    let agent = desk.sign_in("ana@example.com").await;
    let theirs = desk.get("/playbooks", &agent).await;
    assert!(
        !theirs.body.contains("Save a new version"),
        "only admins are offered the form"
    );
    let refused = desk
        .post(
            "/playbooks/wrong_price",
            Some(&agent),
            &[("csrf", &theirs.csrf()), ("steps", "Nothing.")],
            &[],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "only admins write them"
    );
    // A dispute for that reason shows the playbook on its checklist.
    let dispute = desk.open_dispute("INV-A1", 1, "10.00").await;
    let case = unescape(&desk.get(&format!("/disputes/{dispute}"), &agent).await.body);
    assert!(case.contains("The playbook for this reason"), "{case}");
    assert!(
        case.contains("Check the deliveries of the period."),
        "{case}"
    );
    desk.stop().await;
}
