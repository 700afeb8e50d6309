//! The queue, `GET /queue`: the disputes, filtered by what the address says (a plain GET
//! form, so a filtered queue can be reloaded, bookmarked and shared), in one of three orders, a
//! page at a time (the Next link carries the list's cursor).
//!
//! With htmx, the form and the links swap the queue's part of the page in place
//! (`HX-Request`: only that part is sent) and put the filters in the address bar; without it,
//! they load the page.

use super::{FieldError, Viewer, render};
use crate::WebState;
use crate::format::{self, Amount, Day};
use crate::session::Desk;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use redress_domain::{Currency, Date, DisputeReason, DisputeStatus, parse_date, parse_decimal};
use redress_service::records::{DisputeFilter, DisputeOrder, DisputeRow};
use serde::Deserialize;
use std::collections::HashMap;

/// Disputes on a page unless the address says otherwise (`per_page`, 1 to 200).
pub const PER_PAGE: u32 = 50;

/// The queue's address, as the filter form writes it. Every field is text as typed (an empty
/// field is no filter), checked here, and written back into the form as it was.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    q: Option<String>,
    status: Option<String>,
    reason: Option<String>,
    assignee: Option<String>,
    mine: Option<String>,
    escalated: Option<String>,
    customer: Option<String>,
    currency: Option<String>,
    min: Option<String>,
    max: Option<String>,
    from: Option<String>,
    to: Option<String>,
    age: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
    per_page: Option<String>,
}

/// The three orders, as the address names them.
const SORTS: [(&str, DisputeOrder, &str); 3] = [
    ("newest", DisputeOrder::NewestFirst, "Newest first"),
    ("oldest", DisputeOrder::OldestFirst, "Oldest first"),
    (
        "largest",
        DisputeOrder::LargestClaimFirst,
        "Largest claim first",
    ),
];

/// A field of the form as typed: trimmed, and `None` when empty.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A choice of a select.
pub struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// A text field of the filter form, as it is shown again.
pub struct TextField {
    id: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    /// `text`, `search` or `date`.
    kind: &'static str,
    /// The field's width: `field--short`, `field--date` or none.
    class: &'static str,
    value: String,
    error: Option<String>,
    inputmode: Option<&'static str>,
    maxlength: Option<u32>,
    /// An id or a code, not words: no spelling check, no capitals.
    plain: bool,
}

/// The filter form, as it is shown again: each field as typed.
pub struct Form {
    search: TextField,
    status: Vec<Choice>,
    reason: Vec<Choice>,
    mine: bool,
    escalated: bool,
    fields: Vec<TextField>,
    sort: String,
    per_page: String,
}

/// A sorting link: the column it sorts, the order it gives, and whether it is in force.
pub struct SortLink {
    id: &'static str,
    label: &'static str,
    href: String,
    current: bool,
}

/// A dispute as a row of the queue.
pub struct QueueRow {
    id: String,
    customer_id: String,
    customer_name: Option<String>,
    invoice_id: String,
    reason: &'static str,
    claimed: Amount,
    opened: Day,
    received: Day,
    status: &'static str,
    status_tone: &'static str,
    escalated: bool,
    ageing: Option<String>,
    /// The service-level targets breached (`Acknowledge`, …), or else warned of.
    breached: Vec<&'static str>,
    warned: Vec<&'static str>,
    /// Nothing written to the customer for the business's working days between updates.
    update_due: bool,
}

/// What the queue's part of the page shows: the errors, the form, and the results.
pub struct Queue {
    errors: Vec<FieldError>,
    form: Form,
    /// Sort links for the received column (newest, oldest) and the claim column (largest).
    sorts: Vec<SortLink>,
    /// `aria-sort` of the received column and of the claim column.
    received_sort: &'static str,
    claimed_sort: &'static str,
    caption: String,
    rows: Vec<QueueRow>,
    /// Whether any filter is in force (the empty state then offers to clear them).
    filtered: bool,
    next_href: Option<String>,
    first_href: Option<String>,
}

impl Queue {
    fn error(&self, field: &str) -> Option<&str> {
        super::error_of(&self.errors, field)
    }
}

/// The whole queue page.
#[derive(Template)]
#[template(path = "queue.html")]
pub struct QueuePage {
    viewer: Option<Viewer>,
    queue: Queue,
    /// The statements colleagues asked of the viewer, soonest due first.
    asked_of_you: Vec<AskedOfYou>,
}

/// A statement asked of the viewer, as the queue lists it.
pub struct AskedOfYou {
    dispute_id: String,
    asked_by: String,
    due: crate::format::Day,
    overdue: bool,
}

/// The queue's part of the page alone, for htmx.
#[derive(Template)]
#[template(path = "queue_body.html")]
pub struct QueueFragment {
    queue: Queue,
}

