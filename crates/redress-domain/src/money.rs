//! Exact money: ISO 4217 currencies with their minor units, and rounding half away from zero.

use crate::number::Decimal;
use rust_decimal::RoundingStrategy;
use std::fmt;

/// An ISO 4217 currency that has a minor unit (USD: 2 decimals, JPY: 0, KWD: 3).
///
/// The table of codes and minor units is `iso_currency`'s, which follows the ISO 4217
/// maintenance agency's list. Codes without a minor unit (gold `XAU`, the test code `XTS`, …)
/// cannot be parsed into a `Currency`, since nothing can be billed in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    iso: iso_currency::Currency,
    minor_unit: u8,
}

/// Why a text is not a billing currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    /// Not an ISO 4217 alphabetic code.
    #[error("`{0}` is not an ISO 4217 currency code")]
    Unknown(String),
    /// An ISO 4217 code with no minor unit, such as a precious metal.
    #[error("`{0}` has no minor unit in ISO 4217, so amounts cannot be billed in it")]
    NoMinorUnit(String),
}

impl Currency {
    /// Parses an upper-case ISO 4217 alphabetic code such as `USD`.
    pub fn from_code(code: &str) -> Result<Self, CurrencyError> {
        let iso = iso_currency::Currency::from_code(code)
            .ok_or_else(|| CurrencyError::Unknown(code.to_owned()))?;
        let minor_unit = iso
            .exponent()
            .and_then(|e| u8::try_from(e).ok())
            .ok_or_else(|| CurrencyError::NoMinorUnit(code.to_owned()))?;
        Ok(Self { iso, minor_unit })
    }

