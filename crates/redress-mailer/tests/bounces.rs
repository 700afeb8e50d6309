//! Delivery reports (bounces) as mail servers write them, read by `parse_inbound` and
//! `read_bounce`: the mail they are about, who was not reached, why, and whether for good.

use redress_mailer::{Bounce, InboundError, InboundLimits, parse_inbound, read_bounce};

/// The raw mail with CRLF line ends, as it comes off the wire.
fn wire(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// The report `raw` is, read both ways (alone, and as `parse_inbound` gives it), which agree.
fn bounce(raw: &str) -> Bounce {
    let raw = wire(raw);
    let mail = parse_inbound(&raw, &InboundLimits::default()).expect("a report is taken");
    let read = read_bounce(&raw).expect("a delivery report");
    assert_eq!(mail.bounce.as_ref(), Some(&read));
    read
}

const OURS_TO_ACME: &str = "MSG-0193ab45cd3-5e6f7a8b@redress.acme-billing.example";

const POSTFIX_BOUNCE: &str = r#"Return-Path: <>
Received: by mail.acme-billing.example (Postfix)
	id 4Xyz1Q2w3Kz; Tue,  4 Nov 2026 09:15:24 +0100 (CET)
Date: Tue,  4 Nov 2026 09:15:24 +0100 (CET)
From: MAILER-DAEMON@mail.acme-billing.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: billing@acme-billing.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4Xyz1Q2w3Kz.1793780124/mail.acme-billing.example"
Content-Transfer-Encoding: 8bit
Message-Id: <20261104081524.4Xyz1Q2w3Kz@mail.acme-billing.example>

This is a MIME-encapsulated message.

--4Xyz1Q2w3Kz.1793780124/mail.acme-billing.example
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mail.acme-billing.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<ap@acme.example>: host mx.acme.example[192.0.2.10] said: 550 5.1.1
    <ap@acme.example>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--4Xyz1Q2w3Kz.1793780124/mail.acme-billing.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.acme-billing.example
X-Postfix-Queue-ID: 4Xyz1Q2w3Kz
X-Postfix-Sender: rfc822; billing@acme-billing.example
Arrival-Date: Tue,  4 Nov 2026 09:15:22 +0100 (CET)

Final-Recipient: rfc822; ap@acme.example
Original-Recipient: rfc822;AP@acme.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.acme.example
Diagnostic-Code: smtp; 550 5.1.1 <ap@acme.example>: Recipient address rejected:
    User unknown in virtual mailbox table

--4Xyz1Q2w3Kz.1793780124/mail.acme-billing.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <billing@acme-billing.example>
Received: from redress (localhost [127.0.0.1])
	by mail.acme-billing.example (Postfix) with ESMTP id 4Xyz1Q2w3Kz
	for <ap@acme.example>; Tue,  4 Nov 2026 09:15:22 +0100 (CET)
From: Acme Billing <billing@acme-billing.example>
To: Acme AP <ap@acme.example>
Subject: [DSP-0193ab45cd2-1a2b3c4d] We have received your dispute
Message-ID: <MSG-0193ab45cd3-5e6f7a8b@redress.acme-billing.example>
Date: Tue, 4 Nov 2026 08:15:22 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

--4Xyz1Q2w3Kz.1793780124/mail.acme-billing.example--
"#;

#[test]
fn a_postfix_report_names_the_mail_returned_its_recipient_and_the_servers_refusal() {
    let report = bounce(POSTFIX_BOUNCE);
    assert_eq!(
        report,
        Bounce {
            original_message_ids: vec![OURS_TO_ACME.to_owned()],
            recipients: vec!["ap@acme.example".to_owned()],
            status: Some("5.1.1".to_owned()),
            diagnostic: Some(
                "550 5.1.1 <ap@acme.example>: Recipient address rejected: User unknown in \
                 virtual mailbox table"
                    .to_owned()
            ),
            permanent: true,
        }
    );
    let mail = parse_inbound(&wire(POSTFIX_BOUNCE), &InboundLimits::default()).unwrap();
    assert_eq!(mail.from, "mailer-daemon@mail.acme-billing.example");
}

#[test]
fn a_report_sent_with_no_sender_is_taken_though_a_mail_without_one_is_not() {
    let without_from = POSTFIX_BOUNCE.replace(
        "From: MAILER-DAEMON@mail.acme-billing.example (Mail Delivery System)\n",
        "From: <>\n",
    );
    let mail = parse_inbound(&wire(&without_from), &InboundLimits::default())
        .expect("a report needs no sender");
    assert_eq!(mail.from, "");
    assert!(mail.bounce.is_some_and(|b| b.permanent));
    let no_from_at_all = POSTFIX_BOUNCE.replace(
        "From: MAILER-DAEMON@mail.acme-billing.example (Mail Delivery System)\n",
        "",
    );
    assert!(parse_inbound(&wire(&no_from_at_all), &InboundLimits::default()).is_ok());
    // The plain shape is known by its sender; with none, by the empty return path.
    let plain = "Return-Path: <>\nSubject: Mail delivery failed: returning message to sender\n\
        \nA message that you sent could not be delivered.\n\n  ap@acme.example\n\
        \n------ This is a copy of the message, including all the headers. ------\n\n\
        Message-ID: <MSG-1@redress.acme-billing.example>\n";
    let mail = parse_inbound(&wire(plain), &InboundLimits::default()).unwrap();
    assert_eq!(
        mail.bounce.unwrap().original_message_ids,
        ["MSG-1@redress.acme-billing.example"]
    );
    let plain_with_a_return_path = plain.replace("Return-Path: <>", "Return-Path: <a@b.example>");
    assert_eq!(
        parse_inbound(&wire(&plain_with_a_return_path), &InboundLimits::default()),
        Err(InboundError::NoFrom)
    );
}

const GMAIL_BOUNCE: &str = r#"Delivered-To: billing@acme-billing.example
Return-Path: <>
Received: by 2002:a05:6a10:8e0b:b0:5c1:2f3e:a1b2 with SMTP id ab11csp123456pxb;
        Tue, 4 Nov 2026 00:15:25 -0800 (PST)
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: billing@acme-billing.example
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: <MSG-0193ab45cd4-11223344@redress.acme-billing.example>
In-Reply-To: <MSG-0193ab45cd4-11223344@redress.acme-billing.example>
X-Failed-Recipients: keiri@sora.example
Message-ID: <6543a1b2.050a0220.3b2c1.0001.GMR@mx.google.com>
Date: Tue, 04 Nov 2026 00:15:25 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000f1e2d3c4b5a69788"; report-type=delivery-status

--000000000000f1e2d3c4b5a69788
Content-Type: multipart/related; boundary="000000000000f1e2d3c4b5a6a0b1"

--000000000000f1e2d3c4b5a6a0b1
Content-Type: multipart/alternative; boundary="000000000000f1e2d3c4b5a6a0c2"

--000000000000f1e2d3c4b5a6a0c2
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to keiri@sora.example because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.com/mail/?p=NoSuchUser

The response was:

The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.

--000000000000f1e2d3c4b5a6a0c2
Content-Type: text/html; charset="UTF-8"

<html><body><h2>Address not found</h2><p>Your message wasn't delivered to <b>keiri@sora.example</b> because the address couldn't be found.</p></body></html>

--000000000000f1e2d3c4b5a6a0c2--

--000000000000f1e2d3c4b5a6a0b1--

--000000000000f1e2d3c4b5a69788
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; mail.acme-billing.example
Arrival-Date: Tue, 04 Nov 2026 00:15:24 -0800 (PST)

Final-Recipient: rfc822; keiri@sora.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2a00:1450:400c:c0b::1b, the server
 for the domain sora.example.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
 not exist. Please try double-checking the recipient's email address for typos or
 unnecessary spaces. 6a1803df08f44-6e2a5c1d3f1si123456qvb.12 - gsmtp
Last-Attempt-Date: Tue, 04 Nov 2026 00:15:25 -0800 (PST)

--000000000000f1e2d3c4b5a69788
Content-Type: message/rfc822

From: Acme Billing <billing@acme-billing.example>
To: Sora <keiri@sora.example>
Subject: =?UTF-8?Q?[DSP-0193ab45cd2-9f8e7d6c]_Hemos_recibido_su_disputa?=
Message-ID: <MSG-0193ab45cd4-11223344@redress.acme-billing.example>
Date: Tue, 4 Nov 2026 08:15:22 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Estimada Sora: hemos recibido su disputa.

--000000000000f1e2d3c4b5a69788--
"#;

#[test]
fn a_gmail_failure_notification_names_the_attached_original_and_googles_words() {
    let report = bounce(GMAIL_BOUNCE);
    assert_eq!(
        report.original_message_ids,
        ["MSG-0193ab45cd4-11223344@redress.acme-billing.example"]
    );
    assert_eq!(report.recipients, ["keiri@sora.example"]);
    assert_eq!(report.status.as_deref(), Some("5.1.1"));
    let diagnostic = report.diagnostic.unwrap();
    assert!(
        diagnostic.starts_with("550-5.1.1 The email account that you tried to reach does not"),
        "{diagnostic}"
    );
    assert!(diagnostic.ends_with("- gsmtp"), "{diagnostic}");
    assert!(report.permanent);
}

#[test]
fn an_exim_plain_text_failure_quoting_the_original_headers_is_read_from_its_words() {
    let raw = "Return-path: <>\n\
        Envelope-to: billing@acme-billing.example\n\
        Received: from Debian-exim by mx.dq.example with local (Exim 4.96)\n\
        \tid 1tAbCd-0001Xy-2Q\n\
        \tfor billing@acme-billing.example; Tue, 04 Nov 2026 09:15:25 +0100\n\
        X-Failed-Recipients: dana@dq.example\n\
        Auto-Submitted: auto-replied\n\
        From: Mail Delivery System <Mailer-Daemon@mx.dq.example>\n\
        To: billing@acme-billing.example\n\
        Subject: Mail delivery failed: returning message to sender\n\
        Message-Id: <E1tAbCd-0001Xy-2Q@mx.dq.example>\n\
        Date: Tue, 04 Nov 2026 09:15:25 +0100\n\
        \n\
        This message was created automatically by mail delivery software.\n\
        \n\
        A message that you sent could not be delivered to one or more of its\n\
        recipients. This is a permanent error. The following address(es) failed:\n\
        \n\
        \x20 dana@dq.example\n\
        \x20   host mx.dq.example [192.0.2.30]\n\
        \x20   SMTP error from remote mail server after RCPT TO:<dana@dq.example>:\n\
        \x20   550 5.2.1 <dana@dq.example>: mailbox disabled\n\
        \n\
        ------ This is a copy of the message, including all the headers. ------\n\
        \n\
        Return-path: <billing@acme-billing.example>\n\
        Received: from mail.acme-billing.example ([198.51.100.7])\n\
        \tby mx.dq.example with esmtp (Exim 4.96)\n\
        \tid 1tAbCc-0001Xw-1P\n\
        \tfor dana@dq.example; Tue, 04 Nov 2026 09:15:24 +0100\n\
        From: Acme Billing <billing@acme-billing.example>\n\
        To: Dana <dana@dq.example>\n\
        Subject: [DSP-0193ab45cd2-55667788] Your dispute about INV-D2\n\
        Message-ID: <MSG-0193ab45cd5-99aabbcc@redress.acme-billing.example>\n\
        In-Reply-To: <new-1@dq.example>\n\
        Date: Tue, 4 Nov 2026 08:15:22 +0000\n\
        \n\
        Dear Dana, we have received your dispute (status 4.4.4 is not ours).\n";
    let report = bounce(raw);
    assert_eq!(
        report,
        Bounce {
            original_message_ids: vec![
                "MSG-0193ab45cd5-99aabbcc@redress.acme-billing.example".to_owned()
            ],
            recipients: vec!["dana@dq.example".to_owned()],
            status: Some("5.2.1".to_owned()),
            diagnostic: Some("550 5.2.1 <dana@dq.example>: mailbox disabled".to_owned()),
            permanent: true,
        }
    );
}

#[test]
fn an_undeliverable_report_with_the_original_attached_but_no_delivery_status_is_read_too() {
    let raw = "From: postmaster@acme.example\n\
        To: billing@acme-billing.example\n\
        Subject: Undeliverable: [DSP-7] Your dispute\n\
        MIME-Version: 1.0\n\
        Content-Type: multipart/mixed; boundary=\"b1\"\n\
        \n\
        --b1\n\
        Content-Type: text/plain; charset=us-ascii\n\
        \n\
        Delivery has failed to these recipients or groups:\n\
        \n\
        AP@acme.example\n\
        The e-mail address you entered couldn't be found.\n\
        \n\
        Diagnostic information for administrators:\n\
        \n\
        Generating server: mail.acme.example\n\
        \n\
        ap@acme.example\n\
        Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found'\n\
        \n\
        --b1\n\
        Content-Type: message/rfc822\n\
        \n\
        From: Acme Billing <billing@acme-billing.example>\n\
        To: ap@acme.example\n\
        Subject: [DSP-7] Your dispute\n\
        Message-ID: <MSG-7@redress.acme-billing.example>\n\
        \n\
        Hello.\n\
        \n\
        --b1--\n";
    let report = bounce(raw);
    assert_eq!(
        report.original_message_ids,
        ["MSG-7@redress.acme-billing.example"]
    );
    assert_eq!(report.recipients, ["ap@acme.example"]);
    assert_eq!(report.status.as_deref(), Some("5.1.10"));
    assert_eq!(
        report.diagnostic.as_deref(),
        Some("Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found'")
    );
    assert!(report.permanent);
    // Nothing attached nor quoted: the report's own thread names the mail.
    let threaded = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\
        Subject: Delivery Status Notification (Failure)\n\
        In-Reply-To: <MSG-8@redress.acme-billing.example>\n\
        References: <MSG-6@redress.acme-billing.example> <MSG-8@redress.acme-billing.example>\n\
        \n\
        Your message wasn't delivered to ap@acme.example.\n";
    assert_eq!(
        bounce(threaded).original_message_ids,
        [
            "MSG-8@redress.acme-billing.example",
            "MSG-6@redress.acme-billing.example"
        ]
    );
}

#[test]
fn a_delay_notice_is_no_failure_in_either_shape() {
    let postfix = POSTFIX_BOUNCE
        .replace(
            "Subject: Undelivered Mail Returned to Sender",
            "Subject: Delayed Mail (still being retried)",
        )
        .replace("Action: failed", "Action: delayed")
        .replace("Status: 5.1.1", "Status: 4.4.1")
        .replace(
            "Diagnostic-Code: smtp; 550 5.1.1 <ap@acme.example>: Recipient address rejected:\n    User unknown in virtual mailbox table",
            "Diagnostic-Code: X-Postfix; connect to mx.acme.example[192.0.2.10]:25:\n    Connection timed out",
        );
    let report = bounce(&postfix);
    assert!(!report.permanent);
    assert_eq!(report.status.as_deref(), Some("4.4.1"));
    assert_eq!(
        report.diagnostic.as_deref(),
        Some("connect to mx.acme.example[192.0.2.10]:25: Connection timed out")
    );
    assert_eq!(report.original_message_ids, [OURS_TO_ACME]);

    let exim = "From: Mail Delivery System <Mailer-Daemon@mx.dq.example>\n\
        To: billing@acme-billing.example\n\
        Subject: Warning: message 1tAbCc-0001Xw-1P delayed 24 hours\n\
        \n\
        This message was created automatically by mail delivery software.\n\
        A message that you sent has not yet been delivered to one or more of its\n\
        recipients after more than 24 hours on the queue on mx.dq.example.\n\
        \n\
        The address to which the message has not yet been delivered is:\n\
        \n\
        \x20 dana@dq.example\n\
        \x20   Delay reason: SMTP error from remote mail server after RCPT TO:<dana@dq.example>:\n\
        \x20   451 4.3.0 Temporary lookup failure\n\
        \n\
        No action is required on your part. Delivery attempts will continue for\n\
        some time, and this warning may be repeated at intervals.\n";
    let report = bounce(exim);
    assert!(!report.permanent);
    assert_eq!(report.status.as_deref(), Some("4.3.0"));
    assert_eq!(report.recipients, ["dana@dq.example"]);
    assert!(report.original_message_ids.is_empty());
}

#[test]
fn a_customers_mail_a_read_receipt_and_a_postmasters_own_words_are_no_delivery_report() {
    let reply = "From: Ana <ana@example.org>\nTo: billing@example.com\n\
        Subject: Re: [DSP-1] Undelivered goods on INV-1\nIn-Reply-To: <MSG-1@redress.example.com>\n\
        \nThe parcel never came; is this what you meant by undeliverable?\n";
    assert_eq!(read_bounce(&wire(reply)), None);
    let postmaster = "From: postmaster@acme.example\nTo: billing@example.com\n\
        Subject: Re: [DSP-1] your invoice\n\nPlease write to ap@acme.example instead.\n";
    let mail = parse_inbound(&wire(postmaster), &InboundLimits::default()).unwrap();
    assert_eq!(mail.bounce, None);
    let read_receipt = "From: ap@acme.example\nTo: billing@example.com\n\
        Subject: Read: [DSP-1] Your dispute\nMIME-Version: 1.0\n\
        Content-Type: multipart/report; report-type=disposition-notification; boundary=\"r\"\n\
        \n--r\nContent-Type: text/plain\n\nYour message was read.\n\
        --r\nContent-Type: message/disposition-notification\n\n\
        Final-Recipient: rfc822; ap@acme.example\n\
        Original-Message-ID: <MSG-1@redress.example.com>\n\
        Disposition: manual-action/MDN-sent-manually; displayed\n--r--\n";
    assert_eq!(read_bounce(&wire(read_receipt)), None);
}
