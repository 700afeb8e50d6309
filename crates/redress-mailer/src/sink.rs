//! A loopback SMTP server for tests (feature `test-sink`): it takes mail over plain SMTP on
//! 127.0.0.1, keeps what it received, and misbehaves on demand (refuses, stalls, goes down), so
//! that sending and its failures are tested against a real SMTP conversation, not a mock.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The most a test mail may hold, so that a runaway client cannot fill the memory.
const MAX_DATA_BYTES: usize = 64 * 1024 * 1024;

/// A mail the sink took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The envelope sender (`MAIL FROM`), without `<>`.
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`), without `<>`.
    pub rcpt_to: Vec<String>,
    /// The mail as sent after `DATA`, dot-unstuffed, with its CRLF line ends, without the final
    /// `.` line.
    pub data: Vec<u8>,
    /// The user the client authenticated as, if it did.
    pub authenticated_as: Option<String>,
}

/// A loopback SMTP server on 127.0.0.1 with a port of its own: EHLO/HELO, AUTH PLAIN and LOGIN
/// (when [`SmtpSink::accept_auth`] was called), MAIL FROM, RCPT TO, DATA, RSET, NOOP and QUIT,
/// without TLS (tests use `tls=none`).
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    state: Mutex<State>,
    count: watch::Sender<usize>,
}

#[derive(Default)]
struct State {
    received: Vec<ReceivedMessage>,
    auth: Option<(String, String)>,
    refuse_data: Option<Refusal>,
    refuse_rcpt: Option<Refusal>,
    stalled: bool,
}

struct Refusal {
    remaining: usize,
    code: u16,
    text: String,
}

impl Refusal {
    /// The reply for the next command it applies to, counting it.
    fn take(slot: &mut Option<Refusal>) -> Option<String> {
        let refusal = slot.as_mut()?;
        let reply = format!("{} {}", refusal.code, refusal.text);
        refusal.remaining -= 1;
        if refusal.remaining == 0 {
            *slot = None;
        }
        Some(reply)
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves the state as it was; keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SmtpSink {
    /// Starts a sink on 127.0.0.1 with a port of its own.
    ///
    /// # Panics
    /// When no loopback port can be bound, which leaves a test nothing to test.
    pub async fn start() -> SmtpSink {
        let listener = listen(SocketAddr::from(([127, 0, 0, 1], 0)));
        let addr = listener
            .local_addr()
            .expect("the sink's listener has an address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            count: watch::Sender::new(0),
        });
        let server = tokio::spawn(serve(listener, Arc::clone(&shared)));
        SmtpSink {
            addr,
            shared,
            server: Mutex::new(Some(server)),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An SMTP URL for it without TLS, e.g. `smtp://127.0.0.1:40123?tls=none`.
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    /// The mail received so far, in order.
    pub fn received(&self) -> Vec<ReceivedMessage> {
        self.shared.state().received.clone()
    }

    /// Waits until at least `count` mails were received and gives them all, or `None` when the
    /// `timeout` passed first.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Option<Vec<ReceivedMessage>> {
        let mut received = self.shared.count.subscribe();
        let reached = tokio::time::timeout(timeout, received.wait_for(|&n| n >= count)).await;
        matches!(reached, Ok(Ok(_))).then(|| self.received())
    }

    /// Offers AUTH PLAIN and LOGIN and takes only this user and password; mail from a client
    /// that has not authenticated is then refused with 530.
    pub fn accept_auth(&self, user: &str, password: &str) {
        self.shared.state().auth = Some((user.to_owned(), password.to_owned()));
    }

    /// Answers the end of the next `count` mails' data with `code` and `text` (e.g. 451 or 550)
    /// instead of taking them.
    pub fn refuse_next(&self, count: usize, code: u16, text: &str) {
        self.shared.state().refuse_data = (count > 0).then(|| Refusal {
            remaining: count,
            code,
            text: text.to_owned(),
        });
    }

    /// Answers the next `count` `RCPT TO` with `code` and `text` (e.g. 550 for a mailbox that
    /// does not exist).
    pub fn refuse_next_rcpt(&self, count: usize, code: u16, text: &str) {
        self.shared.state().refuse_rcpt = (count > 0).then(|| Refusal {
            remaining: count,
            code,
            text: text.to_owned(),
        });
    }

    /// From now on, accepts connections and never says a word on them, like a server that hung.
    pub fn stall(&self) {
        self.shared.state().stalled = true;
    }

    /// Answers new connections again after [`SmtpSink::stall`].
    pub fn unstall(&self) {
        self.shared.state().stalled = false;
    }

    /// Stops listening and drops every open connection: connecting is then refused, as for a
    /// mail server that is down. What was received is kept.
    pub async fn stop(&self) {
        let server = self
            .server
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(server) = server {
            server.abort();
            // Once the task has ended, its listener and connections are closed.
            let _ = server.await;
        }
    }

    /// Listens again on the same port after [`SmtpSink::stop`].
    ///
    /// # Panics
    /// When the port was taken meanwhile.
    pub async fn restart(&self) {
        self.stop().await;
        let listener = listen(self.addr);
        let server = tokio::spawn(serve(listener, Arc::clone(&self.shared)));
        *self
            .server
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(server);
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Ok(mut server) = self.server.lock()
            && let Some(server) = server.take()
        {
            server.abort();
        }
    }
}

