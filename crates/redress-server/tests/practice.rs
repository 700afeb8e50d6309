//! Practice over the API: a trainer starts a session for an agent, who reads a case with the
//! verification hidden, answers it once and gets every mark explained with the model answer
//! beside; bad answers name their field. On both backends.

mod app;

use app::App;
use redress_domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The perfect answer to the case the API shows, as a body: the model answer the service
/// would keep for its records.
async fn perfect_answer(app: &App, case_id: &str) -> Value {
    let agent = redress_service::Actor {
        id: "agent-ana".into(),
        name: "agent-ana".into(),
        role: Role::Agent,
    };
    let case = app.redress.practice().case(&agent, case_id).await.unwrap();
    let model = redress_service::practice::model_answer(
        &case.data,
        &case.dispute,
        case.language,
        &case.relationship,
        &case.history,
        redress_domain::parse_date("2026-12-07").unwrap(),
    );
    let answer = model.as_answer(0);
    json!({
        "findings": answer.findings.iter().map(|f| json!({
            "kind": f.kind.as_str(),
            "line_no": f.line_no,
            "amount": model.currency.format(f.amount),
        })).collect::<Vec<_>>(),
        "resolution": answer.resolution.as_str(),
        "amount": answer.amount.map(|a| model.currency.format(a)),
        "message": answer.message,
    })
}

#[tokio::test]
async fn an_agent_answers_a_practice_case_once_and_gets_every_mark_explained_with_the_model_answer()
{
    let app = App::start().await;
    let trainer = app.user("ruth", Role::Approver).await;
    let (status, session) = app
        .post(
            "/api/v1/practice/sessions",
            &trainer,
            json!({"trainee": "agent-ana", "cases": 3, "seed": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    assert_eq!(session["trainee"], "agent-ana");
    assert_eq!(session["cases"].as_array().unwrap().len(), 3);
    let case_id = session["cases"][0]["id"].as_str().unwrap().to_owned();
    assert!(session["cases"][0]["points"].is_null());

    let (status, case) = app
        .get(&format!("/api/v1/practice/cases/{case_id}"), &app.agent)
        .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert!(
        case["result"].is_null(),
        "the verification is hidden: {case}"
    );
    assert!(!case["invoice"]["lines"].as_array().unwrap().is_empty());
    assert!(case["dispute"]["narrative"].as_str().unwrap().len() > 10);

    // Bad answers name their field and change nothing.
    for (body, field) in [
        (
            json!({"findings": [{"kind": "price_mistake", "amount": "1.00"}], "resolution": "reject", "message": "x"}),
            "findings",
        ),
        (
            json!({"findings": [{"kind": "price_mismatch", "line_no": 1, "amount": "1.005"}], "resolution": "reject", "message": "x"}),
            "findings",
        ),
        (
            json!({"findings": [], "resolution": "refund_everything", "message": "x"}),
            "resolution",
        ),
        (
            json!({"findings": [], "resolution": "credit_note", "amount": "-3", "message": "x"}),
            "amount",
        ),
    ] {
        let (status, refused) = app
            .post(
                &format!("/api/v1/practice/cases/{case_id}/answer"),
                &app.agent,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["details"]["field"], field, "{refused}");
    }

    // The trainer reads it but does not answer it.
    let body = perfect_answer(&app, &case_id).await;
    let (status, refused) = app
        .post(
            &format!("/api/v1/practice/cases/{case_id}/answer"),
            &trainer,
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, result) = app
        .post(
            &format!("/api/v1/practice/cases/{case_id}/answer"),
            &app.agent,
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["points"], 100, "{result}");
    assert_eq!(result["out_of"], 100);
    assert_eq!(result["marks"].as_array().unwrap().len(), 8, "{result}");
    assert!(
        result["marks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !m["explanation"].as_str().unwrap().is_empty())
    );
    assert_eq!(result["model"]["resolution"], body["resolution"]);
    assert!(!result["model"]["message"].as_str().unwrap().is_empty());

    let (status, again) = app
        .post(
            &format!("/api/v1/practice/cases/{case_id}/answer"),
            &app.agent,
            body,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let (_, case) = app
        .get(&format!("/api/v1/practice/cases/{case_id}"), &trainer)
        .await;
    assert_eq!(case["result"]["points"], 100, "{case}");
    let (_, session) = app
        .get(
            &format!(
                "/api/v1/practice/sessions/{}",
                session["id"].as_str().unwrap()
            ),
            &app.agent,
        )
        .await;
    assert_eq!(session["cases"][0]["points"], 100, "{session}");
    app.stop().await;
}
