//! Sending one mail, and what a failure means for the outbox: try again later, or give up.

use std::error::Error as _;
use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls as LettreTls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::outgoing::{OutgoingMail, message_id};
use crate::settings::{SettingsError, SmtpSettings, Tls};

/// Sends customer mail through the configured SMTP server.
///
/// Every mail has a connection of its own (lettre's pool is not used): a send that runs out of
/// time is dropped with its connection, where a pool would take the half-finished conversation
/// back and hand it to the next mail, whose replies would then be read against the wrong
/// commands. Customer mail is a few messages a minute, so the extra handshakes cost little.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    settings: SmtpSettings,
}

/// A mail the server took: from then on delivering it is the server's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The Message-ID the mail was sent with, without `<>`, for the outbox to keep.
    pub message_id: String,
    /// The server's reply code to the mail's data (250).
    pub code: u16,
    /// The server's reply text (often naming its queue id), for the log.
    pub reply: String,
}

/// Why a mail was not taken, and whether sending it again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryFailure {
    /// It may go through later without any change to the mail: the server is down, refused the
    /// connection, did not answer in time, or answered 4xx (e.g. 451, 452); or the server turned
    /// down our own setup (authentication, TLS), which an operator fixes, not the mail. The
    /// outbox tries again after [`retry_after`].
    #[error("temporary failure{}: {text}", code_text(*.code))]
    Temporary {
        /// The server's reply code, when the server answered.
        code: Option<u16>,
        /// The server's text, or what went wrong on the way to it.
        text: String,
    },
    /// Sending it again will fail again: the server answered 5xx about this mail (550 mailbox
    /// unavailable, a refused recipient, 552 too large), or the mail cannot be built. The outbox
    /// marks the entry failed, and the case says so.
    #[error("permanent failure{}: {text}", code_text(*.code))]
    Permanent {
        /// The server's reply code, when the server answered.
        code: Option<u16>,
        /// The server's text, or what was wrong with the mail.
        text: String,
    },
}

fn code_text(code: Option<u16>) -> String {
    code.map(|code| format!(" ({code})")).unwrap_or_default()
}

impl DeliveryFailure {
    /// Whether sending the mail again is pointless.
    pub fn is_permanent(&self) -> bool {
        matches!(self, DeliveryFailure::Permanent { .. })
    }

    /// The server's reply code, when it answered.
    pub fn code(&self) -> Option<u16> {
        match self {
            DeliveryFailure::Temporary { code, .. } | DeliveryFailure::Permanent { code, .. } => {
                *code
            }
        }
    }

    /// The server's text, or what went wrong.
    pub fn text(&self) -> &str {
        match self {
            DeliveryFailure::Temporary { text, .. } | DeliveryFailure::Permanent { text, .. } => {
                text
            }
        }
    }
}

/// The first wait after a temporary failure.
pub const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest wait between two attempts.
pub const LONGEST_RETRY: Duration = Duration::from_secs(60 * 60);

/// How long the outbox waits before trying again after the `attempt`-th failed attempt (1 for
/// the first): 30 s, doubling each time, and never more than an hour. The schedule has no
/// jitter, so it is the same on every run and can be tested and explained to an agent:
///
/// | attempt | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 and later |
/// |---|---|---|---|---|---|---|---|---|
/// | wait | 30 s | 1 min | 2 min | 4 min | 8 min | 16 min | 32 min | 1 h |
///
/// A mail that fails for a day has been tried about 30 times. `attempt` 0 is taken as 1.
pub fn retry_after(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    FIRST_RETRY
        .saturating_mul(1u32 << doublings)
        .min(LONGEST_RETRY)
}

/// Reply codes about our account rather than the mail: authentication required, mechanism too
/// weak, credentials invalid, encryption required (RFC 4954). The mail is fine; the setup is not.
const ACCOUNT_CODES: [u16; 4] = [530, 534, 535, 538];

