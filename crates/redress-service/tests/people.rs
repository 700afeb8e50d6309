//! Users who sign in to the desk: made with an email and a password, signed in and out, their
//! sessions ending when they expire or their user is disabled. Runs on the backend
//! `REDRESS_TEST_BACKEND` names.

#[path = "../../redress-storage/tests/support/mod.rs"]
mod support;

use redress_domain::Role;
use redress_service::people::{CreateUserError, PasswordError, SignInError};
use redress_service::records::UserError;
use redress_service::{Actor, Redress};
use support::TestDb;

const PASSWORD: &str = "a long enough password";

async fn redress(db: &TestDb) -> Redress {
    Redress::open(&db.location, Default::default())
        .await
        .expect("the test database opens")
}

/// Closes `redress` and drops the test's database.
async fn done(db: TestDb, redress: Redress) {
    redress.operations().close().await;
    let store = redress_storage::Store::connect(&db.location).await.unwrap();
    db.drop_database(store).await;
}

#[tokio::test]
async fn a_user_signs_in_with_their_email_in_any_case_and_their_password_only() {
    let db = TestDb::new().await;
    let redress = redress(&db).await;
    let people = redress.people();
    let id = people
        .create_user("Ana@Example.com", "Ana Ruiz", Role::Agent, PASSWORD, "test")
        .await
        .unwrap();
    assert_eq!(
        id, "ana@example.com",
        "the email, kept lower-cased, is the id"
    );
    let session = people.sign_in(" ANA@example.COM", PASSWORD).await.unwrap();
    let ana = Actor {
        id: id.clone(),
        name: "Ana Ruiz".to_owned(),
        role: Role::Agent,
    };
    assert_eq!(session.actor, ana);
    let lasts = redress_domain::Timestamp::now()
        .until(session.expires_at)
        .unwrap();
    let hours = lasts.total(jiff::Unit::Hour).unwrap();
    assert!((11.9..=12.0).contains(&hours), "{hours} hours");
    for (email, password) in [
        ("ana@example.com", "not the password"),
        ("ana@example.com", ""),
        ("nobody@example.com", PASSWORD),
        ("not an address", PASSWORD),
    ] {
        assert!(
            matches!(
                people.sign_in(email, password).await,
                Err(SignInError::WrongCredentials)
            ),
            "{email} {password}"
        );
    }
    let signed_in = people.session(&session.token).await.unwrap().unwrap();
    assert_eq!(signed_in.actor, ana);
    assert_eq!(signed_in.csrf, session.csrf);
    // Each sign-in is a session of its own, with its own forms' token.
    let other = people.sign_in("ana@example.com", PASSWORD).await.unwrap();
    assert_ne!(other.token, session.token);
    assert_ne!(other.csrf, session.csrf);
    people.sign_out(&session.token).await.unwrap();
    assert!(people.session(&session.token).await.unwrap().is_none());
    assert!(people.session(&other.token).await.unwrap().is_some());
    assert!(people.session("not a token").await.unwrap().is_none());
    // Signing out twice is no error.
    people.sign_out(&session.token).await.unwrap();
    done(db, redress).await;
}

#[tokio::test]
async fn an_email_is_one_users_whatever_its_case_and_a_short_password_is_refused() {
    let db = TestDb::new().await;
    let redress = redress(&db).await;
    let people = redress.people();
    people
        .create_user("ana@example.com", "Ana", Role::Agent, PASSWORD, "test")
        .await
        .unwrap();
    let taken = people
        .create_user(
            "ANA@Example.com",
            "Another Ana",
            Role::Admin,
            PASSWORD,
            "test",
        )
        .await;
    assert!(
        matches!(taken, Err(CreateUserError::User(UserError::EmailTaken(ref e))) if e == "ana@example.com"),
        "{taken:?}"
    );
    let short = people
        .create_user("bea@example.com", "Bea", Role::Agent, "eleven char", "test")
        .await;
    assert!(matches!(
        short,
        Err(CreateUserError::Password(PasswordError::TooShort))
    ));
    for email in ["not an address", "@example.com", "bea@", "a@b@c"] {
        let refused = people
            .create_user(email, "Bea", Role::Agent, PASSWORD, "test")
            .await;
        assert!(
            matches!(refused, Err(CreateUserError::User(UserError::BadEmail(_)))),
            "{email}: {refused:?}"
        );
    }
    // A user of the API alone already has the id the email would be: the new one gets its own,
    // and each is who they are.
    people
        .create_user_with_token("cat@example.com", "cat@example.com", Role::Auditor, "test")
        .await
        .unwrap();
    let id = people
        .create_user("cat@example.com", "Cat", Role::Agent, PASSWORD, "test")
        .await
        .unwrap();
    assert!(id.starts_with("usr-"), "{id}");
    let session = people.sign_in("cat@example.com", PASSWORD).await.unwrap();
    assert_eq!(session.actor.id, id);
    assert_eq!(session.actor.role, Role::Agent);
    done(db, redress).await;
}