/// The filters the address asks for, checked: the list's filter, its order, its page.
struct Asked {
    filter: DisputeFilter,
    order: DisputeOrder,
    sort: &'static str,
    cursor: Option<String>,
    per_page: u32,
    errors: Vec<FieldError>,
}

/// Reads the address's filters into the list's, for `desk`'s user, on `today`; every field
/// that does not read is an error naming it.
async fn asked(
    query: &QueueQuery,
    desk: &Desk,
    state: &WebState,
    today: Date,
) -> Result<Asked, Response> {
    let mut errors = Vec::new();
    let mut error = |field: &'static str, message: String| {
        errors.push(FieldError { field, message });
    };
    let mut filter = DisputeFilter::default();
    if let Some(status) = given(&query.status) {
        match DisputeStatus::from_name(status) {
            Some(status) => filter.status = Some(status),
            None => error("status", "Choose a status from the list".to_owned()),
        }
    }
    if let Some(reason) = given(&query.reason) {
        match DisputeReason::from_name(reason) {
            Some(reason) => filter.reason = Some(reason),
            None => error("reason", "Choose a reason from the list".to_owned()),
        }
    }
    filter.assignee = if query.mine.is_some() {
        Some(desk.actor.id.clone())
    } else {
        given(&query.assignee).map(str::to_owned)
    };
    if query.escalated.is_some() {
        filter.escalated = Some(true);
    }
    filter.customer_id = given(&query.customer).map(str::to_owned);
    if let Some(code) = given(&query.currency) {
        match Currency::from_code(&code.to_ascii_uppercase()) {
            Ok(currency) => filter.currency = Some(currency),
            Err(_) => error(
                "currency",
                "Enter a currency as its three-letter code, like USD".to_owned(),
            ),
        }
    }
    for (field, text, bound) in [
        ("min", &query.min, &mut filter.min_claimed_minor),
        ("max", &query.max, &mut filter.max_claimed_minor),
    ] {
        let Some(text) = given(text) else { continue };
        let which = if field == "min" {
            "smallest"
        } else {
            "largest"
        };
        let Some(currency) = filter.currency else {
            if given(&query.currency).is_none() {
                error(
                    "currency",
                    "Enter a currency to filter by amount, like USD".to_owned(),
                );
            }
            continue;
        };
        let plain: String = text.chars().filter(|c| !matches!(c, ',' | ' ')).collect();
        match parse_decimal(&plain)
            .ok()
            .filter(|a| !a.is_sign_negative())
            .and_then(|a| currency.minor_units(a))
        {
            Some(minor) => *bound = Some(minor),
            None => error(
                field,
                format!(
                    "Enter the {which} claim as an amount of {currency}, like {}",
                    currency.format("1250".parse().expect("a number"))
                ),
            ),
        }
    }
    for (field, text, bound, which) in [
        ("from", &query.from, &mut filter.opened_from, "first"),
        ("to", &query.to, &mut filter.opened_to, "last"),
    ] {
        if let Some(text) = given(text) {
            match parse_date(text) {
                Ok(day) => *bound = Some(day),
                Err(_) => error(
                    field,
                    format!("Enter the {which} day opened as a date, like 2026-11-05"),
                ),
            }
        }
    }
    if let Some(text) = given(&query.age) {
        match text.parse::<u16>() {
            // Opened more than `days` days ago: on or before today less `days + 1`.
            Ok(days) => {
                let latest = today
                    .checked_sub(jiff::Span::new().days(i64::from(days) + 1))
                    .unwrap_or(Date::MIN);
                filter.opened_to = Some(filter.opened_to.map_or(latest, |to| to.min(latest)));
            }
            Err(_) => error(
                "age",
                "Enter the age as a number of days, like 7".to_owned(),
            ),
        }
    }
    if let Some(q) = given(&query.q) {
        // An exact customer id, or else an exact invoice id.
        let customer = state
            .redress
            .billing()
            .customer(q)
            .await
            .map_err(|e| super::unavailable(&e))?;
        match (customer, &filter.customer_id) {
            (Some(_), None) => filter.customer_id = Some(q.to_owned()),
            (Some(_), Some(other)) if other == q => {}
            (Some(_), Some(_)) => error(
                "q",
                "Search for one customer: this one is not the customer filtered by".to_owned(),
            ),
            (None, _) => filter.invoice_id = Some(q.to_owned()),
        }
    }
    // The order and the page's size come from links, not from fields a person fills in:
    // one that does not read is left at its default.
    let (sort, order) = given(&query.sort)
        .and_then(|name| SORTS.iter().find(|(n, _, _)| *n == name))
        .map_or(("newest", DisputeOrder::NewestFirst), |(name, order, _)| {
            (*name, *order)
        });
    let per_page = given(&query.per_page)
        .and_then(|text| text.parse::<u32>().ok())
        .filter(|n| (1..=200).contains(n))
        .unwrap_or(PER_PAGE);
    Ok(Asked {
        filter,
        order,
        sort,
        cursor: given(&query.cursor).map(str::to_owned),
        per_page,
        errors,
    })
}

