//! An HTML mail body reduced to plain text for the case file: tags stripped, the common entities
//! decoded, paragraphs and line breaks kept as lines, and quoted blocks (`<blockquote>`, where
//! mail programs put the history of a reply) written with `> ` so that the reply's new part can
//! be told from the history as in a plain-text mail.

/// Elements whose content is not text to show.
const SKIPPED: [&str; 5] = ["script", "style", "head", "title", "template"];
/// Elements that stand apart from what is around them by a blank line.
const PARAGRAPHS: [&str; 13] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "pre",
    "hr",
    "blockquote",
];
/// Elements that start a line of their own.
const LINES: [&str; 14] = [
    "br", "div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "address",
    "center", "form", "caption",
];

/// The text of an HTML document, as lines.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut writer = Writer::default();
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        writer.text(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('&') {
            let (decoded, used) = entity(rest);
            writer.text(&decoded);
            rest = &rest[used..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(tag) = Tag::read(rest) else {
            writer.text("<");
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.length..];
        if !tag.closing && SKIPPED.contains(&tag.name.as_str()) && !tag.self_closing {
            rest = skip_element(rest, &tag.name);
            continue;
        }
        writer.tag(&tag);
    }
    writer.text(rest);
    writer.finish()
}

/// What follows the end of the element `name` whose start tag was just read.
fn skip_element<'a>(rest: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    let lower = rest.to_ascii_lowercase();
    match lower.find(&closing) {
        Some(at) => {
            let after = &rest[at..];
            after.find('>').map_or("", |end| &after[end + 1..])
        }
        None => "",
    }
}

struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    length: usize,
}

impl Tag {
    /// The tag at the start of `text` (which starts with `<`), or `None` when the `<` is text.
    fn read(text: &str) -> Option<Tag> {
        let bytes = text.as_bytes();
        let mut i = 1;
        let closing = bytes.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let declaration = matches!(bytes.get(i), Some(b'!' | b'?'));
        if !declaration && !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        let name_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'!' | b'?' | b'-' | b':'))
        {
            i += 1;
        }
        let name = text[name_start..i].to_ascii_lowercase();
        // Attributes may hold a `>` in quotes.
        let mut quote = None;
        while let Some(&b) = bytes.get(i) {
            match (quote, b) {
                (None, b'>') => break,
                (None, b'"' | b'\'') => quote = Some(b),
                (Some(q), b) if b == q => quote = None,
                _ => {}
            }
            i += 1;
        }
        let length = (i + 1).min(text.len());
        let self_closing = text[..i].ends_with('/');
        Some(Tag {
            name,
            closing,
            self_closing,
            length,
        })
    }
}

/// The character an entity at the start of `text` stands for and the bytes it took, or the `&`
/// alone when it is none we know.
fn entity(text: &str) -> (String, usize) {
    let end = text
        .bytes()
        .take(12)
        .position(|b| b == b';')
        .filter(|&end| end > 1);
    let Some(end) = end else {
        return ("&".to_owned(), 1);
    };
    let name = &text[1..end];
    let decoded = if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        code.and_then(char::from_u32)
    } else {
        named_entity(name)
    };
    match decoded {
        Some('\u{a0}') => (" ".to_owned(), end + 1),
        Some(c) => (c.to_string(), end + 1),
        None => ("&".to_owned(), 1),
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "deg" => '°',
        "times" => '×',
        "iexcl" => '¡',
        "iquest" => '¿',
        "aacute" => 'á',
        "eacute" => 'é',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "Aacute" => 'Á',
        "Eacute" => 'É',
        "Iacute" => 'Í',
        "Oacute" => 'Ó',
        "Uacute" => 'Ú',
        "ntilde" => 'ñ',
        "Ntilde" => 'Ñ',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "ccedil" => 'ç',
        "agrave" => 'à',
        "egrave" => 'è',
        _ => return None,
    })
}

