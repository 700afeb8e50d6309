//! Customer mail as mail programs write it, taken apart by `parse_inbound`.

use redress_mailer::{
    InboundError, InboundLimits, Mailbox, RefusalReason, dispute_reference, outbox_id,
    parse_inbound,
};

/// The raw mail with CRLF line ends, as it comes off the wire.
fn wire(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push('\n');
        }
        let n = chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn our_from() -> Mailbox {
    "Redress Billing <billing@example.com>".parse().unwrap()
}

const GMAIL_REPLY: &str = r#"MIME-Version: 1.0
Date: Tue, 4 Nov 2026 09:15:22 +0100
References: <42@redress.example.com>
In-Reply-To: <42@redress.example.com>
Message-ID: <CAJ7Xq+Vb3kR2mT9w=Lp0q@mail.gmail.com>
Subject: Re: [DSP-0193ab45cd2-1a2b3c4d] Your dispute about invoice INV-2026-0042
From: Ana Kowalski <Ana.Kowalski@Example.ORG>
To: Redress Billing <billing@example.com>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Thanks =E2=80=94 the credit note looks right. I'll pay the rest on Friday.

Ana

On Mon, 3 Nov 2026 at 10:02, Redress Billing <billing@example.com> wrote:

> Dear Ana,
>
> We have credited line 2 of invoice INV-2026-0042.
>

--000000000000a1b2c3d4e5f60718
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Thanks =E2=80=94 the credit note looks right. I&#39;ll pay=
 the rest on Friday.<div><br></div><div>Ana</div></div><br><div class=3D"gm=
ail_quote"><div dir=3D"ltr" class=3D"gmail_attr">On Mon, 3 Nov 2026 at 10:0=
2, Redress Billing &lt;<a href=3D"mailto:billing@example.com">billing@examp=
le.com</a>&gt; wrote:<br></div><blockquote class=3D"gmail_quote" style=3D"m=
argin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left=
:1ex">Dear Ana,<br><br>We have credited line 2 of invoice INV-2026-0042.<br=
></blockquote></div>

--000000000000a1b2c3d4e5f60718--
"#;

#[test]
fn a_gmail_reply_gives_its_sender_thread_and_new_part_without_the_quotes() {
    let mail = parse_inbound(&wire(GMAIL_REPLY), &InboundLimits::default()).unwrap();
    assert_eq!(mail.from, "ana.kowalski@example.org");
    assert_eq!(mail.from_name.as_deref(), Some("Ana Kowalski"));
    assert_eq!(mail.to, ["billing@example.com"]);
    assert_eq!(
        mail.subject,
        "Re: [DSP-0193ab45cd2-1a2b3c4d] Your dispute about invoice INV-2026-0042"
    );
    assert_eq!(
        mail.message_id.as_deref(),
        Some("CAJ7Xq+Vb3kR2mT9w=Lp0q@mail.gmail.com")
    );
    assert_eq!(mail.in_reply_to, ["42@redress.example.com"]);
    assert_eq!(mail.references, ["42@redress.example.com"]);
    assert_eq!(outbox_id(&mail.in_reply_to[0], &our_from()), Some("42"));
    assert_eq!(
        mail.date,
        Some("2026-11-04T08:15:22Z".parse::<jiff::Timestamp>().unwrap())
    );
    // The plain part is the text, not the HTML one.
    assert!(
        mail.text
            .starts_with("Thanks — the credit note looks right.")
    );
    assert!(
        mail.text
            .contains("> We have credited line 2 of invoice INV-2026-0042.")
    );
    assert!(!mail.text.contains("<div"));
    assert_eq!(
        mail.reply_text,
        "Thanks — the credit note looks right. I'll pay the rest on Friday.\n\nAna"
    );
    assert_eq!(
        dispute_reference(&mail).as_deref(),
        Some("DSP-0193ab45cd2-1a2b3c4d")
    );
    assert!(mail.attachments.is_empty() && mail.refused_attachments.is_empty());
}

const HTML_ONLY_REPLY: &str = r#"From: Ana Kowalski <ana@example.org>
To: billing@example.com
Subject: Re: [DSP-7] Your dispute
Message-ID: <html-only-1@example.org>
MIME-Version: 1.0
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<html><head><style>p { margin: 0 }</style></head><body>
<div dir=3D"ltr">Thanks =E2=80=94 the credit note looks right. I&#39;ll pay=
 the rest on Friday.<div><br></div><div>Ana</div></div><br><div class=3D"gm=
