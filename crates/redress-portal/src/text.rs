//! The portal's words in the customer's language: labels from the Fluent files of this crate
//! (`locales/{en-US,es,zh-Hans}/portal.ftl`, embedded when it compiles), and money and days as
//! the customer's messages write them (`redress_messages::{money, day}`).
//!
//! A word missing in a language is written in English (Fluent's fallback), as the tests check
//! none is.

use fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Currency, Date, Decimal, DisputeReason, DisputeStatus, Language, Money};
use redress_service::records::FindingKind;
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN_US: LanguageIdentifier = langid!("en-US");
static ES: LanguageIdentifier = langid!("es");
static ZH_HANS: LanguageIdentifier = langid!("zh-Hans");

/// The portal's words in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Texts {
    /// The language.
    pub language: Language,
}

impl Texts {
    /// The words of `language`.
    pub fn new(language: Language) -> Self {
        Self { language }
    }

    fn id(&self) -> &'static LanguageIdentifier {
        match self.language {
            Language::English => &EN_US,
            Language::Spanish => &ES,
            Language::SimplifiedChinese => &ZH_HANS,
        }
    }

    /// The page's `<html lang>`: `en`, `es`, `zh-Hans`.
    pub fn html_lang(&self) -> &'static str {
        match self.language {
            Language::English => "en",
            Language::Spanish => "es",
            Language::SimplifiedChinese => "zh-Hans",
        }
    }

    /// The message `id`.
    pub fn say(&self, id: &str) -> String {
        LOCALES.lookup(self.id(), id)
    }

    /// The message `id` with `args` (each a text).
    pub fn with(&self, id: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
            .collect();
        LOCALES.lookup_with_args(self.id(), id, &args)
    }

    /// The message `id` with a number `n` (for plurals).
    pub fn count(&self, id: &str, name: &'static str, n: u64) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            HashMap::from([(Cow::Borrowed(name), FluentValue::from(n))]);
        LOCALES.lookup_with_args(self.id(), id, &args)
    }

    /// `money` as the customer's messages write it: `USD 1,234.50`, `1234,50 EUR`.
    pub fn money(&self, money: Money) -> String {
        redress_messages::money(self.language, money)
    }

    /// `amount` of `currency`, as [`Texts::money`] writes it.
    pub fn amount(&self, amount: Decimal, currency: Currency) -> String {
        self.money(Money { amount, currency })
    }

    /// A number with the decimals it has (`7.5`, es `7,5`).
    pub fn number(&self, value: Decimal) -> String {
        redress_messages::number(self.language, value.normalize())
    }

    /// A number with exactly the decimals written (`120.50`, es `120,50`).
    pub fn decimal(&self, value: Decimal) -> String {
        redress_messages::number(self.language, value)
    }

    /// A day written out: `November 5, 2026`, `5 de noviembre de 2026`, `2026年11月5日`.
    pub fn day(&self, date: Date) -> String {
        redress_messages::day(self.language, date)
    }

    /// A moment in the business's zone `zone`: its day and its time (`November 5, 2026, 14:03`).
    pub fn moment(&self, at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> Shown {
        let local = zone.to_datetime(at);
        Shown {
            iso: at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            text: self.with(
                "moment",
                &[
                    ("day", self.day(local.date())),
                    ("time", local.strftime("%H:%M").to_string()),
                ],
            ),
        }
    }

    /// A day with its ISO form for `<time datetime>`.
    pub fn shown_day(&self, date: Date) -> Shown {
        Shown {
            iso: date.to_string(),
            text: self.day(date),
        }
    }

    /// A dispute's status in words, for the customer.
    pub fn status(&self, status: DisputeStatus) -> String {
        self.say(match status {
            DisputeStatus::Open => "status-open",
            DisputeStatus::Acknowledged => "status-acknowledged",
            DisputeStatus::Investigating => "status-investigating",
            DisputeStatus::AwaitingCustomer => "status-awaiting-customer",
            DisputeStatus::Resolved => "status-resolved",
            DisputeStatus::Closed => "status-closed",
            DisputeStatus::Withdrawn => "status-withdrawn",
        })
    }

    /// What happens next in a dispute of `status`.
    pub fn next_step(&self, status: DisputeStatus) -> String {
        self.say(match status {
            DisputeStatus::Open => "next-open",
            DisputeStatus::Acknowledged => "next-acknowledged",
            DisputeStatus::Investigating => "next-investigating",
            DisputeStatus::AwaitingCustomer => "next-awaiting-customer",
            DisputeStatus::Resolved => "next-resolved",
            DisputeStatus::Closed => "next-closed",
            DisputeStatus::Withdrawn => "next-withdrawn",
        })
    }

    /// A reason in words: `Wrong price`.
    pub fn reason(&self, reason: DisputeReason) -> String {
        self.say(reason_id(reason))
    }

    /// A kind of finding, as the customer reads it.
    pub fn finding(&self, kind: FindingKind) -> String {
        self.say(match kind {
            FindingKind::OutsideContract => "finding-outside-contract",
            FindingKind::UnknownCharge => "finding-unknown-charge",
            FindingKind::DuplicateCharge => "finding-duplicate-charge",
            FindingKind::PriceMismatch => "finding-price-mismatch",
            FindingKind::DiscountMissing => "finding-discount-missing",
            FindingKind::LineArithmetic => "finding-line-arithmetic",
            FindingKind::QuantityOverbilled => "finding-quantity-overbilled",
            FindingKind::UnbilledDelivery => "finding-unbilled-delivery",
            FindingKind::TaxMismatch => "finding-tax-mismatch",
            FindingKind::TotalMismatch => "finding-total-mismatch",
            FindingKind::Overpayment => "finding-overpayment",
            FindingKind::LateFeeUnwarranted => "finding-late-fee-unwarranted",
            FindingKind::LateFeeExcess => "finding-late-fee-excess",
        })
    }

    /// A kind of resolution in words: `Credit note`.
    pub fn resolution(&self, kind: ResolutionKind) -> String {
        self.say(match kind {
            ResolutionKind::CreditNote => "resolution-credit-note",
            ResolutionKind::Refund => "resolution-refund",
            ResolutionKind::AccountCredit => "resolution-account-credit",
            ResolutionKind::Goodwill => "resolution-goodwill",
            ResolutionKind::PaymentPlan => "resolution-payment-plan",
            ResolutionKind::WriteOff => "resolution-write-off",
            ResolutionKind::Reject => "resolution-reject",
            ResolutionKind::CorrectedInvoice => "resolution-corrected-invoice",
        })
    }

    /// A file's size: `120 KB`, `2.5 MB`.
    pub fn size(&self, bytes: u64) -> String {
        if bytes < 1024 * 1024 {
            self.with(
                "size-kb",
                &[("size", self.number(Decimal::from(bytes.div_ceil(1024))))],
            )
        } else {
            let tenths = (bytes * 10).div_ceil(1024 * 1024);
            self.with(
                "size-mb",
                &[("size", self.number(Decimal::new(tenths as i64, 1)))],
            )
        }
    }
}

