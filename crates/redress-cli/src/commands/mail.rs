//! `redress mail receive`: one customer's mail from standard input (what a mail server's pipe
//! gives, e.g. Postfix's `pipe` or an alias `|redress mail receive`), kept as the inbound
//! endpoint keeps it; or a mail server's delivery report (a bounce) about a message Redress
//! sent, which marks that message failed.

use super::communication::CommunicationArgs;
use super::database::{DatabaseArgs, runtime};
use crate::Exit;
use clap::{Args, Subcommand};
use redress_service::Redress;
use redress_service::messages::{BounceEffect, Bounced, ReceiveOutcome};
use std::io::Read;

/// Arguments of `redress mail`.
#[derive(Args)]
pub struct MailArgs {
    #[command(subcommand)]
    pub command: MailCommand,
}

/// What to do with mail.
#[derive(Subcommand)]
pub enum MailCommand {
    /// Keep one RFC 822 mail read from standard input in its dispute (or open one for a
    /// customer's new thread); a delivery report (a bounce) about a message Redress sent marks
    /// that message failed, and a delay notice changes nothing. Exits 0 when kept (or kept
    /// before) or when a report was taken, 65 when the mail is refused (not a mail, from no
    /// customer on no dispute's thread, or a report about no message Redress sent: the mail
    /// server bounces it), 75 when the database failed (the mail server tries again later).
    Receive(ReceiveArgs),
}

/// Arguments of `redress mail receive`.
#[derive(Args)]
pub struct ReceiveArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub communication: CommunicationArgs,
}

/// sysexits.h's EX_DATAERR: the mail server bounces the mail.
const REFUSED: u8 = 65;
/// sysexits.h's EX_TEMPFAIL: the mail server keeps the mail and tries again.
const TRY_AGAIN: u8 = 75;

/// Runs `redress mail …`.
pub fn run(args: MailArgs) -> anyhow::Result<()> {
    match args.command {
        MailCommand::Receive(args) => receive(args),
    }
}

fn receive(args: ReceiveArgs) -> anyhow::Result<()> {
    let mut raw = Vec::new();
    std::io::stdin()
        .take(redress_mailer::InboundLimits::default().max_message_bytes as u64 + 1)
        .read_to_end(&mut raw)?;
    let mail = match redress_mailer::parse_inbound(&raw, &Default::default()) {
        Ok(mail) => mail,
        Err(e) => {
            eprintln!("error: the mail is refused: {e}");
            return Err(Exit(REFUSED).into());
        }
    };
    let (communication, _) = args.communication.settings("http://127.0.0.1:8080")?;
    let outcome = runtime()?.block_on(async {
        let redress = match Redress::open(&args.database.location(), Default::default()).await {
            Ok(redress) => redress.with_communication(communication),
            Err(e) => {
                eprintln!("error: the database cannot be opened, try again later: {e}");
                return Err(Exit(TRY_AGAIN));
            }
        };
        let received = redress
            .messages()
            .receive(redress_server::messages::received_mail(mail))
            .await;
        redress.operations().close().await;
        match received {
            Ok(received) => Ok(received),
            Err(e) if e.storage().is_some() => {
                eprintln!("error: the mail could not be kept, try again later: {e}");
                Err(Exit(TRY_AGAIN))
            }
            Err(e) => {
                eprintln!("error: the mail is refused: {e}");
                Err(Exit(REFUSED))
            }
        }
    })?;
    let received = match outcome {
        ReceiveOutcome::Reply(received) => received,
        ReceiveOutcome::Bounce(bounced) => {
            eprintln!("{}", bounce_line(&bounced));
            return Ok(());
        }
    };
    if received.already_kept {
        eprintln!(
            "this mail was kept before, in dispute {} (message {})",
            received.dispute_id, received.message.id
        );
    } else if received.opened {
        eprintln!(
            "a new dispute {} was opened for the mail from {} (message {}, {} files kept)",
            received.dispute_id,
            received.message.address,
            received.message.id,
            received.attachments
        );
    } else {
        eprintln!(
            "kept in dispute {} (message {}, {} files kept)",
            received.dispute_id, received.message.id, received.attachments
        );
    }
    Ok(())
}

/// What a delivery report did, in a line.
fn bounce_line(bounced: &Bounced) -> String {
    let about = match &bounced.message {
        Some(message) => match &message.dispute_id {
            Some(dispute) => format!("message {} (dispute {dispute})", message.id),
            None => format!("message {}", message.id),
        },
        None => "no message of ours".to_owned(),
    };
    match bounced.effect {
        BounceEffect::MarkedFailed => {
            let error = bounced
                .message
                .as_ref()
                .and_then(|m| m.delivery.as_ref())
                .and_then(|d| d.last_error.clone())
                .unwrap_or_else(|| "bounced".to_owned());
            format!("a delivery report: {about} marked failed ({error})")
        }
        BounceEffect::AlreadyFailed => {
            format!("a delivery report about {about}, which had failed before: nothing changed")
        }
        BounceEffect::Delayed => {
            format!("a delay notice about {about}: nothing changed, the mail servers go on trying")
        }
    }
}
