//! The typed facts of a case that each message is written from: one struct per kind of
//! message, and [`Message`] over them. Amounts are [`Money`] and days are [`Date`], never text.

use redress_domain::resolution::PaymentPlan;
use redress_domain::{Date, DisputeReason, Money, NoticeKind};

/// Every message Redress drafts for a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// We received the dispute.
    Acknowledgement(Acknowledgement),
    /// We need something from the customer to go on.
    InformationRequest(InformationRequest),
    /// How each charge on the invoice was made up.
    Explanation(Explanation),
    /// What we offer to put things right, or why the charges stand.
    ResolutionOffer(ResolutionOffer),
    /// The whole answer to a dispute in one message.
    Reply(Reply),
    /// Nothing visible has happened for a while: where the dispute stands.
    StatusUpdate(StatusUpdate),
    /// What was done, naming its documents.
    Confirmation(Confirmation),
    /// We under-billed the customer: an apology and how to settle it.
    ArrearsNotice(ArrearsNotice),
    /// How satisfied the customer is with the handling of the dispute.
    SatisfactionFollowUp(SatisfactionFollowUp),
}

/// Thanks for the dispute, its reference, what happens next and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The dispute's reference, for the customer to quote.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// The customer's reason.
    pub reason: DisputeReason,
    /// When we received it.
    pub received_on: Date,
    /// When we will answer by.
    pub respond_by: Date,
}

/// Something we need from the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InformationNeeded {
    /// Proof that they paid: a bank statement or remittance advice.
    ProofOfPayment,
    /// Which lines of the invoice they dispute, and why.
    DisputedLines,
    /// Their purchase order for the goods or services invoiced.
    PurchaseOrder,
    /// What they received, and when (a delivery note or a photo of what arrived).
    DeliveryDetails,
    /// The bank account a refund should go to.
    BankDetails,
}

/// A request for information, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformationRequest {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The dispute's reference.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// What we need.
    pub needed: Vec<InformationNeeded>,
    /// When we need it by.
    pub respond_by: Date,
}

/// One line of an invoice, with the facts behind its charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedLine {
    /// What the line charges for, as on the invoice.
    pub description: String,
    /// What it charges.
    pub amount: Money,
    /// What the contract says about it, if a contract covers it.
    pub contract: Option<ContractTerms>,
    /// What was delivered.
    pub deliveries: Vec<DeliveryMade>,
    /// What was paid against it.
    pub payments: Vec<PaymentReceived>,
    /// The notices sent about it.
    pub notices: Vec<NoticeSent>,
}

/// What a contract says about a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    /// The contract's reference.
    pub contract_id: String,
    /// When it was signed.
    pub signed_on: Date,
    /// The agreed price of one unit.
    pub unit_price: Money,
    /// The quantity charged.
    pub quantity: redress_domain::Decimal,
}

/// A delivery made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryMade {
    /// The delivery's reference.
    pub reference: String,
    /// When it was delivered.
    pub delivered_on: Date,
    /// How many units.
    pub quantity: redress_domain::Decimal,
}

/// A payment received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceived {
    /// The payment's reference.
    pub reference: String,
    /// When it was received.
    pub paid_on: Date,
    /// How much.
    pub amount: Money,
}

/// A notice sent to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeSent {
    /// What it was.
    pub kind: NoticeKind,
    /// When it was sent.
    pub sent_on: Date,
    /// The amount it asked for, if it named one.
    pub amount: Option<Money>,
}

/// The invoice explained line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The dispute's reference.
    pub dispute_id: String,
    /// The invoice explained.
    pub invoice_id: String,
    /// When it was issued.
    pub invoice_date: Date,
    /// Its total.
    pub invoice_total: Money,
    /// Its lines, in order.
    pub lines: Vec<ExplainedLine>,
}

/// One way we offer to put things right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemedyOffered {
    /// A credit note against the invoice.
    CreditNote {
        /// Its amount.
        amount: Money,
    },
    /// Money paid back.
    Refund {
        /// Its amount.
        amount: Money,
    },
    /// A balance for future invoices.
    AccountCredit {
        /// Its amount.
        amount: Money,
    },
    /// What is owed spread over instalments.
    PaymentPlan(PaymentPlan),
}