#[tokio::test]
async fn an_expired_session_and_a_disabled_users_session_sign_no_one_in() {
    let db = TestDb::new().await;
    let redress = redress(&db).await;
    let people = redress.people();
    let agent = people
        .create_user("ana@example.com", "Ana", Role::Agent, PASSWORD, "test")
        .await
        .unwrap();
    people
        .create_user("root@example.com", "Root", Role::Admin, PASSWORD, "test")
        .await
        .unwrap();
    let admin = people.sign_in("root@example.com", PASSWORD).await.unwrap();
    let expired = people.sign_in("ana@example.com", PASSWORD).await.unwrap();
    let set = db.raw(&[
        "UPDATE web_sessions SET expires_at = '2000-01-01T00:00:00.000000Z' \
                        WHERE user_id = 'ana@example.com'",
    ]);
    assert!(set.iter().all(Result::is_ok), "{set:?}");
    assert!(people.session(&expired.token).await.unwrap().is_none());
    // Disabled by an admin: their session ends, and they sign in no more.
    let live = people.sign_in("ana@example.com", PASSWORD).await.unwrap();
    let refused = people.disable_user(&live.actor, &admin.actor.id).await;
    assert!(refused.is_err(), "only an admin disables a user");
    people.disable_user(&admin.actor, &agent).await.unwrap();
    assert!(people.session(&live.token).await.unwrap().is_none());
    assert!(matches!(
        people.sign_in("ana@example.com", PASSWORD).await,
        Err(SignInError::WrongCredentials)
    ));
    assert!(
        people.disable_user(&admin.actor, &agent).await.is_err(),
        "once"
    );
    assert!(people.session(&admin.token).await.unwrap().is_some());
    done(db, redress).await;
}

#[tokio::test]
async fn five_wrong_passwords_lock_an_email_known_or_not_and_signing_in_clears_fewer() {
    let db = TestDb::new().await;
    let redress = redress(&db).await;
    let people = redress.people();
    people
        .create_user("ana@example.com", "Ana Ruiz", Role::Agent, PASSWORD, "test")
        .await
        .unwrap();
    people
        .create_user("ben@example.com", "Ben Ode", Role::Agent, PASSWORD, "test")
        .await
        .unwrap();
    // Four wrong, then the right one: signed in, and the four forgotten.
    for _ in 0..4 {
        assert!(matches!(
            people.sign_in("ana@example.com", "wrong").await,
            Err(SignInError::WrongCredentials)
        ));
    }
    people.sign_in("ana@example.com", PASSWORD).await.unwrap();
    for _ in 0..4 {
        assert!(matches!(
            people.sign_in("ANA@example.com", "wrong").await,
            Err(SignInError::WrongCredentials)
        ));
    }
    // The fifth wrong one in a row (typed in any case) locks the email for a quarter of an
    // hour: the right password is refused too, and another email is not touched.
    let before = redress_domain::Timestamp::now();
    let Err(SignInError::LockedOut { until }) = people.sign_in("ana@example.com", "wrong").await
    else {
        panic!("the fifth wrong password locks the email");
    };
    let minutes = before
        .until(until)
        .unwrap()
        .total(jiff::Unit::Minute)
        .unwrap();
    assert!(
        (14.9..=15.1).contains(&minutes),
        "locked for {minutes} minutes"
    );
    assert!(matches!(
        people.sign_in("ana@example.com", PASSWORD).await,
        Err(SignInError::LockedOut { .. })
    ));
    people.sign_in("ben@example.com", PASSWORD).await.unwrap();
    // An email no one has locks the same way, so a lock says nothing about who exists.
    for _ in 0..4 {
        assert!(matches!(
            people.sign_in("nobody@example.com", PASSWORD).await,
            Err(SignInError::WrongCredentials)
        ));
    }
    assert!(matches!(
        people.sign_in("nobody@example.com", PASSWORD).await,
        Err(SignInError::LockedOut { .. })
    ));
    // Each lock is an event in the audit log.
    for email in ["ana@example.com", "nobody@example.com"] {
        let events = redress
            .operations()
            .events_of("sign_in", email)
            .await
            .unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.event.action.as_str()).collect();
        assert_eq!(actions, ["sign_in_locked"], "{email}");
    }
    redress.operations().verify_log().await.unwrap();
    done(db, redress).await;
}
