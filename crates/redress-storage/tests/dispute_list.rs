//! The dispute list: disputes opened within a short period are read a day at a time and merged
//! (see `Disputes::list`), and must page exactly as the list of every period does.
//! Runs against the backend `REDRESS_TEST_BACKEND` names (see `support`).

mod support;

use redress_domain::{
    BillingData, Currency, DisputeReason, DisputeStatus, InvoiceIdx, Money, Verdict,
};
use redress_storage::Store;
use redress_storage::disputes::intake;
use redress_storage::disputes::list::{DisputeFilter, DisputeOrder};
use redress_storage::disputes::record::{DisputeRow, VerificationRecord};
use support::{TestDb, worked_example};

/// 90 disputes of the example's invoices, opened over 12 days and of three reasons, so that
/// each day has disputes of each reason; recorded in an order of their own, three at a time.
fn disputes(data: &BillingData) -> Vec<DisputeRow> {
    let first: redress_domain::Date = "2025-03-01".parse().unwrap();
    (0..90_u32)
        .map(|n| {
            let invoice = &data.invoices[n as usize % data.invoices.len()];
            let invoice_id = data.invoice_id(InvoiceIdx(n % data.invoices.len() as u32));
            let recorded: redress_domain::Timestamp =
                format!("2025-04-01T10:00:{:02}.000000Z", (n * 13 % 90) / 3)
                    .parse()
                    .unwrap();
            DisputeRow {
                id: format!("DSP-L{n:03}"),
                invoice_id: invoice_id.to_owned(),
                customer_id: data.customer_ids.name(invoice.customer.0).to_owned(),
                line_no: None,
                reason: [
                    DisputeReason::Overcharged,
                    DisputeReason::Duplicate,
                    DisputeReason::LateFee,
                ][n as usize % 3],
                claimed: Money {
                    amount: "1.00".parse().unwrap(),
                    currency: Currency::from_code("USD").unwrap(),
                },
                narrative: format!("dispute {n}"),
                channel: "email".to_owned(),
                taken_by: "test".to_owned(),
                status: DisputeStatus::Open,
                escalated: n % 5 == 0,
                assignee: None,
                linked_to: None,
                opened_on: first
                    .checked_add(jiff::Span::new().days(i64::from(n * 7 % 12)))
                    .unwrap(),
                created_at: recorded,
                updated_at: recorded,
                verification: VerificationRecord {
                    verdict: Verdict::Rejected,
                    adjustment: "0.00".parse().unwrap(),
                    findings: redress_audit::report::Findings::of(&[]),
                    verified_at: recorded,
                },
            }
        })
        .collect()
}

/// Every page of the list, `limit` at a time, as ids with their opening day.
async fn every_page(
    store: &Store,
    filter: &DisputeFilter,
    order: DisputeOrder,
    limit: u32,
) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .disputes()
            .list(filter, order, limit, cursor.as_deref())
            .await
            .unwrap()
            .unwrap();
        seen.extend(
            page.disputes
                .iter()
                .map(|d| (d.id.clone(), d.opened_on.to_string())),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn disputes_of_a_short_period_page_as_the_whole_list_does_in_either_order() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let data = worked_example();
    store.billing().import(data.clone(), "test").await.unwrap();
    store
        .perform(intake::insert_many(disputes(&data), "test"))
        .await
        .unwrap();
    let (from, to) = ("2025-03-03", "2025-03-09");
    for order in [DisputeOrder::NewestFirst, DisputeOrder::OldestFirst] {
        for reason in [None, Some(DisputeReason::Duplicate)] {
            let everything = DisputeFilter {
                reason,
                ..Default::default()
            };
            let expected: Vec<(String, String)> = every_page(&store, &everything, order, 200)
                .await
                .into_iter()
                .filter(|(_, opened)| (from..=to).contains(&opened.as_str()))
                .collect();
            assert!(expected.len() > 10, "the period holds several pages");
            let period = DisputeFilter {
                reason,
                opened_from: Some(from.parse().unwrap()),
                opened_to: Some(to.parse().unwrap()),
                ..Default::default()
            };
            for limit in [1, 4, 200] {
                assert_eq!(
                    every_page(&store, &period, order, limit).await,
                    expected,
                    "{order:?}, {:?}, {limit} a page",
                    period.reason
                );
            }
        }
    }
    db.drop_database(store).await;
}

/// Whether a dispute passes a filter, as the test reckons it.
type Passes<'a> = Box<dyn Fn(&DisputeRow) -> bool + 'a>;

#[tokio::test]
async fn escalated_disputes_and_an_invoices_disputes_page_as_the_whole_list_does() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let data = worked_example();
    store.billing().import(data.clone(), "test").await.unwrap();
    let rows = disputes(&data);
    store
        .perform(intake::insert_many(rows.clone(), "test"))
        .await
        .unwrap();
    let invoice = rows[0].invoice_id.clone();
    let (from, to) = ("2025-03-03", "2025-03-09");
    for order in [
        DisputeOrder::NewestFirst,
        DisputeOrder::OldestFirst,
        DisputeOrder::LargestClaimFirst,
    ] {
        let whole = every_page(&store, &DisputeFilter::default(), order, 200).await;
        let cases: [(DisputeFilter, Passes<'_>); 4] = [
            (
                DisputeFilter {
                    escalated: Some(true),
                    ..Default::default()
                },
                Box::new(|d| d.escalated),
            ),
            (
                DisputeFilter {
                    escalated: Some(false),
                    ..Default::default()
                },
                Box::new(|d| !d.escalated),
            ),
            (
                DisputeFilter {
                    invoice_id: Some(invoice.clone()),
                    ..Default::default()
                },
                Box::new(|d| d.invoice_id == invoice),
            ),
            (
                DisputeFilter {
                    escalated: Some(true),
                    opened_from: Some(from.parse().unwrap()),
                    opened_to: Some(to.parse().unwrap()),
                    ..Default::default()
                },
                Box::new(|d| {
                    d.escalated && (from..=to).contains(&d.opened_on.to_string().as_str())
                }),
            ),
        ];
        for (filter, passes) in cases {
            let kept: std::collections::HashSet<&str> = rows
                .iter()
                .filter(|d| passes(d))
                .map(|d| d.id.as_str())
                .collect();
            assert!(kept.len() > 1 && kept.len() < rows.len(), "{filter:?}");
            let expected: Vec<(String, String)> = whole
                .iter()
                .filter(|(id, _)| kept.contains(id.as_str()))
                .cloned()
                .collect();
            for limit in [1, 3, 200] {
                assert_eq!(
                    every_page(&store, &filter, order, limit).await,
                    expected,
                    "{order:?}, {filter:?}, {limit} a page"
                );
            }
        }
    }
    db.drop_database(store).await;
}
