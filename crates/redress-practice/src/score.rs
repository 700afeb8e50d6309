//! Scoring an answer against the model answer: 100 points, each lost for a reason the trainee
//! is told.
//!
//! - **Findings, 40.** Shared among the findings the records support (all 40 for saying
//!   nothing is wrong when nothing is). A finding named on its line with its kind earns its
//!   share with the exact amount, half of it with another amount; one missed earns nothing;
//!   each finding the records do not support (a line or kind they do not show) costs 10, down
//!   to none.
//! - **Resolution, 30.** 15 for the kind the records support, 15 for its exact amount (for a
//!   refusal, for naming no amount).
//! - **Message, 30.** 5 for each part good practice requires: the acknowledgement, every line
//!   at issue explained, an apology where the business erred (where it did not, none is owed),
//!   the resolution set out (named, with its exact amount; a refusal with its evidence), what
//!   happens next, and the customer's language.
//!
//! The time taken is told, not scored: speed comes with practice, and a trainee hurried by
//! the score learns to skip the records.

use crate::answer::{Answer, ModelAnswer};
use crate::rubric;
use redress_audit::FindingKind;
use redress_domain::Decimal;
use redress_domain::language::Language;
use redress_domain::resolution::ResolutionKind;

/// Points for the findings.
pub const FINDINGS_POINTS: u32 = 40;
/// Points lost for each finding the records do not support.
pub const INVENTED_FINDING_COST: u32 = 10;
/// Points for the resolution's kind, and again for its amount.
pub const RESOLUTION_KIND_POINTS: u32 = 15;
/// Points for the resolution's amount.
pub const RESOLUTION_AMOUNT_POINTS: u32 = 15;
/// Points for each part of the message.
pub const MESSAGE_PART_POINTS: u32 = 5;

/// What part of the answer a mark is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// What is wrong.
    Findings,
    /// What to do about it.
    Resolution,
    /// The message to the customer.
    Message,
}

/// What became of one finding, expected or answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingOutcome {
    /// Named on its line, with its kind and exact amount.
    Found,
    /// Named on its line with its kind, another amount given.
    WrongAmount,
    /// The records show it; the answer does not.
    Missed,
    /// The answer names it; the records do not show it.
    Invented,
}

/// One finding's mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingMark {
    /// Its kind.
    pub kind: FindingKind,
    /// Its line; `None` for the invoice as a whole.
    pub line_no: Option<u32>,
    /// The amount the records show (`None` for one invented).
    pub expected: Option<Decimal>,
    /// The amount the trainee gave (`None` for one missed).
    pub answered: Option<Decimal>,
    /// What became of it.
    pub outcome: FindingOutcome,
    /// Points earned (lost, for one invented).
    pub points: u32,
    /// Its share of the findings' points (for one invented, what it costs).
    pub out_of: u32,
}

/// A part of the message good practice requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagePart {
    /// Thanks the customer and says the dispute was received.
    Acknowledgement,
    /// Explains every line at issue, by its number.
    LineByLine,
    /// Apologises, where the business erred.
    Apology,
    /// Sets out the resolution with its exact amount, or the evidence for a refusal.
    Resolution,
    /// Says what happens next.
    NextSteps,
    /// Is in the customer's language.
    Language,
}

impl MessagePart {
    /// Every part, in the order a message has them.
    pub const ALL: [MessagePart; 6] = [
        Self::Acknowledgement,
        Self::LineByLine,
        Self::Apology,
        Self::Resolution,
        Self::NextSteps,
        Self::Language,
    ];

    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledgement => "acknowledgement",
            Self::LineByLine => "line_by_line",
            Self::Apology => "apology",
            Self::Resolution => "resolution",
            Self::NextSteps => "next_steps",
            Self::Language => "language",
        }
    }
}

/// One mark of the resolution or the message: its points and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartMark {
    /// The topic.
    pub topic: Topic,
    /// The message's part, for a mark of the message.
    pub part: Option<MessagePart>,
    /// Points earned.
    pub points: u32,
    /// Out of.
    pub out_of: u32,
    /// Why, in plain words.
    pub explanation: String,
}

/// An answer's score: its points out of 100, and every mark with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// Points earned.
    pub points: u32,
    /// Out of (100).
    pub out_of: u32,
    /// Points of the findings, out of [`FINDINGS_POINTS`].
    pub findings_points: u32,
    /// Each finding, expected or answered.
    pub findings: Vec<FindingMark>,
    /// Why the findings scored what they did.
    pub findings_explanation: String,
    /// The resolution's and the message's marks.
    pub marks: Vec<PartMark>,
    /// How long the trainee took, in seconds.
    pub took_seconds: u64,
}

