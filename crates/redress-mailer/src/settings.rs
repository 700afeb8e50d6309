//! Where mail goes and who it comes from: the SMTP server's URL, the `From` mailbox and the
//! timeout, read once at start-up so that a wrong setting is refused then and not at the first
//! customer's mail.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;

/// The form an SMTP URL must have, repeated in every refusal so the operator can fix it.
pub const URL_FORM: &str = "smtp://USER:PASS@HOST:PORT?tls=starttls|none or smtps://USER:PASS@HOST:PORT (USER:PASS@ and :PORT optional; USER and PASS percent-encoded)";

/// The timeout when none is given: long enough for a slow server to take a mail with a few
/// PDFs, short enough that a worker does not hang on a server that stopped answering.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// Plain connection upgraded with STARTTLS, which the server must offer (`tls=starttls`,
    /// the default, port 587 unless given): a server that does not is refused rather than sent
    /// the mail and the password in clear.
    StartTls,
    /// TLS from the first byte (`smtps://`, port 465 unless given).
    Implicit,
    /// No encryption at all (`tls=none`, port 25 unless given): for a relay on this machine or
    /// the loopback test server only.
    None,
}

impl Tls {
    /// The port a URL without one means for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Tls::StartTls => 587,
            Tls::Implicit => 465,
            Tls::None => 25,
        }
    }
}

/// A password kept out of every `Debug` and `Display`: only [`SmtpSettings`] and the transport
/// built from it read it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Password(String);

impl Password {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The SMTP server Redress sends customer mail through, and the mailbox the mail is from.
///
/// Parsed from a URL (`smtp://USER:PASS@HOST:PORT?tls=starttls|none`, or `smtps://…` for TLS
/// from the first byte) and the `From` mailbox (`REDRESS_MAIL_FROM`, e.g.
/// `Redress Billing <billing@example.com>`). Its `Debug` and `Display` write the password as
/// `***`, so the settings can be logged at start-up.
#[derive(Clone)]
pub struct SmtpSettings {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<(String, Password)>,
    from: Mailbox,
    timeout: Duration,
}

/// A setting that cannot be used. None of them repeats any part of the URL, which may hold the
/// password (a password with an unencoded `?` or `:` can end up where a parameter or the port is
/// looked for).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The SMTP URL is not of the expected form.
    #[error("the SMTP URL is not usable: {reason}; expected {URL_FORM}")]
    Url {
        /// What was wrong with it, without the URL itself.
        reason: String,
    },
    /// The `From` mailbox does not parse.
    #[error(
        "the From mailbox {given:?} is not usable: {reason}; expected an address, with a name or not, e.g. `Redress Billing <billing@example.com>`"
    )]
    From {
        /// The mailbox as given.
        given: String,
        /// What the parser said.
        reason: String,
    },
    /// The TLS settings for the host cannot be built (the host is not a name a certificate can
    /// be checked against).
    #[error("TLS cannot be set up for host {host:?}: {reason}")]
    Tls {
        /// The SMTP host.
        host: String,
        /// What the TLS library said.
        reason: String,
    },
}

fn url_error(reason: impl Into<String>) -> SettingsError {
    SettingsError::Url {
        reason: reason.into(),
    }
}

impl SmtpSettings {
    /// Parses the SMTP URL and the `From` mailbox, with the default timeout (30 s).
    pub fn parse(url: &str, from: &str) -> Result<SmtpSettings, SettingsError> {
        let from_mailbox = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|error| SettingsError::From {
                given: from.to_owned(),
                reason: error.to_string(),
            })?;
        let parsed = parse_url(url)?;
        Ok(SmtpSettings {
            host: parsed.host,
            port: parsed.port,
            tls: parsed.tls,
            credentials: parsed.credentials,
            from: from_mailbox,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same settings with another timeout: the longest one send may take, from connecting
    /// to the server's answer to the mail's data.
    pub fn with_timeout(mut self, timeout: Duration) -> SmtpSettings {
        self.timeout = timeout;
        self
    }

    /// The SMTP server's host name or IP address (without brackets for IPv6).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The SMTP server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How the connection is protected.
    pub fn tls(&self) -> Tls {
        self.tls
    }

    /// The user name Redress authenticates as, if it does.
    pub fn user(&self) -> Option<&str> {
        self.credentials.as_ref().map(|(user, _)| user.as_str())
    }

    /// The mailbox every mail is from; its domain also names the mail's Message-IDs.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// The longest one send may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(user, password)| (user.as_str(), password.expose()))
    }
}

impl fmt::Display for SmtpSettings {
    /// `smtp://user:***@host:587?tls=starttls`: the password is never written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.tls {
            Tls::Implicit => "smtps",
            Tls::StartTls | Tls::None => "smtp",
        };
        write!(f, "{scheme}://")?;
        if let Some((user, _)) = &self.credentials {
            write!(f, "{user}:***@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)?;
        } else {
            write!(f, "{}:{}", self.host, self.port)?;
        }
        match self.tls {
            Tls::StartTls => f.write_str("?tls=starttls"),
            Tls::None => f.write_str("?tls=none"),
            Tls::Implicit => Ok(()),
        }
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &format_args!("{self}"))
            .field("from", &format_args!("{}", self.from))
            .field("timeout", &self.timeout)
            .finish()
    }
}

