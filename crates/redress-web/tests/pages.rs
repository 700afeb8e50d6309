//! The desk over HTTP, as a browser without scripts uses it: signing in and out, sessions and
//! their forms' tokens, the queue's filters and pages, a case's header, the assets, and the API
//! still beside it. Runs on the backend `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::{Desk, PASSWORD, between};
use reqwest::StatusCode;

const AGENT: &str = "ana@example.com";

#[tokio::test]
async fn a_wrong_password_shows_the_error_summary_keeps_the_email_and_sets_no_cookie() {
    let desk = Desk::start().await;
    let wrong_password = desk
        .post(
            "/sign-in",
            None,
            &[
                ("email", "Ana@Example.com"),
                ("password", "not the password"),
            ],
            &[],
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::OK);
    assert_eq!(wrong_password.set_cookie(), None);
    assert!(
        wrong_password.title().starts_with("Error: Sign in"),
        "{}",
        wrong_password.title()
    );
    let body = &wrong_password.body;
    assert!(body.contains("There is a problem"), "{body}");
    assert!(body.contains("tabindex=\"-1\" autofocus"), "{body}");
    assert!(
        body.contains("value=\"Ana@Example.com\""),
        "the email is kept: {body}"
    );
    assert!(body.contains("<a href=\"#email\">"), "{body}");
    // An email no one has gives the same page: which of the two was wrong is not said.
    let wrong_email = desk
        .post(
            "/sign-in",
            None,
            &[("email", "Nobody@Example.com"), ("password", PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(wrong_email.set_cookie(), None);
    assert_eq!(
        wrong_email
            .body
            .replace("Nobody@Example.com", "Ana@Example.com"),
        wrong_password.body
    );
    // Nothing typed: each field says what it needs.
    let empty = desk
        .post("/sign-in", None, &[("email", ""), ("password", "")], &[])
        .await;
    assert!(empty.body.contains("Enter your email address"));
    assert!(empty.body.contains("Enter your password"));
    assert_eq!(empty.set_cookie(), None);
    desk.stop().await;
}

/// The agent's sign-in with `password`.
async fn sign_in(desk: &Desk, password: &str) -> desk::Page {
    desk.post(
        "/sign-in",
        None,
        &[("email", AGENT), ("password", password)],
        &[],
    )
    .await
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_email_and_the_page_says_when_to_try_again() {
    let desk = Desk::start().await;

    for _ in 0..4 {
        assert_eq!(
            sign_in(&desk, "not the password").await.status,
            StatusCode::OK
        );
    }
    let locked = sign_in(&desk, "not the password").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.title().starts_with("Error: Sign in"),
        "{}",
        locked.title()
    );
    assert!(
        locked.body.contains(
            "Too many wrong passwords were tried with this email address. Try again after "
        ),
        "{}",
        locked.body
    );
    let wait: u64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((850..=900).contains(&wait), "Retry-After: {wait}");
    // The right password is refused too while the lock lasts, and no session is opened.
    let right = sign_in(&desk, PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(right.set_cookie(), None);
    desk.stop().await;
}

#[tokio::test]
async fn signing_in_sets_the_session_cookie_and_the_queue_lists_the_worked_examples_disputes() {
    let desk = Desk::start().await;
    let signed_in = desk
        .post(
            "/sign-in",
            None,
            &[("email", " ANA@example.com "), ("password", PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location(), "/queue");
    let cookie = signed_in.set_cookie().unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let session = signed_in.session().unwrap();
    let queue = desk.get("/queue", &session).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(queue.title(), "Queue – Redress");
    assert_eq!(
        queue.dispute_ids(),
        ["DSP-5", "DSP-4", "DSP-3", "DSP-2", "DSP-1"]
    );
    let body = &queue.body;
    assert!(body.contains("<html lang=\"en\">"));
    assert!(body.contains("Ana Ruiz, Agent"), "who is signed in: {body}");
    assert!(body.contains("Acme Logistics, Inc."), "customers by name");
    assert!(
        body.contains("<data value=\"1425\">JPY 1,425</data>"),
        "{body}"
    );
    assert!(body.contains("<data value=\"100.00\">USD 100.00</data>"));
    assert!(body.contains("<time datetime=\"2025-05-05\""));
    assert!(body.contains(">5 May 2025</time>"));
    assert!(body.contains("Ageing: "), "opened long ago, still open");
    assert!(body.contains("class=\"num\""));
    assert!(body.contains("aria-sort=\"descending\""));
    // Over HTTPS, as the proxy in front says, the cookie is sent only over HTTPS.
    let over_https = desk
        .post(
            "/sign-in",
            None,
            &[("email", AGENT), ("password", PASSWORD)],
            &[("x-forwarded-proto", "https")],
        )
        .await;
    assert!(over_https.set_cookie().unwrap().contains("; Secure"));
    desk.stop().await;
}

#[tokio::test]
async fn a_page_asked_for_before_signing_in_is_shown_after_it_and_only_a_local_one() {
    let desk = Desk::start().await;
    let asked = desk.get_with("/disputes/DSP-3", None, &[]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(asked.location(), "/sign-in?next=%2Fdisputes%2FDSP-3");
    let form = desk.get_with(asked.location(), None, &[]).await;
    assert!(
        form.body
            .contains("name=\"next\" value=\"/disputes/DSP-3\"")
    );
    let signed_in = desk
        .post(
            "/sign-in",
            None,
            &[
                ("email", AGENT),
                ("password", PASSWORD),
                ("next", "/disputes/DSP-3"),
            ],
            &[],
        )
        .await;
    assert_eq!(signed_in.location(), "/disputes/DSP-3");
    for elsewhere in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let signed_in = desk
            .post(
                "/sign-in",
                None,
                &[
                    ("email", AGENT),
                    ("password", PASSWORD),
                    ("next", elsewhere),
                ],
                &[],
            )
            .await;
        assert_eq!(signed_in.location(), "/queue", "{elsewhere}");
    }
    // A sign-in posted from another site's page is refused (login CSRF).
    let forged = desk
        .post(
            "/sign-in",
            None,
            &[("email", AGENT), ("password", PASSWORD)],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(forged.set_cookie(), None);
    desk.stop().await;
}

#[tokio::test]
async fn a_post_without_its_csrf_token_is_refused_and_changes_nothing() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let csrf = desk.get("/queue", &session).await.csrf();
    for fields in [vec![], vec![("csrf", "0".repeat(64))]] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = desk.post("/sign-out", Some(&session), &fields, &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused.body.contains("This form was refused"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("nothing was changed"));
        assert_eq!(refused.set_cookie(), None);
        assert_eq!(desk.get("/queue", &session).await.status, StatusCode::OK);
    }
    // The right token from another site's page is refused too.
    let cross_site = desk
        .post(
            "/sign-out",
            Some(&session),
            &[("csrf", &csrf)],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert_eq!(desk.get("/queue", &session).await.status, StatusCode::OK);
    // Another session's token is no good either.
    let other = desk.sign_in("root@example.com").await;
    let other_csrf = desk.get("/queue", &other).await.csrf();
    assert_ne!(other_csrf, csrf);
    let borrowed = desk
        .post("/sign-out", Some(&session), &[("csrf", &other_csrf)], &[])
        .await;
    assert_eq!(borrowed.status, StatusCode::FORBIDDEN);
    assert_eq!(desk.get("/queue", &session).await.status, StatusCode::OK);
    desk.stop().await;
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let csrf = desk.get("/queue", &session).await.csrf();
    let signed_out = desk
        .post(
            "/sign-out",
            Some(&session),
            &[("csrf", &csrf)],
            &[("origin", &desk.base.clone())],
        )
        .await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.location(), "/sign-in");
    assert!(signed_out.set_cookie().unwrap().contains("Max-Age=0"));
    let after = desk.get("/queue", &session).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), "/sign-in");
    desk.stop().await;
}

#[tokio::test]
async fn a_disabled_users_session_no_longer_works() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    assert_eq!(desk.get("/queue", &session).await.status, StatusCode::OK);
    desk.redress
        .people()
        .disable_user(&desk.admin, &desk.agent.id)
        .await
        .unwrap();
    let after = desk.get("/queue", &session).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), "/sign-in");
    assert!(
        after.set_cookie().unwrap().contains("Max-Age=0"),
        "forgotten"
    );
    // Nor can they sign in again.
    let again = desk
        .post(
            "/sign-in",
            None,
            &[("email", AGENT), ("password", PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(again.set_cookie(), None);
    assert!(again.body.contains("There is a problem"));
    // Only an admin disables a user.
    let refused = desk
        .redress
        .people()
        .disable_user(&desk.agent, &desk.admin.id)
        .await;
    assert!(refused.is_err());
    desk.stop().await;
}

#[tokio::test]
async fn filters_narrow_the_queue_and_survive_in_its_address() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let ids = |query: &'static str| {
        let desk = &desk;
        let session = session.clone();
        async move { desk.get(&format!("/queue?{query}"), &session).await }
    };
    assert_eq!(ids("reason=late_fee").await.dispute_ids(), ["DSP-3"]);
    assert_eq!(ids("q=INV-A4").await.dispute_ids(), ["DSP-5", "DSP-1"]);
    assert_eq!(ids("q=C-SORA").await.dispute_ids(), ["DSP-2"]);
    assert_eq!(
        ids("customer=C-ACME&reason=&status=")
            .await
            .dispute_ids()
            .len(),
        4
    );
    assert_eq!(
        ids("currency=usd&min=10&max=50").await.dispute_ids(),
        ["DSP-4", "DSP-3"]
    );
    assert_eq!(
        ids("from=2025-04-01&to=2025-05-05").await.dispute_ids(),
        ["DSP-3", "DSP-1"]
    );
    assert_eq!(ids("age=100000").await.dispute_ids(), Vec::<String>::new());
    assert_eq!(ids("age=7").await.dispute_ids().len(), 5);
    assert_eq!(
        ids("sort=largest&currency=USD").await.dispute_ids(),
        ["DSP-1", "DSP-3", "DSP-4", "DSP-5"]
    );
    // The form shows what it filters by.
    let filtered = ids("reason=late_fee&currency=usd").await;
    assert!(
        filtered
            .body
            .contains("<option value=\"late_fee\" selected>")
    );
    assert!(filtered.body.contains("value=\"usd\""));
    assert!(filtered.body.contains("Clear filters"));
    // Nothing matches: a sentence, and a way on.
    let none = ids("status=closed").await;
    assert!(none.dispute_ids().is_empty());
    assert!(
        none.body
            .contains("No disputes match. <a href=\"/queue\">Clear filters</a>")
    );
    // Escalated, and assigned to me.
    let work = desk.redress.disputes().escalate(&desk.agent, "DSP-2", true);
    desk.redress.perform(work).await.unwrap();
    let work = desk
        .redress
        .disputes()
        .assign(&desk.agent, "DSP-4", Some(desk.agent.id.clone()));
    desk.redress.perform(work).await.unwrap();
    let escalated = ids("escalated=1").await;
    assert_eq!(escalated.dispute_ids(), ["DSP-2"]);
    assert!(
        escalated
            .body
            .contains("<strong class=\"tag tag--bad\">Escalated</strong>")
    );
    assert_eq!(ids("mine=1").await.dispute_ids(), ["DSP-4"]);
    assert_eq!(ids("assignee=somebody-else").await.dispute_ids().len(), 0);
    // A filter that does not read says so, on top and by its field.
    let wrong = ids("currency=USD&min=ten&from=yesterday").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(
        wrong.title().starts_with("Error: Queue"),
        "{}",
        wrong.title()
    );
    assert!(wrong.body.contains("There is a problem"));
    assert!(wrong.body.contains("<a href=\"#min\">"));
    assert!(wrong.body.contains("<a href=\"#from\">"));
    assert!(wrong.body.contains("id=\"min-error\""));
    assert!(wrong.body.contains("value=\"ten\""), "kept as typed");
    assert!(wrong.dispute_ids().is_empty());
    let no_currency = ids("min=10").await;
    assert!(no_currency.body.contains("<a href=\"#currency\">"));
    desk.stop().await;
}

#[tokio::test]
async fn the_next_page_link_pages_through_the_whole_queue() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let everything = desk.get("/queue", &session).await.dispute_ids();
    for sort in ["newest", "oldest", "largest"] {
        let mut seen = Vec::new();
        let mut next = Some(format!("/queue?sort={sort}&per_page=2"));
        let mut pages = 0;
        while let Some(address) = next {
            let page = desk.get(&address, &session).await;
            assert_eq!(page.status, StatusCode::OK, "{address}");
            let ids = page.dispute_ids();
            assert!(ids.len() <= 2);
            seen.extend(ids);
            next = page.link("next-page");
            if let Some(next) = &next {
                assert!(next.contains("cursor="), "{next}");
                assert!(next.contains(&format!("sort={sort}")), "{next}");
                assert!(page.link("first-page").is_some() || pages == 0);
            }
            pages += 1;
        }
        assert_eq!(pages, 3, "{sort}");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), everything.len(), "{sort}: {seen:?}");
        if sort == "newest" {
            assert_eq!(seen, everything);
        }
    }
    let stale = desk.get("/queue?cursor=zz", &session).await;
    assert!(stale.body.contains("start again from the first page"));
    desk.stop().await;
}