/// The address of the queue with `query`'s filters, less the cursor and `sort`, and with
/// `extra` pairs.
fn href(query: &QueueQuery, keep_sort: bool, extra: &[(&str, &str)]) -> String {
    let fields: [(&str, &Option<String>); 14] = [
        ("q", &query.q),
        ("status", &query.status),
        ("reason", &query.reason),
        ("assignee", &query.assignee),
        ("mine", &query.mine),
        ("escalated", &query.escalated),
        ("customer", &query.customer),
        ("currency", &query.currency),
        ("min", &query.min),
        ("max", &query.max),
        ("from", &query.from),
        ("to", &query.to),
        ("age", &query.age),
        ("per_page", &query.per_page),
    ];
    let mut pairs: Vec<(&str, &str)> = fields
        .iter()
        .filter_map(|(name, value)| given(value).map(|v| (*name, v)))
        .collect();
    if keep_sort && let Some(sort) = given(&query.sort) {
        pairs.push(("sort", sort));
    }
    pairs.extend_from_slice(extra);
    if pairs.is_empty() {
        "/queue".to_owned()
    } else {
        format!(
            "/queue?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

/// The filter form as it is shown again, with `errors` by their fields.
fn form(query: &QueueQuery, errors: &[FieldError]) -> Form {
    let field = |id: &'static str, label: &'static str, value: &Option<String>| TextField {
        id,
        label,
        hint: None,
        kind: "text",
        class: "",
        value: value.clone().unwrap_or_default(),
        error: super::error_of(errors, id).map(str::to_owned),
        inputmode: None,
        maxlength: None,
        plain: true,
    };
    let status = given(&query.status);
    let reason = given(&query.reason);
    let short = |f: TextField| TextField {
        class: "field--short",
        ..f
    };
    let amount = |f: TextField| TextField {
        inputmode: Some("decimal"),
        ..short(f)
    };
    let date = |f: TextField| TextField {
        kind: "date",
        class: "field--date",
        ..f
    };
    Form {
        search: TextField {
            kind: "search",
            ..field("q", "Customer or invoice id", &query.q)
        },
        status: DisputeStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: format::status(*s),
                selected: status == Some(s.as_str()),
            })
            .collect(),
        reason: DisputeReason::ALL
            .iter()
            .map(|(r, name)| Choice {
                value: name,
                label: format::reason(*r),
                selected: reason == Some(*name),
            })
            .collect(),
        mine: query.mine.is_some(),
        escalated: query.escalated.is_some(),
        fields: vec![
            field("assignee", "Assignee", &query.assignee),
            field("customer", "Customer id", &query.customer),
            TextField {
                hint: Some("days"),
                inputmode: Some("numeric"),
                ..short(field("age", "Older than", &query.age))
            },
            TextField {
                hint: Some("like USD"),
                maxlength: Some(3),
                ..short(field("currency", "Currency", &query.currency))
            },
            TextField {
                hint: Some("at least"),
                ..amount(field("min", "Claim", &query.min))
            },
            TextField {
                hint: Some("at most"),
                ..amount(field("max", "Claim", &query.max))
            },
            date(field("from", "Opened from", &query.from)),
            date(field("to", "Opened to", &query.to)),
        ],
        sort: given(&query.sort)
            .filter(|s| SORTS.iter().any(|(n, _, _)| n == s))
            .unwrap_or("newest")
            .to_owned(),
        per_page: query.per_page.clone().unwrap_or_default(),
    }
}

/// `GET /queue`.
pub async fn page(
    State(state): State<WebState>,
    desk: Desk,
    headers: HeaderMap,
    Query(query): Query<QueueQuery>,
) -> Response {
    let today = format::today();
    let asked = match asked(&query, &desk, &state, today).await {
        Ok(asked) => asked,
        Err(unavailable) => return unavailable,
    };
    let Asked {
        filter,
        order,
        sort,
        cursor,
        per_page,
        mut errors,
    } = asked;
    let mut rows = Vec::new();
    let mut next_cursor = None;
    if errors.is_empty() {
        let listed = state
            .redress
            .disputes()
            .list(&filter, order, per_page, cursor.as_deref())
            .await;
        match listed {
            Err(e) => return super::unavailable(&e),
            Ok(Err(_bad_cursor)) => errors.push(FieldError {
                field: "results",
                message: "This page of the queue is out of date: start again from the first page"
                    .to_owned(),
            }),
            Ok(Ok(page)) => {
                let names = match customer_names(&state, &page.disputes).await {
                    Ok(names) => names,
                    Err(unavailable) => return unavailable,
                };
                let marks = match state
                    .redress
                    .disputes()
                    .service_level_marks(page.disputes.iter().map(|d| d.id.clone()).collect())
                    .await
                {
                    Ok(marks) => marks,
                    Err(e) => return super::unavailable(&e),
                };
                let updates_due = match state.redress.disputes().updates_due(&page.disputes).await {
                    Ok(due) => due,
                    Err(e) => return super::unavailable(&e),
                };
                rows = page
                    .disputes
                    .iter()
                    .map(|d| {
                        let mut row = row(d, &names, today);
                        row.update_due = updates_due.contains_key(&d.id);
                        if let Some((warned, breached)) = marks.get(&d.id) {
                            row.breached = breached.iter().map(|s| stage_words(s)).collect();
                            row.warned = warned
                                .iter()
                                .filter(|w| !breached.contains(w))
                                .map(|s| stage_words(s))
                                .collect();
                        }
                        row
                    })
                    .collect();
                next_cursor = page.next_cursor;
            }
        }
    }
    let sort_label = SORTS
        .iter()
        .find(|(n, _, _)| *n == sort)
        .map_or("Newest first", |(_, _, label)| label);
    let sorts = SORTS
        .iter()
        .map(|(name, _, label)| SortLink {
            id: match *name {
                "newest" => "sort-newest",
                "oldest" => "sort-oldest",
                _ => "sort-largest",
            },
            label,
            href: href(&query, false, &[("sort", name)]),
            current: *name == sort,
        })
        .collect();
    let queue = Queue {
        form: form(&query, &errors),
        sorts,
        received_sort: match sort {
            "newest" => "descending",
            "oldest" => "ascending",
            _ => "none",
        },
        claimed_sort: if sort == "largest" {
            "descending"
        } else {
            "none"
        },
        caption: format!("Disputes, {}", sort_label.to_lowercase()),
        filtered: href(&query, false, &[]) != "/queue",
        next_href: next_cursor.map(|c| href(&query, true, &[("cursor", &c)])),
        first_href: cursor.map(|_| href(&query, true, &[])),
        rows,
        errors,
    };
    let htmx = headers
        .get("hx-request")
        .is_some_and(|v| v.as_bytes() == b"true")
        && headers
            .get("hx-target")
            .is_some_and(|v| v.as_bytes() == b"queue");
    let mut response = if htmx {
        render(StatusCode::OK, &QueueFragment { queue })
    } else {
        let today = crate::format::today();
        let asked_of_you = match state
            .redress
            .disputes()
            .statements_asked_of(&desk.actor)
            .await
        {
            Ok(requests) => requests
                .into_iter()
                .map(|r| AskedOfYou {
                    overdue: r.due_on < today,
                    due: crate::format::day(r.due_on, today),
                    dispute_id: r.dispute_id,
                    asked_by: r.asked_by,
                })
                .collect(),
            Err(e) => return super::unavailable(&e),
        };
        render(
            StatusCode::OK,
            &QueuePage {
                viewer: Some(desk.viewer()),
                queue,
                asked_of_you,
            },
        )
    };
    // The same address answers a whole page or its part, as the request asks.
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("HX-Request, HX-Target"),
    );
    response
}

