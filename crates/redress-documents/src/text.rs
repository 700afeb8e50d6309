//! The embedded font, text measured as it is drawn, and text broken into lines of a width.

use krilla::text::Font;
use rustybuzz::{Face, UnicodeBuffer};

/// WenQuanYi Micro Hei (face 0 of Debian's `fonts-wqy-microhei`): Latin and Simplified
/// Chinese in one face. Its licence is beside it, in `fonts/`.
static FONT_DATA: &[u8] = include_bytes!("../fonts/wqy-microhei.ttc");

/// The one face documents are set in: for krilla to draw with, and for rustybuzz (the shaper
/// krilla draws text with) to measure with.
pub(crate) struct Typeface {
    face: Face<'static>,
    font: Font,
    units_per_em: f32,
}

/// A line of text broken to a width, indented as its source line was.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// How far it is set in, in points: the width of its source line's leading spaces.
    pub(crate) indent: f32,
    /// Its text, without the spaces it was broken at.
    pub(crate) text: String,
}

impl Typeface {
    /// The embedded face, or `None` if it does not read (which the tests would show).
    pub(crate) fn embedded() -> Option<Self> {
        let face = Face::from_slice(FONT_DATA, 0)?;
        let font = Font::new(FONT_DATA.into(), 0)?;
        Some(Self {
            units_per_em: face.units_per_em() as f32,
            face,
            font,
        })
    }

    /// The face for krilla.
    pub(crate) fn font(&self) -> Font {
        self.font.clone()
    }

    /// How wide `text` is at `size` points, shaped as krilla shapes it.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        if text.is_empty() {
            return 0.0;
        }
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&self.face, &[], buffer);
        let units: i64 = shaped
            .glyph_positions()
            .iter()
            .map(|position| i64::from(position.x_advance))
            .sum();
        units as f32 / self.units_per_em * size
    }

    /// `text` at `size` points broken into lines no wider than `width`: at its line breaks,
    /// then between words (at spaces) and between Chinese characters (anywhere, but not
    /// before a closing mark such as `，` or `。` nor after an opening one). A word wider than
    /// the line alone is broken between its characters. A source line's leading spaces become
    /// the indent of every line it is broken into.
    pub(crate) fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<Line> {
        let cleaned = clean(text);
        let mut lines = Vec::new();
        for source in cleaned.split('\n') {
            let body = source.trim_start();
            let indent = self.width(&source[..source.len() - body.len()], size);
            let room = (width - indent).max(size);
            let start = lines.len();
            let mut line = LineBuilder::default();
            for unit in units(body.trim_end()) {
                let unit_width = self.width(unit, size);
                if unit.chars().all(char::is_whitespace) {
                    line.space(unit, unit_width);
                } else if unit_width > room {
                    // Wider than a line: broken between its characters.
                    for (at, character) in unit.char_indices() {
                        let piece = &unit[at..at + character.len_utf8()];
                        let piece_width = self.width(piece, size);
                        if !line.fits(piece_width, room) {
                            lines.push(line.finish(indent));
                        }
                        line.push(piece, piece_width);
                    }
                } else {
                    if !line.fits(unit_width, room) {
                        lines.push(line.finish(indent));
                    }
                    line.push(unit, unit_width);
                }
            }
            if !line.is_empty() || lines.len() == start {
                lines.push(line.finish(indent));
            }
        }
        lines
    }
}

/// A line being filled: its text, its width, and the spaces that wait for a next word.
#[derive(Default)]
struct LineBuilder {
    text: String,
    width: f32,
    spaces: String,
    spaces_width: f32,
}

impl LineBuilder {
    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Spaces, kept only if a word follows them on this line.
    fn space(&mut self, spaces: &str, width: f32) {
        if !self.is_empty() {
            self.spaces.push_str(spaces);
            self.spaces_width += width;
        }
    }

    /// Whether a piece `width` wide fits after what the line holds (the first always does).
    fn fits(&self, width: f32, room: f32) -> bool {
        self.is_empty() || self.width + self.spaces_width + width <= room
    }

