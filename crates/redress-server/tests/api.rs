//! The API as a client uses it: the real server on a random port, a fresh database per test
//! (SQLite, or PostgreSQL with `REDRESS_TEST_BACKEND=postgres`), the worked example imported.

mod app;

use app::App;
use redress_domain::Role;
use redress_import::{NoProgress, read_billing_data};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn dispute(invoice: &str, line_no: Option<u32>, claimed: &str) -> Value {
    json!({"invoice_id": invoice, "line_no": line_no, "reason": "overcharged", "claimed_amount": claimed,
           "narrative": "We were charged twice for March hosting.", "channel": "email"})
}

#[tokio::test]
async fn health_needs_no_token_and_everything_else_does() {
    let app = App::start().await;
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let anonymous = app
        .client
        .get(format!("{}/api/v1/disputes/DSP-1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, body) = app.get("/api/v1/disputes/DSP-1", "rdr_not_a_token").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_dispute_is_taken_verified_and_worked_to_close_over_the_api() {
    let app = App::start().await;
    let (status, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A4", Some(2), "100.00"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "open");
    assert_eq!(created["verification"]["verdict"], "upheld");
    assert_eq!(created["verification"]["adjustment"], "100.00");
    assert_eq!(
        created["verification"]["findings"][0]["kind"],
        "duplicate_charge"
    );
    assert_eq!(created["taken_by"], "agent-ana");
    let id = created["id"].as_str().unwrap().to_owned();

    for to in ["acknowledged", "investigating", "resolved", "closed"] {
        let (status, moved) = app
            .post(
                &format!("/api/v1/disputes/{id}/transitions"),
                &app.agent,
                json!({"to": to}),
            )
            .await;
        assert_eq!(
            (status, moved["status"].as_str()),
            (StatusCode::OK, Some(to))
        );
    }
    let (status, refused) = app
        .post(
            &format!("/api/v1/disputes/{id}/transitions"),
            &app.agent,
            json!({"to": "investigating"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"]["code"], "invalid_transition");
    assert_eq!(refused["error"]["details"]["allowed"], json!([]));

    let (status, history) = app
        .get(&format!("/api/v1/disputes/{id}/events"), &app.auditor)
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            // The acknowledgement, sent by itself with the customer's portal link, waits in
            // the outbox.
            "portal_link_issued",
            "message_queued",
            "status_changed",
            "status_changed",
            "status_changed",
            "status_changed"
        ]
    );
    assert_eq!(history["events"][6]["after"]["status"], "closed");
    // A move keeps what it changed, not the dispute again: the narrative is in `created` once.
    assert_eq!(
        history["events"][6]["before"],
        json!({"id": id, "status": "resolved"})
    );
    assert_eq!(
        history["events"][6]["after"],
        json!({"id": id, "status": "closed"})
    );
    assert_eq!(
        history["events"][0]["after"]["narrative"],
        created["narrative"]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_move_the_lifecycle_does_not_allow_says_what_is_allowed() {
    let app = App::start().await;
    let (_, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A3", None, "50.00"),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let (status, refused) = app
        .post(
            &format!("/api/v1/disputes/{id}/transitions"),
            &app.agent,
            json!({"to": "closed"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        refused["error"]["details"]["allowed"],
        json!(["acknowledged", "withdrawn"])
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("from open it can become acknowledged or withdrawn")
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_name_the_field_and_change_nothing() {
    let app = App::start().await;
    let cases = [
        (dispute("INV-NOPE", None, "1.00"), "invoice_id"),
        (dispute("INV-A1", Some(9), "1.00"), "line_no"),
        (dispute("INV-S2", None, "10.5"), "claimed_amount"),
        (
            json!({"invoice_id": "INV-A1", "reason": "overcharged", "claimed_amount": 10.5, "narrative": "x"}),
            "claimed_amount",
        ),
        (
            json!({"invoice_id": "INV-A1", "reason": "too_expensive", "claimed_amount": "1", "narrative": "x"}),
            "reason",
        ),
    ];
    for (body, field) in cases {
        let (status, error) = app.post("/api/v1/disputes", &app.agent, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_eq!(error["error"]["details"]["field"], field, "{error}");
    }
    // The import and the two users with their tokens are all the log holds.
    assert_eq!(app.redress.operations().verify_log().await.unwrap(), 5);
    app.stop().await;
}

#[tokio::test]
async fn an_auditor_reads_but_cannot_change_anything() {
    let app = App::start().await;
    let (status, error) = app
        .post(
            "/api/v1/disputes",
            &app.auditor,
            dispute("INV-A1", None, "1.00"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error["error"]["code"], "forbidden");
    let (_, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A1", None, "1.00"),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let (status, read) = app
        .get(&format!("/api/v1/disputes/{id}"), &app.auditor)
        .await;
    assert_eq!((status, read["id"].as_str()), (StatusCode::OK, Some(id)));
    let (status, _) = app
        .post(
            &format!("/api/v1/disputes/{id}/transitions"),
            &app.auditor,
            json!({"to": "acknowledged"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, missing) = app.get("/api/v1/disputes/DSP-NONE", &app.auditor).await;
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_returns_the_first_response_and_creates_nothing_new() {
    let app = App::start().await;
    let body = dispute("INV-A4", Some(2), "100.00");
    let (status, first, replayed) = app
        .post_once("/api/v1/disputes", "intake-7f3a", body.clone())
        .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false));
    let (status, again, replayed) = app.post_once("/api/v1/disputes", "intake-7f3a", body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true));
    assert_eq!(again, first);
    // One dispute, one "created" event and its acknowledgement queued: import, two users and
    // their tokens, the dispute, its acknowledgement's portal link and the acknowledgement.
    assert_eq!(app.redress.operations().verify_log().await.unwrap(), 8);

    let (status, refused, _) = app
        .post_once(
            "/api/v1/disputes",
            "intake-7f3a",
            dispute("INV-A4", Some(2), "99.00"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");

    // A refused request is answered the same way when retried: nothing is done twice.
    let id = first["id"].as_str().unwrap();
    let path = format!("/api/v1/disputes/{id}/transitions");
    let (status, _, _) = app
        .post_once(&path, "move-1", json!({"to": "acknowledged"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, retried, replayed) = app
        .post_once(&path, "move-1", json!({"to": "acknowledged"}))
        .await;
    assert_eq!(
        (status, replayed, retried["status"].as_str()),
        (StatusCode::OK, true, Some("acknowledged"))
    );
    // The import, two users and their tokens, the dispute, its acknowledgement (with its
    // portal link), one move.
    assert_eq!(app.redress.operations().verify_log().await.unwrap(), 9);
    app.stop().await;
}

#[tokio::test]
async fn disputes_are_listed_filtered_sorted_and_paged_by_cursor() {
    let app = App::start().await;
    let claims = [
        ("INV-A1", "10.00"),
        ("INV-A2", "30.00"),
        ("INV-A3", "20.00"),
        ("INV-A4", "40.00"),
        ("INV-S2", "1425"),
    ];
    let mut ids = Vec::new();
    for (invoice, claimed) in claims {
        let (status, created) = app
            .post(
                "/api/v1/disputes",
                &app.agent,
                dispute(invoice, None, claimed),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    app.post(
        &format!("/api/v1/disputes/{}/transitions", ids[1]),
        &app.agent,
        json!({"to": "acknowledged"}),
    )
    .await;

    // Newest first, two to a page, every dispute exactly once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/disputes?limit=2&cursor={c}"),
            None => "/api/v1/disputes?limit=2".to_owned(),
        };
        let (status, page) = app.get(&path, &app.auditor).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["disputes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    let ids_of = |page: &Value| -> Vec<String> {
        page["disputes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, acknowledged) = app
        .get("/api/v1/disputes?status=acknowledged", &app.agent)
        .await;
    assert_eq!(ids_of(&acknowledged), [ids[1].clone()]);
    let (_, usd_20_to_40) = app
        .get(
            "/api/v1/disputes?currency=USD&min_amount=20&max_amount=40&sort=-claimed_amount",
            &app.agent,
        )
        .await;
    assert_eq!(
        ids_of(&usd_20_to_40),
        [ids[3].clone(), ids[1].clone(), ids[2].clone()]
    );
    let (_, sora) = app
        .get("/api/v1/disputes?customer=C-SORA", &app.agent)
        .await;
    assert_eq!(ids_of(&sora), [ids[4].clone()]);
    // Opened within a short period: found by opening day, then paged newest (or oldest) first.
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let period = |from: jiff::civil::Date, to: jiff::civil::Date, rest: &str| {
        format!("/api/v1/disputes?opened_from={from}&opened_to={to}{rest}")
    };
    let week_ago = today.checked_sub(jiff::Span::new().days(7)).unwrap();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = app
            .get(
                &period(week_ago, today, &format!("&limit=2{cursor}")),
                &app.agent,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, newest_first);
    let (_, oldest_first) = app
        .get(&period(week_ago, today, "&sort=created_at"), &app.agent)
        .await;
    assert_eq!(ids_of(&oldest_first), ids);
    let (_, before) = app.get(&period(week_ago, week_ago, ""), &app.agent).await;
    assert_eq!(ids_of(&before), Vec::<String>::new());

    for (query, field) in [
        ("status=pending", "status"),
        ("min_amount=5", "min_amount"),
        ("sort=amount", "sort"),
        ("limit=1000", "limit"),
        ("cursor=zz", "cursor"),
        ("colour=red", "colour"),
        // Claims in different currencies do not compare.
        ("sort=-claimed_amount", "sort"),
    ] {
        let (status, error) = app
            .get(&format!("/api/v1/disputes?{query}"), &app.agent)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {error}");
        assert_eq!(error["error"]["details"]["field"], field, "{query}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_case_file_holds_notes_statements_assignment_and_escalation() {
    let app = App::start().await;
    let (_, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A3", Some(2), "35.00"),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let at = |what: &str| format!("/api/v1/disputes/{id}/{what}");

    let (status, assigned) = app
        .post(
            &at("assignment"),
            &app.agent,
            json!({"assignee": "agent-bo"}),
        )
        .await;
    assert_eq!(
        (status, assigned["assignee"].as_str()),
        (StatusCode::OK, Some("agent-bo"))
    );
    let (status, escalated) = app
        .post(&at("escalation"), &app.agent, json!({"escalated": true}))
        .await;
    assert_eq!(
        (status, escalated["escalated"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (status, note) = app
        .post(
            &at("notes"),
            &app.agent,
            json!({"body": "Customer called twice."}),
        )
        .await;
    assert_eq!(
        (status, note["kind"].as_str()),
        (StatusCode::CREATED, Some("note"))
    );
    let statement = json!({"kind": "statement", "body": "I applied the fee before the overdue notice went out."});
    let (status, _) = app.post(&at("notes"), &app.agent, statement).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, bad) = app
        .post(
            &at("notes"),
            &app.agent,
            json!({"kind": "gossip", "body": "x"}),
        )
        .await;
    assert_eq!(
        (status, bad["error"]["details"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );

    let (_, notes) = app.get(&at("notes"), &app.auditor).await;
    let kinds: Vec<&str> = notes["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["note", "statement"]);
    assert_eq!(notes["notes"][0]["author"], "agent-ana");

    // Once resolved, it can no longer be escalated.
    for to in ["acknowledged", "investigating", "resolved"] {
        app.post(&at("transitions"), &app.agent, json!({"to": to}))
            .await;
    }
    let (status, refused) = app
        .post(&at("escalation"), &app.agent, json!({"escalated": false}))
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_open"))
    );

    let (_, history) = app.get(&at("events"), &app.auditor).await;
    let actions: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "portal_link_issued",
            "message_queued",
            "assigned",
            "escalated",
            "note_added",
            "statement_added",
            "status_changed",
            "status_changed",
            "status_changed"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_dispute_is_verified_again_after_the_billing_data_changes() {
    let app = App::start().await;
    // INV-A4 line 2 duplicates March hosting: upheld in full.
    let (_, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A4", Some(2), "100.00"),
        )
        .await;
    assert_eq!(created["verification"]["verdict"], "upheld");
    let id = created["id"].as_str().unwrap();
    // An updated export re-bills the duplicate as April hosting at the contract price.
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    let mut data = read_billing_data(&dir, &NoProgress).unwrap();
    let a4 = redress_domain::InvoiceIdx(data.invoice_ids.get("INV-A4").unwrap());
    let line = data
        .lines
        .iter_mut()
        .find(|l| l.invoice == a4 && l.line_no == 2)
        .unwrap();
    line.unit_price = "120.00".parse().unwrap();
    line.discount_percent = "10".parse().unwrap();
    line.amount = "108.00".parse().unwrap();
    if let redress_domain::LineKind::Charge { period, .. } = &mut line.kind {
        *period = redress_domain::Period::new(
            redress_domain::parse_date("2025-04-01").unwrap(),
            redress_domain::parse_date("2025-04-30").unwrap(),
        )
        .unwrap();
    }
    app.redress
        .billing()
        .import(data.clone(), "test")
        .await
        .unwrap();
    let (status, again) = app
        .post(
            &format!("/api/v1/disputes/{id}/verify"),
            &app.agent,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["verification"]["verdict"], "rejected", "{again}");
    assert_eq!(again["verification"]["adjustment"], "0.00");
    assert_ne!(
        again["verification"]["verified_at"],
        created["verification"]["verified_at"]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_billing_data_behind_a_dispute_can_be_read() {
    let app = App::start().await;
    let (status, invoice) = app.get("/api/v1/invoices/INV-A3", &app.auditor).await;
    assert_eq!(status, StatusCode::OK, "{invoice}");
    assert_eq!(invoice["total"], "147.00");
    assert_eq!(invoice["lines"][1]["kind"], "late_fee");
    assert_eq!(invoice["lines"][1]["late_fee_for"], "INV-A1");
    assert_eq!(invoice["lines"][0]["description"], "Hosting, March");
    let (_, paid) = app.get("/api/v1/invoices/INV-D1", &app.auditor).await;
    assert_eq!(paid["payments"][0]["amount"], "700.125");
    assert_eq!(paid["notices"][1]["kind"], "overdue_notice");
    let (_, contract) = app.get("/api/v1/contracts/K-SORA", &app.auditor).await;
    assert_eq!(
        (
            contract["currency"].as_str(),
            contract["prices"][0]["unit_price"].as_str()
        ),
        (Some("JPY"), Some("1500"))
    );
    let (_, customer) = app.get("/api/v1/customers/C-DANA", &app.auditor).await;
    assert_eq!(customer["name"], "Dana \"DQ\" Qasim");
    assert_eq!(customer["contracts"], json!(["K-DANA"]));
    for missing in [
        "/api/v1/invoices/INV-X",
        "/api/v1/contracts/K-X",
        "/api/v1/customers/C-X",
    ] {
        let (status, _) = app.get(missing, &app.auditor).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_and_disputes_by_state_and_every_response_has_a_request_id() {
    let app = App::start().await;
    let (status, _) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A1", None, "1.00"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let traced = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(traced.headers()["x-request-id"], "trace-42");
    let fresh = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert!(!fresh.headers()["x-request-id"].is_empty());
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(&app.auditor)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "redress_http_requests_total{method=\"POST\",route=\"/api/v1/disputes\",status=\"201\"}"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("redress_http_request_duration_seconds"),
        "{metrics}"
    );
    assert!(
        metrics.contains("redress_disputes{status=\"open\"}"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn attachments_are_kept_once_per_content_within_limits_and_read_back_exactly() {
    let app = App::start().await;
    let (_, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A2", Some(3), "125.00"),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let upload = |name: &'static str, content_type: &'static str, body: Vec<u8>| {
        app.client
            .post(format!("{}/api/v1/disputes/{id}/attachments", app.base))
            .bearer_auth(&app.agent)
            .header("content-type", content_type)
            .header("x-file-name", name)
            .body(body)
            .send()
    };
    let meter_log = b"date,calls\n2025-02-28,50000\n".to_vec();
    let first = upload("meter.csv", "text/csv", meter_log.clone())
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again: Value = upload(
        "meter-copy.csv",
        "text/csv; charset=utf-8",
        meter_log.clone(),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(first["sha256"], again["sha256"]);
    assert_ne!(first["id"], again["id"]);

    let (_, listed) = app
        .get(&format!("/api/v1/disputes/{id}/attachments"), &app.auditor)
        .await;
    assert_eq!(listed["attachments"].as_array().unwrap().len(), 2);
    let download = app
        .client
        .get(format!(
            "{}/api/v1/attachments/{}/content",
            app.base,
            first["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(download.headers()["content-type"], "text/csv");
    assert_eq!(download.bytes().await.unwrap().to_vec(), meter_log);

    let wrong_type = upload("run.exe", "application/x-msdownload", b"MZ".to_vec())
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let too_large = upload(
        "huge.pdf",
        "application/pdf",
        vec![0u8; redress_server::attachments::MAX_ATTACHMENT_BYTES + 1],
    )
    .await
    .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let too_large: Value = too_large.json().await.unwrap();
    assert_eq!(too_large["error"]["code"], "too_large");
    let (status, _) = app
        .get("/api/v1/attachments/ATT-NONE/content", &app.auditor)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn an_attachment_retried_with_its_idempotency_key_is_kept_once() {
    let app = App::start().await;
    let (_, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A2", Some(3), "125.00"),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(format!("{}/api/v1/disputes/{id}/attachments", app.base))
            .bearer_auth(&app.agent)
            .header("content-type", "text/plain")
            .header("x-file-name", "call-notes.txt")
            .header("idempotency-key", "upload-1")
            .body("Customer says only 50,000 calls were made.")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids[0], ids[1]);
    let (_, listed) = app
        .get(&format!("/api/v1/disputes/{id}/attachments"), &app.agent)
        .await;
    assert_eq!(listed["attachments"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_file_that_is_not_what_its_type_says_or_named_as_a_path_is_refused_and_names_in_any_language_are_kept()
 {
    let app = App::start().await;
    let (_, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A2", Some(3), "125.00"),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let upload = |name: &[u8], content_type: &'static str, body: &'static [u8]| {
        app.client
            .post(format!("{}/api/v1/disputes/{id}/attachments", app.base))
            .bearer_auth(&app.agent)
            .header("content-type", content_type)
            .header(
                "x-file-name",
                reqwest::header::HeaderValue::from_bytes(name).unwrap(),
            )
            .body(body)
            .send()
    };
    let html = b"<html><script>alert(document.cookie)</script></html>";
    for (content_type, field) in [
        ("application/pdf", "body"),
        ("image/png", "body"),
        ("image/jpeg", "body"),
    ] {
        let lying = upload(b"scan.pdf", content_type, html).await.unwrap();
        assert_eq!(lying.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let lying: Value = lying.json().await.unwrap();
        assert_eq!(lying["error"]["details"]["field"], field, "{lying}");
        assert!(
            lying["error"]["message"]
                .as_str()
                .unwrap()
                .contains("its content is not"),
            "{lying}"
        );
    }
    let latin1 = upload(b"notes.txt", "text/plain", b"caf\xe9")
        .await
        .unwrap();
    assert_eq!(latin1.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for path in [&b".."[..], b".", b"../../etc/passwd", b"a\\b.txt"] {
        let refused = upload(path, "text/plain", b"hello").await.unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path:?}"
        );
        let refused: Value = refused.json().await.unwrap();
        assert_eq!(refused["error"]["details"]["field"], "X-File-Name");
    }
    // Names in any language, as UTF-8 or percent-encoded.
    let utf8 = upload("café.txt".as_bytes(), "text/plain", b"hello")
        .await
        .unwrap();
    assert_eq!(utf8.status(), StatusCode::CREATED);
    let encoded = upload(b"%E5%8F%91%E7%A5%A8.pdf", "application/pdf", b"%PDF-1.7\n")
        .await
        .unwrap();
    assert_eq!(encoded.status(), StatusCode::CREATED);
    let (_, listed) = app
        .get(&format!("/api/v1/disputes/{id}/attachments"), &app.agent)
        .await;
    let names: Vec<&str> = listed["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["café.txt", "发票.pdf"], "nothing refused was kept");
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_is_served_to_any_token_and_to_no_one_without() {
    let app = App::start().await;
    let (status, document) = app.get("/api/v1/openapi.json", &app.auditor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    assert_eq!(
        document,
        serde_json::to_value(redress_server::openapi()).unwrap()
    );
    let anonymous = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn a_customers_ledger_and_credit_notes_can_be_read_and_balance() {
    let app = App::start().await;
    let (status, before) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    assert_eq!(status, StatusCode::OK);
    let owed = |ledger: &Value| -> redress_domain::Decimal {
        ledger["balances"]["USD"].as_str().unwrap().parse().unwrap()
    };
    let (status, opened) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A1", Some(1), "10.00"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let (status, applied) = app
        .post(
            &format!(
                "/api/v1/disputes/{}/resolutions",
                opened["id"].as_str().unwrap()
            ),
            &app.agent,
            json!({"kind": "credit_note", "reason": "Hosting was billed above the contract price",
                   "lines": [{"line_no": 1, "amount": "10.00"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let note_id = applied["document_id"].as_str().unwrap().to_owned();
    let (status, after) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    assert_eq!(status, StatusCode::OK);
    // 10.00 net and 0.89 tax at the contract's 8.875 %.
    assert_eq!(owed(&before) - owed(&after), "10.89".parse().unwrap());
    let last = after["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "credit_note");
    assert_eq!(last["document"], note_id.as_str());
    let (status, shown) = app
        .get(&format!("/api/v1/credit-notes/{note_id}"), &app.auditor)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&shown["number"], &shown["total"], &shown["lines"]),
        (
            &json!(1),
            &json!("10.89"),
            &json!([{"line_no": 1, "amount": "10.00"}])
        )
    );
    for missing in ["/api/v1/customers/C-X/ledger", "/api/v1/credit-notes/CN-X"] {
        let (status, body) = app.get(missing, &app.auditor).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_dispute_is_resolved_by_credit_notes_within_the_agents_limit_or_with_an_approver() {
    let app = App::start().await;
    let approver = app
        .redress
        .people()
        .create_user_with_token("approver-ali", "approver-ali", Role::Approver, "test")
        .await
        .unwrap();
    let (status, opened) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A1", Some(1), "10.00"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!(
        "/api/v1/disputes/{}/resolutions",
        opened["id"].as_str().unwrap()
    );
    let credit = |line_no: u32, amount: &str| {
        json!({"kind": "credit_note", "reason": "Billed above the contract price",
               "lines": [{"line_no": line_no, "amount": amount}]})
    };
    // Within the agent's limit of 100: applied at once, a credit note issued.
    let (status, applied) = app.post(&path, &app.agent, credit(1, "10.00")).await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert_eq!(applied["status"], "applied");
    let note_id = applied["document_id"].as_str().unwrap().to_owned();
    let (_, note) = app
        .get(&format!("/api/v1/credit-notes/{note_id}"), &app.auditor)
        .await;
    assert_eq!(note["total"], "10.89");
    // Above it: waits for an approver, whom the agent is not.
    let (status, pending) = app.post(&path, &app.agent, credit(2, "150.00")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(pending["status"], "pending_approval");
    assert_eq!(
        pending["approval_reason"],
        "150.00 USD with the 10.00 USD already given on this dispute (160.00 USD in all) is \
         above the 100.00 USD an agent may give on one dispute without an approver"
    );
    assert!(pending.get("document_id").is_none());
    let approve = format!(
        "/api/v1/resolutions/{}/approve",
        pending["id"].as_str().unwrap()
    );
    let (status, refused) = app.post(&approve, &app.agent, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, approved) = app
        .post(
            &approve,
            &approver,
            json!({"note": "Checked against the contract"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(
        (&approved["status"], &approved["decided_by"]),
        (&json!("applied"), &json!("approver-ali"))
    );
    let (_, second) = app
        .get(
            &format!(
                "/api/v1/credit-notes/{}",
                approved["document_id"].as_str().unwrap()
            ),
            &app.auditor,
        )
        .await;
    assert_eq!(second["number"], note["number"].as_i64().unwrap() + 1);
    // Approved once is approved: a second decision is a conflict.
    let (status, _) = app.post(&approve, &approver, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Refused: nothing is applied.
    let (_, pending) = app.post(&path, &app.agent, credit(3, "200.00")).await;
    let reject = format!(
        "/api/v1/resolutions/{}/reject",
        pending["id"].as_str().unwrap()
    );
    let (status, rejected) = app
        .post(
            &reject,
            &approver,
            json!({"note": "The hours were delivered"}),
        )
        .await;
    assert_eq!(
        (status, &rejected["status"]),
        (StatusCode::OK, &json!("refused"))
    );
    assert!(rejected.get("document_id").is_none());
    let (_, listed) = app.get(&path, &app.auditor).await;
    let statuses: Vec<&str> = listed["resolutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["applied", "applied", "refused"]);
    // The dispute's history tells it all, who did what.
    let (_, history) = app
        .get(
            &format!("/api/v1/disputes/{}/events", opened["id"].as_str().unwrap()),
            &app.auditor,
        )
        .await;
    let steps: Vec<(String, String, String)> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("entity"), text("action"), text("actor"))
        })
        .collect();
    let resolution_steps: Vec<(&str, &str)> = steps
        .iter()
        .filter(|(entity, _, _)| entity == "resolution")
        .map(|(_, action, actor)| (action.as_str(), actor.as_str()))
        .collect();
    assert_eq!(
        resolution_steps,
        [
            ("proposed", "agent-ana"),
            ("proposed", "agent-ana"),
            ("approved", "approver-ali"),
            ("proposed", "agent-ana"),
            ("refused", "approver-ali"),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_resolution_that_does_not_fit_the_invoice_or_the_dispute_is_refused_and_writes_nothing() {
    let app = App::start().await;
    let (_, opened) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A1", Some(1), "10.00"),
        )
        .await;
    let id = opened["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/disputes/{id}/resolutions");
    let refusals = [
        (
            json!({"kind": "credit_note", "reason": "x", "currency": "EUR", "lines": [{"line_no": 1, "amount": "1.00"}]}),
            "currency",
            "the amounts are in EUR, but invoice INV-A1 is in USD",
        ),
        (
            json!({"kind": "credit_note", "reason": "x", "lines": [{"line_no": 1, "amount": "90.01"}]}),
            "lines",
            "crediting 90.01 on line 1 of invoice INV-A1 is more than the line has left to credit (90.00 of 90.00 charged)",
        ),
        (
            json!({"kind": "credit_note", "reason": "x", "lines": [{"line_no": 9, "amount": "1.00"}]}),
            "lines",
            "invoice INV-A1 has no line 9",
        ),
        (
            json!({"kind": "credit_note", "reason": "x", "lines": [{"line_no": 1, "amount": "1.001"}]}),
            "lines",
            "line 1: 1.001 is not an amount to credit in USD (more than zero, at most 2 decimals)",
        ),
        (
            json!({"kind": "discount", "reason": "x"}),
            "kind",
            "`discount` is not a kind of resolution (expected one of credit_note, refund, account_credit, goodwill, payment_plan, write_off, reject, corrected_invoice)",
        ),
    ];
    for (body, field, message) in refusals {
        let (status, answer) = app.post(&path, &app.agent, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer["error"]["details"]["field"], field, "{answer}");
        assert_eq!(answer["error"]["message"], message, "{answer}");
    }
    let (_, listed) = app.get(&path, &app.auditor).await;
    assert_eq!(listed["resolutions"], json!([]));
    let (_, ledger) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    assert!(
        ledger["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "credit_note")
    );
    // A dispute the customer withdrew takes no resolution.
    let (status, _) = app
        .post(
            &format!("/api/v1/disputes/{id}/transitions"),
            &app.agent,
            json!({"to": "withdrawn"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = app
        .post(
            &path,
            &app.agent,
            json!({"kind": "reject", "reason": "The charge was right"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn every_kind_of_resolution_is_applied_through_the_api_and_moves_the_ledger_exactly() {
    let running = App::start().await;
    let app = &running;
    let approver = app
        .redress
        .people()
        .create_user_with_token("approver-ali", "approver-ali", Role::Approver, "test")
        .await
        .unwrap();
    let dec = |text: &str| -> redress_domain::Decimal { text.parse().unwrap() };
    let ledger = || async move {
        let (status, ledger) = app
            .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
            .await;
        assert_eq!(status, StatusCode::OK, "{ledger}");
        ledger
    };
    let owed = |ledger: &Value| dec(ledger["balances"]["USD"].as_str().unwrap());
    let open_dispute = |invoice: &'static str| async move {
        let (status, opened) = app
            .post(
                "/api/v1/disputes",
                &app.agent,
                dispute(invoice, None, "10.00"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{opened}");
        format!(
            "/api/v1/disputes/{}/resolutions",
            opened["id"].as_str().unwrap()
        )
    };
    let mut balance = owed(&ledger().await);
    // Each step: a proposal, applied at once, and what it does to what the customer owes.
    let steps = [
        (
            "INV-A1",
            json!({"kind": "credit_note", "lines": [{"line_no": 1, "amount": "10.00"}]}),
            "-10.89",
            "credit_note",
        ),
        (
            "INV-A1",
            json!({"kind": "refund", "payment_id": "P-01", "amount": "10.89"}),
            "10.89",
            "refund",
        ),
        (
            "INV-A1",
            json!({"kind": "account_credit", "amount": "5.00"}),
            "-5.00",
            "account_credit",
        ),
        (
            "INV-A5",
            json!({"kind": "goodwill", "amount": "20.00"}),
            "-20.00",
            "goodwill",
        ),
        // Hours billed 6 where 5 were worked: INV-A2 voided (1,407.75) and re-issued at
        // 1,217.50 net and 108.05 tax.
        (
            "INV-A2",
            json!({"kind": "corrected_invoice", "lines": [{"line_no": 2, "amount": "377.50"}]}),
            "-82.20",
            "invoice",
        ),
    ];
    for (invoice, mut body, change, posted) in steps {
        body["reason"] = json!("Settled with the customer");
        let path = open_dispute(invoice).await;
        let (status, resolution) = app.post(&path, &app.agent, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}: {resolution}");
        assert_eq!(resolution["status"], "applied", "{resolution}");
        let now = ledger().await;
        assert_eq!(owed(&now) - balance, dec(change), "{body}");
        balance = owed(&now);
        let last = now["entries"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["kind"], posted, "{last}");
        // Every entry balances.
        let side = |s: &str| -> redress_domain::Decimal {
            last["lines"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["side"] == s)
                .map(|l| dec(l["amount"].as_str().unwrap()))
                .sum()
        };
        assert_eq!(side("debit"), side("credit"), "{last}");
    }
    let (_, corrected) = app
        .get("/api/v1/issued-invoices/RI-2026-000001", &app.auditor)
        .await;
    assert_eq!(
        (
            &corrected["corrects_invoice_id"],
            &corrected["subtotal"],
            &corrected["tax_total"],
            &corrected["total"]
        ),
        (
            &json!("INV-A2"),
            &json!("1217.50"),
            &json!("108.05"),
            &json!("1325.55")
        ),
        "{corrected}"
    );

    // A payment plan spreads what INV-A5 has open (481.88 less the goodwill): no money
    // moves until an instalment is received.
    let path = open_dispute("INV-A5").await;
    // From the end of March next year (a plan is agreed from today on): April's instalment
    // falls on its last day, the 30th.
    let year = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .year()
        + 1;
    // A plan due in the past, or running for longer than ten years, is a mistake, not a plan.
    for (first_due_on, count, said) in [
        ("1900-01-31".to_owned(), 3, "before the plan is agreed"),
        (format!("{}-01-31", year + 10), 1, "within 10 years"),
    ] {
        let (status, refused) = app
            .post(
                &path,
                &app.agent,
                json!({"kind": "payment_plan", "reason": "Paid over three months",
                   "instalment_count": count, "first_due_on": first_due_on}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["details"]["field"], "instalments");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(said), "{message}");
    }
    let (status, plan_resolution) = app
        .post(
            &path,
            &app.agent,
            json!({"kind": "payment_plan", "reason": "Paid over three months",
               "instalment_count": 3, "first_due_on": format!("{year}-03-31")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan_resolution}");
    let plan_path = format!(
        "/api/v1/payment-plans/{}",
        plan_resolution["document_id"].as_str().unwrap()
    );
    let (_, plan) = app.get(&plan_path, &app.auditor).await;
    let amounts: Vec<&str> = plan["instalments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount"].as_str().unwrap())
        .collect();
    let dues: Vec<String> = plan["instalments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["due_on"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        (plan["total"].as_str(), amounts, dues),
        (
            Some("461.88"),
            vec!["153.96"; 3],
            vec![
                format!("{year}-03-31"),
                format!("{year}-04-30"),
                format!("{year}-05-31")
            ]
        )
    );
    assert_eq!(owed(&ledger().await), balance);
    let (status, received) = app
        .post(
            &format!("{plan_path}/instalments/1/received"),
            &app.agent,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{received}");
    assert_eq!(received["outstanding"], "307.92");
    let now = ledger().await;
    assert_eq!(owed(&now) - balance, dec("-153.96"));
    balance = owed(&now);
    assert_eq!(
        now["payment_plans"][0]["instalments"][0]["paid_by"],
        received["instalments"][0]["paid_by"]
    );
    let (status, twice) = app
        .post(
            &format!("{plan_path}/instalments/1/received"),
            &app.agent,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{twice}");

    // Every write-off waits for an approver, and moves the ledger once approved.
    let path = open_dispute("INV-A3").await;
    let (_, write_off) = app
        .post(
            &path,
            &app.agent,
            json!({"kind": "write_off", "reason": "Late fee waived", "amount": "35.00"}),
        )
        .await;
    assert_eq!(write_off["status"], "pending_approval", "{write_off}");
    assert_eq!(owed(&ledger().await), balance);
    let (status, approved) = app
        .post(
            &format!(
                "/api/v1/resolutions/{}/approve",
                write_off["id"].as_str().unwrap()
            ),
            &approver,
            json!({}),
        )
        .await;
    assert_eq!(
        (status, &approved["status"]),
        (StatusCode::OK, &json!("applied")),
        "{approved}"
    );
    let now = ledger().await;
    assert_eq!(owed(&now) - balance, dec("-35.00"));
    assert_eq!(
        now["entries"].as_array().unwrap().last().unwrap()["kind"],
        "write_off"
    );
    running.stop().await;
}

#[tokio::test]
async fn money_the_ledger_cannot_give_is_refused_with_the_reason_and_nothing_is_posted() {
    let app = App::start().await;
    let (_, opened) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute("INV-A1", None, "10.00"),
        )
        .await;
    let path = format!(
        "/api/v1/disputes/{}/resolutions",
        opened["id"].as_str().unwrap()
    );
    let (_, before) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    let refusals = [
        (
            json!({"kind": "refund", "payment_id": "P-01", "amount": "2075.47"}),
            "amount",
            "a refund of 2075.47 is more than payment P-01 has left to refund (2075.46 of 2075.46 paid)",
        ),
        (
            json!({"kind": "refund", "payment_id": "P-04", "amount": "1.00"}),
            "payment_id",
            "no payment `P-04` is in this customer's account",
        ),
        (
            json!({"kind": "refund", "amount": "1.00"}),
            "payment_id",
            "a refund names the payment it pays back",
        ),
        (
            json!({"kind": "goodwill", "amount": "0.01"}),
            "amount",
            "0.01 is more than invoice INV-A1 has open (0.00)",
        ),
        (
            json!({"kind": "account_credit", "amount": "-5"}),
            "amount",
            "-5 is not an amount of USD (more than zero, below 1000000000000, at most 2 decimals)",
        ),
        (
            json!({"kind": "payment_plan", "instalments": [{"due_on": "2027-01-31", "amount": "10.00"}], "amount": "25.00"}),
            "instalments",
            "the instalments add up to 10.00, not to the 25.00 owed",
        ),
        (
            json!({"kind": "payment_plan", "instalment_count": 2, "first_due_on": "2027-01-31"}),
            "amount",
            "invoice INV-A1 has nothing open to spread over a plan",
        ),
        (
            json!({"kind": "corrected_invoice", "lines": [{"line_no": 1, "amount": "90.00"}]}),
            "lines",
            "the corrected lines are what invoice INV-A1 already charges; nothing to correct",
        ),
        (
            json!({"kind": "corrected_invoice", "lines": [{"line_no": 7, "amount": "1.00"}]}),
            "lines",
            "invoice INV-A1 has no line 7",
        ),
    ];
    for (mut body, field, message) in refusals {
        body["reason"] = json!("Settled with the customer");
        let (status, answer) = app.post(&path, &app.agent, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{answer}");
        assert_eq!(answer["error"]["message"], message, "{answer}");
    }
    let (_, after) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    assert_eq!(before, after);
    let (_, listed) = app.get(&path, &app.auditor).await;
    assert_eq!(listed["resolutions"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn a_customer_billed_half_price_for_six_months_is_found_offered_the_options_and_settled_by_their_choice()
 {
    let app = App::start().await;
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    app.redress
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    let approver = app
        .redress
        .people()
        .create_user_with_token("approver-ali", "approver-ali", Role::Approver, "test")
        .await
        .unwrap();
    let (status, _) = app
        .post("/api/v1/arrears-cases/audit", &app.auditor, json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, found) = app
        .post("/api/v1/arrears-cases/audit", &app.agent, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let case = found["opened"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer_id"] == "C-HALV")
        .expect("a case for the customer billed at half price")
        .clone();
    assert_eq!(
        (
            &case["status"],
            &case["net"],
            &case["tax"],
            &case["total"],
            &case["currency"]
        ),
        (
            &json!("open"),
            &json!("720.00"),
            &json!("144.00"),
            &json!("864.00"),
            &json!("EUR")
        )
    );
    let items = case["items"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(
        items[0]["explanation"],
        "INV-H1 line 1: billed at 120.00 a unit, the contract's price is 240.00"
    );
    let options: Vec<&str> = case["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["option"].as_str().unwrap())
        .collect();
    assert_eq!(
        options,
        [
            "next_invoice",
            "separate_invoice",
            "payment_plan",
            "compromise",
            "waive"
        ]
    );
    // The customer billed right has no case; an audit run again opens nothing twice.
    assert!(
        found["opened"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["customer_id"] != "C-ORTA")
    );
    let (_, again) = app
        .post("/api/v1/arrears-cases/audit", &app.agent, json!({}))
        .await;
    assert_eq!(again["opened"], json!([]));
    assert_eq!(
        again["already_open"],
        found["opened"].as_array().unwrap().len()
    );

    let at = |what: &str| {
        format!(
            "/api/v1/arrears-cases/{}/{what}",
            case["id"].as_str().unwrap()
        )
    };
    let plan =
        json!({"option": "payment_plan", "instalment_count": 6, "first_due_on": "2027-01-31"});
    // Nothing is billed before the customer is contacted.
    let (status, early) = app.post(&at("choice"), &app.agent, plan.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{early}");
    let (status, _) = app
        .post(&at("offer"), &app.agent, json!({"note": " "}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, offered) = app
        .post(
            &at("offer"),
            &app.agent,
            json!({"note": "Called the owner; options sent by email"}),
        )
        .await;
    assert_eq!(
        (status, &offered["status"]),
        (StatusCode::OK, &json!("offered"))
    );
    let (status, bad) = app
        .post(&at("choice"), &app.agent, json!({"option": "later"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["error"]["details"]["field"], "option");

    // The customer chose six monthly instalments: the arrears are billed and spread.
    let (_, before) = app
        .get("/api/v1/customers/C-HALV/ledger", &app.auditor)
        .await;
    assert_eq!(before["balances"]["EUR"], "0.00");
    let (status, settled) = app.post(&at("choice"), &app.agent, plan).await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    assert_eq!(
        (&settled["status"], &settled["choice"]),
        (&json!("settled"), &json!("payment_plan"))
    );
    let invoice = settled["document_id"].as_str().unwrap();
    let (_, issued) = app
        .get(&format!("/api/v1/issued-invoices/{invoice}"), &app.auditor)
        .await;
    assert_eq!(
        (
            &issued["kind"],
            &issued["subtotal"],
            &issued["tax_total"],
            &issued["total"]
        ),
        (
            &json!("arrears"),
            &json!("720.00"),
            &json!("144.00"),
            &json!("864.00")
        )
    );
    let (_, after) = app
        .get("/api/v1/customers/C-HALV/ledger", &app.auditor)
        .await;
    assert_eq!(after["balances"]["EUR"], "864.00");
    let plan = &after["payment_plans"][0];
    assert_eq!(plan["invoice_id"], invoice);
    assert_eq!(plan["arrears_case_id"], case["id"]);
    let amounts: Vec<&str> = plan["instalments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, vec!["144.00"; 6]);
    let (status, _) = app
        .post(
            &at("choice"),
            &app.agent,
            json!({"option": "separate_invoice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Another customer asks for the arrears to be waived: that waits for an approver who
    // did not record the choice, and bills nothing.
    let acme = found["opened"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer_id"] == "C-ACME")
        .unwrap()
        .clone();
    let at = |what: &str| {
        format!(
            "/api/v1/arrears-cases/{}/{what}",
            acme["id"].as_str().unwrap()
        )
    };
    let (_, ledger_before) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    app.post(
        &at("offer"),
        &app.agent,
        json!({"note": "Emailed accounts payable"}),
    )
    .await;
    let (_, waiting) = app
        .post(&at("choice"), &app.agent, json!({"option": "waive"}))
        .await;
    assert_eq!(waiting["status"], "awaiting_approval", "{waiting}");
    let (status, _) = app.post(&at("approve"), &app.agent, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, waived) = app.post(&at("approve"), &approver, json!({})).await;
    assert_eq!(
        (status, &waived["status"], &waived["decided_by"]),
        (StatusCode::OK, &json!("settled"), &json!("approver-ali"))
    );
    let (_, ledger_after) = app
        .get("/api/v1/customers/C-ACME/ledger", &app.auditor)
        .await;
    assert_eq!(ledger_before["balances"], ledger_after["balances"]);
    // Every step is in the audit log, and the chain holds.
    let steps = app
        .redress
        .operations()
        .events_of("arrears_case", case["id"].as_str().unwrap())
        .await
        .unwrap();
    let actions: Vec<&str> = steps.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(actions, ["found", "offered", "chosen"]);
    assert!(app.redress.operations().verify_log().await.is_ok());
    app.stop().await;
}

#[tokio::test]
async fn a_compromise_names_the_field_it_cannot_take_waits_for_a_second_person_and_bills_exactly_the_rest()
 {
    let app = App::start().await;
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    app.redress
        .billing()
        .import(read_billing_data(&dir, &NoProgress).unwrap(), "test")
        .await
        .unwrap();
    let approver = app
        .redress
        .people()
        .create_user_with_token("approver-ali", "approver-ali", Role::Approver, "test")
        .await
        .unwrap();
    let (_, found) = app
        .post("/api/v1/arrears-cases/audit", &app.agent, json!({}))
        .await;
    let case = found["opened"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer_id"] == "C-HALV")
        .unwrap()
        .clone();
    let compromise = case["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["option"] == "compromise")
        .unwrap();
    assert_eq!(compromise["needs_approval"], true);
    let at = |what: &str| {
        format!(
            "/api/v1/arrears-cases/{}/{what}",
            case["id"].as_str().unwrap()
        )
    };
    app.post(
        &at("offer"),
        &app.agent,
        json!({"note": "Called the owner"}),
    )
    .await;
    for (body, field, message) in [
        (
            json!({"option": "compromise", "billing": "next_invoice"}),
            "waived",
            "a compromise needs waived: the net amount waived",
        ),
        (
            json!({"option": "compromise", "waived": "half", "billing": "next_invoice"}),
            "waived",
            "",
        ),
        (
            json!({"option": "compromise", "waived": "100.00"}),
            "billing",
            "a compromise needs billing: next_invoice or separate_invoice",
        ),
        (
            json!({"option": "compromise", "waived": "100.00", "billing": "payment_plan"}),
            "billing",
            "`payment_plan` is not a way to bill the rest (expected next_invoice or separate_invoice)",
        ),
        (
            json!({"option": "compromise", "waived": "720.00", "billing": "next_invoice"}),
            "waived",
            "the amount waived must be below the arrears' net total of 720.00 EUR, and 720.00 is not (to forgo it all, waive it)",
        ),
        (
            json!({"option": "compromise", "waived": "-1.00", "billing": "next_invoice"}),
            "waived",
            "the amount waived must be above zero, and -1.00 is not",
        ),
        (
            json!({"option": "compromise", "waived": "0.001", "billing": "next_invoice"}),
            "waived",
            "the amount waived must be a whole number of EUR's minor units (2 decimals), and 0.001 is not",
        ),
    ] {
        let (status, answer) = app.post(&at("choice"), &app.agent, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{answer}");
        if !message.is_empty() {
            assert_eq!(answer["error"]["message"], message, "{answer}");
        }
    }
    let (status, waiting) = app
        .post(
            &at("choice"),
            &app.agent,
            json!({"option": "compromise", "waived": "100.00", "billing": "next_invoice"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{waiting}");
    assert_eq!(
        (
            &waiting["status"],
            &waiting["choice"],
            &waiting["compromise"]
        ),
        (
            &json!("awaiting_approval"),
            &json!("compromise"),
            &json!({"waived": "100.00", "billed_net": "620.00", "billing": "next_invoice"})
        )
    );
    assert!(waiting.get("document_id").is_none(), "{waiting}");
    let (status, _) = app.post(&at("approve"), &app.agent, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, settled) = app.post(&at("approve"), &approver, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    assert_eq!(
        (
            &settled["status"],
            &settled["decided_by"],
            &settled["compromise"]["waived"]
        ),
        (&json!("settled"), &json!("approver-ali"), &json!("100.00"))
    );
    let invoice = settled["document_id"].as_str().unwrap();
    let (_, issued) = app
        .get(&format!("/api/v1/issued-invoices/{invoice}"), &app.auditor)
        .await;
    // 100.00 over six months of 120.00: 16.66 twice and 16.67 four times taken off.
    let lines: Vec<&str> = issued["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["103.34", "103.34", "103.33", "103.33", "103.33", "103.33"]
    );
    assert_eq!(
        (&issued["subtotal"], &issued["tax_total"], &issued["total"]),
        (&json!("620.00"), &json!("124.00"), &json!("744.00"))
    );
    let (_, ledger) = app
        .get("/api/v1/customers/C-HALV/ledger", &app.auditor)
        .await;
    assert_eq!(ledger["balances"]["EUR"], "744.00");
    // Settled, nothing more is decided.
    let (status, _) = app.post(&at("reject"), &approver, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.stop().await;
}

#[tokio::test]
async fn findings_of_one_cause_at_several_customers_are_one_systemic_issue() {
    let app = App::start().await;
    app.post("/api/v1/arrears-cases/audit", &app.agent, json!({}))
        .await;
    let (status, issues) = app.get("/api/v1/systemic-issues", &app.auditor).await;
    assert_eq!(status, StatusCode::OK);
    let issue = &issues["issues"][0];
    assert_eq!(issue["key"], "late_fee_unwarranted");
    assert_eq!(issue["finding_count"], 2);
    let customers: Vec<&str> = issue["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer_id"].as_str().unwrap())
        .collect();
    assert_eq!(customers, ["C-ACME", "C-SORA"]);
    assert_eq!(issue["impact"], json!({"JPY": "314", "USD": "20.00"}));
    app.stop().await;
}

#[tokio::test]
async fn every_dispute_gets_a_recommendation_that_says_why() {
    let app = App::start().await;
    // The export's own disputes, verified as on import.
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/audit-v1/data");
    let data = std::sync::Arc::new(read_billing_data(&dir, &NoProgress).unwrap());
    app.redress
        .billing()
        .import_export(data, "test")
        .await
        .unwrap();
    let recommend = |id: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .get(
                    &format!("/api/v1/disputes/{id}/recommendation"),
                    &app.auditor,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let upheld = recommend("DSP-1").await;
    assert_eq!(
        (
            &upheld["kind"],
            &upheld["amount"],
            &upheld["refund_up_to"],
            &upheld["flags"]
        ),
        (
            &json!("credit_note"),
            &json!("100.00"),
            &json!("290.00"),
            &json!([])
        )
    );
    assert_eq!(
        upheld["reasons"][0],
        "The records support the claim: 100.00 USD was charged too much on line 2."
    );
    assert_eq!(
        (
            &upheld["facts"]["disputes_last_year"],
            &upheld["facts"]["rejected_last_year"]
        ),
        (&json!(2), &json!(1))
    );
    let partly = recommend("DSP-3").await;
    assert_eq!(
        (&partly["kind"], &partly["amount"]),
        (&json!("credit_note"), &json!("13.89"))
    );
    assert!(
        partly["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("The records support 13.89 USD of the 50.00 USD claimed")
    );
    let rejected = recommend("DSP-4").await;
    assert_eq!(rejected["kind"], "reject");
    assert_eq!(
        rejected["reasons"][0],
        "The records show the charges were right: the verification found no error."
    );
    let (status, _) = app
        .get("/api/v1/disputes/DSP-X/recommendation", &app.auditor)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}