impl Score {
    /// Points of one topic.
    pub fn points_of(&self, topic: Topic) -> u32 {
        match topic {
            Topic::Findings => self.findings_points,
            _ => self
                .marks
                .iter()
                .filter(|m| m.topic == topic)
                .map(|m| m.points)
                .sum(),
        }
    }
}

/// Scores `answer` against `model`.
pub fn score(model: &ModelAnswer, answer: &Answer) -> Score {
    let (findings, findings_points, findings_explanation) = mark_findings(model, answer);
    let mut marks = mark_resolution(model, answer);
    marks.extend(mark_message(model, &answer.message));
    let points = findings_points + marks.iter().map(|m| m.points).sum::<u32>();
    Score {
        points,
        out_of: FINDINGS_POINTS
            + RESOLUTION_KIND_POINTS
            + RESOLUTION_AMOUNT_POINTS
            + MESSAGE_PART_POINTS * MessagePart::ALL.len() as u32,
        findings_points,
        findings,
        findings_explanation,
        marks,
        took_seconds: answer.took_seconds,
    }
}

fn where_(line_no: Option<u32>) -> String {
    line_no.map_or_else(
        || "the invoice as a whole".to_owned(),
        |n| format!("line {n}"),
    )
}

fn kind_words(kind: FindingKind) -> String {
    kind.as_str().replace('_', " ")
}

fn mark_findings(model: &ModelAnswer, answer: &Answer) -> (Vec<FindingMark>, u32, String) {
    let currency = model.currency;
    let expected = &model.findings;
    let n = expected.len() as u32;
    // Each expected finding's share of the 40; the first ones take what does not divide.
    let share = |i: usize| {
        FINDINGS_POINTS
            .checked_div(n)
            .map_or(0, |each| each + u32::from((i as u32) < FINDINGS_POINTS % n))
    };
    let mut taken = vec![false; answer.findings.len()];
    let mut marks = Vec::new();
    let mut earned = 0u32;
    for (i, want) in expected.iter().enumerate() {
        let matched =
            answer.findings.iter().enumerate().find(|(j, got)| {
                !taken[*j] && got.kind == want.kind && got.line_no == want.line_no
            });
        let mark = match matched {
            Some((j, got)) => {
                taken[j] = true;
                let exact = currency.shown(got.amount.abs()) == currency.shown(want.amount);
                let points = if exact { share(i) } else { share(i) / 2 };
                earned += points;
                FindingMark {
                    kind: want.kind,
                    line_no: want.line_no,
                    expected: Some(want.amount),
                    answered: Some(got.amount),
                    outcome: if exact {
                        FindingOutcome::Found
                    } else {
                        FindingOutcome::WrongAmount
                    },
                    points,
                    out_of: share(i),
                }
            }
            None => FindingMark {
                kind: want.kind,
                line_no: want.line_no,
                expected: Some(want.amount),
                answered: None,
                outcome: FindingOutcome::Missed,
                points: 0,
                out_of: share(i),
            },
        };
        marks.push(mark);
    }
    let invented: Vec<FindingMark> = answer
        .findings
        .iter()
        .zip(&taken)
        .filter(|(_, taken)| !**taken)
        .map(|(got, _)| FindingMark {
            kind: got.kind,
            line_no: got.line_no,
            expected: None,
            answered: Some(got.amount),
            outcome: FindingOutcome::Invented,
            points: INVENTED_FINDING_COST,
            out_of: INVENTED_FINDING_COST,
        })
        .collect();
    if n == 0 {
        earned = FINDINGS_POINTS;
    }
    let cost = INVENTED_FINDING_COST * invented.len() as u32;
    let points = earned.saturating_sub(cost);
    marks.extend(invented);

    let mut said = Vec::new();
    for mark in &marks {
        let at = where_(mark.line_no);
        let kind = kind_words(mark.kind);
        let money = |a: Option<Decimal>| {
            a.map_or_else(String::new, |a| {
                format!("{} {}", currency.format(a.abs()), currency.code())
            })
        };
        said.push(match mark.outcome {
            FindingOutcome::Found => format!(
                "Found: {kind} on {at}, {} exactly (+{}).",
                money(mark.expected),
                mark.points
            ),
            FindingOutcome::WrongAmount => format!(
                "Right error, wrong amount: {kind} on {at} is {}, not {} (+{} of {}).",
                money(mark.expected),
                money(mark.answered),
                mark.points,
                mark.out_of
            ),
            FindingOutcome::Missed => format!(
                "Missed: {kind} on {at}, {} (the records show it; check {}).",
                money(mark.expected),
                where_to_look(mark.kind)
            ),
            FindingOutcome::Invented => format!(
                "Not in the records: {kind} on {at} (−{INVENTED_FINDING_COST}); {}.",
                where_to_look(mark.kind)
            ),
        });
    }
    if n == 0 && marks.is_empty() {
        said.push(format!(
            "Nothing is wrong with this invoice, and you said so (+{FINDINGS_POINTS})."
        ));
    } else if n == 0 {
        said.insert(
            0,
            "The records show nothing wrong with this invoice: the charges are right.".to_owned(),
        );
    }
    (marks, points, said.join(" "))
}

