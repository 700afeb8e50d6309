//! Mail sent over real SMTP to the loopback sink, and each way the server can fail.

use std::time::{Duration, Instant};

use redress_mailer::{
    DeliveryFailure, InboundLimits, Mailbox, Mailer, OutgoingAttachment, OutgoingMail,
    SmtpSettings, SmtpSink, message_id, parse_inbound,
};

const FROM: &str = "Redress Billing <billing@example.com>";
const WAIT: Duration = Duration::from_secs(5);

fn mailer_for(sink: &SmtpSink, timeout: Duration) -> Mailer {
    let settings = SmtpSettings::parse(&sink.url(), FROM)
        .unwrap()
        .with_timeout(timeout);
    Mailer::new(settings).unwrap()
}

fn customer() -> Mailbox {
    "María García <maria.garcia@example.es>".parse().unwrap()
}

/// A small PDF with every byte value in it, so that any encoding slip shows.
fn pdf_bytes() -> Vec<u8> {
    let mut pdf =
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n".to_vec();
    pdf.extend(0..=255u8);
    pdf.extend(b"\r\n.\r\n..\n.".iter().copied()); // what SMTP's dot-stuffing must survive
    pdf.extend_from_slice(b"\nendstream\n%%EOF\n");
    pdf
}

#[tokio::test]
async fn a_spanish_and_chinese_mail_arrives_and_parses_back_to_what_was_sent() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&sink, Duration::from_secs(10));
    let subject = "Su disputa DSP-12 — ¿cuándo llega el abono? 您的争议已处理";
    let body = "Estimada María:\n\nHemos emitido la nota de crédito CN-2026-0007 por 12,50 €.\n\
        您好，我们已处理您关于发票 INV-2026-0042 的争议。\n\n.\nUna línea que empieza con punto arriba.\n\n\
        Redress Billing";
    let mut mail = OutgoingMail::new("0193ab45-17", customer(), subject, body);
    mail.html = Some("<p>Estimada María:</p><p>您好</p>".into());
    mail.in_reply_to = Some("CAJ7Xq@mail.gmail.com".into());
    mail.references = vec![
        "12-1@redress.example.com".into(),
        "<CAJ7Xq@mail.gmail.com>".into(),
    ];
    mail.reply_to = Some("Redress DSP-12 <dsp-12@example.com>".parse().unwrap());
    mail.language = Some("es".into());
    mail.attachments.push(OutgoingAttachment {
        file_name: "nota de crédito CN-2026-0007.pdf".into(),
        media_type: "application/pdf".into(),
        bytes: pdf_bytes(),
    });

    let delivered = mailer.send(&mail).await.unwrap();
    let expected_id = message_id("0193ab45-17", &FROM.parse().unwrap());
    assert_eq!(expected_id, "0193ab45-17@redress.example.com");
    assert_eq!(delivered.message_id, expected_id);
    assert_eq!(delivered.code, 250);
    assert!(
        delivered.reply.contains("queued as 1"),
        "{}",
        delivered.reply
    );

    let received = sink.wait_for(1, WAIT).await.expect("the sink got the mail");
    let got = &received[0];
    assert_eq!(got.mail_from, "billing@example.com");
    assert_eq!(got.rcpt_to, ["maria.garcia@example.es"]);
    assert!(got.data.is_ascii(), "the mail needs no 8BITMIME");
    let raw = String::from_utf8_lossy(&got.data);
    assert!(raw.contains("Content-Language: es\r\n"), "{raw}");

    let parsed = parse_inbound(&got.data, &InboundLimits::default()).unwrap();
    assert_eq!(parsed.subject, subject);
    assert_eq!(parsed.text, body);
    assert_eq!(parsed.message_id.as_deref(), Some(expected_id.as_str()));
    assert_eq!(parsed.in_reply_to, ["CAJ7Xq@mail.gmail.com"]);
    assert_eq!(
        parsed.references,
        ["12-1@redress.example.com", "CAJ7Xq@mail.gmail.com"]
    );
    assert_eq!(parsed.from, "billing@example.com");
    assert_eq!(parsed.from_name.as_deref(), Some("Redress Billing"));
    assert_eq!(parsed.to, ["maria.garcia@example.es"]);
    assert_eq!(
        parsed.attachments.len(),
        1,
        "{:?}",
        parsed.refused_attachments
    );
    assert_eq!(
        parsed.attachments[0].file_name,
        "nota de crédito CN-2026-0007.pdf"
    );
    assert_eq!(parsed.attachments[0].media_type, "application/pdf");
    assert_eq!(parsed.attachments[0].bytes, pdf_bytes());
}

