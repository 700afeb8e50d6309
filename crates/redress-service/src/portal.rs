//! The customer portal's use cases: a customer, holding the link a message gave them, sees
//! their own disputes and arrears cases and nothing else, answers, sends documents, opens a
//! dispute on one of their own invoices, chooses how to settle what was under-billed, and says
//! how satisfied they were. Agents issue and revoke links.
//!
//! Every change is made only while the link still opens, checked in the transaction that makes
//! it; every read and change is limited to the link's customer.

use crate::error::ServiceError;
use crate::messages::Recipient;
use crate::redress::{Actor, as_writer, may_write};
use crate::resolutions::ResolveError;
use redress_domain::arrears::ArrearsStatus;
use redress_domain::message::{Direction, MessageKind};
use redress_domain::resolution::ResolutionStatus;
use redress_domain::{DisputeStatus, Language, Timestamp};
use redress_storage::books::cases::{ArrearsCase, ArrearsChoice};
use redress_storage::books::resolutions::{Resolution, ResolutionError};
use redress_storage::disputes::attachments::Attachment;
use redress_storage::disputes::list::DisputeFilter;
use redress_storage::disputes::record::DisputeRow;
use redress_storage::messages::StoredMessage;
use redress_storage::portal::{IssuedLink, LinkRefused, PortalError, PortalLink};
use redress_storage::{StorageError, new_id, this_moment};

/// Who holds a portal link: the customer it was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// The link's token, which every change checks again.
    pub token: String,
    /// The link.
    pub link: PortalLink,
    /// The customer.
    pub customer_id: String,
    /// Their name.
    pub name: String,
    /// The language they read.
    pub language: Language,
}

impl Visitor {
    /// How the audit log names them.
    pub fn actor(&self) -> String {
        format!("customer:{}", self.customer_id)
    }
}

/// Why the portal refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortalRefused {
    /// The link opens nothing (unknown, expired or revoked).
    #[error(transparent)]
    Link(#[from] LinkRefused),
    /// What was asked for is not this customer's (or does not exist: the customer cannot
    /// tell, by design).
    #[error("there is no {0} of yours with that reference")]
    NotYours(&'static str),
    /// A field is wrong.
    #[error("{message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
    /// Not now: the dispute or case is not in a state for it.
    #[error("{0}")]
    NotNow(String),
}

impl From<PortalError> for ServiceError {
    fn from(e: PortalError) -> Self {
        match e {
            PortalError::Link(refused) => PortalRefused::Link(refused).into(),
            PortalError::Storage(e) => e.into(),
        }
    }
}

/// The portal: `redress.portal()`.
pub struct Portal<'a>(pub(crate) &'a crate::Redress);

impl crate::Redress {
    /// The customer portal.
    pub fn portal(&self) -> Portal<'_> {
        Portal(self)
    }
}

/// The longest answer a customer may write in the portal, in characters.
pub const MAX_REPLY_CHARS: usize = 20_000;