/// Collects text into lines: runs of white space are one space (except in `<pre>`), and each
/// line inside `depth` blockquotes starts with as many `> `.
#[derive(Default)]
struct Writer {
    lines: Vec<String>,
    line: String,
    line_depth: usize,
    depth: usize,
    pending_space: bool,
    pre: usize,
}

impl Writer {
    fn text(&mut self, text: &str) {
        for c in text.chars() {
            if self.pre > 0 && c == '\n' {
                self.break_line();
            } else if self.pre > 0 && c.is_whitespace() {
                if self.line.is_empty() {
                    self.line_depth = self.depth;
                }
                self.line.push(' ');
            } else if c.is_whitespace() && c != '\u{a0}' {
                self.pending_space = !self.line.is_empty();
            } else {
                if self.line.is_empty() {
                    self.line_depth = self.depth;
                } else if self.pending_space {
                    self.line.push(' ');
                }
                self.pending_space = false;
                self.line.push(if c == '\u{a0}' { ' ' } else { c });
            }
        }
    }

    fn tag(&mut self, tag: &Tag) {
        let name = tag.name.as_str();
        if PARAGRAPHS.contains(&name) {
            self.paragraph();
        } else if LINES.contains(&name) {
            self.break_line();
        } else if matches!(name, "td" | "th") && !tag.closing {
            self.pending_space = !self.line.is_empty();
        }
        match (name, tag.closing) {
            ("blockquote", false) if !tag.self_closing => self.depth += 1,
            ("blockquote", true) => self.depth = self.depth.saturating_sub(1),
            ("pre", false) => self.pre += 1,
            ("pre", true) => self.pre = self.pre.saturating_sub(1),
            ("li", false) => self.text("- "),
            _ => {}
        }
    }

    fn break_line(&mut self) {
        self.pending_space = false;
        if self.line.is_empty() {
            return;
        }
        let mut line = "> ".repeat(self.line_depth);
        line.push_str(self.line.trim_end());
        self.lines.push(line);
        self.line.clear();
    }

    fn paragraph(&mut self) {
        self.break_line();
        if self.lines.last().is_some_and(|last| !last.is_empty()) {
            self.lines.push(String::new());
        }
    }

    fn finish(mut self) -> String {
        self.break_line();
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        self.lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn paragraphs_become_lines_and_entities_are_decoded() {
        let html = "<html><head><title>x</title><style>p{color:red}</style></head><body>\
            <p>Hola&nbsp;Ana,</p><p>La factura   INV-7 &amp; la nota &lt;CN-2&gt; est&aacute;n\n\
            listas.<br>Gracias &#8212; &#x4f60;&#22909;</p><!-- a comment <p>hidden</p> -->\
            <script>alert('<p>no</p>')</script><div>Fin &unknown; & done</div></body></html>";
        assert_eq!(
            html_to_text(html),
            "Hola Ana,\n\nLa factura INV-7 & la nota <CN-2> están listas.\nGracias — 你好\n\nFin &unknown; & done"
        );
    }

    #[test]
    fn blockquotes_are_written_as_quoted_lines() {
        let html = "<div>Yes, please.</div><div class=\"gmail_quote\"><div>On Mon, Ana wrote:<br></div>\
            <blockquote class=\"gmail_quote\"><div>First line</div><blockquote>older</blockquote></blockquote></div>";
        assert_eq!(
            html_to_text(html),
            "Yes, please.\nOn Mon, Ana wrote:\n\n> First line\n\n> > older"
        );
    }

    #[test]
    fn a_less_than_sign_that_opens_no_tag_is_text() {
        assert_eq!(html_to_text("<p>1 < 2 and a <= b</p>"), "1 < 2 and a <= b");
    }

    #[test]
    fn list_items_and_preformatted_text_keep_their_lines() {
        assert_eq!(
            html_to_text("<ul><li>one</li><li>two</li></ul><pre>a  b\nc</pre>"),
            "- one\n- two\n\na  b\nc"
        );
    }
}
