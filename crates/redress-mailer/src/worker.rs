//! The outbox's worker: claims the messages due, sends each over SMTP with its documents as
//! PDFs, and marks it delivered, to be tried again after [`retry_after`], or failed.
//!
//! Nothing is lost: a message is in the outbox before anything is sent, and a worker that dies
//! mid-delivery leaves its claim to end, after which the message is claimed again. Nothing is
//! sent twice for one outbox entry as far as SMTP allows: an entry is marked as soon as the mail
//! server has answered, and only the worker holding its claim may mark it. The one window left
//! is SMTP's own: a worker killed after the server accepted the mail and before the mark is
//! kept sends it again, with the same Message-ID, by which mail programs recognise the copy.

use crate::{DeliveryFailure, Mailbox, Mailer, OutgoingAttachment, OutgoingMail, retry_after};
use redress_service::Redress;
use redress_service::records::{Claimed, Outcome};
use std::time::Duration;

/// How the worker works.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// How long to wait between looks at an empty outbox.
    pub poll: Duration,
    /// How long a claim lasts: longer than one delivery may take.
    pub lease: Duration,
    /// How many attempts before a message that keeps failing for now is given up as failed.
    pub max_attempts: u32,
    /// How many messages to claim at a time.
    pub batch: u32,
}

impl WorkerSettings {
    /// The settings for a mailer whose sends are bounded by `timeout`: a claim lasts two of
    /// them and ten seconds more (the PDFs are made within it too), and a message is given up
    /// after 12 attempts (over about eight hours, by [`retry_after`]).
    pub fn for_timeout(timeout: Duration) -> Self {
        Self {
            poll: Duration::from_secs(1),
            lease: timeout * 2 + Duration::from_secs(10),
            max_attempts: 12,
            batch: 10,
        }
    }
}

/// Delivers the outbox: see the module's docs.
pub struct Worker {
    redress: Redress,
    mailer: Mailer,
    settings: WorkerSettings,
}

impl Worker {
    /// A worker delivering `redress`'s outbox through `mailer`.
    pub fn new(redress: Redress, mailer: Mailer, settings: WorkerSettings) -> Self {
        Self {
            redress,
            mailer,
            settings,
        }
    }

    /// Delivers until `stop` resolves (finishing the delivery in hand first).
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let handled = match self.deliver_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "the outbox could not be read");
                    0
                }
            };
            if handled > 0 {
                continue;
            }
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }

    /// Claims the messages due now and delivers each; gives how many were handled.
    pub async fn deliver_due(&self) -> Result<usize, redress_service::ServiceError> {
        let messages = self.redress.messages();
        let claimed = messages
            .claim_due(self.settings.lease, self.settings.batch)
            .await?;
        let handled = claimed.len();
        for claim in claimed {
            let outcome = self.deliver(&claim).await;
            match &outcome {
                Outcome::Delivered => {
                    tracing::info!(message = %claim.message.id, attempt = claim.attempt, "message delivered")
                }
                Outcome::RetryAt { error, .. } => {
                    tracing::warn!(message = %claim.message.id, attempt = claim.attempt, error = %error, "delivery failed for now")
                }
                Outcome::Failed { error } => {
                    tracing::error!(message = %claim.message.id, attempt = claim.attempt, error = %error, "delivery failed")
                }
            }
            if !messages.mark(&claim, outcome).await? {
                tracing::warn!(message = %claim.message.id, "the claim had ended; another worker has the message");
            }
        }
        Ok(handled)
    }

    /// Sends one claimed message, and what its outbox entry should say.
    async fn deliver(&self, claim: &Claimed) -> Outcome {
        let message = &claim.message;
        let to = match message.address.parse::<lettre::Address>() {
            Ok(address) => Mailbox::new(Some(message.name.clone()), address),
            Err(e) => {
                return Outcome::Failed {
                    error: format!("`{}` is not an email address: {e}", message.address),
                };
            }
        };
        let mut attachments = Vec::new();
        for document in &message.documents {
            match self
                .redress
                .documents()
                .pdf(document, Some(message.language))
                .await
            {
                Ok(Some(pdf)) => attachments.push(OutgoingAttachment {
                    file_name: pdf.file_name,
                    media_type: "application/pdf".to_owned(),
                    bytes: pdf.bytes,
                }),
                Ok(None) => {
                    return Outcome::Failed {
                        error: format!("the document {} is not stored", document.id()),
                    };
                }
                Err(e) => return self.later(claim, format!("the PDF could not be made: {e}")),
            }
        }
        let mail = OutgoingMail {
            message_id: message.id.clone(),
            to,
            reply_to: None,
            subject: message.subject.clone(),
            text: message.body.clone(),
            html: None,
            in_reply_to: message.in_reply_to.clone(),
            references: message.in_reply_to.iter().cloned().collect(),
            attachments,
            language: Some(message.language.tag().to_owned()),
        };
        match self.mailer.send(&mail).await {
            Ok(_) => Outcome::Delivered,
            Err(DeliveryFailure::Permanent { code, text }) => Outcome::Failed {
                error: said(code, &text),
            },
            Err(DeliveryFailure::Temporary { code, text }) => self.later(claim, said(code, &text)),
        }
    }

    /// Tried again after the back-off, or given up after the last attempt.
    fn later(&self, claim: &Claimed, error: String) -> Outcome {
        if claim.attempt >= self.settings.max_attempts {
            return Outcome::Failed {
                error: format!("given up after {} attempts: {error}", claim.attempt),
            };
        }
        let wait = jiff::SignedDuration::try_from(retry_after(claim.attempt))
            .unwrap_or(jiff::SignedDuration::from_secs(3600));
        Outcome::RetryAt {
            retry_at: jiff::Timestamp::now()
                .checked_add(wait)
                .unwrap_or(jiff::Timestamp::MAX),
            error,
        }
    }
}

/// What the mail server said, with its code.
fn said(code: Option<u16>, text: &str) -> String {
    match code {
        Some(code) => format!("{code} {text}"),
        None => text.to_owned(),
    }
}
