//! Drafting a [`Message`] in a [`Language`]: each part is a Fluent message looked up in the
//! language, or in English when the language lacks it.

use crate::format::LocaleFormats;
use crate::language::{Language, identifier};
use crate::messages::*;
use fluent_bundle::FluentValue;
use fluent_templates::static_loader;
use redress_domain::resolution::PaymentPlan;
use redress_domain::{Date, DisputeReason, Money, NoticeKind};
use std::collections::HashMap;
use unic_langid::LanguageIdentifier;

static_loader! {
    pub(crate) static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A message drafted for an agent to edit and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Its subject line.
    pub subject: String,
    /// Its plain-text body: paragraphs separated by blank lines.
    pub body: String,
    /// The language it is written in.
    pub language: Language,
    /// The ids of the Fluent messages missing in `language`, which were written in English.
    pub missing: Vec<String>,
}

/// `message` drafted in `language`.
pub fn draft(message: &Message, language: Language) -> Draft {
    draft_with(&*LOCALES, message, language)
}

type Args = HashMap<&'static str, FluentValue<'static>>;

/// Where the texts of messages come from: the embedded files, or in tests, files with gaps.
pub(crate) trait Texts {
    /// The message `id` in `language` alone, or `None` if it is not there (or does not format).
    fn text(&self, language: &LanguageIdentifier, id: &str, args: &Args) -> Option<String>;
}

impl Texts for fluent_templates::StaticLoader {
    fn text(&self, language: &LanguageIdentifier, id: &str, args: &Args) -> Option<String> {
        self.lookup_single_language(language, id, Some(args)).ok()
    }
}

pub(crate) fn draft_with(texts: &dyn Texts, message: &Message, language: Language) -> Draft {
    let mut writer = Writer {
        texts,
        language,
        formats: LocaleFormats::new(language),
        missing: Vec::new(),
    };
    let (subject, paragraphs) = writer.write(message);
    Draft {
        subject,
        body: paragraphs.join("\n\n"),
        language,
        missing: writer.missing,
    }
}

struct Writer<'a> {
    texts: &'a dyn Texts,
    language: Language,
    formats: LocaleFormats,
    missing: Vec<String>,
}

fn text(value: &str) -> FluentValue<'static> {
    FluentValue::from(value.to_owned())
}

fn count(n: usize) -> FluentValue<'static> {
    FluentValue::from(n)
}

