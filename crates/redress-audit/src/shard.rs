//! A part of an export's customers, so that several machines can audit one export together:
//! each reads every file and audits the customers of its shard, and their reports merge into
//! the whole audit's.
//!
//! No rule crosses a customer: a contract is one customer's, and a dispute is judged on the
//! findings of its invoice's contract. So the findings of a shard are exactly the whole audit's
//! findings on its customers, in the same order, and so are its verdicts.

use std::fmt;
use std::str::FromStr;

/// The `index`-th of `count` parts of the customers (counted from 1), chosen by
/// [`stable_hash`] of the customer id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// Why a shard was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not of the form `I/N`.
    #[error(
        "`{0}` is not a shard: expected I/N with whole numbers, such as 2/4 (the second of four)"
    )]
    Malformed(String),
    /// `I` outside `1..=N`, or `N` outside `1..=MAX_SHARDS`.
    #[error(
        "there is no shard {index}/{count}: expected I from 1 to N, and N from 1 to {}",
        Shard::MAX_COUNT
    )]
    OutOfRange {
        /// The `I` given.
        index: u32,
        /// The `N` given.
        count: u32,
    },
}

impl Shard {
    /// The whole export: every customer.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// More shards than this would leave most of them empty on any export a machine reads.
    pub const MAX_COUNT: u32 = 1024;

    /// The `index`-th of `count` shards, counted from 1.
    pub fn new(index: u32, count: u32) -> Result<Self, ShardError> {
        if count == 0 || count > Self::MAX_COUNT || index == 0 || index > count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Self { index, count })
    }

    /// Which shard this is, from 1.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards there are.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether the customer with this id is in the shard.
    pub fn holds(self, customer_id: &str) -> bool {
        self.count == 1
            || stable_hash(customer_id) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || ShardError::Malformed(text.to_owned());
        let (index, count) = text.split_once('/').ok_or_else(malformed)?;
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed());
            }
            // Too many digits for a u32 is out of range, not malformed.
            Ok(part.parse::<u32>().unwrap_or(u32::MAX))
        };
        Shard::new(number(index)?, number(count)?)
    }
}

/// 64-bit FNV-1a of the id's UTF-8 bytes. Its definition fixes it, so every machine, version
/// and platform puts a customer in the same shard (a hasher seeded per process, or one whose
/// output a library may change, would not).
pub fn stable_hash(id: &str) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    id.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv_1a_as_published() {
        // The published test vectors of FNV-1a 64.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_shard_is_read_as_i_of_n_and_refused_otherwise() {
        assert_eq!("2/4".parse::<Shard>(), Shard::new(2, 4));
        assert_eq!("2/4".parse::<Shard>().unwrap().to_string(), "2/4");
        for malformed in ["", "2", "2/", "/4", "a/4", "2/4/1", "-1/4", "2 /4", "2.0/4"] {
            assert_eq!(
                malformed.parse::<Shard>(),
                Err(ShardError::Malformed(malformed.to_owned())),
                "{malformed:?}"
            );
        }
        for (text, index, count) in [
            ("0/4", 0, 4),
            ("5/4", 5, 4),
            ("1/0", 1, 0),
            ("1/1025", 1, 1025),
            ("1/99999999999", 1, u32::MAX),
        ] {
            assert_eq!(
                text.parse::<Shard>(),
                Err(ShardError::OutOfRange { index, count }),
                "{text}"
            );
        }
    }

    #[test]
    fn every_customer_is_in_exactly_one_shard_of_any_count() {
        for count in [1, 2, 4, 7] {
            for n in 0..1000 {
                let id = format!("C-{n}");
                let holding = (1..=count)
                    .filter(|&i| Shard::new(i, count).unwrap().holds(&id))
                    .count();
                assert_eq!(holding, 1, "{id} in {count} shards");
            }
        }
    }
}
