//! One customer mail as the outbox keeps it, and the RFC 5322 message built from it.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

/// A mail to one customer, typed, as the outbox hands it to the mailer.
///
/// `message_id` is the outbox entry's id, not a Message-ID: the header is made from it and the
/// `From` domain (`<ID@redress.DOMAIN>`, see [`message_id`]), so sending the same entry again
/// gives the same Message-ID and the customer's mail program, or our inbound side, can tell a
/// re-sent mail from a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The outbox entry's id (ASCII letters, digits, `-`, `_` and `.`), from which the
    /// Message-ID is made.
    pub message_id: String,
    /// The customer: name and address.
    pub to: Mailbox,
    /// Where the customer's answer should go, when not to `From` (the case's own address).
    pub reply_to: Option<Mailbox>,
    /// The subject, any Unicode text on one line.
    pub subject: String,
    /// The plain-text body, always sent: it is what every mail program can show.
    pub text: String,
    /// An HTML body shown instead of `text` by the programs that can (multipart/alternative).
    pub html: Option<String>,
    /// The Message-ID this mail answers (with or without `<>`), so it is threaded under it.
    pub in_reply_to: Option<String>,
    /// The Message-IDs of the thread so far, oldest first (with or without `<>`).
    pub references: Vec<String>,
    /// Files sent with the mail (PDFs of credit notes, invoices).
    pub attachments: Vec<OutgoingAttachment>,
    /// The language the mail is written in (a BCP 47 tag such as `es` or `zh-Hans`), written as
    /// `Content-Language` so that screen readers and translation offers get it right.
    pub language: Option<String>,
}

/// A file sent with a mail.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingAttachment {
    /// The name the customer sees, any Unicode text (encoded by RFC 2231 when not ASCII).
    pub file_name: String,
    /// The media type, e.g. `application/pdf`.
    pub media_type: String,
    /// The file's bytes, sent base64-encoded.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for OutgoingAttachment {
    /// Names the file and its size; the bytes would flood a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingAttachment")
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

/// Why a mail cannot be built. None of these goes away by sending again: the outbox should mark
/// the entry failed ([`crate::Mailer::send`] reports it as a permanent failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The outbox entry's id cannot be the left part of a Message-ID.
    #[error(
        "the outbox id {given:?} cannot make a Message-ID: only ASCII letters, digits, '-', '_' and '.' (not first, last or doubled) may be used"
    )]
    MessageId {
        /// The id as given.
        given: String,
    },
    /// A Message-ID given in `in_reply_to` or `references` is not one.
    #[error(
        "{header} has {given:?}, which is not a Message-ID (left@right, printable ASCII, no spaces)"
    )]
    Reference {
        /// `In-Reply-To` or `References`.
        header: &'static str,
        /// The value as given.
        given: String,
    },
    /// The subject holds a line break or another control character, which would end the header.
    #[error("the subject holds a line break or another control character")]
    Subject,
    /// The language tag is not a BCP 47 tag.
    #[error("the language {given:?} is not a language tag such as en, es or zh-Hans")]
    Language {
        /// The tag as given.
        given: String,
    },
    /// An attachment's media type does not parse.
    #[error("the attachment {file_name:?} has the media type {given:?}, which does not parse")]
    MediaType {
        /// The attachment's file name.
        file_name: String,
        /// The media type as given.
        given: String,
    },
    /// An attachment's file name is empty or holds a control character.
    #[error("an attachment's file name {given:?} is empty or holds a control character")]
    FileName {
        /// The file name as given.
        given: String,
    },
    /// lettre refused to build the message (it names what was missing).
    #[error("the message cannot be built: {0}")]
    Build(String),
}

/// The Message-ID (without `<>`) a mail from `from` made from outbox entry `entry_id` has:
/// `ENTRY_ID@redress.FROM-DOMAIN`.
///
/// The same entry always gives the same Message-ID, so a re-sent mail is recognisable, and a
/// customer's `In-Reply-To` naming it leads back to the entry ([`outbox_id`]).
pub fn message_id(entry_id: &str, from: &Mailbox) -> String {
    format!("{entry_id}@redress.{}", from.email.domain())
}

