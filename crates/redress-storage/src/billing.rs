//! Billing data in the database: imported from a billing-data v1 export, all or nothing, and
//! upserted by id so that importing the same or an updated export again duplicates nothing.

use crate::audit_log::{append, now};
use crate::{Backend, StorageError, Store, placeholders};
use redress_domain::audit_log::NewEvent;
use redress_domain::{BillingData, LineKind};
use sqlx::{Any, AssertSqlSafe, Transaction};

/// How many rows of each table an import wrote (inserted or updated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Customers.
    pub customers: u64,
    /// Contracts.
    pub contracts: u64,
    /// Price rows.
    pub prices: u64,
    /// Delivery records.
    pub deliveries: u64,
    /// Invoices.
    pub invoices: u64,
    /// Invoice lines.
    pub invoice_lines: u64,
    /// Payments.
    pub payments: u64,
    /// Notices.
    pub notices: u64,
}

/// How many rows each billing table holds.
pub type TableCounts = ImportCounts;

impl ImportCounts {
    /// The counts as a JSON object, for the audit log.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "customers": self.customers,
            "contracts": self.contracts,
            "prices": self.prices,
            "deliveries": self.deliveries,
            "invoices": self.invoices,
            "invoice_lines": self.invoice_lines,
            "payments": self.payments,
            "notices": self.notices,
        })
        .to_string()
    }
}

/// A value bound to a statement.
enum Value {
    Text(String),
    Maybe(Option<String>),
    Int(i64),
}

/// One table's upsert: its columns and the columns of its key.
struct Upsert {
    table: &'static str,
    columns: &'static [&'static str],
    key: &'static [&'static str],
}

impl Upsert {
    /// `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET …` for `rows` rows.
    fn statement(&self, backend: Backend, rows: usize) -> String {
        let width = self.columns.len();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table,
            self.columns.join(", ")
        );
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for col in 0..width {
                if col > 0 {
                    sql.push_str(", ");
                }
                match backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => sql.push_str(&format!("${}", row * width + col + 1)),
                }
            }
            sql.push(')');
        }
        let updates: Vec<String> = self
            .columns
            .iter()
            .filter(|c| !self.key.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        sql.push_str(&format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            self.key.join(", "),
            updates.join(", ")
        ));
        sql
    }

    /// Writes `rows`, many to a statement.
    async fn write(
        &self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
        rows: impl Iterator<Item = Vec<Value>>,
    ) -> Result<u64, StorageError> {
        // Within both backends' limits on bound parameters per statement.
        let per_statement = 8_000 / self.columns.len();
        let full = self.statement(backend, per_statement);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_statement);
        let mut written = 0;
        let mut rows = rows.peekable();
        while rows.peek().is_some() {
            batch.clear();
            batch.extend(rows.by_ref().take(per_statement));
            let sql = if batch.len() == per_statement {
                full.clone()
            } else {
                self.statement(backend, batch.len())
            };
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for value in batch.drain(..).flatten() {
                query = match value {
                    Value::Text(text) => query.bind(text),
                    Value::Maybe(text) => query.bind(text),
                    Value::Int(n) => query.bind(n),
                };
            }
            written += query.execute(&mut **tx).await?.rows_affected();
        }
        Ok(written)
    }
}

fn text(value: impl ToString) -> Value {
    Value::Text(value.to_string())
}

fn maybe(value: Option<impl ToString>) -> Value {
    Value::Maybe(value.map(|v| v.to_string()))
}

