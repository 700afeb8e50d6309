//! Records of the billing data read one at a time: a customer or a contract as the API shows
//! them, what a payment paid, what each line of an invoice charges.

use crate::engine::StorageError;
use crate::engine::sql::{Db, params};
use crate::engine::stored::amount;
use redress_domain::Decimal;

/// A customer and the ids of their contracts, as the API shows them.
pub(crate) fn customer_json(
    db: &mut dyn Db,
    id: &str,
) -> Result<Option<serde_json::Value>, StorageError> {
    let customer = db.row(
        "SELECT name, email, language, customer_since FROM customers WHERE id = ?",
        params![id],
        |row| {
            Ok(serde_json::json!({
                "id": id, "name": row.text(0)?, "email": row.text(1)?,
                "language": row.text(2)?, "customer_since": row.text(3)?,
            }))
        },
    )?;
    let Some(mut customer) = customer else {
        return Ok(None);
    };
    let contracts = db.rows(
        "SELECT id FROM contracts WHERE customer_id = ? ORDER BY id",
        params![id],
        |row| row.string(0),
    )?;
    customer["contracts"] = serde_json::json!(contracts);
    Ok(Some(customer))
}

/// A contract's terms and price rows, as the API shows them.
pub(crate) fn contract_json(
    db: &mut dyn Db,
    id: &str,
) -> Result<Option<serde_json::Value>, StorageError> {
    let contract = db.row(
        "SELECT customer_id, currency, start_date, end_date, payment_terms_days, late_fee_percent, \
         late_fee_grace_days, tax_rate_percent FROM contracts WHERE id = ?",
        params![id],
        |row| {
            Ok(serde_json::json!({
                "id": id, "customer_id": row.text(0)?, "currency": row.text(1)?,
                "start_date": row.text(2)?, "end_date": row.opt_text(3)?,
                "payment_terms_days": row.int(4)?, "late_fee_percent": row.text(5)?,
                "late_fee_grace_days": row.int(6)?, "tax_rate_percent": row.text(7)?,
            }))
        },
    )?;
    let Some(mut contract) = contract else {
        return Ok(None);
    };
    let prices = db.rows(
        "SELECT sku, valid_from, valid_to, unit_price, discount_percent FROM prices WHERE contract_id = ? ORDER BY sku, valid_from",
        params![id],
        |row| {
            Ok(serde_json::json!({
                "sku": row.text(0)?, "valid_from": row.text(1)?, "valid_to": row.opt_text(2)?,
                "unit_price": row.text(3)?, "discount_percent": row.text(4)?,
            }))
        },
    )?;
    contract["prices"] = serde_json::Value::Array(prices);
    Ok(Some(contract))
}

/// The amount of a payment as stored, if there is one with that id.
pub(crate) fn payment_amount(
    db: &mut dyn Db,
    payment_id: &str,
) -> Result<Option<String>, StorageError> {
    db.row(
        "SELECT amount FROM payments WHERE id = ?",
        params![payment_id],
        |row| row.string(0),
    )
}

/// The net amount of each line of a stored invoice, in line order (`None`: no such
/// invoice).
pub(crate) fn invoice_line_amounts(
    db: &mut dyn Db,
    invoice_id: &str,
) -> Result<Option<Vec<(u32, Decimal)>>, StorageError> {
    let lines = db.rows(
        "SELECT line_no, amount FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no",
        params![invoice_id],
        |row| {
            let line_no = u32::try_from(row.int(0)?)
                .map_err(|_| StorageError::Corrupt("an invoice line number".into()))?;
            Ok((line_no, amount(row.text(1)?)?))
        },
    )?;
    Ok((!lines.is_empty()).then_some(lines))
}
