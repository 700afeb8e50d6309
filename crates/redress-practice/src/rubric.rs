//! Reading a message to a customer for the parts good practice requires: that it acknowledges
//! the dispute, explains the lines line by line, apologises where the business erred, sets out
//! what is offered (or the evidence for a refusal), says what happens next, and is written in
//! the customer's language.
//!
//! A message is read for the phrases each part is made of, in each language Redress writes:
//! those of the messages Redress drafts itself among them (a test holds the drafts of every
//! language to full marks), and the ways people commonly write them. It is a reading, not an
//! understanding: a trainee's message that says a part in other words is told which part was
//! not found, and the trainer sees the message beside the verdict.

use redress_domain::language::Language;
use redress_domain::recommendation::Recommended;
use redress_domain::{Currency, Decimal};

/// Phrases, lower-cased, by which a part is recognised in any language.
struct Phrases(&'static [&'static str]);

impl Phrases {
    fn in_text(&self, lowered: &str) -> bool {
        self.0.iter().any(|p| lowered.contains(p))
    }
}

const ACKNOWLEDGEMENT: Phrases = Phrases(&[
    // English
    "thank you",
    "thanks for",
    "we have received",
    "we received",
    "we've received",
    "we acknowledge",
    // Spanish
    "gracias",
    "hemos recibido",
    "recibimos su",
    // Chinese
    "感谢",
    "谢谢",
    "已收到",
    "收到您",
]);

const APOLOGY: Phrases = Phrases(&[
    "sorry",
    "apolog",
    "lo sentimos",
    "lamentamos",
    "disculp",
    "perdón",
    "perdon",
    "抱歉",
    "致歉",
    "道歉",
    "歉意",
    "对不起",
]);

const NEXT_STEPS: Phrases = Phrases(&[
    "what happens next",
    "next step",
    "we will",
    "we'll",
    "you will receive",
    "próximos pasos",
    "siguiente paso",
    "pondremos",
    "revisaremos",
    "le escribiremos",
    "le enviaremos",
    "recibirá",
    "后续步骤",
    "接下来",
    "下一步",
    "我们将",
]);

/// What a refusal rests on: that the records were checked and the charges are right.
const EVIDENCE: Phrases = Phrases(&[
    "we checked",
    "we have checked",
    "we found the charges",
    "the records show",
    "our records show",
    "is correct",
    "are correct",
    "as agreed in",
    "comprob",
    "son correctos",
    "es correcto",
    "revisado",
    "核查",
    "核对",
    "无误",
    "正确",
]);

/// The words for a resolution, by kind, in every language.
fn resolution_words(recommended: &Recommended) -> Phrases {
    match recommended {
        Recommended::CreditNote(_) => Phrases(&[
            "credit note",
            "credit memo",
            "nota de crédito",
            "nota de credito",
            "贷项通知单",
            "贷记单",
        ]),
        // Redress gives a goodwill gesture as a credit on the customer's account.
        Recommended::Goodwill(_) => Phrases(&[
            "goodwill",
            "discount",
            "gesture",
            "a credit of",
            "account credit",
            "saldo a favor",
            "余额",
            "descuento",
            "cortesía",
            "cortesia",
            "折扣",
            "优惠",
            "让利",
        ]),
        Recommended::Reject => EVIDENCE,
    }
}

/// Whether `message` acknowledges the dispute (thanks the customer, says it was received).
pub fn acknowledges(message: &str) -> bool {
    ACKNOWLEDGEMENT.in_text(&message.to_lowercase())
}

/// Whether `message` apologises.
pub fn apologises(message: &str) -> bool {
    APOLOGY.in_text(&message.to_lowercase())
}

/// Whether `message` says what happens next.
pub fn says_what_happens_next(message: &str) -> bool {
    NEXT_STEPS.in_text(&message.to_lowercase())
}

/// Whether `message` sets out the resolution `recommended`: names it and, unless it is a
/// refusal, states its amount exactly; a refusal instead states the evidence.
pub fn offers(message: &str, recommended: &Recommended, currency: Currency) -> bool {
    let named = resolution_words(recommended).in_text(&message.to_lowercase());
    match recommended {
        Recommended::CreditNote(amount) | Recommended::Goodwill(amount) => {
            named && amounts(message, currency).contains(&currency.shown(*amount))
        }
        Recommended::Reject => named,
    }
}

/// The lines of `lines` that `message` does not explain: each must be named by its number
/// (`line 3`, `línea 3`, `第3行`, or a list item beginning `3.`).
pub fn lines_not_explained(message: &str, lines: &[u32]) -> Vec<u32> {
    let lowered = message.to_lowercase();
    lines
        .iter()
        .copied()
        .filter(|n| !names_line(&lowered, *n))
        .collect()
}

