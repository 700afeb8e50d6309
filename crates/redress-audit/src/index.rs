//! The joins the rules need, built once: which lines, prices, deliveries and invoices belong to
//! each contract, which lines, payments and notices to each invoice, and the order of invoices.
//!
//! Each grouping is a counting sort (two passes, no hashing), so building them all costs a few
//! linear scans even over millions of records.

use redress_domain::{BillingData, LineKind};

/// Items grouped by a dense key: the items of group `g` are `items[starts[g]..starts[g + 1]]`,
/// in their original order.
#[derive(Debug, Clone, Default)]
pub struct Grouped {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Grouped {
    /// Groups items `0..len` into `groups` groups by `key` (items with no key are left out).
    pub fn build(groups: usize, len: usize, key: impl Fn(usize) -> Option<u32>) -> Self {
        let mut starts = vec![0u32; groups + 1];
        for item in 0..len {
            if let Some(k) = key(item) {
                starts[k as usize + 1] += 1;
            }
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        let mut next = starts.clone();
        let mut items = vec![0u32; starts[groups] as usize];
        for item in 0..len {
            if let Some(k) = key(item) {
                let slot = &mut next[k as usize];
                items[*slot as usize] = item as u32;
                *slot += 1;
            }
        }
        Self { starts, items }
    }

    /// The items of group `g`.
    pub fn get(&self, g: usize) -> &[u32] {
        &self.items[self.starts[g] as usize..self.starts[g + 1] as usize]
    }
}

/// Every join the rules use.
pub struct AuditIndex {
    /// Charge lines by contract.
    pub charge_lines_by_contract: Grouped,
    /// All lines by invoice.
    pub lines_by_invoice: Grouped,
    /// Invoices by contract.
    pub invoices_by_contract: Grouped,
    /// Price rows by contract.
    pub prices_by_contract: Grouped,
    /// Delivery records by contract.
    pub deliveries_by_contract: Grouped,
    /// Payments by invoice.
    pub payments_by_invoice: Grouped,
    /// Notices by invoice.
    pub notices_by_invoice: Grouped,
}

impl AuditIndex {
    /// Builds every join over `data`, using both cores when there is enough of it.
    pub fn build(data: &BillingData) -> Self {
        let contracts = data.contracts.len();
        let invoices = data.invoices.len();
        // A contract or two (a dispute's verification) is joined faster on this thread alone.
        let parallel = data.lines.len() + data.deliveries.records.len() >= 100_000;
        let (
            (invoices_by_contract, charge_lines_by_contract),
            (lines_by_invoice, deliveries_by_contract),
        ) = maybe_join(
            parallel,
            || {
                maybe_join(
                    parallel,
                    || Grouped::build(contracts, invoices, |i| Some(data.invoices[i].contract.0)),
                    || {
                        Grouped::build(contracts, data.lines.len(), |l| {
                            let line = &data.lines[l];
                            matches!(line.kind, LineKind::Charge { .. })
                                .then(|| data.invoice(line.invoice).contract.0)
                        })
                    },
                )
            },
            || {
                maybe_join(
                    parallel,
                    || {
                        Grouped::build(invoices, data.lines.len(), |l| {
                            Some(data.lines[l].invoice.0)
                        })
                    },
                    || {
                        let records = &data.deliveries.records;
                        Grouped::build(contracts, records.len(), |d| Some(records[d].contract.0))
                    },
                )
            },
        );
        Self {
            charge_lines_by_contract,
            lines_by_invoice,
            invoices_by_contract,
            prices_by_contract: Grouped::build(contracts, data.prices.len(), |p| {
                Some(data.prices[p].contract.0)
            }),
            deliveries_by_contract,
            payments_by_invoice: Grouped::build(invoices, data.payments.len(), |p| {
                Some(data.payments[p].invoice.0)
            }),
            notices_by_invoice: Grouped::build(invoices, data.notices.len(), |n| {
                Some(data.notices[n].invoice.0)
            }),
        }
    }
}

/// Both results: side by side on the thread pool when `parallel`, else one after the other.
fn maybe_join<A, B, RA, RB>(parallel: bool, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_keeps_every_item_once_in_its_group_and_in_order() {
        let keys = [Some(2), None, Some(0), Some(2), Some(0)];
        let grouped = Grouped::build(3, keys.len(), |i| keys[i]);
        assert_eq!(grouped.get(0), &[2, 4]);
        assert_eq!(grouped.get(1), &[] as &[u32]);
        assert_eq!(grouped.get(2), &[0, 3]);
    }
}
