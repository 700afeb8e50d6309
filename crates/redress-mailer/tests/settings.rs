//! SMTP settings parse from their URL, refuse what they cannot use, and never show the password.

use std::time::Duration;

use redress_mailer::{DEFAULT_TIMEOUT, Mailer, SettingsError, SmtpSettings, Tls};

const FROM: &str = "Redress Billing <billing@example.com>";

#[test]
fn a_full_url_gives_host_port_tls_and_the_percent_decoded_user() {
    let settings = SmtpSettings::parse(
        "smtp://mailer%40example.com:p%40ss%3Aw%C3%B6rd@smtp.example.com:2525?tls=starttls",
        FROM,
    )
    .unwrap();
    assert_eq!(settings.host(), "smtp.example.com");
    assert_eq!(settings.port(), 2525);
    assert_eq!(settings.tls(), Tls::StartTls);
    assert_eq!(settings.user(), Some("mailer@example.com"));
    assert_eq!(settings.from().email.to_string(), "billing@example.com");
    assert_eq!(settings.from().name.as_deref(), Some("Redress Billing"));
    assert_eq!(settings.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(
        settings.to_string(),
        "smtp://mailer@example.com:***@smtp.example.com:2525?tls=starttls"
    );
}

#[test]
fn ports_and_tls_default_by_scheme_and_tls_parameter() {
    let parse = |url: &str| SmtpSettings::parse(url, FROM).unwrap();
    let starttls = parse("smtp://smtp.example.com");
    assert_eq!((starttls.tls(), starttls.port()), (Tls::StartTls, 587));
    assert_eq!(starttls.user(), None);
    let none = parse("smtp://relay.internal?tls=none");
    assert_eq!((none.tls(), none.port()), (Tls::None, 25));
    let implicit = parse("smtps://u:p@smtp.example.com");
    assert_eq!((implicit.tls(), implicit.port()), (Tls::Implicit, 465));
    assert_eq!(implicit.to_string(), "smtps://u:***@smtp.example.com:465");
    let v6 = parse("smtp://[::1]:2525?tls=none");
    assert_eq!((v6.host(), v6.port()), ("::1", 2525));
    assert_eq!(v6.to_string(), "smtp://[::1]:2525?tls=none");
    let timeout = parse("smtp://127.0.0.1:2525?tls=none").with_timeout(Duration::from_millis(250));
    assert_eq!(timeout.timeout(), Duration::from_millis(250));
}

#[test]
fn the_password_is_in_no_debug_display_or_error() {
    let password = "Tr0ub4dor&3-secret";
    let url = format!("smtp://billing:{password}@smtp.example.com:587?tls=starttls");
    let settings = SmtpSettings::parse(&url, FROM).unwrap();
    let mailer = Mailer::new(settings.clone()).unwrap();
    for shown in [
        format!("{settings}"),
        format!("{settings:?}"),
        format!("{settings:#?}"),
        format!("{mailer:?}"),
    ] {
        assert!(!shown.contains(password), "{shown}");
        assert!(!shown.contains("Tr0ub4dor"), "{shown}");
    }
    assert!(format!("{settings:?}").contains("billing:***@smtp.example.com:587"));

    // Refusals of URLs with a password in odd places name no part of it.
    for bad in [
        format!("smtp://billing:{password}"),
        format!("smtp://billing:{password}@smtp.example.com:587?tls=maybe"),
        format!("smtp://billing:QX9?{password}@smtp.example.com"),
        format!("smtp://billing:QX9%zz{password}@smtp.example.com"),
        format!("imap://billing:{password}@smtp.example.com"),
    ] {
        let error = SmtpSettings::parse(&bad, FROM).expect_err(&bad);
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("Tr0ub4dor"), "{shown}");
        assert!(!shown.contains("QX9"), "{shown}");
    }
}

#[test]
fn bad_urls_are_refused_saying_what_was_wrong_and_the_expected_form() {
    let cases = [
        ("smtp.example.com:587", "no scheme"),
        ("http://smtp.example.com", "scheme"),
        ("smtp://", "no host"),
        ("smtp://smtp.example.com:0", "port"),
        ("smtp://smtp.example.com:99999", "port"),
        ("smtp://smtp.example.com:abc", "port"),
        ("smtp://smtp.example.com?tls=maybe", "tls"),
        (
            "smtp://smtp.example.com?tls=none&debug=1",
            "query parameter",
        ),
        ("smtps://smtp.example.com?tls=none", "smtps://"),
        ("smtp://user@smtp.example.com", "without a password"),
        ("smtp://:secret@smtp.example.com", "user"),
        ("smtp://smtp.example.com/ehlo-name", "path"),
        ("smtp://[::1", "IPv6"),
        ("smtp://smtp example.com", "characters"),
    ];
    for (url, said) in cases {
        match SmtpSettings::parse(url, FROM) {
            Err(error @ SettingsError::Url { .. }) => {
                let message = error.to_string();
                assert!(message.contains(said), "{url}: {message}");
                assert!(
                    message.contains("expected smtp://USER:PASS@HOST:PORT?tls=starttls|none"),
                    "{url}: {message}"
                );
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

#[test]
fn a_from_that_is_no_mailbox_is_refused_naming_it() {
    for from in [
        "",
        "billing",
        "Redress <billing@>",
        "two@example.com, three@example.com",
    ] {
        match SmtpSettings::parse("smtp://smtp.example.com", from) {
            Err(SettingsError::From { given, .. }) => assert_eq!(given, from),
            other => panic!("{from:?}: {other:?}"),
        }
    }
    let plain = SmtpSettings::parse("smtp://smtp.example.com", "billing@example.com").unwrap();
    assert_eq!(plain.from().name, None);
}
