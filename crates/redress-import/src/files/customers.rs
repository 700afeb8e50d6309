//! `customers.csv`: customer_id, name, email, language, customer_since.

use crate::csv_table::Row;
use crate::read::{IdentifiedRows, Import};
use redress_domain::Customer;

const FILE: &str = "customers.csv";
const COLUMNS: &[&str] = &["customer_id", "name", "email", "language", "customer_since"];

pub(crate) fn read(import: &mut Import<'_>) {
    let Some(table) = import.open(FILE, COLUMNS) else {
        return;
    };
    let chunks = table.parse_all(import.progress, |row, _: &mut ()| {
        let id = row.id(0);
        let customer = read_customer(row);
        Some((id.ok()?.to_owned(), customer))
    });
    let mut rows = IdentifiedRows::new(
        FILE,
        COLUMNS[0],
        &mut import.data.customer_ids,
        &mut import.customers,
    );
    chunks.into_iter().for_each(|chunk| rows.add(chunk));
    let problems = rows.problems;
    import.loaded.customers = true;
    import.report(problems);
}

fn read_customer(row: &mut Row<'_>) -> Option<Customer> {
    let name = row.id(1);
    let email = row.text(2).and_then(|email| match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => Ok(email),
        _ => Err(row.flag(
            2,
            format!("`{email}` is not an email address"),
            "an address such as ap@example.com",
        )),
    });
    let language = row.text(3).and_then(|tag| {
        if is_language_tag(tag) {
            Ok(tag)
        } else {
            Err(row.flag(
                3,
                format!("`{tag}` is not a BCP 47 language tag"),
                "a tag such as en, es or pt-BR",
            ))
        }
    });
    let customer_since = row.date(4);
    Some(Customer {
        name: name.ok()?.to_owned(),
        email: email.ok()?.to_owned(),
        language: language.ok()?.to_owned(),
        customer_since: customer_since.ok()?,
    })
}

/// The shape of a BCP 47 tag: a 2–3 letter (or 4–8 letter) language, then subtags of 1–8
/// letters or digits, joined by `-`.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or("");
    (2..=8).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