/// The names of the customers of `disputes`, by id.
async fn customer_names(
    state: &WebState,
    disputes: &[DisputeRow],
) -> Result<HashMap<String, String>, Response> {
    let mut ids: Vec<String> = disputes.iter().map(|d| d.customer_id.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = state
        .redress
        .billing()
        .customer_names(ids)
        .await
        .map_err(|e| super::unavailable(&e))?;
    Ok(names.into_iter().collect())
}

/// A service-level target's name in words.
fn stage_words(stage: &str) -> &'static str {
    match stage {
        "acknowledge" => "acknowledgement",
        "respond" => "first response",
        _ => "resolution",
    }
}

/// `dispute` as a row of the queue.
fn row(dispute: &DisputeRow, names: &HashMap<String, String>, today: Date) -> QueueRow {
    QueueRow {
        id: dispute.id.clone(),
        customer_id: dispute.customer_id.clone(),
        customer_name: names.get(&dispute.customer_id).cloned(),
        invoice_id: dispute.invoice_id.clone(),
        reason: format::reason(dispute.reason),
        claimed: format::money(dispute.claimed),
        opened: format::day(dispute.opened_on, today),
        received: format::day(
            jiff::tz::TimeZone::UTC
                .to_datetime(dispute.created_at)
                .date(),
            today,
        ),
        status: format::status(dispute.status),
        status_tone: format::status_tone(dispute.status),
        escalated: dispute.escalated,
        ageing: format::ageing(dispute.status, dispute.opened_on, today).map(format::days),
        breached: Vec::new(),
        warned: Vec::new(),
        update_due: false,
    }
}
