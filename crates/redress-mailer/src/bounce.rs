//! A delivery report (a "bounce"): a mail server's word that a mail Redress sent did not reach
//! the customer, for good or not yet, with the mail it is about.
//!
//! Two shapes are read:
//! - RFC 3464's `multipart/report; report-type=delivery-status`, whose `message/delivery-status`
//!   part says per recipient what happened (`Action`, `Status`, `Diagnostic-Code`), with the
//!   original mail or its headers (`message/rfc822`, `text/rfc822-headers`) attached;
//! - the older plain shape: from `MAILER-DAEMON@…` or `postmaster@…` (or with no sender and an
//!   empty `Return-Path: <>`), under a subject such as "Undelivered Mail Returned to Sender" or
//!   "Mail delivery failed", saying in words what failed, with the original mail attached or
//!   its headers quoted in the text.
//!
//! A report says which mail it is about by that mail's Message-ID: the attached original's, the
//! one quoted in the text, or else the report's own `In-Reply-To`/`References`.

use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// A delivery report about a mail, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The Message-IDs of the mail reported on, without `<>`: with [`crate::outbox_id`], the
    /// mail Redress sent. Empty when the report names none.
    pub original_message_ids: Vec<String>,
    /// The addresses the mail did not reach (or not yet), lower-cased.
    pub recipients: Vec<String>,
    /// The status code, e.g. `5.1.1` (RFC 3463), when the report gives one.
    pub status: Option<String>,
    /// The receiving server's words, e.g. `550 5.1.1 <ana@example.org>: User unknown`.
    pub diagnostic: Option<String>,
    /// Whether delivery failed for good (a `5.x.x` status, or `Action: failed`). A delay notice
    /// (`4.x.x`, `Action: delayed`) is not: the mail servers go on trying.
    pub permanent: bool,
}

/// The delivery report `raw` is, or `None` when it is no delivery report (or no mail).
pub fn read_bounce(raw: &[u8]) -> Option<Bounce> {
    let message = MessageParser::default().parse(raw)?;
    bounce_of(&message)
}

/// The delivery report `message` is, if it is one.
pub(crate) fn bounce_of(message: &Message<'_>) -> Option<Bounce> {
    let status_parts: Vec<&MessagePart<'_>> = message
        .parts
        .iter()
        .filter(|part| {
            is_type(part, "message", "delivery-status")
                || is_type(part, "message", "global-delivery-status")
        })
        .collect();
    let is_report = is_delivery_report(message)
        || !status_parts.is_empty()
        || (from_a_mail_system(message) && has_a_bounce_subject(message));
    if !is_report {
        return None;
    }
    let reported: Vec<Reported> = status_parts
        .iter()
        .flat_map(|part| reported_recipients(&String::from_utf8_lossy(part.contents())))
        .collect();
    let text = crate::inbound::body_text(message);
    let said = report_text(&text);
    let subject = message.subject().unwrap_or_default();

    let failed: Vec<&Reported> = reported.iter().filter(|r| r.failed()).collect();
    let (permanent, about) = if !failed.is_empty() {
        (true, failed)
    } else if !reported.is_empty() {
        let delayed: Vec<&Reported> = reported.iter().filter(|r| r.delayed()).collect();
        (
            false,
            if delayed.is_empty() {
                reported.iter().collect()
            } else {
                delayed
            },
        )
    } else {
        // No per-recipient fields: what the words say.
        let status = find_status(said);
        let permanent = match status.as_deref().and_then(|s| s.chars().next()) {
            Some('5') => true,
            Some(_) => false,
            None => !says_delayed(subject) && !says_delayed(said),
        };
        (permanent, Vec::new())
    };

    let mut recipients = Vec::new();
    for reported in &about {
        for address in [&reported.original, &reported.recipient]
            .into_iter()
            .flatten()
        {
            push_once(&mut recipients, address.clone());
        }
    }
    if recipients.is_empty() {
        for address in failed_recipients_header(message)
            .into_iter()
            .chain(listed_addresses(said))
        {
            push_once(&mut recipients, address);
        }
    }
    let status = about
        .iter()
        .find_map(|r| r.status.clone())
        .or_else(|| find_status(said));
    let diagnostic = about
        .iter()
        .find_map(|r| r.diagnostic.clone())
        .or_else(|| diagnostic_line(said, status.as_deref()));
    Some(Bounce {
        original_message_ids: original_message_ids(message, &text),
        recipients,
        status,
        diagnostic,
        permanent,
    })
}

/// `multipart/report; report-type=delivery-status` (or RFC 6533's global form).
fn is_delivery_report(message: &Message<'_>) -> bool {
    message.root_part().content_type().is_some_and(|content| {
        content.ctype() == "multipart"
            && content.subtype() == Some("report")
            && content.attribute("report-type").is_some_and(|kind| {
                kind.eq_ignore_ascii_case("delivery-status")
                    || kind.eq_ignore_ascii_case("global-delivery-status")
            })
    })
}

fn is_type(part: &MessagePart<'_>, ctype: &str, subtype: &str) -> bool {
    part.content_type().is_some_and(|content| {
        content.ctype().eq_ignore_ascii_case(ctype)
            && content
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case(subtype))
    })
}

