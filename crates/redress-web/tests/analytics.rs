//! The analytics page over HTTP, as a browser without scripts reads it: each figure a chart
//! (inline SVG with a title) followed by a table of the same numbers, each table's rows as CSV,
//! amounts per currency, and a sentence rather than empty charts over an empty database. Runs
//! on the backend `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::{Desk, between, unescape};
use redress_domain::resolution::ResolutionKind;
use reqwest::StatusCode;

const AGENT: &str = "ana@example.com";

const SECTIONS: [&str; 8] = [
    "opened",
    "root-causes",
    "resolution-time",
    "credited-by-reason",
    "credited-by-kind",
    "dispute-rate",
    "repeat-disputers",
    "audit-first",
];

/// The rows of the table `id` (each cell's text, unescaped), header row left out.
fn table_rows(body: &str, id: &str) -> Vec<Vec<String>> {
    let table = between(body, &format!("<table id=\"{id}-table\">"), "</table>")
        .unwrap_or_else(|| panic!("a table {id}: {body}"));
    let rows = between(table, "<tbody>", "</tbody>").unwrap();
    rows.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split(['<'])
                .filter_map(|part| {
                    let (tag, text) = part.split_once('>')?;
                    (tag.starts_with("th") || tag.starts_with("td")).then(|| unescape(text))
                })
                .collect()
        })
        .collect()
}

/// The records of a CSV, header first.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    // The tests' CSVs have no quoted commas in the cells they compare.
    text.lines()
        .map(|line| {
            line.split(',')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn each_figure_is_a_titled_chart_followed_by_a_table_of_the_same_numbers() {
    let desk = Desk::start().await;
    desk.resolve("DSP-4", ResolutionKind::CreditNote, (4, "10.00"), true)
        .await;
    let session = desk.sign_in(AGENT).await;
    let page = desk.get("/analytics", &session).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.title(), "Analytics – Redress");
    let body = &page.body;
    assert!(
        body.contains("<a href=\"/analytics\">Analytics</a>"),
        "in the navigation"
    );
    for id in SECTIONS {
        let section = between(body, &format!("<section id=\"{id}\""), "</section>")
            .unwrap_or_else(|| panic!("a section {id}: {body}"));
        if section.contains("class=\"empty\"") {
            continue;
        }
        let chart = section
            .find("<svg ")
            .unwrap_or_else(|| panic!("{id}: a chart"));
        let table = section.find("<table ").unwrap();
        assert!(chart < table, "{id}: the chart comes first, then its table");
        let svg = &section[chart..];
        assert!(svg.starts_with("<svg class=\"chart\""), "{id}: {svg}");
        assert!(svg.contains("role=\"img\""), "{id}");
        let title = between(svg, "aria-labelledby=\"", "\"").unwrap();
        assert!(
            svg.contains(&format!("<title id=\"{title}\">")),
            "{id}: {svg}"
        );
        assert!(section.contains("<caption"), "{id}: a caption");
        assert!(
            section.contains(&format!("href=\"/analytics/{id}.csv\"")),
            "{id}: a link to its CSV"
        );
    }
    // The worked example's five disputes, in the months they were opened.
    let opened = table_rows(body, "opened");
    let total: u64 = opened.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 5, "{opened:?}");
    assert!(opened.iter().any(|r| r[0] == "May 2025"), "{opened:?}");
    desk.stop().await;
}

#[tokio::test]
async fn a_csv_has_the_same_rows_as_its_table_with_a_header_row() {
    let desk = Desk::start().await;
    desk.resolve("DSP-4", ResolutionKind::CreditNote, (4, "10.00"), true)
        .await;
    let session = desk.sign_in(AGENT).await;
    let page = desk.get("/analytics", &session).await;
    for id in [
        "opened",
        "root-causes",
        "credited-by-kind",
        "dispute-rate",
        "audit-first",
    ] {
        let table = table_rows(&page.body, id);
        assert!(!table.is_empty(), "{id} has rows");
        let csv = desk.get(&format!("/analytics/{id}.csv"), &session).await;
        assert_eq!(csv.status, StatusCode::OK, "{id}: {}", csv.body);
        assert_eq!(
            csv.headers["content-type"].to_str().unwrap(),
            "text/csv; charset=utf-8"
        );
        let records = csv_rows(&csv.body);
        assert_eq!(
            records.len(),
            table.len() + 1,
            "{id}: a header and every row"
        );
        let header = between(
            &page.body,
            &format!("<table id=\"{id}-table\">"),
            "</thead>",
        )
        .unwrap();
        for name in &records[0] {
            assert!(header.contains(&format!(">{name}</th>")), "{id}: {name}");
        }
        for (row, record) in table.iter().zip(&records[1..]) {
            assert_eq!(row.len(), record.len(), "{id}: {row:?} {record:?}");
        }
    }
    // Counts read the same in both.
    let table = table_rows(&page.body, "opened");
    let csv = desk.get("/analytics/opened.csv", &session).await;
    let records = csv_rows(&csv.body);
    assert_eq!(records[0], ["Month", "Disputes opened"]);
    for (row, record) in table.iter().zip(&records[1..]) {
        assert_eq!(row[1], record[1]);
    }
    let missing = desk.get("/analytics/nothing.csv", &session).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    desk.stop().await;
}

#[tokio::test]
async fn amounts_credited_are_per_currency_and_never_added_across_currencies() {
    let desk = Desk::start().await;
    desk.resolve("DSP-4", ResolutionKind::CreditNote, (4, "10.00"), true)
        .await;
    desk.resolve("DSP-2", ResolutionKind::CreditNote, (2, "100"), true)
        .await;
    let session = desk.sign_in(AGENT).await;
    let page = desk.get("/analytics", &session).await;
    let rows = table_rows(&page.body, "credited-by-kind");
    assert_eq!(rows.len(), 2, "one row per currency: {rows:?}");
    assert!(
        rows.contains(&vec![
            "USD".to_owned(),
            "Credit note".to_owned(),
            "1".to_owned(),
            "USD 10.00".to_owned()
        ]),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r[0] == "JPY" && r[3] == "JPY 100"),
        "{rows:?}"
    );
    // One chart per currency.
    assert!(page.body.contains("id=\"chart-credited-by-kind-USD\""));
    assert!(page.body.contains("id=\"chart-credited-by-kind-JPY\""));
    let csv = desk
        .get("/analytics/credited-by-reason.csv", &session)
        .await;
    assert!(
        csv.body
            .starts_with("Currency,Reason of the dispute,Resolutions,Amount credited\n"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("USD,wrong_price,1,10.00\n"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("JPY,not_received,1,100\n"),
        "{}",
        csv.body
    );
    desk.stop().await;
}

#[tokio::test]
async fn an_empty_database_shows_a_sentence_rather_than_empty_charts() {
    let desk = Desk::start_empty().await;
    let session = desk.sign_in(AGENT).await;
    let page = desk.get("/analytics", &session).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("There is nothing to chart yet"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<svg"), "no empty chart");
    assert!(!page.body.contains("<table"), "no empty table");
    let csv = desk.get("/analytics/opened.csv", &session).await;
    assert_eq!(csv.body, "Month,Disputes opened\n");
    desk.stop().await;
}

#[tokio::test]
async fn analytics_is_for_signed_in_people_only() {
    let desk = Desk::start().await;
    let page = desk.get_with("/analytics", None, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let csv = desk.get_with("/analytics/opened.csv", None, &[]).await;
    assert_eq!(csv.status, StatusCode::SEE_OTHER);
    desk.stop().await;
}
