//! Where everything goes: a document laid out on A4 pages as text and rules at positions, in
//! points from the page's top left corner (text at its baseline), before any PDF is written.
//!
//! The first page has the business's header, the document's title and number, the customer
//! and the document's dates; then come its lines (a table whose heading is repeated on every
//! page it runs on), its totals, and for a letter its paragraphs. Pages after the first have a
//! running head (the business, the document); every page has a footer numbering it.

use crate::labels::Labels;
use crate::text::{Line, Typeface};
use crate::{Business, CreditNote, Customer, Document, Invoice, InvoiceKind, Letter};
use redress_domain::{Date, Decimal, Money};
use redress_messages::Language;

/// A4's width, in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4's height, in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_WIDTH - 56.0;
const CONTENT: f32 = RIGHT - LEFT;
const TOP: f32 = 52.0;
/// Nothing but the footer goes below this.
const BODY_BOTTOM: f32 = PAGE_HEIGHT - 70.0;
const FOOTER_RULE: f32 = PAGE_HEIGHT - 52.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 38.0;
/// Where the right-hand column of the header (the title, the number) begins.
const RIGHT_COLUMN: f32 = LEFT + CONTENT * 0.56;
/// Where the document's details (its dates, the invoice it is about) begin, beside the customer.
const DETAILS_COLUMN: f32 = LEFT + CONTENT * 0.42;

/// The size of body text (table rows), and its line height.
const BODY: f32 = 9.5;
const BODY_LEADING: f32 = 13.0;
/// The size of labels, the running head and the footer.
const SMALL: f32 = 8.0;
/// A letter's paragraphs.
const LETTER: f32 = 10.0;
const LETTER_LEADING: f32 = 14.5;

/// How a text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Black.
    Regular,
    /// Black, and heavier (the face has one weight, so its outline is stroked too).
    Bold,
    /// Grey, for labels and the page's furniture.
    Muted,
}

/// How dark a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shade {
    /// Near black: under the header and the table's heading, above the total.
    Dark,
    /// Light grey: between rows, and around the running head and footer.
    Light,
}

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A line of text, starting at `x` on its `baseline`.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        style: Style,
        text: String,
    },
    /// A horizontal rule.
    Rule {
        left: f32,
        right: f32,
        y: f32,
        width: f32,
        shade: Shade,
    },
}

/// A document laid out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LaidOut {
    /// Its title, for the PDF's metadata: `Credit note CN-2026-000012`.
    pub(crate) title: String,
    /// The business, as the PDF's author.
    pub(crate) author: String,
    /// The day it is dated.
    pub(crate) date: Date,
    /// What is on each page, in order.
    pub(crate) pages: Vec<Vec<Item>>,
}

/// `document` laid out in `language`.
pub(crate) fn lay_out(
    document: &Document,
    business: &Business,
    language: Language,
    labels: &Labels<'_>,
    face: &Typeface,
) -> LaidOut {
    let words = Words { language, labels };
    let (title, date, sheet) = match document {
        Document::CreditNote(note) => credit_note(note, business, &words, face),
        Document::Invoice(invoice) => invoice_pages(invoice, business, &words, face),
        Document::Letter(letter) => letter_pages(letter, business, &words, face),
    };
    let mut pages = sheet.into_pages();
    footers(&mut pages, business, &words, face);
    LaidOut {
        title,
        author: business.name.clone(),
        date,
        pages,
    }
}

/// The labels, amounts and days of one language.
struct Words<'a> {
    language: Language,
    labels: &'a Labels<'a>,
}