ail_quote"><div dir=3D"ltr" class=3D"gmail_attr">On Mon, 3 Nov 2026 at 10:0=
2, Redress Billing &lt;<a href=3D"mailto:billing@example.com">billing@examp=
le.com</a>&gt; wrote:<br></div><blockquote class=3D"gmail_quote">Dear Ana,<=
br><br>We have credited line&nbsp;2 of invoice INV-2026-0042 &amp; waived t=
he fee.<br></blockquote></div></body></html>
"#;

#[test]
fn an_html_only_reply_is_reduced_to_text_and_its_blockquote_to_quoted_lines() {
    let mail = parse_inbound(&wire(HTML_ONLY_REPLY), &InboundLimits::default()).unwrap();
    assert_eq!(
        mail.text,
        "Thanks — the credit note looks right. I'll pay the rest on Friday.\nAna\n\
         On Mon, 3 Nov 2026 at 10:02, Redress Billing <billing@example.com> wrote:\n\n\
         > Dear Ana,\n> We have credited line 2 of invoice INV-2026-0042 & waived the fee."
    );
    assert_eq!(
        mail.reply_text,
        "Thanks — the credit note looks right. I'll pay the rest on Friday.\nAna"
    );
}

const SPANISH_REPLY: &str = r#"Return-Path: <maria.garcia@correo.example.es>
Received: from mail.correo.example.es (mail.correo.example.es [192.0.2.25])
	by mx.example.com with ESMTPS id 4Xy2k
	for <billing@example.com>; Tue, 4 Nov 2026 11:40:03 +0100 (CET)
From: =?UTF-8?Q?Mar=C3=ADa_Garc=C3=ADa?= <maria.garcia@correo.example.es>
To: billing@example.com
Subject: Re: [DSP-12] Su disputa sobre la factura
 =?UTF-8?Q?=E2=80=94_=C2=BFcu=C3=A1ndo_llega_el_abono=3F?=
Date: Tue, 4 Nov 2026 11:39:58 +0100
Message-ID: <5f1c2a9e-77b1-4c2e-9a0d-0e1f2a3b4c5d@correo.example.es>
In-Reply-To: <12-3@redress.example.com>
References: <12-1@redress.example.com>
 <12-3@redress.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
Content-Language: es-ES

S=ED, gracias. Recib=ED la nota de cr=E9dito, pero el abono a=FAn no aparec=
e en mi cuenta.

Saludos,
Mar=EDa

El lun, 3 nov 2026 a las 10:02, Redress Billing (<billing@example.com>)
escribi=F3:

> Estimada Mar=EDa:
>
> Hemos emitido la nota de cr=E9dito CN-2026-0007.
"#;

#[test]
fn a_spanish_reply_with_an_encoded_subject_and_latin1_body_decodes() {
    let mail = parse_inbound(&wire(SPANISH_REPLY), &InboundLimits::default()).unwrap();
    assert_eq!(mail.from, "maria.garcia@correo.example.es");
    assert_eq!(mail.from_name.as_deref(), Some("María García"));
    assert_eq!(
        mail.subject,
        "Re: [DSP-12] Su disputa sobre la factura — ¿cuándo llega el abono?"
    );
    assert_eq!(dispute_reference(&mail).as_deref(), Some("DSP-12"));
    assert_eq!(mail.in_reply_to, ["12-3@redress.example.com"]);
    assert_eq!(
        mail.references,
        ["12-1@redress.example.com", "12-3@redress.example.com"]
    );
    assert_eq!(
        mail.reply_text,
        "Sí, gracias. Recibí la nota de crédito, pero el abono aún no aparece en mi cuenta.\n\nSaludos,\nMaría"
    );
    assert!(
        mail.text
            .ends_with("> Hemos emitido la nota de crédito CN-2026-0007.")
    );
}

const CHINESE_REPLY: &str = r#"From: =?UTF-8?B?546L6Iqz?= <wangfang@example.cn>
To: "Redress Billing" <billing@example.com>
Subject: =?UTF-8?B?5Zue5aSN77yaW0RTUC05XSDmgqjnmoTkuonorq7lt7LlpITnkIY=?=
Date: Wed, 5 Nov 2026 08:01:00 +0800
Message-ID: <tencent_3F2A1B@qq.example.cn>
In-Reply-To: <9-2@redress.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

5oKo5aW977yMDQoNCuaIkeW3suaUtuWIsOi0t+iusOWNlSBDTi0yMDI2LTAwMDfvvIzosKLosKLj
gILor7fpl67kvZnpop3ku4DkuYjml7blgJnpgIDlm57vvJ8NCg0K546L6IqzDQoNCuWcqCAyMDI2
5bm0MTHmnIgz5pelIOWRqOS4gCAxMDowMu+8jFJlZHJlc3MgQmlsbGluZyA8YmlsbGluZ0BleGFt
cGxlLmNvbT4g5YaZ6YGT77yaDQo+IOeOi+iKs+aCqOWlve+8jA0KPg0KPiDmiJHku6zlt7LlpITn
kIbmgqjlhbPkuo7lj5HnpaggSU5WLTIwMjYtMDA0MiDnmoTkuonorq7jgIINCg==
"#;