fn listen(addr: SocketAddr) -> TcpListener {
    let bound = TcpSocket::new_v4().and_then(|socket| {
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(64)
    });
    bound.unwrap_or_else(|error| panic!("the SMTP sink cannot listen on {addr}: {error}"))
}

/// Accepts connections until aborted; aborting it drops the connections too.
async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    if shared.state().stalled {
                        // Held open, never answered, until the sink stops.
                        let _open = stream;
                        std::future::pending::<()>().await;
                    } else {
                        // A client that goes away mid-conversation ends it; nothing to report.
                        let _ = converse(stream, &shared).await;
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One client's conversation.
async fn converse(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    writer
        .write_all(b"220 redress-sink ESMTP ready\r\n")
        .await?;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut authenticated_as: Option<String> = None;
    loop {
        let Some(line) = read_line(&mut reader).await? else {
            return Ok(());
        };
        let (verb, argument) = match line.split_once(' ') {
            Some((verb, argument)) => (verb.to_ascii_uppercase(), argument.trim()),
            None => (line.to_ascii_uppercase(), ""),
        };
        let reply = match verb.as_str() {
            "EHLO" => {
                mail_from = None;
                rcpt_to.clear();
                let auth = if shared.state().auth.is_some() {
                    "250-AUTH PLAIN LOGIN\r\n"
                } else {
                    ""
                };
                format!(
                    "250-redress-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n{auth}250 SIZE {MAX_DATA_BYTES}"
                )
            }
            "HELO" => {
                mail_from = None;
                rcpt_to.clear();
                "250 redress-sink".to_owned()
            }
            "AUTH" => {
                let expected = shared.state().auth.clone();
                match expected {
                    None => "503 5.5.1 AUTH not offered".to_owned(),
                    Some(expected) => {
                        let given = authenticate(argument, &mut reader, &mut writer).await?;
                        match given {
                            Some((user, password))
                                if (user.as_str(), password.as_str())
                                    == (expected.0.as_str(), expected.1.as_str()) =>
                            {
                                authenticated_as = Some(user);
                                "235 2.7.0 Authentication successful".to_owned()
                            }
                            Some(_) => "535 5.7.8 Authentication credentials invalid".to_owned(),
                            None => "501 5.5.2 Cannot decode the AUTH exchange".to_owned(),
                        }
                    }
                }
            }
            "MAIL" => {
                if shared.state().auth.is_some() && authenticated_as.is_none() {
                    "530 5.7.0 Authentication required".to_owned()
                } else {
                    match path(argument, "FROM:") {
                        Some(from) => {
                            mail_from = Some(from);
                            rcpt_to.clear();
                            "250 2.1.0 Ok".to_owned()
                        }
                        None => "501 5.5.4 Syntax: MAIL FROM:<address>".to_owned(),
                    }
                }
            }
            "RCPT" => match (&mail_from, path(argument, "TO:")) {
                (None, _) => "503 5.5.1 MAIL first".to_owned(),
                (Some(_), None) => "501 5.5.4 Syntax: RCPT TO:<address>".to_owned(),
                (Some(_), Some(to)) => match Refusal::take(&mut shared.state().refuse_rcpt) {
                    Some(refusal) => refusal,
                    None => {
                        rcpt_to.push(to);
                        "250 2.1.5 Ok".to_owned()
                    }
                },
            },
            "DATA" => match (&mail_from, rcpt_to.is_empty()) {
                (None, _) => "503 5.5.1 MAIL first".to_owned(),
                (Some(_), true) => "503 5.5.1 RCPT first".to_owned(),
                (Some(from), false) => {
                    writer
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let Some(data) = read_data(&mut reader).await? else {
                        return Ok(());
                    };
                    let mut state = shared.state();
                    let reply = match Refusal::take(&mut state.refuse_data) {
                        Some(refusal) => refusal,
                        None => {
                            state.received.push(ReceivedMessage {
                                mail_from: from.clone(),
                                rcpt_to: std::mem::take(&mut rcpt_to),
                                data,
                                authenticated_as: authenticated_as.clone(),
                            });
                            let count = state.received.len();
                            shared.count.send_replace(count);
                            format!("250 2.0.0 Ok: queued as {count}")
                        }
                    };
                    drop(state);
                    mail_from = None;
                    rcpt_to.clear();
                    reply
                }
            },
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                "250 2.0.0 Ok".to_owned()
            }
            "NOOP" => "250 2.0.0 Ok".to_owned(),
            "QUIT" => {
                writer.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            "STARTTLS" => "454 4.7.0 TLS not available".to_owned(),
            _ => "502 5.5.2 Command not recognized".to_owned(),
        };
        writer.write_all(reply.as_bytes()).await?;
        writer.write_all(b"\r\n").await?;
    }
}

/// A command line without its line end, or `None` at the end of the stream.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    let read = (&mut *reader)
        .take(64 * 1024)
        .read_until(b'\n', &mut line)
        .await?;
    if read == 0 {
        return Ok(None);
    }
    let line = String::from_utf8_lossy(&line);
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

/// The data up to the line holding a lone `.`, dot-unstuffed, or `None` when the stream ends
/// or the data is too large.
async fn read_data<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(data));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(unstuffed);
        if data.len() > MAX_DATA_BYTES {
            return Ok(None);
        }
    }
}