fn names_line(lowered: &str, n: u32) -> bool {
    let forms = [
        format!("line {n}"),
        format!("line no. {n}"),
        format!("line #{n}"),
        format!("línea {n}"),
        format!("linea {n}"),
        format!("第{n}行"),
        format!("第 {n} 行"),
        format!("第{n}项"),
        format!("第 {n} 项"),
    ];
    if forms.iter().any(|form| {
        lowered.match_indices(form.as_str()).any(|(at, _)| {
            // `line 1` is not `line 12`.
            !lowered[at + form.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
    }) {
        return true;
    }
    // A list item: the line's number, a full stop and a space, at the start of a line.
    let item = format!("{n}. ");
    lowered
        .lines()
        .any(|line| line.trim_start().starts_with(&item))
}

/// Every amount written in `message` in `currency`'s form, read as the currency shows it:
/// digits with `,` or `.` (or spaces) between groups, and the currency's decimals after the
/// last `.` or `,` (`1,234.50`, `1.234,50` and `1234.50` are all 1234.50 in USD).
pub fn amounts(message: &str, currency: Currency) -> Vec<Decimal> {
    let decimals = currency.minor_unit() as usize;
    let chars: Vec<char> = message.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // The run of digits and the separators between them.
        let start = i;
        let mut end = i;
        while end < chars.len()
            && (chars[end].is_ascii_digit()
                || (matches!(chars[end], ',' | '.' | '\u{a0}' | '\u{202f}' | '\'')
                    && chars.get(end + 1).is_some_and(char::is_ascii_digit)))
        {
            end += 1;
        }
        let run: String = chars[start..end].iter().collect();
        i = end;
        let negative = start > 0 && chars[start - 1] == '-';
        if let Some(amount) = read_amount(&run, decimals) {
            found.push(currency.shown(if negative { -amount } else { amount }));
        }
    }
    found
}

/// `run` (digits and separators) as an amount with `decimals` decimals after its last `.` or
/// `,`, the other separators grouping thousands; `None` if it is not written that way.
fn read_amount(run: &str, decimals: usize) -> Option<Decimal> {
    let last = run.rfind([',', '.']);
    let (whole, fraction) = match last {
        Some(at) if run.len() - at - 1 == decimals && decimals > 0 => (&run[..at], &run[at + 1..]),
        _ => (run, ""),
    };
    let digits: String = whole.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let text = if fraction.is_empty() {
        digits
    } else {
        format!("{digits}.{fraction}")
    };
    redress_domain::parse_decimal(&text).ok()
}

/// The language `message` is written in, of those Redress writes: Chinese when a third of its
/// letters are Chinese characters, else Spanish or English by which has more of its common
/// words; `None` when nothing in it says.
pub fn language_of(message: &str) -> Option<Language> {
    let letters = message.chars().filter(|c| c.is_alphabetic()).count();
    let han = message
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    if letters > 0 && han * 3 >= letters {
        return Some(Language::SimplifiedChinese);
    }
    const ENGLISH: [&str; 16] = [
        "the", "and", "of", "to", "your", "we", "you", "for", "is", "on", "with", "our", "have",
        "this", "that", "please",
    ];
    const SPANISH: [&str; 18] = [
        "el", "la", "los", "las", "de", "que", "y", "su", "por", "para", "una", "con", "del",
        "nos", "hemos", "usted", "le", "es",
    ];
    let lowered = message.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let english = words.iter().filter(|w| ENGLISH.contains(w)).count();
    let spanish = words.iter().filter(|w| SPANISH.contains(w)).count();
    match english.cmp(&spanish) {
        std::cmp::Ordering::Greater => Some(Language::English),
        std::cmp::Ordering::Less => Some(Language::Spanish),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    #[test]
    fn amounts_are_read_whatever_the_separators() {
        let text = "Credit USD 1,234.50 or 1.234,50 USD, not 1234.5; line 3 costs 12.00.";
        let found = amounts(text, usd());
        assert!(found.contains(&Decimal::new(123450, 2)), "{found:?}");
        assert_eq!(
            found
                .iter()
                .filter(|a| **a == Decimal::new(123450, 2))
                .count(),
            2
        );
        assert!(found.contains(&Decimal::new(1200, 2)));
    }

    #[test]
    fn a_line_is_named_by_its_number_and_not_by_a_longer_one() {
        assert!(lines_not_explained("On line 3 we charged twice.", &[3]).is_empty());
        assert_eq!(
            lines_not_explained("On line 12 we charged twice.", &[1]),
            [1]
        );
        assert!(lines_not_explained("Invoice:\n2. Widgets: USD 4.00\n", &[2]).is_empty());
        assert!(lines_not_explained("第3行重复收费。", &[3]).is_empty());
        assert!(lines_not_explained("En la línea 4 hay un error.", &[4]).is_empty());
    }

    #[test]
    fn the_language_is_told_from_the_words() {
        assert_eq!(
            language_of("Thank you for your message about the invoice."),
            Some(Language::English)
        );
        assert_eq!(
            language_of("Gracias por informarnos sobre la factura de su empresa."),
            Some(Language::Spanish)
        );
        assert_eq!(
            language_of("感谢您就发票 INV-1 与我们联系。"),
            Some(Language::SimplifiedChinese)
        );
        assert_eq!(language_of("INV-1 USD 4.00"), None);
    }

    #[test]
    fn an_offer_names_the_resolution_and_its_exact_amount() {
        let credit = Recommended::CreditNote(Decimal::new(4000, 2));
        assert!(offers(
            "We will issue a credit note of USD 40.00.",
            &credit,
            usd()
        ));
        assert!(!offers(
            "We will issue a credit note of USD 41.00.",
            &credit,
            usd()
        ));
        assert!(!offers("We will refund USD 40.00.", &credit, usd()));
        assert!(offers(
            "We checked the delivery: the charges are correct.",
            &Recommended::Reject,
            usd()
        ));
    }
}