impl Portal<'_> {
    /// A link for `customer_id` (about `dispute_id`), made by an agent, working for the
    /// business's usual number of days: its token is given once.
    pub async fn issue(
        &self,
        actor: &Actor,
        customer_id: &str,
        dispute_id: Option<&str>,
    ) -> Result<(IssuedLink, String), ServiceError> {
        may_write(actor)?;
        self.0
            .perform(self.issue_work(actor, customer_id, dispute_id))
            .await
    }

    /// Making a link as [`Portal::issue`] does, ready to perform (under a request's key):
    /// the link and its URL.
    pub fn issue_work(
        &self,
        actor: &Actor,
        customer_id: &str,
        dispute_id: Option<&str>,
    ) -> redress_storage::Work<(IssuedLink, String), ServiceError> {
        let communication = &self.0.communication;
        let expires_at = this_moment()
            .checked_add(communication.link_settings().valid_for)
            .unwrap_or(Timestamp::MAX);
        let base = communication.public_url.trim_end_matches('/').to_owned();
        let work = redress_storage::portal::issue(customer_id, dispute_id, expires_at, &actor.id);
        as_writer(actor, work).map(move |issued| {
            let url = format!("{base}/portal/{}", issued.token);
            (issued, url)
        })
    }

    /// Revokes the link `id`: it opens nothing from now on.
    pub async fn revoke(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<Option<PortalLink>, ServiceError> {
        may_write(actor)?;
        self.0.perform(self.revoke_work(actor, id)).await
    }

    /// Revoking a link as [`Portal::revoke`] does, ready to perform.
    pub fn revoke_work(
        &self,
        actor: &Actor,
        id: &str,
    ) -> redress_storage::Work<Option<PortalLink>, ServiceError> {
        as_writer(actor, redress_storage::portal::revoke(id, &actor.id))
    }

    /// A customer's links, newest first.
    pub async fn links_of(&self, customer_id: &str) -> Result<Vec<PortalLink>, StorageError> {
        self.0.store.portal().links_of(customer_id).await
    }

    /// Who holds `token`, if it still opens: the visit is an event in the dispute's history.
    pub async fn enter(&self, token: &str) -> Result<Visitor, ServiceError> {
        let link = self
            .0
            .store
            .perform(redress_storage::portal::visit(token))
            .await?;
        let customer = self
            .0
            .store
            .billing()
            .customer(&link.customer_id)
            .await?
            .ok_or(PortalRefused::Link(LinkRefused::Unknown))?;
        Ok(Visitor {
            token: token.to_owned(),
            customer_id: link.customer_id.clone(),
            name: customer.name,
            language: Language::for_customer(&customer.language).0,
            link,
        })
    }

    /// The visitor's disputes, newest first.
    pub async fn disputes(&self, visitor: &Visitor) -> Result<Vec<DisputeRow>, ServiceError> {
        let filter = DisputeFilter {
            customer_id: Some(visitor.customer_id.clone()),
            ..Default::default()
        };
        let page = self
            .0
            .store
            .disputes()
            .list(&filter, Default::default(), 200, None)
            .await?
            .map_err(|bad| StorageError::Corrupt(bad.to_string()))?;
        Ok(page.disputes)
    }

    /// The visitor's dispute `id`.
    pub async fn dispute(&self, visitor: &Visitor, id: &str) -> Result<DisputeRow, ServiceError> {
        match self.0.store.disputes().get(id).await? {
            Some(d) if d.customer_id == visitor.customer_id => Ok(d),
            _ => Err(PortalRefused::NotYours("dispute").into()),
        }
    }

    /// The messages of the visitor's dispute `id`, oldest first.
    pub async fn messages(
        &self,
        visitor: &Visitor,
        id: &str,
    ) -> Result<Vec<StoredMessage>, ServiceError> {
        self.dispute(visitor, id).await?;
        Ok(self.0.store.messages().of_dispute(id).await?)
    }

    /// The files of the visitor's dispute `id`.
    pub async fn attachments(
        &self,
        visitor: &Visitor,
        id: &str,
    ) -> Result<Vec<Attachment>, ServiceError> {
        self.dispute(visitor, id).await?;
        Ok(self.0.store.disputes().attachments(id).await?)
    }

    /// The visitor's invoices, newest first, with their day.
    pub async fn invoices(
        &self,
        visitor: &Visitor,
    ) -> Result<Vec<(String, redress_domain::Date)>, ServiceError> {
        Ok(self
            .0
            .store
            .billing()
            .invoices_of(&visitor.customer_id)
            .await?)
    }

    /// The visitor's answer on their dispute `id`, kept as a message from them (a dispute
    /// waiting for them goes back to investigating).
    pub async fn reply(
        &self,
        visitor: &Visitor,
        id: &str,
        text: &str,
    ) -> Result<StoredMessage, ServiceError> {
        let dispute = self.dispute(visitor, id).await?;
        if text.trim().is_empty() {
            return Err(PortalRefused::Invalid {
                field: "text",
                message: "write your answer before sending it".into(),
            }
            .into());
        }
        let message = self.their_words(visitor, &dispute, text).await?;
        let work = redress_storage::portal::while_valid(&visitor.token, move |_| {
            redress_storage::messages::keep(message, None).map_err(ServiceError::from)
        });
        self.0.perform(work).await
    }

    /// The visitor accepts option `resolution_id` offered to them: it is carried out at once
    /// (what it gives is in their ledger, its document made), the other options of the offer
    /// are declined, and the dispute is resolved unless something on it still waits for an
    /// approver.
    pub async fn accept(
        &self,
        visitor: &Visitor,
        resolution_id: &str,
    ) -> Result<Resolution, ServiceError> {
        let (id, customer, actor) = (
            resolution_id.to_owned(),
            visitor.customer_id.clone(),
            visitor.actor(),
        );
        let work = redress_storage::portal::while_valid(&visitor.token, move |_| {
            redress_storage::books::resolutions::accept(&id, &customer, &actor)
                .map_err(|e| ServiceError::from(ResolveError::from(e)))
        });
        self.0.perform(work).await.map_err(not_yours_if_unknown)
    }

    /// The visitor declines what is offered on their dispute `id`, saying why if they wish
    /// (`why`, kept as a message from them): every option is declined, and a dispute that
    /// waited for them goes back to investigating.
    pub async fn decline(
        &self,
        visitor: &Visitor,
        id: &str,
        why: &str,
    ) -> Result<Vec<Resolution>, ServiceError> {
        let dispute = self.dispute(visitor, id).await?;
        let said = match why.trim() {
            "" => None,
            words => Some(self.their_words(visitor, &dispute, words).await?),
        };
        let note = said.as_ref().map(|m| m.body.clone());
        let (id, customer, actor) = (
            dispute.id.clone(),
            visitor.customer_id.clone(),
            visitor.actor(),
        );
        let work = redress_storage::portal::while_valid(&visitor.token, move |_| {
            redress_storage::books::resolutions::decline(&id, &customer, note, &actor)
                .map_err(|e| ServiceError::from(ResolveError::from(e)))
                .then(move |declined| match said {
                    Some(message) => redress_storage::messages::keep(message, None)
                        .map_err(ServiceError::from)
                        .map(|_| declined),
                    None => redress_storage::Work::ready(Ok(declined)),
                })
        });
        self.0.perform(work).await
    }

    /// What the visitor wrote on their dispute, as a message from them to keep: refused when
    /// longer than [`MAX_REPLY_CHARS`].
    async fn their_words(
        &self,
        visitor: &Visitor,
        dispute: &DisputeRow,
        text: &str,
    ) -> Result<StoredMessage, ServiceError> {
        if text.chars().count() > MAX_REPLY_CHARS {
            return Err(PortalRefused::Invalid {
                field: "text",
                message: format!("an answer is at most {MAX_REPLY_CHARS} characters"),
            }
            .into());
        }
        let customer = self
            .0
            .store
            .billing()
            .customer(&visitor.customer_id)
            .await?;
        let to = Recipient {
            customer_id: visitor.customer_id.clone(),
            name: visitor.name.clone(),
            address: customer.map(|c| c.email).unwrap_or_default(),
        };
        let id = new_id("MSG");
        let message = StoredMessage {
            mail_id: format!("{id}@portal.{}", self.0.communication.mail_domain),
            id,
            dispute_id: Some(dispute.id.clone()),
            arrears_case_id: None,
            customer_id: visitor.customer_id.clone(),
            direction: Direction::FromCustomer,
            kind: MessageKind::CustomerReply,
            language: visitor.language,
            address: to.address,
            name: to.name,
            subject: format!("{} ({})", dispute.id, dispute.invoice_id),
            body: text.trim().to_owned(),
            in_reply_to: None,
            documents: Vec::new(),
            written_by: visitor.actor(),
            created_at: this_moment(),
            delivery: None,
        };
        Ok(message)
    }

    /// The options offered to the visitor on their dispute `id` that wait for their answer,
    /// and every resolution of it they can see: what was offered, carried out or declined
    /// (not what an approver refused or still holds).
    pub async fn resolutions(
        &self,
        visitor: &Visitor,
        id: &str,
    ) -> Result<Vec<Resolution>, ServiceError> {
        self.dispute(visitor, id).await?;
        Ok(self
            .0
            .store
            .books()
            .resolutions_of(id)
            .await?
            .into_iter()
            .filter(|r| {
                matches!(
                    r.status,
                    ResolutionStatus::Offered
                        | ResolutionStatus::Applied
                        | ResolutionStatus::Declined
                )
            })
            .collect())
    }

    /// A document the visitor sends on their dispute `id`, kept in its case file.
    pub async fn attach(
        &self,
        visitor: &Visitor,
        id: &str,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Attachment, ServiceError> {
        self.dispute(visitor, id).await?;
        let (id, file_name, media_type, bytes, actor) = (
            id.to_owned(),
            file_name.to_owned(),
            media_type.to_owned(),
            bytes.to_vec(),
            visitor.actor(),
        );
        let work = redress_storage::portal::while_valid(&visitor.token, move |_| {
            crate::disputes::keep_evidence(&id, &file_name, &media_type, &bytes, &actor)
        });
        self.0.perform(work).await
    }

    /// A dispute the visitor opens on one of their own invoices (taken by the portal, verified
    /// and acknowledged as any other).
    pub async fn open_dispute(
        &self,
        visitor: &Visitor,
        intake: crate::DisputeIntake,
    ) -> Result<DisputeRow, ServiceError> {
        let theirs = self
            .0
            .store
            .billing()
            .invoices_of(&visitor.customer_id)
            .await?
            .iter()
            .any(|(id, _)| *id == intake.invoice_id);
        if !theirs {
            return Err(PortalRefused::NotYours("invoice").into());
        }
        // The link is checked once more just before: a dispute is recorded by the busy intake
        // path, which does not take a link's check into its transaction.
        self.0
            .store
            .perform(redress_storage::portal::while_valid(&visitor.token, |_| {
                redress_storage::Work::<(), ServiceError>::ready(Ok(()))
            }))
            .await?;
        let intake = crate::DisputeIntake {
            channel: "portal".to_owned(),
            ..intake
        };
        Ok(crate::disputes::open_as_gateway_by(
            &self.0.store,
            &self.0.communication,
            intake,
            &visitor.actor(),
        )
        .await?)
    }

    /// The visitor's arrears cases, newest first.
    pub async fn arrears_cases(&self, visitor: &Visitor) -> Result<Vec<ArrearsCase>, ServiceError> {
        Ok(self
            .0
            .store
            .cases()
            .list(None)
            .await?
            .into_iter()
            .filter(|c| c.customer_id == visitor.customer_id)
            .collect())
    }

    /// The visitor's choice of how to settle their arrears case `id` (the next invoice, a
    /// separate invoice, or instalments), carried out at once: what is billed is in their
    /// ledger. Only while the case is offered to them.
    pub async fn choose(
        &self,
        visitor: &Visitor,
        id: &str,
        choice: ArrearsChoice,
    ) -> Result<ArrearsCase, ServiceError> {
        let case = self.0.store.cases().get(id).await?;
        let case = match case {
            Some(c) if c.customer_id == visitor.customer_id => c,
            _ => return Err(PortalRefused::NotYours("arrears case").into()),
        };
        if case.status != ArrearsStatus::Offered {
            return Err(PortalRefused::NotNow(
                "this correction is not waiting for your choice".into(),
            )
            .into());
        }
        if matches!(
            choice,
            ArrearsChoice::Waive | ArrearsChoice::Compromise { .. }
        ) {
            return Err(PortalRefused::Invalid {
                field: "option",
                message: "choose the next invoice, a separate invoice or instalments".into(),
            }
            .into());
        }
        let (id, actor) = (id.to_owned(), visitor.actor());
        let work = redress_storage::portal::while_valid(&visitor.token, move |_| {
            redress_storage::books::cases::choose(&id, choice, &actor).map_err(ServiceError::from)
        });
        self.0.perform(work).await
    }

    /// How satisfied the visitor was with how their dispute `id` was put right, 1 to 5: only
    /// once it is resolved or closed.
    pub async fn rate(
        &self,
        visitor: &Visitor,
        id: &str,
        score: u8,
        comment: &str,
    ) -> Result<(), ServiceError> {
        let dispute = self.dispute(visitor, id).await?;
        if !matches!(
            dispute.status,
            DisputeStatus::Resolved | DisputeStatus::Closed
        ) {
            return Err(PortalRefused::NotNow(
                "you can rate how we handled your dispute once it is resolved".into(),
            )
            .into());
        }
        if !(1..=5).contains(&score) {
            return Err(PortalRefused::Invalid {
                field: "score",
                message: "choose a rating from 1 to 5".into(),
            }
            .into());
        }
        let (id, customer, comment) = (
            id.to_owned(),
            visitor.customer_id.clone(),
            comment.trim().chars().take(2000).collect::<String>(),
        );
        let work = redress_storage::portal::while_valid(&visitor.token, move |_| {
            redress_storage::portal::rate(&id, &customer, score, &comment)
                .map_err(ServiceError::from)
        });
        self.0.perform(work).await
    }

    /// The visitor's rating of their dispute `id`, if given: (score, comment).
    pub async fn rating(
        &self,
        visitor: &Visitor,
        id: &str,
    ) -> Result<Option<(u8, String)>, ServiceError> {
        self.dispute(visitor, id).await?;
        Ok(self.0.store.portal().satisfaction(id).await?)
    }
}

/// Another customer's resolution (or none) is, to a visitor, not theirs: they cannot tell which.
fn not_yours_if_unknown(e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Resolve(ResolveError::Resolution(
            ResolutionError::NotFound(_) | ResolutionError::Dispute(_),
        )) => PortalRefused::NotYours("offer").into(),
        other => other,
    }
}
