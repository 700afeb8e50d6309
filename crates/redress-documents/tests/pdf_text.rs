//! Every kind of document rendered in every language and read back with poppler's `pdftotext
//! -layout`: what a customer's PDF reader shows must be what we meant to write, with the
//! amounts and days as the customer's locale writes them.
//!
//! Needs `pdftotext` and `pdfinfo` (Debian's `poppler-utils`).

use jiff::civil::date;
use redress_documents::*;
use redress_domain::{Currency, Money};
use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

fn money(amount: &str, code: &str) -> Money {
    Money {
        amount: amount.parse().unwrap(),
        currency: Currency::from_code(code).unwrap(),
    }
}

fn business() -> Business {
    Business {
        name: "Aguas del Turia S.L.".into(),
        address: vec!["Calle de Colón 12".into(), "46004 Valencia, España".into()],
        tax_id: Some("B12345678".into()),
        email: "facturacion@aguasdelturia.example".into(),
    }
}

fn customer() -> Customer {
    Customer {
        name: "Ana López Martínez".into(),
        id: "C-0042".into(),
    }
}

fn credit_note() -> Document {
    Document::CreditNote(CreditNote {
        number: "CN-2026-000012".into(),
        issued_on: date(2026, 11, 5),
        invoice_id: "INV-2026-0107".into(),
        customer: customer(),
        lines: vec![
            CreditedLine {
                line: 2,
                description: "Water supply, October 2026: meter read twice".into(),
                net: money("12345.6", "EUR"),
            },
            CreditedLine {
                line: 5,
                description: "Late fee charged on a paid invoice".into(),
                net: money("40", "EUR"),
            },
        ],
        net: money("12385.6", "EUR"),
        tax: money("2600.98", "EUR"),
        total: money("14986.58", "EUR"),
        reason: "The October meter reading was billed twice, and the late fee was charged \
                 although the invoice had been paid on time."
            .into(),
    })
}

fn invoice(lines: usize) -> Document {
    Document::Invoice(Invoice {
        kind: InvoiceKind::Corrected {
            replaces: "INV-2026-0107".into(),
        },
        number: "RI-2026-000007".into(),
        issued_on: date(2026, 11, 5),
        due_on: Some(date(2026, 12, 5)),
        customer: customer(),
        lines: (0..lines)
            .map(|i| InvoiceLine {
                description: format!("Water supply, meter {:03}, October 2026", i + 1),
                net: line_amount(i),
                tax_rate_percent: "21".parse().unwrap(),
            })
            .collect(),
        subtotal: money("98765.4", "EUR"),
        tax: money("20740.73", "EUR"),
        total: money("119506.13", "EUR"),
    })
}

/// Line `i`'s net amount: a different one for each line, from EUR 1,000.01 up.
fn line_amount(i: usize) -> Money {
    money(
        &format!("{}.{:02}", 1000 + i * 37, (i * 13) % 99 + 1),
        "EUR",
    )
}

/// A letter as a resolution's draft gives it: greeting, paragraphs (one with a list), closing.
fn letter(language: Language) -> (Letter, Vec<&'static str>) {
    let paragraphs = match language {
        Language::English => vec![
            "Dear Ana López Martínez,",
            "We have looked again at invoice INV-2026-0107 and found that the October meter \
             reading was billed twice. We are sorry for the trouble this has caused you.",
            "We have issued the following:\n   - Credit note CN-2026-000012 for EUR 14,986.58.",
            "Kind regards,\nThe billing team",
        ],
        Language::Spanish => vec![
            "Estimado/a Ana López Martínez:",
            "Hemos revisado de nuevo la factura INV-2026-0107 y comprobado que la lectura del \
             contador de octubre se facturó dos veces. Lamentamos las molestias.",
            "Hemos emitido lo siguiente:\n   - Nota de crédito CN-2026-000012 por 14.986,58 EUR.",
            "Atentamente,\nEl equipo de facturación",
        ],
        Language::SimplifiedChinese => vec![
            "尊敬的Ana López Martínez：",
            "我们重新核查了发票 INV-2026-0107，发现十月份的水表读数被重复计费。对此给您带来的不便，我们深表歉意。我们已更正相关记录，并将在本月的账单中体现。",
            "我们已开具以下文件：\n   - 贷项通知单 CN-2026-000012，金额 EUR 14,986.58。",
            "此致\n账单团队",
        ],
    };
    let title = match language {
        Language::English => "Your dispute D-42 is resolved",
        Language::Spanish => "Su reclamación D-42 está resuelta",
        Language::SimplifiedChinese => "您的争议 D-42 已解决",
    };
    (
        Letter {
            dispute_id: "D-42".into(),
            invoice_id: "INV-2026-0107".into(),
            date: date(2026, 11, 5),
            customer_name: "Ana López Martínez".into(),
            title: title.into(),
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
        },
        paragraphs,
    )
}

