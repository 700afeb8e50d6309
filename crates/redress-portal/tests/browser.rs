//! The portal in a real browser: Debian's Chromium, headless, driven through Debian's
//! ChromeDriver (nothing here downloads a browser), against the real server on a fresh
//! database. Each test asserts what a customer sees, and runs axe-core (vendored from npm in
//! the desk's tests, `crates/redress-web/tests/vendor`) on every page it reaches: no serious
//! or critical violation of WCAG 2.2 AA is allowed.
//!
//! `REDRESS_SCREENSHOTS=DIR` also saves a screenshot of each page into DIR.

mod portal;

use fantoccini::{Client, ClientBuilder, Locator};
use portal::{Fixture, Portal};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// axe-core, run in the page under test: the desk's vendored copy.
const AXE: &str = include_str!("../../redress-web/tests/vendor/axe.min.js");

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
        // Headless Chromium keeps a window at least 500 px wide: a phone's width is emulated,
        // so that the page is laid out at exactly `width` CSS pixels.
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": program("chromium"),
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--disable-gpu", format!("--window-size={width},{height}")],
                "mobileEmulation": {
                    "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0 }
                },
            }),
        );
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

    /// Opens `path` of `portal`.
    async fn open(&self, portal: &Portal, path: &str) {
        self.client
            .goto(&format!("{}{path}", portal.base))
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

    /// Types `text` into the field with the id `id`.
    async fn fill(&self, id: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Clicks the button that reads `label` and waits for the page it leads to.
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

    /// Clicks `element` and waits until the next document has loaded.
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
            if matches!(arrived, Ok(Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("`{what}` led to no new page within 10 s");
    }

    /// What every page must be, checked on the page open now (`name` says which in failures):
    /// one `h1`, the landmarks, a skip link first, a title, the customer's language, controls
    /// of at least 24 × 24 px, and no serious or critical accessibility violation by axe-core.
    async fn check_page(&self, name: &str, lang: &str) {
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
                   first: (document.querySelector('a[href], button, input, select, textarea') || {}).className || '',
                   small: Array.from(document.querySelectorAll('button, input:not([type=hidden]), select, textarea'))
                     .filter(e => { const r = e.getBoundingClientRect();
                                    return r.width > 0 && (r.width < 24 || r.height < 24); })
                     .map(e => { const r = e.getBoundingClientRect();
                                 return `${e.tagName}#${e.id} ${r.width}x${r.height}`; })
                 };",
            )
            .await;
        assert_eq!(shape["h1"], 1, "{name}: one h1 ({shape})");
        assert_eq!(shape["main"], 1, "{name}: one main ({shape})");
        assert_eq!(shape["header"], 1, "{name}: a header ({shape})");
        assert_eq!(shape["footer"], 1, "{name}: a footer ({shape})");
        assert_eq!(shape["nav"], true, "{name}: navs are labelled ({shape})");
        assert_eq!(shape["lang"], lang, "{name}: ({shape})");
        assert_eq!(
            shape["small"],
            json!([]),
            "{name}: controls of 24 × 24 px at least ({shape})"
        );
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
            std::fs::write(format!("{dir}/portal-{name}.png"), png).unwrap();
        }
    }

    /// How far the page scrolls sideways, in CSS pixels (0: not at all).
    async fn sideways(&self) -> i64 {
        self.eval(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        )
        .await
        .as_i64()
        .unwrap()
    }

    async fn stop(self) {
        let client = self.client.clone();
        let _ = client.close().await;
    }
}

#[tokio::test]
async fn a_spanish_speaking_customer_opens_their_link_sees_the_portal_in_spanish_replies_and_sees_the_reply()
 {
    let portal = Portal::start(Fixture::Audit).await;
    let sora = portal.link("C-SORA", Some("DSP-2")).await;
    let browser = Browser::start(1280, 900).await;
    browser.open(&portal, &sora).await;
    assert_eq!(browser.text("h1").await, "Sus reclamaciones");
    let list = browser.text("main").await;
    assert!(
        list.contains("Esperando")
            || list.contains("Recibida")
            || list.contains("Confirmada")
            || list.contains("En estudio"),
        "statuses in Spanish: {list}"
    );
    browser.check_page("home-es", "es").await;

    browser.follow("DSP-2").await;
    assert_eq!(browser.text("h1").await, "Su reclamación DSP-2");
    let invoice = browser.text("#invoice").await;
    assert!(invoice.contains("Su factura, línea por línea"), "{invoice}");
    assert!(
        invoice.contains("17.243 JPY"),
        "amounts as Spanish writes them: {invoice}"
    );
    assert!(
        invoice.contains("de 2025"),
        "days as Spanish writes them: {invoice}"
    );
    browser.check_page("dispute-es", "es").await;

    let words = "Adjunto el justificante: solo usamos diez licencias en febrero.";
    browser.fill("reply", words).await;
    browser.press("Enviar respuesta").await;
    assert!(
        browser
            .text(".flash")
            .await
            .contains("Su respuesta se envió"),
        "the flash says so"
    );
    let conversation = browser.text("#conversation").await;
    assert!(conversation.contains(words), "{conversation}");
    assert!(conversation.contains("Usted escribió"), "{conversation}");
    browser.check_page("dispute-replied-es", "es").await;

    // An empty reply: the summary on top, focused, naming the field in Spanish.
    browser.fill("reply", " ").await;
    browser.press("Enviar respuesta").await;
    let title = browser.eval("return document.title;").await;
    assert!(title.as_str().unwrap().starts_with("Error: "), "{title}");
    assert_eq!(browser.text(".error-summary h2").await, "Hay un problema");
    let focused = browser
        .eval("return document.activeElement.classList.contains('error-summary');")
        .await;
    assert_eq!(focused, true, "focus moves to the summary");
    browser.check_page("dispute-error-es", "es").await;
    browser.stop().await;
    portal.stop().await;
}