impl Writer<'_> {
    /// The message `id` in the language, or in English (listed as missing).
    fn say(&mut self, id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args: Args = args.iter().cloned().collect();
        if let Some(found) = self.texts.text(identifier(self.language), id, &args) {
            return found;
        }
        if !self.missing.iter().any(|m| m == id) {
            self.missing.push(id.to_owned());
        }
        self.texts
            .text(identifier(Language::English), id, &args)
            // Every id is in the English file, as the tests check; this keeps a draft whole.
            .unwrap_or_else(|| format!("({id})"))
    }

    fn money(&mut self, money: &Money) -> FluentValue<'static> {
        let amount = self.formats.amount(money.amount, money.currency);
        text(&self.say(
            "money",
            &[
                ("amount", text(&amount)),
                ("currency", text(money.currency.code())),
            ],
        ))
    }

    fn date(&self, date: Date) -> FluentValue<'static> {
        text(&self.formats.date(date))
    }

    fn number(&self, value: redress_domain::Decimal) -> FluentValue<'static> {
        text(&self.formats.number(value.normalize()))
    }

    fn greeting(&mut self, name: &str) -> String {
        self.say("greeting", &[("name", text(name))])
    }

    fn closing(&mut self) -> String {
        self.say("closing", &[])
    }

    fn write(&mut self, message: &Message) -> (String, Vec<String>) {
        match message {
            Message::Acknowledgement(m) => self.acknowledgement(m),
            Message::InformationRequest(m) => self.information_request(m),
            Message::Explanation(m) => self.explanation(m),
            Message::ResolutionOffer(m) => self.resolution_offer(m),
            Message::Reply(m) => self.reply(m),
            Message::StatusUpdate(m) => self.status_update(m),
            Message::Confirmation(m) => self.confirmation(m),
            Message::ArrearsNotice(m) => self.arrears_notice(m),
            Message::SatisfactionFollowUp(m) => self.satisfaction(m),
        }
    }

    fn acknowledgement(&mut self, m: &Acknowledgement) -> (String, Vec<String>) {
        let ids = [
            ("dispute", text(&m.dispute_id)),
            ("invoice", text(&m.invoice_id)),
        ];
        let subject = self.say("acknowledgement-subject", &ids);
        let received = self.date(m.received_on);
        let respond_by = self.date(m.respond_by);
        let reason = reason_name(m.reason);
        let body = vec![
            self.greeting(&m.customer_name),
            self.say(
                "acknowledgement-thanks",
                &[
                    ids[0].clone(),
                    ids[1].clone(),
                    ("received", received),
                    ("reason", text(reason)),
                ],
            ),
            self.say("acknowledgement-next", &[("respond_by", respond_by)]),
            self.say("acknowledgement-documents", &[]),
            self.closing(),
        ];
        (subject, body)
    }

    fn information_request(&mut self, m: &InformationRequest) -> (String, Vec<String>) {
        let subject = self.say(
            "information-request-subject",
            &[("dispute", text(&m.dispute_id))],
        );
        let intro = self.say(
            "information-request-intro",
            &[
                ("invoice", text(&m.invoice_id)),
                ("count", count(m.needed.len())),
            ],
        );
        let items: Vec<String> = m
            .needed
            .iter()
            .map(|need| {
                let item = match need {
                    InformationNeeded::ProofOfPayment => "proof-of-payment",
                    InformationNeeded::DisputedLines => "disputed-lines",
                    InformationNeeded::PurchaseOrder => "purchase-order",
                    InformationNeeded::DeliveryDetails => "delivery-details",
                    InformationNeeded::BankDetails => "bank-details",
                };
                self.say("information-needed", &[("item", text(item))])
            })
            .collect();
        let respond_by = self.date(m.respond_by);
        let body = vec![
            self.greeting(&m.customer_name),
            format!("{intro}\n{}", items.join("\n")),
            self.say(
                "information-request-deadline",
                &[
                    ("respond_by", respond_by),
                    ("dispute", text(&m.dispute_id)),
                    ("count", count(m.needed.len())),
                ],
            ),
            self.closing(),
        ];
        (subject, body)
    }

    fn explanation(&mut self, m: &Explanation) -> (String, Vec<String>) {
        let subject = self.say("explanation-subject", &[("invoice", text(&m.invoice_id))]);
        let mut body = vec![self.greeting(&m.customer_name)];
        body.extend(self.lines_explained(m));
        body.push(self.say("explanation-closing", &[("dispute", text(&m.dispute_id))]));
        body.push(self.closing());
        (subject, body)
    }

    /// The explanation's introduction and each of its lines, a paragraph each.
    fn lines_explained(&mut self, m: &Explanation) -> Vec<String> {
        let invoice_date = self.date(m.invoice_date);
        let total = self.money(&m.invoice_total);
        let mut body = vec![self.say(
            "explanation-intro",
            &[
                ("invoice", text(&m.invoice_id)),
                ("invoice_date", invoice_date),
                ("total", total),
                ("count", count(m.lines.len())),
            ],
        )];
        for (index, line) in m.lines.iter().enumerate() {
            let amount = self.money(&line.amount);
            let mut rows = vec![self.say(
                "explanation-line",
                &[
                    ("number", count(index + 1)),
                    ("description", text(&line.description)),
                    ("amount", amount),
                ],
            )];
            if let Some(terms) = &line.contract {
                let args = [
                    ("contract", text(&terms.contract_id)),
                    ("signed_on", self.date(terms.signed_on)),
                    ("quantity", self.number(terms.quantity)),
                    ("unit_price", self.money(&terms.unit_price)),
                ];
                rows.push(self.say("explanation-contract", &args));
            }
            for delivery in &line.deliveries {
                let args = self.delivery_args(delivery);
                rows.push(self.say("explanation-delivery", &args));
            }
            for payment in &line.payments {
                let args = [
                    ("reference", text(&payment.reference)),
                    ("paid_on", self.date(payment.paid_on)),
                    ("amount", self.money(&payment.amount)),
                ];
                rows.push(self.say("explanation-payment", &args));
            }
            for notice in &line.notices {
                let row = self.notice(notice);
                rows.push(row);
            }
            if rows.len() == 1 {
                rows.push(self.say("explanation-no-facts", &[]));
            }
            body.push(rows.join("\n   "));
        }
        body
    }

    /// The whole answer: thanks, an apology where we erred, the lines explained, what we
    /// decided and what happens next.
    fn reply(&mut self, m: &Reply) -> (String, Vec<String>) {
        let e = &m.explanation;
        let (subject, decided) =
            self.decided(&e.dispute_id, &e.invoice_id, &m.decision, m.reply_by);
        let mut body = vec![
            self.greeting(&e.customer_name),
            self.say("reply-thanks", &[("invoice", text(&e.invoice_id))]),
        ];
        if m.apologise {
            body.push(self.say("reply-apology", &[]));
        }
        body.extend(self.lines_explained(e));
        body.extend(decided);
        body.push(self.closing());
        (subject, body)
    }

    fn delivery_args(
        &mut self,
        delivery: &DeliveryMade,
    ) -> [(&'static str, FluentValue<'static>); 3] {
        [
            ("reference", text(&delivery.reference)),
            ("delivered_on", self.date(delivery.delivered_on)),
            ("quantity", self.number(delivery.quantity)),
        ]
    }

    fn notice(&mut self, notice: &NoticeSent) -> String {
        let kind = match notice.kind {
            NoticeKind::Invoice => "invoice",
            NoticeKind::Reminder => "reminder",
            NoticeKind::OverdueNotice => "overdue-notice",
        };
        let sent_on = self.date(notice.sent_on);
        match &notice.amount {
            Some(amount) => {
                let amount = self.money(amount);
                self.say(
                    "notice-sent-for",
                    &[
                        ("kind", text(kind)),
                        ("sent_on", sent_on),
                        ("amount", amount),
                    ],
                )
            }
            None => self.say("notice-sent", &[("kind", text(kind)), ("sent_on", sent_on)]),
        }
    }

    fn plan(&mut self, plan: &PaymentPlan) -> Vec<String> {
        plan.instalments()
            .iter()
            .enumerate()
            .map(|(index, instalment)| {
                let amount = self.money(&Money {
                    amount: instalment.amount,
                    currency: plan.currency(),
                });
                let due_on = self.date(instalment.due_on);
                self.say(
                    "instalment",
                    &[
                        ("number", count(index + 1)),
                        ("amount", amount),
                        ("due_on", due_on),
                    ],
                )
            })
            .collect()
    }

    /// A plan offered: the sentence `id` says of its total and count, then its instalments.
    fn plan_offered(&mut self, id: &str, plan: &PaymentPlan) -> String {
        let total = self.plan_total(plan);
        let head = self.say(
            id,
            &[("total", total), ("count", count(plan.instalments().len()))],
        );
        let rows = self.plan(plan);
        format!("{head}\n     {}", rows.join("\n     "))
    }

    fn plan_total(&mut self, plan: &PaymentPlan) -> FluentValue<'static> {
        self.money(&Money {
            amount: plan.total(),
            currency: plan.currency(),
        })
    }

    fn resolution_offer(&mut self, m: &ResolutionOffer) -> (String, Vec<String>) {
        let (subject, decided) =
            self.decided(&m.dispute_id, &m.invoice_id, &m.decision, m.reply_by);
        let mut body = vec![self.greeting(&m.customer_name)];
        body.extend(decided);
        body.push(self.closing());
        (subject, body)
    }

    /// What we decided on dispute `dispute_id` about `invoice_id`, with the subject that says
    /// so: the options (or the evidence) as a paragraph, and what the customer can do by
    /// `reply_by` as another.
    fn decided(
        &mut self,
        dispute_id: &str,
        invoice_id: &str,
        decision: &Decision,
        reply_by: Date,
    ) -> (String, Vec<String>) {
        let reply_by = self.date(reply_by);
        match decision {
            Decision::Offer(remedies) => {
                let subject = self.say("offer-subject", &[("dispute", text(dispute_id))]);
                let mut options = vec![self.say(
                    "offer-intro",
                    &[
                        ("invoice", text(invoice_id)),
                        ("count", count(remedies.len())),
                    ],
                )];
                for remedy in remedies {
                    let option = match remedy {
                        RemedyOffered::CreditNote { amount } => {
                            let amount = self.money(amount);
                            self.say(
                                "offer-credit-note",
                                &[("amount", amount), ("invoice", text(invoice_id))],
                            )
                        }
                        RemedyOffered::Refund { amount } => {
                            let amount = self.money(amount);
                            self.say("offer-refund", &[("amount", amount)])
                        }
                        RemedyOffered::AccountCredit { amount } => {
                            let amount = self.money(amount);
                            self.say("offer-account-credit", &[("amount", amount)])
                        }
                        RemedyOffered::PaymentPlan(plan) => {
                            self.plan_offered("offer-payment-plan", plan)
                        }
                    };
                    options.push(option);
                }
                let body = vec![
                    options.join("\n"),
                    self.say(
                        "offer-reply",
                        &[("reply_by", reply_by), ("count", count(remedies.len()))],
                    ),
                ];
                (subject, body)
            }
            Decision::Rejection { proofs, amount_due } => {
                let subject = self.say("rejection-subject", &[("dispute", text(dispute_id))]);
                let mut reasons = vec![self.say(
                    "rejection-intro",
                    &[
                        ("invoice", text(invoice_id)),
                        ("count", count(proofs.len())),
                    ],
                )];
                for proof in proofs {
                    let reason = match proof {
                        Proof::PriceAsContracted {
                            contract_id,
                            signed_on,
                            unit_price,
                        } => {
                            let args = [
                                ("contract", text(contract_id)),
                                ("signed_on", self.date(*signed_on)),
                                ("unit_price", self.money(unit_price)),
                            ];
                            self.say("rejection-price-as-contracted", &args)
                        }
                        Proof::Delivered(delivery) => {
                            let args = self.delivery_args(delivery);
                            self.say("rejection-delivered", &args)
                        }
                        Proof::NoticeSent(notice) => {
                            let sentence = self.notice(notice);
                            self.say("rejection-notice", &[("notice", text(&sentence))])
                        }
                        Proof::NotADuplicate { other_invoice_id } => self.say(
                            "rejection-not-a-duplicate",
                            &[("other", text(other_invoice_id))],
                        ),
                    };
                    reasons.push(reason);
                }
                let amount_due = self.money(amount_due);
                let body = vec![
                    reasons.join("\n"),
                    self.say(
                        "rejection-next",
                        &[("reply_by", reply_by), ("amount", amount_due)],
                    ),
                ];
                (subject, body)
            }
        }
    }

    fn status_update(&mut self, m: &StatusUpdate) -> (String, Vec<String>) {
        let subject = self.say("status-update-subject", &[("dispute", text(&m.dispute_id))]);
        let stage = match m.stage {
            DisputeStage::Checking => "checking",
            DisputeStage::AwaitingApproval => "awaiting-approval",
            DisputeStage::AwaitingYourReply => "awaiting-your-reply",
        };
        let next = self.date(m.next_update_by);
        let body = vec![
            self.greeting(&m.customer_name),
            self.say(
                "status-update-where",
                &[
                    ("invoice", text(&m.invoice_id)),
                    ("days", FluentValue::from(m.days_open)),
                    ("stage", text(stage)),
                ],
            ),
            self.say("status-update-next", &[("next_update_by", next)]),
            self.closing(),
        ];
        (subject, body)
    }

    fn confirmation(&mut self, m: &Confirmation) -> (String, Vec<String>) {
        let subject = self.say("confirmation-subject", &[("dispute", text(&m.dispute_id))]);
        let mut documents = vec![self.say(
            "confirmation-intro",
            &[
                ("invoice", text(&m.invoice_id)),
                ("count", count(m.documents.len())),
            ],
        )];
        for document in &m.documents {
            let row = match document {
                DocumentIssued::CreditNote {
                    number,
                    issued_on,
                    amount,
                } => {
                    let args = [
                        ("number", text(number)),
                        ("issued_on", self.date(*issued_on)),
                        ("amount", self.money(amount)),
                        ("invoice", text(&m.invoice_id)),
                    ];
                    self.say("confirmation-credit-note", &args)
                }
                DocumentIssued::Refund {
                    reference,
                    paid_on,
                    amount,
                } => {
                    let args = [
                        ("reference", text(reference)),
                        ("paid_on", self.date(*paid_on)),
                        ("amount", self.money(amount)),
                    ];
                    self.say("confirmation-refund", &args)
                }
                DocumentIssued::AccountCredit {
                    credited_on,
                    amount,
                } => {
                    let args = [
                        ("credited_on", self.date(*credited_on)),
                        ("amount", self.money(amount)),
                    ];
                    self.say("confirmation-account-credit", &args)
                }
                DocumentIssued::CorrectedInvoice {
                    number,
                    issued_on,
                    amount,
                } => {
                    let args = [
                        ("number", text(number)),
                        ("issued_on", self.date(*issued_on)),
                        ("amount", self.money(amount)),
                        ("invoice", text(&m.invoice_id)),
                    ];
                    self.say("confirmation-corrected-invoice", &args)
                }
                DocumentIssued::PaymentPlan { number, plan } => {
                    let total = self.plan_total(plan);
                    let head = self.say(
                        "confirmation-payment-plan",
                        &[
                            ("number", text(number)),
                            ("total", total),
                            ("count", count(plan.instalments().len())),
                        ],
                    );
                    let rows = self.plan(plan);
                    format!("{head}\n     {}", rows.join("\n     "))
                }
            };
            documents.push(row);
        }
        let body = vec![
            self.greeting(&m.customer_name),
            documents.join("\n"),
            self.say("confirmation-closed", &[]),
            self.closing(),
        ];
        (subject, body)
    }

    fn arrears_notice(&mut self, m: &ArrearsNotice) -> (String, Vec<String>) {
        let start = self.date(m.period_start);
        let end = self.date(m.period_end);
        let amount = self.money(&m.amount);
        let subject = self.say(
            "arrears-subject",
            &[("start", start.clone()), ("end", end.clone())],
        );
        let mut options = vec![self.say("arrears-options", &[("count", count(m.options.len()))])];
        for option in &m.options {
            let row = match option {
                ArrearsOption::NextInvoice => {
                    self.say("arrears-next-invoice", &[("amount", amount.clone())])
                }
                ArrearsOption::SeparateInvoice { due_on } => {
                    let due_on = self.date(*due_on);
                    self.say(
                        "arrears-separate-invoice",
                        &[("amount", amount.clone()), ("due_on", due_on)],
                    )
                }
                ArrearsOption::Instalments(plan) => self.plan_offered("arrears-instalments", plan),
            };
            options.push(row);
        }
        let reply_by = self.date(m.reply_by);
        let body = vec![
            self.greeting(&m.customer_name),
            self.say(
                "arrears-apology",
                &[("start", start), ("end", end), ("amount", amount)],
            ),
            options.join("\n"),
            self.say("arrears-reply", &[("reply_by", reply_by)]),
            self.closing(),
        ];
        (subject, body)
    }

    fn satisfaction(&mut self, m: &SatisfactionFollowUp) -> (String, Vec<String>) {
        let subject = self.say("satisfaction-subject", &[("dispute", text(&m.dispute_id))]);
        let body = vec![
            self.greeting(&m.customer_name),
            self.say(
                "satisfaction-ask",
                &[
                    ("invoice", text(&m.invoice_id)),
                    ("link", text(&m.survey_link)),
                ],
            ),
            self.say("satisfaction-thanks", &[]),
            self.closing(),
        ];
        (subject, body)
    }
}