/// Where the records answer a finding of `kind`.
fn where_to_look(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::OutsideContract => "the line's period against the contract's dates",
        FindingKind::UnknownCharge => "the contract's price list for the line's SKU",
        FindingKind::DuplicateCharge => "the other lines and invoices for the same SKU and period",
        FindingKind::PriceMismatch => "the line's unit price against the contract's price",
        FindingKind::DiscountMissing => "the line's discount against the contract's",
        FindingKind::LineArithmetic => "quantity × price × (1 − discount) against the amount",
        FindingKind::QuantityOverbilled | FindingKind::UnbilledDelivery => {
            "the units billed against the deliveries of the period"
        }
        FindingKind::TaxMismatch => "the tax against the contract's rate",
        FindingKind::TotalMismatch => "the sum of the lines against the subtotal and total",
        FindingKind::Overpayment => "the payments against the invoice's total",
        FindingKind::LateFeeUnwarranted | FindingKind::LateFeeExcess => {
            "the due date, the payments and the overdue notices sent"
        }
    }
}

/// A resolution's kind in words, as "a …" completes it.
fn resolution_words(kind: ResolutionKind) -> &'static str {
    match kind {
        ResolutionKind::CreditNote => "credit note",
        ResolutionKind::Refund => "refund",
        ResolutionKind::AccountCredit => "account credit",
        ResolutionKind::Goodwill => "goodwill gesture",
        ResolutionKind::PaymentPlan => "payment plan",
        ResolutionKind::WriteOff => "write-off",
        ResolutionKind::Reject => "rejection",
        ResolutionKind::CorrectedInvoice => "corrected invoice",
    }
}

fn mark_resolution(model: &ModelAnswer, answer: &Answer) -> Vec<PartMark> {
    let currency = model.currency;
    let (kind, amount) = model.resolution_answer();
    let money = |a: Decimal| format!("{} {}", currency.format(a), currency.code());
    let kind_right = answer.resolution == kind;
    let kind_mark = PartMark {
        topic: Topic::Resolution,
        part: None,
        points: if kind_right {
            RESOLUTION_KIND_POINTS
        } else {
            0
        },
        out_of: RESOLUTION_KIND_POINTS,
        explanation: if kind_right {
            format!("A {} is what the records support.", resolution_words(kind))
        } else {
            format!(
                "The records support a {}, not a {}: {}.",
                resolution_words(kind),
                resolution_words(answer.resolution),
                match kind {
                    ResolutionKind::CreditNote =>
                        "the business charged too much, so the invoice is corrected by a credit note",
                    ResolutionKind::Goodwill =>
                        "nothing was charged wrongly, but a loyal customer who pays on time is worth a small gesture",
                    _ => "the charges are right, so the claim is refused with the evidence",
                }
            )
        },
    };
    let amount_right = match (amount, answer.amount) {
        (None, None) => true,
        (None, Some(given)) => given.is_zero(),
        (Some(want), Some(given)) => currency.shown(want) == currency.shown(given),
        (Some(_), None) => false,
    };
    let amount_mark = PartMark {
        topic: Topic::Resolution,
        part: None,
        points: if amount_right {
            RESOLUTION_AMOUNT_POINTS
        } else {
            0
        },
        out_of: RESOLUTION_AMOUNT_POINTS,
        explanation: match (amount, answer.amount, amount_right) {
            (Some(want), _, true) => format!("{} is the exact amount.", money(want)),
            (None, _, true) => "A refusal gives nothing, and you named no amount.".to_owned(),
            (Some(want), Some(given), false) => format!(
                "The amount the records support is {}, not {} ({} {}).",
                money(want),
                money(given),
                if given > want { "over by" } else { "short by" },
                money((given - want).abs())
            ),
            (Some(want), None, false) => {
                format!(
                    "The amount is missing: the records support {}.",
                    money(want)
                )
            }
            (None, Some(given), false) => format!(
                "A refusal gives nothing; {} would give away what the records say is owed.",
                money(given)
            ),
            (None, None, false) => unreachable!("no amount wanted and none given is right"),
        },
    };
    vec![kind_mark, amount_mark]
}

