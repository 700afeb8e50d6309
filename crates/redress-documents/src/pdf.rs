//! A laid-out document written as PDF by krilla, which embeds the font subset to the glyphs
//! used and maps each glyph back to its text (so the PDF's text can be searched and copied).

use crate::DocumentError;
use crate::layout::{Item, LaidOut, PAGE_HEIGHT, PAGE_WIDTH, Shade, Style};
use crate::text::Typeface;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;
use redress_messages::Language;

const INK: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);
const GREY: (u8, u8, u8) = (0x5f, 0x63, 0x68);
const LIGHT: (u8, u8, u8) = (0xc8, 0xcb, 0xcf);

/// The PDF of `laid_out`, set in `face`, its language `language`.
pub(crate) fn write(
    laid_out: &LaidOut,
    face: &Typeface,
    language: Language,
) -> Result<Vec<u8>, DocumentError> {
    let mut document = Document::new();
    let mut metadata = Metadata::new()
        .title(laid_out.title.clone())
        .language(language.tag().to_owned())
        .authors(vec![laid_out.author.clone()])
        .creator("Redress".to_owned());
    // Dated as the document is, so the same document gives the same bytes.
    if let Ok(year) = u16::try_from(laid_out.date.year()) {
        metadata = metadata.creation_date(
            DateTime::new(year)
                .month(laid_out.date.month().unsigned_abs())
                .day(laid_out.date.day().unsigned_abs()),
        );
    }
    document.set_metadata(metadata);
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| DocumentError::Pdf("A4 is not a page size".to_owned()))?;
    let font = face.font();
    for items in &laid_out.pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for item in items {
            match item {
                Item::Text {
                    x,
                    baseline,
                    size,
                    style,
                    text,
                } => {
                    set_style(&mut surface, *style, *size);
                    surface.draw_text(
                        Point::from_xy(*x, *baseline),
                        font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Item::Rule {
                    left,
                    right,
                    y,
                    width,
                    shade,
                } => draw_rule(&mut surface, *left, *right, *y, *width, *shade),
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| DocumentError::Pdf(format!("{error:?}")))
}

fn colour((r, g, b): (u8, u8, u8)) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

fn set_style(surface: &mut Surface<'_>, style: Style, size: f32) {
    let ink = match style {
        Style::Regular | Style::Bold => INK,
        Style::Muted => GREY,
    };
    surface.set_fill(Some(Fill {
        paint: colour(ink).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
    // The face has one weight: bold text is filled and its outline stroked.
    surface.set_stroke((style == Style::Bold).then(|| Stroke {
        paint: colour(ink).into(),
        width: size * 0.035,
        ..Default::default()
    }));
}

fn draw_rule(surface: &mut Surface<'_>, left: f32, right: f32, y: f32, width: f32, shade: Shade) {
    let mut path = PathBuilder::new();
    path.move_to(left, y);
    path.line_to(right, y);
    let Some(path) = path.finish() else {
        return;
    };
    let ink = match shade {
        Shade::Dark => INK,
        Shade::Light => LIGHT,
    };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: colour(ink).into(),
        width,
        ..Default::default()
    }));
    surface.draw_path(&path);
}
