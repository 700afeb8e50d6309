//! Numbers and dates as the customer's locale writes them, by ICU4X's compiled CLDR data.
//!
//! Amounts are rounded to their currency's minor unit and always shown with exactly its number
//! of decimals (JPY none, USD two, KWD three); grouping and the decimal mark are the locale's
//! (es: `1234,56` and `12.345,60`, since Spanish does not group four-digit numbers). ICU4X 2
//! has no stable currency formatting, so the currency's ISO code and its place around the
//! number come from the `money` message of each language's Fluent file (`USD 1,234.50`,
//! `1234,50 USD`, `USD 1,234.50`): a code is unambiguous where a symbol (`$`) is not.
//!
//! [`money`], [`day`] and [`number`] write them for other crates (the documents Redress
//! renders), the same way the drafts do.

use crate::compose::LOCALES;
use crate::language::{Language, identifier};
use fluent_bundle::FluentValue;
use fluent_templates::Loader;
use icu_datetime::{DateTimeFormatter, fieldsets::YMD};
use icu_decimal::{DecimalFormatter, input::Decimal as IcuDecimal};
use icu_locale_core::{Locale, locale};
use redress_domain::{Currency, Date, Decimal, Money};
use std::borrow::Cow;
use std::collections::HashMap;

/// `money` as `language` writes it in a message: rounded to its currency's minor unit, with
/// exactly its decimals, and the ISO code where the language's `money` message puts it
/// (`USD 1,234.50` in en-US, `1234,50 EUR` and `12.345,60 EUR` in es, `CNY 1,234.50` in zh-Hans).
pub fn money(language: Language, money: Money) -> String {
    let amount = LocaleFormats::new(language).amount(money.amount, money.currency);
    let args = HashMap::from([
        (Cow::Borrowed("amount"), FluentValue::from(amount)),
        (
            Cow::Borrowed("currency"),
            FluentValue::from(money.currency.code()),
        ),
    ]);
    // Looked up in English when the language lacks it; every language has it, as the tests show.
    LOCALES.lookup_with_args(identifier(language), "money", &args)
}

/// `date` written out as `language` writes a day (`November 5, 2026`, `5 de noviembre de 2026`,
/// `2026年11月5日`).
pub fn day(language: Language, date: Date) -> String {
    LocaleFormats::new(language).date(date)
}

/// A decimal number as `language` writes it, with the decimals it has (`7.5`, es `7,5`;
/// `12345` is `12,345` in en-US and `12.345` in es).
pub fn number(language: Language, value: Decimal) -> String {
    LocaleFormats::new(language).number(value)
}

/// The number and date formatters of one language.
pub(crate) struct LocaleFormats {
    numbers: Option<DecimalFormatter>,
    dates: Option<DateTimeFormatter<YMD>>,
}

impl LocaleFormats {
    /// The formatters for `language`. Should the compiled data lack them (it does not for the
    /// three languages, as the tests show), numbers and dates are written as ISO writes them.
    pub(crate) fn new(language: Language) -> Self {
        let locale: Locale = match language {
            Language::English => locale!("en-US"),
            Language::Spanish => locale!("es"),
            Language::SimplifiedChinese => locale!("zh-Hans"),
        };
        Self {
            numbers: DecimalFormatter::try_new((&locale).into(), Default::default()).ok(),
            dates: DateTimeFormatter::try_new((&locale).into(), YMD::long()).ok(),
        }
    }

    /// `amount` in `currency`, rounded to its minor unit, with exactly its decimals, without
    /// the currency (`1,234.50` in en-US for USD, `1234,50` in es, `1,235` for JPY).
    pub(crate) fn amount(&self, amount: Decimal, currency: Currency) -> String {
        self.number(currency.shown(amount))
    }

    /// A decimal number with the decimals it has (`2.50` stays `2.50`).
    pub(crate) fn number(&self, value: Decimal) -> String {
        let text = value.to_string();
        match (&self.numbers, text.parse::<IcuDecimal>()) {
            (Some(formatter), Ok(decimal)) => formatter.format(&decimal).to_string(),
            _ => text,
        }
    }

    /// A day written out (`November 5, 2026`, `5 de noviembre de 2026`, `2026年11月5日`).
    pub(crate) fn date(&self, date: Date) -> String {
        let iso = icu_datetime::input::Date::try_new_iso(
            i32::from(date.year()),
            date.month().unsigned_abs(),
            date.day().unsigned_abs(),
        );
        match (&self.dates, iso) {
            (Some(formatter), Ok(iso)) => formatter.format(&iso).to_string(),
            _ => date.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn currency(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    fn amount(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn amounts_have_the_locales_separators_and_the_currencys_decimals() {
        let en = LocaleFormats::new(Language::English);
        let es = LocaleFormats::new(Language::Spanish);
        let zh = LocaleFormats::new(Language::SimplifiedChinese);
        assert_eq!(en.amount(amount("1234.5"), currency("USD")), "1,234.50");
        assert_eq!(es.amount(amount("1234.56"), currency("EUR")), "1234,56");
        assert_eq!(es.amount(amount("12345.6"), currency("EUR")), "12.345,60");
        assert_eq!(zh.amount(amount("1234.5"), currency("CNY")), "1,234.50");
        assert_eq!(en.amount(amount("1234.5"), currency("JPY")), "1,235");
        assert_eq!(en.amount(amount("12.3456"), currency("KWD")), "12.346");
        assert_eq!(en.amount(amount("-10"), currency("USD")), "-10.00");
    }

    #[test]
    fn money_has_the_currency_where_the_drafts_put_it() {
        let amount = |text: &str, code: &str| Money {
            amount: amount(text),
            currency: currency(code),
        };
        assert_eq!(
            money(Language::English, amount("1234.5", "USD")),
            "USD 1,234.50"
        );
        assert_eq!(
            money(Language::Spanish, amount("1234.5", "USD")),
            "1234,50 USD"
        );
        assert_eq!(
            money(Language::Spanish, amount("12345.6", "EUR")),
            "12.345,60 EUR"
        );
        assert_eq!(
            money(Language::SimplifiedChinese, amount("1234.5", "CNY")),
            "CNY 1,234.50"
        );
        assert_eq!(
            money(Language::English, amount("1234.5", "JPY")),
            "JPY 1,235"
        );
    }

    #[test]
    fn days_and_numbers_are_the_locales() {
        assert_eq!(
            day(Language::Spanish, date(2026, 11, 5)),
            "5 de noviembre de 2026"
        );
        assert_eq!(number(Language::Spanish, amount("7.5")), "7,5");
        assert_eq!(number(Language::English, amount("12345")), "12,345");
    }

    #[test]
    fn dates_are_written_out_in_the_locales_way() {
        let day = date(2026, 11, 5);
        assert_eq!(
            LocaleFormats::new(Language::English).date(day),
            "November 5, 2026"
        );
        assert_eq!(
            LocaleFormats::new(Language::Spanish).date(day),
            "5 de noviembre de 2026"
        );
        assert_eq!(
            LocaleFormats::new(Language::SimplifiedChinese).date(day),
            "2026年11月5日"
        );
    }
}