#[test]
fn a_chinese_reply_in_base64_decodes_and_loses_its_history() {
    let mail = parse_inbound(&wire(CHINESE_REPLY), &InboundLimits::default()).unwrap();
    assert_eq!(mail.from, "wangfang@example.cn");
    assert_eq!(mail.from_name.as_deref(), Some("王芳"));
    assert_eq!(mail.subject, "回复：[DSP-9] 您的争议已处理");
    assert_eq!(dispute_reference(&mail).as_deref(), Some("DSP-9"));
    assert_eq!(
        mail.date,
        Some("2026-11-05T00:01:00Z".parse::<jiff::Timestamp>().unwrap())
    );
    assert_eq!(
        mail.reply_text,
        "您好，\n\n我已收到贷记单 CN-2026-0007，谢谢。请问余额什么时候退回？\n\n王芳"
    );
    assert!(
        mail.text
            .contains("> 我们已处理您关于发票 INV-2026-0042 的争议。")
    );
}

#[test]
fn a_gb18030_body_and_gbk_subject_decode_as_chinese_mail_programs_send_them() {
    let raw = "From: wangfang@example.cn\nTo: billing@example.com\n\
        Subject: =?GBK?B?u9i4tKO60vjQ0LvYtaU=?=\nMIME-Version: 1.0\n\
        Content-Type: text/plain; charset=\"GB18030\"\nContent-Transfer-Encoding: base64\n\n\
        xPq6w6OsuL28/srH0vjQ0LvYtaWhow0K\n";
    let mail = parse_inbound(&wire(raw), &InboundLimits::default()).unwrap();
    assert_eq!(mail.subject, "回复：银行回单");
    assert_eq!(mail.text, "您好，附件是银行回单。");
    assert_eq!(mail.from_name, None);
}

/// A small PDF with every byte value in it, so that a decoding slip shows.
fn pdf_bytes() -> Vec<u8> {
    let mut pdf =
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n".to_vec();
    pdf.extend(0..=255u8);
    pdf.extend_from_slice(b"\nendstream\n%%EOF\n");
    pdf
}

fn mixed_mail(parts: &[(&str, &str, Vec<u8>)]) -> String {
    let mut raw = String::from(
        "From: Ana Kowalski <ana@example.org>\nTo: billing@example.com\n\
         Subject: Re: [DSP-7] Documents\nMessage-ID: <m1@example.org>\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n\
         Content-Type: text/plain; charset=utf-8\n\nThe bank's receipt is attached.\n",
    );
    for (content_type, disposition, bytes) in parts {
        raw.push_str(&format!(
            "--b1\nContent-Type: {content_type}\nContent-Disposition: {disposition}\n\
             Content-Transfer-Encoding: base64\n\n{}\n",
            base64(bytes)
        ));
    }
    raw.push_str("--b1--\n");
    raw
}

#[test]
fn a_pdf_attachment_comes_out_byte_for_byte_with_its_utf8_name() {
    let raw = mixed_mail(&[(
        "application/pdf; name=\"nota.pdf\"",
        "attachment; filename*=UTF-8''nota%20de%20cr%C3%A9dito%20CN-7.pdf",
        pdf_bytes(),
    )]);
    let mail = parse_inbound(&wire(&raw), &InboundLimits::default()).unwrap();
    assert_eq!(mail.text, "The bank's receipt is attached.");
    assert_eq!(mail.attachments.len(), 1, "{:?}", mail.refused_attachments);
    let pdf = &mail.attachments[0];
    assert_eq!(pdf.file_name, "nota de crédito CN-7.pdf");
    assert_eq!(pdf.media_type, "application/pdf");
    assert_eq!(pdf.bytes, pdf_bytes());
    assert!(mail.refused_attachments.is_empty());
}