/// A fact showing a charge was right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// The price charged is the contract's.
    PriceAsContracted {
        /// The contract's reference.
        contract_id: String,
        /// When it was signed.
        signed_on: Date,
        /// The agreed price of one unit.
        unit_price: Money,
    },
    /// What was charged for was delivered.
    Delivered(DeliveryMade),
    /// A notice was sent before a late fee.
    NoticeSent(NoticeSent),
    /// Another invoice that looks the same is for something else.
    NotADuplicate {
        /// The other invoice.
        other_invoice_id: String,
    },
}

/// What we decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The dispute is upheld, at least in part: the customer picks one of these.
    Offer(Vec<RemedyOffered>),
    /// The charges stand, for these reasons.
    Rejection {
        /// What shows the charges are right.
        proofs: Vec<Proof>,
        /// What remains due.
        amount_due: Money,
    },
}

/// A resolution offered, or the dispute rejected with its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolutionOffer {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The dispute's reference.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// What we decided.
    pub decision: Decision,
    /// When we would like their answer by.
    pub reply_by: Date,
}

/// The whole answer to a dispute in one message, as good practice has it: thanks, an apology
/// where the business erred, the invoice line by line, what we decided (the options, or the
/// evidence that the charges stand) and what happens next. A practice case's model answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The invoice line by line (whom to address, the dispute and the invoice among it).
    pub explanation: Explanation,
    /// What we decided.
    pub decision: Decision,
    /// Whether the business erred, and says sorry for it.
    pub apologise: bool,
    /// When we would like their answer by.
    pub reply_by: Date,
}

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeStage {
    /// We are still checking the invoice.
    Checking,
    /// A resolution waits for approval.
    AwaitingApproval,
    /// We wait for the customer's reply.
    AwaitingYourReply,
}

/// Where things stand when nothing moved for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The dispute's reference.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// How many days it has been open.
    pub days_open: u32,
    /// Where it stands.
    pub stage: DisputeStage,
    /// When we expect to write next.
    pub next_update_by: Date,
}

/// A document issued or a step taken to resolve a dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentIssued {
    /// A credit note.
    CreditNote {
        /// Its number.
        number: String,
        /// When it was issued.
        issued_on: Date,
        /// Its amount.
        amount: Money,
    },
    /// A refund paid.
    Refund {
        /// The payment's reference.
        reference: String,
        /// When it was paid.
        paid_on: Date,
        /// Its amount.
        amount: Money,
    },
    /// Credit put on the account.
    AccountCredit {
        /// When it was credited.
        credited_on: Date,
        /// Its amount.
        amount: Money,
    },
    /// An invoice issued to replace the disputed one.
    CorrectedInvoice {
        /// Its number.
        number: String,
        /// When it was issued.
        issued_on: Date,
        /// Its total.
        amount: Money,
    },
    /// A payment plan agreed.
    PaymentPlan {
        /// Its reference.
        number: String,
        /// Its instalments.
        plan: PaymentPlan,
    },
}

/// What was done, naming the documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The dispute's reference.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// What was issued.
    pub documents: Vec<DocumentIssued>,
}

/// A way to settle what we under-billed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArrearsOption {
    /// The amount added to the next invoice.
    NextInvoice,
    /// A separate invoice for the amount, due on a day.
    SeparateInvoice {
        /// When it would be due.
        due_on: Date,
    },
    /// The amount spread over instalments.
    Instalments(PaymentPlan),
}

/// We under-billed the customer: an apology and the ways to settle it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrearsNotice {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The first day under-billed.
    pub period_start: Date,
    /// The last day under-billed.
    pub period_end: Date,
    /// What was not invoiced.
    pub amount: Money,
    /// The ways offered to settle it.
    pub options: Vec<ArrearsOption>,
    /// When we would like their answer by.
    pub reply_by: Date,
}

/// Asking how satisfied the customer is, 1 to 5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SatisfactionFollowUp {
    /// How the customer is addressed.
    pub customer_name: String,
    /// The dispute's reference.
    pub dispute_id: String,
    /// The invoice disputed.
    pub invoice_id: String,
    /// Where the customer answers.
    pub survey_link: String,
}
