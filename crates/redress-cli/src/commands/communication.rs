//! How `redress serve` talks with customers: the SMTP server mail goes through, the address it
//! comes from, whether disputes are acknowledged by themselves, the business on its documents,
//! and the business calendar and service levels its promises are counted in.

use anyhow::Context;
use clap::Args;
use redress_domain::service_level::{BusinessCalendar, ServicePolicy};
use redress_mailer::{Mailbox, SmtpSettings};
use redress_service::messages::Communication;

/// Arguments about talking with customers.
#[derive(Args, Debug, Clone, Default)]
pub struct CommunicationArgs {
    /// The SMTP server mail goes through: `smtp://USER:PASS@HOST:PORT?tls=starttls|none`
    /// (STARTTLS unless `tls=none`; `smtps://` for TLS from the start). Without it, messages
    /// wait in the outbox and the desk says so.
    #[arg(
        long,
        env = "REDRESS_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Who mail comes from, e.g. `Acme Billing <billing@acme.example>`; needed with
    /// `--smtp-url`. Its domain names the Message-IDs that replies come back by.
    #[arg(long, env = "REDRESS_MAIL_FROM", value_name = "MAILBOX")]
    pub mail_from: Option<String>,
    /// How long one delivery may take before it is tried again later, in seconds.
    #[arg(
        long,
        env = "REDRESS_SMTP_TIMEOUT",
        default_value_t = 30,
        value_name = "SECONDS"
    )]
    pub smtp_timeout: u64,
    /// Do not acknowledge a dispute to the customer by itself when it is taken.
    #[arg(long, env = "REDRESS_NO_ACKNOWLEDGEMENT")]
    pub no_acknowledgement: bool,
    /// The business's name, at the head of its documents.
    #[arg(long, env = "REDRESS_BUSINESS_NAME", default_value = "Redress")]
    pub business_name: String,
    /// The business's address on its documents, its lines separated by `;`.
    #[arg(long, env = "REDRESS_BUSINESS_ADDRESS", default_value = "")]
    pub business_address: String,
    /// The business's tax id on its documents.
    #[arg(long, env = "REDRESS_BUSINESS_TAX_ID")]
    pub business_tax_id: Option<String>,
    /// The business's working days, hours and holidays in its time zone, e.g.
    /// `zone=Europe/Madrid; days=Mon-Fri; hours=09:00-17:00; holidays=2026-12-25`
    /// (docs/service-levels.md).
    #[arg(long, env = "REDRESS_BUSINESS_CALENDAR", default_value = "zone=UTC")]
    pub business_calendar: String,
    /// Where customers reach Redress: the portal links in messages begin with it (e.g.
    /// `https://billing.example.com`). Without it, the address `redress serve` listens on.
    #[arg(long, env = "REDRESS_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// How many days a portal link in a message works.
    #[arg(
        long,
        env = "REDRESS_PORTAL_LINK_DAYS",
        default_value_t = 30,
        value_name = "DAYS"
    )]
    pub portal_link_days: u16,
    /// The service levels promised, e.g. `acknowledge=4h; respond=16h; resolve=10d; warn=75%`
    /// (docs/service-levels.md).
    #[arg(long, env = "REDRESS_SERVICE_LEVELS")]
    pub service_levels: Option<String>,
    /// After how many working days without a word to the customer an open dispute is due a
    /// status update (the queue and the case say so); 0 never.
    #[arg(
        long,
        env = "REDRESS_STATUS_UPDATE_DAYS",
        default_value_t = 5,
        value_name = "DAYS"
    )]
    pub status_update_days: u16,
}

impl CommunicationArgs {
    /// The communication settings and, when mail is configured, the SMTP settings; the portal
    /// at `listening` unless `--public-url` says otherwise.
    pub fn settings(
        &self,
        listening: &str,
    ) -> anyhow::Result<(Communication, Option<SmtpSettings>)> {
        let public_url = match &self.public_url {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                url.trim_end_matches('/').to_owned()
            }
            Some(url) => anyhow::bail!(
                "--public-url (REDRESS_PUBLIC_URL): `{url}` is not an http:// or https:// address"
            ),
            None => listening.to_owned(),
        };
        let calendar: BusinessCalendar = self
            .business_calendar
            .parse()
            .context("--business-calendar (REDRESS_BUSINESS_CALENDAR)")?;
        let policy: ServicePolicy = match &self.service_levels {
            Some(text) => text
                .parse()
                .context("--service-levels (REDRESS_SERVICE_LEVELS)")?,
            None => ServicePolicy::DEFAULT,
        };
        let from: Option<Mailbox> = match &self.mail_from {
            Some(text) => Some(text.parse().map_err(|e| {
                anyhow::anyhow!(
                    "--mail-from (REDRESS_MAIL_FROM): `{text}` is not a mailbox ({e}); expected \
                     `Name <address@domain>` or `address@domain`"
                )
            })?),
            None => None,
        };
        let smtp = match (&self.smtp_url, &from) {
            (Some(url), Some(from)) => Some(
                SmtpSettings::parse(url, &from.to_string())
                    .context("--smtp-url (REDRESS_SMTP_URL)")?
                    .with_timeout(std::time::Duration::from_secs(self.smtp_timeout.max(1))),
            ),
            (Some(_), None) => anyhow::bail!(
                "--smtp-url needs --mail-from (REDRESS_MAIL_FROM): who the mail comes from"
            ),
            (None, _) => None,
        };
        let defaults = Communication::default();
        let email = from
            .as_ref()
            .map(|f| f.email.to_string())
            .unwrap_or_else(|| defaults.business.email.clone());
        let communication = Communication {
            public_url,
            link_valid_days: self.portal_link_days.max(1),
            update_every_days: self.status_update_days,
            delivers: smtp.is_some(),
            auto_acknowledge: !self.no_acknowledgement,
            calendar,
            policy,
            mail_domain: from
                .as_ref()
                .map(|f| f.email.domain().to_owned())
                .unwrap_or(defaults.mail_domain),
            business: redress_service::documents::business(
                &self.business_name,
                &self
                    .business_address
                    .split(';')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
                self.business_tax_id.as_deref(),
                &email,
            ),
        };
        Ok((communication, smtp))
    }
}
