//! The API's edge: how long a client may take to send a request, who may read the metrics and
//! with which labels, the text no field takes (a NUL, or more than its limit), and that every
//! refusal, axum's own included, answers in the documented JSON shape.

mod app;

use app::App;
use redress_domain::Role;
use redress_server::ServeOptions;
use redress_server::input::{MAX_ID_CHARS, MAX_SHORT_CHARS, MAX_TEXT_CHARS};
use redress_service::Redress;
use redress_test_database::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server started with `options` (no billing data), an admin's token, and the address of
/// its metrics listener when it has one.
struct Edge {
    addr: String,
    metrics: Option<String>,
    admin: String,
    db: TestDatabase,
    redress: Redress,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Edge {
    async fn start(header_read_timeout: Duration, body_read_timeout: Duration) -> Self {
        Self::start_with(header_read_timeout, body_read_timeout, false).await
    }

    async fn start_with(
        header_read_timeout: Duration,
        body_read_timeout: Duration,
        metrics: bool,
    ) -> Self {
        let db = TestDatabase::new();
        let redress = app::open(&db).await;
        let admin = redress
            .people()
            .create_user_with_token("admin-ada", "admin-ada", Role::Admin, "test")
            .await
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let metrics_listener = if metrics {
            Some(TcpListener::bind("127.0.0.1:0").await.unwrap())
        } else {
            None
        };
        let metrics = metrics_listener
            .as_ref()
            .map(|l| l.local_addr().unwrap().to_string());
        let options = ServeOptions {
            header_read_timeout,
            body_read_timeout,
            metrics_listener,
            pages: None,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = redress.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            redress_server::serve_with(listener, served, shutdown, options)
                .await
                .unwrap();
        });
        Self {
            addr,
            metrics,
            admin,
            db,
            redress,
            stop,
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.redress.operations().close().await;
        drop(self.db);
    }
}

/// Reads from `stream` until the server closes it (or 5 s pass): what it answered.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => panic!(
                "still connected after 5 s; answered so far: {:?}",
                String::from_utf8_lossy(&answer)
            ),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// The JSON body of a raw HTTP/1.1 answer.
fn json_of(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer:?}"))
}

/// The answer's `error` object, checked to have the documented shape.
async fn error_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    let error = body["error"].clone();
    assert!(error["code"].is_string(), "{body}");
    assert!(error["message"].is_string(), "{body}");
    assert!(error.get("details").is_some(), "{body}");
    (status, error)
}

#[tokio::test]
async fn a_client_that_sends_half_a_request_header_is_disconnected_after_the_header_read_timeout() {
    let edge = Edge::start(Duration::from_millis(500), Duration::from_secs(30)).await;
    let mut stream = TcpStream::connect(&edge.addr).await.unwrap();
    let sent = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: redress\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    let waited = sent.elapsed();
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(3),
        "disconnected after {waited:?}"
    );
    assert!(!answer.contains("200 OK"), "{answer:?}");
    // A whole request on a new connection is still answered.
    let mut stream = TcpStream::connect(&edge.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: redress\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(read_to_close(&mut stream).await.starts_with("HTTP/1.1 200"));
    edge.stop().await;
}

#[tokio::test]
async fn a_request_body_that_stalls_is_answered_408_after_the_body_read_timeout() {
    let edge = Edge::start(Duration::from_secs(10), Duration::from_millis(500)).await;
    let mut stream = TcpStream::connect(&edge.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/disputes HTTP/1.1\r\nHost: redress\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"invoice_",
        edge.admin
    );
    let sent = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_to_close(&mut stream).await;
    let waited = sent.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(3),
        "answered after {waited:?}"
    );
    let error = &json_of(&answer)["error"];
    assert_eq!(error["code"], "request_timeout");
    assert_eq!(error["details"]["field"], "body");
    edge.stop().await;
}

#[tokio::test]
async fn metrics_on_the_api_address_need_an_admin_or_auditor_token() {
    let app = App::start().await;
    let url = format!("{}/metrics", app.base);
    let (status, error) = error_of(app.client.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["code"], "unauthorized");
    let agent = app.client.get(&url).bearer_auth(&app.agent);
    let (status, error) = error_of(agent.send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error["code"], "forbidden");
    for token in [
        app.auditor.clone(),
        app.user("admin-ada", Role::Admin).await,
    ] {
        let scraped = app
            .client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(scraped.status(), StatusCode::OK);
        assert!(scraped.text().await.unwrap().contains("redress_disputes{"));
    }
    app.stop().await;
}