/// The reason's name, which the message files select on.
fn reason_name(reason: DisputeReason) -> &'static str {
    match reason {
        DisputeReason::Overcharged => "overcharged",
        DisputeReason::Duplicate => "duplicate",
        DisputeReason::NotReceived => "not-received",
        DisputeReason::WrongPrice => "wrong-price",
        DisputeReason::LateFee => "late-fee",
        DisputeReason::Other => "other",
    }
}

/// The line at the end of a message that gives the customer their link to the portal, in
/// `language` (English when it lacks it): `link` is written where the link goes.
pub fn portal_footer(language: Language, link: &str) -> String {
    let args: Args = HashMap::from([("link", text(link))]);
    LOCALES
        .text(identifier(language), "portal-footer", &args)
        .or_else(|| LOCALES.text(identifier(Language::English), "portal-footer", &args))
        .unwrap_or_else(|| link.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The embedded files with one message taken out of the Spanish one.
    struct SpanishWithout(&'static str);

    impl Texts for SpanishWithout {
        fn text(&self, language: &LanguageIdentifier, id: &str, args: &Args) -> Option<String> {
            if language == identifier(Language::Spanish) && id == self.0 {
                return None;
            }
            LOCALES.text(language, id, args)
        }
    }

    fn acknowledgement() -> Message {
        Message::Acknowledgement(Acknowledgement {
            customer_name: "Ana".into(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            reason: DisputeReason::Duplicate,
            received_on: date(2026, 10, 20),
            respond_by: date(2026, 11, 5),
        })
    }

    #[test]
    fn a_message_missing_in_spanish_is_written_in_english_and_listed_as_missing() {
        let draft = draft_with(
            &SpanishWithout("acknowledgement-next"),
            &acknowledgement(),
            Language::Spanish,
        );
        assert_eq!(draft.missing, vec!["acknowledgement-next".to_owned()]);
        assert!(
            draft.subject.starts_with("Hemos recibido"),
            "{}",
            draft.subject
        );
        // The English sentence, with the date as the customer's locale writes it.
        assert!(
            draft
                .body
                .contains("and we will write to you with our findings by 5 de noviembre de 2026."),
            "{}",
            draft.body
        );
    }

    #[test]
    fn a_complete_language_lists_nothing_missing() {
        assert!(
            draft(&acknowledgement(), Language::Spanish)
                .missing
                .is_empty()
        );
    }
}
