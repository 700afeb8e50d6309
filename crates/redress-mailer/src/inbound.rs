//! A customer's mail as received (RFC 822/5322 bytes), taken apart into what a case needs: who
//! wrote, the thread it belongs to, what they wrote this time, and the files they sent that a
//! case may keep; or, when it is a mail server's delivery report (a bounce), what it reports.

use jiff::Timestamp;
use mail_parser::{Address, HeaderValue, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::bounce::{Bounce, bounce_of};
use crate::html_text::html_to_text;
use crate::reply::reply_text;

/// What an inbound mail may hold. Limits on the whole mail refuse it; limits on one attachment
/// only leave that attachment out, so the case still gets the customer's words and can tell them
/// which file was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundLimits {
    /// The largest mail taken, in bytes as received (default 25 MiB, what common mail services
    /// send at most).
    pub max_message_bytes: usize,
    /// The largest attachment kept, in bytes once decoded (default 10 MiB).
    pub max_attachment_bytes: usize,
    /// The media types of the attachments kept, lower-case (default: PDF, PNG, JPEG, plain text
    /// and CSV: documents and screenshots an agent can open safely).
    pub allowed_media_types: Vec<String>,
}

impl Default for InboundLimits {
    fn default() -> InboundLimits {
        InboundLimits {
            max_message_bytes: 25 * 1024 * 1024,
            max_attachment_bytes: 10 * 1024 * 1024,
            allowed_media_types: [
                "application/pdf",
                "image/png",
                "image/jpeg",
                "text/plain",
                "text/csv",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// A customer's mail, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// The sender's address, lower-cased, to find the customer by. Empty only for a delivery
    /// report ([`InboundMail::bounce`]) sent with no sender, as reports may be.
    pub from: String,
    /// The sender's display name, if given.
    pub from_name: Option<String>,
    /// The `To` addresses, lower-cased (which of our addresses it was sent to).
    pub to: Vec<String>,
    /// The subject, decoded (empty when there is none).
    pub subject: String,
    /// The mail's Message-ID, without `<>`.
    pub message_id: Option<String>,
    /// The Message-IDs it answers, without `<>`: with [`crate::outbox_id`], the mail Redress sent
    /// that the customer replied to.
    pub in_reply_to: Vec<String>,
    /// The Message-IDs of its thread, without `<>`, oldest first.
    pub references: Vec<String>,
    /// When the sender's program says it was written.
    pub date: Option<Timestamp>,
    /// The plain-text body: the text/plain part, or the HTML part reduced to text when there is
    /// no plain one. Lines end with `\n`.
    pub text: String,
    /// The new part of a reply: `text` without the quoted history.
    pub reply_text: String,
    /// The attachments within the limits.
    pub attachments: Vec<InboundAttachment>,
    /// The attachments left out, each with the reason, for the case to tell the customer.
    pub refused_attachments: Vec<RefusedAttachment>,
    /// What the mail reports, when it is a mail server's delivery report about a mail sent (a
    /// bounce, or a delay notice) rather than anyone's words.
    pub bounce: Option<Bounce>,
}

/// A file the customer sent, within the limits.
#[derive(Clone, PartialEq, Eq)]
pub struct InboundAttachment {
    /// The file name, without any folder part (`attachment-N.EXT` when the mail gives none).
    pub file_name: String,
    /// The media type, lower-case, e.g. `application/pdf`.
    pub media_type: String,
    /// The file's bytes, decoded from the mail's transfer encoding. A text attachment is given
    /// in UTF-8, converted from the charset the mail declared.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for InboundAttachment {
    /// Names the file and its size; the bytes would flood a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboundAttachment")
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

/// A file the customer sent that the case does not keep, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedAttachment {
    /// The file name, as for [`InboundAttachment::file_name`].
    pub file_name: String,
    /// The media type the mail declared, lower-case.
    pub media_type: String,
    /// Its size in bytes, decoded.
    pub size: usize,
    /// Why it was left out.
    pub reason: RefusalReason,
}

/// Why an attachment was left out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefusalReason {
    /// Larger than [`InboundLimits::max_attachment_bytes`].
    #[error("it is {size} bytes, more than the {limit} an attachment may have")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Its media type is not among [`InboundLimits::allowed_media_types`].
    #[error("files of type {0} are not taken")]
    MediaType(String),
    /// It says it is a PDF, PNG or JPEG, but its bytes are not one (a renamed program, say).
    #[error("it says it is {0}, but its content is not")]
    ContentMismatch(String),
}

/// Why a mail was not taken at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    /// The bytes are not a mail: no header the parser could read, or none of a mail's headers.
    #[error("not a mail: {0}")]
    NotAMail(&'static str),
    /// The mail has no sender address to find the customer by (and is no delivery report,
    /// which needs none).
    #[error("the mail has no From address")]
    NoFrom,
    /// The mail is larger than [`InboundLimits::max_message_bytes`].
    #[error("the mail is {size} bytes, more than the {limit} a mail may have")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
}

/// Takes a received mail apart. A mail too large, unreadable or without a sender is refused
/// (a delivery report may have no sender); an attachment over the limits is listed in
/// [`InboundMail::refused_attachments`] instead.
pub fn parse_inbound(raw: &[u8], limits: &InboundLimits) -> Result<InboundMail, InboundError> {
    if raw.len() > limits.max_message_bytes {
        return Err(InboundError::TooLarge {
            size: raw.len(),
            limit: limits.max_message_bytes,
        });
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(InboundError::NotAMail("no header could be read"))?;
    let is_mail_header = |name: &str| {
        [
            "from",
            "sender",
            "to",
            "subject",
            "date",
            "message-id",
            "received",
        ]
        .iter()
        .any(|known| name.eq_ignore_ascii_case(known))
    };
    if !message
        .headers()
        .iter()
        .any(|header| is_mail_header(header.name()))
    {
        return Err(InboundError::NotAMail(
            "none of From, Sender, To, Subject, Date, Message-ID or Received",
        ));
    }

    let bounce = bounce_of(&message);
    let sender = message.from().and_then(|from| {
        from.iter()
            .find(|addr| addr.address().is_some_and(is_address))
    });
    if sender.is_none() && bounce.is_none() {
        return Err(InboundError::NoFrom);
    }
    let from = sender
        .and_then(|sender| sender.address())
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let from_name = sender
        .and_then(|sender| sender.name())
        .map(str::trim)
        .filter(|name| !name.is_empty() && !name.eq_ignore_ascii_case(&from))
        .map(str::to_owned);

    let text = body_text(&message);
    let (attachments, refused_attachments) = attachments(&message, limits);
    let mail = InboundMail {
        from,
        from_name,
        to: addresses(message.to()),
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        message_id: message.message_id().map(strip_angles).map(str::to_owned),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        date: message
            .date()
            .and_then(|date| Timestamp::from_second(date.to_timestamp()).ok()),
        reply_text: reply_text(&text),
        text,
        attachments,
        refused_attachments,
        bounce,
    };
    Ok(mail)
}

/// The Redress dispute a mail's subject names (`[DSP-12] Your dispute`, `Re: DSP-0193ab45cd2-1a2b3c4d`),
/// as `DSP-…`, or `None`. The first one named wins. Threading by Message-ID (`in_reply_to`,
/// `references`) is the caller's, who keeps the ids; this is for a mail that has none of ours.
pub fn dispute_reference(mail: &InboundMail) -> Option<String> {
    let subject = mail.subject.as_str();
    let mut search_from = 0;
    while let Some(found) = find_ascii_case_insensitive(&subject[search_from..], "DSP-") {
        let start = search_from + found;
        let after = &subject[start + 4..];
        let id_length = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(after.len());
        let id = after[..id_length].trim_end_matches('-');
        let starts_word = !subject[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if starts_word && id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Some(format!("DSP-{id}"));
        }
        search_from = start + 4;
    }
    None
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn is_address(address: &str) -> bool {
    address
        .trim()
        .rsplit_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

fn addresses(address: Option<&Address<'_>>) -> Vec<String> {
    address
        .into_iter()
        .flat_map(|address| address.iter())
        .filter_map(|addr| addr.address())
        .filter(|address| is_address(address))
        .map(|address| address.trim().to_lowercase())
        .collect()
}

fn strip_angles(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix('<')
        .and_then(|id| id.strip_suffix('>'))
        .unwrap_or(id)
}

pub(crate) fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let listed: Vec<&str> = match value {
        HeaderValue::Text(id) => vec![id.as_ref()],
        HeaderValue::TextList(ids) => ids.iter().map(AsRef::as_ref).collect(),
        _ => Vec::new(),
    };
    listed
        .into_iter()
        .map(strip_angles)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The text bodies joined, each HTML one reduced to text, with `\n` line ends.
pub(crate) fn body_text(message: &mail_parser::Message<'_>) -> String {
    let mut text = String::new();
    for part in message.text_bodies() {
        let part_text = match &part.body {
            PartType::Text(plain) => plain.to_string(),
            PartType::Html(html) => html_to_text(html),
            _ => continue,
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&part_text);
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.trim_end().to_owned()
}

fn attachments(
    message: &mail_parser::Message<'_>,
    limits: &InboundLimits,
) -> (Vec<InboundAttachment>, Vec<RefusedAttachment>) {
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for (index, part) in message.attachments().enumerate() {
        let media_type = media_type(part);
        let file_name = file_name(part, index + 1, &media_type);
        let bytes = part.contents();
        let reason = if bytes.len() > limits.max_attachment_bytes {
            Some(RefusalReason::TooLarge {
                size: bytes.len(),
                limit: limits.max_attachment_bytes,
            })
        } else if !limits
            .allowed_media_types
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(&media_type))
        {
            Some(RefusalReason::MediaType(media_type.clone()))
        } else if !content_matches(&media_type, bytes) {
            Some(RefusalReason::ContentMismatch(media_type.clone()))
        } else {
            None
        };
        match reason {
            Some(reason) => {
                tracing::info!(%file_name, %media_type, size = bytes.len(), %reason, "inbound attachment refused");
                refused.push(RefusedAttachment {
                    file_name,
                    media_type,
                    size: bytes.len(),
                    reason,
                });
            }
            None => kept.push(InboundAttachment {
                file_name,
                media_type,
                bytes: bytes.to_vec(),
            }),
        }
    }
    (kept, refused)
}

fn media_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(content_type) => match content_type.subtype() {
            Some(subtype) => format!("{}/{}", content_type.ctype(), subtype),
            None => content_type.ctype().to_owned(),
        }
        .to_ascii_lowercase(),
        None if matches!(part.body, PartType::Message(_)) => "message/rfc822".to_owned(),
        None => "application/octet-stream".to_owned(),
    }
}

/// The file name without folders or control characters, or `attachment-N.EXT`.
fn file_name(part: &MessagePart<'_>, number: usize, media_type: &str) -> String {
    let given = part
        .attachment_name()
        .map(|name| {
            let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
            base.chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .filter(|name| !name.is_empty() && name != "." && name != "..");
    given.unwrap_or_else(|| {
        let extension = match media_type {
            "application/pdf" => ".pdf",
            "image/png" => ".png",
            "image/jpeg" => ".jpg",
            "text/plain" => ".txt",
            "text/csv" => ".csv",
            "message/rfc822" => ".eml",
            _ => "",
        };
        format!("attachment-{number}{extension}")
    })
}

/// Whether the bytes are what the media type says, by the rules for evidence; text is not
/// looked into here, as it is made UTF-8 from its charset afterwards (the service checks what is
/// kept once more).
fn content_matches(media_type: &str, bytes: &[u8]) -> bool {
    media_type.starts_with("text/") || redress_domain::evidence::content_matches(media_type, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(subject: &str) -> InboundMail {
        InboundMail {
            from: "ana@example.org".into(),
            from_name: None,
            to: Vec::new(),
            subject: subject.into(),
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
            date: None,
            text: String::new(),
            reply_text: String::new(),
            attachments: Vec::new(),
            refused_attachments: Vec::new(),
            bounce: None,
        }
    }

    #[test]
    fn the_dispute_named_in_the_subject_is_found_in_its_forms() {
        let found = |text: &str| dispute_reference(&subject(text));
        assert_eq!(
            found("Re: [DSP-12] Your dispute").as_deref(),
            Some("DSP-12")
        );
        assert_eq!(found("RE: DSP-1").as_deref(), Some("DSP-1"));
        assert_eq!(
            found("Fwd: Re: [DSP-0193ab45cd2-1a2b3c4d] Su disputa").as_deref(),
            Some("DSP-0193ab45cd2-1a2b3c4d")
        );
        assert_eq!(found("about dsp-7- thanks").as_deref(), Some("DSP-7"));
        assert_eq!(found("回复：[DSP-9]您的争议").as_deref(), Some("DSP-9"));
        assert_eq!(found("Re: Your dispute"), None);
        assert_eq!(found("XDSP-12 and DSP- alone"), None);
        assert_eq!(found("MYDSP-1 then DSP-2").as_deref(), Some("DSP-2"));
    }

    #[test]
    fn content_that_is_not_what_it_says_is_caught_for_pdf_png_and_jpeg() {
        assert!(content_matches("application/pdf", b"%PDF-1.7\n"));
        assert!(!content_matches("application/pdf", b"MZ\x90\x00"));
        assert!(content_matches("image/png", b"\x89PNG\r\n\x1a\nrest"));
        assert!(!content_matches("image/jpeg", b"GIF89a"));
        assert!(content_matches("text/csv", b"a,b\n"));
    }
}
