//! Values as Redress stores them, made and read back one way everywhere: times and ids that
//! sort as text in the order they were taken, amounts as exact decimals, currencies by their
//! ISO 4217 code.

use super::error::StorageError;
use redress_domain::{Currency, Decimal, parse_decimal};

/// Now, in UTC with microseconds, always the same width (`2026-11-23T14:28:28.750764Z`), so
/// that timestamps stored as text sort as times.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// A new id: `prefix`, a dash, the time in milliseconds (11 hex digits) and 32 random bits (8
/// hex digits). Ids taken later sort later, so that new rows go to the end of the indexes of
/// ids instead of anywhere in them.
pub fn new_id(prefix: &str) -> String {
    let millis = jiff::Timestamp::now().as_millisecond().max(0) as u64;
    format!("{prefix}-{millis:011x}{:08x}", fastrand::u32(..))
}

/// A stored currency code, read back.
pub(crate) fn currency(code: &str) -> Result<Currency, StorageError> {
    Currency::from_code(code).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// A stored amount, read back.
pub(crate) fn amount(text: &str) -> Result<Decimal, StorageError> {
    parse_decimal(text).map_err(|e| StorageError::Corrupt(format!("an amount `{text}`: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_taken_later_sort_later() {
        let first = super::new_id("DSP");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = super::new_id("DSP");
        assert!(first < second, "{first} {second}");
        assert_eq!(first.len(), "DSP-".len() + 19);
    }

    #[test]
    fn timestamps_have_one_width_so_that_they_sort_as_text() {
        let now = super::now();
        assert_eq!(now.len(), "2026-11-23T14:28:28.750764Z".len(), "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[19] == b'.', "{now}");
    }
}