struct ParsedUrl {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<(String, Password)>,
}

fn parse_url(url: &str) -> Result<ParsedUrl, SettingsError> {
    let url = url.trim();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| url_error("it has no scheme (smtp:// or smtps://)"))?;
    let implicit = if scheme.eq_ignore_ascii_case("smtp") {
        false
    } else if scheme.eq_ignore_ascii_case("smtps") {
        true
    } else {
        return Err(url_error("the scheme is not smtp:// or smtps://"));
    };
    if rest.contains('#') {
        return Err(url_error("it has a fragment (#…)"));
    }
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let authority = match rest.split_once('/') {
        Some((authority, "")) => authority,
        Some(_) => return Err(url_error("it has a path after the host")),
        None => rest,
    };
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    let credentials = userinfo.map(parse_userinfo).transpose()?;
    let (host, port) = parse_host_port(host_port)?;

    let mut tls = if implicit {
        Tls::Implicit
    } else {
        Tls::StartTls
    };
    for pair in query.into_iter().flat_map(|q| q.split('&')) {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != "tls" {
            return Err(url_error("it has a query parameter other than tls"));
        }
        tls = match (implicit, value.to_ascii_lowercase().as_str()) {
            (false, "starttls") => Tls::StartTls,
            (false, "none") => Tls::None,
            (true, "implicit" | "tls") => Tls::Implicit,
            (true, _) => {
                return Err(url_error(
                    "smtps:// is TLS from the first byte, so a tls= other than implicit contradicts it",
                ));
            }
            (false, _) => {
                return Err(url_error("tls is neither starttls nor none"));
            }
        };
    }
    Ok(ParsedUrl {
        port: port.unwrap_or(tls.default_port()),
        host,
        tls,
        credentials,
    })
}

fn parse_userinfo(userinfo: &str) -> Result<(String, Password), SettingsError> {
    let (user, password) = userinfo
        .split_once(':')
        .ok_or_else(|| url_error("it names a user without a password (USER:PASS@)"))?;
    let user = percent_decode(user).map_err(|reason| url_error(format!("the user {reason}")))?;
    let password =
        percent_decode(password).map_err(|reason| url_error(format!("the password {reason}")))?;
    if user.is_empty() {
        return Err(url_error("the user before the password is empty"));
    }
    if password.is_empty() {
        return Err(url_error("the password is empty"));
    }
    Ok((user, Password(password)))
}

fn parse_host_port(host_port: &str) -> Result<(String, Option<u16>), SettingsError> {
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| url_error("an IPv6 host's [ is not closed"))?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(url_error("the host in [ ] is not an IPv6 address"));
        }
        let port =
            match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(|| {
                    url_error("something other than :PORT follows the IPv6 host")
                })?),
            };
        (host, port)
    } else {
        let (host, port) = match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        };
        if host.is_empty() {
            return Err(url_error("it has no host"));
        }
        if !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(url_error(
                "the host has characters a host name cannot have (a password's @ or : must be percent-encoded)",
            ));
        }
        (host, port)
    };
    let port = match port {
        None => None,
        Some(port) => match port.parse::<u16>() {
            Ok(0) | Err(_) => {
                return Err(url_error("the port is not a number from 1 to 65535"));
            }
            Ok(port) => Some(port),
        },
    };
    Ok((host.to_owned(), port))
}

/// Decodes `%XX` escapes (as UTF-8). The error says what was wrong, without the text, which may
/// be a password.
fn percent_decode(text: &str) -> Result<String, &'static str> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or("has a % not followed by two hexadecimal digits")?;
            decoded.push(hex);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).map_err(|_| "is not UTF-8 once percent-decoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_decode_to_utf8_and_a_stray_percent_is_refused() {
        assert_eq!(percent_decode("p%40ss%3Aw%C3%B6rd").unwrap(), "p@ss:wörd");
        assert!(percent_decode("100%").is_err());
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%ff").is_err());
    }
}