impl Store {
    /// Writes all of `data` in one transaction: every row, or (on any failure) none. The import
    /// is recorded in the audit log as done by `actor`, with what it wrote.
    pub async fn import(
        &self,
        data: &BillingData,
        actor: &str,
    ) -> Result<ImportCounts, StorageError> {
        let backend = self.backend;
        let mut tx = self.pool().begin().await?;
        let customer = |i: u32| data.customer_ids.name(i).to_owned();
        let contract = |i: u32| data.contract_ids.name(i).to_owned();
        let invoice = |i: u32| data.invoice_ids.name(i).to_owned();

        let customers = CUSTOMERS
            .write(
                &mut tx,
                backend,
                data.customers.iter().enumerate().map(|(i, c)| {
                    vec![
                        Value::Text(customer(i as u32)),
                        text(&c.name),
                        text(&c.email),
                        text(&c.language),
                        text(c.customer_since),
                    ]
                }),
            )
            .await?;
        let contracts = CONTRACTS
            .write(
                &mut tx,
                backend,
                data.contracts.iter().enumerate().map(|(i, c)| {
                    vec![
                        Value::Text(contract(i as u32)),
                        Value::Text(customer(c.customer.0)),
                        text(c.currency),
                        text(c.start_date),
                        maybe(c.end_date),
                        Value::Int(i64::from(c.payment_terms_days)),
                        text(c.late_fee_percent),
                        Value::Int(i64::from(c.late_fee_grace_days)),
                        text(c.tax_rate_percent),
                    ]
                }),
            )
            .await?;
        let prices = PRICES
            .write(
                &mut tx,
                backend,
                data.prices.iter().map(|p| {
                    vec![
                        Value::Text(contract(p.contract.0)),
                        text(data.sku(p.sku)),
                        text(p.valid_from),
                        maybe(p.valid_to),
                        text(p.unit_price),
                        text(p.discount_percent),
                    ]
                }),
            )
            .await?;
        let records = &data.deliveries;
        let deliveries = DELIVERIES
            .write(
                &mut tx,
                backend,
                records.records.iter().enumerate().map(|(i, d)| {
                    vec![
                        text(records.ids.get(i)),
                        Value::Text(contract(d.contract.0)),
                        text(data.sku(d.sku)),
                        text(d.delivered_on),
                        text(d.quantity),
                        text(if records.references.is_empty() {
                            ""
                        } else {
                            records.references.get(i)
                        }),
                    ]
                }),
            )
            .await?;
        let invoices = INVOICES
            .write(
                &mut tx,
                backend,
                data.invoices.iter().enumerate().map(|(i, inv)| {
                    vec![
                        Value::Text(invoice(i as u32)),
                        Value::Text(customer(inv.customer.0)),
                        Value::Text(contract(inv.contract.0)),
                        text(inv.issue_date),
                        text(inv.due_date),
                        text(inv.currency),
                        text(inv.subtotal),
                        text(inv.tax_total),
                        text(inv.total),
                    ]
                }),
            )
            .await?;
        let descriptions = &data.line_descriptions;
        let invoice_lines = INVOICE_LINES
            .write(
                &mut tx,
                backend,
                data.lines.iter().enumerate().map(|(i, l)| {
                    let (kind, sku, start, end, late_fee_for) = match l.kind {
                        LineKind::Charge { sku, period } => (
                            "charge",
                            Some(data.sku(sku)),
                            Some(period.start()),
                            Some(period.end()),
                            None,
                        ),
                        LineKind::LateFee { late_fee_for } => {
                            ("late_fee", None, None, None, Some(invoice(late_fee_for.0)))
                        }
                    };
                    vec![
                        Value::Text(invoice(l.invoice.0)),
                        Value::Int(i64::from(l.line_no)),
                        text(kind),
                        maybe(sku),
                        text(if descriptions.is_empty() {
                            ""
                        } else {
                            descriptions.get(i)
                        }),
                        maybe(start),
                        maybe(end),
                        text(l.quantity),
                        text(l.unit_price),
                        text(l.discount_percent),
                        text(l.amount),
                        maybe(late_fee_for),
                    ]
                }),
            )
            .await?;
        let payments = PAYMENTS
            .write(
                &mut tx,
                backend,
                data.payments.iter().enumerate().map(|(i, p)| {
                    vec![
                        text(data.payment_ids.get(i)),
                        Value::Text(invoice(p.invoice.0)),
                        text(p.paid_on),
                        text(p.amount),
                        text(&p.method),
                        text(&p.reference),
                    ]
                }),
            )
            .await?;
        let notices = NOTICES
            .write(
                &mut tx,
                backend,
                data.notices.iter().enumerate().map(|(i, n)| {
                    vec![
                        text(data.notice_ids.get(i)),
                        Value::Text(invoice(n.invoice.0)),
                        text(n.sent_on),
                        text(n.kind.as_str()),
                        text(&n.channel),
                    ]
                }),
            )
            .await?;
        let counts = ImportCounts {
            customers,
            contracts,
            prices,
            deliveries,
            invoices,
            invoice_lines,
            payments,
            notices,
        };
        let event = NewEvent {
            occurred_at: now(),
            actor: actor.to_owned(),
            entity: "billing_data".to_owned(),
            entity_id: "import".to_owned(),
            action: "imported".to_owned(),
            before: None,
            after: Some(counts.to_json()),
        };
        append(&mut tx, backend, event).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// How many rows each billing table holds.
    pub async fn billing_counts(&self) -> Result<TableCounts, StorageError> {
        let count = |table: &'static str| async move {
            let sql = AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(self.pool()).await?;
            Ok::<u64, StorageError>(n as u64)
        };
        Ok(TableCounts {
            customers: count("customers").await?,
            contracts: count("contracts").await?,
            prices: count("prices").await?,
            deliveries: count("deliveries").await?,
            invoices: count("invoices").await?,
            invoice_lines: count("invoice_lines").await?,
            payments: count("payments").await?,
            notices: count("notices").await?,
        })
    }
}