/// The outbox entry a Message-ID (with or without `<>`) was made from by [`message_id`] for mail
/// from `from`, or `None` when it is not one of ours.
pub fn outbox_id<'a>(message_id: &'a str, from: &Mailbox) -> Option<&'a str> {
    let id = strip_angles(message_id.trim());
    let (left, right) = id.rsplit_once('@')?;
    let domain = right.strip_prefix("redress.")?;
    (domain.eq_ignore_ascii_case(from.email.domain()) && valid_entry_id(left)).then_some(left)
}

impl OutgoingMail {
    /// A plain-text mail with no HTML, threading, reply-to address, attachment or language.
    pub fn new(
        message_id: impl Into<String>,
        to: Mailbox,
        subject: impl Into<String>,
        text: impl Into<String>,
    ) -> OutgoingMail {
        OutgoingMail {
            message_id: message_id.into(),
            to,
            reply_to: None,
            subject: subject.into(),
            text: text.into(),
            html: None,
            in_reply_to: None,
            references: Vec::new(),
            attachments: Vec::new(),
            language: None,
        }
    }

    /// The RFC 5322 message from `from`: UTF-8 subject and bodies (encoded so the message is
    /// ASCII and needs no 8BITMIME), multipart/alternative when there is HTML, multipart/mixed
    /// when there are attachments.
    pub fn to_message(&self, from: &Mailbox) -> Result<lettre::Message, MailError> {
        if !valid_entry_id(&self.message_id) {
            return Err(MailError::MessageId {
                given: self.message_id.clone(),
            });
        }
        if self.subject.chars().any(char::is_control) {
            return Err(MailError::Subject);
        }
        let mut builder = lettre::Message::builder()
            .from(from.clone())
            .to(self.to.clone())
            .subject(self.subject.clone())
            .message_id(Some(format!("<{}>", message_id(&self.message_id, from))));
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        if let Some(parent) = &self.in_reply_to {
            builder = builder.in_reply_to(angled(parent, "In-Reply-To")?);
        }
        if !self.references.is_empty() {
            let references = self
                .references
                .iter()
                .map(|reference| angled(reference, "References"))
                .collect::<Result<Vec<_>, _>>()?;
            builder = builder.references(references.join(" "));
        }
        if let Some(language) = &self.language {
            if !valid_language_tag(language) {
                return Err(MailError::Language {
                    given: language.clone(),
                });
            }
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                language.clone(),
            ));
        }

        let built = if self.attachments.is_empty() {
            match &self.html {
                None => builder.singlepart(SinglePart::plain(self.text.clone())),
                Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                    self.text.clone(),
                    html.clone(),
                )),
            }
        } else {
            let mut mixed = match &self.html {
                None => MultiPart::mixed().singlepart(SinglePart::plain(self.text.clone())),
                Some(html) => MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
                    self.text.clone(),
                    html.clone(),
                )),
            };
            for attachment in &self.attachments {
                mixed = mixed.singlepart(attachment.part()?);
            }
            builder.multipart(mixed)
        };
        built.map_err(|error| MailError::Build(error.to_string()))
    }
}

impl OutgoingAttachment {
    fn part(&self) -> Result<SinglePart, MailError> {
        if self.file_name.trim().is_empty() || self.file_name.chars().any(char::is_control) {
            return Err(MailError::FileName {
                given: self.file_name.clone(),
            });
        }
        let content_type =
            ContentType::parse(&self.media_type).map_err(|_| MailError::MediaType {
                file_name: self.file_name.clone(),
                given: self.media_type.clone(),
            })?;
        Ok(Attachment::new(self.file_name.clone()).body(self.bytes.clone(), content_type))
    }
}

fn strip_angles(id: &str) -> &str {
    id.strip_prefix('<')
        .and_then(|id| id.strip_suffix('>'))
        .unwrap_or(id)
}