/// Sent by a mail system rather than a person: from `MAILER-DAEMON` or `postmaster`, or with no
/// sender and the empty return path (`<>`) that reports are sent with so that they are never
/// answered by another report.
fn from_a_mail_system(message: &Message<'_>) -> bool {
    let sender = message
        .from()
        .and_then(|from| from.first())
        .and_then(|addr| addr.address())
        .map(str::trim)
        .filter(|address| !address.is_empty());
    match sender {
        Some(address) => {
            let local = address.split('@').next().unwrap_or_default();
            ["mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"]
                .iter()
                .any(|daemon| local.eq_ignore_ascii_case(daemon))
        }
        None => message
            .header_raw("Return-Path")
            .is_some_and(|path| path.trim() == "<>"),
    }
}

/// Subjects mail systems give their reports, lower-case.
const BOUNCE_SUBJECTS: [&str; 17] = [
    "undelivered mail",
    "undeliverable",
    "undelivered",
    "delivery status notification",
    "mail delivery failed",
    "delivery failure",
    "delivery failed",
    "delivery has failed",
    "failure notice",
    "returned mail",
    "returned to sender",
    "could not be delivered",
    "non-delivery",
    "nondelivery",
    "delivery notification",
    "delivery delayed",
    "delayed mail",
];

fn has_a_bounce_subject(message: &Message<'_>) -> bool {
    let subject = message.subject().unwrap_or_default().to_lowercase();
    BOUNCE_SUBJECTS.iter().any(|said| subject.contains(said))
        || (subject.starts_with("warning:") && subject.contains("delayed"))
}

/// Whether a report's words say delivery is only delayed (the servers go on trying).
fn says_delayed(text: &str) -> bool {
    let text = text.to_lowercase();
    [
        "delayed",
        "delay)",
        "not yet been delivered",
        "will continue",
        "will be retried",
        "will retry",
        "still trying",
    ]
    .iter()
    .any(|said| text.contains(said))
}

/// One recipient's fields of a `message/delivery-status` part.
#[derive(Debug, Default)]
struct Reported {
    /// `Final-Recipient`.
    recipient: Option<String>,
    /// `Original-Recipient`: the address the mail was sent to, when the server changed it.
    original: Option<String>,
    /// `Action`, lower-case: `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    action: Option<String>,
    status: Option<String>,
    diagnostic: Option<String>,
}

impl Reported {
    fn failed(&self) -> bool {
        match self.action.as_deref() {
            Some(action) => action == "failed",
            None => self.status.as_deref().is_some_and(|s| s.starts_with('5')),
        }
    }

    fn delayed(&self) -> bool {
        match self.action.as_deref() {
            Some(action) => action == "delayed",
            None => self.status.as_deref().is_some_and(|s| s.starts_with('4')),
        }
    }
}

/// The per-recipient field groups of a delivery-status body: header-like fields (continued on
/// indented lines) in groups parted by blank lines, the first about the whole message.
fn reported_recipients(body: &str) -> Vec<Reported> {
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if groups.last().is_some_and(|group| !group.is_empty()) {
                groups.push(Vec::new());
            }
            continue;
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            group.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    groups
        .into_iter()
        .filter(|group| {
            group
                .iter()
                .any(|(name, _)| name == "final-recipient" || name == "action")
        })
        .map(|group| {
            let mut reported = Reported::default();
            for (name, value) in group {
                match name.as_str() {
                    "final-recipient" => reported.recipient = typed_address(&value),
                    "original-recipient" => reported.original = typed_address(&value),
                    "action" => {
                        reported.action =
                            value.split_whitespace().next().map(str::to_ascii_lowercase)
                    }
                    "status" => {
                        reported.status = value
                            .split_whitespace()
                            .next()
                            .filter(|code| is_status(code))
                            .map(str::to_owned)
                    }
                    "diagnostic-code" => {
                        reported.diagnostic = Some(without_type(&value))
                            .filter(|words| !words.is_empty())
                            .map(str::to_owned)
                    }
                    _ => {}
                }
            }
            reported
        })
        .collect()
}

/// `rfc822; <Ana@Example.org>` as `ana@example.org`.
fn typed_address(value: &str) -> Option<String> {
    let address = without_type(value);
    let address = address
        .strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(address)
        .trim();
    is_address(address).then(|| address.to_lowercase())
}

/// A field's value without its type (`smtp; 550 …` gives `550 …`), as RFC 3464 writes them.
fn without_type(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.trim().is_empty() && !kind.trim().contains(' ') => rest.trim(),
        _ => value.trim(),
    }
}