    /// The three-letter code, e.g. `USD`.
    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// How many decimals the currency's minor unit has: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn minor_unit(&self) -> u32 {
        u32::from(self.minor_unit)
    }

    /// Rounds to the minor unit, half away from zero (1250.025 USD → 1250.03; −0.5 JPY → −1).
    pub fn round(&self, value: Decimal) -> Decimal {
        if value.scale() <= self.minor_unit() {
            return value; // already on the grid: the common case for amounts as billed
        }
        value.round_dp_with_strategy(self.minor_unit(), RoundingStrategy::MidpointAwayFromZero)
    }

    /// Whether `amount` is a whole number of minor units (`12.30` fits USD, `12.345` does not).
    pub fn fits(&self, amount: Decimal) -> bool {
        amount.normalize().scale() <= self.minor_unit()
    }

    /// Whether `amount` is one Redress takes in this currency: a whole number of minor units,
    /// and below [`AMOUNT_CEILING`] either way.
    pub fn holds(&self, amount: Decimal) -> bool {
        self.fits(amount) && amount.abs() < AMOUNT_CEILING
    }

    /// `amount` in minor units (`12.30` USD is 1230), exactly; `None` unless the currency
    /// [holds](Self::holds) it.
    pub fn minor_units(&self, amount: Decimal) -> Option<i64> {
        if !self.holds(amount) {
            return None;
        }
        let units = amount * Decimal::from(10i64.pow(self.minor_unit()));
        i64::try_from(units.trunc()).ok()
    }

    /// `amount` written with exactly the minor unit's decimals (`10` USD → `10.00`).
    ///
    /// Amounts are rounded first, so a value that does not fit is shown as it would be billed.
    pub fn format(&self, amount: Decimal) -> String {
        self.shown(amount).to_string()
    }

    /// `amount` as the currency shows it: rounded, with exactly the minor unit's decimals, and
    /// no sign on zero (`10` USD → `10.00`; `-0.004` → `0.00`). Its text is [`Self::format`]'s.
    pub fn shown(&self, amount: Decimal) -> Decimal {
        let mut rounded = self.round(amount);
        rounded.rescale(self.minor_unit());
        if rounded.is_zero() {
            // -0.004 rounds to zero, which has no sign to show.
            rounded.set_sign_positive(true);
        }
        rounded
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Every amount Redress takes, in any currency, is below a trillion major units (so its minor
/// units always fit a 64-bit integer, even with four decimals): no invoice, claim or resolution
/// a business handles comes near it, and an amount that does is a mistake or an attack.
pub const AMOUNT_CEILING: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// An amount in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    /// The amount in major units (dollars, not cents).
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// `amount` rounded half away from zero to `currency`'s minor unit.
    pub fn rounded(amount: Decimal, currency: Currency) -> Self {
        Self {
            amount: currency.round(amount),
            currency,
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency.format(self.amount), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    #[test]
    fn minor_units_come_from_iso_4217() {
        let minor = |c: &str| Currency::from_code(c).unwrap().minor_unit();
        assert_eq!(minor("USD"), 2);
        assert_eq!(minor("EUR"), 2);
        assert_eq!(minor("JPY"), 0);
        assert_eq!(minor("KRW"), 0);
        assert_eq!(minor("KWD"), 3);
        assert_eq!(minor("BHD"), 3);
        assert_eq!(minor("CLF"), 4);
    }

    #[test]
    fn unknown_codes_and_codes_without_minor_unit_are_refused() {
        assert_eq!(
            Currency::from_code("ABC"),
            Err(CurrencyError::Unknown("ABC".into()))
        );
        assert_eq!(
            Currency::from_code("usd"),
            Err(CurrencyError::Unknown("usd".into()))
        );
        assert_eq!(
            Currency::from_code("XAU"),
            Err(CurrencyError::NoMinorUnit("XAU".into()))
        );
    }

    #[test]
    fn rounds_half_away_from_zero_not_to_even() {
        assert_eq!(usd().round(dec("1250.025")), dec("1250.03"));
        assert_eq!(usd().round(dec("1250.015")), dec("1250.02"));
        assert_eq!(usd().round(dec("-1250.025")), dec("-1250.03"));
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(jpy.round(dec("1567.5")), dec("1568"));
        assert_eq!(jpy.round(dec("2.5")), dec("3"));
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(kwd.round(dec("0.5025")), dec("0.503"));
    }

    #[test]
    fn fits_counts_significant_decimals() {
        assert!(usd().fits(dec("12.30")));
        assert!(usd().fits(dec("12.300")));
        assert!(!usd().fits(dec("12.345")));
        assert!(Currency::from_code("JPY").unwrap().fits(dec("1500")));
        assert!(!Currency::from_code("JPY").unwrap().fits(dec("1500.5")));
    }

    #[test]
    fn amounts_are_held_below_a_trillion_major_units() {
        assert_eq!(AMOUNT_CEILING, dec("1000000000000"));
        assert!(usd().holds(dec("999999999999.99")));
        assert!(!usd().holds(dec("1000000000000.00")));
        assert!(!usd().holds(dec("-1000000000000")));
        let jpy = Currency::from_code("JPY").unwrap();
        assert!(!jpy.holds(dec("99999999999999999999999")));
        assert_eq!(jpy.minor_units(dec("99999999999999999999999")), None);
        let clf = Currency::from_code("CLF").unwrap();
        assert_eq!(
            clf.minor_units(dec("999999999999.9999")),
            Some(9_999_999_999_999_999)
        );
        assert_eq!(usd().minor_units(dec("12.30")), Some(1230));
    }

    #[test]
    fn formats_with_the_minor_unit() {
        assert_eq!(usd().format(dec("10")), "10.00");
        assert_eq!(usd().format(dec("-18")), "-18.00");
        assert_eq!(
            Currency::from_code("KWD").unwrap().format(dec("0.5")),
            "0.500"
        );
        assert_eq!(
            Currency::from_code("JPY").unwrap().format(dec("1425")),
            "1425"
        );
        assert_eq!(Money::rounded(dec("3.875"), usd()).to_string(), "3.88 USD");
    }

    fn cents() -> impl Strategy<Value = i64> {
        -10_000_000_000i64..10_000_000_000i64
    }

    proptest! {
        /// Rounding never moves a value by more than half a minor unit, and lands on the grid.
        #[test]
        fn rounding_is_within_half_a_minor_unit(units in cents(), extra in 0u32..1000) {
            let value = Decimal::new(units, 2) + Decimal::new(i64::from(extra), 5);
            let rounded = usd().round(value);
            prop_assert!(usd().fits(rounded));
            prop_assert!((rounded - value).abs() <= dec("0.005"));
        }

        /// Exact halves go away from zero, symmetrically for negative values.
        #[test]
        fn halves_round_away_from_zero(units in cents()) {
            let half = Decimal::new(units, 2) + dec("0.005");
            let up = usd().round(half);
            // u.u5 goes up to the next cent; -u.u5 + ... (for negative u) is a half below zero.
            let expected = if units >= 0 { Decimal::new(units + 1, 2) } else { Decimal::new(units, 2) };
            prop_assert_eq!(up, expected);
            prop_assert_eq!(usd().round(-half), -up);
        }

        /// An amount that fits its currency is unchanged by rounding, and sums of such stay exact.
        #[test]
        fn amounts_on_the_grid_add_exactly(a in cents(), b in cents()) {
            let (x, y) = (Decimal::new(a, 2), Decimal::new(b, 2));
            prop_assert_eq!(usd().round(x), x);
            prop_assert_eq!(x + y, Decimal::new(a + b, 2));
            prop_assert_eq!(usd().round(x + y), x + y);
        }
    }
}