fn render_ok(document: &Document, language: Language) -> Vec<u8> {
    let pdf = render(document, &business(), language).expect("the document renders");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    pdf
}

static FILES: AtomicUsize = AtomicUsize::new(0);

/// `pdf` written to a file of its own for poppler's tools to read.
struct PdfFile(PathBuf);

impl PdfFile {
    fn new(pdf: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!(
            "redress-documents-{}-{}.pdf",
            std::process::id(),
            FILES.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, pdf).expect("the PDF is written to a temporary file");
        Self(path)
    }
}

impl Drop for PdfFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What poppler's `tool` prints for `pdf`, given `options` before the file and `after` it.
fn poppler(tool: &str, options: &[&str], pdf: &[u8], after: &[&str]) -> String {
    let file = PdfFile::new(pdf);
    let run = Command::new(tool)
        .args(options)
        .arg(&file.0)
        .args(after)
        .output();
    let output = match run {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => panic!(
            "`{tool}` is not installed: these tests read the PDFs back with poppler's tools; \
             install them with `apt-get install -y poppler-utils`"
        ),
        Err(error) => panic!("`{tool}` did not run: {error}"),
    };
    assert!(
        output.status.success(),
        "`{tool}` failed on the PDF: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

/// The text of `pdf`, laid out as on its pages; pages are separated by a form feed.
fn pdf_text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf, &["-"])
}

fn pages(text: &str) -> Vec<&str> {
    text.split('\u{c}')
        .filter(|page| !page.trim().is_empty())
        .collect()
}

fn assert_has(text: &str, expected: &str) {
    assert!(
        text.contains(expected),
        "{expected:?} is not in the PDF's text:\n{text}"
    );
}

#[test]
fn a_credit_note_shows_its_title_number_customer_amounts_and_total_as_the_locale_writes_them() {
    // (language, title, the two lines' amounts, net, tax, total, the day issued)
    let expected = [
        (
            Language::English,
            "Credit note",
            ["EUR 12,345.60", "EUR 40.00"],
            ["EUR 12,385.60", "EUR 2,600.98", "EUR 14,986.58"],
            "November 5, 2026",
        ),
        (
            Language::Spanish,
            "Nota de crédito",
            ["12.345,60 EUR", "40,00 EUR"],
            ["12.385,60 EUR", "2600,98 EUR", "14.986,58 EUR"],
            "5 de noviembre de 2026",
        ),
        (
            Language::SimplifiedChinese,
            "贷项通知单",
            ["EUR 12,345.60", "EUR 40.00"],
            ["EUR 12,385.60", "EUR 2,600.98", "EUR 14,986.58"],
            "2026年11月5日",
        ),
    ];
    for (language, title, lines, totals, issued_on) in expected {
        let text = pdf_text(&render_ok(&credit_note(), language));
        for wanted in [
            title,
            "CN-2026-000012",
            "Ana López Martínez",
            "INV-2026-0107",
        ] {
            assert_has(&text, wanted);
        }
        for wanted in lines.into_iter().chain(totals) {
            assert_has(&text, wanted);
        }
        assert_has(&text, issued_on);
        assert_has(&text, "Aguas del Turia S.L.");
        assert_eq!(pages(&text).len(), 1, "{text}");
    }
}

