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