fn is_address(address: &str) -> bool {
    !address.contains(char::is_whitespace)
        && address
            .rsplit_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

/// An RFC 3463 status code of a failure or a delay: `4.x.x` or `5.x.x`.
fn is_status(code: &str) -> bool {
    let mut pieces = code.split('.');
    let class = pieces.next().unwrap_or_default();
    let rest: Vec<&str> = pieces.collect();
    (class == "4" || class == "5")
        && rest.len() == 2
        && rest
            .iter()
            .all(|n| (1..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The first status code in `text` that stands alone (not a piece of an IP address).
fn find_status(text: &str) -> Option<String> {
    let stands_apart = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '.'));
    text.char_indices()
        .filter(|&(at, c)| (c == '4' || c == '5') && stands_apart(text[..at].chars().next_back()))
        .find_map(|(at, _)| {
            let code: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let code = code.trim_end_matches('.');
            let after = text[at + code.len()..].chars().next();
            (is_status(code) && (after == Some('.') || stands_apart(after)))
                .then(|| code.to_owned())
        })
}

/// The text of a report without the original mail it quotes (which has its own headers and
/// words, not the server's).
fn report_text(text: &str) -> &str {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let lower = line.trim().to_lowercase();
        let quotes_the_original = [
            "copy of the message",
            "original message follows",
            "original message headers",
            "----- original message",
            "message headers follow",
        ]
        .iter()
        .any(|marker| lower.contains(marker))
            || ["return-path:", "received:", "message-id:"]
                .iter()
                .any(|header| lower.starts_with(header));
        if quotes_the_original {
            break;
        }
        at += line.len();
    }
    &text[..at]
}

/// The server's answer in a report's words: the line starting with an SMTP reply code (`550 …`),
/// or else the line naming the status code.
fn diagnostic_line(said: &str, status: Option<&str>) -> Option<String> {
    let smtp_reply = |line: &&str| {
        let line = line.trim_start();
        let code: Vec<u8> = line.bytes().take(4).collect();
        code.len() == 4
            && (code[0] == b'4' || code[0] == b'5')
            && code[1..3].iter().all(u8::is_ascii_digit)
            && (code[3] == b' ' || code[3] == b'-')
    };
    said.lines()
        .find(smtp_reply)
        .or_else(|| status.and_then(|status| said.lines().find(|line| line.contains(status))))
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty())
}

/// Exim's `X-Failed-Recipients` header.
fn failed_recipients_header(message: &Message<'_>) -> Vec<String> {
    message
        .header_raw("X-Failed-Recipients")
        .into_iter()
        .flat_map(|value| value.split(','))
        .filter_map(typed_address)
        .collect()
}

/// The addresses a report's words list alone on a line (`  ana@example.org`, qmail's
/// `<ana@example.org>:`).
fn listed_addresses(said: &str) -> Vec<String> {
    said.lines()
        .filter_map(|line| typed_address(line.trim().trim_end_matches(':')))
        .collect()
}

/// The reported mail's Message-IDs: the attached original's (or its attached headers'), else
/// those its headers quoted in the text give, else those the report answers.
fn original_message_ids(message: &Message<'_>, text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for part in &message.parts {
        let attached = is_type(part, "message", "rfc822")
            || is_type(part, "message", "global")
            || is_type(part, "text", "rfc822-headers")
            || is_type(part, "message", "rfc822-headers")
            || is_type(part, "message", "global-headers");
        let id = match &part.body {
            PartType::Message(original) => original.message_id().map(str::to_owned),
            _ if attached => MessageParser::default()
                .parse_headers(part.contents())
                .and_then(|headers| headers.message_id().map(str::to_owned)),
            _ => None,
        };
        if let Some(id) = id.as_deref().map(strip_angles).filter(|id| !id.is_empty()) {
            push_once(&mut ids, id.to_owned());
        }
    }
    if ids.is_empty() {
        for line in text.lines() {
            let line = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
            let Some(value) = line
                .get(..11)
                .filter(|name| name.eq_ignore_ascii_case("message-id:"))
                .and_then(|_| line.get(11..))
            else {
                continue;
            };
            let id = strip_angles(value.split_whitespace().next().unwrap_or_default());
            if !id.is_empty() {
                push_once(&mut ids, id.to_owned());
            }
        }
    }
    if ids.is_empty() {
        let answered = crate::inbound::ids(message.in_reply_to());
        let thread = crate::inbound::ids(message.references());
        for id in answered.into_iter().chain(thread.into_iter().rev()) {
            push_once(&mut ids, id);
        }
    }
    ids
}

fn strip_angles(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix('<')
        .and_then(|id| id.strip_suffix('>'))
        .unwrap_or(id)
}

fn push_once(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_code_is_found_alone_and_not_in_an_address() {
        assert_eq!(
            find_status("said: 550 5.1.1 <a@b.example>: no").as_deref(),
            Some("5.1.1")
        );
        assert_eq!(find_status("host [192.0.2.25] refused"), None);
        assert_eq!(
            find_status("[5.6.7.8] then 4.4.7.").as_deref(),
            Some("4.4.7")
        );
        assert_eq!(find_status("version 2.0.0 only"), None);
    }

    #[test]
    fn a_fields_type_is_left_out_and_an_address_lower_cased() {
        assert_eq!(
            typed_address("rfc822; <Ana@Example.ORG>").as_deref(),
            Some("ana@example.org")
        );
        assert_eq!(
            without_type("smtp; 550 5.1.1 user unknown"),
            "550 5.1.1 user unknown"
        );
        assert_eq!(
            without_type("mailbox full; try later"),
            "mailbox full; try later"
        );
    }
}