#[tokio::test]
async fn htmx_is_given_only_the_queues_part_of_the_page() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let part = desk
        .get_with(
            "/queue?reason=late_fee",
            Some(&session),
            &[("hx-request", "true"), ("hx-target", "queue")],
        )
        .await;
    assert_eq!(part.status, StatusCode::OK);
    assert!(
        part.body.trim_start().starts_with("<div id=\"queue\""),
        "{}",
        part.body
    );
    assert!(!part.body.contains("<html"));
    assert_eq!(part.dispute_ids(), ["DSP-3"]);
    assert!(
        part.headers["vary"]
            .to_str()
            .unwrap()
            .contains("HX-Request")
    );
    // A session that ended sends htmx to the sign-in page as a whole.
    let ended = desk
        .get_with(
            "/queue",
            Some("not-a-session"),
            &[("hx-request", "true"), ("hx-target", "queue")],
        )
        .await;
    assert_eq!(ended.headers["hx-redirect"], "/sign-in");
    desk.stop().await;
}

#[tokio::test]
async fn a_case_page_shows_the_facts_at_a_glance_and_the_customers_own_words() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let case = desk.get("/disputes/DSP-5", &session).await;
    assert_eq!(case.status, StatusCode::OK);
    let h1 = between(&case.body, "<h1>", "</h1>").unwrap();
    assert_eq!(h1, "Other dispute: Acme Logistics, Inc., INV-A4");
    assert!(
        case.title().starts_with("DSP-5: Other dispute"),
        "{}",
        case.title()
    );
    for fact in [
        "<strong class=\"tag tag--info\">Open</strong>",
        "<data value=\"5.00\">USD 5.00</data>",
        "<time datetime=\"2025-05-06\"",
        "6 May 2025",
        "INV-A4, the whole invoice",
        "Nobody yet",
        "Ageing: ",
        // Line breaks kept, in the customer's language.
        "lang=\"en\">This whole invoice is a mess.\nPlease check every line.</blockquote>",
    ] {
        assert!(case.body.contains(fact), "{fact}: {}", case.body);
    }
    let sora = desk.get("/disputes/DSP-2", &session).await;
    assert!(sora.body.contains("<data value=\"1425\">JPY 1,425</data>"));
    assert!(sora.body.contains("lang=\"es\""));
    let missing = desk.get("/disputes/DSP-404", &session).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("No dispute has the id DSP-404"));
    desk.stop().await;
}