impl Words<'_> {
    fn label(&self, id: &str) -> String {
        self.labels.get(id)
    }

    fn label_with(&self, id: &str, args: &[(&'static str, String)]) -> String {
        self.labels.with_args(id, args)
    }

    fn money(&self, money: Money) -> String {
        redress_messages::money(self.language, money)
    }

    fn day(&self, date: Date) -> String {
        redress_messages::day(self.language, date)
    }

    fn percent(&self, rate: Decimal) -> String {
        let rate = redress_messages::number(self.language, rate.normalize());
        self.label_with("percent", &[("rate", rate)])
    }
}

/// A text of the header or of the customer's block: its size and style.
type Styled = (String, f32, Style);

fn credit_note<'f>(
    note: &CreditNote,
    business: &Business,
    words: &Words<'_>,
    face: &'f Typeface,
) -> (String, Date, Sheet<'f>) {
    let title = words.label("credit-note-title");
    let mut sheet = Sheet::new(
        face,
        business.name.clone(),
        format!("{title} {}", note.number),
    );
    sheet.header(
        business,
        words,
        &[
            (title.clone(), 20.0, Style::Bold),
            (note.number.clone(), 10.5, Style::Regular),
        ],
    );
    sheet.parties(
        &customer_block(&note.customer, words),
        &[
            (words.label("issued-on"), words.day(note.issued_on)),
            (words.label("invoice-credited"), note.invoice_id.clone()),
        ],
    );
    let rows: Vec<Row> = note
        .lines
        .iter()
        .map(|line| Row {
            number: line.line.to_string(),
            description: line.description.clone(),
            tax: None,
            amount: words.money(line.net),
        })
        .collect();
    let totals = [
        (words.label("net"), words.money(note.net), Style::Regular),
        (words.label("tax"), words.money(note.tax), Style::Regular),
        (words.label("total"), words.money(note.total), Style::Bold),
    ];
    sheet.table(words, &rows, false, &totals);
    sheet.y += 10.0;
    sheet.note(&words.label("reason"), &note.reason);
    (format!("{title} {}", note.number), note.issued_on, sheet)
}

fn invoice_pages<'f>(
    invoice: &Invoice,
    business: &Business,
    words: &Words<'_>,
    face: &'f Typeface,
) -> (String, Date, Sheet<'f>) {
    let title = words.label("invoice-title");
    let mut sheet = Sheet::new(
        face,
        business.name.clone(),
        format!("{title} {}", invoice.number),
    );
    let (kind, kind_detail) = match &invoice.kind {
        InvoiceKind::Corrected { replaces } => (
            words.label("invoice-corrected"),
            (words.label("replaces-invoice"), replaces.clone()),
        ),
        InvoiceKind::Arrears {
            period_start,
            period_end,
        } => (
            words.label("invoice-arrears"),
            (
                words.label("period"),
                words.label_with(
                    "period-range",
                    &[
                        ("start", words.day(*period_start)),
                        ("end", words.day(*period_end)),
                    ],
                ),
            ),
        ),
    };
    sheet.header(
        business,
        words,
        &[
            (title.clone(), 20.0, Style::Bold),
            (invoice.number.clone(), 10.5, Style::Regular),
            (kind, 9.0, Style::Muted),
        ],
    );
    let mut details = vec![(words.label("issued-on"), words.day(invoice.issued_on))];
    if let Some(due_on) = invoice.due_on {
        details.push((words.label("due-on"), words.day(due_on)));
    }
    details.push(kind_detail);
    sheet.parties(&customer_block(&invoice.customer, words), &details);
    let rows: Vec<Row> = invoice
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| Row {
            number: (index + 1).to_string(),
            description: line.description.clone(),
            tax: Some(words.percent(line.tax_rate_percent)),
            amount: words.money(line.net),
        })
        .collect();
    let totals = [
        (
            words.label("subtotal"),
            words.money(invoice.subtotal),
            Style::Regular,
        ),
        (words.label("tax"), words.money(invoice.tax), Style::Regular),
        (
            words.label("total"),
            words.money(invoice.total),
            Style::Bold,
        ),
    ];
    sheet.table(words, &rows, true, &totals);
    (
        format!("{title} {}", invoice.number),
        invoice.issued_on,
        sheet,
    )
}

fn letter_pages<'f>(
    letter: &Letter,
    business: &Business,
    words: &Words<'_>,
    face: &'f Typeface,
) -> (String, Date, Sheet<'f>) {
    let dispute = words.label("dispute");
    let mut sheet = Sheet::new(
        face,
        business.name.clone(),
        format!("{dispute} {}", letter.dispute_id),
    );
    sheet.header(business, words, &[]);
    sheet.parties(
        &[(letter.customer_name.clone(), 11.0, Style::Bold)],
        &[
            (words.label("date"), words.day(letter.date)),
            (dispute, letter.dispute_id.clone()),
            (words.label("invoice-reference"), letter.invoice_id.clone()),
        ],
    );
    for line in face.wrap(&letter.title, 13.0, CONTENT) {
        sheet.keep(18.0);
        sheet.line(LEFT, &line, 13.0, 18.0, Style::Bold);
    }
    sheet.y += 8.0;
    for paragraph in &letter.paragraphs {
        let lines = face.wrap(paragraph, LETTER, CONTENT);
        // No paragraph's first line alone at the foot of a page.
        sheet.keep(LETTER_LEADING * lines.len().min(2) as f32);
        for line in &lines {
            sheet.keep(LETTER_LEADING);
            sheet.line(LEFT, line, LETTER, LETTER_LEADING, Style::Regular);
        }
        sheet.y += 7.0;
    }
    (letter.title.clone(), letter.date, sheet)
}

