//! Decimal numbers as they appear in billing data: `1234.50`, `-2.5`, `0.0125`.

pub use rust_decimal::Decimal;

/// Why a text is not a decimal number of billing data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Empty where a number is required.
    #[error("is empty")]
    Empty,
    /// Not of the form `[-]digits[.digits]`.
    #[error("`{0}` is not a decimal number")]
    Malformed(String),
    /// Too many digits to hold exactly.
    #[error("`{0}` has more digits than can be held exactly (at most 28)")]
    TooLong(String),
}

/// Parses a decimal in major units: an optional `-`, digits, and optionally `.` and digits.
///
/// Stricter than `Decimal::from_str` on purpose: no `+`, no exponent, no `_` or thousands
/// separators, no surrounding spaces, because billing exports that carry those are ambiguous.
/// Never rounds: a value that cannot be held exactly is an error.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    let bytes = text.as_bytes();
    let digits = match bytes {
        [] => return Err(NumberError::Empty),
        [b'-', rest @ ..] => rest,
        _ => bytes,
    };
    // Billing data holds millions of numbers, nearly all short: read up to 18 digits straight
    // into a mantissa and leave longer ones to rust_decimal's exact parser.
    let (mut mantissa, mut whole, mut fraction, mut point) = (0u64, 0u32, 0u32, false);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.wrapping_mul(10) + u64::from(b - b'0');
                if point {
                    fraction += 1;
                } else {
                    whole += 1;
                }
            }
            b'.' if !point => point = true,
            _ => return Err(NumberError::Malformed(text.to_owned())),
        }
    }
    if whole == 0 || (point && fraction == 0) {
        return Err(NumberError::Malformed(text.to_owned()));
    }
    if whole + fraction > 18 {
        return Decimal::from_str_exact(text).map_err(|_| NumberError::TooLong(text.to_owned()));
    }
    let magnitude = Decimal::new(mantissa as i64, fraction);
    Ok(if digits.len() < bytes.len() {
        -magnitude
    } else {
        magnitude
    })
}

/// `value` percent as a fraction: `percent_of(1.5)` is 0.015, exactly.
///
/// Moves the decimal point instead of dividing, which is exact and much cheaper; only a value
/// with 27 or more decimals falls back to division.
pub fn percent_of(value: Decimal) -> Decimal {
    let mut fraction = value;
    match fraction.set_scale(value.scale() + 2) {
        Ok(()) => fraction,
        Err(_) => value / Decimal::ONE_HUNDRED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_of_moves_the_point_exactly() {
        assert_eq!(percent_of("1.5".parse().unwrap()).to_string(), "0.015");
        assert_eq!(percent_of("100".parse().unwrap()), Decimal::ONE);
        assert_eq!(
            percent_of("-8.875".parse().unwrap()).to_string(),
            "-0.08875"
        );
    }

    #[test]
    fn accepts_plain_decimals() {
        assert_eq!(parse_decimal("1234.50").unwrap().to_string(), "1234.50");
        assert_eq!(parse_decimal("-2.5").unwrap().to_string(), "-2.5");
        assert_eq!(parse_decimal("0.0125").unwrap().to_string(), "0.0125");
        assert_eq!(parse_decimal("100002").unwrap().to_string(), "100002");
    }

    #[test]
    fn refuses_separators_signs_exponents_and_blanks() {
        for bad in [
            "1,234.50", "1_000", "+1", "1e3", " 1", "1.", ".5", "abc", "1.2.3", "-",
        ] {
            assert!(
                matches!(parse_decimal(bad), Err(NumberError::Malformed(_))),
                "{bad} should be refused"
            );
        }
        assert_eq!(parse_decimal(""), Err(NumberError::Empty));
    }

    proptest::proptest! {
        /// The fast path reads every decimal exactly as rust_decimal's own parser does.
        #[test]
        fn reads_what_it_writes(mantissa in proptest::num::i64::ANY, scale in 0u32..=18) {
            let value = Decimal::new(mantissa, scale);
            let text = value.to_string();
            proptest::prop_assert_eq!(parse_decimal(&text), Ok(Decimal::from_str_exact(&text).unwrap()));
            proptest::prop_assert_eq!(parse_decimal(&text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn long_numbers_are_read_exactly_too() {
        let text = "12345678901234567890.123456";
        assert_eq!(parse_decimal(text).unwrap().to_string(), text);
    }

    #[test]
    fn refuses_what_cannot_be_held_exactly() {
        let long = "1.00000000000000000000000000001";
        assert!(matches!(parse_decimal(long), Err(NumberError::TooLong(_))));
    }
}
