//! A real case made fit for practice: the customer's name, email and every id and free text
//! that could lead back to them rewritten, while the amounts, dates, quantities, prices and
//! lines (what the case is about) are kept exactly, so that the audit finds in the copy what it
//! found in the original.

use redress_domain::billing::{BillingData, Dispute, DisputeReason};
use redress_domain::ids::{IdTable, TextColumn};
use redress_domain::language::Language;

/// Names practice customers go by: made up, and plainly businesses.
const NAMES: [&str; 12] = [
    "Harbour Lane Supplies",
    "Northfield Catering",
    "Blue Orchard Studio",
    "Kestrel Logistics",
    "Maple & Stone Builders",
    "Tidewater Clinics",
    "Copperleaf Foods",
    "Silver Fern Hotels",
    "Granite Peak Outfitters",
    "Lantern Street Bakery",
    "Riverbend Dental",
    "Quayside Print Works",
];

/// The practice copy of `data` (the disputed invoice's contract, as the audit reads it) and of
/// `dispute` on it, the customer named by `seed`'s draw: every customer, contract, invoice,
/// payment, notice and delivery renumbered in practice's own ids (`C-P1`, `K-P1`, `INV-P1`, …),
/// emails at `example.invalid`, payment and delivery references rewritten, the customer's
/// words written anew from the dispute's reason in `language`, and the contract's other
/// disputes left out. Amounts, dates, quantities, prices, SKUs and line descriptions (the
/// business's own words) are kept.
pub fn anonymise(
    data: &BillingData,
    dispute: &Dispute,
    language: Language,
    seed: u64,
) -> (BillingData, Dispute) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let first = rng.usize(..NAMES.len());
    let mut copy = data.clone();
    copy.customer_ids = renamed(&data.customer_ids, "C-P");
    copy.contract_ids = renamed(&data.contract_ids, "K-P");
    copy.invoice_ids = renamed(&data.invoice_ids, "INV-P");
    for (i, customer) in copy.customers.iter_mut().enumerate() {
        customer.name = practice_name(first + i);
        customer.email = format!("accounts{}@example.invalid", i + 1);
    }
    copy.payment_ids = numbered(data.payments.len(), "PAY-P");
    copy.notice_ids = numbered(data.notices.len(), "NTC-P");
    copy.deliveries.ids = numbered(data.deliveries.records.len(), "DLV-P");
    if !data.deliveries.references.is_empty() {
        copy.deliveries.references = numbered(data.deliveries.records.len(), "DN-");
    }
    for (i, payment) in copy.payments.iter_mut().enumerate() {
        payment.reference = format!("REMIT-{}", i + 1);
    }
    copy.dispute_ids = TextColumn::new();
    copy.disputes = Vec::new();
    let dispute = Dispute {
        narrative: narrative(dispute.reason, dispute.line_no, language),
        ..dispute.clone()
    };
    (copy, dispute)
}

/// The `n`th of the names practice customers go by (counting round).
pub fn practice_name(n: usize) -> String {
    NAMES[n % NAMES.len()].to_owned()
}

fn renamed(table: &IdTable, prefix: &str) -> IdTable {
    let mut renamed = IdTable::new();
    for i in 0..table.len() {
        renamed.intern(&format!("{prefix}{}", i + 1));
    }
    renamed
}

fn numbered(count: usize, prefix: &str) -> TextColumn {
    let mut column = TextColumn::new();
    for i in 0..count {
        column.push(&format!("{prefix}{}", i + 1));
    }
    column
}

/// What a customer disputing for `reason` writes, in `language`: the practice case's stand-in
/// for their own words, which are never copied.
pub fn narrative(reason: DisputeReason, line_no: Option<u32>, language: Language) -> String {
    let on = |en: &str, es: &str, zh: &str| match (language, line_no) {
        (Language::English, Some(n)) => format!("{en} (line {n})."),
        (Language::English, None) => format!("{en}."),
        (Language::Spanish, Some(n)) => format!("{es} (línea {n})."),
        (Language::Spanish, None) => format!("{es}."),
        (Language::SimplifiedChinese, Some(n)) => format!("{zh}（第{n}行）。"),
        (Language::SimplifiedChinese, None) => format!("{zh}。"),
    };
    match reason {
        DisputeReason::Overcharged => on(
            "We were charged more than we agreed to pay on this invoice",
            "Nos cobraron más de lo acordado en esta factura",
            "这张发票的收费高于我们约定的金额",
        ),
        DisputeReason::Duplicate => on(
            "This looks like the same charge billed to us twice",
            "Parece que nos cobraron dos veces lo mismo",
            "这笔费用似乎被重复收取了",
        ),
        DisputeReason::NotReceived => on(
            "We are billed for something we never received",
            "Nos facturan algo que nunca recibimos",
            "我们被收取了从未收到的货物或服务的费用",
        ),
        DisputeReason::WrongPrice => on(
            "The price on this invoice is not the one in our contract",
            "El precio de esta factura no es el de nuestro contrato",
            "这张发票上的价格与合同不符",
        ),
        DisputeReason::LateFee => on(
            "We do not think the late fee on this invoice is fair",
            "No nos parece justo el recargo por demora de esta factura",
            "我们认为这张发票上的滞纳金不合理",
        ),
        DisputeReason::Other => on(
            "We do not agree with a charge on this invoice",
            "No estamos de acuerdo con un cargo de esta factura",
            "我们对这张发票上的一项收费有异议",
        ),
    }
}