const CUSTOMERS: Upsert = Upsert {
    table: "customers",
    columns: &["id", "name", "email", "language", "customer_since"],
    key: &["id"],
};
const CONTRACTS: Upsert = Upsert {
    table: "contracts",
    columns: &[
        "id",
        "customer_id",
        "currency",
        "start_date",
        "end_date",
        "payment_terms_days",
        "late_fee_percent",
        "late_fee_grace_days",
        "tax_rate_percent",
    ],
    key: &["id"],
};
const PRICES: Upsert = Upsert {
    table: "prices",
    columns: &[
        "contract_id",
        "sku",
        "valid_from",
        "valid_to",
        "unit_price",
        "discount_percent",
    ],
    key: &["contract_id", "sku", "valid_from"],
};
const DELIVERIES: Upsert = Upsert {
    table: "deliveries",
    columns: &[
        "id",
        "contract_id",
        "sku",
        "delivered_on",
        "quantity",
        "reference",
    ],
    key: &["id"],
};
const INVOICES: Upsert = Upsert {
    table: "invoices",
    columns: &[
        "id",
        "customer_id",
        "contract_id",
        "issue_date",
        "due_date",
        "currency",
        "subtotal",
        "tax_total",
        "total",
    ],
    key: &["id"],
};
const INVOICE_LINES: Upsert = Upsert {
    table: "invoice_lines",
    columns: &[
        "invoice_id",
        "line_no",
        "kind",
        "sku",
        "description",
        "period_start",
        "period_end",
        "quantity",
        "unit_price",
        "discount_percent",
        "amount",
        "late_fee_for",
    ],
    key: &["invoice_id", "line_no"],
};
const PAYMENTS: Upsert = Upsert {
    table: "payments",
    columns: &[
        "id",
        "invoice_id",
        "paid_on",
        "amount",
        "method",
        "reference",
    ],
    key: &["id"],
};
const NOTICES: Upsert = Upsert {
    table: "notices",
    columns: &["id", "invoice_id", "sent_on", "kind", "channel"],
    key: &["id"],
};

impl Store {
    /// The amount of a payment as stored, if there is one with that id.
    pub async fn payment_amount(&self, payment_id: &str) -> Result<Option<String>, StorageError> {
        let row: Option<(String,)> = sqlx::query_as(placeholders(
            self.backend,
            "SELECT amount FROM payments WHERE id = ?",
        ))
        .bind(payment_id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(amount,)| amount))
    }
}

impl Store {
    /// A contract's terms and price rows, as the API shows them.
    pub async fn contract_json(&self, id: &str) -> Result<Option<serde_json::Value>, StorageError> {
        type ContractRow = (
            String,
            String,
            String,
            Option<String>,
            i64,
            String,
            i64,
            String,
        );
        let contract: Option<ContractRow> = sqlx::query_as(placeholders(
            self.backend,
            "SELECT customer_id, currency, start_date, end_date, payment_terms_days, late_fee_percent, \
             late_fee_grace_days, tax_rate_percent FROM contracts WHERE id = ?",
        ))
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some((customer_id, currency, start_date, end_date, terms, late_fee, grace, tax)) =
            contract
        else {
            return Ok(None);
        };
        let prices: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(placeholders(
            self.backend,
            "SELECT sku, valid_from, valid_to, unit_price, discount_percent FROM prices WHERE contract_id = ? ORDER BY sku, valid_from",
        ))
        .bind(id.to_owned())
        .fetch_all(self.pool())
        .await?;
        let prices: Vec<serde_json::Value> = prices
            .into_iter()
            .map(|(sku, from, to, price, discount)| {
                serde_json::json!({"sku": sku, "valid_from": from, "valid_to": to, "unit_price": price, "discount_percent": discount})
            })
            .collect();
        Ok(Some(serde_json::json!({
            "id": id, "customer_id": customer_id, "currency": currency, "start_date": start_date,
            "end_date": end_date, "payment_terms_days": terms, "late_fee_percent": late_fee,
            "late_fee_grace_days": grace, "tax_rate_percent": tax, "prices": prices,
        })))
    }

    /// A customer and the ids of their contracts, as the API shows them.
    pub async fn customer_json(&self, id: &str) -> Result<Option<serde_json::Value>, StorageError> {
        let customer: Option<(String, String, String, String)> = sqlx::query_as(placeholders(
            self.backend,
            "SELECT name, email, language, customer_since FROM customers WHERE id = ?",
        ))
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some((name, email, language, since)) = customer else {
            return Ok(None);
        };
        let contracts: Vec<(String,)> = sqlx::query_as(placeholders(
            self.backend,
            "SELECT id FROM contracts WHERE customer_id = ? ORDER BY id",
        ))
        .bind(id.to_owned())
        .fetch_all(self.pool())
        .await?;
        let contracts: Vec<String> = contracts.into_iter().map(|(c,)| c).collect();
        Ok(Some(serde_json::json!({
            "id": id, "name": name, "email": email, "language": language, "customer_since": since,
            "contracts": contracts,
        })))
    }
}