#[tokio::test]
async fn a_customer_offered_two_ways_to_settle_accepts_the_credit_note_and_sees_it_done() {
    use redress_domain::resolution::ResolutionKind;
    let portal = Portal::start(Fixture::Audit).await;
    portal.investigate("DSP-1").await;
    portal
        .offer("DSP-1", ResolutionKind::CreditNote, "50.00")
        .await;
    portal
        .offer("DSP-1", ResolutionKind::AccountCredit, "45.00")
        .await;
    let acme = portal.link("C-ACME", Some("DSP-1")).await;
    let browser = Browser::start(1280, 900).await;
    browser
        .open(&portal, &format!("{acme}/disputes/DSP-1"))
        .await;
    let offer = browser.text("#offer").await;
    assert!(offer.contains("Our offer"), "{offer}");
    assert!(offer.contains("Credit note: USD 50.00"), "{offer}");
    assert!(
        offer.contains("Credit on your account: USD 45.00"),
        "{offer}"
    );
    browser.check_page("offer", "en").await;

    browser.press("Accept this: Credit note, USD 50.00").await;
    assert!(
        browser
            .text(".flash")
            .await
            .contains("We have carried out what you accepted"),
        "the flash says so"
    );
    let decided = browser.text("#decided").await;
    assert!(decided.contains("Credit note: USD 50.00"), "{decided}");
    assert!(decided.contains("Download credit note"), "{decided}");
    let status = browser.text(".tags").await;
    assert_eq!(status, "Resolved", "the dispute is resolved");
    let left = browser
        .eval("return document.querySelectorAll('#offer button').length;")
        .await;
    assert_eq!(left, 0, "nothing left to accept");
    browser.check_page("offer-accepted", "en").await;
    browser.stop().await;
    portal.stop().await;
}

#[tokio::test]
async fn on_a_360_px_wide_phone_no_page_of_the_portal_scrolls_sideways_and_each_is_accessible() {
    let portal = Portal::start(Fixture::Audit).await;
    let redress = &portal.redress;
    // An arrears correction offered to the customer the audit finds one for.
    let found = redress.cases().find_as_operator("operator").await.unwrap();
    let case = found
        .opened
        .first()
        .expect("the worked example has an arrears case")
        .clone();
    redress
        .perform(
            redress
                .cases()
                .offer(&portal.agent, &case.id, "Wrote to them".to_owned()),
        )
        .await
        .unwrap();
    let theirs = portal.link(&case.customer_id, None).await;
    let acme = portal.link("C-ACME", Some("DSP-3")).await;
    let (lang_of_case, _) = redress_domain::Language::for_customer(
        &redress
            .billing()
            .customer(&case.customer_id)
            .await
            .unwrap()
            .unwrap()
            .language,
    );
    let case_lang = match lang_of_case {
        redress_domain::Language::Spanish => "es",
        redress_domain::Language::SimplifiedChinese => "zh-Hans",
        redress_domain::Language::English => "en",
    };
    let browser = Browser::start(360, 740).await;
    browser.open(&portal, &acme).await;
    assert_eq!(
        browser.eval("return window.innerWidth;").await,
        360,
        "the page is laid out 360 px wide"
    );
    for (name, path, lang) in [
        ("home-narrow", acme.clone(), "en"),
        ("dispute-narrow", format!("{acme}/disputes/DSP-3"), "en"),
        (
            "dispute-whole-narrow",
            format!("{acme}/disputes/DSP-5"),
            "en",
        ),
        ("new-dispute-narrow", format!("{acme}/disputes/new"), "en"),
        (
            "correction-narrow",
            format!("{theirs}/corrections/{}", case.id),
            case_lang,
        ),
        ("refused-narrow", "/portal/not-a-token".to_owned(), "en"),
        ("not-found-narrow", format!("{acme}/disputes/DSP-2"), "en"),
    ] {
        browser.open(&portal, &path).await;
        // Wide tables scroll within their own region; the page itself never does.
        let overflow = browser.sideways().await;
        assert!(
            overflow <= 0,
            "{name}: the page scrolls sideways by {overflow} px"
        );
        browser.check_page(name, lang).await;
    }
    // A refused form: the error summary and the fields, still on the phone.
    browser.open(&portal, &format!("{acme}/disputes/new")).await;
    browser.press("Open the dispute").await;
    assert_eq!(
        browser.text(".error-summary h2").await,
        "There is a problem"
    );
    assert!(
        browser.sideways().await <= 0,
        "the refused form scrolls sideways"
    );
    browser.check_page("new-dispute-error-narrow", "en").await;
    // The correction is carried out from the phone.
    browser
        .open(&portal, &format!("{theirs}/corrections/{}", case.id))
        .await;
    browser
        .client
        .find(Locator::Css("label[for='option-next_invoice']"))
        .await
        .expect("the options are offered")
        .click()
        .await
        .unwrap();
    let confirm = match case_lang {
        "es" => "Confirmar mi elección",
        "zh-Hans" => "确认我的选择",
        _ => "Confirm my choice",
    };
    browser.press(confirm).await;
    assert!(
        browser.text("#billed").await.len() > 10,
        "what was billed is shown"
    );
    assert!(browser.sideways().await <= 0);
    browser
        .check_page("correction-chosen-narrow", case_lang)
        .await;
    browser.stop().await;
    portal.stop().await;
}
