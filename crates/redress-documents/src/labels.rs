//! The words on a document, from this crate's Fluent files, in English where the language lacks
//! one.

use fluent_bundle::FluentValue;
use fluent_templates::static_loader;
use redress_messages::Language;
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        // No Unicode isolation marks around arguments: they would be drawn, and read back.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Every label the documents use; each language's file should have them all.
#[cfg(test)]
pub(crate) const IDS: &[&str] = &[
    "credit-note-title",
    "invoice-title",
    "invoice-corrected",
    "invoice-arrears",
    "tax-id",
    "customer",
    "customer-id",
    "issued-on",
    "due-on",
    "date",
    "invoice-credited",
    "replaces-invoice",
    "period",
    "period-range",
    "dispute",
    "invoice-reference",
    "line",
    "description",
    "tax-rate",
    "amount",
    "net",
    "subtotal",
    "tax",
    "total",
    "reason",
    "percent",
    "page-of",
];

pub(crate) type Args = HashMap<Cow<'static, str>, FluentValue<'static>>;

/// Where labels come from: the embedded files, or in tests, files with gaps.
pub(crate) trait Texts {
    /// The label `id` in `language` alone, or `None` if that language's file lacks it.
    fn text(&self, language: &LanguageIdentifier, id: &str, args: &Args) -> Option<String>;
}

impl Texts for fluent_templates::StaticLoader {
    fn text(&self, language: &LanguageIdentifier, id: &str, args: &Args) -> Option<String> {
        self.lookup_single_language(language, id, Some(args)).ok()
    }
}

static EN_US: LanguageIdentifier = langid!("en-US");
static ES: LanguageIdentifier = langid!("es");
static ZH_HANS: LanguageIdentifier = langid!("zh-Hans");

fn identifier(language: Language) -> &'static LanguageIdentifier {
    match language {
        Language::English => &EN_US,
        Language::Spanish => &ES,
        Language::SimplifiedChinese => &ZH_HANS,
    }
}

/// The labels of one language.
pub(crate) struct Labels<'a> {
    texts: &'a dyn Texts,
    language: Language,
}

impl Labels<'static> {
    /// The embedded labels in `language`.
    pub(crate) fn new(language: Language) -> Self {
        Self {
            texts: &*LOCALES,
            language,
        }
    }
}

impl<'a> Labels<'a> {
    /// The labels of `texts` in `language` (tests give files with gaps).
    #[cfg(test)]
    pub(crate) fn with(texts: &'a dyn Texts, language: Language) -> Self {
        Self { texts, language }
    }

    /// The label `id`.
    pub(crate) fn get(&self, id: &str) -> String {
        self.with_args(id, &[])
    }

    /// The label `id` with its arguments, in the language or else in English.
    pub(crate) fn with_args(&self, id: &str, args: &[(&'static str, String)]) -> String {
        let args: Args = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
            .collect();
        self.texts
            .text(identifier(self.language), id, &args)
            .or_else(|| self.texts.text(&EN_US, id, &args))
            // Every id is in the English file, as the tests check; this keeps a page whole.
            .unwrap_or_else(|| format!("({id})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded files with one label taken out of the Spanish one.
    struct SpanishWithout(&'static str);

    impl Texts for SpanishWithout {
        fn text(&self, language: &LanguageIdentifier, id: &str, args: &Args) -> Option<String> {
            if language == &ES && id == self.0 {
                return None;
            }
            LOCALES.text(language, id, args)
        }
    }

    #[test]
    fn a_label_missing_in_spanish_is_written_in_english() {
        let texts = SpanishWithout("credit-note-title");
        let labels = Labels::with(&texts, Language::Spanish);
        assert_eq!(labels.get("credit-note-title"), "Credit note");
        // The others are still Spanish.
        assert_eq!(labels.get("invoice-title"), "Factura");
        let page = labels.with_args("page-of", &[("page", "1".into()), ("pages", "2".into())]);
        assert_eq!(page, "Página 1 de 2");
    }

    #[test]
    fn a_label_missing_with_arguments_is_written_in_english_with_them() {
        let texts = SpanishWithout("page-of");
        let labels = Labels::with(&texts, Language::Spanish);
        let page = labels.with_args("page-of", &[("page", "1".into()), ("pages", "2".into())]);
        assert_eq!(page, "Page 1 of 2");
    }

    #[test]
    fn every_language_has_every_label() {
        // Every argument any label takes, so that none fails to format for want of one.
        let args: Args = ["id", "start", "end", "rate", "page", "pages"]
            .into_iter()
            .map(|name| (Cow::Borrowed(name), FluentValue::from("x")))
            .collect();
        for language in Language::ALL {
            for id in IDS {
                assert!(
                    LOCALES.text(identifier(language), id, &args).is_some(),
                    "{id} is missing in {}",
                    language.tag()
                );
            }
        }
    }

    #[test]
    fn the_titles_are_the_languages() {
        let title = |language| Labels::new(language).get("credit-note-title");
        assert_eq!(title(Language::English), "Credit note");
        assert_eq!(title(Language::Spanish), "Nota de crédito");
        assert_eq!(title(Language::SimplifiedChinese), "贷项通知单");
    }
}