/// The customer's block: the label, their name, their id.
fn customer_block(customer: &Customer, words: &Words<'_>) -> Vec<Styled> {
    vec![
        (words.label("customer"), SMALL, Style::Muted),
        (customer.name.clone(), 11.0, Style::Bold),
        (
            words.label_with("customer-id", &[("id", customer.id.clone())]),
            9.0,
            Style::Regular,
        ),
    ]
}

/// A row of the table of lines.
struct Row {
    number: String,
    description: String,
    tax: Option<String>,
    amount: String,
}

/// Where the table's columns are, and their headings.
#[derive(Clone)]
struct Table {
    description_x: f32,
    description_width: f32,
    /// The right edge of the tax rate column, if the table has one.
    tax_right: Option<f32>,
    /// The left edge of the amount column.
    amount_left: f32,
    line: String,
    description: String,
    tax: String,
    amount: String,
}

/// Pages being filled from the top down.
struct Sheet<'a> {
    face: &'a Typeface,
    done: Vec<Vec<Item>>,
    page: Vec<Item>,
    /// The top of what comes next on the page.
    y: f32,
    /// Where the body of a page after the first begins (below its running head and the
    /// table's heading): nothing is moved on from there, since it would not fit further on.
    page_top: f32,
    /// The running head's left and right texts.
    running_head: (String, String),
    /// The table running, whose heading a new page repeats.
    table: Option<Table>,
}

impl<'a> Sheet<'a> {
    fn new(face: &'a Typeface, business: String, document: String) -> Self {
        Self {
            face,
            done: Vec::new(),
            page: Vec::new(),
            y: TOP,
            page_top: TOP,
            running_head: (business, document),
            table: None,
        }
    }

    fn into_pages(mut self) -> Vec<Vec<Item>> {
        self.done.push(self.page);
        self.done
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        self.page.push(Item::Text {
            x,
            baseline,
            size,
            style,
            text: text.to_owned(),
        });
    }

    /// `text` ending at `right`.
    fn text_right(&mut self, right: f32, baseline: f32, size: f32, style: Style, text: &str) {
        let x = right - self.face.width(text, size);
        self.text(x, baseline, size, style, text);
    }

    fn rule(&mut self, left: f32, right: f32, y: f32, width: f32, shade: Shade) {
        self.page.push(Item::Rule {
            left,
            right,
            y,
            width,
            shade,
        });
    }

    /// A wrapped line set at `x` in a line `leading` high, and the next line below it.
    fn line(&mut self, x: f32, line: &Line, size: f32, leading: f32, style: Style) {
        let baseline = self.y + baseline_offset(size, leading);
        self.text(x + line.indent, baseline, size, style, &line.text);
        self.y += leading;
    }

    /// A new page unless `height` fits on this one (or this one holds nothing yet).
    fn keep(&mut self, height: f32) {
        if self.y + height > BODY_BOTTOM && self.y > self.page_top {
            self.new_page();
        }
    }

