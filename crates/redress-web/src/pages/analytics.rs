//! `GET /analytics`: what the disputes say about the business's billing, for any signed-in
//! role. Each figure is a section: what it means in a sentence, a chart (SVG drawn here with
//! plotters, labelled, with a `<title>`), the table of the same numbers, and a link to the same
//! rows as CSV (`GET /analytics/{section}.csv`). Colour never carries meaning alone: the table
//! follows every chart. Amounts are per currency, never added across currencies.

use super::{Viewer, render};
use crate::WebState;
use crate::format;
use crate::session::Desk;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use plotters::prelude::*;
use redress_domain::Date;
use redress_service::analytics::{Analytics, Credited, REPEAT_DISPUTES};

/// How many bars a chart draws at most; its table has every row.
const MOST_BARS: usize = 20;

/// A column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its heading, also the CSV's header.
    pub text: &'static str,
    /// Whether it holds numbers (right-aligned).
    pub numeric: bool,
}

/// A cell: as shown, and as the CSV writes it.
#[derive(Debug, Clone)]
pub struct Cell {
    /// As the page shows it (`USD 1,234.50`, `Nov 2026`).
    pub text: String,
    /// As the CSV writes it (`1234.50`, `2026-11`).
    pub value: String,
}

impl Cell {
    fn same(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            value: text.clone(),
            text,
        }
    }

    fn count(n: u64) -> Self {
        Self::same(n.to_string())
    }
}

/// One figure of the page.
#[derive(Debug, Clone)]
pub struct Section {
    /// Its id: the anchor and the CSV's name (`/analytics/{id}.csv`).
    pub id: &'static str,
    /// Its heading.
    pub heading: &'static str,
    /// What it shows, in a sentence or two.
    pub intro: String,
    /// The sentence shown instead of a chart and a table when there is nothing to show.
    pub empty: Option<&'static str>,
    /// Its charts (one per currency for amounts), as SVG.
    pub charts: Vec<String>,
    /// Said under the charts (e.g. that only the first rows are drawn).
    pub note: Option<String>,
    /// The table's caption.
    pub caption: String,
    /// The table's columns.
    pub columns: Vec<Column>,
    /// The table's rows, the same as the CSV's.
    pub rows: Vec<Vec<Cell>>,
}

/// The page.
#[derive(Template)]
#[template(path = "analytics.html")]
pub struct AnalyticsPage {
    viewer: Option<Viewer>,
    today: format::Day,
    nothing_yet: bool,
    sections: Vec<Section>,
}

/// `GET /analytics`.
pub async fn page(State(state): State<WebState>, desk: Desk) -> Response {
    let today = format::today();
    let analytics = match state.redress.analytics(today).await {
        Ok(analytics) => analytics,
        Err(e) => return super::unavailable(&e),
    };
    render(
        StatusCode::OK,
        &AnalyticsPage {
            viewer: Some(desk.viewer()),
            today: format::day(today, today),
            nothing_yet: analytics.is_empty(),
            sections: sections(&analytics, true),
        },
    )
}

/// `GET /analytics/{section}.csv`: the rows of that section's table, with a header row.
pub async fn csv(State(state): State<WebState>, desk: Desk, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".csv") else {
        return super::not_found(Some(desk.viewer()), no_such_file());
    };
    let today = format::today();
    let analytics = match state.redress.analytics(today).await {
        Ok(analytics) => analytics,
        Err(e) => return super::unavailable(&e),
    };
    let Some(section) = sections(&analytics, false).into_iter().find(|s| s.id == id) else {
        return super::not_found(Some(desk.viewer()), no_such_file());
    };
    match csv_of(&section) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"redress-{}-{today}.csv\"",
                        section.id
                    ),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a CSV could not be written");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Redress could not write this file.",
            )
                .into_response()
        }
    }
}

fn no_such_file() -> String {
    "There is no such table of analytics. The analytics page links to each one.".to_owned()
}