fn language_words(language: Language) -> &'static str {
    match language {
        Language::English => "English",
        Language::Spanish => "Spanish",
        Language::SimplifiedChinese => "Simplified Chinese",
    }
}

fn mark_message(model: &ModelAnswer, message: &str) -> Vec<PartMark> {
    let currency = model.currency;
    let mark = |part, ok: bool, explanation: String| PartMark {
        topic: Topic::Message,
        part: Some(part),
        points: if ok { MESSAGE_PART_POINTS } else { 0 },
        out_of: MESSAGE_PART_POINTS,
        explanation,
    };
    let blank = message.trim().is_empty();
    let acknowledged = !blank && rubric::acknowledges(message);
    let unexplained = rubric::lines_not_explained(message, &model.lines_to_explain);
    let explained = !blank && unexplained.is_empty();
    let apologised = rubric::apologises(message);
    let erred = model.business_erred();
    let offered = !blank && rubric::offers(message, &model.resolution, currency);
    let next = !blank && rubric::says_what_happens_next(message);
    let written_in = rubric::language_of(message);
    let language_right = !blank && written_in == Some(model.language);
    let lines = |lines: &[u32]| {
        lines
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        mark(
            MessagePart::Acknowledgement,
            acknowledged,
            if acknowledged {
                "It thanks the customer and acknowledges the dispute.".to_owned()
            } else {
                "Start by thanking the customer and saying the dispute was received: they need to know they were heard.".to_owned()
            },
        ),
        mark(
            MessagePart::LineByLine,
            explained,
            if explained {
                format!(
                    "It explains each line at issue ({}).",
                    lines(&model.lines_to_explain)
                )
            } else {
                format!(
                    "Explain every line at issue by its number, with what the records show: line{} {} {} not explained.",
                    if unexplained.len() == 1 { "" } else { "s" },
                    lines(&unexplained),
                    if unexplained.len() == 1 { "is" } else { "are" }
                )
            },
        ),
        mark(
            MessagePart::Apology,
            !erred || (!blank && apologised),
            match (erred, apologised) {
                (true, true) => "It apologises for the business's mistake.".to_owned(),
                (true, false) => "The business was wrong here: say sorry, plainly, before anything else is offered.".to_owned(),
                (false, _) => "The business made no mistake here, so no apology was owed.".to_owned(),
            },
        ),
        mark(
            MessagePart::Resolution,
            offered,
            match (&model.resolution, offered) {
                (redress_domain::recommendation::Recommended::Reject, true) => {
                    "It shows the evidence that the charges are right.".to_owned()
                }
                (redress_domain::recommendation::Recommended::Reject, false) => {
                    "A refusal must show the evidence: say what was checked and that the charges are right.".to_owned()
                }
                (_, true) => "It sets out what is offered, with the exact amount.".to_owned(),
                (_, false) => {
                    let (kind, amount) = model.resolution_answer();
                    format!(
                        "Set out what is offered, a {} of {} {}, in so many words and with the exact amount.",
                        resolution_words(kind),
                        currency.format(amount.unwrap_or_default()),
                        currency.code()
                    )
                }
            },
        ),
        mark(
            MessagePart::NextSteps,
            next,
            if next {
                "It says what happens next.".to_owned()
            } else {
                "Say what happens next: what the business will do, and what the customer can do, by when.".to_owned()
            },
        ),
        mark(
            MessagePart::Language,
            language_right,
            if language_right {
                format!("It is in {}, the customer's language.", language_words(model.language))
            } else {
                format!(
                    "Write in the customer's language, {}{}.",
                    language_words(model.language),
                    match written_in {
                        Some(other) if !blank => format!(", not {}", language_words(other)),
                        _ => String::new(),
                    }
                )
            },
        ),
    ]
}
