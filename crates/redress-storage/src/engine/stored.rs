//! Values as Redress stores them, made and read back one way everywhere: times and ids that
//! sort as text in the order they were taken, amounts as exact decimals, currencies by their
//! ISO 4217 code.

use super::error::StorageError;
use super::sql::Row;
use redress_domain::{
    Currency, Date, Decimal, Timestamp, parse_date, parse_decimal, timestamp_text,
};

/// Now, in UTC with microseconds, always the same width (`2026-11-23T14:28:28.750764Z`), so
/// that timestamps stored as text sort as times.
pub fn now() -> String {
    timestamp_text(this_moment())
}

/// Now, to the microsecond: as precise as a stored moment, so that a record made now equals
/// itself read back.
pub fn this_moment() -> Timestamp {
    let now = Timestamp::now();
    let micros = now.as_microsecond();
    Timestamp::from_microsecond(micros).unwrap_or(now)
}

/// One stored row read cell by cell into domain types: a cell that does not read back is an
/// error naming its table, row and column, never a default.
pub(crate) struct Cells<'r> {
    row: &'r dyn Row,
    table: &'static str,
    key: String,
}

impl<'r> Cells<'r> {
    /// The row of `table` whose key is `key` (for errors).
    pub(crate) fn new(row: &'r dyn Row, table: &'static str, key: impl Into<String>) -> Self {
        Self {
            row,
            table,
            key: key.into(),
        }
    }

    /// The error for a cell of `column` holding `value` where `expected` was.
    pub(crate) fn unreadable(
        &self,
        column: &'static str,
        value: &str,
        expected: &'static str,
    ) -> StorageError {
        let mut value = value.to_owned();
        if value.len() > 80 {
            let cut = (0..=80)
                .rev()
                .find(|&i| value.is_char_boundary(i))
                .unwrap_or(0);
            value.truncate(cut);
            value.push('…');
        }
        StorageError::Unreadable {
            table: self.table,
            row: self.key.clone(),
            column,
            value,
            expected,
        }
    }

    /// Cell `i` (`column`) read with `parse`, which says `None` for what is not `expected`.
    pub(crate) fn parsed<T>(
        &self,
        i: usize,
        column: &'static str,
        expected: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StorageError> {
        let text = self.row.text(i)?;
        parse(text).ok_or_else(|| self.unreadable(column, text, expected))
    }

    /// Cell `i` (`column`), `NULL` or read with `parse`.
    pub(crate) fn opt_parsed<T>(
        &self,
        i: usize,
        column: &'static str,
        expected: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, StorageError> {
        match self.row.opt_text(i)? {
            None => Ok(None),
            Some(text) => parse(text)
                .map(Some)
                .ok_or_else(|| self.unreadable(column, text, expected)),
        }
    }

    /// An exact decimal amount.
    pub(crate) fn amount(&self, i: usize, column: &'static str) -> Result<Decimal, StorageError> {
        self.parsed(i, column, "an exact decimal amount", |t| {
            parse_decimal(t).ok()
        })
    }

    /// An exact decimal amount, or `NULL`.
    pub(crate) fn opt_amount(
        &self,
        i: usize,
        column: &'static str,
    ) -> Result<Option<Decimal>, StorageError> {
        self.opt_parsed(i, column, "an exact decimal amount", |t| {
            parse_decimal(t).ok()
        })
    }

    /// An ISO 4217 currency code.
    pub(crate) fn currency(
        &self,
        i: usize,
        column: &'static str,
    ) -> Result<Currency, StorageError> {
        self.parsed(i, column, "an ISO 4217 currency code", |t| {
            Currency::from_code(t).ok()
        })
    }

    /// A `YYYY-MM-DD` day.
    pub(crate) fn date(&self, i: usize, column: &'static str) -> Result<Date, StorageError> {
        self.parsed(i, column, "a date (YYYY-MM-DD)", |t| parse_date(t).ok())
    }

    /// A `YYYY-MM-DD` day, or `NULL`.
    pub(crate) fn opt_date(
        &self,
        i: usize,
        column: &'static str,
    ) -> Result<Option<Date>, StorageError> {
        self.opt_parsed(i, column, "a date (YYYY-MM-DD)", |t| parse_date(t).ok())
    }

    /// An RFC 3339 moment.
    pub(crate) fn timestamp(
        &self,
        i: usize,
        column: &'static str,
    ) -> Result<Timestamp, StorageError> {
        self.parsed(i, column, "an RFC 3339 timestamp", |t| t.parse().ok())
    }

    /// An RFC 3339 moment, or `NULL`.
    pub(crate) fn opt_timestamp(
        &self,
        i: usize,
        column: &'static str,
    ) -> Result<Option<Timestamp>, StorageError> {
        self.opt_parsed(i, column, "an RFC 3339 timestamp", |t| t.parse().ok())
    }

    /// A JSON document of type `T`.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        &self,
        i: usize,
        column: &'static str,
        expected: &'static str,
    ) -> Result<T, StorageError> {
        self.parsed(i, column, expected, |t| serde_json::from_str(t).ok())
    }
}

/// An exact decimal as a stored JSON document writes it, as text (`"12.50"`): read back
/// exactly ([`parse_decimal`]), written as the value shows itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredDecimal(pub Decimal);

impl serde::Serialize for StoredDecimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for StoredDecimal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_decimal(&text)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// A day as a stored JSON document writes it: `"YYYY-MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredDate(pub Date);

impl serde::Serialize for StoredDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for StoredDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_date(&text)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// A currency as a stored JSON document writes it: its ISO 4217 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredCurrency(pub Currency);

impl serde::Serialize for StoredCurrency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.code())
    }
}

impl<'de> serde::Deserialize<'de> for StoredCurrency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Currency::from_code(&text)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// A new id: `prefix`, a dash, the time in milliseconds (11 hex digits) and 32 random bits (8
/// hex digits). Ids taken later sort later, so that new rows go to the end of the indexes of
/// ids instead of anywhere in them.
pub fn new_id(prefix: &str) -> String {
    let millis = jiff::Timestamp::now().as_millisecond().max(0) as u64;
    format!("{prefix}-{millis:011x}{:08x}", fastrand::u32(..))
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
    fn a_moment_reads_back_as_written() {
        for _ in 0..100 {
            let moment = super::this_moment();
            let text = redress_domain::timestamp_text(moment);
            assert_eq!(text.parse::<redress_domain::Timestamp>().unwrap(), moment);
        }
    }

    #[test]
    fn timestamps_have_one_width_so_that_they_sort_as_text() {
        let now = super::now();
        assert_eq!(now.len(), "2026-11-23T14:28:28.750764Z".len(), "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[19] == b'.', "{now}");
    }
}