    /// The next page, with its running head, and the table's heading if a table runs on.
    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        let (business, document) = self.running_head.clone();
        let baseline = TOP + SMALL;
        self.text(LEFT, baseline, SMALL, Style::Muted, &business);
        self.text_right(RIGHT, baseline, SMALL, Style::Muted, &document);
        self.rule(LEFT, RIGHT, baseline + 6.0, 0.5, Shade::Light);
        self.y = baseline + 22.0;
        if let Some(table) = self.table.clone() {
            self.table_heading(&table);
        }
        self.page_top = self.y;
    }

    /// The business on the left (name, address, tax id, email), `right` on the right, each
    /// line ending at the margin, and a rule under both.
    fn header(&mut self, business: &Business, words: &Words<'_>, right: &[Styled]) {
        let left_width = RIGHT_COLUMN - LEFT - 16.0;
        let mut left: Vec<Styled> = vec![(business.name.clone(), 13.0, Style::Bold)];
        left.extend(
            business
                .address
                .iter()
                .map(|line| (line.clone(), 8.5, Style::Regular)),
        );
        if let Some(tax_id) = &business.tax_id {
            let text = words.label_with("tax-id", &[("id", tax_id.clone())]);
            left.push((text, 8.5, Style::Regular));
        }
        left.push((business.email.clone(), 8.5, Style::Muted));
        let top = self.y;
        let left_end = self.column(LEFT, left_width, &left, false);
        self.y = top;
        let right_end = self.column(RIGHT_COLUMN, RIGHT - RIGHT_COLUMN, right, true);
        self.y = left_end.max(right_end) + 10.0;
        self.rule(LEFT, RIGHT, self.y, 0.8, Shade::Dark);
        self.y += 18.0;
    }

    /// `texts` one under another from `x`, wrapped to `width` (ending at `x + width` if
    /// `flush_right`); where they end.
    fn column(&mut self, x: f32, width: f32, texts: &[Styled], flush_right: bool) -> f32 {
        for (text, size, style) in texts {
            let leading = size * 1.4;
            for line in self.face.wrap(text, *size, width) {
                let baseline = self.y + baseline_offset(*size, leading);
                if flush_right {
                    self.text_right(x + width, baseline, *size, *style, &line.text);
                } else {
                    self.text(x + line.indent, baseline, *size, *style, &line.text);
                }
                self.y += leading;
            }
        }
        self.y
    }

    /// The customer (`left`) beside the document's `details`: each a label and its value,
    /// the value ending at the margin.
    fn parties(&mut self, left: &[Styled], details: &[(String, String)]) {
        let top = self.y;
        let left_end = self.column(LEFT, DETAILS_COLUMN - LEFT - 16.0, left, false);
        self.y = top;
        let label_width = details
            .iter()
            .map(|(label, _)| self.face.width(label, SMALL))
            .fold(0.0, f32::max)
            + 10.0;
        let value_width = (RIGHT - DETAILS_COLUMN - label_width).max(60.0);
        for (label, value) in details {
            let leading = BODY_LEADING;
            let baseline = self.y + baseline_offset(BODY, leading);
            self.text(DETAILS_COLUMN, baseline, SMALL, Style::Muted, label);
            for line in self.face.wrap(value, BODY, value_width) {
                let baseline = self.y + baseline_offset(BODY, leading);
                self.text_right(RIGHT, baseline, BODY, Style::Regular, &line.text);
                self.y += leading;
            }
            self.y += 2.0;
        }
        self.y = left_end.max(self.y) + 20.0;
    }

    /// The table of `rows` (with a tax rate column if `with_tax`), then `totals` under its
    /// amounts: each a label, an amount, and how it is set.
    fn table(
        &mut self,
        words: &Words<'_>,
        rows: &[Row],
        with_tax: bool,
        totals: &[(String, String, Style)],
    ) {
        let face = self.face;
        let widest = |texts: &mut dyn Iterator<Item = &str>, size: f32| {
            texts.map(|t| face.width(t, size)).fold(0.0, f32::max)
        };
        let line = words.label("line");
        let description = words.label("description");
        let tax = words.label("tax-rate");
        let amount = words.label("amount");
        let line_width = widest(
            &mut rows
                .iter()
                .map(|r| r.number.as_str())
                .chain([line.as_str()]),
            BODY,
        ) + 14.0;
        let amount_width = widest(
            &mut rows
                .iter()
                .map(|r| r.amount.as_str())
                .chain(totals.iter().map(|t| t.1.as_str()))
                .chain([amount.as_str()]),
            10.5,
        );
        let amount_left = RIGHT - amount_width;
        let tax_right = with_tax.then_some(amount_left - 18.0);
        let tax_width = widest(
            &mut rows
                .iter()
                .filter_map(|r| r.tax.as_deref())
                .chain([tax.as_str()]),
            BODY,
        );
        let description_x = LEFT + line_width;
        let description_right = match tax_right {
            Some(tax_right) => tax_right - tax_width - 18.0,
            None => amount_left - 18.0,
        };
        let table = Table {
            description_x,
            description_width: (description_right - description_x).max(80.0),
            tax_right,
            amount_left,
            line,
            description,
            tax,
            amount,
        };
        self.keep(60.0);
        self.table_heading(&table);
        self.table = Some(table.clone());
        for row in rows {
            self.row(&table, row);
        }
        self.table = None;
        self.totals(&table, totals);
    }

    fn table_heading(&mut self, table: &Table) {
        let baseline = self.y + SMALL;
        self.text(LEFT, baseline, SMALL, Style::Muted, &table.line);
        self.text(
            table.description_x,
            baseline,
            SMALL,
            Style::Muted,
            &table.description,
        );
        if let Some(tax_right) = table.tax_right {
            self.text_right(tax_right, baseline, SMALL, Style::Muted, &table.tax);
        }
        self.text_right(RIGHT, baseline, SMALL, Style::Muted, &table.amount);
        self.rule(LEFT, RIGHT, baseline + 5.0, 0.6, Shade::Dark);
        self.y = baseline + 9.0;
    }

    /// A row: its number, tax rate and amount on its first line, its description wrapped
    /// beside them; carried to the next page between its lines if it is taller than a page.
    fn row(&mut self, table: &Table, row: &Row) {
        let lines = self
            .face
            .wrap(&row.description, BODY, table.description_width);
        let height = BODY_LEADING * lines.len() as f32 + 6.0;
        self.keep(height.min(BODY_LEADING * 3.0 + 6.0));
        self.y += 2.0;
        let baseline = self.y + baseline_offset(BODY, BODY_LEADING);
        self.text(LEFT, baseline, BODY, Style::Regular, &row.number);
        if let (Some(tax_right), Some(tax)) = (table.tax_right, &row.tax) {
            self.text_right(tax_right, baseline, BODY, Style::Regular, tax);
        }
        self.text_right(RIGHT, baseline, BODY, Style::Regular, &row.amount);
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                self.keep(BODY_LEADING);
            }
            self.line(
                table.description_x,
                line,
                BODY,
                BODY_LEADING,
                Style::Regular,
            );
        }
        self.y += 2.0;
        self.rule(LEFT, RIGHT, self.y, 0.3, Shade::Light);
        self.y += 2.0;
    }

    fn totals(&mut self, table: &Table, totals: &[(String, String, Style)]) {
        let leading = 16.0;
        self.keep(leading * totals.len() as f32 + 12.0);
        self.y += 6.0;
        let label_right = table.amount_left - 18.0;
        for (label, amount, style) in totals {
            let size = if *style == Style::Bold { 10.5 } else { BODY };
            if *style == Style::Bold {
                self.y += 3.0;
                let left = label_right - self.face.width(label, size) - 12.0;
                self.rule(left.min(RIGHT_COLUMN), RIGHT, self.y, 0.8, Shade::Dark);
                self.y += 3.0;
            }
            let baseline = self.y + baseline_offset(size, leading);
            let label_style = if *style == Style::Bold {
                Style::Bold
            } else {
                Style::Muted
            };
            self.text_right(label_right, baseline, size, label_style, label);
            self.text_right(RIGHT, baseline, size, *style, amount);
            self.y += leading;
        }
    }

    /// A labelled note under the table (a credit note's reason): the label, then the text.
    fn note(&mut self, label: &str, text: &str) {
        let lines = self.face.wrap(text, BODY, CONTENT);
        self.keep(14.0 + BODY_LEADING * lines.len().min(2) as f32);
        let baseline = self.y + baseline_offset(SMALL, 14.0);
        self.text(LEFT, baseline, SMALL, Style::Muted, label);
        self.y += 14.0;
        for line in &lines {
            self.keep(BODY_LEADING);
            self.line(LEFT, line, BODY, BODY_LEADING, Style::Regular);
        }
    }
}

