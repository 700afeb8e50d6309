//! The people page over HTTP: an admin adds a user (whose password, shown once, lets them in),
//! gives a token, disables someone (whose session ends); anyone else is refused. Runs on the
//! backend `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::{Desk, between, unescape};
use reqwest::StatusCode;

#[tokio::test]
async fn an_admin_adds_a_user_who_signs_in_with_the_password_shown_once_and_disables_them() {
    let desk = Desk::start().await;
    let admin = desk.sign_in("root@example.com").await;
    let page = desk.get("/people", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("ana@example.com"),
        "the users are listed"
    );
    assert!(
        page.body.contains("<a href=\"/people\">People</a>"),
        "the way is in the navigation"
    );
    let csrf = page.csrf();
    // A name is needed; the email is kept.
    let refused = desk
        .post(
            "/people",
            Some(&admin),
            &[
                ("csrf", &csrf),
                ("email", "kim@example.com"),
                ("name", " "),
                ("role", "approver"),
            ],
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("There is a problem"));
    assert!(refused.body.contains("value=\"kim@example.com\""));
    let added = desk
        .post(
            "/people",
            Some(&admin),
            &[
                ("csrf", &csrf),
                ("email", "Kim@Example.com"),
                ("name", "Kim Lee"),
                ("role", "approver"),
            ],
            &[],
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let password = unescape(between(&added.body, "<code class=\"secret\">", "</code>").unwrap());
    assert!(password.len() >= 24, "a strong password: {password}");
    // The same email again is refused by the field.
    let again = desk
        .post(
            "/people",
            Some(&admin),
            &[
                ("csrf", &csrf),
                ("email", "kim@example.com"),
                ("name", "Kim"),
                ("role", "agent"),
            ],
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("href=\"#new-email\""), "{}", again.body);
    // Kim signs in with what was shown.
    let signed = desk
        .post(
            "/sign-in",
            None,
            &[("email", "kim@example.com"), ("password", &password)],
            &[],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let kim = signed.session().unwrap();
    assert_eq!(desk.get("/queue", &kim).await.status, StatusCode::OK);
    // A token for Kim, shown once; then Kim is disabled and her session ends.
    let token = desk
        .post(
            "/people/kim@example.com/tokens",
            Some(&admin),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
    assert!(
        between(&token.body, "<code class=\"secret\">", "</code>")
            .is_some_and(|t| t.starts_with("rdr_"))
    );
    let disabled = desk
        .post(
            "/people/kim@example.com/disable",
            Some(&admin),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    let after = desk.get("/queue", &kim).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "Kim's session ended");
    desk.stop().await;
}

#[tokio::test]
async fn only_an_admin_sees_or_changes_the_people() {
    let desk = Desk::start().await;
    let agent = desk.sign_in("ana@example.com").await;
    let page = desk.get("/people", &agent).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.body.contains("<a href=\"/people\">People</a>"));
    let csrf = desk.get("/queue", &agent).await.csrf();
    let forged = desk
        .post(
            "/people",
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("email", "eve@example.com"),
                ("name", "Eve"),
                ("role", "admin"),
            ],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let disable = desk
        .post(
            "/people/root@example.com/disable",
            Some(&agent),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(disable.status, StatusCode::FORBIDDEN);
    desk.stop().await;
}
