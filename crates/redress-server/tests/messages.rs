//! Messages, portal links and documents over the API, on both backends (SQLite, or PostgreSQL
//! with `REDRESS_TEST_BACKEND=postgres`).

mod app;

use app::App;
use reqwest::StatusCode;
use serde_json::json;

async fn open(app: &App, invoice: &str) -> String {
    let (status, opened) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            json!({"invoice_id": invoice, "line_no": 1, "reason": "overcharged",
                   "claimed_amount": "10.00", "narrative": "Not what we agreed."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    opened["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_message_is_drafted_in_the_customers_language_and_a_wrong_one_is_refused_naming_its_field()
 {
    let app = App::start().await;
    let dispute = open(&app, "INV-S1").await;
    let (status, draft) = app
        .get(
            &format!("/api/v1/disputes/{dispute}/messages/draft?kind=status_update"),
            &app.agent,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["language"], "es");
    assert_eq!(draft["to_address"], "keiri@sora.example");
    assert!(draft["body"].as_str().unwrap().contains("{portal-link}"));
    let (status, refused) = app
        .get(
            &format!("/api/v1/disputes/{dispute}/messages/draft?kind=letter"),
            &app.agent,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["details"]["field"], "kind");
    let path = format!("/api/v1/disputes/{dispute}/messages");
    for (body, field) in [
        (
            json!({"kind": "note", "subject": "", "body": "Hola"}),
            "subject",
        ),
        (
            json!({"kind": "note", "subject": "Hola", "body": " "}),
            "body",
        ),
        (
            json!({"kind": "note", "language": "fr", "subject": "Hola", "body": "Hola"}),
            "language",
        ),
        (
            json!({"kind": "note", "subject": "Hola", "body": "Hola",
                   "documents": [{"kind": "credit_note", "id": "CN-NOT-OURS"}]}),
            "documents",
        ),
    ] {
        let (status, refused) = app.post(&path, &app.agent, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["details"]["field"], field, "{refused}");
    }
    let (status, sent) = app
        .post(
            &path,
            &app.agent,
            json!({"kind": "note", "subject": "Hola", "body": "Le escribimos pronto."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["language"], "es", "the customer's when left out");
    assert_eq!(sent["delivery"]["state"], "waiting");
    let (_, listed) = app.get(&path, &app.auditor).await;
    let kinds: Vec<&str> = listed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["acknowledgement", "note"]);
    // A message to the customer comes as a letter (PDF) too.
    let id = sent["id"].as_str().unwrap();
    let letter = app
        .client
        .get(format!("{}/api/v1/messages/{id}", app.base))
        .bearer_auth(&app.auditor)
        .header("accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(letter.status(), StatusCode::OK);
    assert_eq!(letter.headers()["content-type"], "application/pdf");
    assert!(letter.bytes().await.unwrap().starts_with(b"%PDF"));
    let (status, shown) = app
        .get(&format!("/api/v1/messages/{id}"), &app.auditor)
        .await;
    assert_eq!((status, &shown["body"]), (StatusCode::OK, &sent["body"]));
    let (status, _) = app
        .post(
            &path,
            &app.auditor,
            json!({"kind": "note", "subject": "Hola", "body": "Hola"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an auditor only reads");
    let (status, levels) = app
        .get(
            &format!("/api/v1/disputes/{dispute}/service-levels"),
            &app.auditor,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{levels}");
    let stages: Vec<&str> = levels["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["acknowledge", "respond", "resolve"]);
    // A note to the customer is a first response, met at once.
    assert_eq!(levels["targets"][1]["state"], "met", "{levels}");
    app.stop().await;
}

#[tokio::test]
async fn a_portal_link_is_given_once_listed_without_its_token_and_revoked() {
    let app = App::start().await;
    let dispute = open(&app, "INV-S1").await;
    let (status, made) = app
        .post(
            "/api/v1/customers/C-SORA/portal-links",
            &app.agent,
            json!({"dispute_id": dispute}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let url = made["url"].as_str().unwrap();
    assert!(url.contains("/portal/"), "{url}");
    let (_, listed) = app
        .get("/api/v1/customers/C-SORA/portal-links", &app.auditor)
        .await;
    let links = listed["links"].as_array().unwrap();
    // The acknowledgement's and this one.
    assert_eq!(links.len(), 2, "{listed}");
    assert!(
        links.iter().all(|l| l["url"].is_null()),
        "never the token again"
    );
    let (status, _) = app
        .post(
            "/api/v1/customers/C-ACME/portal-links",
            &app.agent,
            json!({"dispute_id": dispute}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not Acme's dispute");
    let id = made["id"].as_str().unwrap();
    let (status, revoked) = app
        .post(
            &format!("/api/v1/portal-links/{id}/revoke"),
            &app.agent,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    let token = url.rsplit('/').next().unwrap();
    assert!(app.redress.portal().enter(token).await.is_err());
    app.stop().await;
}

#[tokio::test]
async fn a_credit_note_comes_as_pdf_when_asked_for_one() {
    let app = App::start().await;
    let dispute = open(&app, "INV-A1").await;
    let (status, applied) = app
        .post(
            &format!("/api/v1/disputes/{dispute}/resolutions"),
            &app.agent,
            json!({"kind": "credit_note", "reason": "Billed above the contract price",
                   "lines": [{"line_no": 1, "amount": "10.00"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let note = applied["document_id"].as_str().unwrap();
    for (language, ok) in [
        ("", true),
        ("?language=zh-Hans", true),
        ("?language=fr", false),
    ] {
        let response = app
            .client
            .get(format!("{}/api/v1/credit-notes/{note}{language}", app.base))
            .bearer_auth(&app.auditor)
            .header("accept", "application/pdf")
            .send()
            .await
            .unwrap();
        if !ok {
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            continue;
        }
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let disposition = response.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains(&format!("{note}.pdf")),
            "{disposition}"
        );
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF"), "a PDF");
    }
    // Without asking for a PDF, the JSON as before.
    let (status, shown) = app
        .get(&format!("/api/v1/credit-notes/{note}"), &app.auditor)
        .await;
    assert_eq!((status, &shown["id"]), (StatusCode::OK, &json!(note)));
    app.stop().await;
}

/// A Postfix delivery report about the mail `mail_id`, sent with no sender as reports are.
fn postfix_report(mail_id: &str, action: &str, status: &str) -> String {
    format!(
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mail.example.com (Mail Delivery System)\r\n\
         To: billing@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; mail.example.com\r\n\r\n\
         Final-Recipient: rfc822; keiri@sora.example\r\nAction: {action}\r\nStatus: {status}\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <keiri@sora.example>: User unknown\r\n\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\n\
         From: billing@example.com\r\nTo: keiri@sora.example\r\nMessage-ID: <{mail_id}>\r\n\r\n\
         --b--\r\n"
    )
}

#[tokio::test]
async fn a_mail_servers_bounce_fails_the_message_it_names_and_one_about_no_message_of_ours_is_refused()
 {
    let app = App::start().await;
    let dispute = open(&app, "INV-S1").await;
    // The worker's part: the mail server takes the acknowledgement.
    let messages = app.redress.messages();
    let claimed = messages
        .claim_due(std::time::Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        messages
            .mark(&claimed[0], redress_service::records::Outcome::Delivered)
            .await
            .unwrap()
    );
    let mail_id = claimed[0].message.mail_id.clone();
    let inbound = |raw: String| {
        app.client
            .post(format!("{}/api/v1/mail/inbound", app.base))
            .bearer_auth(&app.agent)
            .header("content-type", "message/rfc822")
            .body(raw)
            .send()
    };

    let delayed = inbound(postfix_report(&mail_id, "delayed", "4.4.1"))
        .await
        .unwrap();
    assert_eq!(delayed.status(), StatusCode::OK);
    let delayed: serde_json::Value = delayed.json().await.unwrap();
    assert_eq!(delayed["bounce"], "delayed", "{delayed}");
    assert_eq!(delayed["message"]["delivery"]["state"], "delivered");

    let response = inbound(postfix_report(&mail_id, "failed", "5.1.1"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bounced: serde_json::Value = response.json().await.unwrap();
    assert_eq!(bounced["bounce"], "marked_failed", "{bounced}");
    assert_eq!(bounced["message_id"], claimed[0].message.id.as_str());
    assert_eq!(bounced["dispute_id"], dispute.as_str());
    assert_eq!(bounced["message"]["delivery"]["state"], "failed");
    assert_eq!(
        bounced["message"]["delivery"]["last_error"],
        "bounced: 5.1.1 550 5.1.1 <keiri@sora.example>: User unknown"
    );
    let again = inbound(postfix_report(&mail_id, "failed", "5.1.1"))
        .await
        .unwrap();
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again["bounce"], "already_failed", "{again}");

    let (_, history) = app
        .get(&format!("/api/v1/disputes/{dispute}/events"), &app.auditor)
        .await;
    let bounces: Vec<&serde_json::Value> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "message_bounced")
        .collect();
    assert_eq!(bounces.len(), 1, "{history}");
    let (_, conversation) = app
        .get(
            &format!("/api/v1/disputes/{dispute}/messages"),
            &app.auditor,
        )
        .await;
    assert_eq!(
        conversation["messages"].as_array().unwrap().len(),
        1,
        "no reply kept: {conversation}"
    );

    let refused = inbound(postfix_report(
        "nothing-of-ours@elsewhere.example",
        "failed",
        "5.1.1",
    ))
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(refused["error"]["details"]["field"], "mail");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a delivery report about no message Redress sent"),
        "{refused}"
    );
    app.stop().await;
}
