//! Property tests over the MIME parsing of received mail: any bytes, and a real reply with bytes
//! spliced in anywhere (its headers, boundaries, encodings), are taken apart or refused with a
//! reason; nothing panics, and a delivery report is looked for in the same bytes without
//! panicking either.

use proptest::prelude::*;
use redress_mailer::{InboundLimits, parse_inbound, read_bounce};

/// A multipart reply with an attachment, as a mail program sends it.
const REPLY: &str = "Return-Path: <ana@example.org>\r\n\
Message-ID: <r1@mail.example.org>\r\n\
In-Reply-To: <42@redress.example.com>\r\n\
Subject: Re: [DSP-0193ab45cd2-1a2b3c4d] Your dispute\r\n\
From: Ana Kowalski <ana@example.org>\r\n\
To: Billing <billing@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=\"UTF-8\"\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Thanks =E2=80=94 see the scan.\r\n\
--b1\r\n\
Content-Type: application/pdf; name=\"scan.pdf\"\r\n\
Content-Disposition: attachment; filename=\"scan.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQKJcOkw7zDtsOfCg==\r\n\
--b1--\r\n";

fn noise() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(b'\0'),
        Just(b'\r'),
        Just(b'\n'),
        Just(b'-'),
        Just(b'='),
        Just(b'"'),
        Just(b':'),
        Just(b';'),
        Just(0xFFu8),
        any::<u8>(),
    ];
    prop::collection::vec(byte, 0..96)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_taken_apart_or_refused_without_a_panic(raw in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_inbound(&raw, &InboundLimits::default());
        let _ = read_bounce(&raw);
    }

    #[test]
    fn a_reply_with_bytes_spliced_anywhere_is_taken_apart_or_refused_with_a_reason(
        at in any::<prop::sample::Index>(),
        cut in 0usize..16,
        bytes in noise(),
    ) {
        let mut raw = REPLY.as_bytes().to_vec();
        let at = at.index(raw.len() + 1);
        let end = (at + cut).min(raw.len());
        raw.splice(at..end, bytes);
        match parse_inbound(&raw, &InboundLimits::default()) {
            Ok(mail) => {
                // A file kept is within the limits it was taken under.
                let limits = InboundLimits::default();
                for attachment in &mail.attachments {
                    prop_assert!(attachment.bytes.len() <= limits.max_message_bytes);
                }
            }
            Err(refused) => prop_assert!(!refused.to_string().is_empty()),
        }
        let _ = read_bounce(&raw);
    }
}