/// `<left@right>` from a Message-ID given with or without its `<>`, or the error naming `header`.
fn angled(given: &str, header: &'static str) -> Result<String, MailError> {
    let id = strip_angles(given.trim());
    let valid = id
        .split_once('@')
        .is_some_and(|(left, right)| !left.is_empty() && !right.is_empty())
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>'));
    if valid {
        Ok(format!("<{id}>"))
    } else {
        Err(MailError::Reference {
            header,
            given: given.to_owned(),
        })
    }
}

fn valid_entry_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && !id.ends_with('.')
        && !id.contains("..")
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn valid_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary_ok = subtags
        .next()
        .is_some_and(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from() -> Mailbox {
        "Redress Billing <billing@example.com>".parse().unwrap()
    }

    #[test]
    fn an_outbox_id_gives_a_message_id_that_leads_back_to_it_and_only_for_our_domain() {
        let id = message_id("0193ab45-7", &from());
        assert_eq!(id, "0193ab45-7@redress.example.com");
        assert_eq!(outbox_id(&format!("<{id}>"), &from()), Some("0193ab45-7"));
        assert_eq!(outbox_id(&id, &from()), Some("0193ab45-7"));
        assert_eq!(outbox_id("0193ab45-7@redress.example.org", &from()), None);
        assert_eq!(outbox_id("CAF=abc@mail.gmail.com", &from()), None);
    }

    #[test]
    fn language_tags_are_checked_by_their_shape() {
        for good in ["en", "es", "zh-Hans", "es-419", "en-US"] {
            assert!(valid_language_tag(good), "{good}");
        }
        for bad in [
            "",
            "e n",
            "zh_Hans",
            "toolongprimary",
            "en-",
            "en\r\nBcc: x@y",
        ] {
            assert!(!valid_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn a_subject_with_a_line_break_is_refused_rather_than_ending_the_header() {
        let to: Mailbox = "Ana <ana@example.org>".parse().unwrap();
        let mail = OutgoingMail::new("1", to, "Hola\r\nBcc: someone@example.net", "cuerpo");
        assert_eq!(mail.to_message(&from()).unwrap_err(), MailError::Subject);
    }

    #[test]
    fn a_reference_that_is_no_message_id_is_refused() {
        let to: Mailbox = "Ana <ana@example.org>".parse().unwrap();
        let mut mail = OutgoingMail::new("1", to, "Hola", "cuerpo");
        mail.references = vec!["<a@b>".into(), "not an id".into()];
        assert!(matches!(
            mail.to_message(&from()),
            Err(MailError::Reference {
                header: "References",
                ..
            })
        ));
    }

    #[test]
    fn the_built_message_is_ascii_with_its_headers_in_place() {
        let to: Mailbox = "José Pérez <jose@example.org>".parse().unwrap();
        let mut mail =
            OutgoingMail::new("42", to, "Su disputa DSP-7 — 已收到", "Hola, José.\n你好。");
        mail.html = Some("<p>Hola, José.</p>".into());
        mail.in_reply_to = Some("CAF123@mail.gmail.com".into());
        mail.references = vec![
            "<root@redress.example.com>".into(),
            "CAF123@mail.gmail.com".into(),
        ];
        mail.language = Some("es".into());
        mail.attachments.push(OutgoingAttachment {
            file_name: "nota de crédito.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec(),
        });
        let formatted = mail.to_message(&from()).unwrap().formatted();
        assert!(formatted.is_ascii());
        let text = String::from_utf8(formatted).unwrap();
        assert!(
            text.contains("Message-ID: <42@redress.example.com>\r\n"),
            "{text}"
        );
        assert!(
            text.contains("In-Reply-To: <CAF123@mail.gmail.com>\r\n"),
            "{text}"
        );
        assert!(
            text.contains("References: <root@redress.example.com> <CAF123@mail.gmail.com>\r\n"),
            "{text}"
        );
        assert!(text.contains("Content-Language: es\r\n"), "{text}");
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
    }
}