impl Mailer {
    /// The mailer for these settings: STARTTLS required when `tls=starttls` (a server that does
    /// not offer it is refused), TLS from the first byte for `smtps://`, the credentials when
    /// given, and the settings' timeout for connecting.
    pub fn new(settings: SmtpSettings) -> Result<Mailer, SettingsError> {
        let tls_parameters = || {
            TlsParameters::new(settings.host().to_owned()).map_err(|error| SettingsError::Tls {
                host: settings.host().to_owned(),
                reason: error.to_string(),
            })
        };
        let tls = match settings.tls() {
            Tls::StartTls => LettreTls::Required(tls_parameters()?),
            Tls::Implicit => LettreTls::Wrapper(tls_parameters()?),
            Tls::None => LettreTls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host())
            .port(settings.port())
            .tls(tls)
            .timeout(Some(settings.timeout()));
        if let Some((user, password)) = settings.credentials() {
            if settings.tls() == Tls::None {
                tracing::warn!(
                    smtp = %settings,
                    "SMTP credentials over a connection without TLS: the password crosses the network in clear"
                );
            }
            builder = builder.credentials(Credentials::new(user.to_owned(), password.to_owned()));
        }
        let transport: AsyncSmtpTransport<Tokio1Executor> = builder.build();
        Ok(Mailer {
            transport,
            settings,
        })
    }

    /// The settings the mailer was made from.
    pub fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    /// Sends one mail, and says whether the server took it or, if not, whether to try again.
    ///
    /// The whole exchange (connecting, TLS, authentication, the envelope, the data and the
    /// server's answer to it) is bounded by the settings' timeout. A mail whose answer never
    /// came may still have been delivered; it is reported as temporary and sent again with the
    /// same Message-ID, by which a duplicate can be recognised.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<Delivered, DeliveryFailure> {
        let from = self.settings.from();
        let message_id = message_id(&mail.message_id, from);
        let message = mail
            .to_message(from)
            .map_err(|error| DeliveryFailure::Permanent {
                code: None,
                text: error.to_string(),
            })?;
        let timeout = self.settings.timeout();
        let outcome = match tokio::time::timeout(timeout, self.transport.send(message)).await {
            Ok(Ok(response)) => Ok(Delivered {
                message_id: message_id.clone(),
                code: code_number(response.code()).unwrap_or(250),
                reply: response.message().collect::<Vec<_>>().join(" "),
            }),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_) => Err(DeliveryFailure::Temporary {
                code: None,
                text: format!(
                    "the SMTP server did not finish the exchange within {}",
                    Seconds(timeout)
                ),
            }),
        };
        match &outcome {
            Ok(delivered) => tracing::info!(
                message_id = %message_id,
                smtp = %self.settings,
                reply = %delivered.reply,
                "mail taken by the SMTP server"
            ),
            Err(failure) => tracing::warn!(
                message_id = %message_id,
                smtp = %self.settings,
                permanent = failure.is_permanent(),
                code = failure.code(),
                text = %failure.text(),
                "mail not taken by the SMTP server"
            ),
        }
        outcome
    }
}

impl fmt::Debug for Mailer {
    /// The settings only, without the password; the transport is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("settings", &self.settings)
            .finish()
    }
}

struct Seconds(Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} s", self.0.as_secs_f64())
    }
}

fn code_number(code: lettre::transport::smtp::response::Code) -> Option<u16> {
    code.to_string().parse().ok()
}

/// Whether lettre's error means "try again" or "give up", with the server's text.
fn classify(error: &lettre::transport::smtp::Error) -> DeliveryFailure {
    let code = error.status().and_then(code_number);
    // lettre keeps the server's reply text (or the I/O error) as the error's source.
    let text = match error.source() {
        Some(source) => source.to_string(),
        None => error.to_string(),
    };
    if error.is_permanent() && !code.is_some_and(|code| ACCOUNT_CODES.contains(&code)) {
        return DeliveryFailure::Permanent { code, text };
    }
    if error.is_client() && text.contains("non-ascii") {
        // A non-ASCII address the server cannot take (no SMTPUTF8): this mail will never go.
        return DeliveryFailure::Permanent { code, text };
    }
    let text = if error.is_transient() || error.is_permanent() {
        text
    } else {
        // Network, TLS, an unreadable reply, a missing STARTTLS: say which.
        error.to_string()
    };
    DeliveryFailure::Temporary { code, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_thirty_seconds_doubling_to_an_hour() {
        let minutes = |attempt| retry_after(attempt).as_secs();
        assert_eq!(
            (1..=9).map(minutes).collect::<Vec<_>>(),
            [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
        assert_eq!(retry_after(0), FIRST_RETRY);
        assert_eq!(retry_after(u32::MAX), LONGEST_RETRY);
    }
}