/// The address in `FROM:<address> PARAMS` or `TO:<address>`, without `<>`.
fn path(argument: &str, keyword: &str) -> Option<String> {
    let rest = argument.get(..keyword.len())?;
    if !rest.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// The user and password of an AUTH PLAIN or LOGIN exchange, or `None` when it does not decode.
async fn authenticate<R: AsyncRead + Unpin, W: tokio::io::AsyncWrite + Unpin>(
    argument: &str,
    reader: &mut BufReader<R>,
    writer: &mut W,
) -> std::io::Result<Option<(String, String)>> {
    let (mechanism, initial) = match argument.split_once(' ') {
        Some((mechanism, initial)) => (
            mechanism.to_ascii_uppercase(),
            Some(initial.trim().to_owned()),
        ),
        None => (argument.to_ascii_uppercase(), None),
    };
    let mut challenge = async |prompt: &[u8]| -> std::io::Result<Option<String>> {
        writer.write_all(prompt).await?;
        read_line(reader).await
    };
    match mechanism.as_str() {
        "PLAIN" => {
            let response = match initial {
                Some(initial) => Some(initial),
                None => challenge(b"334 \r\n").await?,
            };
            let decoded = response.as_deref().and_then(base64_decode);
            Ok(decoded.and_then(|decoded| {
                let mut fields = decoded.split(|&b| b == 0);
                let _authorization = fields.next()?;
                let user = String::from_utf8(fields.next()?.to_vec()).ok()?;
                let password = String::from_utf8(fields.next()?.to_vec()).ok()?;
                Some((user, password))
            }))
        }
        "LOGIN" => {
            let user = match initial {
                Some(initial) => Some(initial),
                None => challenge(b"334 VXNlcm5hbWU6\r\n").await?,
            };
            let password = challenge(b"334 UGFzc3dvcmQ6\r\n").await?;
            let text = |encoded: Option<String>| {
                String::from_utf8(base64_decode(encoded.as_deref()?)?).ok()
            };
            Ok(text(user).zip(text(password)))
        }
        _ => Ok(None),
    }
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let text = text.trim().trim_end_matches('=');
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        buffer = (buffer << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::{base64_decode, path};

    #[test]
    fn base64_decodes_with_and_without_padding_and_refuses_other_characters() {
        assert_eq!(base64_decode("AHVzZXIAcGFzcw==").unwrap(), b"\0user\0pass");
        assert_eq!(base64_decode("dXNlcg").unwrap(), b"user");
        assert_eq!(base64_decode("d*Nlcg"), None);
    }

    #[test]
    fn envelope_paths_are_read_without_their_angles_and_parameters() {
        assert_eq!(
            path("FROM:<a@b.c> BODY=8BITMIME", "FROM:").as_deref(),
            Some("a@b.c")
        );
        assert_eq!(path("to: <x@y.z>", "TO:").as_deref(), Some("x@y.z"));
        assert_eq!(path("FROM:a@b.c", "FROM:"), None);
    }
}