#[test]
fn a_credit_note_puts_each_lines_amount_on_the_line_of_its_number() {
    let text = pdf_text(&render_ok(&credit_note(), Language::Spanish));
    let row = text
        .lines()
        .find(|line| line.contains("12.345,60 EUR"))
        .unwrap_or_else(|| panic!("no row with the first amount:\n{text}"));
    assert!(row.trim_start().starts_with('2'), "{row}");
    assert!(row.contains("Water supply"), "{row}");
    // Right-aligned: the amount ends the row.
    assert!(row.trim_end().ends_with("12.345,60 EUR"), "{row}");
}

#[test]
fn an_invoice_shows_its_title_number_dates_tax_rates_amounts_and_total_as_the_locale_writes_them() {
    let expected = [
        (
            Language::English,
            "Invoice",
            "Corrected invoice",
            "21%",
            "EUR 119,506.13",
            "December 5, 2026",
        ),
        (
            Language::Spanish,
            "Factura",
            "Factura rectificativa",
            "21 %",
            "119.506,13 EUR",
            "5 de diciembre de 2026",
        ),
        (
            Language::SimplifiedChinese,
            "发票",
            "更正发票",
            "21%",
            "EUR 119,506.13",
            "2026年12月5日",
        ),
    ];
    for (language, title, kind, rate, total, due_on) in expected {
        let text = pdf_text(&render_ok(&invoice(3), language));
        for wanted in [title, kind, rate, total, due_on, "RI-2026-000007"] {
            assert_has(&text, wanted);
        }
        assert_has(&text, "Ana López Martínez");
        assert_has(&text, "INV-2026-0107");
        let first = match language {
            Language::Spanish => "1000,01 EUR",
            _ => "EUR 1,000.01",
        };
        assert_has(&text, first);
    }
}

#[test]
fn an_arrears_invoice_shows_its_period() {
    let Document::Invoice(mut arrears) = invoice(2) else {
        unreachable!()
    };
    arrears.kind = InvoiceKind::Arrears {
        period_start: date(2026, 1, 1),
        period_end: date(2026, 6, 30),
    };
    arrears.due_on = None;
    let text = pdf_text(&render_ok(&Document::Invoice(arrears), Language::Spanish));
    assert_has(&text, "Factura de importes pendientes");
    assert_has(&text, "del 1 de enero de 2026 al 30 de junio de 2026");
    assert!(!text.contains("Vencimiento"), "{text}");
}

#[test]
fn a_120_line_invoice_runs_over_several_pages_with_every_lines_amount_on_one() {
    for language in Language::ALL {
        let text = pdf_text(&render_ok(&invoice(120), language));
        let pages = pages(&text);
        assert!(pages.len() > 1, "one page for 120 lines:\n{text}");
        for i in 0..120 {
            let amount = redress_messages::money(language, line_amount(i));
            let found = pages.iter().filter(|page| page.contains(&amount)).count();
            assert_eq!(found, 1, "line {}'s {amount} is on {found} pages", i + 1);
        }
        let last = pages.len();
        let footer = |page: usize| match language {
            Language::English => format!("Page {page} of {last}"),
            Language::Spanish => format!("Página {page} de {last}"),
            Language::SimplifiedChinese => format!("第 {page} 页，共 {last} 页"),
        };
        for (index, page) in pages.iter().enumerate() {
            assert_has(page, &footer(index + 1));
        }
        // The table's heading is repeated on every page, and the total ends the last.
        let amount_heading = match language {
            Language::English => "Amount",
            Language::Spanish => "Importe",
            Language::SimplifiedChinese => "金额",
        };
        for page in &pages {
            assert_has(page, amount_heading);
        }
        let total = redress_messages::money(language, money("119506.13", "EUR"));
        assert_has(pages[last - 1], &total);
    }
}

