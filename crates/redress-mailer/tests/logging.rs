//! What the mailer logs, in a test binary of its own: tracing caches, per log call site,
//! whether any subscriber wants it, and tests on other threads without one would make that
//! cache say no while this test's subscriber is listening.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redress_mailer::{Mailbox, Mailer, OutgoingMail, SmtpSettings, SmtpSink};

const FROM: &str = "Redress Billing <billing@example.com>";
const WAIT: Duration = Duration::from_secs(5);

fn customer() -> Mailbox {
    "María García <maria.garcia@example.es>".parse().unwrap()
}

/// Log lines written by the tracing subscriber, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn credentials_are_used_and_the_password_appears_in_no_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let sink = SmtpSink::start().await;
    let password = "s3cr3t-Hunter2";
    sink.accept_auth("billing@example.com", password);
    let url = format!(
        "smtp://billing%40example.com:{password}@{}?tls=none",
        sink.addr()
    );
    let mailer = Mailer::new(SmtpSettings::parse(&url, FROM).unwrap()).unwrap();
    mailer
        .send(&OutgoingMail::new("8", customer(), "Hola", "Hola"))
        .await
        .unwrap();
    let received = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(
        received[0].authenticated_as.as_deref(),
        Some("billing@example.com")
    );

    // A wrong password is the setup's fault, not the mail's: temporary, so the mail waits.
    let url = format!(
        "smtp://billing%40example.com:wrong-{password}@{}?tls=none",
        sink.addr()
    );
    let wrong = Mailer::new(SmtpSettings::parse(&url, FROM).unwrap()).unwrap();
    let failure = wrong
        .send(&OutgoingMail::new("9", customer(), "Hola", "Hola"))
        .await
        .unwrap_err();
    assert!(!failure.is_permanent(), "{failure:?}");
    assert_eq!(failure.code(), Some(535));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("mail taken by the SMTP server"), "{logs}");
    assert!(logs.contains("mail not taken by the SMTP server"), "{logs}");
    assert!(logs.contains("billing@example.com:***@127.0.0.1"), "{logs}");
    assert!(!logs.contains("s3cr3t"), "{logs}");
    // Nor its base64 in an AUTH PLAIN line.
    assert!(!logs.contains("AUTH"), "{logs}");
}