/// The header row and the rows of `section`'s table, as CSV.
fn csv_of(section: &Section) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(section.columns.iter().map(|c| c.text))?;
    for row in &section.rows {
        out.write_record(row.iter().map(|c| c.value.as_str()))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

fn month_cell(month: Date) -> Cell {
    Cell {
        text: month.strftime("%b %Y").to_string(),
        value: month.strftime("%Y-%m").to_string(),
    }
}

fn amount_cell(credited: &Credited<impl Copy>) -> Cell {
    let shown = format::amount(credited.amount, credited.currency);
    Cell {
        text: shown.text,
        value: shown.value,
    }
}

fn decimal(value: redress_domain::Decimal) -> f64 {
    value.to_string().parse().unwrap_or(0.0)
}

/// Every section of the page; `draw` says whether to draw the charts (not for a CSV).
fn sections(a: &Analytics, draw: bool) -> Vec<Section> {
    let mut out = Vec::new();
    let chart = |id: &str, title: &str, bars: &[(String, f64)], unit: &str| {
        if draw {
            bar_chart(id, title, bars, unit)
        } else {
            String::new()
        }
    };

    // Disputes over time.
    let bars: Vec<(String, f64)> = a
        .opened
        .iter()
        .map(|m| (m.month.strftime("%b %Y").to_string(), m.disputes as f64))
        .collect();
    out.push(Section {
        id: "opened",
        heading: "Disputes opened per month",
        intro: "How many disputes customers opened each month, by the day they were opened. \
                Months with none are left out."
            .to_owned(),
        empty: a
            .opened
            .is_empty()
            .then_some("No dispute has been opened yet."),
        charts: vec![chart(
            "chart-opened",
            "Bar chart: disputes opened per month",
            last(&bars),
            "Disputes",
        )],
        note: (bars.len() > MOST_BARS).then(|| {
            format!("The chart shows the last {MOST_BARS} months; the table has every month.")
        }),
        caption: "Disputes opened per month, oldest first".to_owned(),
        columns: vec![col("Month", false), col("Disputes opened", true)],
        rows: a
            .opened
            .iter()
            .map(|m| vec![month_cell(m.month), Cell::count(m.disputes)])
            .collect(),
    });

    // Root causes.
    let bars: Vec<(String, f64)> = a
        .root_causes
        .iter()
        .map(|c| (format::finding_kind(c.kind).to_owned(), c.findings as f64))
        .collect();
    out.push(Section {
        id: "root-causes",
        heading: "Root causes (Pareto)",
        intro: "The billing errors the audit found on disputed invoices, by kind, most first. \
                The cumulative share is the part of all findings made by this kind and every \
                kind above it: the first few rows are where fixing the set-up helps most."
            .to_owned(),
        empty: a
            .root_causes
            .is_empty()
            .then_some("No dispute has a finding yet, so there is no root cause to rank."),
        charts: vec![chart(
            "chart-root-causes",
            "Bar chart: findings on disputes by kind, most first",
            first(&bars),
            "Findings",
        )],
        note: (bars.len() > MOST_BARS).then(|| {
            format!("The chart shows the first {MOST_BARS} kinds; the table has every kind.")
        }),
        caption: "Findings on disputes by kind, most first, with the cumulative share".to_owned(),
        columns: vec![
            col("Kind of error", false),
            col("Findings", true),
            col("Disputes with one", true),
            col("Cumulative share (%)", true),
        ],
        rows: a
            .root_causes
            .iter()
            .map(|c| {
                vec![
                    Cell {
                        text: format::finding_kind(c.kind).to_owned(),
                        value: c.kind.as_str().to_owned(),
                    },
                    Cell::count(c.findings),
                    Cell::count(c.disputes),
                    Cell::same(c.cumulative_percent.to_string()),
                ]
            })
            .collect(),
    });

    // Time to resolution.
    let bars: Vec<(String, f64)> = a
        .resolution_times
        .iter()
        .map(|t| (t.month.strftime("%b %Y").to_string(), t.median_days as f64))
        .collect();
    out.push(Section {
        id: "resolution-time",
        heading: "Time to resolution",
        intro: "Days from the day a dispute was opened to the day it was resolved, for the \
                disputes resolved each month: the median (half took this long or less) and the \
                90th percentile (9 in 10 did)."
            .to_owned(),
        empty: a
            .resolution_times
            .is_empty()
            .then_some("No dispute has been resolved yet."),
        charts: vec![chart(
            "chart-resolution-time",
            "Bar chart: median days to resolution per month",
            last(&bars),
            "Median days",
        )],
        note: Some(format!(
            "The chart shows the median{}; the table also has the 90th percentile.",
            if bars.len() > MOST_BARS {
                format!(" of the last {MOST_BARS} months")
            } else {
                String::new()
            }
        )),
        caption: "Days to resolution per month resolved, oldest first".to_owned(),
        columns: vec![
            col("Month resolved", false),
            col("Disputes resolved or closed", true),
            col("Median days", true),
            col("90th percentile days", true),
        ],
        rows: a
            .resolution_times
            .iter()
            .map(|t| {
                vec![
                    month_cell(t.month),
                    Cell::count(t.resolved),
                    Cell::same(t.median_days.to_string()),
                    Cell::same(t.p90_days.to_string()),
                ]
            })
            .collect(),
    });

    // Amounts credited.
    for (id, heading, by, credited) in [
        (
            "credited-by-reason",
            "Amounts credited by reason",
            "Reason of the dispute",
            a.credited_by_reason
                .iter()
                .map(|c| {
                    (
                        c.currency,
                        format::reason(c.by).to_owned(),
                        c.by.as_str(),
                        c.resolutions,
                        amount_cell(c),
                        c.amount,
                    )
                })
                .collect::<Vec<_>>(),
        ),
        (
            "credited-by-kind",
            "Amounts credited by kind of resolution",
            "Kind of resolution",
            a.credited_by_kind
                .iter()
                .map(|c| {
                    (
                        c.currency,
                        format::resolution_kind(c.by).to_owned(),
                        c.by.as_str(),
                        c.resolutions,
                        amount_cell(c),
                        c.amount,
                    )
                })
                .collect::<Vec<_>>(),
        ),
    ] {
        let mut currencies: Vec<_> = credited.iter().map(|c| c.0).collect();
        currencies.dedup();
        let charts = currencies
            .iter()
            .map(|currency| {
                let bars: Vec<(String, f64)> = credited
                    .iter()
                    .filter(|c| c.0 == *currency)
                    .map(|c| (c.1.clone(), decimal(c.5)))
                    .collect();
                chart(
                    &format!("chart-{id}-{}", currency.code()),
                    &format!(
                        "Bar chart: {} in {}",
                        heading.to_lowercase(),
                        currency.code()
                    ),
                    &bars,
                    currency.code(),
                )
            })
            .collect();
        out.push(Section {
            id,
            heading,
            intro: "What applied resolutions gave back or forwent (credit notes, refunds, \
                    account credits, goodwill, write-offs, corrected invoices; not payment \
                    plans or rejections), one chart per currency: amounts in different \
                    currencies are never added together."
                .to_owned(),
            empty: credited
                .is_empty()
                .then_some("No resolution has credited anything yet."),
            charts,
            note: None,
            caption: format!("{heading}, per currency"),
            columns: vec![
                col("Currency", false),
                col(by, false),
                col("Resolutions", true),
                col("Amount credited", true),
            ],
            rows: credited
                .into_iter()
                .map(|(currency, text, name, n, amount, _)| {
                    vec![
                        Cell::same(currency.code()),
                        Cell {
                            text,
                            value: name.to_owned(),
                        },
                        Cell::count(n),
                        amount,
                    ]
                })
                .collect(),
        });
    }

    // Dispute rate by product.
    let bars: Vec<(String, f64)> = a
        .dispute_rates
        .iter()
        .map(|r| (r.sku.clone(), decimal(r.per_thousand_lines)))
        .collect();
    out.push(Section {
        id: "dispute-rate",
        heading: "Dispute rate by product",
        intro: "Disputes of an invoice line of each SKU per 1,000 invoice lines of that SKU, \
                highest first. A dispute of a whole invoice (no line) counts for no SKU."
            .to_owned(),
        empty: a
            .dispute_rates
            .is_empty()
            .then_some("No invoice line names a SKU yet, so there is no rate to show."),
        charts: vec![chart(
            "chart-dispute-rate",
            "Bar chart: disputes per 1,000 invoice lines by SKU, highest first",
            first(&bars),
            "Per 1,000 lines",
        )],
        note: (bars.len() > MOST_BARS).then(|| {
            format!("The chart shows the first {MOST_BARS} SKUs; the table has every SKU.")
        }),
        caption: "Dispute rate by SKU, highest first".to_owned(),
        columns: vec![
            col("SKU", false),
            col("Disputes", true),
            col("Invoice lines", true),
            col("Disputes per thousand lines", true),
        ],
        rows: a
            .dispute_rates
            .iter()
            .map(|r| {
                vec![
                    Cell::same(r.sku.clone()),
                    Cell::count(r.disputes),
                    Cell::count(r.lines),
                    Cell::same(r.per_thousand_lines.to_string()),
                ]
            })
            .collect(),
    });

    // Repeat disputers.
    let bars: Vec<(String, f64)> = a
        .repeat_disputers
        .iter()
        .map(|r| (r.name.clone(), r.disputes as f64))
        .collect();
    out.push(Section {
        id: "repeat-disputers",
        heading: "Repeat disputers",
        intro: format!(
            "Customers who opened {REPEAT_DISPUTES} or more disputes in the 12 months since {}, \
             most first.",
            a.repeat_since.strftime("%-d %b %Y")
        ),
        empty: a
            .repeat_disputers
            .is_empty()
            .then_some("No customer opened 3 or more disputes in the last 12 months."),
        charts: vec![chart(
            "chart-repeat-disputers",
            "Bar chart: disputes in 12 months by customer, most first",
            first(&bars),
            "Disputes",
        )],
        note: (bars.len() > MOST_BARS).then(|| {
            format!("The chart shows the first {MOST_BARS} customers; the table has every one.")
        }),
        caption: "Repeat disputers, most disputes first".to_owned(),
        columns: vec![
            col("Customer", false),
            col("Customer id", false),
            col("Disputes in 12 months", true),
        ],
        rows: a
            .repeat_disputers
            .iter()
            .map(|r| {
                vec![
                    Cell::same(r.name.clone()),
                    Cell::same(r.customer_id.clone()),
                    Cell::count(r.disputes),
                ]
            })
            .collect(),
    });

    // Found by the audit first.
    let f = &a.audit_first;
    let rows = [
        ("Arrears cases found by the audit", f.arrears_cases),
        ("Systemic issues found by the audit", f.systemic_issues),
        ("Disputes raised by customers", f.disputes),
    ];
    let bars: Vec<(String, f64)> = rows
        .iter()
        .map(|(what, n)| ((*what).to_owned(), *n as f64))
        .collect();
    out.push(Section {
        id: "audit-first",
        heading: "Found by the audit before the customer noticed",
        intro: match f.percent {
            Some(percent) => format!(
                "{percent}% of the problems were found by the audit before any customer raised \
                 them: the arrears cases and systemic issues the audit found, out of those plus \
                 the disputes customers raised ({} + {} of {}).",
                f.arrears_cases,
                f.systemic_issues,
                f.arrears_cases + f.systemic_issues + f.disputes
            ),
            None => "The share of problems found by the audit before any customer raised them: \
                     the arrears cases and systemic issues the audit found, out of those plus \
                     the disputes customers raised."
                .to_owned(),
        },
        empty: f
            .percent
            .is_none()
            .then_some("The audit has found nothing and no dispute has been raised yet."),
        charts: vec![chart(
            "chart-audit-first",
            "Bar chart: problems found by the audit beside disputes raised by customers",
            &bars,
            "Count",
        )],
        note: None,
        caption: "Problems found by the audit and raised by customers".to_owned(),
        columns: vec![col("Found by", false), col("Count", true)],
        rows: rows
            .iter()
            .map(|(what, n)| vec![Cell::same(*what), Cell::count(*n)])
            .collect(),
    });

    // Satisfaction: the follow-up's ratings.
    let sat = &a.satisfaction;
    let answers: u64 = sat.by_score.iter().sum();
    let rows: Vec<(String, u64)> = sat
        .by_score
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("{} of 5", i + 1), *n))
        .collect();
    let bars: Vec<(String, f64)> = rows.iter().map(|(s, n)| (s.clone(), *n as f64)).collect();
    out.push(Section {
        id: "satisfaction",
        heading: "Customer satisfaction",
        intro: match sat.average {
            Some(average) => format!(
                "How customers rated the way their disputes were put right, from 1 (very \
                 dissatisfied) to 5 (very satisfied), in the follow-up sent once a dispute is \
                 resolved: {answers} answers, {average} on average."
            ),
            None => "How customers rate the way their disputes were put right, from 1 to 5, \
                     in the follow-up sent once a dispute is resolved."
                .to_owned(),
        },
        empty: (answers == 0).then_some("No customer has rated a dispute yet."),
        charts: vec![chart(
            "chart-satisfaction",
            "Bar chart: how many disputes were rated each score from 1 to 5",
            &bars,
            "Disputes",
        )],
        note: None,
        caption: "Disputes by the customer's rating".to_owned(),
        columns: vec![col("Rating", false), col("Disputes", true)],
        rows: rows
            .iter()
            .map(|(s, n)| vec![Cell::same(s.clone()), Cell::count(*n)])
            .collect(),
    });

    // Service levels: the targets breached.
    let sl = &a.service_levels;
    let rows = [
        ("Acknowledge", sl.breached[0]),
        ("First response", sl.breached[1]),
        ("Resolve", sl.breached[2]),
    ];
    let bars: Vec<(String, f64)> = rows
        .iter()
        .map(|(what, n)| ((*what).to_owned(), *n as f64))
        .collect();
    out.push(Section {
        id: "service-levels",
        heading: "Service levels breached",
        intro: format!(
            "Of the {} disputes timed against the service levels promised (counted in business \
             hours, paused while waiting for the customer), how many missed each target.",
            sl.timed
        ),
        empty: (sl.timed == 0).then_some("No dispute has been timed yet."),
        charts: vec![chart(
            "chart-service-levels",
            "Bar chart: disputes that missed each service-level target",
            &bars,
            "Disputes",
        )],
        note: None,
        caption: "Disputes that missed each target".to_owned(),
        columns: vec![col("Target", false), col("Disputes", true)],
        rows: rows
            .iter()
            .map(|(what, n)| vec![Cell::same(*what), Cell::count(*n)])
            .collect(),
    });

    if !draw {
        for section in &mut out {
            section.charts.clear();
        }
    }
    out
}

