//! Identifiers as they appear in billing data (`INV-2025-0042`), interned to small indexes.
//!
//! A billing export names millions of records by text ids. The audit joins on them constantly, so
//! each id is stored once and records refer to each other by index.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

/// Declares a typed index into one table, so an invoice index cannot be used as a contract's.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in its table.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// A customer, by position in [`crate::BillingData::customers`].
    CustomerIdx
);
index_type!(
    /// A contract, by position in [`crate::BillingData::contracts`].
    ContractIdx
);
index_type!(
    /// An invoice, by position in [`crate::BillingData::invoices`].
    InvoiceIdx
);
index_type!(
    /// A stock-keeping unit (product or service code), by position in [`crate::BillingData::skus`].
    SkuIdx
);

/// A table of distinct text ids, each with a dense index in order of first appearance.
///
/// The ids are stored once, back to back, and the hash table holds only their hashes and
/// indexes: half the memory of a map from strings, lookups in file order stay in cache, and
/// growing the table never reads the ids again.
#[derive(Clone, Default)]
pub struct IdTable {
    names: TextColumn,
    index: HashTable<(u64, u32)>,
}

impl std::fmt::Debug for IdTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

fn hash(name: &str) -> u64 {
    FxBuildHasher.hash_one(name)
}

impl IdTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        self.insert_new(name).unwrap_or_else(|existing| existing)
    }

    /// Adds `name`, or returns the index it already has as an error.
    pub fn insert_new(&mut self, name: &str) -> Result<u32, u32> {
        let names = &self.names;
        let hashed = hash(name);
        let entry = self.index.entry(
            hashed,
            |&(h, i)| h == hashed && names.get(i as usize) == name,
            |&(h, _)| h,
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(found) => Err(found.get().1),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                let i = u32::try_from(self.names.len()).expect("fewer than 2^32 ids");
                slot.insert((hashed, i));
                self.names.push(name);
                Ok(i)
            }
        }
    }

    /// The index of `name`, if present.
    pub fn get(&self, name: &str) -> Option<u32> {
        let hashed = hash(name);
        self.index
            .find(hashed, |&(h, i)| {
                h == hashed && self.names.get(i as usize) == name
            })
            .map(|&(_, i)| i)
    }

    /// The id at `index`.
    pub fn name(&self, index: u32) -> &str {
        self.names.get(index as usize)
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The ids in index order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter()
    }
}

/// Many short texts stored back to back: one allocation instead of one per text.
///
/// Holds the delivery ids and free-text fields of millions of rows at a fraction of the memory
/// that a `String` per row would take.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextColumn {
    bytes: String,
    ends: Vec<usize>,
}

impl TextColumn {
    /// An empty column.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a text.
    pub fn push(&mut self, text: &str) {
        self.bytes.push_str(text);
        self.ends.push(self.bytes.len());
    }

    /// The text at `row`.
    pub fn get(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        &self.bytes[start..self.ends[row]]
    }

    /// How many texts.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends every text of `other`, in order.
    pub fn extend(&mut self, other: &TextColumn) {
        let offset = self.bytes.len();
        self.bytes.push_str(&other.bytes);
        self.ends.extend(other.ends.iter().map(|end| end + offset));
    }

    /// The texts in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|row| self.get(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_one_index_per_distinct_id() {
        let mut table = IdTable::new();
        assert_eq!(table.intern("INV-1"), 0);
        assert_eq!(table.intern("INV-2"), 1);
        assert_eq!(table.intern("INV-1"), 0);
        assert_eq!(table.insert_new("INV-2"), Err(1));
        assert_eq!(table.name(1), "INV-2");
        assert_eq!(table.get("INV-3"), None);
    }

    #[test]
    fn text_columns_keep_texts_apart_and_in_order() {
        let mut a = TextColumn::new();
        a.push("ops log");
        a.push("");
        let mut b = TextColumn::new();
        b.push("Müller, \"DQ\"");
        a.extend(&b);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            ["ops log", "", "Müller, \"DQ\""]
        );
    }
}
