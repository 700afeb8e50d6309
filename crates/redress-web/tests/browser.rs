//! The desk in a real browser: Debian's Chromium, headless, driven through Debian's ChromeDriver
//! (nothing here downloads a browser), against the real server on a fresh database. Each test
//! asserts what a person sees, and runs axe-core (vendored from npm, `tests/vendor`) on every
//! page it reaches: no serious or critical violation of WCAG 2.2 AA is allowed.
//!
//! `REDRESS_SCREENSHOTS=DIR` also saves a screenshot of each page into DIR (the README's and
//! docs/'s pictures are made so).

mod desk;

use desk::{Desk, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// axe-core, run in the page under test.
const AXE: &str = include_str!("vendor/axe.min.js");

/// A headless Chromium and the ChromeDriver that drives it; both stop when it is dropped.
struct Browser {
    client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A program of Debian's `chromium` and `chromium-driver`, by the name it has there.
fn program(name: &str) -> String {
    for dir in ["/usr/bin", "/usr/local/bin"] {
        let path = format!("{dir}/{name}");
        if std::path::Path::new(&path).exists() {
            return path;
        }
    }
    panic!(
        "the browser tests need `{name}`: apt-get install chromium chromium-driver \
         (scripts/test.sh installs them when it may)"
    );
}

impl Browser {
    /// A browser window of `width` × `height` CSS pixels.
    async fn start(width: u32, height: u32) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(program("chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut capabilities = serde_json::Map::new();
        let mut options = json!({
            "binary": program("chromium"),
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", format!("--window-size={width},{height}")],
        });
        // Headless Chromium keeps a window at least 500 px wide: a phone's width is emulated,
        // so that the page is laid out at exactly `width` CSS pixels.
        if width < 500 {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0 }
            });
        }
        capabilities.insert("goog:chromeOptions".to_owned(), options);
        let url = format!("http://127.0.0.1:{port}");
        let mut tries = 0;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let _ = e;
                }
                Err(e) => panic!("chromedriver at {url} does not answer: {e}"),
            }
        };
        Self { client, driver }
    }

    /// Wide tables scroll within their own region; the page itself never does.
    async fn assert_no_sideways_scrolling(&self, name: &str) {
        let overflow = self
            .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
            .await;
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{name}: the page scrolls sideways by {overflow} px"
        );
    }

    /// Opens `path` of `desk`.
    async fn open(&self, desk: &Desk, path: &str) {
        self.client
            .goto(&format!("{}{path}", desk.base))
            .await
            .expect("the page opens");
    }

    /// The text of the first element `css` finds.
    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// What a script gives.
    async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap()
    }

    /// Types `text` into the field labelled by id `id`.
    async fn fill(&self, id: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Clicks the button that reads `label`, a form's submit, and waits for the page it leads to.
    async fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        let button = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button `{label}`: {e}"));
        self.click_to_next_page(button, label).await;
    }

    /// Follows the link that reads `text` and waits for the page it leads to.
    async fn follow(&self, text: &str) {
        let link = self
            .client
            .find(Locator::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("no link `{text}`: {e}"));
        self.click_to_next_page(link, text).await;
    }

    /// Clicks `element` and waits until the next document has loaded: a click returns as soon as
    /// it is dispatched, and a test that read the page at once would read the old one (or race
    /// the server's write).
    async fn click_to_next_page(&self, element: fantoccini::elements::Element, what: &str) {
        self.eval("window.__redressLeaving = true; return null;")
            .await;
        element.click().await.unwrap();
        for _ in 0..200 {
            let arrived = self
                .client
                .execute(
                    "return !window.__redressLeaving && document.readyState === 'complete';",
                    Vec::new(),
                )
                .await;
            // While the next page loads the driver may refuse a script; that is not arrival.
            if matches!(arrived, Ok(Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("`{what}` led to no new page within 10 s");
    }

    /// Signs in as `email`.
    async fn sign_in(&self, desk: &Desk, email: &str, password: &str) {
        self.open(desk, "/sign-in").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.press("Sign in").await;
    }

    /// What every page must be, checked on the page open now (`name` says which in failures):
    /// one `h1`, the landmarks, a skip link first, a title, and no serious or critical
    /// accessibility violation by axe-core.
    async fn check_page(&self, name: &str) {
        let shape = self
            .eval(
                "return {
                   h1: document.querySelectorAll('h1').length,
                   main: document.querySelectorAll('main').length,
                   header: document.querySelectorAll('header').length,
                   nav: Array.from(document.querySelectorAll('nav')).every(n => n.getAttribute('aria-label')),
                   footer: document.querySelectorAll('footer').length,
                   lang: document.documentElement.lang,
                   title: document.title,
                   first: (document.querySelector('a[href], button, input, select, textarea') || {}).className || ''
                 };",
            )
            .await;
        assert_eq!(shape["h1"], 1, "{name}: one h1 ({shape})");
        assert_eq!(shape["main"], 1, "{name}: one main ({shape})");
        assert_eq!(shape["header"], 1, "{name}: a header ({shape})");
        assert_eq!(shape["footer"], 1, "{name}: a footer ({shape})");
        assert_eq!(shape["nav"], true, "{name}: navs are labelled ({shape})");
        assert_eq!(shape["lang"], "en", "{name}: ({shape})");
        assert!(
            shape["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{name}: a title"
        );
        assert!(
            shape["first"].as_str().unwrap_or("").contains("skip-link"),
            "{name}: the skip link comes first ({shape})"
        );
        self.eval(AXE).await;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                   .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact,
                       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3) }))))
                   .catch(e => done([{ id: 'axe failed: ' + e, impact: 'critical', nodes: [] }]));",
                Vec::new(),
            )
            .await
            .unwrap();
        let serious: Vec<&Value> = found
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "{name}: accessibility violations: {serious:?}"
        );
        if let Ok(dir) = std::env::var("REDRESS_SCREENSHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(format!("{dir}/desk-{name}.png"), png).unwrap();
        }
    }

    async fn stop(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
    }
}