fn col(text: &'static str, numeric: bool) -> Column {
    Column { text, numeric }
}

fn first(bars: &[(String, f64)]) -> &[(String, f64)] {
    &bars[..bars.len().min(MOST_BARS)]
}

fn last(bars: &[(String, f64)]) -> &[(String, f64)] {
    &bars[bars.len().saturating_sub(MOST_BARS)..]
}

/// A label as a chart draws it: short, and nothing that means something in SVG.
fn label(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '"' | '\''))
        .collect();
    if clean.chars().count() > 26 {
        let mut short: String = clean.chars().take(25).collect();
        short.push('…');
        short
    } else {
        clean
    }
}

/// `text` safe in SVG's text content.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar chart of `bars` as inline SVG: `role="img"`, named by its `<title>` (`title`, with the
/// id `{id}-title`), the value axis labelled `unit`.
fn bar_chart(id: &str, title: &str, bars: &[(String, f64)], unit: &str) -> String {
    let mut svg = String::new();
    let drawn = draw_bars(&mut svg, bars, unit);
    if let Err(e) = drawn {
        tracing::warn!(error = %e, "a chart could not be drawn");
        return String::new();
    }
    let title_id = format!("{id}-title");
    let opening =
        format!("<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{title_id}\" ");
    let svg = svg.replacen("<svg ", &opening, 1);
    match svg.find('>') {
        Some(end) => format!(
            "{}<title id=\"{title_id}\">{}</title>{}",
            &svg[..=end],
            escape(title),
            &svg[end + 1..]
        ),
        None => String::new(),
    }
}

fn draw_bars(
    svg: &mut String,
    bars: &[(String, f64)],
    unit: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let labels: Vec<String> = bars.iter().map(|(l, _)| label(l)).collect();
    let top = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0) * 1.1;
    let ink = RGBColor(0x1f, 0x29, 0x37);
    let bar = RGBColor(0x1d, 0x5f, 0xbf);
    {
        let root = SVGBackend::with_string(svg, (760, 420)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(170)
            .y_label_area_size(70)
            .build_cartesian_2d((0..labels.len()).into_segmented(), 0f64..top)?;
        let axis_text = ("sans-serif", 13).into_font().color(&ink);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(0xe5, 0xe7, 0xeb))
            .x_labels(labels.len().max(1))
            .x_label_style(
                ("sans-serif", 12)
                    .into_font()
                    .color(&ink)
                    .transform(FontTransform::Rotate90),
            )
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_style(axis_text.clone())
            .y_desc(unit)
            .axis_desc_style(axis_text)
            .draw()?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, value))| {
            let mut rect = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), *value),
                ],
                bar.filled(),
            );
            rect.set_margin(0, 0, 6, 6);
            rect
        }))?;
        root.present()?;
    }
    Ok(())
}