/// The Fluent id of a reason's words.
pub fn reason_id(reason: DisputeReason) -> &'static str {
    match reason {
        DisputeReason::Overcharged => "reason-overcharged",
        DisputeReason::Duplicate => "reason-duplicate",
        DisputeReason::NotReceived => "reason-not-received",
        DisputeReason::WrongPrice => "reason-wrong-price",
        DisputeReason::LateFee => "reason-late-fee",
        DisputeReason::Other => "reason-other",
    }
}

/// A day or moment as shown, with its machine-readable form for `<time datetime>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// `2026-11-05` or `2026-11-05T14:03:00Z`.
    pub iso: String,
    /// `November 5, 2026`.
    pub text: String,
}

/// The language a browser asks for (`Accept-Language`), among the portal's: for the pages
/// shown before the customer is known (a refused link). English unless Spanish or Chinese comes
/// first.
pub fn from_accept_language(header: Option<&str>) -> Language {
    let Some(header) = header else {
        return Language::English;
    };
    let mut best: Option<(f32, Language)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if tag.is_empty() || tag == "*" || quality <= 0.0 {
            continue;
        }
        let (language, known) = Language::for_customer(tag);
        if known && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, language));
        }
    }
    best.map_or(Language::English, |(_, language)| language)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(language: &str) -> BTreeSet<String> {
        let path = format!(
            "{}/locales/{language}/portal.ftl",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    #[test]
    fn every_word_of_the_portal_is_written_in_spanish_and_chinese() {
        let english = ids("en-US");
        assert!(english.len() > 100, "{}", english.len());
        for language in ["es", "zh-Hans"] {
            let theirs = ids(language);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty(), "{language} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{language} has words English lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn every_word_the_templates_and_the_code_ask_for_is_written() {
        let english = ids("en-US");
        let root = env!("CARGO_MANIFEST_DIR");
        let mut asked = BTreeSet::new();
        let mut files = Vec::new();
        for dir in ["templates", "src", "src/pages"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    files.push(path);
                }
            }
        }
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for call in ["say(\"", "with(\"", "count(\""] {
                for rest in text.split(call).skip(1) {
                    let id = rest.split('"').next().unwrap();
                    if !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                        asked.insert(id.to_owned());
                    }
                }
            }
            // Ids picked in code: `"status-open" =>`, `"reason-other"`, ….
            for rest in text.split("=> \"").skip(1) {
                let id = rest.split('"').next().unwrap();
                if id.contains('-')
                    && !id.contains("--")
                    && id.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                {
                    asked.insert(id.to_owned());
                }
            }
        }
        let missing: Vec<_> = asked.difference(&english).collect();
        assert!(missing.is_empty(), "asked for and not written: {missing:?}");
    }

    #[test]
    fn spanish_money_and_days_are_written_the_spanish_way() {
        let t = Texts::new(Language::Spanish);
        let eur = Currency::from_code("EUR").unwrap();
        assert_eq!(t.amount("12345.6".parse().unwrap(), eur), "12.345,60 EUR");
        assert_eq!(
            t.day(jiff::civil::date(2026, 11, 5)),
            "5 de noviembre de 2026"
        );
        assert_eq!(t.status(DisputeStatus::Resolved), "Resuelta");
    }

    #[test]
    fn chinese_words_money_and_days_are_written_the_chinese_way() {
        let t = Texts::new(Language::SimplifiedChinese);
        assert_eq!(t.html_lang(), "zh-Hans");
        let cny = Currency::from_code("CNY").unwrap();
        assert_eq!(t.amount("1234.5".parse().unwrap(), cny), "CNY 1,234.50");
        assert_eq!(t.day(jiff::civil::date(2026, 11, 5)), "2026年11月5日");
        assert_eq!(t.status(DisputeStatus::AwaitingCustomer), "等待您的答复");
        assert_eq!(t.with("line-label", &[("line", "3".to_owned())]), "第 3 行");
        assert_eq!(
            t.count("evidence-payments", "n", 2),
            "我们核查了 2 笔付款。"
        );
    }

    #[test]
    fn plurals_and_sizes_follow_the_language() {
        let en = Texts::new(Language::English);
        assert_eq!(
            en.count("evidence-payments", "n", 1),
            "We checked 1 payment."
        );
        assert_eq!(
            en.count("evidence-payments", "n", 3),
            "We checked 3 payments."
        );
        assert_eq!(en.size(120 * 1024), "120 KB");
        assert_eq!(Texts::new(Language::Spanish).size(2_621_440), "2,5 MB");
    }

    #[test]
    fn a_browser_asking_for_spanish_first_gets_spanish_and_anything_else_english() {
        assert_eq!(
            from_accept_language(Some("es-ES,es;q=0.9,en;q=0.8")),
            Language::Spanish
        );
        assert_eq!(
            from_accept_language(Some("de-DE,zh-CN;q=0.7,en;q=0.9")),
            Language::English
        );
        assert_eq!(
            from_accept_language(Some("zh-CN,zh;q=0.9")),
            Language::SimplifiedChinese
        );
        assert_eq!(from_accept_language(Some("de")), Language::English);
        assert_eq!(from_accept_language(None), Language::English);
    }
}