#[tokio::test]
async fn the_same_outbox_entry_sent_twice_has_the_same_message_id() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&sink, Duration::from_secs(10));
    let mail = OutgoingMail::new("entry-5", customer(), "Hola", "Hola");
    mailer.send(&mail).await.unwrap();
    mailer.send(&mail).await.unwrap();
    let received = sink.wait_for(2, WAIT).await.unwrap();
    let ids: Vec<_> = received
        .iter()
        .map(|got| {
            parse_inbound(&got.data, &InboundLimits::default())
                .unwrap()
                .message_id
        })
        .collect();
    assert_eq!(ids[0].as_deref(), Some("entry-5@redress.example.com"));
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn a_451_is_temporary_and_the_next_attempt_goes_through() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&sink, Duration::from_secs(10));
    sink.refuse_next(1, 451, "4.3.0 Try again later, greylisted");
    let mail = OutgoingMail::new("1", customer(), "Hola", "Hola");
    match mailer.send(&mail).await {
        Err(DeliveryFailure::Temporary { code, text }) => {
            assert_eq!(code, Some(451));
            assert!(text.contains("greylisted"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    assert!(sink.received().is_empty());
    mailer.send(&mail).await.unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_550_is_permanent_with_the_servers_text() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&sink, Duration::from_secs(10));
    sink.refuse_next(1, 550, "5.7.1 Message rejected as spam");
    let mail = OutgoingMail::new("2", customer(), "Hola", "Hola");
    let failure = mailer.send(&mail).await.unwrap_err();
    assert!(failure.is_permanent(), "{failure:?}");
    assert_eq!(failure.code(), Some(550));
    assert!(failure.text().contains("rejected as spam"), "{failure}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_refused_recipient_is_permanent_and_a_full_mailbox_at_rcpt_temporary() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&sink, Duration::from_secs(10));
    let mail = OutgoingMail::new("3", customer(), "Hola", "Hola");

    sink.refuse_next_rcpt(
        1,
        550,
        "5.1.1 <maria.garcia@example.es>: Recipient address rejected: User unknown",
    );
    match mailer.send(&mail).await {
        Err(DeliveryFailure::Permanent { code, text }) => {
            assert_eq!(code, Some(550));
            assert!(text.contains("User unknown"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    sink.refuse_next_rcpt(1, 452, "4.2.2 Mailbox full");
    let failure = mailer.send(&mail).await.unwrap_err();
    assert!(!failure.is_permanent(), "{failure:?}");
    assert_eq!(failure.code(), Some(452));
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_stalled_server_times_out_as_temporary_within_the_timeout() {
    let sink = SmtpSink::start().await;
    sink.stall();
    let timeout = Duration::from_millis(400);
    let mailer = mailer_for(&sink, timeout);
    let started = Instant::now();
    let failure = mailer
        .send(&OutgoingMail::new("4", customer(), "Hola", "Hola"))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(!failure.is_permanent(), "{failure:?}");
    assert_eq!(failure.code(), None);
    assert!(failure.text().contains("within 0.4 s"), "{failure}");
    assert!(took >= timeout, "gave up after {took:?}");
    assert!(took < timeout + Duration::from_secs(2), "took {took:?}");

    // Once the server answers again, so does the mailer.
    sink.unstall();
    mailer
        .send(&OutgoingMail::new("4", customer(), "Hola", "Hola"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_server_that_is_down_is_temporary_and_mail_goes_once_it_is_back() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&sink, Duration::from_secs(5));
    let mail = OutgoingMail::new("5", customer(), "Hola", "Hola");
    mailer.send(&mail).await.unwrap();

    sink.stop().await;
    let started = Instant::now();
    let failure = mailer.send(&mail).await.unwrap_err();
    assert!(!failure.is_permanent(), "{failure:?}");
    assert!(
        failure.text().to_lowercase().contains("refused"),
        "connection refused, said as {failure}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    sink.restart().await;
    mailer.send(&mail).await.unwrap();
    assert_eq!(sink.wait_for(2, WAIT).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_mail_that_cannot_be_built_is_permanent_and_nothing_is_sent() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for(&sink, Duration::from_secs(5));
    let mut mail = OutgoingMail::new("6", customer(), "Hola", "Hola");
    mail.attachments.push(OutgoingAttachment {
        file_name: "x.pdf".into(),
        media_type: "not a media type".into(),
        bytes: vec![1, 2, 3],
    });
    let failure = mailer.send(&mail).await.unwrap_err();
    assert!(failure.is_permanent(), "{failure:?}");
    assert!(failure.text().contains("media type"), "{failure}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn starttls_required_refuses_a_server_that_does_not_offer_it() {
    let sink = SmtpSink::start().await;
    let url = format!("smtp://{}?tls=starttls", sink.addr());
    let settings = SmtpSettings::parse(&url, FROM)
        .unwrap()
        .with_timeout(Duration::from_secs(5));
    let mailer = Mailer::new(settings).unwrap();
    let failure = mailer
        .send(&OutgoingMail::new("7", customer(), "Hola", "Hola"))
        .await
        .unwrap_err();
    assert!(!failure.is_permanent(), "{failure:?}");
    assert!(failure.text().contains("STARTTLS"), "{failure}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sink.received().is_empty());
}