#[tokio::test]
async fn assets_are_embedded_and_answered_304_when_the_browser_has_them() {
    let desk = Desk::start().await;
    let page = desk.get_with("/sign-in", None, &[]).await;
    let css = between(&page.body, "<link rel=\"stylesheet\" href=\"", "\"").unwrap();
    assert!(css.starts_with("/assets/desk.css?v="), "{css}");
    let first = desk.get_with(css, None, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        first.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(first.body.contains("--accent: #1d5fbf"));
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let again = desk.get_with(css, None, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let htmx = desk.get_with("/assets/htmx.min.js", None, &[]).await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert_eq!(htmx.headers["cache-control"], "no-cache");
    assert!(htmx.body.contains("htmx"));
    desk.stop().await;
}

#[tokio::test]
async fn the_api_is_served_beside_the_desk_each_answering_in_its_own_way() {
    let desk = Desk::start().await;
    let health = desk.get_with("/healthz", None, &[]).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.body.contains("\"ok\""));
    let api_missing = desk.get_with("/api/v1/nothing-here", None, &[]).await;
    assert_eq!(api_missing.status, StatusCode::NOT_FOUND);
    assert!(
        api_missing.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let api_unauthorized = desk.get_with("/api/v1/disputes", None, &[]).await;
    assert_eq!(api_unauthorized.status, StatusCode::UNAUTHORIZED);
    let page_missing = desk.get_with("/nothing-here", None, &[]).await;
    assert_eq!(page_missing.status, StatusCode::NOT_FOUND);
    assert!(page_missing.body.contains("Page not found"));
    let root = desk.get_with("/", None, &[]).await;
    assert_eq!(root.location(), "/queue");
    for header in ["content-security-policy", "x-content-type-options"] {
        assert!(root.headers.contains_key(header), "{header}");
    }
    desk.stop().await;
}