#[tokio::test]
async fn a_wrong_password_is_told_in_a_focused_summary_that_does_not_say_which_field() {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.open(&desk, "/sign-in").await;
    browser.check_page("sign-in").await;
    browser
        .sign_in(&desk, "ana@example.com", "not the password")
        .await;
    let title = browser.eval("return document.title;").await;
    assert!(
        title.as_str().unwrap().starts_with("Error: "),
        "the title says there is an error: {title}"
    );
    assert_eq!(
        browser.text(".error-summary h2").await,
        "There is a problem"
    );
    let focused = browser
        .eval("return document.activeElement.classList.contains('error-summary');")
        .await;
    assert_eq!(focused, true, "focus moves to the summary");
    let summary = browser.text(".error-summary").await.to_lowercase();
    assert!(
        !summary.contains("password is wrong") && !summary.contains("no user"),
        "the summary does not say which field was wrong: {summary}"
    );
    assert_eq!(
        browser
            .eval("return document.getElementById('email').value;")
            .await,
        "ana@example.com",
        "the email is kept"
    );
    browser.check_page("sign-in-error").await;
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn an_agent_signs_in_finds_a_dispute_in_the_queue_and_opens_its_case() {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.sign_in(&desk, "ana@example.com", PASSWORD).await;
    let url = browser.client.current_url().await.unwrap();
    assert!(
        url.path().ends_with("/queue"),
        "signed in to the queue: {url}"
    );
    assert_eq!(browser.text("h1").await, "Disputes");
    browser.check_page("queue").await;
    // The worked example's disputes are listed, each a link to its case.
    let rows = browser
        .eval("return document.querySelectorAll('a[href^=\"/disputes/DSP-\"]').length;")
        .await;
    assert!(
        rows.as_u64().unwrap() >= 5,
        "the disputes are listed: {rows}"
    );
    // Filtering by status keeps the filter in the address, and the page says it.
    browser.open(&desk, "/queue?status=closed").await;
    let empty = browser.text("main").await;
    assert!(
        empty.contains("No disputes match"),
        "an empty list says so: {empty}"
    );
    browser.open(&desk, "/disputes/DSP-3").await;
    let heading = browser.text("h1").await;
    assert!(
        heading.contains("INV-A3"),
        "the case names its invoice: {heading}"
    );
    browser.check_page("case").await;
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn an_agent_takes_a_dispute_proposes_a_credit_note_and_a_second_person_approves_it_into_the_ledger_and_analytics()
 {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.sign_in(&desk, "ana@example.com", PASSWORD).await;
    // The customer's ledger before: what Redress has issued to them so far.
    browser.open(&desk, "/customers/C-ACME").await;
    let credit_notes =
        "return document.querySelectorAll('main a[href^=\"/credit-notes/\"]').length;";
    let issued_before = browser.eval(credit_notes).await.as_u64().unwrap();
    // Taking the dispute: the invoice found by its id, a line chosen, the customer's words.
    browser.open(&desk, "/disputes/new").await;
    browser.fill("invoice", "INV-A3").await;
    browser.press("Find the invoice").await;
    assert!(browser.text("#invoice-heading").await.contains("INV-A3"));
    browser
        .client
        .find(Locator::Css("label[for='line-1']"))
        .await
        .expect("line 1 is offered")
        .click()
        .await
        .unwrap();
    browser.fill("claimed", "100.00").await;
    browser
        .fill(
            "narrative",
            "March hosting was billed twice; please take it off.",
        )
        .await;
    browser.press("Open the dispute").await;
    let case = browser.client.current_url().await.unwrap();
    assert!(
        case.path().starts_with("/disputes/DSP-"),
        "on the new case: {case}"
    );
    let case_path = case.path().to_owned();
    let words = browser.text("#their-words").await;
    assert!(words.contains("March hosting was billed twice"), "{words}");
    // Proposing a credit note of the whole line: previewed first, then sent.
    browser
        .client
        .find(Locator::Css("label[for='kind-credit_note']"))
        .await
        .expect("a credit note may be proposed")
        .click()
        .await
        .unwrap();
    // Both lines, 135.00 in all: above the 100.00 an agent may give on their own.
    browser.fill("line-1", "100.00").await;
    browser.fill("line-2", "35.00").await;
    browser
        .fill(
            "reason",
            "Hosting for March was already billed, and its late fee with it.",
        )
        .await;
    browser.press("Preview").await;
    let preview = browser.text(".preview").await;
    assert!(preview.contains("nothing saved yet"), "{preview}");
    assert!(
        preview.contains("Needs approval by someone else")
            && preview.contains("above the 100.00 USD an agent may give"),
        "{preview}"
    );
    browser.press("Propose resolution").await;
    let resolutions = browser.text("#resolutions").await;
    assert!(
        resolutions.contains("You proposed this resolution, so you cannot approve or refuse it"),
        "the four-eyes rule is shown to the proposer: {resolutions}"
    );
    browser.check_page("case-proposed").await;
    browser.press("Sign out").await;
    // A second person, an approver, approves it.
    browser.sign_in(&desk, "olu@example.com", PASSWORD).await;
    browser.open(&desk, &case_path).await;
    browser.press("Approve").await;
    let page = browser.text("main").await;
    assert!(page.contains("Resolution approved and applied."), "{page}");
    // The credit note is in the customer's ledger, and credited in analytics.
    browser.open(&desk, "/customers/C-ACME").await;
    let issued_after = browser.eval(credit_notes).await.as_u64().unwrap();
    assert_eq!(
        issued_after,
        issued_before + 1,
        "the credit note is in the ledger"
    );
    browser.open(&desk, "/analytics").await;
    let credited = browser.text("#credited-by-kind-table tbody").await;
    assert!(
        credited.contains("Credit note") && credited.contains("USD 135.00"),
        "analytics counts the credit: {credited}"
    );
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn the_desk_is_usable_on_a_narrow_screen_without_sideways_scrolling() {
    let desk = Desk::start().await;
    let browser = Browser::start(360, 740).await;
    browser.sign_in(&desk, "ana@example.com", PASSWORD).await;
    assert_eq!(
        browser.eval("return window.innerWidth;").await,
        360,
        "the page is laid out 360 px wide"
    );
    for (name, path) in [
        ("queue-narrow", "/queue"),
        ("case-narrow", "/disputes/DSP-3"),
        ("practice-narrow", "/practice"),
        ("team-narrow", "/team"),
        ("playbooks-narrow", "/playbooks"),
    ] {
        browser.open(&desk, path).await;
        browser.assert_no_sideways_scrolling(name).await;
        browser.check_page(name).await;
    }
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn an_admin_finds_the_people_page_in_the_navigation_and_it_is_accessible() {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.sign_in(&desk, "root@example.com", PASSWORD).await;
    browser.follow("People").await;
    assert_eq!(browser.text("h1").await, "People");
    browser.check_page("people").await;
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn the_books_the_audit_an_arrears_briefing_and_a_new_dispute_are_each_accessible() {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.sign_in(&desk, "root@example.com", PASSWORD).await;
    browser.open(&desk, "/disputes/new?invoice=INV-A3").await;
    assert_eq!(browser.text("h1").await, "New dispute");
    browser.check_page("new-dispute").await;
    browser.open(&desk, "/customers/C-ACME").await;
    let ledger = browser.text("main").await;
    assert!(
        ledger.contains("owed") || ledger.contains("in credit") || ledger.contains("Settled"),
        "the balance is said in words: {ledger}"
    );
    browser.check_page("customer").await;
    browser.open(&desk, "/audit").await;
    browser.press("Run the audit now").await;
    browser.open(&desk, "/audit").await;
    browser.check_page("audit").await;
    let case = browser
        .eval("const a = document.querySelector('a[href^=\"/arrears/\"]'); return a ? a.getAttribute('href') : null;")
        .await;
    let case = case
        .as_str()
        .expect("the audit found an arrears case")
        .to_owned();
    browser.open(&desk, &case).await;
    let briefing = browser.text("main").await;
    assert!(briefing.contains("payment plan"), "the options: {briefing}");
    browser.check_page("arrears").await;
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn analytics_is_reached_from_the_navigation_and_each_chart_is_followed_by_its_table() {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.sign_in(&desk, "ana@example.com", PASSWORD).await;
    browser.open(&desk, "/queue").await;
    browser.follow("Analytics").await;
    assert_eq!(browser.text("h1").await, "Analytics");
    let charts = browser
        .eval("return document.querySelectorAll('svg[role=\"img\"] > title').length;")
        .await;
    assert!(charts.as_i64().unwrap() > 0, "charts with titles: {charts}");
    browser.check_page("analytics").await;
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn an_agent_writes_a_status_update_from_the_case_page_and_sees_it_in_the_conversation() {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.sign_in(&desk, "ana@example.com", PASSWORD).await;
    browser.open(&desk, "/disputes/DSP-3").await;
    let conversation = browser.text("#messages").await;
    assert!(
        conversation.contains("No message to or from the customer yet."),
        "{conversation}"
    );
    // A plain link per kind: the draft opens on its own page.
    browser.follow("Status update").await;
    assert_eq!(browser.text("h1").await, "Status update");
    let draft = browser
        .eval("return document.getElementById('message-body').value;")
        .await;
    assert!(
        draft.as_str().unwrap().contains("INV-A3"),
        "drafted from the case: {draft}"
    );
    browser.check_page("message-draft").await;
    browser
        .fill(
            "message-body",
            "Dear Acme,\n\nWe are still checking the late fee on INV-A3.\nWe will write again within five working days.",
        )
        .await;
    browser.press("Send to the customer").await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/disputes/DSP-3", "back on the case: {url}");
    let flash = browser.text(".flash").await;
    assert!(
        flash.contains("It will be sent when a mail server is configured"),
        "{flash}"
    );
    let conversation = browser.text("#messages").await;
    assert!(
        conversation.contains("Status update, by You (Ana Ruiz)"),
        "{conversation}"
    );
    assert!(
        conversation.contains("We are still checking the late fee on INV-A3.\nWe will write again"),
        "its line breaks kept: {conversation}"
    );
    assert!(
        conversation.contains("Waiting to be sent"),
        "{conversation}"
    );
    browser.check_page("case-conversation").await;
    browser.stop().await;
    desk.stop().await;
}

#[tokio::test]
async fn an_approver_starts_practice_for_an_agent_who_answers_a_case_and_reads_the_score_beside_the_model_answer()
 {
    let desk = Desk::start().await;
    let browser = Browser::start(1280, 900).await;
    browser.sign_in(&desk, "olu@example.com", PASSWORD).await;
    browser.follow("Practice").await;
    assert_eq!(browser.text("h1").await, "Practice");
    browser.check_page("practice").await;
    browser
        .eval(&format!(
            "document.getElementById('practice-trainee').value = '{}'; return null;",
            desk.agent.id
        ))
        .await;
    browser.fill("practice-cases", "2").await;
    browser.press("Start the session").await;
    assert_eq!(browser.text("h1").await, "Practice session for Ana Ruiz");
    browser.check_page("practice-session").await;

    // Ana finds the session from her practice page and works its first case.
    browser.press("Sign out").await;
    browser.sign_in(&desk, "ana@example.com", PASSWORD).await;
    browser.follow("Practice").await;
    let session = browser
        .eval("return document.querySelector('a[href^=\"/practice/sessions/\"]').getAttribute('href');")
        .await;
    browser.open(&desk, session.as_str().unwrap()).await;
    let case = browser
        .eval(
            "return document.querySelector('a[href^=\"/practice/cases/\"]').getAttribute('href');",
        )
        .await;
    browser.open(&desk, case.as_str().unwrap()).await;
    assert!(browser.text("h1").await.starts_with("Practice case 1"));
    assert!(
        browser
            .eval("return document.getElementById('result') === null;")
            .await
            .as_bool()
            .unwrap(),
        "no verification before the answer"
    );
    browser.check_page("practice-case").await;
    // Answered without a resolution: the summary says what to fix, focused.
    browser.press("Answer").await;
    assert!(
        browser
            .text(".error-summary")
            .await
            .contains("Choose the resolution")
    );
    browser
        .eval("document.getElementById('answer-resolution').value = 'reject'; return null;")
        .await;
    browser
        .fill(
            "answer-message",
            "Thank you for your message. We checked line 1: the charges are correct. We will write again if anything changes.",
        )
        .await;
    browser.press("Answer").await;
    assert!(
        browser
            .text("#result-heading")
            .await
            .starts_with("Your score: "),
        "the score, once answered"
    );
    assert_eq!(browser.text("#model-heading").await, "The model answer");
    browser.check_page("practice-result").await;
    browser.follow("Team").await;
    assert_eq!(browser.text("h1").await, "Your figures");
    browser.check_page("team").await;
    browser.stop().await;
    // The case and its result side by side on a wide screen, one above the other on a phone.
    let phone = Browser::start(360, 740).await;
    phone.sign_in(&desk, "ana@example.com", PASSWORD).await;
    phone.open(&desk, case.as_str().unwrap()).await;
    assert!(
        phone
            .text("#result-heading")
            .await
            .starts_with("Your score: ")
    );
    phone
        .assert_no_sideways_scrolling("practice-result-narrow")
        .await;
    phone.check_page("practice-result-narrow").await;
    phone.stop().await;
    desk.stop().await;
}
