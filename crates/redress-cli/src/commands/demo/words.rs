//! What the demo's people write: customers' complaints, agents' notes, colleagues' statements,
//! and the reasons given for each resolution. Chosen by the demo's seeded random stream.

use fastrand::Rng;
use redress_domain::DisputeReason;
use redress_domain::resolution::ResolutionKind;

fn pick<'a>(rng: &mut Rng, choices: &[&'a str]) -> &'a str {
    choices[rng.usize(..choices.len())]
}

/// A customer's complaint about `invoice` (its line `line_no`, or all of it), as taken by
/// `channel`: the customer's own words by email or on the portal, the agent's summary of a call.
pub fn narrative(
    reason: DisputeReason,
    invoice: &str,
    line_no: Option<u32>,
    channel: &str,
    rng: &mut Rng,
) -> String {
    let what = match line_no {
        Some(line) => format!("line {line} of {invoice}"),
        None => invoice.to_owned(),
    };
    let said = match reason {
        DisputeReason::Overcharged => pick(
            rng,
            &[
                "{what} is far more than we usually pay for the same service. Please explain or correct it.",
                "We budgeted for the contract price and {what} is well above it.",
                "Our finance team flagged {what}: it is higher than every month before.",
            ],
        ),
        DisputeReason::Duplicate => pick(
            rng,
            &[
                "{what} charges us again for something we already paid on an earlier invoice.",
                "This looks like a double charge: {what} repeats last month's item.",
            ],
        ),
        DisputeReason::NotReceived => pick(
            rng,
            &[
                "We never received what {what} bills us for; our usage report shows nothing that month.",
                "{what} is for deliveries that did not arrive. We have the delivery log to prove it.",
            ],
        ),
        DisputeReason::WrongPrice => pick(
            rng,
            &[
                "The unit price on {what} is not the one in our contract.",
                "Our renewal agreed a lower price and a discount; {what} has neither.",
                "{what} uses last year's list price instead of our negotiated rate.",
            ],
        ),
        DisputeReason::LateFee => pick(
            rng,
            &[
                "We paid on time, so the late fee on {what} is wrong.",
                "The payment was made within the grace period; please remove the late fee on {what}.",
            ],
        ),
        DisputeReason::Other => pick(
            rng,
            &[
                "The totals on {what} do not add up; please check the whole thing.",
                "We cannot reconcile {what} with our purchase order.",
            ],
        ),
    };
    let said = said.replace("{what}", &what);
    match channel {
        "phone" => format!("Customer called. {said}"),
        _ => said,
    }
}

/// An agent's note on the case file while investigating.
pub fn note(rng: &mut Rng) -> &'static str {
    pick(
        rng,
        &[
            "Called the customer's accounts payable contact; they will send the purchase order.",
            "Checked the contract's price rows and the deliveries for the period; see the findings.",
            "Customer is a long-standing account; keep them informed by email every few days.",
            "Compared with the previous three invoices: the disputed charge is new this month.",
            "Left a voicemail; the customer prefers email for anything written.",
            "Asked billing operations who ran this invoice; waiting for their statement.",
        ],
    )
}

/// A colleague's statement about how the invoice came to be, `explanation` being what the
/// audit found (when it found anything).
pub fn statement(explanation: Option<&str>, rng: &mut Rng) -> String {
    let who = pick(
        rng,
        &[
            "Priya Nair (billing operations)",
            "Tom Becker (account manager)",
            "Lena Fischer (revenue accounting)",
        ],
    );
    match explanation {
        Some(found) => format!(
            "Statement of {who}: I ran this billing cycle. {found} I checked it against the contract on file and the billing run's input: the contract is right and the invoice is wrong."
        ),
        None => format!(
            "Statement of {who}: I ran this billing cycle and checked the usage export against the contract; the charges were billed as agreed."
        ),
    }
}

/// The reason a resolution of `kind` gives the customer.
pub fn reason(kind: ResolutionKind) -> &'static str {
    match kind {
        ResolutionKind::CreditNote => {
            "We checked your invoice against your contract and deliveries: the lines credited were billed in error."
        }
        ResolutionKind::Refund => {
            "You were charged more than your contract allows; we are paying the difference back to you."
        }
        ResolutionKind::AccountCredit => {
            "We have put a credit on your account for the overcharge, to use on your next invoices."
        }
        ResolutionKind::Goodwill => {
            "The charge was correct, but as a valued customer we are taking part of it off as a gesture of goodwill."
        }
        ResolutionKind::PaymentPlan => {
            "As agreed on the phone, what is open on this invoice is spread over monthly instalments."
        }
        ResolutionKind::WriteOff => {
            "The amount is too small or too old to pursue; we are writing it off."
        }
        ResolutionKind::Reject => {
            "We checked every line against your contract, the deliveries and your payments: the charges are correct."
        }
        ResolutionKind::CorrectedInvoice => {
            "We are issuing a corrected invoice at your contract's prices; the original is cancelled by a credit note."
        }
    }
}

/// What an approver says when approving.
pub fn approval_note(rng: &mut Rng) -> &'static str {
    pick(
        rng,
        &[
            "Checked the findings and the customer's history: approved.",
            "The evidence supports it. Approved.",
            "Approved; please tell the customer today.",
        ],
    )
}

/// What an approver says when refusing.
pub const REFUSAL_NOTE: &str = "Refused: the audit found nothing wrong with the charges, and this is more than we give as a gesture. Offer a payment plan instead.";

/// How the customer of an arrears case was contacted.
pub const OFFER_NOTE: &str = "Phoned the customer's finance manager: explained that part of last year's billing was too low, went through the items one by one, and offered the options (next invoice, a separate invoice, a payment plan). Sent the briefing by email.";