#[test]
fn a_letters_title_and_paragraphs_come_back_in_order() {
    for language in Language::ALL {
        let (letter, paragraphs) = letter(language);
        let title = letter.title.clone();
        let text = pdf_text(&render_ok(&Document::Letter(letter), language));
        assert_has(&text, &title);
        assert_has(&text, "D-42");
        // Lines are broken and indented as the page needs: compared without any white space.
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut from = 0;
        for paragraph in paragraphs {
            let wanted: String = paragraph.chars().filter(|c| !c.is_whitespace()).collect();
            let at = squeezed[from..].find(&wanted).unwrap_or_else(|| {
                panic!("{wanted:?} is not after the previous paragraph in:\n{text}")
            });
            from += at + wanted.len();
        }
    }
}

#[test]
fn a_long_letter_continues_on_a_second_page_in_order() {
    let (mut letter, _) = letter(Language::English);
    letter.paragraphs = (1..=60)
        .map(|n| format!("Paragraph number {n} of the letter, which says what happened."))
        .collect();
    let text = pdf_text(&render_ok(&Document::Letter(letter), Language::English));
    let pages = pages(&text);
    assert!(pages.len() > 1, "{text}");
    let mut from = 0;
    for n in 1..=60 {
        let wanted = format!("Paragraph number {n} of the letter");
        let at = text[from..]
            .find(&wanted)
            .unwrap_or_else(|| panic!("paragraph {n} is missing or out of order:\n{text}"));
        from += at + wanted.len();
    }
}

#[test]
fn a_long_description_is_wrapped_within_its_column_and_read_back_whole() {
    let Document::Invoice(mut long) = invoice(1) else {
        unreachable!()
    };
    let description = "Monthly maintenance of the ventilation and water treatment units at the \
                       Valencia warehouse, including replacement filters, the technician's travel \
                       and the emergency call-out on the night of the 14th";
    long.lines[0].description = description.into();
    let text = pdf_text(&render_ok(&Document::Invoice(long), Language::English));
    let row: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.contains("Monthly maintenance"))
        .take_while(|line| !line.trim().is_empty() && !line.contains("Subtotal"))
        .collect();
    assert!(row.len() > 1, "not wrapped:\n{text}");
    let words: Vec<&str> = row
        .iter()
        .flat_map(|line| line.split_whitespace())
        .collect();
    for word in description.split_whitespace() {
        assert!(
            words.contains(&word),
            "{word:?} is missing from the row: {row:?}"
        );
    }
}

#[test]
fn the_pdf_has_the_documents_title_and_language_and_is_small() {
    for (language, title) in [
        (Language::English, "Credit note CN-2026-000012"),
        (Language::Spanish, "Nota de crédito CN-2026-000012"),
        (Language::SimplifiedChinese, "贷项通知单 CN-2026-000012"),
    ] {
        let pdf = render_ok(&credit_note(), language);
        let info = poppler("pdfinfo", &["-enc", "UTF-8"], &pdf, &[]);
        let shown = info
            .lines()
            .find_map(|line| line.strip_prefix("Title:"))
            .unwrap_or_else(|| panic!("no title:\n{info}"));
        assert_eq!(shown.trim(), title);
        assert_has(&info, "595.28 x 841.89 pts (A4)");
        let lang = format!("/Lang({})", language.tag());
        assert!(
            pdf.windows(lang.len()).any(|w| w == lang.as_bytes()),
            "the catalog does not say {lang}"
        );
        // The 5 MB font is subset to the glyphs used.
        assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
    }
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let first = render_ok(&invoice(5), Language::SimplifiedChinese);
    let second = render_ok(&invoice(5), Language::SimplifiedChinese);
    assert!(first == second, "two renderings differ");
}

#[test]
fn amounts_in_two_currencies_are_refused() {
    let Document::CreditNote(mut note) = credit_note() else {
        unreachable!()
    };
    note.lines[1].net = money("40", "USD");
    let refused = render(&Document::CreditNote(note), &business(), Language::English);
    assert_eq!(
        refused,
        Err(DocumentError::MixedCurrencies {
            document: "credit note",
            first: Currency::from_code("EUR").unwrap(),
            other: Currency::from_code("USD").unwrap(),
        })
    );
}