/// Every page's footer: the business and its address for mail, and the page's number.
fn footers(pages: &mut [Vec<Item>], business: &Business, words: &Words<'_>, face: &Typeface) {
    let count = pages.len();
    let who = format!("{} · {}", business.name, business.email);
    for (index, page) in pages.iter_mut().enumerate() {
        let number = words.label_with(
            "page-of",
            &[
                ("page", (index + 1).to_string()),
                ("pages", count.to_string()),
            ],
        );
        let number_width = face.width(&number, SMALL);
        page.push(Item::Rule {
            left: LEFT,
            right: RIGHT,
            y: FOOTER_RULE,
            width: 0.5,
            shade: Shade::Light,
        });
        // The business's line, cut short rather than run into the page number.
        let room = CONTENT - number_width - 24.0;
        if let Some(line) = face.wrap(&who, 7.5, room).first() {
            page.push(Item::Text {
                x: LEFT,
                baseline: FOOTER_BASELINE,
                size: 7.5,
                style: Style::Muted,
                text: line.text.clone(),
            });
        }
        page.push(Item::Text {
            x: RIGHT - number_width,
            baseline: FOOTER_BASELINE,
            size: SMALL,
            style: Style::Muted,
            text: number,
        });
    }
}

/// How far below the top of a line `leading` high the baseline of text of `size` is: the
/// text's height (about an em) centred in the line, the baseline near its bottom.
fn baseline_offset(size: f32, leading: f32) -> f32 {
    (leading - size) / 2.0 + size * 0.85
}