#[test]
fn oversized_disallowed_and_disguised_attachments_are_listed_as_refused_and_the_rest_kept() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(3000, 7);
    let raw = mixed_mail(&[
        ("image/png", "attachment; filename=\"screenshot.png\"", png),
        (
            "application/x-msdownload",
            "attachment; filename=\"factura.exe\"",
            b"MZ\x90\x00\x03".to_vec(),
        ),
        (
            "application/pdf",
            "attachment; filename=\"invoice.pdf\"",
            b"MZ\x90\x00 not a pdf".to_vec(),
        ),
        (
            "text/csv; charset=utf-8",
            "attachment; filename=\"../../etc/payments.csv\"",
            b"date,amount\n2026-11-01,12.50\n".to_vec(),
        ),
        ("application/pdf", "attachment", pdf_bytes()),
    ]);
    let limits = InboundLimits {
        max_attachment_bytes: 2048,
        ..InboundLimits::default()
    };
    let mail = parse_inbound(&wire(&raw), &limits).unwrap();

    let refused: Vec<_> = mail
        .refused_attachments
        .iter()
        .map(|refused| (refused.file_name.as_str(), refused.size, &refused.reason))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "screenshot.png",
                3000,
                &RefusalReason::TooLarge {
                    size: 3000,
                    limit: 2048
                }
            ),
            (
                "factura.exe",
                5,
                &RefusalReason::MediaType("application/x-msdownload".into())
            ),
            (
                "invoice.pdf",
                14,
                &RefusalReason::ContentMismatch("application/pdf".into())
            ),
        ]
    );
    let kept: Vec<_> = mail
        .attachments
        .iter()
        .map(|kept| (kept.file_name.as_str(), kept.media_type.as_str()))
        .collect();
    assert_eq!(
        kept,
        [
            ("payments.csv", "text/csv"),
            ("attachment-5.pdf", "application/pdf")
        ]
    );
    assert_eq!(
        mail.attachments[0].bytes,
        b"date,amount\n2026-11-01,12.50\n"
    );
    assert_eq!(mail.attachments[1].bytes, pdf_bytes());
    assert_eq!(mail.text, "The bank's receipt is attached.");
}

#[test]
fn a_mail_without_from_is_refused() {
    let raw = "To: billing@example.com\nSubject: [DSP-3] hello\nDate: Tue, 4 Nov 2026 09:15:22 +0100\n\nNo sender here.\n";
    assert_eq!(
        parse_inbound(&wire(raw), &InboundLimits::default()),
        Err(InboundError::NoFrom)
    );
    let raw = "From: undisclosed-recipients:;\nTo: billing@example.com\nSubject: x\n\nbody\n";
    assert_eq!(
        parse_inbound(&wire(raw), &InboundLimits::default()),
        Err(InboundError::NoFrom)
    );
}

#[test]
fn garbage_bytes_and_an_empty_input_are_not_a_mail() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for raw in [
        &garbage[..],
        b"",
        b"\x00\x01\x02\xff\xfe",
        b"hello world, this is not mail\n",
    ] {
        let parsed = parse_inbound(raw, &InboundLimits::default());
        assert!(
            matches!(parsed, Err(InboundError::NotAMail(_))),
            "{parsed:?}"
        );
    }
}

#[test]
fn a_mail_over_the_size_limit_is_refused_before_it_is_parsed() {
    let limits = InboundLimits {
        max_message_bytes: 100,
        ..InboundLimits::default()
    };
    let raw = wire(GMAIL_REPLY);
    assert_eq!(
        parse_inbound(&raw, &limits),
        Err(InboundError::TooLarge {
            size: raw.len(),
            limit: 100
        })
    );
}

#[test]
fn an_outlook_reply_loses_the_header_block_and_all_below_it() {
    let raw = "From: \"Lee, Sam\" <Sam.Lee@corp.example.com>\nTo: billing@example.com\n\
        Subject: RE: [DSP-44] Late fee on INV-9\nThread-Topic: [DSP-44] Late fee on INV-9\n\
        MIME-Version: 1.0\nContent-Type: text/plain; charset=\"us-ascii\"\n\n\
        We paid on the 2nd; the bank reference is 99812.\n\nSam Lee\nAccounts Payable\n\n\
        -----Original Message-----\nFrom: Redress Billing <billing@example.com>\n\
        Sent: Monday, November 3, 2026 10:02 AM\nTo: Lee, Sam <Sam.Lee@corp.example.com>\n\
        Subject: [DSP-44] Late fee on INV-9\n\nDear Sam,\nA late fee was charged.\n";
    let mail = parse_inbound(&wire(raw), &InboundLimits::default()).unwrap();
    assert_eq!(mail.from, "sam.lee@corp.example.com");
    assert_eq!(mail.from_name.as_deref(), Some("Lee, Sam"));
    assert_eq!(
        mail.reply_text,
        "We paid on the 2nd; the bank reference is 99812.\n\nSam Lee\nAccounts Payable"
    );
    assert_eq!(dispute_reference(&mail).as_deref(), Some("DSP-44"));
}