#[tokio::test]
async fn the_metrics_address_serves_the_metrics_without_a_token_and_nothing_else() {
    let edge = Edge::start_with(Duration::from_secs(10), Duration::from_secs(30), true).await;
    let metrics = edge.metrics.clone().unwrap();
    let client = reqwest::Client::new();
    let scraped = client
        .get(format!("http://{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    assert!(scraped.text().await.unwrap().contains("redress_disputes{"));
    let api = client
        .get(format!("http://{metrics}/api/v1/disputes"))
        .bearer_auth(&edge.admin)
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(api).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["code"], "not_found");
    // The API's address still wants a token for them.
    let anonymous = client
        .get(format!("http://{}/metrics", edge.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    edge.stop().await;
}

#[tokio::test]
async fn an_invented_method_adds_no_series_of_its_own() {
    let app = App::start().await;
    let invented = Method::from_bytes(b"FROBNICATE").unwrap();
    for path in ["/healthz", "/no-such-route"] {
        let response = app
            .client
            .request(invented.clone(), format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error());
    }
    let scraped = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(&app.auditor)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!scraped.contains("FROBNICATE"), "{scraped}");
    assert!(
        scraped.contains(
            "redress_http_requests_total{method=\"other\",route=\"/healthz\",status=\"405\"}"
        ),
        "{scraped}"
    );
    assert!(
        scraped.contains(
            "redress_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"}"
        ),
        "{scraped}"
    );
    for line in scraped
        .lines()
        .filter(|l| l.starts_with("redress_http_requests_total{"))
    {
        let method = line.split("method=\"").nth(1).unwrap().split('"').next();
        assert!(
            matches!(
                method,
                Some("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "other")
            ),
            "{line}"
        );
    }
    app.stop().await;
}

fn dispute(narrative: &str) -> Value {
    json!({"invoice_id": "INV-A1", "reason": "overcharged", "claimed_amount": "1.00",
           "narrative": narrative, "channel": "email"})
}

/// A 422 `invalid_request` naming `field`, and its message.
async fn refused(response: reqwest::Response, field: &str) -> String {
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["code"], "invalid_request", "{error}");
    assert_eq!(error["details"]["field"], field, "{error}");
    error["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_nul_in_a_body_field_a_path_or_a_query_is_refused_naming_the_field() {
    let app = App::start().await;
    let post = |path: String, body: Value| {
        app.client
            .post(format!("{}{path}", app.base))
            .bearer_auth(&app.agent)
            .json(&body)
            .send()
    };
    let get = |path: &str| {
        app.client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&app.agent)
            .send()
    };
    let nul = "twice\u{0} charged";
    let message = refused(
        post("/api/v1/disputes".into(), dispute(nul)).await.unwrap(),
        "narrative",
    )
    .await;
    assert!(message.contains("NUL"), "{message}");
    let (status, created) = app
        .post("/api/v1/disputes", &app.agent, dispute("twice charged"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let note = json!({"body": nul});
    refused(
        post(format!("/api/v1/disputes/{id}/notes"), note)
            .await
            .unwrap(),
        "body",
    )
    .await;
    let credit = json!({"kind": "credit_note", "reason": "Billed above the contract price",
                        "lines": [{"line_no": 1, "amount": "1\u{0}"}]});
    refused(
        post(format!("/api/v1/disputes/{id}/resolutions"), credit)
            .await
            .unwrap(),
        "lines",
    )
    .await;
    refused(get("/api/v1/disputes/DSP-%001").await.unwrap(), "id").await;
    refused(get("/api/v1/customers/C%00").await.unwrap(), "id").await;
    refused(
        get("/api/v1/disputes?customer=%00").await.unwrap(),
        "customer",
    )
    .await;
    refused(
        get("/api/v1/disputes?assignee=a%00").await.unwrap(),
        "assignee",
    )
    .await;
    // Nothing of it was kept: the dispute has no notes and no resolutions.
    let (_, notes) = app
        .get(&format!("/api/v1/disputes/{id}/notes"), &app.agent)
        .await;
    assert_eq!(notes["notes"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn text_longer_than_its_field_takes_is_refused_and_text_up_to_its_limit_is_taken() {
    let app = App::start().await;
    let repeat = |c: char, n: usize| std::iter::repeat_n(c, n).collect::<String>();
    // The limit counts characters: 10,000 of two bytes each are taken.
    let (status, created) = app
        .post(
            "/api/v1/disputes",
            &app.agent,
            dispute(&repeat('é', MAX_TEXT_CHARS)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let post = |body: Value| {
        app.client
            .post(format!("{}/api/v1/disputes", app.base))
            .bearer_auth(&app.agent)
            .json(&body)
            .send()
    };
    let long = dispute(&repeat('a', MAX_TEXT_CHARS + 1));
    let message = refused(post(long).await.unwrap(), "narrative").await;
    assert!(message.contains("10000 characters"), "{message}");
    let mut channel = dispute("twice charged");
    channel["channel"] = json!(repeat('e', MAX_SHORT_CHARS + 1));
    let message = refused(post(channel).await.unwrap(), "channel").await;
    assert!(message.contains("255 characters"), "{message}");
    let mut invoice = dispute("twice charged");
    invoice["invoice_id"] = json!(repeat('I', MAX_ID_CHARS + 1));
    refused(post(invoice).await.unwrap(), "invoice_id").await;
    let long_id = repeat('D', MAX_ID_CHARS + 1);
    let response = app
        .client
        .get(format!("{}/api/v1/disputes/{long_id}", app.base))
        .bearer_auth(&app.agent)
        .send()
        .await
        .unwrap();
    let message = refused(response, "id").await;
    assert!(message.contains("128 characters"), "{message}");
    // An id of the most bytes taken is looked up (and not found).
    let (status, _) = app
        .get(
            &format!("/api/v1/disputes/{}", repeat('D', MAX_ID_CHARS)),
            &app.agent,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn axums_own_refusals_answer_in_the_json_error_shape_naming_the_field() {
    let app = App::start().await;
    let url = |path: &str| format!("{}{path}", app.base);

    let malformed = app
        .client
        .post(url("/api/v1/disputes"))
        .bearer_auth(&app.agent)
        .header("content-type", "application/json")
        .body("{\"invoice_id\": ")
        .send()
        .await
        .unwrap();
    refused(malformed, "body").await;

    let wrong_type = app
        .client
        .post(url("/api/v1/payment-plans/PLN-1/instalments/abc/received"))
        .bearer_auth(&app.agent)
        .send()
        .await
        .unwrap();
    let message = refused(wrong_type, "number").await;
    assert!(message.contains("abc"), "{message}");

    let query = app
        .client
        .get(url("/api/v1/arrears-cases?status=open&status=settled"))
        .bearer_auth(&app.agent)
        .send()
        .await
        .unwrap();
    refused(query, "status").await;

    for (method, path, allowed) in [
        (Method::DELETE, "/healthz", json!(["GET", "HEAD"])),
        (
            Method::PUT,
            "/api/v1/disputes",
            json!(["GET", "HEAD", "POST"]),
        ),
    ] {
        let response = app
            .client
            .request(method, url(path))
            .bearer_auth(&app.agent)
            .send()
            .await
            .unwrap();
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        let (status, error) = error_of(response).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(error["code"], "method_not_allowed");
        assert_eq!(error["details"]["allowed"], allowed);
        let listed: Vec<&str> = allowed
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        assert_eq!(allow.replace(' ', ""), listed.join(","));
    }

    let (status, error) =
        error_of(app.client.get(url("/api/v2/nothing")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["code"], "not_found");

    // A body over the limit is refused by axum before the handler sees it: one byte more than
    // the handler's own check reads. Sent raw, read while it is sent.
    let addr = app.base.trim_start_matches("http://").to_owned();
    let size = redress_server::attachments::MAX_ATTACHMENT_BYTES + 2;
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/disputes/DSP-1/attachments HTTP/1.1\r\nHost: redress\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/pdf\r\nX-File-Name: big.pdf\r\n\
         Content-Length: {size}\r\nConnection: close\r\n\r\n",
        app.agent
    );
    let (mut reader, mut writer) = stream.split();
    let send = async {
        writer.write_all(head.as_bytes()).await?;
        writer.write_all(&vec![b'%'; size]).await
    };
    let mut answer = Vec::new();
    let (_, read) = tokio::join!(send, reader.read_to_end(&mut answer));
    assert!(read.is_ok() || !answer.is_empty(), "{read:?}");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    let error = &json_of(&answer)["error"];
    assert_eq!(error["code"], "too_large");
    assert_eq!(error["details"]["field"], "body");
    app.stop().await;
}

#[tokio::test]
async fn every_api_response_forbids_sniffing_caching_and_framing_and_a_401_says_how_to_sign_in() {
    let app = App::start().await;
    let answered = [
        // A handler's answer, an error of a handler's, axum's own refusal, the fallback, and
        // no token at all.
        app.client
            .get(format!("{}/api/v1/disputes", app.base))
            .bearer_auth(&app.agent)
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/api/v1/disputes/DSP-NONE", app.base))
            .bearer_auth(&app.agent)
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/api/v1/disputes?limit=many", app.base))
            .bearer_auth(&app.agent)
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/api/v1/nowhere", app.base))
            .bearer_auth(&app.agent)
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/api/v1/disputes", app.base))
            .send()
            .await
            .unwrap(),
    ];
    for response in &answered {
        let headers = response.headers();
        let said = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let what = format!("{} {}", response.url(), response.status());
        assert_eq!(said("x-content-type-options"), Some("nosniff"), "{what}");
        assert_eq!(said("cache-control"), Some("no-store"), "{what}");
        assert_eq!(said("referrer-policy"), Some("no-referrer"), "{what}");
        let policy = said("content-security-policy").unwrap_or_default();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{what}: {policy}"
        );
        assert!(policy.contains("default-src 'none'"), "{what}: {policy}");
    }
    let unauthorized = &answered[4];
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unauthorized.headers()["www-authenticate"],
        "Bearer realm=\"redress\""
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_not_labelled_json_is_refused_with_415_and_nothing_is_taken() {
    let app = App::start().await;
    let body = dispute("charged twice").to_string();
    for label in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = app
            .client
            .post(format!("{}/api/v1/disputes", app.base))
            .bearer_auth(&app.agent)
            .body(body.clone());
        if let Some(label) = label {
            request = request.header("Content-Type", label);
        }
        let (status, error) = error_of(request.send().await.unwrap()).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{label:?}: {error}"
        );
        assert_eq!(error["code"], "unsupported_type", "{error}");
        assert_eq!(error["details"]["field"], "Content-Type", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("Content-Type: application/json"),
            "{message}"
        );
    }
    // A route whose body is all optional, sent a body labelled as text, is refused too.
    let (status, _) = error_of(
        app.client
            .post(format!("{}/api/v1/arrears-cases/audit", app.base))
            .bearer_auth(&app.agent)
            .header("Content-Type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Nothing was taken; the same body labelled JSON (with a charset) is.
    let (_, list) = app.get("/api/v1/disputes", &app.agent).await;
    assert_eq!(list["disputes"], serde_json::json!([]), "{list}");
    let taken = app
        .client
        .post(format!("{}/api/v1/disputes", app.base))
        .bearer_auth(&app.agent)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn a_misspelt_field_is_refused_naming_it_and_a_null_body_where_one_is_optional_is_none() {
    let app = App::start().await;
    let mut body = dispute("charged twice");
    let amount = body["claimed_amount"].take();
    body.as_object_mut().unwrap().remove("claimed_amount");
    body["claimed_amout"] = amount;
    let (status, error) = error_of(
        app.client
            .post(format!("{}/api/v1/disputes", app.base))
            .bearer_auth(&app.agent)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("unknown field `claimed_amout`"),
        "{message}"
    );
    let (_, list) = app.get("/api/v1/disputes", &app.agent).await;
    assert_eq!(
        list["disputes"],
        serde_json::json!([]),
        "nothing was taken: {list}"
    );

    // `null` where the body is optional is taken as no body: the audit runs.
    let audited = app
        .client
        .post(format!("{}/api/v1/arrears-cases/audit", app.base))
        .bearer_auth(&app.agent)
        .header("Content-Type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(audited.status(), StatusCode::OK);
    app.stop().await;
}
