//! Practice for the team (issue 20): a trainee works a case as they would a real one, says
//! what they think is wrong before they see the verification, chooses a resolution and writes
//! to the customer, and is scored against what the audit found and the recommendation, each
//! point explained.
//!
//! Everything here is pure: a [`case`] is made from records the service reads (a resolved
//! dispute's contract, anonymised) or [generated](generate) with an error planted; the
//! [`ModelAnswer`] is what the audit rules and the recommendation say of it; [`score`] marks an
//! [`Answer`] against it, and [`rubric`] reads a message for the parts good practice requires.

#![forbid(unsafe_code)]

pub mod anonymise;
pub mod answer;
pub mod generate;
pub mod rubric;
pub mod score;

pub use answer::{Answer, AnsweredFinding, ExpectedFinding, ModelAnswer};
pub use score::{FindingMark, FindingOutcome, MessagePart, PartMark, Score, Topic, score};
