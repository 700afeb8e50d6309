//! What a trainee answers, and the model answer it is scored against.

use redress_audit::FindingKind;
use redress_audit::report::FindingRecord;
use redress_domain::language::Language;
use redress_domain::recommendation::Recommended;
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Currency, Decimal};

/// A finding the records support: what the audit says is wrong on the disputed invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedFinding {
    /// What kind of error.
    pub kind: FindingKind,
    /// The line it is on; `None` for the invoice as a whole (its tax or totals).
    pub line_no: Option<u32>,
    /// By how much, net of tax, as a positive amount (the audit's impact without its sign: a
    /// charge too high and a delivery not billed are both errors of that size).
    pub amount: Decimal,
}

impl ExpectedFinding {
    /// The finding the audit's `record` states.
    pub fn of(record: &FindingRecord) -> Self {
        Self {
            kind: record.kind,
            line_no: record.line_no,
            amount: record.impact.abs(),
        }
    }
}

/// A finding as the trainee states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweredFinding {
    /// The kind of error they see.
    pub kind: FindingKind,
    /// The line; `None` for the invoice as a whole.
    pub line_no: Option<u32>,
    /// By how much, net of tax.
    pub amount: Decimal,
}

/// What the trainee answers: what is wrong, what to do about it, and the message to the
/// customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What they think is wrong; empty when they think nothing is.
    pub findings: Vec<AnsweredFinding>,
    /// The resolution they choose.
    pub resolution: ResolutionKind,
    /// Its amount; `None` for a rejection.
    pub amount: Option<Decimal>,
    /// The message they would send the customer.
    pub message: String,
    /// How long they took, from opening the case to answering, in seconds.
    pub took_seconds: u64,
}

/// The answer the records support, kept with the case and shown beside the trainee's once
/// they have answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelAnswer {
    /// What the audit found that concerns the dispute.
    pub findings: Vec<ExpectedFinding>,
    /// The recommended resolution, with its amount.
    pub resolution: Recommended,
    /// The invoice's currency.
    pub currency: Currency,
    /// The customer's language, the one the message is to be written in.
    pub language: Language,
    /// The lines the message must explain: the disputed line and every line with a finding.
    pub lines_to_explain: Vec<u32>,
    /// A message with every part good practice requires, drafted from the case.
    pub message: String,
}

impl ModelAnswer {
    /// Whether the business was at fault: the records support some of the claim, so the
    /// message owes the customer an apology.
    pub fn business_erred(&self) -> bool {
        matches!(self.resolution, Recommended::CreditNote(_))
    }

    /// The resolution's kind and amount, as an answer states them.
    pub fn resolution_answer(&self) -> (ResolutionKind, Option<Decimal>) {
        match self.resolution {
            Recommended::CreditNote(amount) => (ResolutionKind::CreditNote, Some(amount)),
            Recommended::Goodwill(amount) => (ResolutionKind::Goodwill, Some(amount)),
            Recommended::Reject => (ResolutionKind::Reject, None),
        }
    }

    /// The model answer as an [`Answer`] (taking `took_seconds`): what scores full marks.
    pub fn as_answer(&self, took_seconds: u64) -> Answer {
        let (resolution, amount) = self.resolution_answer();
        Answer {
            findings: self
                .findings
                .iter()
                .map(|f| AnsweredFinding {
                    kind: f.kind,
                    line_no: f.line_no,
                    amount: f.amount,
                })
                .collect(),
            resolution,
            amount,
            message: self.message.clone(),
            took_seconds,
        }
    }
}