    fn push(&mut self, piece: &str, width: f32) {
        if !self.is_empty() {
            self.text.push_str(&self.spaces);
            self.width += self.spaces_width;
        }
        self.spaces.clear();
        self.spaces_width = 0.0;
        self.text.push_str(piece);
        self.width += width;
    }

    /// The line as it is, and an empty one in its place.
    fn finish(&mut self, indent: f32) -> Line {
        let taken = std::mem::take(self);
        Line {
            indent,
            text: taken.text,
        }
    }
}

/// `text` with tabs as four spaces, Windows line ends as `\n`, and no other control
/// characters (the font has no glyph for them).
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\t', "    ")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// `text` cut where a line may break: runs of spaces, words, and Chinese characters one by
/// one, each with the closing marks after it and the opening marks before it.
fn units(text: &str) -> Vec<&str> {
    let mut units = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (at, character) in text.char_indices() {
        if let Some(before) = previous
            && may_break_between(before, character)
        {
            units.push(&text[start..at]);
            start = at;
        }
        previous = Some(character);
    }
    if start < text.len() {
        units.push(&text[start..]);
    }
    units
}

fn may_break_between(before: char, after: char) -> bool {
    match (before.is_whitespace(), after.is_whitespace()) {
        (true, true) => false,
        (true, false) | (false, true) => true,
        (false, false) => {
            !closes(after) && !opens(before) && (is_chinese(before) || is_chinese(after))
        }
    }
}

/// Characters set in Chinese text, between any two of which a line may break: the CJK
/// ideographs, radicals, kana and punctuation, Hangul, and the full-width forms.
fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Marks that may not begin a line.
fn closes(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '%'
            | '，'
            | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〉'
            | '”'
            | '’'
            | '…'
    )
}

/// Marks that may not end a line.
fn opens(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '（' | '《' | '「' | '『' | '【' | '〈' | '“' | '‘'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> Typeface {
        Typeface::embedded().expect("the embedded font reads")
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|line| line.text.as_str()).collect()
    }

    #[test]
    fn wider_text_measures_wider_and_size_scales_it() {
        let face = face();
        let one = face.width("Invoice", 10.0);
        assert!(one > 20.0 && one < 50.0, "{one}");
        assert!(face.width("Invoice Invoice", 10.0) > 2.0 * one);
        assert!((face.width("Invoice", 20.0) - 2.0 * one).abs() < 0.01);
        // A Chinese character is about one em wide.
        let han = face.width("发", 10.0);
        assert!((8.0..=11.0).contains(&han), "{han}");
    }

    #[test]
    fn latin_text_breaks_at_spaces_and_every_line_fits() {
        let face = face();
        let text = "Monthly maintenance of the ventilation units at the Valencia warehouse, \
                    including filters and the technician's travel";
        let width = 150.0;
        let lines = face.wrap(text, 9.5, width);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(face.width(&line.text, 9.5) <= width + 0.5, "{line:?}");
            assert!(!line.text.starts_with(' ') && !line.text.ends_with(' '));
        }
        assert_eq!(
            texts(&lines).join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn chinese_text_breaks_between_characters_but_not_before_a_comma() {
        let face = face();
        let text = "我们已收到您关于发票的争议，并将在十个工作日内给您答复。感谢您的耐心等待，如有任何问题请随时联系我们。";
        let width = 100.0;
        let lines = face.wrap(text, 10.0, width);
        assert!(lines.len() > 3, "{lines:?}");
        assert_eq!(texts(&lines).concat(), text);
        for line in &lines {
            assert!(face.width(&line.text, 10.0) <= width + 0.5, "{line:?}");
            assert!(!line.text.starts_with(['，', '。']), "{line:?}");
        }
    }

    #[test]
    fn line_breaks_are_kept_with_their_indent_and_a_long_word_is_broken() {
        let face = face();
        let lines = face.wrap("Options:\n   - a credit note\n\nEnd", 10.0, 400.0);
        assert_eq!(texts(&lines), ["Options:", "- a credit note", "", "End"]);
        assert_eq!(lines[0].indent, 0.0);
        assert!(lines[1].indent > 0.0);
        let long = "x".repeat(200);
        let broken = face.wrap(&long, 10.0, 100.0);
        assert!(broken.len() > 1);
        assert_eq!(texts(&broken).concat(), long);
    }
}
